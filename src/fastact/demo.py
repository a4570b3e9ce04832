"""The main job's short demo: every activation's value and derivative at a few points,
and how much faster the compiled kernel is than the pure-Python reference.

Run with ``python -m fastact`` (or ``python -m fastact demo --n 100000``).
"""

import math
import time

import numpy as np

from . import ACTIVATIONS, set_num_threads

POINTS = (-2.0, -0.5, 0.0, 0.5, 2.0)


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def _timing_case(f, n, rng):
    """(kernel call, reference call) on the same n float64 values."""
    if f.info.kind == "axis":
        rows = rng.standard_normal((n // 1000, 1000))
        lists = rows.tolist()
        return (lambda: f(rows)), (lambda: [f.reference(r) for r in lists])
    x = rng.uniform(-4.0, 4.0, n)
    xs = x.tolist()
    ref = f.reference
    return (lambda: f(x)), (lambda: [ref(v) for v in xs])


def _fmt(v):
    return f"{v:+.6f}" if math.isfinite(v) else f"{v:>9}"


def run(n=100_000, repeats=5, out=print):
    # One thread, as the header says: the speedup is the kernel's, not the core count's.
    set_num_threads(1)
    try:
        return _run(n, repeats, out)
    finally:
        set_num_threads(None)


def _run(n, repeats, out):
    rng = np.random.default_rng(0)
    header = " ".join(f"{p:>+9.2f}" for p in POINTS)
    out(f"fastact: {len(ACTIVATIONS)} activations, float64, value and derivative at x = {header}")
    out(f"speedup: median of {repeats} runs of the kernel against the pure-Python reference "
        f"on {n:,} elements (one thread)\n")
    out(f"{'activation':<12} {'':<6} " + " ".join(f"{p:>+9.2f}" for p in POINTS)
        + f"  {'kernel':>10} {'reference':>10} {'speedup':>8}")
    ratios = []
    for name, f in ACTIVATIONS.items():
        x = np.array(POINTS)
        if f.info.kind == "axis":
            vals = f(x)
            ders = f.backward(np.eye(len(x))[2], x)   # d y_2 / d x: one Jacobian row
            dlabel = "dy2/dx"
        else:
            vals = f(x)
            ders = f.derivative(x)
            dlabel = "f'(x)"
        kernel, ref = _timing_case(f, n, rng)
        tk = _median_time(kernel, repeats)
        tr = _median_time(ref, max(1, repeats // 2))
        ratios.append(tr / tk)
        out(f"{name:<12} {'f(x)':<6} " + " ".join(_fmt(v) for v in vals)
            + f"  {tk * 1e3:>8.3f}ms {tr * 1e3:>8.1f}ms {tr / tk:>7.0f}x")
        out(f"{'':<12} {dlabel:<6} " + " ".join(_fmt(v) for v in ders))
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    out(f"\ngeometric mean speedup over the pure-Python reference: {geo:,.0f}x")
    return 0
