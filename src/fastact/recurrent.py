"""The fused gate arithmetic of the recurrent cells: ``lstm_cell`` and ``gru_cell``.

A recurrent cell is two matrix products (left to NumPy / BLAS) and a pointwise part that
autograd frameworks compute as a chain of small operations (chunk, sigmoid, tanh, mul,
add), each a pass over memory.  These functions do the pointwise part in one pass, and
their ``backward`` the gradient of it in one pass, recomputing the gates from their
pre-activations (nothing is saved between the two calls).

* ``lstm_cell(gates, c)``: gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, shape (..., 4H) in
  PyTorch's order (i, f, g, o); c (..., H).  Returns (h', c') with i, f, o = sigmoid,
  g = tanh, c' = f*c + i*g, h' = o*tanh(c').  ``lstm_cell.backward(grad_h, grad_c, gates,
  c)`` returns (grad_gates, grad_c_prev); grad_h or grad_c may be None (zero).
* ``gru_cell(gi, gh, h)``: gi = x @ W_ih.T + b_ih and gh = h @ W_hh.T + b_hh, shape (..., 3H)
  in PyTorch's order (r, z, n); h (..., H).  Returns h' = (1 - z)*n + z*h with
  r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r*gh_n).
  ``gru_cell.backward(grad_h, gi, gh, h)`` returns (grad_gi, grad_gh, grad_h_prev), where
  grad_h_prev is the direct path only (grad_h * z): the path through gh is
  ``grad_gh @ W_hh``, the caller's matrix product.

Dtypes: float32 and float64 as they are; float16 and bfloat16 computed in float32 and
returned in their own dtype; integers in float64 (the activations' rules).  The kernels
compute in double and round once (``fastact._recurrent``).  Any strides (a C-contiguous
copy is made where needed).  Shapes are not broadcast: the leading axes of every operand
must match.  No floating-point warning leaves these functions.
"""

import importlib
import math

import numpy as np

from . import _dispatch
from ._api import _is_duck, _is_float, _real

__all__ = ["lstm_cell", "gru_cell"]

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _kernels():
    """The kernels built for the CPU target the ufuncs run on (fastact._dispatch, which
    honours FASTACT_ISA): fastact._recurrent_<target>, or fastact._recurrent for the
    fallback target (baseline, neon on aarch64; setup.py compiles the same source once per target)."""
    isa = _dispatch.KERNELS.isa
    if isa != _dispatch.FALLBACK:
        try:
            return importlib.import_module(f"fastact._recurrent_{isa}")
        except ImportError:
            pass
    return importlib.import_module("fastact._recurrent")


_recurrent = _kernels()


def _operand(fname, what, value):
    """value as an ndarray of real numbers, or TypeError naming fastact.fname and what."""
    if value is None:
        raise TypeError(f"fastact.{fname}: {what} is required, got None")
    if _is_duck(value):
        # np.asarray would compute a dask array here, silently and whole
        raise TypeError(f"fastact.{fname}: {what} is a {type(value).__module__}."
                        f"{type(value).__name__}; fastact's recurrent cells take NumPy "
                        f"arrays (for a dask array, .compute() it first)")
    a = np.asarray(_real(f"{fname}", what, value))
    if a.dtype.kind == "b":
        raise TypeError(f"fastact.{fname}: {what} must be numbers, got dtype bool (convert "
                        f"with .astype(float))")
    if a.ndim == 0:
        raise ValueError(f"fastact.{fname}: {what} must have at least one axis, got a "
                         f"scalar")
    return a


def _dtypes(arrays):
    """(the dtype the kernels compute in, the result's dtype) for the operands: NumPy's
    promotion among them; 16-bit floats computed in float32, integers in float64."""
    dt = arrays[0].dtype
    if dt in (_F32, _F64) and all(a.dtype == dt for a in arrays):
        return dt, dt                        # the common case, without result_type's cost
    dt = np.result_type(*[a.dtype for a in arrays])
    if dt.itemsize == 2 and _is_float(dt):
        return _F32, dt
    if dt.kind != "f":
        dt = _F64
    return dt, dt


def _rows(a, dtype, H):
    """a as a C-contiguous (rows, H) array of dtype, in native byte order."""
    rows = math.prod(a.shape[:-1])
    if a.dtype == dtype and a.flags.c_contiguous:
        return a.reshape(rows, H)            # as it is (errstate costs microseconds)
    with np.errstate(all="ignore"):          # float64 -> float32 beyond range: inf
        return np.ascontiguousarray(a, dtype=dtype).reshape(rows, H)


def _check(fname, named, H, lead):
    """Each (what, array, width): shape lead + (width * H,), else ValueError."""
    for what, a, k in named:
        want = lead + (k * H,)
        if a.shape != want:
            raise ValueError(f"fastact.{fname}: {what} must have shape {want}, got {a.shape}")


