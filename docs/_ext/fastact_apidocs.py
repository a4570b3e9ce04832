"""Sphinx extension: one API page per activation, gated function and loss, from the records.

At ``builder-inited`` it writes ``docs/api/generated/<name>.rst`` (and ``<name>.png``, the
gallery's figure of f and f') for every name in ``fastact.ACTIVATIONS``, ``fastact.GATED``
and the losses (``fastact.losses.ACCURACY``), plus ``index.rst`` listing them.  Nothing here
lists functions: a new record gets its page with no edit elsewhere.  Each page holds the
signature, formula, derivative, the figure, the parameters and their rules, the methods
(derivative, backward, from-output forms), kinks and limits, the accuracy bounds and the
measured maximum errors (parsed from ``docs/accuracy.txt``), the measured speed against
the peers (parsed from ``docs/bench.txt``, machine named), when to use and when to avoid,
and the object's docstring through autodoc.

:func:`generate` runs without Sphinx (tests/test_docs_site.py calls it with
``plots=False``).  Files are rewritten only when their content changed, so an incremental
build stays incremental.
"""

import html
import inspect
import math
import os
import re

DOCS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(DOCS, "api", "generated")
METHODS = ("derivative", "backward", "derivative_from_output", "backward_from_output",
           "second_derivative", "double_backward", "value_and_grad", "reference")


# ---- the measured figures ----------------------------------------------------------------

def read_accuracy(path=os.path.join(DOCS, "accuracy.txt")):
    """{(function, dtype, kind): (max ulp, max abs, bound)} from the accuracy tool's output.

    The file is several runs appended; a later row replaces an earlier one (the reruns after
    a kernel changed come last).  'max abs' is in eps * max|f'| (where the tool uses it)."""
    rows = {}
    if not os.path.exists(path):
        return rows
    pat = re.compile(r"^(float\d+|bfloat16)\s+(\w+)\s+(\w+)\s+[\d,]+\s+(\S+)\s+\S+\s+\S+\s+\S+"
                     r"\s+(\S+)\s+(\S+)")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = pat.match(line)
            if m:
                dtype, fn, kind, ulp, bound, mabs = m.groups()
                rows[(fn, dtype, kind)] = (ulp, mabs, bound)
    return rows


def read_bench(path=os.path.join(DOCS, "bench.txt")):
    """The bench's tables: ({(function, dtype): {"speed": ..., "error": ...}}, machine, peers).

    Each table maps a column header (fastact, numpy, torch, ..., "vs best") to the figure
    of the forward and of the backward.  A later table's row replaces an earlier one (the
    file's reruns come last), except from a run with another softmax row length (--row),
    and the run heading ("# python -m fastact bench ...") it came from is kept with it."""
    out, machine, peers = {}, "", ""
    if not os.path.exists(path):
        return out, machine, peers
    heading, dtype, cols, kind = "", None, None, None
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith("# "):
                heading = line[2:].strip()
                # the first run's heading names the date and the machine
                machine = machine or re.sub(r"^python -m fastact bench[^,]*,\s*", "", heading)
                continue
            if line.startswith("peers:") and not peers:
                peers = line[len("peers:"):].strip()
            if line.startswith("What each gives up"):
                kind = "error"
                continue
            if line.startswith("Melem/s"):
                kind = "speed"
                continue
            m = re.match(r"^(float32|float64|bfloat16|float16)\s+forward", line)
            if m:
                dtype = m.group(1)
                continue
            if line.startswith("function ") and dtype:
                left, _, right = line.partition("|")
                cols = (left.split()[1:], right.split())
                cols = ([c + (" " + n if c == "vs" else "") for c, n in _pairs(cols[0])],
                        [c + (" " + n if c == "vs" else "") for c, n in _pairs(cols[1])])
                continue
            if not line.strip():
                dtype = cols = None
                continue
            if cols and dtype and "|" in line:
                left, _, right = line.partition("|")
                lv, rv = left.split(), right.split()
                name = lv[0]
                fwd = dict(zip(cols[0], lv[1:]))
                bwd = dict(zip(cols[1], rv))
                entry = out.setdefault((name, dtype), {})
                if "--row" in heading and (kind or "speed") in entry:
                    continue  # another row length is another case, not a rerun of this one
                entry[kind or "speed"] = (fwd, bwd, heading)
    return out, machine, peers


