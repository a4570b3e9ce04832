"""NaN, infinities, saturation without warnings, the kink conventions, softmax's masked
and infinite rows.  Every call here runs with floating-point flags as errors."""

import math

import numpy as np
import pytest

import fastact
from conftest import (ACTS, ALL_FLOAT, AXIS, DTYPE_IDS, DTYPES, FROM_OUTPUT, TWO_DATA,
                      assert_close, cast_args, elementwise_method_cases, invoke, same_values,
                      strict_fp, variants)

FLOAT_IDS = ["float16", "float32", "float64"]
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _data(method, dtype, value, g=1.0):
    if method in TWO_DATA:
        return [np.array([g, g], dtype), np.array([value, 1.0], dtype)]
    return [np.array([value, 1.0], dtype)]


# ---- NaN --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method, args", elementwise_method_cases())
def test_nan_in_nan_out(name, method, args, dtype):
    f = ACTS[name]
    with strict_fp():
        out = invoke(f, method, _data(method, dtype, np.nan), args)
        assert np.isnan(out[0]) and not np.isnan(out[1]), out
        if method in TWO_DATA:
            # a NaN gradient gives NaN whatever the derivative (including 0)
            for v in (-5.0, 0.0, 0.5, 5.0, 10.0):
                out = invoke(f, method, [np.array([np.nan], dtype), np.array([v], dtype)], args)
                assert np.isnan(out[0]), (v, out)


def test_nan_in_prelu_grad_weight_and_rrelu_training():
    with strict_fp():
        _, gw = fastact.prelu.backward(np.ones(3), np.array([np.nan, 1.0, -1.0]), 0.25)
        assert np.isnan(gw)
        _, gw = fastact.prelu.backward(np.ones((2, 2)), np.array([[np.nan, 1.0], [-1.0, 2.0]]),
                                       np.array([0.1, 0.2]))
        assert np.isnan(gw[0]) and gw[1] == 0.0
        y, _ = fastact.rrelu(np.array([np.nan, -1.0]), training=True, rng=0)
        assert np.isnan(y[0]) and not np.isnan(y[1])


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name", AXIS)
def test_axis_nan_row_is_all_nan(name, dtype):
    f = ACTS[name]
    x = np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0], [np.nan, -np.inf, np.inf]], dtype)
    with strict_fp():
        y = f(x)
        yt = f(x.T, axis=0)
    assert np.isnan(y[0]).all() and np.isnan(y[2]).all()
    assert not np.isnan(y[1]).any()
    assert same_values(yt, y.T)
    # backward_from_output: a NaN in g or y gives NaN at least where it sits; backward: a
    # NaN in g likewise, a NaN in x makes the row's forward, so its gradient, all NaN
    good = f(x[1:2])
    with strict_fp():
        b1 = f.backward_from_output(np.array([[np.nan, 1.0, 1.0]], dtype), good)
        b2 = f.backward_from_output(np.array([[1.0, 2.0, 3.0]], dtype),
                                    np.array([[0.5, np.nan, 0.5]], dtype))
        b3 = f.backward(np.array([[np.nan, 1.0, 1.0]], dtype), x[1:2])
        b4 = f.backward(np.ones((3, 3), dtype), x)
    assert np.isnan(b1[0, 0]) and np.isnan(b2[0, 1]) and np.isnan(b3[0, 0])
    assert np.isnan(b4[0]).all() and np.isnan(b4[2]).all() and not np.isnan(b4[1]).any()


# ---- infinities ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method, args", elementwise_method_cases(
    include=("__call__", "derivative", "backward")))
def test_infinities_match_reference_limits(name, method, args, dtype):
    """f(+-inf), f'(+-inf) and g * f'(+-inf) (finite g) are the reference's limits, exactly,
    without any warning."""
    f = ACTS[name]
    x = np.array([np.inf, -np.inf], dtype)
    cargs = cast_args(args, dtype)
    data = [np.array([-1.5, 2.0], dtype), x] if method in TWO_DATA else [x]
    with strict_fp():
        got = invoke(f, method, data, args)
    exp = [getattr(f.reference, method)(*[float(d[i]) for d in data], *cargs) for i in range(2)]
    exp = np.array(exp).astype(dtype)
    assert same_values(got, exp), (got, exp)


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, args", [p for n in FROM_OUTPUT for p in
                                        [pytest.param(n, a, id=f"{n}-{lbl}")
                                         for lbl, a in variants(n)]])
