"""logit: log(p / (1 - p)), the inverse of sigmoid (PyTorch's torch.logit)."""

import math
from fractions import Fraction

from . import INF, GeneralKernel, Param, Peer, _math, _mp, _peers, accuracy, record

# The general kernel's measured eps: 1 - eps is exact in float32 and float64 alike, so
# the float32 loops (which clamp at 1 - eps rounded to float, as PyTorch's) and the
# float64 kernel they are measured against clamp at the same point.
CHECK = (2.0 ** -20,)


def _logit(p):
    """log(p / (1 - p)) for p in [0, 1], within about 1 ULP: no cancellation near 1/2
    (log1p of (2p - 1) / (1 - p), exact rationals rounded once), 1 - p exact for
    p > 3/4 (Sterbenz), and log(p) - log1p(-p) for p < 1/4, where |log p| > 1.38 dominates
    the result."""
    if p == 0.0:
        return -INF
    if p == 1.0:
        return INF
    if p > 0.75:
        return -_logit(1.0 - p)
    if p < 0.25:
        return math.log(p) - math.log1p(-p)
    fp = Fraction(p)
    return math.log1p(float((2 * fp - 1) / (1 - fp)))


def _clamped(p, eps):
    """PyTorch's clamp: p < eps gives eps, p > 1 - eps gives 1 - eps (None: no clamp);
    1 - eps rounded to double (the float32 kernels round it to float, as PyTorch's)."""
    if eps is None:
        return p
    return eps if p < eps else (1.0 - eps if p > 1.0 - eps else p)


def ref_forward(p, eps=None):
    if _math.isnan(p):
        return _math.nan
    p = _clamped(p, eps)
    return _math.nan if not 0.0 <= p <= 1.0 else _logit(p)


def ref_derivative(p, eps=None):
    if _math.isnan(p):
        return _math.nan
    if _clamped(p, eps) != p:
        return 0.0                              # outside [eps, 1 - eps]: PyTorch's 0
    if not 0.0 <= p <= 1.0:
        return _math.nan
    if p == 0.0 or p == 1.0:
        return INF
    fp = Fraction(p)
    try:
        return float(1 / (fp * (1 - fp)))
    except OverflowError:                       # p < 5.6e-309
        return INF


def mp_forward(p, eps=None):
    if eps is not None:
        p = eps if p < eps else (1 - eps if p > 1 - eps else p)
    if p < 0 or p > 1:
        return _math.nan
    if p == 0 or p == 1:
        return -INF if p == 0 else INF
    return _mp.mp.log(p / (1 - p))


def mp_derivative(p, eps=None):
    if eps is not None and (p < eps or p > 1 - eps):
        return _mp.mp.mpf(0)
    if p < 0 or p > 1:
        return _math.nan
    return INF if p == 0 or p == 1 else 1 / (p * (1 - p))


def _np_logit(x, p):
    import numpy as np
    with np.errstate(all="ignore"):          # the bench's inputs outside [0, 1]
        return np.log(x / (1 - x))


def _np_logit_backward(g, x, p):
    import numpy as np
    with np.errstate(all="ignore"):
        return g / (x * (1 - x))


def peers():
    out = {"numpy": Peer(_peers.x(_np_logit), _peers.gx(_np_logit_backward))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.logit(x, p["eps"])),
            _peers.tgx(lambda g, x, p: torch.ops.aten.logit_backward(g, x, p["eps"])))
    return out


def _limit(value_at_eps):
    """f or f' at p = +-inf: NaN without eps; with it, the clamp's end."""
    return lambda eps=None: _math.nan if eps is None else value_at_eps(eps)



def ref_second(p, eps=None):
    """(2p - 1) / (p (1 - p))^2: -inf at 0, inf at 1, NaN outside [0, 1]; with eps, 0
    outside [eps, 1 - eps] (where the clamp holds p)."""
    if _math.isnan(p):
        return _math.nan
    if eps is not None and (p < eps or p > 1 - eps):
        return 0.0
    if p < 0 or p > 1:
        return _math.nan
    if p == 0 or p == 1:
        return -_math.inf if p == 0 else _math.inf
    w = p * (1.0 - p)
    return (2.0 * p - 1.0) / w / w


