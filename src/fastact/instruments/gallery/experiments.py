"""The gallery's numbers: curves, notable points, the two experiments and the kernels' speed.

Only NumPy and fastact here (no matplotlib), so the numbers can be computed and tested
anywhere.  Every forward and backward goes through fastact's kernels; NumPy does the
matrix products.
"""

import math
import re
import time

import numpy as np

from ... import ACTIVATIONS

SEED = 0

# The experiments' activations: those whose records name the experiment.
VANISHING_NAMES = tuple(n for n, f in ACTIVATIONS.items() if "vanishing" in f.info.experiments)
DEAD_NAMES = tuple(n for n, f in ACTIVATIONS.items() if "dead" in f.info.experiments)

# A unit is dead when |f'(z)| stays below this for every input of the batch: ten times
# below Leaky ReLU's smallest slope (0.01), a thousand times below a live unit's ~1.
DEAD_GRAD = 1e-3

# sigmoid'(x) <= 0.25: the seed's bound on how much one sigmoid layer can pass back.
SIGMOID_MAX_DERIVATIVE = ACTIVATIONS["sigmoid"].info.max_derivative


# ---- the registry's facts, read as numbers ------------------------------------------------

RANGE_PATTERN = re.compile(r"^\s*([\[(])\s*([^,]+?)\s*,\s*([^\])]+?)\s*([\])])")


def _bound(token, params):
    token = token.strip()
    sign = -1.0 if token.startswith("-") else 1.0
    word = token.lstrip("+-")
    if word == "inf":
        return sign * math.inf
    try:
        return sign * float(word)
    except ValueError:
        pass
    defaults = {p.name: p.default for p in params}
    if isinstance(defaults.get(word), (int, float)):
        return sign * float(defaults[word])
    raise ValueError(f"cannot read the bound {token!r}")


def output_bounds(name):
    """``(lo, hi)`` of the registry's output range with default parameters (±inf when open).

    Reads ``info.output_range`` ("(0, 1)", "[0, inf)", "(-alpha, inf)", "[min_val,
    max_val]", ...); the brackets say whether a bound is attained, which plots do not need.
    """
    info = ACTIVATIONS[name].info
    m = RANGE_PATTERN.match(info.output_range)
    if not m:
        raise ValueError(f"{name}: cannot read output_range {info.output_range!r}")
    return _bound(m.group(2), info.params), _bound(m.group(3), info.params)


def init_scheme(name):
    """'xavier' (Glorot) for activations bounded on both sides (sigmoid, tanh, ...), else 'he'."""
    lo, hi = output_bounds(name)
    return "xavier" if math.isfinite(lo) and math.isfinite(hi) else "he"


def _init_std(scheme, fan_in, fan_out):
    if scheme == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    raise ValueError(f"unknown initialisation {scheme!r} (use 'xavier' or 'he')")


# ---- curves and notable points ------------------------------------------------------------

def example_args(f):
    """The parameters a call of f must pass: its required ones' example values (threshold's
    threshold and value; the records' Param.required), positional after the data."""
    return tuple(p.default for p in f.params if p.required)


def curve(name, n=4001, lo=None, hi=None):
    """``(x, f(x), f'(x))`` over ``info.plot_range``, with default parameters (required
    ones: their example values), float64.

    Softmax-type activations are shown on two-logit rows ``[x, 0]``: the curve is the first
    output and the "derivative" its own partial d y_0 / d x_0 (the backward of a one-hot
    gradient), so softmax draws the sigmoid and log_softmax the log-sigmoid.
    """
    f = ACTIVATIONS[name]
    plo, phi = f.info.plot_range
    x = np.linspace(plo if lo is None else lo, phi if hi is None else hi, n)
    if f.info.kind == "axis":
        rows = np.stack([x, np.zeros_like(x)], axis=1)
        y = f(rows, axis=1)
        onehot = np.zeros_like(rows)
        onehot[:, 0] = 1.0
        return x, y[:, 0], f.backward(onehot, rows, axis=1)[:, 0]
    args = example_args(f)
    return x, f(x, *args), f.derivative(x, *args)


def _value(f, x):
    x = np.array([x], dtype=np.float64)
    if f.info.kind == "axis":
        rows = np.array([[x[0], 0.0]])
        return float(f.backward(np.array([[1.0, 0.0]]), rows)[0, 0])
    return float(f.derivative(x, *example_args(f))[0])


