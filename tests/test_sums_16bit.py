"""The gradient sums over broadcast dimensions (gated backwards' broadcast operands,
prelu's weight gradient): 16-bit operands accumulate wide and round once (issue 19, items
1 and 2), and an overflowing sum is inf without a floating-point warning, after which
nothing can fail with out half written (item 4).

Expected values are closed forms (n equal terms: n times the term, the term being the
kernel's per-element result rounded to the dtype) or float64 sums of the rounded terms,
rounded once; PyTorch's autograd (which accumulates in float32) where installed."""

import math
import warnings

import numpy as np
import pytest

import fastact

ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)
F16 = np.dtype(np.float16)
SIXTEEN = [F16, BF16]
IDS = ["float16", "bfloat16"]


def _silu(v):
    return v / (1.0 + math.exp(-v))


def _gelu(v):
    return 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0)))


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


# (name, kwargs, f, f') of each gated variant, f' by its closed form
GATES = [("swiglu", {}, _silu, lambda v: _sigmoid(v) * (1.0 + v * (1.0 - _sigmoid(v)))),
         ("geglu", {}, _gelu,
          lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0)))
          + v * math.exp(-v * v / 2.0) / math.sqrt(2.0 * math.pi)),
         ("reglu", {}, lambda v: max(v, 0.0), lambda v: 1.0 if v > 0 else 0.0)]
GATE_IDS = [g[0] for g in GATES]


def _rounded(value, dtype):
    with np.errstate(over="ignore"):
        return float(np.array(value).astype(dtype))


def _ulp(value, dtype):
    """The spacing of dtype at |value| (a normal number): 10 and 7 fraction bits."""
    return 2.0 ** (math.frexp(abs(value))[1] - 1 - {F16: 10, BF16: 7}[np.dtype(dtype)])


@pytest.fixture
def quiet():
    """A floating-point flag (underflow aside, NumPy's default) or warning raised
    anywhere is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            yield


# ---- item 1: gated backward, a broadcast operand in 16-bit ----------------------------

@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
@pytest.mark.parametrize("name,kw,f,df", GATES, ids=GATE_IDS)
def test_gated_broadcast_sum_closed_form(name, kw, f, df, dtype, quiet):
    """4096 rows of ones: grad_b = 4096 * f(1), grad_a = 4096 * f'(1) (each term the
    kernel's rounded value), rounded once.  Summed in bfloat16 grad_b was 256."""
    n = 4096
    fn = fastact.GATED[name]
    ones = np.ones((n, 8), dtype)
    row = np.ones((1, 8), dtype)
    for shape in [(1, 8), (8,)]:            # stretched and added dimensions
        small = row.reshape(shape)
        _, gb = fn.backward(ones, ones, small, **kw)
        assert gb.shape == shape and gb.dtype == dtype
        want = _rounded(n * _rounded(f(1.0), dtype), dtype)
        np.testing.assert_array_equal(gb, np.full(shape, want, dtype))
        # and within one rounding of the exact 4096 f(1)
        assert abs(want - n * f(1.0)) <= _ulp(want, dtype) + n * _ulp(f(1.0), dtype) / 2
        ga, _ = fn.backward(ones, small, ones, **kw)
        want = _rounded(n * _rounded(df(1.0), dtype), dtype)
        np.testing.assert_array_equal(ga, np.full(shape, want, dtype))


@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
def test_gated_broadcast_sum_random_rounds_once(dtype, quiet):
    """Random rows: grad_b is the float64 sum of the kernel's rounded terms (from the
    full-shape gradient, which is not summed) rounded once to the dtype: within half an
    ULP of it."""
    rng = np.random.default_rng(11)
    a = rng.normal(0, 2, (3000, 5)).astype(dtype)
    g = rng.uniform(0.5, 2, (3000, 5)).astype(dtype)      # one sign: no cancellation
    b = rng.normal(0, 1, (1, 5)).astype(dtype)
    terms = fastact.swiglu.backward(g, a, np.ones((3000, 5), dtype))[1]   # g * silu(a)
    exact = terms.astype(np.float64).sum(axis=0)
    got = fastact.swiglu.backward(g, a, b)[1][0].astype(np.float64)
    for v, e in zip(got, exact):
        assert abs(v - e) <= _ulp(v, dtype) / 2 * (1 + 1e-9), (v, e)


