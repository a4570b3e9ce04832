"""The parameters (slopes, alpha, weight...) checked by the rules of their registry
records (``_registry.Param``), on the values the loop will take.
"""

import math
import struct

import numpy as np

from ._checks import _F32, _F64, _PY_SCALARS, _show

# The rules are the registry's (_registry.Param: nonzero, inf, at_least,
# from_output_nonnegative); they are checked on the values the loop will take, i.e. after
# the cast to its parameter dtype, so that a value the cast turns into 0 or inf is refused
# rather than computed with (celu(float32 data, alpha=1e-50) would give NaN).

# Packing rounds a Python float to float32 as NumPy's cast does, and raises OverflowError
# where the cast gives inf ("=": the standard size, with that check; "f" alone has none).
_F32_STRUCT = struct.Struct("=f")

_CHECKED_TYPES = (float, np.ndarray)     # what _check_scalar and _check_array return


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
    if not math.isfinite(c) and not p.nonfinite:     # beyond the range: OverflowError above
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
    if p.nonfinite:
        if (np.isfinite(c) != np.isfinite(a)).any():     # a finite value cast to inf
            raise _range_error(fname, p, value, pdtype)
    elif not np.isfinite(c).all():
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
            elif type(lo) in _CHECKED_TYPES and type(c) in _CHECKED_TYPES:
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
    """Whether every parameter value is one number (a Python float, or a 0-d array from a
    NumPy scalar: the compiled path takes both alike) equal to its default as the loop
    takes it, or None where the default is None (then the specialised kernel runs; the
    general one gives the same results at a float default)."""
    return all(c is None if p.default is None else
               (type(c) is float or type(c) is np.ndarray and c.ndim == 0)
               and c == _as_loop_takes(p.default, pdtype)
               for (p, _), c in zip(params, values))
