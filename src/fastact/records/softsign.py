"""softsign: x / (1 + |x|), a tanh with polynomial saturation."""

import math

from . import Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if abs(x) == _math.inf:
        return math.copysign(1.0, x)
    return x / (1.0 + abs(x))


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    t = 1.0 / (1.0 + abs(x))       # t * t: (1 + |x|) ** 2 would overflow for |x| > 1e154
    return t * t


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: x / (1 + np.abs(x))),
                         _peers.gx(lambda g, x, p: g / np.square(1 + np.abs(x))))}
    torch = _peers.torch_module()
    if torch is not None:
        # softsign has no fused backward in torch; autograd runs this chain of kernels.
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.nn.functional.softsign(x)),
                            _peers.tgx(lambda g, x, p: g / (1 + x.abs()).square()))
    out.update(_peers.engines(
        jax="soft_sign", onnx="Softsign",
        numba=_peers.Numba(lambda x: x / (1 + abs(x)), lambda g, x: g / (1 + abs(x)) ** 2)))
    return out



def ref_second(x):
    """-2 sign(x) / (1 + |x|)^3; 0 at 0 (PyTorch's autograd: sign(0) = 0)."""
    if _math.isnan(x):
        return _math.nan
    return 0.0 if x == 0 else -math.copysign(2.0 / (1.0 + abs(x)) ** 3, x)

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x: _mp.mp.mpf(0) if x == 0 else -_mp.mp.sign(x) * 2 / (1 + abs(x)) ** 3,
    second_at_kinks=(((), 0.0, 0.0),),
    name="softsign", order=210, from_output=False, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x: x / (1 + abs(x)), mp_derivative=lambda x: 1 / (1 + abs(x)) ** 2,
    limits=((-1.0, 1.0), (0.0, 0.0)),
    accuracy=accuracy(span=1e300),
    derivatives_at_kinks=(((), 0.0, 1.0),),
    peers=peers,
    formula="x / (1 + |x|)", derivative="1 / (1 + |x|)**2",
    output_range="(-1, 1)", zero_centred=True, max_derivative=1.0, monotonic=True,
    use="a cheap tanh with polynomial (slower) saturation",
    avoid="deep stacks: the derivative still decays, as 1/x**2",
    kinks_text="smooth at 0 in value, derivative 1 there",
    plot_range=(-6.0, 6.0),
)
