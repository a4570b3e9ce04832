# ---- the pointwise losses: mse, huber, smooth_l1, binary cross-entropy on probabilities --
# One element's loss and its gradient (times scale, into g[0]) from (input, target); kind
# is a constant where _pw_span is inlined (each kind its own loop).  PyTorch's formulas,
# in its order of operations (but smooth_l1's square, below), so that NaN and inf come out
# where its do:
#   MSE_KIND:       d^2, 2 d;
#   HUBER_KIND:     |d| < delta ? d^2 / 2 : delta (|d| - delta / 2), clamp(d, -delta, delta);
#   SMOOTH_L1_KIND: |d| < beta ? (|d| / 2) (|d| / beta) : |d| - beta / 2,
#                   clamp(d / beta, -1, 1)
#                   (beta = 0: |d| and sign(d), the L1 loss);
#   BCE_KIND:       w ((t - 1) max(log1p(-x), -100) - t max(log x, -100)),
#                   w (x - t) / max((1 - x) x, BCE_EPS)  (x and t in [0, 1]: an element
#                   outside, NaN included, gets a NaN loss, and the caller, seeing a sum
#                   that is not finite, finds it and raises).
# BCE_EPS is PyTorch's EPSILON, 1e-12 as a float: 9.999999960041972e-13 (its gradient at
# x = 1, t = 0 is 1000000003995.8029 in float64).
cdef double BCE_EPS = 9.999999960041972e-13

