"""Real nbgrader accepts the course's nbgrader metadata (its own file, so xdist runs it aside)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_MASTER

NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.CourseDirectory.course_id = "minprune"
c.ExecutePreprocessor.kernel_name = "python3"
"""


@pytest.mark.slow
def test_nbgrader_autogrades_the_master_with_full_marks(tmp_path):
    """Real nbgrader accepts the master's metadata and gives the solution full marks."""
    root = tmp_path / "nbgrader"
    (root / "source" / "ps1").mkdir(parents=True)
    (root / "submitted" / "alice" / "ps1").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(root)))
    shutil.copy(FIXTURE_MASTER, root / "source" / "ps1")
    shutil.copy(FIXTURE_MASTER, root / "submitted" / "alice" / "ps1")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in (["generate_assignment", "ps1"], ["autograde", "ps1", "--create"]):
        done = subprocess.run(
            [sys.executable, "-m", "nbgrader", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        submission = gradebook.find_submission("ps1", "alice")
        assert (submission.score, submission.max_score) == (5.0, 5.0)
