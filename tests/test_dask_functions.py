"""keras_relu, log1mexp, logsumexp and sparsemax on dask arrays: lazy, block by block,
the same numbers as on the NumPy array (each block runs the NumPy composition; log1mexp,
an activation, its ufunc); along an
axis (logsumexp, sparsemax) the axis must be one chunk, as softmax's (refused otherwise,
naming the function)."""

import pickle

import numpy as np
import pytest

import fastact
from conftest import lazy_dask

da = pytest.importorskip("dask.array")

RNG = np.random.default_rng(23)
XN = (RNG.standard_normal((400, 16)) * 3).astype(np.float32)
GN = RNG.standard_normal((400, 16)).astype(np.float32)
BN = RNG.uniform(-0.5, 2, 16).astype(np.float32)       # some negative weights


_lazy = lazy_dask


def _same(lazy, expected, name):
    got = lazy.compute(scheduler="threads")
    expected = np.asarray(expected)
    assert lazy.dtype == got.dtype, name              # the dtype declared is the blocks'
    assert got.dtype == expected.dtype and got.shape == expected.shape, name
    np.testing.assert_array_equal(got, expected, err_msg=name)


def test_elementwise_block_by_block():
    x = da.from_array(XN, chunks=(100, 16))
    g = da.from_array(GN, chunks=(100, 8))            # other chunks: unified
    ax, axn = abs(x), abs(XN)
    kw = dict(negative_slope=0.1, max_value=6.0, threshold=0.5)
    cases = [
        ("log1mexp", _lazy(fastact.log1mexp, ax), fastact.log1mexp(axn)),
        ("log1mexp.derivative", _lazy(fastact.log1mexp.derivative, ax),
         fastact.log1mexp.derivative(axn)),
        ("log1mexp.backward", _lazy(fastact.log1mexp.backward, g, ax),
         fastact.log1mexp.backward(GN, axn)),
        ("log1mexp.backward numpy g", _lazy(fastact.log1mexp.backward, GN[:1], ax),
         fastact.log1mexp.backward(GN[:1], axn)),
        ("log1mexp.backward_from_output",
         _lazy(fastact.log1mexp.backward_from_output, g, -ax),
         fastact.log1mexp.backward_from_output(GN, -axn)),
        ("keras_relu", _lazy(fastact.keras_relu, x, **kw), fastact.keras_relu(XN, **kw)),
        ("keras_relu.derivative", _lazy(fastact.keras_relu.derivative, x, **kw),
         fastact.keras_relu.derivative(XN, **kw)),
        ("keras_relu.backward", _lazy(fastact.keras_relu.backward, g, x, 0.2),
         fastact.keras_relu.backward(GN, XN, 0.2)),
        ("keras_relu.backward scalar g", _lazy(fastact.keras_relu.backward, 2.0, x),
         fastact.keras_relu.backward(2.0, XN)),
    ]
    for name, lazy, expected in cases:
        assert lazy.chunks[0] == x.chunks[0], name
        _same(lazy, expected, name)


def test_logsumexp_along_whole_axes():
    x = da.from_array(XN, chunks=(100, 16))           # axis 1 whole, axis 0 in 4 chunks
    g = da.from_array(GN[:, 0], chunks=100)
    w = da.from_array(XN > -1, chunks=(50, 16))
    f = fastact.logsumexp
    cases = [
        ("axis=1", _lazy(f, x, axis=1), f(XN, axis=1)),
        ("axis=-1 keepdims", _lazy(f, x, -1, keepdims=True), f(XN, -1, keepdims=True)),
        ("b", _lazy(f, x, 1, b=BN), f(XN, 1, b=BN)),
        ("where", _lazy(f, x, 1, where=w), f(XN, 1, where=XN > -1)),
        ("backward", _lazy(f.backward, g, x, axis=1), f.backward(GN[:, 0], XN, axis=1)),
        ("backward keepdims", _lazy(f.backward, g[:, None], x, axis=1, keepdims=True),
         f.backward(GN[:, :1], XN, axis=1, keepdims=True)),
        ("backward b where", _lazy(f.backward, 1.5, x, 1, b=BN, where=w),
         f.backward(1.5, XN, 1, b=BN, where=XN > -1)),
    ]
    lse, sign = _lazy(f, x, 1, b=BN, return_sign=True)
    want = f(XN, 1, b=BN, return_sign=True)
    assert (sign.compute() == -1).any()               # negative sums: the sign matters
    cases += [("return_sign lse", lse, want[0]), ("return_sign sign", sign, want[1])]
    x1 = da.from_array(XN, chunks=(400, 4))           # axis 0 whole
    cases += [("axis=0", _lazy(f, x1, axis=0), f(XN, axis=0)),
              ("all of one chunk", _lazy(f, x.rechunk(-1)), f(XN)),
              ("axis tuple", _lazy(f, x.rechunk(-1), axis=(1, 0)), f(XN, axis=(1, 0))),
              ("0-d", _lazy(f, da.asarray(np.float32(2.5))), f(np.float32(2.5)))]
    for name, lazy, expected in cases:
        _same(lazy, expected, name)


