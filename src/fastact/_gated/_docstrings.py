"""The gated activations' signatures and numpydoc docstrings, written from their records
(as fastact._api._docstrings writes the others').
"""

import inspect

from .._api._examples import _rounded

_P = inspect.Parameter


def _signature(spec, method, self_=True):
    if spec.kind == "glu":
        data = ("x",) if method == "__call__" else ("grad_output", "x")
        params = [_P("axis", _P.POSITIONAL_OR_KEYWORD, default=-1)]
    else:
        data = ("a", "b") if method == "__call__" else ("grad_output", "a", "b")
        params = [_P(p.name, _P.POSITIONAL_OR_KEYWORD, default=p.default)
                  for p in spec.params]
    return inspect.Signature([_P("self", _P.POSITIONAL_ONLY)] * self_
                             + [_P(d, _P.POSITIONAL_OR_KEYWORD) for d in data] + params
                             + [_P("out", _P.KEYWORD_ONLY, default=None)])


_DATA_DOC = {"x": "array_like\n    The input, halved along axis into a and b.",
             "a": "array_like\n    The gate's input (broadcast against b).",
             "b": "array_like\n    The gated values (broadcast against a).",
             "grad_output": "array_like\n    The gradient of the loss with respect to the "
                            "output."}


def _params_doc(spec, method):
    """The Parameters section (numpydoc) of a method."""
    lines = ["Parameters", "----------"]
    for name in _signature(spec, method, False).parameters:
        if name in _DATA_DOC:
            lines.append(f"{name} : {_DATA_DOC[name]}")
        elif name == "axis":
            lines.append("axis : int, default -1\n    The axis to halve (its length must be "
                         "even).  (PyTorch calls it dim.)")
        elif name == "approximate":
            lines.append("approximate : {'none', 'tanh'} or bool, default 'none'\n    Exact "
                         "gelu or its tanh form; True means 'tanh', False 'none' (as JAX\n"
                         "    and Keras pass it).")
        elif name == "out":
            lines.append("out : " + ("ndarray, optional\n    An array of the result's dtype "
                                     "and shape to write into." if method == "__call__"
                                     or spec.kind == "glu" else
                                     "tuple of two ndarrays, optional\n    Arrays of a's and "
                                     "b's shape and the result's dtype to write into."))
    return "\n".join(lines) + "\n"


def _method_doc(spec, method):
    if method == "__call__":
        what = f"The forward: ``{spec.formula}``."
        ret = "ndarray\n    The result."
    elif spec.kind == "glu":
        what = ("The gradient with respect to x, both halves in one pass:\n"
                f"``{spec.derivative}``.")
        ret = "ndarray\n    The gradient with respect to x, of x's shape."
    else:
        what = ("(grad_a, grad_b) = (grad_output * b * f'(a), grad_output * f(a)) in one "
                f"pass\n(``{spec.derivative}``); a broadcast operand's gradient is summed to "
                "its shape.")
        ret = ("grad_a : ndarray\n    Of a's shape.\ngrad_b : ndarray\n    Of b's shape.")
    return f"{what}\n\n{_params_doc(spec, method)}\nReturns\n-------\n{ret}\n"


def _gated_doc(spec, ref):
    """help(fastact.NAME) of a gated activation (swiglu, geglu, reglu)."""
    a, b = [-2.0, 0.0, 1.5], [0.5, 2.0, -1.0]
    grads = [ref.backward(1.0, u, v) for u, v in zip(a, b)]
    return (
        f"``{spec.formula}``.\n\nSignature: ``{spec.name}"
        f"{_signature(spec, '__call__', False)}``\n\n"
        + _params_doc(spec, "__call__") +
        "\nReturns\n-------\nndarray\n    f(a) * b, of the broadcast shape of a and b.\n"
        "\nNotes\n-----\n"
        f"``{spec.name}.backward(grad_output, a, b)`` returns (grad_a, grad_b) from one "
        "fused pass; a\nbroadcast operand's gradient is summed to its shape.  There is "
        "no derivative: the two\npartial derivatives are ``backward(1.0, a, b)``.\n\n"
        f"::\n\n    partial derivatives: {spec.derivative}\n    use: {spec.use}\n"
        f"    avoid: {spec.avoid}\n    kinks and limits: {spec.kinks_text}\n\n"
        "Examples\n--------\n"
        "The values printed are the pure-Python reference's, rounded:\n\n"
        ">>> import numpy as np, fastact\n"
        f">>> a, b = np.array({a}), np.array({b})\n"
        f">>> np.round(fastact.{spec.name}(a, b), 4)\n"
        f"{_rounded([ref(u, v) for u, v in zip(a, b)])}\n"
        f">>> da, db = fastact.{spec.name}.backward(np.ones(3), a, b)\n"
        ">>> np.round(da, 4)\n"
        f"{_rounded([d[0] for d in grads])}\n"
        ">>> np.round(db, 4)\n"
        f"{_rounded([d[1] for d in grads])}\n")


def _glu_doc(spec, ref):
    """help(fastact.glu)."""
    row, g = [1.0, -2.0, 0.5, 3.0], [1.0, -1.0]
    return (
        f"``{spec.formula}`` (torch.nn.functional.glu).\n\nSignature: ``{spec.name}"
        f"{_signature(spec, '__call__', False)}``\n\n" + _params_doc(spec, "__call__") +
        "\nReturns\n-------\nndarray\n    a * sigmoid(b), x's shape halved along axis.\n"
        "\nNotes\n-----\n"
        f"``{spec.name}.backward(grad_output, x, axis=-1)`` returns the gradient with "
        "respect to x\n(x's shape), both halves from one fused pass.  PyTorch's dim is "
        "axis here.\n\n"
        f"::\n\n    partial derivatives: {spec.derivative}\n    use: {spec.use}\n"
        f"    avoid: {spec.avoid}\n\n"
        "Examples\n--------\n"
        "The values printed are the pure-Python reference's, rounded:\n\n"
        ">>> import numpy as np, fastact\n"
        f">>> x = np.array({row})\n"
        f">>> np.round(fastact.{spec.name}(x), 4)\n"
        f"{_rounded(ref(row))}\n"
        f">>> np.round(fastact.{spec.name}.backward(np.array({g}), x), 4)\n"
        f"{_rounded(ref.backward(g, row))}\n")
