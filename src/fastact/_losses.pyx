# cython: language_level=3
"""The fused loss kernels behind fastact.losses: each computes the loss and its gradient
with respect to the logits in one sweep over them (no softmax or sigmoid array is made).

* cross-entropy, row by row (the class axis last and contiguous): the row's maximum m,
  s = sum exp(x - m) (the exps kept in the gradient's row), log s = log1p(s - 1) with
  s - 1 summed apart (exact when one class takes nearly all the mass), then one pass
  that adds the loss terms and writes the gradient.  Every loss term is a sum of non-negative
  parts, log s - (x_c - m) >= 0, so nothing cancels; the gradient is
  a p_c - b_c with p_c = e_c / s and a, b_c the target's weights (softmax minus one-hot,
  smoothing and class weights folded in; see losses.py for the formulas).
* binary cross-entropy with logits, elementwise: from z = exp(-|x|) alone,
  softplus(+-x) = max(+-x, 0) + log1p(z) and sigmoid(+-x) = 1/(1+z) or z/(1+z), so the
  loss t pw softplus(-x) + (1 - t) softplus(x) (PyTorch's (1 - t) x - lw log_sigmoid(x),
  rewritten without its cancellation) and the gradient (1 - t) sigmoid(x) - pw t
  sigmoid(-x) are exact for every x.

All arithmetic is in double (float32 data is widened on load and rounded once on store).
exp and log1p are primitives.pxi's plain-arithmetic ones (a libm call per element keeps
the loops scalar; log1p is taken once per row for the cross-entropy).  Reductions run in
LOSS_LANES accumulators, which the compiler vectorizes without reassociating (as
softmax.pxi); BCE's total adds them up per block of LOSS_BLOCK elements, compensated (its
error does not grow with n).  A NaN logit makes its row's sum NaN, so the row's loss and
every gradient of the row are NaN.  The floating-point flags that saturated intermediates
and NaN compares raise are cleared at the end (fastact raises no warnings).

Argument checking is the caller's (losses.py): these trust their shapes and indices.
"""

cimport cython
from libc.stdint cimport int64_t
from numpy cimport npy_intp

include "_kernels/primitives.pxi"

cdef extern from "<fenv.h>" nogil:
    int feclearexcept(int)
    int FE_INVALID, FE_OVERFLOW, FE_DIVBYZERO, FE_UNDERFLOW

cdef enum:
    LOSS_LANES = 8      # (primitives.pxi's LANES, 16, is the softmax rows')
    LOSS_BLOCK = 512    # BCE: elements summed in lanes before the block joins the total


cdef inline void _clear_flags() noexcept nogil:
    feclearexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO | FE_UNDERFLOW)


cdef inline double _row_max(const real* x, npy_intp n) noexcept nogil:
    # the maximum (NaN is skipped: isgreater is false; the sum of exps carries it)
    cdef double acc[LOSS_LANES]
    cdef double m = -INFINITY, v
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = -INFINITY
    for i in range(0, nb, 8):        # LOSS_LANES
        for k in range(LOSS_LANES):
            v = x[i + k]
            acc[k] = v if isgreater(v, acc[k]) else acc[k]
    for i in range(nb, n):
        v = x[i]
        m = v if isgreater(v, m) else m
    for k in range(LOSS_LANES):
        m = acc[k] if isgreater(acc[k], m) else m
    return m


cdef inline double _exp_diff(double x, double m, double d) noexcept nogil:
    # e^(x - m) for d = x - m rounded: the rounding error of d (TwoSum) is a relative
    # error of the exp as large as |d| 2^-53 (12 ULP at d = -26, where a confident
    # prediction's loss is e^d), so it is put back: e^(d + err) = e^d + e^d err.  An
    # infinite or NaN d gives a NaN err, which is dropped (the exp carries the NaN).
    cdef double bb = d - x
    cdef double err = (x - (d - bb)) + (-m - bb)
    cdef double ev = _exp(d)
    err = err if isless(fabs(err), 1.0) else 0.0
    return ev + ev * err


cdef inline double _row_sum_exp(const real* x, real* e, npy_intp n, double m, bint keep,
                                double* rest) noexcept nogil:
    # s = sum exp(x - m), each exp stored in e when keep; rest[0] = s - 1, computed as
    # (the count of entries equal to m, less one) + the sum of the others, so that
    # log s = log1p(rest) keeps its digits when one class takes nearly all the mass
    # (s = 1 + tiny: log(s) of the rounded s would lose them)
    cdef double acc[LOSS_LANES]
    cdef double racc[LOSS_LANES]
    cdef double kacc[LOSS_LANES]
    cdef double blk[LOSS_LANES]
    cdef double s = 0.0, r = 0.0, cnt = 0.0, v, d
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
        racc[k] = 0.0
        kacc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        for k in range(LOSS_LANES):
            d = x[i + k] - m
            v = _exp_diff(x[i + k], m, d)
            blk[k] = v
            acc[k] += v
            racc[k] += 0.0 if d == 0.0 else v
            kacc[k] += 1.0 if d == 0.0 else 0.0
        if keep:                     # a store of its own: a conditional one would not vectorize
            for k in range(LOSS_LANES):
                e[i + k] = <real>blk[k]
    for i in range(nb, n):
        d = x[i] - m
        v = _exp_diff(x[i], m, d)
        if keep:
            e[i] = <real>v
        s += v
        r += 0.0 if d == 0.0 else v
        cnt += 1.0 if d == 0.0 else 0.0
    for k in range(LOSS_LANES):
        s += acc[k]
        r += racc[k]
        cnt += kacc[k]
    rest[0] = (cnt - 1.0) + r
    return s


