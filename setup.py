"""Build fastact's compiled kernels.

The ufunc loops are generated at build time: the Tempita template
src/fastact/_kernels/kernel_module.pyx.tp is rendered with the KERNELS, AXIS_KERNELS and
GATED_KERNELS tables of src/fastact/_registry.py into one _ufuncs_<target>_<family>.pyx per
family of kernels (_build_config.FAMILIES) and CPU target (_build_config.X86_TARGETS)
(build products, git-ignored), which Cython then compiles, each with its target's flags.
A rendered file is rewritten only when it changes, and Cython and setuptools rebuild a
module only when it or a file it includes is newer than what was built: an edit to one
kernel file recompiles its family's modules only.  fastact._dispatch joins the best
target's modules at import.  All metadata lives in pyproject.toml.

The modules compile in parallel (build_ext's --parallel, by default one job per CPU), and
each stage prints one line, so `pip install -v` shows where the build is.  With GCC or
Clang the build also records which kernel loops vectorized (see BuildExt._vector_report).
The compilers' flags are the "compilers" section's; FASTACT_OPENMP=0 builds without OpenMP.
"""

import importlib
import json
import multiprocessing
import os
import re
import runpy
import subprocess
import sys
import sysconfig
import tempfile
import time
import types

import numpy as np
from Cython.Build import cythonize
from Cython.Tempita import sub
from setuptools import Extension, setup
from setuptools.modified import newer_group
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
        return {"KERNELS": reg.KERNELS, "ACTIVATIONS": reg.ACTIVATIONS,
                "AXIS_KERNELS": reg.AXIS_KERNELS, "GATED": reg.GATED,
                "GATED_KERNELS": reg.GATED_KERNELS}
    finally:
        for m in [m for m in sys.modules if m == "fastact" or m.startswith("fastact.")]:
            del sys.modules[m]
        sys.modules.update(saved)


REGISTRY = _load_registry()
CONFIG = runpy.run_path(os.path.join(PKG, "_build_config.py"))


KINDS = [("", "fwd", 1), ("_derivative", "grad", 1), ("_backward", "grad", 2),
         ("_derivative_from_output", "grad_y", 1), ("_backward_from_output", "grad_y", 2),
         ("_second_derivative", "grad2", 1)]
"""(ufunc suffix, scalar function suffix, leading data operands) of an elementwise kernel
(grad_y: where the kernel has from-output forms; grad2: where its record gives f'')."""


def _kernel_files_needed(files):
    """files (kernel .pxi names) and the other kernel files whose functions or constants
    they use, found by name: a family module must include those too."""
    kdir = os.path.join(HERE, KERNEL_DIR)
    defined, texts = {}, {}
    for f in sorted(os.listdir(kdir)):
        if f.endswith(".pxi") and f not in _RUNTIME_PXI:
            texts[f] = open(os.path.join(kdir, f), encoding="utf-8").read()
            for m in re.finditer(r"^(?:cdef|ctypedef)\b[^=(\n]*?\b(\w+)\s*[(=\[]", texts[f], re.M):
                defined.setdefault(m.group(1), f)
    need, todo = set(), list(files)
    while todo:
        f = todo.pop()
        if f in need:
            continue
        need.add(f)
        todo += [defined[w] for w in set(re.findall(r"\b\w+\b", texts.get(f, "")))
                 if w in defined and defined[w] != f]
    return need


# the template's own includes, not kernel files
_RUNTIME_PXI = {"primitives.pxi", "threads.pxi", "adapters16.pxi", "axis_loops.pxi"}