def mp_second(p, eps=None):
    if eps is not None and (p < eps or p > 1 - eps):
        return _mp.mp.mpf(0)
    if p < 0 or p > 1:
        return _math.nan
    if p == 0 or p == 1:
        return -INF if p == 0 else INF
    return (2 * p - 1) / (p * (1 - p)) ** 2

RECORD = record(
    ref_second=ref_second, mp_second=mp_second,
    name="logit", order=280, float32_computes_in="float",
    # eps=None: no clamp (the kernel `logit`); any eps >= 0 clamps p to [eps, 1 - eps]
    # first (the kernel `logit_general`).  PyTorch takes a negative eps as None; fastact
    # refuses it.  eps > 1/2 is PyTorch's clamp formula too (then every p is clamped).
    params=(Param("eps", None, at_least=0.0),),
    general_kernel=GeneralKernel("logit_general", CHECK,
                    accuracy(forward=1.0, derivative=2.5, backward=3.0, span=1.0,
                             kink_xs=(0.0, CHECK[0], 0.5, 1.0 - CHECK[0], 1.0)),
                    max_derivative=1.0 / (CHECK[0] * (1.0 - CHECK[0]))),
    # f' is a function of y without eps (2 + e^y + e^-y), but not with it: y = logit(eps)
    # comes from every p <= eps, whose f' is 0 or 1 / (eps (1 - eps)).  No from-output.
    from_output=False,
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((_limit(lambda e: _mp.mp.log(e / (1 - e))),
             _limit(lambda e: _mp.mp.log((1 - e) / e))),
            (_limit(lambda e: 0.0), _limit(lambda e: 0.0))),
    # logit.pxi: below 1 ULP forward (fdlibm's log, the ratio's rounding corrected);
    # f' = 1 / (p (1 - p)) rounds 1 - p (p < 1/2), the product and the quotient: the full
    # run measured 1.92 ULP in float64 (p = 0.155), the backward 2.19
    accuracy=accuracy(forward=1.0, derivative=2.5, backward=3.0, span=1.0,
                      kink_xs=(0.0, 0.5, 1.0)),
    derivatives_at_kinks=(((), 0.0, INF), ((), 1.0, INF), ((), 0.5, 4.0),
                      ((0.25,), 0.25, 1.0 / (0.25 * 0.75)), ((0.25,), 0.75, 1.0 / (0.25 * 0.75)),
                      ((0.25,), 0.125, 0.0), ((0.25,), 0.875, 0.0), ((0.0,), 0.0, INF),
                      ((0.0,), -0.5, 0.0)),
    peers=peers,
    formula="log(p / (1 - p)), p in [0, 1]; with eps, p clamped to [eps, 1 - eps] first",
    derivative="1 / (p (1 - p)); with eps, 0 outside [eps, 1 - eps]",
    output_range="[-inf, inf] (NaN outside [0, 1]); with eps: [logit(eps), -logit(eps)]",
    zero_centred=True, max_derivative=INF, monotonic=True, domain=(0.0, 1.0),
    use="the inverse of sigmoid: a probability back to its logit (calibration, "
        "inverse-sigmoid parametrisations, initialising a bias at a prior probability); "
        "eps keeps the result finite at p = 0 and 1",
    avoid="as a hidden-layer activation: it is defined on [0, 1] only, and unbounded",
    kinks_text="logit(0) = -inf, logit(1) = inf, NaN outside [0, 1]; logit'(0) = logit'(1) = "
          "inf (also at -0.0, where PyTorch gives -inf); with eps, 0 outside "
          "[eps, 1 - eps] and 1 / (p (1 - p)) at its ends (PyTorch's logit_backward)",
    # inside (0, 1): f and f' are infinite at its ends
    plot_range=(0.05, 0.95),
    note="The inverse of sigmoid on [0, 1]: logit(sigmoid(x)) = x.  Its derivative "
         "1 / (p (1 - p)) grows without bound towards 0 and 1, where logit is -inf and "
         "inf; <code>eps</code> clamps p to [eps, 1 - eps] first, as "
         "<code>torch.logit</code>, and the gradient is 0 beyond the clamp.",
)
