"""The losses of the output layers, each fused with its gradient.

``nll_loss`` (log_softmax output), ``binary_cross_entropy`` (sigmoid output, on
probabilities, with PyTorch's clamp of each log at -100), ``mse_loss``, ``huber_loss`` and
``smooth_l1_loss`` (linear output) have the same shape of API as the two below, with
PyTorch's first argument, ``input`` (see _pointwise and _nll; the guide's "other losses").

``cross_entropy`` (softmax output, multi-class) and ``binary_cross_entropy_with_logits``
(sigmoid output, binary or multi-label) take logits, with the names, parameters and
semantics of ``torch.nn.functional``.  Each is a plain function with a ``value_and_grad``
attribute of the same signature that returns ``(loss, dloss/dlogits)`` from one sweep over
the logits (``fastact._losses``), a ``backward(grad_output, logits, target, ...)`` that
returns the gradient times grad_output (the activations' ``.backward`` shape of API:
PyTorch's autograd step), and a ``reference`` attribute, its pure-Python twin on lists
(``fastact._loss_reference``).

The class axis: PyTorch's class dimension is 1 (input ``(N, C, d1, ...)``); fastact's is
``axis=-1``, NumPy's convention (rows of class scores).  ``axis=1`` takes PyTorch's
layout; ``dim=`` is a TypeError that says so.  Class-index targets have the logits' shape
without the class axis; probability targets have the logits' shape.

Dtypes and byte order as the activations: byte-swapped operands are read in native order,
float16 and bfloat16 are computed in float32 and returned in their own dtype.  The
degenerate cases (a weight that is 0, inf or NaN where it counts, a mean over a weight sum
of 0 or inf, a non-finite target or grad_output) take PyTorch's order of operations, so
that NaN and inf come out where PyTorch's do; no floating-point warning leaves fastact.

Gradients with respect to the logits, before the reduction's 1/D (D = the sum of the
targets' class weights over the rows not ignored for 'mean' with indices, the number of
rows for 'mean' with probabilities, the number of elements for BCE's 'mean', 1 for 'sum'
and 'none'; with 'none' the gradient is that of ``loss.sum()``, row by row that of each
row's loss):

* class index y, weights w (all 1 when None), smoothing e, C classes, p = softmax(x):
  loss = (1-e) w_y (-log p_y) + (e/C) sum_c w_c (-log p_c), and
  grad = ((1-e) w_y + (e/C) sum(w)) p - (1-e) w_y onehot(y) - (e/C) w;
* class probabilities t: q = w ((1-e) t + e/C), loss = -sum_c q_c log p_c,
  grad = sum(q) p - q;
* BCE, target t, weight w, pos_weight pw:
  loss = w (pw t softplus(-x) + (1-t) softplus(x)), grad = w ((1-t) sigmoid(x) - pw t
  sigmoid(-x)) (= sigmoid(x) - t when w = pw = 1).
"""

import inspect
import math
import operator
from collections import namedtuple

import numpy as np
from numpy.exceptions import AxisError

from . import _dispatch, _loss_reference, _losses
from ._api import _is_duck, _is_float, _real

# The loss kernels (compiled for each target in one module) run the target the
# activations' kernels run: the best this CPU has, or the one FASTACT_ISA names.
# (A target the losses were not compiled for keeps their own best.)
if _dispatch.KERNELS.isa in _losses.TARGETS:
    _losses.select(_dispatch.KERNELS.isa)

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
           "binary_cross_entropy", "mse_loss", "huber_loss", "smooth_l1_loss"]

_REDUCTIONS = ("mean", "sum", "none")
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_INT64 = np.iinfo(np.int64)


# ---- argument checks (every one runs before any kernel) ---------------------------------

def _array(fname, what, value, bool_ok=False):
    """value as an ndarray of real numbers (TypeError naming fname and what otherwise;
    bools too, as PyTorch refuses them, unless bool_ok)."""
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
    with np.errstate(all="ignore"):           # a sum beyond float16's range is inf
        return dtype.type(value)


def _cast(a, dtype):
    """a as dtype (the double results rounded to float32 or float16): a value beyond the
    dtype's range is inf without a warning, as the kernels' own stores give it."""
    with np.errstate(all="ignore"):
        return np.asarray(a, dtype=dtype, order="C")


def _empty_value(reduction, shape, dtype):
    """The loss of no rows, as PyTorch: NaN for 'mean', 0 for 'sum'."""
    if reduction == "none":
        return np.empty(shape, dtype)
    return _scalar(math.nan if reduction == "mean" else 0.0, dtype)


# ---- cross_entropy -----------------------------------------------------------------------

def _ce_torch_order(x, t, probabilities, w, ignore_index, eps, reduction, gout):
    """(loss, gradient or None) of cross-entropy computed as PyTorch composes it (aten's
    log_softmax, nll_loss and smoothing term, then autograd's backward of each with
    grad_output gout), in float64, for rows x (R, C) and targets t.  The kernels' fused
    formulas are the same function; this is only for the degenerate cases (a weight that
    is 0, inf or NaN where it counts, a mean over a weight sum of 0 or inf, a non-finite
    target or grad_output), where which entries come out NaN and which inf depends on the
    order of the operations: here it is PyTorch's."""
    R, C = x.shape
    wv = np.ones(C) if w is None else w
    m = np.max(x, axis=1, keepdims=True)
    logp = (x - m) - np.log(np.sum(np.exp(x - m), axis=1, keepdims=True))
    if probabilities:
        q = t * (1.0 - eps) + eps / C if eps else t
        prod = logp * q if w is None else logp * q * w
        total = -np.sum(prod)
        value = (-np.sum(prod, axis=1) if reduction == "none" else
                 total if reduction == "sum" else total / R)
        if gout is None:
            return value, None
        g = -(gout / R if reduction == "mean" else gout)
        G = (np.reshape(g, (-1, 1)) * wv) * q
    else:
        kept = t != ignore_index
        tt = np.where(kept, t, 0)
        rows = np.arange(R)
        wt = wv[tt]
        nll = np.where(kept, -(logp[rows, tt] * wt), 0.0)
        count = np.sum(wt[kept]) if w is not None else float(np.count_nonzero(kept))
        value = (nll if reduction == "none" else np.sum(nll) if reduction == "sum" else
                 np.sum(nll) / count)
        if eps:
            smooth = np.where(kept, -np.sum(logp * wv, axis=1), 0.0)
            ret = (smooth if reduction == "none" else np.sum(smooth) if reduction == "sum"
                   else np.sum(smooth) / count)
            value = (1.0 - eps) * value + ret * (eps / C)
        if gout is None:
            return value, None
        gn = gout * (1.0 - eps) if eps else gout
        gr = np.broadcast_to(-(gn / count) if reduction == "mean" else -gn, (R,))
        G = np.zeros((R, C))
        G[rows[kept], tt[kept]] = wt[kept] * gr[kept]
        if eps:
            gs = gout * (eps / C)
            gs = np.where(kept, gs / count if reduction == "mean" else gs, 0.0)
            G = G + (-gs)[:, None] * wv
    return value, G - np.exp(logp) * np.sum(G, axis=1, keepdims=True)


