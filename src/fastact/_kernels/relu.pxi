# relu(x) = max(0, x); relu'(x) = 1 for x > 0, else 0 (relu'(0) = 0, as PyTorch).
# The float32 functions are selections of x or a constant: exact, the double kernel's
# results rounded.

cdef inline double relu_fwd(double x) noexcept nogil:
    return 0.0 if islessequal(x, 0.0) else x

cdef inline double relu_grad(double x) noexcept nogil:
    return _step(x, 0.0, 1.0)

cdef inline double relu_grad_y(double y) noexcept nogil:
    return _step(y, 0.0, 1.0)


cdef inline float relu_fwd_f(float x) noexcept nogil:
    return F_ZERO if islessequal(x, F_ZERO) else x

cdef inline float relu_grad_f(float x) noexcept nogil:
    return _step_f(x, F_ZERO, F_ONE)

cdef inline float relu_grad_y_f(float y) noexcept nogil:
    return _step_f(y, F_ZERO, F_ONE)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double relu_grad2(double x) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
