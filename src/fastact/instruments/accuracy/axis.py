"""The softmax-type kernels (rows along an axis): forward, backward from x and backward
from the output, on random rows (masked entries, large offsets), float64 against mpmath
and float32 against the float64 kernels, in the units of the record's AxisAccuracy."""

import math
import sys
import time

import numpy as np

from ... import _registry
from ..._dispatch import UFUNCS
from .facts import AXIS_ROWS, EPS, QUICK_AXIS_ROWS, TINY
from .flags import FlagCatcher
from .mp_refs import mp_init, round_double
from .stats import Stats, what_went_wrong
from .units import ulp_of

def _axis_rows(nrows, seed=0):
    rng = np.random.default_rng([seed, 7])
    rows = []
    for i in range(nrows):
        n = int(rng.choice([1, 2, 3, 5, 8, 16, 33, 64, 128]))
        scale = float(rng.choice([1e-3, 1.0, 3.0, 10.0, 100.0, 1000.0]))
        x = rng.standard_normal(n) * scale
        if i % 11 == 3 and n > 1:
            x[rng.integers(n)] = -np.inf            # a masked entry
        if i % 13 == 5:
            x += rng.uniform(-1e4, 1e4)             # a large common offset
        rows.append(x)
    return rows


def _axis_ref(name, x, g, y):
    """mpmath: the forward at x and the vector-Jacobian product at (g, y) for one row (the
    record's mp_forward and mp_backward), with the backward's scale and the row's max; then
    the vector-Jacobian product at x (the API's backward: at the exact y) and its scale."""
    mp_init()
    rec = _registry.BY_NAME[name]
    xs, gs, ys = x.tolist(), g.tolist(), y.tolist()
    scale = rec.backward_scale(np.asarray(g, np.float64), np.asarray(y, np.float64))
    sign = rec.accuracy.sign
    m = max(sign * v for v in xs if math.isfinite(v))
    fwd = rec.mp_forward(xs)
    exact_y = np.array([v if isinstance(v, float) else round_double(v) for v in fwd])
    scale_x = axis_backward_scale_x(name, np.asarray(x, np.float64), np.asarray(g, np.float64),
                                    exact_y, float(m))
    return (fwd, rec.mp_backward(gs, ys), [float(v) for v in scale], float(m),
            rec.mp_backward(gs, fwd), [float(v) for v in scale_x])


def axis_chunk(args):
    name, rows, gs, ys = args
    mp_init()
    out = []
    for x, g, y in zip(rows, gs, ys):
        fwd, bwd, sb, m, bwd_x, sb_x = _axis_ref(name, x, g, y)
        out.append(([round_double(v) if not isinstance(v, float) else v for v in fwd],
                    [round_double(v) for v in bwd], sb, m,
                    [round_double(v) for v in bwd_x], sb_x))
    return out


def axis_forward_error(name, x, y, fr, m, dtype):
    """The forward error of one softmax-type row (float64 arrays: the input x, the result y,
    the reference fr; m = max(sign * x) over the finite x, the record's AxisAccuracy.sign):
    with forward_unit "ulp" (softmax, softmin) in ULP of the reference divided by
    1 + |sign x_i - m| + n/8 (the rounding of x_i - m and of the row's sum); with "abs"
    (log_softmax) in eps * (1 + |x_i - m|) (its terms' scale)."""
    acc = _registry.BY_NAME[name].accuracy
    with np.errstate(all="ignore"):
        d = np.abs(y - fr)
        dist = np.abs(acc.sign * x - m)             # from the row's dominant entry
        if acc.forward_unit == "ulp":
            return d / ulp_of(dtype)(fr) / (1 + dist + len(x) / 8)
        return d / (EPS[dtype] * (1 + dist))


def axis_backward_scale(name, g, y):
    """The magnitude of the terms of one row's vector-Jacobian product (float64 g and y),
    the unit of its error (times eps): the record's backward_scale."""
    return _registry.BY_NAME[name].backward_scale(g, y)


def axis_backward_scale_x(name, x, g, y, m):
    """The unit of the backward from x (float64 x, g and the exact y; m = max(sign * x)):
    the record's backward_scale at the exact y, times what the forward's error in y adds
    where its unit is relative (softmax, softmin: 1 + |sign x_i - m| + n/8, the forward's
    own unit; log_softmax's scale already holds y's absolute error)."""
    acc = _registry.BY_NAME[name].accuracy
    scale = _registry.BY_NAME[name].backward_scale(g, y)
    if acc.forward_unit != "ulp":
        return scale
    with np.errstate(all="ignore"):
        dist = np.where(np.isfinite(x), np.abs(acc.sign * x - m), 0.0)
    return scale * (1 + dist + len(x) / 8)


def axis_backward_error(dx, br, sb, dtype):
    """|dx - br| in eps * sb (sb: axis_backward_scale)."""
    with np.errstate(all="ignore"):
        return np.abs(dx - br) / (EPS[dtype] * sb + TINY[dtype])


