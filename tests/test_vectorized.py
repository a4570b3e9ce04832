"""Every elementwise ufunc's contiguous loops are SIMD code, on every built target (the
gated ufuncs gated_<gate> and gated_<gate>_backward included), and so are the block
conversions of the float16 and bfloat16 loops (cvt_<from>_to_<to>: contiguous 16-bit
data widened to float32 before the float32 loop runs, and its results narrowed back).

setup.py records the compiler's report per kernel module (one per family of kernels and
target): GCC's -fopt-info-vec-optimized, or Clang's optimization record
(-fsave-optimization-record, its loop-vectorize remarks); <module>.vectorized.json beside
it, the number of "loop vectorized" reports inside the C function of each template loop
(loop_<ufunc>_float, loop_<ufunc>_double).  A libm call or a branch the compiler cannot
turn into a select inside a kernel makes its loops scalar, and this test names them.
Deterministic: read from the build, nothing timed.

GCC's build is held to every loop on every target.  Clang's on the targets with AVX2 and
FMA; on the SSE2 baseline Clang's cost model keeps loops scalar that GCC vectorizes
(Clang 14: 42 of the 266 float and double loops, squareplus, softsign and logit's
derivatives among them; its remarks say "the cost-model indicates that vectorization is
not beneficial"), so there the test checks the report and the 16-bit conversions, then
skips naming those loops.
Skipped when the modules were built by another compiler (MSVC: no report to read).
"""

import importlib.util
import json
import os
import platform

import pytest

import fastact
from fastact import _dispatch
from fastact._build_config import X86_TARGETS

ELEMENTWISE = sorted(name for name, u in fastact.UFUNCS.items() if u.signature is None)
# the template's 16-bit block conversions (half.h's functions over a contiguous block)
CONVERSIONS = ("cvt_half_to_float", "cvt_float_to_half", "cvt_bf16_to_float",
               "cvt_float_to_bf16")

# Loops that cannot vectorize on an x86-64 target without FMA (the baseline): their
# kernels call fma() for an exactly rounded a*b + c that their error bounds rest on, and
# there fma() is a libm call.  (kernel, scalar function) -> why.  gelu's float32 forward is
# also the double kernel there (gelu.pxi: FASTACT_GELU_FWD_F32).
NEEDS_FMA = {
    ("gelu", "fwd"): "x F(t) and x - x Phi(-t) with one rounding",
    ("gelu", "grad"): "exp(-x^2/2)'s argument: x^2 = h + l by fma",
    ("gelu_tanh", "fwd"): "v = 2 sqrt(2/pi) (x + 0.044715 x^3) in double-double",
    ("gelu_tanh", "grad"): "the same v",
    ("gelu", "grad2"): "exp(-x^2/2)'s argument, as grad",
    ("gelu_tanh", "grad2"): "the same v",
    ("silu_general", "grad2"): "beta x = u + e exactly",
    ("hardsigmoid", "fwd"): "Markstein's correction (_div_dd)",
    ("hardsigmoid_general", "fwd"): "alpha x + beta rounded once; the default's _div_dd",
    ("silu_general", "fwd"): "beta x = u + e exactly",
    ("silu_general", "grad"): "beta x = u + e exactly",
    ("hardswish", "fwd"): "the exact product and _div_dd",
    ("hardswish", "grad"): "_div_dd",
    ("mish", "grad"): "the common-denominator fraction left of 0",
}
# (the second derivatives have a double function only: their float loops widen too)
FLOAT_WIDENS_WITHOUT_FMA = {("gelu", "fwd"), ("gelu", "grad2"), ("gelu_tanh", "grad2"),
                            ("silu_general", "grad2")}


def _scalar_fns(ufunc_name):
    """The (kernel name, scalar function) pairs behind a ufunc: gelu_backward ->
    [(gelu, grad)]; the gated ones call their gate's: gated_gelu -> [(gelu, fwd)],
    gated_gelu_backward -> [(gelu, fwd), (gelu, grad)]."""
    if ufunc_name.startswith("gated_"):
        gate = ufunc_name[len("gated_"):]
        if gate.endswith("_backward"):
            return [(gate[: -len("_backward")], "fwd"), (gate[: -len("_backward")], "grad")]
        return [(gate, "fwd")]
    return [_scalar_fn(ufunc_name)]


