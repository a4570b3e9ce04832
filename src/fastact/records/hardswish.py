"""hardswish: the piecewise-quadratic SiLU x * relu6(x + 3) / 6."""

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x <= -3.0:
        return -0.0
    if x >= 3.0:
        return x
    return x * (x + 3.0) / 6.0


def ref_derivative(x):
    # At -3 and 3 the outer branches, 0 and 1, as PyTorch's autograd (2.13) gives.
    if _math.isnan(x):
        return _math.nan
    if x <= -3.0:
        return 0.0
    if x >= 3.0:
        return 1.0
    return x / 3.0 + 0.5


def mp_forward(x):
    if x <= -3:
        return _mp.mp.mpf(0)
    if x >= 3:
        return x
    return x * (x + 3) / 6


def mp_derivative(x):
    # at -3 and 3 the outer branches, as PyTorch's autograd (2.13) and ref_derivative
    if x <= -3:
        return _mp.mp.mpf(0)
    if x >= 3:
        return _mp.mp.mpf(1)
    return x / 3 + _mp.mp.mpf(1) / 2


def _nb_backward(g, x):
    return 0.0 if x <= -3 else (g if x >= 3 else g * (x / 3 + 0.5))


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: x * np.clip(x / 6 + 0.5, 0, 1)),
        _peers.gx(lambda g, x, p: np.where(x <= -3, 0,
                                           np.where(x >= 3, g, g * (x / 3 + 0.5)))))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.hardswish(x)),
            _peers.tgx(lambda g, x, p: torch.ops.aten.hardswish_backward(g, x)))
    out.update(_peers.engines(
        jax="hard_swish", onnx="HardSwish",
        numba=_peers.Numba(lambda x: x * min(max(x / 6 + 0.5, 0.0), 1.0),
                           _nb_backward)))
    return out



def ref_second(x):
    """1/3 on the open interval (-3, 3), 0 at the kinks (PyTorch's double backward) and
    outside."""
    if _math.isnan(x):
        return _math.nan
    return 1.0 / 3.0 if -3.0 < x < 3.0 else 0.0

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x: _mp.mp.mpf(1) / 3 if -3 < x < 3 else _mp.mp.mpf(0),
    second_at_kinks=(((), -3.0, 0.0), ((), 3.0, 0.0), ((), 0.0, 1.0 / 3.0)),
    name="hardswish", order=190, from_output=False, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((None, INF), (None, 1.0)),      # None: exact zero, either sign
    accuracy=accuracy(forward=0.5, derivative=0.5, backward=1.5, crossings=((-1.5, 0.25),),
                      span=8.0, kink_xs=(-3.0, -1.5, 0.0, 3.0)),
    derivatives_at_kinks=(((), -3.0, 0.0), ((), 3.0, 1.0), ((), 0.0, 0.5)),
    peers=peers,
    formula="x * relu6(x + 3) / 6",
    derivative="0 if x <= -3; 1 if x >= 3; x / 3 + 1/2 otherwise",
    output_range="[-0.375, inf)", zero_centred=False, max_derivative=1.5,
    monotonic=False,
    use="a cheap SiLU for mobile networks (MobileNetV3)",
    avoid="where SiLU's smoothness matters",
    kinks_text="hardswish'(-3) = 0 and hardswish'(3) = 1 (the outer branches, as PyTorch's "
          "autograd)",
    plot_range=(-5.0, 5.0),
)