# huber's and smooth_l1's selects in C: Cython writes a conditional expression as if/else
# statements, which kept GCC from vectorizing the loop (4 ns an element against MSE's
# 0.4); as C ternaries they become vector blends.  A NaN d fails every compare and gives
# NaN (d itself, or d / beta), as PyTorch's; beta = 0 takes sign(d) (0 at 0, NaN at NaN).
cdef extern from * nogil:
    """
    static inline __attribute__((always_inline)) double
    fastact_huber(double d, double p, double s, double* g) {
        /* no selects but a min (GCC kept huber's as branches, 4 ns an element): with
           m = min(p, |d|) ("p < z ? p : z", the min instruction: a NaN z gives z), the
           gradient clamp(d, -p, p) is copysign(m, d) and the loss m (|d| - m / 2), which
           is d^2 / 2 below p (z - z / 2 = z / 2 exactly: one rounding, PyTorch's bits)
           and p (|d| - p / 2) above it */
        double z = fabs(d);
        double m = p < z ? p : z;
        *g = copysign(m, d) * s;
        return m * (z - 0.5 * m);
    }
    static inline __attribute__((always_inline)) double
    fastact_smooth_l1(double d, double p, double s, double* g) {
        double z = fabs(d);
        double sgn = d > 0.0 ? 1.0 : (d < 0.0 ? -1.0 : d);
        double q = z / p;                       /* p = 0: inf or NaN, not taken */
        *g = (p == 0.0 ? sgn : (d <= -p ? -1.0 : (d >= p ? 1.0 : d / p))) * s;
        return p == 0.0 ? z : (z < p ? (0.5 * z) * q : z - 0.5 * p);
    }
    /* binary cross-entropy on probabilities, as C: libm's log and log1p (a call per
       element, log1p's alone 40% of the time, and their branches on the argument's range
       mispredicted on random data) kept the loop scalar, 15 ns an element (PyTorch's
       13: its loop is the same libm calls); with the logs inline, Cython's conditional
       expressions (if/else statements) still kept GCC from if-converting it.  fused (a
       constant where this is inlined) says fma(). */
    static inline __attribute__((always_inline)) double
    fastact_bce_madd(double a, double b, double c, int fused) {
        return fused ? fma(a, b, c) : a * b + c;
    }
    static inline __attribute__((always_inline)) double
    fastact_bce_reduce(double u, double* f) {
        /* log(u) = k ln2 + log1p(f), f in [sqrt(1/2) - 1, sqrt(2) - 1): fdlibm's
           reduction, its k returned (u positive, normal) */
        uint64_t b;
        double k, m;
        int big;
        memcpy(&b, &u, sizeof b);
        b = (b >> 52) | 0x4330000000000000ULL;
        memcpy(&k, &b, sizeof b);
        k = k - (4503599627370496.0 + 1023.0);
        memcpy(&b, &u, sizeof b);
        b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
        memcpy(&m, &b, sizeof b);                              /* in [1, 2) */
        big = m > 1.4142135623730951;
        *f = (big ? 0.5 * m : m) - 1.0;
        return big ? k + 1.0 : k;
    }
    static inline __attribute__((always_inline)) double
    fastact_bce_log(int tiny, double k, double f, double s, double c, int fused) {
        /* max(log(u) + c, -100) from u's reduction (k, f) and s = f / (2 + f):
           primitives' _log_c (fdlibm's log), |c| <= 2^-53 of it; tiny u (0 and
           subnormals: log below -708) gives PyTorch's clamp, -100 */
        double zz = s * s, w = zz * zz, r, hfsq;
        r = zz * fastact_bce_madd(w, fastact_bce_madd(w, fastact_bce_madd(
                w, 1.479819860511658591e-01, 1.818357216161805012e-01, fused),
                2.857142874366239149e-01, fused), 6.666666666666735130e-01, fused);
        r = r + w * fastact_bce_madd(w, fastact_bce_madd(
                w, 1.531383769920937332e-01, 2.222219843214978396e-01, fused),
                3.999999999940941908e-01, fused);
        hfsq = 0.5 * f * f;
        r = k * 6.93147180369123816490e-01
            - ((hfsq - (s * (hfsq + r) + (k * 1.90821492927058770002e-10 + c))) - f);
        r = r < -100.0 ? -100.0 : r;
        return tiny ? -100.0 : r;
    }
    static inline __attribute__((always_inline)) double
    fastact_bce_prob(double x, double t, double wt, double scale, double eps, double* g,
                     int fused) {
        /* log1p(-x) = log(u) + c: u = 1 - x rounded, e = 1 - x - u exactly (Fast2Sum,
           1 >= x), c = e / u; e is 0 for x >= 1/2 (u exact), so where it is not, u is in
           (1/2, 1] and a = 1 - u <= 1/2: 1/u = (1 + a)(1 + a^2) to a relative a^4 <= 1/16
           of c (which is below 2^-53 of the log), no division */
        double u = 1.0 - x;
        double e = (-x) - (u - 1.0);
        double a = 1.0 - u;
        double c = e * ((1.0 + a) * (1.0 + a * a));
        /* the two logs share one division: s = f / (2 + f) each from 1 / (d1 d2) (a
           few roundings more in s, whose term s (f^2 / 2 + R) is below 6% of the log:
           0.1 ULP) */
        int tiny1 = u < 2.2250738585072014e-308, tiny0 = x < 2.2250738585072014e-308;
        double f1, f0;
        double k1 = fastact_bce_reduce(tiny1 ? 1.0 : u, &f1);
        double k0 = fastact_bce_reduce(tiny0 ? 1.0 : x, &f0);
        double d1 = 2.0 + f1, d0 = 2.0 + f0, q = 1.0 / (d1 * d0);
        double l1x = fastact_bce_log(tiny1, k1, f1, (f1 * d0) * q, c, fused);
        double lx = fastact_bce_log(tiny0, k0, f0, (f0 * d1) * q, 0.0, fused);
        double z = u * x;
        /* x or t outside [0, 1] (NaN included) makes the loss NaN: the caller checks
           the inputs only when the sum is not finite (a separate check took a third of
           the time) */
        int in = (x >= 0.0) & (x <= 1.0) & (t >= 0.0) & (t <= 1.0);
        *g = ((scale * (x - t)) / (z < eps ? eps : z)) * wt;
        return in ? ((t - 1.0) * l1x - t * lx) * wt : NAN;
    }
    """
    double fastact_huber(double d, double p, double s, double* g)
    double fastact_smooth_l1(double d, double p, double s, double* g)
    double fastact_bce_prob(double x, double t, double wt, double scale, double eps,
                            double* g, int fused)

cdef enum:
    MSE_KIND = 0
    HUBER_KIND = 1
    SMOOTH_L1_KIND = 2
    BCE_KIND = 3


cdef inline double _pw_one(int kind, double x, double t, double w, double p, double scale,
                           double* g, madd_t tag) noexcept nogil:
    cdef double d
    if kind == BCE_KIND:
        if madd_t is plain_t:
            return fastact_bce_prob(x, t, w, scale, BCE_EPS, g, 0)
        return fastact_bce_prob(x, t, w, scale, BCE_EPS, g, 1)
    d = x - t
    if kind == MSE_KIND:
        g[0] = 2.0 * d * scale
        return d * d
    if kind == HUBER_KIND:
        return fastact_huber(d, p, scale, g)
    # smooth_l1: (z / 2) (z / beta), not PyTorch's z^2 / 2 / beta: z^2 overflows where the
    # loss, below beta / 2, does not (beta beyond 1e154); as accurate (three roundings)
    return fastact_smooth_l1(d, p, scale, g)


