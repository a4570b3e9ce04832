"""Shared helpers of the gated records (swiglu, geglu, reglu, glu): f(a) * b, with f the
scalar kernel of another record, the gate.

The pure-Python references compose the gate record's own references (ref_forward,
ref_derivative), with IEEE products: f(a) = 0 times b = inf is NaN, as in PyTorch.
"""

import importlib

from . import Param

# geglu's approximate: JAX and Keras pass booleans (True is the tanh form)
APPROXIMATE = Param("approximate", "none")
_BOOL_APPROXIMATE = {True: "tanh", False: "none"}


def approximate_value(value):
    """approximate as gelu's string: True -> 'tanh', False -> 'none', strings as given."""
    if type(value) is bool:
        return _BOOL_APPROXIMATE[value]
    return value


def gate_record(name):
    """The record called name (the gate), imported from this folder."""
    return importlib.import_module(f"{__package__}.{name}").RECORD


def forward(gate):
    """f(a) * b, f the gate record's ref_forward."""
    def ref_forward(a, b):
        return gate_record(gate).ref_forward(a) * b
    return ref_forward


def backward(gate):
    """(g, a, b) -> ((g * b) * f'(a), g * f(a)): autograd's order (mul's backward gives
    g * b to f's backward, which multiplies it by f'(a))."""
    def ref_backward(g, a, b):
        rec = gate_record(gate)
        return (g * b) * rec.ref_derivative(a), g * rec.ref_forward(a)
    return ref_backward
