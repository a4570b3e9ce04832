# cython: language_level=3
"""The fused recurrent-cell gates behind fastact.lstm_cell and fastact.gru_cell: one pass
over the gates per call, forward or backward, each element's gates evaluated once.

* LSTM, per row of gates (4H: i, f, g, o, PyTorch's order) and of c (H):
  i, f, o = sigmoid, g = tanh, c' = f c + i g, h' = o tanh(c').  The backward recomputes
  the gates (no saved activations are needed) and applies the chain rule with
  dc' = grad_c + grad_h o tanh'(c'):  d(i, f, g, o) = (dc' g i', dc' c f', dc' i g',
  grad_h tanh(c') o'),  grad_c_prev = dc' f.
* GRU, per row of gi and gh (3H: r, z, n) and of h (H): r = sigmoid(gi_r + gh_r),
  z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = (1 - z) n + z h.  The backward
  gives d(gi) = (dr, dz, dn), d(gh) = (dr, dz, dn r), grad_h_prev = grad_h z, with
  dn = grad_h (1 - z) tanh'(.), dz = grad_h (h - n) z', dr = dn gh_n r'.

Everything is computed in double (float32 data is widened on load and rounded once on
store), so float32 results are within about half an ULP of the exact values, plus 2^-32
relative to the terms where a sum cancels (c' = f c + i g near 0: the float32 path's
shorter exp, below).  The
sigmoid and tanh come from one exp each, of -|x| (no overflow for any x), with their
derivatives from the same exp and no cancellation in either tail:
  sigmoid: z = e^-|x|, s = 1/(1+z) or z/(1+z) (x < 0), 1 - s the other one, s' = z/(1+z)^2;
  tanh:    E = e^-2|x|, m = E - 1 = expm1(-2|x|), |tanh| = -m/(2+m), tanh' = 4E/(1+E)^2
           (2 + m = 1 + E; m from the exp's parts, so small x keep every digit).
The exp is primitives.pxi's _exp (Cody & Waite, 2^n in two factors), copied here rather
than included (that file is being split; the formula below is the same, with the parts
kept so that e^a and e^a - 1 come from one polynomial, evaluated in Estrin's scheme);
float32 uses the series to r^8 (relative truncation below 2^-32, far under float's half
ULP) and one scale factor (e^a flushed to 0 below 2^-1022, where no float32 result can
see it: _exp_parts), float64 the series to r^13 (as _exp).  Why the double lanes and not
float32's twice as many: a float32 computation errs by a few ULP of float32 (more where
dc' or c' cancel), beyond the half ULP above that tests/test_recurrent.py holds.
No libm call in the loops, so GCC vectorizes them.  NaN in any operand reaches the results
that depend on it; the floating-point flags that saturated intermediates raise are
cleared at the end (fastact raises no warnings).

setup.py compiles this file once per CPU target (as fastact._recurrent for the baseline and
fastact._recurrent_<target> for AVX2 and AVX-512, with the ufuncs' flags; recurrent.py
loads the target the ufuncs run on).  The exp's polynomial uses FMA where the target has
it (as the ufuncs' FASTACT_MADD), and so do its reduction and scaling: results may differ
between targets in the last bits.

Argument checking is the caller's (recurrent.py): these trust their shapes.
"""

cimport cython
from libc.stdint cimport uint64_t
from numpy cimport npy_intp

cdef extern from "<math.h>" nogil:
    double fabs(double)
    double copysign(double, double)
    bint isless(double, double)
    bint isgreaterequal(double, double)

cdef extern from "<fenv.h>" nogil:
    int feclearexcept(int)
    int FE_INVALID, FE_OVERFLOW, FE_DIVBYZERO, FE_UNDERFLOW

