"""fastact.mse_loss, huber_loss, smooth_l1_loss, binary_cross_entropy and nll_loss, with
their value_and_grad and backward, against PyTorch's values and autograd gradients, the
float64 closed forms written out here in NumPy, and the pure-Python references."""

import inspect
import math
import pickle
import warnings

import numpy as np
import pytest

import fastact
from fastact import _losses as _loss_kernels

torch = pytest.importorskip("torch")
F = torch.nn.functional

MSE, HUBER, SL1 = fastact.mse_loss, fastact.huber_loss, fastact.smooth_l1_loss
BCEP, NLL = fastact.binary_cross_entropy, fastact.nll_loss
LOSSES = [MSE, HUBER, SL1, BCEP, NLL]
REDUCTIONS = ["mean", "sum", "none"]


@pytest.fixture(autouse=True)
def one_torch_thread_and_no_warnings():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # a floating-point warning fails the test
        with np.errstate(all="raise"):
            yield
    torch.set_num_threads(before)


def rng(seed=0):
    return np.random.default_rng(seed)


def torch_vg(name, x, t, reduction, grad_output=None, **kw):
    """(loss, gradient of grad_output * loss (loss.sum() when None)) from PyTorch."""
    moved = name == "nll_loss" and np.ndim(x) > 2     # PyTorch's class axis is 1
    xt = torch.tensor(np.moveaxis(x, -1, 1) if moved else x, requires_grad=True)
    tt = torch.tensor(t)
    kw = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    loss = getattr(F, name)(xt, tt, reduction=reduction, **kw)
    g = torch.ones_like(loss) if grad_output is None else torch.tensor(grad_output)
    loss.backward(g)
    grad = xt.grad.numpy()
    return loss.detach().numpy(), np.moveaxis(grad, 1, -1) if moved else grad


def data(name, shape, dtype=np.float64, seed=0):
    """(input, target, options) for the loss `name`: differences across every branch of
    huber's and smooth_l1's (|d| around delta and beta), probabilities including 0 and 1
    for BCE, log-probabilities and class indices (some ignored) for nll_loss."""
    r = rng(seed)
    if name == "nll_loss":
        x = np.log(r.dirichlet(np.ones(shape[-1]), size=shape[:-1])).astype(dtype)
        t = r.integers(0, shape[-1], size=shape[:-1])
        t.reshape(-1)[::5] = -100
        return x, t, {"weight": r.uniform(0.5, 2.0, shape[-1]).astype(dtype)}
    if name == "binary_cross_entropy":
        x = r.uniform(0, 1, shape)
        x.reshape(-1)[:4] = [0.0, 1.0, 0.0, 1.0][:x.size]
        t = r.uniform(0, 1, shape)
        t.reshape(-1)[:4] = [0.0, 0.0, 1.0, 1.0][:x.size]
        return x.astype(dtype), t.astype(dtype), {"weight": r.uniform(0, 2, shape[-1:])}
    x = r.normal(0, 2, shape).astype(dtype)
    t = r.normal(0, 1, shape).astype(dtype)
    return x, t, {"huber_loss": {"delta": 1.5}, "smooth_l1_loss": {"beta": 0.5},
                  "mse_loss": {}}[name]


# ---- closed forms in float64 (NumPy), independent of the kernels and of PyTorch ----------

