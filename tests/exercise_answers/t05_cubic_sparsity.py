"""Answers to exercise t05_cubic_sparsity: its known mistakes and correct alternatives."""

import numpy as np


def divides_by_zero(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    progress = min(max((step - begin_step) / (end_step - begin_step), 0), 1)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3


def zero_before(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return final_sparsity
    if step <= begin_step:
        return 0.0
    progress = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3


def never_final(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step <= begin_step or step >= end_step:
        return initial_sparsity
    progress = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3


def past_end(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step <= begin_step:
        return initial_sparsity
    progress = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3


def before_begin(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return final_sparsity
    progress = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3


def square(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return final_sparsity
    if step <= begin_step:
        return initial_sparsity
    progress = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 2


def progress_cubed(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return final_sparsity
    if step <= begin_step:
        return initial_sparsity
    progress = (step - begin_step) / (end_step - begin_step)
    return final_sparsity + (initial_sparsity - final_sparsity) * progress**3


def array(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if step >= end_step:
        return np.array([final_sparsity])
    if step <= begin_step:
        return np.array([initial_sparsity])
    progress = (step - begin_step) / (end_step - begin_step)
    return np.array([final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3])


def numpy_clip(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    if end_step == begin_step:
        return float(final_sparsity if step >= end_step else initial_sparsity)
    progress = np.clip((step - begin_step) / (end_step - begin_step), 0.0, 1.0)
    return np.float64(
        initial_sparsity + (final_sparsity - initial_sparsity) * (1 - (1 - progress) ** 3)
    )


def expanded(step, final_sparsity, begin_step, end_step, initial_sparsity=0.0):
    """The cube written out, the distance counted from the final sparsity."""
    if step >= end_step:
        return final_sparsity
    if step <= begin_step:
        return initial_sparsity
    left = 1.0 - (step - begin_step) / (end_step - begin_step)
    return final_sparsity - (final_sparsity - initial_sparsity) * left * left * left


MISTAKES = {
    "divides_by_zero": divides_by_zero,
    "zero_before": zero_before,
    "never_final": never_final,
    "past_end": past_end,
    "before_begin": before_begin,
    "square": square,
    "progress_cubed": progress_cubed,
    "array": array,
}
ALTERNATIVES = {"numpy_clip": numpy_clip, "expanded": expanded}
NOT_APPLICABLE = {
    "mutating": "the arguments are numbers: there is nothing to change in place",
}
