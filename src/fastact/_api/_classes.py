"""The class of each activation: the base class of its kind, specialised with its own
signatures and docstrings, and its compiled fast path over the general methods.
"""

import inspect
import types

from .. import _registry
from .._fastpath import METHODS, FastCall, compiled_method
from ._docstrings import _DATA_ARGS, _method_doc, _signature
from ._elementwise import Elementwise, ElementwiseFromOutput
from ._gelu import GELU
from ._prelu import PReLU
from ._rrelu import RReLU
from ._softmax import Softmax

# Each activation is an instance of a class of its own, made here from its record, so that
# help() and inspect.signature show its real parameters, formula and derivative (the
# shared methods take *args / **kwargs).  The methods are copies of the shared functions
# (the same code, no extra call) that carry their own __doc__ and __signature__.


_SECOND_METHODS = ("second_derivative", "double_backward")

_BASE_CLASSES = {"elementwise": Elementwise, "gelu": GELU, "prelu": PReLU, "rrelu": RReLU,
                 "axis": Softmax}


def _base_class(spec):
    """The class of spec's kind (an elementwise record with from-output forms: its own)."""
    if spec.kind == "elementwise" and _registry.KERNEL_BY_NAME[spec.kernel].from_output:
        return ElementwiseFromOutput
    return _BASE_CLASSES[spec.kind]


def _copy(fn, name, qualname, doc, signature, module=__package__):
    """fn's code as a new function with its own name, docstring and signature; of module
    (fastact._api, or fastact._gated for theirs: what help() on a method names)."""
    new = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__,
                             fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__, new.__doc__, new.__signature__ = qualname, doc, signature
    new.__module__ = module
    return new


def _with_fast_path(general, method):
    """The compiled method (_fastpath.compiled_method) over general, named and documented
    as it; its __wrapped__ is general, the general path alone."""
    fast = compiled_method(general, METHODS.index(method), len(_DATA_ARGS[method]))
    for attr in ("__name__", "__qualname__", "__doc__", "__module__", "__signature__"):
        setattr(fast, attr, getattr(general, attr))
    fast.__wrapped__ = general
    return fast


def _own_class(spec, base):
    """The class of one activation: base with its docstrings and signatures."""
    ns = {"__doc__": f"The class of fastact.{spec.name} (its one instance): see "
                     f"help(fastact.{spec.name}).", "__module__": "fastact"}
    generic = base in (Elementwise, ElementwiseFromOutput, Softmax)
    for method in ("derivative", "backward", "derivative_from_output", "backward_from_output",
                   "second_derivative", "double_backward"):
        fn = getattr(base, method, None)
        if fn is None:
            continue
        if method in _SECOND_METHODS and spec.mp_second is None:
            # a record without f'' (mp_second) has no second-derivative kernel: the
            # method is left out, as from_output's are where f' is not a function of y
            ns[method] = None
            continue
        sig = _signature(spec, method) if generic else inspect.signature(fn)
        ns[method] = _copy(fn, method, f"{spec.name}.{method}", _method_doc(spec, method, sig),
                           sig)
        if method in base._FAST_METHODS:
            ns[method] = _with_fast_path(ns[method], method)
    # the forward: FastCall's compiled __call__, over _general_call (copied under the
    # forward's name, which Python's messages on arguments that do not bind show), or
    # the class's own (a class attribute __signature__ is what inspect.signature reads
    # for an instance)
    forward = "_general_call" if issubclass(base, FastCall) else "__call__"
    fn = getattr(base, forward)
    sig = _signature(spec, "__call__") if generic else inspect.signature(fn)
    ns[forward] = _copy(fn, "__call__", f"{spec.name}.__call__",
                        _method_doc(spec, "__call__", sig), sig)
    ns["__signature__"] = sig.replace(parameters=list(sig.parameters.values())[1:])
    return type(spec.name, (base,), ns)
