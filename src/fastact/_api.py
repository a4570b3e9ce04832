"""The thin API: one object per activation, wrapping the compiled ufuncs.

The ufuncs (``fastact.UFUNCS``, from ``_dispatch``) already follow NumPy's rules (broadcasting, ``out=``,
strides, 0-d and empty arrays, byte order).  This layer adds only what an activation
library owes its users on top of that:

* integer and bool input computes in float64 (like ``np.tanh`` on Python ints and int64
  arrays; NumPy alone would give float16 for bool and int8);
* parameters (slopes, alpha, weight) are cast to the dtype of the data, so a float32
  input gives a float32 result whatever the parameter's type;
* bad input fails before anything is written, with a message that names the function
  and the argument; parameters are checked as the loop will see them (after the cast to
  its dtype), by the rules of their registry entries (``_registry.Param``);
* the objects pickle by name (``pickle.loads(pickle.dumps(fastact.tanh)) is fastact.tanh``),
  so that they can be sent to worker processes;
* the forms that are not plain ufunc calls: gelu's ``approximate``, prelu's per-channel
  weight and its gradient, rrelu's random slopes, softmax along an axis.

Duck arrays (objects that are not ndarrays but implement ``__array_ufunc__`` and have a
``dtype``, such as dask arrays) are never converted with ``np.asarray`` (which would
compute a dask array): the dtype rules are applied to their ``.dtype``, they are cast with
``.astype`` and handed to the ufunc, whose ``__array_ufunc__`` protocol lets them run it
their own way (dask: lazily, chunk by chunk; softmax through ``apply_gufunc``, so the
axis must not be chunked).

Small calls cost what the ufunc costs: the common ones (float32 or float64 ndarrays,
Python scalar parameters, an out of the result's dtype and shape, softmax along the last
axis) are checked and made in C by ``_fastcall``, with the same rules; the methods here
are the general path, to which the compiled ones hand every other call.
"""

import inspect
import math
import operator
import struct
import textwrap
import types

import numpy as np
from numpy.exceptions import AxisError

from . import _registry, reference
from ._dispatch import BFLOAT16, UFUNCS
from ._fastcall import METHODS, FastAxis, FastCall, method as _compiled_method
from ._sums import sum_over

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
# the floating dtypes that are not NumPy's own: ml_dtypes' bfloat16, when installed
_OTHER_FLOATS = (BFLOAT16,) if BFLOAT16 is not None else ()


def _is_float(dt):
    return dt.kind == "f" or dt in _OTHER_FLOATS
_PY_SCALARS = (float, int, bool)


def _is_duck(value):
    """A duck array: not a NumPy array or scalar, but with __array_ufunc__ and a dtype."""
    return (not isinstance(value, (np.ndarray, np.generic))
            and getattr(type(value), "__array_ufunc__", None) is not None
            and isinstance(getattr(value, "dtype", None), np.dtype))


def _real(fname, what, value):
    """Return value as something NumPy reads as real numbers, or raise TypeError.

    Python scalars are passed through untouched so that NumPy treats them as "weak"
    (``sigmoid(float32_array) * 2.0`` rules): they do not promote a float32 array.
    Duck arrays (see ``_is_duck``) are checked by their dtype and passed through.
    """
    if type(value) in _PY_SCALARS:
        if type(value) is int:
            try:
                float(value)
            except OverflowError:       # NumPy would fail with a message naming neither
                raise ValueError(f"fastact.{fname}: {what} is out of float64's range") from None
        return value
    if _is_duck(value):
        if (value.dtype.kind not in "biuf" and not _is_float(value.dtype)) or \
                value.dtype.itemsize > 8:
            raise TypeError(
                f"fastact.{fname}: {what} must be real numbers (bool, int or float up to "
                f"float64), got dtype {value.dtype}")
        return value
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"fastact.{fname}: {what} is not an array of numbers: {exc}") from None
    kind = arr.dtype.kind
    if (kind not in "biuf" and not _is_float(arr.dtype)) or arr.dtype.itemsize > 8:
        raise TypeError(
            f"fastact.{fname}: {what} must be real numbers (bool, int or float up to float64), "
            f"got dtype {arr.dtype}"
        )
    return arr


def _result_dtype(data):
    """NumPy's promotion of the data operands; integers and bool compute in float64."""
    dt = np.result_type(*[v.dtype if _is_duck(v) else v for v in data])
    return dt if _is_float(dt) else _F64


def _param_dtype(dtype):
    """The dtype of the parameters of dtype's loop: float16 and bfloat16 loops take
    float32 ones."""
    return _F64 if dtype.itemsize == 8 else _F32


def _cast(value, dtype):
    """value as dtype: lazily (``.astype``) for a duck array, else as an ndarray."""
    if _is_duck(value):
        return value if value.dtype == dtype else value.astype(dtype)
    return np.asarray(value, dtype=dtype)


