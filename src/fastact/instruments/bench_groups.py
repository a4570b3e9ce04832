"""``python -m fastact bench --masked`` and ``--functions``: case groups beside their peers.

--masked (issue 22): softmax along the last axis of 8 x 256 x 256 scores with a causal
mask given as ``where=`` (the attention case), forward, backward from y
(``backward_from_output``, as autograd runs it) and backward from x; the mask as a
full (8, 256, 256) array and, for the forward, broadcast from (256, 256).  PyTorch:
``masked_fill(~mask, -inf)`` then ``softmax``, and ``torch._softmax_backward_data``
from y (autograd's softmax backward; from x after that forward); NumPy: the same by hand.

--functions (issue 23): ``logsumexp`` along the rows of 1000 x 1000 and over 1e6
elements (SciPy's ``scipy.special.logsumexp``, ``torch.logsumexp``, ``jax.nn.logsumexp``,
NumPy's max-shifted formula) and its backward along the rows (PyTorch's autograd, JAX's
vjp, NumPy's g * softmax); ``sparsemax`` along the rows of 1000 x 1000 and its backward from y: no
peer has it (PyTorch needs the entmax package, JAX optax), so NumPy and PyTorch run the
sort-based formula of Martins and Astudillo and the closed-form backward.

Every peer is checked against fastact on the same data before it is timed.  Timed as
``bench --losses``: the implementations take turns (``--repeats`` times), each sample the
CPU time of the whole process (``time.process_time``: JAX runs its programs on a thread
of its own; the time the process waits for a core on a busy machine is not counted), the
median of the samples counts; fastact on one thread, PyTorch with ``torch.set_num_threads``
as ``bench --threads`` set it.
"""

import math
import time

import numpy as np

from .. import logsumexp as _logsumexp, softmax as _softmax
from .. import sparsemax as _sparsemax
from ..records._peers import installed
from .timing import time_interleaved

MASKED_SHAPE = (8, 256, 256)
ROWS_SHAPE = (1000, 1000)
N = 1_000_000
PEERS = ("numpy", "scipy", "torch", "jax")


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _jax():
    if not installed("jax"):
        return None
    from ..records._peers import _jax as jax_x64     # switches on jax_enable_x64
    return jax_x64()


def _jit(jax, f, *args):
    """f jitted on device copies of args, compiled and warmed up untimed."""
    fn = jax.jit(f)
    dev = [jax.device_put(a) for a in args]
    fn(*dev).block_until_ready()
    return lambda: fn(*dev).block_until_ready()


# ---- --masked --------------------------------------------------------------------------

def _np_masked_softmax(x, mask):
    with np.errstate(all="ignore"):
        z = np.where(mask, x, -np.inf)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


def _np_softmax_vjp(g, y):
    return y * (g - np.sum(g * y, axis=-1, keepdims=True))


