"""
Softmax, sparsemax and logsumexp
================================

Softmax gives every class some probability, however unlikely; sparsemax (Martins and
Astudillo, 2016) is the Euclidean projection of the scores onto the probability simplex,
so it puts exactly 0 on the classes far below the best ones and its output is sparse.
``logsumexp`` is softmax's other half: the log of softmax's normaliser, a smooth maximum
whose gradient is softmax itself.

This example scales three scores by a temperature and shows where each function puts
the probability, then checks the two facts the API relies on: sparsemax's result sums to
1 with zeros, and ``logsumexp.backward`` is softmax.
"""

# %%
# Probabilities as the scores grow
# --------------------------------
# Three classes with scores ``t * (1.0, 0.5, -1.0)`` for a scale t: at small t both
# functions spread the mass, at large t both pick the first class, and in between
# sparsemax sets the last classes to exactly 0 where softmax only makes them small.
import matplotlib.pyplot as plt
import numpy as np

import fastact

scores = np.array([1.0, 0.5, -1.0])
t = np.linspace(0.05, 4.0, 200)
z = t[:, None] * scores                       # one row of scores per scale
soft = fastact.softmax(z, axis=-1)
sparse = fastact.sparsemax(z, axis=-1)

fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.6), sharey=True, layout="constrained")
for ax, p, title in ((axes[0], soft, "softmax"), (axes[1], sparse, "sparsemax")):
    for k in range(3):
        ax.plot(t, p[:, k], label=f"class {k} (score {scores[k]:+.1f} t)")
    ax.set_title(title)
    ax.set_xlabel("scale t")
axes[0].set_ylabel("probability")
axes[1].legend(loc="center right", fontsize="small")
plt.show()

# %%
# Where sparsemax's zeros start
# -----------------------------
# Each row of both results sums to 1.  The smallest scale at which sparsemax gives the
# last class exactly 0, and the scale at which it gives class 1 exactly 0 too:
print("row sums within 1e-12:",
      bool(np.all(np.abs(soft.sum(-1) - 1) < 1e-12)),
      bool(np.all(np.abs(sparse.sum(-1) - 1) < 1e-12)))
print("class 2 is 0 from t =", round(float(t[np.argmax(sparse[:, 2] == 0)]), 3))
print("class 1 is 0 from t =", round(float(t[np.argmax(sparse[:, 1] == 0)]), 3))
print("softmax's smallest probability at t = 4:", float(soft[-1].min()))

# %%
# The closed form agrees: sparsemax subtracts a threshold tau from the scores in its
# support, chosen so that the kept probabilities sum to 1.  With all three classes kept,
# tau = (0.5 t - 1) / 3, which the smallest score -t falls below from t = 1 / 3.5 = 0.286
# on; with two kept, tau = (1.5 t - 1) / 2, which class 1's score 0.5 t falls below from
# t = 2 on (the grid's first points at or past them are printed).
#
# logsumexp: a smooth maximum whose gradient is softmax
# ------------------------------------------------------
# ``logsumexp(z) = log(sum(exp(z)))`` lies between ``max(z)`` and ``max(z) + log(n)``,
# and its gradient with respect to z is ``softmax(z)``: its backward with a gradient
# of 1 returns softmax's probabilities.
lse = fastact.logsumexp(z, axis=-1)
print("max(z) <= logsumexp(z) <= max(z) + log 3:",
      bool(np.all(z.max(-1) <= lse)), bool(np.all(lse <= z.max(-1) + np.log(3) + 1e-12)))
grad = fastact.logsumexp.backward(np.ones(len(t)), z, axis=-1)
print("logsumexp.backward(1, z) equals softmax(z) within 1e-15:",
      bool(np.max(np.abs(grad - soft)) < 1e-15))
