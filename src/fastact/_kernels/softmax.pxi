# softmax(x)_i = exp(x_i - max) / sum_j exp(x_j - max) along a row: the contiguous kernels
# (the fast path of every row; the template copies a strided row into a buffer first) and
# the general code for the rows they hand back.
#
# Each row is three passes over memory: the maximum, exp(x - max) with its sum, the
# normalization, with the reductions in LANES accumulators (primitives.pxi).  A NaN
# anywhere in the row is not looked for: the max ignores it (isgreater is false),
# exp(NaN - max) is NaN, so the sum and then every output of the row are NaN.
#
# float32: every pass in float lanes (8 per AVX2 vector, 16 per AVX-512 one) but the sum,
# which adds each vector into double lanes.  exp(x - max) is primitives' _exp_row_f (x - max
# carried exactly, biased by 2^64 so that subnormal outputs round once); the normalization
# multiplies by 1 / (the biased sum) as a float pair rh + rl, so the product rounds once:
# within about 1.5 ULP per element.  Bounds: the record's AxisAccuracy.
# float64: the same passes with the double exp, and the normalization a multiplication by
# 1/s; x - max rounds, as in the general code (the accuracy bound counts that rounding).
#
# The kernel interface the template expects of an axis kernel NAME (records with
# kind="axis"): _NAME_c_f / _NAME_c_d (contiguous forward: 0 when done, 1 to hand the row
# to the general code), _NAME_backward_c (contiguous backward, fused real type),
# NAME_general and NAME_backward_general (any strides, any storage, see _ld).

# ---- forward ------------------------------------------------------------------------
# 0 when the row is done, 1 when it needs the general code (an infinite maximum, or no
# maximum at all: all NaN or all -inf).

cdef inline int _softmax_c_f(const float* x, float* y, npy_intp n) noexcept nogil:
    return _softmax_sc_f(x, y, n, 1.0)


cdef inline int _softmax_c_d(const double* x, double* y, npy_intp n) noexcept nogil:
    return _softmax_sc_d(x, y, n, 1.0)


# softmax of sg * x, sg = +-1 (softmin is sg = -1): the negation is exact, and with sg a
# constant 1 GCC folds the multiplications away (softmax's code is unchanged by it).

cdef inline int _softmax_sc_f(const float* x, float* y, npy_intp n, float sg) noexcept nogil:
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef float m = _max_c_s(x, n, sg), e, rh, rl
    cdef double s, rd
    if not isfinite(m):
        return 1
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            e = _exp_row_f(sg * x[i + k], m)
            y[i + k] = e
            acc[k] += e
    s = _sum_lanes(acc)
    for i in range(nb, n):
        e = _exp_row_f(sg * x[i], m)
        y[i] = e
        s += e
    rd = 1.0 / s             # the bias cancels; 2^64 <= s <= n 2^64: rh is normal
    rh = <float>rd
    rl = <float>(rd - rh)
    for i in range(n):
        y[i] = FASTACT_MADDF(y[i], rh, y[i] * rl)
    return 0


cdef inline int _softmax_sc_d(const double* x, double* y, npy_intp n, double sg) noexcept nogil:
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double m = _max_c_s(x, n, sg), e, s, r
    if not isfinite(m):
        return 1
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            e = _exp_under(sg * x[i + k] - m)
            y[i + k] = e
            acc[k] += e
    s = _sum_lanes(acc)
    for i in range(nb, n):
        e = _exp_under(sg * x[i] - m)
        y[i] = e
        s += e
    r = 1.0 / s                     # one rounding more than a division: 0.5 ULP
    for i in range(n):
        y[i] = y[i] * r
    return 0


# ---- backward -----------------------------------------------------------------------

cdef inline void _softmax_backward_c(const real* g, const real* y, real* dx,
                                     npy_intp n) noexcept nogil:
    _softmax_backward_sc(g, y, dx, n, 1.0)


cdef inline void _softmax_backward_sc(const real* g, const real* y, real* dx, npy_intp n,
                                      double sg) noexcept nogil:
    # dx = sg y (g - <g, y>), in double, rounded once to the storage type
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
        dx[i] = <real>(sg * (y[i] * (<double>g[i] - dot)))


# ---- where= (the ufuncs NAME_where and NAME_backward_where) ---------------------------
# The forward fills its masked-out entries with NAME_WHERE_FILL, the value whose weight is
# exactly 0, and runs the forward row above in place (axis_rows.pxi.tp).  The backward
# sees a zero grad_output at the masked-out entries and gives 0 there: the numbers of the
# backward above on where(w, g, 0), with its result then set to 0 where w is false.

