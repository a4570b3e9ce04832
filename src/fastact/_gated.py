"""The gated activations' API objects: ``fastact.swiglu``, ``geglu``, ``reglu`` and ``glu``.

Each is f(a) * b over a gated ufunc pair built from its gate's kernels (records with
kind "gated" or "glu"; ``_registry.GATED``):

* ``NAME(a, b, *, out=None)``: a binary elementwise ufunc, NumPy broadcasting and dtype
  rules (integers and bool compute in float64; float16 in float32, rounded once).
* ``NAME.backward(grad_output, a, b, *, out=None)`` -> ``(grad_a, grad_b)``, both from one
  fused pass (``gated_<gate>_backward``, a ufunc with three inputs and two outputs).  Where
  a or b was broadcast, its gradient is summed over the broadcast dimensions to its own
  shape, as autograd does (``out`` is then a pair of arrays of the shapes of a and b); a
  16-bit sum accumulates in float64 and is rounded once, an overflowing one is inf
  without a floating-point warning (``_sums``).
* No ``derivative``: f(a, b) has two partial derivatives, which are
  ``backward(1.0, a, b)``.
* ``glu(x, axis=-1)``: a * sigmoid(b), (a, b) the halves of x along axis (PyTorch's
  ``F.glu``), run by the gated kernel of sigmoid with the operands in the order (b, a),
  straight from views of x into the result (and, in ``glu.backward``, into the two halves
  of the gradient): no copy.

Dask arrays run lazily: the forwards as the other activations' (through the ufunc's
``__array_ufunc__``), the backwards (two outputs, which dask's ``__array_ufunc__`` does
not take) through ``dask.array.apply_gufunc`` and the sums through
``dask.array.reduction``; other duck arrays are refused by the backwards.

The checks, error messages and pickling are the other activations' (``_api``).
"""

import inspect
import operator

import numpy as np
from numpy.exceptions import AxisError

from . import _registry, reference
from ._api import (_activation, _run_ufunc, _cast, _check_out, _copy, _is_duck, _real,
                   _result_dtype, _rounded, _ufunc_error)
from ._dispatch import UFUNCS
from ._sums import dask_pair, is_dask, sum_to
from .records import _gated

_P = inspect.Parameter


def _check_outs(fname, out, dtype, shapes, names):
    """out as a list of arrays or None, one per result, checked (dtype, writeable,
    shape) before anything is written."""
    if out is None:
        return [None] * len(shapes)
    if not isinstance(out, tuple) or len(out) != len(shapes):
        raise TypeError(f"fastact.{fname}: out must be a tuple of {len(shapes)} arrays "
                        f"({', '.join(names)}) or None, got {type(out).__name__}")
    for o, shape, name in zip(out, shapes, names):
        if o is None:
            continue
        _check_out(fname, o, dtype)
        if o.shape != shape:
            raise ValueError(f"fastact.{fname}: out for {name} has shape {o.shape}, but "
                             f"{name} has shape {shape}")
    return list(out)


