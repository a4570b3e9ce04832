"""float16 and bfloat16 through keras_relu, log1mexp, logsumexp and sparsemax: computed in
float32, returned in the input's dtype, within one ULP of the format of a float64
reference rounded to it (float64 closed forms and SciPy, not fastact)."""

import numpy as np
import pytest
import scipy.special

import fastact

ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)
FORMATS = [np.dtype(np.float16), BF16]
MANT = {np.dtype(np.float16): 10, BF16: 7}
EMIN = {np.dtype(np.float16): -14, BF16: -126}


def _ulp(r, dt):
    """The spacing of the 16-bit format at each (float64) reference value."""
    with np.errstate(all="ignore"):
        _, e = np.frexp(np.abs(r))
    return np.ldexp(1.0, np.maximum(e - 1, EMIN[dt]) - MANT[dt])


def _all_finite(dt):
    """Every finite value of the format (its 65536 bit patterns, NaN and inf left out)."""
    x = np.arange(2 ** 16, dtype=np.uint16).view(dt)
    with np.errstate(invalid="ignore"):         # signalling NaN patterns
        return x[np.isfinite(x.astype(np.float64))]


def _within_one_ulp(got, ref, dt, name, slack=0.0):
    """got (dtype dt) within one ULP of the format of the float64 reference (which it
    rounds twice: float32, then dt); the same non-finite values exactly; slack: an
    absolute allowance for float32's own error where a result cancels."""
    assert got.dtype == dt, name
    g = got.astype(np.float64)
    with np.errstate(all="ignore"):
        fin = np.isfinite(ref.astype(dt).astype(np.float64))     # in the format's range
        big = ~fin & ~np.isnan(ref)
    np.testing.assert_array_equal(g[big], np.sign(ref[big]) * np.inf, err_msg=name)
    assert np.array_equal(np.isnan(g), np.isnan(ref)), name
    with np.errstate(all="ignore"):
        err = np.abs(g[fin] - ref[fin]) - slack
    worst = np.max(err / _ulp(ref[fin], dt), initial=0.0)
    assert worst <= 1.0, (name, worst)


def _log1mexp64(x):
    with np.errstate(all="ignore"):
        r = np.where(x <= np.log(2), np.log(-np.expm1(-x)), np.log1p(-np.exp(-x)))
        return np.where(x < 0, np.nan, np.where(x == 0, -np.inf, r))


@pytest.mark.parametrize("dt", FORMATS, ids=str)
def test_log1mexp_every_value(dt):
    x = _all_finite(dt)
    x64 = x.astype(np.float64)
    with np.errstate(all="raise"):
        y = fastact.log1mexp(x)
        d = fastact.log1mexp.derivative(x)
        b = fastact.log1mexp.backward(np.asarray(-0.75, dt), x)
    _within_one_ulp(y, _log1mexp64(x64), dt, "forward")
    with np.errstate(all="ignore"):
        d64 = np.where(x64 < 0, np.nan, np.where(x64 == 0, np.inf,
                                                 np.exp(-x64) / -np.expm1(-x64)))
    _within_one_ulp(d, d64, dt, "derivative")
    _within_one_ulp(b, -0.75 * d64, dt, "backward")


@pytest.mark.parametrize("dt", FORMATS, ids=str)
def test_keras_relu_every_value(dt):
    x = _all_finite(dt)
    x64 = x.astype(np.float64)
    kw = dict(negative_slope=0.1, max_value=6.0, threshold=0.5)
    with np.errstate(all="raise"):
        y = fastact.keras_relu(x, **kw)
        b = fastact.keras_relu.backward(np.asarray(2.0, dt), x, **kw)
    ref = np.where(x64 >= 6, 6.0, np.where(x64 > 0.5, x64, 0.1 * (x64 - 0.5)))
    _within_one_ulp(y, ref, dt, "forward")
    _within_one_ulp(b, 2.0 * np.where((x64 > 0.5) & (x64 < 6), 1.0,
                                      np.where(x64 <= 0.5, 0.1, 0.0)), dt, "backward")


def _rows(dt, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((300, 24)) * rng.choice([0.1, 1, 4], (300, 1))).astype(dt)
    x[::7, 3] = -np.inf                                  # masked entries
    return x


