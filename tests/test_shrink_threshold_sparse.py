"""threshold, hardshrink, softshrink against PyTorch (values and autograd gradients, bit
for bit: every result is a selection or one rounding), sparse_plus and sparse_sigmoid
against their closed forms and JAX's jax.nn; threshold's required parameters and the
shrinks' rules on lambd.  PyTorch and JAX are optional: their tests skip without them."""

import inspect
import math
from fractions import Fraction

import numpy as np
import pytest

import fastact
from conftest import DTYPE_IDS, DTYPES, strict_fp

# the kinks and their float neighbours, both signs, the infinities and the points between
_BASE = [0.0, -0.0, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 20.0, 1e-30, 5e-324, 1e30, math.inf]


def _points(dtype, kinks=()):
    vals = _BASE + [float(k) for k in kinks]
    x = np.array(vals + [-v for v in vals], dtype=np.float64).astype(dtype)
    k = np.array([float(k) for k in kinks], dtype=np.float64).astype(dtype)
    x = np.concatenate([x, np.nextafter(k, dtype(np.inf)), np.nextafter(k, dtype(-np.inf)),
                        np.linspace(-4, 4, 801).astype(dtype)])
    return x


def _bits(a):
    return np.asarray(a).view(np.uint32 if np.asarray(a).dtype == np.float32 else np.uint64)


def _same(a, b, signed_zeros=True):
    """Equal bit for bit where not NaN (+0 and -0 differ unless signed_zeros=False), NaN
    where the other is."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    nan = np.isnan(a)
    assert (nan == np.isnan(b)).all(), np.flatnonzero(nan != np.isnan(b))[:5]
    if signed_zeros:
        bad = np.flatnonzero(_bits(a[~nan]) != _bits(b[~nan]))
    else:
        bad = np.flatnonzero(a[~nan] != b[~nan])
    assert bad.size == 0, (a[~nan][bad[:5]], b[~nan][bad[:5]])


# ---- PyTorch: values and autograd gradients ----------------------------------------------

TORCH_CASES = [
    ("threshold", (1.0, -1.0)), ("threshold", (0.0, 0.0)), ("threshold", (0.1, 20.0)),
    ("threshold", (-2.0, 5.0)),
    ("hardshrink", (0.5,)), ("hardshrink", (0.0,)), ("hardshrink", (2.0,)),
    ("hardshrink", (-0.5,)),          # PyTorch accepts it: the identity
    ("softshrink", (0.5,)), ("softshrink", (0.0,)), ("softshrink", (2.0,)),
]


def _torch_fn(torch, name, args):
    F = torch.nn.functional
    return {"threshold": lambda t: F.threshold(t, *args),
            "hardshrink": lambda t: F.hardshrink(t, *args),
            "softshrink": lambda t: F.softshrink(t, *args)}[name]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, args", TORCH_CASES, ids=[f"{n}{a}" for n, a in TORCH_CASES])
def test_values_and_gradients_match_pytorch_exactly(name, args, dtype):
    torch = pytest.importorskip("torch")
    f = fastact.ACTIVATIONS[name]
    kinks = [a for a in args[:1]] + [-a for a in args[:1]]
    x = _points(dtype, kinks)
    x = x[~np.isnan(x)]         # NaN: below
    g = np.random.default_rng(3).standard_normal(x.size).astype(dtype)
    # the parameters as the float32 data see them (PyTorch's CPU kernels cast them too)
    args = tuple(float(dtype(a)) for a in args)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    yt = _torch_fn(torch, name, args)(xt)
    (gt,) = torch.autograd.grad(yt, xt, grad_outputs=torch.from_numpy(g))
    (dt,) = torch.autograd.grad(_torch_fn(torch, name, args)(xt), xt,
                                grad_outputs=torch.ones_like(xt))
    _same(f(x, *args), yt.detach().numpy())
    _same(f.derivative(x, *args), dt.numpy())
    # g * 0 is -0 for a negative g (fastact's backward is g * f'); PyTorch selects +0
    _same(f.backward(g, x, *args), gt.numpy(), signed_zeros=False)
    if f.has_from_output and min(args) >= 0:
        y = f(x, *args)
        _same(f.derivative_from_output(y, *args), dt.numpy())
        _same(f.backward_from_output(g, y, *args), gt.numpy(), signed_zeros=False)


def test_nan_is_nan_where_pytorch_gives_a_gradient():
    """NaN in, NaN out for the derivatives too (fastact's rule); PyTorch passes NaN through
    the forward only, and its backwards give a NaN input a gradient of 0 or 1."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for name, tf, args in (("threshold", F.threshold, (1.0, -1.0)),
                           ("hardshrink", F.hardshrink, (0.5,)),
                           ("softshrink", F.softshrink, (0.5,))):
        xt = torch.tensor([math.nan], dtype=torch.float64, requires_grad=True)
        (gt,) = torch.autograd.grad(tf(xt, *args).sum(), xt)
        assert not math.isnan(gt.item())     # 0 or 1, by the path its kernel takes
        f = fastact.ACTIVATIONS[name]
        assert math.isnan(f(math.nan, *args)) and math.isnan(f.derivative(math.nan, *args))


