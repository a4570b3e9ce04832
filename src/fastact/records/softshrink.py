"""softshrink: x shrunk towards 0 by lambd, and 0 within [-lambd, lambd]."""

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record
from . import hardshrink as _hardshrink

# f' is hardshrink's: 1 where |x| > lambd (0 at +-lambd, as PyTorch), and from the output
# 1 where y != 0 (x -+ lambd is never 0 outside the dead zone)
ref_derivative = _hardshrink.ref_derivative
ref_from_output = _hardshrink.ref_from_output


def ref_forward(x, lambd=0.5):
    if _math.isnan(x):
        return _math.nan
    if x > lambd:
        return x - lambd
    if x < -lambd:
        return x + lambd
    return 0.0


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(x > p["lambd"], x - p["lambd"],
                                       np.where(x < -p["lambd"], x + p["lambd"], 0))),
        _peers.gy(lambda g, y, p: np.where(y != 0, g, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.softshrink(x, p["lambd"])),
            _peers.tgx(lambda g, x, p: torch.ops.aten.softshrink_backward(g, x, p["lambd"])))
    return out


RECORD = record(
    ref_second=_math.zero2, mp_second=_mp.zero,
    name="softshrink", order=250, float32_computes_in="float",
    # lambd >= 0, as PyTorch ("lambda must be in range [0, ...]"): a negative one makes
    # the two branches overlap.
    params=(Param("lambd", 0.5, at_least=0.0),),
    from_output=True,
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x, l: x - l if x > l else (x + l if x < -l else _mp.mp.mpf(0)),
    mp_derivative=_hardshrink.RECORD.mp_derivative,
    limits=((-INF, INF), (1.0, 1.0)),
    # x - lambd is one rounding; g * 1 or g * 0 is exact
    accuracy=accuracy(forward=0.5, derivative=0.0, backward=0.0, span=8.0,
                      kink_xs=(-0.5, 0.0, 0.5)),
    derivatives_at_kinks=(((), 0.5, 0.0), ((), -0.5, 0.0), ((), 0.0, 0.0), ((), 1.0, 1.0),
                      ((0.0,), 0.0, 0.0), ((0.0,), 0.25, 1.0)),
    peers=peers,
    formula="x - lambd if x > lambd; x + lambd if x < -lambd; 0 otherwise",
    derivative="1 if |x| > lambd else 0",
    output_range="(-inf, inf)", zero_centred=True, max_derivative=1.0, monotonic=True,
    use="sparse coding and denoising (the proximal operator of the L1 norm, as in ISTA): "
        "small values set to exactly 0",
    avoid="hidden layers of deep networks: the dead zone passes no gradient",
    kinks_text="softshrink'(+-lambd) = 0 (PyTorch); lambd must be >= 0 (PyTorch)",
    plot_range=(-3.0, 3.0),
)
