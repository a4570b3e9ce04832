"""The one table of activations that drives fastact.

Two tables live here, and nothing else in the package lists activations again:

* ``KERNELS``: the elementwise C kernels, one row per scalar function family in
  ``_kernels/scalar.pxi``.  The build (setup.py) reads this table to generate the NumPy
  ufunc loops, so a new kernel needs one row here and its scalar functions there.
* ``ACTIVATIONS``: the public activations with their parameters and the seed's facts
  (output range, zero-centred, maximum derivative, when to use and when to avoid).
  The API (``fastact.<name>``), the tests, the benchmarks and the gallery iterate over it.

This module is pure Python with no imports from the rest of the package, so that
setup.py can execute it before anything is compiled.
"""

import math
from collections import namedtuple

# name: C name of the kernel family; params: names of the scalar parameters that are extra
# ufunc inputs (after x); from_output: whether ``<name>_grad_y(y, params...)`` exists, i.e.
# whether f' is a function of the output alone.
Kernel = namedtuple("Kernel", "name params from_output")

KERNELS = (
    Kernel("sigmoid", (), True),
    Kernel("tanh", (), True),
    Kernel("relu", (), True),
    Kernel("leaky_relu", ("negative_slope",), True),
    Kernel("gelu", (), False),
    Kernel("gelu_tanh", (), False),
    Kernel("elu", ("alpha",), True),
    Kernel("linear", (), True),
    Kernel("silu", (), False),
    Kernel("mish", (), False),
    Kernel("softplus", ("beta", "threshold"), False),
    Kernel("selu", (), True),
    Kernel("celu", ("alpha",), True),
    Kernel("relu6", (), True),
    Kernel("hardtanh", ("min_val", "max_val"), True),
    Kernel("hardsigmoid", (), False),
    Kernel("hardswish", (), False),
    Kernel("log_sigmoid", (), False),
    Kernel("softsign", (), False),
)

# Kernels whose float32 loops have their own float functions (NAME_fwd_f, NAME_grad_f and,
# with from_output, NAME_grad_y_f) instead of widening to double and rounding once.
# scalar_f32.pxi and gelu_f32.pxi: transcendental kernels computed in float, twice the
# SIMD width of the double kernels, a few ULP instead of half of one (within ACCURACY's
# bounds, measured over every float32 input).  piecewise_f32.pxi: memory-bound piecewise kernels whose
# float results equal the double kernels' rounded (no widening of every element).
FLOAT32_NATIVE = frozenset({
    "sigmoid", "tanh", "elu", "selu", "celu", "silu", "softplus", "log_sigmoid",
    "gelu_tanh", "mish", "gelu",
    "relu", "leaky_relu", "linear", "hardtanh", "relu6", "hardsigmoid", "hardswish",
})

# Axis-wise kernels (generalized ufuncs with signature (n)->(n)); hand-written in
# _kernels/softmax.pxi (contiguous rows) and _ufuncs.pyx.tp (the general rows), listed
# here so the API and the tests can find them.
AXIS_KERNELS = ("softmax", "log_softmax")

# SELU's constants, from Klambauer et al. 2017, "Self-Normalizing Neural Networks",
# eq. (14), to the digits PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# A parameter, with the rules its values must meet.  The API checks them on the values the
# kernel loop will see: after the cast to the loop's parameter dtype (float64 for float64
# data, float32 for float32 and float16 data), so that a value the cast turns into 0 or inf
# is refused too, not computed with.  Always refused: NaN, and a finite value outside the
# parameter dtype's range.
#   nonzero      the kernel divides by it (celu's alpha, softplus's beta): 0 is refused,
#                and so is a nonzero value that rounds to 0 in the cast.
#   inf          the one infinity that means something for this parameter (hardtanh's
#                min_val=-inf and max_val=inf: no bound on that side; softplus's
#                threshold=inf: never switch to the identity), or None: +-inf refused.
#   at_least     the name of an earlier parameter this one must not be below
#                (hardtanh's max_val >= min_val, rrelu's upper >= lower).
#   from_output_nonnegative  the from-output forms read the branch from the sign of y,
#                which a negative slope or alpha flips: they refuse a negative value.
Param = namedtuple("Param", "name default nonzero inf at_least from_output_nonnegative",
                   defaults=(False, None, None, False))

