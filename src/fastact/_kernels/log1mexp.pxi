# log1mexp(x) = log(1 - e^-x) (Mächler 2012, "Accurately computing log(1 - exp(-|a|))");
# log1mexp'(x) = e^-x / (1 - e^-x) = 1 / expm1(x) = expm1(-y); f''(x) = -e^-x / (1 - e^-x)^2.
# NaN for x < 0 (1 - e^-x < 0: no sign folding), -inf at either zero, -0.0 at +inf; f' is
# +inf at either zero, 0 at +inf.  float32 widens to double and rounds once.
#
# The forward is one logarithm, _log_c(u, c) = log(u (1 + c)), of Mächler's argument:
#   x <= ln 2: u = -expm1(-x) in (0, 1/2], c = 0 (x < 2^-960: u = x 2^64, minus 64 ln 2
#              inside _log_c, so that u is normal for its exponent bits);
#   x > ln 2:  e = e^-x, u = 1 - e in (1/2, 1) rounded, c = ((1 - u) - e) / u its rounding
#              (1 - u exact, Sterbenz): log1p(-e) keeps every digit of a tiny e (u = 1,
#              c = -e gives -e, down to the subnormals).
# Either way one rounded input (expm1's or exp's, within 1 ULP) is passed on magnified at
# most 1 / ln 2 = 1.44 times (|log u| >= ln 2 in the first form; e / ((1 - e) |log(1 - e)|)
# <= 1.44 in the second), then _log_c's below 1 ULP (records/log1mexp.py: the bounds).

cdef double L1ME_LN2 = 0.6931471805599453            # ln 2 rounded (below it): the switch
cdef double L1ME_TINY = 1.0261342003245941e-289      # 2^-960
cdef double L1ME_TWO64 = 18446744073709551616.0      # 2^64

cdef inline double log1mexp_fwd(double x) noexcept nogil:
    cdef double e = _exp(-x)                          # 0 at +inf (clamped argument)
    cdef double em = -_expm1(-x)
    cdef double ul = 1.0 - e
    cdef double cl = ((1.0 - ul) - e) / ul
    cdef bint small = islessequal(x, L1ME_LN2)
    cdef bint tiny = isless(x, L1ME_TINY)
    cdef double us = x * L1ME_TWO64 if tiny else em
    cdef double r = _log_c(us if small else ul, 0.0 if small else cl,
                           -64.0 if tiny else 0.0)
    r = -0.0 if r == 0.0 else r                       # e^-x underflowed: log1p(-0) = -0
    r = -INFINITY if x == 0.0 else r
    r = NAN if isless(x, 0.0) else r
    return x if x != x else r

cdef inline double log1mexp_grad(double x) noexcept nogil:
    # e^-x / (1 - e^-x): no overflow of expm1(x) where f' is tiny (x > 709.78); near 0
    # it is 1/x, inf for a subnormal x where that overflows
    cdef double r = _exp(-x) / -_expm1(-x)
    r = INFINITY if x == 0.0 else r                   # -0.0 too (1 / -0 is -inf)
    r = NAN if isless(x, 0.0) else r
    return x if x != x else r

cdef double L1ME_E = 2.718281828459045              # e rounded
cdef double L1ME_OVER = 709.782712893384           # the largest u with e^u finite

cdef inline double log1mexp_grad_y(double y) noexcept nogil:
    # e^-x = 1 - e^y, so f' = (1 - e^y) / e^y = expm1(-y): exact in form, one rounding;
    # +inf at y = -inf (x = 0, and where -y > 709.78), +0 at y = -0 (x = +inf).
    # Above u = -y = 709 (x subnormal) expm1(u) is taken as e * expm1(u - 1) (e^u - 1 =
    # e^u there to 2^-1000): the primitive's 2^n factor is 2^1024 = inf for u in
    # (709.09, 709.78], where its e^r - 1 is negative (inf - inf: NaN); past e^u's
    # overflow the result is inf, selected (u - 1 may fall in that band again)
    cdef double u = -y
    cdef bint top = isgreater(u, 709.0)
    cdef double r = _expm1(u - 1.0 if top else u) * (L1ME_E if top else 1.0)
    return INFINITY if isgreater(u, L1ME_OVER) else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double log1mexp_grad2(double x) noexcept nogil:
    # -e^-x / (1 - e^-x)^2, divided twice (the square of 1 - e^-x underflows first)
    cdef double d = -_expm1(-x)
    cdef double r = -((_exp(-x) / d) / d)
    r = -INFINITY if x == 0.0 else r
    r = NAN if isless(x, 0.0) else r
    return x if x != x else r
