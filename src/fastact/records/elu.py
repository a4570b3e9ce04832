"""elu: the exponential linear unit, x for x > 0, alpha * (e^x - 1) otherwise."""

import math

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, alpha=1.0):
    if _math.isnan(x):
        return _math.nan
    return x if x > 0 else alpha * math.expm1(x)


def ref_derivative(x, alpha=1.0):
    if _math.isnan(x):
        return _math.nan
    return 1.0 if x > 0 else alpha * math.exp(x)


def ref_from_output(y, alpha=1.0):
    return _math.step(y, y + alpha, 1.0)


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(x > 0, x, p["alpha"] * np.expm1(x))),
        _peers.gy(lambda g, y, p: np.where(y > 0, g, g * (y + p["alpha"]))))}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(
            _peers.tx(lambda x, p: F.elu(x, p["alpha"])),
            _peers.tgy(lambda g, y, p: A.elu_backward(g, p["alpha"], 1, 1, True, y)))
    out.update(_peers.engines(
        jax=lambda nn, p: lambda x: nn.elu(x, p["alpha"]),
        onnx=_peers.Onnx("Elu", lambda p: {"alpha": p["alpha"]}),
        numba=_peers.Numba(lambda x, a: x if x > 0 else a * math.expm1(x),
                           lambda g, y, a: g if y > 0 else g * (y + a), ("alpha",))))
    return out



def ref_second(x, alpha=1.0):
    """alpha e^x for x < 0, 0 for x >= 0 (0 at the kink, PyTorch's double backward)."""
    if _math.isnan(x):
        return _math.nan
    return 0.0 if x >= 0 else alpha * math.exp(x)

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x, a: _mp.mp.mpf(0) if x >= 0 else a * _mp.expneg(x),
    second_at_kinks=(((), 0.0, 0.0), ((0.5,), 0.0, 0.0)),
    name="elu", order=80, params=(Param("alpha", 1.0, from_output_nonnegative=True),),
    from_output=True, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x, a: x if x > 0 else a * _mp.mp.expm1(x),
    mp_derivative=lambda x, a: _mp.mp.mpf(1) if x > 0 else a * _mp.expneg(x),
    limits=((lambda a: -a, INF), (0.0, 1.0)),
    accuracy=accuracy(span=746.0, kink_xs=(0.0, -38.0)),
    derivatives_at_kinks=(((), 0.0, 1.0), ((0.5,), 0.0, 0.5), ((2.0,), 0.0, 2.0)),
    peers=peers,
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    derivative="1 if x > 0 else alpha * exp(x)  (= y + alpha)",
    output_range="(-alpha, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="instead of ReLU when dead units appear; mean outputs closer to zero",
    avoid="when the cost of exp matters more than the small gain",
    kinks_text="elu'(0) takes the x <= 0 branch: alpha",
    plot_range=(-4.0, 4.0),
)
