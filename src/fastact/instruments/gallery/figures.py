"""The gallery's figures.  matplotlib is imported inside the functions only.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot, no global
state), which renders with Agg when saved and displays in a notebook as is.
"""

import math
import re

import numpy as np

from ... import ACTIVATIONS, GATED
from . import experiments as ex

F_COLOR = "#1f5fa8"
D_COLOR = "#e0701b"
D2_COLOR = "#3a8a3a"
MARK_COLOR = "#b3261e"
RANGE_COLOR = "#7a7a7a"
# One colour per activation of the experiments, fixed so the two experiment figures agree.
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}
PALETTE = ("#b3261e", "#7b3fa0", "#1f5fa8", "#2a9d8f", "#e0701b", "#6b8e23", "#555555")

INSTALL_HINT = ('the gallery needs matplotlib: pip install "fastact[gallery]" '
                '(or pip install matplotlib)')


def require_matplotlib():
    """Import matplotlib or raise ImportError saying how to install it."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return matplotlib


def _new_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    require_matplotlib()
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _colors(names):
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}


def _fmt(v, digits=3):
    """A short label: 3 significant digits, and 0 for what is 0 to the plot's resolution."""
    v = float(v)
    if abs(v) < 5e-4:
        return "0"
    return f"{v:.{digits}g}"


def _range_text(name):
    """The registry's output range, with the default parameters' values when it names them."""
    text = ACTIVATIONS[name].info.output_range
    m = ex.RANGE_PATTERN.match(text)
    if m and any(w != "inf" for w in re.findall(r"[A-Za-z_]+", m.group(0))):
        lo, hi = ex.output_bounds(name)
        return f"{m.group(0)} = {m.group(1)}{_fmt(lo)}, {_fmt(hi)}{m.group(4)}{text[m.end():]}"
    return text


def _with_breaks(x, d, kinks):
    """Insert NaN between the samples on either side of each kink so no vertical joins."""
    if not kinks:
        return x, d
    cut = np.searchsorted(x, [k["x"] for k in kinks])
    return np.insert(x, cut, np.nan), np.insert(d, cut, np.nan)


