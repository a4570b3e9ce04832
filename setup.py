"""Build fastact's compiled kernels.

The ufunc loops are generated at build time: the Tempita template
src/fastact/_kernels/_ufuncs.pyx.tp is rendered with the KERNELS table of
src/fastact/_registry.py into one _ufuncs_<target>.pyx per CPU target of
src/fastact/_build_config.py (build products, git-ignored), which Cython then compiles,
each with its target's flags.  fastact._dispatch loads the best one at import.  All
metadata lives in pyproject.toml.
"""

import importlib
import os
import platform
import runpy
import sys
import tempfile
import types

import numpy as np
from Cython.Build import cythonize
from Cython.Tempita import sub
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(HERE, "src", "fastact")
KERNEL_DIR = os.path.join("src", "fastact", "_kernels")


def _load_registry():
    """fastact._registry's tables (and the records it reads), without importing fastact
    itself: its __init__ needs the compiled kernels this build makes."""
    saved = {m: sys.modules.pop(m) for m in list(sys.modules)
             if m == "fastact" or m.startswith("fastact.")}
    pkg = types.ModuleType("fastact")
    pkg.__path__ = [PKG]
    sys.modules["fastact"] = pkg
    try:
        reg = importlib.import_module("fastact._registry")
        return {"KERNELS": reg.KERNELS, "FLOAT32_NATIVE": reg.FLOAT32_NATIVE,
                "ACTIVATIONS": reg.ACTIVATIONS, "AXIS_KERNELS": reg.AXIS_KERNELS}
    finally:
        for m in [m for m in sys.modules if m == "fastact" or m.startswith("fastact.")]:
            del sys.modules[m]
        sys.modules.update(saved)


REGISTRY = _load_registry()
CONFIG = runpy.run_path(os.path.join(PKG, "_build_config.py"))


def render(template, out_name, **values):
    """Render a .tp template to out_name beside it, rewriting only when it changes."""
    src_path = os.path.join(HERE, template)
    with open(src_path, encoding="utf-8") as f:
        text = sub(f.read(), kernels=REGISTRY["KERNELS"],
                   float32_native=REGISTRY["FLOAT32_NATIVE"], **values)
    out_path = os.path.join(os.path.dirname(src_path), out_name)
    old = None
    if os.path.exists(out_path):
        with open(out_path, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
    return os.path.relpath(out_path, HERE)


def _api_class(rec):
    """The fastact._api class of a record's object (for the stubs)."""
    if rec.kind == "elementwise":
        return "ElementwiseFromOutput" if rec.from_output else "Elementwise"
    return {"gelu": "GELU", "prelu": "PReLU", "rrelu": "RReLU", "axis": "Softmax"}[rec.kind]


def _ufunc_names():
    names = []
    for k in REGISTRY["KERNELS"]:
        for suffix in ("", "_derivative", "_backward", "_derivative_from_output",
                       "_backward_from_output"):
            if k.from_output or "from_output" not in suffix:
                names.append(k.name + suffix)
    for a in REGISTRY["AXIS_KERNELS"]:
        names += [a, a + "_backward"]
    return names


def render_stubs():
    """__init__.pyi and _dispatch.pyi from their templates: a typed attribute per
    activation and per ufunc (build products, like the .pyx)."""
    acts = [(a.name, _api_class(a)) for a in REGISTRY["ACTIVATIONS"]]
    for name in ("__init__", "_dispatch"):
        with open(os.path.join(PKG, name + ".pyi.tp"), encoding="utf-8") as f:
            text = sub(f.read(), activations=acts, ufuncs=_ufunc_names())
        out = os.path.join(PKG, name + ".pyi")
        if not os.path.exists(out) or open(out, encoding="utf-8").read() != text:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)


render_stubs()


def targets():
    """The CPU targets to build here: all of _build_config's on x86-64, else baseline."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64") and os.name != "nt":
        return CONFIG["X86_TARGETS"]
    return {"baseline": CONFIG["X86_TARGETS"]["baseline"]}


class BuildExt(build_ext):
    """Adds OpenMP where the compiler has it and drops targets it cannot compile,
    so a platform without OpenMP or an ISA builds serial / baseline instead of failing."""

    def _compiles(self, flags):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n"
                        if "-fopenmp" in flags or "/openmp" in flags else
                        "int main(void){return 0;}\n")
            try:
                objs = self.compiler.compile([src], output_dir=tmp, extra_postargs=flags)
                self.compiler.link_executable(objs, "probe", output_dir=tmp,
                                              extra_postargs=flags)
            except Exception:
                return False
        return True

    def build_extensions(self):
        msvc = self.compiler.compiler_type == "msvc"
        omp = ["/openmp"] if msvc else ["-fopenmp"]
        use_omp = self._compiles(omp)
        kept = []
        for ext in self.extensions:
            if ext.extra_compile_args and not self._compiles(ext.extra_compile_args):
                print(f"fastact: the compiler cannot build {ext.name}; skipped")
                continue
            base = CONFIG["MSVC_FLAGS"] if msvc else CONFIG["COMMON_FLAGS"]
            if not msvc:
                # The kernels are chains of small cdef inline functions; in a module this
                # size GCC stops inlining them into the loops (a call per element, no
                # SIMD), so Cython's inline becomes a forced one.
                ext.define_macros = ext.define_macros + [
                    ("CYTHON_INLINE", "inline __attribute__((always_inline))")]
            ext.extra_compile_args = base + ext.extra_compile_args + (omp if use_omp else [])
            if use_omp and not msvc:
                ext.extra_link_args = ext.extra_link_args + omp
            kept.append(ext)
        if not any(e.name.endswith("_baseline") for e in kept):
            raise RuntimeError("fastact: the baseline kernels failed to build")
        self.extensions = kept
        print(f"fastact: OpenMP {'on' if use_omp else 'off'}; targets "
              + ", ".join(e.name.rsplit("_", 1)[1] for e in kept if "._kernels." in e.name))
        super().build_extensions()


extensions = [
    Extension(
        f"fastact._kernels._ufuncs_{isa}",
        [render(os.path.join(KERNEL_DIR, "_ufuncs.pyx.tp"), f"_ufuncs_{isa}.pyx",
                isa=isa, grain=CONFIG["GRAIN"])],
        include_dirs=[np.get_include(), KERNEL_DIR],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=list(flags),
    )
    for isa, (_features, flags) in targets().items()
] + [
    # the small calls' fast path (no kernels: built once, with the baseline flags)
    Extension("fastact._fastcall", ["src/fastact/_fastcall.pyx"],
              include_dirs=[np.get_include()],
              define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")]),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
        },
    ),
    cmdclass={"build_ext": BuildExt},
)