# The loss's sum of a block (m <= LOSS_BLOCK values) in 8 lanes (lane k the values at k
# mod 8; then the rest and the lanes, in order: the earlier kernels' sums, bit for bit), in vectors of GCC's vector extensions
# (as an array of lanes GCC kept the adds scalar, a third of huber's time): W doubles
# each, the target's width (tag: baseline 2, AVX2 4, AVX-512 8; a vector wider than
# the registers GCC splits into scalar code, 1 ms per 1e6 elements on AVX2), the same
# sums on every target.
cdef extern from * nogil:
    """
    #if defined(__GNUC__)
    #define FASTACT_PW_SUM(NAME, V, W)                                                 \
    static inline __attribute__((always_inline)) double                               \
    NAME(const double* v, npy_intp m) {                                               \
        double part = 0.0, lane[8];                                                   \
        V a[8 / W], u;                                                                \
        npy_intp j = 0;                                                               \
        int k;                                                                        \
        for (k = 0; k < 8 / W; k++) a[k] = (V){0};                                    \
        for (; j + 8 <= m; j += 8)                                                    \
            for (k = 0; k < 8 / W; k++) {                                             \
                memcpy(&u, v + j + k * W, sizeof u);                                  \
                a[k] += u;                                                            \
            }                                                                         \
        memcpy(lane, a, sizeof lane);                                                 \
        for (; j < m; j++) part += v[j];                                              \
        for (k = 0; k < 8; k++) part += lane[k];                                      \
        return part;                                                                  \
    }
    FASTACT_PW_SUM(fastact_pw_sum2, fastact_v2d, 2)
    FASTACT_PW_SUM(fastact_pw_sum4, fastact_v4d, 4)
    FASTACT_PW_SUM(fastact_pw_sum8, fastact_v8d, 8)
    #else
    static double fastact_pw_sum2(const double* v, npy_intp m) {
        double part = 0.0, lane[8] = {0.0};
        npy_intp j = 0;
        int k;
        for (; j + 8 <= m; j += 8)
            for (k = 0; k < 8; k++) lane[k] += v[j + k];
        for (; j < m; j++) part += v[j];
        for (k = 0; k < 8; k++) part += lane[k];
        return part;
    }
    #define fastact_pw_sum4 fastact_pw_sum2
    #define fastact_pw_sum8 fastact_pw_sum2
    #endif
    """
    double fastact_pw_sum2(const double* v, npy_intp m)
    double fastact_pw_sum4(const double* v, npy_intp m)
    double fastact_pw_sum8(const double* v, npy_intp m)


cdef inline double _pw_sum(const double* v, npy_intp m, madd_t tag) noexcept nogil:
    if madd_t is plain_t:
        return fastact_pw_sum2(v, m)
    elif madd_t is fused_t:
        return fastact_pw_sum4(v, m)
    else:
        return fastact_pw_sum8(v, m)


cdef inline void _pw_span(int kind, const real* x, const real* t, const double* w,
                          bint per_element, npy_intp n, double p, double scale, real* loss,
                          real* grad, bint want_loss, bint want_grad,
                          double* total, madd_t tag) noexcept nogil:
    # n elements (kind and the flags are constants where this is inlined), a block of
    # LOSS_BLOCK at a time: the losses and gradients into local arrays (one plain loop
    # over the block, which GCC vectorizes: the blocks of 8 that _bce_span computes
    # GCC unrolled for the small kinds and then left scalar), stored, and the block's sum
    # added to the compensated total[0] + total[1]
    cdef double vl[LOSS_BLOCK]
    cdef double gl[LOSS_BLOCK]
    cdef double xd[LOSS_BLOCK]
    cdef double td[LOSS_BLOCK]
    cdef npy_intp i = 0, j, m
    while i < n:
        m = n - i if n - i < LOSS_BLOCK else LOSS_BLOCK
        if real is float and kind == BCE_KIND:
            # widened first: BCE's float32 loop, widening as it went, ran 16 lanes in
            # two vectors of doubles (registers spilled), 30% slower than float64's
            for j in range(m):
                xd[j] = x[i + j]
                td[j] = t[i + j]
            if per_element:
                for j in range(m):
                    vl[j] = _pw_one(kind, xd[j], td[j], w[i + j], p, scale, &gl[j], tag)
            else:
                for j in range(m):
                    vl[j] = _pw_one(kind, xd[j], td[j], w[0], p, scale, &gl[j], tag)
        elif per_element:
            for j in range(m):
                vl[j] = _pw_one(kind, x[i + j], t[i + j], w[i + j], p, scale, &gl[j], tag)
        else:
            for j in range(m):
                vl[j] = _pw_one(kind, x[i + j], t[i + j], w[0], p, scale, &gl[j], tag)
        if want_loss:
            for j in range(m):
                loss[i + j] = <real>vl[j]
        if want_grad:
            for j in range(m):
                grad[i + j] = <real>gl[j]
        _add_compensated(total, _pw_sum(vl, m, tag))
        i += m