Activation = namedtuple(
    "Activation",
    [
        "name",        # public name: fastact.<name>
        "kind",        # "elementwise" | "gelu" | "prelu" | "rrelu" | "axis"
        "kernel",      # C kernel family (KERNELS or AXIS_KERNELS) the API calls
        "params",      # tuple of Param, in call order after x
        "formula",     # the forward, as text
        "derivative",  # f'(x), as text
        "output_range",
        "zero_centred",
        "max_derivative",  # sup |f'(x)| over the reals (None for softmax-type)
        "monotonic",   # non-decreasing everywhere (with default parameters)
        "use",
        "avoid",
        "kinks",       # documented values at kinks and limits
        "plot_range",  # (lo, hi) for the gallery
    ],
)


def _a(name, kind="elementwise", kernel=None, params=(), **facts):
    return Activation(name=name, kind=kind, kernel=kernel or name,
                      params=tuple(p if isinstance(p, Param) else Param(*p) for p in params),
                      **facts)


ACTIVATIONS = (
    # ---- the seed's gallery ----------------------------------------------------------
    _a("sigmoid",
       formula="1 / (1 + exp(-x))", derivative="y * (1 - y)",
       output_range="(0, 1)", zero_centred=False, max_derivative=0.25, monotonic=True,
       use="output layer for binary classification; gates in LSTM and GRU cells",
       avoid="hidden layers of deep networks: the derivative is at most 0.25, so gradients vanish",
       kinks="smooth; sigmoid'(0) = 0.25 is the maximum; sigmoid(+-inf) = 1, 0",
       plot_range=(-8.0, 8.0)),
    _a("tanh",
       formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))", derivative="1 - y**2",
       output_range="(-1, 1)", zero_centred=True, max_derivative=1.0, monotonic=True,
       use="hidden layers that need bounded, zero-centred outputs; RNN cell states",
       avoid="deep stacks: tanh'(x) < 0.08 for |x| > 2, so gradients vanish",
       kinks="smooth; odd; tanh(+-inf) = +-1",
       plot_range=(-5.0, 5.0)),
    _a("relu",
       formula="max(0, x)", derivative="1 if x > 0 else 0",
       output_range="[0, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="the default for hidden layers: cheap, and the gradient is exactly 1 for x > 0",
       avoid="when many units stay negative: a dead ReLU outputs 0 and gets no gradient",
       kinks="relu'(0) = 0 (PyTorch's convention); relu(NaN) = NaN",
       plot_range=(-4.0, 4.0)),
    _a("leaky_relu", params=(Param("negative_slope", 0.01, from_output_nonnegative=True),),
       formula="x if x > 0 else negative_slope * x",
       derivative="1 if x > 0 else negative_slope",
       output_range="(-inf, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="instead of ReLU when dead units appear: gradients always flow",
       avoid="when exact sparsity (true zeros) is wanted",
       kinks="leaky_relu'(0) = negative_slope",
       plot_range=(-4.0, 4.0)),
    _a("prelu", kind="prelu", kernel="leaky_relu", params=(("weight", 0.25),),
       formula="x if x > 0 else weight * x  (weight learned, per channel on axis 1)",
       derivative="1 if x > 0 else weight; d/dweight = x if x <= 0 else 0",
       output_range="(-inf, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="as Leaky ReLU, when the negative slope should be learned per channel",
       avoid="small data sets: the extra parameters can overfit",
       kinks="prelu'(0) = weight",
       plot_range=(-4.0, 4.0)),
    _a("rrelu", kind="rrelu", kernel="leaky_relu",
       params=(Param("lower", 1.0 / 8.0), Param("upper", 1.0 / 3.0, at_least="lower")),
       formula="x if x >= 0 else a * x, a ~ U(lower, upper) per element in training, "
               "(lower + upper) / 2 in evaluation",
       derivative="1 if x > 0 else a",
       output_range="(-inf, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="as Leaky ReLU with a random slope in training, as a regulariser",
       avoid="when training must be deterministic without a seeded generator",
       kinks="rrelu'(0) = the slope a",
       plot_range=(-4.0, 4.0)),
    _a("gelu", kind="gelu", params=(("approximate", "none"),),
       formula="x * Phi(x) (approximate='none'); "
               "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))) (approximate='tanh')",
       derivative="Phi(x) + x * phi(x)",
       output_range="[-0.17, inf)", zero_centred=False, max_derivative=1.1289, monotonic=False,
       use="transformers (BERT, GPT) and other modern architectures",
       avoid="when the exact and tanh variants would be mixed between training and serving",
       kinks="smooth; minimum about -0.17 at x about -0.75",
       plot_range=(-4.0, 4.0)),
    _a("elu", params=(Param("alpha", 1.0, from_output_nonnegative=True),),
       formula="x if x > 0 else alpha * (exp(x) - 1)",
       derivative="1 if x > 0 else alpha * exp(x)  (= y + alpha)",
       output_range="(-alpha, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="instead of ReLU when dead units appear; mean outputs closer to zero",
       avoid="when the cost of exp matters more than the small gain",
       kinks="elu'(0) takes the x <= 0 branch: alpha",
       plot_range=(-4.0, 4.0)),
    _a("softmax", kind="axis", params=(("axis", -1),),
       formula="exp(x_i) / sum_j exp(x_j) along axis",
       derivative="Jacobian diag(y) - y y^T; backward: y * (g - sum(g * y))",
       output_range="(0, 1), sums to 1", zero_centred=False, max_derivative=None,
       monotonic=False,
       use="output layer for multi-class classification: a probability distribution",
       avoid="hidden layers",
       kinks="a row of all -inf gives all 0 (a 'safe' softmax); +inf entries share the mass",
       plot_range=(-4.0, 4.0)),
    _a("linear",
       formula="x", derivative="1",
       output_range="(-inf, inf)", zero_centred=True, max_derivative=1.0, monotonic=True,
       use="output layer for regression (no activation)",
       avoid="hidden layers: linear layers stacked collapse to one linear map",
       kinks="none",
       plot_range=(-4.0, 4.0)),
    # ---- the rest of PyTorch's set ---------------------------------------------------
    _a("silu",
       formula="x * sigmoid(x)", derivative="s * (1 + x * (1 - s)), s = sigmoid(x)",
       output_range="[-0.278, inf)", zero_centred=False, max_derivative=1.0998,
       monotonic=False,
       use="hidden layers of convolutional and transformer networks (Swish)",
       avoid="when ReLU's exact zeros or its lower cost matter",
       kinks="smooth; minimum about -0.278 at x about -1.278",
       plot_range=(-6.0, 4.0)),
    _a("mish",
       formula="x * tanh(softplus(x))",
       derivative="tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)**2), sp = softplus(x)",
       output_range="[-0.309, inf)", zero_centred=False, max_derivative=1.0886,
       monotonic=False,
       use="hidden layers of vision models (YOLOv4)",
       avoid="when compute cost matters: three transcendental functions per element",
       kinks="smooth; minimum about -0.309 at x about -1.19",
       plot_range=(-6.0, 4.0)),
    _a("softplus", params=(Param("beta", 1.0, nonzero=True),
                          Param("threshold", 20.0, inf=math.inf)),
       formula="log(1 + exp(beta x)) / beta; x where beta x > threshold",
       derivative="sigmoid(beta x); 1 where beta x > threshold",
       output_range="(0, inf)", zero_centred=False, max_derivative=1.0, monotonic=False,
       use="a smooth ReLU, or to keep a quantity (a variance, a rate) positive",
       avoid="when ReLU's cheapness and exact zeros are wanted",
       kinks="switches to the identity where beta x > threshold (as PyTorch): a drop of "
             "log1p(exp(-threshold)) / beta (2e-9 at the defaults), so not monotonic there",
       plot_range=(-4.0, 4.0)),
    _a("selu",
       formula="scale * (x if x > 0 else alpha (exp(x) - 1)), alpha = 1.6733, scale = 1.0507",
       derivative="scale if x > 0 else scale alpha exp(x)  (= y + scale alpha)",
       output_range="(-1.7581, inf)", zero_centred=False, max_derivative=1.7581,
       monotonic=True,
       use="self-normalising fully connected networks (with LeCun normal initialisation)",
       avoid="with batch normalisation or dropout other than alpha-dropout",
       kinks="selu'(0) takes the x <= 0 branch: scale * alpha",
       plot_range=(-4.0, 4.0)),
    _a("celu", params=(Param("alpha", 1.0, nonzero=True, from_output_nonnegative=True),),
       formula="max(0, x) + min(0, alpha (exp(x / alpha) - 1))",
       derivative="1 if x > 0 else exp(x / alpha)  (= y / alpha + 1)",
       output_range="(-alpha, inf)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="as ELU, with a derivative continuous at 0 for every alpha",
       avoid="when ELU or ReLU already work",
       kinks="celu'(0) takes the x <= 0 branch: 1",
       plot_range=(-4.0, 4.0)),
    _a("relu6",
       formula="min(max(0, x), 6)", derivative="1 if 0 < x < 6 else 0",
       output_range="[0, 6]", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="mobile networks (MobileNet) where activations are quantised",
       avoid="when outputs above 6 carry information",
       kinks="gradient 0 at both bounds, x = 0 and x = 6",
       plot_range=(-2.0, 8.0)),
    _a("hardtanh", params=(Param("min_val", -1.0, inf=-math.inf),
                        Param("max_val", 1.0, inf=math.inf, at_least="min_val")),
       formula="min(max(x, min_val), max_val)", derivative="1 if min_val < x < max_val else 0",
       output_range="[min_val, max_val]", zero_centred=True, max_derivative=1.0,
       monotonic=True,
       use="a cheap bounded activation; quantised and low-power models",
       avoid="when gradients outside the bounds are needed: they are exactly 0",
       kinks="gradient 0 at both bounds",
       plot_range=(-3.0, 3.0)),
    _a("hardsigmoid",
       formula="relu6(x + 3) / 6", derivative="1/6 if -3 < x < 3 else 0",
       output_range="[0, 1]", zero_centred=False, max_derivative=1.0 / 6.0, monotonic=True,
       use="a cheap sigmoid for gates in mobile networks (MobileNetV3)",
       avoid="where the smooth sigmoid's tails matter",
       kinks="gradient 0 at x = -3 and x = 3",
       plot_range=(-5.0, 5.0)),
    _a("hardswish",
       formula="x * relu6(x + 3) / 6",
       derivative="0 if x <= -3; 1 if x >= 3; x / 3 + 1/2 otherwise",
       output_range="[-0.375, inf)", zero_centred=False, max_derivative=1.5,
       monotonic=False,
       use="a cheap SiLU for mobile networks (MobileNetV3)",
       avoid="where SiLU's smoothness matters",
       kinks="hardswish'(-3) = 0 and hardswish'(3) = 1 (the outer branches, as PyTorch's "
             "autograd)",
       plot_range=(-5.0, 5.0)),
    _a("log_sigmoid",
       formula="log(sigmoid(x)) = -softplus(-x)", derivative="1 - sigmoid(x) = sigmoid(-x)",
       output_range="(-inf, 0)", zero_centred=False, max_derivative=1.0, monotonic=True,
       use="log-probabilities of a binary output, inside losses",
       avoid="as a hidden activation",
       kinks="smooth; log_sigmoid(x) = x for x -> -inf",
       plot_range=(-6.0, 6.0)),
    _a("softsign",
       formula="x / (1 + |x|)", derivative="1 / (1 + |x|)**2",
       output_range="(-1, 1)", zero_centred=True, max_derivative=1.0, monotonic=True,
       use="a cheap tanh with polynomial (slower) saturation",
       avoid="deep stacks: the derivative still decays, as 1/x**2",
       kinks="smooth at 0 in value, derivative 1 there",
       plot_range=(-6.0, 6.0)),
    _a("log_softmax", kind="axis", params=(("axis", -1),),
       formula="x_i - log(sum_j exp(x_j)) along axis",
       derivative="backward: g - exp(y) * sum(g)",
       output_range="(-inf, 0]", zero_centred=False, max_derivative=None, monotonic=False,
       use="log-probabilities for the negative log-likelihood loss",
       avoid="hidden layers",
       kinks="a row of all -inf gives all -inf; +inf entries give -log(count)",
       plot_range=(-4.0, 4.0)),
)

