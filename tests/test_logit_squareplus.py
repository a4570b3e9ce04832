"""logit against mpmath and PyTorch's torch.logit (values and autograd gradients, eps None
or given), squareplus against mpmath and JAX's jax.nn.squareplus; their edges (logit's
0, 1, outside [0, 1] and clamp points; squareplus's b = 0 and huge or tiny |x|) and
their parameter rules.  PyTorch and JAX are optional: their tests skip without them."""

import math

import mpmath
import numpy as np
import pytest

import fastact
from conftest import DTYPE_IDS, DTYPES

mp = mpmath.mp


def _ulps(got, want):
    """|got - want| in ULP of the correctly rounded double want (an mpf), or 0 where equal."""
    w = float(want)
    if got == w:
        return 0.0
    return float(abs(mp.mpf(got) - want) / math.ulp(w if w != 0 else 5e-324))


def _logit_points():
    rng = np.random.default_rng(13)
    p = np.concatenate([
        np.exp2(-rng.uniform(0, 1074, 300)),                   # every binade near 0
        1.0 - np.exp2(-rng.uniform(1, 53, 200)),               # near 1
        0.5 + rng.uniform(-2.0 ** -10, 2.0 ** -10, 100),       # the cancellation at 1/2
        rng.uniform(0, 1, 300),
        [0.5, np.nextafter(0.5, 0), np.nextafter(0.5, 1), 0.25, 0.75, 1e-300,
         np.nextafter(1.0, 0), 5e-324, 2.0 ** -960, np.nextafter(2.0 ** -960, 0)]])
    return p


# ---- logit ----------------------------------------------------------------------------------

def test_logit_within_its_bounds_of_mpmath():
    """float64: the forward within 1 ULP of log(p / (1 - p)) (no cancellation near 1/2,
    nor for subnormal p), the derivative within 1.5 ULP of 1 / (p (1 - p))."""
    p = _logit_points().tolist()
    y, d = fastact.logit(p), fastact.logit.derivative(p)
    with mp.workprec(200):
        worst_f = max(_ulps(float(y[i]), mp.log(mp.mpf(v) / (1 - mp.mpf(v))))
                      for i, v in enumerate(p))
        worst_d = max(_ulps(float(d[i]), 1 / (mp.mpf(v) * (1 - mp.mpf(v))))
                      for i, v in enumerate(p) if v > 1e-307)
    assert worst_f <= 1.0 and worst_d <= 1.5, (worst_f, worst_d)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_logit_edges(dtype):
    t = dtype
    p = np.array([0.0, -0.0, 1.0, -1e-30, 1.5, -np.inf, np.inf, np.nan, 0.5], dtype)
    with np.errstate(all="raise"):
        y = fastact.logit(p)
        d = fastact.logit.derivative(p)
        g = fastact.logit.backward(np.full_like(p, 2.0), p)
    assert y[:3].tolist() == [-np.inf, -np.inf, np.inf]
    assert np.isnan(y[3:8]).all() and y[8] == 0 and not np.signbit(y[8])
    # f' is +inf at both zeros (PyTorch's 1/(x(1-x)) gives -inf at -0.0) and at 1
    assert d[:3].tolist() == [np.inf] * 3 and np.isnan(d[3:8]).all() and d[8] == 4
    assert g[:3].tolist() == [np.inf] * 3 and g[8] == 8
    assert fastact.logit(t(0.25)) == fastact.logit(t(0.25), None) == fastact.logit(t(0.25), eps=None)
    # with eps: clamped ends, 0 outside [eps, 1 - eps], 1 / (p (1 - p)) at its ends
    e = 0.25
    q = np.array([-np.inf, -1.0, 0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 7.0, np.inf, np.nan], dtype)
    with np.errstate(all="raise"):
        y = fastact.logit(q, e)
        d = fastact.logit.derivative(q, eps=e)
    lo, hi = math.log(1 / 3), math.log(3)
    want = [lo, lo, lo, lo, lo, 0.0, hi, hi, hi, hi, hi]
    assert np.allclose(y[:-1], np.array(want, dtype), rtol=2 * np.finfo(dtype).eps, atol=0)
    assert d[:-1].tolist() == [0, 0, 0, 0, t(16 / 3), 4, t(16 / 3), 0, 0, 0, 0]
    assert np.isnan(y[-1]) and np.isnan(d[-1])
    # eps = 0 clamps to [0, 1]: outside it the ends (+-inf) and f' = 0, no NaN
    y0, d0 = fastact.logit(q[:-1], 0.0), fastact.logit.derivative(q[:-1], 0.0)
    assert y0[[0, 1, 2, 8, 9, 10]].tolist() == [-np.inf] * 3 + [np.inf] * 3
    assert d0[[0, 1, 9, 10]].tolist() == [0] * 4 and d0[[2, 8]].tolist() == [np.inf] * 2


