"""``Softmax``: softmax, log_softmax and softmin along an axis, a tuple of axes or all,
with JAX's where= mask, as generalized ufuncs.
"""

import numpy as np

from .._dispatch import UFUNCS
from .._fastpath import FastAxis
from ._base import Activation
from ._checks import (_cast, _check_out, _is_duck, _is_float, _real, _result_dtype,
                      _ufunc_error)
from ._functions import _axis_list
from ._ufunc_call import _run_ufunc


class Softmax(Activation, FastAxis):
    """softmax / softmin / log_softmax along an axis (default the last), as generalized
    ufuncs.

    ``axis`` is an integer, a tuple of integers (the row is every element along those
    axes, as SciPy's and Keras's softmax allow) or None (every element).  ``where`` (JAX's
    name) is a boolean mask broadcast to x: masked-out entries give 0 (-inf for
    log_softmax) and are left out of the normalisation; a fully masked row is an all
    -inf row (0 everywhere; -inf for log_softmax).  ``backward(grad_output, x, axis=-1,
    where=None)`` takes the input x, as every activation's backward does, and returns the
    vector-Jacobian product along the axis (0 at masked-out entries);
    ``backward_from_output(grad_output, y, ...)`` takes the forward's output y instead
    (no forward recomputed).  A 0-d input is one row of one element.
    """

    # Along the last axis, float32 or float64 ndarrays go to the ufunc from C (FastAxis);
    # these methods are the general path.
    _FAST_METHODS = ("backward", "backward_from_output")

    def __init__(self, spec):
        super().__init__(spec)
        # FastAxis runs the backward from x as the forward, then the from-output ufunc
        self._setup([UFUNCS[spec.kernel], None, None, None, UFUNCS[spec.kernel + "_backward"]],
                    spec.params)

    def _axes(self, fname, axis, ndim):
        """axis as an int, or a tuple of distinct non-negative axes (None: all of them)."""
        out = _axis_list(fname, axis, ndim)
        if not out:
            raise ValueError(f"fastact.{fname}: axis is an empty tuple")
        return tuple(out) if len(out) > 1 else out[0]

    def _mask(self, fname, where, shape):
        if where is None:
            return None
        w = np.asarray(where)
        if w.dtype != np.bool_:
            raise TypeError(f"fastact.{fname}: where must be booleans, got dtype {w.dtype}")
        try:
            return np.broadcast_to(w, shape)
        except ValueError:
            raise ValueError(f"fastact.{fname}: where has shape {w.shape}, which does not "
                             f"broadcast to the input's shape {shape}") from None

    def _axis_call(self, method, ufunc, data, axis, out, where=None):
        fname = self._fname(method)
        if where is not None and _where_direct(data, axis, where):
            # the common masked call (attention: float arrays of one shape, a boolean mask
            # that broadcasts to them, the last axis) straight to the where= kernel, which
            # broadcasts the mask itself (np.broadcast_to alone costs more than a small call)
            return _call(fname, UFUNCS[ufunc.__name__ + "_where"], data, out, where,
                         axis=-1)
        data = [(what, _real(fname, what, v)) for what, v in data]
        if out is not None and not isinstance(out, np.ndarray):
            raise TypeError(f"fastact.{fname}: out must be a numpy.ndarray, "
                            f"got {type(out).__name__}")
        if len(data) == 2 and np.shape(data[0][1]) != np.shape(data[1][1]):
            # grad_output and y broadcast against each other, as in every other backward
            # (the generalized ufunc alone would refuse a grad_output without the axis).
            dt = _result_dtype([v for _, v in data])      # before a Python scalar turns strong
            try:
                g, y = np.broadcast_arrays(_cast(data[0][1], dt), _cast(data[1][1], dt))
            except ValueError as exc:
                raise _ufunc_error(fname, exc, data) from None
            data = [(data[0][0], g), (data[1][0], y)]
        shape = np.shape(data[0][1])
        axis = self._axes(fname, axis, len(shape))
        mask = self._mask(fname, where, shape)
        if mask is not None:
            dt = _result_dtype([v for _, v in data])
            if dt.itemsize >= 4 and not any(_is_duck(v) for _, v in data):
                # float32 and float64: the where= kernels (NAME_where, NAME_backward_where)
                # take the mask as an operand (a broadcast one is not copied) and give the
                # numbers of the code below in one pass over the data
                data = [(what, _cast(v, dt)) for what, v in data]
                return self._rows(fname, UFUNCS[ufunc.__name__ + "_where"], data, axis, out,
                                  mask)
            # Masked-out entries leave the row: the forward sees them as the value whose
            # weight is exactly 0 (-inf for softmax and log_softmax, +inf for softmin: the
            # record's sign); the backward sees a zero grad_output there.
            dt = _result_dtype([v for _, v in data])
            fill = -self.info.accuracy.sign * np.inf if len(data) == 1 else 0
            first = _cast(data[0][1], dt)
            data = [(data[0][0], np.where(mask, first, np.asarray(fill, dt)))] + data[1:]
        res = self._rows(fname, ufunc, data, axis, out)
        if mask is not None and len(data) == 2:          # 0 there, whatever y holds
            if isinstance(res, np.ndarray):
                np.copyto(res, 0, where=~mask)
            elif not mask[()]:
                res = res.dtype.type(0)
        return res

    def _rows(self, fname, ufunc, data, axis, out, mask=None):
        # mask: a where= ufunc's boolean operand, after data
        if isinstance(axis, tuple):
            # the row is every element along these axes: they go last, merged into one
            shape = np.shape(data[0][1])
            dt = _result_dtype([v for _, v in data])
            _check_out(fname, out, dt)
            if out is not None and out.shape != shape:
                raise ValueError(f"fastact.{fname}: out has shape {out.shape}, which does "
                                 f"not match the result's shape {shape}")
            last = tuple(range(len(shape) - len(axis), len(shape)))
            moved = [np.moveaxis(_cast(v, dt), axis, last) for _, v in data]
            flat = [(what, m.reshape(m.shape[:len(shape) - len(axis)] + (-1,)))
                    for (what, _), m in zip(data, moved)]
            if mask is not None:
                mask = np.moveaxis(mask, axis, last)
                mask = mask.reshape(mask.shape[:len(shape) - len(axis)] + (-1,))
            res = _call(fname, ufunc, flat, None, mask, axis=-1)
            res = np.moveaxis(res.reshape(moved[0].shape), last, axis)
            if out is None:
                return np.ascontiguousarray(res)
            np.copyto(out, res)
            return out
        if all(np.ndim(v) == 0 for _, v in data):
            # One row of one element: run it as shape (1,), hand back a 0-d result.
            data = [(what, np.reshape(v, (1,))) for what, v in data]
            if out is not None and out.size != 1:
                raise ValueError(f"fastact.{fname}: out has shape {out.shape}, which does "
                                 f"not match the result's shape ()")
            res = _call(fname, ufunc, data, None if out is None else out.reshape(1),
                        None if mask is None else np.reshape(mask, (1,)), axis=0)
            if out is not None:
                return out
            return res[0]
        return _call(fname, ufunc, data, out, mask, axis=axis)

    def _general_call(self, x, axis=-1, *, where=None, dtype=None, out=None, **kwargs):
        _no_dim(self.name, kwargs)
        if dtype is not None:       # PyTorch's dtype: x cast to it first, computed in it
            x = _as_dtype(self.name, x, dtype)
        return self._axis_call("forward", UFUNCS[self.info.kernel], [("x", x)], axis, out,
                               where)

    def backward(self, grad_output, x, axis=-1, *, where=None, out=None, **kwargs):
        _no_dim(self.name + ".backward", kwargs)
        fname = self.name + ".backward"
        g = _real(fname, "grad_output", grad_output)
        x = _real(fname, "x", x)
        if out is not None:
            _check_out(fname, out, _result_dtype([g, x]))
        # y = f(x) first (a temporary; masked-out entries as the forward gives them),
        # then the from-output kernel: the same numbers as backward_from_output(g, f(x)).
        # The errors name the backward, and grad_output's shape is checked before the
        # forward runs (nothing is computed for a call that will fail).
        try:
            shape = np.broadcast_shapes(np.shape(g), np.shape(x))
        except ValueError as exc:
            raise _ufunc_error(fname, exc, [("grad_output", g), ("x", x)]) from None
        self._axes(fname, axis, len(shape))
        if where is not None:
            self._mask(fname, where, shape)
        y = self._axis_call("backward", UFUNCS[self.info.kernel], [("x", x)], axis, None,
                            where)
        return self._axis_call("backward", UFUNCS[self.info.kernel + "_backward"],
                               [("grad_output", g), ("x", y)], axis, out, where)

    def backward_from_output(self, grad_output, y, axis=-1, *, where=None, out=None,
                             **kwargs):
        _no_dim(self.name + ".backward_from_output", kwargs)
        return self._axis_call("backward_from_output", UFUNCS[self.info.kernel + "_backward"],
                               [("grad_output", grad_output), ("y", y)], axis, out, where)


