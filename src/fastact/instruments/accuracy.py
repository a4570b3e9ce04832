"""Accuracy of fastact's kernels: ``python -m fastact accuracy`` (or
``python -m fastact.instruments.accuracy``).

Measures every elementwise kernel's forward, derivative, backward and from-output forms,
and softmax / log_softmax, against a reference correct to well under an ULP of the result:

* float32: every float32 input (all 2**32 bit patterns, NaNs and infinities included) for
  the forward and the derivative, against the float64 kernel evaluated on the widened
  input.  The float64 kernel is itself measured against mpmath (below); its error, a few
  float64 ULP, is about 2**-29 of a float32 ULP, so it stands in for the exact value.
  The backward and the from-output forms use a strided subset (every 257th pattern).
  ``--quick`` takes every 4099th pattern plus the special values.
* float64: points spread log-uniformly over every binade from 1e-300 to each function's
  saturation point (and sparsely beyond, to DBL_MAX), uniformly over the central range,
  both signs, plus the kinks, the zero crossings of f' with their neighbours and the
  special values, against mpmath at 180 bits (54 digits).  The references evaluate the
  mathematical definitions, written only in forms without cancellation (log1p, expm1,
  exp of -|x|), which are identities, not approximations.

The error is in ULP of the correctly rounded reference, |y - r| / ulp(r), where ulp(r) is
the spacing of the dtype at r's binade (so that just below a power of two the smaller
spacing applies) and the smallest subnormal at and below the subnormal range.  Where f'
crosses zero the relative error is unbounded for any formula that adds terms of opposite
sign, so near the crossings (and for the from-output forms everywhere) the absolute error
is also reported, in units of eps * max|f'| (as oneDNN does).  Bounds live in
``fastact._registry.ACCURACY``.

Special values are checked separately: NaN in gives NaN out, no NaN where a number is due,
the limits at +-inf exactly, the sign of a zero result where it is determined (the
reference is a nonzero number that underflows, f(+-0) = +-0 for f with f(0) = 0 and
f'(0) != 0, one-sided limits), overflow to inf exactly where the correctly rounded value
overflows, and no floating-point flag raised (NumPy's RuntimeWarnings).

The gated activations (``accuracy_gated``) and the losses (``accuracy_losses``: each
row's loss, the reduced losses and value_and_grad's gradient against mpmath, with bounds
in ``fastact.losses.ACCURACY``) have modules of their own; ``--only`` takes their names.

``main(argv)`` is the command line; ``measure`` and ``measure_kernel`` return the rows as
dicts for the tests.
"""

import argparse
import importlib
import json
import math
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _registry
from ..records import _mp as _rmp
from .._dispatch import UFUNCS

KINDS = ("forward", "derivative", "backward", "derivative_from_output",
         "backward_from_output")
_SUFFIX = {"forward": "", "derivative": "_derivative", "backward": "_backward",
           "derivative_from_output": "_derivative_from_output",
           "backward_from_output": "_backward_from_output"}

PREC = 180                    # mpmath working precision in bits (54 decimal digits)
QUICK_STRIDE32 = 4099         # --quick: every 4099th float32 bit pattern
SUB_STRIDE32 = 257            # full run: backward and from-output on every 257th pattern
CHUNK32 = 1 << 18             # float32 patterns per chunk (cache-sized)
POINTS64 = 1 << 19            # full run: float64 points per kernel
QUICK_POINTS64 = 3000         # --quick: float64 points per kernel
AXIS_ROWS, QUICK_AXIS_ROWS = 2000, 200
SLACK = 1e-6                  # comparisons allow the float64 reference's own rounding
# g values for the backward: g * f'(x) is measured with these, cycled over the points.
# |g| <= 1: the kernels compute g * f'(x) from f'(x) rounded to float64, so a subnormal f'
# times a large g would show f''s absolute rounding error magnified (float32 is immune:
# its f' is a double).  The absolute-error criteria of the backward forms scale with |g|.
G_VALUES = (1.0, -1.0, 0.5, -0.1, 0.75, 1e-3, -0.3, -2.5e-6)

EPS = {"float32": 2.0 ** -23, "float64": 2.0 ** -52,
       "float16": 2.0 ** -10, "bfloat16": 2.0 ** -7}     # the 16-bit ones: accuracy16, bench
# the smallest subnormal of each format: the resolution of a result near 0
TINY = {"float32": 2.0 ** -149, "float64": 2.0 ** -1074,
        "float16": 2.0 ** -24, "bfloat16": 2.0 ** -133}
