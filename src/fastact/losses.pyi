# The losses are plain functions with value_and_grad and reference attributes, which a
# function's type cannot carry: each is typed here as a Protocol (stubtest compares a
# variable with the runtime function's type, hence the allowlist entries in
# tests/stubtest_allowlist.txt; tests/test_losses.py checks these signatures instead).
from typing import Any, Literal, NamedTuple, Protocol

from numpy.typing import ArrayLike

_Reduction = Literal["mean", "sum", "none"]

class _CrossEntropy(Protocol):
    def __call__(self, logits: ArrayLike, target: ArrayLike, axis: int = -1,
                 weight: ArrayLike | None = None, ignore_index: int = -100,
                 reduction: _Reduction = "mean", label_smoothing: float = 0.0) -> Any: ...
    def value_and_grad(self, logits: ArrayLike, target: ArrayLike, axis: int = -1,
                       weight: ArrayLike | None = None, ignore_index: int = -100,
                       reduction: _Reduction = "mean",
                       label_smoothing: float = 0.0) -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, logits: ArrayLike, target: ArrayLike,
                 axis: int = -1, weight: ArrayLike | None = None, ignore_index: int = -100,
                 reduction: _Reduction = "mean", label_smoothing: float = 0.0) -> Any: ...
    def reference(self, logits: Any, target: Any, weight: Any = None,
                  ignore_index: int = -100, reduction: _Reduction = "mean",
                  label_smoothing: float = 0.0) -> tuple[Any, Any]: ...

class _BinaryCrossEntropyWithLogits(Protocol):
    def __call__(self, logits: ArrayLike, target: ArrayLike,
                 weight: ArrayLike | None = None, pos_weight: ArrayLike | None = None,
                 reduction: _Reduction = "mean") -> Any: ...
    def value_and_grad(self, logits: ArrayLike, target: ArrayLike,
                       weight: ArrayLike | None = None,
                       pos_weight: ArrayLike | None = None,
                       reduction: _Reduction = "mean") -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, logits: ArrayLike, target: ArrayLike,
                 weight: ArrayLike | None = None, pos_weight: ArrayLike | None = None,
                 reduction: _Reduction = "mean") -> Any: ...
    def reference(self, logits: Any, target: Any, weight: Any = None,
                  pos_weight: Any = None, reduction: _Reduction = "mean") -> tuple[Any, Any]: ...

class _NllLoss(Protocol):
    def __call__(self, input: ArrayLike, target: ArrayLike, axis: int = -1,
                 weight: ArrayLike | None = None, ignore_index: int = -100,
                 reduction: _Reduction = "mean") -> Any: ...
    def value_and_grad(self, input: ArrayLike, target: ArrayLike, axis: int = -1,
                       weight: ArrayLike | None = None, ignore_index: int = -100,
                       reduction: _Reduction = "mean") -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, input: ArrayLike, target: ArrayLike,
                 axis: int = -1, weight: ArrayLike | None = None, ignore_index: int = -100,
                 reduction: _Reduction = "mean") -> Any: ...
    def reference(self, input: Any, target: Any, weight: Any = None,
                  ignore_index: int = -100, reduction: _Reduction = "mean") -> tuple[Any, Any]: ...

class _BinaryCrossEntropy(Protocol):
    def __call__(self, input: ArrayLike, target: ArrayLike,
                 weight: ArrayLike | None = None, reduction: _Reduction = "mean") -> Any: ...
    def value_and_grad(self, input: ArrayLike, target: ArrayLike,
                       weight: ArrayLike | None = None,
                       reduction: _Reduction = "mean") -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, input: ArrayLike, target: ArrayLike,
                 weight: ArrayLike | None = None, reduction: _Reduction = "mean") -> Any: ...
    def reference(self, input: Any, target: Any, weight: Any = None,
                  reduction: _Reduction = "mean") -> tuple[Any, Any]: ...

class _MseLoss(Protocol):
    def __call__(self, input: ArrayLike, target: ArrayLike,
                 reduction: _Reduction = "mean") -> Any: ...
    def value_and_grad(self, input: ArrayLike, target: ArrayLike,
                       reduction: _Reduction = "mean") -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, input: ArrayLike, target: ArrayLike,
                 reduction: _Reduction = "mean") -> Any: ...
    def reference(self, input: Any, target: Any,
                  reduction: _Reduction = "mean") -> tuple[Any, Any]: ...

class _HuberLoss(Protocol):
    def __call__(self, input: ArrayLike, target: ArrayLike, reduction: _Reduction = "mean",
                 delta: float = 1.0) -> Any: ...
    def value_and_grad(self, input: ArrayLike, target: ArrayLike,
                       reduction: _Reduction = "mean",
                       delta: float = 1.0) -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, input: ArrayLike, target: ArrayLike,
                 reduction: _Reduction = "mean", delta: float = 1.0) -> Any: ...
    def reference(self, input: Any, target: Any, reduction: _Reduction = "mean",
                  delta: float = 1.0) -> tuple[Any, Any]: ...

class _SmoothL1Loss(Protocol):
    def __call__(self, input: ArrayLike, target: ArrayLike, reduction: _Reduction = "mean",
                 beta: float = 1.0) -> Any: ...
    def value_and_grad(self, input: ArrayLike, target: ArrayLike,
                       reduction: _Reduction = "mean",
                       beta: float = 1.0) -> tuple[Any, Any]: ...
    def backward(self, grad_output: ArrayLike, input: ArrayLike, target: ArrayLike,
                 reduction: _Reduction = "mean", beta: float = 1.0) -> Any: ...
    def reference(self, input: Any, target: Any, reduction: _Reduction = "mean",
                  beta: float = 1.0) -> tuple[Any, Any]: ...

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
           "binary_cross_entropy", "mse_loss", "huber_loss", "smooth_l1_loss"]

cross_entropy: _CrossEntropy
binary_cross_entropy_with_logits: _BinaryCrossEntropyWithLogits
nll_loss: _NllLoss
binary_cross_entropy: _BinaryCrossEntropy
mse_loss: _MseLoss
huber_loss: _HuberLoss
smooth_l1_loss: _SmoothL1Loss

class LossAccuracy(NamedTuple):
    loss: float
    loss_reduced: float
    grad: float
    per_class: float

ACCURACY: dict[tuple[str, str], LossAccuracy]
