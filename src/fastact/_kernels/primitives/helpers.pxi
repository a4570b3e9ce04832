# ---- helpers (double) ---------------------------------------------------------------

cdef inline double _sigmoid(double x) noexcept nogil:
    # 1 / (1 + e^-x), computed on z = exp(-|x|) <= 1: no overflow for any x, full relative
    # accuracy in both tails (z/(1+z) for x < 0 does not cancel).
    # used by: sigmoid_fwd, softplus_grad, log_sigmoid_grad
    cdef double z = _exp(-fabs(x))
    return z / (1.0 + z) if isless(x, 0.0) else 1.0 / (1.0 + z)


cdef inline double _log1pexp(double x) noexcept nogil:
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, no cancellation.
    # used by: softplus_fwd
    cdef double m = x if isgreater(x, 0.0) else 0.0
    return m + _log1p(_exp(-fabs(x)))


cdef inline double _nabs(double x) noexcept nogil:
    # -|x| by setting the sign bit: one OR (-fabs(x) compiles to an AND and an XOR)
    # used by: _exp_nabs, silu_fwd
    return fastact_u2d(fastact_d2u(x) | (<uint64_t>1 << 63))


cdef inline double _exp_nabs(double x, bint* scaled) noexcept nogil:
    # e^-|x|, or e^(x + 64) where x < -700 (then scaled[0] is set): one exp for both signs
    # and for the subnormal tail (see E_M64), the branches as selects.
    # used by: silu, mish
    # _exp_nrm: the argument is -|x| >= -700, or x + 64 where the result is 0 below -772
    # (e^(x + 64) is subnormal there, and x e^x < 2^-1075 for x < -772 already).
    scaled[0] = isless(x, SCALED_BELOW)
    return _exp_nrm(x + 64.0 if scaled[0] else _nabs(x))


cdef inline double _step(double x, double below, double above) noexcept nogil:
    # `above` for x > 0, `below` for x <= 0, NaN for NaN.  (Early returns, which GCC
    # if-converts: the select form changes which NaN a backward's g * f' returns when g
    # and x are both NaN, or g is a signalling NaN.)
    # used by: relu_grad, relu_grad_y, leaky_relu_grad, leaky_relu_grad_y
    if isgreater(x, 0.0):
        return above
    if islessequal(x, 0.0):
        return below
    return x


cdef inline double _two_sum_err(double a, double b, double s) noexcept nogil:
    # the rounding error of s = a + b (Knuth's TwoSum): a + b = s + err exactly
    # used by: hardsigmoid_fwd, hardswish_fwd, hardswish_grad
    cdef double bb = s - a
    return (a - (s - bb)) + (b - bb)


cdef inline double _div_dd(double s, double e, double c, double inv) noexcept nogil:
    # (s + e) / c correctly rounded but for ties within 2^-50 ULP, with inv = 1/c rounded
    # and no division: q = s inv is within an ULP of s/c, the remainder s - q c is exact by
    # fma, and q + (s - q c + e) inv in one fma is off only by its last rounding (the
    # correction step of Markstein's division; the accuracy tool checks 0.5 ULP).
    # used by: hardsigmoid_fwd, hardswish_fwd, hardswish_grad
    cdef double q = s * inv
    return fma(fma(-q, c, s) + e, inv, q)