def _cross_entropy(fname, logits, target, axis, weight, ignore_index, reduction,
                   label_smoothing, mode, grad_output=None):
    """mode: 'value' (the loss), 'value_and_grad' ((loss, grad)) or 'backward' (the
    gradient times grad_output)."""
    x, dt, out_dt = _dtypes(fname, logits)
    reduction = _reduction(fname, reduction)
    axis, C = _class_axis(fname, "logits", x, axis)
    eps = _number(fname, "label_smoothing", label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"fastact.{fname}: label_smoothing must be between 0.0 and 1.0, "
                         f"got {label_smoothing!r}")
    ignore_index = _ignore_index(fname, ignore_index)
    w = None if weight is None else _class_weight(fname, weight, C)
    t = _array(fname, "target", target)
    row_shape = x.shape[:axis] + x.shape[axis + 1:]
    probabilities = _is_float(t.dtype)
    if probabilities:
        if t.shape != x.shape:
            raise ValueError(f"fastact.{fname}: target of class probabilities must have "
                             f"the logits' shape {x.shape}, got {t.shape} (class indices "
                             f"are integers)")
        if ignore_index != -100:
            raise ValueError(f"fastact.{fname}: ignore_index applies to class-index "
                             f"targets only, and target holds class probabilities")
    else:
        if t.dtype.kind not in "iu":
            raise TypeError(f"fastact.{fname}: target must be integer class indices or "
                            f"float class probabilities, got dtype {t.dtype}")
        _class_indices(fname, "logits", t, row_shape, axis, C, ignore_index)
    loss_shape = row_shape if reduction == "none" else ()
    if mode == "backward":
        gout = _grad_output(fname, grad_output, loss_shape, out_dt)
    elif mode == "value_and_grad":
        gout = np.float64(1.0)                   # the gradient of loss.sum()
    else:
        gout = None
    if x.size == 0:     # no rows (C > 0): nothing to compute, nothing of size C to make
        value = _empty_value(reduction, row_shape, out_dt)
        grad = np.zeros(x.shape, out_dt)
        return value if mode == "value" else grad if mode == "backward" else (value, grad)
    with np.errstate(all="ignore"):              # casts beyond float32, sums beyond float64
        value, grad = _ce_rows(x, dt, axis, C, t, probabilities, w, ignore_index, eps,
                               reduction, gout)
        if reduction == "none":
            value = _cast(value.reshape(row_shape), out_dt)
            value = value[()] if value.ndim == 0 else value
        else:
            value = _scalar(value, out_dt)
        if gout is not None:
            moved = row_shape + (C,)
            grad = _cast(np.moveaxis(grad.reshape(moved), -1, axis), out_dt)
    return value if mode == "value" else grad if mode == "backward" else (value, grad)


def _ce_rows(x, dt, axis, C, t, probabilities, w, ignore_index, eps, reduction, gout):
    """(loss (float64, a scalar or one per row), gradient times gout (R, C) or None) of
    the checked arguments, the class axis moved last."""
    # rows of the class axis, contiguous (a copy only when the axis is not the last one or
    # the logits are not C-contiguous)
    x2 = np.ascontiguousarray(np.moveaxis(x.astype(dt, copy=False), axis, -1)).reshape(-1, C)
    R = x2.shape[0]
    if w is not None:                  # rounded to the data's dtype (beyond it: inf)
        w = w.astype(dt).astype(np.float64)
    if probabilities:
        t2 = np.ascontiguousarray(np.moveaxis(t.astype(dt, copy=False), axis, -1))
        t2 = t2.reshape(-1, C)
        count = R
    else:
        t2 = np.ascontiguousarray(t.reshape(-1), dtype=np.int64)
        kept = t2 != ignore_index
        count = float(np.sum(w[t2[kept]])) if w is not None else float(np.count_nonzero(kept))
    wk = np.ones(C) if w is None else w
    wtotal = float(np.sum(wk))
    g = None if gout is None else np.asarray(gout, np.float64)
    per_row = g is not None and g.ndim > 0     # backward's grad_output, one per row
    g = g.reshape(-1) if per_row else g
    degenerate = (not math.isfinite(wtotal) or (w is not None and not np.isfinite(w).all())
                  or (reduction == "mean" and not (count != 0 and math.isfinite(count)))
                  or (g is not None and not np.isfinite(g).all()))
    if not degenerate:
        want_grad = g is not None
        if per_row:        # scaled row by row after a double computation: one rounding
            x2 = x2.astype(np.float64, copy=False)
            t2 = t2.astype(np.float64, copy=False) if probabilities else t2
        scale = float(g) if want_grad and not per_row else 1.0
        scale = scale / count if reduction == "mean" else scale
        loss = np.empty(R)
        grad = np.empty((R, C) if want_grad else (0, 0), dtype=x2.dtype)
        if probabilities:
            _losses.ce_prob(x2, t2, wk, eps, scale, loss, grad, want_grad, np.empty(C))
        else:
            _losses.ce_index(x2, t2, wk, wtotal, ignore_index, eps, scale, loss, grad,
                             want_grad)
        total = np.sum(loss)
        # a non-finite target probability gives a non-finite loss: then PyTorch's order
        # decides which entries are NaN (checked only then, to spare a pass over t)
        if not (probabilities and not math.isfinite(total) and not np.isfinite(t2).all()):
            if per_row:
                grad *= g[:, None]
            value = loss if reduction == "none" else total if reduction == "sum" \
                else total / count
            return value, grad if want_grad else None
    x64 = x2.astype(np.float64)
    t64 = t2.astype(np.float64) if probabilities else t2
    return _ce_torch_order(x64, t64, probabilities, w, ignore_index, eps, reduction, g)


_CE_PARAMETERS = """\
    logits : array_like
        Class scores (unnormalized log-probabilities), the classes along ``axis``: float16,
        bfloat16, float32 or float64 (any byte order), or integers (computed in float64).
    target : array_like
        Integer class indices, with the logits' shape without the class axis (0-d for 1-D
        logits), or float class probabilities, with the logits' shape.
    axis : int, default -1
        The class axis (PyTorch's ``dim``, which is 1 there: pass ``axis=1`` for
        PyTorch's layout ``(N, C, d1, ...)``).
    weight : array_like of shape (C,), optional
        One weight per class (a rescaling of each class's terms, as PyTorch's).
    ignore_index : int, default -100
        A class-index target equal to it contributes nothing, to the loss, the mean's
        divisor or the gradient (class-index targets only).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides the sum by the sum of the targets' class weights over the rows not
        ignored (the number of such rows without ``weight``; the number of rows for
        probability targets); 'none' gives one loss per row.
    label_smoothing : float in [0, 1], default 0.0
        The target becomes ``(1 - label_smoothing) target + label_smoothing / C``."""

_CE_RULE = """\
    The class axis is fastact's ``axis=-1`` (NumPy's rows of class scores), where
    PyTorch's ``dim`` is 1: for logits in PyTorch's layout ``(N, C, d1, ...)`` pass
    ``axis=1``.  (With ``N, C, T`` logits where ``C == T`` the default gives another,
    valid-looking loss.)"""


