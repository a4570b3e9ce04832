"""
Training a small transformer block in NumPy
===========================================

A one-layer transformer block written in NumPy, trained with plain SGD: fastact
supplies the nonlinearities and the loss, NumPy the matrix products.

* causal self-attention, with the causal mask given to
  ``fastact.softmax(scores, axis=-1, where=mask)``;
* a SwiGLU MLP, ``fastact.swiglu(gate, up)``, whose ``fastact.swiglu.backward``
  returns both operands' gradients from one pass;
* the loss and its gradient with respect to the logits from one call,
  ``fastact.cross_entropy.value_and_grad``.

The task is a small sequence task made with NumPy: sequences of 8 tokens from a
vocabulary of 8, and at every position after the first the target is the sum of the
current and the previous token modulo 8.  A position cannot solve it alone: attention
has to bring it the previous token, and the block's nonlinear parts have to combine the
two.  The first position has no previous token; its target is ``-100``,
``cross_entropy``'s default ``ignore_index``, so it contributes nothing.

At the end the same forward and backward are checked against PyTorch's autograd, with
the same weights, when PyTorch is installed.
"""

# %%
# The data and the parameters
# ---------------------------
import time

import matplotlib.pyplot as plt
import numpy as np

import fastact

V, T, D, H = 8, 8, 16, 32        # vocabulary, sequence length, model width, MLP width
rng = np.random.default_rng(0)


def make_batch(n):
    x = rng.integers(0, V, (n, T))
    target = np.full((n, T), -100)                 # -100: ignored by cross_entropy
    target[:, 1:] = (x[:, 1:] + x[:, :-1]) % V
    return x, target


def init_params():
    def dense(fan_in, fan_out):
        return rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
    return {"embed": rng.standard_normal((V, D)), "pos": rng.standard_normal((T, D)),
            "wq": dense(D, D), "wk": dense(D, D), "wv": dense(D, D), "wo": dense(D, D),
            "w_gate": dense(D, H), "w_up": dense(D, H), "w_down": dense(H, D),
            "w_out": dense(D, V)}


CAUSAL = np.tril(np.ones((T, T), dtype=bool))     # position t sees positions <= t

# %%
# The forward pass
# ----------------
# Residual connections around the attention and the MLP, no normalisation layers (kept
# out for brevity; the block is shallow enough to train without them).  Every
# intermediate the backward needs is kept in ``cache``.


def forward(p, x, target):
    h0 = p["embed"][x] + p["pos"]                             # (n, T, D)
    q, k, v = h0 @ p["wq"], h0 @ p["wk"], h0 @ p["wv"]
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(D)            # (n, T, T)
    attn = fastact.softmax(scores, axis=-1, where=CAUSAL)     # 0 where masked
    ctx = attn @ v
    h1 = h0 + ctx @ p["wo"]
    gate, up = h1 @ p["w_gate"], h1 @ p["w_up"]
    m = fastact.swiglu(gate, up)                              # silu(gate) * up
    h2 = h1 + m @ p["w_down"]
    logits = h2 @ p["w_out"]                                  # (n, T, V): classes last
    loss, dlogits = fastact.cross_entropy.value_and_grad(logits, target)
    cache = (x, h0, q, k, v, attn, ctx, h1, gate, up, m, h2)
    return loss, logits, dlogits, cache


# %%
# The backward pass
# -----------------
# The chain rule in reverse, one line per forward line.  The softmax's vector-Jacobian
# product is written from its output ``attn``: ``attn * (g - sum(g * attn))``.  Masked
# entries have ``attn == 0`` and so get no gradient, which is what the mask means.


def backward(p, dlogits, cache):
    x, h0, q, k, v, attn, ctx, h1, gate, up, m, h2 = cache
    grads = {}

    def dense_grad(inp, dout):                    # dL/dW of out = inp @ W, batched
        return np.einsum("ntd,nte->de", inp, dout)

    grads["w_out"] = dense_grad(h2, dlogits)
    dh2 = dlogits @ p["w_out"].T
    grads["w_down"] = dense_grad(m, dh2)
    dgate, dup = fastact.swiglu.backward(dh2 @ p["w_down"].T, gate, up)
    grads["w_gate"] = dense_grad(h1, dgate)
    grads["w_up"] = dense_grad(h1, dup)
    dh1 = dh2 + dgate @ p["w_gate"].T + dup @ p["w_up"].T
    grads["wo"] = dense_grad(ctx, dh1)
    dctx = dh1 @ p["wo"].T
    dattn = dctx @ v.transpose(0, 2, 1)
    dv = attn.transpose(0, 2, 1) @ dctx
    dscores = attn * (dattn - np.sum(dattn * attn, axis=-1, keepdims=True)) / np.sqrt(D)
    dq = dscores @ k
    dk = dscores.transpose(0, 2, 1) @ q
    dh0 = dh1.copy()
    for name, dz in (("wq", dq), ("wk", dk), ("wv", dv)):
        grads[name] = dense_grad(h0, dz)
        dh0 += dz @ p[name].T
    grads["pos"] = dh0.sum(axis=0)
    grads["embed"] = np.zeros_like(p["embed"])
    np.add.at(grads["embed"], x, dh0)            # a token seen twice adds twice
    return grads