class Gated:
    """A gated activation f(a) * b (swiglu, geglu, reglu): see fastact._gated."""

    _FAST = ()

    def __init__(self, spec):
        self.info = spec
        self.name = spec.name
        self.params = spec.params
        self.reference = reference.GATED[spec.name]
        self._gates = _registry.gates_of(spec)
        a, b = [-2.0, 0.0, 1.5], [0.5, 2.0, -1.0]
        ref = self.reference
        grads = [ref.backward(1.0, u, v) for u, v in zip(a, b)]
        self.__doc__ = (
            f"``{spec.formula}``.\n\nSignature: ``{spec.name}"
            f"{_signature(spec, '__call__', False)}``\n\n"
            + _params_doc(spec, "__call__") +
            "\nReturns\n-------\nndarray\n    f(a) * b, of the broadcast shape of a and b.\n"
            "\nNotes\n-----\n"
            f"``{spec.name}.backward(grad_output, a, b)`` returns (grad_a, grad_b) from one "
            "fused pass; a\nbroadcast operand's gradient is summed to its shape.  There is "
            "no derivative: the two\npartial derivatives are ``backward(1.0, a, b)``.\n\n"
            f"::\n\n    partial derivatives: {spec.derivative}\n    use: {spec.use}\n"
            f"    avoid: {spec.avoid}\n    kinks and limits: {spec.kinks}\n\n"
            "Examples\n--------\n"
            "The values printed are the pure-Python reference's, rounded:\n\n"
            ">>> import numpy as np, fastact\n"
            f">>> a, b = np.array({a}), np.array({b})\n"
            f">>> np.round(fastact.{spec.name}(a, b), 4)\n"
            f"{_rounded([ref(u, v) for u, v in zip(a, b)])}\n"
            f">>> da, db = fastact.{spec.name}.backward(np.ones(3), a, b)\n"
            ">>> np.round(da, 4)\n"
            f"{_rounded([d[0] for d in grads])}\n"
            ">>> np.round(db, 4)\n"
            f"{_rounded([d[1] for d in grads])}\n")

    def __repr__(self):
        args = "".join(f", {p.name}={p.default!r}" for p in self.params)
        return f"<fastact.{self.name}(a, b{args})>"

    def __reduce__(self):
        return _activation, (self.name,)

    has_derivative = False
    has_from_output = False

    def _kernel(self, method, args, kwargs):
        """The gated kernel for the parameters (geglu's approximate: 'none', 'tanh' or a
        bool, True meaning 'tanh')."""
        fname = self.name if method == "forward" else f"{self.name}.{method}"
        if not self.params:
            if args or kwargs:
                extra = list(kwargs) or args
                raise TypeError(f"fastact.{fname}: unexpected argument {extra[0]!r}")
            return "gated_" + self._gates[None]
        (p,) = self.params
        if len(args) > 1:
            raise TypeError(f"fastact.{fname}: takes 1 parameter after the data, got "
                            f"{len(args)}")
        for k in kwargs:
            if k != p.name or args:
                raise TypeError(f"fastact.{fname}: unexpected argument {k!r}"
                                if k != p.name else f"fastact.{fname}: {k!r} given twice")
        value = args[0] if args else kwargs.get(p.name, p.default)
        try:
            return "gated_" + self._gates[_gated.approximate_value(value)]
        except (KeyError, TypeError):
            raise ValueError(f"fastact.{fname}: {p.name} must be one of "
                             f"{list(self._gates) + [True, False]!r}, got {value!r}") from None

    def __call__(self, a, b, *args, out=None, **kwargs):
        k = self._kernel("forward", args, kwargs)
        return _run_ufunc(self.name, UFUNCS[k], [("a", a), ("b", b)], [], out)

    def backward(self, grad_output, a, b, *args, out=None, **kwargs):
        fname = self.name + ".backward"
        k = self._kernel("backward", args, kwargs)
        data = [(w, _real(fname, w, v)) for w, v in
                (("grad_output", grad_output), ("a", a), ("b", b))]
        values = [v for _, v in data]
        dtype = _result_dtype(values)
        shapes = [np.shape(values[1]), np.shape(values[2])]
        lazy = _lazy(fname, values, out)
        outs = _check_outs(fname, out, dtype, shapes, ["grad_a", "grad_b"])
        try:
            shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        except ValueError as exc:
            raise _ufunc_error(fname, exc, data) from None
        if lazy:
            full = dask_pair(UFUNCS[k + "_backward"], values, dtype)
            return tuple(r if s == shape else sum_to(r, s, dtype)
                         for r, s in zip(full, shapes))
        # an operand of the full shape gets its gradient straight into its out
        direct = tuple(o if s == shape else None for o, s in zip(outs, shapes))
        try:
            full = UFUNCS[k + "_backward"](*values, out=direct, signature=(dtype,) * 5)
        except (TypeError, ValueError) as exc:
            raise _ufunc_error(fname, exc, data) from None
        # From here on nothing can fail: sum_to raises no floating-point error (an
        # overflowing sum is inf), so an error never leaves one out written and not the other.
        res = []
        for r, s, o in zip(full, shapes, outs):
            if s != shape:
                r = sum_to(r, s, dtype)
                if o is not None:
                    o[...] = r
                    r = o
            res.append(r)
        return tuple(res)


def _lazy(fname, values, out):
    """Whether an operand is a duck array: dask arrays run lazily (without out=, as a
    lazy result has nothing to write into); another duck type is refused, as a gated
    backward's two outputs are beyond the __array_ufunc__ protocol that the single-output
    ufuncs hand them to."""
    duck = next((v for v in values if _is_duck(v)), None)
    if duck is None:
        return False
    kind = type(duck).__name__
    if not is_dask(duck):
        raise TypeError(f"fastact.{fname}: {kind} input is not supported (NumPy and dask "
                        "arrays are)")
    if out is not None:
        raise TypeError(f"fastact.{fname}: out= is not supported for {kind} input")
    return True


