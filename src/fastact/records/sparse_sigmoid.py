"""sparse_sigmoid: JAX's piecewise-linear sigmoid, (x + 1) / 2 clipped to [0, 1]."""

from fractions import Fraction

from . import Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x <= -1.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    return float((Fraction(x) + 1) / 2)            # exact, rounded once


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    return 0.5 if -1.0 < x < 1.0 else 0.0


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: 0.5 * np.clip(x + 1, 0, 2)),
        _peers.gx(lambda g, x, p: np.where((x > -1) & (x < 1), 0.5 * g, 0)))}
    out.update(_peers.engines(jax="sparse_sigmoid"))
    return out


RECORD = record(
    ref_second=_math.zero2, mp_second=_mp.zero,
    name="sparse_sigmoid", order=270, float32_computes_in="float",
    # No from-output forms: y = 1 comes from x >= 1 (f' = 0) and also from x = 1 - 2^-53
    # (x + 1 rounds up to 2; in float32 1 - 2^-24), where f' = 1/2.
    from_output=False,
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x: (_mp.mp.mpf(0) if x <= -1 else _mp.mp.mpf(1) if x >= 1
                          else (x + 1) / 2),
    mp_derivative=lambda x: _mp.mp.mpf(1) / 2 if -1 < x < 1 else _mp.mp.mpf(0),
    limits=((0.0, 1.0), (0.0, 0.0)),
    # (x + 1) / 2 rounds once; f' is 1/2 or 0, exact; g / 2 rounds only when subnormal
    accuracy=accuracy(forward=0.5, derivative=0.0, backward=0.5, span=8.0,
                      kink_xs=(-1.0, 0.0, 1.0)),
    # 0 at both kinks, as hardtanh and hardsigmoid in PyTorch (JAX's grad gives 1/4 there,
    # the mean of the two sides, from jnp.clip's rule for ties)
    derivatives_at_kinks=(((), -1.0, 0.0), ((), 1.0, 0.0), ((), 0.0, 0.5)),
    peers=peers,
    formula="0 if x <= -1; (x + 1) / 2 if -1 < x < 1; 1 if x >= 1",
    derivative="1/2 if -1 < x < 1 else 0",
    output_range="[0, 1]", zero_centred=False, max_derivative=0.5, monotonic=True,
    use="a sigmoid that reaches exactly 0 and 1 (sparse gates; JAX's jax.nn.sparse_sigmoid), "
        "the derivative of sparse_plus",
    avoid="where inputs beyond +-1 still need a gradient: it is exactly 0 there",
    kinks_text="gradient 0 at x = -1 and x = 1 (JAX's grad: 1/4)",
    plot_range=(-3.0, 3.0),
)
