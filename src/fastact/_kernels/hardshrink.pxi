# hardshrink(x, l) = x where |x| > l, 0 at and inside +-l; hardshrink'(x) = 1 where
# |x| > l, 0 at and inside +-l (PyTorch's hardshrink_backward), NaN for NaN (PyTorch gives
# a NaN input the gradient 0).  A negative l makes it the identity, as in PyTorch.
# Selections of x or 0: exact, so the float32 functions are the double kernel's results
# rounded.  |x| > l is one compare: "isgreater(x, l) or isless(x, -l)" short-circuits
# into a branch that keeps the loop from vectorizing.

cdef inline double hardshrink_fwd(double x, double l) noexcept nogil:
    cdef double r = x if isgreater(fabs(x), l) else 0.0
    return x if x != x else r

cdef inline double hardshrink_grad(double x, double l) noexcept nogil:
    cdef double r = 1.0 if isgreater(fabs(x), l) else 0.0
    return x if x != x else r

cdef inline double hardshrink_grad_y(double y, double l) noexcept nogil:
    # y != 0 exactly where |x| > l, for l >= 0 (checked by the API): 0 < l < |x| = |y|
    cdef double r = 1.0 if y != 0.0 else 0.0
    return y if y != y else r


cdef inline float hardshrink_fwd_f(float x, float l) noexcept nogil:
    cdef float r = x if isgreater(fabsf(x), l) else F_ZERO
    return x if x != x else r

cdef inline float hardshrink_grad_f(float x, float l) noexcept nogil:
    cdef float r = F_ONE if isgreater(fabsf(x), l) else F_ZERO
    return x if x != x else r

cdef inline float hardshrink_grad_y_f(float y, float l) noexcept nogil:
    cdef float r = F_ONE if y != F_ZERO else F_ZERO
    return y if y != y else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double hardshrink_grad2(double x, double l) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
