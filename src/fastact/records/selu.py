"""selu: scale * elu(x, alpha) with the self-normalising constants (Klambauer et al. 2017)."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record

# SELU's constants, from Klambauer et al. 2017, "Self-Normalizing Neural Networks",
# eq. (14), to the digits PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    return SELU_SCALE if x > 0 else SELU_SCALE * SELU_ALPHA * math.exp(x)


def ref_from_output(y):
    return _math.step(y, y + SELU_SCALE * SELU_ALPHA, SELU_SCALE)


def mp_forward(x):
    a, s = _mp.C["selu_alpha"], _mp.C["selu_scale"]
    return s * x if x > 0 else s * a * _mp.mp.expm1(x)


def mp_derivative(x):
    a, s = _mp.C["selu_alpha"], _mp.C["selu_scale"]
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


RECORD = record(
    name="selu", order=140, from_output=True, float32="native",
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((lambda: -_mp.C["selu_scale"] * _mp.C["selu_alpha"], INF),
            (0.0, lambda: _mp.C["selu_scale"])),
    accuracy=accuracy(span=746.0, kinks=(0.0, -38.0)),
    kink_derivatives=(((), 0.0, SELU_SCALE * SELU_ALPHA),),
    peers=peers,
    formula="scale * (x if x > 0 else alpha (exp(x) - 1)), alpha = 1.6733, scale = 1.0507",
    derivative="scale if x > 0 else scale alpha exp(x)  (= y + scale alpha)",
    output_range="(-1.7581, inf)", zero_centred=False, max_derivative=1.7581,
    monotonic=True,
    use="self-normalising fully connected networks (with LeCun normal initialisation)",
    avoid="with batch normalisation or dropout other than alpha-dropout",
    kinks="selu'(0) takes the x <= 0 branch: scale * alpha",
    plot_range=(-4.0, 4.0),
)
