"""The parameters of issue 13's "options users reach for": gelu's approximate=True/False,
hardsigmoid(x, alpha, beta), selu(x, alpha, scale), silu(x, beta).

Non-default parameters run the general kernels (Record.general_kernel); they are held here to
closed forms (hardsigmoid: exact rational arithmetic), to mpmath (selu, silu), to ONNX
Runtime's HardSigmoid and to PyTorch's elu(x, alpha, scale) and autograd where installed.
The defaults keep their specialised kernels: whatever way the parameters are passed, and
whichever kernel runs, the results at the defaults are the same bits.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

import fastact
from fastact import _registry

mpmath = pytest.importorskip("mpmath")

GENERAL = [a for a in _registry.ACTIVATIONS if a.general_kernel is not None]
# those whose defaults are values (logit's eps=None means "not given": no value reaches
# the general kernel)
GENERAL_VALUED = [a for a in GENERAL if all(p.default is not None for p in a.params)]


def _values(rec):
    """Parameter values to vary from: the defaults, or where a default is None the
    general kernel's measured ones."""
    return [c if p.default is None else p.default
            for p, c in zip(rec.params, rec.general_kernel.accuracy_params)]
F64 = np.float64


def _pts(extra=()):
    """A spread of float64 inputs: specials, the usual range densely, tails, extras."""
    rng = np.random.default_rng(13)
    x = np.concatenate([
        [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1.0, -1.0, 1e300, -1e300,
         np.inf, -np.inf, np.nan], list(extra),
        np.linspace(-12, 12, 481), rng.uniform(-60, 60, 300),
        -np.exp(rng.uniform(0, 7, 200)), np.exp(rng.uniform(0, 7, 200))])
    return x.astype(F64)


def _ulp_err(got, exact):
    """|got - exact| in ULP of the exact value (mpf), ulp(0) the smallest subnormal."""
    if exact == 0:
        return 0.0 if got == 0 else abs(got) / 5e-324
    e = float(exact)
    u = math.ulp(e) if e != 0 else 5e-324
    return float(abs(mpmath.mpf(got) - exact) / u)


# ---- gelu: approximate=True / False -----------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("flag, name", [(True, "tanh"), (False, "none"),
                                        (np.True_, "tanh"), (np.False_, "none")])