def _pairs(words):
    """Column headers, with 'vs best' / 'vs ref' joined into one header each."""
    i = 0
    while i < len(words):
        if words[i] == "vs" and i + 1 < len(words):
            yield words[i], words[i + 1]
            i += 2
        else:
            yield words[i], None
            i += 1


def read_markdown_table(path, first_cell, after=None):
    """The cells of the markdown table row that starts with ``| first_cell |``, with the
    header's cells: (header, row), or None.  ``after``: look only below the line that
    starts with it."""
    if not os.path.exists(path):
        return None
    header = None
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines(keepends=True)
        if after is not None:
            starts = [i for i, line in enumerate(lines) if line.startswith(after)]
            lines = lines[starts[0]:] if starts else []
        for line in lines:
            if line.startswith("|") and not line.startswith("|---"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if header is None or not cells[0] or cells[0] in ("kernel", "loss", "function"):
                    header = cells
                if cells[0] == first_cell:
                    return header, cells
            elif not line.startswith("|"):
                header = None
    return None


# ---- rst helpers -------------------------------------------------------------------------

def _lit(text):
    """Inline literal, safe for any text."""
    text = str(text).replace("\n", " ")
    return f"``{text}``" if "``" not in text and text.strip() else f":code:`{text}`"


def _esc(text):
    text = str(text)
    return re.sub(r"([\\*`|_])", r"\\\1", text)


def _table(header, rows, widths=None):
    """A list-table."""
    out = [".. list-table::", "   :header-rows: 1", ""]
    cell = lambda c: "—" if c in ("", "-", None) else c   # a bare "-" would be a bullet
    for row in [header] + rows:
        out.append("   * - " + cell(row[0]))
        out.extend("     - " + cell(c) for c in row[1:])
    out.append("")
    return out


def _heading(text, ch):
    return [text, ch * len(text), ""]


def _note_text(info):
    """The record's note (gallery HTML) as rst text."""
    note = getattr(info, "note", None)
    if not note:
        return ""
    fmt = _note_format()
    try:
        note = note.format_map(fmt)
    except (KeyError, ValueError, IndexError):
        pass
    note = re.sub(r"<code>(.*?)</code>", lambda m: "\x00" + html.unescape(m.group(1)) + "\x01",
                  note)
    note = html.unescape(re.sub(r"<[^>]+>", "", note))
    note = _esc(note)
    return re.sub("\x00(.*?)\x01", lambda m: _lit(m.group(1).replace("\\", "")), note)


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


_FMT = None


def _note_format():
    """The numbers the gallery fills into the notes (gelu's minimum, the tanh form's gap)."""
    global _FMT
    if _FMT is None:
        _FMT = _Missing()
        try:
            from fastact.instruments.gallery import experiments as ex
            gm = ex.features("gelu")["minimum"]
            _FMT.update(gelu_gap=f"{ex.gelu_tanh_gap():.1e}", gelu_min=f"{gm[1]:.3f}",
                        gelu_argmin=f"{gm[0]:.3f}")
        except Exception:  # the numbers are decoration; a page without them still builds
            pass
    return _FMT


def _signature(obj, name):
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return f"{name}(...)"


def _rules(p):
    rules = []
    if getattr(p, "required", False):
        rules.append("required (no default, as PyTorch); the figure and examples use "
                     f"{p.default!r}")
    if getattr(p, "nonzero", False):
        rules.append("nonzero, also after the cast to the data's dtype")
    inf = getattr(p, "inf", None)
    if getattr(p, "nonfinite", False):
        rules.append("any value, ±inf and NaN too (as PyTorch takes them)")
    else:
        rules.append(f"finite, or {inf!r}" if inf is not None
                     else "finite (NaN and ±inf refused)")
    at_least = getattr(p, "at_least", None)
    if at_least is not None:
        rules.append(f">= {at_least}")
    if getattr(p, "from_output_nonnegative", False):
        rules.append("the from-output forms need it >= 0")
    for value, canon in getattr(p, "aliases", ()) or ():
        rules.append(f"{value!r} means {canon!r}")
    if isinstance(p.default, str):
        rules[:] = [r for r in rules if not r.startswith("finite")]
        rules.append("a string")
    if p.default is None and not getattr(p, "required", False):
        rules.append("None (the default) means not given")
    return "; ".join(rules)


def _fmt_ulp(v):
    return v if v not in (None, "") else "-"


# ---- pages -------------------------------------------------------------------------------

def _accuracy_section(name, info, acc_rows):
    out = _heading("Accuracy", "-")
    acc = getattr(info, "accuracy", None)
    kinds = ("forward", "derivative", "backward", "derivative_from_output",
             "backward_from_output", "second_derivative")
    dtypes = ("float32", "float64")
    rows = []
    for kind in kinds:
        cells = [acc_rows.get((name, dt, kind)) for dt in dtypes]
        if any(cells):
            row = [kind]
            for c in cells:
                row.append("-" if c is None else
                           (c[0] if c[1] in ("-", "") else f"{c[0]} ({c[1]} eps·M abs)"))
            row.append("-" if not any(cells) else next(c for c in cells if c)[2])
            rows.append(row)
    if acc is not None and hasattr(acc, "forward") and hasattr(acc, "derivative"):
        out.append(f"Bounds held by the accuracy tool and CI (``fastact/records/{name}.py``): "
                   f"forward {acc.forward:g} ULP, f' {acc.derivative:g} ULP, backward "
                   f"{acc.backward:g} ULP"
                   + (f"; within {acc.abs_eps:g} eps·max \\|f'\\| absolute near the zeros of f'"
                      if getattr(acc, "crossings", None) else "")
                   + (f"; f'' {acc.second_derivative:g} ULP"
                      if getattr(info, "mp_second", None) is not None else "")
                   + (f" (within {acc.abs_eps:g} eps·max \\|f''\\| absolute near its zeros)"
                      if getattr(acc, "crossings2", None) else "") + ".")
        out.append("")
    elif acc is not None:
        fields = getattr(acc, "_fields", ())
        parts = [f"{f} {getattr(acc, f):g}" for f in fields
                 if isinstance(getattr(acc, f), (int, float)) and f != "abs_eps"]
        out.append("Bounds (ULP), held against mpmath by ``tests/test_gated.py``: "
                   + ", ".join(parts) + ".")
        out.append("")
    if rows:
        out.append("Maximum error measured over every float32 input and 524,288 float64 "
                   "points (``python -m fastact accuracy``, from :doc:`docs/accuracy.txt "
                   "</accuracy>`), in ULP; 'eps·M abs' is the absolute error in eps times "
                   "max \\|f'\\|, the measure near zeros of f' and for the from-output forms:")
        out.append("")
        out += _table(["kind", "float32 max ULP", "float64 max ULP", "bound (ULP)"], rows)
    row16 = read_markdown_table(os.path.join(DOCS, "accuracy.md"), name,
                                after="(accuracy-16bit)=")
    if row16:
        header, cells = row16
        out.append("float16 and bfloat16 compute in float32 and round once; every 16-bit "
                   "input (``python -m fastact accuracy16``; :ref:`accuracy-16bit`), max ULP "
                   "of the format, '—' where the form does not exist:")
        out.append("")
        out += _table(header[1:], [[c.replace(" - ", " — ").replace("- /", "— /")
                                    .replace("/ -", "/ —") for c in cells[1:]]])
    return out


def _speed_section(name, bench, machine, peers):
    out = _heading("Speed", "-")
    entries = [(dt, bench.get((name, dt))) for dt in ("float32", "float64")]
    entries = [(dt, e) for dt, e in entries if e and "speed" in e]
    if not entries:
        out += ["No measurement of this function in ``docs/bench.txt`` yet "
                "(``python -m fastact bench --only " + name + "``).", ""]
        return out
    out.append(f"Melem/s, one thread, n = 1e6 (higher is better), from ``python -m fastact "
               f"bench`` (run of {_esc(machine or 'the project machine')}); peers: {_esc(peers)}. "
               f"'—': the peer has no such function or dtype. The maximum error of each "
               f"implementation on the same case (ULP) is in parentheses; a tail flushed to "
               f"zero shows as a huge figure. Full output: "
               f":doc:`/speed`.")
    out.append("")
    impls = []
    for _, e in entries:
        for part in e["speed"][:2]:
            for k in part:
                if k not in impls and not k.startswith("vs"):
                    impls.append(k)
    header = ["implementation"]
    for dt, _ in entries:
        header += [f"{dt} forward", f"{dt} backward"]
    rows = []
    for impl in impls + ["vs best"]:
        if all(e["speed"][i].get(impl, "-") == "-" for _, e in entries for i in (0, 1)):
            continue  # a peer without this function
        row = [f"**{impl}**" if impl == "fastact" else
               ("fastact / fastest peer" if impl == "vs best" else impl)]
        for dt, e in entries:
            for i in (0, 1):
                v = e["speed"][i].get(impl, "-")
                err = e.get("error")
                if err and impl in err[i] and err[i][impl] != "-" and v != "-":
                    v = f"{v} ({err[i][impl]})"
                row.append(v)
        rows.append(row)
    out += _table(header, rows)
    heads = {e["speed"][2] for _, e in entries}
    out.append("Run: " + "; ".join(_lit(h) for h in sorted(heads) if h) + ".")
    out.append("")
    return out


def _plot_activation(name, path):
    from fastact.instruments import gallery
    fig = gallery.plot(name)
    fig.set_size_inches(6.4, 3.6)
    fig.savefig(path, dpi=90)


def _plot_gated(name, path):
    import numpy as np
    from matplotlib.figure import Figure
    import fastact
    f = fastact.GATED[name]
    lo, hi = f.info.plot_range
    u = np.linspace(lo, hi, 801)
    ones = np.ones_like(u)
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    if name == "glu":
        x = np.stack([ones, u], axis=-1)
        y, d = f(x)[:, 0], f.backward(np.ones((u.size, 1)), x)[:, 1]
        ax.set_xlabel("b, the gated half (a = 1)")
        labels = ("glu = a sigmoid(b)", "∂/∂b")
    else:
        y, d = f(u, ones), f.backward(ones, u, ones)[0]
        ax.set_xlabel("a (b = 1)")
        labels = (f"{name}(a, 1) = ∂/∂b", "∂/∂a")
    ax.axhline(0, color="#cccccc", lw=0.8)
    ax.axvline(0, color="#cccccc", lw=0.8)
    ax.plot(u, y, color="#1f5fa8", lw=2.2, label=labels[0])
    ax.plot(u, d, color="#e0701b", lw=1.8, ls="--", label=labels[1])
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"{name}: {f.info.formula}", fontsize=9)
    fig.savefig(path, dpi=90)


