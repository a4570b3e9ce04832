"""The main job: every public function of fastact at a few points, and how much faster
its compiled kernel is than its pure-Python reference.

It goes through the activations (value and derivative), the gated activations (value and
both gradients) and the losses (value and gradient), each called with its records' example
parameters where a parameter is required, then prints the speedup summary.  Run with
``python -m fastact`` (or ``python -m fastact demo --n 100000``).
"""

import math
import time

import numpy as np

from .. import ACTIVATIONS, GATED, losses, set_num_threads
from .._runtime import config
from .gallery.experiments import example_args

POINTS = (-2.0, -0.5, 0.0, 0.5, 2.0)
GATE = (0.5, 2.0, -1.0, 1.0, 3.0)          # the gated activations' second operand b
LOSSES = {name: getattr(losses, name) for name in losses.__all__}


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def _fmt(v):
    return f"{v:+.6f}" if math.isfinite(v) else f"{v:>9}"


class _Table:
    """Rows of values at the demo's points, each function's row ending in its timing."""

    def __init__(self, out, n, repeats):
        self.out, self.n, self.repeats, self.ratios = out, n, repeats, []

    def head(self, title, label):
        self.out(f"\n{title}")
        self.out(f"{'function':<34} {label:<8} " + " ".join(f"{p:>+9.2f}" for p in POINTS)
                 + f"  {'kernel':>10} {'reference':>10} {'speedup':>8}")

    def row(self, name, label, values, timing=None):
        text = f"{name:<34} {label:<8} " + " ".join(_fmt(float(v)) for v in values)
        if timing is not None:
            kernel, ref = timing
            tk = _median_time(kernel, self.repeats)
            tr = _median_time(ref, max(1, self.repeats // 2))
            self.ratios.append(tr / tk)
            text += f"  {tk * 1e3:>8.3f}ms {tr * 1e3:>8.1f}ms {tr / tk:>7.0f}x"
        self.out(text)


def _activations(t, rng):
    for name, f in ACTIVATIONS.items():
        args = example_args(f)
        call = f"{name}({', '.join(['x'] + [repr(a) for a in args])})"
        ref = f.reference
        x = np.array(POINTS)
        lo, hi = f.info.domain                   # logit's [0, 1]; else the whole line
        if (lo, hi) != (-math.inf, math.inf):    # the points mapped into the domain
            x = lo + (hi - lo) * np.array([0.1, 0.375, 0.5, 0.625, 0.9])
            t.row(call, "at x =", x)
            call = ""
        if f.info.kind == "axis":
            # one row of five logits; the derivative row is d y_2 / d x, one Jacobian row
            y = f(x, *args)
            ders = f.backward_from_output(np.eye(len(x))[2], y)
            dlabel = "dy2/dx"
            rows = rng.standard_normal((t.n // 1000, 1000))
            lists = rows.tolist()
            timing = (lambda f=f, rows=rows: f(rows)), \
                     (lambda ref=ref, lists=lists: [ref(r) for r in lists])
        else:
            y = f(x, *args)
            ders = f.derivative(x, *args)
            dlabel = "f'(x)"
            big = rng.uniform(max(lo, -4.0), min(hi, 4.0), t.n)
            xs = big.tolist()
            timing = (lambda f=f, big=big, args=args: f(big, *args)), \
                     (lambda ref=ref, xs=xs, args=args: [ref(v, *args) for v in xs])
        t.row(call, "f(x)", y, timing)
        t.row("", dlabel, ders)


def _gated(t, rng):
    a, b = np.array(POINTS), np.array(GATE)
    for name, f in GATED.items():
        ref = f.reference
        if f.info.kind == "glu":
            # glu halves x along its last axis: x = [a, b] gives a * sigmoid(b)
            x = np.concatenate([a, b])
            y = f(x)
            dx = f.backward(np.ones(len(a)), x)
            rows = rng.uniform(-4.0, 4.0, (t.n // 1000, 2000))
            lists = rows.tolist()
            t.row(f"{name}(x = [a, b])", "f", y,
                  ((lambda f=f, rows=rows: f(rows)),
                   (lambda ref=ref, lists=lists: [ref(r) for r in lists])))
            t.row("", "d/da", dx[:len(a)])
            t.row("", "d/db", dx[len(a):])
            continue
        y = f(a, b)
        da, db = f.backward(np.ones(len(a)), a, b)
        big_a, big_b = rng.uniform(-4.0, 4.0, t.n), rng.uniform(-4.0, 4.0, t.n)
        pairs = list(zip(big_a.tolist(), big_b.tolist()))
        t.row(f"{name}(a, b)", "f", y,
              ((lambda f=f, u=big_a, v=big_b: f(u, v)),
               (lambda ref=ref, pairs=pairs: [ref(u, v) for u, v in pairs])))
        t.row("", "d/da", da)
        t.row("", "d/db", db)


def _loss_case(name, rng, rows, classes=10):
    """(input, target) of a loss: class indices for cross_entropy and nll_loss (on
    log-probabilities), 0/1 labels for the BCEs (on probabilities for
    binary_cross_entropy), normal targets for the regression losses."""
    logits = rng.standard_normal((rows, classes))
    if name in ("cross_entropy", "nll_loss"):
        if name == "nll_loss":
            logits = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return logits, rng.integers(0, classes, rows)
    if name in ("mse_loss", "huber_loss", "smooth_l1_loss"):
        return logits, rng.standard_normal((rows, classes))
    if name == "binary_cross_entropy":
        logits = 1 / (1 + np.exp(-logits))
    return logits, (rng.random((rows, classes)) < 0.5).astype(np.float64)


def _losses(t, rng):
    for name, f in LOSSES.items():
        logits, target = _loss_case(name, rng, 1)
        loss, grad = f.value_and_grad(logits, target)
        big_x, big_t = _loss_case(name, rng, t.n // 10)
        lx, lt = big_x.tolist(), big_t.tolist()
        if name not in ("cross_entropy", "nll_loss"):   # the others take flat lists
            lx, lt = big_x.ravel().tolist(), big_t.ravel().tolist()
        t.row(name, "loss", [float(loss)],
              ((lambda f=f, u=big_x, v=big_t: f.value_and_grad(u, v)),
               (lambda ref=f.reference, u=lx, v=lt: ref(u, v))))
        t.row("  .value_and_grad, 10 logits", "grad[:5]", grad.ravel()[:len(POINTS)])


def run(n=100_000, repeats=5, out=print):
    # One thread, as the header says: the speedup is the kernel's, not the core count's.
    set_num_threads(1)
    try:
        return _run(n, repeats, out)
    finally:
        set_num_threads(None)


def _run(n, repeats, out):
    rng = np.random.default_rng(0)
    out(f"fastact: {len(ACTIVATIONS)} activations, {len(GATED)} gated activations and "
        f"{len(LOSSES)} losses, float64, kernel target {config()['isa']}")
    out(f"speedup: median of {repeats} runs of the kernel against its pure-Python reference "
        f"on {n:,} elements, one thread")
    t = _Table(out, n, repeats)
    t.head("Activations (required parameters: their example values)", "")
    _activations(t, rng)
    t.head(f"Gated activations (b = {list(GATE)})", "")
    _gated(t, rng)
    t.head("Losses (value and gradient; timed on rows of 10 classes)", "")
    _losses(t, rng)
    geo = math.exp(sum(math.log(r) for r in t.ratios) / len(t.ratios))
    out(f"\ngeometric mean speedup over the pure-Python reference, {len(t.ratios)} "
        f"functions: {geo:,.0f}x")
    return 0