def test_gelu_bool_means_its_form(flag, name, dtype):
    x = np.linspace(-6, 6, 97).astype(dtype)
    g = np.cos(x).astype(dtype)
    for got, want in [
            (fastact.gelu(x, flag), fastact.gelu(x, name)),
            (fastact.gelu(x, approximate=flag), fastact.gelu(x, approximate=name)),
            (fastact.gelu(list(x.astype(float)), flag), fastact.gelu(list(x.astype(float)),
                                                                      name)),
            (fastact.gelu(x, flag, out=np.empty_like(x)), fastact.gelu(x, name)),
            (fastact.gelu.derivative(x, flag), fastact.gelu.derivative(x, name)),
            (fastact.gelu.backward(g, x, approximate=flag),
             fastact.gelu.backward(g, x, approximate=name))]:
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_gelu_true_is_the_tanh_formula():
    # against the closed form itself, not only the 'tanh' path
    mpmath.mp.prec = 120
    x = np.linspace(-4, 4, 41)
    c, k = mpmath.sqrt(2 / mpmath.pi), mpmath.mpf("0.044715")
    want = [float(v / 2 * (1 + mpmath.tanh(c * (v + k * mpmath.mpf(v) ** 3)))) for v in x]
    np.testing.assert_allclose(fastact.gelu(x, True), want, rtol=1e-14, atol=1e-300)
    exact = [float(0.5 * v * (1 + mpmath.erf(v / mpmath.sqrt(2)))) for v in x]
    np.testing.assert_allclose(fastact.gelu(x, False), exact, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("method", ["__call__", "derivative", "backward"])
@pytest.mark.parametrize("bad", [1, 0, 1.0, "True", "TANH", None, [True]])
def test_gelu_refuses_other_values(method, bad):
    x = np.ones(3)
    data = [x, x] if method == "backward" else [x]
    fname = "fastact.gelu" + ("" if method == "__call__" else "." + method)
    with pytest.raises(ValueError, match=rf"^{fname}: approximate must be one of") as e:
        getattr(fastact.gelu, method)(*data, approximate=bad)
    assert "True" in str(e.value) and "'tanh'" in str(e.value)


def test_gelu_reference_takes_the_bools():
    ref = fastact.gelu.reference
    assert ref(0.7, True) == ref(0.7, "tanh") != ref(0.7, False) == ref(0.7, "none")
    assert ref.derivative(0.7, approximate=True) == ref.derivative(0.7, "tanh")
    with pytest.raises(ValueError, match="approximate"):
        ref(0.7, 1)


def test_gelu_docs_name_the_bools():
    # help(fastact.gelu) shows the object's docstring; the forward's own is on the
    # general path's method, as for every activation with a compiled forward
    for doc in (fastact.gelu.__doc__, type(fastact.gelu)._general_call.__doc__,
                fastact.gelu.derivative.__doc__):
        assert "True" in doc and "'tanh'" in doc


# ---- the defaults keep their kernels and their bits ---------------------------------------

def _bits(a):
    """The bytes of a, every NaN made one (a NaN's sign and payload may differ between
    the compiled forms of one formula)."""
    a = np.array(a, copy=True)
    a[np.isnan(a)] = np.nan
    return a.view(np.uint8)


def _ufunc_methods(rec):
    out = [("", 1), ("_derivative", 1), ("_backward", 2)]
    if rec.from_output:
        out += [("_derivative_from_output", 1), ("_backward_from_output", 2)]
    return out


@pytest.mark.parametrize("rec", GENERAL_VALUED, ids=lambda r: r.name)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_general_kernel_at_defaults_is_the_specialised_one(rec, dtype):
    # the general kernel selects the specialised one's result at the defaults (as the loop
    # takes them), so that a result never depends on how its parameters were passed
    with np.errstate(over="ignore"):
        x = _pts().astype(dtype)
    pdt = np.float32 if dtype == np.float16 else dtype
    defaults = [pdt(p.default) for p in rec.params]
    for suffix, ndata in _ufunc_methods(rec):
        data = [x[::-1].copy(), x][-ndata:]
        with np.errstate(all="ignore"):
            want = fastact.UFUNCS[rec.name + suffix](*data)
            got = fastact.UFUNCS[rec.general_kernel.kernel + suffix](*data, *defaults)
        assert np.array_equal(_bits(got), _bits(want)), (rec.name, suffix)


@pytest.mark.parametrize("rec", GENERAL, ids=lambda r: r.name)
def test_defaults_however_passed_give_the_same_bits(rec):
    f = fastact.ACTIVATIONS[rec.name]
    for dtype in (np.float32, np.float64):
        with np.errstate(over="ignore"):
            x = _pts().astype(dtype)
        want = f(x)
        d = [p.default for p in rec.params]
        sets = [d] if None in d else [d, [np.float64(v) for v in d], [np.array(v) for v in d],
                                      [np.full(x.shape, v) for v in d]]
        for args in sets:
            assert np.array_equal(_bits(f(x, *args)), _bits(want))
            assert np.array_equal(_bits(f.derivative(x, *args)), _bits(f.derivative(x)))


@pytest.mark.parametrize("rec", GENERAL, ids=lambda r: r.name)
def test_general_params_per_element(rec):
    # parameter arrays broadcast: each element is the call with that element's values
    f = fastact.ACTIVATIONS[rec.name]
    x = np.concatenate([np.linspace(-5, 5, 11), np.linspace(0, 1, 11)])
    vals = [np.array([v, v * 1.5 + 0.1]) for v in _values(rec)]
    got = f(x[:, None], *vals)
    for j in range(2):
        want = f(x, *[float(v[j]) for v in vals])
        assert np.array_equal(_bits(got[:, j]), _bits(want))


# ---- hardsigmoid(x, alpha, beta) ----------------------------------------------------------

def _hs_exact(x, a, b):
    """clip(a x + b, 0, 1) correctly rounded, and f' by the documented rule (alpha where
    a x + b rounded once is strictly inside (0, 1)), from exact rationals."""
    if math.isnan(x):
        return math.nan, math.nan
    if math.isinf(x):
        t = b if a == 0 else math.copysign(math.inf, a * x)
    else:
        t = Fraction(a) * Fraction(x) + Fraction(b)
        try:
            t = float(t)
        except OverflowError:       # rounds to an infinity
            t = math.inf if t > 0 else -math.inf
    return min(max(t, 0.0), 1.0), (a if 0.0 < t < 1.0 else 0.0)


@pytest.mark.parametrize("a, b", [(0.2, 0.5), (1 / 3, 1.0), (0.1, 0.3), (-0.5, 0.5),
                                  (0.0, 0.25), (0.0, 2.0), (7.0, -3.0), (1e-300, 0.5)])
def test_hardsigmoid_general_exact(a, b):
    x = _pts([-b / a if a else 0.0, (1 - b) / a if a else 1.0, -2.5, 2.5])
    x = np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])
    y = fastact.hardsigmoid(x, a, b)
    d = fastact.hardsigmoid.derivative(x, alpha=a, beta=b)
    exp = [_hs_exact(v, a, b) for v in x]
    np.testing.assert_array_equal(y, [e[0] for e in exp])
    np.testing.assert_array_equal(d, [e[1] for e in exp])
    g = np.cos(np.where(np.isfinite(x), x, 0.0))
    np.testing.assert_array_equal(fastact.hardsigmoid.backward(g, x, a, b),
                                  g * np.array([e[1] for e in exp]))
    # float32: the parameters as float32 data takes them, the result rounded once
    with np.errstate(over="ignore"):
        x32 = x.astype(np.float32)
    a32, b32 = float(np.float32(a)), float(np.float32(b))
    y32 = fastact.hardsigmoid(x32, a, b)
    assert y32.dtype == np.float32
    np.testing.assert_array_equal(
        y32, np.array([_hs_exact(float(v), a32, b32)[0] for v in x32], np.float32))


