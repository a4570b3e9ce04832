# ---- float helpers ------------------------------------------------------------------

cdef uint32_t F_SIGN_BIT = 0x80000000

cdef inline float _clampf(float x, float lo, float hi) noexcept nogil:
    # x limited to [lo, hi] by selects (NaN stays NaN)
    # used by: silu, _sigmoid_f, gelu_tanh, mish
    x = lo if isless(x, lo) else x
    return hi if isgreater(x, hi) else x

cdef inline float _nabsf(float x) noexcept nogil:
    # -|x| as one OR of the sign bit (-fabsf is an AND and an XOR)
    # used by: _log1pexp_f, gelu_tanh
    return fastact_u2f(fastact_f2u(x) | F_SIGN_BIT)

cdef inline float _step_f(float x, float below, float above) noexcept nogil:
    # `above` for x > 0, `below` for x <= 0, NaN for NaN (as _step)
    # used by: relu_grad_f, relu_grad_y_f, leaky_relu_grad_f, leaky_relu_grad_y_f
    cdef float r = above if isgreater(x, F_ZERO) else below
    return x if x != x else r

cdef inline float _box_f(float x, float lo, float hi, float inside) noexcept nogil:
    # `inside` strictly between lo and hi, 0 at and beyond them, NaN for NaN
    # used by: hardtanh_grad_f, relu6_grad_f, hardsigmoid_grad_f
    cdef float r = inside if isgreater(x, lo) else F_ZERO
    r = r if isless(x, hi) else F_ZERO
    return x if x != x else r

cdef float F_LO_NEEDED = 128.0

cdef inline float _mul_lo_f(float a, float b, float p) noexcept nogil:
    # a b - p for p = a b rounded to float, exactly (FASTACT_MUL_LOF, config.h: an FMA, or
    # double arithmetic on the baseline).  0 where |p| >= 128 (or inf, NaN): the exps have
    # saturated there, and the low part of a huge product is itself huge.
    # used by: softplus
    cdef float lo = FASTACT_MUL_LOF(a, b, p)
    return lo if isless(fabsf(p), F_LO_NEEDED) else F_ZERO