def _where_direct(data, axis, where):
    """Whether a where= call can go to the where= kernel as it is: data native float32 or
    float64 ndarrays of one dtype and shape (ndim >= 1), axis the last, where a boolean
    ndarray whose shape broadcasts to theirs with the axis itself not broadcast (a gufunc's
    core dimension does not).  Anything else takes the general path, which checks it and
    says what is wrong.  (Identity tests: the native dtypes are NumPy's singletons.)"""
    x = data[0][1]
    if type(x) is not np.ndarray or type(where) is not np.ndarray or \
            where.dtype is not _BOOL or (x.dtype is not _F32 and x.dtype is not _F64):
        return False
    shape = x.shape
    if not shape or (axis != -1 and axis != len(shape) - 1) or type(axis) is not int:
        return False
    for _, v in data[1:]:
        if type(v) is not np.ndarray or v.dtype is not x.dtype or v.shape != shape:
            return False
    ws = where.shape
    if ws == shape[len(shape) - len(ws):]:
        return len(ws) > 0
    if not ws or ws[-1] != shape[-1] or len(ws) > len(shape):
        return False
    return all(a == 1 or a == b for a, b in zip(ws, shape[len(shape) - len(ws):]))


_BOOL, _F32, _F64 = np.dtype(np.bool_), np.dtype(np.float32), np.dtype(np.float64)


