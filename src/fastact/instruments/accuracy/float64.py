"""float64 against mpmath: each kernel's forms at the special points, the kinks, the
zeros of f' and of f and sampled points, in ULP of the correctly rounded reference."""

import os
import sys
import time

import numpy as np

from .facts import (EPS, POINTS64, PREC, QUICK_POINTS64, REF_VERSION, abs_unit,
                    crossing_window, f_overflows, from_output_valid, g_for, kinds_of, subject)
from .flags import call_checked
from .mp_refs import concat, mp_chunk
from .sampling import sample_points64, special_points64, zero_points64
from .stats import new_stats, what_went_wrong

def errors64(y, ref, M):
    """ULP and absolute (in eps * M; M a number or an array: facts.abs_unit) errors of float64 results y against encoded refs;
    returns err_ulp, err_abs and a list of (index, what) special failures."""
    cls, rd, hi, lo, e = ref["cls"], ref["rd"], ref["hi"], ref["lo"], ref["e"]
    specials = []
    with np.errstate(all="ignore"):
        ys = np.ldexp(y, -e.clip(-1100, 1100).astype(np.int32))
        scale_ok = np.abs(e) <= 1100
        d = np.abs((ys - hi) - lo)
        ulp_scaled = np.ldexp(1.0, (np.maximum(e, -1022) - 52 - e).astype(np.int32))
        err = d / ulp_scaled
        # out-of-range exponents (references below 2**-1100 or above 2**1100): plain doubles
        err = np.where(scale_ok, err, np.abs(y - rd) / np.ldexp(1.0, np.clip(
            np.maximum(e, -1022) - 52, -1074, 971)))
        ulp = np.ldexp(1.0, np.maximum(e, -1022) - 52)
        err_abs = err * ulp / (EPS["float64"] * M)
    ynan, rnan = np.isnan(y), np.isnan(rd)
    bits_y, bits_r = y.view(np.uint64), rd.view(np.uint64)
    exact = cls == 1
    # exact expectations: NaN <-> NaN, otherwise bit-identical (sign of zero included)
    bad_exact = exact & ~((ynan & rnan) | (~ynan & ~rnan & (bits_y == bits_r)))
    for i in np.flatnonzero(bad_exact):
        specials.append((i, what_went_wrong(y[i], rd[i])))
    num = ~exact
    for i in np.flatnonzero(num & ynan):
        specials.append((i, "NaN where a number is due"))
    rinf = np.isinf(rd)
    for i in np.flatnonzero(num & rinf & ~ynan & (y != rd)):
        specials.append((i, "no overflow to inf where the rounded value overflows"))
    for i in np.flatnonzero(num & ~rinf & np.isinf(y)):
        specials.append((i, "inf where a finite number is due"))
    zs = num & (y == 0) & (rd == 0) & (hi != 0) & (np.signbit(y) != np.signbit(hi))
    for i in np.flatnonzero(zs):
        specials.append((i, "wrong sign of zero"))
    # errors of the specials are reported as such, not as ULP
    kill = exact | (num & (ynan | rinf | np.isinf(y)))
    err = np.where(kill, 0.0, err)
    err_abs = np.where(kill, 0.0, err_abs)
    return err, err_abs, specials