DTYPES = ("float32", "float64")
REF_VERSION = 1               # bump when a reference formula changes (invalidates --cache)


# ---- kernels, their parameters and facts ------------------------------------------------

def kernel_names():
    return [k.name for k in _registry.KERNELS]


def kernel_params(name):
    """The parameter values a kernel is measured at: its record's defaults, or for a
    general kernel (Record.general) the non-default set its record names."""
    return tuple(float(v) for v in _registry.KERNEL_BY_NAME[name].check)


def max_derivative(name):
    """sup |f'| of the kernel's activation (a general kernel's: at its parameters)."""
    rec = _registry.record_of_kernel(name)
    if rec.general is not None and rec.general.kernel == name:
        return float(rec.general.max_derivative)
    return float(rec.max_derivative)


def kinds_of(name):
    k = _registry.KERNEL_BY_NAME[name]
    return tuple(kd for kd in KINDS if k.from_output or "from_output" not in kd)


# ---- mpmath references ------------------------------------------------------------------
# Each record's mp_forward / mp_derivative (fastact/records/<name>.py, with the shared
# helpers of records/_mp.py) takes a finite mpf x and the parameters as mpf, and returns an
# mpf, at mp.prec bits.  Limits at +-inf are the record's `limits`: a float is the exact
# expected result (sign of zero included), an mpf (or a callable giving one) a value
# measured in ULP like any other.


def _mp_init(prec=PREC):
    return _rmp.init(prec)


def reference(name, which, x, params=None, prec=PREC):
    """The mpmath reference f(x) (which=0) or f'(x) (which=1) at a Python float x.

    Returns an mpf, or a float where the exact double is due (NaN, the limits at +-inf,
    a signed zero)."""
    mp = _mp_init(prec) if _rmp.mp is None or _rmp.mp.prec != prec else _rmp.mp
    params = kernel_params(name) if params is None else tuple(params)
    rec = _registry.record_of_kernel(name)
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

def _round_double(v):
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


def _encode(vals):
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
            rd[i] = _round_double(v)
            hi[i], lo[i], e[i] = _split(v)
    return {"cls": cls, "rd": rd, "hi": hi, "lo": lo, "e": e}


def _mp_chunk(args):
    """Worker: forward, derivative and g * derivative references at the points xs."""
    name, params, xs, gs, prec = args
    mp = _mp_init(prec)
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
    return _encode(fw), _encode(dv), _encode(bw)


def _concat(parts):
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


# ---- points -----------------------------------------------------------------------------

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
    acc = _registry.ACCURACY[name]
    pts = list(_F64_SPECIALS)
    for b in _BRANCHES:
        pts += _neighbours64(b, 1) + _neighbours64(-b, 1)
    for c in acc.kinks:
        pts += _neighbours64(float(c), 8)
    for c, w in acc.crossings:
        pts += _neighbours64(float(c), 32)
        for j in range(6, 52, 3):           # 2**j ULP away on both sides
            u = math.ulp(c) * 2.0 ** j
            pts += [c + u, c - u]
    a = np.array(pts, np.float64)
    # keep NaN once, drop duplicates (by bit pattern, so that -0.0 stays)
    _, idx = np.unique(a.view(np.uint64), return_index=True)
    return a[np.sort(idx)]


def sample_points64(name, n, seed=0):
    """n points: log-uniform over the binades up to the span, uniform in [-span, span] and
    [-10, 10], and a few log-uniform over every binade (subnormals to DBL_MAX)."""
    span = float(_registry.ACCURACY[name].span)
    rng = np.random.default_rng([seed, sum(map(ord, name))])
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


# ---- error statistics --------------------------------------------------------------------

