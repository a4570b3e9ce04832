"""log1mexp: log(1 - e^-x) for x >= 0, accurately (Mächler 2012)."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record

LN2 = 0.6931471805599453            # ln 2 rounded (below it): Mächler's switch


def ref_forward(x):
    if _math.isnan(x) or x < 0:
        return _math.nan
    if x == 0:
        return -INF                 # either zero
    if x <= LN2:                    # neither form cancels on its side of ln 2
        return math.log(-math.expm1(-x))
    return math.log1p(-math.exp(-x))        # -0.0 where e^-x underflows, and at +inf


def ref_derivative(x):
    if _math.isnan(x) or x < 0:
        return _math.nan
    if x == 0:
        return INF
    return math.exp(-x) / -math.expm1(-x)   # 1 / expm1(x), without its overflow


def ref_from_output(y):
    try:
        return math.expm1(-y)       # e^-x = 1 - e^y: f' = (1 - e^y) / e^y
    except OverflowError:           # -y > 709.78
        return INF


def ref_second(x):
    if _math.isnan(x) or x < 0:
        return _math.nan
    if x == 0:
        return -INF
    d = -math.expm1(-x)
    return -(math.exp(-x) / d / d)


def _mp_parts(x):
    """(e^-x, 1 - e^-x), each to the tool's precision (expm1 below 1: no cancellation)."""
    e = _mp.expneg(-x)
    return e, (-_mp.mp.expm1(-x) if x <= 1 else 1 - e)


def mp_forward(x):
    if x < 0:
        return _math.nan
    if x == 0:
        return -INF
    if x <= 1:
        return _mp.mp.log(-_mp.mp.expm1(-x))
    return _mp.mp.log1p(-_mp.expneg(-x))


def mp_derivative(x):
    if x < 0:
        return _math.nan
    if x == 0:
        return INF
    e, d = _mp_parts(x)
    return e / d


def mp_second(x):
    if x < 0:
        return _math.nan
    if x == 0:
        return -INF
    e, d = _mp_parts(x)
    return -e / (d * d)


def _np_forward(x, p):
    import numpy as np
    with np.errstate(all="ignore"):          # the form not taken
        return np.where(x <= LN2, np.log(-np.expm1(-x)), np.log1p(-np.exp(-x)))


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(_np_forward),
                         _peers.gy(lambda g, y, p: g * np.expm1(-y)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.log(-torch.expm1(-x))),
                            _peers.tgy(lambda g, y, p: g * torch.expm1(-y)))
    # no jax.nn or ONNX op
    out.update(_peers.engines(numba=_peers.Numba(
        lambda x: math.log(-math.expm1(-x)) if x <= LN2 else math.log1p(-math.exp(-x)),
        lambda g, y: g * math.expm1(-y))))
    return out


RECORD = record(
    name="log1mexp", order=285, from_output=True, float32_computes_in="double",
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    ref_second=ref_second, mp_second=mp_second,
    limits=((_math.nan, -0.0), (_math.nan, 0.0)),
    # _kernels/log1mexp.pxi: the forward passes on one rounded exp or expm1 (within 1 ULP)
    # magnified at most 1 / ln 2, then _log_c's rounding (below 1 ULP); f' = e^-x / (1 -
    # e^-x) rounds exp, expm1 and the quotient (f'' one division more).  Measured (quick
    # run, float64): forward 0.98 ULP, f' 1.52, backward 1.46, f'' 3.03; float32 rounds the
    # double result once (0.5).  From y: f' = expm1(-y) takes y's own rounding, 0.5 ULP
    # of y, times |y| (its condition number as y -> -inf): up to 256 eps relative for
    # |y| < 1024 (float64: y >= -745), 32 for float32 (y >= -104), held by from_output_eps.
    accuracy=accuracy(forward=2.5, derivative=3.0, backward=3.5, second_derivative=5.0,
                      from_output_eps=264.0,
                      span=746.0, kink_xs=(0.0, LN2, 36.0, 709.0, 745.0)),
    derivatives_at_kinks=(((), 0.0, INF), ((), -0.0, INF)),
    second_at_kinks=(((), 0.0, -INF),),
    peers=peers,
    formula="log(1 - exp(-x)), x >= 0: log(-expm1(-x)) for x <= ln 2, "
            "log1p(-exp(-x)) above",
    derivative="exp(-x) / (1 - exp(-x)) = 1 / expm1(x)  (= expm1(-y))",
    output_range="(-inf, 0) (NaN for x < 0)", zero_centred=False, max_derivative=INF,
    monotonic=True, domain=(0.0, INF),
    use="the log of the probability 1 - e^-x (an exponential distribution's CDF), "
        "log-space probabilities in survival and mixture models",
    avoid="x < 0 (NaN: no real logarithm); for TensorFlow Probability's folded "
          "log(1 - e^-|x|) use log1mexp(abs(x))",
    kinks_text="log1mexp(0) = -inf (either zero), -0.0 at +inf, NaN for x < 0; "
               "log1mexp'(0) = inf, 0 at +inf",
    plot_range=(0.05, 5.0),
    note="Mächler's log(1 - e^-x): log(-expm1(-x)) up to ln 2, log1p(-exp(-x)) above, "
         "so that neither form cancels.  NaN for x &lt; 0 (the sign is not folded, unlike "
         "<code>tfp.math.log1mexp</code>).",
)
