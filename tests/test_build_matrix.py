"""The platforms fastact ships wheels for, and the flags every compiler gets.

pyproject.toml's [tool.cibuildwheel] must build and test CPython 3.10-3.14 on Linux
x86-64 and aarch64 (manylinux and musllinux), macOS x86-64 and arm64, and Windows AMD64,
with the suite's quick files (tools/test_subset.sh) as its test command.  No compiler may
get a fast-math flag: the kernels rely on IEEE NaN, infinity, signed zeros and rounding,
so setup.py's and _build_config's flag tables are searched for every spelling of one.
Reads the source tree (skipped against an installed copy of the tests).
"""

import ast
import fnmatch
import pathlib
import re
import runpy
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
if not (PYPROJECT.exists() and (ROOT / "setup.py").exists()):
    pytest.skip("needs the source tree (pyproject.toml, setup.py)", allow_module_level=True)
tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

PYTHONS = ["cp310", "cp311", "cp312", "cp313", "cp314"]
# cibuildwheel's platform -> (its arch names this project builds, identifier platforms)
PLATFORMS = {
    "linux": {"x86_64": ["manylinux_x86_64", "musllinux_x86_64"],
              "aarch64": ["manylinux_aarch64", "musllinux_aarch64"]},
    "macos": {"x86_64": ["macosx_x86_64"], "arm64": ["macosx_arm64"]},
    "windows": {"AMD64": ["win_amd64"]},
}
WANTED = sorted(f"{py}-{plat}" for arches in PLATFORMS.values() for plats in arches.values()
                for plat in plats for py in PYTHONS)

# every spelling of "the compiler may break IEEE semantics" (GCC/Clang and MSVC)
FAST_MATH = re.compile(r"^(-ffast-math|-Ofast|/fp:fast|-funsafe-math-optimizations|"
                       r"-ffinite-math-only|-fno-honor-(nans|infinities)|-fassociative-math|"
                       r"-freciprocal-math|-fno-signed-zeros|-menable-unsafe-fp-math|"
                       r"/fp:contract)\b")


def _cibw():
    with open(PYPROJECT, "rb") as f:
        return tomllib.load(f)["tool"]["cibuildwheel"]


def _selected(ident, cfg):
    return (any(fnmatch.fnmatch(ident, b) for b in cfg["build"].split())
            and not any(fnmatch.fnmatch(ident, s) for s in cfg.get("skip", "").split()))


def test_cibuildwheel_covers_every_platform():
    cfg = _cibw()
    missing = [i for i in WANTED if not _selected(i, cfg)]
    assert not missing, f"pyproject's cibuildwheel build/skip leaves out {missing}"
    for platform, arches in PLATFORMS.items():
        got = set(cfg[platform]["archs"])
        assert set(arches) <= got, f"{platform}: archs {sorted(got)} lack {set(arches) - got}"
    linux = cfg["linux"]
    for image in ("manylinux-x86_64-image", "manylinux-aarch64-image",
                  "musllinux-x86_64-image", "musllinux-aarch64-image"):
        assert image in linux, f"[tool.cibuildwheel.linux] names no {image}"
    # Windows wheels carry the OpenMP runtime they link (LLVM's libomp with /openmp:llvm)
    assert "delvewheel" in cfg["windows"].get("repair-wheel-command", "")
    # macOS: libomp is offered to Apple clang (setup.py builds serial without it)
    assert "libomp" in cfg["macos"].get("before-all", "")


def test_cibuildwheel_tests_the_quick_subset():
    text = (ROOT / "tools" / "test_subset.sh").read_text()
    subset = re.search(r"^SUBSET=\(([^)]*)\)", text, re.M).group(1).split()
    command = _cibw()["test-command"].split()
    assert command[:3] == ["python", "{project}/tools/run_installed_tests.py", "{project}"]
    assert command[3:] == subset, "cibuildwheel's test-command and tools/test_subset.sh differ"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_cibuildwheel_itself_lists_the_identifiers(platform):
    exe = shutil.which("cibuildwheel")
    if exe is None:
        pytest.skip("cibuildwheel is not installed (pip install cibuildwheel)")
    out = subprocess.run([exe, "--print-build-identifiers", "--platform", platform, str(ROOT)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    wanted = {i for i in WANTED if any(i.endswith(p) for plats in PLATFORMS[platform].values()
                                       for p in plats)}
    assert wanted <= set(out.stdout.split()), sorted(wanted - set(out.stdout.split()))


def _strings(value):
    """Every string inside a value of nested dicts, lists and tuples."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            yield from _strings(v)


def _flags(strings):
    return [tok for s in strings for tok in s.split() if tok[:1] in "-/"]


def test_no_fast_math_flag_for_any_compiler():
    config = runpy.run_path(str(ROOT / "src" / "fastact" / "_build_config.py"))
    tables = {k: v for k, v in config.items() if k.isupper()}
    flags = _flags(_strings(tables))
    # setup.py's own flags: its string constants (not comments), f-strings' parts included
    tree = ast.parse((ROOT / "setup.py").read_text())
    flags += _flags(n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str))
    assert "-O3" in flags and "/O2" in flags            # the tables were found
    bad = sorted({f for f in flags if FAST_MATH.match(f)})
    assert not bad, f"fast-math flags in the build: {bad}"


def test_each_compiler_keeps_ieee_semantics_and_builds_each_x86_target():
    config = runpy.run_path(str(ROOT / "src" / "fastact" / "_build_config.py"))
    # GCC and Clang: no contraction into FMA behind the kernels' back (Clang's default is
    # to contract within a statement, GCC's with -mfma anywhere)
    assert "-ffp-contract=off" in config["COMMON_FLAGS"]
    # MSVC: its IEEE mode, never /fp:fast; each x86-64 target its /arch
    assert "/fp:precise" in config["MSVC_FLAGS"] and "/O2" in config["MSVC_FLAGS"]
    assert set(config["MSVC_TARGET_FLAGS"]) == set(config["X86_TARGETS"])
    assert config["MSVC_TARGET_FLAGS"]["avx2"] == ["/arch:AVX2"]
    assert config["MSVC_TARGET_FLAGS"]["avx512"] == ["/arch:AVX512"]
