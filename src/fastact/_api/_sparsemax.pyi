from typing import Any

from ._functions import Function, _Data, _Out

class Sparsemax(Function):
    ACCURACY: dict[str, dict[str, Any]]
    def __call__(self, x: _Data, axis: int = -1, *, out: _Out = None) -> Any: ...
    def backward(self, grad_output: _Data, x: _Data, axis: int = -1, *,
                 out: _Out = None) -> Any: ...
    def backward_from_output(self, grad_output: _Data, y: _Data, axis: int = -1, *,
                             out: _Out = None) -> Any: ...

sparsemax: Sparsemax
