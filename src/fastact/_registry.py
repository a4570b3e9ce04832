"""The registry: every activation's record (``fastact/records/<name>.py``), and the tables
derived from them.

Nothing here lists an activation: the records are found by ``records.load()``.  What the
rest of the package reads:

* ``ACTIVATIONS``: the records, in their ``order`` (``BY_NAME``: by name).  The API
  (``fastact.<name>``), the tests, the benchmarks and the gallery iterate over it.
* ``KERNELS``: the elementwise C kernels, one per record whose kernel is its own name
  (``_kernels/<name>.pxi``), and a second one for the records with a general kernel
  (``Record.general_kernel``: hardsigmoid, selu and silu with non-default parameters).
  The build (setup.py) reads this table to generate the NumPy ufunc loops: a kernel's
  name, its ufunc parameters, whether ``NAME_grad_y`` exists, and
  whether float32 loops call the float functions (``FLOAT32_IN_FLOAT``).
* ``AXIS_KERNELS``: the softmax-type kernels (generalized ufuncs, signature (n)->(n)).
* ``ACCURACY`` / ``AXIS_ACCURACY``: their bounds, by kernel name.
* ``GATED``: the gated activations (kinds "gated" and "glu": f(a) * b, two operands), kept
  apart from ``ACTIVATIONS`` (the one-operand activations everything else iterates over);
  ``GATED_KERNELS``: the KERNELS rows of their gates (and of the gates' variants), for
  which the build generates the gated ufuncs ``gated_<gate>`` and ``gated_<gate>_backward``.

This module imports only the standard library and the records, so that setup.py can
execute it before anything is compiled.
"""

from collections import namedtuple

from .records import Accuracy, AxisAccuracy, Param, Record, load  # noqa: F401 (re-exported)

# name: C name of the kernel family; params: names of the scalar parameters that are extra
# ufunc inputs (after x); from_output: whether ``<name>_grad_y(y, params...)`` exists;
# float32_computes_in: "float" (NAME_fwd_f ... computed in float) or "double" (widened,
# rounded once);
# record: the record it belongs to (its functions are in ``_kernels/<record>.pxi``);
# accuracy_params: the parameter values the accuracy tool measures it at (the record's defaults, or
# for a general kernel its GeneralKernel.accuracy_params); second: whether
# ``<name>_grad2(x, params...)`` (f'') exists, for a record that gives mp_second.
Kernel = namedtuple("Kernel", "name params from_output float32_computes_in record "
                   "accuracy_params second")

GATED_KINDS = ("gated", "glu")
_ALL = load()
ACTIVATIONS = tuple(a for a in _ALL if a.kind not in GATED_KINDS)
GATED = tuple(a for a in _ALL if a.kind in GATED_KINDS)
BY_NAME = {a.name: a for a in _ALL}


def _owns_kernel(a):
    return a.kernel == a.name and a.kind in ("elementwise", "gelu")


def _kernels(a):
    """The kernel rows of record a: its own, and its general kernel if it has one (then
    its own kernel takes no parameters: it serves the defaults)."""
    params = tuple(p.name for p in a.params) if a.kind == "elementwise" else ()
    second = a.mp_second is not None
    if a.general_kernel is None:
        return [Kernel(a.name, params, a.from_output, a.float32_computes_in, a.name,
                       tuple(float(p.default) for p in a.params if p.name in params), second)]
    return [Kernel(a.name, (), a.from_output, a.float32_computes_in, a.name, (), second),
            Kernel(a.general_kernel.kernel, params, a.from_output, a.float32_computes_in,
                   a.name, tuple(a.general_kernel.accuracy_params), second)]


KERNELS = tuple(k for a in ACTIVATIONS if _owns_kernel(a) for k in _kernels(a))
KERNEL_BY_NAME = {k.name: k for k in KERNELS}
FLOAT32_IN_FLOAT = frozenset(k.name for k in KERNELS if k.float32_computes_in == "float")
ACCURACY = {a.name: a.accuracy for a in ACTIVATIONS if _owns_kernel(a)}
ACCURACY.update({a.general_kernel.kernel: a.general_kernel.accuracy for a in ACTIVATIONS
                 if _owns_kernel(a) and a.general_kernel is not None})

AXIS_KERNELS = tuple(a.name for a in ACTIVATIONS if a.kind == "axis")
AXIS_ACCURACY = {a.name: dict(a.accuracy._asdict()) for a in ACTIVATIONS if a.kind == "axis"}

# variant (activation, parameter, value) -> the record that computes it (gelu_tanh is
# gelu's approximate='tanh')
VARIANTS = {a.variant_of: a for a in ACTIVATIONS if a.variant_of is not None}


def variants_of(name):
    """{(parameter, value): record} of the records that are variants of activation name."""
    return {(p, v): a for (n, p, v), a in VARIANTS.items() if n == name}


def record_of_kernel(kernel):
    """The record whose kernel family this is (a general kernel's: its activation's)."""
    return BY_NAME[KERNEL_BY_NAME[kernel].record if kernel in KERNEL_BY_NAME else kernel]


def gates_of(rec):
    """{parameter value: gate kernel name} of a gated record: its gate under the default
    of the gate's variant parameter, and the gate's variants (geglu: {'none': 'gelu',
    'tanh': 'gelu_tanh'}); {None: gate} when the gate has none."""
    variants = variants_of(rec.gate)
    if not variants:
        return {None: rec.gate}
    (pname,) = {p for p, _ in variants}
    default = next(p.default for p in BY_NAME[rec.gate].params if p.name == pname)
    return {default: rec.gate, **{v: r.kernel for (_, v), r in variants.items()}}


GATED_KERNELS = tuple(KERNEL_BY_NAME[g] for g in
                      dict.fromkeys(g for a in GATED for g in gates_of(a).values()))
