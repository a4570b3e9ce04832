"""softplus: log(1 + e^(beta x)) / beta, the identity past the threshold (as PyTorch)."""

import math

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, beta=1.0, threshold=20.0):
    if _math.isnan(x):
        return _math.nan
    if beta * x > threshold:
        return x
    return _math.softplus(beta * x) / beta


def ref_derivative(x, beta=1.0, threshold=20.0):
    if _math.isnan(x):
        return _math.nan
    if beta * x > threshold:
        return 1.0
    return _math.sig(beta * x)


def mp_forward(x, beta, threshold):
    if beta * x > threshold:
        return x
    return _mp.softplus(beta * x) / beta


def mp_derivative(x, beta, threshold):
    if beta * x > threshold:
        return _mp.mp.mpf(1)
    return _mp.sig(beta * x)


def _onnx_attrs(p):
    if p["beta"] != 1.0:
        raise _peers.Unsupported("ONNX's Softplus has beta = 1 only")
    return {}


def peers():
    import numpy as np

    def np_forward(x, beta, threshold):
        if beta == 1.0:     # logaddexp is exact for large x: torch's threshold only saves work
            return np.logaddexp(0, x)
        bx = beta * x
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)

    def np_backward(g, x, beta, threshold):
        bx = x if beta == 1.0 else beta * x
        return np.where(bx > threshold, g, g / (1 + np.exp(-bx)))

    out = {"numpy": Peer(
        _peers.x(lambda x, p: np_forward(x, p["beta"], p["threshold"])),
        _peers.gx(lambda g, x, p: np_backward(g, x, p["beta"], p["threshold"])))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.softplus(x, p["beta"], p["threshold"])),
            _peers.tgx(lambda g, x, p: torch.ops.aten.softplus_backward(
                g, x, p["beta"], p["threshold"])))
    # jax.nn.softplus and ONNX's Softplus are log(1 + e^x) with beta = 1 and no threshold
    # (ONNX Runtime: the default case only); in float64 beyond the threshold they differ
    # from x by up to e^-20 relative, which the bench's error column shows.
    out.update(_peers.engines(
        jax=lambda nn, p: lambda x: nn.softplus(p["beta"] * x) / p["beta"],
        onnx=_peers.Onnx("Softplus", _onnx_attrs),
        numba=_peers.Numba(
            lambda x, b, t: x if b * x > t else math.log1p(math.exp(b * x)) / b,
            lambda g, x, b, t: g if b * x > t else g / (1 + math.exp(-b * x)),
            ("beta", "threshold"))))
    return out



def ref_second(x, beta=1.0, threshold=20.0):
    """beta sigma'(beta x); 0 from the threshold on (the identity above it; at it too,
    PyTorch's double backward)."""
    if _math.isnan(x):
        return _math.nan
    return 0.0 if beta * x >= threshold else beta * _math.dsig(beta * x)

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x, b, t: _mp.mp.mpf(0) if b * x >= t else b * _mp.dsig(b * x),
    second_at_kinks=(((), 20.0, 0.0),),
    name="softplus", order=130, from_output=False, float32_computes_in="float",
    params=(Param("beta", 1.0, nonzero=True), Param("threshold", 20.0, inf=INF)),
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((0.0, INF), (0.0, 1.0)),
    accuracy=accuracy(span=746.0, kink_xs=(0.0, 20.0, -745.0)),
    # at the threshold (beta x == 20) still the log1p form; past it the identity
    derivatives_at_kinks=(((), 20.0, 0.5 * (1 + math.tanh(10.0))), ((), 20.5, 1.0)),
    peers=peers,
    formula="log(1 + exp(beta x)) / beta; x where beta x > threshold",
    derivative="sigmoid(beta x); 1 where beta x > threshold",
    output_range="(0, inf)", zero_centred=False, max_derivative=1.0, monotonic=False,
    use="a smooth ReLU, or to keep a quantity (a variance, a rate) positive",
    avoid="when ReLU's cheapness and exact zeros are wanted",
    kinks_text="switches to the identity where beta x > threshold (as PyTorch): a drop of "
          "log1p(exp(-threshold)) / beta (2e-9 at the defaults), so not monotonic there",
    plot_range=(-4.0, 4.0),
)
