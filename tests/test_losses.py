"""fastact.cross_entropy and fastact.binary_cross_entropy_with_logits, with their
value_and_grad, against mpmath (float64 within a few ULP), the pure-Python references,
and PyTorch's values and autograd gradients when it is installed."""

import math
import pickle
import warnings

import numpy as np
import pytest
from numpy.exceptions import AxisError

import fastact

CE, BCE = fastact.cross_entropy, fastact.binary_cross_entropy_with_logits
EPS64 = np.finfo(np.float64).eps
REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


# ---- mpmath references (the PyTorch formulas at 200 bits) ------------------------------

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp


def mp_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean",
                     eps=0.0):
    """(loss, grad) for 2-D x (rows, classes): log_softmax, then nll_loss and the
    smoothing term as torch's cross_entropy composes them; the gradient from its
    closed form softmax - (smoothed, weighted) target."""
    mp.prec = 200
    R, C = x.shape
    w = [mp.mpf(1)] * C if weight is None else [mp.mpf(float(v)) for v in weight]
    eps = mp.mpf(eps)
    losses, grads, sizes, den = [], [], [], mp.mpf(0)
    for r in range(R):
        row = [mp.mpf(float(v)) for v in x[r]]
        lse = mp.log(mp.fsum(mp.exp(v) for v in row))
        logp = [v - lse for v in row]
        p = [mp.exp(v) for v in logp]
        t = target[r]
        if np.ndim(t):                       # probabilities
            q = [w[c] * ((1 - eps) * mp.mpf(float(t[c])) + eps / C) for c in range(C)]
            den += 1
        elif t == ignore_index:
            losses.append(mp.mpf(0))
            grads.append([mp.mpf(0)] * C)
            sizes.append(mp.mpf(0))
            continue
        else:
            q = [eps / C * w[c] for c in range(C)]
            q[t] += (1 - eps) * w[t]
            den += w[t]
        losses.append(-mp.fsum(q[c] * logp[c] for c in range(C)))
        Q = mp.fsum(q)
        grads.append([Q * p[c] - q[c] for c in range(C)])
        sizes.append(Q)                      # |Q p_c| and |q_c| are at most Q
    if reduction == "none":
        return losses, grads, sizes
    total = mp.fsum(losses)
    if reduction == "sum":
        return total, grads, sizes
    return (total / den, [[g / den for g in row] for row in grads],
            [q / den for q in sizes])


def mp_bce(x, t, w, pw, reduction):
    mp.prec = 200
    losses, grads = [], []
    for xi, ti, wi, pi in zip(x, t, w, pw):
        xi, ti, wi, pi = (mp.mpf(float(v)) for v in (xi, ti, wi, pi))
        sig = 1 / (1 + mp.exp(-xi))
        # PyTorch's (1 - t) x - (1 + (pw - 1) t) log_sigmoid(x), times w
        losses.append(wi * ((1 - ti) * xi - (1 + (pi - 1) * ti) * mp.log(sig)))
        grads.append(wi * ((1 - ti) * sig - pi * ti * (1 - sig)))
    n = len(losses)
    if reduction == "none":
        return losses, grads
    total = mp.fsum(losses)
    if reduction == "sum":
        return total, grads
    return total / n, [g / n for g in grads]


def assert_ulp(got, want, ulps, what):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray([float(v) for v in np.ravel(want)]).reshape(got.shape)
    err = np.abs(got - want) / np.maximum(np.abs(want) * EPS64, 2.0 ** -1074)
    assert np.all(err <= ulps), f"{what}: {err.max():.1f} ULP"


def assert_grad(got, want, sizes, what):
    # each element within 4 ULP of its terms' size: the gradient's entries are
    # differences a p_c - b_c, whose rounding is relative to the terms (at most `sizes`)
    got = np.asarray(got, dtype=np.float64)
    want = np.array([[float(v) for v in row] for row in want]).reshape(got.shape)
    scale = np.array([float(v) for v in sizes])[:, None]
    assert np.all(np.abs(got - want) <= 4 * EPS64 * scale), what


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", ["plain", "weight", "smoothing", "weight+smoothing",
                                  "ignore", "probabilities", "probabilities+weight+smoothing"])
def test_cross_entropy_against_mpmath(case, reduction):
    g = rng(sum(map(ord, case)))
    R, C = 7, 5
    x = g.standard_normal((R, C)) * 4
    weight = g.uniform(0.2, 2.0, C) if "weight" in case else None
    eps = 0.15 if "smoothing" in case else 0.0
    if "probabilities" in case:
        t = g.dirichlet(np.ones(C), R)
        tl = list(t)
    else:
        t = g.integers(0, C, R)
        if case == "ignore":
            t[[1, 4]] = -100
        tl = [int(v) for v in t]
    want_loss, want_grad, sizes = mp_cross_entropy(x, tl, weight, -100, reduction, eps)
    loss, grad = CE.value_and_grad(x, t, weight=weight, reduction=reduction,
                                   label_smoothing=eps)
    assert_ulp(loss, want_loss, 8, f"{case} loss")
    assert_grad(grad, want_grad, sizes, f"{case} grad")
    assert CE(x, t, weight=weight, reduction=reduction, label_smoothing=eps).tolist() \
        == np.asarray(loss).tolist()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", ["none", "weight", "pos_weight", "both"])
def test_bce_against_mpmath(weights, reduction):
    g = rng(3)
    shape = (6, 4)
    # wide logits: PyTorch's own formula cancels at x << 0, t = 0, so mpmath checks
    # fastact's stable form exactly there
    x = g.standard_normal(shape) * 15
    t = g.uniform(0, 1, shape)
    t[0] = [0.0, 1.0, 0.0, 1.0]
    w = g.uniform(0.5, 2, shape) if weights in ("weight", "both") else None
    pw = g.uniform(0.5, 3, shape[-1]) if weights in ("pos_weight", "both") else None
    ww = np.ones(shape) if w is None else w
    pp = np.broadcast_to(np.ones(shape[-1]) if pw is None else pw, shape)
    want_loss, want_grad = mp_bce(x.ravel(), t.ravel(), ww.ravel(), pp.ravel(), reduction)
    loss, grad = BCE.value_and_grad(x, t, weight=w, pos_weight=pw, reduction=reduction)
    assert_ulp(loss, want_loss, 8, "loss")
    # the gradient (1 - t) s(x) - pw t s(-x) cancels where it is near 0: bound it by its
    # terms' size (w pw, at most about 6 here)
    want = np.array([float(v) for v in want_grad]).reshape(shape)
    scale = ww * np.maximum(1.0, pp) / (x.size if reduction == "mean" else 1)
    assert np.all(np.abs(grad - want) <= 4 * EPS64 * scale)


# ---- the pure-Python references ----------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_reference(reduction):
    g = rng(5)
    x = g.standard_normal((6, 4))
    t = np.array([0, 3, -1, 2, 1, -1])
    w = [0.5, 1.0, 2.0, 1.5]
    loss, grad = CE.value_and_grad(x, t, weight=w, ignore_index=-1, reduction=reduction,
                                   label_smoothing=0.2)
    rl, rg = CE.reference(x.tolist(), t.tolist(), w, -1, reduction, 0.2)
    np.testing.assert_allclose(loss, rl, rtol=1e-14)
    np.testing.assert_allclose(grad, rg, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_reference(reduction):
    g = rng(6)
    x, t = g.standard_normal(9) * 5, g.uniform(0, 1, 9)
    w, pw = g.uniform(0, 2, 9), g.uniform(0.5, 2, 9)
    loss, grad = BCE.value_and_grad(x, t, w, pw, reduction)
    rl, rg = BCE.reference(x.tolist(), t.tolist(), w.tolist(), pw.tolist(), reduction)
    np.testing.assert_allclose(loss, rl, rtol=1e-14)
    np.testing.assert_allclose(grad, rg, rtol=1e-13, atol=1e-16)


# ---- PyTorch ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_torch_thread():
    # these calls are tiny: PyTorch's thread pool costs far more than they do on a busy
    # machine
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def torch_value_and_grad(fn, x, *args, **kwargs):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x, requires_grad=True)
    conv = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    loss = fn(xt, *conv, **kw)
    loss.sum().backward()
    return loss.detach().numpy(), xt.grad.numpy()


TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-15)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape,axis", [((8, 5), -1), ((8, 5), 1), ((4, 5, 3), 1),
                                        ((2, 5, 3, 4), 1), ((3, 4, 5), -1), ((5,), 0),
                                        ((4, 3, 5), 0)])
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 2},
                                     {"label_smoothing": 0.3},
                                     {"weight": True, "ignore_index": 1, "label_smoothing": 0.1}])
def test_cross_entropy_against_pytorch_class_indices(dtype, reduction, shape, axis, options,
                                                    one_torch_thread):
    F = pytest.importorskip("torch.nn.functional")
    g = rng(len(shape) * 10 + axis)
    x = (g.standard_normal(shape) * 3).astype(dtype)
    C = shape[axis]
    t = g.integers(0, C, shape[:axis % len(shape)] + shape[axis % len(shape) + 1:])
    kw = dict(reduction=reduction, label_smoothing=options.get("label_smoothing", 0.0),
              ignore_index=options.get("ignore_index", -100))
    if options.get("weight"):
        kw["weight"] = g.uniform(0.3, 2.0, C).astype(dtype)
    loss, grad = CE.value_and_grad(x, t, axis=axis, **kw)
    # torch's class dimension is 1 (0 for unbatched input): move fastact's axis there
    tdim = 0 if x.ndim == 1 else 1
    xt = np.ascontiguousarray(np.moveaxis(x, axis, tdim))
    want_loss, want_grad = torch_value_and_grad(F.cross_entropy, xt, t, **kw)
    want_grad = np.moveaxis(want_grad, tdim, axis)
    assert loss.dtype == dtype and grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_allclose(loss, want_loss, **TOL[dtype])
    np.testing.assert_allclose(grad, want_grad, **TOL[dtype])
    assert CE(x, t, axis=axis, **kw).tolist() == np.asarray(loss).tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("shape,axis", [((6, 4), -1), ((3, 4, 2, 2), 1)])
def test_cross_entropy_against_pytorch_probabilities(dtype, reduction, weight, smoothing,
                                                     shape, axis, one_torch_thread):
    F = pytest.importorskip("torch.nn.functional")
    g = rng(11)
    x = (g.standard_normal(shape) * 3).astype(dtype)
    t = np.moveaxis(g.dirichlet(np.ones(shape[axis]), np.delete(shape, axis % len(shape))),
                    -1, axis).astype(dtype)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    if weight:
        kw["weight"] = g.uniform(0.3, 2.0, shape[axis]).astype(dtype)
    loss, grad = CE.value_and_grad(x, t, axis=axis, **kw)
    want_loss, want_grad = torch_value_and_grad(
        F.cross_entropy, np.ascontiguousarray(np.moveaxis(x, axis, 1)),
        np.ascontiguousarray(np.moveaxis(t, axis, 1)), **kw)
    np.testing.assert_allclose(loss, want_loss, **TOL[dtype])
    np.testing.assert_allclose(grad, np.moveaxis(want_grad, 1, axis), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wshape,pwshape", [(None, None), ((3, 4), None), (None, (4,)),
                                            ((4,), (4,)), ((3, 1), (1, 4)), ((), ()),
                                            ((2, 3, 4), (3, 4))])
def test_bce_against_pytorch(dtype, reduction, wshape, pwshape, one_torch_thread):
    F = pytest.importorskip("torch.nn.functional")
    g = rng(12)
    x = (g.standard_normal((2, 3, 4)) * 4).astype(dtype)
    t = g.uniform(0, 1, x.shape).astype(dtype)
    t[0, 0] = [0, 1, 0, 1]
    kw = dict(reduction=reduction)
    if wshape is not None:
        kw["weight"] = g.uniform(0.2, 2, wshape).astype(dtype)
    if pwshape is not None:
        kw["pos_weight"] = g.uniform(0.5, 3, pwshape).astype(dtype)
    loss, grad = BCE.value_and_grad(x, t, **kw)
    want_loss, want_grad = torch_value_and_grad(F.binary_cross_entropy_with_logits, x, t, **kw)
    assert loss.dtype == dtype and grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_allclose(loss, want_loss, **TOL[dtype])
    np.testing.assert_allclose(grad, want_grad, **TOL[dtype])


def test_bce_is_exact_where_pytorchs_formula_cancels():
    # softplus(-30) = 9.357622968840175e-14; (1 - t) x - log_sigmoid(x) loses it to
    # cancellation (PyTorch 2.13 gives 9.2371e-14)
    got = BCE(np.array([-30.0]), np.array([0.0]))
    assert got == pytest.approx(math.log1p(math.exp(-30.0)), rel=2 * EPS64)


# ---- huge logits, infinities, NaN ---------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_logits_give_finite_results_without_warnings(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4],
                  [3e38, -3e38, 0.0]], dtype=dtype)
    t = np.array([1, 0, 0, 0])
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = CE.value_and_grad(x, t, reduction="none", label_smoothing=0.1)
        # (1 - e) nll_t + e/3 sum_c nll_c, with the nll_c exact in these rows
        want = [0.9 * 2e4 + 0.1 / 3 * 3e4, math.log(3), math.log(2) + 2e4 / 30]
        np.testing.assert_allclose(loss[:3], want, rtol=1e-6)
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grad))
        bl, bg = BCE.value_and_grad(x, np.ones_like(x), reduction="none")
        assert np.all(np.isfinite(bl)) and np.all(np.isfinite(bg))
        assert bl[0, 0] == 0 and bl[0, 1] == dtype(1e4) and bg[0, 1] == -1
        bl, bg = BCE.value_and_grad(np.array([np.inf, -np.inf], dtype), np.array([1.0, 0.0], dtype),
                                    reduction="none")
        assert bl.tolist() == [0.0, 0.0] and bg.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_loss_beyond_the_dtypes_range_is_inf_without_a_warning(dtype, reduction):
    # the true loss 2 * 2 * 3e4 (float16) or 2 * 3e38 (float32) exceeds the largest
    # number, with every reduction ('none' as 'sum' and 'mean' would)
    big = float(np.finfo(dtype).max) * 0.9
    x = np.array([[big, -big]], dtype)
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = CE.value_and_grad(x, np.array([1]), weight=[2.0, 2.0],
                                       reduction=reduction)
        bl, bg = BCE.value_and_grad(x[0], np.zeros(2, dtype), weight=[3.0, 3.0],
                                    reduction=reduction)
    assert np.all(np.isinf(loss)) and np.all(np.isfinite(grad))
    if reduction == "none":
        assert np.isinf(bl[0]) and bl[1] == 0
    else:
        assert np.isinf(bl)
    assert np.all(np.isfinite(bg))


def test_nan_logits_give_nan_losses_and_gradients_in_their_rows():
    x = np.array([[0.0, np.nan, 1.0], [1.0, 2.0, 3.0]])
    with np.errstate(all="raise"):
        loss, grad = CE.value_and_grad(x, np.array([0, 1]), reduction="none")
        assert np.isnan(loss[0]) and np.all(np.isnan(grad[0]))
        assert np.isfinite(loss[1]) and np.all(np.isfinite(grad[1]))
        assert np.isnan(CE(x, np.array([2, 1])))
        assert np.isnan(CE(x, np.array([[0.2, 0.3, 0.5], [1, 0, 0]]), reduction="sum"))
        loss, grad = BCE.value_and_grad(np.array([np.nan, 1.0]), np.array([1.0, 1.0]),
                                        reduction="none")
        assert np.isnan(loss[0]) and np.isnan(grad[0]) and np.isfinite(loss[1])
        assert np.isnan(BCE(np.array([0.0]), np.array([np.nan])))


def test_all_ignored_mean_is_nan_with_zero_gradients_as_pytorch():
    with np.errstate(all="raise"):
        loss, grad = CE.value_and_grad(np.ones((3, 4)), np.full(3, -100))
    assert np.isnan(loss) and np.all(grad == 0)
    assert CE(np.ones((3, 4)), np.full(3, -100), reduction="sum") == 0


