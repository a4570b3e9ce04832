from typing import Any

from ._functions import Function, _Axes, _Data

class LogSumExp(Function):
    ACCURACY: dict[str, dict[str, Any]]
    def __call__(self, x: _Data, axis: _Axes = None, b: _Data | None = None,
                 keepdims: bool = False, return_sign: bool = False, *,
                 where: _Data | None = None) -> Any: ...
    def backward(self, grad_output: _Data, x: _Data, axis: _Axes = None,
                 b: _Data | None = None, keepdims: bool = False, *,
                 where: _Data | None = None) -> Any: ...

logsumexp: LogSumExp
