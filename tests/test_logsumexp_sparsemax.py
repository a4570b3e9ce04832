"""logsumexp against scipy.special.logsumexp, JAX and mpmath; log1mexp against mpmath;
sparsemax against a NumPy float64 transcription of Martins and Astudillo's algorithm 1
and PyTorch autograd through it."""

import math
import pickle

import mpmath
import numpy as np
import pytest

import fastact
from conftest import strict_fp

mpmath.mp.prec = 200


def _mp_lse(row):
    row = [float(v) for v in row]
    if any(math.isnan(v) for v in row):
        return math.nan
    if math.inf in row:
        return math.inf
    fin = [v for v in row if v != -math.inf]
    if not fin:
        return -math.inf
    return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in fin)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logsumexp_against_mpmath(dtype):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 10, (40, 9)), rng.normal(0, 1e-3, (10, 9)) - 50,
                        np.full((2, 9), 700.0)]).astype(dtype)
    x[0, :8] = -np.inf                                   # one finite entry: exactly it
    x[1, 3] = -1e-30
    x[2] = [0.0] + [-800.0] * 8                          # lse just above 0: log1p form
    with strict_fp():
        got = fastact.logsumexp(x, axis=-1)
    ref = np.array([_mp_lse(r) for r in x.astype(np.float64)])
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(got.astype(np.float64), ref, rtol=4 * eps, atol=0)
    assert got[0] == x[0, 8] and got[2] == 0.0 and got.dtype == dtype


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (2, 0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(axis, keepdims):
    from scipy.special import logsumexp
    rng = np.random.default_rng(1)
    x = rng.normal(0, 5, (3, 4, 5))
    b = rng.uniform(-1, 2, (4, 5))
    for kw in ({}, {"b": b}, {"b": b, "return_sign": True}):
        got = fastact.logsumexp(x, axis, keepdims=keepdims, **kw)
        ref = logsumexp(x, axis, keepdims=keepdims, **kw)
        np.testing.assert_allclose(got, ref, rtol=1e-14, atol=1e-300)


def test_logsumexp_special_rows_as_scipy():
    from scipy.special import logsumexp
    inf, nan = math.inf, math.nan
    rows = [([inf, inf], None), ([inf, -inf], None), ([-inf, -inf], None), ([inf, 1.0], [0, 1]),
            ([1.0, 2.0], [1, -1]), ([1.0, 1.0], [1, -1]), ([nan, 1.0], None),
            ([1.0, 2.0], [-1, -1]), ([-inf, -inf], [1, 1]), ([5.0], None)]
    for row, b in rows:
        a = np.array(row)
        with strict_fp():
            got = fastact.logsumexp(a, b=b), fastact.logsumexp(a, b=b, return_sign=True)
        np.testing.assert_array_equal(got[0], logsumexp(a, b=b))
        np.testing.assert_array_equal(got[1], logsumexp(a, b=b, return_sign=True))


def test_logsumexp_where_and_backward_against_jax(jax64):
    import jax
    import jax.numpy as jnp
    rng = np.random.default_rng(2)
    x = rng.normal(0, 4, (5, 6))
    w = rng.uniform(size=(5, 6)) > 0.3
    b = rng.uniform(0.1, 2, (6,))
    g = rng.normal(size=(5,))
    for kw in ({}, {"where": w}, {"b": b}):
        got = fastact.logsumexp(x, axis=1, **kw)
        jkw = {k: jnp.asarray(v) for k, v in kw.items()}
        np.testing.assert_allclose(got, jax.nn.logsumexp(jnp.asarray(x), axis=1, **jkw),
                                   rtol=1e-14)
        np.testing.assert_allclose(
            got, jax.scipy.special.logsumexp(jnp.asarray(x), axis=1, **jkw), rtol=1e-14)
        vjp = jax.vjp(lambda t: jax.nn.logsumexp(t, axis=1, **jkw), jnp.asarray(x))[1]
        with strict_fp():
            dx = fastact.logsumexp.backward(g, x, axis=1, **kw)
        np.testing.assert_allclose(dx, vjp(jnp.asarray(g))[0], rtol=1e-13, atol=1e-300)
        if "where" in kw:
            assert (dx[~w] == 0).all()


def test_logsumexp_backward_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, g = rng.normal(0, 3, (4, 5, 6)), rng.normal(size=(4, 1, 6))
    t = torch.tensor(x, requires_grad=True)
    torch.logsumexp(t, dim=1, keepdim=True).backward(torch.tensor(g))
    np.testing.assert_allclose(fastact.logsumexp.backward(g, x, 1, keepdims=True),
                               t.grad.numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(fastact.logsumexp(x, 1), torch.logsumexp(torch.tensor(x), 1),
                               rtol=1e-15)


def test_logsumexp_errors():
    with pytest.raises(ValueError, match=r"fastact\.logsumexp: axis \(0, 0\) repeats"):
        fastact.logsumexp(np.zeros((2, 2)), (0, 0))
    with pytest.raises(TypeError, match=r"fastact\.logsumexp: where must be booleans"):
        fastact.logsumexp(np.zeros(2), where=[1, 0])
    with pytest.raises(ValueError, match=r"fastact\.logsumexp: b has shape \(3,\)"):
        fastact.logsumexp(np.zeros(2), b=np.ones(3))
    with pytest.raises(ValueError, match=r"fastact\.logsumexp\.backward: grad_output"):
        fastact.logsumexp.backward(np.ones(3), np.zeros((2, 2)), axis=0)
    with pytest.raises(TypeError, match=r"fastact\.logsumexp: x must be real"):
        fastact.logsumexp(["a"])
    assert pickle.loads(pickle.dumps(fastact.logsumexp)) is fastact.logsumexp


# ---- log1mexp -----------------------------------------------------------------------

def _mp_log1mexp(x):
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    if x == math.inf:
        return 0.0
    m = mpmath.mpf(x)             # either form is exact at 200 bits on its side of 1
    return float(mpmath.log(-mpmath.expm1(-m)) if x <= 1 else mpmath.log1p(-mpmath.exp(-m)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log1mexp_against_mpmath(dtype):
    rng = np.random.default_rng(4)
    x = np.concatenate([np.exp(rng.uniform(-40, 6, 3000)), [math.log(2), 1e-300, 5e-324,
                       0.0, -0.0, -1.0, math.inf, math.nan, 700.0, 40.0]]).astype(dtype)
    with strict_fp():
        y = fastact.log1mexp(x)
        d = fastact.log1mexp.derivative(x)
        dy = fastact.log1mexp.backward_from_output(np.ones_like(x), y)
    x64 = x.astype(np.float64)
    ref = np.array([_mp_log1mexp(v) for v in x64])
    eps = np.finfo(dtype).eps
    tiny = np.finfo(dtype).smallest_subnormal
    np.testing.assert_allclose(y.astype(np.float64), ref.astype(dtype), rtol=4 * eps,
                               atol=2 * tiny)
    dref = np.array([math.nan if v < 0 or math.isnan(v) else math.inf if v == 0 else
                     float(1 / mpmath.expm1(mpmath.mpf(v))) for v in x64])
    np.testing.assert_allclose(d.astype(np.float64), dref.astype(dtype), rtol=4 * eps, atol=0)
    fin = np.isfinite(dref) & (x64 > 1e-30) & (dref > np.finfo(dtype).tiny)
    np.testing.assert_allclose(dy[fin].astype(np.float64), dref[fin], rtol=1e-3)
    assert y.dtype == d.dtype == dtype


def test_log1mexp_derivative_from_output_near_overflow():
    # float64 x subnormal: y = log1mexp(x) ~ log x in [-745, -709] and f' = expm1(-y) near
    # the overflow of e^-y (the full accuracy run found NaN for -y in (709.09, 709.78]:
    # 2^1024 * (e^r - 1) with r < 0)
    y = -np.array([709.0, 709.1, 709.5, 709.7, 709.78, 709.782712893384,
                   709.7827128933841, 710.0, 710.5, 745.0, math.inf])
    with strict_fp():
        got = fastact.log1mexp.derivative_from_output(y)
        got_b = fastact.log1mexp.backward_from_output(np.full_like(y, 0.5), y)
    want = np.array([float(mpmath.expm1(mpmath.mpf(-v))) for v in y])   # inf past DBL_MAX
    np.testing.assert_allclose(got, want, rtol=4e-16)
    np.testing.assert_allclose(got_b, 0.5 * want, rtol=4e-16)


def test_log1mexp_backward_against_mpmath():
    x = np.exp(np.random.default_rng(5).uniform(-5, 6, 500))
    ref = np.array([float(0.5 / mpmath.expm1(mpmath.mpf(v))) for v in x])
    with strict_fp():
        got = fastact.log1mexp.backward(0.5, x)
    np.testing.assert_allclose(got, ref, rtol=4 * np.finfo(float).eps)


# ---- sparsemax ----------------------------------------------------------------------

def _sparsemax_ref(z):
    """Martins and Astudillo (2016), algorithm 1, one row in float64."""
    z = np.asarray(z, np.float64)
    s = np.sort(z)[::-1]
    k = np.arange(1, z.size + 1)
    cs = np.cumsum(s)
    kz = k[1 + k * s > cs].max()
    tau = (cs[kz - 1] - 1) / kz
    return np.maximum(z - tau, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_sparsemax_against_reference(dtype, axis):
    rng = np.random.default_rng(6)
    x = (rng.normal(0, 1, (6, 7, 8)) * rng.choice([0.1, 1, 10], (6, 7, 8))).astype(dtype)
    with strict_fp():
        y = fastact.sparsemax(x, axis)
    ref = np.apply_along_axis(_sparsemax_ref, axis, x.astype(np.float64))
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(y, ref, rtol=0, atol=16 * eps * (1 + np.abs(x).max()))
    np.testing.assert_allclose(y.sum(axis), 1, atol=16 * eps * x.shape[axis])
    assert ((y == 0) == (ref == 0)).mean() > 0.99 and y.dtype == dtype


def test_sparsemax_special_rows():
    x = np.array([[1e6, 1e6 + 0.5, 0.0], [np.nan, 0, 1], [-np.inf, 0.0, 0.0],
                  [np.inf, np.inf, 1.0], [-np.inf] * 3, [2.0, 2.0, 2.0]])
    with strict_fp():
        y = fastact.sparsemax(x)
    np.testing.assert_allclose(y[0], [0.25, 0.75, 0.0])          # large offset: shifted
    assert np.isnan(y[1]).all() and np.isnan(y[4]).all()
    assert y[2].tolist() == [0.0, 0.5, 0.5] and y[3].tolist() == [0.5, 0.5, 0.0]
    np.testing.assert_allclose(y[5], [1 / 3] * 3)
    assert fastact.sparsemax(3.0) == 1.0


def test_sparsemax_backward_against_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x, g = rng.normal(0, 1, (20, 9)), rng.normal(size=(20, 9))

    def torch_sparsemax(t):          # algorithm 1 in torch ops: autograd's Jacobian
        s, _ = torch.sort(t, dim=-1, descending=True)
        k = torch.arange(1, t.shape[-1] + 1, dtype=t.dtype)
        cs = torch.cumsum(s, -1)
        kz = (1 + k * s > cs).sum(-1, keepdim=True)
        tau = (torch.gather(cs, -1, kz - 1) - 1) / kz
        return torch.clamp(t - tau, min=0)

    t = torch.tensor(x, requires_grad=True)
    y = torch_sparsemax(t)
    y.backward(torch.tensor(g))
    np.testing.assert_allclose(fastact.sparsemax(x), y.detach().numpy(), atol=1e-15)
    with strict_fp():
        dx = fastact.sparsemax.backward(g, x)
        dy = fastact.sparsemax.backward_from_output(g, y.detach().numpy())
    np.testing.assert_allclose(dx, t.grad.numpy(), atol=1e-14)
    np.testing.assert_allclose(dy, t.grad.numpy(), atol=1e-14)


def test_sparsemax_errors():
    with pytest.raises(TypeError, match=r"fastact\.sparsemax: axis must be an integer"):
        fastact.sparsemax(np.zeros((2, 2)), (0, 1))
    with pytest.raises(np.exceptions.AxisError, match=r"fastact\.sparsemax: axis 2"):
        fastact.sparsemax(np.zeros((2, 2)), 2)
    with pytest.raises(ValueError, match=r"fastact\.sparsemax\.backward: grad_output"):
        fastact.sparsemax.backward(np.ones(3), np.zeros((2, 2)))
    out = np.full(3, 4.0, np.float32)
    with pytest.raises(TypeError, match=r"fastact\.sparsemax: out has dtype float32"):
        fastact.sparsemax(np.zeros(3), out=out)
    assert (out == 4.0).all()
