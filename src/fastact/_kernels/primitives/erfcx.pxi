# ---- erfcx-type polynomials (double) ------------------------------------------------
# F(t) = exp(t^2/2) Phi(-t) = erfcx(t/sqrt 2) / 2, for gelu's Phi(-t) = exp(-t^2/2) F(t)
# (gelu.pxi).  Coefficients and their errors (relative, coefficients rounded to double,
# against mpmath) from tools/fit_erfcx.py:
#   * _erfcx_half: F on t in [0, 3) by three polynomials of degree 16 in s = t - c
#     (c = 0.5, 1.5, 2.5), the constant term as hi + lo, coefficients selected by
#     interval (_pick3): within 2^-56.1, 2^-55.2, 2^-57.5 on the three intervals.
#   * _erfcx_half_asym: t F(t) for t >= 3, A = 1/sqrt(2 pi) + v B(v), v = 1/t^2, B a
#     rational of degree (7, 7): B within 2^-53.1 and A within 2^-56.5; |v B / A| <= 1/8,
#     so B's error reaches A divided by 8.

cdef inline double _pick3(double t, double c0, double c1, double c2) noexcept nogil:
    # the coefficient for t's interval: [0, 1), [1, 2), [2, 3) (NaN: the first)
    # used by: _erfcx_half
    cdef double c = c1 if isgreaterequal(t, 1.0) else c0
    return c2 if isgreaterequal(t, 2.0) else c

cdef inline double _erfcx_half(double t, double* low) noexcept nogil:
    # F(t) = hi + low[0] for t < 3 (returns hi, the interval's constant term)
    # used by: gelu
    cdef double s, g
    s = t - (2.5 if isgreaterequal(t, 2.0) else (1.5 if isgreaterequal(t, 1.0) else 0.5))
    g = _pick3(t, 7.110831342128558e-09, 1.9149208459475916e-10, 7.734637050004155e-12)
    g = FASTACT_MADD(g, s, _pick3(t, -3.083889006037732e-08, -9.387254014742494e-10, -4.273690605435899e-11))
    g = FASTACT_MADD(g, s, _pick3(t, 1.2238509322852418e-07, 4.284392352943489e-09, 2.228877886215625e-10))
    g = FASTACT_MADD(g, s, _pick3(t, -4.982076325453996e-07, -1.9896889875844575e-08, -1.1763407088443166e-09))
    g = FASTACT_MADD(g, s, _pick3(t, 1.9651465230258797e-06, 8.990193903790403e-08, 6.06443055783109e-09))
    g = FASTACT_MADD(g, s, _pick3(t, -7.4689627900893254e-06, -3.937439062494305e-07, -3.0461819270050327e-08))
    g = FASTACT_MADD(g, s, _pick3(t, 2.731570002852776e-05, 1.6694233040872957e-06, 1.4892703538291367e-07))
    g = FASTACT_MADD(g, s, _pick3(t, -9.581453823294892e-05, -6.835272484159901e-06, -7.073959679214111e-07))
    g = FASTACT_MADD(g, s, _pick3(t, 0.00032106433072519905, 2.694714364606703e-05, 3.2577603566353227e-06))
    g = FASTACT_MADD(g, s, _pick3(t, -0.0010228632151317383, -0.00010193817273965355, -1.4510964779406877e-05))
    g = FASTACT_MADD(g, s, _pick3(t, 0.003079946249519383, 0.00036848440815306953, 6.233949479588681e-05))
    g = FASTACT_MADD(g, s, _pick3(t, -0.008700015618692812, -0.0012662938211207427, -0.0002574254904352725))
    g = FASTACT_MADD(g, s, _pick3(t, 0.02282968530658591, 0.004110347180603866, 0.001017600694863709))
    g = FASTACT_MADD(g, s, _pick3(t, -0.05491492074709732, -0.012496989876517645, -0.003831129189335927))
    g = FASTACT_MADD(g, s, _pick3(t, 0.11877620159989062, 0.03518687353719186, 0.01364822575279465))
    g = FASTACT_MADD(g, s, _pick3(t, -0.22413286304123364, -0.09027127993534065, -0.0456139519499944))
    low[0] = FASTACT_MADD(g, s, _pick3(t, 5.852285105716737e-18, -3.144494638440171e-18, 1.1713582016477226e-17))
    return _pick3(t, 0.34961883472039806, 0.2057806669773947, 0.1413313313805753)

cdef inline double _erfcx_half_asym(double v) noexcept nogil:
    # t F(t) for t >= 3, v = 1/t^2 <= 1/9
    # used by: gelu
    cdef double p, q
    p = -1869.9431953143667
    p = FASTACT_MADD(p, v, -60245.07410763168)
    p = FASTACT_MADD(p, v, -90461.1074493104)
    p = FASTACT_MADD(p, v, -41394.19897538515)
    p = FASTACT_MADD(p, v, -7895.260429654022)
    p = FASTACT_MADD(p, v, -695.0440902506541)
    p = FASTACT_MADD(p, v, -27.682292539991476)
    p = FASTACT_MADD(p, v, -0.39894228040143265)
    q = 226823.97416732827
    q = FASTACT_MADD(q, v, 597119.0882045395)
    q = FASTACT_MADD(q, v, 468793.04716696276)
    q = FASTACT_MADD(q, v, 155178.36285851643)
    q = FASTACT_MADD(q, v, 24642.79923125088)
    q = FASTACT_MADD(q, v, 1944.3848203002522)
    q = FASTACT_MADD(q, v, 72.3892171873489)
    q = FASTACT_MADD(q, v, 1.0)
    return M_1_SQRT2PI + FASTACT_MADD(v, p / q, C_1_SQRT2PI_LO)