cdef extern from *:
    """
    #include <string.h>
    #include <stdint.h>
    /* bit casts (as fastact/_kernels/config.h: memcpy becomes a register move) */
    static inline uint64_t fa_rnn_d2u(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
    static inline double fa_rnn_u2d(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }
    /* a*b + c fused where the target has FMA (the AVX2 and AVX-512 builds), a multiply
       and an add on the x86-64 baseline (config.h's FASTACT_MADD; aarch64 has FMA) */
    #if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    #define FA_RNN_MADD(a, b, c) fma((a), (b), (c))
    #else
    #define FA_RNN_MADD(a, b, c) ((a) * (b) + (c))
    #endif
    """
    uint64_t fa_rnn_d2u(double) nogil
    double fa_rnn_u2d(uint64_t) nogil
    double FA_RNN_MADD(double, double, double) nogil

ctypedef fused real:
    float
    double


cdef inline void _clear_flags() noexcept nogil:
    feclearexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO | FE_UNDERFLOW)


# ---- e^a for a <= 0, from primitives.pxi's _exp -------------------------------------
cdef double EXP_SHIFT = 6755399441055744.0            # 1.5 * 2^52
cdef double LOG2E = 1.4426950408889634                # 1/ln2
cdef double LN2_HI = 6.93147180369123816490e-01       # fdlibm's ln2_hi (32 bits)
cdef double LN2_LO = 1.90821492927058770002e-10       # ln2 - LN2_HI


cdef inline double _poly(double r, bint lo) noexcept nogil:
    # e^r - 1 = r + r^2 P(r) for |r| <= ln2/2: primitives.pxi's _expm1_poly (Taylor to
    # r^13); lo: to r^8 (truncation (ln2/2)^9/9! < 2^-32 relative), enough for float32
    # results.  P in Estrin's scheme (pairs, then r^2 and r^4): the same terms as
    # Horner's, in a third of its dependent steps, so that the gates' long chains
    # (exp, division, exp, division) overlap across elements; the rounding of P's terms
    # reaches e^r - 1 scaled by r^2/2 < 2^-4, as in Horner's.
    cdef double r2 = r * r
    cdef double r4 = r2 * r2
    cdef double a0 = FA_RNN_MADD(0.16666666666666666, r, 0.5)                  # 1/3!, 1/2!
    cdef double a1 = FA_RNN_MADD(0.008333333333333333, r, 0.041666666666666664)  # 1/5!, 1/4!
    cdef double a2 = FA_RNN_MADD(0.0001984126984126984, r, 0.001388888888888889)  # 1/7!, 1/6!
    cdef double b0 = FA_RNN_MADD(a1, r2, a0)
    cdef double p
    if lo:
        p = FA_RNN_MADD(FA_RNN_MADD(2.48015873015873e-05, r2, a2), r4, b0)      # 1/8!
    else:
        p = FA_RNN_MADD(FA_RNN_MADD(2.7557319223985893e-06, r, 2.48015873015873e-05),  # 1/9!, 1/8!
                        r2, a2)
        p = FA_RNN_MADD(FA_RNN_MADD(FA_RNN_MADD(
                FA_RNN_MADD(1.6059043836821613e-10, r, 2.08767569878681e-09), r2,     # 1/13!, 1/12!
                FA_RNN_MADD(2.505210838544172e-08, r, 2.755731922398589e-07)),        # 1/11!, 1/10!
            r4, p), r4, b0)
    return FA_RNN_MADD(p, r2, r)


cdef inline double _pow2(double t) noexcept nogil:
    # 2^m for t = m + EXP_SHIFT, -1022 <= m <= 1023 (primitives.pxi's _pow2); 0 for m = -1023
    return fa_rnn_u2d((fa_rnn_d2u(t) + 1023) << 52)


