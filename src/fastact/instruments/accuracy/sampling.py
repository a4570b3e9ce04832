"""Where the accuracy tool measures: the special values (signed zeros, subnormals, the
range's ends, infinities, NaN), the branch points, the record's kinks and the zeros of f'
(crossings) with their neighbours, the zeros of f (found from the record's references),
and points sampled over each binade and the central range."""

import math

import numpy as np

from .facts import subject
from .mp_refs import mp_context


_F64_SPECIALS = (0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308,
                 1e-300, -1e-300, 1e-20, -1e-20, 1.0, -1.0, 1.7976931348623157e308,
                 -1.7976931348623157e308, math.inf, -math.inf, math.nan)
_BRANCHES = (3.0, 6.0, 20.0, 36.0, 37.0, 38.0, 40.0, 60.0, 708.0, 709.78, 745.13, 746.0,
             1000.0, 1e4, 1e20, 1e100, 1e200, 1e300)


def _neighbours64(c, k=4):
    out = [c]
    up = dn = c
    for _ in range(k):
        up = np.nextafter(up, np.inf)
        dn = np.nextafter(dn, -np.inf)
        out += [float(up), float(dn)]
    return out


def special_points64(name):
    """The special values, branch points, kinks and crossings (zeros of f') with their
    neighbours (the zeros of f: zero_points64)."""
    acc = subject(name).accuracy
    pts = list(_F64_SPECIALS)
    for b in _BRANCHES:
        pts += _neighbours64(b, 1) + _neighbours64(-b, 1)
    for c in acc.kink_xs:
        pts += _neighbours64(float(c), 8)
    for c, w in acc.crossings:
        pts += _neighbours64(float(c), 32)
        pts += _ulps_away64(float(c))
    return _unique(np.array(pts, np.float64))


def _ulps_away64(c):
    out = []
    for j in range(6, 52, 3):           # 2**j ULP away on both sides
        u = math.ulp(c) * 2.0 ** j
        out += [c + u, c - u]
    return out


def _unique(a, after=None):
    """a without duplicates (by bit pattern, so that -0.0 stays, NaN once), in its order;
    without the values of `after` too (points appended after those)."""
    bits = a.view(np.uint64 if a.dtype == np.float64 else np.uint32)
    _, idx = np.unique(bits, return_index=True)
    idx = np.sort(idx)
    if after is not None:
        idx = idx[~np.isin(bits[idx], after.view(bits.dtype))]
    return a[idx]


# ---- the zeros of f -----------------------------------------------------------------
# Near a zero of f its formula may cancel (s * x^2 + b at sqrt(-b / s)): the relative error
# is unbounded there, as near a zero of f' for the derivative, and uniform sampling all but
# never lands close enough to see it.  The zeros are found from the record, not declared in
# it: sign changes of the pure-Python reference on a fine grid over the span (and the
# domain), each refined by bisection on the mpmath reference to adjacent doubles.

GRID = 20001        # uniform points over [-span, span]; a tenth as many log-spaced near 0
_ZEROS = {}


def _sign_mp(mp_f, x, params):
    try:
        v = mp_f(mp_context().mpf(x), *params)
    except (ValueError, ZeroDivisionError, OverflowError):
        return 0
    return 0 if v != v else (v > 0) - (v < 0)


def _bisect(mp_f, a, b, params):
    """The double nearest a sign change of mp_f in [a, b] (None: no sign change there)."""
    sa, sb = _sign_mp(mp_f, a, params), _sign_mp(mp_f, b, params)
    if sa == 0:
        return a
    if sb == 0:
        return b
    if sa == sb:
        return None             # the pure-Python reference's sign was wrong: no zero
    while True:
        m = a + (b - a) / 2
        if m in (a, b):                 # adjacent doubles: the one nearer the zero
            fa, fb = (abs(mp_f(mp_context().mpf(t), *params)) for t in (a, b))
            return a if fa <= fb else b
        sm = _sign_mp(mp_f, m, params)
        if sm == 0:
            return m
        a, b = (m, b) if sm == sa else (a, m)