def _plot_loss(name, path):
    from matplotlib.figure import Figure
    from fastact.instruments import gallery
    if name not in ("cross_entropy", "binary_cross_entropy_with_logits"):
        return _plot_other_loss(name, path)
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    gallery.plot_losses(ax=axes)
    keep = 0 if name == "binary_cross_entropy_with_logits" else 1
    fig.delaxes(axes[1 - keep])
    fig.set_size_inches(6.4, 4.0)
    fig.savefig(path, dpi=90)

def _plot_other_loss(name, path):
    """The loss (solid) and its gradient (dashed) against the input, for target 0 (1 for
    binary_cross_entropy; class 0 of two for nll_loss, against its log-probability)."""
    import numpy as np
    from matplotlib.figure import Figure
    import fastact
    fn = getattr(fastact, name)
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    if name == "nll_loss":
        x = np.linspace(-6, -1e-3, 600)
        logp = np.stack([x, np.log(-np.expm1(x))], axis=1)
        loss, grad = fn.value_and_grad(logp, np.zeros(x.size, np.int64), reduction="none")
        grad = grad[:, 0]
    elif name == "binary_cross_entropy":
        x = np.linspace(0.01, 1, 600)
        loss, grad = fn.value_and_grad(x, np.ones_like(x), reduction="none")
    else:
        x = np.linspace(-3, 3, 601)
        loss, grad = fn.value_and_grad(x, np.zeros_like(x), reduction="none")
    ax.plot(x, loss, lw=2.2, label="loss")
    ax.plot(x, grad, lw=1.6, ls="--", label="gradient")
    ax.set_ylim(-4, 6)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_xlabel("input")
    ax.legend(fontsize=8)
    ax.set_title(name, fontsize=10)
    fig.savefig(path, dpi=90)



