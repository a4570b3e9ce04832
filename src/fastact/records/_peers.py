"""Shared helpers of the records' benchmark peers (fastact._peers builds the table).

A record's ``peers()`` returns {peer name: Peer(forward builder, backward builder)}.  A
builder takes the case's data ``d`` (fastact._peers.Data: x, g, y as NumPy arrays) and
returns a zero-argument callable that runs the peer once; the conversion of the inputs
(``torch.from_numpy`` views) happens in the builder, outside the timed call.  ``p``, the
case's parameters by name, is resolved there too.

Each peer uses the best formula its library offers, written the way a careful user would:
NumPy's stable forms (``np.logaddexp``, ``np.expm1``, max-subtraction in softmax), SciPy's
special functions, PyTorch's fused kernels (``torch.nn.functional`` forward,
``torch.ops.aten.*_backward`` backward, as its autograd calls them).  NumPy's formulas keep
float32 as float32 (Python scalars are "weak" in NumPy 2).
"""


def params(d):
    """The case's parameters, by name: the record's defaults updated by the case's
    kwargs (and rrelu's evaluation slope)."""
    from fastact import ACTIVATIONS, GATED
    f = ACTIVATIONS.get(d.case.activation) or GATED[d.case.activation]
    p = {q.name: q.default for q in f.params}
    p.update(d.case.kwargs)
    if "lower" in p and "upper" in p:
        p["slope"] = p["lower"] / 2.0 + p["upper"] / 2.0
    return p


def x(fn):
    """forward of x: fn(x, p)"""
    return lambda d: (lambda x=d.x, p=params(d): fn(x, p))


def gx(fn):
    """backward from (g, x): fn(g, x, p)"""
    return lambda d: (lambda g=d.g, x=d.x, p=params(d): fn(g, x, p))


def gy(fn):
    """backward from (g, y): fn(g, y, p)"""
    return lambda d: (lambda g=d.g, y=d.y, p=params(d): fn(g, y, p))


def scipy_special():
    """scipy.special, or None when SciPy is not installed (it is optional)."""
    try:
        import scipy.special
    except ImportError:
        return None
    return scipy.special


def torch_module():
    """torch, or None when it is not installed (it is optional)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def tx(fn):
    """as x, with torch tensors (from_numpy views)"""
    import torch
    T = torch.from_numpy
    return lambda d: (lambda x=T(d.x), p=params(d): fn(x, p))


def tgx(fn):
    import torch
    T = torch.from_numpy
    return lambda d: (lambda g=T(d.g), x=T(d.x), p=params(d): fn(g, x, p))


def tgy(fn):
    import torch
    T = torch.from_numpy
    return lambda d: (lambda g=T(d.g), y=T(d.y), p=params(d): fn(g, y, p))


# the gated activations' cases (kind "gated"): a is the case's x, b its b
def ab(fn):
    """forward of (a, b): fn(a, b)"""
    return lambda d: (lambda a=d.x, b=d.b: fn(a, b))


def gab(fn):
    """backward from (g, a, b): fn(g, a, b) -> (grad_a, grad_b)"""
    return lambda d: (lambda g=d.g, a=d.x, b=d.b: fn(g, a, b))


def tab(fn):
    import torch
    T = torch.from_numpy
    return lambda d: (lambda a=T(d.x), b=T(d.b): fn(a, b))


def tgab(fn):
    import torch
    T = torch.from_numpy
    return lambda d: (lambda g=T(d.g), a=T(d.x), b=T(d.b): fn(g, a, b))
