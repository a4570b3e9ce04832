"""The mpmath references, as values and as arrays (mp_chunk: the worker that computes a
chunk of points' forward, derivative and backward references)."""

import math

import numpy as np

from ...records import _mp as _rmp
from .facts import PREC, subject

# ---- mpmath references ------------------------------------------------------------------
# Each record's mp_forward / mp_derivative (fastact/records/<name>.py, with the shared
# helpers of records/_mp.py) takes a finite mpf x and the parameters as mpf, and returns an
# mpf, at mp.prec bits.  Limits at +-inf are the record's `limits`: a float is the exact
# expected result (sign of zero included), an mpf (or a callable giving one) a value
# measured in ULP like any other.


def mp_init(prec=PREC):
    """mpmath's context set to prec bits (the records' references compute in it)."""
    return _rmp.init(prec)


def mp_context(prec=PREC):
    """mpmath's context at prec bits, set only if it is not already."""
    return mp_init(prec) if _rmp.mp is None or _rmp.mp.prec != prec else _rmp.mp


def reference(name, which, x, params=None, prec=PREC):
    """The mpmath reference f(x) (which=0) or f'(x) (which=1) at a Python float x (name: a
    kernel's, or a Subject).

    Returns an mpf, or a float where the exact double is due (NaN, the limits at +-inf,
    a signed zero)."""
    mp = mp_context(prec)
    sub = subject(name)
    params = sub.params if params is None else tuple(params)
    rec = sub.record
    ref = (rec.mp_forward, rec.mp_derivative)[which]
    if x != x:
        return math.nan
    if math.isinf(x):
        v = rec.limits[which][x > 0]
        if v is None:
            return mp.mpf(0)
        if callable(v):
            v = v(*params) if v.__code__.co_argcount else v()
        return v
    r = ref(mp.mpf(x), *[mp.mpf(p) for p in params])
    if which == 0 and x == 0 and r == 0:
        # f(+-0) = +-0 where f(0) = 0 and f'(0) != 0 (f is locally x times something).
        d = rec.mp_derivative(mp.mpf(0), *[mp.mpf(p) for p in params])
        if d != 0:
            return math.copysign(0.0, x) if d > 0 else -math.copysign(0.0, x)
    return r


# ---- reference values as arrays ----------------------------------------------------------
# A reference value is kept as cls (0: an mpf number; 1: an exact double, the value in
# `rd`), the correctly rounded double rd, and (hi, lo, e): r = (hi + lo) * 2**e with
# 1 <= |hi| < 2 (hi = lo = 0, e = -1074 for an exact zero), so that the error in ULP can be
# computed in NumPy exactly enough even where r is subnormal or out of range.

def round_double(v):
    """Correctly rounded double of an mpf (subnormals and overflow included)."""
    from mpmath import libmp
    m = v._mpf_
    if not v:
        return 0.0
    sign, man, exp, bc = m
    top = exp + bc - 1                      # |v| in [2**top, 2**(top+1))
    bits = 53 if top >= -1022 else max(1, 53 - (-1022 - top))
    if top < -1075:
        return -0.0 if sign else 0.0
    if top == -1075:
        # in [2**-1075, 2**-1074): the smallest subnormal, except 2**-1075 itself (a tie,
        # to even: 0); normalizing to 1 bit below would round twice
        return (-0.0 if sign else 0.0) if man == 1 else (-5e-324 if sign else 5e-324)
    s, man2, exp2, bc2 = libmp.normalize(sign, man, exp, bc, bits, libmp.round_nearest)
    if exp2 + bc2 - 1 >= 1024:
        return -math.inf if s else math.inf
    val = math.ldexp(float(man2), exp2) if bc2 <= 53 else math.ldexp(man2, exp2)
    return -val if s else val


def _split(v):
    """(hi, lo, e) with v = (hi + lo) * 2**e, 1 <= |hi| < 2."""
    if not v:
        return 0.0, 0.0, -1074
    sign, man, exp, bc = v._mpf_
    e = exp + bc - 1
    w = _rmp.mp.ldexp(v, -e)
    hi = float(w)
    lo = float(w - hi)
    return hi, lo, e


def encode(vals):
    n = len(vals)
    cls = np.zeros(n, np.int8)
    rd = np.empty(n)
    hi = np.zeros(n)
    lo = np.zeros(n)
    e = np.full(n, -1074, np.int32)
    for i, v in enumerate(vals):
        if isinstance(v, float):
            cls[i] = 1
            rd[i] = v
        else:
            rd[i] = round_double(v)
            hi[i], lo[i], e[i] = _split(v)
    return {"cls": cls, "rd": rd, "hi": hi, "lo": lo, "e": e}


def mp_chunk(args):
    """Worker: forward, derivative and g * derivative references at the points xs."""
    name, params, xs, gs, prec = args
    mp = mp_init(prec)
    fw, dv, bw = [], [], []
    for x, g in zip(xs.tolist(), gs.tolist()):
        f = reference(name, 0, x, params, prec)
        d = reference(name, 1, x, params, prec)
        fw.append(f)
        dv.append(d)
        if isinstance(d, float):
            b = g * d if d == d else d          # exact: g * (0, 1 or +-inf) or the limit
            if d not in (0.0, 1.0) and not math.isinf(d) and d == d:
                b = mp.mpf(g) * mp.mpf(d)
        else:
            b = mp.mpf(g) * d
        bw.append(b)
    return encode(fw), encode(dv), encode(bw)


def concat(parts):
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