def test_hardsigmoid_kinks_and_defaults():
    h = fastact.hardsigmoid
    # ONNX's default attributes: the kinks at -2.5 and 2.5 have gradient 0, as the
    # default's at -3 and 3 (PyTorch's hardsigmoid_backward: g where -3 < x < 3, else 0)
    assert list(h.derivative(np.array([-2.5, 0.0, 2.5]), 0.2, 0.5)) == [0.0, 0.2, 0.0]
    assert list(h.derivative(np.array([-3.0, 0.0, 3.0]))) == [0.0, 1 / 6, 0.0]
    # the default alpha means the exact 1/6: (x + 3) / 6 correctly rounded
    x = np.linspace(-3, 3, 601)
    want = [float(min(max(Fraction(float(v)) / 6 + Fraction(1, 2), 0), 1)) for v in x]
    np.testing.assert_array_equal(h(x, 1 / 6, 0.5), want)
    np.testing.assert_array_equal(h(x), want)


def test_hardsigmoid_matches_onnxruntime():
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    x = np.linspace(-6, 6, 2001).astype(np.float32)
    for attrs in ({}, {"alpha": 0.25, "beta": 0.4}, {"alpha": -0.3, "beta": 0.6}):
        node = helper.make_node("HardSigmoid", ["x"], ["y"], **attrs)
        graph = helper.make_graph([node], "g",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        sess = ort.InferenceSession(model.SerializeToString(),
                                    providers=["CPUExecutionProvider"])
        want = sess.run(None, {"x": x})[0]
        a, b = attrs.get("alpha", 0.2), attrs.get("beta", 0.5)   # ONNX's defaults
        got = fastact.hardsigmoid(x, a, b)
        # ONNX Runtime rounds alpha x and then + beta in float: within an ULP of 1 (the
        # largest result) of fastact's single rounding
        np.testing.assert_allclose(got, want, rtol=0, atol=1.2e-7)


def test_hardsigmoid_default_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-5, 5, 1001)
    t = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.hardsigmoid(t)
    y.backward(torch.ones_like(t))
    np.testing.assert_allclose(fastact.hardsigmoid(x, 1 / 6, 0.5), y.detach().numpy(),
                               rtol=1e-15, atol=0)
    # PyTorch's float64 backward multiplies by 1/6 rounded to float32: 3e-8 relative
    np.testing.assert_allclose(fastact.hardsigmoid.derivative(x, 1 / 6, 0.5),
                               t.grad.numpy(), rtol=4e-8, atol=0)
    assert ((fastact.hardsigmoid.derivative(x) == 0) == (t.grad.numpy() == 0)).all()


# ---- selu(x, alpha, scale) ----------------------------------------------------------------

SELU_SETS = [(2.0, 0.75), (1.0, 1.0), (0.5, 3.0), (1.6732632423543772, 1.0), (0.0, 2.0),
             (-1.0, 1.5), (3.0, -0.5)]


