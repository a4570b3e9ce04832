# binary cross-entropy with logits, elementwise.  Included by _losses.pyx.

cdef inline double _bce_one(double x, double z, double t, double w, double pw, double scale,
                            double* g, madd_t tag) noexcept nogil:
    # one element's loss w (t pw softplus(-x) + (1 - t) softplus(x)) from x and
    # z = e^-|x| (_exp_neg_t); g[0] = its gradient times scale.  A term whose
    # factor is 0 is 0 (so x = +-inf gives the limits, not 0 * inf); NaN in x, t, w or pw
    # reaches both results.
    cdef double l1p = _log1p_z(z, tag)
    cdef double inv = 1.0 / (1.0 + z)        # for sigmoid only: the forward drops it
    cdef double sp_pos = (x if isgreater(x, 0.0) else 0.0) + l1p      # softplus(x)
    cdef double sp_neg = (0.0 if isgreaterequal(x, 0.0) else -x) + l1p  # softplus(-x)
    cdef double sig_pos = inv if isgreaterequal(x, 0.0) else z * inv   # sigmoid(x)
    cdef double sig_neg = z * inv if isgreaterequal(x, 0.0) else inv   # sigmoid(-x)
    cdef double a = 1.0 - t, b = pw * t
    cdef double la = 0.0 if a == 0.0 else a * sp_pos
    cdef double lb = 0.0 if b == 0.0 else b * sp_neg
    sp_pos = x if x != x else sig_pos                  # NaN x: NaN gradient
    g[0] = (w * scale) * (a * sp_pos - b * sig_neg)
    return w * (la + lb)


cdef inline void _bce_span(const real* x, const real* t, const double* w,
                           const double* pw, bint per_element, npy_intp n, double scale,
                           real* loss, real* grad, bint want_loss, bint want_grad,
                           double* total, madd_t tag) noexcept nogil:
    # n elements; w and pw per element (per_element) or one value each; writes the loss
    # when want_loss and the gradient when want_grad (constants where this is inlined:
    # what is not asked for is not computed); adds the loss's sum to the compensated
    # total[0] + total[1], one block of LOSS_BLOCK elements (summed in lanes) at a time.
    # Blocks of LOSS_LANES are computed into local arrays, then stored: conditional
    # stores inside the arithmetic would keep it from vectorizing.  The lanes are flushed
    # between the block loops, not by a test inside one loop: with that test GCC kept
    # them in memory, eight scalar additions per step.
    cdef double acc[LOSS_LANES]
    cdef double vl[LOSS_LANES]
    cdef double gl[LOSS_LANES]
    cdef double xd[LOSS_LANES]
    cdef double td[LOSS_LANES]
    cdef double zb[LOSS_BLOCK]
    cdef double part = 0.0, v, gv
    cdef npy_intp i, j, end, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
    for j in range(0, nb, 512):          # LOSS_BLOCK
        end = j + LOSS_BLOCK if j + LOSS_BLOCK < nb else nb
        # the block's exps first, then the rest from them: one element's whole chain of
        # dependent operations (the exp, the log's division and polynomials) was longer
        # than the out-of-order window overlaps; split, each loop's is half as long
        for i in range(j, end, 8):       # LOSS_LANES
            for k in range(LOSS_LANES):
                xd[k] = x[i + k]
            for k in range(LOSS_LANES):
                zb[i - j + k] = _exp_neg_t(-fabs(xd[k]), real is float, tag)
        for i in range(j, end, 8):       # LOSS_LANES
            for k in range(LOSS_LANES):  # widened first: float32 data then vectorizes as double
                xd[k] = x[i + k]
                td[k] = t[i + k]
            if per_element:
                for k in range(LOSS_LANES):
                    v = _bce_one(xd[k], zb[i - j + k], td[k], w[i + k], pw[i + k], scale,
                                 &gl[k], tag)
                    vl[k] = v
                    acc[k] += v
            else:
                for k in range(LOSS_LANES):
                    v = _bce_one(xd[k], zb[i - j + k], td[k], w[0], pw[0], scale, &gl[k],
                                 tag)
                    vl[k] = v
                    acc[k] += v
            if want_loss:
                for k in range(LOSS_LANES):
                    loss[i + k] = <real>vl[k]
            if want_grad:
                for k in range(LOSS_LANES):
                    grad[i + k] = <real>gl[k]
        if end < nb:                     # the last block's lanes join the tail's sum
            for k in range(LOSS_LANES):
                part += acc[k]
                acc[k] = 0.0
            _add_compensated(total, part)
            part = 0.0
    for i in range(nb, n):
        v = _bce_one(x[i], _exp_neg_t(-fabs(<double>x[i]), real is float, tag), t[i],
                     w[i] if per_element else w[0], pw[i] if per_element else pw[0], scale,
                     &gv, tag)
        if want_loss:
            loss[i] = <real>v
        if want_grad:
            grad[i] = <real>gv
        part += v
    for k in range(LOSS_LANES):
        part += acc[k]
    _add_compensated(total, part)


