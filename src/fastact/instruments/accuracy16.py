"""Exhaustive accuracy of the 16-bit loops: ``python -m fastact accuracy16``.

float16 and bfloat16 each have 65,536 values, so every one of them goes through every
elementwise kernel and direction (forward, derivative, backward with a random grad_output,
the from-output forms on the 16-bit forward's outputs), and every softmax-type kernel on
random rows.  The reference is the float64 kernel on the same inputs (its own error,
measured against mpmath by ``python -m fastact accuracy``, is below 1e-12 of a 16-bit
ULP); the error is in ULP of the 16-bit format at the reference:

* max ULP over the finite results (the aim: at most 1; a correctly rounded result is
  within 0.5), where the from-output forms start from the rounded y (their error is that
  rounding propagated, reported as is);
* NaN kept: a NaN wherever the reference is NaN, and nowhere else;
* limits: the results at +-inf equal the reference's.

bfloat16 needs ml_dtypes (the ``bfloat16`` extra); without it only float16 is measured.
"""

import argparse
import sys

import numpy as np

from .. import _registry
from .._dispatch import BFLOAT16, UFUNCS
from .accuracy.facts import f_overflows, kernel_names, kernel_params
from .accuracy.units import MANT, ulp16


def formats():
    """The 16-bit dtypes here: float16, and bfloat16 when ml_dtypes is installed."""
    out = {"float16": np.dtype(np.float16)}
    if BFLOAT16 is not None:
        out["bfloat16"] = BFLOAT16
    return out


def _errors(got, ref, fmt, dt):
    with np.errstate(all="ignore"):             # ml_dtypes' casts warn on NaN
        got = got.astype(np.float64)
        # a finite reference beyond the format's range rounds to infinity: that is exact
        ref = np.where(np.isinf(ref.astype(dt).astype(np.float64)),
                       ref.astype(dt).astype(np.float64), ref)
    fin = np.isfinite(ref)
    nan_ok = bool(np.all(np.isnan(got) == np.isnan(ref)))
    inf = ~fin & ~np.isnan(ref)
    limits_ok = bool(np.all(got[inf] == ref[inf]))
    with np.errstate(all="ignore"):
        err = np.where(got == ref, 0.0, np.abs(got - ref) / ulp16(ref, fmt))
    err = np.where(fin & np.isfinite(got), err, np.where(fin, np.inf, 0.0))
    return float(err.max()) if err.size else 0.0, nan_ok, limits_ok


def _elementwise_rows(name, fmt, dt, g):
    k = _registry.KERNEL_BY_NAME[name]
    params = kernel_params(name)
    x = np.arange(2**16, dtype=np.uint16).view(dt)
    with np.errstate(all="ignore"):
        x64 = x.astype(np.float64)
    p32 = [np.float32(p) for p in params]
    p64 = [np.float64(p) for p in params]
    y = UFUNCS[name](x, *p32)
    cases = [("forward", name, [x], [x64]),
             ("derivative", name + "_derivative", [x], [x64]),
             ("backward", name + "_backward", [g, x], [g.astype(np.float32).astype(np.float64), x64])]
    if k.from_output:
        with np.errstate(all="ignore"):
            y64 = y.astype(np.float64)
        cases += [("derivative_from_output", name + "_derivative_from_output", [y], [y64]),
                  ("backward_from_output", name + "_backward_from_output", [g, y],
                   [g.astype(np.float32).astype(np.float64), y64])]
    rows = []
    for kind, uname, data, data64 in cases:
        with np.errstate(all="raise"):
            got = UFUNCS[uname](*data, *p32)
        ref = UFUNCS[uname](*data64, *p64)
        if kind == "backward":
            # g times f' rounded (the float32 loop's): inf where that f' overflows, as the
            # accuracy tool (logit at subnormal p)
            with np.errstate(all="ignore"):
                fd = UFUNCS[name + "_derivative"](x64, *p64).astype(np.float32)
                g64, got64 = data64[0], got.astype(np.float64)
                ok = f_overflows(got64, g64, fd.astype(np.float64), x64)
            ref = np.where(ok, got64, ref)
        mx, nan_ok, lim_ok = _errors(got, ref, fmt, dt)
        rows.append({"format": fmt, "kernel": name, "kind": kind, "max_ulp": mx,
                     "nan_ok": nan_ok, "limits_ok": lim_ok})
    return rows