class Stats:
    """Accumulates one row: (kernel or axis name, kind, dtype)."""

    def __init__(self, name, kind, dtype, ulp_bound, abs_bound=None, abs_everywhere=False):
        self.name, self.kind, self.dtype = name, kind, dtype
        self.ulp_bound, self.abs_bound, self.abs_everywhere = ulp_bound, abs_bound, abs_everywhere
        self.n = 0
        self.max_ulp, self.max_ulp_at = 0.0, None
        self.max_abs, self.max_abs_at = 0.0, None
        self.n_over_1ulp = 0
        self.n_fail = 0
        self.fail_examples = []
        self.n_special = 0
        self.special_examples = []
        self.flags = []
        self.seconds = 0.0
        self.lock = threading.Lock()

    def special(self, what, x, got, expected):
        with self.lock:
            self.n_special += 1
            if len(self.special_examples) < 8:
                self.special_examples.append(
                    {"what": what, "x": _fmt_num(x), "x_hex": _hex(x), "got": _fmt_num(got),
                     "expected": _fmt_num(expected)})

    def add(self, n, x, y, r, err_ulp, err_abs, window, ok=None):
        """err_ulp: ULP errors (specials already set to 0); err_abs: absolute errors in
        eps * M (None if no point is in the abs window); window: bool mask or None (None
        means none, True means all)."""
        if window is True:
            away = None
            ulp_all = err_ulp
        elif window is None:
            away = err_ulp
            ulp_all = err_ulp
        else:
            away = np.where(window, 0.0, err_ulp)
            ulp_all = err_ulp
        with self.lock:
            self.n += n
            src = ulp_all if window is True else away
            if src is not None and src.size:
                i = int(np.argmax(src))
                if src[i] > self.max_ulp or self.max_ulp_at is None:
                    self.max_ulp = float(src[i])
                    self.max_ulp_at = (float(x[i]), float(y[i]), float(r[i]))
                if src[i] > 1.0:
                    self.n_over_1ulp += int(np.count_nonzero(src > 1.0))
            ub = -1.0 if self.ulp_bound is None else self.ulp_bound
            if ok is not None and window is None:
                if bool(ok.all()):
                    return
                bad = ~ok
            else:
                bad = ~(err_ulp <= ub + SLACK)
            if err_abs is not None and window is not None:
                w = np.ones_like(bad) if window is True else window
                aw = np.where(w, err_abs, 0.0)
                j = int(np.argmax(aw))
                if w[j] and (aw[j] > self.max_abs or self.max_abs_at is None):
                    self.max_abs = float(aw[j])
                    self.max_abs_at = (float(x[j]), float(y[j]), float(r[j]))
                bad &= ~(w & (err_abs <= self.abs_bound + SLACK))
            nb = int(np.count_nonzero(bad))
            if nb:
                self.n_fail += nb
                for k in np.flatnonzero(bad)[:max(0, 5 - len(self.fail_examples))]:
                    self.fail_examples.append(
                        {"x": _fmt_num(x[k]), "x_hex": _hex(x[k]), "got": _fmt_num(y[k]),
                         "expected": _fmt_num(r[k]), "ulp": float(err_ulp[k])})

    def flag(self, what, x):
        with self.lock:
            if len(self.flags) < 8:
                self.flags.append({"flag": what, "x": _fmt_num(x), "x_hex": _hex(x)})

    def row(self):
        def at(t):
            if t is None:
                return None
            return {"x": _fmt_num(t[0], self.dtype), "x_hex": _hex(t[0]),
                    "got": _fmt_num(t[1], self.dtype), "reference": _fmt_num(t[2])}
        ok = self.n_fail == 0 and self.n_special == 0 and not self.flags
        return {
            "function": self.name, "kind": self.kind, "dtype": self.dtype, "points": self.n,
            "max_ulp": _json_float(self.max_ulp), "max_ulp_at": at(self.max_ulp_at),
            "over_1ulp": self.n_over_1ulp, "ulp_bound": self.ulp_bound,
            "max_abs_eps": _json_float(self.max_abs) if self.abs_bound is not None else None,
            "max_abs_at": at(self.max_abs_at), "abs_bound_eps": self.abs_bound,
            "abs_where": ("everywhere" if self.abs_everywhere else
                          "near zero crossings" if self.abs_bound is not None else None),
            "failures": self.n_fail, "failure_examples": self.fail_examples,
            "special_failures": self.n_special, "special_examples": self.special_examples,
            "fp_flags": self.flags, "ok": ok, "seconds": round(self.seconds, 3),
        }


def _json_float(v):
    if v != v or math.isinf(v):
        return str(v)
    return v


def _fmt_num(v, dtype="float64"):
    v = float(v)
    if dtype == "float32" and math.isfinite(v):
        return str(np.float32(v))
    return repr(v)


def _hex(v):
    v = float(v)
    if not math.isfinite(v):
        return repr(v)
    h = v.hex()                           # '-0x1.8000000000000p+1' -> '-0x1.8p+1'
    m, _, e = h.partition("p")
    if "." in m:
        m = m.rstrip("0").rstrip(".")
    return m + "p" + e


# ---- float64 against mpmath --------------------------------------------------------------

class _FlagCatcher:
    """Collects NumPy's floating-point warnings of a call (np.errstate with 'call')."""

    def __init__(self):
        self.hits = []

    def __call__(self, kind, flag):
        self.hits.append(kind)

    def run(self, f, *args):
        self.hits = []
        with np.errstate(divide="call", over="call", invalid="call", under="ignore",
                         call=self):
            out = f(*args)
        return out, list(self.hits)


