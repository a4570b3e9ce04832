"""
Dead ReLUs under a bias shift
=============================

A ReLU unit whose pre-activation is negative for every input outputs 0 and, worse,
has derivative 0 for every input: no gradient reaches its weights or its bias, so no
step of gradient descent can bring it back.  A large negative bias (a bad
initialisation, or one large update) is enough to put units there.

This example shifts every bias of one layer down and counts the units that stop
learning, for ReLU, Leaky ReLU and GELU.  The experiment is
``fastact.instruments.gallery.dead_neurons``: one fully connected layer of 512 units on 256
inputs, He-normal weights, a batch of 256 N(0, 1) inputs, seed 0.  A unit counts as
dead when ``|f'(z)| < 1e-3`` for every input of the batch; the derivatives are
fastact's kernels.
"""

# %%
# Run the experiment
# ------------------
import matplotlib.pyplot as plt
import numpy as np

import fastact
from fastact.instruments import gallery

res = gallery.dead_neurons()
shifts = res["shifts"]
print(f"unshifted pre-activations: std {res['z_std']:.2f}")
print("percent of units dead at bias -shift:")
print(f"{'shift':>10}" + "".join(f"{s:6g}" for s in shifts[::4]))
for name, dead in res["dead"].items():
    print(f"{name:>10}" + "".join(f"{100 * d:6.1f}" for d in dead[::4]))
print(f"{'never > 0':>10}" + "".join(f"{100 * d:6.1f}" for d in res["silent"]["relu"][::4]))

# %%
# The last row counts the units whose output is never positive for any input of the
# batch: for all three activations these are the same units (each is positive exactly
# when ``z > 0``), and for ReLU they are exactly the dead ones.
#
# Plot it
# -------
fig, ax = plt.subplots(figsize=(7.5, 4.4), layout="constrained")
gallery.plot_dead_neurons(res, ax=ax)
plt.show()

# %%
# What dead means for a gradient step
# -----------------------------------
# Take one shift and compute the gradient that reaches each unit's bias, for a loss
# whose gradient with respect to the outputs is 1 everywhere: ``dL/db = sum over the
# batch of f'(z)``, which is the backward ``f.backward(1, z)`` summed over the batch.
# The same layer and inputs as the experiment are rebuilt from its seed.
rng = np.random.default_rng(res["seed"])
x = rng.standard_normal((res["batch"], res["fan_in"]))
w = rng.standard_normal((res["fan_in"], res["units"])) * np.sqrt(2.0 / res["fan_in"])
shift = 4.0
z = x @ w - shift
ones = np.ones_like(z)
for name in res["dead"]:
    grad_b = fastact.ACTIVATIONS[name].backward(ones, z).sum(axis=0)
    print(f"{name:>10}: bias gradient exactly 0 for {np.mean(grad_b == 0):6.1%} of the units, "
          f"smallest |gradient| {np.abs(grad_b).min():.3g}")

# %%
# Why
# ---
# * **ReLU**: ``relu'(z) = 0`` for ``z <= 0``, so a unit that is negative for the whole
#   batch gets a bias gradient of exactly 0, and its weights the same.  About half the
#   units are dead at a shift of 4 (about 3 standard deviations of the pre-activations)
#   and all of them by 7.
# * **Leaky ReLU** keeps a slope of 0.01 on the negative side: the same units output
#   negative numbers, but each still gets a gradient of 0.01 per input, so none is dead
#   at any shift and gradient descent can still move its weights and bias.
# * **GELU**'s derivative is small but not zero for moderately negative inputs
#   (``gelu'(-3) ~ -0.012``); it falls below the threshold only far out in the tail,
#   which is why GELU's units start dying only at the largest shifts.
#
# A dead ReLU unit receives no update at all, whatever the learning rate, so a bias
# shift (or one too-large step that causes it) is permanent unless its inputs change.
