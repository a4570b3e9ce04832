"""squareplus: JAX's algebraic softplus, (x + sqrt(x^2 + b)) / 2."""

import math
from fractions import Fraction

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record

# The pure-Python reference computes in exact rationals: sqrt(x^2 + b) to 2^-120 relative
# (math.isqrt), the rest exact, rounded once by float(): within 2^-60 ULP of correctly
# rounded, and no overflow for any double x and b.
_BITS = 120


def _sqrt(q):
    """sqrt of a Fraction q >= 0, as a Fraction within 2^-_BITS relative."""
    n, d = q.numerator, q.denominator
    k = max(0, _BITS + 2 - (n * d).bit_length() // 2)
    return Fraction(math.isqrt(n * d * 4 ** k), d * 2 ** k)


def _parts(x, b):
    fx, fb = Fraction(x), Fraction(b)
    return fx, fb, _sqrt(fx * fx + fb)


def ref_forward(x, b=4.0):
    if _math.isnan(x):
        return _math.nan
    if abs(x) == INF:
        return max(x, 0.0)
    fx, fb, s = _parts(x, b)
    # x < 0: (x + s)/2 = (b/2) / (s - x), which has no cancellation
    return float((fx + s) / 2 if x >= 0 else fb / (2 * (s - fx)))


def ref_derivative(x, b=4.0):
    if _math.isnan(x):
        return _math.nan
    if abs(x) == INF:
        return 1.0 if x > 0 else 0.0
    fx, fb, s = _parts(x, b)
    if s == 0:
        return 0.0                          # b = 0, x = 0: relu'(0)
    return float((1 + fx / s) / 2 if x >= 0 else fb / (2 * s * (s - fx)))


def ref_from_output(y, b=4.0):
    if _math.isnan(y):
        return _math.nan
    if y <= 0.0:
        return 0.0
    if y == INF:
        return 1.0
    fy = Fraction(y)
    return float(fy * fy / (fy * fy + Fraction(b) / 4))


def mp_forward(x, b):
    s = _mp.mp.sqrt(x * x + b)
    return (x + s) / 2 if x >= 0 else b / (2 * (s - x))


def mp_derivative(x, b):
    s = _mp.mp.sqrt(x * x + b)
    if s == 0:
        return _mp.mp.mpf(0)
    return (1 + x / s) / 2 if x >= 0 else b / (2 * s * (s - x))


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: (x + np.sqrt(x * x + p["b"])) / 2),
        _peers.gx(lambda g, x, p: g * (1 + x / np.sqrt(x * x + p["b"])) / 2))}
    out.update(_peers.engines(
        jax=lambda nn, p: (lambda x: nn.squareplus(x, p["b"])),
        numba=_peers.Numba(lambda x, b: (x + math.sqrt(x * x + b)) / 2,
                           lambda g, y, b: g * (y * y / (y * y + b / 4)), ("b",))))
    return out



def ref_second(x, b=4.0):
    """b / (2 (x^2 + b)^(3/2)); 0 for b = 0 (relu'' = 0)."""
    if _math.isnan(x):
        return _math.nan
    if b == 0 or math.isinf(x):
        return 0.0
    r = math.hypot(x, math.sqrt(b))
    return b / (2.0 * r) / r / r

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x, b: _mp.mp.mpf(0) if b == 0 else b / (2 * (x * x + b) ** _mp.mp.mpf(1.5)),
    second_at_kinks=(((0.0,), 0.0, 0.0),),
    name="squareplus", order=275, float32_computes_in="float",
    # b >= 0, as JAX's documentation asks (a negative b makes x^2 + b negative near 0);
    # b = 0 is relu.  f' = y^2 / (y^2 + b/4) (y > 0 for b > 0; y = 0 with b = 0 only from
    # x <= 0, where f' = 0)
    params=(Param("b", 4.0, at_least=0.0),),
    from_output=True,
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((0.0, INF), (0.0, 1.0)),
    # squareplus.pxi: s = sqrt(x^2 + b) carries up to 1.5 ULP (two roundings halved, one
    # more), which (b/2) / (s - x) (x < 0) passes on with two roundings more: the full
    # run measured the float64 forward at 2.73 ULP (x = -0.0065) and f' at 4.19 (x < 0,
    # where (b/2) / (s (s - x)) carries s's error twice), the backward at 4.1
    accuracy=accuracy(forward=3.0, derivative=5.0, backward=5.5, span=1e300),
    derivatives_at_kinks=(((), 0.0, 0.5), ((0.0,), 0.0, 0.0), ((0.0,), 1.0, 1.0),
                      ((0.0,), -1.0, 0.0)),
    peers=peers,
    formula="(x + sqrt(x**2 + b)) / 2, b >= 0 (default 4)",
    derivative="(1 + x / sqrt(x**2 + b)) / 2  (= y**2 / (y**2 + b/4))",
    output_range="(0, inf)", zero_centred=False,
    max_derivative=1.0, monotonic=True,
    use="a smooth ReLU like softplus with only a square root (no exp or log): cheap, "
        "and squareplus(0) = sqrt(b)/2 (JAX's jax.nn.squareplus)",
    avoid="where outputs must be exactly 0: it is positive everywhere, decaying only as "
          "b / (4 |x|) for x -> -inf",
    kinks_text="smooth for b > 0 (f'(0) = 1/2); b = 0 is relu, with relu'(0) = 0 (PyTorch's "
          "convention; JAX's grad gives NaN there)",
    plot_range=(-4.0, 4.0),
)
