"""The argument checks every loss runs before any kernel: arrays, dtypes, reductions,
class axes and indices, weights, grad_output."""

import math
import operator

import numpy as np
from numpy.exceptions import AxisError

from .._api._checks import _is_duck, _is_float, _real


_REDUCTIONS = ("mean", "sum", "none")
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_INT64 = np.iinfo(np.int64)


# ---- argument checks (every one runs before any kernel) ---------------------------------

def _array(fname, what, value, bool_ok=False):
    """value as an ndarray of real numbers (TypeError naming fname and what otherwise;
    bools too, as PyTorch refuses them, unless bool_ok)."""
    if type(value) is np.ndarray and value.dtype.kind in "iuf" and value.dtype.itemsize <= 8:
        return value          # the common case, without the general checks' microseconds
    if _is_duck(value):
        # np.asarray would compute a dask array here, silently and whole
        raise TypeError(f"fastact.{fname}: {what} is a {type(value).__module__}."
                        f"{type(value).__name__}; the losses take NumPy arrays (for a dask "
                        f"array, .compute() it first)")
    a = np.asarray(_real(fname, what, value))
    if a.dtype.kind == "b" and not bool_ok:
        raise TypeError(f"fastact.{fname}: {what} must be numbers, got dtype bool (convert "
                        f"with .astype(float))")
    return a


def _dtypes(fname, logits, what="logits"):
    """(the logits (the argument `what`) as an array in native byte order, the dtype the
    kernels compute in, the result's dtype): float32 and float64 as they are, float16 and
    bfloat16 computed in float32 and returned in their own dtype, integers and bool in
    float64 (the activations' rules)."""
    x = _array(fname, what, logits, bool_ok=True)
    if not x.dtype.isnative:                 # byte-swapped: the kernels read native only
        x = x.astype(x.dtype.newbyteorder("="))
    if x.dtype.itemsize == 2 and _is_float(x.dtype):
        return x, _F32, x.dtype
    dt = x.dtype if x.dtype.kind == "f" else _F64
    return x, dt, dt


def _reduction(fname, reduction):
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"fastact.{fname}: reduction must be 'mean', 'sum' or 'none', "
                         f"got {reduction!r}")
    return reduction


def _number(fname, what, value):
    """A real scalar as a float: Python or NumPy ints and floats (0-d arrays too);
    strings, bytes, bools and arrays are TypeError (float('0.1') and True would pass)."""
    if type(value) in (int, float):
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"fastact.{fname}: {what} is out of float64's range") from None
    if not isinstance(value, (str, bytes, np.bool_)):
        try:
            a = np.asarray(value)
        except Exception:
            a = None
        if a is not None and a.ndim == 0 and (a.dtype.kind in "iuf" or _is_float(a.dtype)):
            return float(a)
    raise TypeError(f"fastact.{fname}: {what} must be a real number, got "
                    f"{type(value).__name__}")


def _integer(fname, what, value):
    """An integer as a Python int (bools are TypeError, as in PyTorch)."""
    if type(value) is int:
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"fastact.{fname}: {what} must be an integer, got bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"fastact.{fname}: {what} must be an integer, got "
                        f"{type(value).__name__}") from None


def _class_axis(fname, what, x, axis):
    """(axis as a non-negative int, C its length): x (the argument `what`) must have it."""
    if x.ndim == 0:
        raise ValueError(f"fastact.{fname}: {what} must have a class axis (at least 1-D), "
                         f"got a 0-d array")
    axis = _integer(fname, "axis", axis)
    if not -x.ndim <= axis < x.ndim:
        raise AxisError(f"fastact.{fname}: axis {axis} is out of bounds for {what} of "
                        f"{x.ndim} dimensions")
    axis %= x.ndim
    C = x.shape[axis]
    if C == 0:
        verb = "have" if what.endswith("s") else "has"
        raise ValueError(f"fastact.{fname}: {what} {verb} no classes (axis {axis} has "
                         f"length 0)")
    return axis, C


def _ignore_index(fname, ignore_index):
    ignore_index = _integer(fname, "ignore_index", ignore_index)
    if not _INT64.min <= ignore_index <= _INT64.max:
        raise ValueError(f"fastact.{fname}: ignore_index={ignore_index} is out of int64's "
                         f"range")
    return ignore_index


def _owner(what):
    return what + ("'" if what.endswith("s") else "'s")