@pytest.mark.parametrize("a, s", SELU_SETS)
def test_selu_general_against_mpmath(a, s):
    mpmath.mp.prec = 120
    x = _pts([-38.0, -745.0])
    x = x[np.isfinite(x)]
    y = fastact.selu(x, a, s)
    d = fastact.selu.derivative(x, alpha=a, scale=s)
    for v, yv, dv in zip(x, y, d):
        m = mpmath.mpf(float(v))
        fe = s * m if v > 0 else s * a * mpmath.expm1(m)
        de = mpmath.mpf(s) if v > 0 else s * a * mpmath.exp(m)
        assert _ulp_err(yv, fe) <= 4, (v, yv, fe)
        assert _ulp_err(dv, de) <= 8, (v, dv, de)


def test_selu_general_limits_and_from_output():
    x = np.array([-np.inf, np.inf, np.nan, 0.0])
    np.testing.assert_array_equal(fastact.selu(x, 2.0, 0.75), [-1.5, np.inf, np.nan, 0.0])
    np.testing.assert_array_equal(fastact.selu.derivative(x, 2.0, 0.75),
                                  [0.0, 0.75, np.nan, 1.5])
    np.testing.assert_array_equal(fastact.selu(x, 2.0, 0.0), [0.0, 0.0, np.nan, 0.0])
    # from the output: y + scale alpha on the left, scale on the right
    xs = np.linspace(-8, 8, 161)
    for a, s in [(2.0, 0.75), (0.5, 3.0), (0.0, 2.0), (1.0, 0.0)]:
        y = fastact.selu(xs, a, s)
        got = fastact.selu.derivative_from_output(y, a, s)
        want = fastact.selu.derivative(xs, a, s)
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=4e-16 * max(1, a * s))
        g = np.sin(xs)
        np.testing.assert_allclose(fastact.selu.backward_from_output(g, y, alpha=a, scale=s),
                                   g * want, rtol=1e-15, atol=4e-16 * max(1, a * s))


@pytest.mark.parametrize("method", ["derivative_from_output", "backward_from_output"])
@pytest.mark.parametrize("param, value", [("alpha", -1.0), ("scale", -0.5)])
def test_selu_from_output_needs_nonnegative(method, param, value):
    y = np.ones(3)
    data = [y, y] if method.startswith("backward") else [y]
    with pytest.raises(ValueError, match=rf"fastact\.selu\.{method}: .*{param} >= 0"):
        getattr(fastact.selu, method)(*data, **{param: value})
    fastact.selu(y, **{param: value})              # the forward takes any finite value


def test_selu_matches_torch_elu_with_scale():
    torch = pytest.importorskip("torch")
    x = np.linspace(-10, 10, 2001)
    g = np.cos(x)
    for a, s in [(2.0, 0.75), (0.5, 3.0), (1.6732632423543772, 1.0507009873554805)]:
        t = torch.tensor(x)
        want = torch.ops.aten.elu(t, a, s, 1.0).numpy()
        np.testing.assert_allclose(fastact.selu(x, a, s), want, rtol=1e-14, atol=0)
        gw = torch.ops.aten.elu_backward(torch.tensor(g), a, s, 1.0, False, t).numpy()
        np.testing.assert_allclose(fastact.selu.backward(g, x, a, s), gw, rtol=1e-14, atol=0)
    np.testing.assert_allclose(fastact.selu(x), torch.nn.functional.selu(torch.tensor(x)),
                               rtol=1e-15, atol=0)


# ---- silu(x, beta) ------------------------------------------------------------------------

def _silu_mp(x, b):
    u = mpmath.mpf(b) * mpmath.mpf(x)
    s = 1 / (1 + mpmath.exp(-u))
    return mpmath.mpf(x) * s, s + u * s * (1 - s)


@pytest.mark.parametrize("beta", [1.702, 2.0, 0.5, -1.0, -1.702, 1e-3, 37.0, 1e-200, 1e200])
def test_silu_general_against_mpmath(beta):
    mpmath.mp.prec = 140
    # the tails where beta x is beyond -700 (rescaled) and -746 (0 or subnormal)
    x = _pts([v / beta for v in (-700.5, -720.0, -745.5, -760.0, -1000.0, -1.2784645, 40.0)])
    x = x[np.isfinite(x)]
    y = fastact.silu(x, beta)
    d = fastact.silu.derivative(x, beta=beta)
    for v, yv, dv in zip(x, y, d):
        fe, de = _silu_mp(float(v), beta)
        assert _ulp_err(yv, fe) <= 4, (v, yv, fe)
        # near f''s zero (u = -1.278) the error is absolute: 4 eps max|f'|
        if abs(_ulp_err(dv, de)) > 8:
            assert abs(mpmath.mpf(dv) - de) <= 4 * 2.0 ** -52 * 1.1, (v, dv, de)