def _methods_section(name, obj, info):
    out = _heading("Methods", "-")
    for meth in METHODS:
        m = getattr(obj, meth, None)
        if m is None or not callable(m):
            continue
        out.append(f"- {_lit(_signature(m, name + '.' + meth))}")
    out.append("")
    if getattr(info, "from_output", False):
        out.append("The from-output forms compute f' from y = f(x), so a training step can "
                   "free x after the forward (and ``f(x, out=x)`` works in place): "
                   ":doc:`/guide/backward`.")
        out.append("")
    return out


def _facts(info):
    facts = []
    for label, attr in (("formula", "formula"), ("derivative", "derivative")):
        v = getattr(info, attr, None)
        if v:
            facts.append((label, _lit(v)))
    for label, attr in (("output range", "output_range"), ("domain", "domain")):
        v = getattr(info, attr, None)
        if v is not None and v != (-math.inf, math.inf):
            facts.append((label, _lit(v)))
    for label, attr in (("zero-centred", "zero_centred"), ("monotonic", "monotonic")):
        v = getattr(info, attr, None)
        if v is not None:
            facts.append((label, "yes" if v else "no"))
    v = getattr(info, "max_derivative", None)
    if v is not None:
        facts.append(("max \\|f'\\|", f"{v:g}"))
    limits = getattr(info, "limits", None)
    if limits:
        (fm, fp), (dm, dp) = limits
        facts.append(("limits", _lit(f"f(-inf) = {fm!r}, f(inf) = {fp!r}, f'(-inf) = {dm!r}, "
                                     f"f'(inf) = {dp!r}")))
    if getattr(info, "kinks_text", None):
        facts.append(("kinks and limits", _esc(info.kinks_text)))
    names = [p.name for p in getattr(info, "params", ()) or ()]
    kinks = []
    for args, at, d in getattr(info, "derivatives_at_kinks", ()) or ():
        with_ = ", ".join(f"{n}={v!r}" for n, v in zip(names, args))
        kinks.append(_lit(f"f'({at!r}) = {d!r}" + (f" ({with_})" if with_ else "")))
    if kinks:
        facts.append(("f' at the kinks", ", ".join(kinks)))
    kinks2 = []
    for args, at, d in getattr(info, "second_at_kinks", ()) or ():
        with_ = ", ".join(f"{n}={v!r}" for n, v in zip(names, args))
        kinks2.append(_lit(f"f''({at!r}) = {d!r}" + (f" ({with_})" if with_ else "")))
    if kinks2:
        facts.append(("f'' at the kinks", ", ".join(kinks2)))
    return facts


