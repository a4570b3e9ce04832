"""float32 against the float64 kernel: every bit pattern (or a stride of them) and the
special points, through each form's float32 loop; the float64 kernel on the widened input
is the reference (its own error, against mpmath, is ~2**-29 of a float32 ULP)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .facts import (CHUNK32, EPS, QUICK_STRIDE32, SLACK, SUB_STRIDE32, abs_unit,
                    crossing_window, f_overflows, from_output_valid, g_for, kinds_of, subject)
from .flags import FlagCatcher, locate_flag
from .sampling import special_points32, zero_points32
from .stats import new_stats

class _Buffers:
    def __init__(self, n):
        self.y = np.empty(n, np.float32)
        self.r = np.empty(n)
        self.d = np.empty(n)
        self.E = np.empty(n, np.uint64)
        self.ok = np.empty(n, bool)
        self.x64 = np.empty(n)


_TLS = threading.local()


def _bufs(n):
    b = getattr(_TLS, "b", None)
    if b is None or len(b.y) < n:
        b = _TLS.b = _Buffers(max(n, CHUNK32))
    return b


def _ulp_err32(y, r, b, n):
    """|y - r| / ulp32(r) into b.d[:n]: ulp32 from r's binade, at least 2**-149."""
    d = b.d[:n]
    E = b.E[:n]
    np.subtract(y, r, out=d)
    np.abs(d, out=d)
    np.right_shift(r.view(np.uint64), np.uint64(52), out=E)
    np.bitwise_and(E, np.uint64(0x7ff), out=E)
    np.maximum(E, np.uint64(1023 - 126), out=E)
    np.subtract(E, np.uint64(23), out=E)
    np.left_shift(E, np.uint64(52), out=E)
    np.divide(d, E.view(np.float64), out=d)
    return d


def _check32(st, x, y, r, err, M, window, bound, inf_ok=None):
    """Specials and the not-ok points of one float32 chunk; returns err with specials 0.
    inf_ok: where an infinite backward is due to f' overflowing (facts.f_overflows)."""
    n = len(x)
    ok = np.less_equal(err, bound + SLACK)
    if window is True:
        pass
    nbad = n - int(np.count_nonzero(ok))
    if nbad:
        idx = np.flatnonzero(~ok)
        xs, ys, rs = x[idx], y[idx], r[idx]
        with np.errstate(all="ignore"):
            r32 = rs.astype(np.float32)
        xn, yn, rn = np.isnan(xs), np.isnan(ys), np.isnan(rs)
        # NaN where the float64 kernel gives NaN too (NaN in, or outside a domain: logit's
        # [0, 1], which the float64 measurement checks against mpmath)
        legit = (yn & rn) | (~yn & ~rn & np.isinf(r32) & (ys == r32))
        if inf_ok is not None:
            legit |= inf_ok[idx]
        spec = ~legit & (xn | yn | rn | np.isinf(ys) | np.isinf(r32))
        for j in np.flatnonzero(spec)[:50]:
            if xn[j] and not yn[j]:
                what = "number where NaN is due"
            elif rn[j] and not xn[j]:
                what = "reference (float64 kernel) is NaN for a number"
            elif yn[j]:
                what = "NaN where a number is due"
            elif np.isinf(xs[j]):
                what = "wrong limit at inf"
            else:
                what = "wrong infinity / overflow"
            st.special(what, xs[j], ys[j], rs[j])
        extra = int(np.count_nonzero(spec)) - min(50, int(np.count_nonzero(spec)))
        if extra:
            with st.lock:
                st.n_special += extra
        err[idx[legit | spec]] = 0.0
        ok[idx[legit | spec]] = True
    # sign of zero: where the result is zero, it must have the reference's sign
    z = np.flatnonzero(y == 0)
    if z.size:
        sy = np.signbit(y[z])
        sr = np.signbit(r[z])
        wrong = np.flatnonzero(sy != sr)
        for j in wrong[:8]:
            st.special("wrong sign of zero", x[z[j]], y[z[j]], r[z[j]])
        if wrong.size > 8:
            with st.lock:
                st.n_special += wrong.size - 8
    return err, ok


def _chunk32(*args, **kwargs):
    """One chunk of bit patterns [lo, hi) with the given step, or the points extra_x.
    (The tool's own arithmetic on NaN and inf is silenced; the kernels' calls are not.)"""
    with np.errstate(all="ignore"):
        _chunk32_(*args, **kwargs)


