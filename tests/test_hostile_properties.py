"""Property-based tests of the surfaces with reductions and broadcasting, as a hostile user
would call them: the gated functions (swiglu, geglu, reglu) and glu with their backwards,
prelu's weight gradient, the losses and softmax / log_softmax with ``where=``.

Hypothesis draws the shapes (with broadcasting, and a long axis now and then so that a
broadcast gradient sums hundreds of terms), the dtype (float16, bfloat16, float32,
float64, and the byte-swapped >f2, >f4, >f8), each operand's memory layout (C, Fortran,
every other element, reversed), the magnitude (up to sqrt(max) / 4 of the dtype, so that
a product of two operands stays finite but a sum of many may overflow) and whether ``out``
is a fresh array or aliases an input.  Every result is compared with a float64 reference
computed here in NumPy / pure Python from the values actually passed, never by fastact.

Tolerances come from the dtype's epsilon.  With eps_c the epsilon of the precision the
kernels compute in (float32 for the 16-bit formats, the dtype otherwise):

* an elementwise result e: one ULP of the dtype at e, plus K eps_c (|e| + c), c the
  condition term |x f'(x)| times the other factors (the gelu tails, the zero of silu'),
  plus the dtype's smallest subnormal;
* a sum of n terms t (a broadcast operand's gradient, prelu's weight gradient): each term
  as above plus half an ULP of the dtype (the terms may be rounded to it before they are
  summed, as PyTorch's autograd rounds them), plus n eps_acc sum|t| for the accumulation
  (eps_acc = float32's for the 16-bit formats and float32, float64's for float64: a sum
  accumulated in the 16-bit format itself does not fit), plus one ULP of the result;
* a reference beyond the dtype's largest finite value is inf (and a result of inf is
  right where the reference is within its tolerance of that value); a sum whose terms'
  magnitudes add up beyond the accumulator's range (float32's for bfloat16) is not checked.

Every call runs with floating-point warnings as errors and errstate(all='raise'): no
warning may leak from fastact, and no call on valid data may fail.
"""

import math
import warnings

import numpy as np
import pytest

pytest.importorskip("hypothesis")
ml_dtypes = pytest.importorskip("ml_dtypes")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fastact  # noqa: E402

BF16 = np.dtype(ml_dtypes.bfloat16)
DTYPES = {"float16": np.dtype(np.float16), "bfloat16": BF16, "float32": np.dtype(np.float32),
          "float64": np.dtype(np.float64), ">f2": np.dtype(">f2"), ">f4": np.dtype(">f4"),
          ">f8": np.dtype(">f8")}
LAYOUTS = ("C", "F", "strided", "reversed")
K = 16              # eps_c multiples allowed for the kernels' own rounding
EPS32 = float(np.finfo(np.float32).eps)

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- dtypes, data, tolerances ----------------------------------------------------------

def finfo(dt):
    return ml_dtypes.finfo(dt)


def native(dt):
    return dt.newbyteorder("=")


def eps_c(dt):
    """The epsilon of the precision the kernels compute in (float32 for 16-bit)."""
    return EPS32 if dt.itemsize == 2 else float(finfo(dt).eps)


def eps_acc(dt):
    """The epsilon a sum of this dtype's terms may accumulate in."""
    return float(finfo(np.float64).eps) if dt.itemsize == 8 else EPS32


def ulp(e, dt):
    """The spacing of dt at |e| (at least its smallest subnormal), elementwise."""
    fi = finfo(dt)
    with np.errstate(all="ignore"):
        _, ex = np.frexp(np.where(np.isfinite(e), np.abs(e), 0.0))
        u = np.ldexp(float(fi.eps), ex - 1)
    return np.maximum(u, float(fi.smallest_subnormal))


def huge(dt):
    """Operands up to this size keep a product of two finite in dt (below max / 16)."""
    return math.sqrt(float(finfo(dt).max)) / 4