def _locate_flag(f, args, data_idx):
    """Bisect the inputs of a call that raised a flag; returns the index of one culprit."""
    catcher = _FlagCatcher()
    lo, hi = 0, len(args[data_idx[0]])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        sub = [a[lo:mid] if (j in data_idx) else a for j, a in enumerate(args)]
        _, hits = catcher.run(f, *sub)
        if hits:
            hi = mid
        else:
            lo = mid
    return lo


def _call_checked(stats, ufunc, data, params, xs_for_report, dtype, legit=None):
    """Run a kernel with the FP-flag catcher; record flags with an input that raises.

    legit: mask of the inputs whose correctly rounded result overflows (a finite x with
    an infinite reference): an overflow flag there is IEEE's, as np.multiply's would be,
    so the call is repeated without them to see whether anything else raises."""
    p = [np.asarray(v, dtype) for v in params]
    catcher = _FlagCatcher()
    y, hits = catcher.run(ufunc, *data, *p)
    if hits and legit is not None and legit.any():
        keep = ~legit
        data = [d[keep] for d in data]
        xs_for_report = xs_for_report[keep]
        _, hits = catcher.run(ufunc, *data, *p)
    if hits:
        j = _locate_flag(ufunc, list(data) + p, list(range(len(data))))
        stats.flag(",".join(sorted(set(hits))), xs_for_report[j])
    return y


def _errors64(y, ref, M):
    """ULP and absolute (in eps * M) errors of float64 results y against encoded refs;
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
        specials.append((i, _what(y[i], rd[i])))
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


def _what(got, expected):
    if expected != expected:
        return "number where NaN is due"
    if got != got:
        return "NaN where a number is due"
    if math.isinf(expected) or math.isinf(got):
        return "wrong limit or infinity"
    if got == expected == 0:
        return "wrong sign of zero"
    return "wrong value where an exact value is due"


def _crossing_window(name, x):
    acc = _registry.ACCURACY[name]
    if not acc.crossings:
        return None
    w = np.zeros(x.shape, bool)
    for c, hw in acc.crossings:
        w |= np.abs(x - c) <= hw
    return w


def _g_for(n):
    return np.resize(np.array(G_VALUES), n)


def _references64(name, xs, gs, workers, progress, cache):
    params = kernel_params(name)
    key = None
    if cache:
        import hashlib
        h = hashlib.sha256()
        h.update(repr((REF_VERSION, PREC, name, params)).encode())
        h.update(xs.tobytes())
        h.update(gs.tobytes())
        key = os.path.join(cache, f"ref64-{name}-{h.hexdigest()[:20]}.npz")
        if os.path.exists(key):
            z = np.load(key)
            return tuple({k[len(p) + 1:]: z[k] for k in z.files if k.startswith(p + ".")}
                         for p in ("f", "d", "b"))
    step = 512
    tasks = [(name, params, xs[i:i + step], gs[i:i + step], PREC)
             for i in range(0, len(xs), step)]
    mod = importlib.import_module("fastact.instruments.accuracy")
    results = []
    if workers <= 1 or len(tasks) < 4:
        for t in tasks:
            results.append(mod._mp_chunk(t))
            if progress:
                progress.step(len(t[2]))
    else:
        import multiprocessing as mpr
        ctx = mpr.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ctx.Pool(workers) as pool:
            for res in pool.imap(mod._mp_chunk, tasks, chunksize=1):
                results.append(res)
                if progress:
                    progress.step(step)
    f = _concat([r[0] for r in results])
    d = _concat([r[1] for r in results])
    b = _concat([r[2] for r in results])
    if key:
        os.makedirs(cache, exist_ok=True)
        arrays = {f"{p}.{k}": v for p, dd in (("f", f), ("d", d), ("b", b)) for k, v in dd.items()}
        np.savez(key, **arrays)
    return f, d, b


def _measure_kernel64(name, quick, workers, progress, cache, points=None, seed=0):
    M = max_derivative(name)
    params = kernel_params(name)
    n = points or (QUICK_POINTS64 if quick else POINTS64)
    xs = np.concatenate([special_points64(name), sample_points64(name, n, seed)])
    gs = _g_for(len(xs))
    t0 = time.perf_counter()
    if progress:
        progress.start(f"float64 {name}: mpmath references", len(xs))
    ref_f, ref_d, ref_b = _references64(name, xs, gs, workers, progress, cache)
    if progress:
        progress.done()
    t_ref = time.perf_counter() - t0
    rows = []
    window = _crossing_window(name, xs)
    for kind in kinds_of(name):
        t1 = time.perf_counter()
        st = _new_stats(name, kind, "float64")
        u = UFUNCS[name + _SUFFIX[kind]]
        ref = {"forward": ref_f, "derivative": ref_d, "backward": ref_b,
               "derivative_from_output": ref_d, "backward_from_output": ref_b}[kind]
        legit = np.isinf(ref["rd"]) & np.isfinite(xs)
        if kind in ("forward", "derivative"):
            data = [xs]
        elif kind == "backward":
            data = [gs, xs]
        else:
            with np.errstate(all="ignore"):
                yf = UFUNCS[name](xs, *params)
            data = [yf] if kind == "derivative_from_output" else [gs, yf]
        y = _call_checked(st, u, data, params, xs, np.float64, legit)
        err, err_abs, specials = _errors64(y, ref, M)
        if kind == "backward":
            specials = _drop_inf_backward(specials, y, gs, xs, ref_d["rd"])
        if "backward" in kind:
            err_abs = err_abs / np.abs(gs)              # in |g| eps M
        for i, what in specials:
            exp_ = ref["rd"][i]
            st.special(what, xs[i], y[i], exp_)
        win = True if "from_output" in kind else (window if kind != "forward" else None)
        st.add(len(xs), xs, y, ref["rd"], err, err_abs if win is not None else None, win)
        st.seconds = time.perf_counter() - t1 + t_ref / len(kinds_of(name))
        rows.append(st.row())
    return rows


def _f_overflows(y, g, fd, x):
    """Where the backward g * f'(x) is +-inf because f'(x) itself rounds to +-inf (fd: f'
    as the dtype rounds it): the backward is g times f' rounded (docs/guide/backward.md), so that inf is
    its result even where g f' is finite (logit's f' = 1 / p for a subnormal p)."""
    with np.errstate(all="ignore"):
        return np.isinf(fd) & np.isfinite(x) & np.isinf(y) & (np.sign(y) == np.sign(g * fd))


