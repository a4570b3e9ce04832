"""What a user would run instead of fastact: the benchmark cases and the peers' formulas.

One table, used by both the pytest-benchmark suite (``benchmarks/``) and
``python -m fastact bench``:

* ``cases()``: one benchmark case per registry activation, with the parameters it is
  called with (the record's ``bench_kwargs``) and the data it is timed on (``make_data``);
  the gated ones (``fastact.GATED``) after them, timed on (a, b) = (x, b) (glu: on x, in
  rows of SOFTMAX_ROW), the backward giving both gradients.
* ``PEERS``: case name -> {peer name -> ``Peer(forward, backward)``}, from each record's
  ``peers()`` (fastact/records/<name>.py; records/_peers.py explains the builders).  A
  peer that has no such function (or no backward) is simply absent.

The backward convention: where fastact's derivative is a function of the output
(``f.has_from_output``: softmax, log_softmax and softmin too), the backward is timed from the
forward's output y (``backward_from_output``), as PyTorch's autograd does
(``sigmoid_backward(g, y)``, ``_softmax_backward_data``, ``elu_backward(is_result=True)``);
peers then use y where their formula allows it.
Elsewhere the backward is ``g * f'(x)`` from x.

SciPy, PyTorch, JAX, ONNX Runtime and numba are optional: their peers appear only when
they are installed (JAX, ONNX Runtime and numba are imported only when one of their
builders runs; the first JAX builder switches on ``jax_enable_x64`` for the process).
The peers' thread count is the caller's business (``set_peer_threads``).  A builder that
raises ``Unsupported`` (ONNX Runtime's float64 gaps) means the peer lacks that case.

float16 and bfloat16 (``DTYPES16``) run the same builders on 16-bit data (torch gets
torch.bfloat16 tensors on the same bits, JAX jnp.bfloat16 arrays); ``build`` leaves out a
peer that does not compute in the format.
"""

from collections import namedtuple

import numpy as np

from .. import ACTIVATIONS, GATED, _registry
from .._dispatch import BFLOAT16
from ..records import _peers as _engines
from ..records._peers import Unsupported, torch_module  # noqa: F401  (Unsupported: re-exported)

# params: every parameter by name (the record's defaults updated by kwargs, and rrelu's
# evaluation slope), which the records' peer builders read (records._peers.params)
Case = namedtuple("Case", "name activation kwargs from_output params")
Data = namedtuple("Data", "case dtype n x g y b", defaults=(None,))   # b: gated cases

# Row length of the softmax cases: n elements as (n // SOFTMAX_ROW, SOFTMAX_ROW) (a batch of
# logits over 1000 classes, or attention rows); fewer elements make one row.
SOFTMAX_ROW = 1000

SIZES = (1_000, 100_000, 1_000_000, 10_000_000)
DTYPES = (np.float32, np.float64)
PASSES = ("forward", "backward")
# The 16-bit formats: fastact computes them in float32 and rounds once; bfloat16 is
# ml_dtypes' (None here without it), the same format as torch.bfloat16 and jnp.bfloat16.
DTYPES16 = ("float16", "bfloat16")


def as_dtype(name):
    """The NumPy dtype of a dtype name ("bfloat16": ml_dtypes'; ValueError without it)."""
    if isinstance(name, np.dtype):
        return name
    if name == "bfloat16":
        if BFLOAT16 is None:
            raise ValueError("bfloat16 needs ml_dtypes (pip install ml_dtypes, or "
                             "fastact[bfloat16])")
        return BFLOAT16
    return np.dtype(name)


def cases(only=None):
    """The benchmark cases in registry order; ``only``: names of activations or cases."""
    out = []
    for name, f in ACTIVATIONS.items():
        if only and name not in only:
            continue
        # required parameters (threshold's) pass their example values (records.Param)
        kwargs = {p.name: p.default for p in f.params if p.required}
        kwargs.update(f.info.bench_kwargs or {})
        out.append(Case(name, name, kwargs, f.has_from_output, _params(f, kwargs)))
    out += [Case(name, name, {}, False, _params(GATED[name], {}))
            for name in GATED if not only or name in only]
    return out


