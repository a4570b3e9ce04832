"""binary_cross_entropy_with_logits, its value_and_grad and backward."""

import math

import numpy as np

from .. import _losses
from .checks import (
    _finish, _array, _BCE_AXIS, _bce_weight, _dtypes, _F64, _grad_output, _reduction,
    _unexpected)


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
        return _finish(mode, value, grad, x.shape, out_dt, elementwise, want_grad)


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
