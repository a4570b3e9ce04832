# lstm_cell and gru_cell are plain functions with a backward attribute, which a function's
# type cannot carry: each is typed here as a Protocol (as losses.pyi).
from typing import Any, Protocol

from numpy.typing import ArrayLike

class _LSTMCell(Protocol):
    def __call__(self, gates: ArrayLike, c: ArrayLike, *,
                 out: tuple[Any, Any] | None = None) -> tuple[Any, Any]: ...
    def backward(self, grad_h: ArrayLike | None, grad_c: ArrayLike | None,
                 gates: ArrayLike, c: ArrayLike) -> tuple[Any, Any]: ...

class _GRUCell(Protocol):
    def __call__(self, gi: ArrayLike, gh: ArrayLike, h: ArrayLike, *,
                 out: Any = None) -> Any: ...
    def backward(self, grad_h: ArrayLike | None, gi: ArrayLike, gh: ArrayLike,
                 h: ArrayLike) -> tuple[Any, Any, Any]: ...

__all__ = ["lstm_cell", "gru_cell"]

lstm_cell: _LSTMCell
gru_cell: _GRUCell
