"""
Output layers and their losses
==============================

The last layer of a network and its loss come in pairs:

* a **sigmoid** output (a probability per output, for binary or multi-label targets)
  with the binary cross-entropy, computed from the logits:
  ``fastact.binary_cross_entropy_with_logits``;
* a **softmax** output (one distribution over C classes) with the cross-entropy,
  computed from the logits: ``fastact.cross_entropy``;
* a **linear** output (a real number, for regression) with the mean squared error,
  three lines of NumPy.

In all three the gradient of the loss with respect to the logit ``z`` is the
prediction minus the target (times 2 for the MSE): large when the prediction is wrong,
small when it is right.  fastact's losses return it with ``value_and_grad``.
"""

# %%
# The losses against one logit
# ----------------------------
# ``fastact.instruments.gallery.plot_losses`` draws the first two pairs (reduction ``'none'``:
# one loss per row); the third panel is the MSE of a linear output, in NumPy.
import matplotlib.pyplot as plt
import numpy as np

import fastact
from fastact.instruments import gallery

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
gallery.plot_losses(ax=axes[:2])

z = np.linspace(-4, 4, 401)
for t, diff, color in ((1.0, "z − 1", "#1f5fa8"), (-1.0, "z + 1", "#2a9d8f")):
    axes[2].plot(z, (z - t) ** 2, color=color, lw=2.2, label=f"loss ({diff})², target {t:g}")
    axes[2].plot(z, 2 * (z - t), color=color, lw=1.6, ls="--", label=f"∂loss/∂z = 2 ({diff})")
axes[2].set_title("linear output: mean squared error (NumPy)", fontsize=10)
axes[2].set_xlabel("output z")
axes[2].axhline(0, color="#7a7a7a", lw=0.8)
axes[2].set_xlim(-4, 4)
axes[2].set_ylim(-6, 12)
axes[2].grid(alpha=0.3)
axes[2].legend(fontsize=8, loc="upper center", framealpha=0.9)
plt.show()

# %%
# The gradients ``value_and_grad`` returns
# ----------------------------------------
# A batch of 32 rows and 5 classes.  With ``reduction='mean'`` each loss averages over
# the rows (the binary cross-entropy over every element), so the gradient is the
# prediction minus the target, divided by that count.  Each gradient is checked against
# that closed form and against central finite differences of the loss itself.
rng = np.random.default_rng(0)
n, c = 32, 5
logits = rng.standard_normal((n, c)) * 2
labels = rng.integers(0, c, n)
onehot = np.eye(c)[labels]
targets01 = rng.integers(0, 2, (n, c)).astype(float)
y_true = rng.standard_normal((n, c))


def finite_difference(loss_fn, z, h=1e-6):
    grad = np.empty_like(z)
    for i in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        grad[i] = (loss_fn(zp) - loss_fn(zm)) / (2 * h)
    return grad


def mse(z):
    return np.mean((z - y_true) ** 2)


checks = {
    "sigmoid + BCE with logits": (
        fastact.binary_cross_entropy_with_logits.value_and_grad(logits, targets01),
        (fastact.sigmoid(logits) - targets01) / logits.size,
        lambda z: fastact.binary_cross_entropy_with_logits(z, targets01)),
    "softmax + cross_entropy": (
        fastact.cross_entropy.value_and_grad(logits, labels),
        (fastact.softmax(logits, axis=-1) - onehot) / n,
        lambda z: fastact.cross_entropy(z, labels)),
}
for name, ((loss, grad), closed_form, loss_fn) in checks.items():
    print(f"{name:26} loss {float(loss):.4f}   max |grad - closed form| "
          f"{np.max(np.abs(grad - closed_form)):.1e}   max |grad - finite diff.| "
          f"{np.max(np.abs(grad - finite_difference(loss_fn, logits))):.1e}")
linear_grad = 2 * (logits - y_true) / logits.size
print(f"{'linear + MSE (NumPy)':26} loss {mse(logits):.4f}   max |grad - finite diff.| "
      f"{np.max(np.abs(linear_grad - finite_difference(mse, logits))):.1e}")

# %%
# The class axis is NumPy's last axis, ``axis=-1``.  PyTorch puts the classes on axis 1
# (logits of shape ``(N, C, T)``); for that layout pass ``axis=1``, which gives the
# loss of the same logits moved to the last axis:
logits_nct = rng.standard_normal((4, 3, 3))       # C == T == 3: any axis would run
target_nt = rng.integers(0, 3, (4, 3))
torch_layout = fastact.cross_entropy(logits_nct, target_nt, axis=1)
moved = fastact.cross_entropy(np.moveaxis(logits_nct, 1, -1), target_nt)
wrong_axis = fastact.cross_entropy(logits_nct, target_nt)
print(f"axis=1: {float(torch_layout):.6f}, classes moved last: {float(moved):.6f}, "
      f"default axis on the (N, C, T) array: {float(wrong_axis):.6f}")

# %%
# With ``C == T`` the default axis raises no error and silently computes another loss,
# so state the axis whenever the logits come in PyTorch's layout.
#
# Why not a sigmoid with the squared error?
# -----------------------------------------
# Squaring the error of a sigmoid's output ``p = sigmoid(z)`` multiplies the gradient by
# ``sigmoid'(z)``, which is near 0 when the unit is saturated, right or wrong.  For a
# target of 1, compare the two gradients with respect to the logit (the MSE's through
# ``fastact.sigmoid.backward``, the chain rule's last step):
z = np.linspace(-10, 10, 801)
t = np.ones_like(z)
_, bce_grad = fastact.binary_cross_entropy_with_logits.value_and_grad(z, t, reduction="none")
p = fastact.sigmoid(z)
mse_grad = fastact.sigmoid.backward(2 * (p - t), z)      # d/dz of (sigmoid(z) - t)**2
for zi in (-8.0, -4.0, 0.0, 4.0):
    i = np.argmin(np.abs(z - zi))
    print(f"z = {zi:4g}: p = {p[i]:.4f}, BCE gradient {bce_grad[i]:+.4f}, "
          f"sigmoid + squared error gradient {mse_grad[i]:+.6f}")

fig2, ax = plt.subplots(figsize=(7.5, 4.0), layout="constrained")
ax.semilogy(z, np.abs(bce_grad), color="#1f5fa8", lw=2.2, label="|∂/∂z| BCE with logits")
ax.semilogy(z, np.abs(mse_grad), color="#e0701b", lw=2.2, ls="--",
            label="|∂/∂z| (sigmoid(z) − 1)²")
ax.set_xlabel("logit z (target 1: negative z is a wrong prediction)")
ax.set_ylabel("gradient magnitude")
ax.set_title("Target 1: the squared error's gradient vanishes exactly where the output "
             "is most wrong", fontsize=10)
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=9)
plt.show()

# %%
# The cross-entropy's gradient stays near -1 however wrong a saturated prediction is,
# while the squared error's falls to near 0: a unit stuck at the wrong end of a sigmoid
# hardly moves.  This is why a sigmoid output is trained with the binary cross-entropy,
# and why fastact computes it from the logits (no ``log`` of a rounded 0 or 1).
