"""silu: the sigmoid linear unit (Swish) x * sigmoid(x)."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x == -_math.inf:
        return -0.0
    return x * _math.sig(x)


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    if x == _math.inf:
        return 1.0
    if x == -_math.inf:
        return -0.0
    return _math.sig(x) * (1.0 + x * _math.sig(-x))


def _np_silu_backward(g, x):
    import numpy as np
    s = 1 / (1 + np.exp(-x))
    return g * s * (1 + x * (1 - s))


def _nb_backward(g, x):
    s = 1 / (1 + math.exp(-x))
    return g * s * (1 + x * (1 - s))


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: x / (1 + np.exp(-x))),
                         _peers.gx(lambda g, x, p: _np_silu_backward(g, x)))}
    sp = _peers.scipy_special()
    if sp is not None:
        def backward(g, x):
            s = sp.expit(x)
            return g * s * (1 + x * (1 - s))

        out["scipy"] = Peer(_peers.x(lambda x, p: x * sp.expit(x)),
                            _peers.gx(lambda g, x, p: backward(g, x)))
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(_peers.tx(lambda x, p: F.silu(x)),
                            _peers.tgx(lambda g, x, p: A.silu_backward(g, x)))
    out.update(_peers.engines(
        jax="silu", onnx=_peers.Onnx("Swish", {"alpha": 1.0}, opset=24),
        numba=_peers.Numba(lambda x: x / (1 + math.exp(-x)), _nb_backward)))
    return out


RECORD = record(
    name="silu", order=110, from_output=False, float32="native",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x: x * _mp.sig(x), mp_derivative=lambda x: _mp.sig(x) + x * _mp.dsig(x),
    limits=((-0.0, INF), (-0.0, 1.0)),
    accuracy=accuracy(crossings=((-1.2784645427610737, 0.5),), span=746.0,
                      kinks=(0.0, -1.2784645427610737, 746.0, -746.0, -745.0)),
    kink_derivatives=(((), 0.0, 0.5),),
    peers=peers,
    formula="x * sigmoid(x)", derivative="s * (1 + x * (1 - s)), s = sigmoid(x)",
    output_range="[-0.278, inf)", zero_centred=False, max_derivative=1.0998,
    monotonic=False,
    use="hidden layers of convolutional and transformer networks (Swish)",
    avoid="when ReLU's exact zeros or its lower cost matter",
    kinks="smooth; minimum about -0.278 at x about -1.278",
    plot_range=(-6.0, 4.0),
    experiments=("vanishing",),
)
