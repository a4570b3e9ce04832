"""sparse_plus: JAX's twin of softplus, 0 below -1, x above 1, a parabola between."""

import math
from fractions import Fraction

from . import INF, Peer, _math, _mp, _peers, accuracy, record
from . import sparse_sigmoid as _sparse_sigmoid

# f' is sparse_sigmoid: its references serve as this one's derivative
ref_derivative = _sparse_sigmoid.ref_forward


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x <= -1.0:
        return 0.0
    if x >= 1.0:
        return x
    return float((Fraction(x) + 1) ** 2 / 4)       # exact, rounded once


def ref_from_output(y):
    if _math.isnan(y):
        return _math.nan
    if y <= 0.0:
        return 0.0
    return 1.0 if y >= 1.0 else math.sqrt(y)       # correctly rounded (IEEE 754)


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4))),
        _peers.gx(lambda g, x, p: g * np.clip((x + 1) / 2, 0, 1)))}
    out.update(_peers.engines(jax="sparse_plus"))
    return out



def ref_second(x):
    """1/2 on the open interval (-1, 1), 0 at the kinks (JAX's grad of grad) and outside."""
    if _math.isnan(x):
        return _math.nan
    return 0.5 if -1.0 < x < 1.0 else 0.0

RECORD = record(
    ref_second=ref_second,
    mp_second=lambda x: _mp.mp.mpf(1) / 2 if -1 < x < 1 else _mp.mp.mpf(0),
    second_at_kinks=(((), -1.0, 0.0), ((), 1.0, 0.0), ((), 0.0, 0.5)),
    name="sparse_plus", order=260, float32_computes_in="float",
    # f' = sparse_sigmoid(x) = sqrt(y) on (0, 1): continuous in y, so the rounding of y
    # costs at most a quarter of an ULP.
    from_output=True,
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x: (_mp.mp.mpf(0) if x <= -1 else x if x >= 1 else (x + 1) ** 2 / 4),
    mp_derivative=_sparse_sigmoid.RECORD.mp_forward,
    limits=((0.0, INF), (0.0, 1.0)),
    # the forward rounds once (sparse_plus.pxi), f' = (x + 1) / 2 too; g * f' rounds again
    accuracy=accuracy(forward=0.5, derivative=0.5, backward=1.5, span=8.0,
                      kink_xs=(-1.0, 0.0, 1.0)),
    # continuously differentiable: one value at each kink (JAX's grad gives the same)
    derivatives_at_kinks=(((), -1.0, 0.0), ((), 1.0, 1.0), ((), 0.0, 0.5)),
    peers=peers,
    formula="0 if x <= -1; (x + 1)**2 / 4 if -1 < x < 1; x if x >= 1",
    derivative="sparse_sigmoid(x): 0 if x <= -1; (x + 1) / 2 if -1 < x < 1; 1 if x >= 1",
    output_range="[0, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
    use="a softplus that is exactly 0 below -1 and exactly x above 1 (sparse outputs), "
        "with a continuous derivative (JAX's jax.nn.sparse_plus)",
    avoid="when inputs sit below -1: no gradient there, as a dead ReLU",
    kinks_text="sparse_plus'(-1) = 0 and sparse_plus'(1) = 1 (continuous f')",
    plot_range=(-3.0, 3.0),
)
