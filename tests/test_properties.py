"""Properties (hypothesis): ranges, monotonicity, symmetries, softmax rows, GELU's dip."""

import math

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastact
from conftest import (ACTS, AXIS, DTYPE_IDS, DTYPES, MONOTONIC, eps, in_domain, kink_points,
                      variants)

floats64 = st.floats(allow_nan=False, allow_infinity=True, width=64)
floats32 = st.floats(allow_nan=False, allow_infinity=True, width=32)
finite64 = st.floats(allow_nan=False, allow_infinity=False, width=64)
moderate = st.floats(min_value=-50, max_value=50, allow_nan=False)


def _floats(dtype):
    return floats32 if dtype == np.float32 else floats64


def _arrays(dtype, elements=None, max_side=40):
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=2, max_side=max_side),
                      elements=elements if elements is not None else _floats(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_sigmoid_in_unit_interval(dtype):
    @given(_arrays(dtype))
    @example(np.array([-np.inf, -1000, -89, 0, 89, 1000, np.inf], dtype))
    def check(x):
        y = fastact.sigmoid(x)
        assert ((y >= 0) & (y <= 1)).all()
        d = fastact.sigmoid.derivative(x)
        assert ((d >= 0) & (d <= 0.25)).all()
    check()


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_tanh_in_closed_unit_interval_and_odd(dtype):
    @given(_arrays(dtype))
    @example(np.array([-np.inf, -20, -0.0, 0.0, 1e-40, 20, np.inf], dtype))
    def check(x):
        y = fastact.tanh(x)
        assert ((y >= -1) & (y <= 1)).all()
        assert np.array_equal(fastact.tanh(-x), -y)          # odd, exactly
        # (|x| > 8.9e307 hits the overflow bug pinned in test_special_values)
        xm = x[~(np.abs(x.astype(np.float64)) > 1e300) | np.isinf(x)]
        assert np.array_equal(fastact.tanh.derivative(-xm), fastact.tanh.derivative(xm))
    check()


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_sigmoid_symmetry(dtype):
    """sigmoid(-x) = 1 - sigmoid(x): 1 - s(x) is exact for s in [1/2, 1] and rounds once
    otherwise, so the two agree within 2 eps (absolute) and the derivative is even."""
    @given(_arrays(dtype))
    def check(x):
        lhs = fastact.sigmoid(-x).astype(np.float64)
        rhs = 1.0 - fastact.sigmoid(x).astype(np.float64)
        assert (np.abs(lhs - rhs) <= 2 * eps(dtype)).all()
        assert np.array_equal(fastact.sigmoid.derivative(-x), fastact.sigmoid.derivative(x))
        # log_sigmoid(x) - log_sigmoid(-x) = x
        ls = fastact.log_sigmoid(x.astype(np.float64))
        lsn = fastact.log_sigmoid(-x.astype(np.float64))
        fin = np.isfinite(x) & (np.abs(x) < 1e15)
        assert np.allclose((ls - lsn)[fin], x[fin], rtol=4 * eps(np.float64), atol=8e-16)
    check()


def _nondecreasing(f, args, a, b, dtype):
    """f(a) <= f(b) for a <= b, up to a few eps of rounding."""
    fa = np.asarray(f(a, *args), np.float64)
    fb = np.asarray(f(b, *args), np.float64)
    tol = 4 * eps(dtype) * np.maximum(np.abs(fa), np.abs(fb))
    with np.errstate(over="ignore", invalid="ignore"):   # fb + tol: inf, or -inf + inf
        return (fa <= fb + tol) | (fa == fb) | (np.isnan(fa) & np.isnan(fb))


_mono_cases = [pytest.param(n, args, id=f"{n}-{label}")
               for n in MONOTONIC for label, args in variants(n)]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, args", _mono_cases)
def test_monotonic_hypothesis(name, args, dtype):
    """Entries with info.monotonic are non-decreasing (hypothesis on random pairs)."""
    f = ACTS[name]

    lo, hi = f.info.domain

    @given(_floats(dtype), _floats(dtype))
    def check(a, b):
        a, b = min(a, b), max(a, b)
        a, b = min(max(a, lo), hi), min(max(b, lo), hi)      # into the domain (logit's)
        ok = _nondecreasing(f, args, np.array([a], dtype), np.array([b], dtype), dtype)
        assert ok.all(), (a, b, f(np.array([a, b], dtype), *args))
    check()


def test_softplus_drop_at_threshold_is_the_documented_one():
    """softplus is registered non-monotonic: PyTorch's switch to the identity at
    beta x = threshold drops the value by log1p(exp(-threshold)) / beta; on each side of
    the switch it is increasing."""
    assert not ACTS["softplus"].info.monotonic
    below = fastact.softplus(np.nextafter(20.0, 0.0))
    above = fastact.softplus(np.nextafter(20.0, 21.0))
    drop = below - above
    assert drop == pytest.approx(math.log1p(math.exp(-20.0)), rel=1e-6)
    left = fastact.softplus(np.linspace(15.0, 20.0, 1001))
    right = fastact.softplus(np.linspace(np.nextafter(20.0, 21.0), 25.0, 1001))
    assert (np.diff(left) >= 0).all() and (np.diff(right) >= 0).all()


def _mono_grid_cases():
    cases = []
    for p in _mono_cases:
        name, args = p.values
        for dtype, did in zip(DTYPES, DTYPE_IDS):
            cases.append(pytest.param(name, args, dtype, id=f"{p.id}-{did}"))
    return cases


@pytest.mark.parametrize("name, args, dtype", _mono_grid_cases())
def test_monotonic_on_a_dense_grid_and_across_switches(name, args, dtype):
    """Deterministic companion of the hypothesis test: a dense grid over the plot range,
    and +-2000 ulps (and +-1e-6 relative) around every kink or switch point (0, +-3, 6,
    the parameters and their ratios, where branches meet)."""
    f = ACTS[name]
    x = [np.linspace(*f.info.plot_range, 20001).astype(dtype)]
    for k in kink_points(args):
        k = dtype(k)
        steps = np.arange(-2000, 2001)
        ulp = np.spacing(np.abs(k)) if k != 0 else np.finfo(dtype).smallest_subnormal
        x.append((k + steps * ulp).astype(dtype))
        x.append((k + np.linspace(-1e-6, 1e-6, 2001) * max(1.0, abs(float(k)))).astype(dtype))
    x = np.unique(np.concatenate(x))
    x = x[in_domain(name, x)]
    ok = _nondecreasing(f, args, x[:-1], x[1:], dtype)
    assert ok.all(), (x[:-1][~ok][:5], f(x[:-1][~ok][:5], *args), f(x[1:][~ok][:5], *args))


def test_non_monotonic_entries_really_are_not():
    """The registry's monotonic=False is also a claim: each such elementwise entry goes
    down somewhere on its plot range."""
    for name, f in ACTS.items():
        if f.info.monotonic or f.info.kind == "axis" or name == "softplus":
            continue        # softplus drops only at its threshold: the test above
        x = np.linspace(*f.info.plot_range, 4001)
        assert (np.diff(f(x)) < 0).any(), name


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", AXIS)
def test_softmax_rows_are_distributions(name, dtype):
    f = ACTS[name]
    fin = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32)

    @given(hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3, max_side=12),
                      elements=fin), st.integers(0, 2))
    def check(x, axis):
        axis = axis % x.ndim
        y = f(x, axis=axis)
        probs = "sums to 1" in f.info.output_range        # else log-probabilities
        p = y if probs else np.exp(y.astype(np.float64))
        assert ((p >= 0) & (p <= 1)).all()
        n = x.shape[axis]
        if n:
            s = p.astype(np.float64).sum(axis=axis)
            assert np.allclose(s, 1.0, rtol=0, atol=(n + 2) * eps(dtype))
        if not probs:
            assert (y <= 0).all()
        # shift invariance: f(x + c) == f(x) up to rounding of the shifted inputs
        y2 = f((x.astype(np.float64) + 3.0).astype(dtype), axis=axis)
        if dtype == np.float64 and np.all(np.abs(x) < 1e3):
            assert np.allclose(y2, y, rtol=1e-12, atol=1e-12)
    check()


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_dip(approximate):
    """GELU decreases below its minimum near x = -0.75 and increases above it."""
    @given(st.floats(min_value=-1e3, max_value=-0.76), st.floats(min_value=-1e3, max_value=-0.76))
    def below(a, b):
        a, b = min(a, b), max(a, b)
        fa, fb = fastact.gelu(a, approximate), fastact.gelu(b, approximate)
        assert fa >= fb - 4 * eps(np.float64) * abs(fb)
        assert fastact.gelu.derivative(b, approximate) <= 0

    @given(st.floats(min_value=-0.74, max_value=1e6), st.floats(min_value=-0.74, max_value=1e6))
    def above(a, b):
        a, b = min(a, b), max(a, b)
        fa, fb = fastact.gelu(a, approximate), fastact.gelu(b, approximate)
        assert fa <= fb + 4 * eps(np.float64) * max(abs(fa), abs(fb))
        assert fastact.gelu.derivative(a, approximate) >= 0

    below()
    above()
    assert fastact.gelu.derivative(-0.76, approximate) < 0 < fastact.gelu.derivative(-0.74, approximate)


@pytest.mark.parametrize("name", [n for n in ACTS if ACTS[n].info.kind == "elementwise"
                                  and ACTS[n].info.zero_centred
                                  and ACTS[n].info.domain == (-math.inf, math.inf)])
def test_zero_centred_entries_are_odd(name):
    """The zero-centred elementwise entries (tanh, linear, hardtanh, softsign) are odd
    functions with their default parameters (logit, on [0, 1], is odd about 1/2:
    tests/test_logit_squareplus.py)."""
    @given(finite64)
    def check(x):
        assert ACTS[name](-x) == -ACTS[name](x)
    check()


@given(moderate)
def test_softplus_minus_softplus_of_negative_is_identity(x):
    """softplus(x) - softplus(-x) = x (below the threshold switch)."""
    assume(abs(x) < 20)
    assert math.isclose(fastact.softplus(x) - fastact.softplus(-x), x,
                        rel_tol=8 * eps(np.float64), abs_tol=32 * eps(np.float64))
