"""mish: x * tanh(softplus(x)) (Misra 2019)."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x == _math.inf:
        return _math.inf
    if x == -_math.inf:
        return -0.0
    return x * math.tanh(_math.softplus(x))


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    if x > 40.0:
        return 1.0
    if x < -746.0:
        return -0.0
    sp = _math.softplus(x)
    t = math.tanh(sp)
    sech2 = 1.0 / math.cosh(sp) ** 2
    return t + x * sech2 * _math.sig(x)


def _mish_t(x):
    return _mp.mp.tanh(_mp.softplus(x))


def _nb_backward(g, x):
    t = math.tanh(math.log1p(math.exp(x)))
    s = 1 / (1 + math.exp(-x))
    return g * (t + x * s * (1 - t * t))


def peers():
    import numpy as np

    def np_backward(g, x):
        t = np.tanh(np.logaddexp(0, x))
        s = 1 / (1 + np.exp(-x))
        return g * (t + x * s * (1 - t * t))

    out = {"numpy": Peer(_peers.x(lambda x, p: x * np.tanh(np.logaddexp(0, x))),
                         _peers.gx(lambda g, x, p: np_backward(g, x)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(_peers.tx(lambda x, p: torch.nn.functional.mish(x)),
                            _peers.tgx(lambda g, x, p: torch.ops.aten.mish_backward(g, x)))
    out.update(_peers.engines(
        jax="mish", onnx="Mish",
        numba=_peers.Numba(lambda x: x * math.tanh(math.log1p(math.exp(x))), _nb_backward)))
    return out



def ref_second(x):
    """(1 - t^2) s (2 + x (1 - s - 2 t s)), t = tanh(softplus(x)), s = sigma(x)."""
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 800:
        return -0.0
    t = math.tanh(_math.softplus(x))
    s = _math.sig(x)
    sp = _math.softplus(x)
    sech2 = 4.0 * math.exp(-2.0 * sp) / (1.0 + math.exp(-2.0 * sp)) ** 2
    return sech2 * s * (2.0 + x * (1.0 - s - 2.0 * t * s))


def mp_second(x):
    t = _mp.mp.tanh(_mp.softplus(x))
    s = _mp.sig(x)
    return _mp.sech2(_mp.softplus(x)) * s * (2 + x * (1 - s - 2 * t * s))

RECORD = record(
    ref_second=ref_second, mp_second=mp_second,
    name="mish", order=120, from_output=False, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x: x * _mish_t(x),
    mp_derivative=lambda x: _mish_t(x) + x * _mp.sech2(_mp.softplus(x)) * _mp.sig(x),
    limits=((-0.0, INF), (-0.0, 1.0)),
    # mish' cancels by a factor of 3 or more from its zero at -1.19 to x = -2: a wider window
    # the zeros of f'' (mpmath): -2.256376396360793 and 1.4905711794854284
    accuracy=accuracy(crossings=((-1.1924312145154952, 0.75),), span=746.0,
                      crossings2=((-2.256376396360793, 0.5), (1.4905711794854284, 0.5)),
                      kink_xs=(0.0, -1.1924312145154952, 746.0, -746.0, -745.0)),
    peers=peers,
    formula="x * tanh(softplus(x))",
    derivative="tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)**2), sp = softplus(x)",
    output_range="[-0.309, inf)", zero_centred=False, max_derivative=1.0886,
    monotonic=False,
    use="hidden layers of vision models (YOLOv4)",
    avoid="when compute cost matters: three transcendental functions per element",
    kinks_text="smooth; minimum about -0.309 at x about -1.19",
    plot_range=(-6.0, 4.0),
)