cdef inline double _row_weighted_nll(const real* x, const double* q, npy_intp n, double m,
                                     double ls) noexcept nogil:
    # sum_c q_c (log s - (x_c - m)): the loss of target weights q (each term >= 0)
    cdef double acc[LOSS_LANES]
    cdef double r = 0.0
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        for k in range(LOSS_LANES):
            acc[k] += q[i + k] * (ls - (x[i + k] - m))
    for i in range(nb, n):
        r += q[i] * (ls - (x[i] - m))
    for k in range(LOSS_LANES):
        r += acc[k]
    return r


@cython.boundscheck(False)
@cython.wraparound(False)
def ce_index(const real[:, ::1] x, const int64_t[::1] target, const double[::1] weight,
             double wtotal, int64_t ignore_index, double eps, double scale,
             double[::1] loss, real[:, ::1] grad, bint want_grad):
    """Cross-entropy with class indices, per row r of x (R, C):
    loss[r] = (1 - eps) w_t nll_t + (eps / C) sum_c w_c nll_c, nll_c = log s - (x_c - m),
    and, when want_grad, grad[r] = scale * (a p - (1 - eps) w_t onehot_t - (eps / C) w),
    a = (1 - eps) w_t + (eps / C) wtotal.  Rows whose target is ignore_index give 0."""
    cdef npy_intp R = x.shape[0], C = x.shape[1], r, c
    cdef int64_t t
    cdef double m, s, ls, wt, a, lossr, sc, rest, pt, pm1, ec = eps / C
    cdef const real* row
    cdef real* g
    with nogil:
        for r in range(R):
            t = target[r]
            if t == ignore_index:
                loss[r] = 0.0
                if want_grad:
                    for c in range(C):
                        grad[r, c] = 0
                continue
            row = &x[r, 0]
            g = &grad[r, 0] if want_grad else NULL
            m = _row_max(row, C)
            s = _row_sum_exp(row, g, C, m, want_grad, &rest)
            ls = _log1p(rest)
            wt = weight[t]
            lossr = (1.0 - eps) * wt * (ls - (row[t] - m))
            if eps != 0.0:
                lossr = lossr + ec * _row_weighted_nll(row, &weight[0], C, m, ls)
            loss[r] = lossr
            if want_grad:
                a = ((1.0 - eps) * wt + ec * wtotal) * (scale / s)
                sc = ec * scale
                pt = g[t] / s
                # p_t - 1 = -(s - e_t) / s, and where x_t is the maximum s - e_t is rest:
                # p_t near 1 would cancel in pt - 1
                pm1 = -rest / s if row[t] - m == 0.0 else pt - 1.0
                for c in range(C):
                    g[c] = <real>(g[c] * a - sc * weight[c])
                g[t] = <real>(((1.0 - eps) * wt * scale) * pm1 + sc * (wtotal * pt - wt))
        _clear_flags()


@cython.boundscheck(False)
@cython.wraparound(False)
def ce_prob(const real[:, ::1] x, const real[:, ::1] target, const double[::1] weight,
            double eps, double scale, double[::1] loss, real[:, ::1] grad, bint want_grad,
            double[::1] q):
    """Cross-entropy with class probabilities, per row r of x (R, C): with
    q_c = w_c ((1 - eps) t_c + eps / C) and Q = sum q, loss[r] = sum_c q_c nll_c and,
    when want_grad, grad[r] = scale * (Q p - q).  q is a scratch row of C doubles."""
    cdef npy_intp R = x.shape[0], C = x.shape[1], r, c
    cdef double m, s, ls, Q, a, rest, ec = eps / C
    cdef const real* row
    cdef real* g
    with nogil:
        for r in range(R):
            row = &x[r, 0]
            g = &grad[r, 0] if want_grad else NULL
            Q = 0.0
            for c in range(C):
                q[c] = weight[c] * ((1.0 - eps) * target[r, c] + ec)
                Q += q[c]
            m = _row_max(row, C)
            s = _row_sum_exp(row, g, C, m, want_grad, &rest)
            ls = _log1p(rest)
            loss[r] = _row_weighted_nll(row, &q[0], C, m, ls)
            if want_grad:
                a = Q * (scale / s)
                for c in range(C):
                    g[c] = <real>(g[c] * a - scale * q[c])
        _clear_flags()


