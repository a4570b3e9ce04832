"""fastact on dask arrays: lazy, chunk by chunk, on a LocalCluster with worker processes.

The API hands dask arrays to the ufuncs untouched (no np.asarray, which would compute
them), so dask's __array_ufunc__ runs each kernel per chunk; softmax goes through
apply_gufunc along an axis that is one chunk.
"""

import numpy as np
import pytest

import fastact
from conftest import lazy_dask, needed

da = pytest.importorskip("dask.array")

RNG = np.random.default_rng(7)
XN = (RNG.standard_normal((4000, 16)) * 4).astype(np.float32)   # 4 chunks of 1000 rows
GN = RNG.standard_normal((4000, 16)).astype(np.float32)


_lazy = lazy_dask


def _cases(x, g):
    """(name, lazy result, NumPy result) for forward, derivative, backward and softmax."""
    out = []
    for name, f in fastact.ACTIVATIONS.items():
        if f.info.kind == "axis":
            y = _lazy(f, x, axis=1)
            out.append((name, y, f(XN, axis=1)))
            out.append((name + ".backward", _lazy(f.backward, g, x, axis=1),
                        f.backward(GN, XN, axis=1)))
            out.append((name + ".backward_from_output",
                        _lazy(f.backward_from_output, g, y, axis=1),
                        f.backward_from_output(GN, f(XN, axis=1), axis=1)))
            continue
        if name == "rrelu":
            continue     # training draws its slopes with NumPy; evaluation is leaky_relu
        p = needed(f)               # threshold's required parameters
        out.append((name, _lazy(f, x, *p), f(XN, *p)))
        out.append((name + ".derivative", _lazy(f.derivative, x, *p), f.derivative(XN, *p)))
        if name == "prelu":
            out.append((name + ".backward", _lazy(f.backward, g, x, 0.1)[0],
                        f.backward(GN, XN, 0.1)[0]))
        else:
            out.append((name + ".backward", _lazy(f.backward, g, x, *p),
                        f.backward(GN, XN, *p)))
    return out


def test_dask_local_threads_lazy_and_exact():
    x = da.from_array(XN, chunks=(1000, 16))
    g = da.from_array(GN, chunks=(1000, 16))
    for name, lazy, expected in _cases(x, g):
        assert lazy.dtype == expected.dtype, name
        assert lazy.chunks == x.chunks, name           # chunk by chunk, no rechunking
        np.testing.assert_array_equal(lazy.compute(scheduler="threads"), expected,
                                      err_msg=name)


def test_dask_keeps_dtype_rules():
    x16 = da.from_array(XN.astype(np.float16), chunks=1000)
    assert fastact.elu(x16, alpha=np.float64(0.5)).dtype == np.float16
    xi = da.from_array(np.arange(10, dtype=np.int8), chunks=5)
    assert fastact.sigmoid(xi).dtype == np.float64
    x32 = da.from_array(XN, chunks=(1000, 16))
    assert fastact.sigmoid.backward(2.0, x32).dtype == np.float32      # weak scalar
    with pytest.raises(TypeError, match="fastact.sigmoid"):
        fastact.sigmoid(da.from_array(np.ones(3, np.complex128)))
    with pytest.raises(ValueError, match="fastact.softmax"):
        fastact.softmax(x32, axis=0)                  # the core axis is chunked


def test_dask_distributed_local_cluster():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        x = da.from_array(XN, chunks=(1000, 16))
        g = da.from_array(GN, chunks=(1000, 16))
        cases = _cases(x, g)
        results = client.compute([lazy for _, lazy, _ in cases], sync=True)
        for (name, _, expected), got in zip(cases, results):
            np.testing.assert_array_equal(got, expected, err_msg=name)


# ---- the gated activations and glu (issue 19, item 8) --------------------------------

BN = RNG.standard_normal((1, 16)).astype(np.float32)


