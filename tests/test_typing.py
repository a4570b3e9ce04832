"""The .pyi stubs cannot drift from the code: mypy's stubtest compares them with the
imported package (the Python modules and the compiled kernels)."""

import os
import pathlib
import subprocess
import sys

import pytest

import fastact

HERE = pathlib.Path(__file__).parent


def test_py_typed_and_stubs_ship():
    pkg = pathlib.Path(fastact.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "__init__.pyi").exists() and (pkg / "_api" / "__init__.pyi").exists()
    # the kernel modules' stubs are build products, one per module built (setup.py)
    for isa in fastact._dispatch.built():
        for name in fastact._dispatch._names(isa):
            module = name.rsplit(".", 1)[1]
            if any(p.name.startswith(module + ".") for p in (pkg / "_kernels").iterdir()
                   if p.suffix in (".so", ".pyd")):
                assert (pkg / "_kernels" / f"{module}.pyi").exists(), module
    # and so are the per-target copies of the recurrent cells' module
    for so in pkg.glob("_recurrent_*.*"):
        if so.suffix in (".so", ".pyd"):
            assert (pkg / (so.name.split(".", 1)[0] + ".pyi")).exists(), so.name


def test_stubtest(tmp_path):
    pytest.importorskip("mypy")
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "mypy_cache"))
    r = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "fastact",
         "--mypy-config-file", str(HERE / "stubtest_mypy.ini"),
         "--allowlist", str(HERE / "stubtest_allowlist.txt")],
        capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
