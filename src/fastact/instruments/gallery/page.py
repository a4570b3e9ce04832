"""index.html: one self-contained page (figures as base64 data URIs, inline CSS, no scripts).

The sections follow the seed explainer's order: why activations matter, the activations
one by one, the vanishing gradient, (the dead-unit experiment), choosing one, takeaways.
The text is fastact's own; the facts come from the registry and the numbers from the
experiments run for this page.
"""

import base64
import html
import math

import numpy as np

from ... import ACTIVATIONS
from . import experiments as ex


CSS = """
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       max-width: 1060px; margin: 0 auto; padding: 1.5em 1.2em 4em; }
h1 { margin-bottom: 0.1em; } h2 { margin-top: 2.2em; border-bottom: 2px solid #e3e3e3; }
h3 { margin: 1.8em 0 0.3em; } code { background: #f2f2f4; padding: 0 0.25em; border-radius: 3px; }
.sub { color: #555; margin-top: 0; } .meta { color: #666; font-size: 0.85em; }
figure { margin: 0.8em 0; } img { max-width: 100%; height: auto; border: 1px solid #e6e6e6; }
figcaption { color: #555; font-size: 0.88em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em;
           margin: 0.4em 0; }
dl.facts dt { font-weight: 600; color: #444; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; font-size: 0.86em; margin: 0.8em 0; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #f5f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
nav ol { columns: 2; }
.eq { font-family: ui-monospace, Menlo, Consolas, monospace; margin-left: 1.5em; }
"""

SECTIONS = (("why", "Why activation functions matter"), ("gallery", "The activations"),
            ("gated", "Gated activations"), ("vanishing", "The vanishing gradient, measured"),
            ("dead", "Dead units, measured"), ("losses", "Output layers and their losses"),
            ("choosing", "Choosing an activation"),
            ("takeaways", "Key takeaways"))


def _e(text):
    return html.escape(str(text), quote=True)


def _img(fig, alt):
    """``fig`` is (file name, PNG bytes); the image is embedded, the file name kept."""
    fname, data = fig
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<img src="data:image/png;base64,{b64}" alt="{_e(alt)}" '
            f'data-file="{_e(fname)}">')


def _figure(fig, alt, caption):
    return f"<figure>{_img(fig, alt)}<figcaption>{caption}</figcaption></figure>"


def _sci(v):
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def _pow10(v):
    """v as 'a.b × 10^k' in HTML."""
    k = math.floor(math.log10(abs(v)))
    return f"{v / 10 ** k:.1f} × 10<sup>{k}</sup>"


def _gm(values):
    return float(np.exp(np.mean(np.log(values))))


def _vanishing_notes(res):
    """The paragraph under the table, with this run's numbers for the claims it makes."""
    depth, g, fac = res["depth"], res["grad"], res["factor"]
    out = []
    relus = [n for n in ("relu", "leaky_relu") if n in g]
    if relus:
        kept = ", ".join(f"{n} {g[n][0] / g[n][-1]:.2f}" for n in relus)
        out.append(
            f"<p>ReLU and Leaky ReLU keep the gradient's size from top to bottom (layer 1 / "
            f"layer {depth}: {kept}): with He initialisation about half the units are active "
            f"and pass the gradient with derivative 1, and the factor 2 in He's variance "
            f"makes up for the other half.</p>")
    if "tanh" in g:
        out.append(
            f"<p>Tanh with Xavier weights loses only a factor {g['tanh'][-1] / g['tanh'][0]:.1f} "
            f"over the {depth} layers here: with zero biases its activations shrink with depth "
            f"towards 0, where tanh′ ≈ 1. The price is a forward signal that fades, and as "
            f"soon as its inputs are large, tanh saturates and its gradient vanishes like the "
            f"sigmoid's.</p>")
    smooth = [n for n in ("gelu", "silu") if n in g]
    if smooth:
        half = depth // 2
        upper = ", ".join(f"{n} ×{_gm(fac[n][half:]):.2f}" for n in smooth)
        out.append(
            f"<p>GELU and SiLU have slope 0.5 at 0. In a plain stack with He weights and no "
            f"normalisation the forward signal shrinks with depth, the upper layers work near "
            f"0 where the derivative is about 0.5, and there the gradient loses a steady "
            f"factor per layer (upper {depth - half} layers: {upper}). Transformers pair GELU "
            f"with normalisation layers and residual connections, which this bare experiment "
            f"leaves out on purpose.</p>")
    return "\n".join(out)


