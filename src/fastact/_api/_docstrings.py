"""The signatures and numpydoc docstrings of the activations and their methods, written
from their records: what help() and inspect.signature show.
"""

import inspect
import textwrap

from ._examples import _example

_P = inspect.Parameter
# the data arguments of each method (then come the record's parameters)
_DATA_ARGS = {"__call__": ("x",), "derivative": ("x",), "backward": ("grad_output", "x"),
              "derivative_from_output": ("y",), "backward_from_output": ("grad_output", "y"),
              "second_derivative": ("x",),
              "double_backward": ("grad_grad", "grad_output", "x")}

# The docstrings are numpydoc's format (sections underlined: Parameters, Returns, See Also,
# Notes, Examples), which help() shows as plain text and Sphinx's numpydoc renders; the
# record's formulas go in literal text (``...``), its prose in a literal block, so that
# no character of theirs (*, |, _) is read as reStructuredText markup.

_DATA_DOC = {
    "x": ("array_like", "The input: real numbers (integers and bool compute in float64; "
                        "float16 and bfloat16 keep their dtype)."),
    "y": ("array_like", "The forward's output y = f(x)."),
    "grad_output": ("array_like", "The gradient of the loss with respect to the output "
                                  "(broadcast against the other data)."),
    "grad_grad": ("array_like", "The gradient with respect to backward's result, "
                                "grad_output * f'(x) (broadcast against the other data)."),
}
_EXTRA_DOC = {   # arguments that are not the record's parameters
    "where": ("array_like of bool, optional",
              "A mask broadcast to x: masked-out entries give 0 (-inf for log_softmax) and "
              "are left out of the normalisation (JAX's where)."),
    "dtype": ("dtype, optional",
              "The result's floating dtype: x is cast to it first and computed in it "
              "(PyTorch's dtype; float64 for a float32 x computes in float64)."),
    "training": ("bool, default False",
                 "Training: a random slope per element, drawn from U(lower, upper); "
                 "evaluation: the slope (lower + upper) / 2."),
    "rng": ("None, int, SeedSequence, BitGenerator or Generator, optional",
            "The random source in training, as np.random.default_rng takes it."),
    "slopes": ("array_like, optional",
               "The slopes the forward drew in training (its second result)."),
    "out": ("ndarray, optional", "An array of the result's dtype and shape to write into."),
}


def _param_doc(spec, p):
    """(type, description) of one of the record's parameters for the Parameters section."""
    if spec.kind == "axis" and p.name == "axis":
        return ("int, tuple of ints or None, default -1",
                "The axis the rows run along; a tuple of axes makes the elements along "
                "them one row, None every element.  (PyTorch calls it dim.)")
    if spec.kind == "prelu":
        return (f"float or array_like, default {p.default!r}",
                "The slope for x <= 0: one value, or a 1-d array with one slope per "
                "channel (axis 1 of x).")
    if isinstance(p.default, str):
        names = ", ".join(repr(v) for v in (p.default,) + tuple(
            v for _, v in p.aliases if v != p.default))
        alias = ", ".join(f"{a!r} means {v!r}" for a, v in p.aliases)
        return (f"{{{names}}} or bool, default {p.default!r}",
                f"Which form to compute; {alias} (as JAX and Keras pass it).")
    rules = []
    if p.nonzero:
        rules.append("nonzero")
    if type(p.at_least) is float:
        rules.append(f">= {p.at_least}")
    elif p.at_least is not None:
        rules.append(f">= {p.at_least}")
    if p.from_output_nonnegative:
        rules.append(">= 0 in the from-output forms")
    if not p.nonfinite:
        rules.append("finite" if p.inf is None else f"finite or {p.inf}")
    rule = f"{', '.join(rules)}.".capitalize() if rules else "Any value, inf and NaN too."
    if p.required:
        return "float or array_like", f"Required. {rule}"
    if p.default is None:
        return "float or array_like, optional", f"Not given by default. {rule}"
    return f"float or array_like, default {p.default!r}", rule


