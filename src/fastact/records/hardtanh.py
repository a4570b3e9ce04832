"""hardtanh: x clipped to [min_val, max_val]."""

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, min_val=-1.0, max_val=1.0):
    if _math.isnan(x):
        return _math.nan
    return min(max(x, min_val), max_val)


def ref_derivative(x, min_val=-1.0, max_val=1.0):
    if _math.isnan(x):
        return _math.nan
    return 1.0 if min_val < x < max_val else 0.0


def _jax(nn, p):
    if (p["min_val"], p["max_val"]) == (-1.0, 1.0):
        return nn.hard_tanh
    import jax.numpy as jnp
    return lambda x: jnp.clip(x, p["min_val"], p["max_val"])


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.clip(x, p["min_val"], p["max_val"])),
        _peers.gy(lambda g, y, p: np.where((y > p["min_val"]) & (y < p["max_val"]), g, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.hardtanh(x, p["min_val"], p["max_val"])),
            _peers.tgx(lambda g, x, p: torch.ops.aten.hardtanh_backward(
                g, x, p["min_val"], p["max_val"])))
    out.update(_peers.engines(
        jax=_jax, onnx=_peers.Onnx("Clip", inputs=lambda p: (p["min_val"], p["max_val"])),
        numba=_peers.Numba(lambda x, lo, hi: lo if x < lo else (hi if x > hi else x),
                           lambda g, y, lo, hi: g if lo < y < hi else 0.0,
                           ("min_val", "max_val"))))
    return out


RECORD = record(
    ref_second=_math.zero2,
    mp_second=_mp.zero,
    second_at_kinks=(((), -1.0, 0.0), ((), 1.0, 0.0)),
    name="hardtanh", order=170, from_output=True, float32_computes_in="float",
    params=(Param("min_val", -1.0, inf=-INF),
            Param("max_val", 1.0, inf=INF, at_least="min_val")),
    # f' is 1 exactly where min_val < y < max_val too: the derivative serves as its own
    # from-output form
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_derivative,
    mp_forward=lambda x, lo, hi: min(max(x, lo), hi),
    mp_derivative=lambda x, lo, hi: _mp.mp.mpf(1) if lo < x < hi else _mp.mp.mpf(0),
    limits=((lambda lo, hi: lo, lambda lo, hi: hi), (0.0, 0.0)),
    accuracy=accuracy(forward=0.0, derivative=0.0, span=8.0, kink_xs=(-1.0, 0.0, 1.0)),
    derivatives_at_kinks=(((), -1.0, 0.0), ((), 1.0, 0.0), ((), 0.0, 1.0),
                      ((-2.0, 0.5), -2.0, 0.0), ((-2.0, 0.5), 0.5, 0.0)),
    peers=peers,
    formula="min(max(x, min_val), max_val)", derivative="1 if min_val < x < max_val else 0",
    output_range="[min_val, max_val]", zero_centred=True, max_derivative=1.0,
    monotonic=True,
    use="a cheap bounded activation; quantised and low-power models",
    avoid="when gradients outside the bounds are needed: they are exactly 0",
    kinks_text="gradient 0 at both bounds",
    plot_range=(-3.0, 3.0),
)