def cross_entropy(logits, target, axis=-1, weight=None, ignore_index=-100,
                  reduction="mean", label_smoothing=0.0, **kwargs):
    if kwargs:
        raise _unexpected("cross_entropy", kwargs, _CE_AXIS)
    return _cross_entropy("cross_entropy", logits, target, axis, weight, ignore_index,
                          reduction, label_smoothing, "value")


cross_entropy.__doc__ = f"""The cross-entropy of softmax(logits) along ``axis`` against ``target``,
    as ``torch.nn.functional.cross_entropy``.

{_CE_RULE}

    Parameters
    ----------
{_CE_PARAMETERS}

    Returns
    -------
    loss : scalar or ndarray
        The loss, in the logits' dtype (float64 for integer logits): a NumPy scalar for
        'mean' and 'sum', an array of the logits' shape without the class axis for
        'none'.  A mean over no rows (all ignored, or an empty batch) is NaN.

    See Also
    --------
    cross_entropy.value_and_grad : the loss and its gradient in one sweep.
    cross_entropy.backward : the gradient times an upstream gradient.

    Notes
    -----
    Per row, with p = softmax(x) and e the smoothing, a class index y gives
    ``(1 - e) w_y (-log p_y) + (e / C) sum_c w_c (-log p_c)``.  Computed as
    log-sum-exp with the row's maximum subtracted, in double: finite for any finite
    logits; a NaN logit makes its row's loss NaN.  float16 and bfloat16 are computed in
    float32 and rounded once.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> round(float(fastact.cross_entropy(logits, np.array([0, 1]))), 6)
    0.31854
    >>> fastact.cross_entropy(logits, np.array([0, 1]), reduction="none")
    array([0.41703002, 0.22004952])
    """


def _cross_entropy_value_and_grad(logits, target, axis=-1, weight=None, ignore_index=-100,
                                  reduction="mean", label_smoothing=0.0, **kwargs):
    if kwargs:
        raise _unexpected("cross_entropy.value_and_grad", kwargs, _CE_AXIS)
    return _cross_entropy("cross_entropy.value_and_grad", logits, target, axis, weight,
                          ignore_index, reduction, label_smoothing, "value_and_grad")


_cross_entropy_value_and_grad.__doc__ = f"""``(loss, dloss/dlogits)`` of ``fastact.cross_entropy``
    from one sweep over the logits.

{_CE_RULE}

    Parameters
    ----------
{_CE_PARAMETERS}

    Returns
    -------
    loss : scalar or ndarray
        As ``fastact.cross_entropy`` returns it.
    grad : ndarray
        The gradient with respect to the logits (of ``loss.sum()`` for 'none'), with the
        logits' shape and dtype: softmax minus the (smoothed, weighted) one-hot target,
        divided as the reduction divides; 0 in ignored rows.  The same as
        ``cross_entropy.backward(1.0, ...)`` (an array of ones for 'none').

    Examples
    --------
    >>> import numpy as np, fastact
    >>> loss, grad = fastact.cross_entropy.value_and_grad(np.array([[0.0, 0.0]]), np.array([1]))
    >>> loss, grad
    (np.float64(0.6931471805599453), array([[ 0.5, -0.5]]))
    """


def _cross_entropy_backward(grad_output, logits, target, axis=-1, weight=None,
                            ignore_index=-100, reduction="mean", label_smoothing=0.0,
                            **kwargs):
    if kwargs:
        raise _unexpected("cross_entropy.backward", kwargs, _CE_AXIS)
    return _cross_entropy("cross_entropy.backward", logits, target, axis, weight,
                          ignore_index, reduction, label_smoothing, "backward", grad_output)


_cross_entropy_backward.__doc__ = f"""The gradient of ``fastact.cross_entropy`` with respect to the
    logits, times ``grad_output`` (the chain rule's step, as PyTorch's autograd gives it).

{_CE_RULE}

    Parameters
    ----------
    grad_output : scalar or array_like
        The gradient with respect to the loss: a scalar for 'mean' and 'sum', an array
        of the loss's shape (the logits' without the class axis) for 'none'.
{_CE_PARAMETERS}

    Returns
    -------
    grad : ndarray
        ``grad_output`` times dloss/dlogits, with the logits' shape and dtype (for
        'none', each row's gradient times its own ``grad_output``); 0 in ignored rows.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> fastact.cross_entropy.backward(2.0, np.array([[0.0, 0.0]]), np.array([1]))
    array([[ 1., -1.]])
    >>> fastact.cross_entropy.backward(np.array([1.0, 0.5]), np.zeros((2, 2)), np.array([0, 1]),
    ...                                reduction="none")
    array([[-0.5 ,  0.5 ],
           [ 0.25, -0.25]])
    """


# ---- binary_cross_entropy_with_logits ----------------------------------------------------

def _bce(fname, logits, target, weight, pos_weight, reduction, mode, grad_output=None):
    x, dt, out_dt = _dtypes(fname, logits)
    reduction = _reduction(fname, reduction)
    t = _array(fname, "target", target)
    if t.shape != x.shape:
        raise ValueError(f"fastact.{fname}: target must have the logits' shape {x.shape}, "
                         f"got {t.shape}")
    ws = [_bce_weight(fname, what, v, x.shape, dt) if v is not None else np.ones(())
          for what, v in (("weight", weight), ("pos_weight", pos_weight))]
    loss_shape = x.shape if reduction == "none" else ()
    g = (_grad_output(fname, grad_output, loss_shape, out_dt) if mode == "backward" else
         None)
    want_grad = mode != "value"
    per_element = g is not None and reduction == "none"
    # the weights repeat along the leading axes: view the data as (B, K), K the size of
    # the trailing axes they span (one row of all n elements when both are scalars)
    tail = max(w.ndim for w in ws)
    K = int(np.prod(x.shape[x.ndim - tail:])) if tail else max(x.size, 1)
    shape2 = (x.size // K if K else 0, K)
    if tail:
        ws = [np.ascontiguousarray(np.broadcast_to(w, x.shape[x.ndim - tail:])).reshape(-1)
              for w in ws]
    else:
        ws = [w.reshape(1) for w in ws]
    # scaled element by element after a double computation (one rounding) for 'none'
    kdt = _F64 if per_element else dt
    with np.errstate(all="ignore"):          # targets beyond float32's range are inf
        x2 = np.ascontiguousarray(x, dtype=dt).astype(kdt, copy=False).reshape(shape2)
        t2 = np.ascontiguousarray(t, dtype=dt).astype(kdt, copy=False).reshape(shape2)
        n = x.size
        scale = float(g) if g is not None and not per_element else 1.0
        scale = scale / n if reduction == "mean" and n else scale
        elementwise = reduction == "none" and mode != "backward"
        loss = np.empty(shape2 if elementwise else (0, 0), dtype=kdt)
        grad = np.empty(shape2 if want_grad else (0, 0), dtype=kdt)
        total = _losses.bce(x2, t2, ws[0], ws[1], scale, loss, elementwise, grad, want_grad)
        if ((g is not None and not np.isfinite(g).all()) or
                (not math.isfinite(total) and not all(np.isfinite(a).all()
                                                      for a in (t2, *ws)))):
            value, grad = _bce_degenerate(x2, t2, ws, weight is not None,
                                          pos_weight is not None, g, per_element,
                                          want_grad, reduction, shape2)
        else:
            value = (loss if elementwise else total if reduction == "sum" else
                     total / n if n else math.nan)
            if per_element:
                grad *= g.reshape(shape2)
        if mode != "backward":
            if elementwise:
                value = _cast(value.reshape(x.shape), out_dt)
                value = value[()] if value.ndim == 0 else value
            else:
                value = _scalar(value, out_dt)
            if not want_grad:
                return value
        grad = _cast(grad.reshape(x.shape), out_dt)
        grad = grad[()] if grad.ndim == 0 else grad
    return grad if mode == "backward" else (value, grad)


def _bce_torch_order(x, t, w, pw):
    """(loss, gradient) of binary cross-entropy with logits, elementwise, as PyTorch
    computes them (aten's (1 - t) x - log_weight log_sigmoid(x), times the weight, and its
    backward), in float64; w and pw None when not given.  Only for the elements with a
    non-finite target, weight or grad_output, where which come out NaN and which inf
    depends on the order of the operations."""
    log_sig = np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))
    if pw is not None:
        log_sig = log_sig * ((pw - 1.0) * t + 1.0)
    loss = (1.0 - t) * x - log_sig
    sig = 1.0 / (1.0 + np.exp(-x))
    if pw is not None:
        tt = pw * t
        grad = ((tt + 1.0) - t) * sig - tt
    else:
        grad = sig - t
    if w is not None:
        loss, grad = loss * w, grad * w
    return loss, grad