def references64(name, xs, gs, workers, progress, cache):
    sub = subject(name)
    params = sub.params
    key = None
    if cache:
        import hashlib
        h = hashlib.sha256()
        h.update(repr((REF_VERSION, PREC, sub.name, params)).encode())
        h.update(xs.tobytes())
        h.update(gs.tobytes())
        key = os.path.join(cache, f"ref64-{sub.name}-{h.hexdigest()[:20]}.npz")
        if os.path.exists(key):
            z = np.load(key)
            return tuple({k[len(p) + 1:]: z[k] for k in z.files if k.startswith(p + ".")}
                         for p in ("f", "d", "b"))
    step = 512
    # a registry kernel goes to the workers by name; a Subject of a test stays here
    who = name if isinstance(name, str) else sub
    tasks = [(who, params, xs[i:i + step], gs[i:i + step], PREC)
             for i in range(0, len(xs), step)]
    results = []
    if workers <= 1 or len(tasks) < 4 or who is sub:
        for t in tasks:
            results.append(mp_chunk(t))
            if progress:
                progress.step(len(t[2]))
    else:
        import multiprocessing as mpr
        ctx = mpr.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ctx.Pool(workers) as pool:
            for res in pool.imap(mp_chunk, tasks, chunksize=1):
                results.append(res)
                if progress:
                    progress.step(step)
    f = concat([r[0] for r in results])
    d = concat([r[1] for r in results])
    b = concat([r[2] for r in results])
    if key:
        os.makedirs(cache, exist_ok=True)
        arrays = {f"{p}.{k}": v for p, dd in (("f", f), ("d", d), ("b", b)) for k, v in dd.items()}
        np.savez(key, **arrays)
    return f, d, b


def measure_kernel64(name, quick, workers, progress, cache, points=None, seed=0):
    """The rows (one per kind) of a kernel (a name, or a Subject) in float64."""
    sub = subject(name)
    M = sub.max_derivative
    params = sub.params
    n = points or (QUICK_POINTS64 if quick else POINTS64)
    xs = np.concatenate([special_points64(sub), sample_points64(sub, n, seed)])
    # the zeros of f after the others, so that each earlier point keeps its g
    xs = np.concatenate([xs, zero_points64(sub, after=xs)])
    gs = g_for(len(xs))
    t0 = time.perf_counter()
    if progress:
        progress.start(f"float64 {sub.name}: mpmath references", len(xs))
    ref_f, ref_d, ref_b = references64(name, xs, gs, workers, progress, cache)
    if progress:
        progress.done()
    t_ref = time.perf_counter() - t0
    rows = []
    kinds = kinds_of(sub)
    for kind in kinds:
        t1 = time.perf_counter()
        st = new_stats(sub, kind, "float64")
        u = sub.functions[kind]
        ref = {"forward": ref_f, "derivative": ref_d, "backward": ref_b,
               "derivative_from_output": ref_d, "backward_from_output": ref_b}[kind]
        x, g, d_rd = xs, gs, ref_d["rd"]
        if kind in ("forward", "derivative"):
            data = [x]
        elif kind == "backward":
            data = [g, x]
        else:
            with np.errstate(all="ignore"):
                yf = sub.functions["forward"](x, *params)
            keep = from_output_valid(sub, "float64", yf)
            if not keep.all():
                st.skipped = int(np.count_nonzero(~keep))
                x, g, yf, d_rd = x[keep], g[keep], yf[keep], d_rd[keep]
                ref = {k: v[keep] for k, v in ref.items()}
            data = [yf] if kind == "derivative_from_output" else [g, yf]
        legit = np.isinf(ref["rd"]) & np.isfinite(x)
        y = call_checked(st, u, data, params, x, np.float64, legit)
        err, err_abs, specials = errors64(y, ref, abs_unit(M, d_rd))
        if "backward" in kind:
            # g times f' rounded: inf where f' rounds to inf (from y too: exponential's
            # f' = y, inf past the overflow threshold), even where g f' is finite
            specials = _drop_inf_backward(specials, y, g, x, d_rd)
        if "backward" in kind:
            err_abs = err_abs / np.abs(g)               # in |g| eps M
        for i, what in specials:
            st.special(what, x[i], y[i], ref["rd"][i])
        window = crossing_window(sub, x)
        win = True if "from_output" in kind else (window if kind != "forward" else None)
        st.add(len(x), x, y, ref["rd"], err, err_abs if win is not None else None, win)
        st.seconds = time.perf_counter() - t1 + t_ref / len(kinds)
        rows.append(st.row())
    return rows


def _drop_inf_backward(specials, y, gs, xs, d_rd):
    ok = f_overflows(y, gs, d_rd, xs)
    return [(i, what) for i, what in specials if not ok[i]]


