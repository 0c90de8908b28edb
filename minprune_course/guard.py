"""Undo a learner's monkeypatching before each graded test cell.

The grader runs ``snapshot(...)`` in a fresh kernel before any learner code,
then ``restore()`` before every test cell. ``restore`` puts back every attribute
of the snapshotted modules (``numpy``, ``numpy.testing``, ``builtins``,
``minprune``, ``minprune_course`` and its exercise modules, ...), their
``sys.modules`` entries, the grader's seed in ``os.environ``, and IPython's
exception handling. A learner who replaced ``np.allclose`` or
``checks.expect_close`` in a cell of their own gets the originals back.

This is a defence against the common tricks, not a sandbox: code that sets out
to attack the kernel it runs in can beat any check made inside that kernel.
"""

import builtins
import importlib
import os
import sys

from .checks import SEED_VARIABLE

#: Modules snapshotted (with their submodules already imported) in every graded kernel.
TRUSTED = (
    "builtins",
    "math",
    "operator",
    "numpy",
    "numpy.testing",
    "numpy.linalg",
    "minprune",
    "minprune_course",
)

_saved = {}
_environ = {}


def _trusted(name, roots):
    return any(name == root or name.startswith(root + ".") for root in roots)


def snapshot(extra=()):
    """Import the trusted modules and ``extra`` ones, and remember their attributes.

    Parameters
    ----------
    extra : iterable of str
        More modules to import and protect, such as a topic's ``minprune_course.checks_NN``.
        One that fails to import is skipped (the test cell that uses it will fail).
    """
    roots = TRUSTED + tuple(extra)
    for name in roots:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken module is the test cell's problem
            pass
    _saved.clear()
    for name, module in list(sys.modules.items()):
        if module is not None and _trusted(name, roots + ("minprune", "minprune_course")):
            _saved[name] = (module, dict(vars(module)))
    _environ.clear()
    _environ[SEED_VARIABLE] = os.environ.get(SEED_VARIABLE)


def restore():
    """Put back every snapshotted module and attribute; return how many were changed."""
    changed = 0
    for name, (module, attrs) in _saved.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
            changed += 1
        current = vars(module)
        for key, value in attrs.items():
            if current.get(key, _saved) is not value:
                try:
                    setattr(module, key, value)
                except (AttributeError, TypeError):
                    continue
                changed += 1
    for key, value in _environ.items():
        if os.environ.get(key) != value:
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
            changed += 1
    shell = getattr(builtins, "get_ipython", lambda: None)()
    if shell is not None and shell.custom_exceptions:
        shell.custom_exceptions = ()
        changed += 1
    return changed
