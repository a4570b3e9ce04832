"""The second derivative f'' (``NAME_second_derivative``), one more row per kernel whose
record gives it (``mp_second``), with the bounds of its Accuracy (``second_derivative``
in ULP; within the halfwidths of ``crossings2``, the zeros of f'', the absolute error in
units of abs_eps * eps * max|f''|, max|f''| taken over the float64 sample):

* float64: the special values, the kinks, the zeros of f and of f' and f'' with their
  neighbours and sampled points (as float64.py, fewer in a full run: mpmath is serial
  here) against the record's mp_second at 180 bits; at +-inf the pure-Python
  reference's limit, exactly (the sign of zero too).
* float32: the float32 loop widens to double and rounds once, so every sampled float32
  pattern (every 257th, --quick every 4099th) against the float64 kernel on the widened
  input, in float32 ULP.
"""

import math
import time

import numpy as np

from .facts import EPS, PREC, QUICK_STRIDE32, SUB_STRIDE32, subject
from .flags import call_checked
from .float64 import errors64
from .mp_refs import encode, mp_context
from .sampling import _neighbours64, sample_points64, special_points32, special_points64
from .stats import Stats, what_went_wrong
from .units import ulp32

KIND = "second_derivative"
POINTS = 1 << 16              # float64 points in a full run (3000 with --quick)


def has_second(name):
    sub = subject(name)
    return getattr(sub.record, "mp_second", None) is not None and KIND in sub.functions


def _window(acc, x):
    if not acc.crossings2:
        return None
    w = np.zeros(x.shape, bool)
    for c, hw in acc.crossings2:
        w |= np.abs(x - c) <= hw
    return w


def _reference(rec, x, params):
    """f''(x): an mpf, or a float where the exact double is due (NaN; the limits at
    +-inf, the pure-Python reference's, sign of zero included; what mp_second gives as a
    float: NaN outside the domain, logit's poles)."""
    mp = mp_context(PREC)
    if x != x:
        return math.nan
    if math.isinf(x):
        return float(rec.ref_second(x, *params))
    return rec.mp_second(mp.mpf(x), *[mp.mpf(p) for p in params])


def _stats(sub, dtype):
    acc = sub.accuracy
    return Stats(sub.name, KIND, dtype, acc.second_derivative,
                 acc.abs_eps if acc.crossings2 else None)


def measure64(name, quick=True, seed=0, points=None):
    sub = subject(name)
    acc, rec, params = sub.accuracy, sub.record, sub.params
    t0 = time.perf_counter()
    n = points or (3000 if quick else POINTS)
    pts = [special_points64(sub), sample_points64(sub, n, seed)]
    for c, hw in acc.crossings2:
        pts += [np.array(_neighbours64(float(c), 32)), np.linspace(c - hw, c + hw, 64)]
    xs = np.unique(np.concatenate(pts).view(np.uint64)).view(np.float64)
    ref = encode([_reference(rec, x, params) for x in xs.tolist()])
    rd = ref["rd"]
    finite = np.isfinite(rd)
    M = float(np.max(np.abs(rd[finite]))) if finite.any() else 1.0
    st = _stats(sub, "float64")
    y = call_checked(st, sub.functions[KIND], [xs], params, xs, np.float64,
                     np.isinf(rd) & np.isfinite(xs))
    err, err_abs, specials = errors64(y, ref, max(M, 1e-300))
    for i, what in specials:
        st.special(what, xs[i], y[i], rd[i])
    window = _window(acc, xs)
    st.add(len(xs), xs, y, rd, err, err_abs if window is not None else None, window)
    st.seconds = time.perf_counter() - t0
    return st.row()


def measure32(name, quick=True, stride=None):
    sub = subject(name)
    acc, params = sub.accuracy, sub.params
    t0 = time.perf_counter()
    step = stride or (QUICK_STRIDE32 if quick else SUB_STRIDE32)
    u = sub.functions[KIND]
    p32 = [np.float32(p) for p in params]
    st = _stats(sub, "float32")
    ys64 = []
    for lo in range(0, 1 << 32, step << 18):
        bits = np.arange(lo, min(lo + (step << 18), 1 << 32), step, dtype=np.uint64)
        x = np.concatenate([bits.astype(np.uint32).view(np.float32), special_points32(sub)]) \
            if lo == 0 else bits.astype(np.uint32).view(np.float32)
        with np.errstate(all="ignore"):     # (signalling NaN patterns: "invalid")
            x64 = x.astype(np.float64)
        y = call_checked(st, u, [x], p32, x64, np.float32)
        with np.errstate(all="ignore"):
            r = u(x64, *[float(p) for p in p32])
            rounded = r.astype(np.float32)
            y64 = y.astype(np.float64)
        ys64.append(r[np.isfinite(r)])
        # the specials: NaN for NaN, overflow exactly where the rounded value overflows
        both_nan = np.isnan(y64) & np.isnan(r)
        bad = (np.isnan(y64) != np.isnan(r)) | (np.isinf(y64) != np.isinf(rounded))
        for i in np.flatnonzero(bad)[:8]:
            st.special(what_went_wrong(y64[i], r[i]), x64[i], y64[i], r[i])
        ok = ~(bad | both_nan | np.isinf(y64))
        with np.errstate(all="ignore"):
            err = np.where(ok, np.abs(y64 - r) / ulp32(r), 0.0)
        window = _window(acc, x64)
        err_abs = None
        if window is not None:
            M = max(float(np.max(np.abs(np.concatenate(ys64)))), 1e-300)
            with np.errstate(all="ignore"):
                err_abs = np.where(ok, np.abs(y64 - r) / (EPS["float32"] * M), 0.0)
        st.add(len(x), x64, y64, r, err, err_abs, window)
    st.seconds = time.perf_counter() - t0
    return st.row()


def measure(name, dtype, quick=True, seed=0, points=None, stride=None):
    """The f'' row of a kernel in dtype, or [] where its record has no f''."""
    if not has_second(name):
        return []
    if dtype == "float64":
        return [measure64(name, quick, seed, points)]
    return [measure32(name, quick, stride)]
