"""Pure-Python reference for every fastact activation: the math module, no NumPy.

Each object here works on Python floats (softmax-type ones on lists of floats) and has
the same methods as its compiled twin: ``f(x, *params)``, ``f.derivative``,
``f.backward(g, x, ...)``, where the record gives f'' ``f.second_derivative(x)`` and
``f.double_backward(gg, g, x)`` -> (gg f'(x), gg g f''(x)), and, where f' is a function of the output,
``f.derivative_from_output(y)`` and ``f.backward_from_output(g, y)`` (the softmax family:
``f.backward(gs, xs)`` and ``f.backward_from_output(gs, ys)`` on rows).  It is the
independent implementation the tests compare the kernels with, and the baseline the
benchmarks report speedups against.

The formulas live in the records (``fastact/records/<name>.py``: ``ref_forward``,
``ref_derivative``, ``ref_from_output``, ``ref_backward``); this module only gives them
the compiled objects' shape.  Conventions are fastact's (and PyTorch's): relu'(0) = 0,
leaky_relu'(0) = slope, elu'(0) takes the x <= 0 branch, hardtanh and relu6 have gradient
0 at the bounds, NaN in gives NaN out.
"""

from . import _registry


def _by_name(name):
    """The reference object called name: what a pickled one unpickles to (the class is
    made per activation in _reference_of, so pickle cannot find it by name; the object
    it can)."""
    return BY_NAME[name] if name in BY_NAME else GATED[name]


def _with_variants(rec, fn, attr):
    """fn, routed to a variant's function by the variant's parameter (gelu's approximate:
    'tanh' computes gelu_tanh's reference); fn itself takes x alone."""
    variants = _registry.variants_of(rec.name)
    if not variants:
        return fn
    (pname,) = {p for p, _ in variants}
    param = next(p for p in rec.params if p.name == pname)
    default = param.default

    def routed(x, *p, **kw):
        value = p[0] if p else kw.pop(pname, default)
        # an alias (gelu's True for 'tanh') by type and value: 1 is not True
        value = next((v for a, v in param.aliases
                      if type(value) is type(a) and value == a), value)
        if type(value) is not type(default):
            target = None
        else:
            target = fn if value == default else getattr(variants.get((pname, value)), attr,
                                                          None)
        if target is None:
            raise ValueError(f"fastact.reference.{rec.name}: {pname} must be one of "
                             f"{[default] + [v for _, v in variants]!r} or "
                             f"{[a for a, _ in param.aliases]!r}, got {value!r}")
        return target(x)
    return routed


def _reference_of(rec):
    """The reference object for one record (a class of its own, so that the methods it
    lacks are simply absent, as on the compiled object).  backward defaults to
    g * derivative(x)."""
    name = rec.name
    forward = _with_variants(rec, rec.ref_forward, "ref_forward")
    ns = {"__call__": lambda self, x, *p, **kw: forward(x, *p, **kw),
          "__repr__": lambda self: f"<fastact.reference.{name}>",
          "__reduce__": lambda self: (_by_name, (name,)),
          "name": name}
    if rec.ref_derivative is not None:
        derivative = _with_variants(rec, rec.ref_derivative, "ref_derivative")
        ns["derivative"] = lambda self, x, *p, **kw: derivative(x, *p, **kw)
        ns["backward"] = (lambda self, g, x, *p, **kw: g * derivative(x, *p, **kw))
    if rec.ref_second is not None:
        second = _with_variants(rec, rec.ref_second, "ref_second")
        ns["second_derivative"] = lambda self, x, *p, **kw: second(x, *p, **kw)
        # PyTorch's double backward of backward(g, x) = g f'(x), given gg: the gradients
        # with respect to g and to x
        ns["double_backward"] = (lambda self, gg, g, x, *p, **kw:
                                 (gg * derivative(x, *p, **kw), gg * g * second(x, *p, **kw)))
    if rec.ref_backward is not None:
        # the softmax family: the record's ref_backward takes the output y (the row's
        # vector-Jacobian product from y); backward takes x, as every backward does
        from_y = rec.ref_backward
        ns["backward"] = lambda self, g, x, *p, **kw: from_y(g, forward(x), *p, **kw)
        ns["backward_from_output"] = lambda self, g, y, *p, **kw: from_y(g, y, *p, **kw)
    if rec.ref_from_output is not None:
        from_output = rec.ref_from_output
        ns["derivative_from_output"] = lambda self, y, *p, **kw: from_output(y, *p, **kw)
        ns["backward_from_output"] = (lambda self, g, y, *p, **kw: g * from_output(y, *p, **kw))
    cls = "Reference_" + name
    for key, fn in ns.items():
        if callable(fn):
            # A bound method pickles as getattr(obj, its function's __name__): the lambdas
            # need their attribute's name for that.
            fn.__name__, fn.__qualname__ = key, f"{cls}.{key}"
    return type(cls, (), ns)()


BY_NAME = {rec.name: _reference_of(rec) for rec in _registry.ACTIVATIONS}


def _gated_reference_of(rec):
    """The reference object of a gated record: ``f(a, b, *params)`` and
    ``backward(g, a, b, *params)`` -> (grad_a, grad_b) on Python floats; glu's on lists
    (one row: ``glu(xs)``, ``glu.backward(gs, xs)``)."""
    name = rec.name
    forward, backward = rec.ref_forward, rec.ref_backward
    ns = {"__call__": lambda self, *args, **kw: forward(*args, **kw),
          "backward": lambda self, *args, **kw: backward(*args, **kw),
          "__repr__": lambda self: f"<fastact.reference.{name}>",
          "__reduce__": lambda self: (_by_name, (name,)),
          "name": name}
    cls = "Reference_" + name
    for key, fn in ns.items():
        if callable(fn):
            fn.__name__, fn.__qualname__ = key, f"{cls}.{key}"
    return type(cls, (), ns)()


# the gated activations (swiglu, geglu, reglu, glu), apart from BY_NAME like fastact.GATED
GATED = {rec.name: _gated_reference_of(rec) for rec in _registry.GATED}
