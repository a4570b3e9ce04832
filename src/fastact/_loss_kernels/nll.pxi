# nll_loss: a gather and a scatter, as two small loops (its NumPy path was eight calls,
# 24 us on 1000 rows against PyTorch's 4).  Included by _losses.pyx.


@cython.boundscheck(False)
@cython.wraparound(False)
def nll(const real[:, ::1] x, const int64_t[::1] t, const double[::1] w, bint weighted,
        int64_t ignore_index, double[::1] loss, bint want_loss):
    """Rows x[r] (classes last), targets t[r]: loss_r = -(x[r, t_r] w[t_r]) (w all 1
    unless weighted), 0 where t_r is ignore_index; writes loss_r when want_loss.
    Returns (the first row whose target is neither a class index nor ignore_index, or
    -1; the losses' sum; the sum of w[t_r] over the rows kept), both sums compensated
    (_add_compensated, common.pxi)."""
    cdef npy_intp B = x.shape[0], C = x.shape[1], r, bad = -1
    cdef int64_t y
    cdef double wy, v
    cdef double total[2]
    cdef double count[2]
    total[0] = total[1] = count[0] = count[1] = 0.0
    with nogil:
        for r in range(B):
            y = t[r]
            if y == ignore_index:
                if want_loss:
                    loss[r] = 0.0
                continue
            if y < 0 or y >= C:
                bad = r
                break
            wy = w[y] if weighted else 1.0
            v = -(x[r, y] * wy)
            if want_loss:
                loss[r] = v
            _add_compensated(total, v)
            _add_compensated(count, wy)
        _clear_flags()
    return bad, total[0] + total[1], count[0] + count[1]


@cython.boundscheck(False)
@cython.wraparound(False)
def nll_grad(const int64_t[::1] t, const double[::1] w, bint weighted, int64_t ignore_index,
             const double[::1] g, bint mean, double count, real[:, ::1] grad):
    """nll's gradient into grad (zeros, (rows, classes)): w[t_r] (-(g_r / count)) for
    'mean', w[t_r] (-g_r) else, at each kept row's target (checked by nll); g one value
    per row or one for all."""
    cdef npy_intp B = grad.shape[0], r
    cdef bint per_row = g.shape[0] != 1
    cdef int64_t y
    cdef double gr
    with nogil:
        for r in range(B):
            y = t[r]
            if y == ignore_index:
                continue
            gr = g[r] if per_row else g[0]
            gr = -(gr / count) if mean else -gr
            grad[r, y] = <real>((w[y] if weighted else 1.0) * gr)
        _clear_flags()
