# logit(p) = log(p / (1 - p)), the inverse of sigmoid (PyTorch's torch.logit);
# logit'(p) = 1 / (p (1 - p)).  -inf at p = 0 (either zero), +inf at 1, NaN outside
# [0, 1]; f' is +inf at 0 and 1.  The float functions compute in double and round once
# (the float32 backward is g times f' rounded to float: inf for p < 2.9e-39, a subnormal
# float32, where PyTorch's g / (p (1 - p)) is finite for |g| < 1).
#
# The forward in one logarithm, without the cancellation of log(p) - log(1 - p) near
# p = 1/2 and without losing the rounding of 1 - p (for p < 1/2):
#   * 1 - p = h + l exactly (Fast2Sum, |p| <= 1; l = 0 for p >= 1/2, Sterbenz);
#   * q = p / h rounded, and its remainder p - q h exactly (Dekker's product q h = P + Q,
#     no fma: the baseline has none; p - P is exact, and so is the remainder of a
#     correctly rounded quotient);
#   * p / (h + l) = q (1 + c), c = (p - q h - q l) / p, |c| <= 2^-52, to 2^-104;
#   * log(q (1 + c)) = log(q) + c to 2^-104: _log_c, fdlibm's log (below 1 ULP), with c
#     folded into its last sums.  Near p = 1/2, q = 1 + f with f = q - 1 exact, and the
#     result keeps its relative accuracy however small it is.
# p < 2^-960 is scaled by 2^64 first (then 1 - p = 1 and q = p 2^64 exactly): q stays
# normal, for _log_c's exponent bits, and 64 ln2 is subtracted inside _log_c exactly.
# The bound held: 1 ULP (records/logit.py).
#
# f' = 1 / (p h + p l): three roundings, 1.5 units of 2^-53 relative, which is up to twice
# that in ULP of the result (the full run: 1.92; the record's bound 2.5); for p < 2^-1022
# p h = p exactly.
#
# logit(p, eps): p clamped to [eps, 1 - eps] first, as PyTorch: p < eps gives eps, p >
# 1 - eps gives 1 - eps (1 - eps rounded in the data's precision: the float32 loops clamp
# in float, as PyTorch's float32 kernel, so that a clamped p is the same float); f' = 0
# outside [eps, 1 - eps] and 1 / (p (1 - p)) at and inside its ends (PyTorch's
# logit_backward).  eps > 1/2 is PyTorch's formula too.

cdef double LOGIT_TINY = 1.0261342003245941e-289      # 2^-960
cdef double TWO64 = 18446744073709551616.0            # 2^64

cdef inline double logit_fwd(double p) noexcept nogil:
    cdef double h = 1.0 - p
    cdef double l = (1.0 - h) - p                      # 1 - p = h + l exactly
    cdef bint tiny = isless(p, LOGIT_TINY)
    cdef double ps = p * TWO64 if tiny else p
    cdef double q = ps / h
    # q h = P + Q exactly (Dekker)
    cdef double P = q * h
    cdef double cq = DEKKER_SPLIT * q
    cdef double qhi = cq - (cq - q)
    cdef double qlo = q - qhi
    cdef double ch = DEKKER_SPLIT * h
    cdef double hhi = ch - (ch - h)
    cdef double hlo = h - hhi
    cdef double Q = ((qhi * hhi - P) + qhi * hlo + qlo * hhi) + qlo * hlo
    cdef double c = (((ps - P) - Q) - q * l) / ps
    cdef double r = _log_c(q, c, -64.0 if tiny else 0.0)
    r = -INFINITY if p == 0.0 else r
    r = INFINITY if p == 1.0 else r
    r = NAN if isless(p, 0.0) else r                  # two selects: an `or` is a branch
    r = NAN if isgreater(p, 1.0) else r
    return p if p != p else r

cdef inline double logit_grad(double p) noexcept nogil:
    cdef double h = 1.0 - p
    cdef double l = (1.0 - h) - p
    cdef double r = 1.0 / (p * h + p * l)
    r = INFINITY if p == 0.0 else r                   # -0.0 too: f' > 0
    r = NAN if isless(p, 0.0) else r                  # two selects: an `or` is a branch
    r = NAN if isgreater(p, 1.0) else r
    return p if p != p else r

cdef inline float logit_fwd_f(float p) noexcept nogil:
    return <float>logit_fwd(<double>p)

cdef inline float logit_grad_f(float p) noexcept nogil:
    return <float>logit_grad(<double>p)


# ---- logit(p, eps): the general kernel (records/logit.py) ------------------------------
# eps = None (no clamp) is the kernel above; the API runs this one for every eps given.

cdef inline double _logit_clamp(double p, double lo, double hi) noexcept nogil:
    # PyTorch's x < lo ? lo : (x > hi ? hi : x); NaN stays NaN
    cdef double r = hi if isgreater(p, hi) else p
    return lo if isless(p, lo) else r

cdef inline double logit_general_fwd(double p, double eps) noexcept nogil:
    return logit_fwd(_logit_clamp(p, eps, 1.0 - eps))

cdef inline double logit_general_grad(double p, double eps) noexcept nogil:
    cdef double r = logit_grad(p)
    r = 0.0 if isless(p, eps) else r
    return 0.0 if isgreater(p, 1.0 - eps) else r


cdef inline float logit_general_fwd_f(float p, float eps) noexcept nogil:
    cdef float hi = F_ONE - eps
    cdef float pc = hi if isgreater(p, hi) else p
    pc = eps if isless(p, eps) else pc
    return <float>logit_fwd(<double>pc)

cdef inline float logit_general_grad_f(float p, float eps) noexcept nogil:
    cdef float r = <float>logit_grad(<double>p)
    r = F_ZERO if isless(p, eps) else r
    return F_ZERO if isgreater(p, F_ONE - eps) else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double logit_grad2(double p) noexcept nogil:
    # (2p - 1) / (p (1 - p))^2, p (1 - p) = p h + p l with 1 - p = h + l exactly (as
    # logit_grad); 2p - 1 exact for p >= 1/4.  -inf at 0, +inf at 1, NaN outside [0, 1].
    cdef double h = 1.0 - p
    cdef double l = (1.0 - h) - p
    cdef double w = p * h + p * l
    cdef double r = ((2.0 * p - 1.0) / w) / w
    r = -INFINITY if p == 0.0 else r
    r = INFINITY if p == 1.0 else r
    r = NAN if isless(p, 0.0) else r
    r = NAN if isgreater(p, 1.0) else r
    return p if p != p else r

cdef inline double logit_general_grad2(double p, double eps) noexcept nogil:
    # 0 where the clamp holds p (PyTorch's logit backward with eps: 0 outside [eps, 1-eps])
    cdef double r = logit_grad2(p)
    r = 0.0 if isless(p, eps) else r
    return 0.0 if isgreater(p, 1.0 - eps) else r