cdef inline double _exp_parts(double a, bint lo, double* s1, double* s2) noexcept nogil:
    # e^a = (1 + p) s1 s2 for a <= 0 (NaN passes): returns p, sets s1 s2 = 2^n in two
    # normal factors (_exp's split, so that a subnormal result is rounded once).  Below
    # -746 e^a < 2^-1075: the clamp gives 0 there.  lo (float32 data): one factor, 0
    # below about -708.7 (e^a < 2^-1022; clamped at -709, n = -1023 makes _pow2's
    # exponent field 0, so s1 = 0): each result that e^a scales has other factors below
    # 2^260 (gradients and states below float32's 2^128), so it stays far under float32's
    # least subnormal either way; that saves a third of the exp's scaling.
    # (a < c ? c : a keeps NaN and is one maxpd on x86; with FMA, t and r are fused:
    # r = a - n ln2 only gains, and n may differ from the unfused one at a tie of
    # a/ln2, where |r| exceeds ln2/2 by an ULP, which the polynomial's bound absorbs)
    cdef double t, n, r, t1, n1
    if lo:
        a = -709.0 if a < -709.0 else a
        t = FA_RNN_MADD(a, LOG2E, EXP_SHIFT)
        n = t - EXP_SHIFT
        s1[0] = _pow2(t)
        s2[0] = 1.0
        return _poly(FA_RNN_MADD(-n, LN2_LO, FA_RNN_MADD(-n, LN2_HI, a)), lo)
    a = -746.0 if a < -746.0 else a
    t = FA_RNN_MADD(a, LOG2E, EXP_SHIFT)
    n = t - EXP_SHIFT
    r = FA_RNN_MADD(-n, LN2_LO, FA_RNN_MADD(-n, LN2_HI, a))
    t1 = FA_RNN_MADD(0.5, n, EXP_SHIFT)
    n1 = t1 - EXP_SHIFT
    s1[0] = _pow2(t1)
    s2[0] = _pow2(n - n1 + EXP_SHIFT)
    return _poly(r, lo)


cdef inline double _exp_neg(double a, bint lo) noexcept nogil:
    # e^a for a <= 0, as _exp: ((1 + p) 2^n1) 2^(n - n1)
    cdef double s1, s2
    cdef double p = _exp_parts(a, lo, &s1, &s2)
    return FA_RNN_MADD(p, s1, s1) * s2                 # (1 + p) s1 exact: s1 = 2^k


# ---- sigmoid and tanh, with their derivatives ---------------------------------------

cdef inline double _tanh(double x, bint lo) noexcept nogil:
    # tanh|x| = -m/(2 + m), m = expm1(-2|x|) = p s + (s - 1), s = 2^n exact (0 below
    # 2^-1074, where m is -1); odd by copysign (tanh(-0) = -0)
    cdef double s1, s2
    cdef double p = _exp_parts(-2.0 * fabs(x), lo, &s1, &s2)
    cdef double s = s1 * s2
    cdef double m = FA_RNN_MADD(p, s, s - 1.0)
    return copysign(-m / (2.0 + m), x)


cdef inline double _tanh2(double x, bint lo, double* dt) noexcept nogil:
    # tanh(x), with dt = tanh'(x) = 4E/(1+E)^2, E = e^-2|x| = (1 + p) s (2 + m = 1 + E)
    cdef double s1, s2
    cdef double p = _exp_parts(-2.0 * fabs(x), lo, &s1, &s2)
    cdef double s = s1 * s2
    cdef double m = FA_RNN_MADD(p, s, s - 1.0)
    cdef double e = FA_RNN_MADD(p, s1, s1) * s2
    cdef double q = 1.0 / (2.0 + m)
    dt[0] = (4.0 * e) * q * q
    return copysign(-m * q, x)


# ---- one division for several gates -------------------------------------------------
# A division costs as much as the rest of a gate (on AVX-512 a vector division takes about
# as long as its exp's polynomial), so the gates that are independent of one another share
# one: with the denominators d_k (1 + z in [1, 2] for a sigmoid, 2 + m in [1, 2] for a
# tanh), q = 1/(d_1 ... d_n) and 1/d_k = q * (the product of the others).  The products
# lie in [1, 16]: nothing overflows or underflows, and each 1/d_k has a few roundings more
# than a division (a few ULP of double, which float32 results do not see).  A NaN
# denominator (a NaN gate) counts as 2 there, so that it spoils only its own gate; the
# gate itself is made NaN by a select.

