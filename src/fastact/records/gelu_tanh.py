"""gelu_tanh: PyTorch's tanh approximation of GELU, gelu(x, approximate='tanh')."""

import math

from . import INF, Peer, _math, _mp, _peers, accuracy, record

# PyTorch's GELU tanh-approximation constants: sqrt(2/pi) and 0.044715 (Hendrycks & Gimpel).
GELU_TANH_C = math.sqrt(2.0 / math.pi)
GELU_TANH_K = 0.044715


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 1000.0:
        return x if x > 0 else -0.0
    u = GELU_TANH_C * (x + GELU_TANH_K * x ** 3)
    # 0.5 x (1 + tanh u) = x / (1 + e^{-2u}); written with sig to keep the left tail.
    return x * _math.sig(2.0 * u)


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 1000.0:
        return 1.0 if x > 0 else -0.0
    u = GELU_TANH_C * (x + GELU_TANH_K * x ** 3)
    # PyTorch's 0.5 (1 + t) + 0.5 x (1 - t^2) u' with t = tanh(u), u' = du/dx; 1 - t^2
    # taken as 4 s(2u) s(-2u), which keeps its digits when |u| is large.
    one_minus_t2 = 4.0 * _math.sig(2.0 * u) * _math.sig(-2.0 * u)
    du = GELU_TANH_C * (1.0 + 3.0 * GELU_TANH_K * x * x)
    return _math.sig(2.0 * u) + 0.5 * x * one_minus_t2 * du


# ---- mpmath ----------------------------------------------------------------------------

def _u(x):
    """u = sqrt(2/pi) (x + 0.044715 x**3) and du/dx."""
    c, k = _mp.C["gelu_c"], _mp.C["gelu_k"]
    return c * (x + k * x ** 3), c * (1 + 3 * k * x * x)


def mp_forward(x):
    return x * _mp.sig(2 * _u(x)[0])


def mp_derivative(x):
    u, du = _u(x)
    return _mp.sig(2 * u) + 2 * x * _mp.dsig(2 * u) * du


def _np_backward(g, x):
    import numpy as np
    c, k = GELU_TANH_C, GELU_TANH_K
    x2 = x * x
    t = np.tanh(c * x * (1 + k * x2))
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x2))


def _nb_backward(g, x):
    c, k = GELU_TANH_C, GELU_TANH_K
    t = math.tanh(c * x * (1 + k * x * x))
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x))


def peers():
    import numpy as np
    c, k = GELU_TANH_C, GELU_TANH_K
    out = {"numpy": Peer(_peers.x(lambda x, p: 0.5 * x * (1 + np.tanh(c * x * (1 + k * x * x)))),
                         _peers.gx(lambda g, x, p: _np_backward(g, x)))}
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(
            _peers.tx(lambda x, p: F.gelu(x, approximate="tanh")),
            _peers.tgx(lambda g, x, p: A.gelu_backward(g, x, approximate="tanh")))
    out.update(_peers.engines(
        jax=lambda nn, p: lambda x: nn.gelu(x, approximate=True),
        onnx=_peers.Onnx("Gelu", {"approximate": "tanh"}),
        numba=_peers.Numba(lambda x: 0.5 * x * (1 + math.tanh(c * x * (1 + k * x * x))),
                           _nb_backward)))
    return out



def ref_second(x):
    """sech^2(u) (u' + x u''/2 - x tanh(u) u'^2), u = sqrt(2/pi) (x + 0.044715 x^3)."""
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 1000:
        return -0.0
    c, k = math.sqrt(2.0 / math.pi), 0.044715
    u = c * (x + k * x ** 3)
    du, ddu = c * (1.0 + 3.0 * k * x * x), 6.0 * c * k * x
    e = math.exp(-2.0 * abs(u))
    return 4.0 * e / (1.0 + e) ** 2 * (du + 0.5 * x * ddu - x * math.tanh(u) * du * du)


def mp_second(x):
    if abs(x) > 1000:       # |f''| < x^5 e^(-2000): 0 to every double (and _mp's TINY
        return _mp.mp.mpf(0)    # stand-in for e^-2|u| would not be small enough)
    c, k = _mp.C["gelu_c"], _mp.C["gelu_k"]
    u = c * (x + k * x ** 3)
    du, ddu = c * (1 + 3 * k * x * x), 6 * c * k * x
    return _mp.sech2(u) * (du + x * ddu / 2 - x * _mp.mp.tanh(u) * du * du)

RECORD = record(
    ref_second=ref_second, mp_second=mp_second,
    name="gelu_tanh", order=75, variant_of=("gelu", "approximate", "tanh"),
    from_output=False, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((-0.0, INF), (-0.0, 1.0)),
    # the zeros of f'' (mpmath): +-1.4185040087908283
    accuracy=accuracy(crossings=((-0.7524614220710163, 0.5),), span=1000.0,
                      crossings2=((-1.4185040087908283, 0.5), (1.4185040087908283, 0.5)),
                      kink_xs=(0.0, -0.7524614220710163, -20.3, 1000.0, -1000.0)),
    derivatives_at_kinks=(((), 0.0, 0.5),),
    peers=peers,
    formula="0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))",
    derivative="0.5 (1 + t) + 0.5 x (1 - t**2) sqrt(2/pi) (1 + 3 * 0.044715 x**2), "
               "t = tanh(sqrt(2/pi) (x + 0.044715 x**3))",
    # sup |f'| = 1.128993... at x = +-1.4185 (mpmath); the exact GELU's is 1.128904...
    output_range="[-0.17, inf)", zero_centred=False, max_derivative=1.1290, monotonic=False,
    use="PyTorch's and BERT's fast approximation of GELU (gelu(x, approximate='tanh'))",
    avoid="mixing it with the exact GELU between training and serving",
    kinks_text="smooth; minimum about -0.17 at x about -0.75",
    plot_range=(-4.0, 4.0),
)
