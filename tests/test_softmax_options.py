"""The softmax family's options: softmin, where= (JAX's mask), axis=None and tuples of axes
(SciPy's and Keras's), against closed forms in float64 and PyTorch when installed."""

import numpy as np
import pytest

import fastact
from conftest import AXIS

RNG = np.random.default_rng(42)
X = RNG.standard_normal((3, 4, 5)) * 3
G = RNG.standard_normal((3, 4, 5))


def np_softmax(x, axis=-1, where=None):
    """Closed form in float64; masked-out entries give 0 and leave the normalisation."""
    w = np.ones(x.shape, bool) if where is None else np.broadcast_to(where, x.shape)
    m = np.max(np.where(w, x, -np.inf), axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.where(w, np.exp(x - m), 0.0)
    s = e.sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, e / np.where(s > 0, s, 1.0), 0.0)


def closed_form(name, x, axis=-1, where=None):
    if name == "softmax":
        return np_softmax(x, axis, where)
    if name == "softmin":
        return np_softmax(-x, axis, where)
    with np.errstate(divide="ignore"):
        return np.log(np_softmax(x, axis, where))       # log_softmax: -inf where masked


def closed_form_vjp(name, g, y, axis=-1, where=None):
    w = np.ones(y.shape, bool) if where is None else np.broadcast_to(where, y.shape)
    g = np.where(w, g, 0.0)
    if name == "log_softmax":
        p = np.exp(y)
        return np.where(w, g - p * g.sum(axis=axis, keepdims=True), 0.0)
    d = y * (g - (g * y).sum(axis=axis, keepdims=True))
    return np.where(w, -d if name == "softmin" else d, 0.0)


def test_softmin_is_softmax_of_minus_x():
    for dtype in (np.float16, np.float32, np.float64):
        x = X.astype(dtype)
        assert np.array_equal(fastact.softmin(x), fastact.softmax(-x))
        assert np.array_equal(fastact.softmin(x, axis=0), fastact.softmax(-x, axis=0))
    np.testing.assert_allclose(fastact.softmin(X), closed_form("softmin", X), rtol=1e-14)
    y = fastact.softmin(X)
    np.testing.assert_allclose(fastact.softmin.backward(G, y),
                               closed_form_vjp("softmin", G, y), rtol=1e-12, atol=1e-15)


def test_softmin_conventions():
    y = fastact.softmin(np.array([[np.inf, np.inf], [-np.inf, 3.0], [-np.inf, -np.inf]]))
    assert y.tolist() == [[0.0, 0.0], [1.0, 0.0], [0.5, 0.5]]


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("axis", [None, (0, 2), (1, 2), (2, 0), (0, 1, 2), (-1,), 1])
def test_axes(name, axis):
    f = fastact.ACTIVATIONS[name]
    y = f(X, axis=axis)
    np.testing.assert_allclose(y, closed_form(name, X, axis), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(f.backward(G, y, axis=axis),
                               closed_form_vjp(name, G, y, axis), rtol=1e-11, atol=1e-14)
    out = np.full(X.shape, 7.0)
    assert f(X, axis=axis, out=out) is out and np.array_equal(out, y)
    y32 = f(X.astype(np.float32), axis=axis)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, y, rtol=2e-6, atol=1e-30)


@pytest.mark.parametrize("name", AXIS)
def test_axis_none_on_0d_and_1d(name):
    f = fastact.ACTIVATIONS[name]
    assert f(2.0, axis=None) == f(np.array([2.0]))[0]
    v = X[0, 0]
    assert np.array_equal(f(v, axis=None), f(v))


@pytest.mark.parametrize("name", AXIS)
def test_where(name):
    f = fastact.ACTIVATIONS[name]
    mask = RNG.random(X.shape) > 0.4
    mask[0, 0] = False                                  # a fully masked row
    x = X.copy()
    x[~mask] = np.nan                                   # masked values are never read
    x[1, 1, ~mask[1, 1]] = np.inf
    with np.errstate(all="raise"):
        y = f(x, where=mask)
        dx = f.backward(G, y, where=mask)
    want = closed_form(name, X, where=mask)
    np.testing.assert_allclose(y, want, rtol=1e-13, atol=1e-300)
    assert (y[~mask] == (-np.inf if name == "log_softmax" else 0.0)).all()
    np.testing.assert_allclose(dx, closed_form_vjp(name, G, y, where=mask), rtol=1e-11,
                               atol=1e-14)
    assert (dx[~mask] == 0).all()
    # a mask that broadcasts, with a tuple of axes
    col = np.array([True, False, True, True, False])
    np.testing.assert_allclose(f(X, axis=(1, 2), where=col),
                               closed_form(name, X, (1, 2), col), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("kwargs, exc", [
    (dict(axis=(0, 0)), ValueError), (dict(axis=()), ValueError),
    (dict(axis=(0, 3)), np.exceptions.AxisError), (dict(axis=(0, 1.0)), TypeError),
    (dict(where=np.ones(4, bool)), ValueError), (dict(where=np.ones(5)), TypeError),
    (dict(axis=(0, 1), out=np.empty((3, 4))), ValueError),
    (dict(axis=(0, 1), out=np.empty(X.shape, np.float32)), TypeError),
])
def test_bad_options(name, kwargs, exc):
    f = fastact.ACTIVATIONS[name]
    kwargs = dict(kwargs)
    out = kwargs.pop("out", None)
    sentinel = np.full(X.shape, 7.0)
    with pytest.raises(exc, match=f"fastact.{name}"):
        f(X, **kwargs, out=sentinel if out is None else out)
    assert (sentinel == 7.0).all()


try:
    import torch
except ImportError:         # pragma: no cover
    torch = None


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmin_matches_torch(dtype):
    x = X.astype(dtype)
    g = G.astype(dtype)
    for dim in (0, 1, 2):
        xt = torch.from_numpy(x.copy()).requires_grad_()
        yt = torch.nn.functional.softmin(xt, dim)
        yt.backward(torch.from_numpy(g))
        y = fastact.softmin(x, axis=dim)
        tol = dict(rtol=1e-5, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
        np.testing.assert_allclose(fastact.softmin.backward(g, y, axis=dim),
                                   xt.grad.numpy(), **tol)


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_where_matches_torch_masked_fill():
    mask = RNG.random(X.shape) > 0.3
    xt = torch.from_numpy(X.copy()).requires_grad_()
    yt = torch.softmax(xt.masked_fill(torch.from_numpy(~mask), -torch.inf), -1)
    yt.backward(torch.from_numpy(G))
    y = fastact.softmax(X, where=mask)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(fastact.softmax.backward(G, y, where=mask), xt.grad.numpy(),
                               rtol=1e-10, atol=1e-14)
