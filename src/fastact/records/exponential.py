"""exponential: e^x (Keras' keras.activations.exponential, torch.exp, jnp.exp)."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    try:
        return math.exp(x)
    except OverflowError:           # x > 709.78: e^x is beyond the largest double
        return INF


def mp_exp(x):
    """e^x at the accuracy tool's precision: inf past 710 (above the largest double),
    expneg's floor far below the smallest (the tool keeps exponents in 32 bits)."""
    return INF if x > 710 else _mp.expneg(x) if x < 0 else _mp.mp.exp(x)


def ref_from_output(y):
    return y                        # (e^x)' = e^x


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: np.exp(x)), _peers.gy(lambda g, y, p: g * y))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.exp(x)),
                            _peers.tgy(lambda g, y, p: g * y))
    out.update(_peers.engines(
        onnx="Exp", numba=_peers.Numba(lambda x: math.exp(x), lambda g, y: g * y)))
    return out


RECORD = record(
    name="exponential", order=95, from_output=True, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_forward, ref_from_output=ref_from_output,
    mp_forward=mp_exp, mp_derivative=mp_exp,
    ref_second=ref_forward, mp_second=mp_exp,            # (e^x)'' = e^x
    limits=((0.0, INF), (0.0, INF)),
    # float64: the exp primitive (a degree-11 minimax polynomial, 2^-56.9 on the reduced
    # range, plus the roundings of the reduction and the 2^n scaling) measured 1.01 ULP
    # in the full run (x = -4.486448846419905, 524,475 points; the quick run's 3000 never
    # passed 1), hence 1.5.  float32 computes in float: 0.99 over every input.
    accuracy=accuracy(forward=1.5, derivative=1.5, backward=2.0, span=746.0,
                      kink_xs=(0.0, 709.0, -708.0, -745.0)),
    derivatives_at_kinks=(((), 0.0, 1.0),),
    peers=peers,
    formula="exp(x)", derivative="exp(x)  (= y)",
    output_range="(0, inf)", zero_centred=False, max_derivative=INF, monotonic=True,
    use="to make an output positive, e.g. a rate or a scale (Keras' exponential)",
    avoid="hidden layers: it overflows to inf above x = 709.78 (88.72 in float32)",
    kinks_text="smooth; exponential(0) = exponential'(0) = 1; inf above 709.78 "
               "(88.72 in float32), 0 below -745.13 (-103.97 in float32)",
    plot_range=(-4.0, 2.0),
)
