"""gelu: the Gaussian error linear unit x * Phi(x), Phi the standard normal CDF."""

import math

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x):
    if _math.isnan(x):
        return _math.nan
    if x < -40.0:
        return -0.0
    return x * 0.5 * math.erfc(-x / math.sqrt(2.0))


def ref_derivative(x):
    if _math.isnan(x):
        return _math.nan
    if x > 40.0:
        return 1.0
    if x < -40.0:
        return -0.0
    cdf = 0.5 * math.erfc(-x / math.sqrt(2.0))
    pdf = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return cdf + x * pdf


# ---- mpmath ----------------------------------------------------------------------------

def _Phi(x):
    return _mp.mp.erfc(-x / _mp.C["sqrt2"]) / 2


def _phi(x):
    return _mp.expneg(-x * x / 2) / _mp.C["sqrt2pi"]


def mp_forward(x):
    # beyond |x| = 60, Phi(x) is within e**-1800 of 1 or 0 (and x Phi(x) < 2**-2500 there)
    if x > 60:
        return x
    if x < -60:
        return x * _mp.TINY
    return x * _Phi(x)


def mp_derivative(x):
    if x > 60:
        return _mp.mp.mpf(1)
    if x < -60:
        return -_mp.TINY
    return _Phi(x) + x * _phi(x)


_R2, _RPI2 = 1 / math.sqrt(2.0), 1 / math.sqrt(2.0 * math.pi)


def _nb_backward(g, x):
    return g * (0.5 * (1 + math.erf(x * _R2)) + x * _RPI2 * math.exp(-0.5 * x * x))


def peers():
    # NumPy lacks erf, which the exact GELU needs: see SciPy.
    out = {}
    sp = _peers.scipy_special()
    if sp is not None:
        import numpy as np
        r2, rpi2 = _R2, _RPI2

        def backward(g, x):
            return g * (0.5 * (1 + sp.erf(x * r2)) + x * rpi2 * np.exp(-0.5 * x * x))

        out["scipy"] = Peer(_peers.x(lambda x, p: 0.5 * x * (1 + sp.erf(x * r2))),
                            _peers.gx(lambda g, x, p: backward(g, x)))
    torch = _peers.torch_module()
    if torch is not None:
        F, A = torch.nn.functional, torch.ops.aten
        out["torch"] = Peer(
            _peers.tx(lambda x, p: F.gelu(x, approximate="none")),
            _peers.tgx(lambda g, x, p: A.gelu_backward(g, x, approximate="none")))
    out.update(_peers.engines(
        jax=lambda nn, p: lambda x: nn.gelu(x, approximate=False),
        onnx=_peers.Onnx("Gelu", {"approximate": "none"}),
        numba=_peers.Numba(lambda x: 0.5 * x * (1 + math.erf(x * _R2)), _nb_backward)))
    return out



def ref_second(x):
    """phi(x) (2 - x^2)."""
    if _math.isnan(x):
        return _math.nan
    if abs(x) > 40:
        return -0.0
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi) * (2.0 - x * x)


def mp_second(x):
    return _mp.expneg(-x * x / 2) / _mp.C["sqrt2pi"] * (2 - x * x)

RECORD = record(
    ref_second=ref_second, mp_second=mp_second,
    # approximate="tanh" is another record (variant_of=("gelu", "approximate", "tanh")):
    # the API routes it there, so everything here is the exact form.
    name="gelu", order=70, kind="gelu",
    # JAX's and Keras's approximate=True / False mean the tanh form / the exact one
    params=(Param("approximate", "none", aliases=((True, "tanh"), (False, "none"))),),
    from_output=False, float32_computes_in="float",
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=mp_forward, mp_derivative=mp_derivative,
    limits=((-0.0, INF), (-0.0, 1.0)),
    accuracy=accuracy(crossings=((-0.7517915246935645, 0.5),), span=40.0,
                      kink_xs=(0.0, -0.7517915246935645, -38.5, -40.0, 40.0)),
    derivatives_at_kinks=(((), 0.0, 0.5),),
    peers=peers,
    formula="x * Phi(x) (approximate='none'); "
            "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))) (approximate='tanh')",
    derivative="Phi(x) + x * phi(x)",
    output_range="[-0.17, inf)", zero_centred=False, max_derivative=1.1289, monotonic=False,
    use="transformers (BERT, GPT) and other modern architectures",
    avoid="when the exact and tanh variants would be mixed between training and serving",
    kinks_text="smooth; minimum about -0.17 at x about -0.75",
    plot_range=(-4.0, 4.0),
    experiments=("vanishing", "dead"),
    note=(
        "x·Φ(x), where Φ is the standard normal distribution function: the input weighted by "
        "the probability that a standard normal variable falls below it, which is also the "
        "expected output of a random gate that keeps x with probability Φ(x) (the link to "
        "stochastic regularisation). It is the activation of transformers such as BERT and "
        "GPT. PyTorch's approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) is "
        "<code>fastact.gelu(x, approximate=\"tanh\")</code>; over the plotted range the two "
        "differ by at most {gelu_gap}. GELU is smooth (no kink) and not monotonic: it dips "
        "to {gelu_min} at x = {gelu_argmin} (the dip is sometimes quoted near −0.5; the "
        "minimum of the exact function is at about −0.75)."),
)