def _out(fname, out, shapes, dtype):
    """out as a tuple of arrays (or Nones) matching shapes and dtype; checked before any
    work, so that nothing is written to out when a call fails."""
    one = len(shapes) == 1
    if out is None:
        return (None,) * len(shapes)
    outs = (out,) if one and not isinstance(out, tuple) else out
    if not isinstance(outs, tuple) or len(outs) != len(shapes):
        raise TypeError(f"fastact.{fname}: out must be " + (
            "an array" if one else f"a tuple of {len(shapes)} arrays (or Nones)"))
    for k, (o, shape) in enumerate(zip(outs, shapes)):
        what = "out" if one else f"out[{k}]"
        if o is None:
            continue
        if not isinstance(o, np.ndarray):
            raise TypeError(f"fastact.{fname}: {what} must be a NumPy array, got "
                            f"{type(o).__name__}")
        if o.shape != shape or o.dtype != dtype:
            raise ValueError(f"fastact.{fname}: {what} must have shape {shape} and dtype "
                             f"{dtype}, got shape {o.shape} and dtype {o.dtype}")
        if not o.flags.writeable:
            raise ValueError(f"fastact.{fname}: {what} is read-only")
    return outs


def _results(results, outs, shape, dtype):
    """The kernels' (rows, width) results as arrays of shape shape[k] and dtype, written
    into outs where given."""
    done = []
    for r, o, s in zip(results, outs, shape):
        r = r.reshape(s)
        if r.dtype != dtype:
            with np.errstate(all="ignore"):
                r = r.astype(dtype)
        if o is not None:
            o[...] = r
            r = o
        done.append(r)
    return done


def _grad(fname, what, value, H, lead):
    """An incoming gradient, or None for zero."""
    if value is None:
        return None
    g = _operand(fname, what, value)
    _check(fname, [(what, g, 1)], H, lead)
    return g


def _zero_row(g, dtype, H):
    """The gradient as rows; None as one row of zeros (the kernels read it for every row)."""
    return np.zeros((1, H), dtype) if g is None else _rows(g, dtype, H)


# ---- LSTM -------------------------------------------------------------------------------

def lstm_cell(gates, c, *, out=None):
    """The pointwise part of an LSTM cell, fused: ``(h', c') = lstm_cell(gates, c)``.

    Parameters
    ----------
    gates : array_like, shape (..., 4H)
        The pre-activation gates ``x @ W_ih.T + b_ih + h @ W_hh.T + b_hh`` in PyTorch's
        order (i, f, g, o).
    c : array_like, shape (..., H)
        The cell state.
    out : tuple of two arrays (or Nones), optional
        Where to write h' and c' (shape and dtype of the result).

    Returns
    -------
    (h', c') : tuple of ndarrays, shape (..., H)
        ``c' = f*c + i*g`` and ``h' = o*tanh(c')`` with ``i, f, o = sigmoid`` and
        ``g = tanh`` of their chunks of gates.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> h, c = fastact.lstm_cell(np.zeros((1, 4)), np.ones((1, 1)))
    >>> h.round(4), c.round(4)
    (array([[0.2311]]), array([[0.5]]))
    """
    fname = "lstm_cell"
    g = _operand(fname, "gates", gates)
    cc = _operand(fname, "c", c)
    H = cc.shape[-1]
    _check(fname, [("gates", g, 4)], H, cc.shape[:-1])
    cdt, dt = _dtypes([g, cc])
    outs = _out(fname, out, [cc.shape, cc.shape], dt)
    g2, c2 = _rows(g, cdt, 4 * H), _rows(cc, cdt, H)
    h_new, c_new = np.empty_like(c2), np.empty_like(c2)
    _recurrent.lstm_forward(g2, c2, h_new, c_new)
    return tuple(_results((h_new, c_new), outs, (cc.shape, cc.shape), dt))


def _lstm_cell_backward(grad_h, grad_c, gates, c):
    """The gradient of ``lstm_cell`` in one pass:
    ``(grad_gates, grad_c_prev) = lstm_cell.backward(grad_h, grad_c, gates, c)``.

    grad_h and grad_c are the gradients of the loss with respect to h' and c' (either may
    be None: zero); gates and c are the forward's inputs.  With
    ``dc' = grad_c + grad_h * o * (1 - tanh(c')**2)``, grad_gates holds, in the order
    (i, f, g, o), ``dc'*g*i*(1-i)``, ``dc'*c*f*(1-f)``, ``dc'*i*(1-g**2)`` and
    ``grad_h*tanh(c')*o*(1-o)``; ``grad_c_prev = dc'*f``.  The gradients of the weights
    and of x and h are then the caller's matrix products with grad_gates.

    >>> import numpy as np, fastact
    >>> dg, dc = fastact.lstm_cell.backward(np.ones((1, 1)), None, np.zeros((1, 4)),
    ...                                     np.ones((1, 1)))
    >>> dg.round(4), dc.round(4)
    (array([[0.    , 0.0983, 0.1966, 0.1155]]), array([[0.1966]]))
    """
    fname = "lstm_cell.backward"
    g = _operand(fname, "gates", gates)
    cc = _operand(fname, "c", c)
    H, lead = cc.shape[-1], cc.shape[:-1]
    _check(fname, [("gates", g, 4)], H, lead)
    gh = _grad(fname, "grad_h", grad_h, H, lead)
    gc = _grad(fname, "grad_c", grad_c, H, lead)
    cdt, dt = _dtypes([a for a in (g, cc, gh, gc) if a is not None])
    g2, c2 = _rows(g, cdt, 4 * H), _rows(cc, cdt, H)
    dg, dcp = np.empty_like(g2), np.empty_like(c2)
    _recurrent.lstm_backward(_zero_row(gh, cdt, H), _zero_row(gc, cdt, H), g2, c2, dg, dcp)
    return tuple(_results((dg, dcp), (None, None), (g.shape, cc.shape), dt))