def test_softshrink_refuses_negative_lambd_as_pytorch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="lambda"):
        torch.nn.functional.softshrink(torch.zeros(2, dtype=torch.float64), -0.5)
    x = np.array([-1.0, 0.0, 1.0])
    for dt in (np.float32, np.float64):
        for lam in (-0.5, np.array([0.5, -0.5, 0.5]), -1e-300 if dt == np.float64 else -1e-30):
            out = np.full(3, 7.0, dt)
            with pytest.raises(ValueError, match=r"fastact\.softshrink: lambd must be >= 0"):
                fastact.softshrink(x.astype(dt), lam, out=out)
            assert (out == 7.0).all()
    with pytest.raises(ValueError, match=r"fastact\.softshrink\.backward: lambd must be >= 0"):
        fastact.softshrink.backward(x, x, lambd=-1.0)
    # -0.0 is not below 0 (PyTorch accepts it too)
    assert list(fastact.softshrink(x, -0.0)) == [-1.0, 0.0, 1.0]


# ---- the shrinks without PyTorch ---------------------------------------------------------

def test_hardshrink_negative_lambd_is_the_identity():
    x = np.array([-2.0, -0.25, -0.0, 0.0, 0.25, 2.0])
    _same(fastact.hardshrink(x, -0.5), x)
    assert (fastact.hardshrink.derivative(x, -0.5) == 1.0).all()
    # the from-output forms read |x| > lambd as y != 0, which needs lambd >= 0
    with pytest.raises(ValueError, match=r"hardshrink\.derivative_from_output: .*lambd >= 0"):
        fastact.hardshrink.derivative_from_output(x, -0.5)
    with pytest.raises(ValueError, match=r"hardshrink\.backward_from_output: .*lambd >= 0"):
        fastact.hardshrink.backward_from_output(x, x, lambd=np.array([-0.5]))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_shrinks_closed_forms(dtype):
    x = _points(dtype, (0.5, -0.5))
    lam = dtype(0.5)
    with np.errstate(all="ignore"):
        soft = np.where(x > lam, x - lam, np.where(x < -lam, x + lam, dtype(0)))
        hard = np.where(np.abs(x) > lam, x, dtype(0))
    _same(fastact.softshrink(x), soft.astype(dtype))
    _same(fastact.hardshrink(x), hard.astype(dtype))
    d = np.where(np.abs(x) > lam, 1.0, 0.0).astype(dtype)
    _same(fastact.softshrink.derivative(x), d)
    _same(fastact.hardshrink.derivative(x), d)
    # at +-lambd: 0, as PyTorch
    assert fastact.softshrink.derivative(dtype(0.5)) == 0 == fastact.hardshrink.derivative(
        dtype(-0.5))


# ---- threshold's required parameters -----------------------------------------------------

def test_threshold_requires_both_parameters():
    x = np.array([-1.0, 0.5, 2.0])
    for dt in (np.float32, np.float64):            # the compiled path and the general one
        xd = x.astype(dt)
        for call, missing in ((lambda: fastact.threshold(xd), "threshold"),
                              (lambda: fastact.threshold(xd, 1.0), "value"),
                              (lambda: fastact.threshold(xd, value=1.0), "threshold"),
                              (lambda: fastact.threshold(xd, threshold=[1.0]), "value")):
            with pytest.raises(TypeError) as info:
                call()
            assert str(info.value) == f"fastact.threshold() missing required argument {missing!r}"
        with pytest.raises(TypeError, match=r"^fastact\.threshold\.backward\(\) missing "
                                            r"required argument 'value'$"):
            fastact.threshold.backward(xd, xd, 0.5)
        with pytest.raises(TypeError, match=r"^fastact\.threshold\.derivative\(\) missing "):
            fastact.threshold.derivative(xd, out=np.zeros(3, dt))
    # positional or keyword, in any order
    ref = [-5.0, -5.0, 2.0]
    assert list(fastact.threshold(x, 1.0, -5.0)) == ref
    assert list(fastact.threshold(x, value=-5.0, threshold=1.0)) == ref
    assert list(fastact.threshold(x, 1.0, value=-5.0)) == ref
    assert list(fastact.threshold(x.astype(np.float32), 1.0, -5.0)) == ref


