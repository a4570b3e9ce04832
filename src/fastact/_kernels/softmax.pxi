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
# leaves the masked-out entries out of the sum whatever g and y hold there, and writes +0
# there: dx = where(w, sg y (g - s), +0), s = sum over w of g y.  (PyTorch's backward from
# y reads no mask: y (g - s) = 0 (g - s) there, NaN where g is inf or NaN.)
#
# The masked sum (_softmax_where_dot): dx = where(w, g y, 0) in a loop of its own (GCC
# vectorizes that select at full width; in the lanes' loop it leaves the byte-to-double
# mask scalar), then the sum of dx: float64 _softmax_dot_d's LANES double accumulators, each
# adding the 2 products of a 32-entry chunk (half the dependent additions of one vector at
# a time; one rounding fewer per term than adding them one by one), float32 below.  So dx
# must not be g or y: the row function copies such a row first (axis_rows.pxi.tp).  Then
#   float64: dx = sg y (g - s), rounded twice (0.5 ULP of the terms each).
#   float32: in float lanes, s as a float pair hi = fl(s), lo = fl(s - hi) (s - hi is
#      exact in double): dx = fl(sg y fl(fl(g - hi) - lo)) (the double pass converts g, y
#      and the result: twice the instructions).  A row whose s is beyond float's range or
#      not finite takes the double pass: hi = inf would turn a finite y (g - s) into inf,
#      and lo = inf - inf into NaN.
# Both types first try the sum without the mask, which is the masked sum when every
# masked-out product g y is +-0: y is 0 there when it is the masked forward's output (the
# sum then reads no mask, as PyTorch's; float64: one pass over g and y and one write of dx
# fewer than the masked sum).  float32's sums are _softmax_dot_f's: each float lane
# adds 4 products of one 64-entry chunk, then goes into the double lanes; a +-0 term
# changes no partial sum but a zero's sign, and the double lanes, which start at +0, take
# +0 and -0 alike, so both give the same numbers there (float64's _softmax_dot_d likewise:
# the same additions in the same order).  The output loop checks that y is +-0 at every
# masked-out entry (an integer OR of y's bits there, no branch); a masked-out g of inf or
# NaN makes s NaN (float64: not finite, the masked sum taken at once).  Either way the row
# is done again with the masked sum: the numbers do not depend on what g and y hold at
# masked-out entries.
#
# float32 error, u = 2^-24 = eps / 2, S = sum over w of |g y|: each term of s rounds 4
# times in all (its product and 3 float additions), |e_s| <= 4.0001 u S; the double lanes
# (n/LANES + 4) 2^-53 S more, and a product below float's normal range up to 2^-150
# (absolute).  s = hi + lo + r, |r| <= 2^-48 |s|.  Three roundings of u each: of
# |g - hi| <= (1 + u)(|g| + S), and twice of |g - s| <= |g| + S.  In all
# |dx - sg y (g - s)| <= |y| (|e_s| + u |g - hi| + 2u |g - s| + |r|)(1 + 3u)
# <= 7.001 u |y| (|g| + S): 3.5 eps times the record's backward_scale, whose bound is 8
# (for rows whose |g| + S is above n 2^-127, where subnormal products round no more than
# that).  Where dx cancels (g near s), g - hi is exact (Sterbenz).

cdef double SOFTMAX_WHERE_FILL = -INFINITY


cdef inline void _softmax_backward_where_c(const real* g, const real* y,
                                           const unsigned char* w, real* dx,
                                           npy_intp n) noexcept nogil:
    _softmax_backward_where_sc(g, y, w, dx, n, 1.0)


cdef inline double _sum_lanes_tree(const double* acc) noexcept nogil:
    # the LANES accumulators added pairwise: 4 dependent additions, not primitives'
    # _sum_lanes's 16 (a row's output waits for its sum: on 256-entry rows the chain of
    # 16 took a fifth of the row's time)
    cdef double b[8]
    cdef double c[4]
    cdef int k
    for k in range(8):
        b[k] = acc[k] + acc[k + 8]
    for k in range(4):
        c[k] = b[k] + b[k + 4]
    return (c[0] + c[2]) + (c[1] + c[3])


cdef inline double _softmax_where_dot(const real* g, const real* y, const unsigned char* w,
                                      real* dx, npy_intp n) noexcept nogil:
    # sum over w of g y (products rounded to real), dx its scratch: the sum of the
    # unmasked path over where(w, g y, 0) (the same numbers where both apply)
    cdef npy_intp i
    cdef real v, zero = 0
    for i in range(n):
        v = g[i] * y[i]
        dx[i] = v if w[i] else zero
    if real is float:
        return _softmax_dot_f(dx, NULL, n)
    return _softmax_dot_d(dx, NULL, n)