cdef inline double _zexp(double x, bint lo) noexcept nogil:
    # z = e^-|x| (NaN for NaN)
    return _exp_neg(-fabs(x), lo)


cdef inline double _num(double d) noexcept nogil:
    # a denominator for the shared division (in [1, 2]): NaN counts as 2, by the form
    # that x86 does in one instruction (minpd returns its second operand for a NaN)
    return d if d < 2.0 else 2.0


cdef inline double _sig_inv(double x, double z, double inv) noexcept nogil:
    # sigmoid(x) from z = e^-|x| and inv = 1/(1 + z): z/(1 + z) below 0 and for NaN (z is
    # NaN then, and the comparison false), so NaN needs no select of its own
    return (1.0 if isgreaterequal(x, 0.0) else z) * inv


cdef inline double _sig3_inv(double x, double z, double inv, double* sc,
                             double* ds) noexcept nogil:
    # sigmoid(x), 1 - sigmoid(x) and sigmoid'(x) from z and inv = 1/(1 + z)
    # (NaN: zi, which z makes NaN, for each, as in _sig_inv)
    cdef double zi = z * inv
    sc[0] = inv if isless(x, 0.0) else zi
    ds[0] = zi * inv
    return inv if isgreaterequal(x, 0.0) else zi


cdef inline double _tanh_m(double x, bint lo, double* e) noexcept nogil:
    # m = expm1(-2|x|) and e = e^-2|x| (as _tanh2); tanh(x) = copysign(-m/(2 + m), x) and
    # tanh'(x) = 4e/(2 + m)^2
    cdef double s1, s2
    cdef double p = _exp_parts(-2.0 * fabs(x), lo, &s1, &s2)
    cdef double s = s1 * s2
    e[0] = FA_RNN_MADD(p, s1, s1) * s2
    return FA_RNN_MADD(p, s, s - 1.0)


# ---- the rows ----------------------------------------------------------------------
# Each row is done in blocks of BLK elements, in passes over local arrays: the gates (one
# helper per cell, shared by its forward and backward), then the cell's arithmetic, then
# the stores.  Local arrays, because with the stores to the outputs inside the arithmetic
# GCC would have to prove at run time that no output overlaps any input (more checks than
# it makes), and the loop stays scalar; the local arrays cannot alias, so the arithmetic
# vectorizes.  Passes, because each element is a long chain of dependent steps (exp,
# division, exp, division): in one loop an iteration fills the CPU's reorder window and
# few elements overlap; short loops let many run at once (here 10-25% faster, on top of
# Estrin's scheme).

cdef enum:
    BLK = 128


