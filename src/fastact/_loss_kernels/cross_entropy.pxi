# cross-entropy rows (class indices and probability targets).  Included by _losses.pyx.

cdef inline double _row_max(const real* x, npy_intp n, madd_t tag) noexcept nogil:
    # the maximum (NaN is skipped; the sum of exps carries it), in the data's type, with
    # the target's vectors
    if real is float:
        if madd_t is wide_t:
            return fastact_loss_max_f64(x, n)
        elif madd_t is fused_t:
            return fastact_loss_max_f32(x, n)
        else:
            return fastact_loss_max_f16(x, n)
    else:
        if madd_t is wide_t:
            return fastact_loss_max_d64(x, n)
        elif madd_t is fused_t:
            return fastact_loss_max_d32(x, n)
        else:
            return fastact_loss_max_d16(x, n)


cdef inline double _row_max_exact(const real* x, npy_intp n, int* ok, madd_t tag) noexcept nogil:
    # _row_max, and ok[0] = whether the row's x - m are exact and >= ROW_LO (float32 rows
    # only: fastact_loss_maxr_*, one loop for both)
    if real is float:
        if madd_t is wide_t:
            return fastact_loss_maxr_f64(x, n, ok)
        elif madd_t is fused_t:
            return fastact_loss_maxr_f32(x, n, ok)
        else:
            return fastact_loss_maxr_f16(x, n, ok)
    else:
        ok[0] = 0
        return _row_max(x, n, tag)


cdef inline double _row_sum_exp(const real* x, real* e, npy_intp n, double m, bint keep,
                                bint exact, double* rest, madd_t tag) noexcept nogil:
    # s = sum exp(x - m), each exp times 2^64 (_exp_row) stored in e when keep;
    # rest[0] = s - 1, computed as (the count of entries equal to m, less one) + the sum
    # of the others, so that log s = log1p(rest) keeps its digits when one class takes
    # nearly all the mass (s = 1 + tiny: log(s) of the rounded s would lose them); s itself
    # is the count plus that sum.  "Equal to m" is x - m == 0: an infinite maximum gives
    # inf - inf = NaN, which then reaches the sums (PyTorch's NaN), not the count
    # exact (a constant where this is inlined): the row passed _row_max_exact's check
    cdef double racc[LOSS_LANES]
    cdef double kacc[LOSS_LANES]
    cdef double blk[LOSS_LANES]
    cdef double xd[LOSS_LANES]
    cdef double r = 0.0, cnt = 0.0, v
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    if real is float:
        if madd_t is wide_t:
            if exact and FASTACT_LOSS_TBL:
                return fastact_loss_sumexp16(x, e, n, m, keep, rest)
    for k in range(LOSS_LANES):
        racc[k] = 0.0
        kacc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        for k in range(LOSS_LANES):  # widened first: float32 data then vectorizes as double
            xd[k] = x[i + k]
        for k in range(LOSS_LANES):
            v = _exp_row_exact(xd[k], m, tag) if exact else _exp_row(xd[k], m, tag)
            blk[k] = v
            racc[k] += 0.0 if xd[k] - m == 0.0 else v
            kacc[k] += 1.0 if xd[k] - m == 0.0 else 0.0
        if keep:                     # a store of its own: a conditional one would not vectorize
            for k in range(LOSS_LANES):
                e[i + k] = <real>blk[k]
    for i in range(nb, n):
        v = _exp_row_exact(x[i], m, tag) if exact else _exp_row(x[i], m, tag)
        if keep:
            e[i] = <real>v
        r += 0.0 if x[i] - m == 0.0 else v
        cnt += 1.0 if x[i] - m == 0.0 else 0.0
    for k in range(LOSS_LANES):
        r += racc[k]
        cnt += kacc[k]
    r = r * BIAS_INV
    rest[0] = (cnt - 1.0) + r
    return cnt + r


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


