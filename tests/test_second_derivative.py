"""The second derivative f'' (``second_derivative``) and the double backward
(``double_backward``) of every elementwise activation, against independent references:
mpmath (the records' mp_second, at 200 bits), the documented values at the kinks,
PyTorch's double backward (``torch.autograd.grad(..., create_graph=True)`` twice) and
``jax.grad(jax.grad(f))``, where the record's peers() name the function.
"""

import math
import types

import numpy as np
import pytest

import fastact
from fastact import _registry
from fastact.records import _mp, _peers

from conftest import needed

SECOND = [n for n, f in fastact.ACTIVATIONS.items() if f.has_second_derivative]
EPS = np.finfo(np.float64).eps


def test_every_elementwise_activation_has_it():
    # prelu and rrelu (per-channel or random slopes) are piecewise linear: f'' = 0, left
    # out; the softmax family has a matrix per row
    kinds = {n: f.info.kind for n, f in fastact.ACTIVATIONS.items()}
    assert sorted(SECOND) == sorted(n for n, k in kinds.items() if k in ("elementwise", "gelu"))


def _kernels(name):
    """(params, mp params) at which to test: the defaults, and a general kernel's
    accuracy_params (its non-default values)."""
    rec = _registry.BY_NAME[name]
    if rec.kind != "elementwise":
        return [()]
    out = [tuple(p.default for p in rec.params)]
    if rec.general_kernel is not None:
        out.append(tuple(rec.general_kernel.accuracy_params))
    return out


def _xs(name):
    rec = _registry.BY_NAME[name]
    if rec.domain != (-math.inf, math.inf):
        lo, hi = rec.domain
        if math.isinf(hi):          # a half line (log1mexp's [0, inf))
            return lo + np.concatenate([np.linspace(0, 12, 401), np.logspace(-300, 2.9, 60)])
        return np.concatenate([np.linspace(lo, hi, 401), [1e-300, 1e-10, 1 - 1e-10]])
    grid = np.concatenate([np.linspace(-12, 12, 961), -np.logspace(-300, 2.9, 60),
                           np.logspace(-300, 2.9, 60), [0.0, -0.0, 1e-8, -1e-8]])
    return grid


def _mp_second(rec, x, params):
    _mp.init(200)
    try:
        return float(rec.mp_second(_mp.mpf(x), *[None if p is None else _mp.mpf(p)
                                                 for p in params]))
    except ZeroDivisionError:       # a pole at the domain's end (logit's 0 and 1): +-inf
        return rec.ref_second(float(x), *params)


@pytest.mark.parametrize("name", SECOND)
def test_against_mpmath(name):
    f, rec = fastact.ACTIVATIONS[name], _registry.BY_NAME[name]
    for params in _kernels(name):
        xs = _xs(name)
        got = f.second_derivative(xs, *params)
        want = np.array([_mp_second(rec, x, params) for x in xs])
        finite = np.isfinite(want)
        scale = np.max(np.abs(want[finite]))
        # relative, and near the zeros of f'' (where terms cancel) absolute in units of
        # the largest |f''|; x's own rounding in the tails (gelu's e^(-x^2/2): |x f'''|)
        err = np.abs(got[finite] - want[finite])
        tol = 64 * EPS * np.abs(want[finite]) + 64 * EPS * scale * 1e-3 + 1e-300
        # the condition term, from mpmath: |x| |f'''(x)| eps, by a difference of f''
        h = 1e-6 * np.maximum(np.abs(xs[finite]), 1e-3)
        if rec.domain == (-math.inf, math.inf):
            d3 = np.array([(_mp_second(rec, x + hh, params) - _mp_second(rec, x - hh, params))
                           / (2 * hh) for x, hh in zip(xs[finite], h)])
            tol += 8 * EPS * np.abs(xs[finite] * d3)
        bad = err > tol
        assert not bad.any(), (name, params, xs[finite][bad][:5], got[finite][bad][:5],
                               want[finite][bad][:5])
        assert np.array_equal(got[~finite], want[~finite])


@pytest.mark.parametrize("name", SECOND)
def test_against_pure_python_reference(name):
    f, ref = fastact.ACTIVATIONS[name], fastact.reference.BY_NAME[name]
    for params in _kernels(name):
        xs = _xs(name)[::7]
        got = f.second_derivative(xs, *params)
        want = np.array([ref.second_derivative(float(x), *params) for x in xs])
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", SECOND)
def test_documented_values_at_kinks(name):
    f, rec = fastact.ACTIVATIONS[name], _registry.BY_NAME[name]
    for params, x, want in rec.second_at_kinks:
        for dt in (np.float32, np.float64):
            got = f.second_derivative(np.array([x], dt), *params)[0]
            assert got == dt(want), (name, params, x, got, want)
    # piecewise-linear activations: f'' = 0 everywhere, kinks included
    if rec.mp_second is _mp.zero:
        kinks = rec.accuracy.kink_xs
        got = f.second_derivative(np.array(kinks + (1e300, -1e300, np.inf, -np.inf)),
                                  *needed(f))
        assert (got == 0).all()


