"""The data operands and out, checked and converted by NumPy's rules, and the errors that
name the function and the argument.

Integers and bool compute in float64; duck arrays (dask) are checked by their dtype and
cast lazily; ``_ufunc_error`` rewrites a ufunc's error to name the function and, when
shapes clash, the arguments.
"""

import numpy as np

from .._dispatch import BFLOAT16

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
# the floating dtypes that are not NumPy's own: ml_dtypes' bfloat16, when installed
_OTHER_FLOATS = (BFLOAT16,) if BFLOAT16 is not None else ()


_PY_SCALARS = (float, int, bool)


def _is_float(dt):
    """Whether dt is a floating dtype, NumPy's or bfloat16."""
    return dt.kind == "f" or dt in _OTHER_FLOATS


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
