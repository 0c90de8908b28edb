"""Shared fixtures for the course-machinery tests.

``tests/fixtures`` holds a tiny course (``fixtures/course/solutions/90_fixture.ipynb``,
three numpy-only exercises) so the grader and release tests do not depend on the
real topics. Its notebooks are test data: nbval must not collect them.
"""

import copy
import shutil
from pathlib import Path

import pytest

from minprune_course import notebooks as nbs

collect_ignore = ["fixtures"]

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
FIXTURE_MASTER = FIXTURE_COURSE / "solutions" / "90_fixture.ipynb"


@pytest.fixture
def course(tmp_path):
    """A writable copy of the fixture course (``solutions/`` only)."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


@pytest.fixture
def master():
    """The fixture master notebook, freshly read (edit it freely)."""
    return copy.deepcopy(nbs.read_notebook(FIXTURE_MASTER))


def cell_by_id(nb, grade_id):
    """The cell of ``nb`` with nbgrader ``grade_id``."""
    (cell,) = [c for c in nb.cells if nbs.grade_id(c) == grade_id]
    return cell
