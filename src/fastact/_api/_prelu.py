"""``PReLU``: prelu(x, weight), one slope or one per channel, and its weight's gradient."""

import numpy as np

from .._dispatch import UFUNCS
from .._fastpath import FastCall
from .._sums import sum_over
from ._base import Activation
from ._checks import (_PY_SCALARS, _cast, _check_out, _is_duck, _real, _result_dtype,
                      _ufunc_error)
from ._ufunc_call import _run_ufunc


class PReLU(Activation, FastCall):
    """prelu(x, weight): leaky ReLU with a learned slope, one per channel on axis 1.

    ``weight`` is one slope (a scalar or one element), a 1-d array with one slope per
    channel, the channels being axis 1 of x (as torch.nn.functional.prelu), or an array of
    2 or more dimensions that broadcasts to x's shape NumPy-style (as ONNX's PRelu's
    slope; ONNX's 1-d slope along x's last axis is then written ``slope[None, :]``).
    ``backward`` returns grad_weight of the weight's shape, summed over the axes it was
    broadcast along.
    """

    # A scalar weight (Python's or NumPy's, or a 0-d array) makes the forward and
    # derivative leaky_relu's calls: the compiled fast path (FastCall) takes them;
    # _general_call is the forward's general path.
    _FAST_METHODS = ("derivative",)

    def __init__(self, spec):
        super().__init__(spec)
        self._setup([UFUNCS[spec.kernel], UFUNCS[spec.kernel + "_derivative"], None, None,
                     None], spec.params)

    def _weight(self, method, x, weight):
        """The weight as the ufunc takes it (broadcasting to x's shape), and its shape."""
        w = _real(self._fname(method), "weight", weight)
        if type(w) in _PY_SCALARS:
            return w, ()            # checked as a Python scalar: the cheap path
        w = w if _is_duck(w) else np.asarray(w)
        if w.size == 1:
            return w.reshape(()), w.shape
        shape = np.shape(x)
        if w.ndim >= 2:
            # ONNX's PRelu: the slope broadcasts to x NumPy-style (unidirectionally: the
            # result keeps x's shape)
            try:
                ok = np.broadcast_shapes(w.shape, shape) == shape
            except ValueError:
                ok = False
            if ok:
                return w, w.shape
            raise ValueError(
                f"fastact.{self._fname(method)}: weight of shape {w.shape} does not "
                f"broadcast to x's shape {shape}")
        if w.ndim != 1 or len(shape) < 2 or shape[1] != w.shape[0]:
            raise ValueError(
                f"fastact.{self._fname(method)}: weight must have 1 element, one per channel "
                f"(axis 1 of x) or 2 or more dimensions that broadcast to x; got weight "
                f"shape {w.shape} for x shape {shape}")
        return w.reshape((-1,) + (1,) * (len(shape) - 2)), w.shape

    def _general_call(self, x, weight=0.25, *, out=None):
        x = _real(self.name, "x", x)
        w, _ = self._weight("forward", x, weight)
        return _run_ufunc(self.name, UFUNCS[self.info.kernel], [("x", x)],
                          [(self.params[0], w)], out)

    def derivative(self, x, weight=0.25, *, out=None):
        x = _real(self.name + ".derivative", "x", x)
        w, _ = self._weight("derivative", x, weight)
        return _run_ufunc(self.name + ".derivative", UFUNCS[self.info.kernel + "_derivative"],
                          [("x", x)], [(self.params[0], w)], out)

    def backward(self, grad_output, x, weight=0.25, *, out=None):
        """Returns (grad_x, grad_weight); grad_weight has the weight's shape."""
        fname = self.name + ".backward"
        g = _real(fname, "grad_output", grad_output)
        x = _real(fname, "x", x)
        w, wshape = self._weight("backward", x, weight)
        dtype = _result_dtype([g, x])
        _check_out(fname, out, dtype)
        try:
            shape = np.broadcast_shapes(np.shape(g), np.shape(x))
        except ValueError as exc:
            raise _ufunc_error(fname, exc, [("grad_output", g), ("x", x)]) from None
        if out is not None and out.shape != shape:
            # NumPy would broadcast grad_output and x to a larger out, and grad_weight
            # would sum over that shape instead of theirs.
            raise ValueError(f"fastact.{fname}: out has shape {out.shape}, but grad_output "
                             f"and x broadcast to {shape}")
        # d/dweight of (x if x > 0 else weight * x) is x on the x <= 0 side, 0 elsewhere
        # (NaN stays NaN: NaN > 0 is False).  Computed before grad_x is written, since out
        # may be grad_output or x (or share memory with them).
        # Computed with NumPy under errstate, so that it raises no floating-point warning,
        # like the kernels (an infinite grad_output times x = 0 is NaN silently); summed
        # by sum_over: 16-bit in float64, rounded once, an overflow inf without a warning.
        xa = _cast(x, dtype)
        with np.errstate(all="ignore"):
            contrib = _cast(g, dtype) * np.where(xa > 0, 0, xa)
            contrib = np.broadcast_to(contrib, shape)
        # summed over the axes the weight was broadcast along (all of them for one slope)
        lead = contrib.ndim - np.ndim(w)
        axes = tuple(i for i in range(contrib.ndim) if i < lead or np.shape(w)[i - lead] == 1)
        grad_w = sum_over(contrib, axes, dtype).reshape(wshape)
        grad_x = _run_ufunc(fname, UFUNCS[self.info.kernel + "_backward"],
                            [("grad_output", g), ("x", x)], [(self.params[0], w)], out)
        return grad_x, grad_w