cdef inline double _bce_one(double x, double t, double w, double pw, double scale,
                            double* g) noexcept nogil:
    # one element's loss w (t pw softplus(-x) + (1 - t) softplus(x)); g[0] = its gradient
    # times scale.  A term whose factor is 0 is 0 (so x = +-inf gives the limits, not
    # 0 * inf); NaN in x, t, w or pw reaches both results.
    cdef double z = _exp(-fabs(x))
    cdef double l1p = _log1p(z)
    cdef double sp_pos = (x if isgreater(x, 0.0) else 0.0) + l1p      # softplus(x)
    cdef double sp_neg = (0.0 if isgreaterequal(x, 0.0) else -x) + l1p  # softplus(-x)
    cdef double inv = 1.0 / (1.0 + z)
    cdef double sig_pos = inv if isgreaterequal(x, 0.0) else z * inv   # sigmoid(x)
    cdef double sig_neg = z * inv if isgreaterequal(x, 0.0) else inv   # sigmoid(-x)
    cdef double a = 1.0 - t, b = pw * t
    cdef double la = 0.0 if a == 0.0 else a * sp_pos
    cdef double lb = 0.0 if b == 0.0 else b * sp_neg
    sp_pos = x if x != x else sig_pos                  # NaN x: NaN gradient
    g[0] = (w * scale) * (a * sp_pos - b * sig_neg)
    return w * (la + lb)


cdef inline void _add_compensated(double* total, double v) noexcept nogil:
    # total[0] + total[1] += v (Neumaier's summation: total[1] keeps what each addition
    # rounded off), so that the sum of many blocks carries no error growing with their
    # number (a running sum's does: 52 ULP over 1e6 elements)
    # (an infinite or NaN sum is left to carry itself: its correction would be NaN)
    cdef double s = total[0] + v
    cdef double c = (total[0] - s) + v if isgreaterequal(fabs(total[0]), fabs(v)) \
        else (v - s) + total[0]
    total[1] += c if isless(fabs(s), INFINITY) else 0.0
    total[0] = s


cdef inline void _bce_span(const real* x, const real* t, const double* w,
                           const double* pw, bint per_element, npy_intp n, double scale,
                           real* loss, real* grad, double* total) noexcept nogil:
    # n elements; w and pw per element (per_element) or one value each; writes the loss
    # and the gradient where their pointers are not NULL; adds the loss's sum to the
    # compensated total[0] + total[1], one block of LOSS_BLOCK elements (summed in lanes)
    # at a time.  Blocks of LOSS_LANES are computed into local arrays, then stored:
    # conditional stores inside the arithmetic would keep it from vectorizing.
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
                vl[k] = _bce_one(x[i + k], t[i + k], w[i + k], pw[i + k], scale, &gl[k])
        else:
            for k in range(LOSS_LANES):
                vl[k] = _bce_one(x[i + k], t[i + k], w[0], pw[0], scale, &gl[k])
        for k in range(LOSS_LANES):
            acc[k] += vl[k]
        if loss != NULL:
            for k in range(LOSS_LANES):
                loss[i + k] = <real>vl[k]
        if grad != NULL:
            for k in range(LOSS_LANES):
                grad[i + k] = <real>gl[k]
    for i in range(nb, n):
        v = _bce_one(x[i], t[i], w[i] if per_element else w[0],
                     pw[i] if per_element else pw[0], scale, &gv)
        if loss != NULL:
            loss[i] = <real>v
        if grad != NULL:
            grad[i] = <real>gv
        part += v
    for k in range(LOSS_LANES):
        part += acc[k]
    _add_compensated(total, part)


@cython.boundscheck(False)
@cython.wraparound(False)
def bce(const real[:, ::1] x, const real[:, ::1] t, const double[::1] w,
        const double[::1] pw, double scale, real[:, ::1] loss, bint want_loss,
        real[:, ::1] grad, bint want_grad):
    """Binary cross-entropy with logits over x viewed as (B, K): w and pw hold K values
    (repeated along the leading axis) or one each.  Writes the elementwise loss when
    want_loss and the gradient times scale when want_grad; returns the loss's sum."""
    cdef npy_intp B = x.shape[0], K = x.shape[1], i
    cdef bint per_element = w.shape[0] != 1
    cdef double total[2]
    total[0] = 0.0
    total[1] = 0.0
    if B == 0 or K == 0:
        return 0.0
    with nogil:
        for i in range(B):
            _bce_span(&x[i, 0], &t[i, 0], &w[0], &pw[0], per_element, K, scale,
                      &loss[i, 0] if want_loss else NULL,
                      &grad[i, 0] if want_grad else NULL, total)
        _clear_flags()
    return total[0] + total[1]
