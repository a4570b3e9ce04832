"""One record per activation: everything fastact knows about it, in one file.

Each module in this folder (``sigmoid.py``, ``tanh.py``, ...) defines ``RECORD``, a
:class:`Record`.  Nothing else in the package lists activations: ``fastact._registry``
finds the modules here (:func:`load`), and the API objects, the ufunc loops (setup.py),
the stubs, the pure-Python reference, the accuracy tool's mpmath references and bounds,
the benchmark peers, the tests' tables and the gallery all read the records.

This package imports only the standard library (mpmath, NumPy, SciPy, PyTorch, JAX, ONNX
Runtime and numba are imported inside the functions that use them), so that setup.py can
read the records before anything is compiled.  Adding an activation: CONTRIBUTING.md.
"""

import importlib
import math
import os
from collections import namedtuple
from typing import Any, Callable, NamedTuple, Optional

# A parameter, with the rules its values must meet.  The API checks them on the values the
# kernel loop will see: after the cast to the loop's parameter dtype (float64 for float64
# data, float32 for float32 and float16 data), so that a value the cast turns into 0 or inf
# is refused too, not computed with.  Always refused (unless nonfinite): NaN, and a finite
# value outside the parameter dtype's range.
#   nonzero      the kernel divides by it (celu's alpha, softplus's beta): 0 is refused,
#                and so is a nonzero value that rounds to 0 in the cast.
#   inf          the one infinity that means something for this parameter (hardtanh's
#                min_val=-inf and max_val=inf: no bound on that side; softplus's
#                threshold=inf: never switch to the identity), or None: +-inf refused.
#   at_least     the name of an earlier parameter this one must not be below
#                (hardtanh's max_val >= min_val, rrelu's upper >= lower), or a number
#                (softshrink's lambd >= 0.0, as PyTorch).
#   from_output_nonnegative  the from-output forms read the branch from y (its sign;
#                hardshrink: y != 0), which a negative slope, alpha or lambd no longer
#                tells: they refuse a negative value.
#   required     the caller must give it: PyTorch has no default (threshold's threshold
#                and value).  Its `default` is then only the example value that the
#                docstring's example, the tests, the benchmark, the accuracy tool and the
#                gallery pass; the API never fills it in.  Required parameters come first.
#   nonfinite    every value is taken, the infinities and NaN too, as PyTorch takes them
#                (threshold's threshold and value: x <= NaN is false, so a NaN threshold
#                passes every x; a NaN value is the result at and below the threshold).
#   aliases      ((value, canonical value), ...): other values the parameter accepts, each
#                meaning a canonical one (gelu's approximate=True is 'tanh', as JAX and
#                Keras pass it); matched by type and value, so 1 is not True.
# A default of None means "not given" (logit's eps: no clamp, as torch.logit's eps=None):
# such a parameter is its record's only one, and the record has a general kernel; the
# record's own kernel serves None (given or left out), the general kernel every value,
# checked by the rules above.
Param = namedtuple("Param", "name default nonzero inf at_least from_output_nonnegative "
                   "aliases required nonfinite",
                   defaults=(False, None, None, False, (), False, False))

# The general kernel of an activation whose default parameters have a specialised one
# (hardsigmoid's (x + 3) / 6, selu's constants, silu's beta = 1): the record's own kernel
# (its name) takes no parameters and serves the calls at the defaults, bit for bit as
# before the parameters existed; the general kernel takes the record's params as ufunc
# inputs, like leaky_relu's slope, and the API calls it only when a parameter differs from
# its default.  At the default values the general kernel returns the specialised one's
# results (a select in the kernel), so a result never depends on how the parameters were
# passed (a Python float, a NumPy scalar, an array).
#   kernel          its C name and ufunc prefix (<kernel>, <kernel>_derivative, ...), its
#                   functions in the record's own .pxi
#   accuracy_params the non-default parameter values the accuracy tool measures it at
#   accuracy        its Accuracy at those values (the kinks and crossings move with them)
#   max_derivative  sup |f'| at those values
GeneralKernel = namedtuple("GeneralKernel", "kernel accuracy_params accuracy max_derivative")

# Accuracy bounds, checked by the accuracy tool (``python -m fastact accuracy``) and by
# tests/test_accuracy.py, for float32 and float64 alike.  Errors are in ULP of the correctly
# rounded reference, |y - r| / ulp(r), with ulp(0) the smallest subnormal.
#   forward      max ULP error of f over every input.  0 means exact (piecewise-linear);
#                0.5 means correctly rounded (one rounding of an exact product or quotient).
#   derivative   max ULP error of f', away from the crossings.
#   backward     max ULP error of g * f'(x) (f' rounded, times g, rounded: for an exact or
#                correctly rounded f' that is up to 1.5 ULP), away from the crossings.
#   abs_eps      where f' crosses zero the relative error is unbounded (the formulas add
#                terms of opposite sign); there, within halfwidth of each crossing, the
#                absolute error must stay below abs_eps * eps * max_derivative instead.
#   from_output_eps  the from-output forms take y = f(x) rounded to the dtype, so their error
#                is the rounding of y propagated; each point must be within `derivative`
#                ULP or within from_output_eps * eps * max_derivative absolute.
#   crossings    ((x0, halfwidth), ...): the zeros of f' (computed with mpmath).
#   span         |x| beyond which f and f' have reached their limits or underflowed in
#                float64: the float64 sampler puts most of its points inside.
#   kink_xs      x values where branches meet, sampled with their neighbours.
#   second_derivative  max ULP error of f'' (second_derivative(x)), away from crossings2.
#   crossings2   ((x0, halfwidth), ...): the zeros of f'' where the formula cancels
#                (computed with mpmath); within halfwidth the absolute error of f'' must
#                stay below abs_eps * eps * max|f''| (max_second: sampled by the tool).
Accuracy = namedtuple(
    "Accuracy", "forward derivative backward abs_eps from_output_eps crossings span kink_xs "
    "second_derivative crossings2", defaults=(16.0, ()))