cdef inline void _lstm_gates(const real* g, npy_intp H, npy_intp nb, bint deriv,
                             double* f, double* ig, double* o, double* gdi, double* df,
                             double* idg, double* do) noexcept nogil:
    # the gates of nb units from the row's gates g (chunks of H: i, f, g, o), sharing one
    # division: f, i*g and o, as c' = f*c + i*g and h' = o*tanh(c') use them; with deriv
    # also what the gradients multiply (g*i', f', i*g', o'), NULL pointers otherwise
    cdef bint lo = real is float
    cdef npy_intp k
    cdef double xi, xf, xg, xo, zi, zf, zo, mg, eg, ni, nf, ng, no, pif, pgo, q, qif, qgo
    cdef double sc, d, i, gg
    cdef double Zi[BLK]
    cdef double Zf[BLK]
    cdef double Zo[BLK]
    cdef double Mg[BLK]
    cdef double Eg[BLK]
    # the exps in a loop of their own: fewer values live at once (AVX2 has 16 registers,
    # and float32 data makes two of each value), so fewer spills
    for k in range(nb):
        Zi[k], Zf[k], Zo[k] = _zexp(g[k], lo), _zexp(g[H + k], lo), _zexp(g[3 * H + k], lo)
        Mg[k] = _tanh_m(g[2 * H + k], lo, &eg)
        Eg[k] = eg
    for k in range(nb):
        xi, xf, xg, xo = g[k], g[H + k], g[2 * H + k], g[3 * H + k]
        zi, zf, zo, mg, eg = Zi[k], Zf[k], Zo[k], Mg[k], Eg[k]
        ni, nf, ng, no = _num(1.0 + zi), _num(1.0 + zf), _num(2.0 + mg), _num(1.0 + zo)
        pif, pgo = ni * nf, ng * no
        q = 1.0 / (pif * pgo)
        qif, qgo = q * pgo, q * pif                       # 1/(ni nf), 1/(ng no)
        if deriv:
            i = _sig3_inv(xi, zi, qif * nf, &sc, &d)
            gdi[k] = d
            f[k] = _sig3_inv(xf, zf, qif * ni, &sc, &d)
            df[k] = d
            o[k] = _sig3_inv(xo, zo, qgo * ng, &sc, &d)
            do[k] = d
            q = qgo * no                                  # 1/(2 + m) of the g gate
            gg = copysign(-mg * q, xg)
            idg[k] = i * ((4.0 * eg) * q * q)
            gdi[k] = gg * gdi[k]
        else:
            i = _sig_inv(xi, zi, qif * nf)
            f[k] = _sig_inv(xf, zf, qif * ni)
            o[k] = _sig_inv(xo, zo, qgo * ng)
            gg = copysign(-mg * (qgo * no), xg)
        ig[k] = i * gg


cdef inline void _gru_gates(const real* gi, const real* gh, npy_intp H, npy_intp nb,
                            bint deriv, double* r, double* z, double* zc, double* dr,
                            double* dz) noexcept nogil:
    # r, z and 1 - z of nb units from the row's gi and gh (chunks of H), sharing one
    # division; with deriv also r' and z' (NULL pointers otherwise)
    cdef bint lo = real is float
    cdef npy_intp k
    cdef double xr, xz, er, ez, nr, nz, q, sc, d
    cdef double Er[BLK]
    cdef double Ez[BLK]
    for k in range(nb):                                   # the exps, as in _lstm_gates
        Er[k] = _zexp(<double>gi[k] + <double>gh[k], lo)
        Ez[k] = _zexp(<double>gi[H + k] + <double>gh[H + k], lo)
    for k in range(nb):
        xr = <double>gi[k] + <double>gh[k]
        xz = <double>gi[H + k] + <double>gh[H + k]
        er, ez = Er[k], Ez[k]
        nr, nz = _num(1.0 + er), _num(1.0 + ez)
        q = 1.0 / (nr * nz)
        if deriv:
            r[k] = _sig3_inv(xr, er, q * nz, &sc, &d)
            dr[k] = d
        else:
            r[k] = _sig_inv(xr, er, q * nz)
        z[k] = _sig3_inv(xz, ez, q * nr, &sc, &d)
        zc[k] = sc
        if deriv:
            dz[k] = d


cdef inline void _lstm_row(const real* g, const real* c, real* h2, real* c2,
                           npy_intp H) noexcept nogil:
    cdef bint lo = real is float
    cdef double f[BLK]
    cdef double ig[BLK]
    cdef double o[BLK]
    cdef double hb[BLK]
    cdef double cb[BLK]
    cdef npy_intp j0, k, nb
    cdef double cn
    cdef const real* cc
    for j0 in range(0, H, 128):       # BLK
        nb = H - j0 if H - j0 < BLK else BLK
        _lstm_gates(g + j0, H, nb, False, f, ig, o, NULL, NULL, NULL, NULL)
        cc = c + j0
        for k in range(nb):
            cn = f[k] * cc[k] + ig[k]
            cb[k] = cn
            hb[k] = o[k] * _tanh(cn, lo)
        for k in range(nb):
            c2[j0 + k] = <real>cb[k]
            h2[j0 + k] = <real>hb[k]