def closed_form(name, x, t, reduction, **kw):
    x, t = np.asarray(x, np.float64), np.asarray(t)
    if name == "nll_loss":
        w = kw.get("weight")
        w = np.ones(x.shape[-1]) if w is None else np.asarray(w, np.float64)
        kept = t != -100
        tk = np.where(kept, t, 0)
        wy = np.where(kept, w[tk], 0.0)
        loss = -np.take_along_axis(x, tk[..., None], -1)[..., 0] * wy
        grad = np.zeros_like(x)
        np.put_along_axis(grad, tk[..., None], -wy[..., None], -1)
        den = wy.sum()
    else:
        t = t.astype(np.float64)
        d = x - t
        if name == "mse_loss":
            loss, grad = d * d, 2 * d
        elif name == "huber_loss":
            dl = kw["delta"]
            loss = np.where(abs(d) < dl, d * d / 2, dl * (abs(d) - dl / 2))
            grad = np.clip(d, -dl, dl)
        elif name == "smooth_l1_loss":
            b = kw["beta"]
            if b == 0:
                loss, grad = abs(d), np.sign(d)
            else:
                loss = np.where(abs(d) < b, d * d / (2 * b), abs(d) - b / 2)
                grad = np.clip(d / b, -1, 1)
        else:
            w = kw.get("weight")
            w = 1.0 if w is None else np.asarray(w, np.float64)
            with np.errstate(divide="ignore"):
                lx, l1x = np.maximum(np.log(x), -100), np.maximum(np.log(1 - x), -100)
            loss = -w * (t * lx + (1 - t) * l1x)
            grad = w * (x - t) / np.maximum(x * (1 - x), float(np.float32(1e-12)))
        den = x.size
    if reduction == "none":
        return loss, grad
    if reduction == "sum":
        return math.fsum(loss.ravel()), grad
    return math.fsum(loss.ravel()) / den, grad / den


def fa(name):
    return getattr(fastact, name)


NAMES = ["mse_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy", "nll_loss"]


# ---- values and gradients: PyTorch, closed forms, references ------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(37,), (5, 7), (3, 4, 9)])
def test_against_pytorch(name, reduction, dtype, shape):
    x, t, kw = data(name, shape, dtype)
    tol = dict(rtol=1e-12, atol=1e-300) if dtype == np.float64 else dict(rtol=3e-6, atol=1e-30)
    value, grad = fa(name).value_and_grad(x, t, reduction=reduction, **kw)
    tv, tg = torch_vg(name, x, t, reduction, **kw)
    assert np.asarray(value).dtype == dtype and grad.dtype == dtype
    assert grad.shape == x.shape
    np.testing.assert_allclose(value, tv, **tol)
    # BCE's gradient at 0 and 1 is +-1e12 / n: PyTorch's clamp, in either dtype
    np.testing.assert_allclose(grad, tg, **tol)
    np.testing.assert_array_equal(fa(name)(x, t, reduction=reduction, **kw), value)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_against_the_float64_closed_forms_and_the_references(name, reduction):
    x, t, kw = data(name, (6, 11), np.float64, seed=3)
    value, grad = fa(name).value_and_grad(x, t, reduction=reduction, **kw)
    cv, cg = closed_form(name, x, t, reduction, **kw)
    np.testing.assert_allclose(value, cv, rtol=4 * np.finfo(float).eps, atol=0)
    np.testing.assert_allclose(grad, cg, rtol=4 * np.finfo(float).eps, atol=0)
    if name == "nll_loss":
        rv, rg = fa(name).reference(x.tolist(), t.tolist(), reduction=reduction, **kw)
    else:
        flat = {k: (np.broadcast_to(v, x.shape).ravel().tolist() if k == "weight" else v)
                for k, v in kw.items()}
        rv, rg = fa(name).reference(x.ravel().tolist(), t.ravel().tolist(),
                                    reduction=reduction, **flat)
    np.testing.assert_allclose(np.reshape(rv, np.shape(value)), value, rtol=4e-16)
    np.testing.assert_allclose(np.reshape(rg, x.shape), grad, rtol=4e-16)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_backward_is_pytorchs_autograd(name, reduction):
    x, t, kw = data(name, (4, 6), np.float64, seed=5)
    loss_shape = x.shape[:-1] if name == "nll_loss" else x.shape
    g = 1.75 if reduction != "none" else rng(1).normal(size=loss_shape)
    got = fa(name).backward(g, x, t, reduction=reduction, **kw)
    _, tg = torch_vg(name, x, t, reduction, grad_output=np.asarray(g), **kw)
    np.testing.assert_allclose(got, tg, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_16_bit_computed_in_float32_returned_in_their_dtype(name, dtype, reduction):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    dt = np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(np.float16)
    x, t, kw = data(name, (8, 5), np.float64, seed=2)
    x, t = x.astype(dt), (t if name == "nll_loss" else t.astype(dt))
    kw = {k: (np.asarray(v).astype(dt) if k == "weight" else v) for k, v in kw.items()}
    value, grad = fa(name).value_and_grad(x, t, reduction=reduction, **kw)
    assert np.asarray(value).dtype == dt and grad.dtype == dt
    f32 = {k: (np.asarray(v, np.float32) if k == "weight" else v) for k, v in kw.items()}
    tv, tg = torch_vg(name, x.astype(np.float32),
                      t if name == "nll_loss" else t.astype(np.float32), reduction, **f32)
    # PyTorch's float32 results rounded to the 16-bit dtype (BCE's clamped gradient of
    # 1e12 / n is inf in float16): one rounding apart at most
    ulp = 2.0 ** -7 if dtype == "bfloat16" else 2.0 ** -10
    with np.errstate(over="ignore", under="ignore"):
        tv, tg = (np.asarray(a).astype(dt).astype(np.float64) for a in (tv, tg))
    np.testing.assert_allclose(np.asarray(value, np.float64), tv, rtol=ulp, atol=1e-30)
    np.testing.assert_allclose(grad.astype(np.float64), tg, rtol=ulp, atol=1e-30)


def test_integer_input_is_computed_in_float64():
    v, g = MSE.value_and_grad(np.array([1, 2, 4]), np.array([0, 2, 1]), reduction="sum")
    assert v == 10.0 and v.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 0.0, 6.0])


