"""swiglu: the SwiGLU gate silu(a) * b of LLaMA's, Mistral's and Qwen's MLP blocks."""

from . import Peer, _gated, _peers, gated_accuracy, record


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.ab(lambda a, b: a / (1 + np.exp(-a)) * b),
                         _peers.gab(lambda g, a, b: _np_backward(g, a, b)))}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(_peers.tab(lambda a, b: F.silu(a) * b),
                            _peers.tgab(lambda g, a, b: (A.silu_backward(g * b, a),
                                                         g * F.silu(a))))
    return out


def _np_backward(g, a, b):
    import numpy as np
    s = 1 / (1 + np.exp(-a))
    return g * b * (s * (1 + a * (1 - s))), g * (a * s)


RECORD = record(
    name="swiglu", order=300, kind="gated", gate="silu", kernel="gated_silu",
    ref_forward=_gated.forward("silu"), ref_backward=_gated.backward("silu"),
    accuracy=gated_accuracy(_gated.gate_record("silu")),
    peers=peers,
    formula="silu(a) * b = a * sigmoid(a) * b",
    derivative="d/da = b * silu'(a), d/db = silu(a)",
    output_range="(-inf, inf)", zero_centred=False, max_derivative=None, monotonic=False,
    use="the gated MLP of LLaMA, Mistral, Qwen: down(swiglu(gate(x), up(x)))",
    avoid="when the MLP has no second projection to gate (then silu alone)",
    kinks_text="smooth in a; swiglu(-inf, b) = -0 * b (NaN for b = +-inf)",
    plot_range=(-6.0, 4.0),
)
