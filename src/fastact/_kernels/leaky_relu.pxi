# leaky_relu(x, slope) = x for x > 0, slope x otherwise; leaky_relu'(0) = slope, as
# PyTorch.  Also prelu and rrelu, with the slope as an array.
# float32: x * slope is a product of two floats, exact in double, so the float product
# (one rounding) is the double kernel's result rounded.

cdef inline double leaky_relu_fwd(double x, double slope) noexcept nogil:
    cdef double r = x * slope
    # slope * -inf is -inf, 0, or +inf by the slope's sign (0, not NaN, for slope 0)
    cdef double at_inf = 0.0 if slope == 0.0 else r
    r = at_inf if isinf(x) else r
    return x if isgreater(x, 0.0) else r

cdef inline double leaky_relu_grad(double x, double slope) noexcept nogil:
    return _step(x, slope, 1.0)

cdef inline double leaky_relu_grad_y(double y, double slope) noexcept nogil:
    return _step(y, slope, 1.0)           # needs slope >= 0 (checked by the API)


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


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double leaky_relu_grad2(double x, double slope) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
