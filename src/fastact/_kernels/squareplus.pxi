# squareplus(x, b) = (x + sqrt(x^2 + b)) / 2, b >= 0 (JAX's jax.nn.squareplus; Barron,
# "Squareplus: a softplus-like algebraic rectifier", 2021);
# squareplus'(x) = (1 + x / sqrt(x^2 + b)) / 2; from the output f' = y^2 / (y^2 + b/4).
# b = 0 is relu, with relu's f'(0) = 0 (PyTorch's convention; then y = 0 tells f' = 0).
# float32: in double without the scaling (below), rounded once.
#
# With s = sqrt(x^2 + b):
#   * x >= 0: (x + s) / 2 and (1 + x/s) / 2 add terms of one sign: no cancellation;
#   * x < 0: x + s cancels (x -> -inf), and so does 1 + x/s; multiplied out by s - x
#     (= s + |x|, no cancellation): f = (b/2) / (s - x), and f' = (b/2) / (s (s - x))
#     where x/s < -1/2 (above, 1 + x/s loses at most a bit and rounds less).
# Scaling: x^2 overflows beyond |x| = 2^512 and underflows below 2^-537, and b can be as
# large as DBL_MAX.  Every formula is computed on x' = x 2^-k, b' = b 2^-2k, s' = s 2^-k,
# where 2^k is the binade of max(|x|, sqrt(b)) (k clamped to [-1022, 1022]): then
# x'^2 + b' is in [1/4, 16), and a term that underflows in the scaling is below 2^-1070
# of that.  (x' + s')/2 scales back by 2^k; f = ((b 2^-k)/2) / (s' - x') and
# f' = ((b' / 2) / (s' (s' - x'))) need no scaling back (b 2^-k and b' are small only
# where the result is: subnormal results may round twice).
#
# Errors (u = 2^-53): x'^2 + b' rounds twice (2u relative), sqrt halves that and rounds
# (2u), the sum or difference with x' (3u), the quotient (4u): the full run measured the
# forward at 2.73 ULP (x < 0; the record's bound 3); the derivative's (b'/2) / (s' (s' -
# x')) carries s''s error twice: 4.19 ULP measured (bound 5).

cdef inline double _squareplus_parts(double x, double b, double* xs, double* bs,
                                     double* s, double* up) noexcept nogil:
    # x' = x 2^-k (xs), b 2^-k (returned), b' = b 2^-2k (bs), s' (s), 2^k (up)
    cdef double a = fabs(x)
    cdef double r = sqrt(b)
    cdef double m = a if isgreater(a, r) else r            # NaN x: r (x' is NaN anyway)
    # k from m's exponent bits (the 2^52 trick, as _log1p), clamped: -1022 for zero and
    # subnormals, 1022 for the top binade and inf
    cdef double k = fastact_u2d((fastact_d2u(m) >> 52) | TWO52_BITS) - (TWO52 + 1023.0)
    k = -1022.0 if isless(k, -1022.0) else k
    k = 1022.0 if isgreater(k, 1022.0) else k
    cdef double down = _pow2(EXP_SHIFT - k)
    cdef double b1 = b * down
    up[0] = _pow2(EXP_SHIFT + k)
    xs[0] = x * down
    bs[0] = b1 * down
    s[0] = sqrt(xs[0] * xs[0] + bs[0])
    return b1

cdef inline double squareplus_fwd(double x, double b) noexcept nogil:
    cdef double xs, bs, s, up
    cdef double b1 = _squareplus_parts(x, b, &xs, &bs, &s, &up)
    cdef double pos = ((xs + s) * 0.5) * up
    cdef double neg = (b1 * 0.5) / (s - xs)                # +0 at x = -inf
    return neg if isless(x, 0.0) else pos                  # NaN: pos, which is NaN

cdef inline double squareplus_grad(double x, double b) noexcept nogil:
    cdef double xs, bs, s, up
    _squareplus_parts(x, b, &xs, &bs, &s, &up)
    cdef double pos = (1.0 + xs / s) * 0.5
    pos = 0.0 if s == 0.0 else pos                         # b = 0, x = 0: relu'(0)
    pos = 1.0 if x == INFINITY else pos                    # inf / inf
    cdef double neg = (bs * 0.5) / (s * (s - xs))
    # 1 + x/s loses at most a bit while x/s >= -1/2, and has fewer roundings there
    cdef double r = neg if isless(xs, -0.5 * s) else pos
    return 0.0 if x == -INFINITY else r                    # -inf / inf

cdef inline double squareplus_grad_y(double y, double b) noexcept nogil:
    # y^2 / (y^2 + b/4) = y / (y + (b/4) / y): no y^2 to overflow; 0 for y <= 0 (y = 0
    # only from x <= 0 with b = 0, or an underflowed tail), 1 at y = inf
    cdef double r = y / (y + (b * 0.25) / y)
    r = 1.0 if y == INFINITY else r
    r = 0.0 if islessequal(y, 0.0) else r
    return y if y != y else r


# float32: the same formulas in double without the scaling, rounded once.  For float x and
# b, x^2 + b neither overflows (at most 2^256) nor loses a term that matters (a float's
# square is at least 2^-298), and (b/2) / (s - x) stays normal down to the float32
# subnormals, so each result is the double computation's (within 2 ULP of double, with
# s's error at most 3) rounded to float.

cdef inline float squareplus_fwd_f(float x, float b) noexcept nogil:
    cdef double xd = x, bd = b
    cdef double s = sqrt(xd * xd + bd)
    cdef double pos = (xd + s) * 0.5
    cdef double neg = (bd * 0.5) / (s - xd)                # +0 at x = -inf
    return <float>(neg if isless(xd, 0.0) else pos)        # NaN: pos, which is NaN

cdef inline float squareplus_grad_f(float x, float b) noexcept nogil:
    cdef double xd = x, bd = b
    cdef double s = sqrt(xd * xd + bd)
    cdef double pos = (1.0 + xd / s) * 0.5
    pos = 0.0 if s == 0.0 else pos                         # b = 0, x = 0: relu'(0)
    pos = 1.0 if xd == INFINITY else pos                   # inf / inf
    cdef double neg = (bd * 0.5) / (s * (s - xd))
    cdef double r = neg if isless(xd, -0.5 * s) else pos
    return <float>(0.0 if xd == -INFINITY else r)          # -inf / inf

cdef inline float squareplus_grad_y_f(float y, float b) noexcept nogil:
    return <float>squareplus_grad_y(<double>y, <double>b)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double squareplus_grad2(double x, double b) noexcept nogil:
    # b / (2 (x^2 + b)^(3/2)) = (b' / (2 s'^3)) 2^-k on the scaled values of
    # _squareplus_parts (x^2 + b = 2^2k s'^2, b' = b 2^-2k); 0 for b = 0 (relu'' = 0)
    cdef double xs, bs, s, up
    _squareplus_parts(x, b, &xs, &bs, &s, &up)
    cdef double r = ((bs * 0.5) / (s * s * s)) / up
    r = 0.0 if b == 0.0 else r
    return x if x != x else r