def families():
    """{family: its rows of KERNELS, AXIS_KERNELS and GATED_KERNELS, and the kernel files
    it includes}, for the families of _build_config.FAMILIES that have a kernel, then
    "other" (the records none of them lists).  A gated kernel goes with its gate."""
    named = {r: fam for fam, recs in CONFIG["FAMILIES"].items() for r in recs}
    record_of = {k.name: k.record for k in REGISTRY["KERNELS"]}
    out = {fam: {"kernels": [], "axis_kernels": [], "gated_kernels": []}
           for fam in list(CONFIG["FAMILIES"]) + ["other"]}
    for k in REGISTRY["KERNELS"]:
        out[named.get(k.record, "other")]["kernels"].append(k)
    for a in REGISTRY["AXIS_KERNELS"]:
        out[named.get(a, "other")]["axis_kernels"].append(a)
    for g in REGISTRY["GATED_KERNELS"]:
        out[named.get(record_of[g.name], "other")]["gated_kernels"].append(g)
    order = ([k.record for k in REGISTRY["KERNELS"] if k.name == k.record]
             + list(REGISTRY["AXIS_KERNELS"]))
    for fam, rows in list(out.items()):
        if not (rows["kernels"] or rows["axis_kernels"]):
            del out[fam]
            continue
        own = {k.record + ".pxi" for k in rows["kernels"]} | {a + ".pxi" for a in rows["axis_kernels"]}
        need = _kernel_files_needed(own)
        rows["includes"] = [r for r in order if r + ".pxi" in need]
    return out


def _tables(rows):
    """The ufuncs a family registers: (name, nin, ndata, record) of its elementwise
    kernels, (name, nin, nout, gate) of its gated ones, (name, nin) of its axis ones."""
    ufuncs = [(k.name + suffix, ndata + len(k.params), ndata, k.record)
              for k in rows["kernels"] for suffix, fn, ndata in KINDS
              if (fn != "grad_y" or k.from_output) and (fn != "grad2" or k.second)]
    gated = [(u, nin, nout, g.name) for g in rows["gated_kernels"]
             for u, nin, nout in (("gated_" + g.name, 2, 1),
                                  ("gated_" + g.name + "_backward", 3, 2))]
    axis = [(n, nin) for a in rows["axis_kernels"] for n, nin in ((a, 1), (a + "_backward", 2))]
    # where=: the data and a boolean row (nin counts it)
    where = [(n, nin) for a in rows["axis_kernels"]
             for n, nin in ((a + "_where", 2), (a + "_backward_where", 3))]
    return {"ufuncs": ufuncs, "gated_ufuncs": gated, "axis_ufuncs": axis, "where_ufuncs": where}


def _weight(rows):
    """A family's rough compile cost (its loops), to start the largest first."""
    t = _tables(rows)
    return (len(t["ufuncs"]) + 2 * len(t["gated_ufuncs"]) + 4 * len(t["axis_ufuncs"])
            + 2 * len(t["where_ufuncs"]))