def features(name, n=4001):
    """The points the gallery marks, found on the kernel's own curve (not typed in).

    Returns a dict:

    * ``kinks``: where f' jumps, a list of dicts ``x``, ``left``, ``at``, ``right``: the
      one-sided limits of f' and the value the kernel gives at the kink itself (fastact's
      convention: relu'(0) = 0, leaky_relu'(0) = slope, ...).
    * ``peak``: ``(x, f'(x))`` where f' has a smooth interior maximum (sigmoid'(0) = 0.25),
      or None.
    * ``minimum``: ``(x, f(x))`` of an interior minimum of f (GELU's dip), or None.
    """
    f = ACTIVATIONS[name]
    x, y, d = curve(name, n)
    step = x[1] - x[0]
    kinks = []
    dd = np.abs(np.diff(d))
    for i in np.flatnonzero(dd > 0.02):
        # a jump stands out from the steps two samples away (one sample away may hold the
        # rest of a jump split by a sample at the kink); a steep smooth f' (logit's near 0
        # and 1) does not
        around = max(dd[i - 2] if i >= 2 else 0.0, dd[i + 2] if i + 2 < len(dd) else 0.0)
        if dd[i] <= 4 * around:
            continue
        k = round(float(x[i] + x[i + 1]) / 2, 2)
        if any(abs(k - kk["x"]) < 3 * step for kk in kinks):
            continue
        eps = 1e-7
        kinks.append({"x": k, "left": _value(f, k - eps), "at": _value(f, k),
                      "right": _value(f, k + eps)})
    near_kink = lambda xi: any(abs(xi - kk["x"]) < 3 * step for kk in kinks)  # noqa: E731
    peak = None
    i = int(np.argmax(d))
    if 0 < i < n - 1 and d[i - 1] < d[i] > d[i + 1] and not near_kink(x[i]):
        xp = _refine(lambda t: -_value(f, t), x[i - 1], x[i + 1])
        peak = (xp, _value(f, xp))
    minimum = None
    i = int(np.argmin(y))
    if 0 < i < n - 1 and y[i - 1] > y[i] < y[i + 1]:
        fwd = (lambda t: float(f(np.array([[t, 0.0]]))[0, 0])) if f.info.kind == "axis" \
            else (lambda t: float(f(np.array([t]), *example_args(f))[0]))
        xm = _refine(fwd, x[i - 1], x[i + 1])
        minimum = (xm, fwd(xm))
    return {"kinks": kinks, "peak": peak, "minimum": minimum}


def _refine(g, a, b, iters=60):
    """Golden-section search for the minimum of g on [a, b]."""
    r = (math.sqrt(5) - 1) / 2
    c, e = b - r * (b - a), a + r * (b - a)
    gc, ge = g(c), g(e)
    for _ in range(iters):
        if gc < ge:
            b, e, ge = e, c, gc
            c = b - r * (b - a)
            gc = g(c)
        else:
            a, c, gc = c, e, ge
            e = a + r * (b - a)
            ge = g(e)
    return (a + b) / 2


# ---- experiment 1: vanishing gradients ----------------------------------------------------

def vanishing_gradients(names=VANISHING_NAMES, depth=50, width=256, batch=64, seed=SEED,
                        init=None):
    """Backpropagate through a deep fully connected network, once per activation.

    The network: ``z_l = h_{l-1} @ W_l`` (zero biases), ``h_l = f(z_l)`` for l = 1..depth,
    ``h_0`` a random N(0, 1) batch, and the loss ``L = sum(h_depth * r) / batch`` for a
    fixed random readout r.  Weights are Xavier/Glorot-normal for activations bounded on
    both sides (sigmoid, tanh) and He-normal otherwise (``init`` maps a name to 'xavier'
    or 'he' to override).  Every activation sees the same input, readout and underlying
    random matrices (only the scale differs), all drawn from ``seed``.  Forward
    ``f(z)`` and backward ``f.backward(g, z)`` are fastact's kernels, in float64 (the
    sigmoid's gradient reaches 1e-31, near float32's smallest numbers).

    Returns a dict of plain NumPy data:

    * ``layers``: 1..depth (1 next to the input);
    * ``grad``: name -> ``||dL/dz_l||`` per layer, the gradient that reaches layer l
      (what ``dL/dW_l = h_{l-1}^T dL/dz_l`` is built from);
    * ``weight_grad``: name -> ``||dL/dW_l||_F`` per layer;
    * ``factor``: name -> per-layer ratios ``||dL/dz_l|| / ||dL/dz_{l+1}||`` (depth - 1);
    * ``bound``: ``grad['sigmoid'][-1] * 0.25 ** (depth - l)``, the seed's bound drawn from
      the sigmoid's top layer (None without sigmoid);
    * ``init``, and the settings ``depth``, ``width``, ``batch``, ``seed``.
    """
    init = dict(init or {})
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    readout = rng.standard_normal((batch, width))
    base = [rng.standard_normal((width, width)) for _ in range(depth)]
    layers = np.arange(1, depth + 1)
    res = {"layers": layers, "grad": {}, "weight_grad": {}, "factor": {}, "init": {},
           "depth": depth, "width": width, "batch": batch, "seed": seed}
    for name in names:
        f = ACTIVATIONS[name]
        scheme = init.get(name) or init_scheme(name)
        std = _init_std(scheme, width, width)
        weights = [b * std for b in base]
        h, hs, zs = x, [x], []
        for w in weights:
            z = h @ w
            h = f(z)
            zs.append(z)
            hs.append(h)
        g = readout / batch                      # dL/dh_depth
        gz_norm = np.empty(depth)
        gw_norm = np.empty(depth)
        for l in range(depth - 1, -1, -1):
            gz = f.backward(g, zs[l])            # dL/dz_l = dL/dh_l * f'(z_l)
            gz_norm[l] = np.linalg.norm(gz)
            gw_norm[l] = np.linalg.norm(hs[l].T @ gz)
            g = gz @ weights[l].T                # dL/dh_{l-1}
        res["grad"][name] = gz_norm
        res["weight_grad"][name] = gw_norm
        res["factor"][name] = gz_norm[:-1] / gz_norm[1:]
        res["init"][name] = scheme
    sig = res["grad"].get("sigmoid")
    res["bound"] = None if sig is None else sig[-1] * SIGMOID_MAX_DERIVATIVE ** (depth - layers)
    return res


