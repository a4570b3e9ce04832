"""The accuracy of the gated activations (``fastact.GATED``), for ``python -m fastact
accuracy --only swiglu`` (rows in the accuracy tool's format).

f(a) * b and its backward ((g * b) * f'(a), g * f(a)) are measured against mpmath: the
gate record's ``mp_forward`` and ``mp_derivative`` at (a, b, g) sampled over the gate's
span (a) and spread magnitudes e^+-4 of both signs (b, g), float64 and float32 alike (the
float32 inputs are exact in mpmath).  The bounds are the record's GatedAccuracy (the gate's
bounds, one more rounded product).  They hold where f(a) and f'(a) are normal numbers and
the result is neither near the subnormals nor overflowing: a subnormal f(a) carries an
absolute error only, which |b| scales; those points are left out (counted in
``skipped``).  Within the halfwidth of a crossing of the gate (a zero of f') grad_a is held
to the absolute bound abs_eps * eps * |g b| max|f'|.  Each glu row is its gate's
(sigmoid) kernel, as glu runs it.
"""

import math

import numpy as np

from .. import _registry
from ..records import _mp as _rmp

KINDS = ("forward", "grad_a", "grad_b")
POINTS = 20000
QUICK_POINTS = 2000


def kernels_of(name):
    """The gated kernels (gate names) a gated activation runs: geglu -> gelu, gelu_tanh."""
    return list(_registry.gates_of(_registry.BY_NAME[name]).values())


def _sample(rec, dtype, n, seed):
    rng = np.random.default_rng(seed)
    span = min(rec.accuracy.span, 100.0 if dtype == "float32" else 800.0)
    kinks = np.array([k for k in rec.accuracy.kink_xs if abs(k) <= span]
                     + [c for c, _ in rec.accuracy.crossings])
    a = np.concatenate([rng.normal(0, 3, n // 2), rng.uniform(-span, span, n // 4),
                        rng.uniform(-2, 2, n - n // 2 - n // 4 - kinks.size), kinks])
    b = rng.normal(0, 1, n) * np.exp(rng.uniform(-4, 4, n))
    g = rng.normal(0, 1, n) * np.exp(rng.uniform(-4, 4, n))
    return a.astype(dtype), b.astype(dtype), g.astype(dtype)


def measure(name, dtype, quick=True, seed=0, prec=180):
    """The rows (forward, grad_a, grad_b per gated kernel) of one gated activation."""
    from .. import UFUNCS
    mp = _rmp.init(prec)
    rows = []
    for gate in kernels_of(name):
        rec = _registry.BY_NAME[gate]
        acc = _registry.BY_NAME[name].accuracy._replace(crossings=rec.accuracy.crossings)
        a, b, g = _sample(rec, dtype, QUICK_POINTS if quick else POINTS, seed)
        with np.errstate(all="raise"):
            y = UFUNCS["gated_" + gate](a, b)
            da, db = UFUNCS["gated_" + gate + "_backward"](g, a, b)
        tiny, eps = float(np.finfo(dtype).tiny), float(np.finfo(dtype).eps)
        stats = {k: {"max": 0.0, "at": None, "over1": 0, "fails": [], "points": 0,
                     "abs": None} for k in KINDS}
        skipped = 0
        for i in range(a.size):
            x = mp.mpf(float(a[i]))
            f, d = rec.mp_forward(x), rec.mp_derivative(x)
            if 0 < abs(f) < tiny or 0 < abs(d) < tiny:
                skipped += 1
                continue
            bi, gi = mp.mpf(float(b[i])), mp.mpf(float(g[i]))
            near = any(abs(float(a[i]) - c) < w for c, w in acc.crossings)
            for kind, got, ref, bound in (("forward", y[i], f * bi, acc.forward),
                                          ("grad_a", da[i], gi * bi * d, acc.grad_a),
                                          ("grad_b", db[i], gi * f, acc.grad_b)):
                r = float(ref)
                if abs(r) < tiny * 2.0 ** 30 or not math.isfinite(r):
                    continue
                st = stats[kind]
                st["points"] += 1
                err = float(abs(mp.mpf(float(got)) - ref))
                if kind == "grad_a" and near:
                    e = err / (eps * abs(float(g[i]) * float(b[i])) * rec.max_derivative)
                    st["abs"] = max(st["abs"] or 0.0, e)
                    if e > acc.abs_eps:
                        st["fails"].append((float(a[i]), float(got), r, e))
                    continue
                with np.errstate(over="ignore"):
                    ulp = float(np.spacing(np.abs(np.asarray(r).astype(dtype))))
                e = err / ulp
                st["over1"] += e > 1
                if e > st["max"]:
                    st["max"], st["at"] = e, (float(a[i]), float(b[i]))
                if e > bound:
                    st["fails"].append((float(a[i]), float(got), r, e))
        for kind in KINDS:
            st = stats[kind]
            bound = getattr(acc, kind)
            rows.append({
                "dtype": dtype, "function": f"{name} (gated_{gate})", "kind": kind,
                "points": st["points"], "skipped_subnormal_gate": skipped,
                "max_ulp": round(st["max"], 3),
                "max_ulp_at": None if st["at"] is None else {
                    "x": f"a={st['at'][0]:.17g}, b={st['at'][1]:.6g}",
                    "x_hex": float(st["at"][0]).hex()},
                "over_1ulp": st["over1"], "ulp_bound": bound,
                "max_abs_eps": None if st["abs"] is None else round(st["abs"], 3),
                "abs_bound_eps": acc.abs_eps if kind == "grad_a" and acc.crossings else None,
                "abs_where": "near f' crossings" if kind == "grad_a" else None,
                "failures": len(st["fails"]),
                "failure_examples": [{"x": repr(x), "x_hex": x.hex(), "got": repr(gv),
                                      "expected": repr(r), "ulp": e}
                                     for x, gv, r, e in st["fails"][:5]],
                "special_failures": 0, "special_examples": [], "fp_flags": [],
                "ok": not st["fails"]})
    return rows
