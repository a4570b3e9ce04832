"""Kernels against the pure-Python reference (fastact.reference), both dtypes.

Tolerance rule: see conftest.assert_close (k * eps64 * (|e| + condition term), plus one
float32 ulp for the float32 kernels, which compute in double and round once).  float32
inputs are compared with np.float32(reference(float(np.float32(x)))) with the parameters
cast to float32 too, as the kernels cast them.
"""

import math

import mpmath
import numpy as np
import pytest

import fastact
from conftest import (ACTS, AXIS, DTYPE_IDS, DTYPES, EPS64, assert_close, assert_ulps,
                      cast_args, condition_term, elementwise_method_cases, gradients, invoke,
                      native_window_atol, points)

K = 4   # eps units


def _expected(f, method, data_cols, args):
    """Reference values and scales (|e| + c) for each point; data_cols: list of arrays
    (grad_output first for the backward forms)."""
    ref_m = getattr(f.reference, method)
    exp, scale = [], []
    for vals in zip(*data_cols):
        vals = [float(v) for v in vals]
        e = ref_m(*vals, *args)
        if method in ("backward", "backward_from_output"):
            g, x = vals
            d_m = getattr(f.reference, "derivative" if method == "backward"
                          else "derivative_from_output")
            d = d_m(x, *args)
            c = condition_term(lambda t: d_m(t, *args), x)
            s = abs(g) * (abs(d) + c)
        else:
            x = vals[0]
            c = condition_term(lambda t: ref_m(t, *args), x)
            s = abs(e) + c
        exp.append(e)
        scale.append(s)
    return exp, scale


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method, args", elementwise_method_cases())
def test_elementwise_matches_reference(name, method, args, dtype):
    f = ACTS[name]
    cargs = cast_args(args, dtype)
    x = points(dtype, cargs)
    if method in ("derivative_from_output", "backward_from_output"):
        # The from-output forms on the outputs of the forward (the kernel's, in dtype):
        # what a user passes.  The reference gets the same y.
        data0 = f(x, *args)
    else:
        data0 = x
    if method in ("backward", "backward_from_output"):
        g = gradients(x.size, dtype)
        cols = [g, data0]
    else:
        cols = [data0]
    got = invoke(f, method, cols, args)
    assert got.dtype == dtype
    assert got.shape == x.shape
    exp, scale = _expected(f, method, cols, cargs)
    if method == "backward":
        # g times f' rounded to the dtype (docs/guide/backward.md): inf where f' itself
        # overflows it (exponential's e^x past 88.72 in float32), even if g f' would not
        d = np.array([f.reference.derivative(float(v), *cargs) for v in data0])
        with np.errstate(over="ignore", invalid="ignore"):
            d_r = d.astype(dtype).astype(np.float64)
            over = np.isinf(d_r) & np.isfinite(d)
            exp = np.where(over, cols[0].astype(np.float64) * d_r, exp)
    ulps, atol = _float32_native_tol(f, method, dtype, args, x, cols[0])
    assert_close(got, exp, dtype, scale, x=data0, k=K, ulps=ulps, atol=atol,
                 what=f"{name}.{method}{args} {dtype.__name__}")


def _float32_native_kernel(f, args):
    """The C kernel behind f with these arguments (gelu's 'tanh' form is gelu_tanh)."""
    kernel = f.info.kernel
    if f.info.kind == "gelu" and args and args[0] == "tanh":
        return "gelu_tanh"
    return kernel


def _float32_native_tol(f, method, dtype, args, x, g):
    """float32-native kernels (computed in float, not rounded from double) may use their
    registry bounds: the ULP bound, and for the derivative forms within each window
    around a zero of f' the absolute bound abs_eps * eps32 * max|f'| (times |g| for the
    backward), as the accuracy tool measures them.  The others must be within 1 ULP
    (None: the default) with no absolute allowance."""
    kernel = _float32_native_kernel(f, args)
    if dtype != np.float32 or kernel not in fastact._registry.FLOAT32_IN_FLOAT:
        return None, 0.0
    bounds = fastact._registry.ACCURACY[kernel]
    if method == "__call__":
        return bounds.forward, 0.0
    ulps = bounds.backward if "backward" in method else bounds.derivative
    atol = native_window_atol(kernel, x, dtype)
    if "backward" in method:
        atol = atol * np.abs(np.asarray(g, dtype=np.float64))
    return ulps, atol


# ---- softmax and log_softmax rows -----------------------------------------------------