def _class_indices(fname, what, t, row_shape, axis, C, ignore_index):
    """Checks integer targets t: the shape of `what` without the class axis, each a class
    index in [0, C) or ignore_index."""
    if t.shape != row_shape:
        raise ValueError(f"fastact.{fname}: target of class indices must have the "
                         f"{_owner(what)} shape without the class axis (axis {axis}), "
                         f"{row_shape}, got {t.shape}")
    kept = t != ignore_index
    bad = kept & ((t < 0) | (t >= C))
    if bad.any():
        where = tuple(int(i[0]) for i in np.nonzero(bad))
        raise IndexError(f"fastact.{fname}: target[{', '.join(map(str, where))}] = "
                         f"{t[where]} is not a class index in [0, {C}) and not "
                         f"ignore_index={ignore_index}")


def _class_weight(fname, weight, C):
    """weight, checked to be (C,) real numbers (converted by _ce_rows, when there are
    rows to compute)."""
    w = _array(fname, "weight", weight)
    if w.shape != (C,):
        raise ValueError(f"fastact.{fname}: weight must have shape ({C},), one per class "
                         f"(the logits' axis), got shape {w.shape}")
    return w


def _bce_weight(fname, what, value, shape, dtype):
    """value as float64 (rounded to the data's dtype first), with the leading axes of
    length 1 dropped; it must broadcast to shape without enlarging it."""
    w = _array(fname, what, value)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"fastact.{fname}: {what} of shape {w.shape} does not broadcast to "
                         f"the logits' shape {shape}")
    lead = 0
    while lead < w.ndim and w.shape[lead] == 1:
        lead += 1
    with np.errstate(all="ignore"):
        return w.astype(dtype).astype(np.float64).reshape(w.shape[lead:])


def _grad_output(fname, value, shape, dtype):
    """backward's grad_output as float64 of the loss's shape (rounded to the loss's dtype
    first, as PyTorch's would be): a scalar for 'mean' and 'sum', else an array that
    broadcasts to the loss's shape without enlarging it."""
    g = _array(fname, "grad_output", value)
    try:
        ok = np.broadcast_shapes(g.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        want = "a scalar (reduction 'mean' or 'sum')" if shape == () else f"shape {shape}"
        raise ValueError(f"fastact.{fname}: grad_output must have the loss's shape, {want}, "
                         f"got shape {g.shape}")
    with np.errstate(all="ignore"):
        return np.broadcast_to(g.astype(dtype).astype(np.float64), shape)


def _unexpected(fname, kwargs, axis_hint):
    """The TypeError Python gives for an unknown keyword, naming fastact's function, with
    the way to PyTorch's dim."""
    name = next(iter(kwargs))
    msg = f"fastact.{fname}() got an unexpected keyword argument {name!r}"
    if name == "dim":
        msg += (": fastact's name for PyTorch's dim is axis (NumPy's name); " + axis_hint)
    return TypeError(msg)


_CE_AXIS = "pass axis=1 for PyTorch's class dimension 1 (the default is axis=-1)"
_BCE_AXIS = "this loss is elementwise and takes no axis"


def _scalar(value, dtype):
    if not abs(value) > 65504.0:              # (NaN too) no overflow: no errstate, 2 us
        return dtype.type(value)
    with np.errstate(all="ignore"):           # a sum beyond float16's range is inf
        return dtype.type(value)


def _cast(a, dtype):
    """a as dtype (the double results rounded to float32 or float16): a value beyond the
    dtype's range is inf without a warning, as the kernels' own stores give it."""
    with np.errstate(all="ignore"):
        return np.asarray(a, dtype=dtype, order="C")


def _finish(mode, value, grad, shape, dtype, elementwise, want_grad):
    """An elementwise loss call's result from the kernels' float64 value (array or sum)
    and gradient: in x's shape and the output dtype, 0-d as scalars; the gradient alone
    for mode 'backward', (value, gradient) when want_grad, else the value."""
    if mode != "backward":
        if elementwise:
            value = _cast(value.reshape(shape), dtype)
            value = value[()] if value.ndim == 0 else value
        else:
            value = _scalar(value, dtype)
        if not want_grad:
            return value
    grad = _cast(grad.reshape(shape), dtype)
    grad = grad[()] if grad.ndim == 0 else grad
    return grad if mode == "backward" else (value, grad)


def _empty_value(reduction, shape, dtype):
    """The loss of no rows, as PyTorch: NaN for 'mean', 0 for 'sum'."""
    if reduction == "none":
        return np.empty(shape, dtype)
    return _scalar(math.nan if reduction == "mean" else 0.0, dtype)
