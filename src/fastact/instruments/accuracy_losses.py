"""The accuracy of the losses (``fastact.cross_entropy``,
``fastact.binary_cross_entropy_with_logits``, ``nll_loss``, ``binary_cross_entropy``,
``mse_loss``, ``huber_loss``, ``smooth_l1_loss``), for ``python -m fastact accuracy --only
cross_entropy`` (rows in the accuracy tool's format).

The other losses' cases (pointwise_case, nll_case): inputs of every scale (1e-3 to 1e3,
and 1e300 / 1e38 for the regression losses, where the squares overflow to inf), huber's
delta and smooth_l1's beta of 0 (L1), small and ordinary values; probabilities with exact
0 and 1 and values within 1e-30 of them (the clamps) for binary_cross_entropy, with and
without a weight; log-probabilities, class weights and ignored rows for nll_loss.  Their
references are PyTorch's definitions at 180 bits (the clamps included); the gradient's
unit is the ULP of the result.

Seeded random cases, each a small batch called with every reduction ('none', 'sum',
'mean') through ``value_and_grad`` and the plain function, float32 and float64 alike,
against mpmath at the tool's 180 bits: ordinary logits of every scale, huge ones (1e4, a
common offset of 1e4, and 1e300 in float64 or 1.5e38 in float32), confident rows (the
target's margin up to 700), tied maxima, class weights, label smoothing, ignored rows and
probability targets for cross_entropy; weights and pos_weight of every shape, targets 0, 1
and between for BCE.  Every 20th case is large: rows of 1000 or 3000 classes, 10,000
elements (``--quick``: 32 cases, 120 classes, 600 elements; the full run: 600 cases).  The
references take the inputs as the kernels see them (the data, targets and weights rounded
to the dtype; label_smoothing a double) and evaluate PyTorch's definitions in forms
without cancellation, which are identities: log-sum-exp as max + log1p(the other exps'
sum), 1 - p_c of the largest entry as (the other exps' sum) / sum, softplus(x) as
max(x, 0) + log1p(e^-|x|); a term whose factor is exactly 0 is 0 (the limit, where the other
factor is infinite).

Kinds: ``loss`` (each row's or element's loss, reduction='none'), ``loss_reduced``
('sum' and 'mean'), in ULP of the correctly rounded reference (the smallest subnormal's
spacing at the bottom), and ``grad``, in ULP of the magnitude of its terms, |a p_c| +
|b_c| (softmax - target, sigmoid - target: where the two do not cancel, that is the
ULP of the result).  The bounds are ``fastact.losses.ACCURACY`` (each kind's value plus
per_class times the classes of the row).  A NaN or an infinity
where the reference has none (or the reverse), a loss from ``value_and_grad`` that is not
the plain function's, and a floating-point flag (a loss beyond the dtype's range is inf
without one) are failures.
"""

import math

import numpy as np

from .. import losses as _losses
from ..records import _mp as _rmp

LOSSES = ("cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
          "binary_cross_entropy", "mse_loss", "huber_loss", "smooth_l1_loss")
POINTWISE = ("binary_cross_entropy", "mse_loss", "huber_loss", "smooth_l1_loss")
KINDS = ("loss", "loss_reduced", "grad")
REDUCTIONS = ("none", "sum", "mean")
CASES, QUICK_CASES = 600, 32
LARGE = 20                 # every 20th case is large (long rows, many elements)
PREC = 180
SLACK = 1e-6               # the comparisons allow the reference's own rounding


# ---- cases ---------------------------------------------------------------------------------

def _logits(rng, dtype, family, shape):
    huge = 1.5e38 if dtype == "float32" else 1e300
    if family == "huge":
        scale = float(rng.choice([1e4, huge]))
        return rng.uniform(-1, 1, shape) * scale
    if family == "offset":
        return rng.standard_normal(shape) * 3 + rng.uniform(-1e4, 1e4)
    if family == "ties":
        return rng.integers(-2, 3, shape).astype(float)
    return rng.standard_normal(shape) * float(rng.choice([1e-3, 1.0, 4.0, 15.0, 30.0]))


FAMILIES = ("normal", "normal", "huge", "offset", "confident", "ties")


