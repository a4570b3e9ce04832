# relu6(x) = min(max(0, x), 6); relu6'(x) = 1 on (0, 6), 0 at and beyond the bounds, NaN
# for NaN (hardtanh on [0, 6], except that relu6(-0) = +0).  The double derivative is
# hardtanh_grad (hardtanh.pxi: Cython resolves cdef functions module-wide, so the order of
# the includes does not matter for calls).  The float32 functions are selections of x or
# of a constant: exact, the double kernel's results rounded.

cdef inline double relu6_fwd(double x) noexcept nogil:
    cdef double r = 6.0 if isgreater(x, 6.0) else x
    return 0.0 if islessequal(x, 0.0) else r           # relu6(-0) = +0

cdef inline double relu6_grad(double x) noexcept nogil:
    return hardtanh_grad(x, 0.0, 6.0)

cdef inline double relu6_grad_y(double y) noexcept nogil:
    return hardtanh_grad(y, 0.0, 6.0)


cdef inline float relu6_fwd_f(float x) noexcept nogil:
    cdef float r = F_SIX if isgreater(x, F_SIX) else x
    return F_ZERO if islessequal(x, F_ZERO) else r    # relu6(-0) = +0, as the double kernel

cdef inline float relu6_grad_f(float x) noexcept nogil:
    return _box_f(x, F_ZERO, F_SIX, F_ONE)

cdef inline float relu6_grad_y_f(float y) noexcept nogil:
    return _box_f(y, F_ZERO, F_SIX, F_ONE)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double relu6_grad2(double x) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