def test_logit_eps_rules_and_fast_path():
    x = np.array([0.0, 0.3, 1.0])
    with pytest.raises(ValueError, match=r"fastact\.logit: eps must be >= 0"):
        fastact.logit(x, -1.0)
    with pytest.raises(ValueError, match=r"fastact\.logit\.derivative: eps is NaN"):
        fastact.logit.derivative(x, eps=np.nan)
    with pytest.raises(ValueError, match="eps must be finite"):
        fastact.logit(x, np.inf)
    out = np.full(3, 7.0)
    with pytest.raises(ValueError):
        fastact.logit(x, -0.5, out=out)
    assert (out == 7.0).all()                                  # nothing written on failure
    # None (or nothing) runs the kernel without a clamp; any value the clamping one, so
    # eps=0.0 is not None: outside [0, 1] it gives the ends instead of NaN
    assert np.isnan(fastact.logit(-0.5)) and fastact.logit(-0.5, 0.0) == -np.inf
    assert np.isnan(fastact.logit(np.float32(-0.5), eps=None))
    assert fastact.logit.derivative(-0.5, 0.0) == 0.0
    # a per-element eps broadcasts; float32 data take it as float32
    e = np.array([0.0, 0.1, 0.4])
    assert np.allclose(fastact.logit(np.zeros(3), e), [-np.inf, math.log(1 / 9), math.log(2 / 3)])
    assert fastact.logit(np.zeros(3, np.float32), 0.1).dtype == np.float32
    assert not fastact.logit.has_from_output
    assert "eps=None" in repr(fastact.logit)


def test_logit_is_odd_about_one_half():
    """logit(1 - p) = -logit(p): exactly where 1 - p is exact (p >= 1/2), both within
    their 1 ULP of the exact value."""
    p = np.random.default_rng(3).uniform(0.5, 1.0, 10000)
    a, b = fastact.logit(1.0 - p), -fastact.logit(p)
    assert (np.abs(a - b) <= 2 * np.spacing(np.abs(b))).all()


TORCH_EPS = [None, 0.0, 1e-6, 0.25, 0.5]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("eps", TORCH_EPS, ids=[str(e) for e in TORCH_EPS])
def test_logit_matches_pytorch(eps, dtype):
    """Values and autograd gradients against torch.logit at PyTorch's tolerances
    (torch.testing.assert_close's defaults for the dtype; infinities and NaN where
    PyTorch has them), eps cast to the data's dtype, the clamp's ends included.
    fastact is the more accurate near p = 1/2 in float32 (PyTorch's float log(x / (1 - x))
    cancels there), within PyTorch's atol."""
    torch = pytest.importorskip("torch")
    p = np.concatenate([_logit_points(), [0.0, 1.0, -0.5, 1.5, -np.inf, np.inf, np.nan]])
    if eps is not None:
        e = float(dtype(eps))
        hi = float(dtype(1) - dtype(e))
        p = np.concatenate([p, [e, hi, np.nextafter(e, -1), np.nextafter(hi, 2)]])
    p = p.astype(dtype)
    g = np.random.default_rng(5).standard_normal(p.size).astype(dtype)
    pt = torch.from_numpy(p.copy()).requires_grad_(True)
    yt = torch.logit(pt, eps)
    (gt,) = torch.autograd.grad(yt, pt, grad_outputs=torch.from_numpy(g))
    torch.testing.assert_close(torch.from_numpy(fastact.logit(p, eps)), yt.detach(),
                               equal_nan=True)
    ours = fastact.logit.backward(g, p, eps)
    nan = np.isnan(p)
    if eps is not None:
        # NaN in, NaN out (PyTorch's clamping backward gives a NaN input 0 or NaN)
        assert np.isnan(ours[nan]).all()
        ours, gt, p = ours[~nan], gt[torch.from_numpy(~nan)], p[~nan]
    if dtype == np.float32:
        # documented: g times f' rounded to float32, which overflows for p < 2.9e-39
        # (subnormal) where PyTorch's g / (p (1 - p)) is finite for |g| < 1
        sub = (np.abs(p) < 2.9e-39) & (p != 0) & (p >= (0.0 if eps is None else dtype(eps)))
        assert np.isinf(ours[sub]).all()
        ours, gt, p = ours[~sub], gt[torch.from_numpy(~sub)], p[~sub]
    torch.testing.assert_close(torch.from_numpy(ours), gt, equal_nan=True)
    # the clamp's ends bit for bit where the value is the clamped end's (float32: 1 - eps
    # rounded to float32, as PyTorch)



# ---- squareplus -----------------------------------------------------------------------------

