# softmax and log_softmax on contiguous rows: the fast path of the row kernels in
# _ufuncs.pyx.tp, which keep the general (strided) versions and the rows with an infinite
# maximum or no finite maximum (all NaN or all -inf); these take every other row.
#
# Each row is three passes over memory: the maximum, exp(x - max) with its sum, the
# normalization.  Reductions (max, sum) run in LANES independent accumulators: C's
# left-to-right order for `s += e` forbids the compiler to vectorize the sum (that needs
# fast-math reassociation, which fastact never enables), while LANES partial sums in an
# array are plain elementwise work it vectorizes; the lanes are added at the end.
# A NaN anywhere in the row is not looked for: the max ignores it (isgreater is false),
# exp(NaN - max) is NaN, so the sum and then every output of the row are NaN.
#
# float32: exp in float (16 lanes per AVX-512 vector), the sum in double.  x - max is
# carried exactly as dh + dl (TwoSum): rounded to float, its error |x - max| * 2^-24
# would become a relative error of exp (40 ULP at x - max = -80); dl goes into the
# reduced argument of the exp instead (primitives' _exp_diff_f).  The normalization
# e * (1/s) is done in double and rounded once.  Measured by the accuracy tool (AXIS_ACCURACY) and the tests (2 ULP).
# float64: the same passes with the double exp; x - max rounds, as in the general path
# (the accuracy bound counts that rounding).

cdef extern from "<math.h>" nogil:
    bint isfinite(double)

cdef enum:
    LANES = 16


ctypedef fused real:
    float
    double


cdef inline real _max_c(const real* x, npy_intp n) noexcept nogil:
    cdef real acc[LANES]
    cdef real m = -INFINITY
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    for k in range(LANES):
        acc[k] = -INFINITY
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] = x[i + k] if isgreater(x[i + k], acc[k]) else acc[k]
    for i in range(nb, n):
        m = x[i] if isgreater(x[i], m) else m
    for k in range(LANES):
        m = acc[k] if isgreater(acc[k], m) else m
    return m


cdef inline double _sum_lanes(double* acc) noexcept nogil:
    cdef double s = 0.0
    cdef int k
    for k in range(LANES):
        s += acc[k]
    return s


# ---- forward ------------------------------------------------------------------------
# Each returns 0 when it has done the row, 1 when the row needs the general path (an
# infinite maximum, or no maximum at all).

cdef inline int _softmax_c_f(const float* x, float* y, npy_intp n) noexcept nogil:
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef float m = _max_c(x, n), e
    cdef double s, r
    if not isfinite(m):
        return 1
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            e = _exp_diff_f(x[i + k], m)
            y[i + k] = e
            acc[k] += e
    s = _sum_lanes(acc)
    for i in range(nb, n):
        e = _exp_diff_f(x[i], m)
        y[i] = e
        s += e
    r = 1.0 / s
    for i in range(n):
        y[i] = <float>(y[i] * r)
    return 0


cdef inline int _softmax_c_d(const double* x, double* y, npy_intp n) noexcept nogil:
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double m = _max_c(x, n), e, s
    if not isfinite(m):
        return 1
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            e = _exp(x[i + k] - m)
            y[i + k] = e
            acc[k] += e
    s = _sum_lanes(acc)
    for i in range(nb, n):
        e = _exp(x[i] - m)
        y[i] = e
        s += e
    for i in range(n):
        y[i] = y[i] / s
    return 0


cdef inline int _log_softmax_c_f(const float* x, float* y, npy_intp n) noexcept nogil:
    # (x - max) - log(sum): x - max exact in double, one rounding of the difference
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef float m = _max_c(x, n)
    cdef double s, lse, md
    if not isfinite(m):
        return 1
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] += _exp_diff_f(x[i + k], m)
    s = _sum_lanes(acc)
    for i in range(nb, n):
        s += _exp_diff_f(x[i], m)
    lse = log(s)
    md = m
    for i in range(n):
        y[i] = <float>((x[i] - md) - lse)
    return 0


cdef inline int _log_softmax_c_d(const double* x, double* y, npy_intp n) noexcept nogil:
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double m = _max_c(x, n), s, lse
    if not isfinite(m):
        return 1
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] += _exp(x[i + k] - m)
    s = _sum_lanes(acc)
    for i in range(nb, n):
        s += _exp(x[i] - m)
    lse = log(s)
    for i in range(n):
        y[i] = (x[i] - m) - lse
    return 0


# ---- backward -----------------------------------------------------------------------

cdef inline void _softmax_backward_c(const real* g, const real* y, real* dx,
                                     npy_intp n) noexcept nogil:
    # dx = y (g - <g, y>), in double, rounded once to the storage type
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double dot
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] += <double>g[i + k] * y[i + k]
    dot = _sum_lanes(acc)
    for i in range(nb, n):
        dot += <double>g[i] * y[i]
    for i in range(n):
        dx[i] = <real>(y[i] * (<double>g[i] - dot))


cdef inline void _log_softmax_backward_c(const real* g, const real* y, real* dx,
                                         npy_intp n) noexcept nogil:
    # dx = g - exp(y) sum(g), in double for float32 too (dx cancels where exp(y) sum(g) is
    # near g: a float exp's error, relative to exp(y) sum(g), would be many ULP of dx there)
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double total
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] += g[i + k]
    total = _sum_lanes(acc)
    for i in range(nb, n):
        total += g[i]
    for i in range(n):
        dx[i] = <real>(g[i] - _exp(y[i]) * total)
