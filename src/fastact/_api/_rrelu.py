"""``RReLU``: rrelu(x, lower, upper, training, rng), random slopes in training, their mean
in evaluation.
"""

import numpy as np

from .. import _registry
from .._dispatch import UFUNCS
from ._base import Activation
from ._checks import _check_out, _param_dtype, _real, _result_dtype, _show
from ._params import _check_params
from ._ufunc_call import _run_ufunc

# rrelu's slopes: per element in training, their mean in evaluation (no special rules).
_SLOPES = _registry.Param("slopes", None)
_SLOPE = _registry.Param("slope", None)

# (dtype num, lower, upper) -> the checked slope of evaluation (RReLU.__call__)
_RRELU_EVAL_SLOPES: dict = {}
_F32_F64 = (np.dtype(np.float32), np.dtype(np.float64))     # native byte order


class RReLU(Activation):
    """rrelu(x, lower=1/8, upper=1/3, training=False, rng=None).

    Evaluation (the default): leaky ReLU with slope (lower + upper) / 2.  Training: a
    slope per element drawn from U(lower, upper) with ``np.random.default_rng(rng)``;
    returns ``(y, slopes)`` and the backward takes ``slopes=`` to use the same ones.
    """

    def _bounds(self, fname, data, lower, upper):
        """data through _real, and lower and upper checked as the loop with this data
        takes them (the registry's rules: no NaN or inf, lower <= upper)."""
        data = [(what, _real(fname, what, v)) for what, v in data]
        pdtype = _param_dtype(_result_dtype([v for _, v in data]))
        lo, hi = _check_params(fname, [(p, _real(fname, p.name, v)) for p, v in
                                       zip(self.params, (lower, upper))], pdtype)
        return data, lo, hi

    def _training(self, fname, training):
        try:
            return bool(training)
        except (TypeError, ValueError):       # an array of several flags
            raise TypeError(f"fastact.{fname}: training must be True or False, "
                            f"got {_show(training)}") from None

    def _slope(self, method, data, lower, upper, training, slopes):
        """data, and the slope parameter: slopes= as given, else the mean of the bounds."""
        fname = self._fname(method)
        data, lo, hi = self._bounds(fname, data, lower, upper)
        if slopes is not None:
            return data, (_SLOPES, slopes)
        if self._training(fname, training):
            raise ValueError(f"fastact.{fname}: in training pass slopes=, the "
                             "slopes returned by the forward")
        # halves first: (lower + upper) / 2 overflows for bounds near the largest float
        if type(lo) is float and type(hi) is float:
            return data, (_SLOPE, lo / 2.0 + hi / 2.0)
        with np.errstate(all="ignore"):          # halving a subnormal underflows
            return data, (_SLOPE, np.divide(lo, 2.0) + np.divide(hi, 2.0))

    def __call__(self, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, rng=None, *,
                 out=None):
        if (training is False and out is None and type(x) is np.ndarray
                and x.dtype in _F32_F64 and type(lower) is float and type(upper) is float
                and lower and upper):
            # the evaluation call on a float32 or float64 array: the slope of these bounds
            # for this dtype is checked once (_slope) and kept, then the ufunc runs
            # directly (a small call costs what leaky_relu's does).  Zero bounds take the
            # path below: -0.0 == 0.0 as a key, but the sign of a zero slope shows.
            key = (x.dtype.num, lower, upper)
            slope = _RRELU_EVAL_SLOPES.get(key)
            if slope is None:
                slope = self._slope("forward", [("x", x)], lower, upper, False, None)[1][1]
                if len(_RRELU_EVAL_SLOPES) >= 64:
                    _RRELU_EVAL_SLOPES.clear()
                _RRELU_EVAL_SLOPES[key] = slope
            # (float32 data has a float32 slope, float64 data a Python float: the loop of
            # x's dtype, as the signature the general path passes selects)
            return UFUNCS[self.info.kernel](x, slope)
        if not self._training(self.name, training):
            data, slope = self._slope("forward", [("x", x)], lower, upper, False, None)
            return _run_ufunc(self.name, UFUNCS[self.info.kernel], data, [slope], out)
        data, lo, hi = self._bounds(self.name, [("x", x)], lower, upper)
        x = data[0][1]
        dtype = _result_dtype([x])
        _check_out(self.name, out, dtype)
        try:
            gen = np.random.default_rng(rng)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"fastact.{self.name}: rng must be None, a seed (an int >= 0 or "
                            f"a sequence of them), a SeedSequence, a BitGenerator or a "
                            f"Generator: {exc}") from None
        try:
            slopes = gen.uniform(lo, hi, size=np.shape(x))
        except (ValueError, OverflowError) as exc:
            # bounds that do not broadcast to x's shape; upper - lower beyond float64
            raise ValueError(f"fastact.{self.name}: lower and upper: {exc}") from None
        slopes = slopes.astype(_param_dtype(dtype))
        y = _run_ufunc(self.name, UFUNCS[self.info.kernel], data, [(_SLOPES, slopes)], out)
        return y, slopes

    def derivative(self, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, *,
                   slopes=None, out=None):
        data, s = self._slope("derivative", [("x", x)], lower, upper, training, slopes)
        return _run_ufunc(self.name + ".derivative", UFUNCS[self.info.kernel + "_derivative"],
                          data, [s], out)

    def backward(self, grad_output, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, *,
                 slopes=None, out=None):
        data, s = self._slope("backward", [("grad_output", grad_output), ("x", x)], lower,
                              upper, training, slopes)
        return _run_ufunc(self.name + ".backward", UFUNCS[self.info.kernel + "_backward"],
                          data, [s], out)
