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
#                   w (x - t) / max((1 - x) x, BCE_EPS)  (x and t in [0, 1], checked by
#                   the caller).
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
    """
    double fastact_huber(double d, double p, double s, double* g)
    double fastact_smooth_l1(double d, double p, double s, double* g)

cdef enum:
    MSE_KIND = 0
    HUBER_KIND = 1
    SMOOTH_L1_KIND = 2
    BCE_KIND = 3


cdef inline double _pw_one(int kind, double x, double t, double w, double p, double scale,
                           double* g) noexcept nogil:
    cdef double d, z, lx, l1x
    if kind == BCE_KIND:
        lx = log(x)
        l1x = log1p(-x)
        lx = -100.0 if isless(lx, -100.0) else lx        # PyTorch's clamp of each log
        l1x = -100.0 if isless(l1x, -100.0) else l1x
        z = (1.0 - x) * x
        g[0] = ((scale * (x - t)) / (BCE_EPS if isless(z, BCE_EPS) else z)) * w
        return ((t - 1.0) * l1x - t * lx) * w
    d = x - t
    if kind == MSE_KIND:
        g[0] = 2.0 * d * scale
        return d * d
    if kind == HUBER_KIND:
        return fastact_huber(d, p, scale, g)
    # smooth_l1: (z / 2) (z / beta), not PyTorch's z^2 / 2 / beta: z^2 overflows where the
    # loss, below beta / 2, does not (beta beyond 1e154); as accurate (three roundings)
    return fastact_smooth_l1(d, p, scale, g)


cdef inline void _pw_span(int kind, const real* x, const real* t, const double* w,
                          bint per_element, npy_intp n, double p, double scale, real* loss,
                          real* grad, bint want_loss, bint want_grad,
                          double* total) noexcept nogil:
    # _bce_span's loop for the pointwise kinds: blocks of LOSS_LANES computed into local
    # arrays, then stored; the loss's sum in lanes, per LOSS_BLOCK into the compensated
    # total[0] + total[1]
    cdef double acc[LOSS_LANES]
    cdef double vl[LOSS_LANES]
    cdef double gl[LOSS_LANES]
    cdef double part = 0.0, v, gv
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        if i % LOSS_BLOCK == 0 and i > 0:
            for k in range(LOSS_LANES):
                part += acc[k]
                acc[k] = 0.0
            _add_compensated(total, part)
            part = 0.0
        if per_element:
            for k in range(LOSS_LANES):
                vl[k] = _pw_one(kind, x[i + k], t[i + k], w[i + k], p, scale, &gl[k])
        else:
            for k in range(LOSS_LANES):
                vl[k] = _pw_one(kind, x[i + k], t[i + k], w[0], p, scale, &gl[k])
        for k in range(LOSS_LANES):
            acc[k] += vl[k]
        if want_loss:
            for k in range(LOSS_LANES):
                loss[i + k] = <real>vl[k]
        if want_grad:
            for k in range(LOSS_LANES):
                grad[i + k] = <real>gl[k]
    for i in range(nb, n):
        v = _pw_one(kind, x[i], t[i], w[i] if per_element else w[0], p, scale, &gv)
        if want_loss:
            loss[i] = <real>v
        if want_grad:
            grad[i] = <real>gv
        part += v
    for k in range(LOSS_LANES):
        part += acc[k]
    _add_compensated(total, part)


cdef inline void _pw_kind(int kind, const real* x, const real* t, const double* w,
                          npy_intp B, npy_intp K, double p, double scale, real* loss,
                          real* grad, bint per_element, bint want_loss, bint want_grad,
                          double* total) noexcept nogil:
    cdef npy_intp i
    for i in range(B):
        _pw_span(kind, x + i * K, t + i * K, w, per_element, K, p, scale,
                 loss + i * K if want_loss else NULL, grad + i * K if want_grad else NULL,
                 want_loss, want_grad, total)


cdef inline void _pw_any(int kind, const real* x, const real* t, const double* w,
                         npy_intp B, npy_intp K, double p, double scale, real* loss,
                         real* grad, bint per_element, bint want_loss, bint want_grad,
                         double* total) noexcept nogil:
    # each kind its own loops (a constant kind in each call)
    if kind == MSE_KIND:
        _pw_kind(MSE_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                 want_grad, total)
    elif kind == HUBER_KIND:
        _pw_kind(HUBER_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                 want_grad, total)
    elif kind == SMOOTH_L1_KIND:
        _pw_kind(SMOOTH_L1_KIND, x, t, w, B, K, p, scale, loss, grad, per_element,
                 want_loss, want_grad, total)
    else:
        _pw_kind(BCE_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                 want_grad, total)


cdef void_avx2 _pw_avx2(int kind, const real* x, const real* t, const double* w,
                        npy_intp B, npy_intp K, double p, double scale, real* loss,
                        real* grad, bint per_element, bint want_loss, bint want_grad,
                        double* total) noexcept nogil:
    _pw_any(kind, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss, want_grad,
            total)


cdef void_avx512 _pw_avx512(int kind, const real* x, const real* t, const double* w,
                            npy_intp B, npy_intp K, double p, double scale, real* loss,
                            real* grad, bint per_element, bint want_loss, bint want_grad,
                            double* total) noexcept nogil:
    _pw_any(kind, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss, want_grad,
            total)


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
                    per_element, want_loss, want_grad, total)
        _clear_flags()
    return total[0] + total[1]
