"""Pure-Python references of the losses (the math module on lists of Python floats):
``fastact.cross_entropy.reference`` and ``fastact.binary_cross_entropy_with_logits.reference``.

They take the compiled functions' arguments on lists (cross_entropy: a list of rows, the
class axis last; BCE: flat lists, weight and pos_weight of the same length or None) and
return ``(loss, grad)``: the loss as PyTorch defines it (log_softmax and log_sigmoid
written out, then the reduction) and its gradient by differentiating those formulas term
by term, so they share no arrangement with the kernels.  Written for exactness
(math.fsum, log1p, the maximum subtracted), not speed.
"""

import math


def _log_softmax(row):
    m = max(row)
    lse = m + math.log(math.fsum(math.exp(v - m) for v in row))
    return [v - lse for v in row]


def _reduce(losses, reduction, denominator):
    if reduction == "none":
        return losses
    total = math.fsum(losses)
    if reduction == "sum":
        return total
    return total / denominator if denominator else math.nan


def cross_entropy(logits, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """(loss, grad) of torch.nn.functional.cross_entropy on rows of class scores:
    target a list of class indices, or a list of rows of probabilities."""
    C = len(logits[0])
    w = [1.0] * C if weight is None else [float(v) for v in weight]
    e = float(label_smoothing)
    losses, grads, denominator = [], [], 0.0
    for row, t in zip(logits, target):
        logp = _log_softmax(row)
        p = [math.exp(v) for v in logp]
        if isinstance(t, (list, tuple)):             # probabilities
            q = [w[c] * ((1 - e) * t[c] + e / C) for c in range(C)]
            denominator += 1.0
        elif t == ignore_index:
            losses.append(0.0)
            grads.append([0.0] * C)
            continue
        else:                                        # a class index
            q = [(e / C) * w[c] for c in range(C)]
            q[t] += (1 - e) * w[t]
            denominator += w[t]
        losses.append(-math.fsum(q[c] * logp[c] for c in range(C)))
        total_q = math.fsum(q)
        grads.append([total_q * p[c] - q[c] for c in range(C)])
    loss = _reduce(losses, reduction, denominator)
    scale = 1.0 / denominator if reduction == "mean" and denominator else (
        math.inf if reduction == "mean" else 1.0)
    return loss, [[g * scale for g in row] for row in grads]


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sigmoid(x):
    z = math.exp(-abs(x))
    return 1.0 / (1.0 + z) if x >= 0 else z / (1.0 + z)


def binary_cross_entropy_with_logits(logits, target, weight=None, pos_weight=None,
                                     reduction="mean"):
    """(loss, grad) of torch.nn.functional.binary_cross_entropy_with_logits on flat
    lists: loss = w (pw t softplus(-x) + (1 - t) softplus(x))."""
    n = len(logits)
    w = [1.0] * n if weight is None else list(weight)
    pw = [1.0] * n if pos_weight is None else list(pos_weight)
    losses = [w[i] * (pw[i] * target[i] * _softplus(-logits[i])
                      + (1 - target[i]) * _softplus(logits[i])) for i in range(n)]
    grads = [w[i] * ((1 - target[i]) * _sigmoid(logits[i])
                     - pw[i] * target[i] * _sigmoid(-logits[i])) for i in range(n)]
    loss = _reduce(losses, reduction, n)
    scale = 1.0 / n if reduction == "mean" and n else 1.0
    return loss, [g * scale for g in grads]
