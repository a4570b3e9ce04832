"""The docstrings' examples: doctests whose printed values are the pure-Python
reference's, rounded, so that running them checks the kernels against the text.
"""

import numpy as np

_EXAMPLE_X = [-2.0, 0.0, 1.5]
_EXAMPLE_ROW = [1.0, 2.0, 3.0]


def _rounded(values):
    """How NumPy prints np.round(array, 4) of these values (the doctest's expected text)."""
    return repr(np.round(np.array(values, dtype=np.float64), 4))


def _example(spec, ref):
    """A doctest for an activation's docstring: its forward and derivative (the softmax
    family: its backward from x and from y) at a few points, with the output computed by
    the pure-Python reference, so the text is true for the kernels up to the rounding to
    4 decimals."""
    lines = [">>> import numpy as np, fastact"]
    if spec.kind == "axis":
        y = ref(_EXAMPLE_ROW)
        g = [0.0, 1.0, 0.0]
        lines += [f">>> x = np.array({_EXAMPLE_ROW})",
                  f">>> y = fastact.{spec.name}(x)",
                  ">>> np.round(y, 4)", _rounded(y),
                  f">>> g = np.array({g})",
                  f">>> np.round(fastact.{spec.name}.backward(g, x), 4)",
                  _rounded(ref.backward(g, _EXAMPLE_ROW)),
                  f">>> np.round(fastact.{spec.name}.backward_from_output(g, y), 4)",
                  _rounded(ref.backward_from_output(g, y))]
    else:
        # required parameters (threshold's) are passed their example values
        args = [p.default for p in spec.params if p.required]
        text = "".join(f", {a!r}" for a in args)
        lines += [f">>> x = np.array({_EXAMPLE_X})",
                  f">>> np.round(fastact.{spec.name}(x{text}), 4)",
                  _rounded([ref(v, *args) for v in _EXAMPLE_X]),
                  f">>> np.round(fastact.{spec.name}.derivative(x{text}), 4)",
                  _rounded([ref.derivative(v, *args) for v in _EXAMPLE_X])]
    return "\n".join(lines) + "\n"
