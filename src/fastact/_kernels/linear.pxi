# linear(x) = x; linear'(x) = 1 (NaN for NaN).

cdef inline double linear_fwd(double x) noexcept nogil:
    return x

cdef inline double linear_grad(double x) noexcept nogil:
    return 1.0 if x == x else x           # NaN in, NaN out

cdef inline double linear_grad_y(double y) noexcept nogil:
    return 1.0 if y == y else y


cdef inline float linear_fwd_f(float x) noexcept nogil:
    return x

cdef inline float linear_grad_f(float x) noexcept nogil:
    return F_ONE if x == x else x

cdef inline float linear_grad_y_f(float y) noexcept nogil:
    return F_ONE if y == y else y


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double linear_grad2(double x) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