def _field_list(facts):
    out = []
    for k, v in facts:
        out.append(f":{k}: {v}")
    out.append("")
    return out


def activation_page(name, obj, acc_rows, bench, machine, peers, image):
    info = obj.info
    kind = "gated" if getattr(info, "kind", "") == "gated" else "activation"
    out = [f".. _api-{name}:", ""] + _heading(f"fastact.{name}", "=")
    out += [f".. currentmodule:: fastact", ""]
    out.append(_lit(_signature(obj, "fastact." + name)))
    out.append("")
    note = _note_text(info)
    if note:
        out += [note, ""]
    out += _field_list(_facts(info))
    if image:
        out += [f".. image:: {os.path.basename(image)}",
                f"   :alt: {name} and its derivative", ""]
        out += ["*Solid: f; dashed: f' (for a gated function: its partial derivatives), "
                "computed by fastact's kernels.*", ""]
    out += _heading("Parameters", "-")
    params = getattr(info, "params", ()) or ()
    if params:
        out += _table(["parameter", "default", "rules"],
                      [[_lit(p.name), "(required)" if getattr(p, "required", False)
                        else _lit(repr(p.default)), _esc(_rules(p))] for p in params])
    else:
        out += ["No parameters beyond the " + ("operands" if kind == "gated" else "input")
                + " and ``out=``.", ""]
    if params:
        out += ["Parameters broadcast against the data and are cast to its dtype "
                "(:doc:`/guide/conventions`).", ""]
    out += _methods_section(name, obj, info)
    out += _heading("When to use", "-") + [_esc(getattr(info, "use", "") or "-"), ""]
    out += _heading("When to avoid", "-") + [_esc(getattr(info, "avoid", "") or "-"), ""]
    out += _accuracy_section(info.kernel if hasattr(info, "kernel") and kind != "gated"
                             and (info.kernel, "float64", "forward") in acc_rows else name,
                             info, acc_rows)
    out += _speed_section(name, bench, machine, peers)
    out += _docstring_section(name)
    return "\n".join(out) + "\n"


