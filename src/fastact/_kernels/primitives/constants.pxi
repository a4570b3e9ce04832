# ---- shared constants (double) -------------------------------------------------------

# Beyond |x| = 746 exp(-|x|) is 0 in double, so x * sigmoid(x) and its relatives have
# reached their limits; the branch keeps inf * 0 out of the arithmetic.
# used by: silu_grad, mish_fwd, mish_grad
cdef double EXP_ZERO = 746.0

# Where e^x is subnormal (x < -708.4) a product x e^x computed as x * exp(x) magnifies
# exp's rounding in the subnormal range by |x| (371 ULP at silu(-745.13)).  Those tails
# are computed as (x * exp(x + 64)) * e^-64 instead: x + 64 is exact for 576 <= |x| < 2^58,
# exp(x + 64) is normal, and the one rounding into the subnormal range comes last (the
# relative errors before it, a few 2^-53, are far below a subnormal's ULP).
# used by: silu, mish (through _exp_nabs), gelu, gelu_tanh
cdef double E_M64 = 1.603810890548638e-28            # e^-64, correctly rounded
cdef double SCALED_BELOW = -700.0
# x e^x stays above 2^-1075 down to x = -751: the left limits of silu and mish (and their
# derivatives) are returned only below -800, where exp(x + 64) is 0 too.
# used by: silu, mish
cdef double XEXP_ZERO = 800.0

# 2^27 + 1: Dekker's (Veltkamp's) splitting constant, for exact products without fma
# (the baseline has none)
# used by: sparse_plus, logit
cdef double DEKKER_SPLIT = 134217729.0

# 1/sqrt(2 pi) = M_1_SQRT2PI + C_1_SQRT2PI_LO (correctly rounded, and the remainder).
# used by: _erfcx_half_asym, gelu_grad
cdef double M_1_SQRT2PI = 0.39894228040143267793994605993438
cdef double C_1_SQRT2PI_LO = -2.49232720227773e-17
