"""The ULP of each floating-point format at a value (float64 arrays in, float64 out): the
unit of the errors, shared by the accuracy tool, accuracy16 and the peers' errors."""

import numpy as np

MANT = {"float16": 10, "bfloat16": 7}          # stored mantissa bits
EMIN = {"float16": -14, "bfloat16": -126}      # smallest normal exponent


def ulp64(r):
    r = np.abs(np.asarray(r, np.float64))
    with np.errstate(all="ignore"):
        _, e = np.frexp(r)
    return np.ldexp(1.0, np.maximum(e - 53, -1074))


def ulp32(r):
    r = np.abs(np.asarray(r, np.float64))
    with np.errstate(all="ignore"):
        _, e = np.frexp(r)
    return np.ldexp(1.0, np.maximum(e - 24, -149))


def ulp16(ref, fmt):
    """ULP of the 16-bit format at each reference value (float64 array)."""
    with np.errstate(all="ignore"):
        _, e = np.frexp(np.abs(ref))
    return np.ldexp(1.0, np.maximum(e - 1, EMIN[fmt]) - MANT[fmt])


def ulp_of(dtype):
    """The function r -> ULP at r (float64 arrays) of a dtype's format, by name."""
    if dtype == "float64":
        return ulp64
    if dtype == "float32":
        return ulp32
    return lambda r: ulp16(np.asarray(r, np.float64), dtype)