def _drop_inf_backward(specials, y, gs, xs, d_rd):
    ok = _f_overflows(y, gs, d_rd, xs)
    return [(i, what) for i, what in specials if not ok[i]]


def ulp_bound(name, kind):
    """The registry's ULP bound for a kind."""
    acc = _registry.ACCURACY[name]
    if kind == "forward":
        return acc.forward
    if "backward" in kind:
        return acc.backward
    return acc.derivative


def _new_stats(name, kind, dtype):
    acc = _registry.ACCURACY[name]
    ub = ulp_bound(name, kind)
    if kind == "forward":
        return Stats(name, kind, dtype, ub)
    if "from_output" in kind:
        return Stats(name, kind, dtype, ub, acc.from_output_eps, True)
    return Stats(name, kind, dtype, ub, acc.abs_eps if acc.crossings else None)


# ---- float32: every input against the float64 kernel ---------------------------------------

_F32_SPECIAL_BITS = np.array(
    [0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
     0x80800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
     0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff, 0x7fa00000], np.uint32)


def special_points32(name):
    x64 = special_points64(name)
    with np.errstate(all="ignore"):
        x32 = x64.astype(np.float32)
    # neighbours of the float32-rounded kinks too
    extra = []
    for v in x32[np.isfinite(x32)]:
        extra += [np.nextafter(v, np.float32(np.inf)), np.nextafter(v, np.float32(-np.inf))]
    allx = np.concatenate([x32, np.array(extra, np.float32), _F32_SPECIAL_BITS.view(np.float32)])
    _, idx = np.unique(allx.view(np.uint32), return_index=True)
    return allx[np.sort(idx)]


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
    inf_ok: where an infinite backward is due to f' overflowing (_f_overflows)."""
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
    window = _crossing_window(name, x64)
    eps = EPS["float32"]
    for kind in kinds:
        st = stats[kind]
        u = UFUNCS[name + _SUFFIX[kind]]
        y, r = b.y[:n], b.r[:n]
        catcher = _FlagCatcher()
        inf_ok = None
        if kind in ("forward", "derivative"):
            _, h1 = catcher.run(lambda: u(x, *p32, out=y))
            _, h2 = catcher.run(lambda: u(x64, *p64, out=r))
            data32 = [x]
            xr = x
        else:
            g32 = _g_for(n).astype(np.float32)
            g64 = g32.astype(np.float64)
            dname = name + ("_derivative" if "backward" in kind else "_derivative")
            if "from_output" in kind:
                yf = UFUNCS[name](x, *p32)
                data32 = [yf] if kind == "derivative_from_output" else [g32, yf]
            else:
                data32 = [g32, x]
            _, h1 = catcher.run(lambda: u(*data32, *p32, out=y))
            # reference: f'(x) in float64 (times g for the backward forms)
            _, h2 = catcher.run(lambda: UFUNCS[dname](x64, *p64, out=r))
            if kind == "backward":
                with np.errstate(all="ignore"):
                    inf_ok = _f_overflows(y, g32, r.astype(np.float32), x)
            if "backward" in kind:
                np.multiply(r, g64, out=r)
            xr = x
        if h1:
            # an overflow where the rounded result overflows is IEEE's (see _call_checked)
            legit = np.isinf(r.astype(np.float32)) & np.isfinite(x)
            d32, xr_ = data32, xr
            if legit.any():
                d32 = [d[~legit] for d in data32]
                xr_ = xr[~legit]
                _, h1 = catcher.run(lambda: u(*d32, *p32))
            if h1:
                j = _locate_flag(u, d32 + p32, list(range(len(d32))))
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
                err_abs = np.abs(y - r) / (eps * M)
                if "backward" in kind:
                    err_abs /= np.abs(g64)
            err_abs[~np.isfinite(err_abs)] = 0.0
        st.add(n, xr, y, r, err, err_abs, win, ok)


