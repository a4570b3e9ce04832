"""selu: scale * elu(x, alpha), by default with the self-normalising constants (Klambauer
et al. 2017)."""

import math
import struct

from . import INF, GeneralKernel, Param, Peer, _math, _mp, _peers, accuracy, record

# SELU's constants, from Klambauer et al. 2017, "Self-Normalizing Neural Networks",
# eq. (14), to the digits PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# The general kernel's measured set: neither constant (alpha 2 is elu's slope doubled).
CHECK = (2.0, 0.75)


def _f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


DEFAULTS32 = (_f32(SELU_ALPHA), _f32(SELU_SCALE))


def _defaults(alpha, scale):
    """The parameters the kernels compute with: the defaults as float32 data takes them
    select the default kernel, which uses the double constants."""
    if (alpha, scale) == DEFAULTS32:
        return SELU_ALPHA, SELU_SCALE
    return alpha, scale


def ref_forward(x, alpha=SELU_ALPHA, scale=SELU_SCALE):
    alpha, scale = _defaults(alpha, scale)
    if _math.isnan(x):
        return _math.nan
    if x > 0:
        return 0.0 if scale == 0 and x == INF else scale * x
    return scale * (alpha * math.expm1(x))


def ref_derivative(x, alpha=SELU_ALPHA, scale=SELU_SCALE):
    alpha, scale = _defaults(alpha, scale)
    if _math.isnan(x):
        return _math.nan
    return scale if x > 0 else scale * (alpha * math.exp(x))


def ref_from_output(y, alpha=SELU_ALPHA, scale=SELU_SCALE):
    alpha, scale = _defaults(alpha, scale)
    return _math.step(y, y + scale * alpha, scale)


def _consts(alpha, scale):
    """The parameters as mpf; the defaults (None) are the constants to full precision."""
    return (_mp.C["selu_alpha"] if alpha is None else alpha,
            _mp.C["selu_scale"] if scale is None else scale)


def mp_forward(x, alpha=None, scale=None):
    a, s = _consts(alpha, scale)
    return s * x if x > 0 else s * a * _mp.mp.expm1(x)


def mp_second(x, alpha=None, scale=None):
    a, s = _consts(alpha, scale)
    return _mp.mp.mpf(0) if x >= 0 else s * a * _mp.expneg(x)


def mp_derivative(x, alpha=None, scale=None):
    a, s = _consts(alpha, scale)
    return s if x > 0 else s * a * _mp.expneg(x)


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
        _peers.gy(lambda g, y, p: np.where(y > 0, SELU_SCALE * g,
                                           g * (y + SELU_SCALE * SELU_ALPHA))))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.selu(x)),
            _peers.tgy(lambda g, y, p: torch.ops.aten.elu_backward(
                g, SELU_ALPHA, SELU_SCALE, 1, True, y)))
    out.update(_peers.engines(
        jax="selu", onnx=_peers.Onnx("Selu", {"alpha": SELU_ALPHA, "gamma": SELU_SCALE}),
        numba=_peers.Numba(
            lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x)),
            lambda g, y: SELU_SCALE * g if y > 0 else g * (y + SELU_SCALE * SELU_ALPHA))))
    return out



def ref_second(x, alpha=SELU_ALPHA, scale=SELU_SCALE):
    """scale alpha e^x for x < 0, 0 for x >= 0 (0 at the kink, PyTorch's double
    backward)."""
    if _math.isnan(x):
        return _math.nan
    return 0.0 if x >= 0 else scale * (alpha * math.exp(x))

RECORD = record(
    ref_second=ref_second,
    mp_second=mp_second,
    second_at_kinks=(((), 0.0, 0.0),),
    name="selu", order=140, from_output=True, float32_computes_in="float",
    # PyTorch's selu has the constants fixed; its elu(x, alpha, scale) form has them as
    # parameters.  Any finite values; the from-output forms need both >= 0 (then y > 0
    # exactly where x > 0).
    params=(Param("alpha", SELU_ALPHA, from_output_nonnegative=True),
            Param("scale", SELU_SCALE, from_output_nonnegative=True)),
    general_kernel=GeneralKernel("selu_general", CHECK, accuracy(span=746.0, kink_xs=(0.0, -38.0)),
                    max_derivative=max(CHECK[1], CHECK[0] * CHECK[1])),
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((lambda a=None, s=None: -_mp.mp.fprod(_consts(a, s)), INF),
            (0.0, lambda a=None, s=None: _consts(a, s)[1])),
    accuracy=accuracy(span=746.0, kink_xs=(0.0, -38.0)),
    derivatives_at_kinks=(((), 0.0, SELU_SCALE * SELU_ALPHA), (CHECK, 0.0, 1.5)),
    peers=peers,
    formula="scale * (x if x > 0 else alpha (exp(x) - 1)); by default the self-normalising "
            "alpha = 1.6733, scale = 1.0507",
    derivative="scale if x > 0 else scale alpha exp(x)  (= y + scale alpha)",
    output_range="(-1.7581, inf)", zero_centred=False, max_derivative=1.7581,
    monotonic=True,
    use="self-normalising fully connected networks (with LeCun normal initialisation)",
    avoid="with batch normalisation or dropout other than alpha-dropout",
    kinks_text="selu'(0) takes the x <= 0 branch: scale * alpha; the output range, maximum "
          "derivative and limit -scale alpha are the defaults'",
    plot_range=(-4.0, 4.0),
)
