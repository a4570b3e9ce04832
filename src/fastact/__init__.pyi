from typing import Any

import numpy as np

from . import _api, reference as reference
from ._config import get_num_threads as get_num_threads
from ._config import set_num_threads as set_num_threads
from ._config import show_config as show_config

__version__: str
__all__ = [
    "ACTIVATIONS",
    "UFUNCS",
    "reference",
    "set_num_threads",
    "get_num_threads",
    "show_config",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "rrelu",
    "gelu",
    "elu",
    "softmax",
    "linear",
    "silu",
    "mish",
    "softplus",
    "selu",
    "celu",
    "relu6",
    "hardtanh",
    "hardsigmoid",
    "hardswish",
    "log_sigmoid",
    "softsign",
    "log_softmax",
]

ACTIVATIONS: dict[str, _api.Activation]
UFUNCS: dict[str, np.ufunc]

sigmoid: _api.ElementwiseFromOutput
tanh: _api.ElementwiseFromOutput
relu: _api.ElementwiseFromOutput
leaky_relu: _api.ElementwiseFromOutput
prelu: _api.PReLU
rrelu: _api.RReLU
gelu: _api.GELU
elu: _api.ElementwiseFromOutput
softmax: _api.Softmax
linear: _api.ElementwiseFromOutput
silu: _api.Elementwise
mish: _api.Elementwise
softplus: _api.Elementwise
selu: _api.ElementwiseFromOutput
celu: _api.ElementwiseFromOutput
relu6: _api.ElementwiseFromOutput
hardtanh: _api.ElementwiseFromOutput
hardsigmoid: _api.Elementwise
hardswish: _api.Elementwise
log_sigmoid: _api.Elementwise
softsign: _api.Elementwise
log_softmax: _api.Softmax
