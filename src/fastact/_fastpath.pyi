from collections.abc import Callable, Iterable, Mapping
from typing import Any

from typing_extensions import disjoint_base

METHODS: tuple[str, ...]

@disjoint_base
class FastCall:
    def _setup(self, ufuncs: Iterable[Any], params: Iterable[Any],
               general: Iterable[Any] | None = None) -> None: ...
    # (*args: Any, **kwargs: Any) reads as "any signature": the subclasses declare theirs
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class FastAxis(FastCall): ...

@disjoint_base
class FastChoice(FastCall):
    def _setup_choice(self, name: str, default: Any,
                      by_option: Mapping[Any, Iterable[Any]]) -> None: ...

def compiled_method(general: Callable[..., Any], which: int, ndata: int) -> Callable[..., Any]: ...