def measure_axis(name, dtype, quick=True, workers=1, progress=None, seed=0):
    """Rows for the softmax family: forward, backward (from x, the API's backward: against
    the exact vector-Jacobian product at x) and backward_from_output (the from-output
    kernel on the forward's y: against the exact product at that y), float64 against
    mpmath, float32 against the float64 kernels on the widened rows.  Both backwards are the
    same numbers (the backward from x is the from-output kernel on the forward's y); only
    the reference differs."""
    bounds = _registry.AXIS_ACCURACY[name]
    nrows = QUICK_AXIS_ROWS if quick else AXIS_ROWS
    xs = _axis_rows(nrows, seed)
    rng = np.random.default_rng([seed, 11])
    gs = [rng.standard_normal(len(x)) for x in xs]
    fwd_u, bwd_u = UFUNCS[name], UFUNCS[name + "_backward"]
    dt = np.dtype(dtype)
    t0 = time.perf_counter()
    st_f = Stats(name, "forward", dtype, None, bounds["forward"], True)
    st_x = Stats(name, "backward", dtype, None, bounds["backward"], True)
    st_b = Stats(name, "backward_from_output", dtype, None,
                 bounds["backward_from_output"] or bounds["backward"], True)
    xs_t = [x.astype(dt) for x in xs]
    gs_t = [g.astype(dt) for g in gs]
    catcher = FlagCatcher()
    ys, dxs = [], []
    for x, g in zip(xs_t, gs_t):
        y, h = catcher.run(fwd_u, x)
        if h:
            st_f.flag(",".join(h), x[0])
        dx, h = catcher.run(bwd_u, g, y)
        if h:
            st_b.flag(",".join(h), x[0])
            st_x.flag(",".join(h), x[0])
        ys.append(y)
        dxs.append(dx)
    if dtype == "float64":
        if progress:
            progress.start(f"float64 {name}: mpmath references", len(xs))
        tasks = [(name, xs_t[i:i + 20], gs_t[i:i + 20], ys[i:i + 20]) for i in range(0, len(xs), 20)]
        if workers > 1:
            import multiprocessing as mpr
            ctx = mpr.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            with ctx.Pool(workers) as pool:
                refs = []
                for part in pool.imap(axis_chunk, tasks):
                    refs += part
                    if progress:
                        progress.step(len(part))
        else:
            refs = []
            for t in tasks:
                refs += axis_chunk(t)
                if progress:
                    progress.step(len(t[1]))
        if progress:
            progress.done()
    else:
        refs = []
        for x, g, y in zip(xs_t, gs_t, ys):
            x64, g64, y64 = x.astype(np.float64), g.astype(np.float64), y.astype(np.float64)
            f = fwd_u(x64)
            b = bwd_u(g64, y64)
            m = float(np.max(bounds["sign"] * x64[np.isfinite(x64)]))
            sb = axis_backward_scale(name, g64, y64)
            bx = bwd_u(g64, f)
            sbx = axis_backward_scale_x(name, x64, g64, f, m)
            refs.append((f.tolist(), b.tolist(), sb.tolist(), m, bx.tolist(), sbx.tolist()))
    for x, y, dx, (fr, br, sb, m, bxr, sbx) in zip(xs_t, ys, dxs, refs):
        x = x.astype(np.float64)
        y = y.astype(np.float64)
        dx = dx.astype(np.float64)
        fr = np.array(fr, np.float64)
        br = np.array(br, np.float64)
        sb = np.array(sb, np.float64)
        # forward
        fin = np.isfinite(fr)
        bad_special = (np.isnan(y) != np.isnan(fr)) | (fin != np.isfinite(y)) | \
            (~fin & ~np.isnan(fr) & (y != fr))
        for i in np.flatnonzero(bad_special):
            st_f.special(what_went_wrong(y[i], fr[i]), x[i], y[i], fr[i])
        metric = axis_forward_error(name, x, y, fr, m, dtype)
        metric[~fin | bad_special] = 0.0
        st_f.add(len(x), x, y, fr, np.zeros_like(metric), metric, True)
        # backward
        bfin = np.isfinite(br)
        mb = axis_backward_error(dx, br, sb, dtype)
        mb[~bfin] = 0.0
        st_b.add(len(x), x, dx, br, np.zeros_like(mb), mb, True)
        # backward from x: the same dx, against the product at the exact y
        bxr = np.array(bxr, np.float64)
        mx = axis_backward_error(dx, bxr, np.array(sbx, np.float64), dtype)
        mx[~np.isfinite(bxr)] = 0.0
        st_x.add(len(x), x, dx, bxr, np.zeros_like(mx), mx, True)
    dt_s = time.perf_counter() - t0
    rows = []
    for st in (st_f, st_x, st_b):
        st.seconds = dt_s / 3
        r = st.row()
        r["max_ulp"] = None
        r["rows"] = nrows
        r["abs_where"] = ("eps * magnitude of the terms" if st is st_b
                          else "eps * magnitude of the terms at the exact y"
                          + (" * (1 + |x_i - max x| + n/8)"
                             if bounds["forward_unit"] == "ulp" else "") if st is st_x
                          else "ULP / (1 + |x_i - max x| + n/8)" if bounds["forward_unit"] == "ulp"
                          else "eps * (1 + |x_i - max x|)")
        rows.append(r)
    return rows


