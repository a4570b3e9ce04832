"""The accuracy bounds (ULP) the losses hold against mpmath: ACCURACY."""

from collections import namedtuple


# ---- accuracy bounds ------------------------------------------------------------------------

# The bounds ``python -m fastact accuracy --only cross_entropy,binary_cross_entropy_with_logits``
# (and the other losses' names) holds (fastact.instruments.accuracy_losses, against mpmath), per (loss, dtype), in ULP;
# each kind's
# bound is its value plus per_class * C for rows of C classes:
#   loss          each row's (element's) loss, reduction='none': ULP of the result;
#   loss_reduced  'sum' and 'mean': ULP of the result;
#   grad          value_and_grad's gradient, every reduction: ULP of the magnitude of its
#                 terms |a p_c| + |b_c| (the ULP of the result where they do not cancel).
# float64: every loss is a sum of non-negative terms (no cancellation), each a few
# roundings: the exp and log1p primitives (about 1 ULP each), x_c - max, the weights' and
# smoothing's products, the division by the count (half an ULP each): 4.  The gradient's
# two terms a p_c and b_c each carry as many; BCE's, w scale ((1 - t) sigmoid(x) - pw t
# sigmoid(-x)), has eight roundings after the exp (1 - t, pw t, 1 / (1 + z), the products
# and the difference): 8, the derivatives' usual bound.  The row's sums of C terms (the
# exps, the smoothing terms, the target weights' total) round once per term in the worst
# case, half an ULP each: per_class.  BCE's reductions add blocks with compensation, so
# their error does not grow with the number of elements.
# float32: the kernels compute in double and round once (0.5 ULP), plus the double's
# error (per_class: the row sums' C/2 ULP64, 2^-29 ULP32 each); cross-entropy's gradient
# starts from the exps stored in the float32 gradient array, a second rounding (below
# 1 ULP of a p_c): 1.5.
# The other losses (their gradient's unit is the ULP of the result): float32 computes in
# double and rounds once, 0.5.  float64: nll_loss's loss is one product -(x w), 0.5; its
# 'sum' and 'mean' (and the mean's divisor, the sum of the targets' weights, in the
# gradient) are NumPy's pairwise sums, whose error grows with log2 of the rows in the worst
# case: 8 (measured below 2).  The pointwise losses: d = x - t (0.5, doubled by the
# square) and two or three roundings more (BCE: libm's log, below 1 ULP, 1 - t, the
# products, the weight): 2 (MSE), 3 (huber, smooth_l1), 4 (BCE); their 'sum' and 'mean'
# add non-negative terms (no cancellation: the terms' relative error, plus the
# compensated sum's and the mean's division, half an ULP each), the loss's bound + 1,
# and for BCE + 2 (its terms' errors, in ULP of each term, may be twice as many ULP of a
# sum just below a power of 2: measured 3.9);
# the gradients 2 (d, the product with the reduction's scale; smooth_l1's 3, its d / beta
# a rounding more: measured 2.08), BCE's 4 (x - t, 1 - x, two products, the division).
LossAccuracy = namedtuple("LossAccuracy", "loss loss_reduced grad per_class")

ACCURACY = {
    ("cross_entropy", "float64"): LossAccuracy(4.0, 4.0, 4.0, per_class=0.5),
    ("cross_entropy", "float32"): LossAccuracy(0.5, 0.5, 1.5, per_class=2.0 ** -30),
    ("binary_cross_entropy_with_logits", "float64"): LossAccuracy(4.0, 4.0, 8.0, 0.0),
    ("binary_cross_entropy_with_logits", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("nll_loss", "float64"): LossAccuracy(0.5, 8.0, 8.0, 0.0),
    ("nll_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("binary_cross_entropy", "float64"): LossAccuracy(4.0, 6.0, 4.0, 0.0),
    ("binary_cross_entropy", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("mse_loss", "float64"): LossAccuracy(2.0, 3.0, 2.0, 0.0),
    ("mse_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("huber_loss", "float64"): LossAccuracy(3.0, 4.0, 2.0, 0.0),
    ("huber_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
    ("smooth_l1_loss", "float64"): LossAccuracy(3.0, 4.0, 3.0, 0.0),
    ("smooth_l1_loss", "float32"): LossAccuracy(0.5, 0.5, 0.5, 0.0),
}