def _bce_degenerate(x2, t2, ws, weighted, pos_weighted, g, per_element, want_grad,
                    reduction, shape2):
    """(loss as the reduction gives it, gradient times grad_output or None) in float64
    when a target, weight or grad_output is not finite: the kernel's values, and
    PyTorch's at those elements (the other elements keep theirs: infinite logits the
    limits)."""
    x, t = x2.astype(np.float64), t2.astype(np.float64)
    w, pw = (np.broadcast_to(v, shape2) for v in ws)
    gb = np.broadcast_to(1.0 if g is None else g.reshape(shape2) if per_element else
                         float(g), shape2)
    bad = ~(np.isfinite(t) & np.isfinite(w) & np.isfinite(pw) & np.isfinite(gb))
    loss, grad = np.empty(shape2), np.empty(shape2)
    _losses.bce(x, t, ws[0], ws[1], 1.0, loss, True, grad, True)
    loss[bad], grad[bad] = _bce_torch_order(x[bad], t[bad], w[bad] if weighted else None,
                                            pw[bad] if pos_weighted else None)
    n = x.size
    value = (loss if reduction == "none" else np.sum(loss) if reduction == "sum" else
             np.sum(loss) / n)
    if not want_grad:
        return value, None
    grad = grad * gb                         # PyTorch: times the weight, grad_output, 1/n
    return value, grad / n if reduction == "mean" else grad


_BCE_PARAMETERS = """\
    logits : array_like
        float16, bfloat16, float32 or float64 (any byte order), or integers (computed in
        float64).
    target : array_like
        Probabilities in [0, 1], the logits' shape (floats or integers; not bools).
    weight : array_like, optional
        A rescaling of each element's loss, broadcast against the logits (it may not
        enlarge them).
    pos_weight : array_like, optional
        The positives' weight, broadcast against the logits from the right (shape
        ``(C,)``: one per class of the last axis).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' over every element, 'sum', or 'none' (the elementwise loss)."""


def binary_cross_entropy_with_logits(logits, target, weight=None, pos_weight=None,
                                     reduction="mean", **kwargs):
    if kwargs:
        raise _unexpected("binary_cross_entropy_with_logits", kwargs, _BCE_AXIS)
    return _bce("binary_cross_entropy_with_logits", logits, target, weight, pos_weight,
                reduction, "value")


binary_cross_entropy_with_logits.__doc__ = f"""The binary cross-entropy of sigmoid(logits) against
    ``target``, as ``torch.nn.functional.binary_cross_entropy_with_logits``:
    ``-w (pos_weight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))``, elementwise (no
    class axis).

    Parameters
    ----------
{_BCE_PARAMETERS}

    Returns
    -------
    loss : scalar or ndarray
        The loss, in the logits' dtype (float64 for integer logits): a NumPy scalar for
        'mean' and 'sum' (the mean of no elements is NaN), the logits' shape for 'none'.

    See Also
    --------
    binary_cross_entropy_with_logits.value_and_grad : the loss and its gradient.
    binary_cross_entropy_with_logits.backward : the gradient times an upstream gradient.

    Notes
    -----
    Computed as ``pw t softplus(-x) + (1 - t) softplus(x)`` in double: exact for every x,
    no overflow (infinite logits give the limits).  float16 and bfloat16 are computed in
    float32 and rounded once.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> bce = fastact.binary_cross_entropy_with_logits
    >>> round(float(bce(np.array([0.0, 2.0]), np.array([1.0, 0.0]))), 6)
    1.410038
    >>> bce(np.array([0.0, 2.0]), np.array([1.0, 0.0]), reduction="none")
    array([0.69314718, 2.12692801])
    """


def _bce_value_and_grad(logits, target, weight=None, pos_weight=None, reduction="mean",
                        **kwargs):
    if kwargs:
        raise _unexpected("binary_cross_entropy_with_logits.value_and_grad", kwargs,
                          _BCE_AXIS)
    return _bce("binary_cross_entropy_with_logits.value_and_grad", logits, target, weight,
                pos_weight, reduction, "value_and_grad")


_bce_value_and_grad.__doc__ = f"""``(loss, dloss/dlogits)`` of
    ``fastact.binary_cross_entropy_with_logits`` in one sweep.

    Parameters
    ----------
{_BCE_PARAMETERS}

    Returns
    -------
    loss : scalar or ndarray
        As ``fastact.binary_cross_entropy_with_logits`` returns it.
    grad : ndarray
        ``w ((1 - t) sigmoid(x) - pos_weight t sigmoid(-x))`` (``sigmoid(x) - t``
        without weights), divided by the number of elements for 'mean' (the gradient of
        ``loss.sum()`` for 'none'), with the logits' shape and dtype.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> bce = fastact.binary_cross_entropy_with_logits
    >>> loss, grad = bce.value_and_grad(np.array([0.0]), np.array([1.0]))
    >>> loss, grad
    (np.float64(0.6931471805599453), array([-0.5]))
    """


def _bce_backward(grad_output, logits, target, weight=None, pos_weight=None,
                  reduction="mean", **kwargs):
    if kwargs:
        raise _unexpected("binary_cross_entropy_with_logits.backward", kwargs, _BCE_AXIS)
    return _bce("binary_cross_entropy_with_logits.backward", logits, target, weight,
                pos_weight, reduction, "backward", grad_output)


