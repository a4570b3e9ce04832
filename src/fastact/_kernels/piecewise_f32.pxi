# float32 versions of the piecewise kernels (relu family, linear, hardtanh, relu6,
# hardsigmoid, hardswish), for _registry.FLOAT32_NATIVE.
#
# These are memory-bound: widening every element to double and back (scalar.pxi) cost
# them half their speed in float32.  Each function below gives the same float32 result as
# the double kernel rounded once:
#   * relu, relu6, hardtanh, linear and the derivatives are selections of x or of a
#     constant: exact in any precision.
#   * leaky_relu's x * slope is a product of two floats; its double value is exact, so
#     the float product (one rounding) is the double kernel's result rounded.
#   * hardsigmoid and hardswish compute in double with the plain formulas (no TwoSum or
#     fma corrections: for float inputs x + 3 is exact in double, and the one or two
#     roundings that remain, below 2^-52 relative, cannot move a float32 result across a
#     rounding boundary).  The accuracy tool checks this over every float32 input.
# Branches are written as selects (quiet comparisons; `x != x` for NaN) so that the loops
# vectorize; NaN passes through every one.

cdef float F_THREE = 3.0
cdef float F_MTHREE = -3.0
cdef float F_SIXTH = 1.0 / 6.0            # hardsigmoid'(x), correctly rounded


cdef inline float _step_f(float x, float below, float above) noexcept nogil:
    # `above` for x > 0, `below` for x <= 0, NaN for NaN (as _step)
    cdef float r = above if isgreater(x, F_ZERO) else below
    return x if x != x else r


# ---- relu, leaky_relu (prelu, rrelu), linear ----------------------------------------

cdef inline float relu_fwd_f(float x) noexcept nogil:
    return F_ZERO if islessequal(x, F_ZERO) else x

cdef inline float relu_grad_f(float x) noexcept nogil:
    return _step_f(x, F_ZERO, F_ONE)

cdef inline float relu_grad_y_f(float y) noexcept nogil:
    return _step_f(y, F_ZERO, F_ONE)

cdef inline float leaky_relu_fwd_f(float x, float slope) noexcept nogil:
    cdef float r = x * slope
    # -inf * 0 is NaN; the double kernel returns 0 there (slope is loop-invariant)
    cdef float at_inf = F_ZERO if slope == F_ZERO else r
    r = at_inf if isinf(x) else r
    return x if isgreater(x, F_ZERO) else r

cdef inline float leaky_relu_grad_f(float x, float slope) noexcept nogil:
    return _step_f(x, slope, F_ONE)

cdef inline float leaky_relu_grad_y_f(float y, float slope) noexcept nogil:
    return _step_f(y, slope, F_ONE)

cdef inline float linear_fwd_f(float x) noexcept nogil:
    return x

cdef inline float linear_grad_f(float x) noexcept nogil:
    return F_ONE if x == x else x

cdef inline float linear_grad_y_f(float y) noexcept nogil:
    return F_ONE if y == y else y


# ---- hardtanh and relu6 -------------------------------------------------------------

cdef inline float hardtanh_fwd_f(float x, float lo, float hi) noexcept nogil:
    cdef float r = hi if isgreater(x, hi) else x
    return lo if isless(x, lo) else r

cdef inline float hardtanh_grad_f(float x, float lo, float hi) noexcept nogil:
    # 1 strictly inside the bounds, 0 at and beyond them, NaN for NaN
    cdef float r = F_ONE if isgreater(x, lo) else F_ZERO
    r = r if isless(x, hi) else F_ZERO
    return x if x != x else r

cdef inline float hardtanh_grad_y_f(float y, float lo, float hi) noexcept nogil:
    return hardtanh_grad_f(y, lo, hi)

cdef inline float relu6_fwd_f(float x) noexcept nogil:
    cdef float r = F_SIX if isgreater(x, F_SIX) else x
    return F_ZERO if islessequal(x, F_ZERO) else r    # relu6(-0) = +0, as the double kernel

cdef inline float relu6_grad_f(float x) noexcept nogil:
    return hardtanh_grad_f(x, F_ZERO, F_SIX)

cdef inline float relu6_grad_y_f(float y) noexcept nogil:
    return hardtanh_grad_f(y, F_ZERO, F_SIX)


# ---- hardsigmoid and hardswish ------------------------------------------------------

cdef inline float hardsigmoid_fwd_f(float x) noexcept nogil:
    cdef float r = <float>((<double>x + 3.0) * (1.0 / 6.0))
    r = F_ZERO if islessequal(x, F_MTHREE) else r
    return F_ONE if isgreaterequal(x, F_THREE) else r

cdef inline float hardsigmoid_grad_f(float x) noexcept nogil:
    cdef float r = F_SIXTH if isgreater(x, F_MTHREE) else F_ZERO
    r = r if isless(x, F_THREE) else F_ZERO
    return x if x != x else r

cdef inline float hardswish_fwd_f(float x) noexcept nogil:
    # x (x + 3) / 6; -0 below -3 (x * 0 without inf * 0), x above 3; -0 gives -0
    cdef double xd = x
    cdef float r = <float>(xd * (xd + 3.0) * (1.0 / 6.0))
    r = -F_ZERO if islessequal(x, F_MTHREE) else r
    return x if isgreaterequal(x, F_THREE) else r

cdef inline float hardswish_grad_f(float x) noexcept nogil:
    # PyTorch's branches: 0 at and below -3, x/3 + 1/2 = (x + 1.5)/3 on (-3, 3), 1 at and
    # above 3
    cdef float r = <float>((<double>x + 1.5) * (1.0 / 3.0))
    r = F_ZERO if islessequal(x, F_MTHREE) else r
    return F_ONE if isgreaterequal(x, F_THREE) else r
