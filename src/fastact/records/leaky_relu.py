"""leaky_relu: x for x > 0, negative_slope * x otherwise."""

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, negative_slope=0.01):
    return _math.leaky(x, negative_slope)


def ref_derivative(x, negative_slope=0.01):
    return _math.step(x, negative_slope, 1.0)


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(x > 0, x, p["negative_slope"] * x)),
        _peers.gy(lambda g, y, p: np.where(y > 0, g, p["negative_slope"] * g)))}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(
            _peers.tx(lambda x, p: F.leaky_relu(x, p["negative_slope"])),
            _peers.tgy(lambda g, y, p: A.leaky_relu_backward(g, y, p["negative_slope"], True)))
    out.update(_peers.engines(
        jax=lambda nn, p: lambda x: nn.leaky_relu(x, p["negative_slope"]),
        onnx=_peers.Onnx("LeakyRelu", lambda p: {"alpha": p["negative_slope"]}),
        numba=_peers.Numba(lambda x, a: x if x > 0 else a * x,
                           lambda g, y, a: g if y > 0 else a * g, ("negative_slope",))))
    return out


RECORD = record(
    ref_second=_math.zero2,
    mp_second=_mp.zero,
    second_at_kinks=(((), 0.0, 0.0), ((0.2,), 0.0, 0.0)),
    name="leaky_relu", order=40,
    params=(Param("negative_slope", 0.01, from_output_nonnegative=True),),
    from_output=True, float32_computes_in="float",
    # y > 0 exactly where x > 0 (for a slope >= 0): the derivative reads the same from y.
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_derivative,
    mp_forward=lambda x, s: x if x > 0 else s * x,
    mp_derivative=lambda x, s: _mp.mp.mpf(1) if x > 0 else s,
    limits=((lambda s: -INF if s > 0 else (INF if s < 0 else 0.0), INF),
            (lambda s: s, 1.0)),
    accuracy=accuracy(forward=0.5, derivative=0.0, backward=0.5, span=8.0),
    derivatives_at_kinks=(((), 0.0, 0.01), ((0.2,), 0.0, 0.2)),
    peers=peers,
    formula="x if x > 0 else negative_slope * x",
    derivative="1 if x > 0 else negative_slope",
    output_range="(-inf, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="instead of ReLU when dead units appear: gradients always flow",
    avoid="when exact sparsity (true zeros) is wanted",
    kinks_text="leaky_relu'(0) = negative_slope",
    plot_range=(-4.0, 4.0),
    experiments=("vanishing", "dead"),
    note=(
        "Keeps a small slope α on the negative side (fastact's default is 0.01, as PyTorch's; "
        "0.1 is also used), so a unit stuck on the negative side still receives a gradient α "
        "and can recover. Its two relatives follow: PReLU learns α, RReLU draws it at random "
        "while training."),
)