cdef inline void _lstm_back_row(const real* dh, const real* dc, const real* g,
                                const real* c, real* dg, real* dcp,
                                npy_intp H) noexcept nogil:
    cdef bint lo = real is float
    cdef double f[BLK]
    cdef double ig[BLK]
    cdef double o[BLK]
    cdef double gdi[BLK]
    cdef double df[BLK]
    cdef double idg[BLK]
    cdef double do[BLK]
    cdef double bi[BLK]
    cdef double bf[BLK]
    cdef double bg[BLK]
    cdef double bo[BLK]
    cdef double bc[BLK]
    cdef npy_intp j0, k, nb
    cdef double cv, cn, tc, dtc, dhv, dcn
    cdef const real* cc
    cdef const real* dhh
    cdef const real* dcc
    for j0 in range(0, H, 128):       # BLK
        nb = H - j0 if H - j0 < BLK else BLK
        _lstm_gates(g + j0, H, nb, True, f, ig, o, gdi, df, idg, do)
        cc = c + j0
        dhh = dh + j0
        dcc = dc + j0
        for k in range(nb):
            cv = cc[k]
            cn = f[k] * cv + ig[k]
            tc = _tanh2(cn, lo, &dtc)
            dhv = dhh[k]
            dcn = dcc[k] + dhv * o[k] * dtc
            bi[k] = dcn * gdi[k]
            bf[k] = dcn * cv * df[k]
            bg[k] = dcn * idg[k]
            bo[k] = dhv * tc * do[k]
            bc[k] = dcn * f[k]
        for k in range(nb):
            dg[j0 + k] = <real>bi[k]
            dg[H + j0 + k] = <real>bf[k]
            dg[2 * H + j0 + k] = <real>bg[k]
            dg[3 * H + j0 + k] = <real>bo[k]
            dcp[j0 + k] = <real>bc[k]


cdef inline void _gru_row(const real* gi, const real* gh, const real* h, real* h2,
                          npy_intp H) noexcept nogil:
    cdef bint lo = real is float
    cdef double r[BLK]
    cdef double z[BLK]
    cdef double zc[BLK]
    cdef double hb[BLK]
    cdef npy_intp j0, k, nb
    cdef const real* in_
    cdef const real* hn
    cdef const real* hh
    for j0 in range(0, H, 128):       # BLK
        nb = H - j0 if H - j0 < BLK else BLK
        _gru_gates(gi + j0, gh + j0, H, nb, False, r, z, zc, NULL, NULL)
        in_ = gi + 2 * H + j0
        hn = gh + 2 * H + j0
        hh = h + j0
        for k in range(nb):
            hb[k] = zc[k] * _tanh(in_[k] + r[k] * hn[k], lo) + z[k] * hh[k]
        for k in range(nb):
            h2[j0 + k] = <real>hb[k]


