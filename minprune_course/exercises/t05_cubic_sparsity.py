"""Exercise 05.2: ``cubic_sparsity(step, final_sparsity, begin_step, end_step, initial_sparsity)``.

Every draw, visible or hidden, starts from an initial sparsity strictly between 0 and
the final one, so starting from 0, ending at the initial sparsity and a wrong power
of the progress all show; its steps are before, at and inside the schedule, at its
end and past it, and a schedule whose begin and end coincide comes next. Values are
compared to 1e-9: any float arithmetic passes.
"""

import numpy as np

from minprune_course import checks, remote

GRADE_ID = "t05_cubic_sparsity_test"
ANSWER = "cubic_sparsity"
SIGNATURE = "(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0)"
REFERENCE = ("minprune.cubic_sparsity",)
MISTAKES = {
    "divides_by_zero": "divided by zero; when begin_step == end_step the schedule jumps "
    "straight to final_sparsity (test step >= end_step first)",
    "zero_before": "before (and at) begin_step the target is initial_sparsity, not 0",
    "never_final": "from end_step on the target is final_sparsity",
    "past_end": "past end_step the formula overshoots final_sparsity; from end_step on the "
    "target is final_sparsity",
    "before_begin": "before begin_step the formula falls below initial_sparsity; before "
    "(and at) begin_step the target is initial_sparsity",
    "square": "inside the schedule the distance still to go shrinks with the cube of the "
    "fraction of the schedule left, (1 - progress) ** 3",
    "progress_cubed": "inside the schedule the cube is of the fraction of the schedule "
    "left, 1 - progress, not of the fraction done",
    "array": "returned an array; return a float (float(x) turns a one-element array into one)",
}
NAMES = ("step", "final_sparsity", "begin_step", "end_step", "initial_sparsity")


def _schedule(rng):
    """``(final, begin, end, initial)``: ``0 < initial < final``, ``0 < begin``, ``end - begin >= 20``."""
    begin = int(rng.integers(1, 50))
    end = begin + int(rng.integers(20, 500))
    final = float(rng.uniform(0.5, 0.99))
    return final, begin, end, float(rng.uniform(0.05, 0.9) * final)


def cases(rng, hidden):
    """``(step, final, begin, end, initial)``: a schedule walked from before its begin to
    past its end, then one whose begin and end coincide; hidden adds random steps, a
    schedule from 0 and one that starts at its final sparsity."""
    final, begin, end, initial = _schedule(rng)
    steps = [begin, (begin + end) // 2, end, begin - 1, end - 1, end + 7]
    steps += [int(s) for s in rng.integers(begin + 1, end, size=3)]
    yield from ((s, final, begin, end, initial) for s in steps)
    at = int(rng.integers(1, 50))
    yield from ((s, final, at, at, initial) for s in (at, at - 1, at + 1))
    if not hidden:
        return
    final, begin, end, initial = _schedule(rng)
    yield from ((int(s), final, begin, end, initial) for s in rng.integers(0, end + 20, size=8))
    yield from ((int(s), final, begin, end, 0.0) for s in rng.integers(0, end + 20, size=4))
    yield int(rng.integers(0, end)), final, 0, end, final


def _mistakes(step, final, begin, end, initial):
    """What each known mistake returns at this step (``divides_by_zero`` raises instead)."""
    if end == begin:
        progress = unclamped = 1.0 if step >= end else 0.0
    else:
        unclamped = (step - begin) / (end - begin)
        progress = min(max(unclamped, 0.0), 1.0)
    formula = final + (initial - final) * (1 - unclamped) ** 3
    return {
        "past_end": formula if step > end else None,
        "before_begin": formula if step < begin else None,
        "zero_before": 0.0 if step <= begin < end else None,
        "never_final": initial if step >= end else None,
        "square": final + (initial - final) * (1 - progress) ** 2,
        "progress_cubed": final + (initial - final) * progress**3,
    }


def check(answer, hidden=False, seed=None):
    """``answer(step, final, begin, end, initial)`` is the float ``mp.cubic_sparsity`` gives."""
    (reference,) = checks.public(*REFERENCE)
    for step, final, begin, end, initial in cases(checks.case_rng(GRADE_ID, hidden, seed), hidden):
        expected = reference(step, final, begin, end, initial)
        what = (
            f"cubic_sparsity({step}, final_sparsity={final:.3f}, begin_step={begin}, "
            f"end_step={end}, initial_sparsity={initial:.3f})"
        )
        try:
            got = checks.call(
                answer, step, final, begin, end, initial, what=what, without=[reference],
                names=NAMES,
            )  # fmt: skip
        except (ZeroDivisionError, remote.RemoteError) as exc:
            # graded, the answer runs in the submission's kernel: its error arrives named
            if getattr(exc, "ename", "ZeroDivisionError") != "ZeroDivisionError":
                raise
            checks.fail(f"{what}: {MISTAKES['divides_by_zero']}")
        checks.expect_true(not isinstance(got, np.ndarray), f"{what}: {MISTAKES['array']}")
        value = checks.expect_float(got, what)
        mistakes = _mistakes(step, final, begin, end, initial)
        mistakes = {name: wrong for name, wrong in mistakes.items() if wrong is not None}
        try:
            checks.expect_no_mistake(value, expected, mistakes, MISTAKES)
        except AssertionError as exc:
            checks.fail(f"{what}: {exc}")
        checks.expect_close(value, expected, what)
    checks.passed()
