"""Gradient sums over broadcast dimensions (the gated backwards' broadcast operands,
prelu's weight) and the dask form of the gated backward pass.

A 16-bit gradient (float16, bfloat16) is summed in float64 and rounded once to its dtype
at the end: summed in its own dtype, 4096 bfloat16 ones give 256 (PyTorch accumulates in
float32).  float32 and float64 sum in their own dtype, as PyTorch and NumPy do.  A sum that
overflows its dtype is inf, and inf - inf is NaN, without a floating-point warning: the
kernels' own stores give such results silently, and a warning (an error under
``np.errstate(all="raise")``) would come after the caller's ``out`` was written.

Dask arrays are summed lazily with ``dask.array.reduction``, by the same function.
"""

import functools

import numpy as np


def is_dask(value):
    return type(value).__module__.split(".")[0] == "dask"


def _sum(x, axis, keepdims, acc, to=None):
    with np.errstate(all="ignore"):
        s = np.sum(x, axis=axis, dtype=acc, keepdims=keepdims)
        return s if to is None else s.astype(to)


def sum_over(x, axes, dtype):
    """x (an ndarray or a dask array of dtype) summed over axes, as dtype (a NumPy
    scalar when every axis is summed, as ndarray.sum gives)."""
    dtype = np.dtype(dtype)
    acc = np.dtype(np.float64) if dtype.itemsize < 4 else dtype
    if is_dask(x):
        import dask.array as da
        return da.reduction(x, functools.partial(_sum, acc=acc),
                            functools.partial(_sum, acc=acc, to=dtype),
                            combine=functools.partial(_sum, acc=acc), axis=axes,
                            dtype=dtype, concatenate=True)
    return _sum(x, axes, False, acc, dtype)


def sum_to(full, shape, dtype):
    """full summed over the dimensions that broadcasting added or stretched, to shape."""
    lead = full.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and full.shape[lead + i] != 1)
    s = sum_over(full, axes, dtype)
    return (s if is_dask(s) else np.asarray(s)).reshape(shape)


def dask_pair(ufunc, values, dtype):
    """The two results of a ufunc with three inputs and two outputs (a gated backward) on
    dask operands, lazily: every operand cast to dtype first, so that the ufunc picks the
    loop signature=(dtype,) * 5 would.  allow_rechunk lets operands of different chunks
    meet (the core dimensions that it would otherwise gather into one chunk are none)."""
    import dask.array as da
    values = [v.astype(dtype) if is_dask(v) else np.asarray(v, dtype) for v in values]
    return da.apply_gufunc(ufunc, "(),(),()->(),()", *values, output_dtypes=(dtype, dtype),
                           allow_rechunk=True)