def test_from_output_at_saturated_outputs(name, args, dtype):
    """derivative_from_output(f(+-inf)) == derivative(+-inf): the limits survive the
    round trip through y (tanh(+-inf) = +-1 -> 0, elu(-inf) = -alpha -> 0, ...), up to the
    rounding of y itself (selu(-inf) = -scale*alpha is rounded to the dtype, so
    y + scale*alpha is off by about eps*|y|, as documented)."""
    f = ACTS[name]
    x = np.array([np.inf, -np.inf], dtype)
    with strict_fp():
        y = f(x, *args)
        got = f.derivative_from_output(y, *args)
        exp = f.derivative(x, *args)
    tol = 2 * float(np.finfo(dtype).eps) * np.maximum(1.0, np.abs(y.astype(float)))
    g, e = got.astype(float), exp.astype(float)
    with np.errstate(invalid="ignore"):          # an unbounded f': inf at an infinite x
        close = (g == e) | (np.abs(g - e) <= tol)
    close |= np.isnan(g) & np.isnan(e)          # outside the domain (log1mexp's x < 0)
    assert close.all(), (y, got, exp)


# The spec's named limits, written out by hand as an independent check of the kernels and
# of the records' `limits` (which the registry-driven tests use for every activation): a
# new activation needs no entry here.
LIMITS = [  # (name, args, x, f(x))
    ("sigmoid", (), -np.inf, 0.0), ("sigmoid", (), np.inf, 1.0),
    ("tanh", (), np.inf, 1.0), ("tanh", (), -np.inf, -1.0),
    ("silu", (), -np.inf, 0.0), ("silu", (), np.inf, np.inf),
    ("gelu", ("none",), -np.inf, 0.0), ("gelu", ("tanh",), -np.inf, 0.0),
    ("gelu", ("none",), np.inf, np.inf), ("gelu", ("tanh",), np.inf, np.inf),
    ("mish", (), -np.inf, 0.0), ("mish", (), np.inf, np.inf),
    ("softsign", (), np.inf, 1.0), ("softsign", (), -np.inf, -1.0),
    ("elu", (), -np.inf, -1.0), ("elu", (0.5,), -np.inf, -0.5), ("elu", (2.0,), -np.inf, -2.0),
    ("celu", (), -np.inf, -1.0), ("celu", (0.5,), -np.inf, -0.5),
    ("selu", (), -np.inf, -SELU_SCALE * SELU_ALPHA),
    ("log_sigmoid", (), -np.inf, -np.inf), ("log_sigmoid", (), np.inf, 0.0),
    ("softplus", (), -np.inf, 0.0), ("softplus", (), np.inf, np.inf),
    ("relu", (), -np.inf, 0.0), ("relu6", (), np.inf, 6.0), ("relu6", (), -np.inf, 0.0),
    ("hardtanh", (), np.inf, 1.0), ("hardtanh", (-2.0, 3.0), -np.inf, -2.0),
    ("hardsigmoid", (), np.inf, 1.0), ("hardsigmoid", (), -np.inf, 0.0),
    ("hardswish", (), -np.inf, 0.0), ("hardswish", (), np.inf, np.inf),
    ("leaky_relu", (), -np.inf, -np.inf), ("leaky_relu", (0.0,), -np.inf, 0.0),
    ("linear", (), -np.inf, -np.inf),
]


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, args, x, y", LIMITS)
def test_named_limits(name, args, x, y, dtype):
    with strict_fp():
        got = ACTS[name](dtype(x), *args)
    assert got == dtype(y) or (math.isclose(float(got), y, rel_tol=float(np.finfo(dtype).eps)))


