# relu6(x) = min(max(0, x), 6); relu6'(x) = 1 on (0, 6), 0 at and beyond the bounds, NaN
# for NaN (hardtanh's on [0, 6], except that relu6(-0) = +0).

cdef inline double relu6_fwd(double x) noexcept nogil:
    if islessequal(x, 0.0):
        return 0.0
    return hardtanh_fwd(x, 0.0, 6.0)

cdef inline double relu6_grad(double x) noexcept nogil:
    return hardtanh_grad(x, 0.0, 6.0)

cdef inline double relu6_grad_y(double y) noexcept nogil:
    return hardtanh_grad(y, 0.0, 6.0)


cdef inline float relu6_fwd_f(float x) noexcept nogil:
    cdef float r = F_SIX if isgreater(x, F_SIX) else x
    return F_ZERO if islessequal(x, F_ZERO) else r    # relu6(-0) = +0, as the double kernel

cdef inline float relu6_grad_f(float x) noexcept nogil:
    return hardtanh_grad_f(x, F_ZERO, F_SIX)

cdef inline float relu6_grad_y_f(float y) noexcept nogil:
    return hardtanh_grad_f(y, F_ZERO, F_SIX)