def test_threshold_signature_and_repr_have_no_defaults():
    for method, data in (("__call__", ["x"]), ("derivative", ["x"]),
                         ("backward", ["grad_output", "x"])):
        fn = fastact.threshold if method == "__call__" else getattr(fastact.threshold, method)
        params = inspect.signature(fn).parameters
        assert list(params) == data + ["threshold", "value", "out"]
        assert params["threshold"].default is inspect.Parameter.empty
        assert params["value"].default is inspect.Parameter.empty
        assert params["threshold"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert repr(fastact.threshold) == "<fastact.threshold(x, threshold, value)>"
    assert "threshold : float or array_like\n    Required." in fastact.threshold.derivative.__doc__
    assert not fastact.threshold.has_from_output
    # PyTorch's names, in its order (torch.nn.functional.threshold(input, threshold, value))
    torch = pytest.importorskip("torch")
    assert list(inspect.signature(torch.nn.functional.threshold).parameters)[1:3] == [
        "threshold", "value"]


def test_threshold_zero_zero_is_relu():
    x = _points(np.float64, (0.0,))
    x = np.concatenate([x, [math.nan]])
    _same(fastact.threshold(x, 0.0, 0.0), fastact.relu(x))
    _same(fastact.threshold.derivative(x, 0, 0), fastact.relu.derivative(x))


def test_threshold_parameters_follow_the_rules():
    x = np.array([0.0, 2.0])
    # any value PyTorch takes, inf and NaN too; only a finite value beyond float32 is not
    with pytest.raises(ValueError, match=r"fastact\.threshold: value\b.*out of float32's range"):
        fastact.threshold(x.astype(np.float32), 1.0, 1e39)
    with pytest.raises(ValueError, match=r"fastact\.threshold: threshold\b.*out of float32's"):
        fastact.threshold(x.astype(np.float32), np.array([1e39]), 1.0)
    # arrays of parameters broadcast against x
    got = fastact.threshold(x, np.array([[-1.0], [1.0]]), np.array([[5.0], [7.0]]))
    assert got.tolist() == [[0.0, 2.0], [7.0, 2.0]]


_NONFINITE = [(math.nan, 5.0), (math.inf, 5.0), (-math.inf, 5.0), (0.0, math.nan),
              (0.0, math.inf), (0.0, -math.inf), (math.nan, math.nan), (-math.inf, math.nan),
              (math.inf, -math.inf), (1.0, math.nan)]


@pytest.mark.parametrize("t,v", _NONFINITE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("as_array", [False, True], ids=["scalar", "array"])
def test_threshold_nonfinite_parameters_as_pytorch(t, v, dtype, as_array):
    """Infinite and NaN thresholds and values give torch.nn.functional.threshold's results
    (a NaN threshold passes every x: x <= NaN is false), and threshold_backward's
    gradients except at NaN x (NaN here: NaN in, NaN out; PyTorch gives 1)."""
    torch = pytest.importorskip("torch")
    x = _points(dtype, (1.0,))
    x = np.concatenate([x, [math.nan, math.inf, -math.inf]]).astype(dtype)
    g = np.linspace(-3, 3, x.size).astype(dtype)
    tx = torch.tensor(x)
    ref = torch.nn.functional.threshold(tx, t, v).numpy()
    gref = torch.ops.aten.threshold_backward(torch.tensor(g), tx, t).numpy()
    gref = np.where(np.isnan(x), np.nan, gref).astype(dtype)
    tp, vp = (np.array(t), np.array(v)) if as_array else (t, v)
    with strict_fp():
        y = fastact.threshold(x, tp, vp)
        dx = fastact.threshold.backward(g, x, tp, vp)
    _same(y, ref)
    _same(dx, gref, signed_zeros=False)       # g * 0 may be -0.0 (as for finite ones)
    pure = [fastact.threshold.reference(float(xi), t, v) for xi in x]
    _same(np.array(pure, np.float64), ref.astype(np.float64))


# ---- sparse_plus and sparse_sigmoid: closed forms -----------------------------------------

def _sparse_points(dtype):
    x = _points(dtype, (1.0, -1.0, 0.5))
    rng = np.random.default_rng(5)
    more = np.concatenate([rng.uniform(-1, 1, 3000), -1 + rng.uniform(0, 1e-6, 200),
                           1 - rng.uniform(0, 1e-6, 200), rng.uniform(-1, 1, 200) * 1e-9])
    return np.concatenate([x, more.astype(dtype)])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_sparse_plus_and_sigmoid_closed_forms(dtype):
    """Correctly rounded: (x + 1)^2/4 and (x + 1)/2 evaluated exactly (fractions), rounded
    once to the dtype."""
    x = _sparse_points(dtype)

    def exact(fn, v):
        v = float(v)
        if math.isinf(v):
            return fn(Fraction(int(math.copysign(10, v))))     # beyond the kinks
        return fn(Fraction(v))

    def plus(q):
        return 0 if q <= -1 else (q if q >= 1 else (q + 1) ** 2 / 4)

    def sig(q):
        return 0 if q <= -1 else (1 if q >= 1 else (q + 1) / 2)

    want_plus = np.array([float(exact(plus, v)) for v in x])
    want_plus[np.isinf(x) & (x > 0)] = math.inf
    want_sig = np.array([float(exact(sig, v)) for v in x])
    # the exact value rounded once to dtype (float32: from the exact value, not via double)
    if dtype == np.float32:
        want_plus = np.array([_round32(exact(plus, v)) if np.isfinite(v) else w
                              for v, w in zip(x, want_plus)], dtype=np.float32)
        want_sig = np.array([_round32(exact(sig, v)) for v in x], dtype=np.float32)
    _same(fastact.sparse_plus(x), want_plus.astype(dtype))
    _same(fastact.sparse_sigmoid(x), want_sig.astype(dtype))
    # sparse_plus' is sparse_sigmoid, bit for bit; sparse_sigmoid' is 1/2 strictly inside
    _same(fastact.sparse_plus.derivative(x), fastact.sparse_sigmoid(x))
    inside = (x > -1) & (x < 1)
    _same(fastact.sparse_sigmoid.derivative(x), np.where(inside, 0.5, 0.0).astype(dtype))
    # the documented kinks
    for v, dp, ds in ((-1.0, 0.0, 0.0), (1.0, 1.0, 0.0)):
        assert fastact.sparse_plus.derivative(dtype(v)) == dp
        assert fastact.sparse_sigmoid.derivative(dtype(v)) == ds
    # NaN in, NaN out
    for f in (fastact.sparse_plus, fastact.sparse_sigmoid):
        assert np.isnan(f(dtype(math.nan))) and np.isnan(f.derivative(dtype(math.nan)))


def _round32(q):
    """The Fraction q rounded to the nearest float32 (ties to even), exactly."""
    if q == 0:
        return 0.0
    d = float(q)                                   # nearest double
    f = np.float32(d)
    # correct a double rounding: pick the nearer of f's float32 neighbours to q itself
    cands = [np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))]
    best = min(cands, key=lambda c: (abs(Fraction(float(c)) - q),
                                     int(np.float32(c).view(np.uint32)) & 1))
    return float(best)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_sparse_plus_from_output_is_sqrt_of_y(dtype):
    x = _sparse_points(dtype)
    x = x[np.isfinite(x)]
    y = fastact.sparse_plus(x)
    d = fastact.sparse_plus.derivative_from_output(y)
    want = np.where(y <= 0, 0.0, np.where(y >= 1, 1.0, np.sqrt(y.astype(np.float64))))
    _same(d, want.astype(dtype))
    # and within an ULP of the derivative from x (y's rounding, halved by the sqrt)
    dx = fastact.sparse_plus.derivative(x)
    assert np.all(np.abs(d - dx) <= np.spacing(np.maximum(dx, np.finfo(dtype).tiny)))