def _measure_kernel32(name, quick, workers, progress, stride=None):
    params = kernel_params(name)
    M = max_derivative(name)
    kinds = kinds_of(name)
    stats = {k: _new_stats(name, k, "float32") for k in kinds}
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
        progress.start(f"float32 {name}: {'every input' if step_main == 1 else f'every {step_main}th input'}", npts)

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
    _chunk32(name, kinds, params, 0, 0, 1, stats, M, extra_x=special_points32(name))
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


# ---- axis kernels (softmax-type rows) ------------------------------------------------------

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
    _mp_init()
    rec = _registry.BY_NAME[name]
    xs, gs, ys = x.tolist(), g.tolist(), y.tolist()
    scale = rec.backward_scale(np.asarray(g, np.float64), np.asarray(y, np.float64))
    sign = rec.accuracy.sign
    m = max(sign * v for v in xs if math.isfinite(v))
    fwd = rec.mp_forward(xs)
    exact_y = np.array([v if isinstance(v, float) else _round_double(v) for v in fwd])
    scale_x = axis_backward_scale_x(name, np.asarray(x, np.float64), np.asarray(g, np.float64),
                                    exact_y, float(m))
    return (fwd, rec.mp_backward(gs, ys), [float(v) for v in scale], float(m),
            rec.mp_backward(gs, fwd), [float(v) for v in scale_x])


def _axis_chunk(args):
    name, rows, gs, ys = args
    _mp_init()
    out = []
    for x, g, y in zip(rows, gs, ys):
        fwd, bwd, sb, m, bwd_x, sb_x = _axis_ref(name, x, g, y)
        out.append(([_round_double(v) if not isinstance(v, float) else v for v in fwd],
                    [_round_double(v) for v in bwd], sb, m,
                    [_round_double(v) for v in bwd_x], sb_x))
    return out


def _ulp64(r):
    r = np.abs(np.asarray(r, np.float64))
    with np.errstate(all="ignore"):
        _, e = np.frexp(r)
    return np.ldexp(1.0, np.maximum(e - 53, -1074))


def _ulp32(r):
    r = np.abs(np.asarray(r, np.float64))
    with np.errstate(all="ignore"):
        _, e = np.frexp(r)
    return np.ldexp(1.0, np.maximum(e - 24, -149))


def ulp_of(dtype):
    """The function r -> ULP at r (float64 arrays) of a dtype's format, by name."""
    if dtype == "float64":
        return _ulp64
    if dtype == "float32":
        return _ulp32
    from .accuracy16 import ulp16         # float16, bfloat16 (accuracy16 imports this module)
    return lambda r: ulp16(np.asarray(r, np.float64), dtype)


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
    catcher = _FlagCatcher()
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
        mod = importlib.import_module("fastact.instruments.accuracy")
        if workers > 1:
            import multiprocessing as mpr
            ctx = mpr.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            with ctx.Pool(workers) as pool:
                refs = []
                for part in pool.imap(mod._axis_chunk, tasks):
                    refs += part
                    if progress:
                        progress.step(len(part))
        else:
            refs = []
            for t in tasks:
                refs += mod._axis_chunk(t)
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
            st_f.special(_what(y[i], fr[i]), x[i], y[i], fr[i])
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


