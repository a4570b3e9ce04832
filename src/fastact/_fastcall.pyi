from typing import Any

from typing_extensions import disjoint_base

@disjoint_base
class FastForward:
    _fwd: Any
    _defaults32: tuple[Any, ...]
    _defaults64: tuple[Any, ...]
    def __call__(self, x: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any: ...