# ---- the parameters and the branches -----------------------------------------------------

def test_huber_and_smooth_l1_at_the_branch_points_as_pytorch():
    d = np.array([-3.0, -1.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 3.0])
    for name, kw in (("huber_loss", {"delta": 1.0}), ("huber_loss", {"delta": 1.5}),
                     ("smooth_l1_loss", {"beta": 1.0}), ("smooth_l1_loss", {"beta": 0.0}),
                     ("smooth_l1_loss", {"beta": 1.5})):
        value, grad = fa(name).value_and_grad(d, np.zeros_like(d), reduction="none", **kw)
        tv, tg = torch_vg(name, d, np.zeros_like(d), "none", **kw)
        # (smooth_l1's square is (|d|/2)(|d|/beta), PyTorch's d^2/2/beta: an ULP apart)
        np.testing.assert_allclose(value, tv, rtol=3e-16, atol=0)
        np.testing.assert_array_equal(grad, tg)


def test_smooth_l1_below_a_huge_beta_does_not_overflow():
    # PyTorch's 0.5 d^2 / beta is inf here; the loss, below beta / 2, is finite
    d = np.array([1e200, -3e300])
    v = SL1(d, np.zeros(2), beta=1e301, reduction="none")
    np.testing.assert_allclose(v, [0.5e99, 0.5 * 3e300 * 0.3], rtol=1e-15)


def test_smooth_l1_with_beta_0_is_the_l1_loss():
    x = rng().normal(size=50)
    v, g = SL1.value_and_grad(x, np.zeros(50), beta=0.0, reduction="sum")
    assert v == pytest.approx(math.fsum(abs(x)), rel=1e-15)
    np.testing.assert_array_equal(g, np.sign(x))


