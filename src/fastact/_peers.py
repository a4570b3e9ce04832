"""What a user would run instead of fastact: the benchmark cases and the peers' formulas.

One table, used by both the pytest-benchmark suite (``benchmarks/``) and
``python -m fastact bench``:

* ``cases()``: one benchmark case per registry activation (gelu twice: exact and tanh),
  with the parameters it is called with and the data it is timed on (``make_data``).
* ``PEERS``: case name -> {peer name -> ``Peer(forward, backward)``}.  Each entry is a
  *builder*: given a ``Data`` (x, g, y as NumPy arrays, and the case's parameters) it
  returns a zero-argument callable that runs the peer once.  The conversion of the inputs
  (``torch.from_numpy`` views) happens in the builder, outside the timed call.  A peer that
  has no such function (or no backward) is simply absent.

Each peer uses the best formula the library offers, written the way a careful user would:
NumPy's stable forms (``np.logaddexp``, ``np.expm1``, max-subtraction in softmax), SciPy's
special functions (``expit``, ``log_expit``, ``erf``, ``softmax``), and PyTorch's fused
kernels (``torch.nn.functional`` forward, ``torch.ops.aten.*_backward`` backward, as its
autograd calls them).

The backward convention: where fastact's derivative is a function of the output
(``f.has_from_output``, and softmax/log_softmax), the backward is timed from the forward's
output y, as PyTorch's autograd does (``sigmoid_backward(g, y)``, ``threshold_backward``,
``elu_backward(is_result=True)``); peers then use y where their formula allows it.
Elsewhere the backward is ``g * f'(x)`` from x.

SciPy and PyTorch are optional: their peers appear only when they import.  PyTorch's
thread count is the caller's business (``set_torch_threads``).
"""

import math
from collections import namedtuple

import numpy as np

from . import ACTIVATIONS
from ._registry import GELU_TANH_C, GELU_TANH_K, SELU_ALPHA, SELU_SCALE

Peer = namedtuple("Peer", "forward backward")
Case = namedtuple("Case", "name activation kwargs from_output")
Data = namedtuple("Data", "case dtype n x g y")

# Row length of the softmax cases: n elements as (n // SOFTMAX_ROW, SOFTMAX_ROW) (a batch of
# logits over 1000 classes, or attention rows); fewer elements make one row.
SOFTMAX_ROW = 1000

# Activations benchmarked in more than one configuration; every other one runs once with
# its defaults.  (Not a list of activations: cases() iterates the registry.)
VARIANTS = {
    "gelu": (("gelu", {"approximate": "none"}), ("gelu_tanh", {"approximate": "tanh"})),
}

SIZES = (1_000, 100_000, 1_000_000, 10_000_000)
DTYPES = (np.float32, np.float64)
PASSES = ("forward", "backward")


def cases(only=None):
    """The benchmark cases in registry order; ``only``: names of activations or cases."""
    out = []
    for name, f in ACTIVATIONS.items():
        axis = f.info.kind == "axis"
        for case_name, kw in VARIANTS.get(name, ((name, {}),)):
            if only and name not in only and case_name not in only:
                continue
            out.append(Case(case_name, name, dict(kw), axis or f.has_from_output))
    return out


def make_data(case, dtype, n, seed=0):
    """x ~ U(-4, 4), g ~ N(0, 1), y = fastact forward of x; contiguous, of dtype."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    f = ACTIVATIONS[case.activation]
    if f.info.kind == "axis":
        row = min(n, SOFTMAX_ROW)
        shape = (max(n // row, 1), row)
    else:
        shape = (n,)
    x = rng.uniform(-4.0, 4.0, shape).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    y = f(x, **case.kwargs)
    return Data(case, dtype, int(np.prod(shape)), x, g, y)


# ---- fastact itself and the pure-Python reference --------------------------------------

def fastact_forward(d):
    f, kw, x = ACTIVATIONS[d.case.activation], d.case.kwargs, d.x
    return lambda: f(x, **kw)


def fastact_backward(d, from_output=None):
    """fastact's backward: from y where it can (from_output=None), or as asked."""
    f, kw, g = ACTIVATIONS[d.case.activation], d.case.kwargs, d.g
    if from_output is None:
        from_output = d.case.from_output
    if f.info.kind == "axis":
        y = d.y
        return lambda: f.backward(g, y, **kw)
    if from_output:
        y = d.y
        return lambda: f.backward_from_output(g, y, **kw)
    x = d.x
    return lambda: f.backward(g, x, **kw)


