"""One module per graded exercise, all alike.

A master's test cell calls one entry point::

    from minprune_course.exercises import t03_threshold
    t03_threshold.check(threshold_mask)               # the visible check, always the same cases
    t03_threshold.check(threshold_mask, hidden=True)  # the hidden battery, the grader's seed

Every module defines
--------------------
``GRADE_ID``
    the grade_id of the master's test cell it serves (gradebook columns depend on it).
``ANSWER``, ``SIGNATURE``
    the name of the learner's function and its parameters, as the prompt gives them.
``REFERENCE``
    the engine's functions the answer is compared with, by public dotted name
    (``"minprune.pruning.threshold_masks"``); they are switched off while the answer
    runs, so an answer that only calls them fails.
``MISTAKES``
    the known mistakes, ``{name: hint}``: each fails the check with exactly its hint.
``cases(rng, hidden)``
    the inputs, drawn from ``rng``; the hidden battery adds harder ones. They are
    built so that every declared mistake is caught on every draw, not on most.
``check(answer, hidden=False, seed=None)``
    compute the reference first, call the answer through ``checks.call`` (on copies,
    with the references switched off, failing an answer that changes what the prompt
    says not to change), compare as plain arrays, end with ``checks.passed()``.
    Visible checks draw from seed 0; hidden ones from ``seed`` or the grader's
    (``checks.case_rng``), so the same submission always gets the same grade.

The contract: plain data in, plain data out
-------------------------------------------
A check calls the learner's answer only with plain data and reads back only plain
data: NumPy arrays, Python numbers and strings, lists, tuples and dicts of those, a
``minprune.Network`` (which its ``.npz`` form carries whole), torch tensors, and the
``state_dict`` of a torch module whose architecture the check builds itself. Where an
answer is an object (a class, a pruning method, a module), its exercise module says
how the check probes it through plain-data calls (``PROBE``). So the answer can run in
another process than the check: nothing else crosses between them.

Adding an exercise
------------------
Write ``tNN_name.py`` here after an existing one, its answer and test cells in the
master, its known mistakes and correct alternatives in
``tests/exercise_answers/tNN_name.py``; ``tests/test_exercises.py`` then tests it.
"""

import importlib
import pkgutil

__all__ = ["grade_ids", "load", "module_names"]


def module_names():
    """The names of the exercise modules, sorted (``["t00_count_params", ...]``)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name[:1] == "t")


def load(name):
    """The exercise module ``name`` (``"t03_threshold"``)."""
    if name not in module_names():
        raise ValueError(
            f"name={name!r} is not an exercise module; expected one of {module_names()}"
        )
    return importlib.import_module(f"{__name__}.{name}")


def grade_ids():
    """``{grade_id of the test cell: module name}`` over every exercise."""
    return {load(name).GRADE_ID: name for name in module_names()}


def __getattr__(name):
    """``from minprune_course.exercises import t03_threshold`` imports only that module."""
    if name in module_names():
        return load(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
