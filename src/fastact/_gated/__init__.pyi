from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .. import _registry

_Data = npt.ArrayLike | Any
_Out = np.ndarray[Any, np.dtype[Any]] | None
_Outs = tuple[np.ndarray[Any, np.dtype[Any]] | None, np.ndarray[Any, np.dtype[Any]] | None] | None
_Result = Any

class Gated:
    info: _registry.Record
    name: str
    params: tuple[_registry.Param, ...]
    reference: Any
    has_derivative: bool
    has_from_output: bool
    def __init__(self, spec: _registry.Record) -> None: ...
    def __call__(self, a: _Data, b: _Data,
                 *args: Literal["none", "tanh"] | bool, out: _Out = None,
                 **kwargs: Literal["none", "tanh"] | bool) -> _Result: ...
    def backward(self, grad_output: _Data, a: _Data, b: _Data,
                 *args: Literal["none", "tanh"] | bool, out: _Outs = None,
                 **kwargs: Literal["none", "tanh"] | bool) -> tuple[_Result, _Result]: ...

class GLU:
    info: _registry.Record
    name: str
    params: tuple[_registry.Param, ...]
    reference: Any
    has_derivative: bool
    has_from_output: bool
    def __init__(self, spec: _registry.Record) -> None: ...
    def __call__(self, x: _Data, axis: int = -1, *, out: _Out = None) -> _Result: ...
    def backward(self, grad_output: _Data, x: _Data, axis: int = -1, *,
                 out: _Out = None) -> _Result: ...

def build() -> dict[str, Gated | GLU]: ...
