# ---- float constants ----------------------------------------------------------------
# The float32-native kernels (records with float32_computes_in="float": NAME_fwd_f, ...) compute in float,
# twice the SIMD width of double.  Every constant they use is a typed float: a double
# literal in an expression would promote it to double and halve the vector width.
# used by: every float kernel
cdef float F_ZERO = 0.0
cdef float F_HALF = 0.5
cdef float F_ONE = 1.0
cdef float F_TWO = 2.0
cdef float F_FOUR = 4.0
# used by: relu6, mish
cdef float F_SIX = 6.0
# used by: hardsigmoid, hardswish
cdef float F_THREE = 3.0
cdef float F_MTHREE = -3.0

# The rescaled tails of the float kernels: where e^z is near or below FLT_MIN (z < -80),
# e^(z + 32) is computed instead (z + 32 is exact for 32 <= |z| < 2^23) and the result
# multiplied by e^-32 as the last step, so that in the subnormal range it rounds once
# (x * expf(x) would magnify expf's rounding there by |x|).  Below -119 x e^x is below
# 2^-150 even so: the clamp floor of these arguments.
# used by: F_SCALED_BELOW: _log1pexp_f (softplus, log_sigmoid), _sigmoid_f, gelu_tanh,
# mish; F_SCALED_LO: silu, _sigmoid_f, mish; F_SCALE_UP and F_E_M32: silu, _sigmoid_f,
# _log1pexp_f, softplus, log_sigmoid, gelu_tanh, mish
cdef float F_SCALED_BELOW = -80.0
cdef float F_SCALED_LO = -119.0
cdef float F_SCALE_UP = 32.0
cdef float F_E_M32 = 1.26641655e-14              # e^-32, rounded to float
