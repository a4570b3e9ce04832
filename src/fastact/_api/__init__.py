"""The thin API: one object per activation, wrapping the compiled ufuncs.

The ufuncs (``fastact.UFUNCS``, from ``_dispatch``) already follow NumPy's rules
(broadcasting, ``out=``, strides, 0-d and empty arrays, byte order).  This layer adds only what an activation
library owes its users on top of that:

* integer and bool input computes in float64 (like ``np.tanh`` on Python ints and int64
  arrays; NumPy alone would give float16 for bool and int8);
* parameters (slopes, alpha, weight) are cast to the dtype of the data, so a float32
  input gives a float32 result whatever the parameter's type;
* bad input fails before anything is written, with a message that names the function
  and the argument; parameters are checked as the loop will see them (after the cast to
  its dtype), by the rules of their registry entries (``_registry.Param``);
* the objects pickle by name (``pickle.loads(pickle.dumps(fastact.tanh)) is fastact.tanh``),
  so that they can be sent to worker processes;
* the forms that are not plain ufunc calls: gelu's ``approximate``, prelu's per-channel
  weight and its gradient, rrelu's random slopes, softmax along an axis.

Duck arrays (objects that are not ndarrays but implement ``__array_ufunc__`` and have a
``dtype``, such as dask arrays) are never converted with ``np.asarray`` (which would
compute a dask array): the dtype rules are applied to their ``.dtype``, they are cast with
``.astype`` and handed to the ufunc, whose ``__array_ufunc__`` protocol lets them run it
their own way (dask: lazily, chunk by chunk; softmax through ``apply_gufunc``, so the
axis must not be chunked).

Small calls cost what the ufunc costs: the common ones (float32 or float64 ndarrays,
Python and NumPy scalar parameters and 0-d arrays, gelu's option, an out of the result's
dtype and shape, softmax along the last axis) are checked and made in C by ``_fastpath``,
with the same rules; the methods here
are the general path, to which the compiled ones hand every other call.

The layer's modules, one job each: ``_checks`` (the data and out), ``_params`` (the
parameters, by their records' rules), ``_ufunc_call`` (one checked ufunc call),
``_base`` (``Activation``), the classes of each kind (``_elementwise``, ``_gelu``,
``_prelu``, ``_rrelu``, ``_softmax``), ``_docstrings`` and ``_examples`` (what help()
shows) and ``_classes`` (the class of each activation); here, ``build``, the pickled
objects' ``_activation`` and the names other layers import (``fastact.losses``).
"""

from .. import _registry
from ._base import Activation
from ._classes import _base_class, _own_class
from ._elementwise import Elementwise, ElementwiseFromOutput
from ._gelu import GELU
from ._prelu import PReLU
from ._rrelu import RReLU
from ._softmax import Softmax

# The helpers other layers use (fastact.losses; the gated objects take theirs from the
# modules), importable from here as before the split.
from ._checks import _cast, _check_out, _is_duck, _is_float, _real  # noqa: F401
from ._checks import _result_dtype, _show, _ufunc_error  # noqa: F401
from ._classes import _copy  # noqa: F401
from ._examples import _rounded  # noqa: F401
from ._ufunc_call import _run_ufunc  # noqa: F401


def _activation(name):
    """fastact.<name> of this process: what a pickled activation unpickles to (pickle
    stores the name only, so a worker process gets its own, with its own kernels)."""
    from .. import ACTIVATIONS, GATED   # at call time: fastact has been imported by then
    return ACTIVATIONS[name] if name in ACTIVATIONS else GATED[name]


def build():
    """One API object per registry entry, in the registry's order."""
    out = {}
    for spec in _registry.ACTIVATIONS:
        # The instance's docstring differs from its class's: help(fastact.NAME) then shows
        # it alone, without the class's members (pydoc documents an instance with a
        # docstring of its own as itself).
        out[spec.name] = _own_class(spec, _base_class(spec))(spec)
    return out
