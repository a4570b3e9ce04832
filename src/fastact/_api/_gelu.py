"""``GELU``: gelu(x, approximate='none' | 'tanh'), a kernel for each form."""

import numpy as np

from .. import _registry
from .._dispatch import UFUNCS
from .._fastpath import METHODS, FastChoice
from ._base import Activation
from ._ufunc_call import _double_backward, _run_ufunc


class GELU(Activation, FastChoice):
    """gelu(x, approximate='none' | 'tanh'): the exact x*Phi(x) or PyTorch's tanh form.

    The kernel for each value of ``approximate`` comes from the registry: the record's own
    for the default, and the records that declare themselves its variants (gelu_tanh's
    ``variant_of``) for the others.  The parameter's aliases (True for 'tanh', False for
    'none', as JAX and Keras pass it) are its record's too."""

    def __init__(self, spec):
        super().__init__(spec)
        (p,) = spec.params
        self._kernels = {p.default: spec.kernel,
                         **{v: rec.kernel for (_, v), rec in
                            _registry.variants_of(spec.name).items()}}
        # by (type, value): 1 and 1.0 are not True; NumPy's bools are bools too
        self._alias_kernels = {(t, a): self._kernels[v] for a, v in p.aliases
                         for t in (type(a), np.bool_)}
        # the compiled path (FastChoice) takes a str option or a Python bool alias straight
        # to its kernel's ufuncs; every other call goes to the methods below
        suffixes = ["" if m == "__call__" else "_" + m for m in METHODS]
        options = {**self._kernels, **{a: self._kernels[v] for a, v in p.aliases}}
        self._setup_choice(p.name, p.default, {
            v: [UFUNCS.get(k + sfx) for sfx in suffixes] for v, k in options.items()})

    # The methods with a compiled fast path (besides the forward): _classes._own_class.
    _FAST_METHODS = ("derivative", "backward")

    def _kernel(self, method, approximate):
        if type(approximate) is str and approximate in self._kernels:
            return self._kernels[approximate]
        try:
            return self._alias_kernels[type(approximate), approximate]
        except (KeyError, TypeError):           # TypeError: an unhashable value
            allowed = list(self._kernels) + [a for a, _ in self.params[0].aliases]
            raise ValueError(f"fastact.{self._fname(method)}: approximate must be one of "
                             f"{allowed!r}, got {approximate!r}") from None

    def _general_call(self, x, approximate="none", *, out=None):
        k = self._kernel("forward", approximate)
        return _run_ufunc(self.name, UFUNCS[k], [("x", x)], [], out)

    def derivative(self, x, approximate="none", *, out=None):
        k = self._kernel("derivative", approximate)
        return _run_ufunc(self.name + ".derivative", UFUNCS[k + "_derivative"], [("x", x)],
                          [], out)

    def backward(self, grad_output, x, approximate="none", *, out=None):
        k = self._kernel("backward", approximate)
        return _run_ufunc(self.name + ".backward", UFUNCS[k + "_backward"],
                          [("grad_output", grad_output), ("x", x)], [], out)

    def second_derivative(self, x, approximate="none", *, out=None):
        k = self._kernel("second_derivative", approximate)
        return _run_ufunc(self.name + ".second_derivative", UFUNCS[k + "_second_derivative"],
                          [("x", x)], [], out)

    def double_backward(self, grad_grad, grad_output, x, approximate="none", *, out=None):
        k = self._kernel("double_backward", approximate)
        return _double_backward(self.name, UFUNCS[k + "_backward"],
                                UFUNCS[k + "_second_derivative"],
                                [("grad_grad", grad_grad), ("grad_output", grad_output),
                                 ("x", x)], [], out)
