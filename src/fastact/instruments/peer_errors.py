"""What each peer gives up for its speed: its maximum error on the bench's cases.

``python -m fastact bench`` prints, beside the speeds, each implementation's maximum error
on the same case (activation x dtype x pass), measured on the spot with the accuracy
tool's references and units (fastact.instruments.accuracy), over a strided scan:

* float32: every STRIDE32-th bit pattern (the finite ones: about 262,000 inputs over every
  binade, subnormals to the largest float) and the kernel's special points (kinks, zeros
  of f', branch points), against fastact's float64 kernel on the widened input, as the
  accuracy tool does;
* float64: the accuracy tool's sample (POINTS64 points over every binade, uniform over the
  central range) and special points, against mpmath;
* float16 and bfloat16: every finite bit pattern (63,488 and 65,280 inputs: the kinks
  and special points are among them), against the float64 kernel on the widened input
  with the float32 parameters the 16-bit loops take, as ``python -m fastact accuracy16``
  does; errors in ULP of the 16-bit format;
* softmax and log_softmax: AXIS_ROWS rows of the case's data, in the accuracy tool's
  row-scale units (``accuracy.axis_forward_error``, ``axis_backward_error``).

The forward error is in ULP of the correctly rounded result.  The backward g * f'(x) is
in ULP too, except where the accuracy tool measures the absolute error instead (within
the zeros of f' and, for the backwards timed from the output y, everywhere, since y has
lost digits no formula recovers): there a point counts the smaller of its ULP error and
|error| / (eps * max|f'| * |g|); at the kinks themselves (the x of the record's
derivatives_at_kinks) f' is a convention, not a value, and the backward is not counted.  A
non-finite result where a finite one is due (a flushed tail that turns into NaN, an
overflow) counts as inf, and so does an error beyond the float range (a nonzero result
where the exact one is 0 in float64); a tail flushed to zero shows as a huge ULP figure
(the value's ULP is tiny).  The same scan measures fastact.
"""

import math

import numpy as np

from .. import ACTIVATIONS, UFUNCS, _registry
from . import accuracy
from . import peers as _peers
from ..records._peers import params as _params

STRIDE32 = 16411           # float32 bit patterns: 2**32 / 16411 is about 262,000 inputs
POINTS64 = 1000            # float64 points per case against mpmath (plus special points)
AXIS_ROWS = {"float32": 64, "float64": 4,   # rows of _peers.SOFTMAX_ROW
             "float16": 64, "bfloat16": 64}
SEED = 1                   # the scan's g (and softmax rows) are not the timed data


def scanned(case):
    """Whether the scan measures this case: the gated functions (two operands) are not
    scanned here; ``python -m fastact accuracy --only swiglu`` measures fastact's, and
    their error column shows "-"."""
    return _registry.BY_NAME[case.activation].kind not in ("gated", "glu")