def _write_if_changed(path, text):
    """Rewrite path only when its text changes: an unchanged build product keeps its time,
    so Cython and setuptools leave what was built from it alone."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _copy_for_target(pyx, isa):
    """src/fastact/<pyx> copied to <stem>_<isa>.pyx beside it (a module of the same code
    compiled with the target's flags), and its stub <stem>.pyi to <stem>_<isa>.pyi: build
    products, so that a tree built for fewer targets has the stubs of those only; each
    rewritten only when it changes."""
    for src in (pyx, pyx.replace(".pyx", ".pyi")):
        if os.path.exists(os.path.join(PKG, src)):
            with open(os.path.join(PKG, src), encoding="utf-8") as f:
                text = f.read()
            out = os.path.join(PKG, src.replace(".", f"_{isa}.", 1))
            _write_if_changed(out, text)
    return os.path.relpath(os.path.join(PKG, pyx.replace(".pyx", f"_{isa}.pyx")), HERE)


def render_module(family, rows, isa):
    """The family's kernel module for isa, rendered beside the template; its path."""
    kdir = os.path.join(HERE, KERNEL_DIR)
    values = dict(kernels=rows["kernels"], axis_kernels=rows["axis_kernels"],
                  gated_kernels=rows["gated_kernels"], includes=rows["includes"],
                  KINDS=KINDS, TYPES=[("float", "NPY_FLOAT"), ("double", "NPY_DOUBLE")],
                  isa=isa, grain=CONFIG["GRAIN"], family=family, **_tables(rows))

    def part(name):
        # a part of the module (the template's {{render("...")}}): the same values
        with open(os.path.join(kdir, name), encoding="utf-8") as f:
            return sub(f.read(), render=part, **values)

    name = f"_ufuncs_{isa}_{family}"
    _write_if_changed(os.path.join(kdir, name + ".pyx"), part("kernel_module.pyx.tp"))
    # its stub: a build product like the module, so the stubs match what was built
    _write_if_changed(os.path.join(kdir, name + ".pyi"), _KERNEL_STUB)
    return os.path.join(KERNEL_DIR, name + ".pyx")


_KERNEL_STUB = """\
# One family of one CPU target's compiled kernels (rendered from kernel_module.pyx.tp by
# setup.py; fastact._dispatch joins a target's families).
from typing import Any

import numpy as np

UFUNCS: dict[str, np.ufunc]
BUILD: dict[str, Any]

def _set_num_threads(n: int) -> None: ...
def _get_num_threads() -> int: ...
def _thread_cap() -> int: ...
def _pool_was_started() -> bool: ...
def _run_serially() -> None: ...
def _is_serial() -> bool: ...
def _set_row_alloc_limit(nbytes: int) -> None: ...
def register_bfloat16(typenum: int) -> None: ...
"""


def _api_class(rec):
    """The class of a record's object, with its module (for the stubs)."""
    if rec.kind == "elementwise":
        return "_api." + ("ElementwiseFromOutput" if rec.from_output else "Elementwise")
    if rec.kind in ("gated", "glu"):
        return "_gated." + {"gated": "Gated", "glu": "GLU"}[rec.kind]
    return "_api." + {"gelu": "GELU", "prelu": "PReLU", "rrelu": "RReLU",
                      "axis": "Softmax"}[rec.kind]


def _ufunc_names():
    names = []
    for k in REGISTRY["KERNELS"]:
        for suffix, fn, _ in KINDS:
            if (fn != "grad_y" or k.from_output) and (fn != "grad2" or k.second):
                names.append(k.name + suffix)
    for a in REGISTRY["AXIS_KERNELS"]:
        names += [a, a + "_backward", a + "_where", a + "_backward_where"]
    for k in REGISTRY["GATED_KERNELS"]:
        names += ["gated_" + k.name, "gated_" + k.name + "_backward"]
    return names


def render_stubs():
    """__init__.pyi and _dispatch.pyi from their templates: a typed attribute per
    activation and per ufunc (build products, like the .pyx)."""
    acts = [(a.name, _api_class(a)) for a in REGISTRY["ACTIVATIONS"]]
    gated = [(a.name, _api_class(a)) for a in REGISTRY["GATED"]]
    for name in ("__init__", "_dispatch"):
        with open(os.path.join(PKG, name + ".pyi.tp"), encoding="utf-8") as f:
            text = sub(f.read(), activations=acts, gated=gated, ufuncs=_ufunc_names())
        out = os.path.join(PKG, name + ".pyi")
        if not os.path.exists(out) or open(out, encoding="utf-8").read() != text:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)


render_stubs()


def target_machine():
    """The machine the build is for: FASTACT_TARGET_MACHINE (x86_64, aarch64), else the
    platform's, which is the target's in a cross build (sysconfig.get_platform() reads
    _PYTHON_HOST_PLATFORM, e.g. linux-aarch64, as crossenv and cibuildwheel set it)."""
    return (os.environ.get("FASTACT_TARGET_MACHINE")
            or sysconfig.get_platform().rsplit("-", 1)[-1]).lower()