# ---- dtypes, shapes, objects --------------------------------------------------------------

def test_dtypes():
    x = np.array([[1.0, 2.0, 0.5]])
    for dt in (np.float16, np.float32, np.float64):
        loss, grad = CE.value_and_grad(x.astype(dt), [1])
        assert type(loss) is np.dtype(dt).type and grad.dtype == dt
        loss, grad = BCE.value_and_grad(x.astype(dt), x * 0 + 1)
        assert type(loss) is np.dtype(dt).type and grad.dtype == dt
    want = CE(x.astype(np.float32), [1])
    assert CE(x.astype(np.float16), [1]) == np.float16(want)
    assert CE(np.array([[1, 2, 0]]), [1]).dtype == np.float64     # integers: float64


def test_unbatched_and_empty_inputs():
    x = np.array([1.0, 2.0, 0.5])
    loss, grad = CE.value_and_grad(x, 1)
    assert grad.shape == (3,) and loss == CE(x[None], [1])
    assert np.ndim(CE(x, 1, reduction="none")) == 0
    with np.errstate(all="raise"):
        assert np.isnan(CE(np.zeros((0, 3)), np.zeros(0, int)))
        assert CE(np.zeros((0, 3)), np.zeros(0, int), reduction="none").shape == (0,)
        assert np.isnan(BCE(np.zeros(0), np.zeros(0)))
        loss, grad = BCE.value_and_grad(np.zeros((0, 2)), np.zeros((0, 2)), reduction="sum")
        assert loss == 0 and grad.shape == (0, 2)


def test_inputs_are_not_modified():
    g = rng(8)
    x, t = g.standard_normal((4, 3)), np.array([0, 1, 2, 1])
    x0, t0 = x.copy(), t.copy()
    CE.value_and_grad(x, t, label_smoothing=0.1)
    BCE.value_and_grad(x, g.uniform(size=(4, 3)))
    with pytest.raises(IndexError):
        CE.value_and_grad(x, np.array([0, 1, 3, 1]))
    assert np.array_equal(x, x0) and np.array_equal(t, t0)


def test_axis_takes_pytorchs_layout_and_non_contiguous_input():
    g = rng(9)
    x = g.standard_normal((2, 5, 3, 4))            # (N, C, H, W), PyTorch's layout
    t = g.integers(0, 5, (2, 3, 4))
    last = np.moveaxis(x, 1, -1)                   # a non-contiguous view, classes last
    l1, g1 = CE.value_and_grad(x, t, axis=1, reduction="none")
    l2, g2 = CE.value_and_grad(last, t, reduction="none")
    assert np.array_equal(l1, l2) and np.array_equal(g1, np.moveaxis(g2, -1, 1))
    assert g1.flags.c_contiguous


@pytest.mark.parametrize("obj", [CE, BCE, CE.value_and_grad, BCE.value_and_grad,
                                 CE.backward, BCE.backward, CE.reference, BCE.reference])
def test_pickle_by_name(obj):
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(obj, protocol)) is obj


def test_signatures_and_exports():
    import inspect
    params = list(inspect.signature(CE).parameters)
    assert params == ["logits", "target", "axis", "weight", "ignore_index", "reduction",
                      "label_smoothing"]
    assert list(inspect.signature(CE.value_and_grad).parameters) == params
    assert list(inspect.signature(CE.backward).parameters) == ["grad_output", *params]
    assert list(inspect.signature(BCE.backward).parameters) == [
        "grad_output", "logits", "target", "weight", "pos_weight", "reduction"]
    assert list(inspect.signature(BCE).parameters) == list(
        inspect.signature(BCE.value_and_grad).parameters) == [
            "logits", "target", "weight", "pos_weight", "reduction"]
    assert "cross_entropy" in fastact.__all__
    assert "binary_cross_entropy_with_logits" in fastact.__all__


# ---- errors ------------------------------------------------------------------------------

X = np.zeros((2, 3))


