"""The functions that are not activation records (``fastact.logsumexp``,
``sparsemax``): rows in the tool's format, float32 and float64 alike against mpmath (a
float32 input is exact in mpmath), with the bounds and units of each function's
``ACCURACY`` (``fastact/_api/_logsumexp.py``, ``_sparsemax.py``: the reasoning is there).

* logsumexp, sparsemax: the softmax rows of ``axis`` (lengths 1 to 128, scales 1e-3 to
  1e3, masked -inf entries, large offsets), one grad_output per row for logsumexp (its
  backward is grad_output times the softmax) and a random row of them for sparsemax.

Special values (NaN, infinities, empty and fully masked rows) are checked exactly, and
every call runs with NumPy's floating-point flags caught.
"""

import math
import time

import numpy as np

from .axis import _axis_rows
from .flags import FlagCatcher
from .mp_refs import mp_init
from .stats import Stats, what_went_wrong
from .units import ulp_of

FUNCTIONS = ("logsumexp", "sparsemax")
ROWS, QUICK_ROWS = 2000, 200                 # logsumexp's and sparsemax's rows

LEFT_OUT = {("logsumexp", "forward"): "",
            ("logsumexp", "backward"): "a subnormal reference (softmax underflowing)",
            ("sparsemax", "forward"): "",
            ("sparsemax", "backward"): "rows with an entry within rounding of the threshold"}
EPS = {"float32": 2.0 ** -23, "float64": 2.0 ** -52}


def bounds(name):
    """The function's ACCURACY: {kind: {"bound": ..., "unit": ...}}."""
    import fastact
    return type(getattr(fastact, name)).ACCURACY


def measure(name, dtype, quick=True, seed=0):
    """The rows of one function (forward, backward) in one dtype."""
    t0 = time.perf_counter()
    rows = {"logsumexp": _logsumexp, "sparsemax": _sparsemax}[name](dtype, quick, seed)
    out = []
    for st in rows:
        st.seconds = (time.perf_counter() - t0) / len(rows)
        r = st.row()
        # (the tool's "skipped" means y overflowing in a from-output form: not these)
        r["left_out"], r["skipped"] = r["skipped"], 0
        r["left_out_why"] = LEFT_OUT[name, st.kind]
        unit = bounds(name)[st.kind]["unit"]
        if unit != "ulp":
            r["max_ulp"], r["ulp_bound"], r["abs_where"] = None, None, unit
        out.append(r)
    return out


def _stats(name, kind, dtype):
    b = bounds(name)[kind]
    if b["unit"] == "ulp":
        return Stats(name, kind, dtype, b["bound"][dtype])
    return Stats(name, kind, dtype, None, b["bound"][dtype], True)


def _run(st, catcher, f, *args, **kwargs):
    """f(*args) with NumPy's floating-point flags caught (a flag fails the row)."""
    y, hits = catcher.run(lambda *a: f(*a, **kwargs), *args)
    if hits:
        st.flag(",".join(sorted(set(hits))), np.ravel(args[-1])[0] if np.size(args[-1]) else 0)
    return y


def _special(st, x, got, want):
    """An exact expected result (NaN, an infinity, a signed zero, an exact value)."""
    got, want = float(got), float(want)
    same = (got != got and want != want) or (got == want and math.copysign(1, got)
                                             == math.copysign(1, want))
    if not same:
        st.special(what_went_wrong(got, want), x, got, want)


def _add(st, x, got, ref, unit):
    """One block of points: |got - ref| / unit (mpf references; unit: float64 array);
    the ULP rows fill the ULP column, the others the absolute one."""
    err = np.array([float(abs(mp_init().mpf(float(g)) - r)) for g, r in zip(got, ref)])
    err = err / unit
    x, got = np.asarray(x, np.float64), np.asarray(got, np.float64)
    refs = np.array([float(r) for r in ref])
    if st.ulp_bound is not None:
        st.add(len(err), x, got, refs, err, None, None)
    else:
        st.add(len(err), x, got, refs, np.zeros_like(err), err, True)


# ---- logsumexp ------------------------------------------------------------------------

def _rows(dtype, quick, seed):
    rows = _axis_rows(QUICK_ROWS if quick else ROWS, seed)
    with np.errstate(all="ignore"):                 # float32: a large offset stays finite
        return [r.astype(dtype) for r in rows]


