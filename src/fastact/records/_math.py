"""Shared helpers of the pure-Python references (the math module, Python floats).

The references are the textbook formulas, rearranged only where Python would raise
(math.exp overflows with OverflowError) or lose every digit (1 + erf(x) for x << 0).
"""

import math

nan = math.nan
inf = math.inf


def isnan(x):
    return x != x


def sig(x):
    """1 / (1 + e^-x) without overflow.  Used by sigmoid, silu, mish, softplus, gelu_tanh."""
    if isnan(x):
        return nan
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(x):
    """log(1 + e^x) without overflow.  Used by softplus, mish, log_sigmoid."""
    if isnan(x):
        return nan
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def step(x, below, above):
    """above for x > 0, below for x <= 0, NaN for NaN: the derivative of the ReLU family
    (x = 0 takes the x <= 0 side, PyTorch's convention)."""
    if isnan(x):
        return nan
    return above if x > 0 else below


def leaky(x, slope):
    """x for x > 0, slope * x otherwise (leaky_relu, prelu, rrelu)."""
    if isnan(x):
        return nan
    if x > 0:
        return x
    if x == -inf and slope == 0:
        return 0.0
    return slope * x


def row_max(xs):
    """The maximum of a row, NaN if it holds one, -inf if empty (softmax-type rows)."""
    if any(isnan(v) for v in xs):
        return nan
    return max(xs, default=-inf)


def zero2(x, *p):
    """f'' of a piecewise-linear function: 0 everywhere, kinks included (PyTorch's double
    backward), NaN for NaN."""
    return nan if isnan(x) else 0.0


def dsig(x):
    """sigma'(x) = e^-|x| / (1 + e^-|x|)^2.  Used by softplus, log_sigmoid, silu."""
    z = math.exp(-abs(x))
    return z / (1.0 + z) ** 2


def sig2(x):
    """sigma''(x) = sigma'(x) (1 - 2 sigma(x)) = -sign(x) z (1 - z) / (1 + z)^3, z = e^-|x|
    (1 - z by expm1).  Used by sigmoid."""
    if isnan(x):
        return nan
    z = math.exp(-abs(x))
    return -math.copysign(z * -math.expm1(-abs(x)) / (1.0 + z) ** 3, x)