def make(rng, shape, dt, layout, scale, fill=None, positive=False):
    """An array of dt and shape with uniform values in [-scale, scale] ([0, scale] if
    positive: sums of terms of one sign, where an accumulation in a 16-bit format stalls;
    all `fill` if given), laid out as asked; returns it and its values in float64."""
    v = (np.full(shape, fill, np.float64) if fill is not None
         else rng.uniform(0.0 if positive else -scale, scale, shape))
    arr = v.astype(dt)
    if arr.ndim and arr.size:
        if layout == "F":
            arr = np.asfortranarray(arr)
        elif layout == "strided":
            buf = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), dt)
            buf[..., ::2] = arr
            arr = buf[..., ::2]
        elif layout == "reversed":
            arr = np.ascontiguousarray(arr[::-1])[::-1]
    return arr, arr.astype(np.float64)


def check(got, want, tol, dt, what):
    """got (any float dtype) against the float64 reference want, within tol; a reference
    beyond dt's range is inf."""
    got = np.asarray(got)
    assert got.dtype == native(dt), f"{what}: dtype {got.dtype}, expected {native(dt)}"
    g = got.astype(np.float64)
    want = np.broadcast_to(np.asarray(want, np.float64), g.shape)
    tol = np.broadcast_to(np.asarray(tol, np.float64), g.shape)
    big = float(finfo(dt).max)
    with np.errstate(all="ignore"):
        both_nan = np.isnan(g) & np.isnan(want)
        close = np.abs(g - want) <= tol
        overflowed = np.isinf(g) & (np.sign(g) == np.sign(want)) & (np.abs(want) + tol >= big)
        ok = both_nan | (np.isfinite(g) & close) | overflowed | np.isinf(tol)
    if not ok.all():
        bad = np.flatnonzero(~ok.ravel())[:6]
        lines = [f"{what} ({dt}): {(~ok).sum()} of {ok.size} elements off"]
        lines += [f"  [{i}] got {g.ravel()[i]!r} want {want.ravel()[i]!r} "
                  f"tol {tol.ravel()[i]:.3g}" for i in bad]
        pytest.fail("\n".join(lines))


def elem_tol(e, cond, dt, mult=1.0):
    """An elementwise result's tolerance: K eps_c (|e| + cond), one ULP, and a floor for
    the subnormal range times (1 + mult), mult the size of the factors that multiply a
    value computed there (f'(a) rounded to a subnormal, then times g b).  The README's
    accuracy bounds hold where f(a) is a normal number: below, the error is absolute, K
    ULP of the smallest normal number of the precision computed in (at least two
    subnormal steps of the dtype)."""
    fi = finfo(dt)
    floor = max(2 * float(fi.smallest_subnormal), K * eps_c(dt) * float(fi.smallest_normal))
    return K * eps_c(dt) * (np.abs(e) + cond) + ulp(e, dt) + floor * (1 + mult)


def sum_to(terms, tol_terms, shape, dt):
    """The float64 sum of terms over the axes broadcasting added to reach their shape
    from `shape`, and its tolerance (see the module's docstring)."""
    lead = terms.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and terms.shape[lead + i] != 1)
    n = max(1, terms.size // max(1, int(np.prod(shape))))
    if not axes:
        return terms, tol_terms
    with np.errstate(all="ignore"):
        s = np.sum(terms, axis=axes).reshape(shape)
        mag = np.sum(np.abs(terms), axis=axes).reshape(shape)
        per_term = tol_terms + 0.5 * ulp(terms, dt)
        tol = np.sum(per_term, axis=axes).reshape(shape) + n * eps_acc(dt) * mag + ulp(s, dt)
    # a sum whose terms' magnitudes add up beyond the accumulator's range (bfloat16's range
    # is float32's) may overflow on the way, as PyTorch's would: anything goes there
    return s, np.where(mag < float(finfo(np.float64 if dt.itemsize == 8 else np.float32).max),
                       tol, np.inf)


def run(fn, *args, out=None, **kw):
    """fn(*args, out=out, **kw) under `strict`; when it fails, nothing may have been
    written into out (the failure is reported with that said)."""
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o is not None]
    before = [o.copy() for o in outs]
    try:
        with strict():
            return fn(*args, out=out, **kw) if out is not None else fn(*args, **kw)
    except Exception as exc:
        written = any(not np.array_equal(o, b, equal_nan=True) for o, b in zip(outs, before))
        raise AssertionError(f"{type(exc).__name__}: {exc}"
                             + (" (and out was written before the error)" if written else "")
                             ) from exc


