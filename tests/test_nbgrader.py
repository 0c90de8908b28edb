"""Real nbgrader runs the course's masters with the README's own commands (its own file,
so xdist runs it aside)."""

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_MASTER

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "03_magnitude_pruning"


def readme_block(marker):
    """The fenced block after ``<!-- marker -->`` in the README, and its config block."""
    text = (ROOT / "README.md").read_text()
    after = text.split(f"<!-- {marker} -->", 1)[1]
    commands = re.search(r"```bash\n(.*?)```", after, re.S).group(1)
    before = text.split(f"<!-- {marker} -->", 1)[0]
    config = re.findall(r"```python\n(c = get_config\(\).*?)```", before, re.S)[-1]
    return commands.splitlines(), config


@pytest.mark.slow
def test_the_readmes_nbgrader_commands_grade_release_feedback_and_export(tmp_path):
    """generate_assignment, autograde, generate_feedback and export, as the README gives
    them, accept the master's metadata: full marks for the solution, a feedback page, a
    grades.csv with the score."""
    commands, config = readme_block("nbgrader-commands")
    root = tmp_path / "course"
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    (root / "submitted" / "alice" / ASSIGNMENT).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(config)
    shutil.copy(FIXTURE_MASTER, root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    shutil.copy(FIXTURE_MASTER, root / "submitted" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    venv_bin = Path(sys.executable).parent
    assert commands[0] == 'export PATH="$PWD/../.venv/bin:$PATH"'
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
    for line in commands[1:]:
        assert line.startswith("nbgrader "), line
        done = subprocess.run(
            [sys.executable, "-m", "nbgrader", *line.split()[1:]],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, line + "\n" + done.stdout + done.stderr
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "alice")
        assert (submission.score, submission.max_score) == (5.0, 5.0)
    page = root / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert "Score: 5.0 / 5.0" in page.read_text() or "5.0 / 5.0" in page.read_text()
    with (root / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["student_id"], float(r["score"])) for r in rows] == [("alice", 5.0)]