def _axis_rows(name, fmt, dt, rng):
    x = (rng.standard_normal((512, 64)) * 4).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    rows = []
    with np.errstate(all="raise"):
        y = UFUNCS[name](x)
        dx = UFUNCS[name + "_backward"](g, y)
    for kind, got, ref in (
            ("forward", y, UFUNCS[name](x.astype(np.float32).astype(np.float64))),
            ("backward", dx, UFUNCS[name + "_backward"](g.astype(np.float32).astype(np.float64),
                                                        y.astype(np.float32).astype(np.float64)))):
        mx, nan_ok, lim_ok = _errors(got, ref, fmt, dt)
        rows.append({"format": fmt, "kernel": name, "kind": kind, "max_ulp": mx,
                     "nan_ok": nan_ok, "limits_ok": lim_ok})
    return rows


def measure(fmt, names=None):
    """Rows (format, kernel, kind, max_ulp, nan_ok, limits_ok) for one 16-bit format."""
    dt = formats()[fmt]
    rng = np.random.default_rng(16)
    g = rng.standard_normal(2**16).astype(dt)
    rows = []
    for name in kernel_names():
        if names is None or name in names:
            rows += _elementwise_rows(name, fmt, dt, g)
    for name in _registry.AXIS_KERNELS:
        if names is None or name in names:
            rows += _axis_rows(name, fmt, dt, rng)
    return rows


def table(rows):
    """A Markdown table: one row per kernel, the max ULP of each direction per format."""
    fmts = sorted({r["format"] for r in rows}, key=list(MANT).index)
    kinds = ["forward", "derivative", "backward", "derivative_from_output",
             "backward_from_output"]
    by = {(r["kernel"], r["format"], r["kind"]): r for r in rows}
    kernels = list(dict.fromkeys(r["kernel"] for r in rows))
    head = "| kernel | " + " | ".join(
        f"{f} fwd / d / bwd / d(y) / bwd(y)" for f in fmts) + " |"
    lines = [head, "|---" * (1 + len(fmts)) + "|"]
    for k in kernels:
        cells = []
        for f in fmts:
            vals = []
            for kind in kinds:
                r = by.get((k, f, kind))
                vals.append("-" if r is None else f"{r['max_ulp']:.2g}"
                            + ("" if r["nan_ok"] and r["limits_ok"] else "!"))
            cells.append(" / ".join(vals))
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m fastact accuracy16", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=None, help="comma-separated kernel names")
    ap.add_argument("--bound", type=float, default=1.0,
                    help="the ULP bound every forward, derivative and backward must meet "
                         "(default 1; the from-output forms are reported, not held)")
    args = ap.parse_args(argv)
    names = None if not args.only else {s.strip() for s in args.only.split(",")}
    rows = []
    for fmt in formats():
        rows += measure(fmt, names)
    print(table(rows))
    print("max ULP of the 16-bit format vs the float64 kernel over every input; "
          "'!' marks a NaN or a limit not kept; 'd(y)', 'bwd(y)': from the rounded output")
    if BFLOAT16 is None:
        print("bfloat16: not measured (pip install ml_dtypes, or fastact[bfloat16])")
    held = [r for r in rows if "from_output" not in r["kind"]]
    bad = [r for r in held if r["max_ulp"] > args.bound or not r["nan_ok"]
           or not r["limits_ok"]]
    for r in bad:
        print(f"FAIL {r['format']} {r['kernel']} {r['kind']}: {r['max_ulp']:.3g} ULP, "
              f"NaN kept {r['nan_ok']}, limits {r['limits_ok']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
