from collections.abc import Callable
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from .. import _registry
from .._fastpath import FastAxis, FastCall, FastChoice

# The data argument: any array-like of real numbers, or a duck array (dask) whose
# __array_ufunc__ runs the ufunc.  The result is an ndarray, a NumPy scalar for 0-d
# input, or the duck array's own type.
_Data = npt.ArrayLike | Any
_Param = npt.ArrayLike
_Out = np.ndarray[Any, np.dtype[Any]] | None
_Result = Any

class Activation:
    info: _registry.Record
    name: str
    params: tuple[_registry.Param, ...]
    reference: Any
    def __init__(self, spec: _registry.Record) -> None: ...
    @property
    def has_derivative(self) -> bool: ...
    @property
    def has_second_derivative(self) -> bool: ...
    @property
    def has_from_output(self) -> bool: ...

class Elementwise(Activation, FastCall):
    def __call__(self, x: _Data, *args: _Param, out: _Out = None, **kwargs: _Param) -> _Result: ...
    def derivative(self, x: _Data, *args: _Param, out: _Out = None, **kwargs: _Param) -> _Result: ...
    def backward(self, grad_output: _Data, x: _Data, *args: _Param, out: _Out = None,
                 **kwargs: _Param) -> _Result: ...
    def second_derivative(self, x: _Data, *args: _Param, out: _Out = None,
                          **kwargs: _Param) -> _Result: ...
    def double_backward(self, grad_grad: _Data, grad_output: _Data, x: _Data, *args: _Param,
                        out: tuple[np.ndarray[Any, np.dtype[Any]],
                                   np.ndarray[Any, np.dtype[Any]]] | None = None,
                        **kwargs: _Param) -> tuple[_Result, _Result]: ...

class ElementwiseFromOutput(Elementwise):
    def derivative_from_output(self, y: _Data, *args: _Param, out: _Out = None,
                               **kwargs: _Param) -> _Result: ...
    def backward_from_output(self, grad_output: _Data, y: _Data, *args: _Param,
                             out: _Out = None, **kwargs: _Param) -> _Result: ...

class GELU(Activation, FastChoice):
    def __call__(self, x: _Data, approximate: Literal["none", "tanh"] | bool = "none", *,
                 out: _Out = None) -> _Result: ...
    def derivative(self, x: _Data, approximate: Literal["none", "tanh"] | bool = "none", *,
                   out: _Out = None) -> _Result: ...
    def backward(self, grad_output: _Data, x: _Data,
                 approximate: Literal["none", "tanh"] | bool = "none", *,
                 out: _Out = None) -> _Result: ...
    def second_derivative(self, x: _Data,
                          approximate: Literal["none", "tanh"] | bool = "none", *,
                          out: _Out = None) -> _Result: ...
    def double_backward(self, grad_grad: _Data, grad_output: _Data, x: _Data,
                        approximate: Literal["none", "tanh"] | bool = "none", *,
                        out: tuple[np.ndarray[Any, np.dtype[Any]],
                                   np.ndarray[Any, np.dtype[Any]]] | None = None
                        ) -> tuple[_Result, _Result]: ...

class PReLU(Activation, FastCall):
    def __call__(self, x: _Data, weight: _Param = 0.25, *, out: _Out = None) -> _Result: ...
    def derivative(self, x: _Data, weight: _Param = 0.25, *, out: _Out = None) -> _Result: ...
    def backward(self, grad_output: _Data, x: _Data, weight: _Param = 0.25, *,
                 out: _Out = None) -> tuple[_Result, _Result]: ...

class RReLU(Activation):
    @overload
    def __call__(self, x: _Data, lower: float = ..., upper: float = ...,
                 training: Literal[False] = False, rng: Any = None, *,
                 out: _Out = None) -> _Result: ...
    @overload
    def __call__(self, x: _Data, lower: float = ..., upper: float = ..., *,
                 training: Literal[True], rng: Any = None,
                 out: _Out = None) -> tuple[_Result, np.ndarray[Any, np.dtype[Any]]]: ...
    @overload
    def __call__(self, x: _Data, lower: float, upper: float, training: bool,
                 rng: Any = None, *, out: _Out = None) -> Any: ...
    def derivative(self, x: _Data, lower: float = ..., upper: float = ...,
                   training: bool = False, *, slopes: _Param | None = None,
                   out: _Out = None) -> _Result: ...
    def backward(self, grad_output: _Data, x: _Data, lower: float = ..., upper: float = ...,
                 training: bool = False, *, slopes: _Param | None = None,
                 out: _Out = None) -> _Result: ...

_Axes = int | tuple[int, ...] | None

class Softmax(Activation, FastAxis):
    def __call__(self, x: _Data, axis: _Axes = -1, *, where: npt.ArrayLike | None = None,
                 dtype: npt.DTypeLike | None = None, out: _Out = None) -> _Result: ...
    def backward(self, grad_output: _Data, x: _Data, axis: _Axes = -1, *,
                 where: npt.ArrayLike | None = None, out: _Out = None) -> _Result: ...
    def backward_from_output(self, grad_output: _Data, y: _Data, axis: _Axes = -1, *,
                             where: npt.ArrayLike | None = None,
                             out: _Out = None) -> _Result: ...

# what a pickled activation (or gated one) unpickles to: fastact.<name>
def _activation(name: str) -> Any: ...
def build() -> dict[str, Activation]: ...
