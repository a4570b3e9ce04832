"""The losses of the two output layers, each fused with its gradient.

``cross_entropy`` (softmax output, multi-class) and ``binary_cross_entropy_with_logits``
(sigmoid output, binary or multi-label) take logits, with the names, parameters and
semantics of ``torch.nn.functional``.  Each is a plain function with a ``value_and_grad``
attribute of the same signature that returns ``(loss, dloss/dlogits)`` from one sweep over
the logits (``fastact._losses``), and a ``reference`` attribute, its pure-Python twin on
lists (``fastact._loss_reference``).

The class axis: PyTorch's class dimension is 1 (input ``(N, C, d1, ...)``); fastact's is
``axis=-1``, NumPy's convention (rows of class scores).  ``axis=1`` takes PyTorch's
layout.  Class-index targets have the logits' shape without the class axis; probability
targets have the logits' shape.

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

import operator
from collections import namedtuple

import numpy as np
from numpy.exceptions import AxisError

from . import _loss_reference, _losses
from ._api import _real

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits"]

_REDUCTIONS = ("mean", "sum", "none")
_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
_INT64 = np.iinfo(np.int64)


# ---- argument checks (every one runs before any kernel) ---------------------------------

def _array(fname, what, value):
    """value as an ndarray of real numbers (TypeError naming fname and what otherwise)."""
    return np.asarray(_real(fname, what, value))


def _dtypes(fname, logits):
    """(the logits as an array, the dtype the kernels compute in, the result's dtype):
    float32 and float64 as they are, float16 computed in float32 and returned as float16,
    integers and bool in float64 (fastact's rules)."""
    x = _array(fname, "logits", logits)
    if x.dtype == _F16:
        return x, _F32, _F16
    dt = x.dtype if x.dtype.kind == "f" else _F64
    return x, dt, dt


def _reduction(fname, reduction):
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"fastact.{fname}: reduction must be 'mean', 'sum' or 'none', "
                         f"got {reduction!r}")
    return reduction


def _class_weight(fname, weight, C, dtype):
    """weight (C,) as float64 after rounding to the data's dtype, or all ones."""
    if weight is None:
        return np.ones(C)
    w = _array(fname, "weight", weight)
    if w.shape != (C,):
        raise ValueError(f"fastact.{fname}: weight must have shape ({C},), one per class "
                         f"(the logits' axis), got shape {w.shape}")
    return w.astype(dtype).astype(np.float64)


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
    return w.astype(dtype).astype(np.float64).reshape(w.shape[lead:])


def _mean(total, count):
    """total / count as PyTorch's mean gives it: NaN for 0 / 0, without a warning."""
    with np.errstate(all="ignore"):
        return np.float64(total) / np.float64(count)


def _scalar(value, dtype):
    with np.errstate(all="ignore"):           # a sum beyond float16's range is inf
        return dtype.type(value)


def _cast(a, dtype):
    """a as dtype (the double results rounded to float32 or float16): a value beyond the
    dtype's range is inf without a warning, as the kernels' own stores give it."""
    with np.errstate(all="ignore"):
        return np.asarray(a, dtype=dtype, order="C")


# ---- cross_entropy -----------------------------------------------------------------------

def _cross_entropy(fname, logits, target, axis, weight, ignore_index, reduction,
                   label_smoothing, want_grad):
    x, dt, out_dt = _dtypes(fname, logits)
    reduction = _reduction(fname, reduction)
    if x.ndim == 0:
        raise ValueError(f"fastact.{fname}: logits must have a class axis (at least 1-D), "
                         f"got a 0-d array")
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"fastact.{fname}: axis must be an integer, got "
                        f"{type(axis).__name__}") from None
    if not -x.ndim <= axis < x.ndim:
        raise AxisError(f"fastact.{fname}: axis {axis} is out of bounds for logits of "
                        f"{x.ndim} dimensions")
    axis %= x.ndim
    C = x.shape[axis]
    if C == 0:
        raise ValueError(f"fastact.{fname}: logits have no classes (axis {axis} has "
                         f"length 0)")
    try:
        eps = float(label_smoothing)
    except (TypeError, ValueError):
        raise TypeError(f"fastact.{fname}: label_smoothing must be a number, got "
                        f"{type(label_smoothing).__name__}") from None
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"fastact.{fname}: label_smoothing must be between 0.0 and 1.0, "
                         f"got {label_smoothing!r}")
    if isinstance(ignore_index, bool):
        raise TypeError(f"fastact.{fname}: ignore_index must be an integer, got bool")
    try:
        ignore_index = operator.index(ignore_index)
    except TypeError:
        raise TypeError(f"fastact.{fname}: ignore_index must be an integer, got "
                        f"{type(ignore_index).__name__}") from None
    if not _INT64.min <= ignore_index <= _INT64.max:
        raise ValueError(f"fastact.{fname}: ignore_index={ignore_index} is out of int64's "
                         f"range")
    w = _class_weight(fname, weight, C, dt)
    t = _array(fname, "target", target)
    row_shape = x.shape[:axis] + x.shape[axis + 1:]
    probabilities = t.dtype.kind == "f"
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
        if t.shape != row_shape:
            raise ValueError(f"fastact.{fname}: target of class indices must have the "
                             f"logits' shape without the class axis (axis {axis}), "
                             f"{row_shape}, got {t.shape}")
        kept = t != ignore_index
        bad = kept & ((t < 0) | (t >= C))
        if bad.any():
            where = tuple(int(i[0]) for i in np.nonzero(bad))
            raise IndexError(f"fastact.{fname}: target[{', '.join(map(str, where))}] = "
                             f"{t[where]} is not a class index in [0, {C}) and not "
                             f"ignore_index={ignore_index}")

    # rows of the class axis, contiguous (a copy only when the axis is not the last one or
    # the logits are not C-contiguous)
    x2 = np.ascontiguousarray(np.moveaxis(x.astype(dt, copy=False), axis, -1)).reshape(-1, C)
    R = x2.shape[0]
    loss = np.empty(R)
    grad = np.empty((R, C) if want_grad else (0, 0), dtype=dt)
    if probabilities:
        t2 = np.ascontiguousarray(np.moveaxis(t.astype(dt, copy=False), axis, -1))
        count = R
        scale = 1.0 if reduction != "mean" else _mean(1.0, count)
        _losses.ce_prob(x2, t2.reshape(-1, C), w, eps, scale, loss, grad, want_grad,
                        np.empty(C))
    else:
        t1 = np.ascontiguousarray(t.reshape(-1), dtype=np.int64) if t.size else np.zeros(0, np.int64)
        kept1 = t1 != ignore_index
        count = float(np.sum(w[t1[kept1]]))
        scale = 1.0 if reduction != "mean" else _mean(1.0, count)
        _losses.ce_index(x2, t1, w, float(np.sum(w)), ignore_index, eps, scale, loss, grad,
                         want_grad)

    if reduction == "none":
        value = _cast(loss.reshape(row_shape), out_dt)
        value = value[()] if value.ndim == 0 else value
    elif reduction == "sum":
        value = _scalar(np.sum(loss), out_dt)
    else:
        value = _scalar(_mean(np.sum(loss), count), out_dt)
    if not want_grad:
        return value
    moved = x.shape[:axis] + x.shape[axis + 1:] + (C,)
    g = np.moveaxis(grad.reshape(moved), -1, axis)
    return value, _cast(g, out_dt)


