from typing import Any

import numpy as np
import numpy.typing as npt

_Data = npt.ArrayLike | Any
_Out = np.ndarray[Any, np.dtype[Any]] | None
_Axes = int | tuple[int, ...] | None

class Function:
    name: str
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

def _axis_list(fname: str, axis: _Axes, ndim: int, tuples: bool = True) -> list[int]: ...