def ce_case(i, dtype, quick, seed=0):
    """The i-th cross_entropy case: (description, logits, target, kwargs)."""
    rng = np.random.default_rng([seed, i, 1])
    family = FAMILIES[i % len(FAMILIES)]
    R = int(rng.choice([1, 2, 3, 5, 8] if quick else [1, 2, 3, 5, 8, 16, 32]))
    C = int(rng.choice([1, 2, 3, 5, 10, 17] if quick else [1, 2, 3, 5, 10, 17, 33, 64, 100]))
    if i % LARGE == LARGE - 1:                       # long rows: the sums' growth with C
        R, C = 2, 120 if quick else int(rng.choice([1000, 3000]))
    x = _logits(rng, dtype, family, (R, C))
    probabilities = i % 4 == 3
    t = rng.integers(0, C, R)
    if family == "confident":
        margin = rng.uniform(5, 100 if dtype == "float32" else 700, R)
        x[np.arange(R), t] = x.max(axis=1) + margin
    kw = {"weight": rng.uniform(0.1, 3, C) if i % 2 else None,
          "label_smoothing": float(rng.choice([0.0, rng.uniform(0, 0.3), 1.0],
                                              p=[0.4, 0.5, 0.1]))}
    if probabilities:
        t = rng.dirichlet(np.full(C, float(rng.choice([0.1, 1.0]))), R)
        t[rng.random((R, C)) < 0.2] = 0.0            # exact zeros (a one-hot-like row)
        target = t.astype(dtype)
    else:
        kw["ignore_index"] = int(rng.choice([-100, -1, C]))
        t[rng.random(R) < 0.2] = kw["ignore_index"]
        target = t
    desc = (f"{family} {'probabilities' if probabilities else 'indices'} {R}x{C}"
            f"{' weight' if kw['weight'] is not None else ''}"
            f"{' smoothing=%.3g' % kw['label_smoothing'] if kw['label_smoothing'] else ''}")
    return desc, x.astype(dtype), target, kw


