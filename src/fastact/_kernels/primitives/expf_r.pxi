# ---- the shorter float exp, _expf_r -------------------------------------------------
# _expf handles the whole float range (clamps, 2^n in two factors for subnormal results).
# The kernels that use _expf_r clamp their own arguments (they have to anyway, for their
# limits and rescaled tails), so it takes only -87 <= x <= 88: 2^n in one factor (n from
# -126 to 127, a normal result: e^-87 = 1.6e-38) and no clamps.  Reduction with FMA where
# the target has it (n * LN2_HI is exact either way: 16 bits times |n| <= 127), a degree-6
# minimax polynomial for e^r on [-ln2/2, ln2/2] (relative error 3e-9, fitted on relative
# error; the constants below are its float-rounded coefficients), and 2^n (e^r - 1) + 2^n
# as one multiply-add.  Measured against exp in double over every float in [-87, 0]: at
# most 1.02 ULP.  NaN gives NaN.
# used by: F_EXPR_LO: _log1pexp_f, gelu_tanh; F_EXPR_HI: silu, _sigmoid_f

cdef float F_EXPR_LO = -87.0                 # _expf_r's lower end
cdef float F_EXPR_HI = 87.0                  # the clamp below its upper end, 88
cdef float F_E2 = 0.49999994
cdef float F_E3 = 0.1666652
cdef float F_E4 = 0.041668393
cdef float F_E5 = 0.008368749
cdef float F_E6 = 0.0013814362

cdef inline float _expf_r_parts(float x, float* s) noexcept nogil:
    # e^x = s (1 + p): returns p = e^r - 1, sets s = 2^n (the caller combines them: e^x
    # in _expf_r, expm1 in tanh_fwd_f)
    # used by: _expf_r, tanh_fwd_f
    cdef float t, n, r, p
    t = FASTACT_MADDF(x, F_LOG2E, F_SHIFT)
    n = t - F_SHIFT
    r = FASTACT_MADDF(n, -F_LN2_HI, x)
    r = FASTACT_MADDF(n, -F_LN2_LO, r)
    p = FASTACT_MADDF(F_E6, r, F_E5)
    p = FASTACT_MADDF(p, r, F_E4)
    p = FASTACT_MADDF(p, r, F_E3)
    p = FASTACT_MADDF(p, r, F_E2)
    s[0] = _pow2f(t)
    return FASTACT_MADDF(p * r, r, r)

cdef inline float _expf_r(float x) noexcept nogil:
    # used by: silu, _log1pexp_f (softplus, log_sigmoid), _sigmoid_f, gelu_tanh, mish
    cdef float s
    cdef float p = _expf_r_parts(x, &s)
    return FASTACT_MADDF(s, p, s)


# exp(x - m) * 2^64 for the float32 softmax rows (softmax.pxi, log_softmax.pxi), x <= m.
# x - m = dh + dl exactly (Knuth's TwoSum), dl added to the reduced argument: rounded to
# float, x - m would carry an error of |x - m| 2^-24, a relative error of the exp of
# |x - m| ULP.  The bias 2^64 keeps every value that can matter normal: from x - m = -131
# on, e^(x - m) 2^64 is above FLT_MIN, so 2^n is one factor and no subnormal rounds twice;
# the row divides by its biased sum (the bias cancels), and the product of the normal
# e^(x - m) 2^64 and 1 / (2^64 s) rounds a subnormal softmax value once.  Below -131 the
# argument is clamped: those values, e^(x - m) / s < 2^-189, round to 0 whatever their e,
# and add nothing a double sum keeps: they give 0 (a select), which the normalization
# turns into 0 without an underflow (the clamped value's product with 1 / (2^64 s) would
# underflow, a microcode assist per vector on x86, at every masked-out -inf entry).
# Reduction and polynomial as _expf_r (degree-6 minimax, relative error 3e-9): about
# 1 ULP.  NaN gives NaN (the clamp keeps it).
# used by: the float32 softmax and log_softmax rows
cdef float F_ROW_LO = -131.0
cdef double ROW_BIAS_LOG = 44.3614195558364998    # 64 ln 2: log of the bias

cdef inline float _exp_row_f(float x, float m) noexcept nogil:
    cdef float dh = x - m
    cdef float bb = dh - x
    cdef float dl = (x - (dh - bb)) + (-m - bb)
    cdef float t, n, r, p, s
    cdef bint lo = isless(dh, F_ROW_LO)
    dl = F_ZERO if lo else dl      # -inf - m: dl would be NaN; e is 0
    dh = F_ROW_LO if lo else dh
    t = FASTACT_MADDF(dh, F_LOG2E, F_SHIFT)
    n = t - F_SHIFT
    r = FASTACT_MADDF(n, -F_LN2_HI, dh)
    r = FASTACT_MADDF(n, -F_LN2_LO, r) + dl
    p = FASTACT_MADDF(F_E6, r, F_E5)
    p = FASTACT_MADDF(p, r, F_E4)
    p = FASTACT_MADDF(p, r, F_E3)
    p = FASTACT_MADDF(p, r, F_E2)
    p = FASTACT_MADDF(p * r, r, r)
    s = fastact_u2f((fastact_f2u(t) + (127 + 64)) << 23)     # 2^(n + 64), n >= -189
    return F_ZERO if lo else FASTACT_MADDF(s, p, s)
