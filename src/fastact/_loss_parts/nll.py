"""nll_loss, its value_and_grad and backward."""

import math

import numpy as np

from .checks import (
    _array, _cast, _CE_AXIS, _class_axis, _class_indices, _class_weight, _dtypes,
    _grad_output, _ignore_index, _reduction, _scalar, _unexpected)
from .. import _losses
from .cross_entropy import _CE_RULE


# ---- nll_loss ----------------------------------------------------------------------------

def _nll(fname, input, target, axis, weight, ignore_index, reduction, mode,
         grad_output=None):
    """nll_loss: loss_i = -w[y_i] x[i, y_i] (0 where y_i is ignore_index), the 'mean'
    divided by the sum of w[y_i] over the rows kept (PyTorch's weighted mean: 0/0 = NaN
    when every row is ignored); the gradient -w[y_i] at the target's class, 0 elsewhere.
    A gather and a scatter (_losses.nll, nll_grad): PyTorch's order of the products, in
    float64, the sums compensated."""
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
    if t.shape != row_shape or t.dtype == np.uint64:    # (uint64 beyond int64: checked here)
        _class_indices(fname, "input", t, row_shape, axis, C, ignore_index)
    # the rows (classes last: a view when axis is last), in the kernels' dtype
    xr = np.ascontiguousarray((x if axis == x.ndim - 1 else np.moveaxis(x, axis, -1))
                              .reshape(-1, C), dtype=dt)
    tt = np.ascontiguousarray(t.reshape(-1), dtype=np.int64)
    if w is None:
        wd = _EMPTY
    else:
        with np.errstate(all="ignore"):           # rounded to the data's dtype (inf)
            wd = np.ascontiguousarray(w.astype(dt), dtype=np.float64)
    loss = np.empty(tt.shape if reduction == "none" else 0)
    # the specialization called directly: the fused function's dispatch by the
    # arguments' types took a third of a 1000-row call
    bad, total, count = _NLL[dt.char](xr, tt, wd, w is not None, ignore_index, loss,
                                      reduction == "none")
    if bad >= 0:      # raises, naming the first bad target
        _class_indices(fname, "input", t, row_shape, axis, C, ignore_index)
    loss_shape = row_shape if reduction == "none" else ()
    g = (_grad_output(fname, grad_output, loss_shape, out_dt) if mode == "backward" else
         None)
    if mode != "backward":
        if reduction == "none":
            value = _cast(loss.reshape(row_shape), out_dt)
            value = value[()] if value.ndim == 0 else value
        else:
            value = (total if reduction == "sum" else total / count if count else
                     total * math.nan)
            value = _scalar(value, out_dt)
        if mode == "value":
            return value
    gr = (_ONE if g is None else
          np.ascontiguousarray(np.broadcast_to(np.asarray(g, np.float64),
                                               loss_shape).reshape(-1)))
    G = np.zeros(xr.shape, out_dt)
    if out_dt in (np.float32, np.float64):
        _NLL_GRAD[out_dt.char](tt, wd, w is not None, ignore_index, gr, reduction == "mean",
                               count, G)
    else:     # float16, bfloat16: the products rounded once, to the output's dtype
        rows = np.flatnonzero(tt != ignore_index)
        tk = tt[rows]
        wk = np.ones(len(rows)) if w is None else wd[tk]
        gk = gr[rows] if gr.size > 1 else np.broadcast_to(gr, rows.shape)
        with np.errstate(all="ignore"):
            gk = -(gk / count) if reduction == "mean" else -gk
        G[rows, tk] = _cast(wk * gk, out_dt)
    grad = G.reshape(row_shape + (C,))
    if axis != x.ndim - 1:
        grad = np.ascontiguousarray(np.moveaxis(grad, -1, axis))
    return grad if mode == "backward" else (value, grad)


_EMPTY = np.empty(0)
_ONE = np.ones(1)
# the fused kernels' specializations by the dtype's char (getattr: the stubs declare
# plain functions, which mypy will not index)
_NLL = {c: getattr(_losses, "nll")[k] for c, k in (("f", "float"), ("d", "double"))}
_NLL_GRAD = {c: getattr(_losses, "nll_grad")[k] for c, k in (("f", "float"), ("d", "double"))}


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
