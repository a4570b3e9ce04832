# softshrink(x, l) = x - l above l, x + l below -l, 0 at and inside +-l (l >= 0, as
# PyTorch requires; checked by the API); softshrink'(x) = 1 where |x| > l, 0 at and inside
# +-l (PyTorch's softshrink_backward), NaN for NaN (PyTorch gives a NaN input the gradient
# 0).  Selects only: one subtraction or addition, correctly rounded in either precision
# (in float for float32: the float difference of two floats rounds once, as the double
# one rounded to float does).

cdef inline double softshrink_fwd(double x, double l) noexcept nogil:
    cdef double r = x - l if isgreater(x, l) else 0.0
    r = x + l if isless(x, -l) else r
    return x if x != x else r

# f' is hardshrink's (hardshrink.pxi, included before this file): 1 where |x| > l, and
# from the output 1 where y != 0 (x -+ l of two different doubles is never 0: gradual
# underflow; the dead zone gives +0)
cdef inline double softshrink_grad(double x, double l) noexcept nogil:
    return hardshrink_grad(x, l)

cdef inline double softshrink_grad_y(double y, double l) noexcept nogil:
    return hardshrink_grad_y(y, l)


cdef inline float softshrink_fwd_f(float x, float l) noexcept nogil:
    cdef float r = x - l if isgreater(x, l) else F_ZERO
    r = x + l if isless(x, -l) else r
    return x if x != x else r

cdef inline float softshrink_grad_f(float x, float l) noexcept nogil:
    return hardshrink_grad_f(x, l)

cdef inline float softshrink_grad_y_f(float y, float l) noexcept nogil:
    return hardshrink_grad_y_f(y, l)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double softshrink_grad2(double x, double l) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