def accuracy(forward=4.0, derivative=8.0, backward=None, abs_eps=4.0, from_output_eps=4.0,
             crossings=(), span=40.0, kink_xs=(0.0,), second_derivative=16.0, crossings2=()):
    """An Accuracy with fastact's usual bounds (forward 4 ULP, derivatives 8, f'' 16) as
    defaults."""
    backward = derivative if backward is None else backward
    return Accuracy(forward, derivative, backward, abs_eps, from_output_eps, crossings, span,
                    kink_xs, second_derivative, crossings2)


# softmax-type rows: forward and backward bounds, checked by the accuracy tool on random
# rows (masked entries, large offsets), float64 against mpmath and float32 against the
# float64 kernel.
#   forward       the bound on the forward error, in the unit forward_unit names:
#   forward_unit  "ulp": ULP of the result / (1 + |x_i - max x| + n/8), for outputs that
#                 are a relative quantity (softmax: exp(x_i - max) carries the rounding of
#                 x_i - max, and the sum's n roundings);
#                 "abs": eps * (1 + |x_i - max x|) absolute, for outputs that are a
#                 difference (log_softmax: (x_i - max) - lse cancels near 0).
#   backward      the API's backward(g, x): |dx - exact product at x| / (eps * the
#                 magnitude of its terms at the exact y, the record's backward_scale,
#                 times 1 + |x_i - max x| + n/8 where forward_unit is "ulp": y's own
#                 error, relative, passed on).
#   sign          +1 where the row's largest entry sets its scale (softmax), -1 where the
#                 smallest does (softmin): "max x" above is max(sign * x).
#   backward_from_output  backward_from_output(g, y): |dx - exact product at that y| /
#                 (eps * the magnitude of its terms, backward_scale); None: backward's.
AxisAccuracy = namedtuple("AxisAccuracy", "forward backward forward_unit sign "
                          "backward_from_output", defaults=("ulp", 1, None))

# gated activations f(a) * b (kinds "gated" and "glu"), checked by tests/test_gated.py
# against mpmath (the gate record's mp_forward and mp_derivative) on sampled (a, b), float32
# and float64, in ULP of the correctly rounded result:
#   forward   f(a) * b: the gate's forward bound, then one rounding of the product (+0.5)
#   grad_a    (g * b) * f'(a): the gate's backward bound (f' times one factor, rounded)
#             and one more rounded product (+0.5); within halfwidth of the gate's
#             crossings (zeros of f') the absolute bound abs_eps * eps * |g b| max|f'|
#   grad_b    g * f(a): as the forward
GatedAccuracy = namedtuple("GatedAccuracy", "forward grad_a grad_b abs_eps crossings")


def gated_accuracy(gate):
    """The GatedAccuracy of f(a) * b from the gate's Accuracy (one more rounded product)."""
    acc = gate.accuracy
    return GatedAccuracy(acc.forward + 0.5, acc.backward + 0.5, acc.forward + 0.5,
                         acc.abs_eps, acc.crossings)


# A benchmark peer: builders that take the case's data (fastact.instruments.peers.Data)
# and return a
# zero-argument callable running the peer once (None: the peer has no such function).
Peer = namedtuple("Peer", "forward backward", defaults=(None,))

