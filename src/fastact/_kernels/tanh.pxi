# tanh(x); tanh'(x) = 1 - tanh(x)^2 = sech(x)^2 = (1 - y)(1 + y).

cdef inline double tanh_fwd(double x) noexcept nogil:
    # tanh|x| = -m / (2 + m), m = expm1(-2|x|) in (-1, 0]: no cancellation (m keeps its
    # digits for small |x|, and 2 + m >= 1), 1 where m rounds to -1 (|x| > 19), odd by
    # copysign (tanh(-0) = -0).  Vectorizes, unlike libm's tanh.
    cdef double m = _expm1(-2.0 * fabs(x))
    return copysign(-m / (2.0 + m), x)

cdef inline double tanh_grad(double x) noexcept nogil:
    # 1 - tanh(x)^2 = sech(x)^2 = 4 z / (1 + z)^2, z = exp(-2|x|): no cancellation for
    # large |x| (where 1 - t*t would round to 0 long before the true value does).
    # (an early return, which GCC if-converts: on the baseline the select form changes
    # which NaN a backward's g * f' returns when g and x are both NaN)
    cdef double z, d
    if isgreater(fabs(x), 400.0):
        return 0.0                         # sech^2 < e^-798 (and -2|x| would overflow)
    z = _exp(-2.0 * fabs(x))
    d = 1.0 + z
    return 4.0 * z / (d * d)

cdef inline double tanh_grad_y(double y) noexcept nogil:
    # (1 - y)(1 + y): 1 - y is exact for y in [0.5, 1] (Sterbenz), so this keeps the
    # digits that 1 - y*y throws away.
    return (1.0 - y) * (1.0 + y)


cdef inline float tanh_fwd_f(float x) noexcept nogil:
    # -m / (2 + m), m = expm1(-2|x|), odd by copysign.  The expm1 is _expf_r's reduction
    # and polynomial (_expf_r_parts) with 2^n (e^r - 1) + (2^n - 1) as _expm1f: -2|x| is
    # clamped at -18, where m rounds to -1 (tanh to 1), so 2^n is normal and one factor
    # will do.
    cdef float a = -F_TWO * fabsf(x)
    cdef float s, p, m
    a = F_EXPM1_LO if isless(a, F_EXPM1_LO) else a
    p = _expf_r_parts(a, &s)
    m = FASTACT_MADDF(s, p, s - F_ONE)
    return copysignf(-m / (F_TWO + m), x)

cdef inline float tanh_grad_f(float x) noexcept nogil:
    cdef float z = _expf(-F_TWO * fabsf(x))
    cdef float d = F_ONE + z
    return F_FOUR * z / (d * d)

cdef inline float tanh_grad_y_f(float y) noexcept nogil:
    return (F_ONE - y) * (F_ONE + y)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double tanh_grad2(double x) noexcept nogil:
    # -2 tanh(x) sech^2(x) = -sign(x) 8 z (1 - z) / (1 + z)^3, z = e^-2|x|
    cdef double a = -2.0 * fabs(x)
    a = -800.0 if isless(a, -800.0) else a   # f'' < e^-798 there (and -2|x| may overflow)
    cdef double z = _exp(a)
    cdef double m = -_expm1(a)
    cdef double d = 1.0 + z
    return copysign((8.0 * z / (d * d)) * (m / d), -x)