BY_NAME = {a.name: a for a in ACTIVATIONS}
KERNEL_BY_NAME = {k.name: k for k in KERNELS}

# PyTorch's GELU tanh-approximation constants: sqrt(2/pi) and 0.044715 (Hendrycks & Gimpel).
GELU_TANH_C = math.sqrt(2.0 / math.pi)
GELU_TANH_K = 0.044715


# ---- accuracy bounds ------------------------------------------------------------------
# Checked by the accuracy tool (``python -m fastact accuracy``, fastact/accuracy.py) and by
# tests/test_accuracy.py, for float32 and float64 alike.  Errors are in ULP of the correctly
# rounded reference, |y - r| / ulp(r), with ulp(0) the smallest subnormal.
#
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
#   kinks        x values where branches meet, sampled with their neighbours.
Accuracy = namedtuple(
    "Accuracy", "forward derivative backward abs_eps from_output_eps crossings span kinks")


def _acc(forward=4.0, derivative=8.0, backward=None, abs_eps=4.0, from_output_eps=4.0,
         crossings=(), span=40.0, kinks=(0.0,)):
    backward = derivative if backward is None else backward
    return Accuracy(forward, derivative, backward, abs_eps, from_output_eps, crossings, span,
                    kinks)


ACCURACY = {
    "sigmoid": _acc(span=746.0, kinks=(0.0, 36.0, 37.0)),
    "tanh": _acc(span=380.0, kinks=(0.0, 19.0, 20.0)),
    "relu": _acc(forward=0.0, derivative=0.0, span=8.0),
    "leaky_relu": _acc(forward=0.5, derivative=0.0, backward=0.5, span=8.0),
    "gelu": _acc(crossings=((-0.7517915246935645, 0.5),), span=40.0,
                 kinks=(0.0, -0.7517915246935645, -38.5, -40.0, 40.0)),
    "gelu_tanh": _acc(crossings=((-0.7524614220710163, 0.5),), span=1000.0,
                      kinks=(0.0, -0.7524614220710163, -20.3, 1000.0, -1000.0)),
    "elu": _acc(span=746.0, kinks=(0.0, -38.0)),
    "linear": _acc(forward=0.0, derivative=0.0, span=8.0),
    "silu": _acc(crossings=((-1.2784645427610737, 0.5),), span=746.0,
                 kinks=(0.0, -1.2784645427610737, 746.0, -746.0, -745.0)),
    # mish' cancels by a factor of 3 or more from its zero at -1.19 to x = -2: a wider window
    "mish": _acc(crossings=((-1.1924312145154952, 0.75),), span=746.0,
                 kinks=(0.0, -1.1924312145154952, 746.0, -746.0, -745.0)),
    "softplus": _acc(span=746.0, kinks=(0.0, 20.0, -745.0)),
    "selu": _acc(span=746.0, kinks=(0.0, -38.0)),
    "celu": _acc(span=746.0, kinks=(0.0, -38.0)),
    "relu6": _acc(forward=0.0, derivative=0.0, span=8.0, kinks=(0.0, 6.0)),
    "hardtanh": _acc(forward=0.0, derivative=0.0, span=8.0, kinks=(-1.0, 0.0, 1.0)),
    "hardsigmoid": _acc(forward=0.5, derivative=0.5, backward=1.5, span=8.0,
                        kinks=(-3.0, 0.0, 3.0)),
    "hardswish": _acc(forward=0.5, derivative=0.5, backward=1.5, crossings=((-1.5, 0.25),),
                      span=8.0,
                      kinks=(-3.0, -1.5, 0.0, 3.0)),
    "log_sigmoid": _acc(span=746.0, kinks=(0.0, 37.0, -37.0)),
    "softsign": _acc(span=1e300),
}

# softmax and log_softmax rows (fastact.accuracy measures random rows against mpmath).
# forward: softmax's ULP error divided by (1 + |x_i - max(x)| + n/8) -- the rounding of
# x_i - max(x), eps |x_i - max(x)| relative, and of the n-term sum are inherent to the
# algorithm; log_softmax's absolute error in eps * (1 + |x_i - max(x)|) (its values cross
# zero).  backward: the absolute error in eps times the magnitude of the terms summed
# (softmax: y_i (|g_i| + sum_j |g_j| y_j); log_softmax: |g_i| + e^y_i (1 + |y_i|) sum |g|).
AXIS_ACCURACY = {
    "softmax": {"forward": 4.0, "backward": 8.0},
    "log_softmax": {"forward": 8.0, "backward": 8.0},
}
