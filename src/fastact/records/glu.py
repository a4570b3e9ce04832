"""glu: the gated linear unit of torch.nn.functional.glu, a * sigmoid(b), with a and b
the two halves of x along an axis."""

from . import Peer, _gated, _peers, gated_accuracy, record


def ref_forward(xs):
    """glu of a list: its first half times the sigmoid of its second half."""
    h = len(xs) // 2
    f = _gated.forward("sigmoid")
    return [f(b, a) for a, b in zip(xs[:h], xs[h:])]


def ref_backward(gs, xs):
    """The gradient with respect to the list xs: (g sigmoid(b), g a sigmoid'(b))."""
    h = len(xs) // 2
    back = _gated.backward("sigmoid")
    pairs = [back(g, b, a) for g, a, b in zip(gs, xs[:h], xs[h:])]
    return [gv for _, gv in pairs] + [gu for gu, _ in pairs]


def _np_glu(x):
    import numpy as np
    a, b = np.split(x, 2, axis=-1)
    return a / (1 + np.exp(-b))


def _np_backward(g, x):
    import numpy as np
    a, b = np.split(x, 2, axis=-1)
    s = 1 / (1 + np.exp(-b))
    return np.concatenate([g * s, g * a * s * (1 - s)], axis=-1)


def peers():
    out = {"numpy": Peer(_peers.x(lambda x, p: _np_glu(x)),
                         _peers.gx(lambda g, x, p: _np_backward(g, x)))}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(_peers.tx(lambda x, p: F.glu(x, -1)),
                            _peers.tgx(lambda g, x, p: A.glu_backward(g, x, -1)))
    return out


RECORD = record(
    # the gated kernel of sigmoid, sigmoid(u) * v, called with (u, v) = (b, a): the gate
    # is on the second half; the API writes into the halves of its output, no copy.
    name="glu", order=330, kind="glu", gate="sigmoid", kernel="gated_sigmoid",
    params=(("axis", -1),),
    ref_forward=ref_forward, ref_backward=ref_backward,
    accuracy=gated_accuracy(_gated.gate_record("sigmoid")),
    peers=peers,
    formula="a * sigmoid(b), (a, b) the halves of x along axis",
    derivative="d/da = sigmoid(b), d/db = a * sigmoid(b) * (1 - sigmoid(b))",
    output_range="(-inf, inf), half of x's length along axis",
    zero_centred=False, max_derivative=None, monotonic=False,
    use="gated convolutional language models (Dauphin et al.), torch.nn.GLU",
    avoid="an odd length along axis (it must split in two halves)",
    kinks_text="smooth; glu of a = +-inf with b = -inf is NaN (inf * 0)",
    plot_range=(-4.0, 4.0),
)
