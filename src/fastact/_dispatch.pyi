from types import ModuleType

import numpy as np

def built() -> list[str]: ...
def supported() -> list[str]: ...
def available() -> list[str]: ...
def modules() -> list[ModuleType]: ...
def load(isa: str | None = None) -> ModuleType: ...
def forked_after_threads() -> bool: ...

KERNELS: ModuleType
UFUNCS: dict[str, np.ufunc]

# Every ufunc is also an attribute of this module (so that it pickles by name).
sigmoid: np.ufunc
sigmoid_derivative: np.ufunc
sigmoid_backward: np.ufunc
sigmoid_derivative_from_output: np.ufunc
sigmoid_backward_from_output: np.ufunc
tanh: np.ufunc
tanh_derivative: np.ufunc
tanh_backward: np.ufunc
tanh_derivative_from_output: np.ufunc
tanh_backward_from_output: np.ufunc
relu: np.ufunc
relu_derivative: np.ufunc
relu_backward: np.ufunc
relu_derivative_from_output: np.ufunc
relu_backward_from_output: np.ufunc
leaky_relu: np.ufunc
leaky_relu_derivative: np.ufunc
leaky_relu_backward: np.ufunc
leaky_relu_derivative_from_output: np.ufunc
leaky_relu_backward_from_output: np.ufunc
gelu: np.ufunc
gelu_derivative: np.ufunc
gelu_backward: np.ufunc
gelu_tanh: np.ufunc
gelu_tanh_derivative: np.ufunc
gelu_tanh_backward: np.ufunc
elu: np.ufunc
elu_derivative: np.ufunc
elu_backward: np.ufunc
elu_derivative_from_output: np.ufunc
elu_backward_from_output: np.ufunc
linear: np.ufunc
linear_derivative: np.ufunc
linear_backward: np.ufunc
linear_derivative_from_output: np.ufunc
linear_backward_from_output: np.ufunc
silu: np.ufunc
silu_derivative: np.ufunc
silu_backward: np.ufunc
mish: np.ufunc
mish_derivative: np.ufunc
mish_backward: np.ufunc
softplus: np.ufunc
softplus_derivative: np.ufunc
softplus_backward: np.ufunc
selu: np.ufunc
selu_derivative: np.ufunc
selu_backward: np.ufunc
selu_derivative_from_output: np.ufunc
selu_backward_from_output: np.ufunc
celu: np.ufunc
celu_derivative: np.ufunc
celu_backward: np.ufunc
celu_derivative_from_output: np.ufunc
celu_backward_from_output: np.ufunc
relu6: np.ufunc
relu6_derivative: np.ufunc
relu6_backward: np.ufunc
relu6_derivative_from_output: np.ufunc
relu6_backward_from_output: np.ufunc
hardtanh: np.ufunc
hardtanh_derivative: np.ufunc
hardtanh_backward: np.ufunc
hardtanh_derivative_from_output: np.ufunc
hardtanh_backward_from_output: np.ufunc
hardsigmoid: np.ufunc
hardsigmoid_derivative: np.ufunc
hardsigmoid_backward: np.ufunc
hardswish: np.ufunc
hardswish_derivative: np.ufunc
hardswish_backward: np.ufunc
log_sigmoid: np.ufunc
log_sigmoid_derivative: np.ufunc
log_sigmoid_backward: np.ufunc
softsign: np.ufunc
softsign_derivative: np.ufunc
softsign_backward: np.ufunc
softmax: np.ufunc
log_softmax: np.ufunc
softmax_backward: np.ufunc
log_softmax_backward: np.ufunc
