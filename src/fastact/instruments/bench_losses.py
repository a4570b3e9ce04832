"""``python -m fastact bench --losses``: the fused losses next to NumPy and PyTorch.

The cases of issue 22's table, float32 and float64, reduction 'mean': ``cross_entropy`` on
(1000, 1000) logits with class-index targets, forward and forward + gradient
("value_and_grad"; PyTorch's ``loss.backward()`` on a leaf tensor: its forward and
autograd's backward), the same with ``label_smoothing=0.1``, and
``binary_cross_entropy_with_logits`` on 1e6 logits with probability targets, forward and
value_and_grad; and the other losses (issue 23), reduction 'mean', forward and
value_and_grad: ``mse_loss``, ``huber_loss``, ``smooth_l1_loss`` and
``binary_cross_entropy`` (on probabilities) on 1e6 elements, ``nll_loss`` on (1000, 1000)
log-probabilities with class-index targets.  The NumPy peer is the formula a user writes by hand (log-sum-exp with the
maximum subtracted; softplus via ``np.logaddexp``).  Timed interleaved (the
implementations take turns), in the CPU time of the calling thread (``time.thread_time``:
every implementation here computes in that one thread, and the time the process waits
for a core on a busy machine is not counted, which wall-clock samples were thrown off by
two- and threefold on a shared machine), the median of the repeats; the peers are checked
against fastact before timing.  The header names the machine, the
target the loss kernels run (``fastact._losses.target()``, the activations' one) and the
threads: one for fastact's losses (they are serial) and ``torch.set_num_threads`` as the
caller set it (``bench --threads``, default 1).  For steadier figures pin the process to
one core (``taskset -c 1 python -m fastact bench --losses``).
"""

import os
import platform
import time

import numpy as np

from .. import _losses, binary_cross_entropy_with_logits as _bce, cross_entropy as _ce
from .. import losses as _L
from .timing import time_interleaved

CE_SHAPE = (1000, 1000)
BCE_N = 1_000_000


def _numpy_ce(x, t, grad, eps=0.0):
    m = x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(x.shape[0])
    lse = np.log(s[:, 0])
    nll = lse - (x[rows, t] - m[:, 0])
    if eps:
        C = x.shape[1]
        nll = (1 - eps) * nll + (eps / C) * (C * (lse + m[:, 0]) - x.sum(axis=1))
    loss = np.mean(nll)
    if not grad:
        return loss
    g = e / s
    if eps:
        g -= eps / x.shape[1]
    g[rows, t] -= 1 - eps
    return loss, g / x.shape[0]


def _numpy_bce(x, t, grad):
    loss = np.mean((1 - t) * x + np.logaddexp(0, -x))
    if not grad:
        return loss
    return loss, (1 / (1 + np.exp(-x)) - t) / x.size


def _numpy_pointwise(name, x, t, grad):
    """The other losses as a user writes them in NumPy, 'mean'."""
    n = x.size
    if name == "nll_loss":
        rows = np.arange(x.shape[0])
        loss = -np.mean(x[rows, t])
        if not grad:
            return loss
        g = np.zeros_like(x)
        g[rows, t] = -1.0 / x.shape[0]
        return loss, g
    if name == "binary_cross_entropy":
        loss = -np.mean(t * np.maximum(np.log(x), -100)
                        + (1 - t) * np.maximum(np.log1p(-x), -100))
        return loss if not grad else (loss, (x - t) / np.maximum(x * (1 - x), np.float32(1e-12)) / n)
    d = x - t
    if name == "mse_loss":
        return np.mean(d * d) if not grad else (np.mean(d * d), 2 * d / n)
    z = np.abs(d)
    small = z < 1.0                               # delta = beta = 1: the two agree
    loss = np.mean(np.where(small, 0.5 * d * d, z - 0.5))
    return loss if not grad else (loss, np.clip(d, -1.0, 1.0) / n)


def _torch_fns(torch, name, x, t, **kw):
    F = torch.nn.functional
    fn = (F.cross_entropy if name == "cross_entropy" else
          F.binary_cross_entropy_with_logits if name == "bce" else getattr(F, name))
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def forward():
        with torch.no_grad():
            return fn(xt, tt, **kw)

    def both():
        leaf = xt.detach().requires_grad_(True)
        loss = fn(leaf, tt, **kw)
        loss.backward()
        return loss.detach(), leaf.grad
    return forward, both


# (case, pass) -> the table's name of the line
LABELS = {("cross_entropy", "forward"): "cross_entropy forward",
          ("cross_entropy", "value_and_grad"): "cross_entropy value_and_grad",
          ("cross_entropy_ls", "value_and_grad"): "cross_entropy label_smoothing=0.1 v&g",
          ("bce", "forward"): "bce_with_logits forward",
          ("bce", "value_and_grad"): "bce_with_logits value_and_grad"}
OTHERS = ("mse_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy", "nll_loss")
for _name in OTHERS:
    LABELS[_name, "forward"] = f"{_name} forward"
    LABELS[_name, "value_and_grad"] = f"{_name} value_and_grad"
del _name


