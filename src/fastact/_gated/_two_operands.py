"""``Gated``: swiglu, geglu and reglu, f(a) * b of two operands, and their fused
two-output backward.
"""

import numpy as np

from .. import _registry, reference
from .._api import _activation
from .._api._checks import _real, _result_dtype, _ufunc_error
from .._api._ufunc_call import _run_ufunc
from .._dispatch import UFUNCS
from .._sums import dask_pair, sum_to
from ..records import _gated
from ._backward_checks import _check_outs, _is_lazy
from ._docstrings import _gated_doc


class Gated:
    """A gated activation f(a) * b (swiglu, geglu, reglu): see fastact._gated."""


    def __init__(self, spec):
        self.info = spec
        self.name = spec.name
        self.params = spec.params
        self.reference = reference.GATED[spec.name]
        self._gates = _registry.gates_of(spec)
        self.__doc__ = _gated_doc(spec, self.reference)

    def __repr__(self):
        args = "".join(f", {p.name}={p.default!r}" for p in self.params)
        return f"<fastact.{self.name}(a, b{args})>"

    def __reduce__(self):
        return _activation, (self.name,)

    has_derivative = False
    has_from_output = False

    def _kernel(self, method, args, kwargs):
        """The gated kernel for the parameters (geglu's approximate: 'none', 'tanh' or a
        bool, True meaning 'tanh')."""
        fname = self.name if method == "forward" else f"{self.name}.{method}"
        if not self.params:
            if args or kwargs:
                extra = list(kwargs) or args
                raise TypeError(f"fastact.{fname}: unexpected argument {extra[0]!r}")
            return "gated_" + self._gates[None]
        (p,) = self.params
        if len(args) > 1:
            raise TypeError(f"fastact.{fname}: takes 1 parameter after the data, got "
                            f"{len(args)}")
        for k in kwargs:
            if k != p.name or args:
                raise TypeError(f"fastact.{fname}: unexpected argument {k!r}"
                                if k != p.name else f"fastact.{fname}: {k!r} given twice")
        value = args[0] if args else kwargs.get(p.name, p.default)
        try:
            return "gated_" + self._gates[_gated.approximate_value(value)]
        except (KeyError, TypeError):
            raise ValueError(f"fastact.{fname}: {p.name} must be one of "
                             f"{list(self._gates) + [True, False]!r}, got {value!r}") from None

    def __call__(self, a, b, *args, out=None, **kwargs):
        k = self._kernel("forward", args, kwargs)
        return _run_ufunc(self.name, UFUNCS[k], [("a", a), ("b", b)], [], out)

    def backward(self, grad_output, a, b, *args, out=None, **kwargs):
        fname = self.name + ".backward"
        k = self._kernel("backward", args, kwargs)
        data = [(w, _real(fname, w, v)) for w, v in
                (("grad_output", grad_output), ("a", a), ("b", b))]
        values = [v for _, v in data]
        dtype = _result_dtype(values)
        shapes = [np.shape(values[1]), np.shape(values[2])]
        lazy = _is_lazy(fname, values, out)
        outs = _check_outs(fname, out, dtype, shapes, ["grad_a", "grad_b"])
        try:
            shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        except ValueError as exc:
            raise _ufunc_error(fname, exc, data) from None
        if lazy:
            full = dask_pair(UFUNCS[k + "_backward"], values, dtype)
            return tuple(r if s == shape else sum_to(r, s, dtype)
                         for r, s in zip(full, shapes))
        # an operand of the full shape gets its gradient straight into its out
        direct = tuple(o if s == shape else None for o, s in zip(outs, shapes))
        try:
            full = UFUNCS[k + "_backward"](*values, out=direct, signature=(dtype,) * 5)
        except (TypeError, ValueError) as exc:
            raise _ufunc_error(fname, exc, data) from None
        # From here on nothing can fail: sum_to raises no floating-point error (an
        # overflowing sum is inf), so an error never leaves one out written and not the other.
        res = []
        for r, s, o in zip(full, shapes, outs):
            if s != shape:
                r = sum_to(r, s, dtype)
                if o is not None:
                    o[...] = r
                    r = o
            res.append(r)
        return tuple(res)
