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

All arithmetic is in double (float32 data is widened on load and rounded once on store):
the float32 bounds (0.5 ULP for the loss) leave no room for float exps.  exp and log1p
are primitives.pxi's plain-arithmetic methods (a libm call per element keeps the loops
scalar; log1p is taken once per row for the cross-entropy), in copies here that fuse
their multiply-adds on the FMA targets (_exp_row, _exp_neg_t, _log1p_z; the exp's
polynomial by Estrin's scheme), and the cross-entropy rows' exps carry a 2^64 bias so that
2^n is one factor (see _exp_row).  float32 results take a degree-10 exp polynomial
(_expm1_poly10_t, 2^-51.6: at most 2^-26 ULP of float32 more), and float32 rows whose
x - max are all exact and >= -752 (checked in the row maximum's loop, from the bits) skip
the TwoSum and the clamp (_exp_row_exact).  Reductions run in LOSS_LANES accumulators,
which the compiler vectorizes without reassociating (as softmax.pxi), updated where the
values are computed (GCC keeps them in registers then); the row maximum is written with
vector types (as lanes of an array GCC kept it scalar); BCE's total adds the lanes up per
block of LOSS_BLOCK elements, compensated (its error does not grow with n), each block's
exps in a loop before the rest (one element's chain of dependent operations was longer
than the out-of-order window overlaps).  A NaN logit makes its row's sum
NaN, so the row's loss and every gradient of the row are NaN.  The floating-point flags
that saturated intermediates and NaN compares raise are cleared at the end (fastact
raises no warnings).

Every kernel is compiled three times in this one module: for the x86-64 baseline, and with
GCC's target attributes for AVX2 + FMA and for AVX-512 (the row loops are inline
functions, so each target's wrapper gets its own SIMD code of them; setup.py builds the
module once, with the baseline flags).  At import the best target the CPU has is taken;
losses.py then follows fastact's kernels (FASTACT_ISA), so the losses run the target the
activations run.  The AVX2 and AVX-512 code give the same bits; the baseline (no FMA)
may differ from them in the last bit.  Only the wrappers (void_avx2 / void_avx512) and
what is inlined into them use the wider instructions: the module's other code runs on
any x86-64.  On aarch64 there is one target, "neon": the FUSED code (every aarch64 CPU
has FMA), which the activations' "sve" runs too.

Argument checking is the caller's (losses.py): these trust their shapes and indices.
"""

cimport cython
from libc.math cimport log1p
from libc.stdint cimport int64_t
from numpy cimport npy_intp

include "_loss_kernels/common.pxi"
include "_loss_kernels/cross_entropy.pxi"
include "_loss_kernels/bce_with_logits.pxi"
include "_loss_kernels/pointwise.pxi"
include "_loss_kernels/nll.pxi"
