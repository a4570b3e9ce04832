"""Derivatives: against finite differences of the forward, backward == g * f', the
from-output forms against the x-based ones, PReLU's weight gradient, RReLU's slopes."""

import math

import numpy as np
import pytest

import fastact
from conftest import (ACTS, AXIS, DTYPE_IDS, DTYPES, FROM_OUTPUT, assert_ulps,
                      elementwise_variant_cases, eps, gradients, grid, in_domain,
                      kink_points, numeric_params, points, variants)

FD_RTOL = 1e-6
FD_ATOL = 1e-9


def _fd4(fn, x, h):
    """4th-order central difference: (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h."""
    return (-fn(x + 2 * h) + 8 * fn(x + h) - 8 * fn(x - h) + fn(x - 2 * h)) / (12 * h)


def _fd_points(name, args):
    """The plot range's grid, points out to +-60 and a few far ones; without the points
    within 4h of a kink (where the difference straddles the kink)."""
    x = np.concatenate([grid(name, 241), np.linspace(-60, 60, 121),
                        [-500.0, -100.0, 100.0, 500.0, 1e4]])
    h = 1e-3 * np.maximum(1.0, np.abs(x))
    keep = np.ones(x.shape, bool)
    for k in kink_points(args):
        keep &= np.abs(x - k) > 4 * h
    keep &= in_domain(name, x, 2 * h)
    return x[keep], h[keep]


@pytest.mark.parametrize("name, args", elementwise_variant_cases())
def test_derivative_matches_finite_differences(name, args):
    f = ACTS[name]
    x, h = _fd_points(name, args)
    if not math.isfinite(f.info.max_derivative or 1.0) and f.info.domain[0] == -math.inf:
        # exponential: its h^4 f^(5) / 30 term is h^4 / 30 relative, too big for h = 0.1
        x, h = x[np.abs(x) <= 60], h[np.abs(x) <= 60]
    fd = _fd4(lambda t: f(t, *args), x, h)
    got = f.derivative(x, *args)
    md = f.info.max_derivative or 1.0
    md = md if math.isfinite(md) else 1.0       # logit's f' is unbounded: rtol covers it
    np.testing.assert_allclose(got, fd, rtol=FD_RTOL, atol=FD_ATOL * md,
                               err_msg=f"{name}{args}: derivative vs finite differences")


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("name", AXIS)
def test_axis_backward_matches_finite_difference_vjp(name, axis):
    """backward(g, x) and backward_from_output(g, f(x)) are the vector-Jacobian product
    d/dx <g, f(x)>, by 4th-order central differences in each component."""
    f = ACTS[name]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 5)) * 2
    g = rng.standard_normal(x.shape)
    got = f.backward(g, x, axis=axis)
    from_y = f.backward_from_output(g, f(x, axis=axis), axis=axis)
    loss = lambda t: np.sum(g * f(t, axis=axis))
    h = 1e-3
    fd = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1.0
        fd[idx] = _fd4(lambda s: loss(x + s * e), 0.0, h)
    np.testing.assert_allclose(got, fd, rtol=FD_RTOL, atol=FD_ATOL)
    np.testing.assert_allclose(from_y, fd, rtol=FD_RTOL, atol=FD_ATOL)


# ---- backward == grad_output * derivative ---------------------------------------------

def _fused_case(name, args, dtype, from_output):
    f = ACTS[name]
    x = points(dtype, args)
    g = gradients(x.size, dtype, seed=1)
    if from_output:
        d_in = f(x, *args)
        fused = f.backward_from_output(g, d_in, *args)
        d = f.derivative_from_output(d_in, *args)
    else:
        fused = f.backward(g, x, *args)
        if isinstance(fused, tuple):
            fused = fused[0]
        d = f.derivative(x, *args)
    return fused, g, d


def _assert_fused_is_product(name, args, dtype, from_output):
    fused, g, d = _fused_case(name, args, dtype, from_output=from_output)
    with np.errstate(invalid="ignore", over="ignore"):
        prod = g * d
    assert fused.dtype == dtype
    # below the normal range f'(x) itself is rounded to a subnormal step: |g| steps more
    floor = np.abs(g.astype(float)) * float(np.finfo(dtype).smallest_subnormal)
    method = "backward_from_output" if from_output else "backward"
    assert_ulps(fused, prod, 1, what=f"{name}.{method}", floor=floor)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, args", elementwise_variant_cases())