def zeros_of_f(name):
    """The zeros of f (sign changes, jumps across zero included) within the span and the
    domain, as doubles, from the record's references (name: a kernel's, or a Subject)."""
    sub = subject(name)
    key = (id(sub.record), sub.name, sub.params)
    if key in _ZEROS:
        return _ZEROS[key]
    rec = sub.record
    span = float(sub.accuracy.span)
    lo, hi = max(-span, rec.domain[0]), min(span, rec.domain[1])
    grid = np.concatenate([np.linspace(lo, hi, GRID), [0.0],
                           np.geomspace(1e-8, span, GRID // 10),
                           -np.geomspace(1e-8, span, GRID // 10)])
    grid = np.unique(grid[(grid >= lo) & (grid <= hi)])
    vals = np.empty(grid.size)
    for i, x in enumerate(grid.tolist()):
        try:
            vals[i] = rec.ref_forward(x, *sub.params)
        except (ValueError, ZeroDivisionError, OverflowError):
            vals[i] = math.nan
    s = np.where(np.isnan(vals), np.nan, np.sign(vals))
    brackets = [(grid[i], grid[i + 1]) for i in np.flatnonzero(s[:-1] * s[1:] < 0)]
    brackets += [(grid[i - 1], grid[i + 1]) for i in np.flatnonzero(s == 0)
                 if 0 < i < grid.size - 1 and s[i - 1] * s[i + 1] < 0]
    mp = mp_context()
    params = [mp.mpf(p) for p in sub.params]
    zeros = {_bisect(rec.mp_forward, float(a), float(b), params) for a, b in brackets}
    _ZEROS[key] = tuple(sorted(z for z in zeros if z is not None))
    return _ZEROS[key]


def zero_points64(name, after=None):
    """The zeros of f with their neighbours (as the crossings'), without the points of
    `after` (the measurement appends them to its other points)."""
    pts = []
    for c in zeros_of_f(name):
        pts += _neighbours64(c, 32) + _ulps_away64(c)
    return _unique(np.array(pts, np.float64), after)


def zero_points32(name, after=None):
    """zero_points64 for float32: each zero rounded to float32, its 32 float32 neighbours on
    either side and 2**j float32 ULP away."""
    pts = []
    for c in zeros_of_f(name):
        c32 = np.float32(c)
        up = dn = c32
        pts.append(c32)
        for _ in range(32):
            up = np.nextafter(up, np.float32(np.inf))
            dn = np.nextafter(dn, np.float32(-np.inf))
            pts += [up, dn]
        u = np.spacing(np.abs(c32))
        for j in range(6, 23, 2):
            pts += [c32 + u * np.float32(2.0 ** j), c32 - u * np.float32(2.0 ** j)]
    return _unique(np.array(pts, np.float32), after)


def sample_points64(name, n, seed=0):
    """n points: log-uniform over the binades up to the span, uniform in [-span, span] and
    [-10, 10], and a few log-uniform over every binade (subnormals to DBL_MAX)."""
    span = float(subject(name).accuracy.span)
    rng = np.random.default_rng([seed, sum(map(ord, subject(name).name))])
    n1, n2, n3 = int(n * 0.4), int(n * 0.2), int(n * 0.25)
    n4 = n - n1 - n2 - n3
    lo = math.log2(1e-300)
    parts = [
        np.exp2(rng.uniform(lo, math.log2(span * 1.1), n1)),
        rng.uniform(0, span * 1.02, n2),
        rng.uniform(0, min(span, 10.0), n3),
        np.exp2(rng.uniform(-1074, 1024, n4)),
    ]
    x = np.concatenate(parts)
    x = np.where(rng.random(n) < 0.5, -x, x)
    x[~np.isfinite(x)] = 1.7976931348623157e308
    return x


_F32_SPECIAL_BITS = np.array(
    [0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
     0x80800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
     0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff, 0x7fa00000], np.uint32)


def special_points32(name):
    """special_points64 rounded to float32, with the neighbours of the rounded values and
    the special bit patterns (NaN payloads, subnormals, the range's ends)."""
    x64 = special_points64(name)
    with np.errstate(all="ignore"):
        x32 = x64.astype(np.float32)
    # neighbours of the float32-rounded kinks too
    extra = []
    for v in x32[np.isfinite(x32)]:
        extra += [np.nextafter(v, np.float32(np.inf)), np.nextafter(v, np.float32(-np.inf))]
    allx = np.concatenate([x32, np.array(extra, np.float32), _F32_SPECIAL_BITS.view(np.float32)])
    return _unique(allx)