def _rows(dtype, rng):
    """Rows to test softmax with: random at several scales, ties, one huge spread, a
    constant row, rows with -inf entries (masked), a single element."""
    rows = []
    for scale in (1.0, 10.0, 100.0, 1e3):
        rows += [list(rng.standard_normal(7) * scale) for _ in range(3)]
    rows.append([0.0] * 6)
    rows.append([1.0, 1.0, 2.0, 2.0, -5.0])
    rows.append([3.0, -np.inf, 0.5, -np.inf])
    rows.append([40.0, 0.0, -40.0, 80.0])
    rows.append([88.0, 89.0, -89.0])
    rows.append([2.5])
    return [np.array(r).astype(dtype) for r in rows]


def _row_scale(name, row, ref):
    """Per-element error scale for one row, in double: softmax y_i carries a relative error
    ~ (n + |x_i - max|) eps (the exponent's rounding, the sum); log_softmax an absolute
    one ~ (1 + |x_i - max| + log n) eps.  Which of the two, and whether the row's max or
    min sets the scale (softmin), the record's AxisAccuracy says."""
    acc = ACTS[name].info.accuracy
    m = max((acc.sign * v for v in row if math.isfinite(v)), default=0.0)
    n = len(row)
    out = []
    for v, e in zip(row, ref):
        d = abs(acc.sign * v - m) if math.isfinite(v) else 0.0
        if acc.forward_unit == "ulp":
            out.append(abs(e) * (n + d))
        else:
            out.append(1.0 + d + math.log(n) + abs(e))
    return out


@pytest.mark.parametrize("dtype", [np.float16] + DTYPES, ids=["float16"] + DTYPE_IDS)
@pytest.mark.parametrize("name", AXIS)
def test_axis_rows_match_reference(name, dtype):
    """float64 within a few eps (scaled per element, see _row_scale); float32 within 2 ulps
    (the exponentials are stored in float32 before the division: two roundings); float16
    (computed in float32) within 1 float16 ulp."""
    f = ACTS[name]
    rng = np.random.default_rng(11)
    for row in _rows(dtype, rng):
        got = f(row)
        assert got.dtype == dtype and got.shape == row.shape
        ref = f.reference([float(v) for v in row])
        if dtype == np.float64:
            scale = _row_scale(name, [float(v) for v in row], ref)
            assert_close(got, ref, dtype, scale, x=row, k=K, what=f"{name} row {row}")
        else:
            assert_ulps(got, np.array(ref).astype(dtype), 2 if dtype == np.float32 else 1,
                        what=f"{name} {dtype.__name__} row {row}")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
@pytest.mark.parametrize("name", AXIS)
def test_axis_on_every_axis_matches_reference(name, axis, dtype):
    f = ACTS[name]
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((3, 4, 5)) * 5).astype(dtype)
    got = f(x, axis=axis)
    assert got.shape == x.shape and got.dtype == dtype
    moved = np.moveaxis(x, axis, -1)
    ref = np.array([f.reference([float(v) for v in r])
                    for r in moved.reshape(-1, moved.shape[-1])]).reshape(moved.shape)
    ref = np.moveaxis(ref, -1, axis)
    scale = np.zeros_like(ref)
    sm = np.moveaxis(scale, axis, -1)
    for idx in np.ndindex(moved.shape[:-1]):
        row = [float(v) for v in moved[idx]]
        sm[idx] = _row_scale(name, row, list(np.moveaxis(ref, axis, -1)[idx]))
    if dtype == np.float64:
        assert_close(got, ref, dtype, scale, k=K, what=f"{name} axis={axis}")
    else:   # two roundings in float32 (see test_axis_rows_match_reference)
        assert_ulps(got, ref.astype(dtype), 2, what=f"{name} axis={axis}")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", AXIS)
def test_axis_backward_matches_reference(name, dtype):
    f = ACTS[name]
    rng = np.random.default_rng(5)
    for scale in (1.0, 10.0):
        x = (rng.standard_normal((6, 5)) * scale).astype(dtype)
        y = f(x)
        g = rng.standard_normal(x.shape).astype(dtype)
        got = f.backward_from_output(g, y)
        assert got.dtype == dtype
        exp = np.array([f.reference.backward_from_output([float(a) for a in gr],
                                                         [float(b) for b in yr])
                        for gr, yr in zip(g, y)])
        # absolute error scale: the magnitude of the terms (softmax y*(g - <g,y>):
        # |y| (|g| + sum|g y|); log_softmax g - exp(y) sum(g): |g| + exp(y) sum|g| ...)
        s = np.array([f.info.backward_scale(gr, yr) for gr, yr in
                      zip(g.astype(np.float64), y.astype(np.float64))])
        assert_close(got, exp, dtype, s * x.shape[-1], k=K, what=f"{name}.backward")


# ---- independent cross-checks: mpmath, and scipy when it is installed ---------------

mpmath.mp.prec = 120


def _gelu_mp(x):
    x = mpmath.mpf(x)
    return x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def _gelu_tanh_mp(x):
    x = mpmath.mpf(x)
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf(0.044715) * x ** 3)
    return x / (1 + mpmath.exp(-2 * u))