def _check_out(fname, out, dtype):
    if out is None:
        return
    if not isinstance(out, np.ndarray):
        raise TypeError(f"fastact.{fname}: out must be a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"fastact.{fname}: out has dtype {out.dtype}, but the result is {dtype}")
    if not out.flags.writeable:
        raise ValueError(f"fastact.{fname}: out is read-only")


def _show(value):
    """value for an error message: a scalar as itself (shortened), an array by its shape."""
    if np.ndim(value):
        return f"an array of shape {np.shape(value)}"
    text = repr(value.item() if isinstance(value, (np.ndarray, np.generic)) else value)
    return text if len(text) <= 40 else text[:20] + "..."


def _ufunc_error(fname, exc, named, out=None):
    """exc, raised by a ufunc, as the error to raise: with the function's name and, when
    shapes clash, the arguments' (NumPy's message names neither)."""
    if isinstance(exc, TypeError):
        return TypeError(f"fastact.{fname}: {exc}")
    shapes = [(what, np.shape(v)) for what, v in named]
    try:
        shape = np.broadcast_shapes(*(s for _, s in shapes))
    except ValueError:
        listing = ", ".join(f"{what} {s}" for what, s in shapes)
        return ValueError(f"fastact.{fname}: the shapes of {listing} do not broadcast together")
    if out is not None and np.shape(out) != shape:
        return ValueError(f"fastact.{fname}: out has shape {np.shape(out)}, which does not "
                          f"match the result's shape {shape}")
    return ValueError(f"fastact.{fname}: {exc}")


# ---- parameter checks -------------------------------------------------------------------
# The rules are the registry's (_registry.Param: nonzero, inf, at_least,
# from_output_nonnegative); they are checked on the values the loop will take, i.e. after
# the cast to its parameter dtype, so that a value the cast turns into 0 or inf is refused
# rather than computed with (celu(float32 data, alpha=1e-50) would give NaN).

# Packing rounds a Python float to float32 as NumPy's cast does, and raises OverflowError
# where the cast gives inf ("=": the standard size, with that check; "f" alone has none).
_F32_STRUCT = struct.Struct("=f")

_CHECKED = (float, np.ndarray)     # what _check_scalar and _check_array return

# rrelu's slopes: per element in training, their mean in evaluation (no special rules).
_SLOPES = _registry.Param("slopes", None)
_SLOPE = _registry.Param("slope", None)


def _range_error(fname, p, value, pdtype):
    why = " (float32 and float16 data take float32 parameters)" if pdtype is _F32 else ""
    return ValueError(f"fastact.{fname}: {p.name}={_show(value)} is out of {pdtype.name}'s "
                      f"range{why}")


def _inf_error(fname, p):
    allowed = "" if p.inf is None else f" or {p.inf}"
    return ValueError(f"fastact.{fname}: {p.name} must be finite{allowed}")


def _zero_error(fname, p, value, rounded, pdtype):
    if rounded:
        return ValueError(f"fastact.{fname}: {p.name}={_show(value)} rounds to 0 in "
                          f"{pdtype.name}, and {p.name} must be nonzero")
    return ValueError(f"fastact.{fname}: {p.name} must be nonzero")


def _check_scalar(fname, p, value, pdtype):
    """A Python scalar parameter as the loop takes it (a float, rounded to float32 for a
    float32 loop), checked with math alone: small calls pay for every microsecond."""
    try:
        c = float(value)
        if pdtype is _F32:
            c = _F32_STRUCT.unpack(_F32_STRUCT.pack(c))[0]
    except OverflowError:              # an int beyond float64, a float beyond float32
        raise _range_error(fname, p, value, pdtype) from None
    if not math.isfinite(c):
        if c != c:
            raise ValueError(f"fastact.{fname}: {p.name} is NaN")
        if c != p.inf:
            raise _inf_error(fname, p)
    elif c == 0.0 and p.nonzero:
        raise _zero_error(fname, p, value, value != 0, pdtype)
    return c


def _check_array(fname, p, value, pdtype):
    """An array (or NumPy scalar) parameter cast to pdtype, checked elementwise."""
    a = np.asarray(value)
    with np.errstate(all="ignore"):    # values out of range or rounding to 0: see below
        c = a.astype(pdtype, copy=False)
    if not np.isfinite(c).all():
        if np.isnan(c).any():
            raise ValueError(f"fastact.{fname}: {p.name} is NaN")
        inf = np.isinf(c)
        if np.isfinite(a[inf]).any():
            raise _range_error(fname, p, value, pdtype)
        if p.inf is None or (c[inf] != p.inf).any():
            raise _inf_error(fname, p)
    if p.nonzero and not c.all():
        raise _zero_error(fname, p, value, a[c == 0].any(), pdtype)
    return c


def _check_params(fname, params, pdtype, from_output=False):
    """The values of params, a list of (Param, value) with the values through _real, as
    the loop with parameter dtype pdtype will take them (a float or an ndarray), checked
    by their Param's rules, each parameter's own before the order of two.  Duck arrays
    pass unchecked: their values are not known until they are computed."""
    values = {}
    for p, v in params:
        if v is None and p.default is None:
            values[p.name] = None       # "not given" (Param): the specialised kernel's
            continue
        if type(v) in _PY_SCALARS:
            c = _check_scalar(fname, p, v, pdtype)
        elif isinstance(v, np.ndarray):
            c = _check_array(fname, p, v, pdtype)
        else:
            c = v
        if type(p.at_least) is float:
            # a bound of its own (softshrink's lambd >= 0; -0.0 passes, as in PyTorch)
            below = (c < p.at_least if type(c) is float else
                     type(c) is np.ndarray and bool((c < p.at_least).any()))
            if below:
                raise ValueError(f"fastact.{fname}: {p.name} must be >= {p.at_least}, got "
                                 f"{p.name}={_show(v)}")
        elif p.at_least is not None:
            lo = values[p.at_least]
            if type(lo) is float and type(c) is float:
                bad = lo > c
            elif type(lo) in _CHECKED and type(c) in _CHECKED:
                try:
                    bad = bool(np.any(lo > c))
                except ValueError:                 # arrays whose shapes do not broadcast
                    raise ValueError(f"fastact.{fname}: the shapes of {p.at_least} "
                                     f"{np.shape(lo)} and {p.name} {np.shape(c)} do not "
                                     f"broadcast together") from None
            else:
                bad = False
            if bad:
                # PyTorch's hardtanh: "min_val cannot be greater than max_val"
                raise ValueError(f"fastact.{fname}: {p.at_least} must be <= {p.name}, got "
                                 f"{p.at_least}={_show(lo)}, {p.name}={_show(c)}")
        if from_output and p.from_output_nonnegative and (
                c < 0 if type(c) is float else type(c) is np.ndarray and (c < 0).any()):
            raise ValueError(
                f"fastact.{fname}: the from-output formulas need {p.name} >= 0 (with a "
                f"negative {p.name} y no longer tells the branch)")
        values[p.name] = c
    return list(values.values())


def _as_loop_takes(value, pdtype):
    """A Python float as a loop with parameter dtype pdtype takes it."""
    return value if pdtype is _F64 else _F32_STRUCT.unpack(_F32_STRUCT.pack(value))[0]


def _at_defaults(params, values, pdtype):
    """Whether every parameter value is a Python float equal to its default as the loop
    takes it, or None where the default is None (then the specialised kernel runs; the
    general one gives the same results at a float default)."""
    return all(c is None if p.default is None else
               type(c) is float and c == _as_loop_takes(p.default, pdtype)
               for (p, _), c in zip(params, values))


def _call(fname, ufunc, data, params, out, from_output=False, general=None, **kwargs):
    """Run one ufunc: data operands promoted together, parameters cast to their dtype.

    data: (name, value) pairs; params: (Param, value) pairs, checked by the Param's
    rules (_check_params; from_output: with the from-output forms' rules too).  general:
    the general kernel's ufunc of a record with one (Record.general): then ufunc is the
    specialised kernel, which takes no parameters and runs when they are all at their
    defaults, and general runs with them otherwise.  Every check, ours and NumPy's
    (shapes, axis, read-only out), happens before the loop writes anything; errors are
    re-raised with the function's name.
    """
    names = [what for what, _ in data] + [p.name for p, _ in params]
    data = [_real(fname, what, v) for what, v in data]
    params = [(p, v if v is None and p.default is None else _real(fname, p.name, v))
              for p, v in params]
    dtype = _result_dtype(data)
    pdtype = _param_dtype(dtype)
    values = _check_params(fname, params, pdtype, from_output)
    if general is not None:
        if _at_defaults(params, values, pdtype):
            names, values = names[:len(data)], []
        else:
            ufunc = general
    duck = next((v for v in data if _is_duck(v)), None)
    if duck is not None:
        # Duck arrays (dask): every operand cast to its loop's dtype beforehand, so the
        # ufunc's own type resolution picks exactly the loop signature= would (dask's
        # __array_ufunc__ takes no signature=), and the duck type runs it (lazily).
        if out is not None:
            raise TypeError(f"fastact.{fname}: out= is not supported for "
                            f"{type(duck).__name__} input")
        data = [_cast(v, dtype) for v in data]
        values = [_cast(v, pdtype) for v in values]
    else:
        _check_out(fname, out, dtype)
        kwargs.update(out=out, signature=(dtype,) * len(data) + (pdtype,) * len(values)
                      + (dtype,))
    try:
        return ufunc(*data, *values, **kwargs)
    except (TypeError, ValueError) as exc:
        raise _ufunc_error(fname, exc, list(zip(names, data + values)), out) from None


_EXAMPLE_X = [-2.0, 0.0, 1.5]
_EXAMPLE_ROW = [1.0, 2.0, 3.0]


def _rounded(values):
    """How NumPy prints np.round(array, 4) of these values (the doctest's expected text)."""
    return repr(np.round(np.array(values, dtype=np.float64), 4))


def _example(spec, ref):
    """A doctest for an activation's docstring: its forward and derivative (the softmax
    family: its backward from x and from y) at a few points, with the output computed by
    the pure-Python reference, so the text is true for the kernels up to the rounding to
    4 decimals."""
    lines = [">>> import numpy as np, fastact"]
    if spec.kind == "axis":
        y = ref(_EXAMPLE_ROW)
        g = [0.0, 1.0, 0.0]
        lines += [f">>> x = np.array({_EXAMPLE_ROW})",
                  f">>> y = fastact.{spec.name}(x)",
                  ">>> np.round(y, 4)", _rounded(y),
                  f">>> g = np.array({g})",
                  f">>> np.round(fastact.{spec.name}.backward(g, x), 4)",
                  _rounded(ref.backward(g, _EXAMPLE_ROW)),
                  f">>> np.round(fastact.{spec.name}.backward_from_output(g, y), 4)",
                  _rounded(ref.backward_from_output(g, y))]
    else:
        # required parameters (threshold's) are passed their example values
        args = [p.default for p in spec.params if p.required]
        text = "".join(f", {a!r}" for a in args)
        lines += [f">>> x = np.array({_EXAMPLE_X})",
                  f">>> np.round(fastact.{spec.name}(x{text}), 4)",
                  _rounded([ref(v, *args) for v in _EXAMPLE_X]),
                  f">>> np.round(fastact.{spec.name}.derivative(x{text}), 4)",
                  _rounded([ref.derivative(v, *args) for v in _EXAMPLE_X])]
    return "\n".join(lines) + "\n"


def _activation(name):
    """fastact.<name> of this process: what a pickled activation unpickles to (pickle
    stores the name only, so a worker process gets its own, with its own kernels)."""
    from . import ACTIVATIONS, GATED   # at call time: fastact has been imported by then
    return ACTIVATIONS[name] if name in ACTIVATIONS else GATED[name]


class Activation:
    """An activation: ``f(x, *params, out=None)`` and its derivative and backward.

    Attributes: ``name``, ``params`` (names and defaults), ``info`` (the registry entry:
    formula, output range, zero-centred, maximum derivative, when to use and to avoid),
    ``reference`` (the pure-Python twin with the same methods).
    """

    _FAST = ()      # the methods with a compiled fast path (_specialize): subclasses'

    def __init__(self, spec):
        self.info = spec
        self.name = spec.name
        self.params = spec.params
        self.reference = reference.BY_NAME[spec.name]
        self.__doc__ = _doc(spec, getattr(type(self), "__signature__", None),
                            self.reference)

    def __repr__(self):
        args = "".join(f", {p.name}" if p.required else f", {p.name}={p.default!r}"
                       for p in self.params)
        return f"<fastact.{self.name}(x{args})>"

    def __reduce__(self):
        # By name: unpickles (and copies) to the very same object; its bound methods
        # then pickle too, as getattr(activation, method name).
        return _activation, (self.name,)

    def _fname(self, method):
        return self.name if method == "forward" else f"{self.name}.{method}"

    @property
    def has_derivative(self):
        """Whether there is a ``derivative(x)``, f' elementwise (not for the softmax family,
        whose Jacobian is a matrix per row: use ``backward``)."""
        return hasattr(self, "derivative")

    @property
    def has_from_output(self):
        """Whether the backward can also take the forward's output y instead of x
        (``backward_from_output(grad_output, y)``, and for elementwise activations
        ``derivative_from_output(y)``): f' is a function of y."""
        return hasattr(self, "backward_from_output")

    def _bind(self, method, args, kwargs):
        """Match positional and keyword parameters to this activation's, with defaults:
        (Param, value) pairs in the registry's order."""
        params, fname = self.params, self._fname(method)
        if len(args) > len(params):
            raise TypeError(f"fastact.{fname}: takes {len(params)} parameter(s) "
                            f"after the data, got {len(args)}")
        values = {p.name: p.default for p in params}
        for p, v in zip(params, args):
            values[p.name] = v
        positional = {p.name for p in params[:len(args)]}
        for k, v in kwargs.items():
            if k not in values:
                raise TypeError(f"fastact.{fname}: unexpected argument {k!r}")
            if k in positional:
                raise TypeError(f"fastact.{fname}: {k!r} given twice")
            values[k] = v
        for p in params:
            # a required parameter's `default` is only its example value (Param)
            if p.required and p.name not in positional and p.name not in kwargs:
                raise TypeError(f"fastact.{fname}() missing required argument {p.name!r}")
        return [(p, values[p.name]) for p in params]


# The ufuncs' suffixes, in the order of _fastcall.METHODS.
_SUFFIXES = tuple("" if m == "__call__" else "_" + m for m in METHODS)


class Elementwise(Activation, FastCall):
    """An activation whose parameters are scalars or arrays broadcast against x."""

    # The methods with a compiled fast path (besides the forward): _specialize.
    _FAST = ("derivative", "backward")

    def __init__(self, spec):
        super().__init__(spec)
        self._u = {suffix: UFUNCS.get(spec.kernel + suffix) for suffix in _SUFFIXES}
        # a record with a general kernel: self._u are the specialised kernel's ufuncs (the
        # defaults), self._g the general kernel's (None where there is none)
        self._g = {suffix: (None if spec.general is None else
                            UFUNCS.get(spec.general.kernel + suffix)) for suffix in _SUFFIXES}
        self._setup(self._u.values(), spec.params,
                    None if spec.general is None else self._g.values())

    # The general path of every call.  Each activation's class (_specialize) runs them
    # through compiled methods (_fastcall: FastCall.__call__ for the forward, method() for
    # the others), which take the common calls straight to the ufunc and hand every other
    # call to these.
    def _general_call(self, x, *args, out=None, **kwargs):
        return _call(self.name, self._u[""], [("x", x)], self._bind("forward", args, kwargs),
                     out, general=self._g[""])

    def derivative(self, x, *args, out=None, **kwargs):
        return _call(self.name + ".derivative", self._u["_derivative"], [("x", x)],
                     self._bind("derivative", args, kwargs), out,
                     general=self._g["_derivative"])

    def backward(self, grad_output, x, *args, out=None, **kwargs):
        return _call(self.name + ".backward", self._u["_backward"],
                     [("grad_output", grad_output), ("x", x)],
                     self._bind("backward", args, kwargs), out, general=self._g["_backward"])


class ElementwiseFromOutput(Elementwise):
    """An elementwise activation whose derivative is a function of its output y."""

    _FAST = Elementwise._FAST + ("derivative_from_output", "backward_from_output")

    def derivative_from_output(self, y, *args, out=None, **kwargs):
        return _call(self.name + ".derivative_from_output",
                     self._u["_derivative_from_output"], [("y", y)],
                     self._bind("derivative_from_output", args, kwargs), out,
                     from_output=True, general=self._g["_derivative_from_output"])

    def backward_from_output(self, grad_output, y, *args, out=None, **kwargs):
        return _call(self.name + ".backward_from_output", self._u["_backward_from_output"],
                     [("grad_output", grad_output), ("y", y)],
                     self._bind("backward_from_output", args, kwargs), out,
                     from_output=True, general=self._g["_backward_from_output"])


class GELU(Activation):
    """gelu(x, approximate='none' | 'tanh'): the exact x*Phi(x) or PyTorch's tanh form.

    The kernel for each value of ``approximate`` comes from the registry: the record's own
    for the default, and the records that declare themselves its variants (gelu_tanh's
    ``variant_of``) for the others.  The parameter's aliases (True for 'tanh', False for
    'none', as JAX and Keras pass it) are its record's too."""

    def __init__(self, spec):
        super().__init__(spec)
        (p,) = spec.params
        self._KERNELS = {p.default: spec.kernel,
                         **{v: rec.kernel for (_, v), rec in
                            _registry.variants_of(spec.name).items()}}
        # by (type, value): 1 and 1.0 are not True; NumPy's bools are bools too
        self._ALIASES = {(t, a): self._KERNELS[v] for a, v in p.aliases
                         for t in (type(a), np.bool_)}

    def _kernel(self, method, approximate):
        if type(approximate) is str and approximate in self._KERNELS:
            return self._KERNELS[approximate]
        try:
            return self._ALIASES[type(approximate), approximate]
        except (KeyError, TypeError):           # TypeError: an unhashable value
            allowed = list(self._KERNELS) + [a for a, _ in self.params[0].aliases]
            raise ValueError(f"fastact.{self._fname(method)}: approximate must be one of "
                             f"{allowed!r}, got {approximate!r}") from None

    def __call__(self, x, approximate="none", *, out=None):
        if type(x) is np.ndarray and out is None and (x.dtype is _F32 or x.dtype is _F64):
            if type(approximate) is str and approximate in self._KERNELS:
                return UFUNCS[self._KERNELS[approximate]](x)   # the common call, unchecked
            if type(approximate) is bool:
                return UFUNCS[self._ALIASES[bool, approximate]](x)
        k = self._kernel("forward", approximate)
        return _call(self.name, UFUNCS[k], [("x", x)], [], out)

    def derivative(self, x, approximate="none", *, out=None):
        k = self._kernel("derivative", approximate)
        return _call(self.name + ".derivative", UFUNCS[k + "_derivative"], [("x", x)], [], out)

    def backward(self, grad_output, x, approximate="none", *, out=None):
        k = self._kernel("backward", approximate)
        return _call(self.name + ".backward", UFUNCS[k + "_backward"],
                     [("grad_output", grad_output), ("x", x)], [], out)


class PReLU(Activation, FastCall):
    """prelu(x, weight): leaky ReLU with a learned slope, one per channel on axis 1.

    ``weight`` is one slope (a scalar or one element) or a 1-d array with one slope per
    channel, the channels being axis 1 of x (as torch.nn.functional.prelu).
    """

    # A Python scalar weight makes the forward and derivative leaky_relu's calls: the
    # compiled fast path (FastCall) takes them; _general_call is the forward's general path.
    _FAST = ("derivative",)

    def __init__(self, spec):
        super().__init__(spec)
        self._setup([UFUNCS[spec.kernel], UFUNCS[spec.kernel + "_derivative"], None, None,
                     None], spec.params)

    def _weight(self, method, x, weight):
        w = _real(self._fname(method), "weight", weight)
        if type(w) in _PY_SCALARS:
            return w, ()            # checked as a Python scalar: the cheap path
        w = w if _is_duck(w) else np.asarray(w)
        if w.size == 1:
            return w.reshape(()), w.shape
        ndim = np.ndim(x)
        if w.ndim != 1 or ndim < 2 or np.shape(x)[1] != w.shape[0]:
            raise ValueError(
                f"fastact.{self._fname(method)}: weight must have 1 element or one per channel "
                f"(axis 1 of x); got weight shape {w.shape} for x shape {np.shape(x)}")
        return w.reshape((-1,) + (1,) * (ndim - 2)), w.shape

    def _general_call(self, x, weight=0.25, *, out=None):
        x = _real(self.name, "x", x)
        w, _ = self._weight("forward", x, weight)
        return _call(self.name, UFUNCS[self.info.kernel], [("x", x)], [(self.params[0], w)], out)

    def derivative(self, x, weight=0.25, *, out=None):
        x = _real(self.name + ".derivative", "x", x)
        w, _ = self._weight("derivative", x, weight)
        return _call(self.name + ".derivative", UFUNCS[self.info.kernel + "_derivative"], [("x", x)],
                     [(self.params[0], w)], out)

    def backward(self, grad_output, x, weight=0.25, *, out=None):
        """Returns (grad_x, grad_weight); grad_weight has the weight's shape."""
        fname = self.name + ".backward"
        g = _real(fname, "grad_output", grad_output)
        x = _real(fname, "x", x)
        w, wshape = self._weight("backward", x, weight)
        dtype = _result_dtype([g, x])
        _check_out(fname, out, dtype)
        try:
            shape = np.broadcast_shapes(np.shape(g), np.shape(x))
        except ValueError as exc:
            raise _ufunc_error(fname, exc, [("grad_output", g), ("x", x)]) from None
        if out is not None and out.shape != shape:
            # NumPy would broadcast grad_output and x to a larger out, and grad_weight
            # would sum over that shape instead of theirs.
            raise ValueError(f"fastact.{fname}: out has shape {out.shape}, but grad_output "
                             f"and x broadcast to {shape}")
        # d/dweight of (x if x > 0 else weight * x) is x on the x <= 0 side, 0 elsewhere
        # (NaN stays NaN: NaN > 0 is False).  Computed before grad_x is written, since out
        # may be grad_output or x (or share memory with them).
        # Computed with NumPy under errstate, so that it raises no floating-point warning,
        # like the kernels (an infinite grad_output times x = 0 is NaN silently); summed
        # by sum_over: 16-bit in float64, rounded once, an overflow inf without a warning.
        xa = _cast(x, dtype)
        with np.errstate(all="ignore"):
            contrib = _cast(g, dtype) * np.where(xa > 0, 0, xa)
            contrib = np.broadcast_to(contrib, shape)
        axes = tuple(i for i in range(contrib.ndim) if np.ndim(w) == 0 or i != 1)
        grad_w = sum_over(contrib, axes, dtype).reshape(wshape)
        grad_x = _call(fname, UFUNCS[self.info.kernel + "_backward"], [("grad_output", g), ("x", x)],
                       [(self.params[0], w)], out)
        return grad_x, grad_w


_RRELU_EVAL = {}       # (dtype num, lower, upper) -> the checked slope (RReLU.__call__)
_F32_F64 = (np.dtype(np.float32), np.dtype(np.float64))     # native byte order


class RReLU(Activation):
    """rrelu(x, lower=1/8, upper=1/3, training=False, rng=None).

    Evaluation (the default): leaky ReLU with slope (lower + upper) / 2.  Training: a
    slope per element drawn from U(lower, upper) with ``np.random.default_rng(rng)``;
    returns ``(y, slopes)`` and the backward takes ``slopes=`` to use the same ones.
    """

    def _bounds(self, fname, data, lower, upper):
        """data through _real, and lower and upper checked as the loop with this data
        takes them (the registry's rules: no NaN or inf, lower <= upper)."""
        data = [(what, _real(fname, what, v)) for what, v in data]
        pdtype = _param_dtype(_result_dtype([v for _, v in data]))
        lo, hi = _check_params(fname, [(p, _real(fname, p.name, v)) for p, v in
                                       zip(self.params, (lower, upper))], pdtype)
        return data, lo, hi

    def _training(self, fname, training):
        try:
            return bool(training)
        except (TypeError, ValueError):       # an array of several flags
            raise TypeError(f"fastact.{fname}: training must be True or False, "
                            f"got {_show(training)}") from None

    def _slope(self, method, data, lower, upper, training, slopes):
        """data, and the slope parameter: slopes= as given, else the mean of the bounds."""
        fname = self._fname(method)
        data, lo, hi = self._bounds(fname, data, lower, upper)
        if slopes is not None:
            return data, (_SLOPES, slopes)
        if self._training(fname, training):
            raise ValueError(f"fastact.{fname}: in training pass slopes=, the "
                             "slopes returned by the forward")
        # halves first: (lower + upper) / 2 overflows for bounds near the largest float
        if type(lo) is float and type(hi) is float:
            return data, (_SLOPE, lo / 2.0 + hi / 2.0)
        with np.errstate(all="ignore"):          # halving a subnormal underflows
            return data, (_SLOPE, np.divide(lo, 2.0) + np.divide(hi, 2.0))

    def __call__(self, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, rng=None, *,
                 out=None):
        if (training is False and out is None and type(x) is np.ndarray
                and x.dtype in _F32_F64 and type(lower) is float and type(upper) is float
                and lower and upper):
            # the evaluation call on a float32 or float64 array: the slope of these bounds
            # for this dtype is checked once (_slope) and kept, then the ufunc runs
            # directly (a small call costs what leaky_relu's does).  Zero bounds take the
            # path below: -0.0 == 0.0 as a key, but the sign of a zero slope shows.
            key = (x.dtype.num, lower, upper)
            slope = _RRELU_EVAL.get(key)
            if slope is None:
                slope = self._slope("forward", [("x", x)], lower, upper, False, None)[1][1]
                if len(_RRELU_EVAL) >= 64:
                    _RRELU_EVAL.clear()
                _RRELU_EVAL[key] = slope
            # (float32 data has a float32 slope, float64 data a Python float: the loop of
            # x's dtype, as the signature the general path passes selects)
            return UFUNCS[self.info.kernel](x, slope)
        if not self._training(self.name, training):
            data, slope = self._slope("forward", [("x", x)], lower, upper, False, None)
            return _call(self.name, UFUNCS[self.info.kernel], data, [slope], out)
        data, lo, hi = self._bounds(self.name, [("x", x)], lower, upper)
        x = data[0][1]
        dtype = _result_dtype([x])
        _check_out(self.name, out, dtype)
        try:
            gen = np.random.default_rng(rng)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"fastact.{self.name}: rng must be None, a seed (an int >= 0 or "
                            f"a sequence of them), a SeedSequence, a BitGenerator or a "
                            f"Generator: {exc}") from None
        try:
            slopes = gen.uniform(lo, hi, size=np.shape(x))
        except (ValueError, OverflowError) as exc:
            # bounds that do not broadcast to x's shape; upper - lower beyond float64
            raise ValueError(f"fastact.{self.name}: lower and upper: {exc}") from None
        slopes = slopes.astype(_param_dtype(dtype))
        y = _call(self.name, UFUNCS[self.info.kernel], data, [(_SLOPES, slopes)], out)
        return y, slopes

    def derivative(self, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, *,
                   slopes=None, out=None):
        data, s = self._slope("derivative", [("x", x)], lower, upper, training, slopes)
        return _call(self.name + ".derivative", UFUNCS[self.info.kernel + "_derivative"], data, [s],
                     out)

    def backward(self, grad_output, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, *,
                 slopes=None, out=None):
        data, s = self._slope("backward", [("grad_output", grad_output), ("x", x)], lower,
                              upper, training, slopes)
        return _call(self.name + ".backward", UFUNCS[self.info.kernel + "_backward"], data, [s], out)


