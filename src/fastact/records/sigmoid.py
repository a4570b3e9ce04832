"""sigmoid: the logistic function 1 / (1 + e^-x)."""

import math

from . import Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    return _math.sig(x)


def ref_derivative(x):
    # s(1 - s) = s(x) s(-x): both factors accurate in both tails.
    return _math.sig(x) * _math.sig(-x)


def ref_from_output(y):
    return y * (1.0 - y)


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: 1 / (1 + np.exp(-x))),
                         _peers.gy(lambda g, y, p: g * y * (1 - y)))}
    sp = _peers.scipy_special()
    if sp is not None:
        out["scipy"] = Peer(_peers.x(lambda x, p: sp.expit(x)))
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.sigmoid(x)),
                            _peers.tgy(lambda g, y, p: torch.ops.aten.sigmoid_backward(g, y)))
    out.update(_peers.engines(
        jax="sigmoid", onnx="Sigmoid",
        numba=_peers.Numba(lambda x: 1 / (1 + math.exp(-x)), lambda g, y: g * y * (1 - y))))
    return out


RECORD = record(
    ref_second=_math.sig2, mp_second=_mp.sig2,
    name="sigmoid", order=10, from_output=True, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x: _mp.sig(x), mp_derivative=lambda x: _mp.dsig(x),
    limits=((0.0, 1.0), (0.0, 0.0)),
    accuracy=accuracy(span=746.0, kink_xs=(0.0, 36.0, 37.0)),
    derivatives_at_kinks=(((), 0.0, 0.25),),
    peers=peers,
    formula="1 / (1 + exp(-x))", derivative="y * (1 - y)",
    output_range="(0, 1)", zero_centred=False, max_derivative=0.25, monotonic=True,
    use="output layer for binary classification; gates in LSTM and GRU cells",
    avoid="hidden layers of deep networks: the derivative is at most 0.25, so gradients vanish",
    kinks_text="smooth; sigmoid'(0) = 0.25 is the maximum; sigmoid(+-inf) = 1, 0",
    plot_range=(-8.0, 8.0),
    experiments=("vanishing",),
    note=(
        "Squeezes any real number into (0, 1): large negative inputs come out near 0, large "
        "positive ones near 1. It is smooth everywhere and was long the default. Its "
        "derivative is a function of its output alone, y(1 − y), which is what "
        "<code>fastact.sigmoid.backward_from_output</code> uses. The weakness is in the same "
        "formula: the derivative is at most 0.25 (at x = 0) and close to 0 wherever the "
        "output is close to 0 or 1."),
)
