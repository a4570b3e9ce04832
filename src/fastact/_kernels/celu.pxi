# celu(x, alpha) = x for x > 0, alpha (e^(x/alpha) - 1) otherwise; celu'(x) = 1 for
# x > 0, e^(x/alpha) = y/alpha + 1 otherwise (celu'(0): the exp branch, 1).

cdef inline double celu_fwd(double x, double alpha) noexcept nogil:
    return x if isgreater(x, 0.0) else alpha * _expm1(x / alpha)

cdef inline double celu_grad(double x, double alpha) noexcept nogil:
    return 1.0 if isgreater(x, 0.0) else _exp(x / alpha)   # celu'(0): 1

cdef inline double celu_grad_y(double y, double alpha) noexcept nogil:
    return 1.0 if isgreater(y, 0.0) else y / alpha + 1.0


# float32: the same branches in float; the parameter arrives as float.

cdef inline float celu_fwd_f(float x, float alpha) noexcept nogil:
    return x if isgreater(x, F_ZERO) else alpha * _expm1f(x / alpha)

cdef inline float celu_grad_f(float x, float alpha) noexcept nogil:
    return F_ONE if isgreater(x, F_ZERO) else _expf(x / alpha)

cdef inline float celu_grad_y_f(float y, float alpha) noexcept nogil:
    return F_ONE if isgreater(y, F_ZERO) else y / alpha + F_ONE


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double celu_grad2(double x, double alpha) noexcept nogil:
    # e^(x/alpha) / alpha for x < 0, 0 for x >= 0 (0 at the kink, as PyTorch's double
    # backward gives)
    return 0.0 if isgreaterequal(x, 0.0) else _exp(x / alpha) / alpha
