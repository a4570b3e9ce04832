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


# float32: in double with the plain formulas (no TwoSum or fma corrections: for float
# inputs x + 3 is exact in double, and the one or two roundings that remain, below 2^-52
# relative, cannot move a float32 result across a rounding boundary), rounded once: the
# double kernel's result rounded.  The accuracy tool checks this over every float32 input.

cdef inline float hardswish_fwd_f(float x) noexcept nogil:
    # x (x + 3) / 6; -0 below -3 (x * 0 without inf * 0), x above 3; -0 gives -0
    cdef double xd = x
    cdef float r = <float>(xd * (xd + 3.0) * (1.0 / 6.0))
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