@pytest.mark.parametrize("name", SECOND)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nan_and_specials_no_warning(name, dtype):
    f = fastact.ACTIVATIONS[name]
    with np.errstate(all="ignore"):     # (1e300 is inf in float16 and float32)
        xs = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e300,
                       -1e300, 1e-5, 3.0, -3.0, 1.0, -1.0, 0.5]).astype(dtype)
    with np.errstate(all="raise"):
        r = f.second_derivative(xs, *needed(f))
        gg, gx = f.double_backward(np.ones_like(xs), np.full_like(xs, 2), xs, *needed(f))
    assert r.dtype == dtype and np.isnan(r[0]) and np.isnan(gx[0]) and np.isnan(gg[0])
    rec = _registry.BY_NAME[name]
    if rec.domain == (-math.inf, math.inf):
        assert not np.isnan(r[1:]).any(), (name, xs[1:][np.isnan(r[1:])])
        # f''(+-inf): the pure-Python reference's (0 for every saturating activation;
        # inf at +inf for exponential)
        want = [rec.ref_second(v, *[float(p) for p in needed(f)]) for v in (math.inf, -math.inf)]
        assert r[1:3].tolist() == want, (name, r[1:3], want)


@pytest.mark.parametrize("name", SECOND)
def test_16bit_is_float32_rounded(name):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    f = fastact.ACTIVATIONS[name]
    xs = np.linspace(-6, 6, 301, dtype=np.float32)
    if _registry.BY_NAME[name].domain != (-math.inf, math.inf):
        xs = np.linspace(0, 1, 301, dtype=np.float32)
    for dt in (np.float16, ml_dtypes.bfloat16):
        x16 = xs.astype(dt)
        with np.errstate(over="ignore"):        # logit's poles: inf in 16 bits
            want = f.second_derivative(x16.astype(np.float32), *needed(f)).astype(dt)
        got = f.second_derivative(x16, *needed(f))
        assert got.dtype == dt
        np.testing.assert_array_equal(got.astype(np.float32), want.astype(np.float32))
        g, gg = np.full_like(x16, 0.75), np.full_like(x16, -1.5)
        a, b = f.double_backward(gg, g, x16, *needed(f))
        wa, wb = f.double_backward(gg.astype(np.float32), g.astype(np.float32),
                                   x16.astype(np.float32), *needed(f))
        assert a.dtype == dt and b.dtype == dt
        with np.errstate(over="ignore"):        # logit's poles: inf in 16 bits
            wa, wb = wa.astype(dt).astype(np.float32), wb.astype(dt).astype(np.float32)
        np.testing.assert_array_equal(a.astype(np.float32), wa)
        np.testing.assert_array_equal(b.astype(np.float32), wb)


@pytest.mark.parametrize("name", SECOND)
def test_double_backward_is_the_products(name):
    # against the reference's gg f'(x) and gg g f''(x)
    f, ref = fastact.ACTIVATIONS[name], fastact.reference.BY_NAME[name]
    xs = _xs(name)[::9]
    rng = np.random.default_rng(1)
    g, gg = rng.normal(size=xs.shape), rng.normal(size=xs.shape)
    a, b = f.double_backward(gg, g, xs, *needed(f))
    wa, wb = zip(*[ref.double_backward(float(p), float(q), float(x), *needed(f))
                   for p, q, x in zip(gg, g, xs)])
    np.testing.assert_allclose(a, wa, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b, wb, rtol=1e-9, atol=1e-12)


def test_out_and_errors():
    f = fastact.silu
    x = np.linspace(-3, 3, 7)
    o = np.full(7, 42.0)
    assert f.second_derivative(x, out=o) is o
    a, b = np.full(7, 7.0), np.full(7, 9.0)
    r = f.double_backward(1.0, 2.0, x, out=(a, b))
    assert r[0] is a and r[1] is b
    np.testing.assert_array_equal(a, f.derivative(x))
    # a failing call writes nothing
    a[:], b[:] = 7.0, 9.0
    with pytest.raises(ValueError, match="fastact.silu.double_backward"):
        f.double_backward(np.ones(3), 2.0, x, out=(a, b))
    with pytest.raises(TypeError, match="fastact.silu.double_backward"):
        f.double_backward(1.0, 2.0, x, out=(a, b.astype(np.float32)))
    with pytest.raises(ValueError, match="fastact.silu.double_backward"):
        f.double_backward(1.0, 2.0, x, out=(a, np.empty(3)))
    with pytest.raises(ValueError, match="fastact.softplus.double_backward.*beta"):
        fastact.softplus.double_backward(1.0, 2.0, x, 0.0, out=(a, b))
    assert (a == 7.0).all() and (b == 9.0).all()
    with pytest.raises(TypeError, match="fastact.silu.second_derivative"):
        f.second_derivative(x, out=np.empty(7, np.float32))
    with pytest.raises(ValueError, match="fastact.gelu.second_derivative: approximate"):
        fastact.gelu.second_derivative(x, "fast")
    # 0-d in, scalars out; gelu's approximate routes to gelu_tanh's kernel
    assert np.ndim(f.second_derivative(0.5)) == 0
    assert fastact.gelu.second_derivative(0.7, "tanh") == fastact.gelu_tanh.second_derivative(0.7)
    assert fastact.gelu.second_derivative(0.7, True) == fastact.gelu_tanh.second_derivative(0.7)


