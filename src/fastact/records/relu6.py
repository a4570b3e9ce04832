"""relu6: ReLU capped at 6, min(max(0, x), 6)."""

from . import Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    return min(max(x, 0.0), 6.0)


def ref_derivative(x):
    # hardtanh's derivative with bounds 0 and 6: gradient 0 at both bounds
    if _math.isnan(x):
        return _math.nan
    return 1.0 if 0.0 < x < 6.0 else 0.0


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: np.clip(x, 0, 6)),
                         _peers.gy(lambda g, y, p: np.where((y > 0) & (y < 6), g, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.relu6(x)),
            _peers.tgx(lambda g, x, p: torch.ops.aten.hardtanh_backward(g, x, 0, 6)))
    out.update(_peers.engines(
        jax="relu6", onnx=_peers.Onnx("Clip", inputs=(0.0, 6.0)),
        numba=_peers.Numba(lambda x: 0.0 if x < 0 else (6.0 if x > 6 else x),
                           lambda g, y: g if 0 < y < 6 else 0.0)))
    return out


RECORD = record(
    ref_second=_math.zero2,
    mp_second=_mp.zero,
    second_at_kinks=(((), 0.0, 0.0), ((), 6.0, 0.0)),
    name="relu6", order=160, from_output=True, float32_computes_in="float",
    # f' is 1 exactly where 0 < y < 6 too: the derivative serves as its own from-output form
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_derivative,
    mp_forward=lambda x: _mp.mp.mpf(0) if x <= 0 else min(x, _mp.mp.mpf(6)),
    mp_derivative=lambda x: _mp.mp.mpf(1) if 0 < x < 6 else _mp.mp.mpf(0),
    limits=((0.0, 6.0), (0.0, 0.0)),
    accuracy=accuracy(forward=0.0, derivative=0.0, span=8.0, kink_xs=(0.0, 6.0)),
    derivatives_at_kinks=(((), 0.0, 0.0), ((), 6.0, 0.0), ((), 3.0, 1.0)),
    peers=peers,
    formula="min(max(0, x), 6)", derivative="1 if 0 < x < 6 else 0",
    output_range="[0, 6]", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="mobile networks (MobileNet) where activations are quantised",
    avoid="when outputs above 6 carry information",
    kinks_text="gradient 0 at both bounds, x = 0 and x = 6",
    plot_range=(-2.0, 8.0),
)