def test_silu_beta_zero_negative_and_limits():
    x = np.array([-np.inf, -3.0, 0.0, 3.0, np.inf, np.nan])
    np.testing.assert_array_equal(fastact.silu(x, 0.0), x / 2)
    np.testing.assert_array_equal(fastact.silu.derivative(x, 0.0),
                                  [0.5, 0.5, 0.5, 0.5, 0.5, np.nan])
    # beta < 0: x sigmoid(-|beta| x) -> -inf at -inf, +0 at +inf
    y = fastact.silu(x, -2.0)
    assert y[0] == -np.inf and y[4] == 0.0 and not np.signbit(y[4])
    d = fastact.silu.derivative(x, -2.0)
    assert d[0] == 1.0 and d[4] == 0.0 and np.signbit(d[4])
    y = fastact.silu(x, 2.0)
    assert y[4] == np.inf and y[0] == 0.0 and np.signbit(y[0])
    assert list(fastact.silu.derivative(x, 2.0)[[0, 4]]) == [0.0, 1.0]


def test_silu_general_float32_within_an_ulp():
    for beta in (1.702, 0.5, -3.0):
        x = np.linspace(-100, 100, 4001).astype(np.float32)
        b = float(np.float32(beta))
        got = fastact.silu(x, beta)
        assert got.dtype == np.float32
        want = [float(_silu_mp(float(v), b)[0]) for v in x]
        with np.errstate(under="ignore"):
            np.testing.assert_array_max_ulp(got, np.array(want).astype(np.float32), maxulp=1)


def test_silu_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    x = np.linspace(-30, 30, 3001)
    for beta in (1.702, 0.5, 2.0):
        t = torch.tensor(x, requires_grad=True)
        y = t * torch.sigmoid(beta * t)
        y.backward(torch.ones_like(t))
        np.testing.assert_allclose(fastact.silu(x, beta), y.detach().numpy(),
                                   rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(fastact.silu.derivative(x, beta), t.grad.numpy(),
                                   rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(fastact.silu(x, 1.0), fastact.silu(x))


# ---- parameter rules, signatures ----------------------------------------------------------

@pytest.mark.parametrize("name, kwargs", [
    ("hardsigmoid", {"alpha": math.nan}), ("hardsigmoid", {"beta": math.inf}),
    ("selu", {"alpha": -math.inf}), ("selu", {"scale": math.nan}),
    ("silu", {"beta": math.inf}), ("silu", {"beta": 1e39}),
])
def test_bad_parameters_are_refused(name, kwargs):
    (p,) = kwargs
    x = np.ones(3, np.float32)
    with pytest.raises(ValueError, match=rf"^fastact\.{name}: {p}"):
        fastact.ACTIVATIONS[name](x, **kwargs)


def test_signatures_show_the_parameters():
    import inspect
    assert str(inspect.signature(fastact.hardsigmoid)) == \
        "(x, alpha=0.16666666666666666, beta=0.5, *, out=None)"
    assert str(inspect.signature(fastact.silu.derivative)) == "(x, beta=1.0, *, out=None)"
    assert list(inspect.signature(fastact.selu.backward_from_output).parameters) == \
        ["grad_output", "y", "alpha", "scale", "out"]


def test_registry_derives_the_general_kernels():
    for rec in GENERAL:
        k = _registry.KERNEL_BY_NAME[rec.general_kernel.kernel]
        assert k.params == tuple(p.name for p in rec.params)
        assert _registry.KERNEL_BY_NAME[rec.name].params == ()
        assert _registry.record_of_kernel(k.name) is rec
        assert rec.general_kernel.kernel in fastact.UFUNCS


@pytest.mark.parametrize("rec", GENERAL, ids=lambda r: r.name)
def test_default_and_general_calls_take_the_compiled_path(rec):
    # the defaults (left out, or given as Python floats) and non-default Python floats:
    # checked and run in C (_fastpath), no Python frame of fastact, as before the
    # parameters existed
    from test_small_calls import took_fast_path
    f = fastact.ACTIVATIONS[rec.name]
    x = np.linspace(-4, 4, 1000).astype(np.float32)
    d = [p.default for p in rec.params]
    other = [v * 1.5 + 0.25 for v in _values(rec)]
    for call in (lambda: f(x), lambda: f(x, *d), lambda: f.derivative(x, *other),
                 lambda: f.backward(x, x, **dict(zip([p.name for p in rec.params], other)))):
        assert took_fast_path(call)