def plot(name, ax=None, compact=False):
    """Draw activation ``name`` and its derivative over ``info.plot_range`` (and, but for
    ``compact``, its second derivative, dotted, where it is not 0 everywhere).

    Marked: the output range (dotted lines at its finite bounds), every kink (where f'
    jumps: open circles at the one-sided limits, a filled dot at the value fastact gives
    at the kink), the derivative's smooth maximum (sigmoid'(0) = 0.25) and the function's
    interior minimum (GELU's dip of about -0.17 near x = -0.75).  ``compact=True`` leaves
    out the labels, for small grid panels.

    Draws into ``ax`` when given, else into a new Figure; returns the Figure.
    """
    f = ACTIVATIONS[name]
    info = f.info
    fig, ax = _new_axes(ax, (6.4, 4.0))
    x, y, d = ex.curve(name)
    feat = ex.features(name)
    lo, hi = ex.output_bounds(name)
    is_axis = info.kind == "axis"
    flabel = f"{name}([x, 0])[0]" if is_axis else f"{name}(x)"
    dlabel = "∂/∂x of it" if is_axis else f"{name}'(x)"

    if info.kind == "rrelu":
        lower, upper = (p.default for p in info.params)
        neg = x <= 0
        ax.fill_between(x[neg], lower * x[neg], upper * x[neg], color=F_COLOR, alpha=0.15,
                        lw=0, label=None if compact else "training: slope ~ U(lower, upper)")
    ax.axhline(0, color="black", lw=0.6, zorder=0)
    ax.axvline(0, color="black", lw=0.6, zorder=0)
    ax.plot(x, y, color=F_COLOR, lw=2.2, label=flabel)
    xd, dd = _with_breaks(x, d, feat["kinks"])
    ax.plot(xd, dd, color=D_COLOR, lw=1.8, ls="--", label=dlabel)
    if f.has_second_derivative and not compact:
        # f'' (dotted), broken at the kinks; a piecewise-linear f'' = 0 is the axis itself.
        # The axes' limits stay those of f and f': a steep f'' (logit's poles) is clipped.
        with np.errstate(all="ignore"):
            d2 = f.second_derivative(x, *ex.example_args(f))
        if np.nanmax(np.abs(d2)) > 0:
            x2, dd2 = _with_breaks(x, d2, feat["kinks"])
            ax.plot(x2, dd2, color=D2_COLOR, lw=1.4, ls=":", label=f"{name}''(x)")

    finite = [b for b in (lo, hi) if math.isfinite(b)]
    for j, b in enumerate(finite):
        ax.axhline(b, color=RANGE_COLOR, lw=1, ls=":",
                   label=None if (compact or j) else f"output range {_range_text(name)}")

    for k in feat["kinks"]:
        ax.axvline(k["x"], color=MARK_COLOR, lw=0.8, ls=":", alpha=0.7)
        ax.plot([k["x"]] * 2, [k["left"], k["right"]], "o", mfc="white", mec=D_COLOR,
                ms=5 if compact else 6, zorder=4)
        ax.plot([k["x"]], [k["at"]], "o", color=MARK_COLOR, ms=4 if compact else 5, zorder=5)
        if not compact:
            above = k["at"] > (k["left"] + k["right"]) / 2
            outer_left = k["x"] < (x[0] + x[-1]) / 2 - 1e-9   # label on the outer side
            ax.annotate(f"f'({_fmt(k['x'])}) = {_fmt(k['at'])}", (k["x"], k["at"]),
                        xytext=(-7 if outer_left else 7, 7 if above else -15),
                        textcoords="offset points", color=MARK_COLOR, fontsize=8.5,
                        ha="right" if outer_left else "left", bbox=_LABEL_BOX)
    if feat["peak"] is not None:
        px, pv = feat["peak"]
        ax.plot([px], [pv], "o", color=MARK_COLOR, ms=4 if compact else 6, zorder=5)
        if not compact:
            ax.annotate(f"max f' = {pv:.4g} at x = {_fmt(px)}", (px, pv),
                        xytext=(8, 8), textcoords="offset points", color=MARK_COLOR,
                        fontsize=8.5, bbox=_LABEL_BOX)
    if feat["minimum"] is not None:
        mx, mv = feat["minimum"]
        ax.plot([mx], [mv], "s", color=MARK_COLOR, ms=4 if compact else 6, zorder=5)
        if not compact:
            ax.annotate(f"min f = {mv:.3f} at x = {_fmt(mx)}", (mx, mv), xytext=(0, -22),
                        textcoords="offset points", color=MARK_COLOR, fontsize=8.5,
                        bbox=_LABEL_BOX, ha="center")

    ax.set_xlim(x[0], x[-1])
    ymin = min(np.nanmin(y), np.nanmin(d))
    ymax = max(np.nanmax(y), np.nanmax(d))
    pad = 0.08 * (ymax - ymin)
    ax.set_ylim(ymin - pad - (0.12 * (ymax - ymin) if not compact else 0), ymax + pad)
    ax.grid(alpha=0.25)
    if compact:
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=7)
    else:
        md = "n/a" if info.max_derivative is None else f"{info.max_derivative:g}"
        ax.set_title(f"{name}: range {info.output_range}, max |f'| {md}, "
                     f"zero-centred: {'yes' if info.zero_centred else 'no'}", fontsize=10)
        ax.set_xlabel("x")
        ax.legend(fontsize=8, loc="best", framealpha=0.9)
    return fig