def _docstring_section(name):
    return _heading("Reference", "-") + [
        f".. autofunction:: fastact.{name}", ""]


# The losses have no record: their formulas, as the guide states them.
LOSS_FORMULAS = {
    "cross_entropy": (
        ("formula", "loss_i = -sum_c w_c t_ic log(softmax(x_i)_c), t_ic the (smoothed) target"),
        ("gradient", "softmax(x_i) - t_i (weights and smoothing folded in), / the reduction's "
                     "divisor"),
        ("computed as", "log-sum-exp with the row's maximum subtracted; x - max carried exactly")),
    "binary_cross_entropy_with_logits": (
        ("formula", "w (pos_weight t softplus(-z) + (1 - t) softplus(z))"),
        ("gradient", "w ((pos_weight t + 1 - t) sigmoid(z) - pos_weight t), i.e. sigmoid(z) - t "
                     "without pos_weight"),
        ("computed as", "the softplus form, which never cancels")),
    "nll_loss": (
        ("formula", "loss_i = -w_y x_iy, x the log-probabilities, y the target class"),
        ("gradient", "-w_y at the target's class, 0 elsewhere, / the reduction's divisor"),
        ("computed as", "a gather and a scatter (PyTorch's weighted mean)")),
    "binary_cross_entropy": (
        ("formula", "-w (t max(log x, -100) + (1 - t) max(log(1 - x), -100))"),
        ("gradient", "w (x - t) / max(x (1 - x), 1e-12)"),
        ("computed as", "PyTorch's clamps; x and t must lie in [0, 1]")),
    "mse_loss": (
        ("formula", "(x - t)^2"),
        ("gradient", "2 (x - t)"),
        ("computed as", "one pass, the sum compensated")),
    "huber_loss": (
        ("formula", "d^2 / 2 where |d| < delta, else delta (|d| - delta / 2); d = x - t"),
        ("gradient", "clip(d, -delta, delta)"),
        ("computed as", "one pass, the sum compensated")),
    "smooth_l1_loss": (
        ("formula", "d^2 / (2 beta) where |d| < beta, else |d| - beta / 2; d = x - t"),
        ("gradient", "clip(d / beta, -1, 1); sign(d) for beta = 0 (the L1 loss)"),
        ("computed as", "one pass, the sum compensated")),
}

# When to use, when to avoid: the losses' pages.
LOSS_USE = {
    "cross_entropy": (
        "The output layer of a classifier with one class per example (softmax output): "
        "class indices or class probabilities as targets.",
        "Multi-label targets (several classes true at once): use "
        ":doc:`binary_cross_entropy_with_logits`."),
    "binary_cross_entropy_with_logits": (
        "Independent binary (or multi-label) outputs (sigmoid output), with 0/1 or soft "
        "targets; ``pos_weight`` for imbalanced positives.",
        "Mutually exclusive classes: use :doc:`cross_entropy` (the softmax couples the "
        "classes, the sigmoids do not)."),
    "nll_loss": (
        "A log_softmax output layer (the model returns log-probabilities).",
        "Logits: :doc:`cross_entropy` fuses the log_softmax and is exact where a separate "
        "log_softmax is not."),
    "binary_cross_entropy": (
        "A sigmoid output layer that returns probabilities.",
        "Logits at hand: :doc:`binary_cross_entropy_with_logits` needs no clamp (a "
        "probability rounded to 0 or 1 costs this loss its digits: the log is clamped at "
        "-100)."),
    "mse_loss": (
        "Regression with a linear output layer (Gaussian noise).",
        "Targets with outliers: :doc:`huber_loss` or :doc:`smooth_l1_loss`."),
    "huber_loss": (
        "Regression with outliers: quadratic near the target, linear (gradient at most "
        "delta) beyond ``delta``.",
        "Gaussian noise without outliers: :doc:`mse_loss`."),
    "smooth_l1_loss": (
        "Regression with outliers (box regression): huber_loss / beta, so the linear "
        "part's gradient is 1; ``beta=0`` is the L1 loss.",
        "Gaussian noise without outliers: :doc:`mse_loss`."),
}


