"""tanhshrink: x - tanh(x), PyTorch's, computed without its cancellation near 0."""

import math
from decimal import Decimal, localcontext

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def _tanh_dec(d):
    e = (2 * d).exp()
    return (e - 1) / (e + 1)


def ref_forward(x):
    # in decimal at 80 digits: x - tanh(x) cancels about log10(3 / x^2) of them; below
    # |x| = 1e-5 the series x^3/3 - 2x^5/15 + 17x^7/315 - 62x^9/2835 (the next term is
    # 1e-40 of the first); beyond |x| = 40 tanh(x) is +-1 to 1e-34
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 40.0:
        return x - math.copysign(1.0, x)
    with localcontext() as ctx:
        ctx.prec = 80
        d = Decimal(x)
        if abs(x) < 1e-5:
            r = d ** 3 / 3 - 2 * d ** 5 / 15 + 17 * d ** 7 / 315 - 62 * d ** 9 / 2835
        else:
            r = d - _tanh_dec(d)
        return float(r)


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 40.0:
        return 1.0
    with localcontext() as ctx:
        ctx.prec = 60
        return float(_tanh_dec(Decimal(x)) ** 2)


def _mp_forward(x):
    # 180 bits would lose every digit to the cancellation for tiny x: the series there
    if abs(x) < _mp.mp.mpf("1e-10"):
        return x ** 3 / 3 - 2 * x ** 5 / 15 + 17 * x ** 7 / 315
    return x - _mp.mp.tanh(x)


def peers():
    import numpy as np
    out = {"numpy": Peer(_peers.x(lambda x, p: x - np.tanh(x)),
                         _peers.gx(lambda g, x, p: g * np.square(np.tanh(x))))}
    torch = _peers.torch_module()
    if torch is not None:
        # no fused backward in torch: autograd runs this chain of kernels
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.nn.functional.tanhshrink(x)),
                            _peers.tgx(lambda g, x, p: g * torch.tanh(x).square()))
    return out



def ref_second(x):
    """2 tanh(x) sech^2(x) = sign(x) 8 z (1 - z) / (1 + z)^3, z = e^-2|x|."""
    if _math.isnan(x):
        return _math.nan
    z = math.exp(-2.0 * abs(x))
    return math.copysign(8.0 * z * -math.expm1(-2.0 * abs(x)) / (1.0 + z) ** 3, x)

RECORD = record(
    ref_second=ref_second, mp_second=lambda x: 2 * _mp.mp.tanh(x) * _mp.sech2(x),
    name="tanhshrink", order=255, from_output=False, float32_computes_in="double",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=_mp_forward, mp_derivative=lambda x: _mp.mp.tanh(x) ** 2,
    limits=((-INF, INF), (1.0, 1.0)),
    accuracy=accuracy(forward=4.0, derivative=8.0, span=40.0, kink_xs=(0.0, -2.0, 2.0)),
    derivatives_at_kinks=(((), 0.0, 0.0), ((), -0.0, 0.0)),
    peers=peers,
    formula="x - tanh(x)", derivative="tanh(x)**2",
    output_range="(-inf, inf)", zero_centred=True, max_derivative=1.0, monotonic=True,
    use="sparse coding networks (LISTA-type) and denoisers: small inputs shrink to about "
        "x**3/3",
    avoid="hidden layers that need gradient near 0: f' = tanh(x)**2 is about x**2 there",
    kinks_text="smooth; tanhshrink'(0) = 0, and f' -> 1 as |x| -> inf",
    plot_range=(-4.0, 4.0),
)
