"""What the gated backwards (two outputs) check first: their out= pairs, and the duck
arrays they take (dask, lazily) or refuse.
"""

from .._api._checks import _check_out, _is_duck
from .._sums import is_dask


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



def _is_lazy(fname, values, out):
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