cdef inline void _gru_back_row(const real* dh, const real* gi, const real* gh,
                               const real* h, real* dgi, real* dgh, real* dhp,
                               npy_intp H) noexcept nogil:
    cdef bint lo = real is float
    cdef double r[BLK]
    cdef double z[BLK]
    cdef double zc[BLK]
    cdef double dr[BLK]
    cdef double dz[BLK]
    cdef double br[BLK]
    cdef double bz[BLK]
    cdef double bn[BLK]
    cdef double bnr[BLK]
    cdef double bh[BLK]
    cdef npy_intp j0, k, nb
    cdef double n, dn, hv, d, xn
    cdef const real* in_
    cdef const real* hn
    cdef const real* hh
    cdef const real* dd
    for j0 in range(0, H, 128):       # BLK
        nb = H - j0 if H - j0 < BLK else BLK
        _gru_gates(gi + j0, gh + j0, H, nb, True, r, z, zc, dr, dz)
        in_ = gi + 2 * H + j0
        hn = gh + 2 * H + j0
        hh = h + j0
        dd = dh + j0
        for k in range(nb):
            hv = hn[k]
            n = _tanh2(in_[k] + r[k] * hv, lo, &dn)
            d = dd[k]
            xn = d * zc[k] * dn
            bn[k] = xn
            bnr[k] = xn * r[k]
            bz[k] = d * (hh[k] - n) * dz[k]
            br[k] = xn * hv * dr[k]
            bh[k] = d * z[k]
        # two loops: as one (each of br and bz stored twice), GCC 12 leaves it scalar
        for k in range(nb):
            dgi[j0 + k] = <real>br[k]
            dgi[H + j0 + k] = <real>bz[k]
            dgi[2 * H + j0 + k] = <real>bn[k]
            dhp[j0 + k] = <real>bh[k]
        for k in range(nb):
            dgh[j0 + k] = <real>br[k]
            dgh[H + j0 + k] = <real>bz[k]
            dgh[2 * H + j0 + k] = <real>bnr[k]


# ---- the entry points (2-D C-contiguous arrays, shapes checked by the caller) ----------
# A gradient passed as None arrives as one row of zeros (shape (1, H)), read for every row.

@cython.boundscheck(False)
@cython.wraparound(False)
def lstm_forward(const real[:, ::1] gates, const real[:, ::1] c, real[:, ::1] h_out,
                 real[:, ::1] c_out):
    cdef npy_intp N = c.shape[0], H = c.shape[1], n
    if N == 0 or H == 0:
        return
    with nogil:
        for n in range(N):
            _lstm_row(&gates[n, 0], &c[n, 0], &h_out[n, 0], &c_out[n, 0], H)
        _clear_flags()


@cython.boundscheck(False)
@cython.wraparound(False)
def lstm_backward(const real[:, ::1] grad_h, const real[:, ::1] grad_c,
                  const real[:, ::1] gates, const real[:, ::1] c, real[:, ::1] grad_gates,
                  real[:, ::1] grad_c_prev):
    cdef npy_intp N = c.shape[0], H = c.shape[1], n
    cdef npy_intp sh = grad_h.shape[0] > 1, sc = grad_c.shape[0] > 1
    if N == 0 or H == 0:
        return
    with nogil:
        for n in range(N):
            _lstm_back_row(&grad_h[n * sh, 0], &grad_c[n * sc, 0], &gates[n, 0], &c[n, 0],
                           &grad_gates[n, 0], &grad_c_prev[n, 0], H)
        _clear_flags()


@cython.boundscheck(False)
@cython.wraparound(False)
def gru_forward(const real[:, ::1] gi, const real[:, ::1] gh, const real[:, ::1] h,
                real[:, ::1] h_out):
    cdef npy_intp N = h.shape[0], H = h.shape[1], n
    if N == 0 or H == 0:
        return
    with nogil:
        for n in range(N):
            _gru_row(&gi[n, 0], &gh[n, 0], &h[n, 0], &h_out[n, 0], H)
        _clear_flags()


@cython.boundscheck(False)
@cython.wraparound(False)
def gru_backward(const real[:, ::1] grad_h, const real[:, ::1] gi, const real[:, ::1] gh,
                 const real[:, ::1] h, real[:, ::1] grad_gi, real[:, ::1] grad_gh,
                 real[:, ::1] grad_h_prev):
    cdef npy_intp N = h.shape[0], H = h.shape[1], n
    cdef npy_intp sh = grad_h.shape[0] > 1
    if N == 0 or H == 0:
        return
    with nogil:
        for n in range(N):
            _gru_back_row(&grad_h[n * sh, 0], &gi[n, 0], &gh[n, 0], &h[n, 0],
                          &grad_gi[n, 0], &grad_gh[n, 0], &grad_h_prev[n, 0], H)
        _clear_flags()
