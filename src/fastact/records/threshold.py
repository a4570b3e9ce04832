"""threshold: x above the threshold, a fixed value at and below it (PyTorch's)."""

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, threshold, value):
    if _math.isnan(x):
        return _math.nan
    return value if x <= threshold else x       # a NaN threshold: x (PyTorch's test)


def ref_derivative(x, threshold, value):
    if _math.isnan(x):
        return _math.nan
    return 0.0 if x <= threshold else 1.0       # 0 at x == threshold, as PyTorch


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(x > p["threshold"], x, p["value"])),
        _peers.gx(lambda g, x, p: np.where(x > p["threshold"], g, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.threshold(x, p["threshold"], p["value"])),
            _peers.tgx(lambda g, x, p: torch.ops.aten.threshold_backward(g, x, p["threshold"])))
    return out


RECORD = record(
    ref_second=_math.zero2, mp_second=_mp.zero,
    name="threshold", order=230, float32_computes_in="float",
    # Both required, as in PyTorch; the defaults here are the example values only (Param).
    # threshold(x, 0, 0) is relu.
    # Any value, inf and NaN too, as PyTorch takes them (a NaN threshold passes every x).
    params=(Param("threshold", 1.0, required=True, nonfinite=True),
            Param("value", -1.0, required=True, nonfinite=True)),
    # No from-output forms: with value > threshold (PyTorch's own example is
    # Threshold(0.1, 20)) y = value comes from x = value (f' = 1) and from every
    # x <= threshold (f' = 0), so f' is not a function of y.
    from_output=False,
    ref_forward=ref_forward, ref_derivative=ref_derivative,
    mp_forward=lambda x, t, v: v if x <= t else x,
    mp_derivative=lambda x, t, v: _mp.mp.mpf(0) if x <= t else _mp.mp.mpf(1),
    limits=((lambda t, v: v, INF), (0.0, 1.0)),
    # selections of x or value, and g * 1 or g * 0: exact
    accuracy=accuracy(forward=0.0, derivative=0.0, backward=0.0, span=8.0,
                      kink_xs=(1.0, 0.0, -1.0)),
    derivatives_at_kinks=(((1.0, -1.0), 1.0, 0.0), ((1.0, -1.0), 1.5, 1.0),
                      ((0.0, 0.0), 0.0, 0.0), ((0.0, 0.0), -0.0, 0.0),
                      ((0.1, 20.0), 0.1, 0.0), ((-2.0, 5.0), -2.0, 0.0)),
    peers=peers,
    formula="x if x > threshold else value", derivative="1 if x > threshold else 0",
    output_range="[value, inf) if value <= threshold (else value or (threshold, inf))",
    zero_centred=False, max_derivative=1.0,
    monotonic=True,     # with the example values (value <= threshold); not for value > threshold
    use="a ReLU with a chosen cut and fill value: threshold(x, 0, 0) is relu",
    avoid="when inputs near the threshold need a gradient: 0 at and below it, and a jump",
    kinks_text="threshold'(threshold) = 0 (PyTorch); both parameters are required, as in "
               "PyTorch, and may be infinite or NaN (a NaN threshold passes every x)",
    plot_range=(-3.0, 3.0),
)
