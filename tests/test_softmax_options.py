"""The softmax family's options: softmin, where= (JAX's mask), axis=None and tuples of axes
(SciPy's and Keras's), the two backwards (backward(g, x) from the input, as every
activation's; backward_from_output(g, y) from the output), PyTorch's dim= refused with a
pointer to axis, against closed forms in float64 and PyTorch when installed."""

import inspect


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


def closed_form_vjp_x(name, g, x, axis=-1, where=None):
    """The vector-Jacobian product at x, from the closed form's y in float64."""
    return closed_form_vjp(name, g, closed_form(name, x, axis, where), axis, where)


def test_softmin_is_softmax_of_minus_x():
    for dtype in (np.float16, np.float32, np.float64):
        x = X.astype(dtype)
        assert np.array_equal(fastact.softmin(x), fastact.softmax(-x))
        assert np.array_equal(fastact.softmin(x, axis=0), fastact.softmax(-x, axis=0))
    np.testing.assert_allclose(fastact.softmin(X), closed_form("softmin", X), rtol=1e-14)
    y = fastact.softmin(X)
    np.testing.assert_allclose(fastact.softmin.backward_from_output(G, y),
                               closed_form_vjp("softmin", G, y), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fastact.softmin.backward(G, X),
                               closed_form_vjp_x("softmin", G, X), rtol=1e-12, atol=1e-15)