def test_backward_is_grad_times_derivative(name, args, dtype):
    """Within 1 ulp of g * f'(x) computed by NumPy from the derivative (float32: the kernel
    rounds g * f'(x) once, g * float32(f'(x)) rounds twice; float64: exact today, 1 ulp
    allowed)."""
    _assert_fused_is_product(name, args, dtype, from_output=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, args", [c for c in elementwise_variant_cases()
                                        if c.values[0] in FROM_OUTPUT])
def test_backward_from_output_is_grad_times_derivative_from_output(name, args, dtype):
    _assert_fused_is_product(name, args, dtype, from_output=True)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, args", [c for c in elementwise_variant_cases()
                                        if c.values[0] in FROM_OUTPUT])
def test_from_output_agrees_with_x_based(name, args, dtype):
    """derivative_from_output(f(x)) == derivative(x) up to the rounding of y: y carries
    a relative error eps/2, which the from-output formula turns into an absolute error of
    at most about eps * max(1, |y|) |d f'/dy| (for tanh (1-y)(1+y) near y = +-1, for elu
    and selu y + alpha near y = -alpha), |d f'/dy| <= 2 max(1, |f'|) (log1mexp's
    f' = expm1(-y): 1 + f', unbounded as x -> 0)."""
    f = ACTS[name]
    x = np.concatenate([points(dtype, args), grid(name).astype(dtype)])
    y = f(x, *args)
    got = f.derivative_from_output(y, *args)
    exp = f.derivative(x, *args)
    e = eps(dtype)
    with np.errstate(over="ignore"):            # |y| |f'| past the largest double: no bound
        tol = 4 * e * np.abs(exp.astype(float)) + 4 * e * np.maximum(
            1.0, np.abs(y.astype(float))) * np.maximum(1.0, np.abs(exp.astype(float)))
    with np.errstate(invalid="ignore"):         # inf - inf where both overflow
        bad = ~((np.abs(got.astype(float) - exp.astype(float)) <= tol) | (got == exp)
                | (np.isnan(got) & np.isnan(exp)))
    assert not bad.any(), (x[bad][:5], y[bad][:5], got[bad][:5], exp[bad][:5])
    g = gradients(x.size, dtype, seed=2)
    got_b = f.backward_from_output(g, y, *args)
    exp_b = f.backward(g, x, *args)
    with np.errstate(invalid="ignore"):
        bad = ~((np.abs(got_b.astype(float) - exp_b.astype(float))
                 <= np.abs(g.astype(float)) * tol + 4 * e * np.abs(exp_b.astype(float)))
                | (got_b == exp_b) | (np.isnan(got_b) & np.isnan(exp_b)))
    assert not bad.any(), (x[bad][:5], got_b[bad][:5], exp_b[bad][:5])


# ---- PReLU's weight gradient ------------------------------------------------------------

def _central(fn, w, h=1e-3):
    return (fn(w + h) - fn(w - h)) / (2 * h)


