"""
Every activation and its derivative
===================================

fastact's activations on one grid: each panel draws ``f(x)`` (solid) and ``f'(x)``
(dashed) with default parameters, both computed by fastact's kernels in float64.  Grey
dotted lines are the finite bounds of the output range; red marks are found on the
kernels' own curves: the kinks where ``f'`` jumps (open circles at the one-sided
limits, a dot at the value fastact returns at the kink itself), the smooth maximum of
``f'`` and an interior minimum of ``f``.

The softmax family (softmax, log_softmax, softmin) is drawn on two-logit rows
``[x, 0]``: the first output and its partial derivative with respect to ``x``.
"""

# %%
# The facts behind the panels
# ---------------------------
# Every function's record (formula, output range, largest ``|f'|``, when to use it) is in
# ``fastact.ACTIVATIONS``; ``fastact.instruments.gallery.guide_rows`` lists them.  A few columns:
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

import fastact
from fastact.instruments import gallery

rows = gallery.guide_rows()
print(f"{len(rows)} activations")
print(" " * 16 + "max |f'|".rjust(13) + "  zero-centred  monotonic")
for row in rows:
    md = "-" if row["max_derivative"] is None else f"{row['max_derivative']:g}"
    print(f"{row['name']:15} {md:>13}  {'yes' if row['zero_centred'] else 'no':12}  "
          f"{'yes' if row['monotonic'] else 'no'}")

# %%
# The grid
# --------
# ``fastact.instruments.gallery.overview`` returns this grid as a matplotlib Figure (for a
# notebook, or ``fig.savefig``).  Here the same panels are drawn into pyplot axes with
# ``fastact.instruments.gallery.plot``, which takes an ``ax``; ``compact=True`` leaves out the
# labels a small panel has no room for.
names = list(fastact.ACTIVATIONS)
ncols = 5
nrows = -(-len(names) // ncols)
fig, axes = plt.subplots(nrows, ncols, figsize=(3.0 * ncols, 2.4 * nrows + 0.6),
                         layout="constrained", squeeze=False)
for ax, name in zip(axes.ravel(), names):
    gallery.plot(name, ax=ax, compact=True)
for ax in axes.ravel()[len(names):]:
    ax.set_axis_off()
fig.legend(handles=[Line2D([], [], color="#1f5fa8", lw=2.2, label="f(x)"),
                    Line2D([], [], color="#e0701b", lw=1.8, ls="--", label="f'(x)"),
                    Line2D([], [], color="#7a7a7a", lw=1, ls=":",
                           label="output range bounds"),
                    Line2D([], [], color="#b3261e", marker="o", ls="",
                           label="kinks, max f', min f")],
           loc="outside upper center", ncols=4, fontsize=10)
plt.show()

# %%
# One activation in detail
# ------------------------
# Without ``compact``, ``fastact.instruments.gallery.plot`` labels what it marks: here GELU's
# dip below zero and the maximum of its derivative, and ReLU's kink at 0, where fastact
# returns ``relu'(0) = 0`` (PyTorch's convention).
fig2, (ax_gelu, ax_relu) = plt.subplots(1, 2, figsize=(12, 4.0), layout="constrained")
gallery.plot("gelu", ax=ax_gelu)
gallery.plot("relu", ax=ax_relu)
plt.show()

features = gallery.features("gelu")
x_min, f_min = features["minimum"]
x_peak, d_peak = features["peak"]
print(f"gelu: minimum {f_min:.4f} at x = {x_min:.4f}; largest derivative {d_peak:.4f} "
      f"at x = {x_peak:.4f}")
for kink in gallery.features("relu")["kinks"]:
    print(f"relu: kink at x = {kink['x']:g}; f' is {kink['left']:g} on the left, "
          f"{kink['right']:g} on the right, {kink['at']:g} at the kink")
