"""The functions (keras_relu, logsumexp, sparsemax) on dask arrays, lazily.

Each block runs the NumPy composition (the same numbers as on the whole array): the
elementwise ones block by block over their broadcast operands (as dask runs a ufunc);
logsumexp and sparsemax along their axes, which must each be one chunk, as softmax's
core axis must (else ValueError naming the function: rechunk first).  Everything the
call checks (dtypes, parameters, axis, shapes) is checked now, on one-element stand-ins
of the operands; nothing is computed until the result is.  out= is refused, as the activations
refuse it for dask input.
"""

import numpy as np

from .._sums import is_dask
from ._checks import _PY_SCALARS


def any_dask(*values):
    return any(is_dask(v) for v in values)


def _stand_in(v):
    """A NumPy stand-in of v, of its dtype and number of dimensions, of size 1 along each
    (0 where v is empty): shapes that broadcast as v's do (a Python scalar: itself)."""
    if is_dask(v) or isinstance(v, np.ndarray):
        return np.zeros(tuple(min(n, 1) for n in v.shape), v.dtype)
    return v


def _no_out(fname, out):
    if out is not None:
        raise TypeError(f"fastact.{fname}: out= is not supported for dask input")


def _dtype(method, values, **kwargs):
    """The result's dtype, and every check of the call but the shapes', from the method
    run on stand-ins."""
    return np.asarray(method(*[_stand_in(v) for v in values], **kwargs)).dtype


def elementwise(fname, method, named, out, **kwargs):
    """method(*values, **kwargs) lazily, block by block over the broadcast operands
    (named: {name: operand}, in the method's order)."""
    import dask.array as da
    from dask.array.core import elemwise
    _no_out(fname, out)
    values = list(named.values())
    dtype = _dtype(method, values, **kwargs)
    try:
        np.broadcast_shapes(*(np.shape(v) for v in values))
    except ValueError:
        shapes = " and ".join(f"{w} {np.shape(v)}" for w, v in named.items())
        raise ValueError(f"fastact.{fname}: the shapes of {shapes} do not broadcast "
                         f"together") from None
    values = [v if is_dask(v) or np.ndim(v) == 0 else da.asarray(v) for v in values]
    return elemwise(_Block(method, kwargs), *values, dtype=dtype)


class _Block:
    """method(*blocks, **kwargs) as an ndarray (a 0-d block's result is a NumPy scalar);
    it pickles by the function's name (Function.__reduce__), for distributed workers."""

    def __init__(self, method, kwargs):
        self.method, self.kwargs = method, kwargs

    def __call__(self, *blocks):
        return np.asarray(self.method(*blocks, **self.kwargs))


def along(fname, method, named, axes, out, keepdims=None, pick=None, **kwargs):
    """method(**named, **kwargs) lazily, on blocks that hold whole rows along axes.

    named: {name: operand}; the first is the dask array that defines the rows (x, or y),
    the others are broadcast to its shape and chunks, but grad_output where keepdims is
    not None (logsumexp's backward: it has the reduced shape).  keepdims: None (the result
    has x's shape), else the reduction's (logsumexp: the axes are dropped or kept as 1).
    pick: the index of the result in a tuple (logsumexp's return_sign)."""
    import dask.array as da
    _no_out(fname, out)
    names, vals = list(named), [v for v in named.values()]
    base = vals[0]
    own = kwargs if keepdims is None else dict(kwargs, keepdims=keepdims)
    res = method(**{w: _stand_in(v) for w, v in named.items()}, **own)
    dtype = np.asarray(res if pick is None else res[pick]).dtype
    if base.ndim == 0:                   # one row of one element: the block is the row
        return elementwise(fname, _Named(method, names, kwargs, pick), named, None)
    for ax in axes:
        if len(base.chunks[ax]) > 1:
            raise ValueError(f"fastact.{fname}: {names[0]} has {len(base.chunks[ax])} chunks "
                             f"along axis {ax}, which must be one chunk, as softmax's axis "
                             f"(rechunk first: {names[0]}.rechunk({{{ax}: -1}}))")
    red = tuple(1 if i in axes else n for i, n in enumerate(base.shape))
    red_chunks = tuple((1,) if i in axes else c for i, c in enumerate(base.chunks))
    ops = [base]
    scalars = {w: v for w, v in named.items() if type(v) in _PY_SCALARS}
    names = [w for w in names if w not in scalars]  # passed as they are: weak, as NumPy's
    for w, v in list(named.items())[1:]:
        if w in scalars:
            continue
        if w == "grad_output" and keepdims is not None:
            want = red if keepdims else tuple(n for i, n in enumerate(base.shape)
                                              if i not in axes)
            ops.append(_to(fname, w, v, want, "the result's").reshape(red).rechunk(red_chunks))
        else:
            ops.append(_to(fname, w, v, base.shape, names[0] + "'s").rechunk(base.chunks))
    block = _Named(method, names, dict(kwargs, **scalars, **(
        {} if keepdims is None else {"keepdims": True})), pick)
    if keepdims is None or "grad_output" in named:
        return da.map_blocks(block, *ops, dtype=dtype)
    y = da.map_blocks(block, *ops, dtype=dtype, chunks=red_chunks)
    return y if keepdims else y.squeeze(axis=tuple(axes))


def _to(fname, what, v, shape, whose):
    """v (a dask or NumPy operand) broadcast to shape, lazily."""
    import dask.array as da
    try:
        if np.broadcast_shapes(np.shape(v), shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ValueError(f"fastact.{fname}: {what} has shape {np.shape(v)}, which does not "
                         f"broadcast to {whose} shape {tuple(shape)}") from None
    return da.broadcast_to(v if is_dask(v) else da.asarray(np.asarray(v)), shape)


class _Named(_Block):
    """method(**dict(zip(names, blocks)), **kwargs), or its result's [pick]."""

    def __init__(self, method, names, kwargs, pick=None):
        super().__init__(method, kwargs)
        self.names, self.pick = names, pick

    def __call__(self, *blocks):
        r = self.method(**dict(zip(self.names, blocks)), **self.kwargs)
        return np.asarray(r if self.pick is None else r[self.pick])