DERIVATIVE_LIMITS = [  # (name, args, x, f'(x))
    ("sigmoid", (), np.inf, 0.0), ("sigmoid", (), -np.inf, 0.0),
    ("tanh", (), np.inf, 0.0), ("tanh", (), -np.inf, 0.0),
    ("silu", (), np.inf, 1.0), ("silu", (), -np.inf, 0.0),
    ("gelu", ("none",), np.inf, 1.0), ("gelu", ("none",), -np.inf, 0.0),
    ("gelu", ("tanh",), np.inf, 1.0), ("gelu", ("tanh",), -np.inf, 0.0),
    ("mish", (), np.inf, 1.0), ("mish", (), -np.inf, 0.0),
    ("softplus", (), np.inf, 1.0), ("softplus", (), -np.inf, 0.0),
    ("log_sigmoid", (), -np.inf, 1.0), ("log_sigmoid", (), np.inf, 0.0),
    ("softsign", (), np.inf, 0.0), ("softsign", (), -np.inf, 0.0),
    ("elu", (), -np.inf, 0.0), ("selu", (), -np.inf, 0.0), ("celu", (), -np.inf, 0.0),
    ("relu", (), np.inf, 1.0), ("leaky_relu", (), -np.inf, 0.01),
    ("hardswish", (), -np.inf, 0.0), ("hardswish", (), np.inf, 1.0),
    ("linear", (), np.inf, 1.0),
]


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, args, x, d", DERIVATIVE_LIMITS)
def test_named_derivative_limits(name, args, x, d, dtype):
    with strict_fp():
        got = ACTS[name].derivative(dtype(x), *args)
    assert got == dtype(d)


def _inf_grad_cases():
    cases = []
    for p in elementwise_method_cases(include=TWO_DATA):
        name, method, args = p.values
        cases.append(pytest.param(name, method, args, id=p.id))
    return cases


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method, args", _inf_grad_cases())
def test_infinite_or_zero_grad_output_without_warnings(name, method, args, dtype):
    """g = +-inf times f' (0 where f' is 0: NaN, silently, as PyTorch), and g = 0 at
    x = +-inf: the reference's values (Python float arithmetic), no floating-point flag."""
    f = ACTS[name]
    xs = [-np.inf, -4.0, -1.0, 0.0, 0.5, 3.0, 8.0, np.inf]
    if method == "backward_from_output":
        xs = [float(v) for v in f(np.array(xs), *args)]
    cargs = cast_args(args, dtype)
    for g in (np.inf, -np.inf, 0.0):
        gg = np.full(len(xs), g, dtype)
        x = np.array(xs, dtype)
        with strict_fp():
            got = invoke(f, method, [gg, x], args)
        exp = np.array([getattr(f.reference, method)(float(g), float(v), *cargs)
                        for v in x]).astype(dtype)
        assert same_values(got, exp), (g, x, got, exp)


# ---- saturation: large finite inputs, no warnings ----------------------------------------

SATURATION = {np.float32: [88.0, 89.0, 100.0, 104.0, 1e4, 1e30, 1e38],
              np.float64: [709.0, 710.0, 745.0, 746.0, 750.0, 1e4, 1e30, 1e300]}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method, args", elementwise_method_cases(
    include=("__call__", "derivative", "backward")))
def test_saturation_without_warnings(name, method, args, dtype):
    """Near and past the points where exp over/underflows (88/89 for float32, 709/710 and
    745/746 for float64) every form is finite (or the reference's infinity), agrees with
    the reference, and raises no floating-point flag."""
    f = ACTS[name]
    mags = SATURATION[dtype]
    x = np.array(mags + [-m for m in mags], dtype)
    data = [np.full(x.shape, 0.75, dtype), x] if method in TWO_DATA else [x]
    with strict_fp():
        got = invoke(f, method, data, args)
    cargs = cast_args(args, dtype)
    exp = [getattr(f.reference, method)(*[float(d[i]) for d in data], *cargs)
           for i in range(x.size)]
    if method == "backward":
        # g times f' rounded (docs/guide/backward.md): inf where f' overflows the dtype
        d = np.array([f.reference.derivative(float(v), *cargs) for v in x])
        with np.errstate(over="ignore", invalid="ignore"):
            d_r = d.astype(dtype).astype(np.float64)
            exp = np.where(np.isinf(d_r) & np.isfinite(d), 0.75 * d_r, exp)
    # NaN only where the reference is (outside a domain: logit's [0, 1])
    assert (np.isnan(got) == np.isnan(np.array(exp, dtype=float))).all()
    assert_close(got, exp, dtype, np.abs(exp) + np.abs(x.astype(float)) * 1e-300, x=x,
                 what=f"{name}.{method} saturation")


