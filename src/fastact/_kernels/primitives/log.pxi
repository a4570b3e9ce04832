# ---- log and log1p in plain arithmetic (double) ------------------------------------

cdef double SQRT2 = 1.4142135623730951
cdef double TWO52 = 4503599627370496.0                # 2^52
cdef uint64_t EXP_BITS_ONE = 0x3ff0000000000000     # bits of 1.0
cdef uint64_t MANT_MASK = 0x000fffffffffffff
cdef uint64_t TWO52_BITS = 0x4330000000000000       # bits of 2^52


cdef inline double _log_c(double u, double c, double kk) noexcept nogil:
    # log(u) + c + kk ln2 for a positive normal finite u, |c| <= 2^-50 (the relative
    # correction of a u that was rounded: log(u (1 + c)) = log(u) + c to 2^-100), kk an
    # integer (an exponent the caller scaled out of u), in plain arithmetic.  fdlibm's
    # s_log1p method: u = 2^k m with m in [sqrt(1/2), sqrt 2), f = m - 1 exact,
    # log(1 + f) = f - (hfsq - s (hfsq + R(s^2))) with s = f / (2 + f), R fdlibm's
    # degree-14 even minimax polynomial (Lg1..Lg7, error below 2^-58.45), c folded into the
    # last sums; fdlibm's bound: below 1 ULP.  k comes from the exponent bits, converted to
    # double by the 2^52 trick (no int-to-double vector instruction is needed); (k + kk)
    # LN2_HI is exact (LN2_HI has 32 bits, |k + kk| < 2^11).  Measured by the accuracy tool
    # through softplus, log_sigmoid and logit.
    # used by: _log1p, logit
    cdef uint64_t b = fastact_d2u(u)
    cdef double k = fastact_u2d((b >> 52) | TWO52_BITS) - (TWO52 + 1023.0)
    cdef double m = fastact_u2d((b & MANT_MASK) | EXP_BITS_ONE)   # in [1, 2)
    cdef double f, s, hfsq, zz, w, r
    cdef bint big = isgreater(m, SQRT2)
    m = 0.5 * m if big else m
    k = k + 1.0 if big else k
    k = k + kk
    f = m - 1.0
    s = f / (2.0 + f)
    zz = s * s
    w = zz * zz
    r = (zz * (6.666666666666735130e-01 + w * (2.857142874366239149e-01
         + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01))))
    r = r + (w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01
             + w * 1.531383769920937332e-01)))
    hfsq = 0.5 * f * f
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f)


cdef inline double _log1p(double z) noexcept nogil:
    # log(1 + z) for z >= 0 (the kernels' use: z = exp(-|x|) in [0, 1]): _log_c of
    # u = 1 + z rounded, with c = ((1 + z) - u) / u for its rounding (exact: u - z or
    # u - 1 is exact, Sterbenz).  z = +inf gives inf, NaN gives NaN.
    # used by: _log1pexp (softplus), log_sigmoid_fwd
    cdef double u = 1.0 + z
    cdef double c = (1.0 - (u - z) if isgreater(u, 2.0) else z - (u - 1.0)) / u
    return u if isinf(u) else _log_c(u, c, 0.0)
