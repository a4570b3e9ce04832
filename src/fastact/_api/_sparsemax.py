"""``sparsemax`` along an axis (Martins and Astudillo 2016), and its backward."""

import numpy as np

from . import _dask
from ._checks import _real
from ._functions import Function, _axis_list, _finish, _floats, _with


class Sparsemax(Function):
    """sparsemax(x, axis=-1): the Euclidean projection of x onto the probability simplex
    along axis (Martins and Astudillo, "From Softmax to Sparsemax", ICML 2016).

    max(x_i - tau, 0), with the threshold tau found by sorting the row: with z sorted
    descending, k* the largest k with 1 + k z_k > z_1 + ... + z_k, tau = (z_1 + ... +
    z_k* - 1) / k*.  Like softmax its entries are >= 0 and sum to 1, but they are exactly
    0 below tau.  Neither PyTorch, SciPy nor JAX has it built in (``entmax.sparsemax`` for
    PyTorch, ``optax.projections.projection_simplex`` for JAX compute it); the row is
    shifted by its maximum first (sparsemax is shift-invariant), so large offsets lose
    nothing.  A row holding NaN or
    only -inf gives NaN; a row holding +inf gives 1/k at its k infinite entries and 0
    elsewhere (the limit).  ``axis`` is one integer; a 0-d x is a row of one element.
    float16 and bfloat16 compute in float32.

    ``sparsemax.backward(grad_output, x, axis=-1)``: the vector-Jacobian product, in
    closed form g_i - mean of g over the support (y > 0) on the support, 0 elsewhere;
    ``sparsemax.backward_from_output(grad_output, y, axis=-1)`` takes y = sparsemax(x).
    """

    name = "sparsemax"
    # The accuracy tool's bounds, against mpmath (y is in [0, 1]: absolute errors).
    # forward, in eps: y_i = z_i - tau with tau = (S_k - 1) / k, S_k the sequential
    # cumsum of the k support entries of z = x - max x (each in (-1, 0], the shift exact
    # by Sterbenz's lemma there): tau's error is at most (k - 1) eps in the worst case,
    # a few eps for rounding errors of random sign; measured 0.67 (float32) and 0.42
    # (float64) on the softmax rows of the tool (n up to 128).  backward (g_i - mean of g
    # over the support), in eps * max|g| of the row: the mean's pairwise sum and the
    # subtraction; measured 0.56 and 0.81.  Rows with an entry within rounding of tau
    # (no determined support) are left out of the backward.
    ACCURACY = {"forward": {"bound": {"float32": 2.0, "float64": 2.0}, "unit": "eps"},
                "backward": {"bound": {"float32": 2.0, "float64": 2.0},
                             "unit": "eps * max|g|"}}

    def _axis(self, fname, axis, ndim):
        return _axis_list(fname, axis, ndim, tuples=False)[0]

    def _forward(self, fname, x, axis):
        a, dt = _floats(fname, "x", x)
        shape = a.shape
        ax = self._axis(fname, axis, a.ndim)
        z = np.moveaxis(a.reshape(a.shape or (1,)), ax, -1)
        with np.errstate(all="ignore"):        # inf - inf in rows handled by select below
            m = np.max(z, axis=-1, keepdims=True, initial=-np.inf)
            zs = z - m
            srt = -np.sort(-zs, axis=-1)
            cum = np.cumsum(srt, axis=-1)
            k = np.arange(1, z.shape[-1] + 1, dtype=a.dtype)
            ks = np.sum(1 + k * srt > cum, axis=-1, keepdims=True)
            csum = np.take_along_axis(cum, np.maximum(ks - 1, 0), axis=-1)
            tau = (csum - 1) / ks
            y = np.maximum(zs - tau, 0).astype(a.dtype)
            infs = z == np.inf
            ninf = np.sum(infs, axis=-1, keepdims=True)
            y = np.where(ninf > 0, infs / np.maximum(ninf, 1), y).astype(a.dtype)
            bad = np.isnan(z).any(axis=-1, keepdims=True) | (m == -np.inf)
            y = np.where(bad, np.nan, y)
        return np.moveaxis(y, -1, ax).reshape(shape), dt, ax

    def __call__(self, x, axis=-1, *, out=None):
        if _dask.any_dask(x):
            return self._lazy(self.name, self.__call__, {"x": x}, axis, out)
        y, dt, _ = self._forward(self.name, x, axis)
        return _finish(self.name, y, dt, out)

    def backward(self, grad_output, x, axis=-1, *, out=None):
        fname = self.name + ".backward"
        if _dask.any_dask(grad_output, x):
            return self._lazy(fname, self.backward, {"x": x, "grad_output": grad_output},
                              axis, out)
        g, gdt = _floats(fname, "grad_output", grad_output)
        _floats(fname, "x", x)          # checked before the forward runs
        self._check_g(fname, g, np.shape(x))
        y, dt, ax = self._forward(fname, x, axis)
        return self._vjp(fname, g, _with(grad_output, gdt, dt), y, ax, out)

    def backward_from_output(self, grad_output, y, axis=-1, *, out=None):
        fname = self.name + ".backward_from_output"
        if _dask.any_dask(grad_output, y):
            return self._lazy(fname, self.backward_from_output,
                              {"y": y, "grad_output": grad_output}, axis, out)
        g, gdt = _floats(fname, "grad_output", grad_output)
        y, dt = _floats(fname, "y", y)
        self._check_g(fname, g, y.shape)
        return self._vjp(fname, g, _with(grad_output, gdt, dt), y,
                         self._axis(fname, axis, y.ndim), out)

    def _lazy(self, fname, method, named, axis, out):
        """The dask form (_dask.along): blocks holding whole rows along axis."""
        import dask.array as da
        first = next(iter(named))
        if not _dask.is_dask(named[first]):
            named[first] = da.asarray(_real(fname, first, named[first]))
        ax = self._axis(fname, axis, named[first].ndim)
        return _dask.along(fname, method, named, [ax], out, axis=axis)

    def _check_g(self, fname, g, shape):
        try:
            if np.broadcast_shapes(g.shape, shape) != tuple(shape):
                raise ValueError
        except ValueError:
            raise ValueError(f"fastact.{fname}: grad_output has shape {g.shape}, which does "
                             f"not broadcast to the input's shape {tuple(shape)}") from None

    def _vjp(self, fname, g, dt, y, ax, out):
        work = np.promote_types(g.dtype, y.dtype)
        shape = y.shape
        y2 = y.reshape(shape or (1,))
        g2 = np.broadcast_to(g, shape).reshape(y2.shape).astype(work)
        with np.errstate(all="ignore"):        # an infinite g: inf - inf is NaN, silently
            s = y2 > 0
            n = np.sum(s, axis=ax, keepdims=True)
            mean = np.sum(np.where(s, g2, 0), axis=ax, keepdims=True) / np.maximum(n, 1)
            res = np.where(s, g2 - mean, 0).astype(work)
            res = np.where(np.isnan(y2), np.nan, res)
        return _finish(fname, res.reshape(shape), dt, out)


sparsemax = Sparsemax()
sparsemax.__doc__ = Sparsemax.__doc__