def _call(fname, ufunc, data, out, mask, **kwargs):
    """_run_ufunc, or with a where= ufunc's mask (data already of one float dtype) the
    ufunc itself, its errors named as _run_ufunc's."""
    if mask is None:
        return _run_ufunc(fname, ufunc, data, [], out, **kwargs)
    _check_out(fname, out, data[0][1].dtype)
    try:
        return ufunc(*[v for _, v in data], mask, out=out, **kwargs)
    except (TypeError, ValueError) as exc:
        raise _ufunc_error(fname, exc, data, out) from None


def _as_dtype(fname, x, dtype):
    """x cast to dtype, a floating dtype (the result's dtype)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"fastact.{fname}: dtype must be a floating dtype, got "
                        f"{dtype!r}") from None
    if not _is_float(dt) or dt.kind == "c":
        raise TypeError(f"fastact.{fname}: dtype must be a floating dtype, got {dt}")
    x = _real(fname, "x", x)
    with np.errstate(all="ignore"):     # a value beyond a narrower dtype becomes inf
        return x.astype(dt) if hasattr(x, "astype") else np.asarray(x, dtype=dt)


def _no_dim(fname, kwargs):
    """Keywords a method does not take: PyTorch's dim gets a pointer to axis (NumPy's
    name), the others Python's own message."""
    if "dim" in kwargs:
        raise TypeError(f"fastact.{fname}: no argument 'dim': fastact's name for PyTorch's "
                        f"dim is axis (NumPy's name)")
    if kwargs:
        raise TypeError(f"fastact.{fname}() got an unexpected keyword argument "
                        f"{next(iter(kwargs))!r}")
