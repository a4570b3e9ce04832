"""``logsumexp``: a reduction along axes, SciPy's and JAX's arguments.

A NumPy composition rather than a record with a kernel: logsumexp reduces its axes (a
record's axis kernel maps a row to a row of the same length), and the few passes NumPy
makes cost little next to the exponentials.  (``log1mexp`` is an activation record:
records/log1mexp.py.)
"""

import numpy as np

from . import _dask
from ._checks import _real, _result_dtype
from ._functions import Function, _axis_list, _finish, _floats, _with


class LogSumExp(Function):
    """``logsumexp(x, axis=None, b=None, keepdims=False, return_sign=False, *, where=None)``:
    log(sum(b * exp(x))) along axis, without overflow.

    As ``scipy.special.logsumexp`` (the same arguments, in its order) and
    ``jax.nn.logsumexp`` / ``jax.scipy.special.logsumexp`` (their ``where``), and
    ``torch.logsumexp(x, dim)`` with ``b``, ``where`` and ``return_sign`` left out.
    ``axis`` is an integer, a tuple of integers or None (every element, SciPy's
    default).  ``b`` are weights broadcast to x (entries with b = 0 are left out, so an
    infinite x there does not matter); a negative sum gives NaN, or with
    ``return_sign=True`` the pair (log|sum|, sign of the sum) as SciPy returns it (sign 0
    for a zero sum, whose log is -inf).  ``where`` is a boolean mask broadcast to x: the
    masked-out entries are left out (JAX's where).  An empty or fully masked reduction
    gives -inf (sign 0); NaN among the entries gives NaN; +inf gives +inf.

    Without b the sum is computed as k + sum of e^(x_i - max) over the non-maximal
    entries (k the number of maximal ones), and logsumexp = max + log1p(that - 1), so
    the result keeps its accuracy where it is near 0.  float16 and bfloat16 compute in
    float32 and are rounded once.

    ``logsumexp.backward(grad_output, x, axis=None, b=None, keepdims=False, *,
    where=None)`` is the gradient with respect to x: grad_output (of the result's shape)
    times the softmax b_i e^(x_i) / sum along axis (0 at masked-out entries).
    """

    name = "logsumexp"
    # The accuracy tool's bounds (python -m fastact accuracy, instruments/accuracy/
    # functions.py), float32 and float64 against mpmath.  forward: |y - exact| in
    # eps * (1 + |max x| + log n), the magnitude of the two terms m + log(sum) (a unit
    # relative to y would be unbounded where they cancel, y near 0): the last sum's and
    # log1p's roundings are ~1 eps each, and the final addition half an ULP of y;
    # measured 0.66 (float32) and 0.61 (float64) on the softmax rows of the tool.
    # backward (grad_output times softmax): softmax's forward bound and unit
    # (records/softmax.py: 4 ULP / (1 + |x_i - max x| + n/8); the backward is softmax's
    # kernel) plus the rounded product; measured 0.95 and 1.38.
    ACCURACY = {"forward": {"bound": {"float32": 2.0, "float64": 2.0},
                            "unit": "eps * (1 + |max x| + log n)"},
                "backward": {"bound": {"float32": 4.5, "float64": 4.5},
                             "unit": "ULP / (1 + |x_i - max x| + n/8)"}}

    def _parts(self, fname, x, axis, b, where):
        """The checked operands: x as its working array (at least 1-d), its shape, the
        axes, the result's dtype, the kept entries (None: all) and b broadcast (or None)."""
        a, dt = _floats(fname, "x", x)
        if b is not None:
            bv = _real(fname, "b", b)
            dt = _result_dtype([np.empty(0, dt), bv])
            a, dt = _floats(fname, "x", a.astype(dt) if dt.kind == "f" else a, dt)
        shape = a.shape
        if a.ndim == 0:
            a = a.reshape(1)
        axes = tuple(sorted(_axis_list(fname, axis, a.ndim)))
        keep = None
        if where is not None:
            w = np.asarray(where)
            if w.dtype != np.bool_:
                raise TypeError(f"fastact.{fname}: where must be booleans, got dtype {w.dtype}")
            keep = _broadcast(fname, "where", w, shape).reshape(a.shape)
        bb = None
        if b is not None:
            bb = _broadcast(fname, "b", np.asarray(bv, a.dtype), shape).reshape(a.shape)
            keep = (bb != 0) if keep is None else keep & (bb != 0)
        return a, shape, axes, dt, keep, bb

    def _exps(self, a, axes, keep):
        """The masked x, its max along axes (NaN where a kept entry is NaN) and
        e^(x - max) (the b and where forms)."""
        with np.errstate(all="ignore"):
            xm = a if keep is None else np.where(keep, a, -np.inf)
            m = np.max(xm, axis=axes, keepdims=True, initial=-np.inf)   # NaN propagates
            e = np.exp(xm - np.where(np.isfinite(m), m, 0))
        return xm, m, e

    def _plain(self, a, axes):
        """log(sum(e^x)) along axes without b, keepdims: m + log1p(rest), rest
        the sum of e^(x - m) over every entry but one maximal one (the other maximal
        ones add exactly 1 each), so that a result near 0 keeps its digits.  Along one
        axis the maximal entry is argmax's, zeroed in the exponentials' buffer (x - m is
        computed into it); along several, the entries whose e^(x - m) is 1 are counted."""
        with np.errstate(all="ignore"):     # inf - inf, log1p(-1): IEEE results, no warning
            if len(axes) == 1 and a.shape[axes[0]]:
                idx = np.argmax(a, axis=axes[0], keepdims=True)      # NaN's first, if any
                m = np.take_along_axis(a, idx, axis=axes[0])
                t = np.subtract(a, np.where(np.isfinite(m), m, 0))
                np.exp(t, out=t)
                np.put_along_axis(t, idx, 0, axis=axes[0])
                rest = np.sum(t, axis=axes, keepdims=True)
            else:
                m = np.max(a, axis=axes, keepdims=True, initial=-np.inf)
                t = np.subtract(a, np.where(np.isfinite(m), m, 0))
                np.exp(t, out=t)
                one = t == 1
                k = np.count_nonzero(one, axis=axes, keepdims=True)
                np.copyto(t, 0, where=one)
                rest = np.sum(t, axis=axes, keepdims=True) + (k - 1).astype(a.dtype)
            return m + np.log1p(rest)

    def __call__(self, x, axis=None, b=None, keepdims=False, return_sign=False, *,
                 where=None):
        fname = self.name
        if _dask.any_dask(x, b, where):
            return self._lazy(fname, self.__call__, {"x": x, "b": b, "where": where}, axis,
                              keepdims, return_sign=return_sign)
        a, shape, axes, dt, keep, bb = self._parts(fname, x, axis, b, where)
        with np.errstate(all="ignore"):      # log(0) = -inf, -inf + -inf, inf - inf: no warning
            if bb is None:                    # masked-out entries as -inf: weight 0
                lse = self._plain(a if keep is None else np.where(keep, a, -np.inf), axes)
                sign = np.where(np.isnan(lse), np.nan, np.where(lse == -np.inf, 0, 1))
            else:
                xm, m, e = self._exps(a, axes, keep)
                s = np.sum(e if bb is None else bb * e, axis=axes, keepdims=True)
                lse = np.where(np.isfinite(m), m, 0) + np.log(np.abs(s))
                lse = np.where(np.isnan(m), np.nan, lse)
                sign = np.sign(s)
                if not return_sign:
                    lse = np.where(s < 0, np.nan, lse)
        lse, sign = lse.astype(a.dtype), sign.astype(a.dtype)
        if not keepdims:
            lse, sign = np.squeeze(lse, axes), np.squeeze(sign, axes)
        elif len(shape) == 0:
            lse, sign = lse.reshape(()), sign.reshape(())
        lse = _finish(fname, lse, dt, None)
        return (lse, _finish(fname, sign, dt, None)) if return_sign else lse

    def backward(self, grad_output, x, axis=None, b=None, keepdims=False, *, where=None):
        fname = self.name + ".backward"
        if _dask.any_dask(grad_output, x, b, where):
            return self._lazy(fname, self.backward, {"x": x, "grad_output": grad_output,
                                                     "b": b, "where": where}, axis, keepdims)
        g, gdt = _floats(fname, "grad_output", grad_output)
        a, shape, axes, dt, keep, bb = self._parts(fname, x, axis, b, where)
        dt = _with(grad_output, gdt, dt)
        red = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
        want = red if keepdims else tuple(n for i, n in enumerate(a.shape) if i not in axes)
        if len(shape) == 0:
            want = ()
        try:
            gk = np.broadcast_to(g, want).reshape(red)
        except ValueError:
            raise ValueError(f"fastact.{fname}: grad_output has shape {g.shape}, which does "
                             f"not broadcast to the result's shape {want}") from None
        with np.errstate(all="ignore"):     # inf / inf is NaN, as the gradient at +inf
            if bb is None:
                # softmax's kernel (within its bound, records/softmax.py); where the sum is
                # infinite or 0, PyTorch's and JAX's gradient e^(x - lse) is NaN at the
                # +inf entries (0 at the others) and NaN along a row with nothing but
                # -inf, where softmax gives its limits
                p = _softmax(a, axis=axes if len(axes) > 1 else axes[0], where=keep)
                m = np.max(a, axis=axes, keepdims=True, initial=-np.inf,
                           where=True if keep is None else keep)
                res = np.multiply(p, gk, out=p if gk.dtype.itemsize <= p.itemsize else None)
                if not np.isfinite(m).all():
                    res = np.where((m == -np.inf) | (a == np.inf), np.nan, res)
            else:
                xm, m, e = self._exps(a, axes, keep)
                be = bb * e
                p = be / np.sum(be, axis=axes, keepdims=True)
                res = gk * p
            if keep is not None:
                res = np.where(keep, res, 0)
        return _finish(fname, np.asarray(res).reshape(shape), dt, None)

    def _lazy(self, fname, method, named, axis, keepdims, return_sign=False):
        """The dask form (_dask.along): blocks holding whole rows along the axes."""
        import dask.array as da
        named = {w: v for w, v in named.items() if v is not None}
        if not _dask.is_dask(named["x"]):
            named["x"] = da.asarray(_real(fname, "x", named["x"]))
        axes = _axis_list(fname, axis, named["x"].ndim)
        kw = dict(named=named, axes=axes, out=None, keepdims=bool(keepdims), axis=axis)
        if not return_sign:
            return _dask.along(fname, method, **kw)
        return tuple(_dask.along(fname, method, pick=i, return_sign=True, **kw)
                     for i in (0, 1))


def _softmax(a, axis, where):
    import fastact
    return fastact.softmax(a, axis=axis, where=where)


def _broadcast(fname, what, v, shape):
    try:
        return np.broadcast_to(v, shape)
    except ValueError:
        raise ValueError(f"fastact.{fname}: {what} has shape {v.shape}, which does not "
                         f"broadcast to x's shape {shape}") from None


logsumexp = LogSumExp()
logsumexp.__doc__ = LogSumExp.__doc__