cdef inline void _ce_index_rows(const real* x, npy_intp R, npy_intp C, const int64_t* target,
                                const double* weight, double wtotal, int64_t ignore_index,
                                double eps, double scale, double* loss, real* grad,
                                bint want_grad, madd_t tag) noexcept nogil:
    # ce_index's rows (want_grad a constant where it is inlined: each case its own loops)
    cdef npy_intp r, c
    cdef int64_t t
    cdef double m, s, ls, wt, a, lossr, sc, rest, pt, pm1, ec = eps / C
    cdef int ok
    cdef const real* row
    cdef real* g = NULL
    for r in range(R):
        t = target[r]
        row = x + r * C
        if want_grad:
            g = grad + r * C
        if t == ignore_index:
            loss[r] = 0.0
            if want_grad:
                for c in range(C):
                    g[c] = 0
            continue
        m = _row_max_exact(row, C, &ok, tag)
        if ok:                           # each case its own loops
            s = _row_sum_exp(row, g, C, m, want_grad, True, &rest, tag)
        else:
            s = _row_sum_exp(row, g, C, m, want_grad, False, &rest, tag)
        ls = _log1p(rest)
        wt = weight[t]
        lossr = (1.0 - eps) * wt * (ls - (row[t] - m))
        if eps != 0.0:
            lossr = lossr + ec * _row_weighted_nll(row, weight, C, m, ls)
        loss[r] = lossr
        if want_grad:
            # the row holds e_c 2^64: p_c = e_c 2^64 (2^-64 / s)
            a = ((1.0 - eps) * wt + ec * wtotal) * ((scale / s) * BIAS_INV)
            sc = ec * scale
            pt = (g[t] / s) * BIAS_INV
            # p_t - 1 = -(s - e_t) / s, and where x_t is the maximum s - e_t is rest:
            # p_t near 1 would cancel in pt - 1
            pm1 = -rest / s if row[t] - m == 0.0 else pt - 1.0
            if eps != 0.0:
                for c in range(C):
                    g[c] = <real>(g[c] * a - sc * weight[c])
            else:
                for c in range(C):
                    g[c] = <real>(g[c] * a)
            g[t] = <real>(((1.0 - eps) * wt * scale) * pm1 + sc * (wtotal * pt - wt))


cdef inline void _ce_index_any(const real* x, npy_intp R, npy_intp C, const int64_t* target,
                               const double* weight, double wtotal, int64_t ignore_index,
                               double eps, double scale, double* loss, real* grad,
                               bint want_grad, madd_t tag) noexcept nogil:
    if want_grad:
        _ce_index_rows(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss,
                       grad, True, tag)
    else:
        _ce_index_rows(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss,
                       grad, False, tag)


cdef void_avx2 _ce_index_avx2(const real* x, npy_intp R, npy_intp C, const int64_t* target,
                              const double* weight, double wtotal, int64_t ignore_index,
                              double eps, double scale, double* loss, real* grad,
                              bint want_grad) noexcept nogil:
    _ce_index_any(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss, grad,
                  want_grad, FUSED)


cdef void_avx512 _ce_index_avx512(const real* x, npy_intp R, npy_intp C,
                                  const int64_t* target, const double* weight, double wtotal,
                                  int64_t ignore_index, double eps, double scale,
                                  double* loss, real* grad, bint want_grad) noexcept nogil:
    _ce_index_any(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss, grad,
                  want_grad, WIDE)


@cython.boundscheck(False)
@cython.wraparound(False)
def ce_index(const real[:, ::1] x, const int64_t[::1] target, const double[::1] weight,
             double wtotal, int64_t ignore_index, double eps, double scale,
             double[::1] loss, real[:, ::1] grad, bint want_grad):
    """Cross-entropy with class indices, per row r of x (R, C):
    loss[r] = (1 - eps) w_t nll_t + (eps / C) sum_c w_c nll_c, nll_c = log s - (x_c - m),
    and, when want_grad, grad[r] = scale * (a p - (1 - eps) w_t onehot_t - (eps / C) w),
    a = (1 - eps) w_t + (eps / C) wtotal.  Rows whose target is ignore_index give 0."""
    cdef npy_intp R = x.shape[0], C = x.shape[1]
    if R == 0 or C == 0:
        return
    cdef real* g = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _ce_index_avx512(&x[0, 0], R, C, &target[0], &weight[0], wtotal, ignore_index,
                             eps, scale, &loss[0], g, want_grad)
        elif _level == 1:
            _ce_index_avx2(&x[0, 0], R, C, &target[0], &weight[0], wtotal, ignore_index,
                           eps, scale, &loss[0], g, want_grad)
        else:
            _ce_index_any(&x[0, 0], R, C, &target[0], &weight[0], wtotal, ignore_index,
                          eps, scale, &loss[0], g, want_grad, PLAIN)
        _clear_flags()


