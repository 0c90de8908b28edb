"""Run the notebook suite under other floating-point paths than this CPU's own.

Every numerical library picks its kernels for the CPU it finds: NumPy's OpenBLAS a
BLAS kernel, NumPy its SIMD loops, torch its ATen kernels, oneDNN and MKL theirs.
Another machine picks others, sums in another order, and the last digits of every
floating-point result move. A notebook whose stored outputs or assertions hold only
on the kernels of the machine it was executed on is wrong on every other machine.

Each variant forces all of these libraries to one instruction-set level at once, as a
CPU of that level would, through the switches the libraries read at start-up:

=========  =====================  ==========================  =====================
variant    OpenBLAS core type      NumPy SIMD dispatch         torch / oneDNN / MKL
=========  =====================  ==========================  =====================
sse        Nehalem (SSE only)      baseline only               default / SSE4.1 / SSE4.2
avx2       Haswell                 up to AVX2                  avx2 / AVX2 / AVX2
avx512     SkylakeX                everything                  avx512 / AVX-512 / AVX-512
avx        Sandybridge (AVX)       baseline only               default / AVX / SSE4.2
armv8      ARMV8 (generic NEON)    everything                  default / - / -
=========  =====================  ==========================  =====================

Only the variants this CPU can run are run, and only those that differ from what it
picks by itself (its native path, which ``make test`` already covers), in the order
of the table; ``--max N`` runs the first ``N`` of them (CI runs two)::

    python tests/variants.py --list                    # what exists, what runs here
    python tests/variants.py                           # nbval on lessons/ and solutions/
    python tests/variants.py --variant sse lessons/05_retraining.ipynb

``make test-portable`` runs the second line.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The switch of each library, in the order the table above lists them.
SWITCHES = (
    "OPENBLAS_CORETYPE",
    "NPY_DISABLE_CPU_FEATURES",
    "ATEN_CPU_CAPABILITY",
    "DNNL_MAX_CPU_ISA",
    "MKL_ENABLE_INSTRUCTIONS",
)


@dataclass(frozen=True)
class Variant:
    """One forced floating-point path.

    ``needs`` are NumPy CPU-feature names the CPU must have; ``env`` the switches;
    ``blas`` and ``torch`` what OpenBLAS (through threadpoolctl) and
    ``torch.backends.cpu.get_cpu_capability()`` report once the switches are read;
    ``numpy_off`` the NumPy dispatch targets the variant turns off.
    """

    name: str
    machine: str
    needs: tuple
    env: dict
    blas: str
    torch: str
    numpy_off: tuple = field(default=())


VARIANTS = {
    v.name: v
    for v in (
        Variant(
            "sse",
            "x86_64",
            needs=("SSE42",),
            env={
                "OPENBLAS_CORETYPE": "Nehalem",
                "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4",
                "ATEN_CPU_CAPABILITY": "default",
                "DNNL_MAX_CPU_ISA": "SSE41",
                "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
            },
            blas="Nehalem",
            torch="DEFAULT",
            numpy_off=("X86_V3", "X86_V4"),
        ),
        Variant(
            "avx2",
            "x86_64",
            needs=("AVX2", "FMA3"),
            env={
                "OPENBLAS_CORETYPE": "Haswell",
                "NPY_DISABLE_CPU_FEATURES": "X86_V4",
                "ATEN_CPU_CAPABILITY": "avx2",
                "DNNL_MAX_CPU_ISA": "AVX2",
                "MKL_ENABLE_INSTRUCTIONS": "AVX2",
            },
            blas="Haswell",
            torch="AVX2",
            numpy_off=("X86_V4",),
        ),
        Variant(
            "avx512",
            "x86_64",
            needs=("AVX512_SKX",),
            env={
                "OPENBLAS_CORETYPE": "SkylakeX",
                "ATEN_CPU_CAPABILITY": "avx512",
                "DNNL_MAX_CPU_ISA": "AVX512_CORE",
                "MKL_ENABLE_INSTRUCTIONS": "AVX512",
            },
            blas="SkylakeX",
            torch="AVX512",
        ),
        Variant(
            "avx",
            "x86_64",
            needs=("AVX",),
            env={
                "OPENBLAS_CORETYPE": "Sandybridge",
                "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4",
                "ATEN_CPU_CAPABILITY": "default",
                "DNNL_MAX_CPU_ISA": "AVX",
                "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
            },
            blas="Sandybridge",
            torch="DEFAULT",
            numpy_off=("X86_V3", "X86_V4"),
        ),
        Variant(
            "armv8",
            "aarch64",
            needs=("ASIMD",),
            env={"OPENBLAS_CORETYPE": "ARMV8", "ATEN_CPU_CAPABILITY": "default"},
            blas="ARMV8",
            torch="DEFAULT",
        ),
    )
}

# Run in a fresh interpreter: the libraries read their switches once, when loaded.
PROBE = """
import json
import numpy
import threadpoolctl
import torch
from numpy._core._multiarray_umath import __cpu_features__ as features
blas = [p.get("architecture") for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
print(json.dumps({
    "blas": blas[0] if blas else None,
    "torch": torch.backends.cpu.get_cpu_capability(),
    "numpy": sorted(name for name, on in features.items() if on),
}))
"""


def machine():
    """This CPU's architecture, as the variants name it (``x86_64`` or ``aarch64``)."""
    name = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(name, name)


def cpu_features():
    """The CPU features NumPy found on this CPU (with nothing switched off)."""
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    code = (
        "import json; from numpy._core._multiarray_umath import __cpu_features__ as f;"
        "print(json.dumps(sorted(k for k, v in f.items() if v)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def supported(features, arch):
    """The variants a CPU with NumPy ``features`` and architecture ``arch`` can run."""
    return [v for v in VARIANTS.values() if v.machine == arch and set(v.needs) <= set(features)]


def variant_env(variant, base=None):
    """``base`` (default: this process's environment) with ``variant``'s switches set.

    ``variant=None`` is the native path: ``base`` as it is. A variant first removes
    every switch it does not set, so a value left in the caller's environment
    (``OPENBLAS_CORETYPE`` set by a machine's profile, say) cannot leak into it.
    """
    env = dict(os.environ if base is None else base)
    if variant is not None:
        for name in SWITCHES:
            env.pop(name, None)
        env.update(variant.env)
    return env


def probe(env):
    """What OpenBLAS, torch and NumPy run on in a fresh interpreter with ``env``."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def is_native(variant, native):
    """Whether ``variant`` forces exactly the path this CPU picks by itself (``native``)."""
    return forced(variant, native, native)


def forced(variant, seen, native):
    """Whether the libraries report the path ``variant`` forces (``seen``, from :func:`probe`).

    NumPy built on another BLAS than OpenBLAS (Apple's Accelerate, MKL) ignores the
    OpenBLAS core type; the variant then still forces NumPy's SIMD level and torch.
    """
    off = set(variant.numpy_off) & set(seen["numpy"])
    blas = native["blas"] is None or seen["blas"] == variant.blas
    return blas and seen["torch"] == variant.torch and not off


def nbval_command(paths, jobs):
    """The pytest command ``make test`` runs on the notebooks, for ``paths``."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        str(jobs),
        "--dist",
        "loadfile",
        "-q",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        *paths,
    ]


def count_outputs(paths):
    """Code cells with outputs in the notebooks under ``paths``: ``{path: (compared, ignored)}``.

    nbval compares a cell's outputs unless the cell is tagged ``nbval-ignore-output``.
    """
    import nbformat

    counts = {}
    for path in paths:
        path = ROOT / path
        for nb_path in sorted(path.glob("*.ipynb")) if path.is_dir() else [path]:
            cells = [c for c in nbformat.read(nb_path, 4).cells if c.cell_type == "code"]
            cells = [c for c in cells if c.get("outputs")]
            ignored = sum("nbval-ignore-output" in c.metadata.get("tags", []) for c in cells)
            counts[nb_path.relative_to(ROOT).as_posix()] = (len(cells) - ignored, ignored)
    return counts


def describe(variant):
    return " ".join(f"{k}={v!r}" if " " in v else f"{k}={v}" for k, v in variant.env.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["lessons", "solutions"])
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="run this variant (repeatable); default: every non-native one",
    )
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    parser.add_argument(
        "--max", type=int, metavar="N", help="run at most the first N non-native variants"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--count",
        action="store_true",
        help="count the outputs nbval compares and those it ignores, and exit",
    )
    args = parser.parse_args(argv)
    if args.count:
        counts = count_outputs(args.paths)
        for path, (compared, ignored) in counts.items():
            print(f"{path:45s} {compared:4d} compared {ignored:4d} ignored")
        compared, ignored = (sum(c[i] for c in counts.values()) for i in (0, 1))
        print(f"{'all':45s} {compared:4d} compared {ignored:4d} ignored")
        return 0

    arch, features = machine(), cpu_features()
    native = probe(variant_env(None))
    runnable = supported(features, arch)
    unknown = [name for name in args.variant if name not in VARIANTS]
    if unknown:
        parser.error(
            f"--variant {unknown[0]!r} is not a variant; expected one of {sorted(VARIANTS)}"
        )
    print(f"this CPU: {arch}, OpenBLAS kernel {native['blas']}, torch {native['torch']}")
    if args.list:
        for v in VARIANTS.values():
            state = (
                ("native" if is_native(v, native) else "runs here")
                if v in runnable
                else "not on this CPU"
            )
            print(f"  {v.name:7s} {state:16s} {describe(v)}")
        return 0

    if args.max is not None and args.max < 1:
        parser.error(f"--max {args.max}: expected a count of at least 1")
    chosen = [VARIANTS[n] for n in args.variant] or [
        v for v in runnable if not is_native(v, native)
    ]
    chosen = chosen[: args.max]
    for v in chosen:
        if v not in runnable:
            print(
                f"variant {v.name} needs {arch}={v.machine} with {', '.join(v.needs)}: "
                "this CPU cannot run it"
            )
            return 2
    if not chosen:
        print("no variant other than the native path runs on this CPU; nothing to do")
        return 0
    print("variants to run:", ", ".join(v.name for v in chosen))
    results = []
    for v in chosen:
        env = variant_env(v)
        seen = probe(env)
        if not forced(v, seen, native):
            print(
                f"variant {v.name}: asked for {v.blas}/{v.torch}, "
                f"the libraries report {seen['blas']}/{seen['torch']}"
            )
            return 2
        print(f"\n=== variant {v.name}: {describe(v)}", flush=True)
        start = time.monotonic()
        code = subprocess.call(nbval_command(args.paths, args.jobs), env=env, cwd=ROOT)
        results.append((v.name, code, time.monotonic() - start))
    print("\nvariant  result  time")
    for name, code, seconds in results:
        print(f"{name:8s} {'passed' if code == 0 else 'FAILED':7s} {seconds:5.0f} s")
    return max(code for _, code, _ in results)


if __name__ == "__main__":
    sys.exit(main())
