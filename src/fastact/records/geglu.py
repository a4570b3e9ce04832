"""geglu: the GeGLU gate gelu(a) * b of Gemma's MLP blocks."""

from . import Peer, _gated, _peers, gated_accuracy, record


def _gate(approximate):
    return "gelu_tanh" if _gated.approximate_value(approximate) == "tanh" else "gelu"


def ref_forward(a, b, approximate="none"):
    return _gated.forward(_gate(approximate))(a, b)


def ref_backward(g, a, b, approximate="none"):
    return _gated.backward(_gate(approximate))(g, a, b)


def peers():
    out = {}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(
            _peers.tab(lambda a, b: F.gelu(a) * b),
            _peers.tgab(lambda g, a, b: (A.gelu_backward(g * b, a), g * F.gelu(a))))
    return out


RECORD = record(
    # approximate='tanh' (or True) runs the gated kernel of gelu's variant gelu_tanh.
    name="geglu", order=310, kind="gated", gate="gelu", kernel="gated_gelu",
    params=(_gated.APPROXIMATE,),
    ref_forward=ref_forward, ref_backward=ref_backward,
    accuracy=gated_accuracy(_gated.gate_record("gelu")),
    peers=peers,
    formula="gelu(a, approximate) * b",
    derivative="d/da = b * gelu'(a), d/db = gelu(a)",
    output_range="(-inf, inf)", zero_centred=False, max_derivative=None, monotonic=False,
    use="the gated MLP of Gemma (approximate='tanh') and T5 v1.1",
    avoid="mixing the exact and tanh forms between training and serving",
    kinks_text="smooth in a; geglu(-inf, b) = -0 * b (NaN for b = +-inf)",
    plot_range=(-4.0, 4.0),
)