def cross_entropy(logits, target, axis=-1, weight=None, ignore_index=-100,
                  reduction="mean", label_smoothing=0.0):
    """The cross-entropy of softmax(logits) along ``axis`` against ``target``, as
    ``torch.nn.functional.cross_entropy`` (with NumPy's class axis; ``axis=1`` is
    PyTorch's layout).

    target: integer class indices, with the logits' shape without the class axis, or
    float class probabilities, with the logits' shape.  weight: one weight per class.
    ignore_index: a class-index target equal to it contributes nothing (class-index
    targets only).  reduction: 'mean' (divided by the sum of the targets' class weights
    over the rows not ignored, or by the number of rows for probability targets),
    'sum', or 'none' (one loss per row).  label_smoothing in [0, 1]: the target becomes
    (1 - label_smoothing) target + label_smoothing / C.

    Computed as log-sum-exp with the row's maximum subtracted, in double: finite for any
    finite logits.  A NaN logit makes its row's loss NaN.  float32 and float64 in give the
    same dtype out; float16 is computed in float32 and returned as float16; integer
    logits in float64.  ``cross_entropy.value_and_grad(...)`` returns ``(loss, grad)``.

    >>> import numpy as np, fastact
    >>> logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> round(float(fastact.cross_entropy(logits, np.array([0, 1]))), 6)
    0.31854
    """
    return _cross_entropy("cross_entropy", logits, target, axis, weight, ignore_index,
                          reduction, label_smoothing, False)


def _cross_entropy_value_and_grad(logits, target, axis=-1, weight=None, ignore_index=-100,
                                  reduction="mean", label_smoothing=0.0):
    """``(loss, dloss/dlogits)`` of ``fastact.cross_entropy`` from one sweep over the
    logits: ``grad`` has the logits' shape and dtype and is softmax minus the (smoothed,
    weighted) one-hot target, divided as the reduction divides (with 'none', the gradient
    of ``loss.sum()``).  Ignored rows get 0.

    >>> import numpy as np, fastact
    >>> loss, grad = fastact.cross_entropy.value_and_grad(np.array([[0.0, 0.0]]), np.array([1]))
    >>> grad
    array([[ 0.5, -0.5]])
    """
    return _cross_entropy("cross_entropy.value_and_grad", logits, target, axis, weight,
                          ignore_index, reduction, label_smoothing, True)


# ---- binary_cross_entropy_with_logits ----------------------------------------------------

