# The compiled kernels of one CPU target (rendered from _ufuncs.pyx.tp by setup.py).
from typing import Any

import numpy as np

UFUNCS: dict[str, np.ufunc]
BUILD: dict[str, Any]

def _set_num_threads(n: int) -> None: ...
def _get_num_threads() -> int: ...
