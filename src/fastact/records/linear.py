"""linear: the identity, f(x) = x (no activation)."""

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    return x


def ref_derivative(x):
    return _math.nan if _math.isnan(x) else 1.0


def peers():
    # torch has no peer: its Identity returns its input (no work to time).
    # jax.nn.identity likewise (jit returns its input); ONNX Runtime's Identity copies into
    # the bound output.
    out = {"numpy": Peer(_peers.x(lambda x, p: x.copy()),       # the memory bound of one pass
                         _peers.gy(lambda g, y, p: g.copy()))}
    out.update(_peers.engines(onnx="Identity",
                              numba=_peers.Numba(lambda x: x, lambda g, y: g)))
    return out


RECORD = record(
    ref_second=_math.zero2, mp_second=_mp.zero,
    name="linear", order=100, from_output=True, float32_computes_in="float",
    # f' = 1 everywhere: the same function of y as of x.
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_derivative,
    mp_forward=lambda x: x, mp_derivative=_mp.one,
    limits=((-INF, INF), (1.0, 1.0)),
    accuracy=accuracy(forward=0.0, derivative=0.0, span=8.0),
    derivatives_at_kinks=(((), 0.0, 1.0),),
    peers=peers,
    formula="x", derivative="1",
    output_range="(-inf, inf)", zero_centred=True, max_derivative=1.0, monotonic=True,
    use="output layer for regression (no activation)",
    avoid="hidden layers: linear layers stacked collapse to one linear map",
    kinks_text="none",
    plot_range=(-4.0, 4.0),
)