def _bce(fname, logits, target, weight, pos_weight, reduction, want_grad):
    x, dt, out_dt = _dtypes(fname, logits)
    reduction = _reduction(fname, reduction)
    t = _array(fname, "target", target)
    if t.shape != x.shape:
        raise ValueError(f"fastact.{fname}: target must have the logits' shape {x.shape}, "
                         f"got {t.shape}")
    ws = [_bce_weight(fname, what, v, x.shape, dt) if v is not None else np.ones(())
          for what, v in (("weight", weight), ("pos_weight", pos_weight))]
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
    x2 = np.ascontiguousarray(x, dtype=dt).reshape(shape2)
    t2 = np.ascontiguousarray(t, dtype=dt).reshape(shape2)
    n = x.size
    scale = _mean(1.0, n) if reduction == "mean" else 1.0
    elementwise = reduction == "none"
    loss = np.empty(shape2 if elementwise else (0, 0), dtype=dt)
    grad = np.empty(shape2 if want_grad else (0, 0), dtype=dt)
    total = _losses.bce(x2, t2, ws[0], ws[1], scale, loss, elementwise, grad, want_grad)
    if elementwise:
        value = _cast(loss.reshape(x.shape), out_dt)
        value = value[()] if value.ndim == 0 else value
    elif reduction == "sum":
        value = _scalar(total, out_dt)
    else:
        value = _scalar(_mean(total, n), out_dt)
    if not want_grad:
        return value
    g = _cast(grad.reshape(x.shape), out_dt)
    return value, g[()] if g.ndim == 0 else g


def binary_cross_entropy_with_logits(logits, target, weight=None, pos_weight=None,
                                     reduction="mean"):
    """The binary cross-entropy of sigmoid(logits) against ``target`` (probabilities in
    [0, 1], the logits' shape), as ``torch.nn.functional.binary_cross_entropy_with_logits``:
    ``-w (pos_weight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))``.

    weight: broadcast against the loss; pos_weight: the positives' weight, broadcast along
    the trailing axes (shape ``(C,)`` for one per class of the last axis).  Both must
    broadcast to the logits' shape.  reduction: 'mean' (over every element), 'sum' or
    'none'.  Computed as ``pw t softplus(-x) + (1 - t) softplus(x)``, in double: exact for
    every x, no overflow (infinite logits give the limits).

    >>> import numpy as np, fastact
    >>> round(float(fastact.binary_cross_entropy_with_logits(np.array([0.0, 2.0]), np.array([1.0, 0.0]))), 6)
    1.410038
    """
    return _bce("binary_cross_entropy_with_logits", logits, target, weight, pos_weight,
                reduction, False)


def _bce_value_and_grad(logits, target, weight=None, pos_weight=None, reduction="mean"):
    """``(loss, dloss/dlogits)`` of ``fastact.binary_cross_entropy_with_logits`` in one
    sweep: ``grad = w ((1 - t) sigmoid(x) - pos_weight t sigmoid(-x))`` (sigmoid(x) - t
    without weights), divided by the number of elements for 'mean'.

    >>> import numpy as np, fastact
    >>> loss, grad = fastact.binary_cross_entropy_with_logits.value_and_grad(np.array([0.0]), np.array([1.0]))
    >>> grad
    array([-0.5])
    """
    return _bce("binary_cross_entropy_with_logits.value_and_grad", logits, target, weight,
                pos_weight, reduction, True)


def _attach(fn, **methods):
    """fn.value_and_grad and fn.reference, named so that they pickle by their qualified
    names (fastact.losses.cross_entropy.value_and_grad, ...)."""
    for name, m in methods.items():
        m.__name__, m.__qualname__, m.__module__ = name, f"{fn.__qualname__}.{name}", __name__
        setattr(fn, name, m)


_attach(cross_entropy, value_and_grad=_cross_entropy_value_and_grad,
        reference=_loss_reference.cross_entropy)
_attach(binary_cross_entropy_with_logits, value_and_grad=_bce_value_and_grad,
        reference=_loss_reference.binary_cross_entropy_with_logits)
del _attach


# ---- accuracy bounds ------------------------------------------------------------------------

# The bounds ``python -m fastact accuracy --only cross_entropy,binary_cross_entropy_with_logits``
# holds (fastact.accuracy_losses, against mpmath), per (loss, dtype), in ULP; each kind's
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
LossAccuracy = namedtuple("LossAccuracy", "loss loss_reduced grad per_class")

ACCURACY = {
    ("cross_entropy", "float64"): LossAccuracy(4.0, 4.0, 4.0, per_class=0.5),
    ("cross_entropy", "float32"): LossAccuracy(0.5, 0.5, 1.5, per_class=2.0 ** -30),
    ("binary_cross_entropy_with_logits", "float64"): LossAccuracy(4.0, 4.0, 8.0, 0.0),
    ("binary_cross_entropy_with_logits", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
}