def _activation(name, fig, note):
    info = ACTIVATIONS[name].info
    params = ", ".join(p.name if p.required else f"{p.name}={p.default!r}"
                       for p in info.params)
    # required parameters have no default: the figure shows their example values
    example = ", ".join(f"{p.name}={p.default!r}" for p in info.params if p.required)
    md = "—" if info.max_derivative is None else f"{info.max_derivative:g}"
    facts = [("f(x)", f"<code>{_e(info.formula)}</code>"),
             ("f′(x)", f"<code>{_e(info.derivative)}</code>"),
             ("output range", _e(info.output_range)),
             ("zero-centred", "yes" if info.zero_centred else "no"),
             ("max |f′|", md), ("when to use", _e(info.use)), ("when to avoid", _e(info.avoid)),
             ("kinks, limits", _e(info.kinks_text))]
    if params:
        facts.insert(0, ("call", f"<code>fastact.{name}(x, {_e(params)})</code>"))
    if example:
        facts.insert(1, ("plotted with", f"<code>{_e(example)}</code>"))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    out = [f'<h3 id="{name}">{_e(name)}</h3>']
    if note:
        out.append(f"<p>{note}</p>")
    out.append(f'<dl class="facts">{dl}</dl>')
    out.append(_figure(fig, f"{name} and its derivative",
                       f"{_e(name)} (solid) and its derivative (dashed) over "
                       f"[{info.plot_range[0]:g}, {info.plot_range[1]:g}], computed by "
                       f"fastact's kernels. Dotted lines: bounds of the output range; red "
                       f"dots: kinks (value at the kink, open circles for the one-sided "
                       f"limits), the derivative's maximum and the function's minimum."))
    return "\n".join(out)


def _vanishing(res, fig):
    depth = res["depth"]
    rows = []
    for name, g in res["grad"].items():
        fac = res["factor"][name]
        gm = _gm(fac)
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{_e(res['init'][name])}</td>"
            f'<td class="num">{_sci(g[-1])}</td><td class="num">{_sci(g[depth // 2 - 1])}</td>'
            f'<td class="num">{_sci(g[0])}</td><td class="num">{_sci(g[0] / g[-1])}</td>'
            f'<td class="num">{gm:.3f}</td>'
            f'<td class="num">{fac.min():.3f} – {fac.max():.3f}</td></tr>')
    sig = res["grad"].get("sigmoid")
    sig_text = ""
    if sig is not None:
        fac = res["factor"]["sigmoid"]
        sig_text = (
            f"<p>In the sigmoid network the gradient is multiplied by "
            f"{_gm(fac):.3f} per layer on average (every layer between {fac.min():.3f} "
            f"and {fac.max():.3f}): "
            f"from the top layer to layer 1 the gradient falls by a factor "
            f"{_pow10(sig[-1] / sig[0])}; the seed's bound, 0.25 per layer, gives "
            f"{_pow10(0.25 ** -(depth - 1))} for {depth - 1} layers. With Xavier weights a "
            f"layer's matrix roughly preserves the norm of a random vector, so what is left "
            f"is the derivative, which never exceeds 0.25 and "
            f"is close to it here because the pre-activations stay near 0.</p>")
    notes = _vanishing_notes(res)
    head = ("<tr><th>activation</th><th>init</th>"
            f"<th>‖∂L/∂z‖ layer {depth}</th><th>layer {depth // 2}</th><th>layer 1</th>"
            f"<th>layer 1 / layer {depth}</th><th>mean factor per layer</th>"
            "<th>factor range</th></tr>")
    return f"""
<p>Backpropagation applies the chain rule layer by layer, from the loss back to the input:</p>
<p class="eq">∂L/∂h<sub>1</sub> = ∂L/∂h<sub>n</sub> · ∂h<sub>n</sub>/∂h<sub>n−1</sub> ⋯
∂h<sub>2</sub>/∂h<sub>1</sub>, &nbsp; each factor
∂h<sub>k</sub>/∂h<sub>k−1</sub> = diag(f′(z<sub>k</sub>)) W<sub>k</sub><sup>T</sup></p>
<p>so every layer multiplies the gradient by the activation's derivative once. A derivative
below 1 at every layer shrinks it geometrically. The sigmoid's is at most 0.25: ten layers
give at most 0.25<sup>10</sup> ≈ 9.5 × 10<sup>−7</sup>, twenty about 10<sup>−12</sup>. ReLU's
derivative is exactly 1 wherever the unit is active, so the product does not shrink with
depth.</p>
<p><b>The experiment.</b> A fully connected network of {depth} layers of width
{res['width']} without biases, a batch of {res['batch']} random N(0, 1) inputs and a fixed
random linear read-out as the loss, seed {res['seed']}. Weights are Xavier/Glorot-normal for
the bounded sigmoid and tanh and He-normal for the ReLU family (the same random matrices,
scaled). Forward <code>f(z)</code> and backward <code>f.backward(g, z)</code> are fastact's
kernels (float64), the matrix products NumPy's. Plotted is ‖∂L/∂z<sub>l</sub>‖, the gradient
that reaches layer l (the weight gradient is h<sub>l−1</sub><sup>T</sup> ∂L/∂z<sub>l</sub>),
relative to the top layer.</p>
{_figure(fig, "gradient norm per layer", "Gradient norm per layer on a log scale, relative "
         "to the top layer; the dashed line is 0.25<sup>n</sup> for n layers below the top. "
         "The legend gives each activation's mean factor per layer.")}
{sig_text}
<table id="vanishing-table"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>
{notes}
"""