def test_dask_gated_lazy():
    """Forward and backward lazily; a broadcast operand's gradient summed by dask's
    reduction (lazily too), matching NumPy's after .compute()."""
    x = da.from_array(XN, chunks=(1000, 16))
    g = da.from_array(GN, chunks=(1000, 16))
    for name, f in fastact.GATED.items():
        if f.info.kind == "glu":
            continue
        y = _lazy(f, x, g)
        np.testing.assert_array_equal(y.compute(), f(XN, GN), err_msg=name)
        ga, gb = _lazy(f.backward, g, x, g)                   # no sums: exact
        want = f.backward(GN, XN, GN)
        np.testing.assert_array_equal(ga.compute(), want[0], err_msg=name)
        np.testing.assert_array_equal(gb.compute(), want[1], err_msg=name)
        for b in (BN, da.from_array(BN), BN[0], 0.5):         # b stretched, added, scalar
            ga, gb = _lazy(f.backward, g, x, b)
            want = f.backward(GN, XN, b)
            assert gb.shape == np.shape(b) and gb.dtype == np.float32, name
            np.testing.assert_array_equal(ga.compute(), want[0], err_msg=name)
            # float32 sums of 4000 terms, in dask's order (per chunk) and NumPy's
            scale = np.abs(fastact.GATED[name].backward(GN, XN, np.ones_like(XN))[1]).sum(0)
            np.testing.assert_allclose(gb.compute(), want[1], rtol=0,
                                       atol=float(scale.max()) * 1e-6, err_msg=name)


def test_dask_gated_sums_16bit_round_once():
    """bfloat16 sums accumulate in float64 per chunk and across them: 4096 ones give
    4096 * silu(1) (2992 in bfloat16; summed in bfloat16 it would be 256)."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf = np.dtype(ml_dtypes.bfloat16)
    ones = da.ones((4096, 8), dtype=bf, chunks=(512, 8))
    ga, gb = _lazy(fastact.swiglu.backward, ones, ones, np.ones((1, 8), bf))
    assert gb.dtype == bf
    np.testing.assert_array_equal(gb.compute().astype(np.float64), np.full((1, 8), 2992.0))
    _, gw = _lazy(fastact.prelu.backward, 1.0, -ones.astype(np.float16), np.full(8, 0.25))
    np.testing.assert_array_equal(gw.compute(), np.full(8, -4096.0, np.float16))


def test_dask_glu_lazy():
    x = da.from_array(XN, chunks=(1000, 16))
    for axis, gshape in ((-1, (4000, 8)), (0, (2000, 16))):
        gn = RNG.standard_normal(gshape).astype(np.float32)
        y = _lazy(fastact.glu, x, axis)
        np.testing.assert_array_equal(y.compute(), fastact.glu(XN, axis))
        # grad_output chunked differently from x, and broadcast
        for g in (da.from_array(gn, chunks=(700, 8)), gn, gn[:1]):
            dx = _lazy(fastact.glu.backward, g, x, axis=axis)
            assert dx.shape == XN.shape and dx.dtype == np.float32
            np.testing.assert_array_equal(dx.compute(), fastact.glu.backward(
                np.asarray(g), XN, axis=axis))
    # a NumPy x with a dask grad_output is lazy too
    dx = _lazy(fastact.glu.backward, da.from_array(GN[:, :8]), XN)
    np.testing.assert_array_equal(dx.compute(), fastact.glu.backward(GN[:, :8], XN))


def test_dask_gated_out_refused():
    x = da.from_array(XN, chunks=(1000, 16))
    with pytest.raises(TypeError, match=r"fastact\.swiglu\.backward: out="):
        fastact.swiglu.backward(x, x, x, out=(np.empty(XN.shape, np.float32),) * 2)
    with pytest.raises(TypeError, match=r"fastact\.glu\.backward: out="):
        fastact.glu.backward(x[:, :8], x, out=np.empty(XN.shape, np.float32))
    with pytest.raises(TypeError, match=r"fastact\.glu: out="):
        fastact.glu(x, out=np.empty((4000, 8), np.float32))