cdef double SOFTMAX_WHERE_FILL = -INFINITY


cdef inline void _softmax_backward_where_c(const real* g, const real* y,
                                           const unsigned char* w, real* dx,
                                           npy_intp n) noexcept nogil:
    _softmax_backward_where_sc(g, y, w, dx, n, 1.0)


cdef inline void _softmax_backward_where_sc(const real* g, const real* y,
                                            const unsigned char* w, real* dx, npy_intp n,
                                            double sg) noexcept nogil:
    # dx first holds where(w, g, 0), in a loop of its own (GCC vectorizes the select at
    # full width there, not inside the lanes' loop); dx may be g itself, not y (the
    # caller's business): g is read again only where w holds
    cdef double acc[LANES]
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    cdef double dot
    cdef real v, zero = 0
    for i in range(n):
        v = g[i]
        dx[i] = v if w[i] else zero
    for k in range(LANES):
        acc[k] = 0.0
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] += <double>dx[i + k] * y[i + k]
    dot = _sum_lanes(acc)
    for i in range(nb, n):
        dot += <double>dx[i] * y[i]
    for i in range(n):
        v = <real>(sg * (y[i] * (<double>g[i] - dot)))
        dx[i] = v if w[i] else zero


cdef void softmax_backward_where_general(char** a, const npy_intp* cs, npy_intp n,
                                         int st) noexcept nogil:
    _softmax_backward_where_s_general(a, cs, n, st, 1.0)


cdef inline void _softmax_backward_where_s_general(char** a, const npy_intp* cs, npy_intp n,
                                                   int st, double sg) noexcept nogil:
    # a = (g, y, where, dx): the general backward on where(w, g, 0), 0 where w is false
    cdef npy_intp i
    cdef double dot = 0.0
    for i in range(n):
        dot += (_ld(a[0], i, cs[0], st) if a[2][i * cs[2]] else 0.0) * _ld(a[1], i, cs[1], st)
    for i in range(n):
        _st(a[3], i, cs[3], st,
            sg * (_ld(a[1], i, cs[1], st) * (_ld(a[0], i, cs[0], st) - dot))
            if a[2][i * cs[2]] else 0.0)


# ---- the general code ---------------------------------------------------------------
# Rows with an infinite maximum or none, and any row with no memory for its buffer: in
# double, rounded once to the storage.  Conventions (README): a NaN anywhere makes the
# whole row NaN; a row of all -inf (a fully masked row) gives 0, with no warning; k entries
# equal to +inf share the mass (1/k there, 0 elsewhere).

cdef void softmax_general(char** a, const npy_intp* cs, npy_intp n, int st) noexcept nogil:
    _softmax_s_general(a, cs, n, st, 1.0)


cdef void softmax_backward_general(char** a, const npy_intp* cs, npy_intp n,
                                   int st) noexcept nogil:
    _softmax_backward_s_general(a, cs, n, st, 1.0)


cdef inline void _softmax_s_general(char** a, const npy_intp* cs, npy_intp n, int st,
                                    double sg) noexcept nogil:
    # softmax of sg * x
    cdef npy_intp i, k
    cdef double m, v, s = 0.0
    if _row_max_st(a[0], cs[0], n, st, sg, &m):
        for i in range(n):
            _st(a[1], i, cs[1], st, NAN)
        return
    if m == INFINITY or m == -INFINITY:
        k = _row_count_st(a[0], cs[0], n, st, sg * m)
        for i in range(n):
            v = sg * _ld(a[0], i, cs[0], st)
            _st(a[1], i, cs[1], st, (1.0 / k) if (m == INFINITY and v == m) else 0.0)
        return
    for i in range(n):
        s += _exp(sg * _ld(a[0], i, cs[0], st) - m)
    for i in range(n):
        _st(a[1], i, cs[1], st, _exp(sg * _ld(a[0], i, cs[0], st) - m) / s)


cdef inline void _softmax_backward_s_general(char** a, const npy_intp* cs, npy_intp n,
                                             int st, double sg) noexcept nogil:
    # dx = sg y (g - sum(g * y)), the vector-Jacobian product of softmax(sg x)
    cdef npy_intp i
    cdef double dot = 0.0
    for i in range(n):
        dot += _ld(a[0], i, cs[0], st) * _ld(a[1], i, cs[1], st)
    for i in range(n):
        _st(a[2], i, cs[2], st, sg * (_ld(a[1], i, cs[1], st) * (_ld(a[0], i, cs[0], st) - dot)))
