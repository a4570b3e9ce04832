"""tanh: the hyperbolic tangent (e^x - e^-x) / (e^x + e^-x)."""

import math

from . import Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    return math.tanh(x)


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 20.0:
        # sech^2 x = 4 e^{-2|x|} / (1 + e^{-2|x|})^2; 1 - tanh^2 would round to 0.
        e = math.exp(-2.0 * abs(x))
        return 4.0 * e / (1.0 + e) ** 2
    return 1.0 / math.cosh(x) ** 2


def ref_from_output(y):
    return 1.0 - y * y


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: np.tanh(x)),
                         _peers.gy(lambda g, y, p: g * (1 - y * y)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.tanh(x)),
                            _peers.tgy(lambda g, y, p: torch.ops.aten.tanh_backward(g, y)))
    out.update(_peers.engines(
        jax="tanh", onnx="Tanh",
        numba=_peers.Numba(lambda x: math.tanh(x), lambda g, y: g * (1 - y * y))))
    return out



def ref_second(x):
    """-2 tanh(x) sech^2(x) = -sign(x) 8 z (1 - z) / (1 + z)^3, z = e^-2|x|."""
    if _math.isnan(x):
        return _math.nan
    z = math.exp(-2.0 * abs(x))
    return -math.copysign(8.0 * z * -math.expm1(-2.0 * abs(x)) / (1.0 + z) ** 3, x)

RECORD = record(
    ref_second=ref_second, mp_second=lambda x: -2 * _mp.mp.tanh(x) * _mp.sech2(x),
    name="tanh", order=20, from_output=True, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x: _mp.mp.tanh(x), mp_derivative=lambda x: _mp.sech2(x),
    limits=((-1.0, 1.0), (0.0, 0.0)),
    accuracy=accuracy(span=380.0, kink_xs=(0.0, 19.0, 20.0)),
    derivatives_at_kinks=(((), 0.0, 1.0),),
    peers=peers,
    formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))", derivative="1 - y**2",
    output_range="(-1, 1)", zero_centred=True, max_derivative=1.0, monotonic=True,
    use="hidden layers that need bounded, zero-centred outputs; RNN cell states",
    avoid="deep stacks: tanh'(x) < 0.08 for |x| > 2, so gradients vanish",
    kinks_text="smooth; odd; tanh(+-inf) = +-1",
    plot_range=(-5.0, 5.0),
    experiments=("vanishing",),
    note=(
        "A sigmoid rescaled to (−1, 1): tanh(x) = 2σ(2x) − 1, with derivative 1 − y². Because "
        "its outputs are centred on zero, the next layer sees inputs of both signs, so the "
        "gradients of one unit's weights do not all share a sign (with the sigmoid's "
        "all-positive outputs they do, and the updates zig-zag). It saturates like the "
        "sigmoid: the derivative is below 0.08 once |x| > 2."),
)
