"""The methods attached to each loss (value_and_grad, backward, reference), named so
that they pickle as fastact.losses attributes."""

import inspect


def _hide_kwargs(fn):
    """The signature without the **kwargs that only catch dim= (and other unknown names)
    to say so in fastact's words."""
    sig = inspect.signature(fn)
    fn.__signature__ = sig.replace(parameters=[
        p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD])


def _attach(fn, **methods):
    """fn.value_and_grad, fn.backward and fn.reference, named so that they pickle by their
    qualified names (fastact.losses.cross_entropy.value_and_grad, ...)."""
    _hide_kwargs(fn)
    for name, m in methods.items():
        m.__name__, m.__qualname__, m.__module__ = name, f"{fn.__qualname__}.{name}", "fastact.losses"
        if name != "reference":
            _hide_kwargs(m)
        setattr(fn, name, m)
