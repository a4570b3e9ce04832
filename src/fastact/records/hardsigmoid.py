"""hardsigmoid: the piecewise-linear sigmoid relu6(x + 3) / 6."""

from . import Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x <= -3.0:
        return 0.0
    if x >= 3.0:
        return 1.0
    return (x + 3.0) / 6.0


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    return 1.0 / 6.0 if -3.0 < x < 3.0 else 0.0


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
    name="hardsigmoid", order=180, from_output=False, float32="native",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x: (_mp.mp.mpf(0) if x <= -3 else _mp.mp.mpf(1) if x >= 3
                          else (x + 3) / 6),
    mp_derivative=lambda x: _mp.mp.mpf(1) / 6 if -3 < x < 3 else _mp.mp.mpf(0),
    limits=((0.0, 1.0), (0.0, 0.0)),
    accuracy=accuracy(forward=0.5, derivative=0.5, backward=1.5, span=8.0,
                      kinks=(-3.0, 0.0, 3.0)),
    kink_derivatives=(((), -3.0, 0.0), ((), 3.0, 0.0), ((), 0.0, 1.0 / 6.0)),
    peers=peers,
    formula="relu6(x + 3) / 6", derivative="1/6 if -3 < x < 3 else 0",
    output_range="[0, 1]", zero_centred=False, max_derivative=1.0 / 6.0, monotonic=True,
    use="a cheap sigmoid for gates in mobile networks (MobileNetV3)",
    avoid="where the smooth sigmoid's tails matter",
    kinks="gradient 0 at x = -3 and x = 3",
    plot_range=(-5.0, 5.0),
)