def test_saturation_named_values():
    with strict_fp():
        assert fastact.sigmoid(1000.0) == 1.0 and fastact.sigmoid(-1000.0) == 0.0
        assert fastact.sigmoid(np.float32(89)) == 1 and fastact.sigmoid(np.float32(-89)) > 0
        assert fastact.sigmoid(np.float32(-104)) == 0
        assert fastact.softplus(1e4) == 1e4 and fastact.softplus(-1e4) == 0.0
        assert fastact.log_sigmoid(-1e4) == -1e4 and fastact.log_sigmoid(1e4) == 0.0
        assert fastact.tanh.derivative(1000.0) == 0.0 and fastact.sigmoid.derivative(-1000.0) == 0
        assert fastact.silu(-1000.0) == 0.0 and fastact.silu.derivative(-1000.0) == 0.0
        assert fastact.mish(1e4) == 1e4 and fastact.gelu(1e4, "tanh") == 1e4
        assert fastact.softmax(np.array([1e308, 1e308])).tolist() == [0.5, 0.5]
        assert fastact.softmax(np.array([-1e308, -1e308])).tolist() == [0.5, 0.5]
        assert fastact.softmax(np.array([1e308, 0.0])).tolist() == [1.0, 0.0]
        np.testing.assert_allclose(fastact.log_softmax(np.array([1e308, 1e308])),
                                   [-math.log(2)] * 2, rtol=1e-15)
        assert fastact.softmax(np.array([3e38, 3e38], np.float32)).tolist() == [0.5, 0.5]


# Internal overflow on huge finite input whose result is finite: the package promises no
# warning for any finite input.  (name, args, method, x) -> these raise an overflow flag.
def _huge_cases():
    cases = []
    for p in elementwise_method_cases(include=("__call__", "derivative", "backward")):
        name, method, args = p.values
        cases.append(pytest.param(name, method, args, id=p.id))
    return cases


@pytest.mark.parametrize("name, method, args", _huge_cases())
def test_huge_finite_float64_without_warnings(name, method, args):
    """x = +-1e300, +-1e308, +-max: wherever the true result is finite it comes out
    without a floating-point flag (an overflowing result, selu(max), may warn)."""
    f = ACTS[name]
    huge = [1e300, 1e308, float(np.finfo(np.float64).max)]
    for v in huge + [-h for h in huge]:
        data = [1.0, v] if method in TWO_DATA else [v]
        exp = getattr(f.reference, method)(*data, *args)
        if not math.isfinite(exp):
            continue
        with strict_fp():
            got = invoke(f, method, [np.float64(d) for d in data], args)
        assert got == pytest.approx(exp, rel=4e-16, abs=0), (v, got, exp)


# ---- the kink conventions (PyTorch's) ------------------------------------------------------

# (name, args, x, f'(x)): the documented values at the kinks, from each record
KINK_DERIVATIVES = [(name, args, x, d) for name, f in ACTS.items()
                    for args, x, d in f.info.derivatives_at_kinks]


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, args, x, d", KINK_DERIVATIVES)
def test_kink_derivatives(name, args, x, d, dtype):
    f = ACTS[name]
    pdt = np.float32 if dtype == np.float16 else dtype
    exp = dtype(pdt(d)) if f.params else dtype(d)     # a parameter is cast first
    with strict_fp():
        got = f.derivative(dtype(x), *args)
        assert got == exp, (got, exp)
        # backward takes the same branch
        assert invoke(f, "backward", [dtype(2), dtype(x)], args) == dtype(2 * float(exp))
        if f.has_from_output:
            assert f.derivative_from_output(f(dtype(x), *args), *args) == exp


def test_hardsigmoid_hardswish_derivative_branches():
    """The branches right at and next to +-3; inside, x/3 + 1/2 to within 1 ulp of the
    exact value (Fraction arithmetic, correctly rounded)."""
    from fractions import Fraction
    x = np.array([-3.5, np.nextafter(-3.0, -4), -3.0, np.nextafter(-3.0, 0), 0.0,
                  np.nextafter(3.0, 0), 3.0, np.nextafter(3.0, 4), 3.5])
    hs = fastact.hardsigmoid.derivative(x)
    np.testing.assert_array_equal(hs, [0, 0, 0, 1 / 6, 1 / 6, 1 / 6, 0, 0, 0])
    hw = fastact.hardswish.derivative(x)
    exact = [float(Fraction(float(v)) / 3 + Fraction(1, 2)) for v in x]
    np.testing.assert_array_equal(hw[[0, 1, 2, 4, 6, 7, 8]], [0, 0, 0, 0.5, 1, 1, 1])
    for i in (3, 5):
        assert abs(hw[i] - exact[i]) <= np.spacing(abs(exact[i])), (x[i], hw[i], exact[i])