def _dead_notes(res):
    """The paragraph under the table, with this run's numbers for the claims it makes."""
    shifts, dead, silent = res["shifts"], res["dead"], res["silent"]
    out = []

    def first_dead(name):
        hit = np.flatnonzero(dead[name] > 0)
        return None if hit.size == 0 else float(shifts[hit[0]])

    if "relu" in dead:
        same = np.array_equal(dead["relu"], silent["relu"])
        out.append(f"ReLU's units die {'exactly as soon as' if same else 'as'} they are pushed "
                   f"below zero for the whole batch: from a shift of {first_dead('relu'):g} "
                   f"on, up to {100 * dead['relu'].max():.0f}% of them.")
    if "leaky_relu" in dead:
        slope = ACTIVATIONS["leaky_relu"].params[0].default
        s0 = first_dead("leaky_relu")
        out.append(f"Leaky ReLU's units are pushed to the same side, but "
                   + ("none dies" if s0 is None else f"they die only from a shift of {s0:g}")
                   + f": the slope {slope:g} still carries a gradient.")
    if "gelu" in dead:
        g3 = float(ACTIVATIONS["gelu"].derivative(-3.0))
        s0 = first_dead("gelu")
        if s0 is None:
            when = "none dies in this range of shifts."
        else:
            when = (f"they start to die only from a shift of {s0:g}, when "
                    f"{100 * silent['gelu'][shifts == s0][0]:.0f}% of them are on the negative "
                    f"side for the whole batch.")
        out.append(f"GELU's derivative fades slowly on the negative side "
                   f"(GELU′(−3) = {g3:.3f}), so its units keep a gradient until every "
                   f"input is several units below zero: {when}")
    return "<p>" + " ".join(out) + "</p>"


def _dead(res, fig):
    shifts = res["shifts"]
    show = [i for i, s in enumerate(shifts) if float(s) in (0, 2, 3, 4, 5, 6, 7, 8)]
    if len(show) < 3:
        show = range(len(shifts))
    names = list(res["dead"])
    head = "<tr><th>bias shift</th><th>output never positive</th>" + "".join(
        f"<th>dead: {_e(n)}</th>" for n in names) + "</tr>"
    first = names[0]
    body = "".join(
        f'<tr><td class="num">{shifts[i]:g}</td>'
        f'<td class="num">{100 * res["silent"][first][i]:.1f}%</td>'
        + "".join(f'<td class="num">{100 * res["dead"][n][i]:.1f}%</td>' for n in names)
        + "</tr>" for i in show)
    thr = res["threshold"]
    return f"""
<p>A ReLU unit dies when its input is negative for every example: it outputs 0, its gradient
is 0, and no update can revive it. A typical cause is a large step that pushes a unit's bias
far negative. The experiment does that directly: one fully connected layer of
{res['units']} units (He-normal weights, {res['fan_in']} inputs), a batch of {res['batch']}
random inputs, and every bias set to −shift, for shifts from {shifts[0]:g} to {shifts[-1]:g}
(the unshifted pre-activations have standard deviation {res['z_std']:.2f}); seed
{res['seed']}.</p>
<p><b>What counts as dead.</b> "Outputs 0 for every input" only makes sense for ReLU; a Leaky
ReLU or GELU unit on the negative side outputs small negative numbers. What matters for
training is whether a gradient still reaches the unit's weights, so the definition used for
all three is: <i>|f′(z)| &lt; {thr:g} for every input of the batch</i>, computed with
fastact's derivative kernels. That is ten times below Leaky ReLU's smallest slope (0.01) and
about a thousand times below a working unit's derivative; for ReLU it is exactly "outputs 0
for every input". The dashed line counts the units whose output is never positive, which is
the same set for the three activations (each is positive exactly when z &gt; 0): it shows
how many units each one has pushed to its negative side.</p>
{_figure(fig, "dead units against the bias shift", "Percentage of dead units (solid) and of "
         "units never positive (dashed) as the biases are shifted down.")}
<table id="dead-table"><thead>{head}</thead><tbody>{body}</tbody></table>
{_dead_notes(res)}
"""


