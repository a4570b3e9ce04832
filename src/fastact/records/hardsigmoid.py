"""hardsigmoid: clip(alpha x + beta, 0, 1), by default relu6(x + 3) / 6 (PyTorch's)."""

import struct
from fractions import Fraction

from . import INF, GeneralKernel, Param, Peer, _math, _mp, _peers, accuracy, record

# PyTorch's hardsigmoid is alpha = 1/6, beta = 1/2; ONNX's HardSigmoid defaults to
# alpha = 0.2, beta = 0.5 (also Keras 2's hard_sigmoid), the set the accuracy tool
# measures the general kernel at.
ALPHA, BETA = 1.0 / 6.0, 0.5
ONNX = (0.2, 0.5)
ALPHA32 = struct.unpack("f", struct.pack("f", ALPHA))[0]    # 1/6 as float32 data takes it


def _default(alpha, beta):
    """The defaults, as float64 or float32 loops take them: the kernels' relu6(x + 3) / 6."""
    return alpha in (ALPHA, ALPHA32) and beta == BETA


def _t(x, alpha, beta):
    """alpha x + beta rounded once (the general kernel's fma), for x finite or infinite."""
    if _math.isnan(x):
        return _math.nan
    if x in (INF, -INF):
        return beta if alpha == 0 else (INF if (alpha > 0) == (x > 0) else -INF)
    t = Fraction(alpha) * Fraction(x) + Fraction(beta)
    try:
        return float(t)
    except OverflowError:           # beyond the doubles: rounds to an infinity
        return INF if t > 0 else -INF


def ref_forward(x, alpha=ALPHA, beta=BETA):
    if _math.isnan(x):
        return _math.nan
    if _default(alpha, beta):       # the default means the exact 1/6: (x + 3) / 6
        if x <= -3.0:
            return 0.0
        if x >= 3.0:
            return 1.0
        return (x + 3.0) / 6.0
    return min(max(_t(x, alpha, beta), 0.0), 1.0)


def ref_derivative(x, alpha=ALPHA, beta=BETA):
    if _math.isnan(x):
        return _math.nan
    if _default(alpha, beta):
        return 1.0 / 6.0 if -3.0 < x < 3.0 else 0.0
    return alpha if 0.0 < _t(x, alpha, beta) < 1.0 else 0.0


def mp_forward(x, alpha=None, beta=None):
    t = (x + 3) / 6 if alpha is None else alpha * x + beta
    return min(max(t, _mp.mp.mpf(0)), _mp.mp.mpf(1))


def mp_derivative(x, alpha=None, beta=None):
    if alpha is None:
        return _mp.mp.mpf(1) / 6 if -3 < x < 3 else _mp.mp.mpf(0)
    # inside where alpha x + beta rounded to a double is (the kernel's definition)
    t = float(alpha * x + beta)
    return alpha if 0.0 < t < 1.0 else _mp.mp.mpf(0)


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.clip(x / 6 + 0.5, 0, 1)),
        _peers.gx(lambda g, x, p: np.where((x > -3) & (x < 3), g / 6, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.hardsigmoid(x)),
            _peers.tgx(lambda g, x, p: torch.ops.aten.hardsigmoid_backward(g, x)))
    # ONNX's HardSigmoid defaults to alpha = 0.2: PyTorch's (and fastact's) is 1/6.
    out.update(_peers.engines(
        jax="hard_sigmoid", onnx=_peers.Onnx("HardSigmoid", {"alpha": 1 / 6, "beta": 0.5}),
        numba=_peers.Numba(lambda x: min(max(x / 6 + 0.5, 0.0), 1.0),
                           lambda g, x: g / 6 if -3 < x < 3 else 0.0)))
    return out


RECORD = record(
    ref_second=_math.zero2,
    mp_second=_mp.zero,
    second_at_kinks=(((), -3.0, 0.0), ((), 3.0, 0.0)),
    name="hardsigmoid", order=180, from_output=False, float32_computes_in="float",
    # any finite alpha (0 and negative ones too, as ONNX) and beta
    params=(Param("alpha", ALPHA), Param("beta", BETA)),
    general_kernel=GeneralKernel(
        "hardsigmoid_general", ONNX,
        accuracy(forward=0.5, derivative=0.0, backward=0.5, span=8.0,
                 kink_xs=(-2.5, 0.0, 2.5)),
        max_derivative=ONNX[0]),
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((lambda a=None, b=None: 0.0 if a is None else float(min(max(
                 b if a == 0 else (-INF if a > 0 else INF), 0.0), 1.0)),
             lambda a=None, b=None: 1.0 if a is None else float(min(max(
                 b if a == 0 else (INF if a > 0 else -INF), 0.0), 1.0))),
            (0.0, 0.0)),
    # forward 1 ULP, not 0.5: the float32 kernel's two FMAs (0.67 ULP measured; issue 22
    # allows 1 for its speed); the float64 kernel is correctly rounded (0.5)
    accuracy=accuracy(forward=1.0, derivative=0.5, backward=1.5, span=8.0,
                      kink_xs=(-3.0, 0.0, 3.0)),
    derivatives_at_kinks=(((), -3.0, 0.0), ((), 3.0, 0.0), ((), 0.0, 1.0 / 6.0),
                      (ONNX, -2.5, 0.0), (ONNX, 2.5, 0.0), (ONNX, 0.0, 0.2),
                      ((-0.5, 0.5), 1.0, 0.0), ((-0.5, 0.5), 0.0, -0.5)),
    peers=peers,
    formula="clip(alpha x + beta, 0, 1); the default alpha = 1/6, beta = 1/2 is relu6(x + 3) / 6",
    derivative="alpha where 0 < alpha x + beta < 1, else 0 (1/6 on (-3, 3) by default)",
    output_range="[0, 1]", zero_centred=False, max_derivative=1.0 / 6.0, monotonic=True,
    use="a cheap sigmoid for gates in mobile networks (MobileNetV3); alpha=0.2 is ONNX's "
        "and Keras 2's form",
    avoid="where the smooth sigmoid's tails matter",
    kinks_text="gradient 0 at the kinks (x = -3 and x = 3 by default)",
    plot_range=(-5.0, 5.0),
)
