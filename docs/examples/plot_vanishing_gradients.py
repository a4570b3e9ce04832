"""
Vanishing gradients through a deep MLP
======================================

Backpropagate through 50 fully connected layers of width 256 and measure the gradient
that reaches each layer, once with every hidden activation: sigmoid, tanh, ReLU and
GELU.  The forward ``f(z)`` and backward ``f.backward(g, z)`` of every layer are
fastact's kernels; NumPy does the matrix products.

The experiment is ``fastact.instruments.gallery.vanishing_gradients``: zero biases, a random
N(0, 1) input batch of 64, the loss ``sum(h_50 * r) / 64`` for a fixed random readout
``r``, Xavier/Glorot weights for the activations bounded on both sides (sigmoid, tanh)
and He weights for the others.  Every activation sees the same input, readout and
underlying random matrices (seed 0), only the scale differs.
"""

# %%
# Run the experiment
# ------------------
# The result is plain NumPy data: ``grad[name][l]`` is the norm of the gradient of the
# loss with respect to layer ``l + 1``'s pre-activations, ``factor[name]`` the ratio of
# consecutive layers' norms (how much one layer passes back).
import matplotlib.pyplot as plt
import numpy as np

from fastact.instruments import gallery

names = ("sigmoid", "tanh", "relu", "gelu")
res = gallery.vanishing_gradients(names=names)


def geometric_mean(a):
    return float(np.exp(np.mean(np.log(a))))


print(f"{'':8} {'init':6} {'layer 1 / layer 50':>18} {'per layer':>9} "
      f"{'bottom 20':>9} {'top 10':>7}")
for name in names:
    g, f = res["grad"][name], res["factor"][name]
    print(f"{name:8} {res['init'][name]:6} {g[0] / g[-1]:18.3g} {geometric_mean(f):9.3f} "
          f"{geometric_mean(f[:20]):9.3f} {geometric_mean(f[-10:]):7.3f}")

# %%
# "per layer" is the geometric mean of the 49 ratios; "bottom 20" and "top 10" the same
# over the 20 layers next to the input and the 10 next to the loss.
#
# Plot it
# -------
# ``fastact.instruments.gallery.plot_vanishing_gradients`` draws every curve relative to its
# value at the top layer (so all end at 1 on the right; the slope is the per-layer
# factor), with the bound ``0.25**n`` drawn from the sigmoid's top layer.
fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
gallery.plot_vanishing_gradients(res, ax=ax)
plt.show()

# %%
# Why
# ---
# Going down one layer multiplies the gradient by the transposed weights and then by
# ``f'(z)`` elementwise.  Square random matrices with Xavier's variance 1/fan-in keep the
# norm about constant, He's 2/fan-in multiply it by about ``sqrt(2)``; the rest is
# ``f'`` over the layer's pre-activations.
#
# * **sigmoid**: ``sigmoid'(z) <= 0.25`` everywhere (its maximum, at 0), so every layer
#   passes back at most about a quarter.  The table shows a factor just under 0.25 at
#   every depth, and after 49 layers about 1e-31 of the top layer's gradient is left:
#   the layers next to the input do not learn.
# * **tanh**: ``tanh'(0) = 1``.  With Xavier weights the activations shrink layer by
#   layer towards 0, where tanh is nearly the identity, so the factor climbs towards 1
#   (lower near the input, close to 1 near the top) and a usable fraction arrives at
#   layer 1.
# * **ReLU**: half the units pass the gradient with slope 1 and half pass nothing; He's
#   factor 2 in the weights' variance makes up for the half, and the factor stays at 1.
# * **GELU** with He weights: near 0, ``gelu(z) ~ z / 2``, so each layer passes on a
#   quarter of its input's variance times He's 2, half of it, and the pre-activations
#   shrink towards 0 as the signal goes up.  There ``gelu'(z) ~ 0.5`` and the factor
#   tends to ``sqrt(2) * 0.5 ~ 0.71`` (the top 10 layers); the 20 layers next to the
#   input, whose pre-activations are not yet small, pass back nearly everything.
#   He's initialisation is derived for ReLU; the transformers where GELU is common have
#   normalisation layers and residual connections.
#
# The same numbers for every activation of the experiment (leaky_relu and silu too):
# ``fastact.instruments.gallery.vanishing_gradients()`` with no arguments.