# ---- public entry points -------------------------------------------------------------------

def measure_kernel(name, dtype, quick=True, workers=1, progress=None, cache=None, points=None,
                   stride=None, seed=0):
    """All rows (one per kind) for one elementwise kernel or axis kernel and dtype (or a
    gated activation: accuracy_gated; a loss: accuracy_losses)."""
    if name in _LOSSES:
        from . import accuracy_losses
        return accuracy_losses.measure(name, dtype, quick, seed)
    if name in _GATED:
        from . import accuracy_gated
        return accuracy_gated.measure(name, dtype, quick, seed)
    if name in _registry.AXIS_KERNELS:
        return measure_axis(name, dtype, quick, workers, progress, seed)
    if dtype == "float64":
        return _measure_kernel64(name, quick, workers, progress, cache, points, seed)
    return _measure_kernel32(name, quick, workers, progress, stride)


_GATED = tuple(a.name for a in _registry.GATED)
_LOSSES = ("cross_entropy", "binary_cross_entropy_with_logits")    # accuracy_losses.LOSSES
_MEMO = {}


def measure(kernel_name, kind, dtype, quick=True):
    """One row: the kind's statistics (a dict, see the JSON output); memoized per kernel."""
    key = (kernel_name, dtype, quick)
    if key not in _MEMO:
        _MEMO[key] = {r["kind"]: r for r in measure_kernel(kernel_name, dtype, quick)}
    return _MEMO[key][kind]