class strict:
    """Floating-point warnings and flags raised as errors."""

    def __enter__(self):
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("error", RuntimeWarning)
        self._e = np.errstate(all="raise")
        self._e.__enter__()

    def __exit__(self, *exc):
        self._e.__exit__(*exc)
        self._w.__exit__(*exc)


# ---- the gates in float64 (independent of fastact) -------------------------------------

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def sigmoid_pair(a):
    """(sigmoid(a), sigmoid(-a)), both without cancellation."""
    t = np.exp(-np.abs(a))
    lo, hi = t / (1 + t), 1 / (1 + t)
    return np.where(a >= 0, hi, lo), np.where(a >= 0, lo, hi)


def gate(name, a):
    """(f(a), f'(a)) in float64."""
    with np.errstate(all="ignore"):
        if name == "swiglu":
            s, sn = sigmoid_pair(a)
            return a * s, s + a * s * sn
        if name == "geglu":
            phi = 0.5 * np.asarray(_ERFC(-a / math.sqrt(2)), np.float64)
            return a * phi, phi + a * np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        if name == "reglu":
            return np.where(a > 0, a, 0.0), (a > 0).astype(np.float64)
        if name == "sigmoid":
            s, sn = sigmoid_pair(a)
            return s, s * sn
    raise AssertionError(name)


def gate_cond(name, a):
    """(|a f'(a)|, |a f''(a)|): the condition terms of f and f' (f'' by differences)."""
    f1 = gate(name, a)[1]
    h = np.maximum(np.abs(a), 1e-3) * 1e-6
    with np.errstate(all="ignore"):
        f2 = (gate(name, a + h)[1] - gate(name, a - h)[1]) / (2 * h)
        c1, c2 = np.abs(a * f1), np.abs(a * f2)
    return np.nan_to_num(c1), np.nan_to_num(c2)


# ---- strategies --------------------------------------------------------------------------

def _scale(draw, dt):
    s = draw(st.sampled_from([1.0, 6.0, 40.0, "huge"]))
    return huge(dt) if s == "huge" else min(s, huge(dt))


@st.composite
def full_shapes(draw, min_dims=1):
    """A shape of 1-3 axes; now and then a long leading axis (a broadcast operand's
    gradient then sums hundreds or thousands of terms)."""
    long = draw(st.sampled_from([None, None, 300, 2000]))
    hi = 6 if long else 16
    dims = draw(st.lists(st.integers(1, hi), min_size=max(min_dims - bool(long), 0),
                         max_size=2 if long else 3))
    shape = ((long,) if long else ()) + tuple(dims)
    return shape if len(shape) >= min_dims else (1,) * (min_dims - len(shape)) + shape


@st.composite
def broadcast_of(draw, full):
    """A shape that broadcasts to full: leading axes dropped, some axes set to 1."""
    k = draw(st.integers(0, len(full)))
    return tuple(1 if draw(st.booleans()) else n for n in full[k:])


def _common(draw, dt_names=tuple(DTYPES)):
    dtn = draw(st.sampled_from(dt_names))
    dt = DTYPES[dtn]
    return dict(dtype=dtn, scale=_scale(draw, dt), seed=draw(st.integers(0, 2**32 - 1)),
                layouts=draw(st.lists(st.sampled_from(LAYOUTS), min_size=3, max_size=3)),
                out=draw(st.sampled_from([None, "fresh", "alias"])), fill=None,
                positive=draw(st.booleans()))


@st.composite
def gated_cases(draw):
    full = draw(full_shapes())
    c = _common(draw)
    c.update(name=draw(st.sampled_from(["swiglu", "geglu", "reglu"])), full=full,
             a=draw(broadcast_of(full)), b=draw(broadcast_of(full)))
    # the result's shape must be full: one of a, b keeps it whole
    if draw(st.booleans()):
        c["a"] = full
    else:
        c["b"] = full
    return c


def _defect(**kw):
    c = dict(dtype="bfloat16", scale=1.0, seed=0, layouts=["C", "C", "C"], out=None,
             fill=None, positive=False, name="swiglu")
    c.update(kw)
    return c


