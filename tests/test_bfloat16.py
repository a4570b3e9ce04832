"""bfloat16 (ml_dtypes') end to end: every ufunc has a bfloat16 loop that widens to
float32, runs the float32 loop and rounds once, so each result is the float32 result
rounded to nearest even -- checked here over all 65,536 bfloat16 inputs against float32
computations rounded by ml_dtypes' own cast, and against the float64 reference."""

import numpy as np
import pytest

import fastact
from conftest import ACTS, AXIS, ELEMENTWISE, invoke, methods, needed, set_threads, variants

ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)

ALL = np.arange(2**16, dtype=np.uint16).view(BF16)          # every bfloat16, NaNs included
G = np.random.default_rng(3).standard_normal(2**16).astype(BF16)


def bf(a):
    """a rounded to bfloat16 by ml_dtypes' cast (which warns on NaN)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.asarray(a).astype(BF16)


def same(a, b):
    """Equal as values, NaN where NaN (NaN payloads and signs aside)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def _data(f, method):
    if method in ("backward", "backward_from_output"):
        second = ALL if method == "backward" else invoke(f, "__call__", [ALL])
        return [G, second]
    if method == "derivative_from_output":
        return [invoke(f, "__call__", [ALL])]
    return [ALL]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_method_rounds_the_float32_result_once(name):
    f = ACTS[name]
    for m in methods(f):
        for _, args in variants(name)[:2]:
            data = _data(f, m)
            with np.errstate(all="raise"):
                got = invoke(f, m, data, args)
            want = invoke(f, m, [d.astype(np.float32) for d in data], args)
            assert got.dtype == BF16, (m, got.dtype)
            assert same(got, bf(want)), (name, m, args)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if ACTS[n].info.kind != "rrelu"])
def test_forward_within_one_ulp_of_the_reference(name):
    """At most 1 ULP of bfloat16 from the float64 reference (the aim of issue 14), over
    every finite input; NaN in gives NaN out, infinities give the limits."""
    f = ACTS[name]
    x = ALL[np.isfinite(ALL.astype(np.float32))]
    got = f(x, *needed(f)).astype(np.float64)
    ref = f(x.astype(np.float64), *needed(f))
    tiny = float(ml_dtypes.finfo(BF16).smallest_subnormal)
    ulp = np.maximum(np.abs(bf(ref).astype(np.float64)) * 2.0**-7, tiny)
    with np.errstate(invalid="ignore"):
        err = np.where(ref == got, 0.0, np.abs(got - ref) / ulp)
    assert np.nanmax(err) <= 1.0, (name, x[np.nanargmax(err)])
    assert np.isnan(f(np.array([np.nan], BF16), *needed(f)).astype(np.float32)).all()


@pytest.mark.parametrize("name", AXIS)
def test_axis_rows(name):
    f = ACTS[name]
    x = np.random.default_rng(1).standard_normal((5, 40)).astype(BF16) * BF16.type(4)
    x[2, 3] = -np.inf
    y = f(x)
    assert y.dtype == BF16
    assert same(y, bf(f(x.astype(np.float32))))
    g = G[:200].reshape(5, 40)
    dx = f.backward_from_output(g, y)
    assert dx.dtype == BF16
    assert same(dx, bf(f.backward_from_output(g.astype(np.float32), y.astype(np.float32))))
    assert same(f.backward(g, x), dx)          # from x: y = f(x) in bfloat16, then the same
    xs = np.asfortranarray(x)                                # strided rows
    assert same(f(xs), y) and same(f(x, axis=0), bf(f(x.astype(np.float32), axis=0)))


def test_out_params_prelu_rrelu_and_threads():
    x = ALL[np.isfinite(ALL.astype(np.float32))]
    out = np.empty_like(x)
    assert fastact.leaky_relu(x, 0.2, out=out) is out
    assert same(out, bf(fastact.leaky_relu(x.astype(np.float32), 0.2)))
    with pytest.raises(TypeError, match="fastact.tanh"):
        fastact.tanh(x, out=np.empty(x.shape, np.float16))
    w = np.array([0.25, -0.5], np.float32)
    x2 = ALL[:4000].reshape(2000, 2)
    x2 = np.where(np.isfinite(x2.astype(np.float32)), x2, BF16.type(1))
    got = fastact.prelu(x2, w)                    # the weight is a parameter: float32
    assert got.dtype == BF16 and same(got, bf(fastact.prelu(x2.astype(np.float32), w)))
    assert fastact.rrelu(x).dtype == BF16
    big = np.tile(x, 20)                          # over the threading grain
    set_threads(2)                                # (one thread without OpenMP)
    try:
        two = fastact.gelu(big)
    finally:
        fastact.set_num_threads(None)
    assert same(two, bf(fastact.gelu(big.astype(np.float32))))


def test_narrowing_is_ml_dtypes_cast():
    """The loop's float32 -> bfloat16 rounding (nearest even, overflow to infinity, NaN
    kept) agrees with ml_dtypes' cast: leaky_relu's negative side is one float32 product,
    slope * x, which NumPy computes the same way in float32."""
    neg = ALL[ALL.astype(np.float32) < 0]
    for slope in (0.3, 1.0039, 7.77):
        s = np.float32(slope)
        with np.errstate(over="ignore"):
            want = bf(s * neg.astype(np.float32))
        got = fastact.leaky_relu(neg, slope)
        assert same(got, want), slope