def _params_section(spec, sig):
    """The Parameters section for a method of signature sig (self excluded)."""
    by_name = {p.name: p for p in spec.params}
    lines = ["Parameters", "----------"]
    for name in sig.parameters:
        if name in _DATA_DOC:
            typ, desc = _DATA_DOC[name]
        elif name in by_name:
            typ, desc = _param_doc(spec, by_name[name])
        elif name == "out" and "grad_grad" in sig.parameters:     # double_backward's
            typ, desc = ("tuple of two ndarrays, optional",
                         "Arrays of the result's dtype and shape to write the two results "
                         "into (nothing is written if the call fails).")
        elif name in _EXTRA_DOC:
            typ, desc = _EXTRA_DOC[name]
        else:
            continue
        lines += [f"{name} : {typ}"] + _wrap(desc, "    ")
    return lines


def _wrap(text, indent="", more=""):
    """text as lines of at most 88 characters (more: the further lines' extra indent)."""
    return textwrap.wrap(text, 88, initial_indent=indent, subsequent_indent=indent + more,
                         break_on_hyphens=False, break_long_words=False)


_RETURNS = {
    "__call__": "f(x), of the shape of the broadcast data and the data's dtype (float64 for "
                "integer or bool input); a NumPy scalar for a 0-d input; out if given.",
    "derivative": "f'(x), elementwise, as the forward's result.",
    "backward": "grad_output * f'(x): the gradient with respect to x.",
    "derivative_from_output": "f'(x) computed from y = f(x), elementwise.",
    "backward_from_output": "grad_output * f'(x) computed from y = f(x): the gradient with "
                            "respect to x.",
    "second_derivative": "f''(x), elementwise, as the forward's result.",
}


def _returns(spec, method):
    if spec.kind == "axis" and method == "backward":
        text = ("The gradient with respect to x: the vector-Jacobian product along the "
                "axis, 0 at masked-out entries.")
    elif spec.kind == "axis" and method == "backward_from_output":
        text = ("The gradient with respect to x, from y: the vector-Jacobian product along "
                "the axis, 0 at masked-out entries.")
    elif spec.kind == "prelu" and method == "backward":
        return ["Returns", "-------", "grad_x : ndarray", "    grad_output * f'(x).",
                "grad_weight : ndarray",
                "    The gradient with respect to weight, of weight's shape."]
    elif method == "double_backward":
        return ["Returns", "-------", "grad_grad_output : ndarray",
                "    grad_grad * f'(x): the gradient with respect to grad_output.",
                "grad_x : ndarray",
                "    grad_grad * grad_output * f''(x): the gradient with respect to x."]
    elif spec.kind == "rrelu" and method == "__call__":
        return ["Returns", "-------", "ndarray or tuple of ndarray",
                "    f(x) in evaluation; (f(x), slopes) in training."]
    else:
        text = _RETURNS[method]
    return ["Returns", "-------", "ndarray"] + _wrap(text, "    ")


def _summary(spec, method):
    """The first line of a method's docstring."""
    d = f"``{spec.derivative}``"
    if spec.kind == "axis":
        return {"__call__": f"``{spec.formula}``.",
                "backward": f"The backward from the input x: {d}, with y = f(x).",
                "backward_from_output": f"The backward from the output y = f(x): {d}."}[method]
    return {"__call__": f"The forward: ``{spec.formula}``.",
            "derivative": f"The derivative f'(x) = {d}.",
            "backward": f"The backward, grad_output * f'(x) in one pass; f'(x) = {d}.",
            "derivative_from_output": f"f'(x) from the output y = f(x): {d}.",
            "backward_from_output": f"grad_output * f'(x) from the output y = f(x): {d}.",
            "second_derivative": "The second derivative f''(x) (0 at the kinks of a "
                                 "piecewise-linear function, as PyTorch's double backward).",
            "double_backward": "The double backward: the gradients of backward(grad_output, "
                               "x) = grad_output * f'(x) with respect to grad_output and x, "
                               "given grad_grad (PyTorch's double backward).",
            }[method]