def _chunk32_(name, kinds, params, lo, hi, step, stats, M, extra_x=None):
    sub = subject(name)
    if extra_x is None:
        bits = np.arange(lo, hi, step, dtype=np.int64).astype(np.uint32) if step > 1 or \
            hi > 0xFFFFFFFF else np.arange(lo, hi, dtype=np.uint32)
        x = bits.view(np.float32)
    else:
        x = extra_x
    n = len(x)
    b = _bufs(n)
    x64 = b.x64[:n]
    np.copyto(x64, x)
    p32 = [np.float32(p) for p in params]
    p64 = [float(np.float32(p)) for p in params]      # the float32 parameter, widened
    window = crossing_window(sub, x64)
    eps = EPS["float32"]
    x_all, x64_all, n_all = x, x64, n
    for kind in kinds:
        st = stats[kind]
        u = sub.functions[kind]
        x, x64, n = x_all, x64_all, n_all
        keep = None
        if "from_output" in kind:
            yf = sub.functions["forward"](x, *p32)
            keep = from_output_valid(sub, "float32", yf)
            if keep.all():
                keep = None
            else:
                with st.lock:
                    st.skipped += int(np.count_nonzero(~keep))
                x, x64, yf = x[keep], x64[keep], yf[keep]
                n = len(x)
        y, r = b.y[:n], b.r[:n]
        catcher = FlagCatcher()
        inf_ok = None
        if kind in ("forward", "derivative"):
            _, h1 = catcher.run(lambda: u(x, *p32, out=y))
            _, h2 = catcher.run(lambda: u(x64, *p64, out=r))
            data32 = [x]
            xr = x
        else:
            g32 = g_for(n_all).astype(np.float32)
            if keep is not None:
                g32 = g32[keep]
            g64 = g32.astype(np.float64)
            if "from_output" in kind:
                data32 = [yf] if kind == "derivative_from_output" else [g32, yf]
            else:
                data32 = [g32, x]
            _, h1 = catcher.run(lambda: u(*data32, *p32, out=y))
            # reference: f'(x) in float64 (times g for the backward forms)
            _, h2 = catcher.run(lambda: sub.functions["derivative"](x64, *p64, out=r))
            if kind == "backward":
                with np.errstate(all="ignore"):
                    inf_ok = f_overflows(y, g32, r.astype(np.float32), x)
            if "backward" in kind:
                np.multiply(r, g64, out=r)
            xr = x
        if h1:
            # an overflow where the rounded result overflows is IEEE's (see flags.call_checked)
            legit = np.isinf(r.astype(np.float32)) & np.isfinite(x)
            d32, xr_ = data32, xr
            if legit.any():
                d32 = [d[~legit] for d in data32]
                xr_ = xr[~legit]
                _, h1 = catcher.run(lambda: u(*d32, *p32))
            if h1:
                j = locate_flag(u, d32 + p32, list(range(len(d32))))
                st.flag(",".join(sorted(set(h1))) + " (float32 loop)", xr_[j])
        if h2:
            st.flag(",".join(sorted(set(h2))) + " (float64 reference loop)", xr[0])
        err = _ulp_err32(y, r, b, n)
        win = True if "from_output" in kind else (window if kind != "forward" else None)
        bound = st.ulp_bound
        err, ok = _check32(st, xr, y, r, err, M, win, bound, inf_ok)
        err_abs = None
        if win is not None:
            with np.errstate(all="ignore"):
                unit = abs_unit(M, r / g64 if "backward" in kind else r)
                err_abs = np.abs(y - r) / (eps * unit)
                if "backward" in kind:
                    err_abs /= np.abs(g64)
            err_abs[~np.isfinite(err_abs)] = 0.0
        st.add(n, xr, y, r, err, err_abs, win, ok)


def measure_kernel32(name, quick, workers, progress, stride=None):
    """The rows (one per kind) of a kernel (a name, or a Subject) in float32."""
    subj = subject(name)
    params = subj.params
    M = subj.max_derivative
    kinds = kinds_of(subj)
    stats = {k: new_stats(name, k, "float32") for k in kinds}
    main = ("forward", "derivative")
    sub = tuple(k for k in kinds if k not in main)
    step_main = stride or (QUICK_STRIDE32 if quick else 1)
    step_sub = max(step_main, QUICK_STRIDE32 if quick else SUB_STRIDE32)
    jobs = []
    total = 1 << 32
    for kinds_, step in ((main, step_main), (sub, step_sub)):
        if not kinds_:
            continue
        span = CHUNK32 * step
        for lo in range(0, total, span):
            jobs.append((kinds_, lo, min(total, lo + span), step))
    t0 = time.perf_counter()
    npts = sum(len(range(lo, hi, st)) * len(k) for k, lo, hi, st in jobs)
    if progress:
        progress.start(f"float32 {subj.name}: {'every input' if step_main == 1 else f'every {step_main}th input'}", npts)

    def run(job):
        kinds_, lo, hi, step = job
        _chunk32(name, kinds_, params, lo, hi, step, stats, M)
        if progress:
            progress.step(len(range(lo, hi, step)) * len(kinds_))

    if workers > 1:
        with ThreadPoolExecutor(workers) as ex:
            list(ex.map(run, jobs))
    else:
        for j in jobs:
            run(j)
    # the special values (exact kinks, crossings, limits) on top of any stride
    special = special_points32(name)
    # the zeros of f after the others, so that each earlier point keeps its g
    special = np.concatenate([special, zero_points32(name, after=special)])
    _chunk32(name, kinds, params, 0, 0, 1, stats, M, extra_x=special)
    if progress:
        progress.done()
    dt = time.perf_counter() - t0
    rows = []
    for k in kinds:
        stats[k].seconds = dt / len(kinds)
        r = stats[k].row()
        r["stride"] = step_main if k in main else step_sub
        rows.append(r)
    return rows