def reference_forward(d):
    f, kw = ACTIVATIONS[d.case.activation].reference, d.case.kwargs
    xs = d.x.tolist()
    return lambda: [f(v, **kw) for v in xs]


def reference_backward(d):
    f, kw = ACTIVATIONS[d.case.activation].reference, d.case.kwargs
    gs = d.g.tolist()
    if ACTIVATIONS[d.case.activation].info.kind == "axis":
        ys = d.y.tolist()
        return lambda: [f.backward(gr, yr) for gr, yr in zip(gs, ys)]
    if d.case.from_output:
        ys = d.y.tolist()
        return lambda: [f.backward_from_output(gv, yv, **kw) for gv, yv in zip(gs, ys)]
    xs = d.x.tolist()
    return lambda: [f.backward(gv, xv, **kw) for gv, xv in zip(gs, xs)]


def _params(d):
    """The case's parameters, by name: the registry defaults updated by the case's kwargs
    (and rrelu's evaluation slope)."""
    p = {q.name: q.default for q in ACTIVATIONS[d.case.activation].params}
    p.update(d.case.kwargs)
    if "lower" in p and "upper" in p:
        p["slope"] = (p["lower"] + p["upper"]) / 2.0
    return p


# ---- NumPy ------------------------------------------------------------------------------
# Python scalars are "weak" in NumPy 2, so every formula keeps float32 as float32.

def _np_softplus(x, beta, threshold):
    if beta == 1.0:     # logaddexp is exact for large x: torch's threshold only saves work
        return np.logaddexp(0, x)
    bx = beta * x
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)


def _np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _np_log_softmax(x):
    z = x - x.max(axis=-1, keepdims=True)
    z -= np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return z


def _np_gelu_tanh_backward(g, x):
    c, k = GELU_TANH_C, GELU_TANH_K
    x2 = x * x
    t = np.tanh(c * x * (1 + k * x2))
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x2))


def _np_prelu_backward(g, x, w):
    neg = x <= 0
    return np.where(neg, w * g, g), np.where(neg, g * x, 0).sum(dtype=x.dtype)


def _np_softplus_backward(g, x, beta, threshold):
    bx = x if beta == 1.0 else beta * x
    return np.where(bx > threshold, g, g / (1 + np.exp(-bx)))