def _method_doc(spec, method, sig=None):
    """A method's docstring (numpydoc): summary, Parameters, Returns; the signature is the
    function's own (help() and Sphinx show it).  sig: its signature, self first."""
    sig = _signature(spec, method) if sig is None else sig
    sig = sig.replace(parameters=list(sig.parameters.values())[1:])
    lines = [_summary(spec, method), ""] + _params_section(spec, sig) + [""]
    lines += _returns(spec, method)
    return "\n".join(lines) + "\n"


_METHOD_LINES = {
    "derivative": "f'(x), elementwise",
    "backward": "grad_output * f'(x), the gradient with respect to x",
    "derivative_from_output": "f'(x) from the output y",
    "backward_from_output": "the gradient with respect to x from the output y",
    "second_derivative": "f''(x), elementwise",
    "double_backward": "the gradients of backward with respect to grad_output and x",
}


def _activation_doc(spec, cls, sig, ref):
    """An activation's docstring, what help(fastact.NAME) shows: the signature, formula,
    parameters, result, its methods and facts, and an example."""
    sig = _signature(spec, "__call__") if sig is None else sig
    if "self" in sig.parameters:
        sig = sig.replace(parameters=list(sig.parameters.values())[1:])
    # the signature after the formula, as literal text: numpydoc would take a first line
    # "name(...)" for the signature, which Sphinx's autodata then fails to place
    lines = [f"``{spec.formula}``.", "", f"Signature: ``{spec.name}{sig}``", ""]
    lines += _params_section(spec, sig) + [""] + _returns(spec, "__call__") + [""]
    if spec.kind == "axis":
        family = [n for n in ("softmax", "log_softmax", "softmin") if n != spec.name]
        lines += ["See Also", "--------"] + [f"fastact.{n}" for n in family] + [""]
    methods = [m for m in ("derivative", "backward", "derivative_from_output",
                           "backward_from_output", "second_derivative", "double_backward")
               if getattr(cls, m, None) is not None]
    facts = [("derivative", spec.derivative), ("output range", spec.output_range),
             ("use", spec.use), ("avoid", spec.avoid), ("kinks and limits", spec.kinks_text)]
    lines += ["Notes", "-----", "Methods, with the forward's parameters (help() on each "
              "tells more):", ""]
    data = {m: ", ".join(_DATA_ARGS[m]) for m in methods}
    for m in methods:
        what = _METHOD_LINES[m]
        if spec.kind == "axis":
            what = ("the gradient with respect to x, from x (the forward recomputed)"
                    if m == "backward" else "the same from the output y (no forward)")
        elif spec.kind == "prelu" and m == "backward":
            what += ", and grad_weight"
        lines += _wrap(f"- ``{spec.name}.{m}({data[m]}, ...)``: {what}.", "", "  ")
    lines += _wrap(f"- ``{spec.name}.has_derivative`` is {'derivative' in methods}, "
                   f"``{spec.name}.has_from_output`` {'backward_from_output' in methods}.",
                   "", "  ") + ["",
              "::", ""] + [f"    {k}: {v}" for k, v in facts] + [""]
    lines += ["Examples", "--------",
              "The values printed are the pure-Python reference's, rounded:", ""]
    return "\n".join(lines) + "\n" + _example(spec, ref)


def _signature(spec, method):
    data = _DATA_ARGS[method]
    ps = [_P("self", _P.POSITIONAL_ONLY)]
    ps += [_P(d, _P.POSITIONAL_OR_KEYWORD) for d in data]
    ps += [_P(p.name, _P.POSITIONAL_OR_KEYWORD) if p.required else
           _P(p.name, _P.POSITIONAL_OR_KEYWORD, default=p.default) for p in spec.params]
    if spec.kind == "axis":
        ps.append(_P("where", _P.KEYWORD_ONLY, default=None))
        if method == "__call__":
            ps.append(_P("dtype", _P.KEYWORD_ONLY, default=None))
    ps.append(_P("out", _P.KEYWORD_ONLY, default=None))
    return inspect.Signature(ps)
