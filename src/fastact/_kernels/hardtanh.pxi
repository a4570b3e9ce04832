# hardtanh(x, lo, hi) = min(max(x, lo), hi); hardtanh'(x) = 1 strictly inside (lo, hi),
# 0 at and beyond the bounds (PyTorch), NaN for NaN.  The float32 functions are
# selections of x or of a constant: exact, the double kernel's results rounded.

cdef inline double hardtanh_fwd(double x, double lo, double hi) noexcept nogil:
    cdef double r = hi if isgreater(x, hi) else x
    return lo if isless(x, lo) else r      # NaN passes through

cdef inline double hardtanh_grad(double x, double lo, double hi) noexcept nogil:
    # (early returns, which GCC if-converts: the select form changes which NaN a
    # backward's g * f' returns when g and x are both NaN, or g is a signalling NaN)
    if isgreater(x, lo) and isless(x, hi):
        return 1.0
    if isnan(x):
        return x
    return 0.0

cdef inline double hardtanh_grad_y(double y, double lo, double hi) noexcept nogil:
    return hardtanh_grad(y, lo, hi)


cdef inline float hardtanh_fwd_f(float x, float lo, float hi) noexcept nogil:
    cdef float r = hi if isgreater(x, hi) else x
    return lo if isless(x, lo) else r

cdef inline float hardtanh_grad_f(float x, float lo, float hi) noexcept nogil:
    return _box_f(x, lo, hi, F_ONE)

cdef inline float hardtanh_grad_y_f(float y, float lo, float hi) noexcept nogil:
    return hardtanh_grad_f(y, lo, hi)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double hardtanh_grad2(double x, double lo, double hi) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