cdef inline void _pw_rows(int kind, const real* x, const real* t, const double* w,
                          npy_intp B, npy_intp K, double p, double scale, real* loss,
                          real* grad, bint per_element, bint want_loss, bint want_grad,
                          double* total, madd_t tag) noexcept nogil:
    cdef npy_intp i
    for i in range(B):
        _pw_span(kind, x + i * K, t + i * K, w, per_element, K, p, scale,
                 loss + i * K if want_loss else NULL, grad + i * K if want_grad else NULL,
                 want_loss, want_grad, total, tag)


cdef inline void _pw_flags(int kind, const real* x, const real* t, const double* w,
                           npy_intp B, npy_intp K, double p, double scale, real* loss,
                           real* grad, bint per_element, bint want_loss, bint want_grad,
                           double* total, madd_t tag) noexcept nogil:
    # each combination of the flags its own loops (forward alone computes no gradient);
    # per_element (a weight per element) is BCE's only
    if per_element and kind == BCE_KIND:
        if want_grad:
            if want_loss:
                _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, True, True, True, total, tag)
            else:
                _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, True, False, True, total, tag)
        elif want_loss:
            _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, True, True, False, total, tag)
        else:
            _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, True, False, False, total, tag)
    elif want_grad:
        if want_loss:
            _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, False, True, True, total, tag)
        else:
            _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, False, False, True, total, tag)
    elif want_loss:
        _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, False, True, False, total, tag)
    else:
        _pw_rows(kind, x, t, w, B, K, p, scale, loss, grad, False, False, False, total, tag)


cdef inline void _pw_any(int kind, const real* x, const real* t, const double* w,
                         npy_intp B, npy_intp K, double p, double scale, real* loss,
                         real* grad, bint per_element, bint want_loss, bint want_grad,
                         double* total, madd_t tag) noexcept nogil:
    # each kind its own loops (a constant kind in each call)
    if kind == MSE_KIND:
        _pw_flags(MSE_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                  want_grad, total, tag)
    elif kind == HUBER_KIND:
        _pw_flags(HUBER_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                  want_grad, total, tag)
    elif kind == SMOOTH_L1_KIND:
        _pw_flags(SMOOTH_L1_KIND, x, t, w, B, K, p, scale, loss, grad, per_element,
                  want_loss, want_grad, total, tag)
    else:
        _pw_flags(BCE_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                  want_grad, total, tag)


cdef void_avx2 _pw_avx2(int kind, const real* x, const real* t, const double* w,
                        npy_intp B, npy_intp K, double p, double scale, real* loss,
                        real* grad, bint per_element, bint want_loss, bint want_grad,
                        double* total) noexcept nogil:
    _pw_any(kind, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss, want_grad,
            total, FUSED)


cdef void_avx512 _pw_avx512(int kind, const real* x, const real* t, const double* w,
                            npy_intp B, npy_intp K, double p, double scale, real* loss,
                            real* grad, bint per_element, bint want_loss, bint want_grad,
                            double* total) noexcept nogil:
    _pw_any(kind, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss, want_grad,
            total, WIDE)


POINTWISE = {"mse_loss": MSE_KIND, "huber_loss": HUBER_KIND,
             "smooth_l1_loss": SMOOTH_L1_KIND, "binary_cross_entropy": BCE_KIND}


@cython.boundscheck(False)
@cython.wraparound(False)
def pointwise(int kind, const real[:, ::1] x, const real[:, ::1] t, const double[::1] w,
              double p, double scale, real[:, ::1] loss, bint want_loss, real[:, ::1] grad,
              bint want_grad):
    """The pointwise loss `kind` (POINTWISE's values; p is huber's delta or smooth_l1's
    beta) over x viewed as (B, K): w holds K weights (repeated along the leading axis) or
    one.  Writes the elementwise loss when want_loss and the gradient times scale when
    want_grad; returns the loss's sum."""
    cdef npy_intp B = x.shape[0], K = x.shape[1]
    cdef bint per_element = w.shape[0] != 1
    cdef double total[2]
    total[0] = 0.0
    total[1] = 0.0
    if B == 0 or K == 0:
        return 0.0
    cdef real* lp = &loss[0, 0] if want_loss else NULL
    cdef real* gp = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _pw_avx512(kind, &x[0, 0], &t[0, 0], &w[0], B, K, p, scale, lp, gp,
                       per_element, want_loss, want_grad, total)
        elif _level == 1:
            _pw_avx2(kind, &x[0, 0], &t[0, 0], &w[0], B, K, p, scale, lp, gp,
                     per_element, want_loss, want_grad, total)
        else:
            _pw_any(kind, &x[0, 0], &t[0, 0], &w[0], B, K, p, scale, lp, gp,
                    per_element, want_loss, want_grad, total, PLAIN)
        _clear_flags()
    return total[0] + total[1]
