"""Shared helpers of the high-precision references (mpmath), for the accuracy tool.

``init(prec)`` imports mpmath and sets the working precision; every record's
``mp_forward`` / ``mp_derivative`` then takes a finite mpf x and its parameters as mpf.
exp is only ever taken of a non-positive argument; below -4000 it is replaced by
2**-6000: both are below 2**-5770, far under any double's ULP even after multiplying by
x <= 2**1024 (the results that involve it underflow to a signed zero either way).
"""

from typing import Any

mp: Any = None           # mpmath.mp once init() ran
TINY: Any = None         # 2**-6000
C: dict[str, Any] = {}   # constants at the working precision


def init(prec):
    global mp, TINY
    if mp is None:
        try:
            import mpmath
        except ImportError:  # pragma: no cover
            raise SystemExit("fastact.instruments.accuracy: float64 references need mpmath "
                             "(pip install mpmath)") from None
        mp = mpmath.mp
    mp.prec = prec
    TINY = mp.mpf(2) ** -6000
    C.update(
        sqrt2=mp.sqrt(2), sqrt2pi=mp.sqrt(2 * mp.pi), gelu_c=mp.sqrt(2 / mp.pi),
        gelu_k=mp.mpf("0.044715"),
        selu_alpha=mp.mpf("1.6732632423543772848170429916717"),
        selu_scale=mp.mpf("1.0507009873554804934193349852946"),
    )
    return mp


def mpf(v):
    return mp.mpf(v)


def expneg(t):
    """e**t for t <= 0."""
    if t < -4000:
        return TINY
    return mp.exp(t)


def sig(t):
    """1 / (1 + e**-t).  Used by sigmoid, silu, mish, softplus, log_sigmoid, gelu_tanh."""
    if t >= 0:
        return 1 / (1 + expneg(-t))
    e = expneg(t)
    return e / (1 + e)


def dsig(t):
    """sigma'(t) = sigma(t) sigma(-t) = e**-|t| / (1 + e**-|t|)**2."""
    e = expneg(-abs(t))
    return e / (1 + e) ** 2


def softplus(t):
    """log(1 + e**t).  Used by softplus, mish, log_sigmoid."""
    if t > 0:
        return t + mp.log1p(expneg(-t))
    return mp.log1p(expneg(t))


def sech2(t):
    """1 - tanh(t)**2 without cancellation.  Used by tanh, mish."""
    e = expneg(-2 * abs(t))
    return 4 * e / (1 + e) ** 2


def one(x, *p):
    return mp.mpf(1)


def zero(x, *p):
    return mp.mpf(0)


def step(below, above):
    """f'(x) of a piecewise-linear function: above for x > 0, below otherwise (either may
    be a callable of the parameters)."""
    return lambda x, *p: mp.mpf(above(*p) if callable(above) else above) if x > 0 else \
        mp.mpf(below(*p) if callable(below) else below)


def row_exps(xs):
    """A row's exp(x_i - max) (0 for -inf entries), their sum, and the max, for the
    softmax-type references: xs floats with at least one finite entry."""
    m = max(v for v in xs if v != -float("inf"))
    es = [expneg(mp.mpf(v) - m) if v != -float("inf") else mp.mpf(0) for v in xs]
    return es, mp.fsum(es), m


def sig2(t):
    """sigma''(t) = -sign(t) e (1 - e) / (1 + e)**3, e = e**-|t|.  Used by sigmoid."""
    if t == 0:
        return mp.mpf(0)
    e = expneg(-abs(t))
    r = e * -mp.expm1(-abs(t)) / (1 + e) ** 3
    return -r if t > 0 else r