class Softmax(Activation, FastAxis):
    """softmax / softmin / log_softmax along an axis (default the last), as generalized
    ufuncs.

    ``axis`` is an integer, a tuple of integers (the row is every element along those
    axes, as SciPy's and Keras's softmax allow) or None (every element).  ``where`` (JAX's
    name) is a boolean mask broadcast to x: masked-out entries give 0 (-inf for
    log_softmax) and are left out of the normalisation; a fully masked row is an all
    -inf row (0 everywhere; -inf for log_softmax).  ``backward(grad_output, x, axis=-1,
    where=None)`` takes the input x, as every activation's backward does, and returns the
    vector-Jacobian product along the axis (0 at masked-out entries);
    ``backward_from_output(grad_output, y, ...)`` takes the forward's output y instead
    (no forward recomputed).  A 0-d input is one row of one element.
    """

    # Along the last axis, float32 or float64 ndarrays go to the ufunc from C (FastAxis);
    # these methods are the general path.
    _FAST = ("backward", "backward_from_output")

    def __init__(self, spec):
        super().__init__(spec)
        # FastAxis runs the backward from x as the forward, then the from-output ufunc
        self._setup([UFUNCS[spec.kernel], None, None, None, UFUNCS[spec.kernel + "_backward"]],
                    spec.params)

    def _axes(self, fname, axis, ndim):
        """axis as an int, or a tuple of distinct non-negative axes (None: all of them)."""
        ndim = max(ndim, 1)                     # a 0-d input is one row of one element
        many = axis is None or isinstance(axis, tuple)
        axes = tuple(range(ndim)) if axis is None else axis if many else (axis,)
        out = []
        for a in axes:
            try:
                a = operator.index(a)
            except TypeError:
                raise TypeError(f"fastact.{fname}: axis must be an integer, a tuple of "
                                f"integers or None, got {axis!r}") from None
            # checked here: NumPy's own check fails with OverflowError beyond a C long
            if not -ndim <= a < ndim:
                raise AxisError(f"fastact.{fname}: axis {a} is out of bounds for array "
                                f"of dimension {ndim}")
            out.append(a % ndim)
        if len(set(out)) != len(out):
            raise ValueError(f"fastact.{fname}: axis {axis!r} repeats an axis")
        if not out:
            raise ValueError(f"fastact.{fname}: axis is an empty tuple")
        return tuple(out) if many and len(out) > 1 else out[0]

    def _mask(self, fname, where, shape):
        if where is None:
            return None
        w = np.asarray(where)
        if w.dtype != np.bool_:
            raise TypeError(f"fastact.{fname}: where must be booleans, got dtype {w.dtype}")
        try:
            return np.broadcast_to(w, shape)
        except ValueError:
            raise ValueError(f"fastact.{fname}: where has shape {w.shape}, which does not "
                             f"broadcast to the input's shape {shape}") from None

    def _axis_call(self, method, ufunc, data, axis, out, where=None):
        fname = self._fname(method)
        data = [(what, _real(fname, what, v)) for what, v in data]
        if out is not None and not isinstance(out, np.ndarray):
            raise TypeError(f"fastact.{fname}: out must be a numpy.ndarray, "
                            f"got {type(out).__name__}")
        if len(data) == 2 and np.shape(data[0][1]) != np.shape(data[1][1]):
            # grad_output and y broadcast against each other, as in every other backward
            # (the generalized ufunc alone would refuse a grad_output without the axis).
            dt = _result_dtype([v for _, v in data])      # before a Python scalar turns strong
            try:
                g, y = np.broadcast_arrays(_cast(data[0][1], dt), _cast(data[1][1], dt))
            except ValueError as exc:
                raise _ufunc_error(fname, exc, data) from None
            data = [(data[0][0], g), (data[1][0], y)]
        shape = np.shape(data[0][1])
        axis = self._axes(fname, axis, len(shape))
        mask = self._mask(fname, where, shape)
        if mask is not None:
            # Masked-out entries leave the row: the forward sees them as the value whose
            # weight is exactly 0 (-inf for softmax and log_softmax, +inf for softmin: the
            # record's sign); the backward sees a zero grad_output there.
            dt = _result_dtype([v for _, v in data])
            fill = -self.info.accuracy.sign * np.inf if len(data) == 1 else 0
            first = _cast(data[0][1], dt)
            data = [(data[0][0], np.where(mask, first, np.asarray(fill, dt)))] + data[1:]
        res = self._rows(fname, ufunc, data, axis, out)
        if mask is not None and len(data) == 2:          # 0 there, whatever y holds
            if isinstance(res, np.ndarray):
                np.copyto(res, 0, where=~mask)
            elif not mask[()]:
                res = res.dtype.type(0)
        return res

    def _rows(self, fname, ufunc, data, axis, out):
        if isinstance(axis, tuple):
            # the row is every element along these axes: they go last, merged into one
            shape = np.shape(data[0][1])
            dt = _result_dtype([v for _, v in data])
            _check_out(fname, out, dt)
            if out is not None and out.shape != shape:
                raise ValueError(f"fastact.{fname}: out has shape {out.shape}, which does "
                                 f"not match the result's shape {shape}")
            last = tuple(range(len(shape) - len(axis), len(shape)))
            moved = [np.moveaxis(_cast(v, dt), axis, last) for _, v in data]
            flat = [(what, m.reshape(m.shape[:len(shape) - len(axis)] + (-1,)))
                    for (what, _), m in zip(data, moved)]
            res = _call(fname, ufunc, flat, [], None, axis=-1)
            res = np.moveaxis(res.reshape(moved[0].shape), last, axis)
            if out is None:
                return np.ascontiguousarray(res)
            np.copyto(out, res)
            return out
        if all(np.ndim(v) == 0 for _, v in data):
            # One row of one element: run it as shape (1,), hand back a 0-d result.
            data = [(what, np.reshape(v, (1,))) for what, v in data]
            if out is not None and out.size != 1:
                raise ValueError(f"fastact.{fname}: out has shape {out.shape}, which does "
                                 f"not match the result's shape ()")
            res = _call(fname, ufunc, data, [], None if out is None else out.reshape(1), axis=0)
            if out is not None:
                return out
            return res[0]
        return _call(fname, ufunc, data, [], out, axis=axis)

    def _general_call(self, x, axis=-1, *, where=None, out=None, **kwargs):
        _no_dim(self.name, kwargs)
        return self._axis_call("forward", UFUNCS[self.info.kernel], [("x", x)], axis, out,
                               where)

    def backward(self, grad_output, x, axis=-1, *, where=None, out=None, **kwargs):
        _no_dim(self.name + ".backward", kwargs)
        fname = self.name + ".backward"
        g = _real(fname, "grad_output", grad_output)
        x = _real(fname, "x", x)
        if out is not None:
            _check_out(fname, out, _result_dtype([g, x]))
        # y = f(x) first (a temporary; masked-out entries as the forward gives them),
        # then the from-output kernel: the same numbers as backward_from_output(g, f(x)).
        # The errors name the backward, and grad_output's shape is checked before the
        # forward runs (nothing is computed for a call that will fail).
        try:
            shape = np.broadcast_shapes(np.shape(g), np.shape(x))
        except ValueError as exc:
            raise _ufunc_error(fname, exc, [("grad_output", g), ("x", x)]) from None
        self._axes(fname, axis, len(shape))
        if where is not None:
            self._mask(fname, where, shape)
        y = self._axis_call("backward", UFUNCS[self.info.kernel], [("x", x)], axis, None,
                            where)
        return self._axis_call("backward", UFUNCS[self.info.kernel + "_backward"],
                               [("grad_output", g), ("x", y)], axis, out, where)

    def backward_from_output(self, grad_output, y, axis=-1, *, where=None, out=None,
                             **kwargs):
        _no_dim(self.name + ".backward_from_output", kwargs)
        return self._axis_call("backward_from_output", UFUNCS[self.info.kernel + "_backward"],
                               [("grad_output", grad_output), ("y", y)], axis, out, where)