cdef inline void _ce_prob_rows(const real* x, npy_intp R, npy_intp C, const real* target,
                               const double* weight, double eps, double scale, double* loss,
                               real* grad, bint want_grad, double* q,
                               madd_t tag) noexcept nogil:
    cdef npy_intp r, c
    cdef double m, s, ls, Q, a, rest, ec = eps / C
    cdef int ok
    cdef const real* row
    cdef const real* tr
    cdef real* g = NULL
    for r in range(R):
        row = x + r * C
        tr = target + r * C
        if want_grad:
            g = grad + r * C
        Q = 0.0
        for c in range(C):
            q[c] = weight[c] * ((1.0 - eps) * tr[c] + ec)
            Q += q[c]
        m = _row_max_exact(row, C, &ok, tag)
        if ok:                           # each case its own loops
            s = _row_sum_exp(row, g, C, m, want_grad, True, &rest, tag)
        else:
            s = _row_sum_exp(row, g, C, m, want_grad, False, &rest, tag)
        ls = _log1p(rest)
        loss[r] = _row_weighted_nll(row, q, C, m, ls)
        if want_grad:
            a = Q * ((scale / s) * BIAS_INV)     # the row holds e_c 2^64
            for c in range(C):
                g[c] = <real>(g[c] * a - scale * q[c])


cdef inline void _ce_prob_any(const real* x, npy_intp R, npy_intp C, const real* target,
                              const double* weight, double eps, double scale, double* loss,
                              real* grad, bint want_grad, double* q,
                              madd_t tag) noexcept nogil:
    if want_grad:
        _ce_prob_rows(x, R, C, target, weight, eps, scale, loss, grad, True, q, tag)
    else:
        _ce_prob_rows(x, R, C, target, weight, eps, scale, loss, grad, False, q, tag)


cdef void_avx2 _ce_prob_avx2(const real* x, npy_intp R, npy_intp C, const real* target,
                             const double* weight, double eps, double scale, double* loss,
                             real* grad, bint want_grad, double* q) noexcept nogil:
    _ce_prob_any(x, R, C, target, weight, eps, scale, loss, grad, want_grad, q, FUSED)


cdef void_avx512 _ce_prob_avx512(const real* x, npy_intp R, npy_intp C, const real* target,
                                 const double* weight, double eps, double scale,
                                 double* loss, real* grad, bint want_grad,
                                 double* q) noexcept nogil:
    _ce_prob_any(x, R, C, target, weight, eps, scale, loss, grad, want_grad, q, WIDE)


@cython.boundscheck(False)
@cython.wraparound(False)
def ce_prob(const real[:, ::1] x, const real[:, ::1] target, const double[::1] weight,
            double eps, double scale, double[::1] loss, real[:, ::1] grad, bint want_grad,
            double[::1] q):
    """Cross-entropy with class probabilities, per row r of x (R, C): with
    q_c = w_c ((1 - eps) t_c + eps / C) and Q = sum q, loss[r] = sum_c q_c nll_c and,
    when want_grad, grad[r] = scale * (Q p - q).  q is a scratch row of C doubles."""
    cdef npy_intp R = x.shape[0], C = x.shape[1]
    if R == 0 or C == 0:
        return
    cdef real* g = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _ce_prob_avx512(&x[0, 0], R, C, &target[0, 0], &weight[0], eps, scale,
                            &loss[0], g, want_grad, &q[0])
        elif _level == 1:
            _ce_prob_avx2(&x[0, 0], R, C, &target[0, 0], &weight[0], eps, scale,
                          &loss[0], g, want_grad, &q[0])
        else:
            _ce_prob_any(&x[0, 0], R, C, &target[0, 0], &weight[0], eps, scale,
                         &loss[0], g, want_grad, &q[0], PLAIN)
        _clear_flags()