cdef inline double _softmax_dot_d(const double* g, const double* y, npy_intp n) noexcept nogil:
    # sum of g y over every entry (y NULL: of g, the products already taken; the same
    # numbers): each lane adds the 2 products of a 32-entry chunk, then its accumulator
    # (half the dependent additions of one vector at a time)
    cdef double acc[LANES]
    cdef npy_intp i, nc = n - n % (2 * LANES), nb = n - n % LANES
    cdef int k
    cdef double dot
    for k in range(LANES):
        acc[k] = 0.0
    if y == NULL:
        for i in range(0, nc, 32):        # 2 LANES
            for k in range(LANES):
                acc[k] += g[i + k] + g[i + 16 + k]
        for i in range(nc, nb, 16):       # LANES
            for k in range(LANES):
                acc[k] += g[i + k]
        dot = _sum_lanes_tree(acc)
        for i in range(nb, n):
            dot += g[i]
        return dot
    for i in range(0, nc, 32):        # 2 LANES
        for k in range(LANES):
            acc[k] += g[i + k] * y[i + k] + g[i + 16 + k] * y[i + 16 + k]
    for i in range(nc, nb, 16):       # LANES
        for k in range(LANES):
            acc[k] += g[i + k] * y[i + k]
    dot = _sum_lanes_tree(acc)
    for i in range(nb, n):
        dot += g[i] * y[i]
    return dot


cdef inline double _softmax_dot_f(const float* g, const float* y, npy_intp n) noexcept nogil:
    # sum of g y over every entry (y NULL: of g, the products already taken; the same
    # numbers): float lanes of 4 products of a 64-entry chunk, then double lanes
    cdef double acc[LANES]
    cdef float part[LANES]
    cdef npy_intp i, nc = n - n % (4 * LANES), nb = n - n % LANES
    cdef int k
    cdef double dot
    for k in range(LANES):
        acc[k] = 0.0
    if y == NULL:
        for i in range(0, nc, 64):        # 4 LANES
            for k in range(LANES):
                part[k] = ((g[i + k] + g[i + 16 + k]) + g[i + 32 + k]) + g[i + 48 + k]
            for k in range(LANES):
                acc[k] += part[k]
        for i in range(nc, nb, 16):       # LANES
            for k in range(LANES):
                acc[k] += g[i + k]
        dot = _sum_lanes_tree(acc)
        for i in range(nb, n):
            dot += g[i]
        return dot
    for i in range(0, nc, 64):        # 4 LANES
        for k in range(LANES):
            part[k] = (((g[i + k] * y[i + k] + g[i + 16 + k] * y[i + 16 + k])
                        + g[i + 32 + k] * y[i + 32 + k]) + g[i + 48 + k] * y[i + 48 + k])
        for k in range(LANES):
            acc[k] += part[k]
    for i in range(nc, nb, 16):       # LANES
        for k in range(LANES):
            acc[k] += g[i + k] * y[i + k]
    dot = _sum_lanes_tree(acc)
    for i in range(nb, n):
        dot += g[i] * y[i]
    return dot


cdef inline void _softmax_backward_where_sc(const real* g, const real* y,
                                            const unsigned char* w, real* dx, npy_intp n,
                                            double sg) noexcept nogil:
    cdef npy_intp i
    cdef double dot
    cdef float hi, lo, d, sf = <float>sg
    cdef uint32_t bad = 0
    cdef uint64_t badd = 0
    cdef real v, zero = 0
    if real is float:
        dot = _softmax_dot_f(g, y, n)
        hi = <float>dot
        if isfinite(hi):
            lo = <float>(dot - hi)
            for i in range(n):
                d = (sf * y[i]) * ((g[i] - hi) - lo)
                dx[i] = d if w[i] else zero
                # y's bits but the sign where w is 0 (the select on w shared with dx's)
                bad |= 0 if w[i] else fastact_f2u(y[i]) << 1
            if bad == 0:
                return
    else:
        dot = _softmax_dot_d(g, y, n)
        if isfinite(dot):
            for i in range(n):
                v = sg * (y[i] * (g[i] - dot))
                dx[i] = v if w[i] else zero
                badd |= 0 if w[i] else fastact_d2u(y[i]) << 1     # w's select, shared
            if badd == 0:
                return
    dot = _softmax_where_dot(g, y, w, dx, n)
    if real is float:
        hi = <float>dot
        if isfinite(hi):
            lo = <float>(dot - hi)
            for i in range(n):
                d = (sf * y[i]) * ((g[i] - hi) - lo)
                dx[i] = d if w[i] else zero
            return
    for i in range(n):
        v = <real>(sg * (y[i] * (<double>g[i] - dot)))
        dx[i] = v if w[i] else zero


cdef void softmax_backward_where_general(char** a, const npy_intp* cs, npy_intp n,
                                         int st) noexcept nogil:
    _softmax_backward_where_s_general(a, cs, n, st, 1.0)


cdef inline void _softmax_backward_where_s_general(char** a, const npy_intp* cs, npy_intp n,
                                                   int st, double sg) noexcept nogil:
    # a = (g, y, where, dx): the double pass above, any strides (no memory for a buffer)
    cdef npy_intp i
    cdef double dot = 0.0
    for i in range(n):
        if a[2][i * cs[2]]:
            dot += _ld(a[0], i, cs[0], st) * _ld(a[1], i, cs[1], st)
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
