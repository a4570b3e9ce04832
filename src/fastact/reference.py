"""Pure-Python reference for every fastact activation: the math module, no NumPy.

Each object here works on Python floats (softmax and log_softmax on lists of floats) and
has the same methods as its compiled twin: ``f(x, *params)``, ``f.derivative``,
``f.backward(g, x, ...)`` and, where f' is a function of the output,
``f.derivative_from_output(y)`` and ``f.backward_from_output(g, y)``.  It is the
independent implementation the tests compare the kernels with, and the baseline the
benchmarks report speedups against.

The formulas are the textbook ones, rearranged only where Python would raise (math.exp
overflows with OverflowError) or lose every digit (1 + erf(x) for x << 0).  Conventions
are fastact's (and PyTorch's): relu'(0) = 0, leaky_relu'(0) = slope, elu'(0) takes the
x <= 0 branch, hardtanh and relu6 have gradient 0 at the bounds, NaN in gives NaN out.
"""

import math

from ._registry import GELU_TANH_C, GELU_TANH_K, SELU_ALPHA, SELU_SCALE

nan = math.nan
inf = math.inf


def _isnan(x):
    return x != x


def _sig(x):
    if _isnan(x):
        return nan
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    """log(1 + e^x) without overflow."""
    if _isnan(x):
        return nan
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def _by_name(name):
    """The reference object called name: what a pickled one unpickles to (the class is
    made per activation in _make, so pickle cannot find it by name; the object it can)."""
    return BY_NAME[name]


def _make(name, forward, derivative=None, from_output=None, backward=None):
    """Build the reference object for one activation (a class of its own, so that the
    methods it lacks are simply absent, as on the compiled object).  backward defaults
    to g * derivative(x)."""
    ns = {"__call__": lambda self, x, *p, **kw: forward(x, *p, **kw),
          "__repr__": lambda self: f"<fastact.reference.{name}>",
          "__reduce__": lambda self: (_by_name, (name,)),
          "name": name}
    if derivative is not None:
        ns["derivative"] = lambda self, x, *p, **kw: derivative(x, *p, **kw)
        ns["backward"] = (lambda self, g, x, *p, **kw: g * derivative(x, *p, **kw))
    if backward is not None:
        ns["backward"] = lambda self, g, y, *p, **kw: backward(g, y, *p, **kw)
    if from_output is not None:
        ns["derivative_from_output"] = lambda self, y, *p, **kw: from_output(y, *p, **kw)
        ns["backward_from_output"] = (lambda self, g, y, *p, **kw: g * from_output(y, *p, **kw))
    cls = "Reference_" + name
    for key, fn in ns.items():
        if callable(fn):
            # A bound method pickles as getattr(obj, its function's __name__): the lambdas
            # need their attribute's name for that.
            fn.__name__, fn.__qualname__ = key, f"{cls}.{key}"
    return type(cls, (), ns)()


# ---- the functions ------------------------------------------------------------------

def sigmoid(x):
    return _sig(x)


def sigmoid_derivative(x):
    # s(1 - s) = s(x) s(-x): both factors accurate in both tails.
    return _sig(x) * _sig(-x)


def sigmoid_from_output(y):
    return y * (1.0 - y)


def tanh(x):
    return math.tanh(x)


def tanh_derivative(x):
    if _isnan(x):
        return nan
    if abs(x) > 20.0:
        # sech^2 x = 4 e^{-2|x|} / (1 + e^{-2|x|})^2; 1 - tanh^2 would round to 0.
        e = math.exp(-2.0 * abs(x))
        return 4.0 * e / (1.0 + e) ** 2
    return 1.0 / math.cosh(x) ** 2


def tanh_from_output(y):
    return 1.0 - y * y


def _step(x, below, above):
    if _isnan(x):
        return nan
    return above if x > 0 else below


def relu(x):
    if _isnan(x):
        return nan
    return x if x > 0 else 0.0


def relu_derivative(x):
    return _step(x, 0.0, 1.0)


def leaky_relu(x, negative_slope=0.01):
    if _isnan(x):
        return nan
    if x > 0:
        return x
    if x == -inf and negative_slope == 0:
        return 0.0
    return negative_slope * x


def leaky_relu_derivative(x, negative_slope=0.01):
    return _step(x, negative_slope, 1.0)


def prelu(x, weight=0.25):
    return leaky_relu(x, weight)


def prelu_derivative(x, weight=0.25):
    return leaky_relu_derivative(x, weight)


def _mean(lower, upper):
    # halves first: (lower + upper) / 2 overflows for bounds near the largest float
    return lower / 2.0 + upper / 2.0


def rrelu(x, lower=1.0 / 8.0, upper=1.0 / 3.0):
    """Evaluation mode: the mean slope.  (Training draws slopes; use leaky_relu with them.)"""
    return leaky_relu(x, _mean(lower, upper))