def _no_dim(fname, kwargs):
    """Keywords a method does not take: PyTorch's dim gets a pointer to axis (NumPy's
    name), the others Python's own message."""
    if "dim" in kwargs:
        raise TypeError(f"fastact.{fname}: no argument 'dim': fastact's name for PyTorch's "
                        f"dim is axis (NumPy's name)")
    if kwargs:
        raise TypeError(f"fastact.{fname}() got an unexpected keyword argument "
                        f"{next(iter(kwargs))!r}")


_CLASSES = {"elementwise": Elementwise, "gelu": GELU, "prelu": PReLU, "rrelu": RReLU,
            "axis": Softmax}


def _class(spec):
    if spec.kind == "elementwise" and _registry.KERNEL_BY_NAME[spec.kernel].from_output:
        return ElementwiseFromOutput
    return _CLASSES[spec.kind]


# ---- signatures and docstrings ----------------------------------------------------------
# Each activation is an instance of a class of its own, made here from its record, so that
# help() and inspect.signature show its real parameters, formula and derivative (the
# shared methods take *args / **kwargs).  The methods are copies of the shared functions
# (the same code, no extra call) that carry their own __doc__ and __signature__.

_P = inspect.Parameter
_DATA = {"__call__": ("x",), "derivative": ("x",), "backward": ("grad_output", "x"),
         "derivative_from_output": ("y",), "backward_from_output": ("grad_output", "y")}