_bce_backward.__doc__ = f"""The gradient of ``fastact.binary_cross_entropy_with_logits`` with
    respect to the logits, times ``grad_output`` (as PyTorch's autograd gives it).

    Parameters
    ----------
    grad_output : scalar or array_like
        The gradient with respect to the loss: a scalar for 'mean' and 'sum', an array
        that broadcasts to the logits' shape (without enlarging it) for 'none'.
{_BCE_PARAMETERS}

    Returns
    -------
    grad : ndarray
        ``grad_output`` times dloss/dlogits, with the logits' shape and dtype.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> bce = fastact.binary_cross_entropy_with_logits
    >>> bce.backward(4.0, np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    array([-1.,  1.])
    >>> bce.backward(np.array([1.0, 3.0]), np.array([0.0, 0.0]), np.array([1.0, 0.0]),
    ...              reduction="none")
    array([-0.5,  1.5])
    """


# ---- the pointwise losses: mse_loss, huber_loss, smooth_l1_loss, binary_cross_entropy ----

def _pointwise(fname, kind, input, target, weight, param, reduction, mode,
               grad_output=None):
    """The pointwise loss `kind` (a name in _losses.POINTWISE) of input against target
    (the same shape: PyTorch's broadcasting of a mismatched target, which it warns of or
    refuses, is a ValueError here); param is huber's delta or smooth_l1's beta (as (name, value, positive), checked;
    None for the others),
    weight BCE's (None or broadcasting to the input).  mode as _cross_entropy's."""
    x, dt, out_dt = _dtypes(fname, input, "input")
    reduction = _reduction(fname, reduction)
    t = _array(fname, "target", target)
    if t.shape != x.shape:
        raise ValueError(f"fastact.{fname}: target must have the input's shape {x.shape}, "
                         f"got {t.shape} (fastact does not broadcast them)")
    w = (np.ones(()) if weight is None else
         _bce_weight(fname, "weight", weight, x.shape, dt))
    param = 0.0 if param is None else _param(fname, *param, dt)
    loss_shape = x.shape if reduction == "none" else ()
    g = (_grad_output(fname, grad_output, loss_shape, out_dt) if mode == "backward" else
         None)
    want_grad = mode != "value"
    per_element = g is not None and reduction == "none"
    # as BCE with logits: the weight repeats along the leading axes, the data viewed as
    # (B, K), K the size of the trailing axes it spans
    K = int(np.prod(x.shape[x.ndim - w.ndim:])) if w.ndim else max(x.size, 1)
    shape2 = (x.size // K if K else 0, K)
    w = (np.ascontiguousarray(np.broadcast_to(w, x.shape[x.ndim - w.ndim:])).reshape(-1)
         if w.ndim else w.reshape(1))
    kdt = _F64 if per_element else dt     # scaled element by element after a double pass
    with np.errstate(all="ignore"):       # targets beyond float32's range are inf
        x2 = np.ascontiguousarray(x, dtype=dt).reshape(shape2)
        t2 = np.ascontiguousarray(t, dtype=dt).reshape(shape2)
        if kind == "binary_cross_entropy":     # PyTorch's RuntimeErrors (NaN is one)
            for what, a in (("input", x2), ("target", t2)):
                bad = ~((a >= 0) & (a <= 1))
                if bad.any():
                    i = np.unravel_index(int(np.argmax(bad.reshape(-1))), x.shape)
                    raise ValueError(
                        f"fastact.{fname}: every element of {what} must be in [0, 1] "
                        f"(probabilities), got {what}[{', '.join(map(str, i))}] = "
                        f"{float(a.reshape(x.shape)[i])!r}")
        x2, t2 = x2.astype(kdt, copy=False), t2.astype(kdt, copy=False)
        n = x.size
        scale = float(g) if g is not None and not per_element else 1.0
        scale = scale / n if reduction == "mean" and n else scale
        elementwise = reduction == "none" and mode != "backward"
        loss = np.empty(shape2 if elementwise else (0, 0), dtype=kdt)
        grad = np.empty(shape2 if want_grad else (0, 0), dtype=kdt)
        total = _losses.pointwise(_losses.POINTWISE[kind], x2, t2, w, float(param), scale,
                                  loss, elementwise, grad, want_grad)
        value = (loss if elementwise else total if reduction == "sum" else
                 total / n if n else math.nan)
        if per_element:
            grad *= g.reshape(shape2)
        if mode != "backward":
            if elementwise:
                value = _cast(value.reshape(x.shape), out_dt)
                value = value[()] if value.ndim == 0 else value
            else:
                value = _scalar(value, out_dt)
            if not want_grad:
                return value
        grad = _cast(grad.reshape(x.shape), out_dt)
        grad = grad[()] if grad.ndim == 0 else grad
    return grad if mode == "backward" else (value, grad)


def _param(fname, what, value, positive, dtype):
    """huber's delta (positive) or smooth_l1's beta (>= 0), rounded to the data's dtype as
    PyTorch's kernels take it (the dtype the kernels compute in: float32 for float16)."""
    v = _number(fname, what, value)
    if not (v > 0.0 if positive else v >= 0.0):
        raise ValueError(f"fastact.{fname}: {what} must be "
                         f"{'positive' if positive else 'non-negative'}, got {value!r}")
    with np.errstate(all="ignore"):
        return float(dtype.type(v))


_PW_INPUT = """\
    input : array_like
        The predictions: float16, bfloat16, float32 or float64 (any byte order), or
        integers (computed in float64).
    target : array_like
        The input's shape (not broadcast: PyTorch's broadcasting of a mismatched target,
        which it warns of, is a ValueError here); floats or integers, not bools."""
_PW_REDUCTION = """\
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' over every element (NaN for no elements), 'sum', or 'none' (the
        elementwise loss)."""
_PW_GRAD_OUTPUT = """\
    grad_output : scalar or array_like
        The gradient with respect to the loss: a scalar for 'mean' and 'sum', an array
        that broadcasts to the input's shape (without enlarging it) for 'none'."""
_PW_DOC = {
    "mse_loss": ("The mean squared error ``(input - target)**2``, as "
                 "``torch.nn.functional.mse_loss``.", "2 (input - target)", "",
                 ""),
    "huber_loss": ("The Huber loss, as ``torch.nn.functional.huber_loss``: with "
                   "``d = input - target``, ``d**2 / 2`` where ``|d| < delta``, else "
                   "``delta (|d| - delta / 2)``.", "clip(d, -delta, delta)",
                   "    delta : float, default 1.0\n        Where the loss turns from "
                   "quadratic to linear; positive (PyTorch's error otherwise).\n", ""),
    "smooth_l1_loss": ("The smooth L1 loss, as ``torch.nn.functional.smooth_l1_loss``: "
                       "with ``d = input - target``, ``d**2 / (2 beta)`` where ``|d| < "
                       "beta``, else ``|d| - beta / 2``; ``beta=0`` is the L1 loss "
                       "``|d|``.", "clip(d / beta, -1, 1) (sign(d) for beta = 0)",
                       "    beta : float, default 1.0\n        Where the loss turns from "
                       "quadratic to linear; non-negative (0: the L1 loss).\n", ""),
    "binary_cross_entropy": (
        "The binary cross-entropy of probabilities, as "
        "``torch.nn.functional.binary_cross_entropy`` (for a sigmoid output: "
        "``binary_cross_entropy_with_logits`` takes the logits, without the clamp below): "
        "``-w (t log(x) + (1 - t) log(1 - x))``, each log clamped at -100 as PyTorch's.",
        "w (x - t) / max((1 - x) x, 1e-12) (PyTorch's clamp)",
        "    weight : array_like, optional\n        A rescaling of each element's loss, "
        "broadcast against the input (it may not enlarge it).\n",
        "\n    Notes\n    -----\n    PyTorch clamps each log term at -100, so an input of "
        "exactly 0 or 1 gives a finite loss\n    (100 per element on the wrong side), and "
        "the gradient's denominator at 1e-12 (a\n    gradient of -+1e12 there).  input and "
        "target outside [0, 1] (NaN included) are a\n    ValueError, PyTorch's "
        "RuntimeError.\n"),
}


_PW_EXAMPLES = {
    "mse_loss": (
        ">>> float(fastact.mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0])))\n    2.5",
        ">>> fastact.mse_loss.value_and_grad(np.array([1.0, 2.0]), np.zeros(2))\n"
        "    (np.float64(2.5), array([1., 2.]))",
        ">>> fastact.mse_loss.backward(2.0, np.array([1.0, 2.0]), np.zeros(2))\n"
        "    array([2., 4.])"),
    "huber_loss": (
        ">>> fastact.huber_loss(np.array([0.5, 3.0]), np.zeros(2), reduction='none')\n"
        "    array([0.125, 2.5  ])",
        ">>> fastact.huber_loss.value_and_grad(np.array([0.5, 3.0]), np.zeros(2))\n"
        "    (np.float64(1.3125), array([0.25, 0.5 ]))",
        ">>> fastact.huber_loss.backward(2.0, np.array([0.5, 3.0]), np.zeros(2))\n"
        "    array([0.5, 1. ])"),
    "smooth_l1_loss": (
        ">>> fastact.smooth_l1_loss(np.array([0.5, 3.0]), np.zeros(2), reduction='none',\n"
        "    ...                         beta=0.5)\n    array([0.25, 2.75])",
        ">>> loss, grad = fastact.smooth_l1_loss.value_and_grad(np.array([0.5, 3.0]),\n"
        "    ...                                                 np.zeros(2), beta=0.0)\n"
        "    >>> float(loss), grad                             # beta=0: the L1 loss\n"
        "    (1.75, array([0.5, 0.5]))",
        ">>> fastact.smooth_l1_loss.backward(np.array([1.0, 3.0]), np.array([0.5, 3.0]),\n"
        "    ...                              np.zeros(2), reduction='none')\n"
        "    array([0.5, 3. ])"),
    "binary_cross_entropy": (
        ">>> bce = fastact.binary_cross_entropy\n"
        "    >>> bce(np.array([0.0, 0.5]), np.array([1.0, 1.0]), reduction='none')  # clamped\n"
        "    array([100.        ,   0.69314718])",
        ">>> bce = fastact.binary_cross_entropy\n"
        "    >>> bce.value_and_grad(np.array([0.5, 0.9]), np.array([1.0, 0.0]), reduction='sum')\n"
        "    (np.float64(2.9957322735539913), array([-2., 10.]))",
        ">>> bce = fastact.binary_cross_entropy\n"
        "    >>> bce.backward(0.5, np.array([0.5, 0.8]), np.array([1.0, 0.0]), reduction='sum')\n"
        "    array([-1. ,  2.5])"),
}


def _pw_docs(name, fn, vag, bwd):
    head, grad, params, notes = _PW_DOC[name]
    ex = ["\n    Examples\n    --------\n    >>> import numpy as np, fastact\n    " + e + "\n"
          for e in _PW_EXAMPLES[name]]
    params = f"{_PW_INPUT}\n{params}{_PW_REDUCTION}"
    fn.__doc__ = f"""{head}

    Parameters
    ----------
{params}

    Returns
    -------
    loss : scalar or ndarray
        The loss, in the input's dtype (float64 for integer input): a NumPy scalar for
        'mean' and 'sum', the input's shape for 'none'.

    See Also
    --------
    {name}.value_and_grad : the loss and its gradient in one sweep.
    {name}.backward : the gradient times an upstream gradient.
{notes}{ex[0]}"""
    vag.__doc__ = f"""``(loss, dloss/dinput)`` of ``fastact.{name}`` in one sweep.

    Parameters
    ----------
{params}

    Returns
    -------
    loss : scalar or ndarray
        As ``fastact.{name}`` returns it.
    grad : ndarray
        ``{grad}``, divided by the number of elements for 'mean' (the gradient of
        ``loss.sum()`` for 'none'), with the input's shape and dtype.
{ex[1]}"""
    bwd.__doc__ = f"""The gradient of ``fastact.{name}`` with respect to the input, times
    ``grad_output`` (as PyTorch's autograd gives it).

    Parameters
    ----------
{_PW_GRAD_OUTPUT}
{params}

    Returns
    -------
    grad : ndarray
        ``grad_output`` times dloss/dinput, with the input's shape and dtype.
{ex[2]}"""


def mse_loss(input, target, reduction="mean", **kwargs):
    if kwargs:
        raise _unexpected("mse_loss", kwargs, _BCE_AXIS)
    return _pointwise("mse_loss", "mse_loss", input, target, None, None, reduction, "value")


def _mse_value_and_grad(input, target, reduction="mean", **kwargs):
    fname = "mse_loss.value_and_grad"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "mse_loss", input, target, None, None, reduction,
                      "value_and_grad")