def rrelu_derivative(x, lower=1.0 / 8.0, upper=1.0 / 3.0):
    return leaky_relu_derivative(x, _mean(lower, upper))


def _gelu_exact(x):
    if _isnan(x):
        return nan
    if x < -40.0:
        return -0.0
    return x * 0.5 * math.erfc(-x / math.sqrt(2.0))


def _gelu_exact_derivative(x):
    if _isnan(x):
        return nan
    if x > 40.0:
        return 1.0
    if x < -40.0:
        return -0.0
    cdf = 0.5 * math.erfc(-x / math.sqrt(2.0))
    pdf = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return cdf + x * pdf


def _gelu_tanh(x):
    if _isnan(x):
        return nan
    if abs(x) > 1000.0:
        return x if x > 0 else -0.0
    u = GELU_TANH_C * (x + GELU_TANH_K * x ** 3)
    # 0.5 x (1 + tanh u) = x / (1 + e^{-2u}); written with _sig to keep the left tail.
    return x * _sig(2.0 * u)


def _gelu_tanh_derivative(x):
    if _isnan(x):
        return nan
    if abs(x) > 1000.0:
        return 1.0 if x > 0 else -0.0
    u = GELU_TANH_C * (x + GELU_TANH_K * x ** 3)
    # PyTorch's 0.5 (1 + t) + 0.5 x (1 - t^2) u' with t = tanh(u), u' = du/dx; 1 - t^2
    # taken as 4 s(2u) s(-2u), which keeps its digits when |u| is large.
    one_minus_t2 = 4.0 * _sig(2.0 * u) * _sig(-2.0 * u)
    du = GELU_TANH_C * (1.0 + 3.0 * GELU_TANH_K * x * x)
    return _sig(2.0 * u) + 0.5 * x * one_minus_t2 * du


def _gelu_variant(approximate):
    if approximate == "none":
        return _gelu_exact, _gelu_exact_derivative
    if approximate == "tanh":
        return _gelu_tanh, _gelu_tanh_derivative
    raise ValueError(f"fastact.reference.gelu: approximate must be 'none' or 'tanh', "
                     f"got {approximate!r}")


def gelu(x, approximate="none"):
    return _gelu_variant(approximate)[0](x)


def gelu_derivative(x, approximate="none"):
    return _gelu_variant(approximate)[1](x)


def elu(x, alpha=1.0):
    if _isnan(x):
        return nan
    return x if x > 0 else alpha * math.expm1(x)


def elu_derivative(x, alpha=1.0):
    if _isnan(x):
        return nan
    return 1.0 if x > 0 else alpha * math.exp(x)


def elu_from_output(y, alpha=1.0):
    return _step(y, y + alpha, 1.0)


def linear(x):
    return x


def linear_derivative(x):
    return nan if _isnan(x) else 1.0


def silu(x):
    if _isnan(x):
        return nan
    if x == -inf:
        return -0.0
    return x * _sig(x)


def silu_derivative(x):
    if _isnan(x):
        return nan
    if x == inf:
        return 1.0
    if x == -inf:
        return -0.0
    return _sig(x) * (1.0 + x * _sig(-x))


def mish(x):
    if _isnan(x):
        return nan
    if x == inf:
        return inf
    if x == -inf:
        return -0.0
    return x * math.tanh(_softplus(x))


def mish_derivative(x):
    if _isnan(x):
        return nan
    if x > 40.0:
        return 1.0
    if x < -746.0:
        return -0.0
    sp = _softplus(x)
    t = math.tanh(sp)
    sech2 = 1.0 / math.cosh(sp) ** 2
    return t + x * sech2 * _sig(x)


def softplus(x, beta=1.0, threshold=20.0):
    if _isnan(x):
        return nan
    if beta * x > threshold:
        return x
    return _softplus(beta * x) / beta


def softplus_derivative(x, beta=1.0, threshold=20.0):
    if _isnan(x):
        return nan
    if beta * x > threshold:
        return 1.0
    return _sig(beta * x)


def selu(x):
    if _isnan(x):
        return nan
    return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))


def selu_derivative(x):
    if _isnan(x):
        return nan
    return SELU_SCALE if x > 0 else SELU_SCALE * SELU_ALPHA * math.exp(x)


def selu_from_output(y):
    return _step(y, y + SELU_SCALE * SELU_ALPHA, SELU_SCALE)


def celu(x, alpha=1.0):
    if _isnan(x):
        return nan
    return x if x > 0 else alpha * math.expm1(x / alpha)


def celu_derivative(x, alpha=1.0):
    if _isnan(x):
        return nan
    return 1.0 if x > 0 else math.exp(x / alpha)


def celu_from_output(y, alpha=1.0):
    return _step(y, y / alpha + 1.0, 1.0)


def hardtanh(x, min_val=-1.0, max_val=1.0):
    if _isnan(x):
        return nan
    return min(max(x, min_val), max_val)


