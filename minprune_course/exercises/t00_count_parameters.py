"""Exercise 00.1: ``count_parameters(sizes)``, the weights and biases of a dense network."""

from minprune_course import checks

from . import _t00

GRADE_ID = "t00_count_parameters_test"
ANSWER = "count_parameters"
SIGNATURE = "(sizes)"
REFERENCE = ("minprune.count_parameters",)
MISTAKES = {
    "weights_only": "count_parameters(sizes) counted the weights only: each layer also has "
    "a bias, one per output unit",
    "bias_per_input": "count_parameters(sizes) gave each layer one bias per *input* unit; a "
    "layer has one bias per output unit",
}


def cases(rng, hidden):
    """The lesson's 2-3-1 network, then random widths (every draw has two layers or more)."""
    yield [2, 3, 1]
    for _ in range(30 if hidden else 5):
        yield _t00.random_sizes(rng, hidden)


def check(answer, hidden=False, seed=None):
    """``answer(sizes)`` is an ``int`` equal to ``mp.count_parameters``."""
    (reference,) = checks.public(*REFERENCE)
    for sizes in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(_t00.network(sizes))
        what = f"count_parameters({sizes})"
        got = checks.call(answer, sizes, what=what, without=[reference], names=("sizes",))
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        checks.expect_no_mistake(
            got,
            expected,
            {
                "weights_only": sum(a * b for a, b in pairs),
                "bias_per_input": sum(a * b + a for a, b in pairs),
            },
            MISTAKES,
        )
        checks.expect_equal_int(got, expected, what)
    checks.passed()