# The docstrings are numpydoc's format (sections underlined: Parameters, Returns, See Also,
# Notes, Examples), which help() shows as plain text and Sphinx's numpydoc renders; the
# record's formulas go in literal text (``...``), its prose in a literal block, so that
# no character of theirs (*, |, _) is read as reStructuredText markup.

_DATA_DOC = {
    "x": ("array_like", "The input: real numbers (integers and bool compute in float64; "
                        "float16 and bfloat16 keep their dtype)."),
    "y": ("array_like", "The forward's output y = f(x)."),
    "grad_output": ("array_like", "The gradient of the loss with respect to the output "
                                  "(broadcast against the other data)."),
}
_EXTRA_DOC = {   # arguments that are not the record's parameters
    "where": ("array_like of bool, optional",
              "A mask broadcast to x: masked-out entries give 0 (-inf for log_softmax) and "
              "are left out of the normalisation (JAX's where)."),
    "training": ("bool, default False",
                 "Training: a random slope per element, drawn from U(lower, upper); "
                 "evaluation: the slope (lower + upper) / 2."),
    "rng": ("None, int, SeedSequence, BitGenerator or Generator, optional",
            "The random source in training, as np.random.default_rng takes it."),
    "slopes": ("array_like, optional",
               "The slopes the forward drew in training (its second result)."),
    "out": ("ndarray, optional", "An array of the result's dtype and shape to write into."),
}