def test_kink_values_of_the_forwards():
    with strict_fp():
        assert fastact.relu(0.0) == 0 and fastact.relu6(6.0) == 6 and fastact.relu6(7.0) == 6
        assert fastact.hardsigmoid(-3.0) == 0 and fastact.hardsigmoid(3.0) == 1
        assert fastact.hardsigmoid(0.0) == 0.5
        assert fastact.hardswish(-3.0) == 0 and fastact.hardswish(3.0) == 3
        assert fastact.hardswish(-1.5) == -0.375
        assert fastact.hardtanh(np.array([-2.0, -1.0, 1.0, 2.0])).tolist() == [-1, -1, 1, 1]
        assert fastact.softplus(25.0) == 25.0   # identity past the threshold (PyTorch)
        # beta * x == threshold still takes the log1p form; past it the identity
        assert fastact.softplus(5.0, 2.0, 10.0) == pytest.approx(math.log1p(math.exp(10)) / 2,
                                                                 rel=1e-15)
        assert fastact.softplus(5.5, 2.0, 10.0) == 5.5


# ---- softmax: masked and infinite rows -------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
def test_softmax_masked_and_infinite_rows(dtype):
    x = np.array([[-np.inf, -np.inf, -np.inf, -np.inf],     # fully masked
                  [np.inf, 1.0, np.inf, -np.inf],           # two +inf
                  [1.0, -np.inf, np.inf, 5.0],              # one +inf
                  [np.inf, np.inf, np.inf, np.inf],         # all +inf
                  [0.0, -np.inf, -np.inf, 0.0]], dtype)     # partly masked
    with strict_fp():
        s = fastact.softmax(x)
        ls = fastact.log_softmax(x)
        st = fastact.softmax(x.T, axis=0)
    exp_s = np.array([[0, 0, 0, 0], [0.5, 0, 0.5, 0], [0, 0, 1, 0], [0.25] * 4,
                      [0.5, 0, 0, 0.5]], dtype)
    np.testing.assert_array_equal(s, exp_s)
    np.testing.assert_array_equal(st, exp_s.T)
    l2, l4 = dtype(-math.log(2)), dtype(-math.log(4))
    ninf = -np.inf
    exp_ls = np.array([[ninf] * 4, [l2, ninf, l2, ninf], [ninf, ninf, 0, ninf], [l4] * 4,
                       [l2, ninf, ninf, l2]], dtype)
    np.testing.assert_array_equal(ls, exp_ls)
    for row in x:
        ref_s = np.array(fastact.softmax.reference([float(v) for v in row])).astype(dtype)
        ref_l = np.array(fastact.log_softmax.reference([float(v) for v in row])).astype(dtype)
        assert same_values(fastact.softmax(row), ref_s)
        assert same_values(fastact.log_softmax(row), ref_l)


def test_softmax_backward_on_masked_rows_is_finite():
    g = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, 0.5]])
    x = np.array([[-np.inf] * 3, [0.0, -np.inf, 1.0]])
    with strict_fp():
        y = fastact.softmax(x)
        ly = fastact.log_softmax(x)
        pairs = [(fastact.softmax.backward_from_output(g, y),
                  fastact.log_softmax.backward_from_output(g, ly)),
                 (fastact.softmax.backward(g, x), fastact.log_softmax.backward(g, x))]
    for b, lb in pairs:
        np.testing.assert_array_equal(b[0], [0.0, 0.0, 0.0])
        assert np.isfinite(b).all() and np.isfinite(lb).all()
        np.testing.assert_array_equal(lb[0], g[0])   # exp(-inf) = 0: nothing flows back
        assert b[1, 1] == 0.0


def test_softmax_huge_spread_without_warning():
    with strict_fp():
        y = fastact.softmax(np.array([1e308, -1e308]))
    assert y.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name", AXIS)
def test_axis_empty_and_single(name, dtype):
    f = ACTS[name]
    with strict_fp():
        assert f(np.empty((0, 3), dtype)).shape == (0, 3)
        assert f(np.empty((3, 0), dtype)).shape == (3, 0)
        one = f(np.array([[7.0], [-np.inf]], dtype))
    want = [f.reference([7.0]), f.reference([-np.inf])]
    np.testing.assert_array_equal(one, np.array(want, dtype))
