"""relu: the rectified linear unit max(0, x)."""

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    return x if x > 0 else 0.0


def ref_derivative(x):
    return _math.step(x, 0.0, 1.0)


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: np.maximum(x, 0)),
                         _peers.gy(lambda g, y, p: np.where(y > 0, g, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.relu(x)),
            _peers.tgy(lambda g, y, p: torch.ops.aten.threshold_backward(g, y, 0)))
    out.update(_peers.engines(
        jax="relu", onnx="Relu",
        numba=_peers.Numba(lambda x: x if x > 0 else 0.0, lambda g, y: g if y > 0 else 0.0)))
    return out


RECORD = record(
    ref_second=_math.zero2,
    mp_second=_mp.zero,
    second_at_kinks=(((), 0.0, 0.0), ((), -0.0, 0.0)),
    name="relu", order=30, from_output=True, float32_computes_in="float",
    # y > 0 exactly where x > 0: the derivative reads the same from y as from x.
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_derivative,
    mp_forward=lambda x: x if x > 0 else _mp.mp.mpf(0), mp_derivative=_mp.step(0, 1),
    limits=((0.0, INF), (0.0, 1.0)),
    accuracy=accuracy(forward=0.0, derivative=0.0, span=8.0),
    derivatives_at_kinks=(((), 0.0, 0.0), ((), -0.0, 0.0)),
    peers=peers,
    formula="max(0, x)", derivative="1 if x > 0 else 0",
    output_range="[0, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="the default for hidden layers: cheap, and the gradient is exactly 1 for x > 0",
    avoid="when many units stay negative: a dead ReLU outputs 0 and gets no gradient",
    kinks_text="relu'(0) = 0 (PyTorch's convention); relu(NaN) = NaN",
    plot_range=(-4.0, 4.0),
    experiments=("vanishing", "dead"),
    note=(
        "Lets positive inputs through unchanged and replaces negative ones by 0. Three things "
        "made it the default: the derivative is exactly 1 for x &gt; 0, so the gradient is "
        "not shrunk there; many units output exactly 0, so activations are sparse; and it "
        "costs one comparison, with no exponential. The price is the dead unit: if a unit's "
        "input is negative for every example, it outputs 0 and receives a zero gradient, so "
        "no update can bring it back (measured in the dead-unit experiment below)."),
)