def _mse_backward(grad_output, input, target, reduction="mean", **kwargs):
    fname = "mse_loss.backward"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "mse_loss", input, target, None, None, reduction, "backward",
                      grad_output)


def huber_loss(input, target, reduction="mean", delta=1.0, **kwargs):
    fname = "huber_loss"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "huber_loss", input, target, None,
                      ("delta", delta, True), reduction, "value")


def _huber_value_and_grad(input, target, reduction="mean", delta=1.0, **kwargs):
    fname = "huber_loss.value_and_grad"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "huber_loss", input, target, None,
                      ("delta", delta, True), reduction,
                      "value_and_grad")


def _huber_backward(grad_output, input, target, reduction="mean", delta=1.0, **kwargs):
    fname = "huber_loss.backward"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "huber_loss", input, target, None,
                      ("delta", delta, True), reduction, "backward",
                      grad_output)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0, **kwargs):
    fname = "smooth_l1_loss"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "smooth_l1_loss", input, target, None,
                      ("beta", beta, False), reduction, "value")


def _smooth_l1_value_and_grad(input, target, reduction="mean", beta=1.0, **kwargs):
    fname = "smooth_l1_loss.value_and_grad"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "smooth_l1_loss", input, target, None,
                      ("beta", beta, False), reduction,
                      "value_and_grad")


def _smooth_l1_backward(grad_output, input, target, reduction="mean", beta=1.0, **kwargs):
    fname = "smooth_l1_loss.backward"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "smooth_l1_loss", input, target, None,
                      ("beta", beta, False), reduction,
                      "backward", grad_output)


def binary_cross_entropy(input, target, weight=None, reduction="mean", **kwargs):
    fname = "binary_cross_entropy"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, fname, input, target, weight, None, reduction, "value")


