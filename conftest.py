"""Executed notebooks are checked as saved: figures, not live sliders.

nbval's kernels inherit this process's environment; ``minprune_course.explore`` leaves
its sliders out under ``MINPRUNE_STATIC=1``, as ``minprune execute`` did when it saved
the outputs nbval compares against.
"""

import os

from minprune_course.explore import STATIC

os.environ[STATIC] = "1"
