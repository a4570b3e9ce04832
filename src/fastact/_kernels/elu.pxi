# elu(x, alpha) = x for x > 0, alpha (e^x - 1) otherwise; elu'(x) = 1 for x > 0,
# alpha e^x = y + alpha otherwise.  x <= 0 takes the exp branch, so elu'(0) = alpha.

cdef inline double elu_fwd(double x, double alpha) noexcept nogil:
    return x if isgreater(x, 0.0) else alpha * _expm1(x)   # expm1: exact near 0, -1 at -inf

cdef inline double elu_grad(double x, double alpha) noexcept nogil:
    return 1.0 if isgreater(x, 0.0) else alpha * _exp(x)   # elu'(0): alpha

cdef inline double elu_grad_y(double y, double alpha) noexcept nogil:
    return 1.0 if isgreater(y, 0.0) else y + alpha   # alpha e^x = y + alpha (alpha >= 0)


# float32: the same branches in float; the parameter arrives as float.

cdef inline float elu_fwd_f(float x, float alpha) noexcept nogil:
    return x if isgreater(x, F_ZERO) else alpha * _expm1f(x)

cdef inline float elu_grad_f(float x, float alpha) noexcept nogil:
    return F_ONE if isgreater(x, F_ZERO) else alpha * _expf(x)

cdef inline float elu_grad_y_f(float y, float alpha) noexcept nogil:
    return F_ONE if isgreater(y, F_ZERO) else y + alpha


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double elu_grad2(double x, double alpha) noexcept nogil:
    # alpha e^x for x < 0, 0 for x >= 0 (0 at the kink, as PyTorch's double backward
    # gives, though its elu'(0) is alpha)
    return 0.0 if isgreaterequal(x, 0.0) else alpha * _exp(x)