def overview(names=None, ncols=5):
    """Every activation (the registry's order) on one grid of small panels; returns the Figure."""
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    names = list(ACTIVATIONS if names is None else names)
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=(3.0 * ncols, 2.4 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        plot(name, ax=ax, compact=True)
    for ax in axes[len(names):]:
        ax.set_axis_off()
    handles = [Line2D([], [], color=F_COLOR, lw=2.2, label="f(x)"),
               Line2D([], [], color=D_COLOR, lw=1.8, ls="--", label="f'(x)"),
               Line2D([], [], color=RANGE_COLOR, lw=1, ls=":", label="output range bounds"),
               Line2D([], [], color=MARK_COLOR, marker="o", ls="", label="kinks, max f', min f")]
    fig.legend(handles=handles, loc="outside upper center", ncols=4, fontsize=10)
    return fig


def plot_gated(b=1.0, n=801):
    """The gated activations (fastact.GATED), one panel each: f(a) * b at b = 1 against the
    gate operand, with its partial derivatives (d/da = b f'(a); d/db = f(a), which is the
    curve itself at b = 1).  glu is drawn against its gated half: a * sigmoid(g) at a = 1.
    Returns the Figure."""
    require_matplotlib()
    from matplotlib.figure import Figure
    names = list(GATED)
    fig = Figure(figsize=(3.2 * len(names), 3.0), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False).ravel()
    for ax, name in zip(axes, names):
        f = GATED[name]
        lo, hi = f.info.plot_range
        u = np.linspace(lo, hi, n)
        ones = np.full_like(u, b)
        kw = {"approximate": "tanh"} if name == "geglu" else {}
        if name == "glu":
            # glu(concat(a, g)) with a = 1 is sigmoid(g); d/dg from glu.backward
            x = np.stack([ones, u], axis=-1).reshape(n, 2)
            y = f(x)[:, 0]
            da = f.backward(np.ones((n, 1)), x)[:, 1]
            label, dlabel = "a sigmoid(b), a = 1: = ∂/∂a", "∂/∂b"
        else:
            y = f(u, ones, **kw)
            da = f.backward(np.ones_like(u), u, ones, **kw)[0]
            label, dlabel = f"{name}(a, b = {b:g}) = ∂/∂b", "∂/∂a"
        ax.axhline(0, color="#cccccc", lw=0.8)
        ax.axvline(0, color="#cccccc", lw=0.8)
        ax.plot(u, y, color=F_COLOR, lw=2.2, label=label)
        ax.plot(u, da, color=D_COLOR, lw=1.8, ls="--", label=dlabel)
        title = {"geglu": "gelu(a, approximate='tanh') * b",
                 "glu": "a * sigmoid(b), halves of x"}.get(name, f.info.formula)
        ax.set_title(f"{name}: {title}", fontsize=9)
        ax.set_xlabel("b (the gated half)" if name == "glu" else "a")
        ax.legend(fontsize=8, loc="upper left")
    return fig


def plot_vanishing_gradients(result=None, ax=None):
    """Gradient norm per layer, log scale, from :func:`vanishing_gradients` (run if None).

    Each curve is ``||dL/dz_l||`` divided by its value at the top layer, so all start at 1
    on the right and the slope is the per-layer factor; the seed's 0.25^n is drawn beside
    the sigmoid.  Returns the Figure.
    """
    res = ex.vanishing_gradients() if result is None else result
    fig, ax = _new_axes(ax, (7.5, 4.6))
    layers, depth = res["layers"], res["depth"]
    colors = _colors(res["grad"])
    for i, (name, g) in enumerate(res["grad"].items()):
        rel = g / g[-1]
        mean_factor = np.exp(np.mean(np.log(res["factor"][name])))
        # every other curve dashed, so curves that coincide (ReLU, Leaky ReLU) both show
        ax.semilogy(layers, rel, color=colors[name], lw=2, ls="-" if i % 2 == 0 else "--",
                    marker="o" if i % 2 == 0 else None, ms=2.5,
                    label=f"{name} ({res['init'][name]}): ×{mean_factor:.3f}/layer")
    if res["bound"] is not None:
        ax.semilogy(layers, res["bound"] / res["bound"][-1], color="black", lw=1.2, ls="--",
                    label="0.25ⁿ, n = layers below the top")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("‖∂L/∂z‖ relative to the top layer")
    ax.set_xlim(0.5, depth + 0.5)
    ax.set_title(f"Gradient reaching each layer: {depth} layers of width {res['width']}, "
                 f"seed {res['seed']}", fontsize=10)
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    return fig


def plot_dead_neurons(result=None, ax=None):
    """Dead fraction against the bias shift, from :func:`dead_neurons` (run if None).

    Solid: units with ``|f'| < threshold`` for the whole batch (no gradient, cannot
    recover).  Dashed grey: units whose output is never positive (the same for all).
    Returns the Figure.
    """
    res = ex.dead_neurons() if result is None else result
    fig, ax = _new_axes(ax, (7.5, 4.4))
    s = res["shifts"]
    colors = _colors(ex.VANISHING_NAMES)
    first = next(iter(res["silent"]))
    markers = ("o", "s", "^", "v", "D")
    for i, (name, dead) in enumerate(res["dead"].items()):
        ax.plot(s, 100 * dead, color=colors.get(name, PALETTE[i % len(PALETTE)]), lw=2,
                marker=markers[i % len(markers)], ms=6 - i, mfc="white" if i % 2 else None,
                label=f"{name}: dead (|f'| < {res['threshold']:g} for every input)")
    # drawn last: for ReLU it coincides with the dead curve
    ax.plot(s, 100 * res["silent"][first], color="#333333", lw=1.3, ls=(0, (5, 3)), zorder=5,
            label="output never positive (the same units for all three)")
    ax.set_xlabel(f"bias shift (every bias set to −shift; unshifted pre-activations have "
                  f"std {res['z_std']:.2f})")
    ax.set_ylabel("% of units")
    ax.set_ylim(-3, 103)
    ax.set_xlim(s[0], s[-1])
    ax.set_title(f"Dead units: {res['units']} units, batch of {res['batch']}, "
                 f"seed {res['seed']}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", framealpha=0.9)
    return fig


def plot_losses(ax=None):
    """The output layers' losses against one logit, each with its gradient (two panels,
    or into ``ax``, a pair of Axes): binary cross-entropy with logits for target 1 and 0
    (sigmoid output), and cross-entropy over 3 classes as the true class's logit moves
    with the other two at 0 (softmax output), plain and with label_smoothing=0.1.
    Computed with ``value_and_grad`` (reduction='none').  Returns the Figure."""
    from ... import binary_cross_entropy_with_logits as bce, cross_entropy as ce
    if ax is None:
        require_matplotlib()
        from matplotlib.figure import Figure
        fig = Figure(figsize=(11, 4.2), layout="constrained")
        axes = fig.subplots(1, 2)
    else:
        axes = ax
        fig = axes[0].figure
    z = np.linspace(-8, 8, 801)
    a0, a1 = axes
    for t, color in ((1.0, F_COLOR), (0.0, PALETTE[3])):
        loss, grad = bce.value_and_grad(z, np.full_like(z, t), reduction="none")
        a0.plot(z, loss, color=color, lw=2.2, label=f"loss, target {t:g}")
        a0.plot(z, grad, color=color, lw=1.6, ls="--", label=f"∂loss/∂z = σ(z) − {t:g}")
    a0.set_title("sigmoid output: binary_cross_entropy_with_logits", fontsize=10)
    a0.set_xlabel("logit z")
    logits = np.zeros((z.size, 3))
    logits[:, 0] = z
    target = np.zeros(z.size, dtype=np.int64)
    for eps, color in ((0.0, F_COLOR), (0.1, D_COLOR)):
        loss, grad = ce.value_and_grad(logits, target, reduction="none", label_smoothing=eps)
        tag = "" if eps == 0 else f", label_smoothing={eps:g}"
        a1.plot(z, loss, color=color, lw=2.2, label=f"loss{tag}")
        a1.plot(z, grad[:, 0], color=color, lw=1.6, ls="--",
                label=f"∂loss/∂z = p − {1 - eps + eps / 3:.3g}" if eps else "∂loss/∂z = p − 1")
    a1.set_title("softmax output: cross_entropy, 3 classes, the others' logits 0",
                 fontsize=10)
    a1.set_xlabel("logit z of the true class")
    for a, where in ((a0, "upper center"), (a1, "upper right")):
        a.axhline(0, color=RANGE_COLOR, lw=0.8)
        a.set_ylim(-1.2, 8.2)
        a.grid(alpha=0.3)
        a.legend(fontsize=8, loc=where, framealpha=0.9)
    return fig
