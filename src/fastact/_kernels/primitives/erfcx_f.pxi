# ---- erfcx-type polynomials (float) -------------------------------------------------
# For gelu's float kernel (gelu.pxi), which needs F(t) = erfcx(t/sqrt 2) / 2 only to
# about 2^-26 and so uses one polynomial for every t in a mapped variable instead of
# coefficients selected by interval: u = 1 / (1 + t/4) in [0.213, 1] (t in [0, 14.75]) and
# H(u) = F(t) (1 + t/4), so F(t) = u H(u).  tools/fit_erfcx.py --float32 fits them.
#   * _erfcx_u_f: H(u) of degree 10 in u, every t: float coefficients within 2^-29.0
#     relative of mpmath.  H grows from 0.0997 to 1/2 as u does, and Horner in u adds
#     terms that grow (about 1 ULP of rounding).
#   * _erfcx_s_f: H for t >= 1/2 only (u in [0.2133, 0.8889]), degree 9 in s = u - U0,
#     U0 = 0.49267578125 = 2018/4096, chosen so that H(U0) is within 2^-33.6 relative of
#     its float GF_S0 (the constant is the value at s = 0, which the other coefficients
#     cannot correct).  Float coefficients within 2^-29.4 relative of mpmath
#     (float32_fit_forward: Lawson, rounded one at a time and refitted, on u in
#     [0.2133, 0.8889] in s).  |s| < 0.4, so the terms shrink and the Horner rounding
#     stays near an ULP of H.
#   * _phi_series_f: Phi(x) = 1/2 + x B(x^2) for |x| < 1/2 from the Maclaurin series
#       Phi(x) = 1/2 + (1/sqrt(2 pi)) sum_k (-1)^k x^(2k+1) / (2^k k! (2k+1)),
#     GF_Bk = (1/sqrt(2 pi)) (-1)^k / (2^k k! (2k+1)) rounded to float, k = 0..6.  For
#     x^2 < 1/4 the first omitted term (k = 7) is 2^-37.2 relative of the sum and the
#     terms alternate and shrink, so the truncation is below that.

# H(u), coefficient k of u^k (tools/fit_erfcx.py --float32)
cdef float GF_H0 = 0.0997273325920105
cdef float GF_H1 = 0.09993769973516464
cdef float GF_H2 = 0.09132076054811478
cdef float GF_H3 = 0.09467681497335434
cdef float GF_H4 = 0.008727680891752243
cdef float GF_H5 = 0.1907707303762436
cdef float GF_H6 = -0.2458670735359192
cdef float GF_H7 = 0.33338209986686707
cdef float GF_H8 = -0.24770337343215942
cdef float GF_H9 = 0.08672332763671875
cdef float GF_H10 = -0.011695998720824718
# H(U0 + s), coefficient k of s^k (tools/fit_erfcx.py --float32, float32_fit_forward)
cdef float GF_S0 = 0.1866157203912735
cdef float GF_S1 = 0.29833701252937317
cdef float GF_S2 = 0.3790181279182434
cdef float GF_S3 = 0.36599984765052795
cdef float GF_S4 = 0.2393360286951065
cdef float GF_S5 = 0.06266170740127563
cdef float GF_S6 = -0.05305948108434677
cdef float GF_S7 = -0.051770344376564026
cdef float GF_S8 = 0.007172705139964819
cdef float GF_S9 = 0.02294423244893551
# Phi's Maclaurin series, B(y) = sum_k GF_Bk y^k
cdef float GF_B0 = 0.3989423               # 1/sqrt(2 pi)
cdef float GF_B1 = -0.06649038             # -1/(6 sqrt(2 pi))
cdef float GF_B2 = 0.009973557             # 1/(40 sqrt(2 pi))
cdef float GF_B3 = -0.0011873282           # -1/(336 sqrt(2 pi))
cdef float GF_B4 = 0.00011543469           # 1/(3456 sqrt(2 pi))
cdef float GF_B5 = -9.444656e-06           # -1/(42240 sqrt(2 pi))
cdef float GF_B6 = 6.6596937e-07           # 1/(599040 sqrt(2 pi))

cdef inline float _erfcx_u_f(float u) noexcept nogil:
    # H(u), every t
    # used by: gelu_grad_f
    cdef float g = GF_H10
    g = FASTACT_MADDF(g, u, GF_H9)
    g = FASTACT_MADDF(g, u, GF_H8)
    g = FASTACT_MADDF(g, u, GF_H7)
    g = FASTACT_MADDF(g, u, GF_H6)
    g = FASTACT_MADDF(g, u, GF_H5)
    g = FASTACT_MADDF(g, u, GF_H4)
    g = FASTACT_MADDF(g, u, GF_H3)
    g = FASTACT_MADDF(g, u, GF_H2)
    g = FASTACT_MADDF(g, u, GF_H1)
    return FASTACT_MADDF(g, u, GF_H0)

cdef inline float _erfcx_s_f(float s) noexcept nogil:
    # H(U0 + s), t >= 1/2
    # used by: gelu_fwd_f
    cdef float g = GF_S9
    g = FASTACT_MADDF(g, s, GF_S8)
    g = FASTACT_MADDF(g, s, GF_S7)
    g = FASTACT_MADDF(g, s, GF_S6)
    g = FASTACT_MADDF(g, s, GF_S5)
    g = FASTACT_MADDF(g, s, GF_S4)
    g = FASTACT_MADDF(g, s, GF_S3)
    g = FASTACT_MADDF(g, s, GF_S2)
    g = FASTACT_MADDF(g, s, GF_S1)
    return FASTACT_MADDF(g, s, GF_S0)

cdef inline float _phi_series_f(float y) noexcept nogil:
    # B(y), y = x^2 < 1/4: Phi(x) = 1/2 + x B(x^2)
    # used by: gelu_fwd_f
    cdef float b = GF_B6
    b = FASTACT_MADDF(b, y, GF_B5)
    b = FASTACT_MADDF(b, y, GF_B4)
    b = FASTACT_MADDF(b, y, GF_B3)
    b = FASTACT_MADDF(b, y, GF_B2)
    b = FASTACT_MADDF(b, y, GF_B1)
    return FASTACT_MADDF(b, y, GF_B0)
