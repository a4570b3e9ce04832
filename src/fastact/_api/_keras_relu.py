"""``keras_relu``: Keras' relu(x, negative_slope, max_value, threshold) in one call."""

import math

import numpy as np

from . import _dask
from ._checks import _PY_SCALARS
from ._functions import Function, _finish, _floats, _with


class KerasReLU(Function):
    """keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0): Keras' relu.

    ``keras.activations.relu(x, negative_slope, max_value, threshold)`` (Keras 3, and
    ``tf.keras.activations.relu``'s ``alpha`` is ``negative_slope``)::

        max_value                   where x >= max_value
        x                           where threshold < x < max_value
        negative_slope * (x - threshold)  where x <= threshold

    computed as Keras computes it: ``clip(x if x > threshold else 0, 0, max_value)`` (no
    clip without max_value) ``- negative_slope * max(threshold - x, 0)``.  So, as in
    Keras: x = threshold gives 0 (not threshold), and with a negative threshold and a
    max_value, x in (threshold, 0) gives 0.  The defaults are relu;
    ``keras_relu(x, max_value=6.0)`` is relu6, ``keras_relu(x, negative_slope=a)`` is
    leaky_relu(x, a), ``keras_relu(x, threshold=t)`` for t >= 0 is threshold(x, t, 0).
    negative_slope and max_value must be >= 0 and finite (Keras' ReLU layer's rule) and
    threshold finite; max_value=None (or inf) means no cap.  NaN gives NaN; x = -inf
    gives the limit (Keras gives NaN there for a nonzero threshold: -inf * 0).

    ``keras_relu.derivative(x, ...)`` is negative_slope where x <= threshold (at the
    threshold too: PyTorch's leaky_relu'(0) and relu'(0) conventions), 1 where
    threshold < x < max_value (and 0 < x when a max_value clips at 0 too), 0 elsewhere
    (at max_value: 0, as PyTorch's relu6'(6)); ``keras_relu.backward(g, x, ...)`` is g
    times it.
    """

    name = "keras_relu"

    def _params(self, fname, negative_slope, max_value, threshold):
        vals = []
        for what, v, lo in (("negative_slope", negative_slope, 0.0),
                            ("max_value", max_value, 0.0), ("threshold", threshold, None)):
            if what == "max_value" and v is None:
                vals.append(None)
                continue
            if type(v) not in _PY_SCALARS and not (isinstance(v, (np.generic, np.ndarray))
                                                   and np.ndim(v) == 0
                                                   and v.dtype.kind in "biuf"):
                raise TypeError(f"fastact.{fname}: {what} must be a real number, got "
                                f"{type(v).__name__}")
            c = float(v)
            if math.isnan(c) or (math.isinf(c) and not (what == "max_value" and c > 0)):
                raise ValueError(f"fastact.{fname}: {what} must be finite, got {c!r}")
            if lo is not None and c < lo:
                raise ValueError(f"fastact.{fname}: {what} must be >= 0, got {c!r}")
            vals.append(None if math.isinf(c) else c)
        return vals

    def _pieces(self, fname, x, negative_slope, max_value, threshold):
        ns, mv, th = self._params(fname, negative_slope, max_value, threshold)
        a, dt = _floats(fname, "x", x)
        return a, dt, ns, mv, th

    def __call__(self, x, negative_slope=0.0, max_value=None, threshold=0.0, *, out=None):
        fname = self.name
        if _dask.any_dask(x):
            return _dask.elementwise(fname, self, {"x": x}, out, negative_slope=negative_slope,
                                     max_value=max_value, threshold=threshold)
        a, dt, ns, mv, th = self._pieces(fname, x, negative_slope, max_value, threshold)
        with np.errstate(all="ignore"):      # inf - inf, 0 * inf: NaN only from NaN below
            pos = np.where(a > th, a, 0)
            if mv is not None:
                pos = np.clip(pos, 0, mv)
            res = pos - ns * np.maximum(th - a, 0) if ns else pos
        res = np.where(np.isnan(a), a, res)   # NaN in, NaN out (where(NaN > th) gives 0)
        return _finish(fname, np.asarray(res, a.dtype), dt, out)

    def derivative(self, x, negative_slope=0.0, max_value=None, threshold=0.0, *, out=None):
        fname = self.name + ".derivative"
        if _dask.any_dask(x):
            return _dask.elementwise(fname, self.derivative, {"x": x}, out,
                                     negative_slope=negative_slope, max_value=max_value,
                                     threshold=threshold)
        a, dt, ns, mv, th = self._pieces(fname, x, negative_slope, max_value, threshold)
        ones = a > th if mv is None else (a > th) & (a > 0) & (a < mv)
        res = np.where(ones, 1.0, np.where(a <= th, ns, 0.0)).astype(a.dtype)
        res = np.where(np.isnan(a), a, res)
        return _finish(fname, np.asarray(res, a.dtype), dt, out)

    def backward(self, grad_output, x, negative_slope=0.0, max_value=None, threshold=0.0, *,
                 out=None):
        fname = self.name + ".backward"
        if _dask.any_dask(grad_output, x):
            return _dask.elementwise(fname, self.backward, {"grad_output": grad_output, "x": x},
                                     out, negative_slope=negative_slope, max_value=max_value,
                                     threshold=threshold)
        g, gdt = _floats(fname, "grad_output", grad_output)
        a, dt, ns, mv, th = self._pieces(fname, x, negative_slope, max_value, threshold)
        dt = _with(grad_output, gdt, dt)
        try:
            np.broadcast_shapes(g.shape, a.shape)
        except ValueError:
            raise ValueError(f"fastact.{fname}: the shapes of grad_output {g.shape} and x "
                             f"{a.shape} do not broadcast together") from None
        d = self.derivative(a, negative_slope, max_value, threshold)
        with np.errstate(all="ignore"):       # an infinite g times 0 is NaN, silently
            res = np.multiply(g, d, dtype=np.promote_types(g.dtype, a.dtype))
        return _finish(fname, np.asarray(res), dt, out)


keras_relu = KerasReLU()
keras_relu.__doc__ = KerasReLU.__doc__