class GLU:
    """glu(x, axis=-1): a * sigmoid(b), (a, b) the halves of x along axis."""

    _FAST = ()
    has_derivative = False
    has_from_output = False

    def __init__(self, spec):
        self.info = spec
        self.name = spec.name
        self.params = spec.params
        self.reference = reference.GATED[spec.name]
        self._kernel = "gated_" + spec.gate
        row, g = [1.0, -2.0, 0.5, 3.0], [1.0, -1.0]
        self.__doc__ = (
            f"``{spec.formula}`` (torch.nn.functional.glu).\n\nSignature: ``{spec.name}"
            f"{_signature(spec, '__call__', False)}``\n\n" + _params_doc(spec, "__call__") +
            "\nReturns\n-------\nndarray\n    a * sigmoid(b), x's shape halved along axis.\n"
            "\nNotes\n-----\n"
            f"``{spec.name}.backward(grad_output, x, axis=-1)`` returns the gradient with "
            "respect to x\n(x's shape), both halves from one fused pass.  PyTorch's dim is "
            "axis here.\n\n"
            f"::\n\n    partial derivatives: {spec.derivative}\n    use: {spec.use}\n"
            f"    avoid: {spec.avoid}\n\n"
            "Examples\n--------\n"
            "The values printed are the pure-Python reference's, rounded:\n\n"
            ">>> import numpy as np, fastact\n"
            f">>> x = np.array({row})\n"
            f">>> np.round(fastact.{spec.name}(x), 4)\n"
            f"{_rounded(self.reference(row))}\n"
            f">>> np.round(fastact.{spec.name}.backward(np.array({g}), x), 4)\n"
            f"{_rounded(self.reference.backward(g, row))}\n")

    def __repr__(self):
        return f"<fastact.{self.name}(x, axis=-1)>"

    def __reduce__(self):
        return _activation, (self.name,)

    def _halves(self, fname, x, axis):
        """x as an ndarray of its result dtype, the axis normalized, and the index tuples
        of its two halves."""
        x = _real(fname, "x", x)
        dtype = _result_dtype([x])
        try:
            axis = operator.index(axis)
        except TypeError:
            raise TypeError(f"fastact.{fname}: axis must be an integer, got {axis!r}") from None
        x = _cast(x, dtype)         # a dask array lazily
        if x.ndim == 0:
            raise ValueError(f"fastact.{fname}: x must have at least one dimension (glu "
                             "halves it along axis), got a 0-d array")
        if not -x.ndim <= axis < x.ndim:
            raise AxisError(f"fastact.{fname}: axis {axis} is out of bounds for array of "
                            f"dimension {x.ndim}")
        axis %= x.ndim
        n = x.shape[axis]
        if n % 2:
            raise ValueError(f"fastact.{fname}: x has length {n} along axis {axis}, which "
                             "is odd: glu splits it into two halves")
        first = [slice(None)] * x.ndim
        second = list(first)
        first[axis], second[axis] = slice(0, n // 2), slice(n // 2, n)
        return x, axis, tuple(first), tuple(second)

    def __call__(self, x, axis=-1, *, out=None):
        x, axis, first, second = self._halves(self.name, x, axis)
        # sigmoid(u) * v with (u, v) = (b, a)
        return _run_ufunc(self.name, UFUNCS[self._kernel], [("x", x[second]), ("x", x[first])],
                     [], out)

    def backward(self, grad_output, x, axis=-1, *, out=None):
        fname = self.name + ".backward"
        g = _real(fname, "grad_output", grad_output)
        x, axis, first, second = self._halves(fname, x, axis)
        lazy = _lazy(fname, [g, x], out)
        dtype = _result_dtype([g, x])
        half = x[first].shape
        try:
            ok = np.broadcast_shapes(np.shape(g), half) == half
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"fastact.{fname}: grad_output has shape {np.shape(g)}, but "
                             f"glu's output has shape {half}")
        if lazy:
            import dask.array as da
            grads = dask_pair(UFUNCS[self._kernel + "_backward"], [g, x[second], x[first]],
                              dtype)
            return da.concatenate(grads[::-1], axis=axis)
        _check_out(fname, out, dtype)
        if out is not None and out.shape != x.shape:
            raise ValueError(f"fastact.{fname}: out has shape {out.shape}, but x has shape "
                             f"{x.shape}")
        dx = np.empty(x.shape, dtype) if out is None else out
        # (d/du, d/dv) of sigmoid(u) * v, u = b and v = a: into dx's second and first half
        UFUNCS[self._kernel + "_backward"](g, x[second], x[first],
                                           out=(dx[second], dx[first]),
                                           signature=(dtype,) * 5)
        return dx


