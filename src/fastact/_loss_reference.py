"""Pure-Python references of the losses (the math module on lists of Python floats):
``fastact.cross_entropy.reference``, ``fastact.binary_cross_entropy_with_logits.reference``
and those of the other losses (``fastact.mse_loss.reference``, ...).

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


def _pointwise(pairs, reduction):
    """(loss, grad) from per-element (loss, grad) pairs: the reduction, and the gradient
    of the reduced loss ('none': of its sum)."""
    n = len(pairs)
    loss = _reduce([v for v, _ in pairs], reduction, n)
    scale = 1.0 / n if reduction == "mean" and n else 1.0
    return loss, [g * scale for _, g in pairs]


def mse_loss(input, target, reduction="mean"):
    """(loss, grad) of torch.nn.functional.mse_loss on flat lists: (x - t)^2."""
    return _pointwise([((x - t) ** 2, 2 * (x - t)) for x, t in zip(input, target)],
                      reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """(loss, grad) of torch.nn.functional.huber_loss on flat lists."""
    def one(d):
        if abs(d) < delta:
            return d * d / 2, d
        return delta * (abs(d) - delta / 2), math.copysign(delta, d)
    return _pointwise([one(x - t) for x, t in zip(input, target)], reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """(loss, grad) of torch.nn.functional.smooth_l1_loss on flat lists (beta = 0: L1)."""
    def one(d):
        if abs(d) < beta:
            return d * d / (2 * beta), d / beta
        return abs(d) - beta / 2, (0.0 if d == 0 else math.copysign(1.0, d))
    return _pointwise([one(x - t) for x, t in zip(input, target)], reduction)


_BCE_EPS = 9.999999960041972e-13            # PyTorch's EPSILON = 1e-12 as a float


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """(loss, grad) of torch.nn.functional.binary_cross_entropy on flat lists of
    probabilities: -w (t log x + (1 - t) log(1 - x)), each log at least -100, and the
    gradient w (x - t) / max(x (1 - x), 1e-12), PyTorch's clamps (its 1e-12 is a float's:
    9.999999960041972e-13)."""
    w = [1.0] * len(input) if weight is None else list(weight)

    def clamped_log(v):
        return max(math.log(v), -100.0) if v > 0 else -100.0

    return _pointwise([(-wi * (t * clamped_log(x) + (1 - t) * clamped_log(1 - x)),
                        wi * (x - t) / max(x * (1 - x), _BCE_EPS))
                       for x, t, wi in zip(input, target, w)], reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """(loss, grad) of torch.nn.functional.nll_loss on rows of log-probabilities (the
    class axis last) and class indices: -w_y x_y per row, the mean weighted."""
    C = len(input[0]) if input else 0
    w = [1.0] * C if weight is None else [float(v) for v in weight]
    losses, grads, denominator = [], [], 0.0
    for row, t in zip(input, target):
        g = [0.0] * C
        if t == ignore_index:
            losses.append(0.0)
        else:
            losses.append(-w[t] * row[t])
            g[t] = -w[t]
            denominator += w[t]
        grads.append(g)
    loss = _reduce(losses, reduction, denominator)
    scale = 1.0 / denominator if reduction == "mean" and denominator else (
        math.inf if reduction == "mean" else 1.0)
    # only the target's entry is scaled (0 / 0 is NaN there, ignored rows stay 0)
    for g, t in zip(grads, target):
        if t != ignore_index:
            g[t] *= scale
    return loss, grads
