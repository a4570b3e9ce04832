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


# float32: with FMA (the AVX2 and AVX-512 targets), x/6 + 1/2 in float by two FMAs:
# h = fma(x, C, 1/2) with C = 1/6 rounded to float, then fma(x, CL, h), CL = 1/6 - C
# rounded, puts back the part of x/6 that C lacks (|x CL| < 1.5e-8).  The sum is formed
# exactly inside each fma, so near -3, where it cancels, only h's rounding remains:
# measured over every float32 input in (-3, 3), 0.67 ULP (the record's bound is 1 ULP
# for this; the double kernel stays at 0.5).  Without FMA (baseline): in double, x + 3
# exact, one rounding left below 2^-52, the double kernel's result rounded (0.5 ULP).
cdef float F_SIXTH = 1.0 / 6.0            # hardsigmoid'(x), correctly rounded
cdef float F_SIXTH_LO = -4.967053879312289e-09  # 1/6 - F_SIXTH (exact: -4.9670537313e-9), rounded

cdef inline float hardsigmoid_fwd_f(float x) noexcept nogil:
    cdef float r = FASTACT_MADDF(x, F_SIXTH_LO, FASTACT_MADDF(x, F_SIXTH, F_HALF))
    r = r if FASTACT_HAS_FMA else <float>((<double>x + 3.0) * (1.0 / 6.0))
    r = F_ZERO if islessequal(x, F_MTHREE) else r
    return F_ONE if isgreaterequal(x, F_THREE) else r

cdef inline float hardsigmoid_grad_f(float x) noexcept nogil:
    return _box_f(x, F_MTHREE, F_THREE, F_SIXTH)


# ---- hardsigmoid(x, alpha, beta): the general kernel (records/hardsigmoid.py) ----------
# clip(alpha x + beta, 0, 1), ONNX's HardSigmoid; f'(x) = alpha where alpha x + beta,
# rounded once, is strictly inside (0, 1), 0 elsewhere: 0 at the kinks, as the default's
# at -3 and 3 (PyTorch's hardsigmoid_backward).  At the default alpha = 1/6 (rounded) and
# beta = 1/2 these return the functions above, which mean the exact 1/6: relu6(x + 3) / 6.

cdef double HS_ALPHA = 1.0 / 6.0          # the default alpha: Python's 1/6
cdef double HS_BETA = 0.5

cdef inline double _hs_t(double x, double alpha, double beta) noexcept nogil:
    # alpha x + beta rounded once (fma); beta where alpha = 0, at x = +-inf too (0 inf is NaN)
    cdef double t = fma(alpha, x, beta)
    return beta if (alpha == 0.0 and isinf(x)) else t

cdef inline double hardsigmoid_general_fwd(double x, double alpha, double beta) noexcept nogil:
    # clipping the rounded t is rounding the clipped value (0 and 1 are doubles): correctly
    # rounded
    cdef double t = _hs_t(x, alpha, beta)
    t = 0.0 if islessequal(t, 0.0) else t
    t = 1.0 if isgreaterequal(t, 1.0) else t
    return hardsigmoid_fwd(x) if (alpha == HS_ALPHA and beta == HS_BETA) else t

cdef inline double hardsigmoid_general_grad(double x, double alpha, double beta) noexcept nogil:
    cdef double t = _hs_t(x, alpha, beta)
    cdef double r = alpha if (isgreater(t, 0.0) and isless(t, 1.0)) else 0.0
    r = x if isnan(x) else r
    return hardsigmoid_grad(x) if (alpha == HS_ALPHA and beta == HS_BETA) else r


# float32: t in double, where the product of two floats is exact, so alpha x + beta is
# rounded once, as by the double kernel's fma; the forward is the double kernel's result
# rounded.

cdef inline double _hs_t_f(float x, float alpha, float beta) noexcept nogil:
    cdef double t = <double>alpha * <double>x + <double>beta
    return <double>beta if (alpha == F_ZERO and isinf(x)) else t

cdef inline float hardsigmoid_general_fwd_f(float x, float alpha, float beta) noexcept nogil:
    cdef double t = _hs_t_f(x, alpha, beta)
    t = 0.0 if islessequal(t, 0.0) else t
    t = 1.0 if isgreaterequal(t, 1.0) else t
    return hardsigmoid_fwd_f(x) if (alpha == F_SIXTH and beta == F_HALF) else <float>t

cdef inline float hardsigmoid_general_grad_f(float x, float alpha, float beta) noexcept nogil:
    cdef double t = _hs_t_f(x, alpha, beta)
    cdef float r = alpha if (isgreater(t, 0.0) and isless(t, 1.0)) else F_ZERO
    r = x if isnan(x) else r
    return hardsigmoid_grad_f(x) if (alpha == F_SIXTH and beta == F_HALF) else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double hardsigmoid_grad2(double x) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included

cdef inline double hardsigmoid_general_grad2(double x, double alpha, double beta) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