def _params(f, kwargs):
    p = {q.name: q.default for q in f.params}
    p.update(kwargs)
    if "lower" in p and "upper" in p:
        p["slope"] = p["lower"] / 2.0 + p["upper"] / 2.0
    return p


def _fn(case):
    """The activation of a case (fastact.ACTIVATIONS or fastact.GATED)."""
    return ACTIVATIONS.get(case.activation) or GATED[case.activation]


def make_data(case, dtype, n, seed=0):
    """x ~ U(-4, 4) (within the record's domain), g ~ N(0, 1), y = fastact forward of x;
    contiguous, of dtype (a 16-bit one: the float64 draws rounded to it)."""
    dtype = as_dtype(dtype)
    rng = np.random.default_rng(seed)
    f = _fn(case)
    if f.info.kind == "gated":
        x, b = (rng.uniform(-4.0, 4.0, n).astype(dtype) for _ in range(2))
        g = rng.standard_normal(n).astype(dtype)
        return Data(case, dtype, n, x, g, f(x, b, **case.kwargs), b)
    if f.info.kind == "glu":
        shape = (max(n // SOFTMAX_ROW, 1), min(n, SOFTMAX_ROW))
        x = rng.uniform(-4.0, 4.0, shape).astype(dtype)
        y = f(x)
        return Data(case, dtype, x.size, x, rng.standard_normal(y.shape).astype(dtype), y)
    if f.info.kind == "axis":
        row = min(n, SOFTMAX_ROW)
        shape = (max(n // row, 1), row)
    else:
        shape = (n,)
    lo, hi = f.info.domain                  # logit's [0, 1]: its inputs, not NaNs
    x = rng.uniform(max(lo, -4.0), min(hi, 4.0), shape).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    y = f(x, **case.kwargs)
    return Data(case, dtype, int(np.prod(shape)), x, g, y)


# ---- fastact itself and the pure-Python reference --------------------------------------

def fastact_forward(d):
    f, kw, x = _fn(d.case), d.case.kwargs, d.x
    if d.b is not None:
        b = d.b
        return lambda: f(x, b, **kw)
    return lambda: f(x, **kw)


def fastact_backward(d, from_output=None):
    """fastact's backward: from y where it can (from_output=None), or as asked."""
    f, kw, g = _fn(d.case), d.case.kwargs, d.g
    if d.b is not None:
        x, b = d.x, d.b
        return lambda: f.backward(g, x, b, **kw)
    if from_output is None:
        from_output = d.case.from_output
    if f.info.kind == "glu":
        x = d.x
        return lambda: f.backward(g, x, **kw)
    if from_output:
        y = d.y
        return lambda: f.backward_from_output(g, y, **kw)
    x = d.x
    return lambda: f.backward(g, x, **kw)


def _floats(a):
    """An array as (nested) lists of Python floats (bfloat16's tolist gives its scalars)."""
    return (a.astype(np.float64) if a.dtype.name == "bfloat16" else a).tolist()


def reference_forward(d):
    f, kw = _fn(d.case).reference, d.case.kwargs
    xs = _floats(d.x)
    if d.b is not None:
        bs = _floats(d.b)
        return lambda: [f(u, v, **kw) for u, v in zip(xs, bs)]
    if _fn(d.case).info.kind == "glu":
        return lambda: [f(r) for r in xs]
    return lambda: [f(v, **kw) for v in xs]


def reference_backward(d):
    f, kw = _fn(d.case).reference, d.case.kwargs
    gs = _floats(d.g)
    if d.b is not None:
        xs, bs = _floats(d.x), _floats(d.b)
        return lambda: [f.backward(h, u, v, **kw) for h, u, v in zip(gs, xs, bs)]
    if _fn(d.case).info.kind == "glu":
        xs = _floats(d.x)
        return lambda: [f.backward(gr, r) for gr, r in zip(gs, xs)]
    if d.case.from_output:
        ys = _floats(d.y)
        return lambda: [f.backward_from_output(gv, yv, **kw) for gv, yv in zip(gs, ys)]
    xs = _floats(d.x)
    return lambda: [f.backward(gv, xv, **kw) for gv, xv in zip(gs, xs)]


def set_torch_threads(n):
    """Set PyTorch's intra-op threads (single-thread figures by default); None if absent."""
    torch = torch_module()
    if torch is None:
        return None
    torch.set_num_threads(int(n))
    return torch.get_num_threads()


def set_peer_threads(n):
    """The thread count of every peer that has one: PyTorch's intra-op pool, ONNX Runtime's
    intra_op_num_threads and numba's (n > 1: @vectorize(target="parallel")).  JAX's XLA:CPU
    runs these elementwise programs on one thread.  Returns torch's count (None if absent)."""
    _engines.set_threads(n)
    return set_torch_threads(n)


def _build_peers():
    table = {}
    for rec in _registry.ACTIVATIONS + _registry.GATED:
        if rec.peers is not None:
            table[rec.name] = rec.peers()
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
    from importlib.metadata import PackageNotFoundError, version
    for name in ("jax", "onnxruntime", "numba"):     # versions without importing them
        if _engines.installed(name):
            try:
                out[name] = version(name)
            except PackageNotFoundError:
                out[name] = "?"
    return out


PEERS = _build_peers()
ALL_PEERS = ("numpy", "scipy", "torch", "jax", "onnxruntime", "numba")
PEER_NAMES = tuple(p for p in ALL_PEERS if p in peer_versions())


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
    if from_x and pass_ == "backward" and case.from_output:
        out["fastact_from_x"] = lambda d: fastact_backward(d, from_output=False)
    if reference:
        out["reference"] = reference_forward if pass_ == "forward" else reference_backward
    out.update(peers_for(case, pass_))
    return out


def as_numpy(result):
    """A builder's result as NumPy arrays (a tuple for prelu's backward); a
    torch.bfloat16 tensor (whose .numpy() torch refuses) as ml_dtypes' bfloat16."""
    if isinstance(result, tuple):
        return tuple(as_numpy(r) for r in result)
    if isinstance(result, list):
        return np.asarray(result)
    if hasattr(result, "numpy") and not isinstance(result, np.ndarray):
        torch = torch_module()
        if torch is not None and getattr(result, "dtype", None) == torch.bfloat16:
            return result.view(torch.int16).numpy().view(as_dtype("bfloat16"))
        return result.numpy()
    return np.asarray(result)


def build(impl, builder, d):
    """builder(d), run once (warm-up): the callable to time.

    For a 16-bit case a peer counts only where it computes in that format: one that
    raises on it, or hands back another dtype (NumPy formulas whose float constants
    promote bfloat16 to float32, SciPy's special functions, numba's float32/float64
    loops), lacks the format and raises Unsupported, so the bench leaves it out of the
    case.  fastact and the reference are never left out."""
    if d.dtype.name not in DTYPES16 or impl not in ALL_PEERS:
        fn = builder(d)
        fn()
        return fn
    try:
        fn = builder(d)
        r = as_numpy(fn())
    except Unsupported:
        raise
    except Exception as exc:                        # noqa: BLE001
        raise Unsupported(f"{impl} on {d.dtype.name}: {type(exc).__name__}: {exc}") from None
    r = r[0] if isinstance(r, tuple) else r
    if np.asarray(r).dtype != d.dtype:
        raise Unsupported(f"{impl} returns {np.asarray(r).dtype} for {d.dtype.name} input")
    return fn