def _bce_prob_value_and_grad(input, target, weight=None, reduction="mean", **kwargs):
    fname = "binary_cross_entropy.value_and_grad"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "binary_cross_entropy", input, target, weight, None,
                      reduction, "value_and_grad")


def _bce_prob_backward(grad_output, input, target, weight=None, reduction="mean",
                       **kwargs):
    fname = "binary_cross_entropy.backward"
    if kwargs:
        raise _unexpected(fname, kwargs, _BCE_AXIS)
    return _pointwise(fname, "binary_cross_entropy", input, target, weight, None,
                      reduction, "backward", grad_output)


_pw_docs("mse_loss", mse_loss, _mse_value_and_grad, _mse_backward)
_pw_docs("huber_loss", huber_loss, _huber_value_and_grad, _huber_backward)
_pw_docs("smooth_l1_loss", smooth_l1_loss, _smooth_l1_value_and_grad, _smooth_l1_backward)
_pw_docs("binary_cross_entropy", binary_cross_entropy, _bce_prob_value_and_grad,
         _bce_prob_backward)


# ---- nll_loss ----------------------------------------------------------------------------

def _nll(fname, input, target, axis, weight, ignore_index, reduction, mode,
         grad_output=None):
    """nll_loss: loss_i = -w[y_i] x[i, y_i] (0 where y_i is ignore_index), the 'mean'
    divided by the sum of w[y_i] over the rows kept (PyTorch's weighted mean: 0/0 = NaN
    when every row is ignored); the gradient -w[y_i] at the target's class, 0 elsewhere.
    A gather and a scatter, no kernel: PyTorch's order of the products, in float64."""
    x, dt, out_dt = _dtypes(fname, input, "input")
    reduction = _reduction(fname, reduction)
    axis, C = _class_axis(fname, "input", x, axis)
    ignore_index = _ignore_index(fname, ignore_index)
    w = None if weight is None else _class_weight(fname, weight, C)
    t = _array(fname, "target", target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"fastact.{fname}: target must be integer class indices, got dtype "
                        f"{t.dtype}")
    row_shape = x.shape[:axis] + x.shape[axis + 1:]
    _class_indices(fname, "input", t, row_shape, axis, C, ignore_index)
    loss_shape = row_shape if reduction == "none" else ()
    g = (_grad_output(fname, grad_output, loss_shape, out_dt) if mode == "backward" else
         np.float64(1.0))
    with np.errstate(all="ignore"):
        xr = np.moveaxis(x, axis, -1).reshape(-1, C)       # a view when axis is last
        tt = t.reshape(-1).astype(np.int64, copy=False)
        kept = tt != ignore_index
        rows = np.flatnonzero(kept)
        tk = tt[rows]
        wk = (np.ones(len(rows)) if w is None else
              w.astype(dt).astype(np.float64)[tk])        # rounded to the data's dtype
        picked = xr[rows, tk].astype(dt).astype(np.float64)
        nll = np.zeros(tt.shape)
        nll[rows] = -(picked * wk)
        count = float(np.sum(wk)) if w is not None else float(len(rows))
        value = (nll if reduction == "none" else np.sum(nll) if reduction == "sum" else
                 np.sum(nll) / count if count else np.sum(nll) * math.nan)
        if mode != "backward":
            if reduction == "none":
                value = _cast(value.reshape(row_shape), out_dt)
                value = value[()] if value.ndim == 0 else value
            else:
                value = _scalar(value, out_dt)
            if mode == "value":
                return value
        gr = np.broadcast_to(np.asarray(g, np.float64), loss_shape).reshape(-1)
        gr = gr[rows] if gr.size > 1 else np.broadcast_to(gr, rows.shape)
        gr = -(gr / count) if reduction == "mean" else -gr
        G = np.zeros(xr.shape, out_dt)
        G[rows, tk] = _cast(wk * gr, out_dt)
        grad = np.moveaxis(G.reshape(row_shape + (C,)), -1, axis)
        grad = np.ascontiguousarray(grad)
    return grad if mode == "backward" else (value, grad)


_NLL_PARAMETERS = """\
    input : array_like
        Log-probabilities (a log_softmax output), the classes along ``axis``: float16,
        bfloat16, float32 or float64 (any byte order), or integers (computed in float64).
    target : array_like
        Integer class indices, with the input's shape without the class axis (0-d for
        1-D input).
    axis : int, default -1
        The class axis (PyTorch's ``dim``, which is 1 there: pass ``axis=1`` for
        PyTorch's layout ``(N, C, d1, ...)``).
    weight : array_like of shape (C,), optional
        One weight per class.
    ignore_index : int, default -100
        A target equal to it contributes nothing, to the loss, the mean's divisor or the
        gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides the sum by the sum of the targets' class weights over the rows not
        ignored (PyTorch's weighted mean; the number of such rows without ``weight``; NaN
        when it is 0); 'none' gives one loss per row."""


def nll_loss(input, target, axis=-1, weight=None, ignore_index=-100, reduction="mean",
             **kwargs):
    if kwargs:
        raise _unexpected("nll_loss", kwargs, _CE_AXIS)
    return _nll("nll_loss", input, target, axis, weight, ignore_index, reduction, "value")


def _nll_value_and_grad(input, target, axis=-1, weight=None, ignore_index=-100,
                        reduction="mean", **kwargs):
    fname = "nll_loss.value_and_grad"
    if kwargs:
        raise _unexpected(fname, kwargs, _CE_AXIS)
    return _nll(fname, input, target, axis, weight, ignore_index, reduction,
                "value_and_grad")


def _nll_backward(grad_output, input, target, axis=-1, weight=None, ignore_index=-100,
                  reduction="mean", **kwargs):
    fname = "nll_loss.backward"
    if kwargs:
        raise _unexpected(fname, kwargs, _CE_AXIS)
    return _nll(fname, input, target, axis, weight, ignore_index, reduction, "backward",
                grad_output)


nll_loss.__doc__ = f"""The negative log-likelihood of log-probabilities along ``axis`` at
    ``target``'s classes, as ``torch.nn.functional.nll_loss``: ``-w_y input[y]`` per row.

{_CE_RULE.replace("logits", "input")}

    Parameters
    ----------
{_NLL_PARAMETERS}

    Returns
    -------
    loss : scalar or ndarray
        The loss, in the input's dtype (float64 for integer input): a NumPy scalar for
        'mean' and 'sum', the input's shape without the class axis for 'none'.

    See Also
    --------
    nll_loss.value_and_grad : the loss and its gradient.
    nll_loss.backward : the gradient times an upstream gradient.
    cross_entropy : log_softmax and nll_loss fused (from the logits).

    Examples
    --------
    >>> import numpy as np, fastact
    >>> fastact.nll_loss(np.log(np.array([[0.5, 0.5], [0.25, 0.75]])), np.array([0, 1]),
    ...                  reduction="none")
    array([0.69314718, 0.28768207])
    """
