"""``_run_ufunc``: one ufunc call, its operands checked and promoted, its parameters cast
to their dtype, every error raised before anything is written.
"""

import numpy as np

from ._checks import (_F32, _cast, _check_out, _is_duck, _param_dtype, _real, _result_dtype,
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


def _double_backward(name, backward, second, data, params, out, general=(None, None)):
    """PyTorch's double backward of backward(g, x) = g f'(x): given grad_grad (gg), the
    gradients with respect to grad_output and to x, (gg f'(x), gg (g f''(x))).

    data: (grad_grad, grad_output, x) as (name, value) pairs, promoted together;
    backward and second: the kernel's _backward and _second_derivative ufuncs (general:
    the general kernel's, as _run_ufunc).  The first is one pass of the backward ufunc
    (one rounding); the second is f'' rounded, then two rounded products, computed in
    float32 for float16 and bfloat16 data and rounded to their dtype once.  out: None or
    a pair of arrays, written only when everything succeeded.
    """
    fname = name + ".double_backward"
    data = [(what, _real(fname, what, v)) for what, v in data]
    dtype = _result_dtype([v for _, v in data])
    duck = any(_is_duck(v) for _, v in data)
    if out is not None:
        if duck:
            raise TypeError(f"fastact.{fname}: out= is not supported for duck arrays")
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(f"fastact.{fname}: out must be a tuple of two arrays "
                            f"(grad_output's and x's), got {type(out).__name__}")
        for o in out:
            _check_out(fname, o, dtype)
    gg, g, x = (_cast(v, dtype) for _, v in data)
    try:
        shape = np.broadcast_shapes(gg.shape, g.shape, x.shape)
    except ValueError:
        raise ValueError(f"fastact.{fname}: grad_grad, grad_output and x do not broadcast "
                         f"together (shapes {gg.shape}, {g.shape}, {x.shape})") from None
    grad_g = _run_ufunc(fname, backward, [("grad_grad", np.broadcast_to(gg, shape)),
                                          ("x", x)], params, None, general=general[0])
    wide = _F32 if dtype.itemsize == 2 else dtype
    # (16-bit data: f'' from the float32 loop, not rounded to 16 bits before the products)
    f2 = _run_ufunc(fname, second, [("x", x.astype(wide))], params, None, general=general[1])
    with np.errstate(all="ignore"):     # IEEE results (inf, 0 * inf = NaN), as the kernels
        grad_x = np.multiply(gg.astype(wide), np.multiply(g.astype(wide), f2.astype(wide)))
        if wide is not dtype:
            grad_x = grad_x.astype(dtype)
    if out is None:
        return grad_g, grad_x[()] if isinstance(grad_x, np.ndarray) else grad_x
    for o, r in zip(out, (grad_g, grad_x)):
        if o.shape != np.shape(r):
            raise ValueError(f"fastact.{fname}: out has shape {o.shape}, but the result's "
                             f"is {np.shape(r)}")
    np.copyto(out[0], grad_g)
    np.copyto(out[1], grad_x)
    return out
