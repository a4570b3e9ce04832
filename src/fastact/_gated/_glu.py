"""``GLU``: glu(x, axis=-1), a * sigmoid(b) of x's two halves along axis (PyTorch's
F.glu), and its backward into both halves.
"""

import operator

import numpy as np
from numpy.exceptions import AxisError

from .. import reference
from .._api import _activation
from .._api._checks import _cast, _check_out, _real, _result_dtype
from .._api._ufunc_call import _run_ufunc
from .._dispatch import UFUNCS
from .._sums import dask_pair
from ._backward_checks import _is_lazy
from ._docstrings import _glu_doc


class GLU:
    """glu(x, axis=-1): a * sigmoid(b), (a, b) the halves of x along axis."""

    has_derivative = False
    has_from_output = False

    def __init__(self, spec):
        self.info = spec
        self.name = spec.name
        self.params = spec.params
        self.reference = reference.GATED[spec.name]
        self._kernel = "gated_" + spec.gate
        self.__doc__ = _glu_doc(spec, self.reference)

    def __repr__(self):
        return f"<fastact.{self.name}(x, axis=-1)>"

    def __reduce__(self):
        return _activation, (self.name,)

    def _halves(self, fname, x, axis):
        """x as an ndarray of its result dtype, the axis normalized, and the index tuples
        of its two halves."""
        x = _real(fname, "x", x)
        dtype = _result_dtype([x])
        try:
            axis = operator.index(axis)
        except TypeError:
            raise TypeError(f"fastact.{fname}: axis must be an integer, got {axis!r}") from None
        x = _cast(x, dtype)         # a dask array lazily
        if x.ndim == 0:
            raise ValueError(f"fastact.{fname}: x must have at least one dimension (glu "
                             "halves it along axis), got a 0-d array")
        if not -x.ndim <= axis < x.ndim:
            raise AxisError(f"fastact.{fname}: axis {axis} is out of bounds for array of "
                            f"dimension {x.ndim}")
        axis %= x.ndim
        n = x.shape[axis]
        if n % 2:
            raise ValueError(f"fastact.{fname}: x has length {n} along axis {axis}, which "
                             "is odd: glu splits it into two halves")
        first = [slice(None)] * x.ndim
        second = list(first)
        first[axis], second[axis] = slice(0, n // 2), slice(n // 2, n)
        return x, axis, tuple(first), tuple(second)

    def __call__(self, x, axis=-1, *, out=None):
        x, axis, first, second = self._halves(self.name, x, axis)
        # sigmoid(u) * v with (u, v) = (b, a)
        return _run_ufunc(self.name, UFUNCS[self._kernel], [("x", x[second]), ("x", x[first])],
                     [], out)

    def backward(self, grad_output, x, axis=-1, *, out=None):
        fname = self.name + ".backward"
        g = _real(fname, "grad_output", grad_output)
        x, axis, first, second = self._halves(fname, x, axis)
        lazy = _is_lazy(fname, [g, x], out)
        dtype = _result_dtype([g, x])
        half = x[first].shape
        try:
            ok = np.broadcast_shapes(np.shape(g), half) == half
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"fastact.{fname}: grad_output has shape {np.shape(g)}, but "
                             f"glu's output has shape {half}")
        if lazy:
            import dask.array as da
            grads = dask_pair(UFUNCS[self._kernel + "_backward"], [g, x[second], x[first]],
                              dtype)
            return da.concatenate(grads[::-1], axis=axis)
        _check_out(fname, out, dtype)
        if out is not None and out.shape != x.shape:
            raise ValueError(f"fastact.{fname}: out has shape {out.shape}, but x has shape "
                             f"{x.shape}")
        dx = np.empty(x.shape, dtype) if out is None else out
        # (d/du, d/dv) of sigmoid(u) * v, u = b and v = a: into dx's second and first half
        UFUNCS[self._kernel + "_backward"](g, x[second], x[first],
                                           out=(dx[second], dx[first]),
                                           signature=(dtype,) * 5)
        return dx


def _refuse_dim(fn):
    """fn, refusing PyTorch's dim= with a pointer to axis (glu's methods)."""
    def method(self, *args, **kwargs):
        if "dim" in kwargs:
            name = self.name if fn.__name__ == "__call__" else f"{self.name}.{fn.__name__}"
            raise TypeError(f"fastact.{name}: no argument 'dim': fastact's name for "
                            f"PyTorch's dim is axis (NumPy's name)")
        return fn(self, *args, **kwargs)
    for attr in ("__name__", "__qualname__", "__doc__", "__module__", "__signature__"):
        setattr(method, attr, getattr(fn, attr))
    method.__wrapped__ = fn
    return method
