"""Shared helpers of the records' benchmark peers (fastact.instruments.peers builds the table).

A record's ``peers()`` returns {peer name: Peer(forward builder, backward builder)}.  A
builder takes the case's data ``d`` (fastact.instruments.peers.Data: x, g, y as NumPy arrays) and
returns a zero-argument callable that runs the peer once; the conversion of the inputs
(``torch.from_numpy`` views, ``tensor``) happens in the builder, outside the timed call.
The same builders serve every dtype, float16 and bfloat16 included (fastact.instruments.peers says
which peers count for a 16-bit case).  ``p``, the
case's parameters by name, is resolved there too.

Each peer uses the best formula its library offers, written the way a careful user would:
NumPy's stable forms (``np.logaddexp``, ``np.expm1``, max-subtraction in softmax), SciPy's
special functions, PyTorch's fused kernels (``torch.nn.functional`` forward,
``torch.ops.aten.*_backward`` backward, as its autograd calls them).  NumPy's formulas keep
float32 as float32 (Python scalars are "weak" in NumPy 2).

JAX, ONNX Runtime and numba are named by data instead (``engines(jax=..., onnx=...,
numba=...)`` in a record's ``peers()``) and run by the generic builders at the end of this
file; see there.
"""

import importlib.util
from collections import namedtuple

from . import Peer


def params(d):
    """The case's parameters, by name: the record's defaults updated by the case's
    kwargs (and rrelu's evaluation slope), resolved by the bench when it made the case
    (fastact.instruments.peers.Case.params), so that the records need no fastact."""
    return d.case.params


def x(fn):
    """forward of x: fn(x, p)"""
    return lambda d: (lambda x=d.x, p=params(d): fn(x, p))


def gx(fn):
    """backward from (g, x): fn(g, x, p)"""
    return lambda d: (lambda g=d.g, x=d.x, p=params(d): fn(g, x, p))


def gy(fn):
    """backward from (g, y): fn(g, y, p)"""
    return lambda d: (lambda g=d.g, y=d.y, p=params(d): fn(g, y, p))


def scipy_special():
    """scipy.special, or None when SciPy is not installed (it is optional)."""
    try:
        import scipy.special
    except ImportError:
        return None
    return scipy.special