_nll_value_and_grad.__doc__ = f"""``(loss, dloss/dinput)`` of ``fastact.nll_loss``.

    Parameters
    ----------
{_NLL_PARAMETERS}

    Returns
    -------
    loss : scalar or ndarray
        As ``fastact.nll_loss`` returns it.
    grad : ndarray
        ``-w_y`` at each row's target class (divided by the mean's divisor for 'mean'), 0
        elsewhere and in ignored rows, with the input's shape and dtype.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> logp = np.log(np.array([[0.5, 0.5], [0.25, 0.75]]))
    >>> loss, grad = fastact.nll_loss.value_and_grad(logp, np.array([0, 1]))
    >>> grad
    array([[-0.5,  0. ],
           [ 0. , -0.5]])
    """
_nll_backward.__doc__ = f"""The gradient of ``fastact.nll_loss`` with respect to the input,
    times ``grad_output`` (as PyTorch's autograd gives it).

    Parameters
    ----------
    grad_output : scalar or array_like
        The gradient with respect to the loss: a scalar for 'mean' and 'sum', an array
        of the loss's shape (the input's without the class axis) for 'none'.
{_NLL_PARAMETERS}

    Returns
    -------
    grad : ndarray
        ``grad_output`` times dloss/dinput, with the input's shape and dtype.

    Examples
    --------
    >>> import numpy as np, fastact
    >>> logp = np.log(np.array([[0.5, 0.5], [0.25, 0.75]]))
    >>> fastact.nll_loss.backward(2.0, logp, np.array([0, -100]))   # row 1 ignored
    array([[-2.,  0.],
           [ 0.,  0.]])
    """


def _hide_kwargs(fn):
    """The signature without the **kwargs that only catch dim= (and other unknown names)
    to say so in fastact's words."""
    sig = inspect.signature(fn)
    fn.__signature__ = sig.replace(parameters=[
        p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD])


def _attach(fn, **methods):
    """fn.value_and_grad, fn.backward and fn.reference, named so that they pickle by their
    qualified names (fastact.losses.cross_entropy.value_and_grad, ...)."""
    _hide_kwargs(fn)
    for name, m in methods.items():
        m.__name__, m.__qualname__, m.__module__ = name, f"{fn.__qualname__}.{name}", __name__
        if name != "reference":
            _hide_kwargs(m)
        setattr(fn, name, m)


_attach(cross_entropy, value_and_grad=_cross_entropy_value_and_grad,
        backward=_cross_entropy_backward, reference=_loss_reference.cross_entropy)
_attach(binary_cross_entropy_with_logits, value_and_grad=_bce_value_and_grad,
        backward=_bce_backward, reference=_loss_reference.binary_cross_entropy_with_logits)
_attach(mse_loss, value_and_grad=_mse_value_and_grad, backward=_mse_backward,
        reference=_loss_reference.mse_loss)
_attach(huber_loss, value_and_grad=_huber_value_and_grad, backward=_huber_backward,
        reference=_loss_reference.huber_loss)
_attach(smooth_l1_loss, value_and_grad=_smooth_l1_value_and_grad,
        backward=_smooth_l1_backward, reference=_loss_reference.smooth_l1_loss)
_attach(binary_cross_entropy, value_and_grad=_bce_prob_value_and_grad,
        backward=_bce_prob_backward, reference=_loss_reference.binary_cross_entropy)
_attach(nll_loss, value_and_grad=_nll_value_and_grad, backward=_nll_backward,
        reference=_loss_reference.nll_loss)
del _attach


# ---- accuracy bounds ------------------------------------------------------------------------

# The bounds ``python -m fastact accuracy --only cross_entropy,binary_cross_entropy_with_logits``
# (and the other losses' names) holds (fastact.instruments.accuracy_losses, against mpmath), per (loss, dtype), in ULP;
# each kind's
# bound is its value plus per_class * C for rows of C classes:
#   loss          each row's (element's) loss, reduction='none': ULP of the result;
#   loss_reduced  'sum' and 'mean': ULP of the result;
#   grad          value_and_grad's gradient, every reduction: ULP of the magnitude of its
#                 terms |a p_c| + |b_c| (the ULP of the result where they do not cancel).
# float64: every loss is a sum of non-negative terms (no cancellation), each a few
# roundings: the exp and log1p primitives (about 1 ULP each), x_c - max, the weights' and
# smoothing's products, the division by the count (half an ULP each): 4.  The gradient's
# two terms a p_c and b_c each carry as many; BCE's, w scale ((1 - t) sigmoid(x) - pw t
# sigmoid(-x)), has eight roundings after the exp (1 - t, pw t, 1 / (1 + z), the products
# and the difference): 8, the derivatives' usual bound.  The row's sums of C terms (the
# exps, the smoothing terms, the target weights' total) round once per term in the worst
# case, half an ULP each: per_class.  BCE's reductions add blocks with compensation, so
# their error does not grow with the number of elements.
# float32: the kernels compute in double and round once (0.5 ULP), plus the double's
# error (per_class: the row sums' C/2 ULP64, 2^-29 ULP32 each); cross-entropy's gradient
# starts from the exps stored in the float32 gradient array, a second rounding (below
# 1 ULP of a p_c): 1.5.
# The other losses (their gradient's unit is the ULP of the result): float32 computes in
# double and rounds once, 0.5.  float64: nll_loss's loss is one product -(x w), 0.5; its
# 'sum' and 'mean' (and the mean's divisor, the sum of the targets' weights, in the
# gradient) are NumPy's pairwise sums, whose error grows with log2 of the rows in the worst
# case: 8 (measured below 2).  The pointwise losses: d = x - t (0.5, doubled by the
# square) and two or three roundings more (BCE: libm's log, below 1 ULP, 1 - t, the
# products, the weight): 2 (MSE), 3 (huber, smooth_l1), 4 (BCE); their 'sum' and 'mean'
# add non-negative terms (no cancellation: the terms' relative error, plus the
# compensated sum's and the mean's division, half an ULP each), the loss's bound + 1,
# and for BCE + 2 (its terms' errors, in ULP of each term, may be twice as many ULP of a
# sum just below a power of 2: measured 3.9);
# the gradients 2 (d, the product with the reduction's scale; smooth_l1's 3, its d / beta
# a rounding more: measured 2.08), BCE's 4 (x - t, 1 - x, two products, the division).
LossAccuracy = namedtuple("LossAccuracy", "loss loss_reduced grad per_class")

ACCURACY = {
    ("cross_entropy", "float64"): LossAccuracy(4.0, 4.0, 4.0, per_class=0.5),
    ("cross_entropy", "float32"): LossAccuracy(0.5, 0.5, 1.5, per_class=2.0 ** -30),
    ("binary_cross_entropy_with_logits", "float64"): LossAccuracy(4.0, 4.0, 8.0, 0.0),
    ("binary_cross_entropy_with_logits", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("nll_loss", "float64"): LossAccuracy(0.5, 8.0, 8.0, 0.0),
    ("nll_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("binary_cross_entropy", "float64"): LossAccuracy(4.0, 6.0, 4.0, 0.0),
    ("binary_cross_entropy", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("mse_loss", "float64"): LossAccuracy(2.0, 3.0, 2.0, 0.0),
    ("mse_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("huber_loss", "float64"): LossAccuracy(3.0, 4.0, 2.0, 0.0),
    ("huber_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("smooth_l1_loss", "float64"): LossAccuracy(3.0, 4.0, 3.0, 0.0),
    ("smooth_l1_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
}
