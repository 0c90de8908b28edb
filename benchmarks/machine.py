"""What a result was measured on: processor, GPU, BLAS kernel, threads, versions, date."""

import datetime
import importlib.metadata
import os
import platform
import re
import subprocess
from pathlib import Path

__all__ = ["BLAS_ENV", "cpu_model", "slug", "kind", "describe", "pin_threads"]

#: Variables that force OpenBLAS onto an older kernel; the runner unsets them together.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: Set by the runner when it re-executed itself without ``BLAS_ENV``: what they were.
UNSET_MARKER = "MINPRUNE_BENCH_UNSET"
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PACKAGES = ("numpy", "scipy", "scikit-learn", "torch", "threadpoolctl", "matplotlib", "minprune")
ROOT = Path(__file__).resolve().parent.parent


def cpu_model():
    """The processor's model name from /proc/cpuinfo (or what ``platform`` knows)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        if match:
            return match.group(1).strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_model():
    """The CUDA device's name, or None when torch or a GPU is missing."""
    try:
        import torch
    except ImportError:
        return None
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def slug(text):
    """Lower-case letters, digits and dashes: ``'AMD EPYC 7B13'`` -> ``'amd-epyc-7b13'``."""
    text = re.sub(r"\((r|tm)\)|cpu @.*$|processor", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unknown"


def kind(device):
    """Name of a results file's machine kind: ``cpu-<model>`` or ``gpu-<model>``."""
    return f"gpu-{slug(gpu_model())}" if device == "gpu" else f"cpu-{slug(cpu_model())}"


def pin_threads():
    """One thread for numpy's and scipy's BLAS and for torch; returns the threadpoolctl limiter.

    threadpoolctl limits only the libraries already loaded, so numpy, scipy's
    linear algebra and torch are imported first: a BLAS loaded afterwards would
    keep one thread per core and time something else than its neighbours.
    """
    import numpy  # noqa: F401  (loads numpy's OpenBLAS)
    import scipy.linalg  # noqa: F401  (loads scipy's own OpenBLAS)
    from threadpoolctl import threadpool_limits

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    return threadpool_limits(limits=1)


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git():
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def _blas():
    """numpy's and scipy's BLAS libraries as threadpoolctl sees them (kernel, threads)."""
    import numpy  # noqa: F401  (load the libraries before asking)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads")
    return [
        {k: info.get(k) for k in keep} | {"file": os.path.basename(info["filepath"])}
        for info in threadpool_info()
    ]


def _torch():
    try:
        import torch
    except ImportError:
        return None
    info = {"num_threads": torch.get_num_threads(), "cuda": torch.version.cuda}
    try:
        info["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        pass
    info["mkldnn"] = torch.backends.mkldnn.is_available()
    return info


def describe(device="cpu"):
    """Everything needed to tell where and how a result was measured."""
    import json

    unset = os.environ.get(UNSET_MARKER)
    return {
        "kind": kind(device),
        "device": device,
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpu": gpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": _git(),
        "loadavg_1_5_15min": [round(x, 2) for x in os.getloadavg()],
        "versions": {name: _version(name) for name in PACKAGES},
        "blas": _blas(),
        "torch": _torch(),
        "thread_env": {name: os.environ.get(name) for name in THREAD_ENV},
        "blas_env": {name: os.environ.get(name) for name in BLAS_ENV},
        "blas_env_unset_by_runner": json.loads(unset) if unset else None,
    }