# %%
# The mask works
# --------------
# A forward-only check: change the last token of every sequence; with the causal mask
# the logits of every earlier position must not change at all.
params = init_params()
x_check, t_check = make_batch(16)
x_changed = x_check.copy()
x_changed[:, -1] = (x_changed[:, -1] + 1) % V
_, logits_a, _, _ = forward(params, x_check, t_check)
_, logits_b, _, _ = forward(params, x_changed, t_check)
print("earlier positions, max |change| of the logits:",
      np.max(np.abs(logits_a[:, :-1] - logits_b[:, :-1])))
print("last position,     max |change| of the logits:",
      np.max(np.abs(logits_a[:, -1] - logits_b[:, -1])))

# %%
# Training
# --------
# Plain SGD on fresh batches of 64 sequences, 300 steps, in float64.
steps, lr, batch = 300, 0.2, 64
x_test, t_test = make_batch(1000)
initial = {name: w.copy() for name, w in params.items()}   # for the PyTorch check
losses = []
start = time.perf_counter()
for step in range(steps):
    loss, _, dlogits, cache = forward(params, *make_batch(batch))
    grads = backward(params, dlogits, cache)
    for name in params:
        params[name] -= lr * grads[name]
    losses.append(float(loss))
elapsed = time.perf_counter() - start

test_loss, test_logits, _, test_cache = forward(params, x_test, t_test)
accuracy = np.mean(test_logits[:, 1:].argmax(axis=-1) == t_test[:, 1:])
print(f"{steps} steps in {elapsed:.1f} s; loss {losses[0]:.3f} at the first step "
      f"(log {V} = {np.log(V):.3f} is chance), {losses[-1]:.4f} at the last")
print(f"held-out: loss {test_loss:.4f}, accuracy {accuracy:.1%} on {x_test.shape[0]} "
      f"sequences")

attn = test_cache[5].mean(axis=0)     # cache[5]: the attention weights; mean over sequences
print("mean attention weight on the previous token (positions 1-7):",
      np.round(np.diagonal(attn, offset=-1), 3))

# %%
# Plot the loss and what the attention learned
# --------------------------------------------
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
ax0.semilogy(losses, color="#1f5fa8", lw=1.5, label="training loss (one batch)")
ax0.axhline(np.log(V), color="#7a7a7a", ls=":", label=f"chance: log {V}")
ax0.set_xlabel("SGD step")
ax0.set_ylabel("cross-entropy")
ax0.set_title(f"Loss; held-out accuracy {accuracy:.1%}", fontsize=10)
ax0.grid(alpha=0.3, which="both")
ax0.legend(fontsize=9)
im = ax1.imshow(attn, cmap="Blues", vmin=0, vmax=1)
ax1.set_xlabel("key position (attended to)")
ax1.set_ylabel("query position")
ax1.set_title("Mean attention weights after training (causal: upper triangle 0)",
              fontsize=10)
fig.colorbar(im, ax=ax1, shrink=0.85)
plt.show()

# %%
# Each position attends mostly to the one before it (position 0 can only see itself),
# which brings the previous token to it; the masked upper triangle is exactly 0.
#
# The same forward and backward in PyTorch
# ----------------------------------------
# PyTorch's autograd on one batch, at the initial and at the trained weights: the loss
# and every parameter's gradient are compared with the NumPy ones.  The mask is the usual
# ``-inf`` fill before ``torch.softmax``; ``F.cross_entropy`` ignores the targets -100
# too.
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: the comparison with autograd is skipped.")


def torch_loss_and_grads(p, x, target):
    F = torch.nn.functional
    tp = {name: torch.tensor(w, requires_grad=True) for name, w in p.items()}
    h0 = tp["embed"][torch.as_tensor(x)] + tp["pos"]
    q, k, v = h0 @ tp["wq"], h0 @ tp["wk"], h0 @ tp["wv"]
    scores = (q @ k.transpose(1, 2) / D ** 0.5).masked_fill(
        ~torch.as_tensor(CAUSAL), float("-inf"))
    h1 = h0 + (torch.softmax(scores, dim=-1) @ v) @ tp["wo"]
    h2 = h1 + (F.silu(h1 @ tp["w_gate"]) * (h1 @ tp["w_up"])) @ tp["w_down"]
    loss = F.cross_entropy((h2 @ tp["w_out"]).reshape(-1, V),
                           torch.as_tensor(target).reshape(-1))
    loss.backward()
    return loss.item(), {name: t.grad.numpy() for name, t in tp.items()}


if torch is not None:
    x_cmp, t_cmp = make_batch(32)
    for label, p in (("initial", initial), ("trained", params)):
        loss_np, _, dlogits, cache = forward(p, x_cmp, t_cmp)
        grads_np = backward(p, dlogits, cache)
        loss_t, grads_t = torch_loss_and_grads(p, x_cmp, t_cmp)
        diff = max(np.max(np.abs(grads_np[n] - grads_t[n])) for n in p)
        scale = max(np.max(np.abs(grads_t[n])) for n in p)
        print(f"{label} weights: loss {loss_np:.6f}, |difference| from PyTorch "
              f"{abs(loss_np - loss_t):.1e}; gradients: max |difference| {diff:.1e} "
              f"(largest gradient entry {scale:.1e})")