def loss_page(name, obj, losses_table, bench, image):
    import fastact.losses as L
    out = [f".. _api-{name}:", ""] + _heading(f"fastact.{name}", "=")
    out += [".. currentmodule:: fastact", ""]
    out.append(_lit(_signature(obj, "fastact." + name)))
    out.append("")
    summary = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
    if summary:  # rst already; only the bars of |x| need escaping
        out += [re.sub(r"(?<!\\)\|", r"\\|", summary), ""]
    out += _field_list([(k, _esc(v) if k == "computed as" else _lit(v))
                        for k, v in LOSS_FORMULAS.get(name, ())])
    if image:
        out += [f".. image:: {os.path.basename(image)}", f"   :alt: {name} and its gradient", "",
                "*The loss (solid) and its gradient (dashed) against one logit, from "
                "``value_and_grad(..., reduction='none')``.*", ""]
    out += _methods_section(name, obj, None)
    arg = next(iter(inspect.signature(obj).parameters))      # logits or input
    out += [f"``value_and_grad`` returns ``(loss, dloss/d{arg})`` from one pass over the "
            f"{arg}; the gradient has the shape and dtype of the {arg} and is divided as the "
            "reduction divides (:doc:`/guide/losses`)."
            + (" The class axis is NumPy's last (``axis=-1``); pass ``axis=1`` for PyTorch's "
               "``(N, C, ...)`` layout." if "axis" in inspect.signature(obj).parameters
               else ""), ""]
    out += _heading("Accuracy", "-")
    rows = []
    for dt in ("float32", "float64"):
        b = L.ACCURACY.get((name, dt))
        if b is not None:
            rows.append([dt] + [f"{getattr(b, f):g}" if isinstance(getattr(b, f), float)
                                else str(getattr(b, f)) for f in b._fields])
            fields = list(b._fields)
    if rows:
        out += ["Bounds (``fastact.losses.ACCURACY``; loss and reduced loss in ULP of the "
                "result, the gradient in ULP of its terms' magnitude):", ""]
        out += _table(["dtype"] + fields, rows)
    if losses_table:
        header, cells = losses_table
        out += ["Maximum errors measured by the accuracy tool's full run "
                "(:ref:`accuracy-losses`):", ""]
        out += _table(header[1:], [[_esc(c) for c in cells[1:]]])
    out += _heading("Speed", "-")
    out += [f"``python -m fastact bench --losses`` times ``{name}`` and its ``value_and_grad`` "
            "against NumPy and PyTorch's forward + ``backward()`` "
            "(``benchmarks/test_bench_losses.py`` too); the project's run is in "
            ":doc:`/speed` (``docs/bench_groups.txt``).", ""]
    use, avoid = LOSS_USE[name]
    out += _heading("When to use", "-")
    out += [use, ""]
    out += _heading("When to avoid", "-")
    out += [avoid, ""]
    out += _docstring_section(name)
    return "\n".join(out) + "\n"


def _write(path, text):
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


# fastact's functions that have no record (fastact._api._functions.Function): their pages
# are written by hand (docs/api/functions/<name>.md), listed here with their formulas
FUNCTIONS = {"keras_relu": "clip(x if x > threshold else 0, 0, max_value) "
                           "- negative_slope * max(threshold - x, 0)",
             "logsumexp": "log(sum(b * exp(x))) along axis",
             "sparsemax": "max(x - tau, 0), tau such that the row sums to 1"}


def names():
    """(activations, gated, losses): every public function the reference documents."""
    import fastact
    import fastact.losses as L
    losses = []
    for key in L.ACCURACY:
        n = key[0] if isinstance(key, tuple) else key
        if n not in losses and hasattr(fastact, n):
            losses.append(n)
    return list(fastact.ACTIVATIONS), list(fastact.GATED), losses