def _numpy_peers():
    # fn(x, p) / fn(g, x, p) / fn(g, y, p), p the case's parameters, resolved when the
    # builder runs so that the timed call does only the formula.
    def fx(fn):          # forward of x
        return lambda d: (lambda x=d.x, p=_params(d): fn(x, p))

    def bx(fn):          # backward from (g, x)
        return lambda d: (lambda g=d.g, x=d.x, p=_params(d): fn(g, x, p))

    def by(fn):          # backward from (g, y)
        return lambda d: (lambda g=d.g, y=d.y, p=_params(d): fn(g, y, p))

    P = Peer
    return {
        "sigmoid": P(fx(lambda x, p: 1 / (1 + np.exp(-x))),
                     by(lambda g, y, p: g * y * (1 - y))),
        "tanh": P(fx(lambda x, p: np.tanh(x)),
                  by(lambda g, y, p: g * (1 - y * y))),
        "relu": P(fx(lambda x, p: np.maximum(x, 0)),
                  by(lambda g, y, p: np.where(y > 0, g, 0))),
        "leaky_relu": P(
            fx(lambda x, p: np.where(x > 0, x, p["negative_slope"] * x)),
            by(lambda g, y, p: np.where(y > 0, g, p["negative_slope"] * g))),
        "prelu": P(
            fx(lambda x, p: np.where(x > 0, x, p["weight"] * x)),
            bx(lambda g, x, p: _np_prelu_backward(g, x, p["weight"]))),
        "rrelu": P(
            fx(lambda x, p: np.where(x >= 0, x, p["slope"] * x)),
            bx(lambda g, x, p: np.where(x > 0, g, p["slope"] * g))),
        # gelu (exact) needs erf, which NumPy lacks: see SciPy.
        "gelu_tanh": P(
            fx(lambda x, p: 0.5 * x * (1 + np.tanh(GELU_TANH_C * x * (1 + GELU_TANH_K * x * x)))),
            bx(lambda g, x, p: _np_gelu_tanh_backward(g, x))),
        "elu": P(
            fx(lambda x, p: np.where(x > 0, x, p["alpha"] * np.expm1(x))),
            by(lambda g, y, p: np.where(y > 0, g, g * (y + p["alpha"])))),
        "softmax": P(fx(lambda x, p: _np_softmax(x)),
                     by(lambda g, y, p: y * (g - (g * y).sum(axis=-1, keepdims=True)))),
        "linear": P(fx(lambda x, p: x.copy()),        # the memory bound of one pass
                    by(lambda g, y, p: g.copy())),
        "silu": P(fx(lambda x, p: x / (1 + np.exp(-x))),
                  bx(lambda g, x, p: _np_silu_backward(g, x))),
        "mish": P(fx(lambda x, p: x * np.tanh(np.logaddexp(0, x))),
                  bx(lambda g, x, p: _np_mish_backward(g, x))),
        "softplus": P(
            fx(lambda x, p: _np_softplus(x, p["beta"], p["threshold"])),
            bx(lambda g, x, p: _np_softplus_backward(g, x, p["beta"],
                                                     p["threshold"]))),
        "selu": P(
            fx(lambda x, p: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
            by(lambda g, y, p: np.where(y > 0, SELU_SCALE * g,
                                        g * (y + SELU_SCALE * SELU_ALPHA)))),
        "celu": P(
            fx(lambda x, p: np.where(x > 0, x, p["alpha"]
                                     * np.expm1(x / p["alpha"]))),
            by(lambda g, y, p: np.where(y > 0, g, g * (y / p["alpha"] + 1)))),
        "relu6": P(fx(lambda x, p: np.clip(x, 0, 6)),
                   by(lambda g, y, p: np.where((y > 0) & (y < 6), g, 0))),
        "hardtanh": P(
            fx(lambda x, p: np.clip(x, p["min_val"], p["max_val"])),
            by(lambda g, y, p: np.where((y > p["min_val"]) & (y < p["max_val"]),
                                        g, 0))),
        "hardsigmoid": P(fx(lambda x, p: np.clip(x / 6 + 0.5, 0, 1)),
                         bx(lambda g, x, p: np.where((x > -3) & (x < 3), g / 6, 0))),
        "hardswish": P(fx(lambda x, p: x * np.clip(x / 6 + 0.5, 0, 1)),
                       bx(lambda g, x, p: np.where(x <= -3, 0,
                                                   np.where(x >= 3, g, g * (x / 3 + 0.5))))),
        "log_sigmoid": P(fx(lambda x, p: -np.logaddexp(0, -x)),
                         bx(lambda g, x, p: g / (1 + np.exp(x)))),
        "softsign": P(fx(lambda x, p: x / (1 + np.abs(x))),
                      bx(lambda g, x, p: g / np.square(1 + np.abs(x)))),
        "log_softmax": P(fx(lambda x, p: _np_log_softmax(x)),
                         by(lambda g, y, p: g - np.exp(y) * g.sum(axis=-1, keepdims=True))),
    }


def _np_silu_backward(g, x):
    s = 1 / (1 + np.exp(-x))
    return g * s * (1 + x * (1 - s))


def _np_mish_backward(g, x):
    t = np.tanh(np.logaddexp(0, x))
    s = 1 / (1 + np.exp(-x))
    return g * (t + x * s * (1 - t * t))


# ---- SciPy ------------------------------------------------------------------------------

def _scipy_peers():
    try:
        import scipy.special as sp
    except ImportError:
        return {}
    r2, rpi2 = 1 / math.sqrt(2.0), 1 / math.sqrt(2.0 * math.pi)

    def gelu_backward(g, x):
        return g * (0.5 * (1 + sp.erf(x * r2)) + x * rpi2 * np.exp(-0.5 * x * x))

    def silu_backward(g, x):
        s = sp.expit(x)
        return g * s * (1 + x * (1 - s))

    return {
        "sigmoid": Peer(lambda d: (lambda x=d.x: sp.expit(x)), None),
        "gelu": Peer(lambda d: (lambda x=d.x: 0.5 * x * (1 + sp.erf(x * r2))),
                     lambda d: (lambda g=d.g, x=d.x: gelu_backward(g, x))),
        "silu": Peer(lambda d: (lambda x=d.x: x * sp.expit(x)),
                     lambda d: (lambda g=d.g, x=d.x: silu_backward(g, x))),
        "log_sigmoid": Peer(lambda d: (lambda x=d.x: sp.log_expit(x)),
                            lambda d: (lambda g=d.g, x=d.x: g * sp.expit(-x))),
        "softmax": Peer(lambda d: (lambda x=d.x: sp.softmax(x, axis=-1)), None),
        "log_softmax": Peer(lambda d: (lambda x=d.x: sp.log_softmax(x, axis=-1)), None),
    }


# ---- PyTorch ----------------------------------------------------------------------------

def torch_module():
    """torch, or None when it is not installed (it is optional)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def set_torch_threads(n):
    """Set PyTorch's intra-op threads (single-thread figures by default); None if absent."""
    torch = torch_module()
    if torch is None:
        return None
    torch.set_num_threads(int(n))
    return torch.get_num_threads()


def _torch_peers():
    torch = torch_module()
    if torch is None:
        return {}
    F = torch.nn.functional
    A = torch.ops.aten
    T = torch.from_numpy       # a view: no copy, and none in the timed call

    def fx(fn):
        return lambda d: (lambda x=T(d.x), p=_params(d): fn(x, p))

    def bx(fn):
        return lambda d: (lambda g=T(d.g), x=T(d.x), p=_params(d): fn(g, x, p))

    def by(fn):
        return lambda d: (lambda g=T(d.g), y=T(d.y), p=_params(d): fn(g, y, p))

    def weight(d):
        return torch.tensor([_params(d)["weight"]], dtype=T(d.x).dtype)

    def prelu_forward(d):
        x, w = T(d.x), weight(d)
        return lambda: F.prelu(x, w)

    def prelu_backward(d):
        g, x, w = T(d.g), T(d.x), weight(d)

        def run():   # the kernel leaves grad_weight per element; autograd then sums it
            gx, gw = A._prelu_kernel_backward(g, x, w)
            return gx, gw.sum()
        return run

    def rrelu_backward(d):
        g, x = T(d.g), T(d.x)
        noise = torch.empty(0, dtype=x.dtype)
        lo, hi = _params(d)["lower"], _params(d)["upper"]
        return lambda: A.rrelu_with_noise_backward(g, x, noise, lo, hi, False, False)

    def log_sigmoid_backward(d):
        g, x = T(d.g), T(d.x)
        buffer = A.log_sigmoid_forward(x)[1]   # the forward's by-product, as autograd keeps it
        return lambda: A.log_sigmoid_backward(g, x, buffer)

    P = Peer
    gelu = P(fx(lambda x, p: F.gelu(x, approximate=p["approximate"])),
             bx(lambda g, x, p: A.gelu_backward(g, x, approximate=p["approximate"])))
    return {
        "sigmoid": P(fx(lambda x, p: torch.sigmoid(x)),
                     by(lambda g, y, p: A.sigmoid_backward(g, y))),
        "tanh": P(fx(lambda x, p: torch.tanh(x)),
                  by(lambda g, y, p: A.tanh_backward(g, y))),
        "relu": P(fx(lambda x, p: F.relu(x)),
                  by(lambda g, y, p: A.threshold_backward(g, y, 0))),
        "leaky_relu": P(
            fx(lambda x, p: F.leaky_relu(x, p["negative_slope"])),
            by(lambda g, y, p: A.leaky_relu_backward(g, y, p["negative_slope"], True))),
        "prelu": P(prelu_forward, prelu_backward),
        "rrelu": P(fx(lambda x, p: F.rrelu(x, p["lower"], p["upper"],
                                           training=False)),
                   rrelu_backward),
        "gelu": gelu,
        "gelu_tanh": gelu,
        "elu": P(fx(lambda x, p: F.elu(x, p["alpha"])),
                 by(lambda g, y, p: A.elu_backward(g, p["alpha"], 1, 1, True, y))),
        "softmax": P(fx(lambda x, p: torch.softmax(x, -1)),
                     by(lambda g, y, p: A._softmax_backward_data(g, y, -1, y.dtype))),
        # linear: torch's Identity returns its input (no work to time).
        "silu": P(fx(lambda x, p: F.silu(x)), bx(lambda g, x, p: A.silu_backward(g, x))),
        "mish": P(fx(lambda x, p: F.mish(x)), bx(lambda g, x, p: A.mish_backward(g, x))),
        "softplus": P(
            fx(lambda x, p: F.softplus(x, p["beta"], p["threshold"])),
            bx(lambda g, x, p: A.softplus_backward(g, x, p["beta"],
                                                   p["threshold"]))),
        "selu": P(fx(lambda x, p: F.selu(x)),
                  by(lambda g, y, p: A.elu_backward(g, SELU_ALPHA, SELU_SCALE, 1, True, y))),
        "celu": P(fx(lambda x, p: F.celu(x, p["alpha"])),
                  by(lambda g, y, p: A.elu_backward(g, p["alpha"], 1,
                                                    1 / p["alpha"], True, y))),
        "relu6": P(fx(lambda x, p: F.relu6(x)),
                   bx(lambda g, x, p: A.hardtanh_backward(g, x, 0, 6))),
        "hardtanh": P(
            fx(lambda x, p: F.hardtanh(x, p["min_val"], p["max_val"])),
            bx(lambda g, x, p: A.hardtanh_backward(g, x, p["min_val"],
                                                   p["max_val"]))),
        "hardsigmoid": P(fx(lambda x, p: F.hardsigmoid(x)),
                         bx(lambda g, x, p: A.hardsigmoid_backward(g, x))),
        "hardswish": P(fx(lambda x, p: F.hardswish(x)),
                       bx(lambda g, x, p: A.hardswish_backward(g, x))),
        "log_sigmoid": P(fx(lambda x, p: F.logsigmoid(x)), log_sigmoid_backward),
        # softsign has no fused backward in torch; autograd runs this chain of kernels.
        "softsign": P(fx(lambda x, p: F.softsign(x)),
                      bx(lambda g, x, p: g / (1 + x.abs()).square())),
        "log_softmax": P(fx(lambda x, p: torch.log_softmax(x, -1)),
                         by(lambda g, y, p: A._log_softmax_backward_data(g, y, -1, y.dtype))),
    }


def _build_peers():
    table = {}
    for peer, entries in (("numpy", _numpy_peers()), ("scipy", _scipy_peers()),
                          ("torch", _torch_peers())):
        for case_name, entry in entries.items():
            table.setdefault(case_name, {})[peer] = entry
    return table


def peer_versions():
    """Name -> version of every peer library installed (numpy always)."""
    out = {"numpy": np.__version__}
    try:
        import scipy
        out["scipy"] = scipy.__version__
    except ImportError:
        pass
    torch = torch_module()
    if torch is not None:
        out["torch"] = torch.__version__
    return out


PEERS = _build_peers()
PEER_NAMES = tuple(p for p in ("numpy", "scipy", "torch") if p in peer_versions())


def peers_for(case, pass_):
    """{peer name: builder} for one case and pass ('forward' or 'backward')."""
    out = {}
    for peer, entry in PEERS.get(case.name, {}).items():
        builder = entry.forward if pass_ == "forward" else entry.backward
        if builder is not None:
            out[peer] = builder
    return out


def builders(case, pass_, reference=True, from_x=False):
    """{implementation: builder} for one case and pass: fastact, the reference, the peers.

    from_x: add "fastact_from_x", fastact's backward from x where the table's "fastact"
    times it from y (what recomputing the forward inside the backward costs).
    """
    out = {"fastact": fastact_forward if pass_ == "forward" else fastact_backward}
    if (from_x and pass_ == "backward" and case.from_output
            and ACTIVATIONS[case.activation].info.kind != "axis"):
        out["fastact_from_x"] = lambda d: fastact_backward(d, from_output=False)
    if reference:
        out["reference"] = reference_forward if pass_ == "forward" else reference_backward
    out.update(peers_for(case, pass_))
    return out


def as_numpy(result):
    """A builder's result as NumPy arrays (a tuple for prelu's backward)."""
    if isinstance(result, tuple):
        return tuple(as_numpy(r) for r in result)
    if isinstance(result, list):
        return np.asarray(result)
    if hasattr(result, "numpy") and not isinstance(result, np.ndarray):
        return result.numpy()
    return np.asarray(result)