@pytest.mark.parametrize("approximate, truth", [("none", _gelu_mp), ("tanh", _gelu_tanh_mp)])
def test_gelu_left_tail_within_conditioning_of_mpmath(approximate, truth):
    """The documented ill-conditioned region: for x << 0 GELU's value depends on x through
    exp(-x^2/2) (or exp(-2u), u ~ x^3), so rounding x/sqrt(2) (or u) costs about
    x * f'(x) / f(x) ulps in any double implementation.  The kernel must stay within a
    few times that of the true value (mpmath, 120 bits)."""
    xs = -np.concatenate([np.linspace(0.5, 37.0, 75), [5.5, 10.25, 18.0, 25.0, 30.0]])
    got = fastact.gelu(xs, approximate)
    exp = [float(truth(v)) for v in xs]
    fwd = lambda t: float(truth(t))
    scale = [abs(e) + condition_term(fwd, float(v)) for v, e in zip(xs, exp)]
    assert_close(got, exp, np.float64, scale, x=xs, k=K, what=f"gelu({approximate}) tail")


@pytest.mark.parametrize("x", [-3.0, -1.0, -0.5, 0.3, 1.0, 2.5, 6.0])
def test_smooth_functions_against_mpmath(x):
    """Smooth functions against closed forms evaluated in mpmath (independent of the
    reference): relative error a few eps."""
    mx = mpmath.mpf(x)
    sig = 1 / (1 + mpmath.exp(-mx))
    sp = mpmath.log(1 + mpmath.exp(mx))
    truth = {
        "silu": mx * sig,
        "mish": mx * mpmath.tanh(sp),
        "softplus": sp,
        "log_sigmoid": mpmath.log(sig),
        "sigmoid": sig,
        "tanh": mpmath.tanh(mx),
        "elu": mpmath.expm1(mx) if x <= 0 else mx,
        "softsign": mx / (1 + abs(mx)),
    }
    for name, t in truth.items():
        got = float(ACTS[name](x))
        assert abs(got - float(t)) <= 4 * EPS64 * abs(float(t)), (name, x, got, float(t))


def test_scipy_cross_check():
    """Optional cross-check with SciPy's special functions."""
    special = pytest.importorskip("scipy.special")
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(fastact.sigmoid(x), special.expit(x), rtol=8 * EPS64, atol=0)
    np.testing.assert_allclose(fastact.log_sigmoid(x), special.log_expit(x), rtol=8 * EPS64,
                               atol=1e-300)
    np.testing.assert_allclose(fastact.gelu(x[x > -5]), x[x > -5] * special.ndtr(x[x > -5]),
                               rtol=64 * EPS64, atol=1e-300)
    rows = np.random.default_rng(0).standard_normal((4, 9)) * 3
    np.testing.assert_allclose(fastact.softmax(rows, axis=0), special.softmax(rows, axis=0),
                               rtol=16 * EPS64)
    np.testing.assert_allclose(fastact.log_softmax(rows), special.log_softmax(rows, axis=-1),
                               rtol=16 * EPS64, atol=16 * EPS64)


def test_reference_softsign_derivative_far_tail():
    for x in (1e150, 1e152, 1e154):
        truth = float(1 / (1 + mpmath.mpf(x)) ** 2)
        assert float(fastact.softsign.derivative(x)) == pytest.approx(truth, rel=1e-15, abs=0)
        assert fastact.softsign.reference.derivative(x) == pytest.approx(truth, rel=1e-15, abs=0)


@pytest.mark.parametrize("beta", [0.7, 3.0, 0.1])
def test_softplus_float32_left_tail_with_any_beta(beta):
    """float32 softplus computes beta * x in float; its rounding error, |beta x| / 2 ULP
    in the left tail where the result is e^(beta x), must be carried (every beta, not
    only the default 1 and powers of two).  Against mpmath, within the registry bound."""
    b = np.float32(beta)
    bd = float(b)
    x = np.linspace(-125.0 / bd, 0.0, 600).astype(np.float32)
    bound = fastact._registry.ACCURACY["softplus"]
    for method, n_ulps in (("__call__", bound.forward), ("derivative", bound.derivative)):
        got = invoke(fastact.softplus, method, [x], [b])
        want = []
        for v in x:
            z = mpmath.mpf(bd) * mpmath.mpf(float(v))
            want.append(float(mpmath.log1p(mpmath.exp(z)) / bd) if method == "__call__"
                        else float(1 / (1 + mpmath.exp(-z))))
        assert_ulps(got, np.array(want).astype(np.float32), n_ulps,
                    what=f"softplus.{method} float32 beta={beta}",
                    floor=float(np.finfo(np.float32).smallest_subnormal))
