from typing import Any

from ._functions import Function, _Data, _Out

class KerasReLU(Function):
    def __call__(self, x: _Data, negative_slope: float = 0.0, max_value: float | None = None,
                 threshold: float = 0.0, *, out: _Out = None) -> Any: ...
    def derivative(self, x: _Data, negative_slope: float = 0.0,
                   max_value: float | None = None, threshold: float = 0.0, *,
                   out: _Out = None) -> Any: ...
    def backward(self, grad_output: _Data, x: _Data, negative_slope: float = 0.0,
                 max_value: float | None = None, threshold: float = 0.0, *,
                 out: _Out = None) -> Any: ...

keras_relu: KerasReLU