def test_bce_clamps_each_log_at_minus_100_as_pytorch():
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-300, 1 - 2.0 ** -53])
    t = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    value, grad = BCEP.value_and_grad(x, t, reduction="none")
    tv, tg = torch_vg("binary_cross_entropy", x, t, "none")
    np.testing.assert_allclose(value, [0.0, 100.0, 100.0, 0.0, 100.0, 36.7368005696771])
    np.testing.assert_allclose(value, tv, rtol=1e-15)
    np.testing.assert_allclose(grad, tg, rtol=1e-15)
    # PyTorch's EPSILON is 1e-12 as a float: 1 / 9.999999960041972e-13
    assert grad[1] == 1000000003995.8029 and grad[2] == -1000000003995.8029


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 511, 512, 513, 1025, 4099])
def test_every_target_and_length_against_pytorch(n):
    """Lengths around the kernels' lanes (8) and blocks (512), on every target."""
    before = _loss_kernels.target()
    try:
        for tgt in [tg for tg in _loss_kernels.TARGETS if _runs(tg)]:
            _loss_kernels.select(tgt)
            for name in NAMES[:4]:
                x, t, kw = data(name, (n,), np.float64, seed=n)
                for reduction in REDUCTIONS:
                    v, g = fa(name).value_and_grad(x, t, reduction=reduction, **kw)
                    tv, tg = torch_vg(name, x, t, reduction, **kw)
                    np.testing.assert_allclose(v, tv, rtol=1e-13, equal_nan=True)
                    np.testing.assert_allclose(g, tg, rtol=1e-13)
    finally:
        _loss_kernels.select(before)


def _runs(target):
    try:
        _loss_kernels.select(target)
        return True
    except ValueError:
        return False


def test_long_sums_are_compensated():
    # a million elements: the total keeps its digits (a running sum loses ~50 ULP)
    x = rng(4).normal(size=1_000_003)
    t = np.zeros_like(x)
    for name, kw in (("mse_loss", {}), ("huber_loss", {"delta": 1.0})):
        v = fa(name)(x, t, reduction="sum", **kw)
        exact = math.fsum(closed_form(name, x, t, "none", **kw)[0])
        assert abs(v - exact) <= 2 * np.spacing(exact)


# ---- NaN, inf, empty -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mse_loss", "huber_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nan_and_inf_as_pytorch(name, reduction):
    inf, nan = math.inf, math.nan
    x = np.array([inf, -inf, inf, nan, 1.0, 0.0, 2.0, 0.0])
    t = np.array([0.0, 0.0, inf, 0.0, nan, inf, 1.0, -inf])
    kw = {"huber_loss": {"delta": 1.0}, "smooth_l1_loss": {"beta": 0.5}}.get(name, {})
    v, g = fa(name).value_and_grad(x, t, reduction=reduction, **kw)
    tv, tg = torch_vg(name, x, t, reduction, **kw)
    np.testing.assert_array_equal(v, tv)
    np.testing.assert_array_equal(g, tg)
    gb = fa(name).backward(np.full(x.shape, inf) if reduction == "none" else inf, x, t,
                           reduction=reduction, **kw)
    _, tgb = torch_vg(name, x, t, reduction,
                      grad_output=np.full(x.shape if reduction == "none" else (), inf), **kw)
    np.testing.assert_array_equal(gb, tgb)


def test_nll_nan_and_inf_and_degenerate_weights_as_pytorch():
    x = np.array([[math.nan, -1.0], [-math.inf, -2.0], [-1.0, -3.0]])
    t = np.array([0, 0, 1])
    for w in (None, np.array([1.0, 2.0]), np.array([0.0, 0.0]), np.array([math.inf, 1.0])):
        kw = {} if w is None else {"weight": w}
        for reduction in REDUCTIONS:
            v, g = NLL.value_and_grad(x, t, reduction=reduction, **kw)
            tv, tg = torch_vg("nll_loss", x, t, reduction, **kw)
            np.testing.assert_array_equal(v, tv)
            np.testing.assert_array_equal(g, tg)


def test_nll_all_ignored_mean_is_nan_with_zero_gradients_as_pytorch():
    x = np.log(np.full((3, 4), 0.25))
    v, g = NLL.value_and_grad(x, np.full(3, -100))
    assert math.isnan(v) and not g.any()


