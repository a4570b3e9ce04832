# tanhshrink(x) = x - tanh(x) (torch.nn.functional.tanhshrink); tanhshrink'(x) = tanh(x)^2.
# x - tanh(x) cancels where tanh(x) is close to x: the error of tanh is multiplied by
# tanh(x) / (x - tanh(x)) (3.2 at x = 1, 0.93 at x = 2).  So for |x| < 2 it is
# x^3 g(x^2), g(t) = (x - tanh x) / x^3 = 1/3 - 2t/15 + ..., g a polynomial of degree 16
# in s = t - c on each of t in [0, 1), [1, 2), [2, 4) (c = 0.5, 1.5, 3; coefficients by
# interval, _ts_pick), fitted by tools/fit_tanhshrink.py (Chebyshev interpolants, within
# 2^-53.8 relative with the coefficients rounded); from |x| = 2 on, x - tanh(x) with tanh
# as tanh.pxi's (-m / (2 + m), m = expm1(-2|x|)).  No from-output form: f' = tanh(x)^2 is
# not a function of y that a kernel could evaluate without solving x - tanh(x) = y.
# float32 widens to double.

cdef inline double _ts_pick(double t, double c0, double c1, double c2) noexcept nogil:
    # the coefficient for t's interval: [0, 1), [1, 2), [2, 4) (NaN: the first)
    cdef double c = c1 if isgreaterequal(t, 1.0) else c0
    return c2 if isgreaterequal(t, 2.0) else c

cdef inline double _ts_tanh_abs(double a) noexcept nogil:
    # tanh(a) for a = |x| >= 0 (NaN for NaN), as tanh_fwd: 1 where m rounds to -1
    cdef double m = _expm1(-2.0 * a)
    return -m / (2.0 + m)

cdef inline double tanhshrink_fwd(double x) noexcept nogil:
    cdef double a = fabs(x)
    cdef double t = x * x
    cdef double c = 1.5 if isgreaterequal(t, 1.0) else 0.5
    cdef double s = t - (3.0 if isgreaterequal(t, 2.0) else c)
    cdef double p = _ts_pick(t, 8.538161901212156e-09, 5.8033437517285996e-11, 2.6856537459945015e-13)
    p = FASTACT_MADD(p, s, _ts_pick(t, -2.533615101996034e-08, -2.302419238586741e-10, -1.4683546245827602e-12))
    p = FASTACT_MADD(p, s, _ts_pick(t, 6.611072539325892e-08, 8.518015346837864e-10, 6.886680848053482e-12))
    p = FASTACT_MADD(p, s, _ts_pick(t, -1.9617703927176709e-07, -3.379438345922357e-09, -3.76522464475592e-11))
    p = FASTACT_MADD(p, s, _ts_pick(t, 5.861048733796617e-07, 1.3434563892736214e-08, 2.078573886712212e-10))
    p = FASTACT_MADD(p, s, _ts_pick(t, -1.7392082461459563e-06, -5.330030357210069e-08, -1.1364397165927633e-09))
    p = FASTACT_MADD(p, s, _ts_pick(t, 5.160007108926025e-06, 2.114574206959137e-07, 6.2115170042956634e-09))
    p = FASTACT_MADD(p, s, _ts_pick(t, -1.5311810774589047e-05, -8.389364048673096e-07, -3.396085558478178e-08))
    p = FASTACT_MADD(p, s, _ts_pick(t, 4.5436406002152975e-05, 3.328398075401192e-06, 1.856786172535211e-07))
    p = FASTACT_MADD(p, s, _ts_pick(t, -0.00013482804227126378, -1.3205090938324536e-05, -1.015179909126476e-06))
    p = FASTACT_MADD(p, s, _ts_pick(t, 0.0004000888970129298, 5.238991008398577e-05, 5.5504063725873285e-06))
    p = FASTACT_MADD(p, s, _ts_pick(t, -0.0011872248049725588, -0.00020785220985837172, -3.034657328251824e-05))
    p = FASTACT_MADD(p, s, _ts_pick(t, 0.003522985197466861, 0.0008246431321027876, 0.0001659238459039016))
    p = FASTACT_MADD(p, s, _ts_pick(t, -0.010454406818231659, -0.003271929481460197, -0.0009073486919137532))
    p = FASTACT_MADD(p, s, _ts_pick(t, 0.031029244854936983, 0.012986815949267856, 0.0049653624434254865))
    p = FASTACT_MADD(p, s, _ts_pick(t, -0.09223751778642146, -0.05166638870394239, -0.0272671144468573))
    p = FASTACT_MADD(p, s, _ts_pick(t, 0.2778856568389047, 0.20885798230894997,
                                    0.15256538371805262))          # g(c), last
    # x (t g): t g is normal, so tiny x rounds once into the subnormal range
    cdef double small = x * (t * p)
    cdef double big = x - copysign(_ts_tanh_abs(a), x)   # +-inf - +-1 = +-inf
    return small if isless(a, 2.0) else big             # NaN: big, NaN

cdef inline double tanhshrink_grad(double x) noexcept nogil:
    # tanh(x)^2: tanh's relative error doubled, no cancellation (0 at 0, 1 at +-inf)
    cdef double h = _ts_tanh_abs(fabs(x))
    return h * h


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double tanhshrink_grad2(double x) noexcept nogil:
    # tanhshrink = x - tanh: f'' = -tanh'' = 2 tanh(x) sech^2(x)
    return -tanh_grad2(x)