def _param_doc(spec, p):
    """(type, description) of one of the record's parameters for the Parameters section."""
    if spec.kind == "axis" and p.name == "axis":
        return ("int, tuple of ints or None, default -1",
                "The axis the rows run along; a tuple of axes makes the elements along "
                "them one row, None every element.  (PyTorch calls it dim.)")
    if spec.kind == "prelu":
        return (f"float or array_like, default {p.default!r}",
                "The slope for x <= 0: one value, or a 1-d array with one slope per "
                "channel (axis 1 of x).")
    if isinstance(p.default, str):
        names = ", ".join(repr(v) for v in (p.default,) + tuple(
            v for _, v in p.aliases if v != p.default))
        alias = ", ".join(f"{a!r} means {v!r}" for a, v in p.aliases)
        return (f"{{{names}}} or bool, default {p.default!r}",
                f"Which form to compute; {alias} (as JAX and Keras pass it).")
    rules = []
    if p.nonzero:
        rules.append("nonzero")
    if type(p.at_least) is float:
        rules.append(f">= {p.at_least}")
    elif p.at_least is not None:
        rules.append(f">= {p.at_least}")
    if p.from_output_nonnegative:
        rules.append(">= 0 in the from-output forms")
    rules.append("finite" if p.inf is None else f"finite or {p.inf}")
    rule = f"{', '.join(rules)}.".capitalize()
    if p.required:
        return "float or array_like", f"Required. {rule}"
    if p.default is None:
        return "float or array_like, optional", f"Not given by default. {rule}"
    return f"float or array_like, default {p.default!r}", rule