def cases(dtype, seed=0):
    """{(case, pass): {impl: zero-argument function}} for one dtype."""
    g = np.random.default_rng(seed)
    x = (g.standard_normal(CE_SHAPE) * 3).astype(dtype)
    t = g.integers(0, CE_SHAPE[1], CE_SHAPE[0])
    xb = (g.standard_normal(BCE_N) * 3).astype(dtype)
    tb = g.uniform(0, 1, BCE_N).astype(dtype)
    ls = 0.1
    out = {
        ("cross_entropy", "forward"): {"fastact": lambda: _ce(x, t),
                                       "numpy": lambda: _numpy_ce(x, t, False)},
        ("cross_entropy", "value_and_grad"): {"fastact": lambda: _ce.value_and_grad(x, t),
                                              "numpy": lambda: _numpy_ce(x, t, True)},
        ("cross_entropy_ls", "value_and_grad"): {
            "fastact": lambda: _ce.value_and_grad(x, t, label_smoothing=ls),
            "numpy": lambda: _numpy_ce(x, t, True, ls)},
        ("bce", "forward"): {"fastact": lambda: _bce(xb, tb),
                             "numpy": lambda: _numpy_bce(xb, tb, False)},
        ("bce", "value_and_grad"): {"fastact": lambda: _bce.value_and_grad(xb, tb),
                                    "numpy": lambda: _numpy_bce(xb, tb, True)},
    }
    xp = g.uniform(0, 1, BCE_N).astype(dtype)                 # probabilities
    lp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))     # log-probabilities
    others = {name: ((lp, t) if name == "nll_loss" else
                     (xp, tb) if name == "binary_cross_entropy" else (xb, tb))
              for name in OTHERS}
    for name, data in others.items():
        fn = getattr(_L, name)
        out[name, "forward"] = {"fastact": lambda fn=fn, d=data: fn(*d),
                                "numpy": lambda n=name, d=data: _numpy_pointwise(n, *d, False)}
        out[name, "value_and_grad"] = {
            "fastact": lambda fn=fn, d=data: fn.value_and_grad(*d),
            "numpy": lambda n=name, d=data: _numpy_pointwise(n, *d, True)}
    try:
        import torch
    except ImportError:
        return out
    for (name, pass_), fns in out.items():
        data = (others[name] if name in others else (xb, tb) if name == "bce" else (x, t))
        kw = {"label_smoothing": ls} if name == "cross_entropy_ls" else {}
        fwd, both = _torch_fns(torch, name if name in others or name == "bce" else
                               "cross_entropy", *data, **kw)
        fns["torch"] = fwd if pass_ == "forward" else both
    return out


def _as_numpy(r):
    if isinstance(r, tuple):
        return tuple(_as_numpy(v) for v in r)
    return r.numpy() if hasattr(r, "numpy") else np.asarray(r)


def check(fns, rtol):
    """Every implementation of one case gives fastact's result (else its time means
    nothing); raises AssertionError naming it."""
    want = _as_numpy(fns["fastact"]())
    want = want if isinstance(want, tuple) else (want,)
    for impl, fn in fns.items():
        got = _as_numpy(fn())
        got = got if isinstance(got, tuple) else (got,)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3,
                                       err_msg=f"{impl} differs from fastact")


def _cpu():
    try:
        with open("/proc/cpuinfo") as fh:
            info = fh.read()
    except OSError:
        return platform.processor() or platform.machine()
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith("model name")), platform.machine())
    isa = "avx512f" if " avx512f" in info else "avx2" if " avx2" in info else "no avx2"
    return f"{name} ({os.cpu_count()} CPUs, {isa})"


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def run(repeats=5, dtypes=("float32", "float64")):
    """The table's lines: milliseconds per call (median of the interleaved repeats) and
    the speed against each peer (> 1: fastact faster)."""
    torch = _torch()
    peer = (f"PyTorch {torch.__version__} ({torch.get_num_threads()} thread(s))"
            if torch is not None else "PyTorch not installed")
    lines = [f"losses: cross_entropy on {CE_SHAPE[0]}x{CE_SHAPE[1]} logits (class indices), "
             f"binary_cross_entropy_with_logits on {BCE_N:,}, the other losses on "
             f"{BCE_N:,} (nll_loss: {CE_SHAPE[0]}x{CE_SHAPE[1]}); reduction 'mean'; "
             f"CPU milliseconds per call (this thread), median of {repeats} interleaved; "
             "vs X = X's time / fastact's (> 1: fastact faster)",
             f"machine: {_cpu()}; loss kernels: {_losses.target()} target, one thread; "
             f"NumPy {np.__version__}; {peer}",
             f"{'dtype':<8} {'case':<38} {'fastact':>8} {'numpy':>8} {'torch':>8} "
             f"{'vs numpy':>9} {'vs torch':>9}"]
    for dtype in dtypes:
        for key, fns in cases(np.dtype(dtype).type).items():
            check(fns, 1e-4 if dtype == "float32" else 1e-10)
            samples = time_interleaved(fns, repeats, clock=time.thread_time)
            med = {k: float(np.median(v)) for k, v in samples.items()}
            cells = [f"{med[k] * 1e3:8.3f}" if k in med else f"{'-':>8}"
                     for k in ("fastact", "numpy", "torch")]
            ratios = [f"{med[k] / med['fastact']:8.2f}x" if k in med else f"{'-':>9}"
                      for k in ("numpy", "torch")]
            lines.append(f"{dtype:<8} {LABELS[key]:<38} {' '.join(cells)} {' '.join(ratios)}")
    return lines