cdef inline void _bce_rows(const real* x, const real* t, const double* w, const double* pw,
                           npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                           bint per_element, bint want_loss, bint want_grad,
                           double* total, madd_t tag) noexcept nogil:
    cdef npy_intp i
    for i in range(B):
        _bce_span(x + i * K, t + i * K, w, pw, per_element, K, scale,
                  loss + i * K if want_loss else NULL, grad + i * K if want_grad else NULL,
                  want_loss, want_grad, total, tag)


cdef inline void _bce_any(const real* x, const real* t, const double* w, const double* pw,
                          npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                          bint per_element, bint want_loss, bint want_grad,
                          double* total, madd_t tag) noexcept nogil:
    # each combination of the flags its own loops (forward alone computes no gradient)
    if per_element:
        if want_grad:
            if want_loss:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, True, True, total, tag)
            else:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, False, True, total, tag)
        elif want_loss:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, True, False, total, tag)
        else:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, False, False, total, tag)
    else:
        if want_grad:
            if want_loss:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, True, True, total, tag)
            else:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, False, True, total, tag)
        elif want_loss:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, True, False, total, tag)
        else:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, False, False, total, tag)


cdef void_avx2 _bce_avx2(const real* x, const real* t, const double* w, const double* pw,
                         npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                         bint per_element, bint want_loss, bint want_grad,
                         double* total) noexcept nogil:
    _bce_any(x, t, w, pw, B, K, scale, loss, grad, per_element, want_loss, want_grad, total,
             FUSED)


cdef void_avx512 _bce_avx512(const real* x, const real* t, const double* w, const double* pw,
                             npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                             bint per_element, bint want_loss, bint want_grad,
                             double* total) noexcept nogil:
    _bce_any(x, t, w, pw, B, K, scale, loss, grad, per_element, want_loss, want_grad, total,
             WIDE)


@cython.boundscheck(False)
@cython.wraparound(False)
def bce(const real[:, ::1] x, const real[:, ::1] t, const double[::1] w,
        const double[::1] pw, double scale, real[:, ::1] loss, bint want_loss,
        real[:, ::1] grad, bint want_grad):
    """Binary cross-entropy with logits over x viewed as (B, K): w and pw hold K values
    (repeated along the leading axis) or one each.  Writes the elementwise loss when
    want_loss and the gradient times scale when want_grad; returns the loss's sum."""
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
            _bce_avx512(&x[0, 0], &t[0, 0], &w[0], &pw[0], B, K, scale, lp, gp,
                        per_element, want_loss, want_grad, total)
        elif _level == 1:
            _bce_avx2(&x[0, 0], &t[0, 0], &w[0], &pw[0], B, K, scale, lp, gp,
                      per_element, want_loss, want_grad, total)
        else:
            _bce_any(&x[0, 0], &t[0, 0], &w[0], &pw[0], B, K, scale, lp, gp,
                     per_element, want_loss, want_grad, total, PLAIN)
        _clear_flags()
    return total[0] + total[1]
