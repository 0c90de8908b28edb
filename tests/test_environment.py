"""The pinned environment: requirements.txt and environment.yml agree; the engine stays light."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
IGNORED = {"python", "pip"}


def _name(name):
    """Package names compare as pip does: case and ``-``/``_``/``.`` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements_pins(text):
    """``{name: version}`` from requirements.txt lines ``name==version``."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-e"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements.txt: {line!r} is not pinned with =="
        pins[_name(name)] = version.strip()
    return pins


def environment_pins(text):
    """``{name: version}`` from environment.yml: conda ``name=ver`` and pip ``name==ver``."""
    pins = {}
    for entry in yaml.safe_load(text)["dependencies"]:
        if isinstance(entry, dict):
            for line in entry.get("pip", []):
                if line.startswith("-e"):
                    continue
                name, sep, version = line.partition("==")
                assert sep, f"environment.yml pip: {line!r} is not pinned with =="
                pins[_name(name)] = version.strip()
            continue
        name, _, version = entry.partition("=")
        if _name(name) not in IGNORED:
            assert version, f"environment.yml: {entry!r} is not pinned"
            pins[_name(name)] = version.lstrip("=").strip()
    return pins


def test_requirements_and_environment_pin_the_same_packages():
    """Every package has the same version in requirements.txt and environment.yml."""
    req = requirements_pins((ROOT / "requirements.txt").read_text())
    env = environment_pins((ROOT / "environment.yml").read_text())
    assert req == env


def test_parsers_see_a_difference():
    """A version that differs between the two files is noticed."""
    req = requirements_pins("numpy==2.0.0\n-e .\n")
    env = environment_pins("dependencies:\n  - python=3.11\n  - pip\n  - numpy=2.0.1\n")
    assert req != env
    assert env == {"numpy": "2.0.1"}


def test_import_minprune_loads_no_course_or_torch_modules():
    """``import minprune`` loads neither the course package nor torch, nbformat, nbclient."""
    code = (
        "import sys, minprune\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in\n"
        "         ('minprune_course', 'torch', 'nbformat', 'nbclient')]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_torchkit_loads_no_course_module():
    """The PyTorch side of the engine does not reach into the course package either."""
    code = (
        "import sys, minprune.torchkit\n"
        "print(','.join(m for m in sys.modules if m.startswith('minprune_course')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_engine_package_holds_no_course_machinery():
    """``minprune/`` holds the engine and torchkit only: no grader, checks or release."""
    engine = ROOT / "minprune"
    stray = [
        p.relative_to(ROOT).as_posix()
        for p in engine.rglob("*.py")
        if any(word in p.stem for word in ("check", "grade", "release", "course", "capstone"))
        and p.stem not in ("gradcheck", "_checks")  # the engine's own argument checks
    ]
    assert stray == []


def test_checks_module_needs_only_numpy():
    """The notebooks' check helpers load no notebook machinery."""
    code = (
        "import sys\nfrom minprune_course import checks\n"
        "print(','.join(m for m in ('nbformat', 'nbclient', 'torch') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""