def _squareplus_mp(x, b):
    x, b = mp.mpf(x), mp.mpf(b)
    s = mp.sqrt(x * x + b)
    f = (x + s) / 2 if x >= 0 else b / (2 * (s - x))
    d = mp.mpf(0) if s == 0 else ((1 + x / s) / 2 if x >= 0 else b / (2 * s * (s - x)))
    return f, d


@pytest.mark.parametrize("b", [4.0, 0.0, 1e-300, 1e300, 0.5])
def test_squareplus_within_its_bounds_everywhere(b):
    """float64, every binade of x (x^2 overflows above 1e154 and underflows below 1e-162;
    b as large as 1e300): the forward within 2 ULP and the derivative within 4 of mpmath,
    with no overflow and no floating-point flag."""
    rng = np.random.default_rng(7)
    x = np.exp2(rng.uniform(-1074, 1023.9, 600))
    x = np.concatenate([x, -x, [0.0, -0.0, 1.0, -1.0, 1.7976931348623157e308]])
    with np.errstate(all="raise"):
        y = fastact.squareplus(x, b)
        d = fastact.squareplus.derivative(x, b)
    worst_f = worst_d = 0.0
    with mp.workprec(300):
        for i, v in enumerate(x):
            f, fd = _squareplus_mp(v, b)
            worst_f = max(worst_f, _ulps(float(y[i]), f))
            worst_d = max(worst_d, _ulps(float(d[i]), fd))
    assert worst_f <= 2.0 and worst_d <= 4.0, (worst_f, worst_d)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_squareplus_edges(dtype):
    x = np.array([-np.inf, np.inf, np.nan, 0.0, -0.0, 2.0, -2.0], dtype)
    with np.errstate(all="raise"):
        y, d = fastact.squareplus(x), fastact.squareplus.derivative(x)
        y0, d0 = fastact.squareplus(x, 0.0), fastact.squareplus.derivative(x, b=0.0)
        fo = fastact.squareplus.derivative_from_output(y)
    assert y[[0, 1]].tolist() == [0.0, np.inf] and d[[0, 1]].tolist() == [0.0, 1.0]
    assert np.isnan(y[2]) and np.isnan(d[2]) and np.isnan(fo[2])
    assert y[3] == y[4] == 1.0 and d[3] == d[4] == 0.5            # sqrt(b)/2, smooth
    # b = 0 is relu, with relu'(0) = 0 (JAX's grad: NaN)
    assert y0[[0, 1, 3, 5, 6]].tolist() == [0.0, np.inf, 0.0, 2.0, 0.0]
    assert d0[[0, 1, 3, 4, 5, 6]].tolist() == [0.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    assert not np.signbit(y0[4])
    # from the output: y^2 / (y^2 + b/4), 1 at y = inf, 0 at y = 0
    assert fo[[0, 1]].tolist() == [0.0, 1.0]
    fin = np.isfinite(x)
    assert np.allclose(fo[fin], d[fin], rtol=8 * np.finfo(dtype).eps, atol=0)
    with pytest.raises(ValueError, match=r"fastact\.squareplus: b must be >= 0"):
        fastact.squareplus(x, -1.0)


def test_squareplus_matches_jax(jax64):
    """Values and jax.grad agree with jax.nn.squareplus in float64 to a few ULP where
    JAX's plain formula keeps its digits (|x| <= 1e3: for x << 0, x + sqrt(x^2 + b)
    cancels and JAX loses them; beyond 1e154 x^2 overflows); b = 0 at x = 0: JAX's grad
    is NaN, fastact's relu'(0) = 0."""
    jax = jax64
    x = np.concatenate([np.linspace(-1e3, 1e3, 2001), np.linspace(-5, 5, 1001)])
    for b in (4.0, 1.0, 0.25):
        jf = jax.jit(lambda t, b=b: jax.nn.squareplus(t, b))
        y = np.asarray(jf(x))
        grad = np.asarray(jax.vmap(jax.grad(lambda t, b=b: jax.nn.squareplus(t, b)))(x))
        ours, d = fastact.squareplus(x, b), fastact.squareplus.derivative(x, b)
        # JAX's (x + sqrt(.)) / 2 cancels for x < 0: its error there is eps * |x| / y
        tol = 4 * np.finfo(np.float64).eps * (np.abs(y) + np.abs(x))
        assert (np.abs(ours - y) <= tol).all()
        assert (np.abs(d - grad) <= 4 * np.finfo(np.float64).eps * (np.abs(grad) + 1)).all()
    g0 = float(jax.grad(lambda t: jax.nn.squareplus(t, 0.0))(0.0))
    assert math.isnan(g0) and fastact.squareplus.derivative(0.0, 0.0) == 0.0
