"""softmin: softmax(-x) along an axis, as torch.nn.functional.softmin."""

from . import AxisAccuracy, Peer, _peers, record
from . import softmax as _softmax


def ref_forward(xs):
    """softmin of a list: softmax of the negated list (a row of all +inf gives zeros, -inf
    entries share the mass)."""
    return _softmax.ref_forward([-v for v in xs])


def ref_backward(gs, ys):
    return [-d for d in _softmax.ref_backward(gs, ys)]


def mp_forward(xs):
    neg = [-v for v in xs]
    top = [v for v in neg if v == float("inf")]
    if top:                     # -inf entries of x share the mass exactly
        return [1.0 / len(top) if v == float("inf") else 0.0 for v in neg]
    return _softmax.mp_forward(neg)


def mp_backward(gs, ys):
    return [-d for d in _softmax.mp_backward(gs, ys)]


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: _softmax._np_softmax(-x)),
        _peers.gy(lambda g, y, p: -(y * (g - (g * y).sum(axis=-1, keepdims=True)))))}
    sp = _peers.scipy_special()
    if sp is not None:
        out["scipy"] = Peer(_peers.x(lambda x, p: sp.softmax(np.negative(x), axis=-1)))
    torch = _peers.torch_module()
    if torch is not None:
        A = torch.ops.aten
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.softmin(x, -1)),
            _peers.tgy(lambda g, y, p: -A._softmax_backward_data(g, y, -1, y.dtype)))
    # ONNX has no Softmin node (a model would be Neg then Softmax: not one op)
    out.update(_peers.engines(jax=lambda nn, p: lambda x: nn.softmax(-x, axis=-1)))
    return out


RECORD = record(
    name="softmin", order=225, kind="axis", params=(("axis", -1),),
    ref_forward=ref_forward, ref_backward=ref_backward,
    mp_forward=mp_forward, mp_backward=mp_backward,
    backward_scale=_softmax.backward_scale,
    # softmax's bounds: the same kernel on -x (exact negation)
    # (full run: backward from x 2.0 float64, 1.58 float32; from y 2.17 and 0.50; the
    # where= backward's float32 rows at most 3.5, 1.27 on the test's rows: softmax.pxi)
    accuracy=AxisAccuracy(forward=4.0, backward=8.0, forward_unit="ulp", sign=-1,
                          backward_from_output=8.0),
    peers=peers,
    formula="exp(-x_i) / sum_j exp(-x_j) along axis (softmax of -x)",
    derivative="backward: -y * (g - sum(g * y)), y = softmin(x)",
    output_range="(0, 1), sums to 1", zero_centred=False, max_derivative=None,
    monotonic=False,
    use="weights that favour the smallest entries (distances, costs): attention over "
        "distances, soft nearest neighbour",
    avoid="hidden layers",
    kinks_text="a row of all +inf gives all 0; -inf entries share the mass",
    plot_range=(-4.0, 4.0),
)