def _losses(fig):
    return f"""<p>The last layer turns scores (logits) into the prediction, and the loss that
goes with it is written on the logits, not on the probabilities: it is then exact for any
logit and its gradient is a plain difference.</p>
<ul>
<li><b>Binary (or multi-label) classification:</b> sigmoid output, with
<code>fastact.binary_cross_entropy_with_logits(logits, target, weight=None,
pos_weight=None, reduction='mean')</code>. The loss is
<code>pos_weight·t·softplus(−z) + (1 − t)·softplus(z)</code> and its gradient
<code>σ(z) − t</code> (with weights, <code>w·((1 − t)·σ(z) − pos_weight·t·σ(−z))</code>).</li>
<li><b>Several classes:</b> softmax output, with <code>fastact.cross_entropy(logits,
target, axis=-1, weight=None, ignore_index=-100, reduction='mean',
label_smoothing=0.0)</code>: <code>log Σ exp(z) − z<sub>true</sub></code>, computed with the
row's maximum subtracted, and the gradient softmax(z) minus the one-hot target (minus the
smoothed target with <code>label_smoothing</code>, times the class weights with
<code>weight</code>). The target is integer class indices or class probabilities. The
class axis is NumPy's last by default; <code>axis=1</code> is PyTorch's (N, C, ...)
layout.</li>
</ul>
<p>Each has <code>value_and_grad(...)</code> with the same arguments, which returns
<code>(loss, ∂loss/∂logits)</code> from one pass over the logits: the gradient a NumPy
training loop feeds to the layer below, without a softmax or sigmoid array in between.
The names, parameters and semantics are those of <code>torch.nn.functional</code>.</p>
{_figure(fig, "the output layers' losses and their gradients",
         "Left: binary cross-entropy against the logit for target 1 and 0 (solid) and its "
         "gradient σ(z) − t (dashed): the loss grows linearly for confident mistakes, and "
         "the gradient never exceeds 1 in size. Right: cross-entropy over three classes as "
         "the true class's logit z moves (the others at 0), with its gradient p − 1; label "
         "smoothing 0.1 moves the target to 0.933, so the loss has a minimum and the "
         "gradient turns positive once the class is over-confident. Computed with fastact's "
         "value_and_grad.")}
"""


