"""Exercise 00.2: ``count_macs(sizes)``, multiply-adds per sample of a dense network."""

from minprune_course import checks

from . import _t00

GRADE_ID = "t00_count_macs_test"
ANSWER = "count_macs"
SIGNATURE = "(sizes)"
REFERENCE = ("minprune.count_macs",)
MISTAKES = {
    "with_biases": "count_macs(sizes) counted the bias additions too; a multiply-add is "
    "one weight times one input, n_in * n_out per layer",
    "first_layer_only": "count_macs(sizes) counted one layer; sum n_in * n_out over every "
    "pair of neighbouring widths",
}


def cases(rng, hidden):
    """The lesson's 2-3-1 network, then random widths with two layers or more."""
    yield [2, 3, 1]
    for _ in range(30 if hidden else 5):
        sizes = _t00.random_sizes(rng, hidden)
        yield sizes if len(sizes) > 2 else [*sizes, int(rng.integers(2, 9))]


def check(answer, hidden=False, seed=None):
    """``answer(sizes)`` is an ``int`` equal to ``mp.count_macs``."""
    (reference,) = checks.public(*REFERENCE)
    for sizes in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(_t00.network(sizes))
        what = f"count_macs({sizes})"
        got = checks.call(answer, sizes, what=what, without=[reference], names=("sizes",))
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        checks.expect_no_mistake(
            got,
            expected,
            {
                "with_biases": sum(a * b + b for a, b in pairs),
                "first_layer_only": sizes[0] * sizes[1],
            },
            MISTAKES,
        )
        checks.expect_equal_int(got, expected, what)
    checks.passed()