def _logsumexp(dtype, quick, seed):
    import fastact
    mp = mp_init()
    f = fastact.logsumexp
    rows = _rows(dtype, quick, seed)
    rng = np.random.default_rng([seed, 29])
    gs = rng.standard_normal(len(rows)).astype(dtype)
    st_f, st_b = _stats("logsumexp", "forward", dtype), _stats("logsumexp", "backward", dtype)
    c = FlagCatcher()
    ulp = ulp_of(dtype)
    for x, g in zip(rows, gs):
        y = _run(st_f, c, f, x)
        dx = _run(st_b, c, f.backward, g, x)
        xs = [mp.mpf(float(v)) for v in x if v != -np.inf]
        m = max(xs)
        s = mp.fsum(mp.exp(v - m) for v in xs)
        lse = m + mp.log(s)
        # the forward: |y - lse| in eps * (1 + |max x| + log n) (the unit of its terms)
        _add(st_f, x[:1], [y], [lse], EPS[dtype] * (1 + abs(float(m)) + math.log(len(x))))
        # the backward: g * softmax, in ULP / (1 + |x_i - max x| + n/8) (softmax's unit)
        p = [mp.mpf(float(g)) * (mp.exp(mp.mpf(float(v)) - lse) if v != -np.inf else 0)
             for v in x]
        r = np.array([float(v) for v in p])
        keep = np.abs(r) >= float(np.finfo(dtype).tiny)
        st_b.skipped += int(np.count_nonzero(~keep & (x != -np.inf)))
        for i in np.flatnonzero(x == -np.inf):
            _special(st_b, x[i], dx[i], 0.0 * g)           # g * 0: -0.0 for g < 0
        d = np.abs(x.astype(np.float64) - float(m))
        _add(st_b, x[keep], dx[keep], [v for v, k in zip(p, keep) if k],
             ulp(r[keep]) * (1 + d[keep] + len(x) / 8))
    inf, nan = math.inf, math.nan
    for x, want in (([nan, 1.0], nan), ([inf, 1.0], inf), ([inf, -inf], inf),
                    ([-inf, -inf], -inf), ([], -inf), ([inf, nan], nan), ([-inf, 0.0], 0.0)):
        _special(st_f, np.nan if not x else x[0],
                 _run(st_f, c, f, np.array(x, dtype)), want)
    # PyTorch's and JAX's gradient e^(x - lse) where lse is infinite: NaN at +inf, 0 at
    # the finite entries; NaN along a row of -inf
    for x, want in (([nan, 1.0], [nan, nan]), ([-inf, 0.0], [0.0, 1.0]),
                    ([0.0, 0.0], [0.5, 0.5]), ([inf, 1.0], [nan, 0.0]),
                    ([inf, inf, -inf], [nan, nan, 0.0]), ([-inf, -inf], [nan, nan])):
        got = _run(st_b, c, f.backward, np.asarray(1.0, dtype), np.array(x, dtype))
        for xv, gv, wv in zip(x, got, want):
            _special(st_b, xv, gv, wv)
    return [st_f, st_b]


# ---- sparsemax ------------------------------------------------------------------------

def _mp_sparsemax(mp, x):
    """The exact projection of a row onto the simplex, the threshold tau, and the support
    (y > 0); -inf entries are 0."""
    z = [mp.mpf(float(v)) for v in x if v != -np.inf]
    srt = sorted(z, reverse=True)
    cum, k, csum = mp.mpf(0), 0, mp.mpf(0)
    for i, v in enumerate(srt, 1):
        cum += v
        if 1 + i * v > cum:
            k, csum = i, cum
    tau = (csum - 1) / k
    y = [max(mp.mpf(float(v)) - tau, mp.mpf(0)) if v != -np.inf else mp.mpf(0) for v in x]
    return y, tau


def _sparsemax(dtype, quick, seed):
    import fastact
    mp = mp_init()
    f = fastact.sparsemax
    rows = _rows(dtype, quick, seed)
    rng = np.random.default_rng([seed, 31])
    st_f, st_b = _stats("sparsemax", "forward", dtype), _stats("sparsemax", "backward", dtype)
    c = FlagCatcher()
    eps = EPS[dtype]
    for x in rows:
        g = rng.standard_normal(x.size).astype(dtype)
        y = _run(st_f, c, f, x)
        dx = _run(st_b, c, f.backward, g, x)
        yr, tau = _mp_sparsemax(mp, x)
        # the forward: |y - y_exact| in eps (y is in [0, 1]; see Sparsemax.ACCURACY)
        _add(st_f, x, y, yr, np.full(x.size, eps))
        # the backward depends on the support only: a row with an entry within rounding
        # of the threshold has no determined support, and is left out
        dist = [abs(mp.mpf(float(v)) - tau) for v in x if v != -np.inf]
        m = float(np.max(x[x != -np.inf]))
        if min(dist) < 64 * eps * (1 + abs(m)):
            st_b.skipped += x.size
            continue
        sup = [v > 0 for v in yr]
        gs = [mp.mpf(float(v)) for v in g]
        mean = mp.fsum(gv for gv, s in zip(gs, sup) if s) / sum(sup)
        br = [gv - mean if s else mp.mpf(0) for gv, s in zip(gs, sup)]
        # in eps * max |g| over the row (the mean's terms)
        _add(st_b, x, dx, br, np.full(x.size, eps * float(np.max(np.abs(g)))))
    inf, nan = math.inf, math.nan
    for x, want in (([inf, 1.0], [1.0, 0.0]), ([inf, inf, 0.0], [0.5, 0.5, 0.0]),
                    ([nan, 1.0], [nan, nan]), ([-inf, -inf], [nan, nan]),
                    ([-inf, 1.0], [0.0, 1.0]), ([5.0], [1.0]), ([0.0, 0.0], [0.5, 0.5])):
        got = _run(st_f, c, f, np.array(x, dtype))
        for xv, gv, wv in zip(x, got, want):
            _special(st_f, xv, gv, wv)
    for x, want in (([nan, 1.0], [nan, nan]), ([3.0, 0.0], [0.0, 0.0]),
                    ([0.0, 0.0], [0.5, -0.5])):
        got = _run(st_b, c, f.backward, np.array([1.0, 0.0], dtype), np.array(x, dtype))
        for xv, gv, wv in zip(x, got, want):
            _special(st_b, xv, gv, wv)
    return [st_f, st_b]