def hardtanh_derivative(x, min_val=-1.0, max_val=1.0):
    if _isnan(x):
        return nan
    return 1.0 if min_val < x < max_val else 0.0


def relu6(x):
    if _isnan(x):
        return nan
    return min(max(x, 0.0), 6.0)


def relu6_derivative(x):
    return hardtanh_derivative(x, 0.0, 6.0)


def hardsigmoid(x):
    if _isnan(x):
        return nan
    if x <= -3.0:
        return 0.0
    if x >= 3.0:
        return 1.0
    return (x + 3.0) / 6.0


def hardsigmoid_derivative(x):
    if _isnan(x):
        return nan
    return 1.0 / 6.0 if -3.0 < x < 3.0 else 0.0


def hardswish(x):
    if _isnan(x):
        return nan
    if x <= -3.0:
        return -0.0
    if x >= 3.0:
        return x
    return x * (x + 3.0) / 6.0


def hardswish_derivative(x):
    # At -3 and 3 the outer branches, 0 and 1, as PyTorch's autograd (2.13) gives.
    if _isnan(x):
        return nan
    if x <= -3.0:
        return 0.0
    if x >= 3.0:
        return 1.0
    return x / 3.0 + 0.5


def log_sigmoid(x):
    return -_softplus(-x)


def log_sigmoid_derivative(x):
    return _sig(-x)


def softsign(x):
    if _isnan(x):
        return nan
    if abs(x) == inf:
        return math.copysign(1.0, x)
    return x / (1.0 + abs(x))


def softsign_derivative(x):
    if _isnan(x):
        return nan
    t = 1.0 / (1.0 + abs(x))       # t * t: (1 + |x|) ** 2 would overflow for |x| > 1e154
    return t * t


# ---- softmax and log_softmax on one row (a list of floats) --------------------------

def _row_max(xs):
    if any(_isnan(v) for v in xs):
        return nan
    return max(xs, default=-inf)


def softmax(xs):
    """Softmax of a list; a row of all -inf gives zeros, +inf entries share the mass."""
    m = _row_max(xs)
    if _isnan(m):
        return [nan] * len(xs)
    if m in (inf, -inf):
        k = sum(1 for v in xs if v == m)
        return [1.0 / k if (m == inf and v == m) else 0.0 for v in xs]
    es = [math.exp(v - m) for v in xs]
    s = math.fsum(es)
    return [e / s for e in es]


def log_softmax(xs):
    m = _row_max(xs)
    if _isnan(m):
        return [nan] * len(xs)
    if m in (inf, -inf):
        k = sum(1 for v in xs if v == m)
        return [-math.log(k) if (m == inf and v == m) else -inf for v in xs]
    lse = math.log(math.fsum(math.exp(v - m) for v in xs))
    return [(v - m) - lse for v in xs]


def softmax_backward(gs, ys):
    dot = math.fsum(g * y for g, y in zip(gs, ys))
    return [y * (g - dot) for g, y in zip(gs, ys)]


def log_softmax_backward(gs, ys):
    total = math.fsum(gs)
    return [g - math.exp(y) * total for g, y in zip(gs, ys)]


BY_NAME = {
    "sigmoid": _make("sigmoid", sigmoid, sigmoid_derivative, sigmoid_from_output),
    "tanh": _make("tanh", tanh, tanh_derivative, tanh_from_output),
    "relu": _make("relu", relu, relu_derivative, relu_derivative),
    "leaky_relu": _make("leaky_relu", leaky_relu, leaky_relu_derivative, leaky_relu_derivative),
    "prelu": _make("prelu", prelu, prelu_derivative),
    "rrelu": _make("rrelu", rrelu, rrelu_derivative),
    "gelu": _make("gelu", gelu, gelu_derivative),
    "elu": _make("elu", elu, elu_derivative, elu_from_output),
    "softmax": _make("softmax", softmax, backward=softmax_backward),
    "linear": _make("linear", linear, linear_derivative, linear_derivative),
    "silu": _make("silu", silu, silu_derivative),
    "mish": _make("mish", mish, mish_derivative),
    "softplus": _make("softplus", softplus, softplus_derivative),
    "selu": _make("selu", selu, selu_derivative, selu_from_output),
    "celu": _make("celu", celu, celu_derivative, celu_from_output),
    "relu6": _make("relu6", relu6, relu6_derivative, relu6_derivative),
    "hardtanh": _make("hardtanh", hardtanh, hardtanh_derivative, hardtanh_derivative),
    "hardsigmoid": _make("hardsigmoid", hardsigmoid, hardsigmoid_derivative),
    "hardswish": _make("hardswish", hardswish, hardswish_derivative),
    "log_sigmoid": _make("log_sigmoid", log_sigmoid, log_sigmoid_derivative),
    "softsign": _make("softsign", softsign, softsign_derivative),
    "log_softmax": _make("log_softmax", log_softmax, backward=log_softmax_backward),
}