def test_sparse_sigmoid_has_no_from_output():
    # y = 1 also comes from x just below 1, where x + 1 rounds up to 2 and f' = 1/2
    x = np.nextafter(1.0, 0.0)
    assert fastact.sparse_sigmoid(x) == 1.0 and fastact.sparse_sigmoid.derivative(x) == 0.5
    assert not fastact.sparse_sigmoid.has_from_output


# ---- JAX's jax.nn ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sparse_plus", "sparse_sigmoid"])
def test_sparse_match_jax(name, jax64):
    """Values and jax.grad agree with jax.nn in float64, but for the documented kink of
    sparse_sigmoid' (JAX: 1/4 at +-1, the mean of the one-sided slopes from jnp.clip's
    ties, and so at 1 - 2^-53 too, where x + 1 rounds to 2; fastact: 0, and 1/2 below 1)
    and JAX's NaN gradients at +-inf (from (x + 1)**2 at inf) and 0
    gradient for NaN.  JAX's (x + 1)**2 / 4 rounds three times: within 2 ULP of fastact's."""
    jax = jax64
    jfn = getattr(jax.nn, name)
    f = fastact.ACTIVATIONS[name]
    x = _sparse_points(np.float64)
    y = np.asarray(jfn(x))
    with np.errstate(invalid="ignore"):           # inf - inf
        ok = (f(x) == y) | (np.abs(f(x) - y) <= 2 * np.spacing(np.abs(y)))
    assert ok.all(), x[~ok][:5]
    grad = np.asarray(jax.vmap(jax.grad(jfn))(x))
    # JAX's clip sees a tie wherever x + 1 rounds to 0 or 2: at +-1 and at 1 - 2^-53
    fin = np.isfinite(x) & (x + 1 != 0) & (x + 1 != 2)
    d = f.derivative(x)
    assert np.all(np.abs(d[fin] - grad[fin]) <= 2 * np.spacing(np.abs(grad[fin])))
    kinks = np.array([-1.0, 1.0])
    jk = np.asarray(jax.vmap(jax.grad(jfn))(kinks))
    if name == "sparse_sigmoid":
        assert jk.tolist() == [0.25, 0.25] and f.derivative(kinks).tolist() == [0.0, 0.0]
    else:
        assert jk.tolist() == f.derivative(kinks).tolist() == [0.0, 1.0]