def targets():
    """The CPU targets to build (_build_config.build_targets): the target machine's, or
    those FASTACT_TARGETS names: FASTACT_TARGETS=baseline,avx2 builds only those,
    FASTACT_TARGETS=local the fallback and the best target this CPU runs (a quicker
    in-place build while working on a kernel; a wheel always has every target)."""
    only = os.environ.get("FASTACT_TARGETS")
    try:
        return CONFIG["build_targets"](target_machine(), only, windows=os.name == "nt",
                                       features=_cpu_features() if only == "local" else None)
    except ValueError as exc:
        sys.exit(str(exc))


def _cpu_features():
    """NumPy's view of this CPU's features (as fastact._dispatch reads them)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        return {}
    return __cpu_features__


# ---- the vectorization report -----------------------------------------------------------
# Each compiler's report of the loops it vectorized is deterministic (no timing).  GCC's
# -fopt-info-vec-optimized: one line per loop, "file.c:LINE:COL: optimized: loop
# vectorized ...".  Clang's optimization record (-fsave-optimization-record, YAML): one
# "--- !Passed" document per loop, "Pass: loop-vectorize", "Name: Vectorized" and its
# DebugLoc's File and Line (Clang tracks the lines without debug information).  Cython
# names the C function of the template's loop_<ufunc>_<float|double>
# __pyx_f_<module>_loop_<...>, so counting the reports inside each such function's lines
# says whether that ufunc loop became SIMD code (the kernels are inlined into it).  The
# 16-bit block conversions (cvt_<from>_to_<to>, inline: both compilers report their loop
# at its line in the function's text, once per caller) are counted the same way.
# tests/test_vectorized.py reads the JSON written beside each module.

_LOOP_DEF = re.compile(r"^static (?:CYTHON_INLINE )?void "
                       r"__pyx_f_\w*?_(loop_\w+_(?:float|double)|cvt_\w+)\(.*\{\s*$")
_VEC_LINE = re.compile(r"^(.*?):(\d+):\d+: optimized: loop vectorized")
_YAML_FILE = re.compile(r"\bFile:\s*'([^']*)'")
_YAML_LINE = re.compile(r"\bLine:\s*(\d+)")


def vectorized_lines(report):
    """[(file, line)] of each loop the report says was vectorized (GCC's text or
    Clang's YAML record)."""
    with open(report, encoding="utf-8") as f:
        text = f.read()
    if not report.endswith(".yaml"):
        return [(m.group(1), int(m.group(2)))
                for m in map(_VEC_LINE.match, text.splitlines()) if m]
    found = []
    for doc in ("\n" + text).split("\n--- ")[1:]:
        head = doc.split("\n", 1)[0].strip()
        if (head == "!Passed" and re.search(r"^Pass:\s*loop-vectorize\s*$", doc, re.M)
                and re.search(r"^Name:\s*Vectorized\s*$", doc, re.M)):
            f, n = _YAML_FILE.search(doc), _YAML_LINE.search(doc)
            if f and n:
                found.append((f.group(1), int(n.group(1))))
    return found


def count_vectorized(c_file, report):
    """{loop name: number of "loop vectorized" reports inside its C function}."""
    ranges, cur = {}, None
    with open(c_file, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if cur is None:
                m = _LOOP_DEF.match(line)
                if m:
                    cur = (m.group(1), no)
            elif line.startswith("}"):
                ranges[cur[0]] = (cur[1], no)
                cur = None
    base = os.path.basename(c_file)
    lines = [n for f, n in vectorized_lines(report) if os.path.basename(f) == base]
    return {name: sum(lo <= n <= hi for n in lines) for name, (lo, hi) in sorted(ranges.items())}


def _is_kernels(name):
    """Whether an extension is one of the kernel modules (_ufuncs_<isa>_<family>)."""
    return name.startswith("fastact._kernels._ufuncs_")


# ---- compilers: which one, and what each gets --------------------------------------------
# The one place that knows compilers: a new compiler or a new target's flags change this
# section only.  GCC and Clang take _build_config's GCC-style flags (COMMON_FLAGS, and a
# target's -m flags from its table); MSVC takes MSVC_FLAGS and MSVC_TARGET_FLAGS.  No
# compiler gets a fast-math flag (-ffast-math, -Ofast, /fp:fast): the kernels rely on IEEE
# NaN, infinity and rounding, which tests/test_build_matrix.py checks in every table.

_KIND_PROBES = {   # a program that compiles only with that compiler (Clang defines __GNUC__)
    "clang": "#ifndef __clang__\n#error not Clang\n#endif\nint main(void){return 0;}\n",
    "gcc": "#if !defined(__GNUC__) || defined(__clang__)\n#error not GCC\n#endif\n"
           "int main(void){return 0;}\n",
}

# what config.h calls (omp_get_thread_limit is OpenMP 3.0: MSVC's plain /openmp, 2.0,
# fails here and the build is serial rather than failing to link)
_OPENMP_PROBE = ("#include <omp.h>\n"
                 "int main(void){return omp_get_max_threads() < 1 || omp_get_thread_limit() < 1;}\n")


def openmp_setting():
    """FASTACT_OPENMP: "0" builds without OpenMP (serial loops; nothing probed), "1"
    requires it (the build fails where the compiler has none), unset or "auto" uses it
    where the compiler has it."""
    value = os.environ.get("FASTACT_OPENMP", "auto").strip().lower()
    if value in ("", "auto"):
        return None
    if value in ("0", "1"):
        return value == "1"
    sys.exit(f"FASTACT_OPENMP must be 0, 1 or auto, got {value!r}")


def openmp_candidates(kind):
    """The ways to turn OpenMP on with this compiler, tried in order: (compile args,
    link args)."""
    if kind == "msvc":
        # LLVM's runtime (OpenMP 3.1+); then MSVC's own 2.0, which the probe refuses
        return [(["/openmp:llvm"], []), (["/openmp"], [])]
    found = [(["-fopenmp"], ["-fopenmp"])]
    if kind == "clang" and sys.platform == "darwin":
        # Apple clang has no -fopenmp, but its preprocessor takes the pragmas with LLVM's
        # libomp (Homebrew's `brew install libomp`, or LIBOMP_PREFIX) providing omp.h and
        # the library; without libomp the build is serial
        for prefix in (os.environ.get("LIBOMP_PREFIX"), "/opt/homebrew/opt/libomp",
                       "/usr/local/opt/libomp"):
            if prefix and os.path.exists(os.path.join(prefix, "include", "omp.h")):
                found.append((["-Xpreprocessor", "-fopenmp", f"-I{prefix}/include"],
                              [f"-L{prefix}/lib", "-lomp"]))
                break
    return found


def compile_flags(kind, isa, target_flags):
    """The compile args of a module of target isa (OpenMP's and the report's aside):
    target_flags are the GCC-style flags of its table in _build_config; None where this
    compiler has no flags for that target."""
    if kind == "msvc":
        if isa not in CONFIG["MSVC_TARGET_FLAGS"]:
            return None
        return CONFIG["MSVC_FLAGS"] + CONFIG["MSVC_TARGET_FLAGS"][isa]
    if kind == "clang":
        # Python's CFLAGS may say -fwrapv and -fno-strict-aliasing (for CPython's own
        # code).  With -fopenmp, Clang then cannot count the iterations of the loops
        # OpenMP outlines, nor keep the locals the parallel region shares in registers:
        # Clang 14 left 53 of the 290 avx512 loops scalar.  The kernel modules need
        # neither (no signed overflow; each buffer is accessed through one type, and
        # type-punning is by memcpy), so Clang gets them back.
        return CONFIG["COMMON_FLAGS"] + ["-fno-wrapv", "-fstrict-aliasing"] + list(target_flags)
    return CONFIG["COMMON_FLAGS"] + list(target_flags)


def vec_report_flags(kind, stem):
    """(report path, compile args) of the vectorization report, or None where the
    compiler writes none that count_vectorized reads (MSVC's /Qvec-report goes to the
    console).  GCC: -fopt-info's text; Clang: its optimization record (YAML)."""
    if kind == "gcc":
        return stem + ".vec.txt", [f"-fopt-info-vec-optimized={stem}.vec.txt"]
    if kind == "clang":
        return stem + ".vec.yaml", ["-fsave-optimization-record",
                                    f"-foptimization-record-file={stem}.vec.yaml",
                                    "-foptimization-record-passes=loop-vectorize"]
    return None


class BuildExt(build_ext):
    """Adds OpenMP where the compiler has it (or FASTACT_OPENMP says) and drops targets it
    cannot compile, so a platform without OpenMP or an ISA builds serial / baseline
    instead of failing.  Compiles the extensions in parallel unless told otherwise
    (-j/--parallel), and with GCC or Clang writes the vectorization report of each kernel
    module beside it."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            # one job per CPU: the targets are independent modules of a minute or more each
            self.parallel = os.cpu_count() or 1

    def _compiles(self, flags, source="int main(void){return 0;}\n", link_flags=None):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write(source)
            try:
                objs = self.compiler.compile([src], output_dir=tmp, extra_postargs=flags)
                self.compiler.link_executable(objs, "probe", output_dir=tmp,
                                              extra_postargs=flags if link_flags is None
                                              else link_flags)
            except Exception:
                return False
        return True

    def _compiler_kind(self):
        """"gcc", "clang", "msvc" or "other"."""
        if self.compiler.compiler_type == "msvc":
            return "msvc"
        if self.compiler.compiler_type != "unix":
            return "other"
        return next((k for k, src in _KIND_PROBES.items() if self._compiles([], src)), "other")

    def _openmp(self, kind):
        """(compile args, link args, what to print) of OpenMP here."""
        wanted = openmp_setting()
        if wanted is False:
            return [], [], "off (FASTACT_OPENMP=0)"
        for cflags, lflags in openmp_candidates(kind):
            if self._compiles(cflags, _OPENMP_PROBE, lflags):
                return cflags, lflags, "on (" + " ".join(cflags) + ")"
        if wanted:
            raise RuntimeError("fastact: FASTACT_OPENMP=1 but the compiler has no OpenMP "
                               f"(tried {openmp_candidates(kind)})")
        return [], [], "off (the compiler has none)"

    def build_extensions(self):
        kind = self._compiler_kind()
        self._kind = kind
        omp, omp_link, omp_said = self._openmp(kind)
        self._vec_reports, self._vec_json = {}, {}
        kept = []
        for ext in self.extensions:
            isa = ext.name.split("_")[-2] if _is_kernels(ext.name) else (
                ext.name.rsplit("_", 1)[1] if ext.name.startswith("fastact._recurrent_")
                else FALLBACK)
            flags = compile_flags(kind, isa, ext.extra_compile_args)
            if flags is not None and ext.extra_compile_args and not self._compiles(flags):
                flags = None
            if flags is None:
                if not (_is_kernels(ext.name) and isa == FALLBACK):
                    print(f"fastact: the compiler cannot build {ext.name}; skipped")
                    continue
                # the fallback must build: with the compiler's default code then
                print(f"fastact: the compiler rejects {' '.join(ext.extra_compile_args)}; "
                      f"{ext.name} without them")
                flags = compile_flags(kind, isa, []) or (
                    CONFIG["MSVC_FLAGS"] if kind == "msvc" else [])
            if kind in ("gcc", "clang"):
                # The kernels are chains of small cdef inline functions; in a module this
                # size GCC stops inlining them into the loops (a call per element, no
                # SIMD), so Cython's inline becomes a forced one.
                ext.define_macros = ext.define_macros + [
                    ("CYTHON_INLINE", "inline __attribute__((always_inline))")]
            ext.extra_compile_args = flags + omp
            ext.extra_link_args = ext.extra_link_args + omp_link
            report = vec_report_flags(
                kind, os.path.join(os.path.abspath(self.build_temp), ext.name))
            if report and _is_kernels(ext.name):
                self._vec_reports[ext.name] = report[0]
                ext.extra_compile_args = ext.extra_compile_args + report[1]
            kept.append(ext)
        if not any(_is_kernels(e.name) and e.name.split("_")[-2] == FALLBACK for e in kept):
            raise RuntimeError(f"fastact: the {FALLBACK} kernels failed to build")
        self.extensions = kept
        os.makedirs(self.build_temp, exist_ok=True)
        isas = dict.fromkeys(e.name.split("_")[-2] for e in kept if _is_kernels(e.name))
        print(f"fastact: compiler {kind}; OpenMP {omp_said}; targets " + ", ".join(isas)
              + f" ({len(FAMILIES)} kernel modules each)"
              + f"; {self.parallel if self.parallel else 1} parallel jobs"
              + (f"; vectorization report on ({kind})" if self._vec_reports else ""),
              flush=True)
        super().build_extensions()

    def build_extension(self, ext):
        what = ext.name.rsplit(".", 1)[1]
        report = self._vec_reports.get(ext.name)
        # GCC appends to the report file: start it afresh, and keep the previous one for
        # when setuptools finds the module up to date and compiles nothing
        if report and os.path.exists(report):
            os.replace(report, report + ".prev")
        if self._tree_build_current(ext):
            print(f"fastact: {what} up to date (the tree's build)", flush=True)
            return
        print(f"fastact: compiling {what}", flush=True)
        t0 = time.perf_counter()
        super().build_extension(ext)
        if report:
            if os.path.exists(report + ".prev"):
                if os.path.exists(report):            # compiled: the new one counts
                    os.remove(report + ".prev")
                else:                                 # up to date: the previous one
                    os.replace(report + ".prev", report)
            if os.path.exists(report):
                self._vector_report(ext, report)
        print(f"fastact: {what} done ({time.perf_counter() - t0:.0f} s)", flush=True)

    def _tree_build_current(self, ext):
        """Whether the source tree holds this module built from its current sources (an
        in-place or editable build), which is then copied to the build directory instead
        of compiled again.  setuptools itself compares with the build directory only,
        which an editable install (pip install -e) makes afresh each time: without this,
        every build after it would recompile every module."""
        if self.force:
            return False
        built = os.path.join(HERE, "src", *ext.name.split(".")[:-1],
                             os.path.basename(self.get_ext_filename(ext.name)))
        target = self.get_ext_fullpath(ext.name)
        if (not os.path.exists(built) or os.path.abspath(built) == os.path.abspath(target)
                or newer_group(list(ext.sources) + list(ext.depends), built)):
            return False
        os.makedirs(os.path.dirname(target), exist_ok=True)
        self.copy_file(built, target, level=self.verbose)
        return True

    def _vector_report(self, ext, report):
        """Writes <module>.vectorized.json beside the built module (build_lib; copied to
        the source tree for --inplace): the count of vectorized loops per ufunc loop."""
        c_file = next(s for s in ext.sources if s.endswith(".c"))
        loops = count_vectorized(c_file, report)
        out = os.path.join(os.path.dirname(self.get_ext_fullpath(ext.name)),
                           ext.name.rsplit(".", 1)[1] + ".vectorized.json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        self._vec_json[ext.name] = out
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"compiler": self._compiler_version(), "module": ext.name,
                       "loops": loops}, f, indent=0, sort_keys=True)
            f.write("\n")
        missing = sorted(k for k, v in loops.items() if v == 0)
        print(f"fastact: {ext.name}: {len(loops) - len(missing)} of {len(loops)} ufunc loops "
              f"vectorized" + (f" (not: {', '.join(missing)})" if missing else ""), flush=True)

    def copy_extensions_to_source(self):
        # --inplace: setuptools builds into build_lib and copies the modules over; the
        # reports go beside them
        super().copy_extensions_to_source()
        for name, built in getattr(self, "_vec_json", {}).items():
            self.copy_file(built, os.path.join(os.path.dirname(self.get_ext_fullpath(name)),
                                               os.path.basename(built)), level=self.verbose)

    def _compiler_version(self):
        """"gcc 12.2.0", "clang 14.0.6": the report's compiler (the test needs its name)."""
        kind = getattr(self, "_kind", "gcc")
        try:
            out = subprocess.run(self.compiler.compiler_so[:1]
                                 + ["-dumpfullversion" if kind == "gcc" else "-dumpversion"],
                                 capture_output=True, text=True, check=True).stdout
        except Exception:
            return kind + " unknown"
        return kind + " " + out.strip()


FAMILIES = families()
FALLBACK = CONFIG["fallback"](target_machine())   # the target every CPU of it runs
HEADERS = [os.path.join(KERNEL_DIR, h) for h in ("config.h", "half.h")]

# One module per target and family, the largest families first (the last modules to start
# are the quick ones, so the parallel jobs end together).
extensions = [
    Extension(
        f"fastact._kernels._ufuncs_{isa}_{family}",
        [render_module(family, rows, isa)],
        include_dirs=[np.get_include(), KERNEL_DIR],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=list(flags),
        depends=HEADERS,
    )
    for family, rows in sorted(FAMILIES.items(), key=lambda f: -_weight(f[1]))
    for isa, (_features, flags) in targets().items()
] + [
    # the small calls' fast path (no kernels: built once, with the baseline flags)
    Extension("fastact._fastpath", ["src/fastact/_fastpath.pyx"],
              include_dirs=[np.get_include()],
              define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")]),
    # the fused losses (fastact.losses): built once, with the baseline flags; they
    # include the kernels' primitives.pxi (and so config.h)
    Extension("fastact._losses", ["src/fastact/_losses.pyx"],
              include_dirs=[np.get_include(), KERNEL_DIR],
              define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")]),
    # the fused recurrent-cell gates (fastact.recurrent): baseline flags, self-contained
    Extension("fastact._recurrent", ["src/fastact/_recurrent.pyx"],
              include_dirs=[np.get_include()],
              define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")]),
] + [
    # ... and once more per CPU target above the baseline, from a copy named for it
    # (recurrent.py loads the one of the target the ufuncs run on)
    Extension(f"fastact._recurrent_{isa}", [_copy_for_target("_recurrent.pyx", isa)],
              include_dirs=[np.get_include()],
              define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
              extra_compile_args=list(flags))
    for isa, (_features, flags) in targets().items() if isa != FALLBACK
]

# Cython's stage in parallel too, where its worker processes can be forked (spawned ones
# would run this file again).
_NTHREADS = (os.cpu_count() or 1) if multiprocessing.get_start_method() == "fork" else 0
print(f"fastact: cythonizing {len(extensions)} modules"
      + (f" ({_NTHREADS} processes)" if _NTHREADS else ""), flush=True)

setup(
    ext_modules=cythonize(
        extensions,
        nthreads=_NTHREADS,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            # Free-threaded CPython (3.13t, 3.14t) may import the modules without turning
            # the GIL back on: their state is made at import and only read after, but for
            # the kernels' thread settings, C ints that the loops already share without
            # the GIL in the standard build.  The README's "Free-threaded Python" says
            # what was checked and what was not.  Needs Cython >= 3.1 (pyproject.toml).
            "freethreading_compatible": True,
        },
    ),
    cmdclass={"build_ext": BuildExt},
)
