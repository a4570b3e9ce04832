"""``python -m fastact bench --losses``: the fused losses next to NumPy and PyTorch.

Two cases, each forward alone and forward + gradient ("value_and_grad"; PyTorch's
``loss.backward()`` on a leaf tensor): ``cross_entropy`` on (1000, 1000) logits with
class-index targets, and ``binary_cross_entropy_with_logits`` on 1e6 logits with
probability targets, reduction 'mean', float32 and float64.  The NumPy peer is the
formula a user writes by hand (log-sum-exp with the maximum subtracted; softplus via
``np.logaddexp``).  Timed as ``bench`` times (interleaved, best sample); the peers are
checked against fastact before timing.
"""

import numpy as np

from .. import binary_cross_entropy_with_logits as _bce, cross_entropy as _ce
from .timing import time_interleaved

CE_SHAPE = (1000, 1000)
BCE_N = 1_000_000


def _numpy_ce(x, t, grad):
    m = x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(x.shape[0])
    loss = np.mean(np.log(s[:, 0]) - (x[rows, t] - m[:, 0]))
    if not grad:
        return loss
    g = e / s
    g[rows, t] -= 1
    return loss, g / x.shape[0]


def _numpy_bce(x, t, grad):
    loss = np.mean((1 - t) * x + np.logaddexp(0, -x))
    if not grad:
        return loss
    return loss, (1 / (1 + np.exp(-x)) - t) / x.size


def _torch_fns(torch, name, x, t):
    F = torch.nn.functional
    fn = F.cross_entropy if name == "cross_entropy" else F.binary_cross_entropy_with_logits
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def forward():
        with torch.no_grad():
            return fn(xt, tt)

    def both():
        leaf = xt.detach().requires_grad_(True)
        loss = fn(leaf, tt)
        loss.backward()
        return loss.detach(), leaf.grad
    return forward, both


def cases(dtype, seed=0):
    """{(case, pass): {impl: zero-argument function}} for one dtype."""
    g = np.random.default_rng(seed)
    x = (g.standard_normal(CE_SHAPE) * 3).astype(dtype)
    t = g.integers(0, CE_SHAPE[1], CE_SHAPE[0])
    xb = (g.standard_normal(BCE_N) * 3).astype(dtype)
    tb = g.uniform(0, 1, BCE_N).astype(dtype)
    out = {
        ("cross_entropy", "forward"): {"fastact": lambda: _ce(x, t),
                                       "numpy": lambda: _numpy_ce(x, t, False)},
        ("cross_entropy", "value_and_grad"): {"fastact": lambda: _ce.value_and_grad(x, t),
                                              "numpy": lambda: _numpy_ce(x, t, True)},
        ("bce", "forward"): {"fastact": lambda: _bce(xb, tb),
                             "numpy": lambda: _numpy_bce(xb, tb, False)},
        ("bce", "value_and_grad"): {"fastact": lambda: _bce.value_and_grad(xb, tb),
                                    "numpy": lambda: _numpy_bce(xb, tb, True)},
    }
    try:
        import torch
    except ImportError:
        return out
    for name, (xx, tt) in (("cross_entropy", (x, t)), ("bce", (xb, tb))):
        fwd, both = _torch_fns(torch, "cross_entropy" if name == "cross_entropy" else "bce",
                               xx, tt)
        out[(name, "forward")]["torch"] = fwd
        out[(name, "value_and_grad")]["torch"] = both
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


def run(repeats=5, dtypes=("float32", "float64")):
    """The table's lines."""
    lines = [f"losses: cross_entropy on {CE_SHAPE[0]}x{CE_SHAPE[1]} logits (class indices), "
             f"binary_cross_entropy_with_logits on {BCE_N:,}; reduction 'mean'; "
             "milliseconds per call (lower is better), best of "
             f"{repeats}; vs best = fastest peer / fastact",
             f"{'dtype':<8} {'case':<15} {'pass':<15} {'fastact':>9} {'numpy':>9} "
             f"{'torch':>9} {'vs best':>8}"]
    for dtype in dtypes:
        for (name, pass_), fns in cases(np.dtype(dtype).type).items():
            check(fns, 1e-4 if dtype == "float32" else 1e-10)
            best = {k: min(v) for k, v in time_interleaved(fns, repeats).items()}
            peers = [best[k] for k in ("numpy", "torch") if k in best]
            cells = [f"{best[k] * 1e3:9.2f}" if k in best else f"{'-':>9}"
                     for k in ("fastact", "numpy", "torch")]
            lines.append(f"{dtype:<8} {name:<15} {pass_:<15} {' '.join(cells)} "
                         f"{min(peers) / best['fastact']:7.2f}x")
    return lines