def _sparsemax64(x):
    """float64 sparsemax by its definition (sorting), along the last axis."""
    z = np.sort(x, axis=-1)[..., ::-1]
    k = np.arange(1, x.shape[-1] + 1)
    with np.errstate(invalid="ignore"):
        cum = np.cumsum(np.where(np.isfinite(z), z, 0), axis=-1)
        support = (1 + k * z > cum) & np.isfinite(z)
    ks = support.sum(-1, keepdims=True)
    tau = (np.take_along_axis(cum, ks - 1, -1) - 1) / ks
    return np.maximum(x - tau, 0)


@pytest.mark.parametrize("dt", FORMATS, ids=str)
def test_logsumexp_rows(dt):
    x = _rows(dt)
    x64 = x.astype(np.float64)
    g = np.random.default_rng(1).standard_normal(300).astype(dt)
    with np.errstate(all="raise"):
        y = fastact.logsumexp(x, axis=-1)
        b = fastact.logsumexp.backward(g, x, axis=-1)
    ref = scipy.special.logsumexp(x64, axis=-1)
    m = np.max(x64, axis=-1)
    # float32's own error where m + log(sum) cancels: a few eps32 * (|m| + log n)
    _within_one_ulp(y, ref, dt, "forward", slack=4 * 2.0 ** -23 * (np.abs(m) + 4)[
        np.isfinite(ref)])
    p = scipy.special.softmax(x64, axis=-1)
    _within_one_ulp(b, g.astype(np.float64)[:, None] * p, dt, "backward",
                    slack=2.0 ** -20)
    assert fastact.logsumexp(x).dtype == dt                      # every element: a scalar


@pytest.mark.parametrize("dt", FORMATS, ids=str)
def test_sparsemax_rows(dt):
    x = _rows(dt, seed=2)
    x64 = x.astype(np.float64)
    g = np.random.default_rng(3).standard_normal(x.shape).astype(dt)
    with np.errstate(all="raise"):
        y = fastact.sparsemax(x)
        b = fastact.sparsemax.backward(g, x)
    ref = _sparsemax64(x64)
    _within_one_ulp(y, ref, dt, "forward", slack=2.0 ** -20)
    s = ref > 0
    g64 = g.astype(np.float64)
    mean = np.sum(np.where(s, g64, 0), -1, keepdims=True) / s.sum(-1, keepdims=True)
    _within_one_ulp(b, np.where(s, g64 - mean, 0.0), dt, "backward", slack=2.0 ** -18)
    bo = fastact.sparsemax.backward_from_output(g, y)
    assert bo.dtype == dt


def test_16bit_mixed_with_other_operands():
    """NumPy's promotion, as the activations' backwards: a 16-bit x with a float32
    grad_output is float32; a Python scalar grad_output does not promote float16."""
    h = np.array([0.5, 1.0, 2.0], np.float16)
    bf = h.astype(BF16)
    f32 = np.float32(1.5)
    for f in (fastact.log1mexp.backward, fastact.keras_relu.backward,
              fastact.sparsemax.backward, fastact.logsumexp.backward):
        g = f32 if f is not fastact.sparsemax.backward else np.full(3, f32)
        assert f(g, h).dtype == np.float32 and f(g, bf).dtype == np.float32, f
        assert f(2.0, h).dtype == np.float16, f
        assert f(2.0, bf).dtype == fastact.sigmoid.backward(2.0, bf).dtype, f
    assert fastact.logsumexp(h, b=np.float32(2)).dtype == np.float32


def test_python_scalar_grad_output_is_weak():
    """backward(2.0, float32 x) is float32, as every activation's backward (was float64:
    the scalar's float64 promoted the result)."""
    x = np.array([0.5, 1.0, 2.0], np.float32)
    assert fastact.sigmoid.backward(2.0, x).dtype == np.float32
    for f in (fastact.log1mexp.backward, fastact.log1mexp.backward_from_output,
              fastact.keras_relu.backward, fastact.sparsemax.backward,
              fastact.sparsemax.backward_from_output, fastact.logsumexp.backward):
        assert f(2.0, x).dtype == np.float32, f
