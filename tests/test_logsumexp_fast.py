"""logsumexp's fast forms (issue 23, speed): without b or where, one exponential pass
(argmax's entry left out of the sum along one axis, the exactly-1 entries counted along
several); the backward through softmax's kernel.  Against mpmath, SciPy and PyTorch
autograd: ties, results near 0, every axis form, and the special rows."""

import math

import mpmath
import numpy as np
import pytest
import scipy.special

import fastact
from conftest import strict_fp

mpmath.mp.prec = 200


def _mp_lse(row):
    return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [-1, 0, (0, 1)], ids=repr)
def test_ties_and_results_near_zero(dtype, axis):
    """Ties of the maximum (k > 1) and sums just above 1 (a result near 0, where
    log(sum) would keep none of its digits): within 2 ULP of mpmath, every axis form."""
    rows = [[0.0, -40.0, -45.0], [0.0, -20.0, -21.0], [3.0, 3.0, 3.0], [0.0, 0.0, -30.0],
            [-1e-3, -60.0, -1e-3], [2.5, -1.0, 2.5]]
    x = np.array(rows, dtype)
    x = x if axis == -1 else np.ascontiguousarray(x.T)
    if axis == (0, 1):                       # each row as a 3 x 1 block
        blocks = np.array(rows, dtype)[:, :, None]
        with strict_fp():
            got = np.array([fastact.logsumexp(b, axis=(0, 1)) for b in blocks])
    else:
        with strict_fp():
            got = fastact.logsumexp(x, axis=axis)
    ref = np.array([_mp_lse(r) for r in np.array(rows, dtype)])
    ulp = np.spacing(np.abs(ref).astype(dtype)).astype(np.float64)
    assert np.all(np.abs(got.astype(np.float64) - ref) <= 2 * ulp), (got, ref)
    assert got[0] > 0 and got[1] > 0            # e^-40 and e^-20 kept


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_against_scipy_along_each_axis(dtype):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((37, 29, 5)) * 6).astype(dtype)
    x[3, 4] = 7.0                                 # a tie along axis 2
    eps = np.finfo(dtype).eps
    for axis in (0, 1, 2, -1, (0, 2), (1, 0), None):
        with strict_fp():
            got = fastact.logsumexp(x, axis=axis, keepdims=True)
        ref = scipy.special.logsumexp(x.astype(np.float64), axis=axis, keepdims=True)
        m = np.max(x, axis=axis, keepdims=True).astype(np.float64)
        n = x.size // m.size
        # the tool's unit: eps * (1 + |max x| + log n)
        np.testing.assert_array_less(np.abs(got - ref), 2 * eps * (1 + np.abs(m) + np.log(n)))


def test_special_rows():
    inf, nan = math.inf, math.nan
    for row, want in (([inf, 1.0], inf), ([-inf, -inf], -inf), ([nan, inf], nan),
                      ([inf, nan], nan), ([1.0, nan], nan), ([-inf, 3.0], 3.0),
                      ([inf, -inf], inf), ([1e308, 1e308], 1e308 + math.log(2))):
        for axis in (-1, (0,)):
            with strict_fp():
                got = fastact.logsumexp(np.array(row), axis=axis)
            np.testing.assert_array_equal(got, want, err_msg=str(row))
    assert fastact.logsumexp(np.empty((3, 0)), axis=-1).tolist() == [-inf] * 3


def test_backward_special_rows_as_pytorch():
    torch = pytest.importorskip("torch")
    inf, nan = math.inf, math.nan
    for row in ([inf, 1.0], [-inf, -inf], [nan, 1.0], [inf, inf, -inf], [-inf, 0.0],
                [1.0, 2.0, 3.0], [5.0]):
        t = torch.tensor(row, dtype=torch.float64, requires_grad=True)
        torch.logsumexp(t, 0).backward(torch.tensor(-1.5, dtype=torch.float64))
        with strict_fp():
            got = fastact.logsumexp.backward(-1.5, np.array(row))
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-15, err_msg=str(row))


def test_backward_where_and_dtype():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 7))
    w = rng.random((6, 7)) > 0.3
    w[0] = False                                  # a fully masked row
    g = rng.standard_normal(6)
    with strict_fp():
        got = fastact.logsumexp.backward(g, x, axis=1, where=w)
    xm = np.where(w, x, -np.inf)
    with np.errstate(all="ignore"):
        p = np.exp(xm - scipy.special.logsumexp(xm, axis=1, keepdims=True))
    want = np.where(w, g[:, None] * p, 0.0)
    np.testing.assert_allclose(got[1:], want[1:], rtol=1e-14, atol=1e-300)
    assert (got[0] == 0).all()                    # masked out everywhere: 0
    g32 = fastact.logsumexp.backward(np.float64(2.0), x.astype(np.float32), axis=1)
    assert g32.dtype == np.float64               # NumPy's promotion of g and x


def test_where_keeps_a_result_near_zero():
    """where= goes through the same log1p form: e^-40 survives the masked entry."""
    x = np.array([[0.0, -40.0, 5.0], [0.0, -40.0, -1e3]])
    w = np.array([True, True, False])
    with strict_fp():
        got = fastact.logsumexp(x, axis=-1, where=w)
    want = _mp_lse([0.0, -40.0])
    np.testing.assert_allclose(got, [want, want], rtol=2 * np.finfo(float).eps)