# ---- peers: PyTorch's double backward and jax.grad(jax.grad(f)) ---------------------

def _params_dict(name, params):
    rec = _registry.BY_NAME[name]
    return {p.name: v for p, v in zip(rec.params, params)} if params else \
        {p.name: p.default for p in rec.params}


def _peer_points(name):
    rec = _registry.BY_NAME[name]
    if rec.domain != (-math.inf, math.inf):
        return np.linspace(0.01, 0.99, 99)
    # the kinks too: fastact follows PyTorch's convention there (those within |x| <= 50:
    # beyond, PyTorch's mish double backward is NaN where e^x overflows)
    kinks = np.array(rec.accuracy.kink_xs, float)
    return np.concatenate([np.linspace(-8, 8, 321), kinks[np.abs(kinks) <= 50]])


def _torch_forward(name, monkeypatch, x, params):
    torch = pytest.importorskip("torch")
    made = []

    def leaf(a):
        t = torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)
        made.append(t)
        return t

    monkeypatch.setattr(_peers, "tensor", leaf)
    peer = _registry.BY_NAME[name].peers().get("torch")
    if peer is None:
        pytest.skip(f"PyTorch has no {name}")
    d = types.SimpleNamespace(case=types.SimpleNamespace(params=_params_dict(name, params)),
                              x=x, g=np.ones_like(x), y=x, dtype=np.float64, n=len(x))
    run = peer.forward(d)
    (xt,) = made
    return torch, xt, run()


@pytest.mark.parametrize("name", SECOND)
def test_against_torch_double_backward(name, monkeypatch):
    x = _peer_points(name)
    rng = np.random.default_rng(3)
    g, gg = rng.normal(size=x.shape), rng.normal(size=x.shape)
    # (the defaults only: PyTorch's silu, selu and hardsigmoid take no parameters)
    for params in _kernels(name)[:1]:
        torch, xt, y = _torch_forward(name, monkeypatch, x, params)
        gt = torch.tensor(g, requires_grad=True)
        (dx,) = torch.autograd.grad(y, xt, gt, create_graph=True)
        if not dx.requires_grad:        # f' constant: the double backward of x is 0
            want_g, want_x = (gg * dx.detach().numpy() / np.where(g == 0, 1, g),
                              np.zeros_like(x))
        else:
            try:
                want_g, want_x = torch.autograd.grad(dx, (gt, xt), torch.tensor(gg),
                                                     allow_unused=True)
            except RuntimeError as exc:     # hardsigmoid: "derivative ... not implemented"
                pytest.skip(f"PyTorch has no double backward of {name}: {exc}")
            want_g = want_g.numpy()
            want_x = np.zeros_like(x) if want_x is None else want_x.numpy()
        a, b = fastact.ACTIVATIONS[name].double_backward(gg, g, x, *params)
        np.testing.assert_allclose(a, want_g, rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(b, want_x, rtol=1e-7, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("name", SECOND)
def test_against_jax_grad_grad(name, monkeypatch):
    pytest.importorskip("jax")
    monkeypatch.setattr(_peers, "_jax_builder", lambda spec, backward: spec)
    peer = _registry.BY_NAME[name].peers().get("jax")
    if peer is None:
        pytest.skip(f"jax.nn has no {name}")
    import jax
    jax.config.update("jax_enable_x64", True)
    # away from the kinks: JAX splits a tie between branches (celu''(0) = 1/4, not 1;
    # softsign''(0) = -2, not 0), fastact follows PyTorch there (test_against_torch_...)
    x = np.linspace(-8, 8, 322)
    if _registry.BY_NAME[name].domain != (-math.inf, math.inf):
        x = np.linspace(0.01, 0.99, 99)
    x = x[~np.isin(x, _registry.BY_NAME[name].accuracy.kink_xs)]
    for params in _kernels(name)[:1]:     # jax.nn's functions take their defaults
        spec = peer.forward
        fn = getattr(jax.nn, spec) if isinstance(spec, str) else \
            spec(jax.nn, _params_dict(name, params))
        want = np.asarray(jax.vmap(jax.grad(jax.grad(fn)))(jax.numpy.asarray(x)))
        got = fastact.ACTIVATIONS[name].second_derivative(x, *params)
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-10, err_msg=name)