def bce_case(i, dtype, quick, seed=0):
    """The i-th binary_cross_entropy_with_logits case: (description, logits, target,
    kwargs)."""
    rng = np.random.default_rng([seed, i, 2])
    family = FAMILIES[i % len(FAMILIES)]
    B = int(rng.choice([1, 2, 4, 7]))
    K = int(rng.choice([1, 3, 8, 13] if quick else [1, 3, 8, 13, 40]))
    shape = (B, K) if i % 3 else (B * K,)
    if i % LARGE == LARGE - 1:                       # many elements: the reduction's sum
        shape = (600,) if quick else (B, 10000 // B)
    x = _logits(rng, dtype, family, shape)
    if family == "confident":
        x = rng.choice([-1, 1], shape) * rng.uniform(5, 100 if dtype == "float32" else 700,
                                                     shape)
    t = rng.uniform(0, 1, shape)
    t[rng.random(shape) < 0.4] = 0.0
    t[rng.random(shape) < 0.4] = 1.0
    wshape = [None, shape, shape[-1:], (1,) * (len(shape) - 1) + shape[-1:]][i % 4]
    pshape = [None, shape[-1:], None, ()][(i // 4) % 4]
    kw = {"weight": None if wshape is None else rng.uniform(0.1, 3, wshape).astype(dtype),
          "pos_weight": None if pshape is None else rng.uniform(0.2, 4, pshape).astype(dtype)}
    desc = (f"{family} {shape}"
            f"{' weight%s' % (wshape,) if wshape is not None else ''}"
            f"{' pos_weight%s' % (pshape,) if pshape is not None else ''}")
    return desc, x.astype(dtype), t.astype(dtype), kw


def pointwise_case(name, i, dtype, quick, seed=0):
    """The i-th case of a pointwise loss (POINTWISE): (description, input, target,
    kwargs)."""
    rng = np.random.default_rng([seed, i, 3, POINTWISE.index(name)])
    n = int(rng.choice([1, 5, 8, 13, 40] if quick else [1, 5, 8, 13, 40, 200]))
    if i % LARGE == LARGE - 1:
        n = 600 if quick else 10000
    kw = {}
    if name == "binary_cross_entropy":
        x = rng.uniform(0, 1, n)
        t = rng.uniform(0, 1, n)
        edge = rng.random(n)
        x[edge < 0.15] = 0.0
        x[(edge >= 0.15) & (edge < 0.3)] = 1.0
        tiny = (edge >= 0.3) & (edge < 0.4)
        x[tiny] = 10.0 ** rng.uniform(-30, -1, int(tiny.sum()))   # near the log's clamp
        t[rng.random(n) < 0.3] = 0.0
        t[rng.random(n) < 0.3] = 1.0
        if i % 2:
            kw["weight"] = rng.uniform(0.1, 3, n).astype(dtype)
        desc = f"probabilities ({n},){' weight' if i % 2 else ''}"
        return desc, x.astype(dtype), t.astype(dtype), kw
    huge = 1e38 if dtype == "float32" else 1e300
    scale = float(rng.choice([1e-3, 1.0, 10.0, 1e3, huge] if i % 7 == 6 else
                             [1e-3, 1.0, 10.0, 1e3]))
    # (clipped at 3: 3e38 is within float32's range, the squares not)
    x = np.clip(rng.standard_normal(n), -3, 3) * scale
    t = np.clip(rng.standard_normal(n), -3, 3) * scale * float(rng.choice([0.0, 1.0]))
    big = 1.0 if scale == huge else 3.5          # (a parameter within the dtype's range)
    if name == "huber_loss":
        kw["delta"] = float(rng.choice([1.0, 0.1, big]) * scale)
    elif name == "smooth_l1_loss":
        kw["beta"] = float(rng.choice([0.0, 1.0, 0.1, big]) * scale)
    desc = f"scale {scale:g} ({n},)" + "".join(f" {k}={v:g}" for k, v in kw.items())
    return desc, x.astype(dtype), t.astype(dtype), kw


def nll_case(i, dtype, quick, seed=0):
    """The i-th nll_loss case: log-probabilities (any finite values too), weights and
    ignored rows."""
    rng = np.random.default_rng([seed, i, 4])
    R = int(rng.choice([1, 2, 3, 5, 8, 32]))
    C = int(rng.choice([1, 2, 5, 17, 100]))
    if i % LARGE == LARGE - 1:
        R = 600 if quick else 10000
    x = rng.standard_normal((R, C)) * float(rng.choice([1.0, 30.0]))
    x = x - np.logaddexp.reduce(x, axis=1, keepdims=True)
    t = rng.integers(0, C, R)
    kw = {"weight": rng.uniform(0.1, 3, C).astype(dtype) if i % 2 else None,
          "ignore_index": int(rng.choice([-100, 0]))}
    t[rng.random(R) < 0.2] = kw["ignore_index"]
    desc = f"{R}x{C}{' weight' if i % 2 else ''} ignore_index={kw['ignore_index']}"
    return desc, x.astype(dtype), t, kw


# ---- mpmath references ---------------------------------------------------------------------

def mp_cross_entropy(x, target, weight, ignore_index, eps):
    """Per row of x (R, C), float64 arrays: (loss, grad, terms, weight of the row in the
    mean), grad and terms lists of C; None for an ignored row."""
    mp = _rmp.init(PREC)
    R, C = x.shape
    w = [mp.mpf(1)] * C if weight is None else [mp.mpf(float(v)) for v in weight]
    e = mp.mpf(float(eps))
    out = []
    for r in range(R):
        t = target[r]
        probabilities = np.ndim(t) == 1
        if not probabilities and int(t) == ignore_index:
            out.append(None)
            continue
        row = [mp.mpf(float(v)) for v in x[r]]
        if any(mp.isnan(v) for v in row) or mp.inf in row:
            out.append((mp.nan, [mp.nan] * C, [mp.nan] * C, mp.mpf(1)))
            continue
        m = max(row)
        d = [v - m for v in row]                  # <= 0
        ex = [mp.exp(v) for v in d]
        top = d.index(0)
        rest = mp.fsum(ex[c] for c in range(C) if c != top)
        lse = mp.log1p(rest)                      # log sum e^(x - m)
        s = 1 + rest
        if probabilities:
            q = [w[c] * ((1 - e) * mp.mpf(float(t[c])) + e / C) for c in range(C)]
            share = mp.mpf(1)
        else:
            q = [e / C * w[c] for c in range(C)]
            q[int(t)] += (1 - e) * w[int(t)]
            share = w[int(t)]
        nll = [lse - dc for dc in d]              # -log p_c >= 0
        loss = mp.fsum(q[c] * nll[c] for c in range(C) if q[c] != 0)
        Q = mp.fsum(q)
        grad, terms = [], []
        for c in range(C):
            # Q p_c - q_c = (Q - q_c) p_c - q_c (1 - p_c): 1 - p_c as (s - e_c) / s, which
            # for the largest entry is rest / s (p_c near 1 would cancel), for the others
            # >= 1/2; Q - q_c and s - e_c lose at most 2^-180 of Q and s, the terms' size
            p, not_p = ex[c] / s, (rest if c == top else s - ex[c]) / s
            grad.append((Q - q[c]) * p - q[c] * not_p)
            terms.append(Q * p + q[c])
        out.append((loss, grad, terms, share))
    return out


def _softplus(mp, v):
    return max(v, 0) + mp.log1p(mp.exp(-abs(v)))


def mp_bce(x, t, w, pw):
    """Per element (flat float64 arrays of one length): (loss, grad, terms)."""
    mp = _rmp.init(PREC)
    out = []
    for xi, ti, wi, pi in zip(x.tolist(), t.tolist(), w.tolist(), pw.tolist()):
        if any(math.isnan(v) for v in (xi, ti, wi, pi)):
            out.append((mp.nan, mp.nan, mp.nan))
            continue
        xi, ti, wi, pi = (mp.mpf(v) for v in (xi, ti, wi, pi))
        a, b = 1 - ti, pi * ti                    # the weights of softplus(x), softplus(-x)
        loss = wi * ((a * _softplus(mp, xi) if a else 0) + (b * _softplus(mp, -xi) if b else 0))
        sig, sig_neg = 1 / (1 + mp.exp(-xi)), 1 / (1 + mp.exp(xi))
        out.append((loss, wi * (a * sig - b * sig_neg), abs(wi) * (a * sig + b * sig_neg)))
    return out


def mp_pointwise(name, x, t, w, p):
    """Per element (flat float64 arrays of one length; p delta or beta): (loss, grad)
    by PyTorch's definitions, the clamps of binary_cross_entropy included."""
    mp = _rmp.init(PREC)
    out = []
    for xi, ti, wi in zip(x.tolist(), t.tolist(), w.tolist()):
        xi, ti, wi = mp.mpf(xi), mp.mpf(ti), mp.mpf(wi)
        if name == "binary_cross_entropy":
            lx = max(mp.log(xi), -100) if xi > 0 else mp.mpf(-100)
            l1x = max(mp.log(1 - xi), -100) if xi < 1 else mp.mpf(-100)
            out.append((-wi * (ti * lx + (1 - ti) * l1x),
                        wi * (xi - ti) / max(xi * (1 - xi), mp.mpf(9.999999960041972e-13))))
            continue
        d = xi - ti
        if name == "mse_loss":
            out.append((d * d, 2 * d))
        elif name == "huber_loss":
            out.append((d * d / 2, d) if abs(d) < p else
                       (p * (abs(d) - p / 2), mp.sign(d) * p))
        elif p == 0:
            out.append((abs(d), mp.sign(d)))
        else:
            out.append((d * d / (2 * p), d / p) if abs(d) < p else
                       (abs(d) - p / 2, mp.sign(d)))
    return out


def mp_nll(x, t, w, ignore_index):
    """Per row: (loss, grad list, |grad| list, weight in the mean), None when ignored."""
    mp = _rmp.init(PREC)
    R, C = x.shape
    out = []
    for r in range(R):
        y = int(t[r])
        if y == ignore_index:
            out.append(None)
            continue
        wy = mp.mpf(1) if w is None else mp.mpf(float(w[y]))
        g = [mp.mpf(0)] * C
        g[y] = -wy
        out.append((-wy * mp.mpf(float(x[r, y])), g, [abs(v) for v in g], wy))
    return out


# ---- measuring -----------------------------------------------------------------------------

class _Flags:
    def __init__(self):
        self.hits = []

    def __call__(self, kind, flag):
        self.hits.append(kind)


def _ulp(r, dtype):
    """The spacing of dtype at |r|'s binade (the smallest subnormal's at the bottom)."""
    fi = np.finfo(dtype)
    r = abs(r)
    if r == 0 or not math.isfinite(r):
        return float(fi.smallest_subnormal)
    _, e = math.frexp(r)
    return math.ldexp(1.0, max(e - fi.nmant - 1, int(np.log2(fi.smallest_subnormal))))


class _Stats:
    def __init__(self, name, kind, dtype, bound, per_class):
        self.name, self.kind, self.dtype = name, kind, dtype
        self.bound, self.per_class = bound, per_class
        self.points, self.max, self.at, self.over1 = 0, 0.0, None, 0
        self.fails, self.specials, self.flags = [], [], []

    def add(self, at, got, ref, unit, C=0):
        """at: (short, long) descriptions of the point; got (a float), ref (an mpf),
        unit: the ULP its error is counted in (None: the ULP of the rounded reference);
        C: the classes of its row (the bound's per_class term)."""
        short, where = at
        self.points += 1
        r = float(ref)
        got_nan, ref_nan = math.isnan(got), bool(ref != ref)
        big = float(np.finfo(self.dtype).max)
        over = abs(ref) >= big + _ulp(big, self.dtype) / 2 if not ref_nan else False
        if got_nan or ref_nan or over or not math.isfinite(got):
            expected = "nan" if ref_nan else (math.copysign(math.inf, r) if over else r)
            if repr(float(expected)) != repr(got) and not (got_nan and ref_nan):
                self.specials.append({"what": "special value", "x": where, "x_hex": "-",
                                      "got": repr(got), "expected": repr(float(expected))})
            return
        err = float(abs(ref - got)) / (_ulp(r, self.dtype) if unit is None else unit)
        self.over1 += err > 1
        if err > self.max or self.at is None:
            self.max, self.at = err, (short, got, r)
        if err > self.bound + self.per_class * C + SLACK:
            self.fails.append({"x": where, "x_hex": "-", "got": repr(got),
                               "expected": repr(r), "ulp": err})

    def row(self):
        at = None if self.at is None else {"x": self.at[0], "x_hex": "-",
                                           "got": repr(self.at[1]), "reference": repr(self.at[2])}
        return {
            "dtype": self.dtype, "function": self.name, "kind": self.kind,
            "points": self.points, "max_ulp": round(self.max, 3), "max_ulp_at": at,
            "over_1ulp": self.over1,
            "ulp_bound": (f"{self.bound:g} + {self.per_class:.3g} C" if self.per_class
                          else self.bound),
            "max_abs_eps": None, "max_abs_at": None, "abs_bound_eps": None,
            "abs_where": "ULP of the terms' magnitude" if self.kind == "grad" else None,
            "failures": len(self.fails), "failure_examples": self.fails[:5],
            "special_failures": len(self.specials), "special_examples": self.specials[:5],
            "fp_flags": self.flags[:8],
            "ok": not (self.fails or self.specials or self.flags)}


def _run(fn, x, t, kw, reduction):
    """value_and_grad and the plain call under a flag catcher: (loss, grad, plain, flags)."""
    catcher = _Flags()
    with np.errstate(all="call", under="ignore", call=catcher):
        loss, grad = fn.value_and_grad(x, t, reduction=reduction, **kw)
        plain = fn(x, t, reduction=reduction, **kw)
    return loss, grad, plain, sorted(set(catcher.hits))


def _references(name, x, t, kw, dtype):
    """Per row (cross_entropy) or element (BCE): [(loss, grad list, terms list, share)],
    None for an ignored row, and the grad's reshape from rows to the logits' shape."""
    if name == "cross_entropy":
        w = kw["weight"]
        w = None if w is None else np.asarray(w).astype(dtype).astype(np.float64)
        return mp_cross_entropy(x.astype(np.float64), t, w, kw.get("ignore_index", -100),
                                kw["label_smoothing"])
    if name == "nll_loss":
        w = kw["weight"]
        w = None if w is None else np.asarray(w).astype(np.float64)
        return mp_nll(x.astype(np.float64), t, w, kw["ignore_index"])
    ones = np.ones(x.shape)
    if name in POINTWISE:
        w = ones if kw.get("weight") is None else np.asarray(kw["weight"], np.float64)
        p = kw.get("delta", kw.get("beta", 0.0))
        p = float(np.asarray(p, dtype))               # as the kernels take it
        return [(lo, [g], [abs(g)], 1) for lo, g in
                mp_pointwise(name, x.astype(np.float64).ravel(),
                             t.astype(np.float64).ravel(), w.ravel(), p)]
    w = ones if kw["weight"] is None else np.broadcast_to(kw["weight"], x.shape)
    pw = ones if kw["pos_weight"] is None else np.broadcast_to(kw["pos_weight"], x.shape)
    flat = [a.astype(np.float64).ravel() for a in (x, t, w, pw)]
    return [(lo, [g], [s], 1) for lo, g, s in mp_bce(*flat)]


def measure(name, dtype, quick=True, seed=0, cases=None):
    """The rows (loss, loss_reduced, grad) of one loss and dtype."""
    mp = _rmp.init(PREC)
    fn = getattr(_losses, name)
    bound = _losses.ACCURACY[name, dtype]
    stats = {k: _Stats(name, k, dtype, getattr(bound, k), bound.per_class) for k in KINDS}
    make = (ce_case if name == "cross_entropy" else nll_case if name == "nll_loss" else
            bce_case if name == "binary_cross_entropy_with_logits" else
            (lambda *a: pointwise_case(name, *a)))
    n = cases or (QUICK_CASES if quick else CASES)
    for i in range(n):
        desc, x, t, kw = make(i, dtype, quick, seed)
        C = x.shape[-1] if name == "cross_entropy" else 0
        refs = _references(name, x, t, kw, dtype)
        kept = [r for r in refs if r is not None]
        den = (mp.fsum(r[3] for r in kept) if name in ("cross_entropy", "nll_loss") else
               len(refs))
        total = mp.fsum(r[0] for r in kept)
        for reduction in REDUCTIONS:
            where = f"#{i} {reduction}"
            long = f"case {i} ({desc}, reduction={reduction})"
            loss, grad, plain, flags = _run(fn, x, t, kw, reduction)
            scale = 1 / den if reduction == "mean" and den else 1
            if reduction == "none":
                values = np.ravel(loss).tolist()
                for k, (v, r) in enumerate(zip(values, refs)):
                    stats["loss"].add((f"{where} r{k}", f"{long} row {k}"), v,
                                      0 if r is None else r[0], None, C)
            else:
                ref = total * scale if den or reduction == "sum" else mp.nan
                stats["loss_reduced"].add((where, long), float(loss), ref, None, C)
            for f in flags:           # (none: a loss beyond the range is inf silently)
                stats["loss"].flags.append({"flag": f, "x": long, "x_hex": "-"})
            if np.asarray(plain).tobytes() != np.asarray(loss).tobytes():
                stats["loss"].specials.append({
                    "what": "value_and_grad's loss is not the plain call's", "x": long,
                    "x_hex": "-", "got": repr(np.asarray(loss).tolist()),
                    "expected": repr(np.asarray(plain).tolist())})
            # the gradient, row by row in the rows' (moved) layout; mean over nothing: 0
            g = np.asarray(grad, np.float64).reshape(len(refs), -1)
            for k, r in enumerate(refs):
                for c, v in enumerate(g[k].tolist()):
                    at = (f"{where} r{k}c{c}", f"{long} row {k} class {c}")
                    if r is None or not den:
                        stats["grad"].add(at, v, mp.mpf(0), None)
                        continue
                    stats["grad"].add(at, v, r[1][c] * scale,
                                      _ulp(float(r[2][c] * scale), dtype), C)
    return [stats[k].row() for k in KINDS]
