# Shared primitives of the kernels: the math functions (exp, expm1, log1p, the erfcx-type
# polynomials) written as straight-line arithmetic that GCC vectorizes, exact-arithmetic
# helpers, and the constants that more than one kernel uses.  Each says what uses it
# ("used by:"); a helper or constant used by one kernel only lives in that kernel's file.
#
# The kernels themselves come after this file, one file per row of
# fastact._registry.KERNELS (<name>.pxi), included by kernel_module.pyx.tp.
# The rules all of them follow (no libm in loops, branches as selects, quiet comparisons,
# NaN in NaN out, limits by select) are in README.md beside this file.
#
# One file per section, in primitives/ (the order matters: Cython's include is textual and
# a later section uses the earlier ones):
#   declarations.pxi   math.h, config.h: the C functions, bit casts and FASTACT_MADD they call
#   constants.pxi      shared double constants (exp's limits, ln 2 splits, ...)
#   exp.pxi            exp and expm1 in plain arithmetic (double): _exp, _expm1, ...
#   log.pxi            log and log1p in plain arithmetic (double): _log, _log1p, ...
#   helpers.pxi        double helpers: _sigmoid, log(1 + e^x), TwoSum and exact products, selects
#   erfcx.pxi          erfcx-type polynomials (double), for gelu
#   constants_f.pxi    float constants
#   exp_f.pxi          exp and expm1 in plain arithmetic (float): _expf, _expm1f
#   expf_r.pxi         the shorter float exp _expf_r (arguments the caller clamps)
#   helpers_f.pxi      float helpers: _sigmoid_f, _clampf, ...
#   log1p_f.pxi        log1p and log(1 + e^z) (float)
#   erfcx_f.pxi        erfcx-type polynomials (float), for gelu
#   rows.pxi           row reductions (_max_c, _sum_lanes) and row storage (_ld, _st)
#                      of the axis kernels

include "primitives/declarations.pxi"
include "primitives/constants.pxi"
include "primitives/exp.pxi"
include "primitives/log.pxi"
include "primitives/helpers.pxi"
include "primitives/erfcx.pxi"
include "primitives/constants_f.pxi"
include "primitives/exp_f.pxi"
include "primitives/expf_r.pxi"
include "primitives/helpers_f.pxi"
include "primitives/log1p_f.pxi"
include "primitives/erfcx_f.pxi"
include "primitives/rows.pxi"