@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
def test_gated_broadcast_sum_against_torch(dtype):
    torch = pytest.importorskip("torch")
    tdt = {F16: torch.float16, BF16: torch.bfloat16}[dtype]
    rng = np.random.default_rng(12)
    a = rng.normal(0, 2, (4096, 8))
    b = rng.normal(0, 1, (1, 8))
    g = rng.uniform(0.5, 2, (4096, 8))
    ta = torch.tensor(a, dtype=tdt, requires_grad=True)
    tb = torch.tensor(b, dtype=tdt, requires_grad=True)
    (torch.nn.functional.silu(ta) * tb).backward(torch.tensor(g, dtype=tdt))
    ga, gb = fastact.swiglu.backward(g.astype(dtype), a.astype(dtype), b.astype(dtype))
    want = tb.grad.float().numpy()
    # PyTorch sums in float32 in its own order: at most one ULP apart
    for v, w in zip(gb[0].astype(np.float64), want[0]):
        assert abs(v - w) <= _ulp(w, dtype), (v, w)
    # grad_a is not summed; PyTorch rounds g * b before its silu backward: 2 ULPs apart
    eps = 2.0 ** -{F16: 10, BF16: 7}[dtype]
    np.testing.assert_allclose(ga.astype(np.float32), ta.grad.float().numpy(),
                               rtol=2 * eps, atol=1e-6)


def test_gated_sum_bfloat16_issue_example():
    """The issue's case: grad_b[0, 0] was 256; 4096 silu(1) = 2994.4 rounds to 2992."""
    ones = np.ones((4096, 8), BF16)
    _, gb = fastact.swiglu.backward(ones, ones, np.ones((1, 8), BF16))
    assert float(gb[0, 0]) == 2992.0


# ---- item 2: prelu's weight gradient in 16-bit -----------------------------------------

@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
def test_prelu_weight_gradient_closed_form(dtype, quiet):
    x = -np.ones((4096, 3, 4), dtype)
    g = np.ones_like(x)
    _, gw = fastact.prelu.backward(g, x, np.full(3, 0.25, dtype))
    assert gw.shape == (3,) and gw.dtype == dtype
    np.testing.assert_array_equal(gw, np.full(3, -16384.0, dtype))
    for w in (0.25, np.array(0.25, dtype), np.array([0.25], dtype)):
        _, gw = fastact.prelu.backward(g, x, w)
        assert np.shape(gw) == np.shape(w) and gw.dtype == dtype
        assert float(np.asarray(gw).reshape(())) == -49152.0


@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
def test_prelu_weight_gradient_random_rounds_once(dtype, quiet):
    rng = np.random.default_rng(13)
    x = rng.normal(-1, 1, (2000, 3, 5)).astype(dtype)
    g = rng.uniform(0.5, 2, x.shape).astype(dtype)
    # the terms as the dtype's product rounds them, summed exactly enough in float64
    terms = (g.astype(np.float64) * x.astype(np.float64)).astype(dtype).astype(np.float64)
    terms[x > 0] = 0.0
    gx, gw = fastact.prelu.backward(g, x, np.full(3, 0.1, dtype))
    for v, e in zip(gw.astype(np.float64), terms.sum(axis=(0, 2))):
        assert abs(v - e) <= _ulp(v, dtype) / 2 * (1 + 1e-9), (v, e)
    _, gs = fastact.prelu.backward(g, x, 0.1)
    e = terms.sum()
    assert abs(float(gs) - e) <= _ulp(float(gs), dtype) / 2 * (1 + 1e-9), (float(gs), e)


