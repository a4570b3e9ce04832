"""reglu: the ReGLU gate relu(a) * b (Shazeer, "GLU Variants Improve Transformer")."""

from . import Peer, _gated, _peers, gated_accuracy, record


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.ab(lambda a, b: np.maximum(a, 0) * b),
                         _peers.gab(lambda g, a, b: (np.where(a > 0, g * b, 0),
                                                     g * np.maximum(a, 0))))}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(_peers.tab(lambda a, b: F.relu(a) * b),
                            _peers.tgab(lambda g, a, b: (A.threshold_backward(g * b, a, 0),
                                                         g * F.relu(a))))
    return out


RECORD = record(
    name="reglu", order=320, kind="gated", gate="relu", kernel="gated_relu",
    ref_forward=_gated.forward("relu"), ref_backward=_gated.backward("relu"),
    accuracy=gated_accuracy(_gated.gate_record("relu")),
    peers=peers,
    formula="relu(a) * b = max(0, a) * b",
    derivative="d/da = b if a > 0 else 0, d/db = relu(a)",
    output_range="(-inf, inf)", zero_centred=False, max_derivative=None, monotonic=False,
    use="gated MLPs where ReLU's exact zeros (sparsity) are wanted",
    avoid="when the smoother SwiGLU or GeGLU train better (they usually do)",
    kinks_text="d/da at a = 0 is 0 (relu'(0) = 0, PyTorch's convention)",
    plot_range=(-4.0, 4.0),
)
