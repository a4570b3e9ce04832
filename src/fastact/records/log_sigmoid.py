"""log_sigmoid: log(sigmoid(x)) = -softplus(-x)."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    return -_math.softplus(-x)


def ref_derivative(x):
    return _math.sig(-x)


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: -np.logaddexp(0, -x)),
                         _peers.gx(lambda g, x, p: g / (1 + np.exp(x))))}
    sp = _peers.scipy_special()
    if sp is not None:
        out["scipy"] = Peer(_peers.x(lambda x, p: sp.log_expit(x)),
                            _peers.gx(lambda g, x, p: g * sp.expit(-x)))
    torch = _peers.torch_module()
    if torch is not None:
        A = torch.ops.aten

        def torch_backward(d):
            g, x = _peers.tensor(d.g), _peers.tensor(d.x)
            # the forward's by-product, as autograd keeps it: not part of the timed call
            buffer = A.log_sigmoid_forward(x)[1]
            return lambda: A.log_sigmoid_backward(g, x, buffer)

        out["torch"] = Peer(_peers.tx(lambda x, p: torch.nn.functional.logsigmoid(x)),
                            torch_backward)
    # ONNX has no LogSigmoid op.
    out.update(_peers.engines(
        jax="log_sigmoid",
        numba=_peers.Numba(lambda x: -(max(-x, 0.0) + math.log1p(math.exp(-abs(x)))),
                           lambda g, x: g / (1 + math.exp(x)))))
    return out



def ref_second(x):
    """-sigma'(x)."""
    return _math.nan if _math.isnan(x) else -_math.dsig(x)

RECORD = record(
    ref_second=ref_second, mp_second=lambda x: -_mp.dsig(x),
    name="log_sigmoid", order=200, from_output=False, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x: -_mp.softplus(-x), mp_derivative=lambda x: _mp.sig(-x),
    limits=((-INF, -0.0), (1.0, 0.0)),
    accuracy=accuracy(span=746.0, kink_xs=(0.0, 37.0, -37.0)),
    peers=peers,
    formula="log(sigmoid(x)) = -softplus(-x)", derivative="1 - sigmoid(x) = sigmoid(-x)",
    output_range="(-inf, 0)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="log-probabilities of a binary output, inside losses",
    avoid="as a hidden activation",
    kinks_text="smooth; log_sigmoid(x) = x for x -> -inf",
    plot_range=(-6.0, 6.0),
)