def test_sparsemax_along_a_whole_axis():
    x = da.from_array(XN, chunks=(100, 16))
    g = da.from_array(GN, chunks=(100, 16))
    f = fastact.sparsemax
    y = _lazy(f, x)
    cases = [("forward", y, f(XN)),
             ("backward", _lazy(f.backward, g, x), f.backward(GN, XN)),
             ("backward broadcast g", _lazy(f.backward, GN[0], x), f.backward(GN[0], XN)),
             ("backward_from_output", _lazy(f.backward_from_output, g, y),
              f.backward_from_output(GN, f(XN))),
             ("axis=0", _lazy(f, x.rechunk((400, 8)), axis=0), f(XN, axis=0))]
    for name, lazy, expected in cases:
        _same(lazy, expected, name)


@pytest.mark.parametrize("call", [
    lambda x: fastact.logsumexp(x),                    # every axis, axis 0 chunked
    lambda x: fastact.logsumexp(x, axis=0),
    lambda x: fastact.logsumexp.backward(np.ones(16, np.float32), x, axis=0),
    lambda x: fastact.sparsemax(x, axis=0),
    lambda x: fastact.sparsemax.backward(x, x, axis=0),
    lambda x: fastact.sparsemax.backward_from_output(x, x, axis=0),
], ids=["lse", "lse-axis0", "lse.backward", "sparsemax", "sparsemax.backward",
        "sparsemax.backward_from_output"])
def test_chunked_axis_refused_naming_the_function(call):
    x = da.from_array(XN, chunks=(100, 16))
    with pytest.raises(ValueError, match=r"fastact\.(logsumexp|sparsemax)(\.\w+)?: \w+ has 4 "
                                         r"chunks along axis 0, which must be one chunk"):
        call(x)
    with pytest.raises(ValueError, match=r"fastact\.softmax"):   # as softmax refuses it
        fastact.softmax(x, axis=0)


def test_errors_are_eager_and_named():
    x = da.from_array(XN, chunks=(100, 16))
    out = np.zeros(XN.shape, np.float32)
    with pytest.raises(TypeError, match=r"fastact\.log1mexp: out= is not supported"):
        fastact.log1mexp(x, out=out)
    with pytest.raises(TypeError, match=r"fastact\.sparsemax: out= is not supported"):
        fastact.sparsemax(x, out=out)
    assert not out.any()
    with pytest.raises(ValueError, match=r"fastact\.keras_relu: negative_slope must be >= 0"):
        fastact.keras_relu(x, -1.0)
    with pytest.raises(TypeError, match=r"fastact\.log1mexp: x must be real numbers"):
        fastact.log1mexp(x.astype(np.complex64))
    with pytest.raises(ValueError, match=r"fastact\.log1mexp\.backward: the shapes of "
                                         r"grad_output \(3,\), x \(400, 16\)"):
        fastact.log1mexp.backward(np.ones(3), x)
    with pytest.raises(ValueError, match=r"fastact\.logsumexp: b has shape \(3,\)"):
        fastact.logsumexp(x, 1, b=np.ones(3))
    with pytest.raises(ValueError, match=r"fastact\.logsumexp\.backward: grad_output has "
                                         r"shape \(3,\)"):
        fastact.logsumexp.backward(np.ones(3), x, axis=1)
    with pytest.raises(TypeError, match=r"fastact\.logsumexp: where must be booleans"):
        fastact.logsumexp(x, 1, where=x)
    with pytest.raises(np.exceptions.AxisError, match=r"fastact\.sparsemax: axis 2"):
        fastact.sparsemax(x, axis=2)


def test_dtypes_follow_the_numpy_rules():
    x16 = da.from_array(XN.astype(np.float16), chunks=100)
    assert fastact.log1mexp(abs(x16)).dtype == np.float16
    assert fastact.logsumexp(x16, axis=1).dtype == np.float16
    xi = da.from_array(np.arange(10, dtype=np.int8), chunks=5)
    assert fastact.keras_relu(xi).dtype == np.float64
    x32 = da.from_array(XN, chunks=(100, 16))
    assert fastact.keras_relu.backward(2.0, x32).dtype == np.float32     # weak scalar
    assert fastact.logsumexp(x32, 1, b=np.float64(2.0)).dtype == np.float64


def test_lazy_results_pickle_by_name():
    """The blocks' functions pickle by fastact.<name> (to worker processes)."""
    x = da.from_array(XN, chunks=(100, 16))
    for lazy, expected in ((fastact.logsumexp(x, 1), fastact.logsumexp(XN, 1)),
                           (fastact.keras_relu(x, 0.1), fastact.keras_relu(XN, 0.1))):
        again = pickle.loads(pickle.dumps(lazy))
        np.testing.assert_array_equal(again.compute(scheduler="sync"), expected)
