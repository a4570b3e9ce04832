# hardsigmoid(x) = relu6(x + 3) / 6; hardsigmoid'(x) = 1/6 on (-3, 3), 0 elsewhere.

cdef inline double hardsigmoid_fwd(double x) noexcept nogil:
    # (x + 3)/6 with x + 3 kept exact (TwoSum) and one rounding: 0.5 ULP (the plain
    # formula rounds twice: up to 1.2 ULP)
    # (early returns, not selects: on the baseline, where fma() is a libm call and this
    # loop stays scalar, the select form changes the sign of the NaN for a NaN input)
    cdef double s
    if islessequal(x, -3.0):
        return 0.0
    if isgreaterequal(x, 3.0):
        return 1.0
    s = x + 3.0
    return _div_dd(s, _two_sum_err(x, 3.0, s), 6.0, 1.0 / 6.0)

cdef inline double hardsigmoid_grad(double x) noexcept nogil:
    # (early returns: see hardtanh_grad)
    if isgreater(x, -3.0) and isless(x, 3.0):
        return 1.0 / 6.0
    if isnan(x):
        return x
    return 0.0


# float32: in double with the plain formula (no TwoSum or fma corrections: for float
# inputs x + 3 is exact in double, and the one rounding that remains, below 2^-52
# relative, cannot move a float32 result across a rounding boundary), rounded once: the
# double kernel's result rounded.  The accuracy tool checks this over every float32 input.

cdef float F_SIXTH = 1.0 / 6.0            # hardsigmoid'(x), correctly rounded

cdef inline float hardsigmoid_fwd_f(float x) noexcept nogil:
    cdef float r = <float>((<double>x + 3.0) * (1.0 / 6.0))
    r = F_ZERO if islessequal(x, F_MTHREE) else r
    return F_ONE if isgreaterequal(x, F_THREE) else r

cdef inline float hardsigmoid_grad_f(float x) noexcept nogil:
    return _box_f(x, F_MTHREE, F_THREE, F_SIXTH)
