"""celu: x for x > 0, alpha (e^(x/alpha) - 1) otherwise (Barron 2017)."""

import math

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, alpha=1.0):
    if _math.isnan(x):
        return _math.nan
    return x if x > 0 else alpha * math.expm1(x / alpha)


def ref_derivative(x, alpha=1.0):
    if _math.isnan(x):
        return _math.nan
    return 1.0 if x > 0 else math.exp(x / alpha)


def ref_from_output(y, alpha=1.0):
    return _math.step(y, y / alpha + 1.0, 1.0)


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(x > 0, x, p["alpha"] * np.expm1(x / p["alpha"]))),
        _peers.gy(lambda g, y, p: np.where(y > 0, g, g * (y / p["alpha"] + 1))))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.celu(x, p["alpha"])),
            _peers.tgy(lambda g, y, p: torch.ops.aten.elu_backward(
                g, p["alpha"], 1, 1 / p["alpha"], True, y)))
    out.update(_peers.engines(
        jax=lambda nn, p: lambda x: nn.celu(x, p["alpha"]),
        onnx=_peers.Onnx("Celu", lambda p: {"alpha": p["alpha"]}),
        numba=_peers.Numba(lambda x, a: x if x > 0 else a * math.expm1(x / a),
                           lambda g, y, a: g if y > 0 else g * (y / a + 1), ("alpha",))))
    return out



def ref_second(x, alpha=1.0):
    """e^(x/alpha) / alpha for x < 0, 0 for x >= 0 (0 at the kink, PyTorch's double
    backward)."""
    if _math.isnan(x):
        return _math.nan
    return 0.0 if x >= 0 else math.exp(x / alpha) / alpha

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x, a: _mp.mp.mpf(0) if x >= 0 else _mp.expneg(x / a) / a,
    second_at_kinks=(((), 0.0, 0.0), ((0.5,), 0.0, 0.0)),
    name="celu", order=150, from_output=True, float32_computes_in="float",
    params=(Param("alpha", 1.0, nonzero=True, from_output_nonnegative=True),),
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x, a: x if x > 0 else a * _mp.mp.expm1(x / a),
    mp_derivative=lambda x, a: _mp.mp.mpf(1) if x > 0 else _mp.expneg(x / a),
    limits=((lambda a: -a, INF), (0.0, 1.0)),
    accuracy=accuracy(span=746.0, kink_xs=(0.0, -38.0)),
    derivatives_at_kinks=(((), 0.0, 1.0), ((0.5,), 0.0, 1.0)),
    peers=peers,
    formula="max(0, x) + min(0, alpha (exp(x / alpha) - 1))",
    derivative="1 if x > 0 else exp(x / alpha)  (= y / alpha + 1)",
    output_range="(-alpha, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="as ELU, with a derivative continuous at 0 for every alpha",
    avoid="when ELU or ReLU already work",
    kinks_text="celu'(0) takes the x <= 0 branch: 1",
    plot_range=(-4.0, 4.0),
)
