# log_softmax(x)_i = (x_i - max) - log(sum_j exp(x_j - max)) along a row: the contiguous
# kernels and the general code, as softmax.pxi (whose header explains the passes, the
# float32 scheme and the interface the template expects).

# ---- forward ------------------------------------------------------------------------
# 0 when the row is done, 1 when it needs the general code (an infinite maximum, or no
# maximum at all: all NaN or all -inf).

cdef inline int _log_softmax_c_f(const float* x, float* y, npy_intp n) noexcept nogil:
    # the sum of exp(x - max) 2^64 as softmax's (softmax.pxi), lse = log(sum) - 64 ln 2;
    # then (x - max) - lse in double (in float it would round three times)
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
            acc[k] += _exp_row_f(x[i + k], m)
    s = _sum_lanes(acc)
    for i in range(nb, n):
        s += _exp_row_f(x[i], m)
    lse = log(s) - ROW_BIAS_LOG
    # x - max exact in double, one rounding of the difference
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
            acc[k] += _exp_under(x[i + k] - m)
    s = _sum_lanes(acc)
    for i in range(nb, n):
        s += _exp_under(x[i] - m)
    lse = log(s)
    for i in range(n):
        y[i] = (x[i] - m) - lse
    return 0


# ---- backward -----------------------------------------------------------------------

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
        dx[i] = <real>(g[i] - _exp_under(y[i]) * total)


# ---- where= (as softmax.pxi's) ----------------------------------------------------------

cdef double LOG_SOFTMAX_WHERE_FILL = -INFINITY


cdef inline void _log_softmax_backward_where_c(const real* g, const real* y,
                                               const unsigned char* w, real* dx,
                                               npy_intp n) noexcept nogil:
    # the backward above on where(w, g, 0), 0 where w is false; dx first holds
    # where(w, g, 0) (dx may be g, not y: the row function copies such a row)
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double total
    cdef real v, zero = 0
    for i in range(n):
        v = g[i]
        dx[i] = v if w[i] else zero
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] += dx[i + k]
    total = _sum_lanes(acc)
    for i in range(nb, n):
        total += dx[i]
    for i in range(n):
        v = <real>(g[i] - _exp_under(y[i]) * total)
        dx[i] = v if w[i] else zero


cdef void log_softmax_backward_where_general(char** a, const npy_intp* cs, npy_intp n,
                                             int st) noexcept nogil:
    # a = (g, y, where, dx)
    cdef npy_intp i
    cdef double total = 0.0
    for i in range(n):
        total += _ld(a[0], i, cs[0], st) if a[2][i * cs[2]] else 0.0
    for i in range(n):
        _st(a[3], i, cs[3], st,
            _ld(a[0], i, cs[0], st) - _exp(_ld(a[1], i, cs[1], st)) * total
            if a[2][i * cs[2]] else 0.0)


# ---- the general code ---------------------------------------------------------------
# As softmax_general; a row of all -inf gives all -inf, k entries equal to +inf give
# -log k there and -inf elsewhere.

cdef void log_softmax_general(char** a, const npy_intp* cs, npy_intp n,
                              int st) noexcept nogil:
    cdef npy_intp i, k
    cdef double m, v, lse, s = 0.0
    if _row_max_st(a[0], cs[0], n, st, 1.0, &m):
        for i in range(n):
            _st(a[1], i, cs[1], st, NAN)
        return
    if m == INFINITY or m == -INFINITY:
        k = _row_count_st(a[0], cs[0], n, st, m)
        for i in range(n):
            v = _ld(a[0], i, cs[0], st)
            _st(a[1], i, cs[1], st, -log(<double>k) if (m == INFINITY and v == m) else -INFINITY)
        return
    for i in range(n):
        s += _exp(_ld(a[0], i, cs[0], st) - m)
    lse = log(s)
    for i in range(n):
        _st(a[1], i, cs[1], st, (_ld(a[0], i, cs[0], st) - m) - lse)


cdef void log_softmax_backward_general(char** a, const npy_intp* cs, npy_intp n,
                                       int st) noexcept nogil:
    # dx = g - exp(y) * sum(g), the vector-Jacobian product
    cdef npy_intp i
    cdef double total = 0.0
    for i in range(n):
        total += _ld(a[0], i, cs[0], st)
    for i in range(n):
        _st(a[2], i, cs[2], st, _ld(a[0], i, cs[0], st) - _exp(_ld(a[1], i, cs[1], st)) * total)