class Progress:
    """A one-line progress bar on stderr (a line every 10% when stderr is not a TTY)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.lock = threading.Lock()

    def start(self, label, total):
        self.label, self.total, self.count = label, max(1, total), 0
        self.t0 = time.perf_counter()
        self.last = -1

    def step(self, k):
        with self.lock:
            self.count += k
            frac = min(1.0, self.count / self.total)
            el = time.perf_counter() - self.t0
            if self.tty:
                bar = "#" * int(frac * 30)
                eta = el / frac - el if frac > 0 else 0
                self.stream.write(f"\r{self.label} [{bar:<30}] {frac * 100:5.1f}% "
                                  f"{el:6.1f}s eta {eta:5.0f}s ")
                self.stream.flush()
            elif int(frac * 10) != self.last:
                self.last = int(frac * 10)
                self.stream.write(f"{self.label}: {frac * 100:3.0f}% {el:.1f}s\n")
                self.stream.flush()

    def done(self):
        el = time.perf_counter() - self.t0
        if self.tty:
            self.stream.write(f"\r{self.label}: done in {el:.1f}s" + " " * 40 + "\n")
            self.stream.flush()


def _fmt_ulp(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if v == 0:
        return "0"
    if v < 100:
        return f"{v:.3g}"
    return f"{v:.3e}"


def format_table(rows, header=""):
    cols = ("dtype", "function", "kind", "points", "max ulp", "at x (hex)", "at x",
            ">1ulp", "ulp bound", "max abs", "abs bound", "fails", "special", "status")
    lines = []
    body = []
    for r in rows:
        at = r.get("max_ulp_at") or {}
        if r.get("max_ulp") is None and r.get("max_abs_at"):
            at = r["max_abs_at"]
        body.append((
            r["dtype"], r["function"], r["kind"], f"{r['points']:,}", _fmt_ulp(r["max_ulp"]),
            at.get("x_hex", "-"), at.get("x", "-"), str(r["over_1ulp"]),
            _fmt_ulp(r["ulp_bound"]),
            _fmt_ulp(r["max_abs_eps"]) if r["max_abs_eps"] is not None else "-",
            (_fmt_ulp(r["abs_bound_eps"]) + " eps*M") if r["abs_bound_eps"] is not None else "-",
            str(r["failures"]), str(r["special_failures"] + len(r["fp_flags"])),
            "ok" if r["ok"] else "FAIL"))
    widths = [max(len(c), *(len(b[i]) for b in body)) if body else len(c)
              for i, c in enumerate(cols)]
    if header:
        lines.append(header)
    lines.append("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(v.ljust(w) for v, w in zip(b, widths)))
    details = []
    for r in rows:
        for ex in r["special_examples"]:
            details.append(f"  {r['dtype']} {r['function']} {r['kind']}: {ex['what']}: "
                           f"x={ex['x']} ({ex['x_hex']}) got {ex['got']}, expected {ex['expected']}")
        for ex in r["fp_flags"]:
            details.append(f"  {r['dtype']} {r['function']} {r['kind']}: FP flag {ex['flag']} "
                           f"at x={ex['x']} ({ex['x_hex']})")
        for ex in r["failure_examples"][:3]:
            details.append(f"  {r['dtype']} {r['function']} {r['kind']}: over the bound: "
                           f"x={ex['x']} ({ex['x_hex']}) got {ex['got']}, reference {ex['expected']}"
                           f" ({ex['ulp']:.3g} ulp)")
    if details:
        lines.append("")
        lines.append("failures:")
        lines += details
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m fastact accuracy",
        description="Measure the error of every fastact kernel in ULP against a reference "
                    "(float32: every input against the float64 kernel; float64: mpmath).")
    ap.add_argument("--quick", action="store_true",
                    help=f"a strided subset of float32 (every {QUICK_STRIDE32}th pattern) and "
                         f"{QUICK_POINTS64} float64 points per kernel, plus all special values")
    ap.add_argument("--only", default=None,
                    help="comma-separated kernel names (e.g. gelu,silu,softmax), gated "
                         "activations (swiglu, geglu, reglu, glu) or losses (cross_entropy, "
                         "binary_cross_entropy_with_logits)")
    ap.add_argument("--dtype", choices=DTYPES, default=None, help="one dtype (default both)")
    ap.add_argument("--json", default=None, metavar="PATH", help="write the rows as JSON")
    ap.add_argument("--out", default=None, metavar="PATH", help="write the text table here too")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="threads (float32) and processes (mpmath) to use")
    ap.add_argument("--points", type=int, default=None,
                    help=f"float64 points per kernel (default {POINTS64}, quick {QUICK_POINTS64})")
    ap.add_argument("--stride", type=int, default=None,
                    help="float32: take every STRIDE-th bit pattern (default 1, quick "
                         f"{QUICK_STRIDE32})")
    ap.add_argument("--cache", default=None, metavar="DIR",
                    help="keep the mpmath reference values in DIR and reuse them")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)

    names = kernel_names() + list(_registry.AXIS_KERNELS) + list(_GATED) + list(_LOSSES)
    if args.only:
        wanted = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [w for w in wanted if w not in names]
        if unknown:
            ap.error(f"unknown kernel(s): {', '.join(unknown)}; known: {', '.join(names)}")
        # an activation's name selects its general kernel too (hardsigmoid_general)
        names = [n for n in names if n in wanted or (
            n in _registry.KERNEL_BY_NAME and _registry.KERNEL_BY_NAME[n].record in wanted)]
    dtypes = [args.dtype] if args.dtype else list(DTYPES)
    progress = None if args.no_progress else Progress()
    rows = []
    t0 = time.perf_counter()
    timing = {}
    for dtype in dtypes:
        td = time.perf_counter()
        for name in names:
            rows += measure_kernel(name, dtype, args.quick, max(1, args.workers), progress,
                                   args.cache, args.points, args.stride, args.seed)
        timing[dtype] = time.perf_counter() - td
    total = time.perf_counter() - t0
    f64_note = ""
    f64_rows = [r for r in rows if r["dtype"] == "float64" and r["kind"] == "forward"
                and r["max_ulp"] is not None]
    if f64_rows:
        worst = max(float(r["max_ulp"]) for r in f64_rows)
        f64_note = (f"; the float64 forwards' worst error here, {worst:.3g} ULP64, is "
                    f"{worst * 2.0 ** -29:.2g} ULP32")
    mode = "quick" if args.quick else "full"
    header = (
        f"fastact accuracy ({mode}): errors in ULP of the correctly rounded reference; "
        f"'max abs' in eps * max|f'| (near zero crossings of f', everywhere for the "
        f"from-output forms)\n"
        f"float64 reference: mpmath at {PREC} bits; float32 reference: the float64 kernel on "
        f"the widened input (itself measured against mpmath{f64_note})\n"
        + ("losses (fastact.instruments.accuracy_losses): float32 and float64 against mpmath; 'grad' in "
           "ULP of the magnitude of its terms; bounds fastact.losses.ACCURACY, C = classes\n"
           if any(r["function"] in _LOSSES for r in rows) else "")
        + "".join(f"{d}: {timing[d]:.1f}s  " for d in dtypes) + f"total {total:.1f}s, "
        f"{max(1, args.workers)} worker(s)")
    text = format_table(rows, header)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"mode": mode, "prec_bits": PREC, "seconds": round(total, 2),
                       "seconds_by_dtype": {d: round(t, 2) for d, t in timing.items()},
                       "workers": args.workers, "rows": rows}, f, indent=1)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