def _params_section(spec, sig):
    """The Parameters section for a method of signature sig (self excluded)."""
    by_name = {p.name: p for p in spec.params}
    lines = ["Parameters", "----------"]
    for name in sig.parameters:
        if name in _DATA_DOC:
            typ, desc = _DATA_DOC[name]
        elif name in by_name:
            typ, desc = _param_doc(spec, by_name[name])
        elif name in _EXTRA_DOC:
            typ, desc = _EXTRA_DOC[name]
        else:
            continue
        lines += [f"{name} : {typ}"] + _wrap(desc, "    ")
    return lines


def _wrap(text, indent="", more=""):
    """text as lines of at most 88 characters (more: the further lines' extra indent)."""
    return textwrap.wrap(text, 88, initial_indent=indent, subsequent_indent=indent + more,
                         break_on_hyphens=False, break_long_words=False)


_RETURNS = {
    "__call__": "f(x), of the shape of the broadcast data and the data's dtype (float64 for "
                "integer or bool input); a NumPy scalar for a 0-d input; out if given.",
    "derivative": "f'(x), elementwise, as the forward's result.",
    "backward": "grad_output * f'(x): the gradient with respect to x.",
    "derivative_from_output": "f'(x) computed from y = f(x), elementwise.",
    "backward_from_output": "grad_output * f'(x) computed from y = f(x): the gradient with "
                            "respect to x.",
}


def _returns(spec, method):
    if spec.kind == "axis" and method == "backward":
        text = ("The gradient with respect to x: the vector-Jacobian product along the "
                "axis, 0 at masked-out entries.")
    elif spec.kind == "axis" and method == "backward_from_output":
        text = ("The gradient with respect to x, from y: the vector-Jacobian product along "
                "the axis, 0 at masked-out entries.")
    elif spec.kind == "prelu" and method == "backward":
        return ["Returns", "-------", "grad_x : ndarray", "    grad_output * f'(x).",
                "grad_weight : ndarray",
                "    The gradient with respect to weight, of weight's shape."]
    elif spec.kind == "rrelu" and method == "__call__":
        return ["Returns", "-------", "ndarray or tuple of ndarray",
                "    f(x) in evaluation; (f(x), slopes) in training."]
    else:
        text = _RETURNS[method]
    return ["Returns", "-------", "ndarray"] + _wrap(text, "    ")