class Scan:
    """The inputs of one case x dtype and their references, for both passes.

    ``data`` is a fastact.instruments.peers.Data (x, g, y) that every builder takes;
    ``error(pass_,
    result)`` is the maximum error of a builder's result."""

    def __init__(self, case, dtype, stride=STRIDE32, points64=POINTS64):
        self.case, self.dtype = case, _peers.as_dtype(dtype).name
        # float32 and the 16-bit formats: references from the float64 kernel
        self.widened = self.dtype != "float64"
        self.rec = _registry.BY_NAME[case.activation]
        self.axis = self.rec.kind == "axis"
        with np.errstate(all="ignore"):
            if self.axis:
                self._init_axis()
            else:
                self._init_elementwise(stride, points64)

    # -- elementwise ----------------------------------------------------------------------
    def _kernel(self):
        """The C kernel and its parameter values for this case (prelu and rrelu run
        leaky_relu's with their slope)."""
        d = _peers.Data(self.case, None, 0, None, None, None)
        p = _params(d)
        if self.rec.kind == "prelu":
            return "leaky_relu", (float(p["weight"]),)
        if self.rec.kind == "rrelu":
            return "leaky_relu", (float(p["slope"]),)
        names = _registry.KERNEL_BY_NAME[self.rec.kernel].params
        return self.rec.kernel, tuple(float(p[n]) for n in names)

    def _init_elementwise(self, stride, points64):
        kernel, kp = self._kernel()
        self.M = accuracy.max_derivative(kernel)
        f = ACTIVATIONS[self.case.activation]
        kw = self.case.kwargs
        dt = _peers.as_dtype(self.dtype)
        if self.dtype == "float32":
            bits = np.arange(0, 1 << 32, stride, dtype=np.int64).astype(np.uint32)
            x = np.concatenate([bits.view(np.float32), accuracy.special_points32(kernel)])
        elif self.dtype == "float64":
            x = np.concatenate([accuracy.special_points64(kernel),
                                accuracy.sample_points64(kernel, points64, SEED)])
        else:                                   # every 16-bit pattern
            x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(dt)
        x = x[np.isfinite(x.astype(np.float64))]
        g = accuracy.g_for(len(x)).astype(dt)
        self.data = _peers.Data(self.case, dt, len(x), x, g, f(x, **kw))
        x64, g64 = x.astype(np.float64), g.astype(np.float64)
        self.x64, self.g64, self.absg = x64, g64, np.abs(g64)
        # f' at a kink is a convention (fastact follows PyTorch's), not a value to round:
        # the backward is not counted at the documented kinks themselves
        kinks = [float(k[1]) for k in self.rec.derivatives_at_kinks]
        self.at_kink = np.isin(x64, kinks)
        window = accuracy.crossing_window(kernel, x64)
        self.window = {"forward": None,
                       "backward": True if self.case.from_output else window}
        if self.widened:
            # the float64 kernel on the widened input, with the float32 parameters widened
            # (what the accuracy tool does; the 16-bit loops take float32 parameters too)
            p64 = [float(np.float32(v)) for v in kp]
            d64 = UFUNCS[kernel + "_derivative"](x64, *p64)
            self.ref = {"forward": UFUNCS[kernel](x64, *p64), "backward": d64 * g64}
            with np.errstate(over="ignore"):
                self.fd = d64.astype(np.float32).astype(np.float64)   # f' as float32 rounds it
        else:
            fw, dw, bw = accuracy.mp_chunk((kernel, kp, x64, g64, accuracy.PREC))
            self.ref = {"forward": fw, "backward": bw}
            self.fd = dw["rd"]

    def _elementwise_error(self, pass_, y):
        y = np.asarray(y, np.float64).reshape(-1)
        ref = self.ref[pass_]
        eps = accuracy.EPS[self.dtype]
        if self.widened:
            r = ref
            err = np.abs(y - r) / accuracy.ulp_of(self.dtype)(r)
            err_abs = np.abs(y - r) / (eps * self.M)
            # equal, both NaN, or the overflow to inf that rounding r to the dtype gives
            rounded = r.astype(_peers.as_dtype(self.dtype)).astype(np.float64)
            exact_ok = (y == r) | (np.isnan(y) & np.isnan(r)) | (np.isinf(y) & (y == rounded))
        else:
            err, err_abs, _ = accuracy.errors64(y, ref, self.M)
            r = ref["rd"]
            exact = ref["cls"] == 1
            # _errors64 leaves the exact expectations to its special-value checks: here an
            # exact expectation missed counts in ULP (a wrong sign of zero does not)
            err = np.where(exact, np.abs(y - r) / accuracy.ulp64(r), err)
            exact_ok = (y == r) | (np.isnan(y) & np.isnan(r))
        if pass_ == "backward":
            err_abs = err_abs / self.absg
            exact_ok = exact_ok | self.at_kink
            if not self.case.from_output:
                # g times f' rounded: inf where f' itself overflows (as the accuracy tool)
                exact_ok = exact_ok | accuracy.f_overflows(y, self.g64, self.fd, self.x64)
        win = self.window[pass_]
        if win is not None:
            err = np.where(win, np.minimum(err, err_abs), err)
        # a non-finite result or reference that is not exactly the expected one
        bad = ~exact_ok & ~(np.isfinite(y) & np.isfinite(r))
        err = np.where(bad, math.inf, err)
        err = np.where(exact_ok, 0.0, err)
        return float(np.max(err)) if err.size else 0.0

    # -- softmax and log_softmax rows -------------------------------------------------------
    def _init_axis(self):
        name = self.case.activation
        rows = AXIS_ROWS[self.dtype]
        self.data = _peers.make_data(self.case, self.dtype, rows * _peers.SOFTMAX_ROW, SEED)
        x64, g64, y64 = (a.astype(np.float64) for a in (self.data.x, self.data.g, self.data.y))
        if self.widened:
            f = ACTIVATIONS[name]
            fr, br = f(x64), f.backward_from_output(g64, y64)
            sb = np.stack([accuracy.axis_backward_scale(name, g, y) for g, y in zip(g64, y64)])
        else:
            refs = accuracy.axis_chunk((name, list(x64), list(g64), list(y64)))
            fr = np.array([r[0] for r in refs])
            br = np.array([r[1] for r in refs])
            sb = np.array([r[2] for r in refs])
        self.x64, self.ref, self.sb = x64, {"forward": fr, "backward": br}, sb
        sign = ACTIVATIONS[name].info.accuracy.sign     # softmin: the smallest entry leads
        self.m = np.max(np.where(np.isfinite(x64), sign * x64, -np.inf), axis=-1)

    def _axis_error(self, pass_, y):
        y = np.asarray(y, np.float64).reshape(self.x64.shape)
        ref = self.ref[pass_]
        if pass_ == "forward":
            err = np.stack([accuracy.axis_forward_error(self.case.activation, x, yr, fr, m,
                                                        self.dtype)
                            for x, yr, fr, m in zip(self.x64, y, ref, self.m)])
        else:
            err = accuracy.axis_backward_error(y, ref, self.sb, self.dtype)
        err = np.where(np.isfinite(y) | ~np.isfinite(ref), err, math.inf)
        return float(np.max(err))

    def error(self, pass_, result):
        """The maximum error of one implementation's result on this scan."""
        r = _peers.as_numpy(result)
        if isinstance(r, tuple):        # prelu's backward: (grad_x, grad_weight)
            r = r[0]
        with np.errstate(all="ignore"):
            if self.axis:
                return self._axis_error(pass_, r)
            return self._elementwise_error(pass_, r)


def errors(scan, pass_, builders):
    """{implementation: maximum error} of each builder on the scan (None where it raises:
    the timing reports the failure)."""
    out = {}
    for impl, builder in builders.items():
        try:
            with np.errstate(all="ignore"):
                result = builder(scan.data)()
        except Exception:                                 # noqa: BLE001
            out[impl] = None
            continue
        out[impl] = scan.error(pass_, result)
    return out
