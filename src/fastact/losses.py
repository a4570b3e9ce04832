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

# The code is in fastact._loss_parts, one module per job: checks (the argument checks),
# cross_entropy, bce_with_logits, pointwise, nll, methods (the attached methods), accuracy
# (the bounds).  This module assembles them; the public names live here (__module__).

from . import _dispatch, _loss_reference, _losses
from ._loss_parts import accuracy as _accuracy
from ._loss_parts.bce_with_logits import (
    _bce_backward, _bce_value_and_grad, binary_cross_entropy_with_logits)
from ._loss_parts.cross_entropy import (
    _cross_entropy_backward, _cross_entropy_value_and_grad, cross_entropy)
from ._loss_parts.methods import _attach
from ._loss_parts.nll import _nll_backward, _nll_value_and_grad, nll_loss
from ._loss_parts.pointwise import (
    _bce_prob_backward, _bce_prob_value_and_grad, _huber_backward, _huber_value_and_grad,
    _mse_backward, _mse_value_and_grad, _smooth_l1_backward, _smooth_l1_value_and_grad,
    binary_cross_entropy, huber_loss, mse_loss, smooth_l1_loss)

# The loss kernels (compiled for each target in one module) run the target the
# activations' kernels run: the best this CPU has, or the one FASTACT_ISA names.
# (A target the losses were not compiled for keeps their own best.)
if _dispatch.KERNELS.isa in _losses.TARGETS:
    _losses.select(_dispatch.KERNELS.isa)

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
           "binary_cross_entropy", "mse_loss", "huber_loss", "smooth_l1_loss"]

# They pickle (and show in help()) as fastact.losses' names, as when they were defined here.
for _fn in (cross_entropy, binary_cross_entropy_with_logits, mse_loss, huber_loss,
            smooth_l1_loss, binary_cross_entropy, nll_loss):
    _fn.__module__ = __name__
del _fn

# The bounds fastact.instruments and the docs read as fastact.losses.ACCURACY.
ACCURACY, LossAccuracy = _accuracy.ACCURACY, _accuracy.LossAccuracy
LossAccuracy.__module__ = __name__

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
