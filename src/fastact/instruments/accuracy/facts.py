"""What the accuracy tool knows about a kernel: its constants, its record's facts (the
parameters it is measured at, sup |f'|, its kinds, its bounds) and the rules that follow
from them for any activation (an unbounded f', the from-output forms' valid inputs).

A kernel is measured as a :class:`Subject`: the registry's kernels by name
(:func:`subject`), or a record with stand-in functions (the tests' synthetic records)."""

import math
from collections import namedtuple

import numpy as np

from ... import _registry

KINDS = ("forward", "derivative", "backward", "derivative_from_output",
         "backward_from_output")
SUFFIX = {"forward": "", "derivative": "_derivative", "backward": "_backward",
          "derivative_from_output": "_derivative_from_output",
          "backward_from_output": "_backward_from_output"}

PREC = 180                    # mpmath working precision in bits (54 decimal digits)
QUICK_STRIDE32 = 4099         # --quick: every 4099th float32 bit pattern
SUB_STRIDE32 = 257            # full run: backward and from-output on every 257th pattern
CHUNK32 = 1 << 18             # float32 patterns per chunk (cache-sized)
POINTS64 = 1 << 19            # full run: float64 points per kernel
QUICK_POINTS64 = 3000         # --quick: float64 points per kernel
AXIS_ROWS, QUICK_AXIS_ROWS = 2000, 200
SLACK = 1e-6                  # comparisons allow the float64 reference's own rounding
# g values for the backward: g * f'(x) is measured with these, cycled over the points.
# |g| <= 1: the kernels compute g * f'(x) from f'(x) rounded to float64, so a subnormal f'
# times a large g would show f''s absolute rounding error magnified (float32 is immune:
# its f' is a double).  The absolute-error criteria of the backward forms scale with |g|.
G_VALUES = (1.0, -1.0, 0.5, -0.1, 0.75, 1e-3, -0.3, -2.5e-6)

EPS = {"float32": 2.0 ** -23, "float64": 2.0 ** -52,
       "float16": 2.0 ** -10, "bfloat16": 2.0 ** -7}     # the 16-bit ones: accuracy16, bench
# the smallest subnormal of each format: the resolution of a result near 0
TINY = {"float32": 2.0 ** -149, "float64": 2.0 ** -1074,
        "float16": 2.0 ** -24, "bfloat16": 2.0 ** -133}
DTYPES = ("float32", "float64")
REF_VERSION = 1               # bump when a reference formula changes (invalidates --cache)


# ---- kernels, their parameters and facts ------------------------------------------------

# One measured kernel: name, its record, its Accuracy, the parameter values it is measured
# at, sup |f'| (inf where unbounded), whether it has the from-output forms, and
# {kind: function(*data, *params)} (the registry's ufuncs, or a test's stand-ins).
Subject = namedtuple("Subject", "name record accuracy params max_derivative from_output "
                     "functions")
_SUBJECTS = {}


def kernel_names():
    return [k.name for k in _registry.KERNELS]


def kernel_params(name):
    """The parameter values a kernel is measured at: its record's defaults, or for a
    general kernel (Record.general_kernel) the non-default set its record names."""
    return tuple(float(v) for v in _registry.KERNEL_BY_NAME[name].accuracy_params)


def unbounded(m):
    """Whether a record's max_derivative means an unbounded f' (None or inf)."""
    return m is None or not math.isfinite(m)


def max_derivative(name):
    """sup |f'| of the kernel's activation (a general kernel's: at its parameters); inf
    where f' is unbounded (the record's max_derivative None or INF)."""
    rec = _registry.record_of_kernel(name)
    gk = rec.general_kernel
    m = gk.max_derivative if gk is not None and gk.kernel == name else rec.max_derivative
    return math.inf if unbounded(m) else float(m)