class Record(NamedTuple):
    """Everything about one activation (one module here defines it as RECORD)."""

    # -- what it is ------------------------------------------------------------------
    name: str                       # public name: fastact.<name>
    order: float                    # position in fastact.ACTIVATIONS (the gallery's order)
    kind: str = "elementwise"       # "elementwise" | "gelu" | "prelu" | "rrelu" | "axis"
                                    # | "gated" (f(a) * b, two operands) | "glu" (the
                                    # gated kernel on the two halves of x along an axis)
    kernel: str = ""                # the C kernel family the API calls (record(): its name)
    params: tuple = ()              # tuple of Param, in call order after x
    variant_of: Optional[tuple] = None  # (activation, parameter, value): gelu_tanh is
                                        # gelu's approximate='tanh' (the API routes it here)
    general_kernel: Optional[GeneralKernel] = None   # the kernel for non-default params (above)
    gate: str = ""                  # kinds "gated" and "glu": the record whose scalar
                                    # kernels (NAME_fwd, NAME_grad) are the gate f; its
                                    # variants (gelu_tanh) are gated kernels too
    # -- its kernel (records whose kernel is their own name) -------------------------
    from_output: bool = False       # f' is a function of y = f(x): NAME_grad_y exists
    float32_computes_in: str = "double"  # "float": float32 loops call NAME_fwd_f ...
                                    # (computed in float); "double": widened, rounded once
    # -- pure-Python reference (math module, Python floats; lists for axis kinds) -----
    ref_forward: Optional[Callable] = None
    ref_derivative: Optional[Callable] = None
    ref_from_output: Optional[Callable] = None  # f' from y, where from_output
    ref_backward: Optional[Callable] = None     # axis kinds: the row's vector-Jacobian product
                                                # from (g row, y row), y the output: the
                                                # API's backward_from_output (its backward
                                                # takes x and runs the forward first)
    # -- high-precision reference (mpmath at the accuracy tool's precision) ----------
    mp_forward: Optional[Callable] = None       # f(x, *params), x a finite mpf, params mpf;
                                                # axis kinds: the row (floats, -inf allowed)
                                                # -> list of mpf (or -inf)
    mp_derivative: Optional[Callable] = None
    # -- the second derivative f'' (elementwise kinds): its kernel NAME_grad2 exists
    # where mp_second is given; fastact.<name>.second_derivative and double_backward
    ref_second: Optional[Callable] = None       # f''(x, *params): math module, floats
    mp_second: Optional[Callable] = None        # f''(x, *params): mpmath, as mp_derivative
    second_at_kinks: tuple = ()     # ((params, x, f''(x)), ...): the documented f'' at the
                                    # kinks (PyTorch's double backward where it has f)
    mp_backward: Optional[Callable] = None      # axis kinds: (g row, y row) as floats ->
                                                # the vector-Jacobian product, list of mpf
    backward_scale: Optional[Callable] = None   # axis kinds: (g, y) float64 arrays -> the
                                                # magnitude of dx's terms, per element (the
                                                # backward bound's unit, AxisAccuracy)
    limits: Optional[tuple] = None  # ((f(-inf), f(+inf)), (f'(-inf), f'(+inf))): a float
                                    # is the exact result (sign of zero included), None an
                                    # exact zero of either sign, a callable takes the params
    accuracy: Any = None            # Accuracy (elementwise kernels), AxisAccuracy (axis),
                                    # GatedAccuracy (gated, glu)
    # -- documented values the tests hold the kernels to -----------------------------
    derivatives_at_kinks: tuple = ()  # ((params, x, f'(x)), ...): documented on the API pages
    # -- benchmark -------------------------------------------------------------------
    peers: Optional[Callable] = None  # () -> {peer name: Peer}; optional libraries are
                                      # imported inside it, their peers left out if absent
    bench_kwargs: Optional[dict] = None  # the parameters a benchmark case passes
    # -- the guide's facts -----------------------------------------------------------
    formula: str = ""
    derivative: str = ""            # f'(x), as text
    output_range: str = ""
    zero_centred: bool = False
    max_derivative: Optional[float] = None  # sup |f'(x)| (None for softmax-type)
    monotonic: bool = True          # non-decreasing everywhere (default parameters)
    domain: tuple = (-math.inf, math.inf)  # where f is defined (NaN outside): logit's
                                           # [0, 1]; the property tests sample inside
    use: str = ""
    avoid: str = ""
    kinks_text: str = ""            # documented values at kinks and limits, as text
    plot_range: tuple = (-4.0, 4.0)
    note: Optional[str] = None      # the gallery's paragraph (HTML), if the seed says more
    experiments: tuple = ()         # gallery experiments it appears in: "vanishing", "dead"


def record(**fields):
    """A Record, with kernel defaulting to the name and params given as Params or
    (name, default) pairs."""
    fields.setdefault("kernel", fields["name"])
    params = tuple(p if isinstance(p, Param) else Param(*p) for p in fields.get("params", ()))
    required = [p.required for p in params]
    if required != sorted(required, reverse=True):
        # Python's rule for signatures: no parameter without a default after one with
        raise ValueError(f"{fields['name']}: a required parameter follows an optional one")
    if any(p.default is None for p in params) and (len(params) > 1
                                                     or fields.get("general_kernel") is None):
        # the None of "not given" cannot be passed to a kernel: see Param
        raise ValueError(f"{fields['name']}: a parameter whose default is None must be "
                         f"the only one, with a general kernel")
    fields["params"] = params
    return Record(**fields)


def load(package=__name__):
    """Every RECORD in this folder, in their ``order``."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    for fname in sorted(os.listdir(here)):
        if fname.endswith(".py") and not fname.startswith("_"):
            mod = importlib.import_module(f"{package}.{fname[:-3]}")
            rec = mod.RECORD
            if rec.name != fname[:-3]:
                raise ValueError(f"{fname}: RECORD.name is {rec.name!r}, not the file's name")
            out.append(rec)
    out.sort(key=lambda r: r.order)
    return tuple(out)


INF = math.inf
