# hardswish(x) = x relu6(x + 3) / 6; hardswish'(x) = 0 at and below -3, x/3 + 1/2 on
# (-3, 3), 1 at and above 3 (PyTorch's branches, its autograd, 2.13).

cdef inline double hardswish_fwd(double x) noexcept nogil:
    # x (x + 3) / 6 with x + 3 and the product kept exact (TwoSum, fma) and one rounding:
    # 0.5 ULP (the plain formula rounds three times: up to 1.7 ULP)
    cdef double s = x + 3.0
    cdef double e = _two_sum_err(x, 3.0, s)
    cdef double p = x * s
    cdef double r = _div_dd(p, fma(x, s, -p) + x * e, 6.0, 1.0 / 6.0)
    r = x if x == 0.0 else r               # +-0 (the formula gives +0 for -0)
    r = -0.0 if islessequal(x, -3.0) else r    # x * 0, without inf * 0 at -inf
    return x if isgreaterequal(x, 3.0) else r

cdef inline double hardswish_grad(double x) noexcept nogil:
    # (early returns, not selects: see hardsigmoid_fwd)
    cdef double s
    if islessequal(x, -3.0):
        return 0.0
    if isgreaterequal(x, 3.0):
        return 1.0
    s = x + 1.5                            # x/3 + 1/2 = (x + 1.5)/3, rounded once
    return _div_dd(s, _two_sum_err(x, 1.5, s), 3.0, 1.0 / 3.0)


# float32: in double, rounded once: x (x/6 + 1/2), x/6 + 1/2 by one FMA (two operations
# per element: the float32 loop is two doubles wide, so each one counts).  The dropped
# exactness of x + 3 costs an absolute 2^-54 near x = -3, where the result is at least
# 3 * 2^-22 / 6 (x is a float): 2^-30 relative before the rounding to float, which moves
# a result by at most 0.02 ULP beyond the 0.5 (and only within that of a midpoint); the
# accuracy tool checks every float32 input.  (Without FMA the same bound holds: one more
# rounding, 2^-54.)  -0 below -3 (x * 0 without inf * 0), x above 3; -0 gives -0.
cdef inline float hardswish_fwd_f(float x) noexcept nogil:
    cdef double xd = x
    cdef float r = <float>(xd * FASTACT_MADD(xd, 1.0 / 6.0, 0.5))
    r = -F_ZERO if islessequal(x, F_MTHREE) else r
    return x if isgreaterequal(x, F_THREE) else r

cdef inline float hardswish_grad_f(float x) noexcept nogil:
    # 0 at and below -3, x/3 + 1/2 = (x + 1.5)/3 on (-3, 3), 1 at and above 3
    cdef float r = <float>((<double>x + 1.5) * (1.0 / 3.0))
    r = F_ZERO if islessequal(x, F_MTHREE) else r
    return F_ONE if isgreaterequal(x, F_THREE) else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double hardswish_grad2(double x) noexcept nogil:
    # 1/3 on the open interval (-3, 3), 0 at the kinks and outside (PyTorch's double
    # backward of hardswish)
    cdef double r = 1.0 / 3.0 if (isgreater(x, -3.0) and isless(x, 3.0)) else 0.0
    return x if x != x else r