# ---- gated -------------------------------------------------------------------------------

def _gated_data(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    g, G = make(rng, c["full"], dt, c["layouts"][0], c["scale"], c["fill"], c["positive"])
    a, A = make(rng, c["a"], dt, c["layouts"][1], c["scale"], c["fill"], c["positive"])
    b, B = make(rng, c["b"], dt, c["layouts"][2], c["scale"], c["fill"], c["positive"])
    return dt, (g, G), (a, A), (b, B)


def _alias_or_fresh(c, arr, shape, dt):
    """out for a result of this shape: `arr` itself when asked to alias and it can (its
    shape and native dtype), else a fresh array (None when no out is asked for)."""
    if c["out"] is None:
        return None
    if c["out"] == "alias" and arr.shape == shape and arr.dtype == native(dt):
        return arr
    return np.full(shape, 7, native(dt))


@SETTINGS
@given(gated_cases())
def test_gated_forward(c):
    dt, _, (a, A), (b, B) = _gated_data(c)
    f, _ = gate(c["name"], A)
    c1, _ = gate_cond(c["name"], A)
    want = f * B
    tol = elem_tol(want, np.abs(B) * c1, dt, np.abs(B) * (1 + np.abs(A)))
    out = _alias_or_fresh(c, a, c["full"], dt)
    if out is not None and out is not a:
        out = _alias_or_fresh(c, b, c["full"], dt)
    y = run(getattr(fastact, c["name"]), a, b, out=out)
    if out is not None:
        assert y is out
    check(y, want, tol, dt, f"{c['name']}")


@SETTINGS
@given(gated_cases())
@example(_defect(full=(4096, 8), a=(4096, 8), b=(1, 8), fill=1.0))        # issue 19, item 1
@example(_defect(full=(64, 8), a=(64, 8), b=(8,), dtype="float16", fill=64.0,
                 out="fresh"))                                                 # item 4
def test_gated_backward(c):
    dt, (g, G), (a, A), (b, B) = _gated_data(c)
    f, fp = gate(c["name"], A)
    c1, c2 = gate_cond(c["name"], A)
    with np.errstate(all="ignore"):
        ta, tb = G * B * fp, G * f                      # the terms, at the full shape
        # a subnormal Phi(a) or sigmoid(a) times a, then times the other factors
        tol_a = elem_tol(ta, np.abs(G * B) * c2, dt, np.abs(G * B) * (1 + np.abs(A)))
        tol_b = elem_tol(tb, np.abs(G) * c1, dt, np.abs(G) * (1 + np.abs(A)))
    ta, tol_a = np.broadcast_to(ta, c["full"]), np.broadcast_to(tol_a, c["full"])
    tb, tol_b = np.broadcast_to(tb, c["full"]), np.broadcast_to(tol_b, c["full"])
    want_a, tol_a = sum_to(ta, tol_a, a.shape, dt)
    want_b, tol_b = sum_to(tb, tol_b, b.shape, dt)
    out = None
    if c["out"] is not None:
        # alias: grad_a into grad_output (or a), grad_b into b
        out = (_alias_or_fresh(c, g if g.shape == a.shape else a, a.shape, dt),
               _alias_or_fresh(c, b, b.shape, dt))
    da, db = run(getattr(fastact, c["name"]).backward, g, a, b, out=out)
    if out is not None:
        assert da is out[0] and db is out[1]
    assert da.shape == a.shape and db.shape == b.shape
    check(da, want_a, tol_a, dt, f"{c['name']}.backward grad_a")
    check(db, want_b, tol_b, dt, f"{c['name']}.backward grad_b")


# ---- glu ---------------------------------------------------------------------------------

@st.composite
def glu_cases(draw):
    full = list(draw(full_shapes()))
    axis = draw(st.integers(-len(full), len(full) - 1))
    full[axis] *= 2
    c = _common(draw)
    half = list(full)
    half[axis] //= 2
    c.update(full=tuple(full), axis=axis, g=draw(broadcast_of(tuple(half))), half=tuple(half))
    return c


def _glu_ref(X, axis):
    """(a, sigmoid(b), sigmoid'(b) and the condition terms), (a, b) the halves of X."""
    A, Bh = np.split(X, 2, axis=axis)
    s, ds = gate("sigmoid", Bh)
    c1, c2 = gate_cond("sigmoid", Bh)
    return A, s, ds, c1, c2


@SETTINGS
@given(glu_cases())
def test_glu_forward(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    x, X = make(rng, c["full"], dt, c["layouts"][0], c["scale"])
    A, s, _, c1, _ = _glu_ref(X, c["axis"])
    want = A * s
    tol = elem_tol(want, np.abs(A) * c1, dt, np.abs(A))
    out = None
    if c["out"] == "alias" and x.dtype == native(dt):
        x_before = X.copy()
        out = np.split(x, 2, axis=c["axis"])[0]          # the first half of x itself
    elif c["out"] is not None:
        out = np.full(c["half"], 7, native(dt))
    y = run(fastact.glu, x, axis=c["axis"], out=out)
    if out is not None:
        assert y is out
        if c["out"] == "alias" and x.dtype == native(dt):
            # the second half, which the result does not overlap, is untouched
            second = np.split(x, 2, axis=c["axis"])[1]
            assert np.array_equal(second.astype(np.float64),
                                  np.split(x_before, 2, axis=c["axis"])[1])
    check(y, want, tol, dt, "glu")


@SETTINGS
@given(glu_cases())
def test_glu_backward(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    x, X = make(rng, c["full"], dt, c["layouts"][0], c["scale"], positive=c["positive"])
    g, G = make(rng, c["g"], dt, c["layouts"][1], c["scale"], positive=c["positive"])
    A, s, ds, c1, c2 = _glu_ref(X, c["axis"])
    with np.errstate(all="ignore"):
        da, db = G * s, G * A * ds
        tol_a = elem_tol(da, np.abs(G) * c1, dt, np.abs(G))
        tol_b = elem_tol(db, np.abs(G * A) * c2, dt, np.abs(G * A))
    want = np.concatenate(np.broadcast_arrays(da, db), axis=c["axis"])
    tol = np.concatenate(np.broadcast_arrays(tol_a, tol_b), axis=c["axis"])
    out = _alias_or_fresh(c, x, x.shape, dt)
    dx = run(fastact.glu.backward, g, x, axis=c["axis"], out=out)
    if out is not None:
        assert dx is out
    check(dx, want, tol, dt, "glu.backward")


# ---- prelu's weight gradient ---------------------------------------------------------------

@st.composite
def prelu_cases(draw):
    full = draw(full_shapes(min_dims=2))
    c = _common(draw)
    c.update(full=full, per_channel=draw(st.booleans()),
             g=draw(broadcast_of(full)) if draw(st.booleans()) else full)
    return c


@SETTINGS
@given(prelu_cases())
@example(_defect(full=(4096, 3, 4), g=(4096, 3, 4), per_channel=True, fill=-1.0))   # item 2
@example(_defect(full=(4096, 3, 4), g=(4096, 3, 4), per_channel=True, fill=-1.0,
                 dtype="float16"))                                                  # item 2
@example(_defect(full=(4096, 3, 4), g=(4096, 3, 4), per_channel=False, fill=-1.0))  # item 2
def test_prelu_backward(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    # positive: x <= 0 (the side that has a weight gradient), g > 0
    x, X = make(rng, c["full"], dt, c["layouts"][0], c["scale"], c["fill"], c["positive"])
    if c["positive"]:
        np.negative(x, out=x)                       # in place: the layout stays
        X = -X
    g, G = make(rng, c["g"], dt, c["layouts"][1], c["scale"],
                None if c["fill"] is None else 1.0, c["positive"])
    nw = c["full"][1] if c["per_channel"] else 1
    w, W = make(rng, (nw,), dt, "C", 1.0)
    Wb = W.reshape((-1,) + (1,) * (X.ndim - 2)) if c["per_channel"] else W.reshape(())
    with np.errstate(all="ignore"):
        dx_want = np.broadcast_to(G * np.where(X > 0, 1.0, Wb), c["full"])
        terms = np.broadcast_to(G * np.where(X > 0, 0.0, X), c["full"])
    tol_x = elem_tol(dx_want, 0.0, dt, np.abs(G))
    # grad_weight: the sum over every axis but the channel (axis 1), or over all
    tol_t = np.broadcast_to(elem_tol(terms, 0.0, dt, np.abs(G)), c["full"])
    moved, tol_t = ((np.moveaxis(terms, 1, -1), np.moveaxis(tol_t, 1, -1)) if c["per_channel"]
                    else (terms, tol_t))
    if c["per_channel"]:
        want_w, tol_w = sum_to(moved.reshape(-1, nw), tol_t.reshape(-1, nw), (1, nw), dt)
    else:
        want_w, tol_w = sum_to(moved.reshape(-1, 1), tol_t.reshape(-1, 1), (1, 1), dt)
    out = _alias_or_fresh(c, g if g.shape == x.shape else x, c["full"], dt)
    dx, dw = run(fastact.prelu.backward, g, x, w, out=out)
    if out is not None:
        assert dx is out
    assert dw.shape == w.shape
    check(dx, dx_want, tol_x, dt, "prelu.backward grad_x")
    check(dw, want_w.reshape(w.shape), tol_w.reshape(w.shape), dt, "prelu.backward grad_weight")


# ---- softmax / log_softmax with where= ---------------------------------------------------

@st.composite
def softmax_cases(draw):
    full = draw(full_shapes())
    c = _common(draw)
    c.update(full=full, name=draw(st.sampled_from(["softmax", "log_softmax"])),
             axis=draw(st.one_of(st.integers(-len(full), len(full) - 1), st.none(),
                                 st.lists(st.integers(0, len(full) - 1), min_size=1,
                                          max_size=len(full), unique=True).map(tuple))),
             mask=draw(broadcast_of(full)), density=draw(st.sampled_from([0.0, 0.5, 0.9, 1.0])))
    return c


def _softmax_ref(name, X, mask, axis):
    """(y, the tolerance's scale terms) in float64: masked entries out of the row."""
    with np.errstate(all="ignore"):
        xm = np.where(mask, X, -np.inf)
        m = np.max(xm, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)             # a fully masked row
        e = np.exp(xm - m)
        S = np.sum(e, axis=axis, keepdims=True)
        logS = np.log(np.where(S > 0, S, 1.0))
        d = np.where(mask, np.abs(X - m), 0.0)           # |x - max|: the exp's condition
        if name == "softmax":
            y = np.where(S > 0, e / np.where(S > 0, S, 1.0), 0.0)
            return y, np.abs(y) * (1 + d + logS)
        y = np.where(mask, xm - m - logS, -np.inf)
        return y, np.where(mask, d + np.abs(logS) + 1, 0.0)


@SETTINGS
@given(softmax_cases())
def test_softmax_where_forward(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    x, X = make(rng, c["full"], dt, c["layouts"][0], c["scale"])
    mask = np.broadcast_to(rng.random(c["mask"]) < c["density"], c["full"])
    want, scale = _softmax_ref(c["name"], X, mask, c["axis"])
    tol = elem_tol(want, scale, dt)
    out = _alias_or_fresh(c, x, x.shape, dt)
    y = run(getattr(fastact, c["name"]), x, axis=c["axis"], where=mask, out=out)
    if out is not None:
        assert y is out
    check(y, want, tol, dt, c["name"])


@SETTINGS
@given(softmax_cases())
def test_softmax_where_backward(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    x, X = make(rng, c["full"], dt, c["layouts"][0], min(c["scale"], 40.0))
    mask = np.broadcast_to(rng.random(c["mask"]) < c["density"], c["full"])
    yref, _ = _softmax_ref(c["name"], X, mask, c["axis"])
    y = yref.astype(dt)                                   # the forward's output, as passed
    Y = y.astype(np.float64)
    def grad():     # the same grad_output afresh for each call (an aliased out overwrites it)
        return make(np.random.default_rng(c["seed"] + 1), c["full"], dt, c["layouts"][1],
                    c["scale"])
    g, G = grad()
    ax = c["axis"]
    with np.errstate(all="ignore"):
        Gm = np.where(mask, G, 0.0)
        if c["name"] == "softmax":
            dot = np.sum(Gm * Y, axis=ax, keepdims=True)
            want = np.where(mask, Y * (Gm - dot), 0.0)
            scale = np.abs(Y) * (np.abs(Gm) + np.sum(np.abs(Gm * Y), axis=ax, keepdims=True))
        else:
            p = np.where(mask, np.exp(Y), 0.0)
            tot = np.sum(Gm, axis=ax, keepdims=True)
            want = np.where(mask, Gm - p * tot, 0.0)
            scale = (np.abs(Gm) + p * np.sum(np.abs(Gm), axis=ax, keepdims=True)
                     * (1 + np.abs(np.where(mask, Y, 0.0))))
    tol = elem_tol(want, scale, dt)
    f = getattr(fastact, c["name"])
    # from the output y (no forward inside), then from the input x (the forward first)
    # From x the forward's y is computed in dt inside the call: one more rounding of y
    # (one eps of dt, relative) on top of the from-output bound.
    y_rounding = float(finfo(dt).eps) * scale
    for method, data, t in (("backward_from_output", y, tol),
                            ("backward", x, tol + y_rounding)):
        g, _ = grad()
        out = _alias_or_fresh(c, g, g.shape, dt)
        dx = run(getattr(f, method), g, data, axis=ax, where=mask, out=out)
        if out is not None:
            assert dx is out
        check(dx, want, t, dt, f"{c['name']}.{method}")


# ---- the losses --------------------------------------------------------------------------

@st.composite
def loss_cases(draw):
    c = _common(draw)
    n = draw(st.sampled_from([1, 2, 5, 33, 700]))
    C = draw(st.integers(1, 9))
    spatial = draw(st.sampled_from([(), (3,)]))
    c.update(full=(n, C) + spatial, axis=1 if spatial else draw(st.sampled_from([-1, 1])),
             loss=draw(st.sampled_from(["ce_index", "ce_prob", "bce"])),
             reduction=draw(st.sampled_from(["mean", "sum", "none"])),
             weight=draw(st.booleans()), pos_weight=draw(st.booleans()),
             smoothing=draw(st.sampled_from([0.0, 0.1, 0.5])),
             ignore=draw(st.booleans()))
    c["scale"] = min(c["scale"], 40.0)          # logits (the losses are computed in double)
    if c["axis"] == 1 and not spatial and C == 1:
        c["axis"] = -1
    return c


def _ce_ref(X, c):
    """(loss, grad, loss scale, grad scale) of cross_entropy in float64, the class axis
    last; X is (rows, C)."""
    R, C = X.shape
    m = X.max(axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(X - m), axis=1, keepdims=True))
    logp = X - lse
    p = np.exp(logp)
    w = c["_w"] if c["weight"] else np.ones(C)
    e = c["smoothing"]
    if c["loss"] == "ce_index":
        y = c["_t"]
        keep = y != -100
        yk = np.where(keep, y, 0)
        onehot = np.eye(C)[yk]
        wy = w[yk] * keep
        q = (1 - e) * wy[:, None] * onehot + (e / C) * w[None, :] * keep[:, None]
        den = np.sum(wy)
    else:
        q = w[None, :] * ((1 - e) * c["_t"] + e / C)
        den = R
    loss = -np.sum(q * logp, axis=1)
    grad = np.sum(q, axis=1, keepdims=True) * p - q
    lscale = np.sum(np.abs(q) * (np.abs(X) + np.abs(lse)), axis=1)
    # p = exp(x - lse): relative error eps |x - lse| from the exp's argument
    gscale = np.abs(np.sum(q, axis=1, keepdims=True)) * p * (1 + np.abs(logp)) + np.abs(q)
    return loss, grad, lscale, gscale, den


@SETTINGS
@given(loss_cases())
@example(_defect(loss="ce_index", dtype=">f8", full=(5, 3), axis=-1, reduction="mean",
                 weight=False, pos_weight=False, smoothing=0.0, ignore=False))     # item 3
@example(_defect(loss="bce", dtype=">f4", full=(5, 3), axis=-1, reduction="mean",
                 weight=False, pos_weight=False, smoothing=0.0, ignore=False))     # item 3
def test_losses(c):
    dt = DTYPES[c["dtype"]]
    rng = np.random.default_rng(c["seed"])
    x, X = make(rng, c["full"], dt, c["layouts"][0], c["scale"])
    ax = c["axis"] % x.ndim
    C = c["full"][ax]
    Xr = np.moveaxis(X, ax, -1).reshape(-1, C)               # rows of classes
    rows_shape = np.moveaxis(X, ax, -1).shape[:-1]
    kw = {}
    if c["loss"] == "bce":
        t, T = make(rng, c["full"], dt, c["layouts"][1], 0.5)
        t, T = (T + 0.5).astype(dt), (T + 0.5).astype(dt).astype(np.float64)   # in [0, 1]
        Wt = rng.uniform(0.1, 2.0, c["full"][-1:]) if c["weight"] else np.ones(1)
        Pw = rng.uniform(0.1, 3.0, c["full"][-1:]) if c["pos_weight"] else np.ones(1)
        if c["weight"]:
            kw["weight"] = Wt.astype(dt)
            Wt = kw["weight"].astype(np.float64)
        if c["pos_weight"]:
            kw["pos_weight"] = Pw.astype(dt)
            Pw = kw["pos_weight"].astype(np.float64)
        s, sn = sigmoid_pair(X)
        with np.errstate(all="ignore"):
            l1p = np.log1p(np.exp(-np.abs(X)))
            sp_pos, sp_neg = np.maximum(X, 0) + l1p, np.maximum(-X, 0) + l1p   # softplus(+-x)
        li = Wt * (Pw * T * sp_neg + (1 - T) * sp_pos)
        lscale = np.abs(Wt) * (np.abs(Pw * T * sp_neg) + np.abs((1 - T) * sp_pos))
        gr = Wt * ((1 - T) * s - Pw * T * sn)
        gscale = np.abs(Wt) * (np.abs((1 - T) * s) + np.abs(Pw * T * sn))
        den = X.size
        fn = fastact.binary_cross_entropy_with_logits
        call = (x, t)
        loss_rows, grad_full, lscale_full = li, gr, lscale
    else:
        if c["weight"]:
            kw["weight"] = rng.uniform(0.1, 2.0, C).astype(dt)
            c["_w"] = kw["weight"].astype(np.float64)
        if c["smoothing"]:
            kw["label_smoothing"] = c["smoothing"]
        if c["loss"] == "ce_index":
            y = rng.integers(0, C, Xr.shape[0])
            if c["ignore"] and y.size > 1:
                y[rng.random(y.size) < 0.3] = -100
                y[0] = 0                        # at least one row counts
            c["_t"] = y
            target = y.reshape(rows_shape)
        else:
            P = rng.random(Xr.shape)
            P /= P.sum(axis=1, keepdims=True)
            tp = P.astype(dt)
            c["_t"] = tp.astype(np.float64)
            target = np.moveaxis(tp.reshape(rows_shape + (C,)), -1, ax)
        loss_r, grad_r, lscale_r, gscale_r, den = _ce_ref(Xr, c)
        fn = fastact.cross_entropy
        kw["axis"] = c["axis"]
        call = (x, target)
        loss_rows = loss_r.reshape(rows_shape)
        lscale_full = lscale_r.reshape(rows_shape)
        grad_full = np.moveaxis(grad_r.reshape(rows_shape + (C,)), -1, ax)
        gscale = np.moveaxis(gscale_r.reshape(rows_shape + (C,)), -1, ax)
    red = c["reduction"]
    div = den if red == "mean" else 1.0
    if red == "none":
        want_loss, tol_loss = loss_rows, elem_tol(loss_rows, lscale_full, dt)
    else:
        want_loss = np.sum(loss_rows) / div
        tol_loss = elem_tol(want_loss, np.sum(lscale_full) / div, dt)
    want_grad = grad_full / div
    tol_grad = elem_tol(want_grad, gscale / div, dt)
    loss = run(fn, *call, reduction=red, **kw)
    loss2, grad = run(fn.value_and_grad, *call, reduction=red, **kw)
    check(loss, want_loss, tol_loss, dt, f"{c['loss']} loss")
    check(loss2, want_loss, tol_loss, dt, f"{c['loss']} value_and_grad loss")
    check(grad, want_grad, tol_grad, dt, f"{c['loss']} grad")