@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
def test_prelu_weight_gradient_against_torch(dtype):
    torch = pytest.importorskip("torch")
    tdt = {F16: torch.float16, BF16: torch.bfloat16}[dtype]
    rng = np.random.default_rng(14)
    x = rng.normal(-1, 1, (4096, 3, 4))
    g = rng.uniform(0.25, 1, x.shape)      # the scalar weight's sum within float16's range
    for w in (np.full(3, 0.25), np.full(1, 0.25)):
        tx = torch.tensor(x, dtype=tdt)
        tw = torch.tensor(w, dtype=tdt, requires_grad=True)
        torch.nn.functional.prelu(tx, tw).backward(torch.tensor(g, dtype=tdt))
        _, gw = fastact.prelu.backward(g.astype(dtype), x.astype(dtype), w.astype(dtype))
        for v, t in zip(gw.astype(np.float64), tw.grad.float().numpy()):
            assert abs(v - t) <= _ulp(t, dtype), (v, t)


# ---- item 4: overflowing sums are inf, silently; out never half written --------------

@pytest.mark.parametrize("dtype", SIXTEEN + [np.dtype(np.float32)],
                         ids=IDS + ["float32"])
@pytest.mark.parametrize("broadcast", ["a", "b"])
def test_gated_sum_overflow_is_inf_without_warning(dtype, broadcast, quiet):
    big = float(ml_dtypes.finfo(dtype).max) if dtype == BF16 else float(np.finfo(dtype).max)
    n = 64
    g = np.full((n, 8), big, dtype)
    g[:, 1] = -big
    g[: n // 2, 2] = -big                   # half +max, half -max: the sum is 0
    g[0, 3], g[1, 3] = np.inf, -np.inf      # inf - inf: NaN
    full = np.ones((n, 8), dtype)
    small = np.ones((1, 8), dtype)
    a, b = (small, full) if broadcast == "a" else (full, small)
    outs = (np.zeros(a.shape, dtype), np.zeros(b.shape, dtype))
    ga, gb = fastact.swiglu.backward(g, a, b, out=outs)
    assert ga is outs[0] and gb is outs[1]
    summed, other = (ga, gb) if broadcast == "a" else (gb, ga)
    s = summed.astype(np.float64)[0]
    assert s[0] == np.inf and s[1] == -np.inf and np.isnan(s[3])
    # +max and -max terms: float64 accumulation cancels them; float32's own overflows
    # (to +inf or -inf, by the order of the pairwise sum)
    assert s[2] == 0.0 if dtype.itemsize == 2 else np.isinf(s[2])
    # the full-shape gradient is the kernel's, unchanged by the sum after it
    ref = fastact.swiglu.backward(g, full, full)[0 if broadcast == "b" else 1]
    np.testing.assert_array_equal(other, ref)


@pytest.mark.parametrize("dtype", SIXTEEN, ids=IDS)
def test_prelu_sum_overflow_is_inf_without_warning(dtype, quiet):
    big = float(ml_dtypes.finfo(dtype).max) if dtype == BF16 else float(np.finfo(dtype).max)
    x = -np.ones((64, 3, 2), dtype)
    g = np.full(x.shape, big, dtype)
    out = np.zeros(x.shape, dtype)
    gx, gw = fastact.prelu.backward(g, x, np.full(3, 0.5, dtype), out=out)
    assert gx is out
    np.testing.assert_array_equal(gw, np.full(3, -np.inf, dtype))
    _, gs = fastact.prelu.backward(g, x, 0.5)
    assert float(gs) == -np.inf


def test_gated_out_untouched_when_a_check_fails():
    """Every out is checked before the first write: a bad second out leaves the first
    (which the kernel would fill directly) untouched."""
    a = np.ones((16, 4), np.float32)
    b = np.ones((1, 4), np.float32)
    first = np.full((16, 4), 7.0, np.float32)
    for second in (np.zeros((1, 4), np.float64), np.zeros((2, 4), np.float32),
                   np.zeros((1, 4), np.float32)[:, ::-1].copy().view(np.int32)):
        with pytest.raises((TypeError, ValueError), match="fastact.swiglu.backward"):
            fastact.swiglu.backward(a, a, b, out=(first, second))
        assert (first == 7.0).all()