def generate(out=OUT, plots=True):
    """Write the API pages (and, with ``plots``, their figures) into ``out``; return the
    page paths."""
    import fastact
    os.makedirs(out, exist_ok=True)
    acc_rows = read_accuracy()
    bench, machine, peers = read_bench()
    acts, gated, losses = names()
    paths = []

    def image(name, draw):
        png = os.path.join(out, name + ".png")
        if not plots:  # keep a figure drawn earlier, so the page's text stays the same
            return png if os.path.exists(png) else None
        try:
            draw(name, png)
        except ImportError:  # no matplotlib: the page goes without its figure
            return None
        return png

    for name in acts + gated:
        obj = getattr(fastact, name)
        draw = _plot_gated if name in gated else _plot_activation
        text = activation_page(name, obj, acc_rows, bench, machine, peers, image(name, draw))
        paths.append(os.path.join(out, name + ".rst"))
        _write(paths[-1], text)
    for name in losses:
        obj = getattr(fastact, name)
        table = read_markdown_table(os.path.join(DOCS, "accuracy.md"), name)
        text = loss_page(name, obj, table, bench, image(name, _plot_loss))
        paths.append(os.path.join(out, name + ".rst"))
        _write(paths[-1], text)

    def toc(title, group, blurb):
        lines = _heading(title, "-") + [blurb, "", ".. toctree::", "   :maxdepth: 1", ""]
        return lines + [f"   {n}" for n in group] + [""]

    index = [".. Generated by docs/_ext/fastact_apidocs.py; do not edit.", ""]
    index += _heading("API reference", "=")
    index += ["One page per function, generated from its record (``src/fastact/records/``) "
              "at build time: signature, formula, figure, parameters and their rules, "
              "methods, kinks and limits, measured accuracy and speed, when to use it.", ""]
    index += [".. list-table::", "   :header-rows: 1", "", "   * - function", "     - kind",
              "     - formula"]
    for group, kind in ((acts, "activation"), (gated, "gated"), (losses, "loss")):
        for n in group:
            info = getattr(getattr(fastact, n), "info", None)
            formula = getattr(info, "formula", "") if info is not None else ""
            index += [f"   * - :doc:`{n}`", f"     - {kind}",
                      f"     - {_lit(formula) if formula else '-'}"]
    for n, formula in FUNCTIONS.items():
        index += [f"   * - :doc:`{n} </api/functions/{n}>`", "     - function",
                  f"     - {_lit(formula)}"]
    index.append("")
    index += toc("Activations", acts, "Elementwise (and, for the softmax family, along an "
                 "axis); each has ``derivative`` and ``backward``.")
    index += toc("Gated activations", gated, "Two operands (``glu``: the halves of one); "
                 "``backward`` returns both gradients.")
    index += toc("Losses", losses, "Fused with their gradient: ``value_and_grad``.")
    index += toc("Functions", [f"/api/functions/{n}" for n in FUNCTIONS],
                 "Not activation records: NumPy compositions with a ``backward``, their "
                 "pages written by hand (``docs/api/functions/``).")
    index += _heading("Threads and configuration", "-")
    index += [".. autofunction:: fastact.set_num_threads", "",
              ".. autofunction:: fastact.get_num_threads", "",
              ".. autofunction:: fastact.show_config", ""]
    paths.append(os.path.join(out, "index.rst"))
    _write(paths[-1], "\n".join(index) + "\n")
    return paths


def _escape_docstring(app, what, name, obj, options, lines):
    """Docstrings written as prose use |x| for absolute values, which reStructuredText reads
    as a substitution: escape the bars outside literals, doctest lines and their output."""
    in_doctest = in_literal = False
    literal_indent = 0
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped.startswith((">>>", "...")):
            in_doctest = True
            continue
        if not stripped:
            in_doctest = False
            continue
        if in_doctest:
            continue
        if in_literal:
            if indent > literal_indent:
                continue
            in_literal = False
        if "|" in line and not stripped.startswith(("+", "|")):
            parts = re.split(r"(``.*?``)", line)
            lines[i] = "".join(p if p.startswith("``") else re.sub(r"(?<!\\)\|", r"\\|", p)
                               for p in parts)
        if line.rstrip().endswith("::"):
            in_literal, literal_indent = True, indent


def _on_builder_inited(app):
    generate(plots=app.builder.name not in ("doctest", "linkcheck"))


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    # before numpydoc's own handler (priority 500), on the docstring as written
    app.connect("autodoc-process-docstring", _escape_docstring, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
