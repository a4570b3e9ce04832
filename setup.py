"""Build fastact's compiled kernels.

The ufunc loops are generated at build time: the Tempita template
src/fastact/_kernels/_ufuncs.pyx.tp is rendered with the KERNELS table of
src/fastact/_registry.py into _ufuncs.pyx (a build product, git-ignored), which Cython
then compiles.  All metadata lives in pyproject.toml.
"""

import os
import runpy

import numpy as np
from Cython.Build import cythonize
from Cython.Tempita import sub
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL_DIR = os.path.join("src", "fastact", "_kernels")


def render(template):
    """Render a .tp template next to itself, rewriting the output only when it changes."""
    registry = runpy.run_path(os.path.join(HERE, "src", "fastact", "_registry.py"))
    src_path = os.path.join(HERE, template)
    with open(src_path, encoding="utf-8") as f:
        text = sub(f.read(), kernels=registry["KERNELS"])
    out_path = src_path[: -len(".tp")]
    old = None
    if os.path.exists(out_path):
        with open(out_path, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
    return os.path.relpath(out_path, HERE)


# No -ffast-math or anything like it: the kernels' NaN and inf semantics depend on IEEE
# arithmetic, and NumPy reads the FP flags after each loop.
if os.name == "nt":
    compile_args = ["/O2"]
else:
    compile_args = ["-O3", "-fno-math-errno"]

extensions = [
    Extension(
        "fastact._kernels._ufuncs",
        [render(os.path.join(KERNEL_DIR, "_ufuncs.pyx.tp"))],
        include_dirs=[np.get_include(), KERNEL_DIR],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=compile_args,
    ),
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
)