def test_bce_weight_nan_and_inf_as_pytorch():
    x = np.array([0.0, 0.5, 1.0, 0.25])
    t = np.array([0.0, 0.5, 1.0, 1.0])
    for w in (np.array([math.inf, 1.0, math.nan, -1.0]), np.array([math.inf] * 4)):
        for reduction in REDUCTIONS:
            v, g = BCEP.value_and_grad(x, t, weight=w, reduction=reduction)
            tv, tg = torch_vg("binary_cross_entropy", x, t, reduction, weight=w)
            np.testing.assert_array_equal(v, tv)
            np.testing.assert_array_equal(g, tg)


@pytest.mark.parametrize("name", NAMES)
def test_empty_batches(name):
    shape = (0, 3)
    x, t, kw = data(name, (2, 3))
    x, t = x[:0], t[:0]
    for reduction in REDUCTIONS:
        v, g = fa(name).value_and_grad(x, t, reduction=reduction, **kw)
        tv, tg = torch_vg(name, x, t, reduction, **kw)
        assert g.shape == shape
        np.testing.assert_array_equal(v, tv)


def test_the_inputs_are_not_modified_and_non_contiguous_views_work():
    x = rng().normal(size=(6, 8))
    t = rng(1).normal(size=(6, 8))
    xs, ts = x.copy(), t.copy()
    v, g = HUBER.value_and_grad(x[:, ::2], t[:, ::2], reduction="none")
    np.testing.assert_array_equal(x, xs)
    np.testing.assert_array_equal(t, ts)
    tv, tg = torch_vg("huber_loss", np.ascontiguousarray(x[:, ::2]),
                      np.ascontiguousarray(t[:, ::2]), "none", delta=1.0)
    np.testing.assert_array_equal(v, tv)
    lp = np.log(rng().dirichlet(np.ones(4), size=(3, 5)))        # (N, d, C) -> axis=1
    tt = rng().integers(0, 4, size=(3, 5))
    x1 = np.moveaxis(lp, -1, 1)                                   # PyTorch's (N, C, d)
    v1, g1 = NLL.value_and_grad(x1, tt, axis=1)
    tv1, tg1 = torch_vg("nll_loss", lp, tt, "mean")              # moves the axis to 1
    tg1 = np.moveaxis(tg1, -1, 1)
    np.testing.assert_allclose(v1, tv1, rtol=1e-15)
    np.testing.assert_allclose(g1, tg1, rtol=1e-15)
    np.testing.assert_allclose(NLL(lp, tt), tv1, rtol=1e-15)      # the default axis=-1


def test_unbatched_nll_takes_a_0d_target():
    x = np.log(np.array([0.2, 0.3, 0.5]))
    v, g = NLL.value_and_grad(x, np.array(2), reduction="none")
    tv, tg = torch_vg("nll_loss", x, np.array(2), "none")
    np.testing.assert_allclose(v, tv, rtol=1e-15)
    np.testing.assert_array_equal(g, tg)


# ---- errors ------------------------------------------------------------------------------

X, T = np.array([0.2, 0.7]), np.array([0.0, 1.0])
LP, Y = np.log(np.array([[0.2, 0.8], [0.5, 0.5]])), np.array([1, 0])