def torch_module():
    """torch, or None when it is not installed (it is optional)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def tensor(a):
    """A NumPy array as a torch tensor on the same memory: torch.from_numpy, except for
    ml_dtypes' bfloat16, which from_numpy refuses: its bits viewed as int16, then as
    torch.bfloat16 (the same format).  Builders call it outside the timed call."""
    import torch
    if a.dtype.name == "bfloat16":
        import numpy as np
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def tx(fn):
    """as x, with torch tensors (from_numpy views, see tensor)"""
    T = tensor
    return lambda d: (lambda x=T(d.x), p=params(d): fn(x, p))


def tgx(fn):
    T = tensor
    return lambda d: (lambda g=T(d.g), x=T(d.x), p=params(d): fn(g, x, p))


def tgy(fn):
    T = tensor
    return lambda d: (lambda g=T(d.g), y=T(d.y), p=params(d): fn(g, y, p))


# ---- JAX, ONNX Runtime and numba: what a record names, run by generic builders ----------
#
# Nothing is imported here until a builder runs: fastact.instruments.peers builds the
# whole table at
# import, and JAX alone takes seconds to import.  Each engine is optional; its peers appear
# only when it is installed.
#
# jax    the jax.nn function: its name ("sigmoid"), or (jax.nn, p) -> a function of x.
#        Forward: jax.jit of it; backward: the jitted vector-Jacobian product a JAX user
#        writes, jit(lambda g, x: vjp(f, x)[1](g)[0]), always from x.  Inputs are device
#        arrays made before the timed call, which ends with block_until_ready(); compiling
#        and the first run happen in the builder.  The first JAX builder switches on
#        jax_enable_x64 for the process (without it JAX computes float64 input in float32).
# onnx   Onnx(op, attrs, inputs, opset): a single-node model, the node's attributes and
#        its constant inputs after x (Clip's bounds, PRelu's slope), each a value or
#        p -> value.  Run as a user serving a model runs it: an InferenceSession with
#        intra_op_num_threads = the bench's threads, input and preallocated output bound
#        as OrtValues (io_binding), the timed call sess.run_with_iobinding(binding).
#        Forward only (ONNX Runtime has no backward ops for inference).
# numba  Numba(forward, backward, params): the scalar formulas a NumPy user would write,
#        forward(x, *consts) and backward(g, v, *consts) with v = y where the case's
#        backward is from the output (fastact.instruments.peers explains the convention), else x;
#        consts are p[name] for name in params, frozen into the function.  Compiled with
#        @vectorize (nopython, float32 and float64 signatures) in the builder, once.

Onnx = namedtuple("Onnx", "op attrs inputs opset", defaults=(None, (), 20))
Numba = namedtuple("Numba", "forward backward params", defaults=(None, ()))


class Unsupported(NotImplementedError):
    """The engine lacks this case (ONNX Runtime's CPU kernels are mostly float32-only):
    the peer is absent from that row, not an error."""


_THREADS = [1]


def set_threads(n):
    """The thread count ONNX Runtime sessions and numba ufuncs are built for."""
    _THREADS[0] = int(n)


def installed(*modules):
    return all(importlib.util.find_spec(m) is not None for m in modules)


def engines(jax=None, onnx=None, numba=None):
    """{peer name: Peer} for the engines named and installed."""
    out = {}
    if jax is not None and installed("jax"):
        out["jax"] = Peer(_jax_builder(jax, False), _jax_builder(jax, True))
    if onnx is not None and installed("onnx", "onnxruntime"):
        out["onnxruntime"] = Peer(_onnx_builder(onnx if isinstance(onnx, Onnx) else Onnx(onnx)))
    if numba is not None and installed("numba"):
        out["numba"] = Peer(_numba_builder(numba, False),
                            _numba_builder(numba, True) if numba.backward else None)
    return out


def _jax():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax


def _jax_builder(spec, backward):
    def build(d):
        jax = _jax()
        f = getattr(jax.nn, spec) if isinstance(spec, str) else spec(jax.nn, params(d))
        if backward:
            fn = jax.jit(lambda g, x: jax.vjp(f, x)[1](g)[0])
            args = (jax.device_put(d.g), jax.device_put(d.x))
        else:
            fn = jax.jit(f)
            args = (jax.device_put(d.x),)
        fn(*args).block_until_ready()             # compile and warm up, untimed
        return lambda: fn(*args).block_until_ready()
    return build


_SESSIONS: dict = {}


def _value(v, p):
    return v(p) if callable(v) else v


def _onnx_session(spec, dtype, ndim, p):
    import numpy as np
    attrs = _value(spec.attrs, p) or {}
    consts = tuple(float(c) for c in _value(spec.inputs, p))
    key = (spec.op, tuple(sorted(attrs.items())), consts, spec.opset, dtype.str, ndim,
           _THREADS[0])
    if key not in _SESSIONS:
        import onnxruntime as ort
        from onnx import helper, numpy_helper
        from onnxruntime.capi.onnxruntime_pybind11_state import NotImplemented as NotImpl
        tp = helper.np_dtype_to_tensor_dtype(dtype)
        _check_onnx_type(spec, tp)
        names = [f"c{i}" for i in range(len(consts))]
        node = helper.make_node(spec.op, ["x", *names], ["y"], **attrs)
        graph = helper.make_graph(
            [node], spec.op,
            [helper.make_tensor_value_info("x", tp, [None] * ndim)],
            [helper.make_tensor_value_info("y", tp, [None] * ndim)],
            [numpy_helper.from_array(np.array(c, dtype), n) for c, n in zip(consts, names)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", spec.opset)])
        model.ir_version = 10                     # what ONNX Runtime 1.2x reads
        so = ort.SessionOptions()
        so.intra_op_num_threads = _THREADS[0]
        so.inter_op_num_threads = 1
        try:
            _SESSIONS[key] = ort.InferenceSession(model.SerializeToString(), so,
                                                  providers=["CPUExecutionProvider"])
        except NotImpl as exc:                    # no kernel for this dtype
            raise Unsupported(f"onnxruntime {spec.op} {dtype}: {exc}") from None
    return _SESSIONS[key]


def _check_onnx_type(spec, tp):
    """Unsupported if the op's schema does not take this element type (Celu: float only)."""
    import onnx
    from onnx import helper
    try:
        schema = onnx.defs.get_schema(spec.op, spec.opset)
    except onnx.defs.SchemaError:                 # an onnx older than the op
        raise Unsupported(f"this onnx has no {spec.op}-{spec.opset}") from None
    allowed = {c.type_param_str: c.allowed_type_strs for c in schema.type_constraints}
    want = f"tensor({helper.tensor_dtype_to_string(tp).split('.')[-1].lower()})"
    types = allowed.get(schema.inputs[0].type_str)
    if types is not None and want not in types:
        raise Unsupported(f"ONNX {spec.op}-{spec.opset} takes {', '.join(types)}, not {want}")


def _onnx_builder(spec):
    def build(d):
        import numpy as np
        import onnxruntime as ort
        sess = _onnx_session(spec, d.x.dtype, d.x.ndim, params(d))
        out = np.empty_like(d.x)
        x_v = ort.OrtValue.ortvalue_from_numpy(d.x)
        y_v = ort.OrtValue.ortvalue_from_numpy(out)     # the output, written in place
        binding = sess.io_binding()
        binding.bind_ortvalue_input("x", x_v)
        binding.bind_ortvalue_output("y", y_v)
        sess.run_with_iobinding(binding)

        def run(keep=(x_v, y_v)):
            sess.run_with_iobinding(binding)
            return out
        return run
    return build


_UFUNCS: dict = {}


def _numba_ufunc(fn, arity, consts):
    key = (fn, arity, consts, _THREADS[0])
    if key not in _UFUNCS:
        import numba
        jf = numba.njit(fn)

        def unary(x):
            return jf(x, *consts)

        def binary(g, v):
            return jf(g, v, *consts)

        kernel = unary if arity == 1 else binary
        sigs = [f"{t}({', '.join([t] * arity)})" for t in ("float32", "float64")]
        threads = _THREADS[0]
        if threads > 1:        # numba's pool has NUMBA_NUM_THREADS (the core count) at most
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        _UFUNCS[key] = numba.vectorize(sigs, target="parallel" if threads > 1 else "cpu")(
            kernel)
    return _UFUNCS[key]


def _numba_builder(spec, backward):
    def build(d):
        p = params(d)
        consts = tuple(float(p[name]) for name in spec.params)
        if backward:
            u = _numba_ufunc(spec.backward, 2, consts)
            g, v = d.g, (d.y if d.case.from_output else d.x)
            return lambda: u(g, v)
        u = _numba_ufunc(spec.forward, 1, consts)
        x = d.x
        return lambda: u(x)
    return build


# the gated activations' cases (kind "gated"): a is the case's x, b its b
def ab(fn):
    """forward of (a, b): fn(a, b)"""
    return lambda d: (lambda a=d.x, b=d.b: fn(a, b))


def gab(fn):
    """backward from (g, a, b): fn(g, a, b) -> (grad_a, grad_b)"""
    return lambda d: (lambda g=d.g, a=d.x, b=d.b: fn(g, a, b))


def tab(fn):
    T = tensor
    return lambda d: (lambda a=T(d.x), b=T(d.b): fn(a, b))


def tgab(fn):
    T = tensor
    return lambda d: (lambda g=T(d.g), a=T(d.x), b=T(d.b): fn(g, a, b))
