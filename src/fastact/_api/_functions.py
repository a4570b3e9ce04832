"""The base of fastact's functions that are not activation records (keras_relu,
logsumexp, sparsemax): NumPy compositions, with the API's rules (the errors
name fastact.<name> and the argument, integers and bool compute in float64, NaN in gives
NaN out, no floating-point warning) and pickling by name.
"""

import operator

import numpy as np
from numpy.exceptions import AxisError

from ._checks import _F32, _F64, _PY_SCALARS, _check_out, _real, _result_dtype


class Function:
    """A fastact function with its methods (forward as the call, backward, ...)."""

    name = ""

    def __repr__(self):
        return f"fastact.{self.name}"

    def __reduce__(self):
        return (_function, (self.name,))


def _function(name):
    """fastact.<name> of this process (what a pickled Function unpickles to)."""
    import fastact
    return getattr(fastact, name)


def _floats(fname, what, value, dtype=None):
    """value as an ndarray of its floating dtype (integers and bool: float64), and the
    dtype it computes in: float16 and bfloat16 in float32 (rounded once at the end)."""
    v = _real(fname, what, value)
    dt = _result_dtype([v]) if dtype is None else dtype
    a = np.asarray(v, dtype=dt)
    work = dt if dt in (_F32, _F64) else _F32
    return a.astype(work, copy=False), dt


def _with(value, dt, other):
    """The result's dtype of an operand (value, of dtype dt as _floats gives it) with an
    operand of dtype other: NumPy's promotion, a Python scalar weak (keras_relu.backward(
    2.0, float32 x) is float32, as the activations' backward)."""
    return _result_dtype([value if type(value) in _PY_SCALARS else np.empty(0, dt),
                          np.empty(0, other)])


def _finish(fname, res, dtype, out):
    """res rounded to dtype, written into out if given (checked first); a 0-d result as a
    NumPy scalar, as the ufuncs give it."""
    _check_out(fname, out, dtype)
    if out is not None:
        if out.shape != res.shape:
            raise ValueError(f"fastact.{fname}: out has shape {out.shape}, which does not "
                             f"match the result's shape {res.shape}")
        with np.errstate(all="ignore"):        # float16: a value beyond it becomes inf
            np.copyto(out, res, casting="unsafe")
        return out
    with np.errstate(all="ignore"):
        res = res.astype(dtype, copy=False)
    return res[()] if res.ndim == 0 else res


def _axis_list(fname, axis, ndim, tuples=True):
    """axis as a list of distinct non-negative axes, in the order given: an integer or,
    with tuples (softmax, logsumexp), a tuple of integers or None (every axis).  A 0-d
    array is one row of one element (axes 0 and -1), as softmax and SciPy's logsumexp
    treat it.  The one parser of the axis argument of softmax, logsumexp and sparsemax."""
    ndim = max(ndim, 1)
    many = tuples and (axis is None or isinstance(axis, tuple))
    axes = tuple(range(ndim)) if axis is None and many else axis if many else (axis,)
    out = []
    for a in axes:
        try:
            a = operator.index(a)
        except TypeError:
            kinds = "an integer, a tuple of integers or None" if tuples else "an integer"
            raise TypeError(f"fastact.{fname}: axis must be {kinds}, got {axis!r}") from None
        # checked here: NumPy's own check fails with OverflowError beyond a C long
        if not -ndim <= a < ndim:
            raise AxisError(f"fastact.{fname}: axis {a} is out of bounds for array of "
                            f"dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"fastact.{fname}: axis {axis!r} repeats an axis")
    return out