def subject(name):
    """The Subject of a registry kernel by name (a Subject is returned as it is)."""
    if isinstance(name, Subject):
        return name
    if name not in _SUBJECTS:
        from ..._dispatch import UFUNCS
        k = _registry.KERNEL_BY_NAME[name]
        kinds = tuple(kd for kd in KINDS if k.from_output or "from_output" not in kd)
        functions = {kd: UFUNCS[name + SUFFIX[kd]] for kd in kinds}
        if k.second:        # f'': measured by second.py (not one of KINDS)
            functions["second_derivative"] = UFUNCS[name + "_second_derivative"]
        _SUBJECTS[name] = Subject(name, _registry.record_of_kernel(name),
                                  _registry.ACCURACY[name], kernel_params(name),
                                  max_derivative(name), k.from_output, functions)
    return _SUBJECTS[name]


def kinds_of(name):
    s = subject(name)
    return tuple(kd for kd in KINDS if s.from_output or "from_output" not in kd)


def ulp_bound(name, kind):
    """The record's ULP bound for a kind."""
    acc = subject(name).accuracy
    if kind == "forward":
        return acc.forward
    if "backward" in kind:
        return acc.backward
    return acc.derivative


# ---- the rules for any activation -----------------------------------------------------

def abs_unit(M, d):
    """The unit (times eps) of the absolute errors of f' (near its zeros, and for the
    from-output forms): M = sup |f'| where f' is bounded; where it is unbounded there is no
    global scale, so the local one, max(1, |f'(x)|) (d: the reference f'(x))."""
    if math.isfinite(M):
        return M
    with np.errstate(all="ignore"):
        return np.maximum(1.0, np.abs(np.asarray(d, np.float64)))


def from_output_valid(name, dtype, y):
    """Where a from-output form can be measured at y = f(x) (in dtype): y finite, or y
    infinite where f' is the same at every x that overflows to it (relu, selu: the branch
    that overflows is linear).  Where y overflows from x with different f' (f = x^2: y = inf
    for every |x| > 1.3e154, f' = 2x) f' is not a function of y, and a from-output form
    cannot know it: those points are left out (counted in the row's `skipped`)."""
    det = _inf_determined(name, dtype)
    y = np.asarray(y)
    return ~np.isinf(y) | ((y > 0) & det[0]) | ((y < 0) & det[1])


_DETERMINED = {}


def _inf_determined(name, dtype):
    """(at y = +inf, at y = -inf): whether f' is one value over the x whose f(x) overflows
    there, probed at +-2**k over the dtype's range, its ends and the infinities."""
    sub = subject(name)
    key = (id(sub.record), sub.name, sub.params, str(dtype))
    if key not in _DETERMINED:
        dt = np.dtype(dtype)
        fi = np.finfo(dt)
        mag = np.ldexp(1.0, np.arange(fi.minexp - fi.nmant, fi.maxexp))
        mag = np.concatenate([mag, [float(fi.max), math.inf]])
        x64 = np.concatenate([mag, -mag]).astype(dt).astype(np.float64)
        with np.errstate(all="ignore"):
            y = sub.functions["forward"](x64.astype(dt), *[dt.type(p) for p in sub.params])
            d = sub.functions["derivative"](x64, *sub.params)
        _DETERMINED[key] = tuple(np.unique(d[y == s]).size <= 1 for s in (np.inf, -np.inf))
    return _DETERMINED[key]


def f_overflows(y, g, fd, x):
    """Where the backward g * f'(x) is +-inf because f'(x) itself rounds to +-inf (fd: f'
    as the dtype rounds it): the backward is g times f' rounded (docs/guide/backward.md), so that inf is
    its result even where g f' is finite (logit's f' = 1 / p for a subnormal p)."""
    with np.errstate(all="ignore"):
        return np.isinf(fd) & np.isfinite(x) & np.isinf(y) & (np.sign(y) == np.sign(g * fd))


def crossing_window(name, x):
    """Where x is within the halfwidth of a zero of f' (None: f' has none)."""
    acc = subject(name).accuracy
    if not acc.crossings:
        return None
    w = np.zeros(x.shape, bool)
    for c, hw in acc.crossings:
        w |= np.abs(x - c) <= hw
    return w


def g_for(n):
    """The backward's g values for n points (G_VALUES cycled)."""
    return np.resize(np.array(G_VALUES), n)