def masked_cases(dtype, seed=0):
    """{case label: {impl: zero-argument function}} for one dtype (on MASKED_SHAPE, read
    here: the tests shrink it)."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(MASKED_SHAPE) * 3).astype(dtype)
    g = rng.standard_normal(MASKED_SHAPE).astype(dtype)
    causal = np.tril(np.ones(MASKED_SHAPE[-2:], bool))
    full = np.ascontiguousarray(np.broadcast_to(causal, MASKED_SHAPE))
    y = _softmax(x, where=full)
    cases = {
        "softmax where=mask forward": {
            "fastact": lambda: _softmax(x, where=full),
            "numpy": lambda: _np_masked_softmax(x, full)},
        "softmax where=(256,256) mask forward": {
            "fastact": lambda: _softmax(x, where=causal),
            "numpy": lambda: _np_masked_softmax(x, causal)},
        "softmax where=mask backward from y": {
            "fastact": lambda: _softmax.backward_from_output(g, y, where=full),
            "numpy": lambda: _np_softmax_vjp(g, y)},
        "softmax where=mask backward from x": {
            "fastact": lambda: _softmax.backward(g, x, where=full),
            "numpy": lambda: _np_softmax_vjp(g, _np_masked_softmax(x, full))},
    }
    torch = _torch()
    if torch is not None:
        F = torch.nn.functional
        xt, gt, yt = torch.from_numpy(x), torch.from_numpy(g), torch.from_numpy(y)
        not_full, not_causal = torch.from_numpy(~full), torch.from_numpy(~causal)
        tdt = xt.dtype

        def forward(m):
            with torch.no_grad():
                return F.softmax(xt.masked_fill(m, -math.inf), -1)

        def from_x():
            with torch.no_grad():
                return torch._softmax_backward_data(gt, forward(not_full), -1, tdt)

        cases["softmax where=mask forward"]["torch"] = lambda: forward(not_full)
        cases["softmax where=(256,256) mask forward"]["torch"] = lambda: forward(not_causal)
        cases["softmax where=mask backward from y"]["torch"] = (
            lambda: torch._softmax_backward_data(gt, yt, -1, tdt))
        cases["softmax where=mask backward from x"]["torch"] = from_x
    return cases


# ---- --functions -----------------------------------------------------------------------

def _np_logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(x - m), axis=axis)) + np.squeeze(m, axis)


def _np_sparsemax(x):
    """The sort-based formula along the last axis (Martins and Astudillo, Algorithm 1)."""
    z = -np.sort(-x, axis=-1)
    cum = np.cumsum(z, axis=-1)
    k = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    support = np.sum(1 + k * z > cum, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cum, support - 1, axis=-1) - 1) / support
    return np.maximum(x - tau, 0)


def _np_sparsemax_vjp(g, y):
    s = y > 0
    mean = np.sum(g * s, axis=-1, keepdims=True) / np.sum(s, axis=-1, keepdims=True)
    return np.where(s, g - mean, 0).astype(g.dtype)


def _torch_sparsemax(torch, x):
    z, _ = torch.sort(x, dim=-1, descending=True)
    cum = z.cumsum(-1)
    k = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    support = (1 + k * z > cum).sum(-1, keepdim=True)
    tau = (cum.gather(-1, support - 1) - 1) / support
    return torch.clamp(x - tau, min=0)


def _torch_sparsemax_vjp(torch, g, y):
    s = y > 0
    mean = (g * s).sum(-1, keepdim=True) / s.sum(-1, keepdim=True)
    return torch.where(s, g - mean, 0)


def function_cases(dtype, seed=0):
    """{case label: {impl: zero-argument function}} for one dtype."""
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal(ROWS_SHAPE) * 3).astype(dtype)
    gr = rng.standard_normal(ROWS_SHAPE[0]).astype(dtype)
    G = rng.standard_normal(ROWS_SHAPE).astype(dtype)
    x = (rng.standard_normal(N) * 3).astype(dtype)
    Y = _sparsemax(X)
    with np.errstate(all="ignore"):
        cases = {
            "logsumexp rows of 1000": {
                "fastact": lambda: _logsumexp(X, axis=-1),
                "numpy": lambda: _np_logsumexp(X, -1)},
            "logsumexp of 1e6": {
                "fastact": lambda: _logsumexp(x),
                "numpy": lambda: _np_logsumexp(x, 0)},
            "logsumexp.backward rows": {
                "fastact": lambda: _logsumexp.backward(gr, X, axis=-1),
                "numpy": lambda: gr[:, None] * np.exp(X - _np_logsumexp(X, -1)[:, None])},
            "sparsemax rows of 1000": {
                "fastact": lambda: _sparsemax(X),
                "numpy": lambda: _np_sparsemax(X)},
            "sparsemax.backward_from_output rows": {
                "fastact": lambda: _sparsemax.backward_from_output(G, Y),
                "numpy": lambda: _np_sparsemax_vjp(G, Y)},
        }
    if installed("scipy"):
        from scipy.special import logsumexp as sp_lse
        cases["logsumexp rows of 1000"]["scipy"] = lambda: sp_lse(X, axis=-1)
        cases["logsumexp of 1e6"]["scipy"] = lambda: sp_lse(x)
    torch = _torch()
    if torch is not None:
        Xt, xt, grt, Gt, Yt = map(torch.from_numpy, (X, x, gr, G, Y))

        def no_grad(f):
            def run():
                with torch.no_grad():
                    return f()
            return run

        def vjp(f, a, g):
            def run():
                leaf = a.detach().requires_grad_(True)
                f(leaf).backward(g)
                return leaf.grad
            return run

        cases["logsumexp rows of 1000"]["torch"] = no_grad(lambda: torch.logsumexp(Xt, -1))
        cases["logsumexp of 1e6"]["torch"] = no_grad(lambda: torch.logsumexp(xt, 0))
        cases["logsumexp.backward rows"]["torch"] = vjp(lambda a: torch.logsumexp(a, -1),
                                                        Xt, grt)
        cases["sparsemax rows of 1000"]["torch"] = no_grad(lambda: _torch_sparsemax(torch, Xt))
        cases["sparsemax.backward_from_output rows"]["torch"] = no_grad(
            lambda: _torch_sparsemax_vjp(torch, Gt, Yt))
    jax = _jax()
    if jax is not None:
        lse = jax.nn.logsumexp
        cases["logsumexp rows of 1000"]["jax"] = _jit(jax, lambda a: lse(a, axis=-1), X)
        cases["logsumexp of 1e6"]["jax"] = _jit(jax, lse, x)
        cases["logsumexp.backward rows"]["jax"] = _jit(
            jax, lambda g, a: jax.vjp(lambda v: lse(v, axis=-1), a)[1](g)[0], gr, X)
    return cases


# ---- the run ---------------------------------------------------------------------------

GROUPS = {
    "masked": (masked_cases, lambda: "softmax with a causal mask as where=, "
                                     f"{' x '.join(map(str, MASKED_SHAPE))}, along the last axis"),
    "functions": (function_cases, lambda: "logsumexp and sparsemax: rows of "
                                          f"{ROWS_SHAPE[0]} x {ROWS_SHAPE[1]}, or {N:,} "
                                          "elements"),
}
RTOL = {"float32": 2e-4, "float64": 1e-9}


def _as_numpy(r):
    return r.numpy() if hasattr(r, "numpy") else np.asarray(r)


def check(fns, dtype):
    """Every implementation gives fastact's result (else its time means nothing); raises
    AssertionError naming the one that does not."""
    want = _as_numpy(fns["fastact"]())
    scale = float(np.max(np.abs(want[np.isfinite(want)]), initial=1.0))
    for impl, fn in fns.items():
        with np.errstate(all="ignore"):
            got = _as_numpy(fn())
        np.testing.assert_allclose(got, want, rtol=RTOL[dtype], atol=RTOL[dtype] * scale,
                                   err_msg=f"{impl} differs from fastact")


def run(group, repeats=5, dtypes=("float32", "float64")):
    """The table's lines: CPU milliseconds per call (median of the interleaved repeats)
    of fastact and each peer, and vs best = the fastest peer's time / fastact's (> 1:
    fastact faster)."""
    make, title = GROUPS[group]
    torch = _torch()
    peers = ", ".join(f"{k} {v}" for k, v in _versions().items())
    lines = [f"{title()}; CPU milliseconds per call (time.process_time, every thread of the "
             f"process), median of {repeats} interleaved; vs best = the fastest peer's "
             "time / fastact's (> 1: fastact faster)",
             f"peers: {peers}" + (f"; torch threads {torch.get_num_threads()}"
                                  if torch is not None else ""),
             f"{'dtype':<8} {'case':<38} {'fastact':>8} "
             + " ".join(f"{p:>8}" for p in PEERS) + f" {'vs best':>8}"]
    for dtype in dtypes:
        for label, fns in make(np.dtype(dtype).type).items():
            check(fns, dtype)
            with np.errstate(all="ignore"):
                samples = time_interleaved(fns, repeats, clock=time.process_time)
            med = {k: float(np.median(v)) for k, v in samples.items()}
            cells = [f"{med[k] * 1e3:8.3f}" if k in med else f"{'-':>8}"
                     for k in ("fastact",) + PEERS]
            best = min((med[k] for k in PEERS if k in med), default=None)
            ratio = f"{best / med['fastact']:7.2f}x" if best else f"{'-':>8}"
            lines.append(f"{dtype:<8} {label:<38} {' '.join(cells)} {ratio}")
    return lines


def _versions():
    out = {"numpy": np.__version__}
    from importlib.metadata import PackageNotFoundError, version
    for name in PEERS[1:]:
        if installed(name):
            try:
                out[name] = version(name)
            except PackageNotFoundError:
                out[name] = "?"
    return out
