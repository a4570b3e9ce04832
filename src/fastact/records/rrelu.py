"""rrelu: leaky_relu with a random slope in training, the mean slope in evaluation."""

from . import Param, Peer, _math, _peers, record


def _mean(lower, upper):
    # halves first: (lower + upper) / 2 overflows for bounds near the largest float
    return lower / 2.0 + upper / 2.0


def ref_forward(x, lower=1.0 / 8.0, upper=1.0 / 3.0):
    """Evaluation mode: the mean slope.  (Training draws slopes; use leaky_relu with them.)"""
    return _math.leaky(x, _mean(lower, upper))


def ref_derivative(x, lower=1.0 / 8.0, upper=1.0 / 3.0):
    return _math.step(x, _mean(lower, upper), 1.0)


def _torch_backward(torch):
    A, T = torch.ops.aten, _peers.tensor

    def backward(d):
        g, x = T(d.g), T(d.x)
        noise = torch.empty(0, dtype=x.dtype)
        p = _peers.params(d)
        lo, hi = p["lower"], p["upper"]
        return lambda: A.rrelu_with_noise_backward(g, x, noise, lo, hi, False, False)
    return backward


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: np.where(x >= 0, x, p["slope"] * x)),
                         _peers.gx(lambda g, x, p: np.where(x > 0, g, p["slope"] * g)))}
    torch = _peers.torch_module()
    if torch is not None:
        F = torch.nn.functional
        out["torch"] = Peer(
            _peers.tx(lambda x, p: F.rrelu(x, p["lower"], p["upper"], training=False)),
            _torch_backward(torch))
    # Evaluation mode is leaky_relu with the mean slope (torch.onnx exports it as LeakyRelu);
    # jax.nn has no rrelu.
    out.update(_peers.engines(
        onnx=_peers.Onnx("LeakyRelu", lambda p: {"alpha": p["slope"]}),
        numba=_peers.Numba(lambda x, s: x if x >= 0 else s * x,
                           lambda g, x, s: g if x > 0 else s * g, ("slope",))))
    return out


RECORD = record(
    name="rrelu", order=60, kind="rrelu", kernel="leaky_relu",
    params=(Param("lower", 1.0 / 8.0), Param("upper", 1.0 / 3.0, at_least="lower")),
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    derivatives_at_kinks=(((0.1, 0.3), 0.0, 0.2),),
    peers=peers,
    formula="x if x >= 0 else a * x, a ~ U(lower, upper) per element in training, "
            "(lower + upper) / 2 in evaluation",
    derivative="1 if x > 0 else a",
    output_range="(-inf, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="as Leaky ReLU with a random slope in training, as a regulariser",
    avoid="when training must be deterministic without a seeded generator",
    kinks_text="rrelu'(0) = the slope a",
    plot_range=(-4.0, 4.0),
    note=("Leaky ReLU whose slope is drawn from U(lower, upper) for every element while "
          "training (the shaded band) and fixed at their mean for evaluation."),
)