def test_prelu_grad_weight_scalar_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 4))
    g = rng.standard_normal(x.shape)
    for w in (0.25, -0.1, 1.5, 0.0):
        grad_x, grad_w = fastact.prelu.backward(g, x, w)
        fd = _central(lambda t: np.sum(g * fastact.prelu(x, t)), w)
        assert np.shape(grad_w) == np.shape(w)
        np.testing.assert_allclose(grad_w, fd, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(grad_x, g * np.where(x > 0, 1.0, w), rtol=1e-15)
    # a 1-element weight array keeps its shape
    _, grad_w = fastact.prelu.backward(g, x, np.array([0.25]))
    assert grad_w.shape == (1,)
    np.testing.assert_allclose(grad_w, [np.sum(g * np.where(x > 0, 0.0, x))], rtol=1e-12)


@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 5), (2, 3, 4, 4)])
def test_prelu_grad_weight_per_channel_matches_finite_differences(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    w = np.array([0.1, 0.25, -0.3])
    grad_x, grad_w = fastact.prelu.backward(g, x, w)
    assert grad_w.shape == w.shape and grad_x.shape == x.shape
    for c in range(3):
        def loss(t, c=c):
            ww = w.copy()
            ww[c] = t
            return np.sum(g * fastact.prelu(x, ww))
        np.testing.assert_allclose(grad_w[c], _central(loss, w[c]), rtol=1e-9, atol=1e-12)
    wb = w.reshape((1, 3) + (1,) * (len(shape) - 2))
    np.testing.assert_allclose(grad_x, g * np.where(x > 0, 1.0, wb), rtol=1e-15)


# ---- RReLU ------------------------------------------------------------------------------

def _rrelu_bounds():
    spec = {p.name: p.default for p in ACTS["rrelu"].params}
    return spec["lower"], spec["upper"]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_rrelu_training_reproducible_and_within_bounds(dtype):
    rr = fastact.rrelu
    x = np.random.default_rng(2).standard_normal((50, 40)).astype(dtype)
    lower, upper = _rrelu_bounds()
    y1, s1 = rr(x, training=True, rng=1234)
    y2, s2 = rr(x, training=True, rng=1234)
    assert np.array_equal(y1, y2) and np.array_equal(s1, s2)
    y3, s3 = rr(x, training=True, rng=np.random.default_rng(1234))
    assert np.array_equal(s1, s3)
    _, s4 = rr(x, training=True, rng=99)
    assert not np.array_equal(s1, s4)
    assert s1.shape == x.shape and y1.dtype == dtype and s1.dtype == dtype
    assert np.all((s1 >= dtype(lower)) & (s1 <= dtype(upper)))
    # U(lower, upper): mean and spread (2000 draws; 6 sigma)
    sd = (upper - lower) / np.sqrt(12)
    assert abs(float(s1.mean()) - (lower + upper) / 2) < 6 * sd / np.sqrt(s1.size)
    assert s1.min() < lower + 0.05 * (upper - lower) and s1.max() > upper - 0.05 * (upper - lower)
    # the forward: x for x >= 0, slope * x below (closed form)
    np.testing.assert_array_equal(y1, np.where(x >= 0, x, s1 * x))
    # other bounds
    y5, s5 = rr(x, 0.2, 0.4, True, 7)
    assert np.all((s5 >= dtype(0.2)) & (s5 <= dtype(0.4)))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_rrelu_training_backward_uses_the_slopes(dtype):
    rr = fastact.rrelu
    x = np.random.default_rng(3).standard_normal(200).astype(dtype)
    x[:3] = 0
    g = gradients(x.size, dtype, seed=3)
    y, slopes = rr(x, training=True, rng=5)
    got = rr.backward(g, x, training=True, slopes=slopes)
    np.testing.assert_array_equal(got, fastact.leaky_relu.backward(g, x, slopes))
    assert_ulps(got, (g * np.where(x > 0, 1, slopes)).astype(dtype), 1, what="rrelu.backward")
    d = rr.derivative(x, training=True, slopes=slopes)
    np.testing.assert_array_equal(d, np.where(x > 0, dtype(1), slopes).astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_rrelu_eval_uses_the_mean_slope(dtype):
    rr = fastact.rrelu
    x = np.linspace(-5, 5, 101).astype(dtype)
    for lower, upper in (_rrelu_bounds(), (0.1, 0.3), (0.2, 0.2)):
        a = dtype((lower + upper) / 2)
        np.testing.assert_array_equal(rr(x, lower, upper), np.where(x > 0, x, a * x))
        np.testing.assert_array_equal(rr.derivative(x, lower, upper),
                                      np.where(x > 0, dtype(1), a))
        assert rr.derivative(dtype(0), lower, upper) == a
        g = gradients(x.size, dtype)
        assert_ulps(rr.backward(g, x, lower, upper),
                    (g * np.where(x > 0, 1, a)).astype(dtype), 1, what="rrelu eval backward")


def test_variants_cover_every_numeric_parameter():
    """Sanity of the parametrization itself: every numeric parameter takes 3 values."""
    for name in ACTS:
        if ACTS[name].info.kind in ("axis", "gelu"):
            continue
        vs = variants(name)
        if numeric_params(ACTS[name]):
            assert len({args for _, args in vs}) == 3
