"""prelu: leaky_relu with a learned slope, weight (per channel on axis 1)."""

from . import Peer, _math, _peers, record


def ref_forward(x, weight=0.25):
    return _math.leaky(x, weight)


def ref_derivative(x, weight=0.25):
    return _math.step(x, weight, 1.0)


def _np_prelu_backward(g, x, w):
    import numpy as np
    neg = x <= 0
    return np.where(neg, w * g, g), np.where(neg, g * x, 0).sum(dtype=x.dtype)


def _torch_peer(torch):
    F, A, T = torch.nn.functional, torch.ops.aten, _peers.tensor

    def weight(d):
        return torch.tensor([_peers.params(d)["weight"]], dtype=T(d.x).dtype)

    def forward(d):
        x, w = T(d.x), weight(d)
        return lambda: F.prelu(x, w)

    def backward(d):
        g, x, w = T(d.g), T(d.x), weight(d)

        def run():   # the kernel leaves grad_weight per element; autograd then sums it
            gx, gw = A._prelu_kernel_backward(g, x, w)
            return gx, gw.sum()
        return run

    return Peer(forward, backward)


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: np.where(x > 0, x, p["weight"] * x)),
                         _peers.gx(lambda g, x, p: _np_prelu_backward(g, x, p["weight"])))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = _torch_peer(torch)
    # jax.nn has no prelu; numba's backward would need a reduction (grad_weight).
    out.update(_peers.engines(
        onnx=_peers.Onnx("PRelu", inputs=lambda p: (p["weight"],)),
        numba=_peers.Numba(lambda x, w: x if x > 0 else w * x, None, ("weight",))))
    return out


RECORD = record(
    name="prelu", order=50, kind="prelu", kernel="leaky_relu", params=(("weight", 0.25),),
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    derivatives_at_kinks=(((0.3,), 0.0, 0.3),),
    peers=peers,
    formula="x if x > 0 else weight * x  (weight learned, per channel on axis 1)",
    derivative="1 if x > 0 else weight; d/dweight = x if x <= 0 else 0",
    output_range="(-inf, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="as Leaky ReLU, when the negative slope should be learned per channel",
    avoid="small data sets: the extra parameters can overfit",
    kinks_text="prelu'(0) = weight",
    plot_range=(-4.0, 4.0),
    note="Leaky ReLU whose slope is a parameter learned with the weights (one per channel).",
)