@pytest.mark.parametrize("call,exc,words", [
    (lambda: CE(X, [0, 3]), IndexError, ["fastact.cross_entropy", "target[1] = 3", "[0, 3)"]),
    (lambda: CE(X, [0, -2]), IndexError, ["target[1] = -2"]),
    (lambda: CE(X, [0, 1, 2]), ValueError, ["target", "(2,)", "(3,)"]),
    (lambda: CE(X, np.zeros((2, 2))), ValueError, ["target", "probabilities", "(2, 3)"]),
    (lambda: CE(X, np.full((2, 3), 1 / 3), ignore_index=0), ValueError, ["ignore_index"]),
    (lambda: CE(X, [0, 1], reduction="avg"), ValueError, ["reduction", "'avg'"]),
    (lambda: CE(X, [0, 1], reduction=None), ValueError, ["reduction"]),
    (lambda: CE(X, [0, 1], label_smoothing=1.5), ValueError, ["label_smoothing", "1.5"]),
    (lambda: CE(X, [0, 1], label_smoothing=-0.1), ValueError, ["label_smoothing"]),
    (lambda: CE(X, [0, 1], label_smoothing=math.nan), ValueError, ["label_smoothing"]),
    (lambda: CE(X, [0, 1], label_smoothing="x"), TypeError, ["label_smoothing"]),
    (lambda: CE(X, [0, 1], weight=[1.0, 2.0]), ValueError, ["weight", "(3,)"]),
    (lambda: CE(X, [0, 1], axis=2), AxisError, ["axis 2"]),
    (lambda: CE(X, [0, 1], axis=1.0), TypeError, ["axis"]),
    (lambda: CE(X, [0, 1], ignore_index=1.5), TypeError, ["ignore_index"]),
    (lambda: CE(X, ["a", "b"]), TypeError, ["target"]),
    (lambda: CE(X, [True, False]), TypeError, ["target", "bool"]),
    (lambda: CE(X.astype(complex), [0, 1]), TypeError, ["logits"]),
    (lambda: CE(np.float64(1.0), 0), ValueError, ["logits", "0-d"]),
    (lambda: CE(np.zeros((2, 0)), [0, 1]), ValueError, ["no classes"]),
    (lambda: CE.value_and_grad(X, [0, 5]), IndexError, ["fastact.cross_entropy.value_and_grad"]),
    (lambda: BCE(X, np.zeros(3)), ValueError,
     ["fastact.binary_cross_entropy_with_logits", "target", "(2, 3)"]),
    (lambda: BCE(X, X, weight=np.ones(2)), ValueError, ["weight", "(2,)"]),
    (lambda: BCE(X, X, pos_weight=np.ones((4, 3))), ValueError, ["pos_weight", "(4, 3)"]),
    (lambda: BCE(X, X, reduction="mean "), ValueError, ["reduction"]),
    (lambda: BCE(X, "x"), TypeError, ["target"]),
    (lambda: BCE.value_and_grad(X, X[:1, :2]), ValueError,
     ["fastact.binary_cross_entropy_with_logits.value_and_grad"]),
])
def test_errors_name_the_function_and_the_argument(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_confident_predictions_keep_their_digits():
    # p_t near 1: the loss log1p(sum of the others) and p_t - 1 would lose every digit
    # computed as log(s) and e_t / s - 1
    # (the last row: x_c - max rounds, which exp would turn into 12 ULP of the loss)
    x = np.array([[30.0, 0.0, -2.0], [30.0, 30.0, 0.0], [10.0, 12.0, 11.0],
                  [39.80766028390819, 14.020894287582196, 9.229586130146528]])
    t = np.array([0, 1, 1, 0])
    want_loss, want_grad, _ = mp_cross_entropy(x, list(t), reduction="none")
    loss, grad = CE.value_and_grad(x, t, reduction="none")
    assert_ulp(loss, want_loss, 4, "loss")
    assert_ulp(grad[:, 0], [row[0] for row in want_grad], 8, "grad")
    assert_ulp(grad[0], want_grad[0], 8, "grad of the confident row")


def test_stub_signatures_match_the_functions():
    # losses.pyi types each loss as a Protocol (stubtest cannot compare those with a
    # function; see tests/stubtest_allowlist.txt): its methods must have the runtime's
    # parameters and defaults
    import ast
    import inspect
    import pathlib
    tree = ast.parse((pathlib.Path(fastact.losses.__file__).with_suffix(".pyi")).read_text())
    protocols = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for fn, proto in ((CE, "_CrossEntropy"), (BCE, "_BinaryCrossEntropyWithLogits")):
        methods = {m.name: m for m in protocols[proto].body if isinstance(m, ast.FunctionDef)}
        for name, runtime in (("__call__", fn), ("value_and_grad", fn.value_and_grad),
                              ("backward", fn.backward), ("reference", fn.reference)):
            args = methods[name].args
            names = [a.arg for a in args.args][1:]
            defaults = [ast.literal_eval(d) for d in args.defaults]
            sig = inspect.signature(runtime).parameters.values()
            assert names == [p.name for p in sig], (proto, name)
            assert defaults == [p.default for p in sig if p.default is not p.empty], (proto, name)


# ---- byte order, bfloat16 ------------------------------------------------------------------

@pytest.mark.parametrize("code", ["f8", "f4", "f2"])
def test_byte_swapped_operands_give_the_native_results(code):
    g = rng(20)
    x = (g.standard_normal((5, 4)) * 3).astype("<" + code)
    t = np.array([0, 3, 1, 2, 3])
    p = g.dirichlet(np.ones(4), 5).astype("<" + code)
    w, pw = g.uniform(0.5, 2, 4), g.uniform(0.5, 2, 4)
    sw = lambda a: a.astype(a.dtype.newbyteorder(">"))        # noqa: E731
    for reduction in REDUCTIONS:
        for native, swapped in (
                (CE.value_and_grad(x, t, weight=w, reduction=reduction),
                 CE.value_and_grad(sw(x), sw(t), weight=sw(w), reduction=reduction)),
                (CE.value_and_grad(x, p, reduction=reduction, label_smoothing=0.1),
                 CE.value_and_grad(sw(x), sw(p), reduction=reduction, label_smoothing=0.1)),
                (BCE.value_and_grad(x, p, w, pw, reduction=reduction),
                 BCE.value_and_grad(sw(x), sw(p), sw(w), sw(pw), reduction=reduction))):
            for a, b in zip(native, swapped):
                assert b.dtype == np.dtype(code) and b.dtype.isnative
                assert np.array_equal(a, b)


def bf16():
    return pytest.importorskip("ml_dtypes").bfloat16


def test_bfloat16_in_bfloat16_out_rounding_the_float64_result_once():
    BF = bf16()
    g = rng(21)
    x = (g.standard_normal((64, 6)) * 3).astype(BF)
    t = g.integers(0, 6, 64)
    p = g.dirichlet(np.ones(6), 64).astype(BF)            # a bfloat16 probability target
    x64 = x.astype(np.float64)
    for reduction in REDUCTIONS:
        for target in (t, p):
            loss, grad = CE.value_and_grad(x, target, reduction=reduction)
            assert np.asarray(loss).dtype == BF and grad.dtype == BF
            want_loss, want_grad, _ = mp_cross_entropy(
                x64, list(target) if target is t else list(target.astype(np.float64)),
                reduction=reduction)
            # computed in float32 from exact bfloat16 inputs: within one bfloat16 rounding
            # (2^-8 relative) of the exact value
            want_loss = np.array([float(v) for v in np.ravel(want_loss)])
            np.testing.assert_allclose(np.ravel(loss).astype(np.float64), want_loss,
                                       rtol=2.0 ** -8)
            want_grad = np.array([[float(v) for v in row] for row in want_grad])
            np.testing.assert_allclose(grad.astype(np.float64), want_grad, rtol=2.0 ** -8,
                                       atol=2.0 ** -8 * np.abs(want_grad).max())
        bt = g.uniform(0, 1, x.shape).astype(BF)
        loss, grad = BCE.value_and_grad(x, bt, reduction=reduction)
        assert np.asarray(loss).dtype == BF and grad.dtype == BF
        want_loss, want_grad = mp_bce(x64.ravel(), bt.astype(np.float64).ravel(),
                                      np.ones(x.size), np.ones(x.size), reduction)
        np.testing.assert_allclose(np.ravel(loss).astype(np.float64),
                                   [float(v) for v in np.ravel(want_loss)], rtol=2.0 ** -8)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_16_bit_sums_accumulate_wide_and_round_once(dtype):
    # 4096 equal losses: a sum in the 16-bit type stalls at 256 or 2048 (PyTorch, which
    # accumulates in float32, gives the exact sum rounded once)
    dt = bf16() if dtype == "bfloat16" else np.float16
    x = np.zeros(4096, dt)
    t = np.ones(4096, dt)
    want = 4096 * math.log(2.0)                      # softplus(0) each
    assert BCE(x, t, reduction="sum") == dt(want)
    assert BCE(x, t, reduction="mean") == dt(math.log(2.0))
    xs = np.zeros((4096, 2), dt)
    assert CE(xs, np.zeros(4096, int), reduction="sum") == dt(want)
    g = CE.backward(np.ones(4096, dt), xs, np.zeros(4096, int), reduction="none")
    assert g.dtype == dt and np.all(g.astype(float) == [-0.5, 0.5])


# ---- parameter types -----------------------------------------------------------------------

@pytest.mark.parametrize("call,words", [
    (lambda: CE(X, [0, 1], label_smoothing="0.1"), ["label_smoothing", "str"]),
    (lambda: CE(X, [0, 1], label_smoothing=b"0.2"), ["label_smoothing", "bytes"]),
    (lambda: CE(X, [0, 1], label_smoothing=True), ["label_smoothing", "bool"]),
    (lambda: CE(X, [0, 1], label_smoothing=np.True_), ["label_smoothing"]),
    (lambda: CE(X, [0, 1], label_smoothing=[0.1]), ["label_smoothing", "list"]),
    (lambda: CE(X, [0, 1], ignore_index=True), ["ignore_index", "bool"]),
    (lambda: CE(X, [0, 1], ignore_index="1"), ["ignore_index", "str"]),
    (lambda: CE(X, [0, 1], ignore_index=np.float64(1.0)), ["ignore_index"]),
    (lambda: CE(X, [0, 1], axis=True), ["axis", "bool"]),
    (lambda: CE(X, [0, 1], weight=["1", "2", "3"]), ["weight"]),
    (lambda: CE(X, [0, 1], weight=[True, False, True]), ["weight", "bool"]),
    (lambda: BCE(X, X, weight=np.array(["a", "b", "c"])), ["weight"]),
    (lambda: BCE(X, X, pos_weight=["1", "2", "3"]), ["pos_weight"]),
    (lambda: BCE(X, X, pos_weight=True), ["pos_weight", "bool"]),
    (lambda: BCE(X, X > 0), ["target", "bool"]),
    (lambda: CE.backward("1", X, [0, 1]), ["grad_output"]),
])
def test_strings_and_bools_are_type_errors(call, words):
    with pytest.raises(TypeError) as info:
        call()
    for w in ["fastact.", *words]:
        assert w in str(info.value), (w, str(info.value))


def test_numpy_scalars_are_numbers():
    want = CE(X, [0, 1], label_smoothing=0.5, ignore_index=1)
    assert CE(X, [0, 1], label_smoothing=np.float32(0.5), ignore_index=np.int8(1)) == want
    assert CE(X, [0, 1], label_smoothing=np.array(0.5), ignore_index=np.int64(1)) == want
    assert CE(X, [0, 1], label_smoothing=1) == CE(X, [0, 1], label_smoothing=1.0)


# ---- floating-point warnings, degenerate weights, PyTorch's NaN and inf -------------------

def quiet():
    """np.errstate(all='raise') with warnings as errors: nothing may leak."""
    import contextlib
    stack = contextlib.ExitStack()
    stack.enter_context(np.errstate(all="raise"))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("error")
    return stack


def torch_backward(fn, x, gout, *args, **kwargs):
    """(loss, gradient of loss with respect to x for grad_output gout) from PyTorch."""
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x, requires_grad=True)
    conv = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    loss = fn(xt, *conv, **kw)
    loss.backward(torch.tensor(gout, dtype=loss.dtype).expand(loss.shape))
    return loss.detach().numpy(), xt.grad.numpy()