# ---- tanhshrink ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_tanhshrink_near_zero_keeps_its_digits(dtype):
    """x - tanh(x) cancels near 0; fastact's is the series x^3/3 - 2x^5/15 + 17x^7/315 to a
    few ULP there (the naive formula, as PyTorch's, has no correct digit below 1e-8)."""
    x = np.geomspace(1e-30, 1e-3, 400)
    x = np.concatenate([x, -x]).astype(dtype)
    xd = x.astype(np.float64)
    series = xd ** 3 / 3 - 2 * xd ** 5 / 15 + 17 * xd ** 7 / 315
    got = fastact.tanhshrink(x).astype(np.float64)
    sub = float(np.finfo(dtype).smallest_subnormal)
    ok = np.abs(got - series) <= 4 * np.finfo(dtype).eps * np.abs(series) + 4 * sub
    assert ok.all(), x[~ok][:5]
    assert (np.signbit(got) == np.signbit(x)).all()        # odd, down to the zeros
    d = fastact.tanhshrink.derivative(x).astype(np.float64)
    with np.errstate(under="ignore"):
        want = (np.tanh(xd) ** 2).astype(dtype).astype(np.float64)    # underflows in float32
    assert np.allclose(d, want, rtol=8 * np.finfo(dtype).eps, atol=4 * sub)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_tanhshrink_matches_pytorch(dtype):
    """Values and autograd gradients against torch.nn.functional.tanhshrink at PyTorch's
    own tolerances (torch.testing.assert_close's defaults for the dtype); PyTorch computes
    x - tanh(x) as written, so it is the one off near 0, by less than its atol."""
    torch = pytest.importorskip("torch")
    x = _points(dtype, (2.0, -2.0))
    g = np.random.default_rng(4).standard_normal(x.size).astype(dtype)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    yt = torch.nn.functional.tanhshrink(xt)
    (gt,) = torch.autograd.grad(yt, xt, grad_outputs=torch.from_numpy(g))
    torch.testing.assert_close(torch.from_numpy(fastact.tanhshrink(x)), yt.detach())
    torch.testing.assert_close(torch.from_numpy(fastact.tanhshrink.backward(g, x)), gt)
    assert not fastact.tanhshrink.has_from_output