def _scalar_fn(ufunc_name):
    """(kernel name, scalar function) behind a ufunc: gelu_backward -> (gelu, grad)."""
    for suffix, fn in (("_derivative_from_output", "grad_y"), ("_backward_from_output", "grad_y"),
                       ("_second_derivative", "grad2"), ("_derivative", "grad"),
                       ("_backward", "grad")):
        if ufunc_name.endswith(suffix):
            return ufunc_name[: -len(suffix)], fn
    return ufunc_name, "fwd"


def _without_fma(isa):
    return (platform.machine().lower() in ("x86_64", "amd64")
            and "-mfma" not in X86_TARGETS.get(isa, ((), []))[1])


def _exempt(isa, ufunc_name, dtype):
    keys = [k for k in _scalar_fns(ufunc_name) if k in NEEDS_FMA]
    if not _without_fma(isa) or not keys:
        return False
    return dtype == "double" or any(k in FLOAT_WIDENS_WITHOUT_FMA for k in keys)


def _report(isa):
    """The target's BUILD compiler (None where this CPU cannot import it) and its report:
    the reports of its family modules together (a loop name is in one module, but for
    the conversions, which every module has: each module's count must be > 0, so the
    lowest counts)."""
    compiler = None
    if isa in _dispatch.available():
        compiler = _dispatch.load(isa).BUILD["compiler"]
    report, paths = None, []
    for name in _dispatch._names(isa):
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        path = os.path.join(os.path.dirname(spec.origin), name.rsplit(".", 1)[1]
                            + ".vectorized.json")
        paths.append(path)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            part = json.load(f)
        if report is None:
            report = {"compiler": part["compiler"], "loops": {}}
        for loop, count in part["loops"].items():
            report["loops"][loop] = min(count, report["loops"].get(loop, count))
    return compiler, report, ", ".join(paths)


@pytest.mark.parametrize("isa", _dispatch.built())
def test_every_loop_vectorized(isa):
    compiler, report, path = _report(isa)
    if compiler is None:
        # built for a CPU this one is not (avx512 here): its report still tells
        if report is None:
            pytest.skip(f"{isa}: not importable on this CPU and no report")
        compiler = report["compiler"]
    gcc, clang = compiler.startswith("gcc"), compiler.startswith("clang")
    if not (gcc or clang):
        pytest.skip(f"{isa} was built by {compiler}: the report needs GCC or Clang")
    assert report is not None, f"{isa}: built by {compiler} but {path} is missing"
    loops = report["loops"]
    missing, scalar, stale = [], [], []
    for name in ELEMENTWISE:
        for dtype in ("float", "double"):
            loop = f"loop_{name}_{dtype}"
            if loop not in loops:
                missing.append(loop)
            elif _exempt(isa, name, dtype):
                # (Clang vectorizes some of these with the fma() calls left scalar)
                if loops[loop] > 0 and gcc:
                    stale.append(loop)
            elif loops[loop] == 0:
                scalar.append(loop)
    for loop in CONVERSIONS:
        if loop not in loops:
            missing.append(loop)
        elif loops[loop] == 0:
            scalar.append(loop)
    assert not missing, f"{isa}: loops absent from the report: {missing}"
    if clang and _without_fma(isa):
        assert not [c for c in scalar if c in CONVERSIONS], (isa, scalar)
        if scalar:
            pytest.skip(f"{isa} built by {compiler}: Clang's SSE2 cost model keeps "
                        f"{len(scalar)} of {2 * len(ELEMENTWISE)} loops scalar (checked on "
                        f"the FMA targets, and GCC's build on every target): "
                        + ", ".join(scalar))
    assert not scalar, (f"{isa}: these loops no longer vectorize (a libm call or a branch "
                        f"{compiler} cannot select in their kernels?): {scalar}")
    assert not stale, (f"{isa}: these loops vectorize now: drop them from NEEDS_FMA: "
                       f"{stale}")


def test_report_lists_only_real_loops():
    # the report's loops are exactly the template's: two per elementwise ufunc, and the
    # four conversions
    for isa in _dispatch.built():
        _, report, _ = _report(isa)
        if report is None:
            continue
        expected = {f"loop_{n}_{t}" for n in ELEMENTWISE for t in ("float", "double")}
        expected |= set(CONVERSIONS)
        assert set(report["loops"]) == expected, isa
