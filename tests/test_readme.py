"""The README's course map matches the notebooks in the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _course_map():
    text = (ROOT / "README.md").read_text()
    start, end = text.index("<!-- course-map:start -->"), text.index("<!-- course-map:end -->")
    return re.findall(r"\]\(((?:lessons|exercises)/[^)]+\.ipynb)\)", text[start:end])


def test_every_course_map_link_exists():
    """Each lesson and exercise the README links to is in the repository."""
    missing = [link for link in _course_map() if not (ROOT / link).is_file()]
    assert not missing, f"README links to notebooks that do not exist: {missing}"


def test_every_lesson_and_exercise_is_in_the_course_map():
    """No lesson or exercise notebook is left out of the README's course map."""
    linked = set(_course_map())
    present = {
        f"{folder}/{p.name}"
        for folder in ("lessons", "exercises")
        for p in (ROOT / folder).glob("*.ipynb")
    }
    assert present <= linked, f"not in the README's course map: {sorted(present - linked)}"


def test_the_engine_tour_runs():
    """The README's tour of the engine runs as printed, and its surgery keeps the outputs."""
    text = (ROOT / "README.md").read_text()
    tour = text[text.index("A tour:") :]
    code = tour[
        tour.index("```python") + len("```python") : tour.index("```", tour.index("```python") + 9)
    ]
    namespace = {}
    exec(code, namespace)
    net, small, X = namespace["net"], namespace["small"], namespace["X"]
    assert small.sizes == [64, 3, 10]
    assert namespace["mp"].sparsity(net) > 0.89
    import numpy as np

    keep = [0, 2, 5]
    masked = net.copy()
    namespace["mp"].neuron_mask(masked, 0, keep)
    assert np.allclose(small.forward(X), masked.forward(X), atol=1e-5)
