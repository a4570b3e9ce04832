"""fastact on dask arrays: lazy, chunk by chunk, on a LocalCluster with worker processes.

The API hands dask arrays to the ufuncs untouched (no np.asarray, which would compute
them), so dask's __array_ufunc__ runs each kernel per chunk; softmax goes through
apply_gufunc along an axis that is one chunk.
"""

import numpy as np
import pytest

import fastact
from conftest import needed

da = pytest.importorskip("dask.array")

RNG = np.random.default_rng(7)
XN = (RNG.standard_normal((4000, 16)) * 4).astype(np.float32)   # 4 chunks of 1000 rows
GN = RNG.standard_normal((4000, 16)).astype(np.float32)


def _lazy(fn, *args, **kwargs):
    """Call fn inside a scheduler that refuses to compute: proves the call is lazy."""
    import dask

    def refuse(*a, **k):
        raise AssertionError("fastact computed a dask array eagerly")

    with dask.config.set(scheduler=refuse):
        r = fn(*args, **kwargs)
    for part in r if isinstance(r, tuple) else (r,):
        assert isinstance(part, da.Array), type(part)
    return r


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
