"""The pointwise losses (mse_loss, huber_loss, smooth_l1_loss, binary_cross_entropy),
their value_and_grad and backward, and their docstrings."""

import math

import numpy as np

from .. import _losses
from .checks import (
    _finish, _array, _BCE_AXIS, _bce_weight, _dtypes, _F64, _grad_output, _number,
    _reduction, _unexpected)


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
        x2, t2 = x2.astype(kdt, copy=False), t2.astype(kdt, copy=False)
        n = x.size
        scale = float(g) if g is not None and not per_element else 1.0
        scale = scale / n if reduction == "mean" and n else scale
        elementwise = reduction == "none" and mode != "backward"
        loss = np.empty(shape2 if elementwise else (0, 0), dtype=kdt)
        grad = np.empty(shape2 if want_grad else (0, 0), dtype=kdt)
        total = _losses.pointwise(_losses.POINTWISE[kind], x2, t2, w, float(param), scale,
                                  loss, elementwise, grad, want_grad)
        if kind == "binary_cross_entropy" and not math.isfinite(total):
            _bce_range(fname, x, x2, t2)     # PyTorch's RuntimeErrors (NaN is one)
        value = (loss if elementwise else total if reduction == "sum" else
                 total / n if n else math.nan)
        if per_element:
            grad *= g.reshape(shape2)
        return _finish(mode, value, grad, x.shape, out_dt, elementwise, want_grad)


def _bce_range(fname, x, x2, t2):
    """binary_cross_entropy's ValueError for an input or target outside [0, 1] (NaN
    included), naming the first such element.  The kernel makes such an element's loss
    NaN, so this runs only when the sum is not finite."""
    for what, a in (("input", x2), ("target", t2)):
        bad = ~((a >= 0) & (a <= 1))
        if bad.any():
            i = np.unravel_index(int(np.argmax(bad.reshape(-1))), x.shape)
            raise ValueError(
                f"fastact.{fname}: every element of {what} must be in [0, 1] "
                f"(probabilities), got {what}[{', '.join(map(str, i))}] = "
                f"{float(a.reshape(x.shape)[i])!r}")


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
