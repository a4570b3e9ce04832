"""softmax, log_softmax and softmin's dtype= (PyTorch's dtype argument): x is cast to
the dtype first and the result computed and returned in it; checked against PyTorch."""

import inspect

import numpy as np
import pytest

import fastact

TORCH_NAMES = {"softmax": "softmax", "log_softmax": "log_softmax", "softmin": "softmin"}


@pytest.mark.parametrize("name", list(TORCH_NAMES))
@pytest.mark.parametrize("src,dst", [(np.float32, np.float64), (np.float16, np.float32),
                                     (np.float16, np.float64), (np.int64, np.float32),
                                     (np.float64, np.float32)])
def test_matches_torch_dtype(name, src, dst):
    torch = pytest.importorskip("torch")
    x = (np.random.default_rng(0).normal(0, 3, (4, 7)) * (1 if src != np.int64 else 5)
         ).astype(src)
    fn = getattr(torch.nn.functional, TORCH_NAMES[name])
    tdst = {np.float32: torch.float32, np.float64: torch.float64}[dst]
    ref = fn(torch.tensor(x), dim=-1, dtype=tdst).numpy()
    y = getattr(fastact, name)(x, -1, dtype=dst)
    assert y.dtype == dst
    eps = np.finfo(dst).eps
    np.testing.assert_allclose(y, ref, rtol=16 * eps, atol=16 * eps)
    # computed in dst, not rounded from src: the same as the cast input's result
    np.testing.assert_array_equal(y, getattr(fastact, name)(x.astype(dst), -1))


def test_dtype_with_axis_tuple_where_and_out():
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    w = np.array([True, False, True, True])
    y = fastact.softmax(x, (0, 1), where=w, dtype=np.float64)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, fastact.softmax(x.astype(np.float64), (0, 1), where=w))
    out = np.empty((3, 4))
    assert fastact.log_softmax(x, dtype="float64", out=out) is out
    np.testing.assert_array_equal(out, fastact.log_softmax(x.astype(np.float64)))


def test_bad_dtype_is_refused():
    for bad in (np.int32, np.complex128, "not a dtype"):
        with pytest.raises(TypeError, match=r"fastact\.softmax: dtype must be a floating"):
            fastact.softmax(np.zeros(3), dtype=bad)
    out = np.full(3, 9.0, np.float32)
    with pytest.raises(TypeError, match=r"fastact\.softmin: out has dtype float32"):
        fastact.softmin(np.zeros(3), dtype=np.float64, out=out)
    assert (out == 9.0).all()


def test_signature_shows_dtype():
    assert "dtype" in inspect.signature(fastact.softmax).parameters
    assert "dtype=" in fastact.log_softmax.__doc__ or "dtype :" in fastact.log_softmax.__doc__