@pytest.mark.parametrize("call, exc, words", [
    (lambda: MSE(X, T, reduction="avg"), ValueError, "fastact.mse_loss: reduction"),
    (lambda: MSE(X, T[:1]), ValueError, "fastact.mse_loss: target must have the input's"),
    (lambda: MSE.value_and_grad(X, T, dim=1), TypeError, "mse_loss.value_and_grad() got"),
    (lambda: MSE(X.astype(bool), T.astype(bool)), TypeError, "mse_loss: target must be"),
    (lambda: MSE("ab", T), TypeError, "fastact.mse_loss: input"),
    (lambda: HUBER(X, T, delta=0.0), ValueError, "fastact.huber_loss: delta must be positive"),
    (lambda: HUBER(X, T, delta=math.nan), ValueError, "huber_loss: delta must be positive"),
    (lambda: HUBER(X, T, delta="1"), TypeError, "fastact.huber_loss: delta must be a real"),
    (lambda: SL1(X, T, beta=-1.0), ValueError, "smooth_l1_loss: beta must be non-negative"),
    (lambda: SL1.backward(np.ones(3), X, T, reduction="none"), ValueError,
     "smooth_l1_loss.backward: grad_output"),
    (lambda: BCEP(np.array([0.5, 1.5]), T), ValueError,
     "fastact.binary_cross_entropy: every element of input must be in [0, 1]"),
    (lambda: BCEP(np.array([0.5, -0.0 - 1e-300]), T), ValueError, "input[1] = -1e-300"),
    (lambda: BCEP(np.array([0.5, math.nan]), T), ValueError, "input[1] = nan"),
    (lambda: BCEP(X, np.array([0.0, 2.0])), ValueError, "every element of target must be"),
    (lambda: BCEP(X, T, weight=np.ones(3)), ValueError, "binary_cross_entropy: weight of"),
    (lambda: NLL(LP, np.array([1, 2])), IndexError, "fastact.nll_loss: target[1] = 2"),
    (lambda: NLL(LP, np.array([1.0, 0.0])), TypeError, "nll_loss: target must be integer"),
    (lambda: NLL(LP, np.array([1])), ValueError, "the input's shape without the class"),
    (lambda: NLL(LP, Y, weight=np.ones(3)), ValueError, "nll_loss: weight must have shape"),
    (lambda: NLL(LP, Y, axis=2), np.exceptions.AxisError, "nll_loss: axis 2 is out of"),
    (lambda: NLL(np.float64(1.0), np.array(0)), ValueError, "nll_loss: input must have a"),
    (lambda: NLL(LP, Y, dim=1), TypeError, "pass axis=1 for PyTorch's class dimension"),
])
def test_errors_name_the_function_and_the_argument(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


def test_dask_arrays_are_refused_not_computed():
    da = pytest.importorskip("dask.array")
    for fn, args in ((MSE, (da.zeros(4), np.zeros(4))), (BCEP, (np.zeros(4), da.zeros(4))),
                     (NLL, (da.zeros((2, 3)), np.zeros(2, int)))):
        with pytest.raises(TypeError, match="the losses take NumPy arrays"):
            fn(*args)


def test_nothing_is_returned_half_done_on_a_bad_bce_element():
    x = np.array([0.5, 0.25, 2.0])
    with pytest.raises(ValueError, match=r"input\[2\] = 2.0"):
        BCEP.backward(np.ones(3), x, np.zeros(3), reduction="none")



def _bce_mp(x, t):
    """binary_cross_entropy's loss, PyTorch's clamps, in mpmath (60 digits)."""
    import mpmath
    with mpmath.workdps(60):
        x, t = mpmath.mpf(float(x)), mpmath.mpf(float(t))
        lx = max(mpmath.log(x), -100) if x > 0 else mpmath.mpf(-100)
        l1x = max(mpmath.log1p(-x), -100) if x < 1 else mpmath.mpf(-100)
        return float((t - 1) * l1x - t * lx)


@pytest.mark.parametrize("target", _loss_kernels.TARGETS)
def test_bce_logs_across_their_ranges_against_mpmath_on_every_target(target):
    # the kernel's own log (fdlibm's, in place of libm's): subnormal and tiny inputs
    # (PyTorch's -100), log1p(-x) through 1 - x and its rounding error for small x and
    # just below 1/2, x near 1; the loss within its float64 bound on every target
    before = _loss_kernels.target()
    try:
        _loss_kernels.select(target)
    except ValueError:
        pytest.skip(f"this CPU cannot run the {target} target")
    try:
        x = np.array([5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-20, 3e-17,
                      1e-9, 0.1, 0.3, 0.49999999999999994, 0.5, 0.7, 0.9999999,
                      1 - 2.0 ** -53, 1.0, 0.0] + list(np.linspace(0, 1, 997)))
        t = np.resize([0.0, 1.0, 0.25, 0.75, 0.6], x.size)
        value = BCEP(x, t, reduction="none")
        want = np.array([_bce_mp(a, b) for a, b in zip(x, t)])
        ulp = np.abs(value - want) / np.spacing(np.maximum(np.abs(want), 1e-300))
        bound = fastact.losses.ACCURACY["binary_cross_entropy", "float64"].loss
        assert ulp.max() <= bound, (target, x[np.argmax(ulp)], ulp.max())
    finally:
        _loss_kernels.select(before)


def test_bce_range_error_where_the_weight_is_zero_or_nan():
    # the kernel makes an element outside [0, 1] NaN whatever its weight; a NaN weight
    # (a NaN sum) with good inputs is computed, as PyTorch's
    x = np.array([0.5, 0.25, 1.5])
    with pytest.raises(ValueError, match=r"input\[2\] = 1.5"):
        BCEP(x, np.zeros(3), weight=np.array([1.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match=r"target\[0\] = -0.5"):
        BCEP(np.full(3, 0.5), np.array([-0.5, 0.0, 0.0]), weight=np.array([0.0, 0.0, 0.0]))
    assert math.isnan(BCEP(np.full(3, 0.5), np.zeros(3), weight=np.array([1.0, np.nan, 1.0])))


def test_nll_uint64_targets_beyond_int64_are_index_errors():
    x = np.log(np.full((2, 3), 1 / 3))
    with pytest.raises(IndexError, match="not a class index"):
        NLL(x, np.array([0, 2 ** 64 - 100], dtype=np.uint64))   # not ignore_index=-100


# ---- API shape ---------------------------------------------------------------------------

def test_signatures_exports_and_stubs():
    import ast
    import pathlib
    expect = {
        "mse_loss": ["input", "target", "reduction"],
        "huber_loss": ["input", "target", "reduction", "delta"],
        "smooth_l1_loss": ["input", "target", "reduction", "beta"],
        "binary_cross_entropy": ["input", "target", "weight", "reduction"],
        "nll_loss": ["input", "target", "axis", "weight", "ignore_index", "reduction"],
    }
    tree = ast.parse(pathlib.Path(fastact.losses.__file__).with_suffix(".pyi").read_text())
    protocols = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    stub = {"mse_loss": "_MseLoss", "huber_loss": "_HuberLoss",
            "smooth_l1_loss": "_SmoothL1Loss", "binary_cross_entropy": "_BinaryCrossEntropy",
            "nll_loss": "_NllLoss"}
    for name, params in expect.items():
        fn = fa(name)
        assert name in fastact.__all__ and name in fastact.losses.__all__
        assert list(inspect.signature(fn).parameters) == params
        assert list(inspect.signature(fn.value_and_grad).parameters) == params
        assert list(inspect.signature(fn.backward).parameters) == ["grad_output", *params]
        methods = {m.name: m for m in protocols[stub[name]].body
                   if isinstance(m, ast.FunctionDef)}
        for meth, runtime in (("__call__", fn), ("value_and_grad", fn.value_and_grad),
                              ("backward", fn.backward), ("reference", fn.reference)):
            args = methods[meth].args
            sig = inspect.signature(runtime).parameters.values()
            assert [a.arg for a in args.args][1:] == [p.name for p in sig], (name, meth)
            assert [ast.literal_eval(d) for d in args.defaults] == [
                p.default for p in sig if p.default is not p.empty], (name, meth)
        for obj in (fn, fn.value_and_grad, fn.backward, fn.reference):
            assert pickle.loads(pickle.dumps(obj)) is obj
