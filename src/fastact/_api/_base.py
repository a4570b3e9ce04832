"""``Activation``: what every activation object has (attributes, repr, pickling by name,
the binding of parameters to the record's); the classes of each kind derive from it.
"""

from .. import reference
from ._docstrings import _activation_doc


class Activation:
    """An activation: ``f(x, *params, out=None)`` and its derivative and backward.

    Attributes: ``name``, ``params`` (names and defaults), ``info`` (the registry entry:
    formula, output range, zero-centred, maximum derivative, when to use and to avoid),
    ``reference`` (the pure-Python twin with the same methods).
    """

    # the methods with a compiled fast path (_classes._own_class): the subclasses'
    _FAST_METHODS = ()  # type: tuple[str, ...]

    def __init__(self, spec):
        self.info = spec
        self.name = spec.name
        self.params = spec.params
        self.reference = reference.BY_NAME[spec.name]
        self.__doc__ = _activation_doc(spec, type(self),
                                       getattr(type(self), "__signature__", None),
                                       self.reference)

    def __repr__(self):
        args = "".join(f", {p.name}" if p.required else f", {p.name}={p.default!r}"
                       for p in self.params)
        return f"<fastact.{self.name}(x{args})>"

    def __reduce__(self):
        # By name: unpickles (and copies) to the very same object; its bound methods
        # then pickle too, as getattr(activation, method name).  The package's function:
        # pickles name it fastact._api._activation.
        from . import _activation
        return _activation, (self.name,)

    def _fname(self, method):
        """The name method's errors give after "fastact.": NAME, or NAME.method."""
        return self.name if method == "forward" else f"{self.name}.{method}"

    @property
    def has_derivative(self):
        """Whether there is a ``derivative(x)``, f' elementwise (not for the softmax family,
        whose Jacobian is a matrix per row: use ``backward``)."""
        return hasattr(self, "derivative")

    @property
    def has_second_derivative(self):
        """Whether there are ``second_derivative(x)`` (f'' elementwise) and
        ``double_backward(grad_grad, grad_output, x)``: every elementwise activation."""
        return getattr(self, "second_derivative", None) is not None

    @property
    def has_from_output(self):
        """Whether the backward can also take the forward's output y instead of x
        (``backward_from_output(grad_output, y)``, and for elementwise activations
        ``derivative_from_output(y)``): f' is a function of y."""
        return hasattr(self, "backward_from_output")

    def _bind(self, method, args, kwargs):
        """Match positional and keyword parameters to this activation's, with defaults:
        (Param, value) pairs in the registry's order."""
        params, fname = self.params, self._fname(method)
        if len(args) > len(params):
            raise TypeError(f"fastact.{fname}: takes {len(params)} parameter(s) "
                            f"after the data, got {len(args)}")
        values = {p.name: p.default for p in params}
        for p, v in zip(params, args):
            values[p.name] = v
        positional = {p.name for p in params[:len(args)]}
        for k, v in kwargs.items():
            if k not in values:
                raise TypeError(f"fastact.{fname}: unexpected argument {k!r}")
            if k in positional:
                raise TypeError(f"fastact.{fname}: {k!r} given twice")
            values[k] = v
        for p in params:
            # a required parameter's `default` is only its example value (Param)
            if p.required and p.name not in positional and p.name not in kwargs:
                raise TypeError(f"fastact.{fname}() missing required argument {p.name!r}")
        return [(p, values[p.name]) for p in params]