# ---- experiment 2: dead neurons -----------------------------------------------------------

def dead_neurons(names=DEAD_NAMES, shifts=None, fan_in=256, units=512, batch=256, seed=SEED,
                 threshold=DEAD_GRAD):
    """Shift a layer's biases down and count the units that stop learning.

    One fully connected layer, He-normal weights (``fan_in`` -> ``units``), a batch of
    N(0, 1) inputs; every bias is set to ``-shift`` for each shift (pre-activations have
    a standard deviation of about sqrt(2), so a shift of 4 is about 3 of them).  For each
    activation, over the whole batch:

    * ``dead``: the fraction of units with ``|f'(z)| < threshold`` for every input: no
      gradient reaches their weights or bias, so no step can revive them.  For ReLU this
      is exactly "outputs zero for every input".
    * ``silent``: the fraction whose output is never positive for any input (the same
      units for all three here, as each is positive exactly when z > 0).

    Derivatives are fastact's kernels.  Returns ``{"shifts", "dead": {name: array},
    "silent": {name: array}, "threshold", "z_std"`` (the unshifted pre-activations'
    standard deviation) ``, ...settings}``.
    """
    shifts = np.linspace(0.0, 8.0, 33) if shifts is None else np.asarray(shifts, dtype=float)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, fan_in))
    w = rng.standard_normal((fan_in, units)) * _init_std("he", fan_in, units)
    z0 = x @ w
    res = {"shifts": shifts, "dead": {}, "silent": {}, "threshold": threshold,
           "z_std": float(z0.std()), "fan_in": fan_in, "units": units, "batch": batch,
           "seed": seed}
    for name in names:
        f = ACTIVATIONS[name]
        dead = np.empty(len(shifts))
        silent = np.empty(len(shifts))
        for i, s in enumerate(shifts):
            z = z0 - s
            dead[i] = np.mean(np.all(np.abs(f.derivative(z)) < threshold, axis=0))
            silent[i] = np.mean(np.all(f(z) <= 0, axis=0))
        res["dead"][name] = dead
        res["silent"][name] = silent
    return res


# ---- speed and the choosing guide ---------------------------------------------------------

def _median_time(fn, repeats):
    fn()                                          # warm up (first touch of the memory)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def kernel_speed(n=1_000_000, repeats=5, dtype=np.float32, seed=SEED, names=None):
    """Measured speed of every kernel: name -> ``{"forward", "backward"}`` in Melem/s.

    ``n`` elements of ``dtype`` drawn from U(-4, 4), the median of ``repeats`` timed runs
    after one warm-up, one thread.  Softmax-type kernels run on rows of 1000 along the
    last axis; their backward is timed from the forward's output (backward_from_output).
    """
    rng = np.random.default_rng(seed)
    out = {}
    for name in (names or ACTIVATIONS):
        f = ACTIVATIONS[name]
        if f.info.kind == "axis":
            x = rng.uniform(-4, 4, (max(1, n // 1000), 1000)).astype(dtype)
            y = f(x)
            g = np.ones_like(x)
            fwd, bwd = (lambda: f(x)), (lambda: f.backward_from_output(g, y))
        else:
            x = rng.uniform(-4, 4, n).astype(dtype)
            g = np.ones_like(x)
            args = example_args(f)
            fwd, bwd = (lambda: f(x, *args)), (lambda: f.backward(g, x, *args))
        size = x.size / 1e6
        out[name] = {"forward": size / _median_time(fwd, repeats),
                     "backward": size / _median_time(bwd, repeats)}
    return out


def guide_rows(speed=None):
    """One row per activation, in the registry's order, for the choosing guide.

    Each row is a dict: name, formula, output_range, zero_centred, max_derivative,
    monotonic, use, avoid (the registry's facts) and, when ``speed`` (from
    :func:`kernel_speed`) is given, forward and backward Melem/s.
    """
    rows = []
    for name, f in ACTIVATIONS.items():
        info = f.info
        row = {"name": name, "formula": info.formula, "output_range": info.output_range,
               "zero_centred": info.zero_centred, "max_derivative": info.max_derivative,
               "monotonic": info.monotonic, "use": info.use, "avoid": info.avoid}
        if speed is not None:
            row["forward"] = speed[name]["forward"]
            row["backward"] = speed[name]["backward"]
        rows.append(row)
    return rows


def gelu_tanh_gap(n=4001):
    """Largest |gelu(x) - gelu(x, approximate='tanh')| over GELU's plot range."""
    x, y, _ = curve("gelu", n)
    return float(np.max(np.abs(y - ACTIVATIONS["gelu"](x, approximate="tanh"))))