def _summary(spec, method):
    """The first line of a method's docstring."""
    d = f"``{spec.derivative}``"
    if spec.kind == "axis":
        return {"__call__": f"``{spec.formula}``.",
                "backward": f"The backward from the input x: {d}, with y = f(x).",
                "backward_from_output": f"The backward from the output y = f(x): {d}."}[method]
    return {"__call__": f"The forward: ``{spec.formula}``.",
            "derivative": f"The derivative f'(x) = {d}.",
            "backward": f"The backward, grad_output * f'(x) in one pass; f'(x) = {d}.",
            "derivative_from_output": f"f'(x) from the output y = f(x): {d}.",
            "backward_from_output": f"grad_output * f'(x) from the output y = f(x): {d}.",
            }[method]


def _method_doc(spec, method, sig=None):
    """A method's docstring (numpydoc): summary, Parameters, Returns; the signature is the
    function's own (help() and Sphinx show it).  sig: its signature, self first."""
    sig = _signature(spec, method) if sig is None else sig
    sig = sig.replace(parameters=list(sig.parameters.values())[1:])
    lines = [_summary(spec, method), ""] + _params_section(spec, sig) + [""]
    lines += _returns(spec, method)
    return "\n".join(lines) + "\n"


_METHOD_LINES = {
    "derivative": "f'(x), elementwise",
    "backward": "grad_output * f'(x), the gradient with respect to x",
    "derivative_from_output": "f'(x) from the output y",
    "backward_from_output": "the gradient with respect to x from the output y",
}


def _doc(spec, sig, ref):
    """An activation's docstring, what help(fastact.NAME) shows: the signature, formula,
    parameters, result, its methods and facts, and an example."""
    cls = _class(spec)
    sig = _signature(spec, "__call__") if sig is None else sig
    if "self" in sig.parameters:
        sig = sig.replace(parameters=list(sig.parameters.values())[1:])
    # the signature after the formula, as literal text: numpydoc would take a first line
    # "name(...)" for the signature, which Sphinx's autodata then fails to place
    lines = [f"``{spec.formula}``.", "", f"Signature: ``{spec.name}{sig}``", ""]
    lines += _params_section(spec, sig) + [""] + _returns(spec, "__call__") + [""]
    if spec.kind == "axis":
        family = [n for n in ("softmax", "log_softmax", "softmin") if n != spec.name]
        lines += ["See Also", "--------"] + [f"fastact.{n}" for n in family] + [""]
    methods = [m for m in ("derivative", "backward", "derivative_from_output",
                           "backward_from_output") if hasattr(cls, m)]
    facts = [("derivative", spec.derivative), ("output range", spec.output_range),
             ("use", spec.use), ("avoid", spec.avoid), ("kinks and limits", spec.kinks)]
    lines += ["Notes", "-----", "Methods, with the forward's parameters (help() on each "
              "tells more):", ""]
    data = {m: ", ".join(_DATA[m]) for m in methods}
    for m in methods:
        what = _METHOD_LINES[m]
        if spec.kind == "axis":
            what = ("the gradient with respect to x, from x (the forward recomputed)"
                    if m == "backward" else "the same from the output y (no forward)")
        elif spec.kind == "prelu" and m == "backward":
            what += ", and grad_weight"
        lines += _wrap(f"- ``{spec.name}.{m}({data[m]}, ...)``: {what}.", "", "  ")
    lines += _wrap(f"- ``{spec.name}.has_derivative`` is {'derivative' in methods}, "
                   f"``{spec.name}.has_from_output`` {'backward_from_output' in methods}.",
                   "", "  ") + ["",
              "::", ""] + [f"    {k}: {v}" for k, v in facts] + [""]
    lines += ["Examples", "--------",
              "The values printed are the pure-Python reference's, rounded:", ""]
    return "\n".join(lines) + "\n" + _example(spec, ref)


def _signature(spec, method):
    data = _DATA[method]
    ps = [_P("self", _P.POSITIONAL_ONLY)]
    ps += [_P(d, _P.POSITIONAL_OR_KEYWORD) for d in data]
    ps += [_P(p.name, _P.POSITIONAL_OR_KEYWORD) if p.required else
           _P(p.name, _P.POSITIONAL_OR_KEYWORD, default=p.default) for p in spec.params]
    if spec.kind == "axis":
        ps.append(_P("where", _P.KEYWORD_ONLY, default=None))
    ps.append(_P("out", _P.KEYWORD_ONLY, default=None))
    return inspect.Signature(ps)


def _copy(fn, name, qualname, doc, signature):
    new = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__,
                             fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__, new.__doc__, new.__signature__ = qualname, doc, signature
    return new


def _compiled(general, method):
    """The compiled method (_fastcall.method) over general, named and documented as it;
    its __wrapped__ is general, the general path alone."""
    fast = _compiled_method(general, METHODS.index(method), len(_DATA[method]))
    for attr in ("__name__", "__qualname__", "__doc__", "__module__", "__signature__"):
        setattr(fast, attr, getattr(general, attr))
    fast.__wrapped__ = general
    return fast


def _specialize(spec, base):
    """The class of one activation: base with its docstrings and signatures."""
    ns = {"__doc__": f"The class of fastact.{spec.name} (its one instance): see "
                     f"help(fastact.{spec.name}).", "__module__": "fastact"}
    generic = base in (Elementwise, ElementwiseFromOutput, Softmax)
    for method in ("derivative", "backward", "derivative_from_output", "backward_from_output"):
        fn = getattr(base, method, None)
        if fn is None:
            continue
        sig = _signature(spec, method) if generic else inspect.signature(fn)
        ns[method] = _copy(fn, method, f"{spec.name}.{method}", _method_doc(spec, method, sig),
                           sig)
        if method in base._FAST:
            ns[method] = _compiled(ns[method], method)
    # the forward: FastCall's compiled __call__, over _general_call (copied under the
    # forward's name, which Python's messages on arguments that do not bind show), or
    # the class's own (a class attribute __signature__ is what inspect.signature reads
    # for an instance)
    forward = "_general_call" if issubclass(base, FastCall) else "__call__"
    fn = getattr(base, forward)
    sig = _signature(spec, "__call__") if generic else inspect.signature(fn)
    ns[forward] = _copy(fn, "__call__", f"{spec.name}.__call__",
                        _method_doc(spec, "__call__", sig), sig)
    ns["__signature__"] = sig.replace(parameters=list(sig.parameters.values())[1:])
    return type(spec.name, (base,), ns)


def build():
    """One API object per registry entry, in the registry's order."""
    out = {}
    for spec in _registry.ACTIVATIONS:
        # The instance's docstring differs from its class's: help(fastact.NAME) then shows
        # it alone, without the class's members (pydoc documents an instance with a
        # docstring of its own as itself).
        out[spec.name] = _specialize(spec, _class(spec))(spec)
    return out
