"""silu: the sigmoid linear unit (Swish) x * sigmoid(beta x), beta = 1 by default."""

import math
from fractions import Fraction

from . import INF, GeneralKernel, Param, Peer, _math, _mp, _peers, accuracy, record

# The general kernel's measured set: 1.702, the slope of x * sigmoid(1.702 x), the sigmoid
# approximation of GELU (Hendrycks & Gimpel 2016); f' crosses zero at u = beta x =
# -1.27846454276107 (mpmath), so at x = -0.751154255441289 for it.
CHECK = 1.702
CROSSING = -0.751154255441289


def _u(x, beta):
    """beta x as (u, e): u rounded, e the exact rest (both finite for finite x, beta)."""
    u = beta * x
    if math.isinf(u):
        return u, 0.0
    return u, float(Fraction(beta) * Fraction(x) - Fraction(u))


def ref_forward(x, beta=1.0):
    if _math.isnan(x):
        return _math.nan
    if beta == 1.0:
        if x == -_math.inf:
            return -0.0
        return x * _math.sig(x)
    if math.isinf(x) or beta == 0:
        if beta == 0:
            return x / 2
        return x if beta * x > 0 else math.copysign(0.0, x)
    u, e = _u(x, beta)
    if u < -700.0:          # x e^(u + e): log|x| keeps it finite where e^u underflows
        return math.copysign(math.exp(u + e + math.log(abs(x))), x) if u > -2000 else \
            math.copysign(0.0, x)
    # sigmoid(u + e) = s(u) (1 + (1 - s(u)) e) to first order (|e| <= 2^-53 |u|)
    return x * _math.sig(u) * (1.0 + _math.sig(-u) * e)


def ref_derivative(x, beta=1.0):
    if _math.isnan(x):
        return _math.nan
    if beta == 1.0:
        if x == _math.inf:
            return 1.0
        if x == -_math.inf:
            return -0.0
        return _math.sig(x) * (1.0 + x * _math.sig(-x))
    if beta == 0:
        return 0.5
    u, e = _u(x, beta)
    if math.isinf(u):
        return 1.0 if u > 0 else -0.0
    if u < -700.0:          # e^u (1 + u)
        return math.exp(u + e) * (1.0 + u) if u > -2000 else -0.0
    s = _math.sig(u) * (1.0 + _math.sig(-u) * e)
    sm = _math.sig(-u) * (1.0 - _math.sig(u) * e)
    return s * (1.0 + (u + e) * sm)


def mp_forward(x, beta=None):
    return x * _mp.sig(x if beta is None else beta * x)


def mp_derivative(x, beta=None):
    u = x if beta is None else beta * x
    return _mp.sig(u) + u * _mp.dsig(u)


def _np_silu_backward(g, x):
    import numpy as np
    s = 1 / (1 + np.exp(-x))
    return g * s * (1 + x * (1 - s))


def _nb_backward(g, x):
    s = 1 / (1 + math.exp(-x))
    return g * s * (1 + x * (1 - s))


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: x / (1 + np.exp(-x))),
                         _peers.gx(lambda g, x, p: _np_silu_backward(g, x)))}
    sp = _peers.scipy_special()
    if sp is not None:
        def backward(g, x):
            s = sp.expit(x)
            return g * s * (1 + x * (1 - s))

        out["scipy"] = Peer(_peers.x(lambda x, p: x * sp.expit(x)),
                            _peers.gx(lambda g, x, p: backward(g, x)))
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(_peers.tx(lambda x, p: F.silu(x)),
                            _peers.tgx(lambda g, x, p: A.silu_backward(g, x)))
    out.update(_peers.engines(
        jax="silu", onnx=_peers.Onnx("Swish", {"alpha": 1.0}, opset=24),
        numba=_peers.Numba(lambda x: x / (1 + math.exp(-x)), _nb_backward)))
    return out


def _limit(which, side):
    """f or f' at -inf (side 0) or +inf (side 1) for a beta: u = beta x goes to
    +-inf (or stays 0)."""
    def at(beta=None):
        b = 1.0 if beta is None else float(beta)
        if b == 0:
            return (-INF, INF)[side] if which == 0 else 0.5
        up = (b > 0) == (side == 1)         # u -> +inf
        if which == 0:
            return (-INF, INF)[side] if up else (-0.0, 0.0)[side]
        return 1.0 if up else -0.0
    return at



def ref_second(x, beta=1.0):
    """beta sigma'(u) (2 + u (1 - 2 sigma(u))), u = beta x."""
    if _math.isnan(x):
        return _math.nan
    u = beta * x
    if abs(u) > 1500:
        return -0.0
    return beta * _math.dsig(u) * (2.0 + u * (1.0 - 2.0 * _math.sig(u)))


def mp_second(x, beta=1):
    u = beta * x
    return beta * _mp.dsig(u) * (2 + u * (1 - 2 * _mp.sig(u)))

RECORD = record(
    ref_second=ref_second, mp_second=mp_second,
    name="silu", order=110, from_output=False, float32_computes_in="float",
    # any finite beta, as TensorFlow's silu(features, beta): 0 gives x / 2, a negative one
    # mirrors the gate (x sigmoid(-|beta| x))
    params=(Param("beta", 1.0),),
    general_kernel=GeneralKernel(
        "silu_general", (CHECK,),
        accuracy(crossings=((CROSSING, 0.5 / CHECK),), span=900.0,
                 kink_xs=(0.0, CROSSING, 746.0 / CHECK, -746.0 / CHECK, -700.0 / CHECK,
                        -1500.0 / CHECK),
                 crossings2=((-2.3993572805154675 / CHECK, 0.5 / CHECK),
                             (2.3993572805154675 / CHECK, 0.5 / CHECK))),
        max_derivative=1.0998),
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((_limit(0, 0), _limit(0, 1)), (_limit(1, 0), _limit(1, 1))),
    # f'' crosses zero at +-2.3993572805154675 (mpmath), where 2 - |x| tanh(|x|/2) cancels
    accuracy=accuracy(crossings=((-1.2784645427610737, 0.5),), span=746.0,
                      crossings2=((-2.3993572805154675, 0.5), (2.3993572805154675, 0.5)),
                      kink_xs=(0.0, -1.2784645427610737, 746.0, -746.0, -745.0)),
    derivatives_at_kinks=(((), 0.0, 0.5), ((CHECK,), 0.0, 0.5), ((0.0,), 3.0, 0.5)),
    peers=peers,
    formula="x * sigmoid(beta x) (beta = 1: x * sigmoid(x))",
    derivative="s * (1 + beta x (1 - s)), s = sigmoid(beta x)",
    output_range="[-0.278, inf)", zero_centred=False,
    max_derivative=1.0998, monotonic=False,
    use="hidden layers of convolutional and transformer networks (Swish); beta = 1.702 "
        "approximates GELU",
    avoid="when ReLU's exact zeros or its lower cost matter",
    kinks_text="smooth; minimum about -0.278 / beta at x about -1.278 / beta",
    plot_range=(-6.0, 4.0),
    experiments=("vanishing",),
)
