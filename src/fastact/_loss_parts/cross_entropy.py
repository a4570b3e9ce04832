"""cross_entropy, its value_and_grad and backward, and PyTorch's order of operations
for its degenerate cases."""

import math

import numpy as np

from .. import _losses
from .._api._checks import _is_float
from .checks import (
    _array, _cast, _CE_AXIS, _class_axis, _class_indices, _class_weight, _dtypes,
    _empty_value, _grad_output, _ignore_index, _number, _reduction, _scalar, _unexpected)


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