# ---- GRU --------------------------------------------------------------------------------

def gru_cell(gi, gh, h, *, out=None):
    """The gate part of a GRU cell, fused: ``h' = gru_cell(gi, gh, h)``.

    Parameters
    ----------
    gi : array_like, shape (..., 3H)
        ``x @ W_ih.T + b_ih`` in PyTorch's order (r, z, n).
    gh : array_like, shape (..., 3H)
        ``h @ W_hh.T + b_hh``, same order.
    h : array_like, shape (..., H)
        The hidden state.
    out : ndarray, optional
        Where to write h' (shape and dtype of the result).

    Returns
    -------
    h' : ndarray, shape (..., H)
        ``(1 - z)*n + z*h`` with ``r = sigmoid(gi_r + gh_r)``, ``z = sigmoid(gi_z + gh_z)``
        and ``n = tanh(gi_n + r*gh_n)`` (PyTorch's GRUCell).

    Examples
    --------
    >>> import numpy as np, fastact
    >>> fastact.gru_cell(np.zeros((1, 3)), np.ones((1, 3)), np.full((1, 1), 2.0)).round(4)
    array([[1.6299]])
    """
    fname = "gru_cell"
    a = _operand(fname, "gi", gi)
    b = _operand(fname, "gh", gh)
    hh = _operand(fname, "h", h)
    H = hh.shape[-1]
    _check(fname, [("gi", a, 3), ("gh", b, 3)], H, hh.shape[:-1])
    cdt, dt = _dtypes([a, b, hh])
    outs = _out(fname, out, [hh.shape], dt)
    a2, b2, h2 = _rows(a, cdt, 3 * H), _rows(b, cdt, 3 * H), _rows(hh, cdt, H)
    h_new = np.empty_like(h2)
    _recurrent.gru_forward(a2, b2, h2, h_new)
    return _results((h_new,), outs, (hh.shape,), dt)[0]


def _gru_cell_backward(grad_h, gi, gh, h):
    """The gradient of ``gru_cell`` in one pass:
    ``(grad_gi, grad_gh, grad_h_prev) = gru_cell.backward(grad_h, gi, gh, h)``.

    grad_h is the gradient of the loss with respect to h' (None: zero).  With
    ``dn = grad_h*(1-z)*(1-n**2)``, ``dz = grad_h*(h-n)*z*(1-z)`` and
    ``dr = dn*gh_n*r*(1-r)``: grad_gi = (dr, dz, dn), grad_gh = (dr, dz, dn*r) in the
    order (r, z, n), and grad_h_prev = grad_h*z, the direct path only (add
    ``grad_gh @ W_hh`` for the path through the matrix product).

    >>> import numpy as np, fastact
    >>> dgi, dgh, dh = fastact.gru_cell.backward(np.ones((1, 1)), np.zeros((1, 3)),
    ...                                          np.ones((1, 3)), np.full((1, 1), 2.0))
    >>> dgi.round(4), dgh.round(4), dh.round(4)
    (array([[0.0323, 0.2706, 0.1643]]), array([[0.0323, 0.2706, 0.1201]]), array([[0.7311]]))
    """
    fname = "gru_cell.backward"
    a = _operand(fname, "gi", gi)
    b = _operand(fname, "gh", gh)
    hh = _operand(fname, "h", h)
    H, lead = hh.shape[-1], hh.shape[:-1]
    _check(fname, [("gi", a, 3), ("gh", b, 3)], H, lead)
    d = _grad(fname, "grad_h", grad_h, H, lead)
    cdt, dt = _dtypes([x for x in (a, b, hh, d) if x is not None])
    a2, b2, h2 = _rows(a, cdt, 3 * H), _rows(b, cdt, 3 * H), _rows(hh, cdt, H)
    dgi, dgh, dhp = np.empty_like(a2), np.empty_like(b2), np.empty_like(h2)
    _recurrent.gru_backward(_zero_row(d, cdt, H), a2, b2, h2, dgi, dgh, dhp)
    return tuple(_results((dgi, dgh, dhp), (None,) * 3, (a.shape, b.shape, hh.shape), dt))


def _attach(fn, backward):
    # named so that fn.backward pickles by its qualified name
    backward.__name__, backward.__qualname__ = "backward", f"{fn.__qualname__}.backward"
    fn.backward = backward


_attach(lstm_cell, _lstm_cell_backward)
_attach(gru_cell, _gru_cell_backward)
del _attach