def test_softmin_conventions():
    y = fastact.softmin(np.array([[np.inf, np.inf], [-np.inf, 3.0], [-np.inf, -np.inf]]))
    assert y.tolist() == [[0.0, 0.0], [1.0, 0.0], [0.5, 0.5]]


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("axis", [None, (0, 2), (1, 2), (2, 0), (0, 1, 2), (-1,), 1])
def test_axes(name, axis):
    f = fastact.ACTIVATIONS[name]
    y = f(X, axis=axis)
    np.testing.assert_allclose(y, closed_form(name, X, axis), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(f.backward_from_output(G, y, axis=axis),
                               closed_form_vjp(name, G, y, axis), rtol=1e-11, atol=1e-14)
    dx = f.backward(G, X, axis=axis)
    np.testing.assert_allclose(dx, closed_form_vjp_x(name, G, X, axis), rtol=1e-11,
                               atol=1e-14)
    out = np.full(X.shape, 7.0)
    assert f(X, axis=axis, out=out) is out and np.array_equal(out, y)
    out = np.full(X.shape, 7.0)
    assert f.backward(G, X, axis=axis, out=out) is out and np.array_equal(out, dx)
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
        dy = f.backward_from_output(G, y, where=mask)
        dx = f.backward(G, x, where=mask)
    want = closed_form(name, X, where=mask)
    np.testing.assert_allclose(y, want, rtol=1e-13, atol=1e-300)
    assert (y[~mask] == (-np.inf if name == "log_softmax" else 0.0)).all()
    np.testing.assert_allclose(dy, closed_form_vjp(name, G, y, where=mask), rtol=1e-11,
                               atol=1e-14)
    np.testing.assert_allclose(dx, closed_form_vjp_x(name, G, X, where=mask), rtol=1e-11,
                               atol=1e-14)
    assert (dx[~mask] == 0).all() and (dy[~mask] == 0).all()
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
        np.testing.assert_allclose(fastact.softmin.backward_from_output(g, y, axis=dim),
                                   xt.grad.numpy(), **tol)
        np.testing.assert_allclose(fastact.softmin.backward(g, x, axis=dim),
                                   xt.grad.numpy(), **tol)


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_where_matches_torch_masked_fill():
    mask = RNG.random(X.shape) > 0.3
    xt = torch.from_numpy(X.copy()).requires_grad_()
    yt = torch.softmax(xt.masked_fill(torch.from_numpy(~mask), -torch.inf), -1)
    yt.backward(torch.from_numpy(G))
    y = fastact.softmax(X, where=mask)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(fastact.softmax.backward_from_output(G, y, where=mask),
                               xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fastact.softmax.backward(G, X, where=mask), xt.grad.numpy(),
                               rtol=1e-10, atol=1e-14)


# ---- one rule for every backward: backward(g, x) takes the input --------------------------

@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_takes_the_input(name, dtype):
    """backward(g, x) is the vector-Jacobian product at x (the trap of issue 20: it took y,
    and x passed there gave a gradient off by up to 0.49 with no error);
    backward_from_output(g, y) the same from y = f(x)."""
    f = fastact.ACTIVATIONS[name]
    x, g = X.astype(dtype), G.astype(dtype)
    want = closed_form_vjp_x(name, G, X)
    rtol, atol = (1e-11, 1e-14) if dtype == np.float64 else (2e-5, 2e-6)
    with np.errstate(all="raise"):
        dx = f.backward(g, x)
        dy = f.backward_from_output(g, f(x))
    assert dx.dtype == dy.dtype == dtype
    np.testing.assert_allclose(dx, want, rtol=rtol, atol=atol)
    np.testing.assert_allclose(dy, want, rtol=rtol, atol=atol)
    for axis in (0, 1):
        np.testing.assert_allclose(f.backward(g, x, axis), closed_form_vjp_x(name, G, X, axis),
                                   rtol=rtol, atol=atol)
    assert list(inspect.signature(f.backward).parameters) == [
        "grad_output", "x", "axis", "where", "out"]
    assert list(inspect.signature(f.backward_from_output).parameters) == [
        "grad_output", "y", "axis", "where", "out"]
    assert f.has_from_output and not f.has_derivative


@pytest.mark.parametrize("name", AXIS)
def test_backward_from_x_small_and_odd_calls(name):
    """The compiled path (last axis, float32/float64 ndarrays) and the general one (0-d,
    lists, ints, broadcast grad_output, out aliasing an input) agree with the closed form."""
    f = fastact.ACTIVATIONS[name]
    x, g = X[0], G[0]
    want = closed_form_vjp_x(name, g, x)
    np.testing.assert_allclose(f.backward(g.tolist(), x.tolist()), want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(f.backward(g, x[0, :1] * 0 + 2), closed_form_vjp_x(
        name, g, np.full((4, 1), 2.0)), atol=1e-15)                  # x broadcast
    np.testing.assert_allclose(f.backward(1.0, x), closed_form_vjp_x(
        name, np.ones_like(x), x), rtol=1e-12, atol=1e-15)           # grad_output broadcast
    assert f.backward(1.5, 2.0) == closed_form_vjp_x(name, np.array([1.5]), np.array([2.0]))[0]
    np.testing.assert_allclose(f.backward([1, 2, 3], np.array([1, 0, 2])),
                               closed_form_vjp_x(name, np.array([1.0, 2, 3]),
                                                 np.array([1.0, 0, 2])), rtol=1e-12, atol=1e-15)
    for k in range(2):                       # out is x, then out is grad_output
        data = [g.copy(), x.copy()]
        assert f.backward(*data, out=data[k]) is data[k]
        np.testing.assert_allclose(data[k], want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", AXIS)
def test_backward_errors_name_the_method_and_leave_out_alone(name):
    f = fastact.ACTIVATIONS[name]
    sentinel = np.full(X.shape, 7.0)
    for call, exc in [(lambda: f.backward(G[:, :2], X, out=sentinel), ValueError),
                      (lambda: f.backward(G, X, axis=3, out=sentinel), np.exceptions.AxisError),
                      (lambda: f.backward(G, X, where=np.ones(4, bool), out=sentinel),
                       ValueError),
                      (lambda: f.backward(G, X.astype(np.float32), out=sentinel), None),
                      (lambda: f.backward(G, X, out=np.empty((3, 4))), ValueError),
                      (lambda: f.backward(G, "x", out=sentinel), TypeError)]:
        if exc is None:                       # float64 grad_output: a float64 result, fine
            call()
            sentinel[...] = 7.0
            continue
        with pytest.raises(exc, match=rf"fastact\.{name}\.backward\b"):
            call()
        assert (sentinel == 7.0).all()


# ---- PyTorch's dim= -----------------------------------------------------------------------

DIM_MESSAGE = "no argument 'dim': fastact's name for PyTorch's dim is axis (NumPy's name)"


@pytest.mark.parametrize("name", AXIS + ["glu"])
def test_dim_points_to_axis(name):
    f = getattr(fastact, name)
    x = np.arange(8.0).reshape(2, 4)
    g = np.ones((2, 2)) if name == "glu" else np.ones((2, 4))
    calls = {"": lambda **kw: f(x, **kw), ".backward": lambda **kw: f.backward(g, x, **kw)}
    if name != "glu":
        calls[".backward_from_output"] = lambda **kw: f.backward_from_output(g, f(x), **kw)
    for method, call in calls.items():
        sentinel = np.full(x.shape if method else f(x).shape, 7.0)
        for kw in (dict(dim=1), dict(dim=-1, out=sentinel), dict(axis=1, dim=1)):
            with pytest.raises(TypeError) as info:
                call(**kw)
            assert str(info.value) == f"fastact.{name}{method}: {DIM_MESSAGE}"
        assert (sentinel == 7.0).all()
        with pytest.raises(TypeError, match="unexpected keyword argument 'dims'"):
            call(dims=1)


# ---- the where= kernels (UFUNCS NAME_where, NAME_backward_where) ---------------------------
# float32 and float64 rows with where= run these (the mask an operand of the kernel); the
# references are the closed forms above in float64.

def _causal(rows, n):
    return np.arange(n)[None, :] <= (np.arange(rows)[:, None] % n)


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["contiguous", "strided", "broadcast"])
def test_where_kernels_match_closed_form(name, dtype, layout):
    rng = np.random.default_rng(7)
    X3 = rng.standard_normal((2, 40, 37)) * 3
    G3 = rng.standard_normal(X3.shape)
    base = _causal(40, 37)
    base[3] = False                                      # a fully masked row
    mask = np.broadcast_to(base, X3.shape)               # batch stride 0
    mask = mask if layout == "broadcast" else np.array(mask)
    x, g = X3.astype(dtype), G3.astype(dtype)
    x[~mask] = np.nan                                    # never read
    g[~mask] = np.inf                                    # left out of the backward
    axis = -1
    if layout == "strided":                              # rows along a strided axis
        x, g, mask = (np.swapaxes(a, 1, 2) for a in (x, g, mask))
        axis = 1
    f = fastact.ACTIVATIONS[name]
    with np.errstate(all="raise"):
        y = f(x, axis=axis, where=mask)
        dy = f.backward_from_output(g, y, axis=axis, where=mask)
        dx = f.backward(g, x, axis=axis, where=mask)
    assert y.dtype == dy.dtype == dx.dtype == dtype
    Xr, Gr = (np.where(mask, a.astype(np.float64), 0.0) for a in (x, g))
    want = closed_form(name, Xr, axis, mask)
    tol = dict(rtol=1e-13, atol=1e-300) if dtype == np.float64 else dict(rtol=4e-7, atol=1e-38)
    np.testing.assert_allclose(y, want, **tol)
    assert (y[~mask] == (-np.inf if name == "log_softmax" else 0.0)).all()
    with np.errstate(all="raise"):                      # the kernel itself, called as a ufunc
        yk = fastact.UFUNCS[name + "_where"](x, mask, axis=axis)
        dyk = fastact.UFUNCS[name + "_backward_where"](g, y, mask, axis=axis)
    np.testing.assert_allclose(yk, want, **tol)
    btol = dict(rtol=1e-11, atol=1e-14) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(dy, closed_form_vjp(name, Gr, y.astype(np.float64), axis, mask),
                               **btol)
    np.testing.assert_allclose(dx, closed_form_vjp_x(name, Gr, Xr, axis, mask), **btol)
    np.testing.assert_allclose(dyk, closed_form_vjp(name, Gr, y.astype(np.float64), axis,
                                                    mask), **btol)
    assert (dy[~mask] == 0).all() and (dx[~mask] == 0).all() and (dyk[~mask] == 0).all()
    assert not np.signbit(dy[~mask]).any()


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_backward_ignores_y_where_masked(name, dtype):
    """backward_from_output(g, y, where=w) leaves masked-out entries out of the sum: the
    numbers do not depend on what y holds there (the unmasked forward's output, say)."""
    x, g = X.astype(dtype), G.astype(dtype)
    mask = RNG.random(X.shape) > 0.3
    f = fastact.ACTIVATIONS[name]
    y = f(x, where=mask)
    y_other = np.where(mask, y, f(x))
    np.testing.assert_array_equal(f.backward_from_output(g, y_other, where=mask),
                                  f.backward_from_output(g, y, where=mask))


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_backward_ignores_nonfinite_y_where_masked(name, dtype):
    """inf or NaN in y at masked-out entries leaves the row's numbers alone (they are out
    of the sum, as a finite y there is), and the entries themselves give 0."""
    x, g = X.astype(dtype), G.astype(dtype)
    mask = RNG.random(X.shape) > 0.3
    mask[..., 0] = True
    f = fastact.ACTIVATIONS[name]
    y = f(x, where=mask)
    want = f.backward_from_output(g, np.where(mask, y, 0), where=mask)
    for bad in (np.inf, -np.inf, np.nan):
        with np.errstate(all="raise"):
            got = f.backward_from_output(g, np.where(mask, y, dtype(bad)), where=mask)
        np.testing.assert_array_equal(got, want)
        assert (got[~mask] == 0).all() and not np.signbit(got[~mask]).any()
    # long rows (float32 sums them in chunks of 64, reading the mask only when y is not 0
    # at every masked-out entry): the same numbers whatever y and g hold there
    rng = np.random.default_rng(3)
    x, g = (rng.standard_normal((4, 300)) * 3).astype(dtype), rng.standard_normal((4, 300))
    g = g.astype(dtype)
    mask = np.arange(300)[None, :] <= np.array([[0], [70], [199], [299]])
    y = f(x, where=mask)
    want = f.backward_from_output(g, y, where=mask)
    g_inf = np.where(mask, g, dtype(np.inf))
    for yy, gg in ((np.where(mask, y, f(x)), g), (np.where(mask, y, dtype(np.nan)), g),
                   (y, g_inf)):
        np.testing.assert_array_equal(f.backward_from_output(gg, yy, where=mask), want)


def _fsum_vjp(name, g, y):
    """The exact vector-Jacobian product at (g, y) of one row (float64 of the float32
    values: their products are exact, fsum rounds once), rounded to float64."""
    import math
    if name == "log_softmax":
        t = math.fsum(g)
        return np.array([a - math.exp(b) * t for a, b in zip(g, y)])
    dot = math.fsum(a * b for a, b in zip(g, y))
    d = np.array([b * (a - dot) for a, b in zip(g, y)])
    return -d if name == "softmin" else d


@pytest.mark.parametrize("name", AXIS)
def test_where_backward_float32_within_its_bound(name):
    """The float32 where= backward (float lanes, its own error analysis: softmax.pxi) on
    rows of many lengths and scales, causal and random masks, y the masked forward's and
    y with other values at masked-out entries (the masked sum's path), against the exact
    product on the unmasked entries: within the record's backward_from_output bound, in
    eps times its backward_scale (the magnitude of the terms)."""
    f = fastact.ACTIVATIONS[name]
    bound = f.info.accuracy.backward_from_output
    rng = np.random.default_rng(23)
    eps, tiny = 2.0 ** -23, 2.0 ** -149
    worst = 0.0
    for n in (1, 3, 16, 17, 63, 64, 65, 130, 256, 1000):
        for xs, gs in ((1.0, 1.0), (10.0, 1.0), (1e3, 1e-3), (1e-3, 1e4), (3.0, 1e-20)):
            x = (rng.standard_normal((6, n)) * xs).astype(np.float32)
            g = (rng.standard_normal((6, n)) * gs).astype(np.float32)
            mask = np.arange(n)[None, :] <= rng.integers(0, n, (6, 1))     # causal-like
            mask[1] = rng.random(n) > 0.5
            y = f(x, where=mask)
            ys = [y, np.where(mask, y, f(x))]           # the second: the masked sum's path
            g[2, ~mask[2]] = np.inf                     # left out, through the masked sum
            for yy in ys:
                dx = f.backward_from_output(g, yy, where=mask)
                assert dx.dtype == np.float32
                for r in range(6):
                    w = mask[r]
                    gr = np.where(w, g[r], 0).astype(np.float64)
                    yr = yy[r].astype(np.float64)
                    if name != "log_softmax":
                        yr = np.where(w, yr, 0.0)
                    ref = _fsum_vjp(name, gr, yr)
                    scale = f.info.backward_scale(gr, yr)
                    err = np.abs(dx[r].astype(np.float64) - ref)[w] / (eps * scale[w] + tiny)
                    worst = max(worst, float(err.max(initial=0.0)))
                    assert (dx[r][~w] == 0).all()
    assert worst <= bound, (name, worst)


@pytest.mark.parametrize("name", ["softmax", "softmin"])
def test_where_backward_float64_mask_free_sum(name):
    """float64 sums g y over the whole row first when y is 0 at every masked-out entry
    (32-entry chunks, then vectors, then a tail): against the exact product (mpmath-free:
    fsum of the products, exact to 1 rounding) on rows around those lengths, with the
    masked sum's paths (y not 0, g inf at masked-out entries) giving the same numbers."""
    f = fastact.ACTIVATIONS[name]
    rng = np.random.default_rng(29)
    eps = 2.0 ** -52
    for n in (1, 15, 16, 31, 32, 33, 47, 48, 64, 100, 256, 257):
        x = rng.standard_normal((5, n)) * 4
        g = rng.standard_normal((5, n))
        mask = np.arange(n)[None, :] <= rng.integers(0, n, (5, 1))
        mask[1] = rng.random(n) > 0.5
        mask[1, 0] = True
        y = f(x, where=mask)
        dx = f.backward_from_output(g, y, where=mask)
        for r in range(5):
            w = mask[r]
            ref = _fsum_vjp(name, np.where(w, g[r], 0.0), np.where(w, y[r], 0.0))
            scale = f.info.backward_scale(np.where(w, g[r], 0.0), np.where(w, y[r], 0.0))
            assert (np.abs(dx[r] - ref)[w] <= 8 * eps * scale[w] + 2.0 ** -1074).all(), (n, r)
            assert (dx[r][~w] == 0).all() and not np.signbit(dx[r][~w]).any()
        for yy, gg in ((np.where(mask, y, f(x)), g), (y, np.where(mask, g, np.inf)),
                       (y, np.where(mask, g, np.nan))):
            np.testing.assert_array_equal(f.backward_from_output(gg, yy, where=mask), dx)


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_mask_shapes(name, dtype):
    """Every mask that broadcasts to the data gives the numbers of the full mask, whether
    the call goes straight to the where= kernel (the last axis, a mask of any leading
    shape) or through the general path (a mask broadcast along the axis itself, another
    axis, strided or byte-swapped data)."""
    f = fastact.ACTIVATIONS[name]
    x3, g3 = X.astype(dtype), G.astype(dtype)
    full = RNG.random(X.shape) > 0.3
    cases = [full[0, 0], full[:1, 0], full[0], full[:, :1], full[:1, :1, :1],
             np.ones((3, 4, 1), bool)]
    for m in cases:
        mf = np.ascontiguousarray(np.broadcast_to(m, X.shape))
        y, yf = f(x3, where=m), f(x3, where=mf)
        np.testing.assert_array_equal(y, yf)
        np.testing.assert_array_equal(f.backward_from_output(g3, y, where=m),
                                      f.backward_from_output(g3, yf, where=mf))
        np.testing.assert_array_equal(f.backward(g3, x3, where=m),
                                      f.backward(g3, x3, where=mf))
        np.testing.assert_array_equal(f(x3, axis=1, where=mf), f(x3, axis=1, where=mf.copy()))
    swapped = x3.astype(x3.dtype.newbyteorder())
    np.testing.assert_array_equal(f(swapped, where=full[0]), f(x3, where=full[0]))
    strided = np.asfortranarray(x3)
    np.testing.assert_array_equal(f(strided, where=full[0]), f(x3, where=full[0]))


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_kernels_out_aliasing_an_input(name, dtype):
    mask = RNG.random(X.shape) > 0.3
    x, g = X.astype(dtype), G.astype(dtype)
    f = fastact.ACTIVATIONS[name]
    y = f(x, where=mask)
    want = closed_form_vjp(name, G, y.astype(np.float64), where=mask)
    tol = dict(rtol=1e-11, atol=1e-14) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    xc = x.copy()
    assert f(xc, where=mask, out=xc) is xc
    np.testing.assert_array_equal(xc, y)
    for k in range(2):                                  # out is grad_output, then y
        data = [g.copy(), y.copy()]
        assert f.backward_from_output(*data, where=mask, out=data[k]) is data[k]
        np.testing.assert_allclose(data[k], want, **tol)


@pytest.fixture
def no_row_memory():
    """Every softmax-type row takes the path for a failed malloc (fault injection)."""
    mods = fastact._dispatch.modules()
    for m in mods:
        m._set_row_alloc_limit(0)
    yield
    for m in mods:
        m._set_row_alloc_limit(-1)


@pytest.mark.parametrize("name", AXIS)
def test_where_kernels_without_row_memory(name, no_row_memory):
    mask = RNG.random(X.shape) > 0.3
    mask[0, 0] = False
    f = fastact.ACTIVATIONS[name]
    xf, gf, mf = np.asfortranarray(X), np.asfortranarray(G), np.asfortranarray(mask)
    y = f(xf, where=mf)
    np.testing.assert_allclose(y, closed_form(name, X, where=mask), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(f.backward_from_output(gf, y, where=mf),
                               closed_form_vjp(name, G, y, where=mask), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name", AXIS)
def test_where_16_bit(name):
    """float16 rows with where= (not the kernels': float32 and float64 only) keep their
    dtype and the closed form's values to float16's precision."""
    mask = RNG.random(X.shape) > 0.3
    f = fastact.ACTIVATIONS[name]
    x = X.astype(np.float16)
    y = f(x, where=mask)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.astype(np.float64),
                               closed_form(name, x.astype(np.float64), where=mask),
                               rtol=2e-3, atol=1e-7)
    assert fastact.UFUNCS[name + "_where"].types == ["f?->f", "d?->d"]
