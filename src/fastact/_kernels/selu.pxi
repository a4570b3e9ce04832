# selu(x) = scale x for x > 0, scale alpha (e^x - 1) otherwise; selu'(x) = scale for
# x > 0, scale alpha e^x = y + scale alpha otherwise (selu'(0): the exp branch).

# SELU constants (Klambauer et al. 2017, eq. 14), the digits PyTorch uses.
cdef double SELU_ALPHA = 1.6732632423543772848170429916717
cdef double SELU_SCALE = 1.0507009873554804934193349852946

cdef inline double selu_fwd(double x) noexcept nogil:
    return SELU_SCALE * x if isgreater(x, 0.0) else (SELU_SCALE * SELU_ALPHA) * _expm1(x)

cdef inline double selu_grad(double x) noexcept nogil:
    return SELU_SCALE if isgreater(x, 0.0) else (SELU_SCALE * SELU_ALPHA) * _exp(x)

cdef inline double selu_grad_y(double y) noexcept nogil:
    return SELU_SCALE if isgreater(y, 0.0) else y + SELU_SCALE * SELU_ALPHA


# float32: the same branches in float, with the constants rounded to float (0.5 ULP of
# relative error, inside the bound) except where noted.

cdef float F_SELU_SCALE = SELU_SCALE
cdef float F_SELU_SA = SELU_SCALE * SELU_ALPHA

cdef inline float selu_fwd_f(float x) noexcept nogil:
    # scale * x as one double product rounded once: with the float-rounded scale (above
    # the true one) x near FLT_MAX / scale would overflow where the true result rounds to
    # FLT_MAX
    return <float>(SELU_SCALE * x) if isgreater(x, F_ZERO) else F_SELU_SA * _expm1f(x)

cdef inline float selu_grad_f(float x) noexcept nogil:
    return F_SELU_SCALE if isgreater(x, F_ZERO) else F_SELU_SA * _expf(x)

cdef inline float selu_grad_y_f(float y) noexcept nogil:
    # y + scale alpha with the double constant, rounded once: it cancels where y has
    # saturated, and the float-rounded constant would leave 0 instead of the last digits
    return F_SELU_SCALE if isgreater(y, F_ZERO) else <float>(y + SELU_SCALE * SELU_ALPHA)


# ---- selu(x, alpha, scale): the general kernel (records/selu.py) ----------------------
# scale x for x > 0, scale alpha (e^x - 1) otherwise (PyTorch's elu(x, alpha, scale));
# f' = scale for x > 0, scale alpha e^x = y + scale alpha otherwise.  scale (alpha ...)
# keeps the product of two large parameters from overflowing where the result does not.
# At the defaults (the constants above) these return the functions above.

cdef float F_SELU_ALPHA = SELU_ALPHA

cdef inline double selu_general_fwd(double x, double alpha, double scale) noexcept nogil:
    cdef double r = scale * x
    r = 0.0 if (scale == 0.0 and isinf(x)) else r          # 0 inf is NaN
    r = r if isgreater(x, 0.0) else scale * (alpha * _expm1(x))
    return selu_fwd(x) if (alpha == SELU_ALPHA and scale == SELU_SCALE) else r

cdef inline double selu_general_grad(double x, double alpha, double scale) noexcept nogil:
    cdef double r = scale if isgreater(x, 0.0) else scale * (alpha * _exp(x))
    return selu_grad(x) if (alpha == SELU_ALPHA and scale == SELU_SCALE) else r

cdef inline double selu_general_grad_y(double y, double alpha, double scale) noexcept nogil:
    # needs alpha >= 0 and scale >= 0 (checked by the API): then y > 0 exactly where x > 0
    cdef double r = scale if isgreater(y, 0.0) else y + scale * alpha
    return selu_grad_y(y) if (alpha == SELU_ALPHA and scale == SELU_SCALE) else r


# float32: in double (scale x is exact there), rounded once.

cdef inline float selu_general_fwd_f(float x, float alpha, float scale) noexcept nogil:
    cdef float r = <float>selu_general_fwd(<double>x, <double>alpha, <double>scale)
    return selu_fwd_f(x) if (alpha == F_SELU_ALPHA and scale == F_SELU_SCALE) else r

cdef inline float selu_general_grad_f(float x, float alpha, float scale) noexcept nogil:
    cdef float r = <float>selu_general_grad(<double>x, <double>alpha, <double>scale)
    return selu_grad_f(x) if (alpha == F_SELU_ALPHA and scale == F_SELU_SCALE) else r

cdef inline float selu_general_grad_y_f(float y, float alpha, float scale) noexcept nogil:
    # y + scale alpha in double (scale alpha exact there), rounded once
    cdef float r = scale if isgreater(y, F_ZERO) else \
        <float>(<double>y + <double>scale * <double>alpha)
    return selu_grad_y_f(y) if (alpha == F_SELU_ALPHA and scale == F_SELU_SCALE) else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double selu_grad2(double x) noexcept nogil:
    # scale alpha e^x for x < 0, 0 for x >= 0 (0 at the kink, as PyTorch's double
    # backward gives)
    return 0.0 if isgreaterequal(x, 0.0) else (SELU_SCALE * SELU_ALPHA) * _exp(x)

cdef inline double selu_general_grad2(double x, double alpha, double scale) noexcept nogil:
    cdef double r = 0.0 if isgreaterequal(x, 0.0) else scale * (alpha * _exp(x))
    return selu_grad2(x) if (alpha == SELU_ALPHA and scale == SELU_SCALE) else r
