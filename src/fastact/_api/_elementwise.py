"""``Elementwise`` and ``ElementwiseFromOutput``: the activations that are plain ufunc
calls, their parameters scalars or arrays broadcast against x.
"""

from .._dispatch import UFUNCS
from .._fastpath import METHODS, FastCall
from ._base import Activation
from ._ufunc_call import _double_backward, _run_ufunc


# The ufuncs' suffixes, in the order of _fastpath.METHODS, then the second derivative's
# (no fast path).
_SUFFIXES = tuple("" if m == "__call__" else "_" + m for m in METHODS) + ("_second_derivative",)


class Elementwise(Activation, FastCall):
    """An activation whose parameters are scalars or arrays broadcast against x."""

    # The methods with a compiled fast path (besides the forward): _classes._own_class.
    _FAST_METHODS = ("derivative", "backward")  # type: tuple[str, ...]

    def __init__(self, spec):
        super().__init__(spec)
        # by suffix: the record's kernel's ufuncs, and for a record with a general kernel
        # (Record.general_kernel) that one's, which runs when the parameters are not all at their
        # defaults (then the record's kernel is the specialised one, without parameters)
        self._ufunc = {suffix: UFUNCS.get(spec.kernel + suffix) for suffix in _SUFFIXES}
        self._general_ufunc = {suffix: (None if spec.general_kernel is None else
                                        UFUNCS.get(spec.general_kernel.kernel + suffix))
                               for suffix in _SUFFIXES}
        fast = _SUFFIXES[:len(METHODS)]      # the compiled fast path's, in METHODS' order
        self._setup([self._ufunc[s] for s in fast], spec.params,
                    None if spec.general_kernel is None else
                    [self._general_ufunc[s] for s in fast])

    # The general path of every call.  Each activation's class (_classes._own_class) runs
    # them through compiled methods (_fastpath: FastCall.__call__ for the forward,
    # compiled_method() for the others), which take the common calls straight to the
    # ufunc and hand every other call to these.
    def _general_call(self, x, *args, out=None, **kwargs):
        return _run_ufunc(self.name, self._ufunc[""], [("x", x)],
                          self._bind("forward", args, kwargs), out,
                          general=self._general_ufunc[""])

    def derivative(self, x, *args, out=None, **kwargs):
        return _run_ufunc(self.name + ".derivative", self._ufunc["_derivative"], [("x", x)],
                          self._bind("derivative", args, kwargs), out,
                          general=self._general_ufunc["_derivative"])

    def backward(self, grad_output, x, *args, out=None, **kwargs):
        return _run_ufunc(self.name + ".backward", self._ufunc["_backward"],
                          [("grad_output", grad_output), ("x", x)],
                          self._bind("backward", args, kwargs), out,
                          general=self._general_ufunc["_backward"])


    # The second derivative and the double backward (the records with mp_second: every
    # elementwise one); the classes of the others leave them out (_classes._own_class).
    def second_derivative(self, x, *args, out=None, **kwargs):
        return _run_ufunc(self.name + ".second_derivative",
                          self._ufunc["_second_derivative"], [("x", x)],
                          self._bind("second_derivative", args, kwargs), out,
                          general=self._general_ufunc["_second_derivative"])

    def double_backward(self, grad_grad, grad_output, x, *args, out=None, **kwargs):
        return _double_backward(self.name, self._ufunc["_backward"],
                                self._ufunc["_second_derivative"],
                                [("grad_grad", grad_grad), ("grad_output", grad_output),
                                 ("x", x)], self._bind("double_backward", args, kwargs), out,
                                (self._general_ufunc["_backward"],
                                 self._general_ufunc["_second_derivative"]))


class ElementwiseFromOutput(Elementwise):
    """An elementwise activation whose derivative is a function of its output y."""

    _FAST_METHODS = Elementwise._FAST_METHODS + ("derivative_from_output",
                                                 "backward_from_output")

    def derivative_from_output(self, y, *args, out=None, **kwargs):
        return _run_ufunc(self.name + ".derivative_from_output",
                          self._ufunc["_derivative_from_output"], [("y", y)],
                          self._bind("derivative_from_output", args, kwargs), out,
                          from_output=True,
                          general=self._general_ufunc["_derivative_from_output"])

    def backward_from_output(self, grad_output, y, *args, out=None, **kwargs):
        return _run_ufunc(self.name + ".backward_from_output",
                          self._ufunc["_backward_from_output"],
                          [("grad_output", grad_output), ("y", y)],
                          self._bind("backward_from_output", args, kwargs), out,
                          from_output=True,
                          general=self._general_ufunc["_backward_from_output"])