def _guide(rows):
    head = ("<tr><th>activation</th><th>output range</th><th>zero-centred</th><th>max |f′|</th>"
            "<th>when to use</th><th>when to avoid</th><th>forward Melem/s</th>"
            "<th>backward Melem/s</th></tr>")
    body = []
    for r in rows:
        md = "—" if r["max_derivative"] is None else f"{r['max_derivative']:g}"
        body.append(
            f'<tr><td><a href="#{r["name"]}">{_e(r["name"])}</a></td>'
            f'<td>{_e(r["output_range"])}</td>'
            f"<td>{'yes' if r['zero_centred'] else 'no'}</td><td class=\"num\">{md}</td>"
            f"<td>{_e(r['use'])}</td><td>{_e(r['avoid'])}</td>"
            f'<td class="num">{r["forward"]:,.0f}</td>'
            f'<td class="num">{r["backward"]:,.0f}</td></tr>')
    return f'<table id="guide"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def render(figures, vanishing, dead, rows, meta):
    """The page as a string.

    ``figures``: name -> (file name, PNG bytes) for every activation plus "overview",
    "vanishing" and "dead"; ``vanishing``/``dead``: the experiments' results; ``rows``:
    :func:`guide_rows` with speeds; ``meta``: dict with "versions", "speed_note", "command".
    """
    gm = ex.features("gelu")["minimum"] if "gelu" in ACTIVATIONS else None
    fmt = {"gelu_gap": _pow10(ex.gelu_tanh_gap()),
           "gelu_min": f"{gm[1]:.3f}" if gm else "", "gelu_argmin": f"{gm[0]:.3f}" if gm else ""}
    gallery = "\n".join(_activation(name, figures[name], (ACTIVATIONS[name].info.note or "").format(**fmt))
                        for name in ACTIVATIONS)
    nav = "".join(f'<li><a href="#{sid}">{title}</a></li>' for sid, title in SECTIONS)
    titles = dict(SECTIONS)
    n = len(ACTIVATIONS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fastact: activation functions gallery</title>
<style>{CSS}</style></head>
<body>
<h1>Activation functions gallery</h1>
<p class="sub">The nonlinearities of neural networks, their derivatives, and two experiments
that show why the derivative decides how a deep network trains: {n} activations, drawn and
measured with fastact's kernels.</p>
<p class="meta">Generated by <code>{_e(meta['command'])}</code> with {_e(meta['versions'])}.
Experiments use a fixed seed; rerun the command to reproduce them.</p>
<nav><ol>{nav}</ol></nav>

<h2 id="why">{titles['why']}</h2>
<p>Stack linear layers and you get another linear layer:</p>
<p class="eq">h = W<sub>1</sub>x, &nbsp; z = W<sub>2</sub>h = W<sub>2</sub>W<sub>1</sub>x, &nbsp;
out = W<sub>3</sub>z = (W<sub>3</sub>W<sub>2</sub>W<sub>1</sub>)x = Wx</p>
<p>However many layers, the network can only draw straight lines (flat planes) and cannot
fit a curve. Putting a nonlinear function after each layer stops the product from
collapsing into one matrix, and with it a deep network can approximate any continuous
function, decision boundaries included. The choice of function then shapes how gradients
travel back through the layers, and with that how fast the network trains and whether it
trains at all.</p>
{_figure(figures['overview'], "all activations", f"All {n} activations of fastact, in the "
         "registry's order: each function (solid) with its derivative (dashed).")}

<h2 id="gallery">{titles['gallery']}</h2>
<p>The five the explainer covers come first (sigmoid, tanh, ReLU, Leaky ReLU with its
variants PReLU and RReLU, GELU), then the others fastact implements. Facts are fastact's
registry, the curves its kernels; the derivative follows PyTorch's conventions at kinks
(relu′(0) = 0, for example).</p>
{gallery}

<h2 id="gated">{titles['gated']}</h2>
<p>The MLP block of most current transformers multiplies two projections of its input, one
passed through an activation: down(f(gate(x)) · up(x)). LLaMA, Mistral and Qwen use
SwiGLU (f = SiLU), Gemma GeGLU (f = GELU, in its tanh form); ReGLU and the original GLU
(a · sigmoid(b), the two halves of one projection) are the older members of the family.
fastact computes them as binary ufuncs, <code>fastact.swiglu(a, b)</code>, and their
backward in one fused pass: <code>swiglu.backward(g, a, b)</code> returns
(g · b · f′(a), g · f(a)). At b = 1 the product is the gate itself and equals its own
derivative with respect to b; the dashed curve is the derivative with respect to a.</p>
{_figure(figures['gated'], "the gated activations", "The gated activations at b = 1 "
         "(glu: a = 1, against its gated half), with their partial derivatives.")}

<h2 id="vanishing">{titles['vanishing']}</h2>
{_vanishing(vanishing, figures['vanishing'])}

<h2 id="dead">{titles['dead']}</h2>
{_dead(dead, figures['dead'])}

<h2 id="losses">{titles['losses']}</h2>
{_losses(figures['losses'])}

<h2 id="choosing">{titles['choosing']}</h2>
<ul>
<li><b>Hidden layers, most networks:</b> start with ReLU: cheap, well understood, and its
gradient does not shrink with depth.</li>
<li><b>Many dead units:</b> switch to Leaky ReLU or ELU, which keep a gradient on the
negative side.</li>
<li><b>Transformers and attention models:</b> GELU is the standard.</li>
<li><b>Output layers:</b> sigmoid for a binary label (a probability), softmax for several
classes (a distribution), linear for regression (ReLU if the target is never negative).</li>
<li><b>RNN and LSTM cells:</b> tanh for the cell state, sigmoid for the gates.</li>
</ul>
<p>The table collects every activation's facts from fastact's registry, with the speed of
its kernels measured while this page was generated: {_e(meta['speed_note'])}</p>
{_guide(rows)}

<h2 id="takeaways">{titles['takeaways']}</h2>
<ol>
<li>Without a nonlinearity a deep network is one linear map; activations are what let it
learn curved functions.</li>
<li>Sigmoid and tanh saturate, and in deep stacks their small derivatives make gradients
vanish: the sigmoid network above loses a factor of about 4 per layer.</li>
<li>ReLU keeps the gradient's size through depth, at the risk of units that die.</li>
<li>Leaky ReLU and ELU keep a gradient on the negative side, so their units do not die.</li>
<li>GELU, smooth and ReLU-like for large inputs, is the default of transformers.</li>
<li>For training, the derivative matters more than the function: it is what
backpropagation multiplies.</li>
<li>Deep networks need derivatives close to 1 where the units operate, together with an
initialisation that keeps the weights' gain near 1.</li>
</ol>
</body></html>
"""
