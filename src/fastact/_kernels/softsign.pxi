# softsign(x) = x / (1 + |x|); softsign'(x) = 1 / (1 + |x|)^2.  float32 widens to double.

cdef inline double softsign_fwd(double x) noexcept nogil:
    cdef double r = x / (1.0 + fabs(x))
    return copysign(1.0, x) if isinf(x) else r    # (inf / inf otherwise)

cdef inline double softsign_grad(double x) noexcept nogil:
    cdef double t = 1.0 / (1.0 + fabs(x))  # t*t underflows to 0; (1+|x|)^2 would overflow
    return t * t


# float32 (float32_computes_in="float"): with FMA, x / d in float, d = 1 + |x|,
# corrected for d's
# rounding: d + e = 1 + |x| exactly (Fast2Sum of max(|x|, 1) and min(|x|, 1)), the
# quotient q = x / d has the exact remainder rem = x - q d (fma), so x / (d + e) =
# q + (rem - q e) / (d + e); that correction is below 1.5 ULP of q and needs only a few
# bits, so 1 / d is the bit-pattern estimate 0x7EF311C3 - bits(d) (relative error
# under 12%; d capped at 2^64, where the correction is far below an ULP anyway).
# One float division instead of two double ones: measured over every 61st float32 input,
# 0.527 ULP (the plain x / (1 + |x|) in float: 1.5).  Without FMA (baseline) and for the
# derivative: in double, rounded once.
cdef float F_SS_CAP = 18446744073709551616.0      # 2^64

cdef inline float softsign_fwd_f(float x) noexcept nogil:
    cdef float a = fabsf(x)
    cdef float d = F_ONE + a
    cdef float hi = a if isgreater(a, F_ONE) else F_ONE
    cdef float lo = a if isless(a, F_ONE) else F_ONE
    cdef float e = lo - (d - hi)                   # d + e = 1 + |x| exactly
    cdef float q = x / d
    cdef float c = FASTACT_MADDF(-q, e, FASTACT_MADDF(-q, d, x))
    cdef float rc = fastact_u2f(<uint32_t>0x7EF311C3 - fastact_f2u(d if isless(d, F_SS_CAP) else F_SS_CAP))
    cdef float r = FASTACT_MADDF(c, rc, q)
    r = r if FASTACT_HAS_FMA else <float>softsign_fwd(<double>x)
    r = x if x == F_ZERO else r                    # -0 (the corrections' sums give +0)
    return copysignf(F_ONE, x) if isinf(x) else r

cdef inline float softsign_grad_f(float x) noexcept nogil:
    return <float>softsign_grad(<double>x)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double softsign_grad2(double x) noexcept nogil:
    # -2 sign(x) / (1 + |x|)^3, as t^3 with t = 1/(1 + |x|) (no overflow); 0 at 0, as
    # PyTorch's autograd gives (d|x|/dx = sign(0) = 0 there)
    cdef double t = 1.0 / (1.0 + fabs(x))
    cdef double r = copysign(2.0 * (t * t) * t, -x)
    return 0.0 if x == 0.0 else r