def assert_same(got, want, what):
    """Equal to PyTorch within rounding, with NaN and inf in the same places."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want)), (what, got, want)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0, equal_nan=True, err_msg=what)


XD = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
DEGENERATE = {
    "used weights 0": ([0.0, 1.0, 1.0], [0, 0]),
    "all weights 0": ([0.0, 0.0, 0.0], [1, 2]),
    "weights cancel": ([1.0, -1.0, 1.0], [0, 1]),
    "inf weight used": ([math.inf, 1.0, 1.0], [0, 2]),
    "inf weight unused": ([math.inf, 1.0, 1.0], [1, 2]),
    "nan weight unused": ([1.0, math.nan, 1.0], [0, 2]),
    "weight sum overflows": ([1e308, 1e308, 1e308], [0, 2]),
    "every row ignored": (None, [-100, -100]),
    "every row ignored, weights": ([0.0, 1.0, 1.0], [-100, -100]),
    "one row ignored, its weight 0": ([0.0, 1.0, 1.0], [-100, 0]),
    "probabilities, inf weight": ([math.inf, 1.0, 1.0], [[0.2, 0.3, 0.5], [0.0, 0.5, 0.5]]),
    "probabilities, inf target": (None, [[math.inf, 0.0, 0.0], [0.2, 0.3, 0.5]]),
    "probabilities, nan target": (None, [[math.nan, 0.5, 0.5], [0.2, 0.3, 0.5]]),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("case", list(DEGENERATE))
def test_degenerate_weights_give_pytorchs_nan_and_inf(case, eps, reduction):
    F = pytest.importorskip("torch.nn.functional")
    w, t = DEGENERATE[case]
    w = None if w is None else np.array(w)
    t = np.array(t)
    kw = dict(weight=w, reduction=reduction, label_smoothing=eps)
    want_loss, want_grad = torch_value_and_grad(F.cross_entropy, XD, t, **kw)
    with quiet():
        loss, grad = CE.value_and_grad(XD, t, **kw)
        assert_same(CE(XD, t, **kw), want_loss, "loss")
    assert_same(loss, want_loss, "value_and_grad's loss")
    assert_same(grad, want_grad, "value_and_grad's grad")
    for gout in (3.0, math.inf, math.nan):
        gout = np.array([gout, 0.5]) if reduction == "none" else gout
        _, want = torch_backward(F.cross_entropy, XD, gout, t, **kw)
        with quiet():
            assert_same(CE.backward(gout, XD, t, **kw), want, f"backward({gout})")


def test_the_issues_case_zero_weight_with_smoothing_is_nan_not_inf():
    # every target class 0, its weight 0: the mean divides by 0, 0/0 and x/0 together
    # give NaN in PyTorch (fastact gave inf)
    with quiet():
        assert np.isnan(CE(XD, [0, 0], weight=[0.0, 1.0, 1.0], label_smoothing=0.2))


BCE_DEGENERATE = {
    "inf weight": dict(weight=np.array([math.inf, 1.0, 0.0])),
    "nan weight": dict(weight=np.array([math.nan, 1.0, 1.0])),
    "inf pos_weight": dict(pos_weight=np.array([math.inf, 1.0, 2.0])),
    "inf target": dict(target=np.array([[math.inf, 0.0, 1.0], [0.5, -math.inf, 1.0]])),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(BCE_DEGENERATE))
def test_bce_non_finite_parameters_give_pytorchs_nan_and_inf(case, reduction):
    F = pytest.importorskip("torch.nn.functional")
    kw = dict(BCE_DEGENERATE[case])
    t = kw.pop("target", np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]]))
    x = np.array([[40.0, -3.0, 0.0], [0.5, 50.0, -40.0]])
    want_loss, want_grad = torch_value_and_grad(F.binary_cross_entropy_with_logits, x, t,
                                                reduction=reduction, **kw)
    with quiet():
        loss, grad = BCE.value_and_grad(x, t, reduction=reduction, **kw)
    assert_same(loss, want_loss, "loss")
    assert_same(grad, want_grad, "grad")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_parameters_beyond_float32_are_inf_without_a_warning(reduction):
    # float64 1e39 rounds to float32 inf (as PyTorch's float32 parameters would hold it):
    # no "overflow encountered in cast", and PyTorch's results with inf
    F = pytest.importorskip("torch.nn.functional")
    x = XD.astype(np.float32)
    inf32 = np.float32(np.inf)
    t = np.array([0, 2])
    p = np.array([[1e39, 0.0, 0.0], [0.2, 0.3, 0.5]])
    cases = [
        (CE, F.cross_entropy, (t,), dict(weight=np.array([1e39, 1.0, 1.0])),
         (t,), dict(weight=np.array([inf32, 1, 1], np.float32))),
        (CE, F.cross_entropy, (p,), {},
         (np.array([[inf32, 0, 0], [0.2, 0.3, 0.5]], np.float32),), {}),
        (BCE, F.binary_cross_entropy_with_logits, (np.ones((2, 3)),),
         dict(weight=np.array([1e39, 1.0, 1.0]), pos_weight=np.array([1.0, 1e39, 1.0])),
         (np.ones((2, 3), np.float32),),
         dict(weight=np.array([inf32, 1, 1], np.float32),
              pos_weight=np.array([1, inf32, 1], np.float32))),
    ]
    for ours, theirs, args, kw, targs, tkw in cases:
        want_loss, want_grad = torch_value_and_grad(theirs, x, *targs, reduction=reduction,
                                                    **tkw)
        with quiet():
            loss, grad = ours.value_and_grad(x, *args, reduction=reduction, **kw)
        assert_same(loss, want_loss, f"{theirs.__name__} loss")
        assert_same(grad, want_grad, f"{theirs.__name__} grad")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huge_float64_weights_as_pytorch_without_a_warning(reduction):
    # weight=np.full(3, 1e308) warned three times ("overflow encountered in reduce"...)
    F = pytest.importorskip("torch.nn.functional")
    t = np.array([0, 2])
    kw = dict(weight=np.full(3, 1e308), reduction=reduction)
    want_loss, want_grad = torch_value_and_grad(F.cross_entropy, XD, t, **kw)
    with quiet():
        loss, grad = CE.value_and_grad(XD, t, **kw)
    assert_same(loss, want_loss, "loss")
    assert_same(grad, want_grad, "grad")


# ---- an empty batch of many classes --------------------------------------------------------

def test_an_empty_batch_allocates_nothing_in_proportion_to_the_classes():
    # (0, C): PyTorch's NaN for 'mean', 0 for 'sum'; fastact made C float64 ones first
    # (16 GiB for C = 2^31; 2^24 here: 128 MiB, which tracemalloc sees)
    import tracemalloc
    C = 2 ** 24
    x = np.empty((0, C), np.float32)
    t = np.zeros(0, np.int64)
    wv = np.broadcast_to(np.float32(1), (C,))
    tracemalloc.start()
    try:
        with quiet():
            assert np.isnan(CE(x, t)) and np.isnan(CE(x, t, weight=wv))
            assert np.isnan(CE(x, x, label_smoothing=0.1))
            loss, grad = CE.value_and_grad(x, t, reduction="sum")
            assert loss == 0 and loss.dtype == np.float32 and grad.shape == (0, C)
            assert CE(x, t, reduction="none").shape == (0,)
            assert CE.backward(1.0, x, t).shape == (0, C)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 ** 20, peak
    F = pytest.importorskip("torch.nn.functional")
    torch = pytest.importorskip("torch")
    assert math.isnan(F.cross_entropy(torch.empty(0, 3), torch.zeros(0, dtype=torch.long)))


# ---- dim=, the class axis, backward ------------------------------------------------------

@pytest.mark.parametrize("fn,name", [
    (lambda **kw: CE(X, [0, 1], **kw), "fastact.cross_entropy()"),
    (lambda **kw: CE.value_and_grad(X, [0, 1], **kw), "fastact.cross_entropy.value_and_grad()"),
    (lambda **kw: CE.backward(1.0, X, [0, 1], **kw), "fastact.cross_entropy.backward()"),
    (lambda **kw: BCE(X, X, **kw), "fastact.binary_cross_entropy_with_logits()"),
    (lambda **kw: BCE.value_and_grad(X, X, **kw),
     "fastact.binary_cross_entropy_with_logits.value_and_grad()"),
    (lambda **kw: BCE.backward(1.0, X, X, **kw),
     "fastact.binary_cross_entropy_with_logits.backward()"),
])
def test_dim_is_a_type_error_that_says_axis(fn, name):
    with pytest.raises(TypeError) as info:
        fn(dim=1)
    msg = str(info.value)
    assert name in msg and "'dim'" in msg and "axis" in msg, msg
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'weights'"):
        fn(weights=None)


def test_the_class_axis_rule_with_as_many_classes_as_positions(one_torch_thread):
    # torch-layout logits (N, C, T) with C == T: the default axis=-1 reads rows of T
    # positions as classes, a valid-looking but other loss; axis=1 is PyTorch's
    F = pytest.importorskip("torch.nn.functional")
    g = rng(30)
    x = g.standard_normal((4, 3, 3))
    t = g.integers(0, 3, (4, 3))
    want, _ = torch_value_and_grad(F.cross_entropy, x, t)
    assert CE(x, t, axis=1) == pytest.approx(float(want), rel=1e-13)
    assert abs(CE(x, t) - float(want)) > 1e-3
    # the docstrings say so, near the top
    for f in (CE, CE.value_and_grad, CE.backward):
        head = f.__doc__[:600]
        assert "axis=1" in head and "dim" in head, f


def test_help_says_what_the_losses_return():
    import pydoc
    for f in (CE, BCE, CE.value_and_grad, BCE.value_and_grad, CE.backward, BCE.backward):
        text = pydoc.render_doc(f, renderer=pydoc.plaintext)
        for section in ("Parameters", "Returns", "Examples"):
            assert section in text, (f, section)


@pytest.mark.parametrize("f", [CE.backward, BCE.backward], ids=["ce", "bce"])
def test_backward_docstring_examples_run(f):
    import doctest
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = doctest.DocTestFinder(recurse=False).find(f, f.__qualname__, globs={})
    assert sum(len(t.examples) for t in tests) >= 2
    for t in tests:
        runner.run(t)
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True, "label_smoothing": 0.1},
                                     {"ignore_index": 2}, {"probabilities": True},
                                     {"probabilities": True, "weight": True,
                                      "label_smoothing": 0.3}])
def test_cross_entropy_backward_is_pytorchs_autograd(dtype, reduction, options,
                                                    one_torch_thread):
    F = pytest.importorskip("torch.nn.functional")
    g = rng(31)
    x = (g.standard_normal((4, 5, 3)) * 3).astype(dtype)          # PyTorch's layout
    if options.get("probabilities"):
        t = np.moveaxis(g.dirichlet(np.ones(5), (4, 3)), -1, 1).astype(dtype)
    else:
        t = g.integers(0, 5, (4, 3))
    kw = dict(reduction=reduction, label_smoothing=options.get("label_smoothing", 0.0))
    if "ignore_index" in options:
        kw["ignore_index"] = options["ignore_index"]
    if options.get("weight"):
        kw["weight"] = g.uniform(0.3, 2.0, 5).astype(dtype)
    gout = (g.standard_normal((4, 3)) if reduction == "none" else np.float64(-2.5)).astype(dtype)
    _, want = torch_backward(F.cross_entropy, x, gout, t, **kw)
    got = CE.backward(gout, x, t, axis=1, **kw)
    assert got.dtype == dtype and got.shape == x.shape
    np.testing.assert_allclose(got, want, **TOL[dtype])
    if reduction != "none":                   # value_and_grad is backward(1)
        assert np.array_equal(CE.backward(1.0, x, t, axis=1, **kw),
                              CE.value_and_grad(x, t, axis=1, **kw)[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_backward_is_pytorchs_autograd(dtype, reduction, one_torch_thread):
    F = pytest.importorskip("torch.nn.functional")
    g = rng(32)
    x = (g.standard_normal((3, 4)) * 4).astype(dtype)
    t = g.uniform(0, 1, x.shape).astype(dtype)
    kw = dict(weight=g.uniform(0.2, 2, (3, 1)).astype(dtype),
              pos_weight=g.uniform(0.5, 3, 4).astype(dtype), reduction=reduction)
    gout = (g.standard_normal(x.shape) if reduction == "none" else np.float64(0.75)).astype(dtype)
    _, want = torch_backward(F.binary_cross_entropy_with_logits, x, gout, t, **kw)
    got = BCE.backward(gout, x, t, **kw)
    assert got.dtype == dtype and got.shape == x.shape
    np.testing.assert_allclose(got, want, **TOL[dtype])


def test_backward_of_none_rounds_once():
    # each row's gradient scaled in double, then rounded: exactly the float64 result
    # rounded to float32 (a float32 gradient times a float32 grad_output would round twice)
    g = rng(33)
    x = g.standard_normal((300, 7)).astype(np.float32)
    t = g.integers(0, 7, 300)
    gout = g.standard_normal(300).astype(np.float32)
    want = CE.backward(gout.astype(np.float64), x.astype(np.float64), t, reduction="none")
    got = CE.backward(gout, x, t, reduction="none")
    assert np.array_equal(got, want.astype(np.float32))
    got = BCE.backward(gout[:, None], x, np.full(x.shape, 0.3, np.float32), reduction="none")
    want = BCE.backward(gout[:, None].astype(np.float64), x.astype(np.float64),
                        np.full(x.shape, np.float32(0.3), np.float64), reduction="none")
    assert np.array_equal(got, want.astype(np.float32))


@pytest.mark.parametrize("call,words", [
    (lambda: CE.backward(np.ones(2), X, [0, 1]), ["grad_output", "a scalar", "(2,)"]),
    (lambda: CE.backward(np.ones(3), X, [0, 1], reduction="none"),
     ["grad_output", "(2,)", "(3,)"]),
    (lambda: BCE.backward(np.ones((3, 3)), X, X, reduction="none"),
     ["grad_output", "(2, 3)", "(3, 3)"]),
])
def test_backward_grad_output_of_the_wrong_shape(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for w in ["fastact.", *words]:
        assert w in str(info.value), (w, str(info.value))


def test_a_nan_target_leaves_the_other_elements_their_own_values():
    # PyTorch's order is taken only where a target, weight or grad_output is not finite:
    # an infinite logit elsewhere keeps its limit (PyTorch: (1 - 1) inf = NaN)
    x = np.array([np.inf, -np.inf, 0.0, 2.0])
    t = np.array([1.0, 0.0, np.nan, 0.0])
    with quiet():
        loss, grad = BCE.value_and_grad(x, t, reduction="none")
        g = BCE.backward(np.array([1.0, 1.0, 1.0, np.inf]), x, np.array([1.0, 0.0, 0.5, 0.0]),
                         reduction="none")
    assert loss[:2].tolist() == [0.0, 0.0] and grad[:2].tolist() == [0.0, 0.0]
    assert np.isnan(loss[2]) and np.isnan(grad[2])
    assert loss[3] == pytest.approx(math.log1p(math.exp(2.0)), rel=4 * EPS64)
    assert g[:2].tolist() == [0.0, 0.0] and g[2] == 0.0 and g[3] == np.inf


# ---- property: every dtype, byte order, layout against a float64 closed form -------------

def np_cross_entropy(x, t, axis, w, eps, reduction):
    """(loss, grad) in float64 by the closed forms of the module docstring, with NumPy
    alone (classes moved last; t class indices or probabilities)."""
    x = np.moveaxis(x.astype(np.float64), axis, -1)
    C = x.shape[-1]
    w = np.ones(C) if w is None else w.astype(np.float64)
    z = x - x.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    if t.dtype.kind in "iu":
        onehot = np.eye(C)[t]
        wy = w[t]
        q = (1 - eps) * wy[..., None] * onehot + eps / C * w
        den = wy.sum()
    else:
        q = w * ((1 - eps) * np.moveaxis(t.astype(np.float64), axis, -1) + eps / C)
        den = t.size / C
    loss = -(q * logp).sum(axis=-1)
    grad = q.sum(axis=-1, keepdims=True) * np.exp(logp) - q
    size = q.sum(axis=-1, keepdims=True) + 0 * q       # |terms| of each gradient entry
    d = den if reduction == "mean" else 1.0
    value = loss if reduction == "none" else loss.sum() / d
    return value, np.moveaxis(grad / d, -1, axis), np.moveaxis(size / d, -1, axis)


EPS_OF = {"float16": 2.0 ** -11, "bfloat16": 2.0 ** -8, "float32": 2.0 ** -24,
          "float64": 2.0 ** -53}


def test_losses_over_dtypes_byte_orders_and_layouts():
    from hypothesis import given, strategies as st
    import hypothesis.extra.numpy as hnp

    @given(st.data())
    def check(data):
        name = data.draw(st.sampled_from(list(EPS_OF)), "dtype")
        dt = bf16() if name == "bfloat16" else np.dtype(name)
        shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), "shape")
        axis = data.draw(st.integers(-len(shape), len(shape) - 1), "axis")
        reduction = data.draw(st.sampled_from(REDUCTIONS), "reduction")
        eps = data.draw(st.sampled_from([0.0, 0.25]), "eps")
        g = rng(data.draw(st.integers(0, 2 ** 16), "seed"))
        C = shape[axis]
        # a strided view (every other element of a larger array), byte-swapped or not
        big = (g.standard_normal(tuple(2 * s for s in shape)) * 4).astype(dt)
        x = big[tuple(slice(None, None, 2) for _ in shape)]
        if name != "bfloat16" and data.draw(st.booleans(), "swapped"):
            x = x.astype(x.dtype.newbyteorder(">"))
        rows = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
        if data.draw(st.booleans(), "probabilities"):
            t = np.moveaxis(g.dirichlet(np.ones(C), rows), -1, axis).astype(dt)
        else:
            t = g.integers(0, C, rows)
        w = g.uniform(0.5, 2.0, C).astype(dt) if data.draw(st.booleans(), "weight") else None
        with quiet():
            loss, grad = CE.value_and_grad(x, t, axis=axis, weight=w, reduction=reduction,
                                           label_smoothing=eps)
        assert np.asarray(loss).dtype == np.dtype(dt).newbyteorder("=")
        assert grad.dtype == np.asarray(loss).dtype and grad.shape == shape
        want, want_grad, size = np_cross_entropy(x, t, axis, w, eps, reduction)
        e = EPS_OF[name]
        tol = 2 * e + 1e-13                   # one rounding, with room for the reference
        np.testing.assert_allclose(np.asarray(loss, np.float64), want, rtol=tol)
        assert np.all(np.abs(grad.astype(np.float64) - want_grad) <= tol * size)
        # BCE, elementwise, with a pos_weight along the last axis
        bt = g.uniform(0, 1, shape).astype(dt)
        pw = g.uniform(0.5, 2.0, shape[-1]).astype(dt)
        with quiet():
            bl, bg = BCE.value_and_grad(x, bt, pos_weight=pw, reduction=reduction)
        x64, t64, p64 = (a.astype(np.float64) for a in (x, bt, pw))
        sp = np.logaddexp(0, x64)                     # softplus(x); softplus(-x) = sp - x
        el = p64 * t64 * (sp - x64) + (1 - t64) * sp
        n = el.size if reduction == "mean" else 1
        want = el if reduction == "none" else el.sum() / n
        np.testing.assert_allclose(np.asarray(bl, np.float64), want, rtol=tol, atol=1e-300)
        sig = 1 / (1 + np.exp(-x64))
        want_grad = ((1 - t64) * sig - p64 * t64 * (1 - sig)) / n
        assert np.all(np.abs(bg.astype(np.float64) - want_grad) <= tol * (1 + p64) / n)

    check()


def test_dask_arrays_are_refused_not_computed():
    # np.asarray would compute them whole, silently: the losses say so instead
    da = pytest.importorskip("dask.array")
    x = da.zeros((4, 3), chunks=2)
    for call, what in ((lambda: CE(x, np.zeros(4, int)), "logits"),
                       (lambda: CE(X, da.zeros(2, dtype=int, chunks=1)), "target"),
                       (lambda: BCE.value_and_grad(X, X, weight=da.ones(3, chunks=1)),
                        "weight"),
                       (lambda: CE.backward(da.ones((), chunks=()), X, [0, 1]),
                        "grad_output")):
        with pytest.raises(TypeError, match=rf"fastact\..*{what}.*dask.*compute"):
            call()


# ---- the compiled targets (fastact._losses: baseline, AVX2 + FMA, AVX-512 in one module) --

from fastact import _losses as _loss_kernels  # noqa: E402


def _runnable_targets():
    now, ok = _loss_kernels.target(), []
    for name in _loss_kernels.TARGETS:
        try:
            _loss_kernels.select(name)
            ok.append(name)
        except ValueError:
            pass
    _loss_kernels.select(now)
    return ok


@pytest.fixture(params=_loss_kernels.TARGETS)
def each_target(request):
    """Runs the test with the loss kernels of one target (skipped where the CPU has not
    got it), then puts back the one fastact chose."""
    if request.param not in _runnable_targets():
        pytest.skip(f"this CPU cannot run the {request.param} target")
    before = _loss_kernels.target()
    _loss_kernels.select(request.param)
    yield request.param
    _loss_kernels.select(before)


def test_the_losses_run_the_activations_target():
    from fastact import _dispatch
    isa = _dispatch.KERNELS.isa
    # (aarch64's sve has no losses of its own: they run neon there)
    assert _loss_kernels.target() == (isa if isa != "sve" else "neon")
    assert _loss_kernels.target() == _runnable_targets()[-1] or "FASTACT_ISA" in __import__(
        "os").environ


def test_select_refuses_an_unknown_target():
    with pytest.raises(ValueError, match="fastact._losses.select: no target 'sse9'"):
        _loss_kernels.select("sse9")


# Row lengths around the SIMD blocks: the class loop runs 8 doubles at a time (16 for the
# maximum, two vectors of 8 doubles or one of 16 floats) with a scalar remainder, so
# lengths 1, 3, 7, 8, 9, 15, 16, 17, 31, 33 and 1001 exercise every split.
ROW_LENGTHS = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 1001]


@pytest.mark.parametrize("C", ROW_LENGTHS)
@pytest.mark.parametrize("case", ["plain", "weight+smoothing", "probabilities+smoothing"])
def test_every_target_and_row_length_against_mpmath(each_target, C, case):
    g = rng(C)
    R = 3
    x = g.standard_normal((R, C)) * 4
    x[0, C // 2] += 30.0                     # a confident row: its loss is about e^-30
    weight = g.uniform(0.2, 2.0, C) if "weight" in case else None
    eps = 0.1 if "smoothing" in case else 0.0
    if "probabilities" in case:
        t = g.dirichlet(np.ones(C), R)
        tl = list(t)
    else:
        t = g.integers(0, C, R)
        t[0] = C // 2
        tl = [int(v) for v in t]
    want_loss, want_grad, sizes = mp_cross_entropy(x, tl, weight, -100, "none", eps)
    loss, grad = CE.value_and_grad(x, t, weight=weight, reduction="none",
                                   label_smoothing=eps)
    # the documented bounds (each kind's value plus per_class ULP per class: the row's
    # sums of C terms)
    acc = fastact.losses.ACCURACY["cross_entropy", "float64"]
    assert_ulp(loss, want_loss, acc.loss + acc.per_class * C, f"{each_target} C={C} loss")
    want = np.array([[float(v) for v in row] for row in want_grad])
    size = np.array([float(v) for v in sizes])[:, None]
    err = np.abs(grad - want) / (EPS64 * size)
    assert err.max() <= acc.grad + acc.per_class * C, (each_target, C, case, err.max())
    assert CE(x, t, weight=weight, reduction="none", label_smoothing=eps).tolist() \
        == loss.tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("C", ROW_LENGTHS)
def test_every_target_and_row_length_against_pytorch(each_target, dtype, C,
                                                     one_torch_thread):
    torch = pytest.importorskip("torch")
    g = rng(C + 1)
    x = (g.standard_normal((5, C)) * 3).astype(dtype)
    t = g.integers(0, C, 5)
    w = g.uniform(0.5, 1.5, C).astype(dtype)
    for kw in ({}, {"label_smoothing": 0.2, "weight": w}):
        want_loss, want_grad = torch_value_and_grad(torch.nn.functional.cross_entropy, x, t,
                                                    **kw)
        loss, grad = CE.value_and_grad(x, t, **kw)
        np.testing.assert_allclose(loss, want_loss, **TOL[dtype])
        np.testing.assert_allclose(grad, want_grad, **TOL[dtype])
        assert grad.dtype == dtype


@pytest.mark.parametrize("n", [1, 7, 8, 9, 511, 513, 1031])
@pytest.mark.parametrize("weights", ["none", "scalar", "per element"])
def test_every_target_and_length_bce_against_mpmath(each_target, n, weights):
    g = rng(n)
    x = g.standard_normal(n) * 6
    x[::5] *= 4                               # the tails too (|x| up to ~100: mp_bce's 200 bits)
    t = g.uniform(0, 1, n)
    t[::3] = 1.0
    w = pw = None
    if weights == "scalar":
        w, pw = np.array(0.7), np.array(2.5)
    elif weights == "per element":
        w, pw = g.uniform(0.1, 2, n), g.uniform(0.5, 3, n)
    wl = np.broadcast_to(1.0 if w is None else w, (n,))
    pwl = np.broadcast_to(1.0 if pw is None else pw, (n,))
    want_loss, want_grad = mp_bce(x, t, wl, pwl, "none")
    loss, grad = BCE.value_and_grad(x, t, weight=w, pos_weight=pw, reduction="none")
    assert_ulp(loss, want_loss, 4, f"{each_target} n={n} loss")
    # gradient: ULP of its terms' size w ((1 - t) sigmoid(x) + pw t sigmoid(-x))
    size = np.array([float(wi * ((1 - ti) / (1 + mp.exp(-mp.mpf(xi)))
                                 + pi * ti / (1 + mp.exp(mp.mpf(xi)))))
                     for xi, ti, wi, pi in zip(x, t, wl, pwl)])
    want = np.array([float(v) for v in want_grad])
    err = np.abs(grad - want) / (EPS64 * size)
    assert err.max() <= 8, (each_target, n, err.max())
    total = BCE(x, t, weight=w, pos_weight=pw, reduction="sum")
    assert_ulp(total, mp.fsum(want_loss), 4, f"{each_target} n={n} sum")


def test_subnormal_gradients_round_once_on_every_target(each_target):
    # e^(x - m) below 2^-1022: the row's exps carry a 2^64 bias, taken off in the
    # gradient's last product (one rounding into the subnormal range)
    x = np.array([[0.0, -709.0, -720.5, -740.0, -744.5, -745.2, -760.0, -1e300] * 2 + [1.0]])
    t = np.array([0])
    want_loss, want_grad, _ = mp_cross_entropy(x, [0], None, -100, "sum")
    loss, grad = CE.value_and_grad(x, t, reduction="sum")
    assert_ulp(loss, [want_loss], 2, "loss")
    assert_ulp(grad[0, 1:], want_grad[0][1:], 2, "subnormal gradients")
    z = np.array([-709.0, -720.5, -740.0, -744.5, -745.2, -760.0, 709.0, 745.0, 800.0])
    tt = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    want_loss, want_grad = mp_bce(z, tt, [1.0] * 9, [1.0] * 9, "none")
    loss, grad = BCE.value_and_grad(z, tt, reduction="none")
    assert_ulp(loss, want_loss, 2, "bce loss")
    assert_ulp(grad, want_grad, 2, "bce grad")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_finite_logits_on_every_target_as_pytorch(each_target, dtype, one_torch_thread):
    # PyTorch in float64 on the same inputs: NaN and inf where it has them, the values
    # within the dtype's rounding (PyTorch's own float32 gradients are less accurate)
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    inf, nan = np.inf, np.nan
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-12, atol=0)
    # rows of 19 classes: the special value in the vector part and in the remainder
    x = np.tile(np.linspace(-3, 3, 19), (8, 1))
    x[0, 2], x[1, 17] = nan, nan
    x[2, 5], x[3, 18] = inf, -inf
    x[4, :] = -inf
    x[5, 3] = -inf                            # the target's own logit is -inf
    x[6, 10], x[6, 11] = inf, inf
    x[7, 0] = 1e30
    x = x.astype(dtype)
    t = np.array([0, 1, 2, 4, 5, 3, 10, 7])
    with quiet():
        for kw in ({}, {"label_smoothing": 0.1}):
            for reduction in ("none", "sum"):
                want = torch_value_and_grad(F.cross_entropy, x.astype(np.float64), t,
                                            reduction=reduction, **kw)
                got = CE.value_and_grad(x, t, reduction=reduction, **kw)
                for g_, w_, what in zip(got, want, ("loss", "grad")):
                    g_, w_ = np.asarray(g_, np.float64), np.asarray(w_)
                    assert np.array_equal(np.isnan(g_), np.isnan(w_)), (what, kw, g_, w_)
                    np.testing.assert_allclose(g_, w_, equal_nan=True, **tol,
                                               err_msg=f"{each_target} ce {what} {kw}")
        z = np.array([nan, 0.0, 50.0, -50.0, 1e30, -1e30, 3.0, -700.0, 700.0] * 3,
                     dtype=dtype)
        tz = np.tile(np.array([0.0, 1.0, 0.3], dtype=dtype), 9)
        want = torch_value_and_grad(F.binary_cross_entropy_with_logits, z.astype(np.float64),
                                    tz.astype(np.float64), reduction="none")
        got = BCE.value_and_grad(z, tz, reduction="none")
        for g_, w_, what in zip(got, want, ("loss", "grad")):
            assert np.array_equal(np.isnan(g_), np.isnan(w_)), (what, g_, w_)
            # (atol: PyTorch's (1 - t) x - log_sigmoid(x) cancels to 0 where the loss is
            # e^-50, which fastact keeps)
            np.testing.assert_allclose(np.asarray(g_, np.float64), w_, equal_nan=True,
                                       rtol=tol["rtol"], atol=max(tol["atol"], 1e-21),
                                       err_msg=f"{each_target} bce {what}")
        # infinite logits: the limits (a term whose factor is 0 is 0, where PyTorch's
        # formula makes 0 * inf = NaN: the documented difference)
        zi = np.array([inf, inf, inf, -inf, -inf, -inf], dtype=dtype)
        ti = np.array([0.0, 1.0, 0.25, 0.0, 1.0, 0.25], dtype=dtype)
        loss, grad = BCE.value_and_grad(zi, ti, reduction="none")
        assert loss.tolist() == [inf, 0.0, inf, 0.0, inf, inf]
        assert grad.tolist() == [1.0, 0.0, 0.75, -0.0, -1.0, -0.25]


def test_the_simd_targets_give_the_same_bits():
    # AVX2 and AVX-512 compile the same code with FMA: one result, whichever runs (the
    # baseline, without FMA, may differ in the last bit)
    simd = [n for n in _runnable_targets() if n != "baseline"]
    if len(simd) < 2:
        pytest.skip("this CPU runs fewer than two SIMD targets")
    g = rng(5)
    x, t = g.standard_normal((40, 37)) * 5, g.integers(0, 37, 40)
    xb, tb = g.standard_normal(1001) * 8, g.uniform(0, 1, 1001)
    before, results = _loss_kernels.target(), []
    try:
        for name in simd:
            _loss_kernels.select(name)
            results.append((CE.value_and_grad(x, t, reduction="none", label_smoothing=0.1),
                            BCE.value_and_grad(xb, tb, reduction="none")))
    finally:
        _loss_kernels.select(before)
    for r in results[1:]:
        for a, b in zip(r, results[0]):
            assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
