"""The gated activations' API objects: ``fastact.swiglu``, ``geglu``, ``reglu`` and ``glu``.

Each is f(a) * b over a gated ufunc pair built from its gate's kernels (records with
kind "gated" or "glu"; ``_registry.GATED``):

* ``NAME(a, b, *, out=None)``: a binary elementwise ufunc, NumPy broadcasting and dtype
  rules (integers and bool compute in float64; float16 in float32, rounded once).
* ``NAME.backward(grad_output, a, b, *, out=None)`` -> ``(grad_a, grad_b)``, both from one
  fused pass (``gated_<gate>_backward``, a ufunc with three inputs and two outputs).  Where
  a or b was broadcast, its gradient is summed over the broadcast dimensions to its own
  shape, as autograd does (``out`` is then a pair of arrays of the shapes of a and b); a
  16-bit sum accumulates in float64 and is rounded once, an overflowing one is inf
  without a floating-point warning (``_sums``).
* No ``derivative``: f(a, b) has two partial derivatives, which are
  ``backward(1.0, a, b)``.
* ``glu(x, axis=-1)``: a * sigmoid(b), (a, b) the halves of x along axis (PyTorch's
  ``F.glu``), run by the gated kernel of sigmoid with the operands in the order (b, a),
  straight from views of x into the result (and, in ``glu.backward``, into the two halves
  of the gradient): no copy.

Dask arrays run lazily: the forwards as the other activations' (through the ufunc's
``__array_ufunc__``), the backwards (two outputs, which dask's ``__array_ufunc__`` does
not take) through ``dask.array.apply_gufunc`` and the sums through
``dask.array.reduction``; other duck arrays are refused by the backwards.

The checks, error messages and pickling are the other activations' (``_api``).

The modules: ``_two_operands`` (``Gated``), ``_glu`` (``GLU``), ``_backward_checks``
(the backwards' out= pairs and duck arrays), ``_docstrings``; here, ``build``.
"""

from .. import _registry
from .._api._classes import _copy
from ._docstrings import _method_doc, _signature
from ._glu import GLU, _refuse_dim
from ._two_operands import Gated


def _own_class(spec):
    """The class of one gated activation: Gated or GLU with its docstrings and signatures
    (as fastact._api._classes makes the others')."""
    base = GLU if spec.kind == "glu" else Gated
    ns = {"__doc__": f"The class of fastact.{spec.name} (its one instance): see "
                     f"help(fastact.{spec.name}).", "__module__": "fastact"}
    for method in ("__call__", "backward"):
        ns[method] = _copy(getattr(base, method), method, f"{spec.name}.{method}",
                           _method_doc(spec, method), _signature(spec, method),
                           module=__name__)
        if spec.kind == "glu":
            ns[method] = _refuse_dim(ns[method])
    sig = _signature(spec, "__call__")
    ns["__signature__"] = sig.replace(parameters=list(sig.parameters.values())[1:])
    return type(spec.name, (base,), ns)


def build():
    """One API object per gated record, in their order."""
    out = {}
    for spec in _registry.GATED:
        # a docstring of its own: help(fastact.NAME) shows it alone (_api.build)
        out[spec.name] = _own_class(spec)(spec)
    return out
