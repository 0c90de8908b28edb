"""The variants of ``tests/variants.py`` really put the libraries on another path."""

import pytest
import variants

RUNNABLE = variants.supported(variants.cpu_features(), variants.machine())
NATIVE = variants.probe(variants.variant_env(None))


@pytest.mark.parametrize("variant", RUNNABLE, ids=lambda v: v.name)
def test_variant_forces_blas_torch_and_numpy(variant):
    """OpenBLAS, torch and NumPy each report the path the variant forces."""
    seen = variants.probe(variants.variant_env(variant))
    if NATIVE["blas"] is not None:  # NumPy on OpenBLAS: its core type is forced too
        assert seen["blas"] == variant.blas
    assert seen["torch"] == variant.torch
    assert not set(variant.numpy_off) & set(seen["numpy"])
    assert variants.forced(variant, seen, NATIVE)


def test_this_cpu_runs_at_least_two_variants_besides_native():
    """On an x86-64 CPU with AVX2, CI checks two paths besides the native one."""
    if variants.machine() != "x86_64" or "AVX2" not in variants.cpu_features():
        pytest.skip(f"{variants.machine()} without AVX2: fewer variants exist here")
    others = [v for v in RUNNABLE if not variants.is_native(v, NATIVE)]
    assert len(others) >= 2, [v.name for v in others]


def test_supported_follows_cpu_features():
    """A variant is offered only to a CPU of its architecture with the features it needs."""
    sse_only = {"SSE", "SSE2", "SSE3", "SSSE3", "SSE41", "SSE42"}
    assert [v.name for v in variants.supported(sse_only, "x86_64")] == ["sse"]
    avx2 = sse_only | {"AVX", "AVX2", "FMA3"}
    assert [v.name for v in variants.supported(avx2, "x86_64")] == ["sse", "avx2", "avx"]
    assert [v.name for v in variants.supported({"ASIMD"}, "aarch64")] == ["armv8"]
    assert variants.supported({"ASIMD"}, "x86_64") == []


def test_variant_env_replaces_switches_left_in_the_environment():
    """A core type set by the caller's environment does not leak into a variant."""
    base = {"PATH": "/bin", "OPENBLAS_CORETYPE": "Haswell", "DNNL_MAX_CPU_ISA": "AVX2"}
    env = variants.variant_env(variants.VARIANTS["armv8"], base)
    assert env == {"PATH": "/bin", "OPENBLAS_CORETYPE": "ARMV8", "ATEN_CPU_CAPABILITY": "default"}
    assert variants.variant_env(None, base) == base


def test_native_variant_is_recognised():
    """The variant that forces what the CPU picks anyway counts as native."""
    v = variants.VARIANTS["avx2"]
    assert variants.is_native(v, {"blas": "Haswell", "torch": "AVX2", "numpy": ["X86_V3"]})
    assert not variants.is_native(v, {"blas": "Haswell", "torch": "AVX2", "numpy": ["X86_V4"]})
    assert not variants.is_native(v, {"blas": "SkylakeX", "torch": "AVX2", "numpy": []})


def test_unknown_variant_is_refused(capsys):
    """``--variant`` with a name that is not a variant names the choices."""
    with pytest.raises(SystemExit) as exc:
        variants.main(["--variant", "avx1024", "--list"])
    assert exc.value.code == 2
    assert (
        "'avx1024' is not a variant; expected one of ['armv8', 'avx', 'avx2', 'avx512', 'sse']"
        in (capsys.readouterr().err)
    )


def test_max_must_be_a_positive_count(capsys):
    """``--max 0`` would run nothing and pass: it is refused."""
    with pytest.raises(SystemExit) as exc:
        variants.main(["--max", "0"])
    assert exc.value.code == 2
    assert "--max 0: expected a count of at least 1" in capsys.readouterr().err


def test_forced_ignores_openblas_where_numpy_has_another_blas():
    """On NumPy built with Accelerate or MKL only NumPy's SIMD level and torch are checked."""
    v = variants.VARIANTS["sse"]
    seen = {"blas": None, "torch": "DEFAULT", "numpy": ["X86_V2"]}
    assert variants.forced(v, seen, {"blas": None, "torch": "AVX2", "numpy": ["X86_V3"]})
    assert not variants.forced(v, seen, {"blas": "Haswell", "torch": "AVX2", "numpy": []})
    assert not variants.forced(v, {**seen, "numpy": ["X86_V3"]}, {"blas": None})