# ---- signatures and docstrings (as _api._specialize does for the others) --------------

def _signature(spec, method, self_=True):
    if spec.kind == "glu":
        data = ("x",) if method == "__call__" else ("grad_output", "x")
        params = [_P("axis", _P.POSITIONAL_OR_KEYWORD, default=-1)]
    else:
        data = ("a", "b") if method == "__call__" else ("grad_output", "a", "b")
        params = [_P(p.name, _P.POSITIONAL_OR_KEYWORD, default=p.default)
                  for p in spec.params]
    return inspect.Signature([_P("self", _P.POSITIONAL_ONLY)] * self_
                             + [_P(d, _P.POSITIONAL_OR_KEYWORD) for d in data] + params
                             + [_P("out", _P.KEYWORD_ONLY, default=None)])


_DATA_DOC = {"x": "array_like\n    The input, halved along axis into a and b.",
             "a": "array_like\n    The gate's input (broadcast against b).",
             "b": "array_like\n    The gated values (broadcast against a).",
             "grad_output": "array_like\n    The gradient of the loss with respect to the "
                            "output."}


def _params_doc(spec, method):
    """The Parameters section (numpydoc) of a method."""
    lines = ["Parameters", "----------"]
    for name in _signature(spec, method, False).parameters:
        if name in _DATA_DOC:
            lines.append(f"{name} : {_DATA_DOC[name]}")
        elif name == "axis":
            lines.append("axis : int, default -1\n    The axis to halve (its length must be "
                         "even).  (PyTorch calls it dim.)")
        elif name == "approximate":
            lines.append("approximate : {'none', 'tanh'} or bool, default 'none'\n    Exact "
                         "gelu or its tanh form; True means 'tanh', False 'none' (as JAX\n"
                         "    and Keras pass it).")
        elif name == "out":
            lines.append("out : " + ("ndarray, optional\n    An array of the result's dtype "
                                     "and shape to write into." if method == "__call__"
                                     or spec.kind == "glu" else
                                     "tuple of two ndarrays, optional\n    Arrays of a's and "
                                     "b's shape and the result's dtype to write into."))
    return "\n".join(lines) + "\n"


def _method_doc(spec, method):
    if method == "__call__":
        what = f"The forward: ``{spec.formula}``."
        ret = "ndarray\n    The result."
    elif spec.kind == "glu":
        what = ("The gradient with respect to x, both halves in one pass:\n"
                f"``{spec.derivative}``.")
        ret = "ndarray\n    The gradient with respect to x, of x's shape."
    else:
        what = ("(grad_a, grad_b) = (grad_output * b * f'(a), grad_output * f(a)) in one "
                f"pass\n(``{spec.derivative}``); a broadcast operand's gradient is summed to "
                "its shape.")
        ret = ("grad_a : ndarray\n    Of a's shape.\ngrad_b : ndarray\n    Of b's shape.")
    return f"{what}\n\n{_params_doc(spec, method)}\nReturns\n-------\n{ret}\n"


def _refuse_dim(fn):
    """fn, refusing PyTorch's dim= with a pointer to axis (glu's methods)."""
    def method(self, *args, **kwargs):
        if "dim" in kwargs:
            name = self.name if fn.__name__ == "__call__" else f"{self.name}.{fn.__name__}"
            raise TypeError(f"fastact.{name}: no argument 'dim': fastact's name for "
                            f"PyTorch's dim is axis (NumPy's name)")
        return fn(self, *args, **kwargs)
    for attr in ("__name__", "__qualname__", "__doc__", "__module__", "__signature__"):
        setattr(method, attr, getattr(fn, attr))
    method.__wrapped__ = fn
    return method


def _specialize(spec):
    base = GLU if spec.kind == "glu" else Gated
    ns = {"__doc__": f"The class of fastact.{spec.name} (its one instance): see "
                     f"help(fastact.{spec.name}).", "__module__": "fastact"}
    for method in ("__call__", "backward"):
        ns[method] = _copy(getattr(base, method), method, f"{spec.name}.{method}",
                           _method_doc(spec, method), _signature(spec, method))
        if spec.kind == "glu":
            ns[method] = _refuse_dim(ns[method])
    sig = _signature(spec, "__call__")
    ns["__signature__"] = sig.replace(parameters=list(sig.parameters.values())[1:])
    return type(spec.name, (base,), ns)


def build():
    """One API object per gated record, in their order."""
    out = {}
    for spec in _registry.GATED:
        # a docstring of its own: help(fastact.NAME) shows it alone (_api.build)
        out[spec.name] = _specialize(spec)(spec)
    return out

