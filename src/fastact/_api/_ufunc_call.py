"""``_run_ufunc``: one ufunc call, its operands checked and promoted, its parameters cast
to their dtype, every error raised before anything is written.
"""

from ._checks import (_cast, _check_out, _is_duck, _param_dtype, _real, _result_dtype,
                      _ufunc_error)
from ._params import _at_defaults, _check_params


def _run_ufunc(fname, ufunc, data, params, out, from_output=False, general=None, **kwargs):
    """Run one ufunc: data operands promoted together, parameters cast to their dtype.

    data: (name, value) pairs; params: (Param, value) pairs, checked by the Param's
    rules (_check_params; from_output: with the from-output forms' rules too).  general:
    the general kernel's ufunc of a record with one (Record.general_kernel): then ufunc is the
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
