"""hardshrink: x where |x| > lambd, 0 within [-lambd, lambd]."""

from . import INF, Param, Peer, _math, _mp, _peers, accuracy, record


def ref_forward(x, lambd=0.5):
    if _math.isnan(x):
        return _math.nan
    return x if abs(x) > lambd else 0.0


def ref_derivative(x, lambd=0.5):
    if _math.isnan(x):
        return _math.nan
    return 1.0 if abs(x) > lambd else 0.0      # 0 at +-lambd, as PyTorch


def ref_from_output(y, lambd=0.5):
    if _math.isnan(y):
        return _math.nan
    return 1.0 if y != 0 else 0.0              # for lambd >= 0: |y| = |x| > lambd >= 0


def peers():
    import numpy as np
    out = {"numpy": Peer(
        _peers.x(lambda x, p: np.where(np.abs(x) > p["lambd"], x, 0)),
        _peers.gy(lambda g, y, p: np.where(y != 0, g, 0)))}
    torch = _peers.torch_module()
    if torch is not None:
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.nn.functional.hardshrink(x, p["lambd"])),
            _peers.tgx(lambda g, x, p: torch.ops.aten.hardshrink_backward(g, x, p["lambd"])))
    return out


RECORD = record(
    ref_second=_math.zero2, mp_second=_mp.zero,
    name="hardshrink", order=240, float32_computes_in="float",
    # Any finite lambd, as PyTorch: a negative one makes it the identity.  The from-output
    # forms read |x| > lambd as y != 0, which needs lambd >= 0.
    params=(Param("lambd", 0.5, from_output_nonnegative=True),),
    from_output=True,
    ref_forward=ref_forward, ref_derivative=ref_derivative, ref_from_output=ref_from_output,
    mp_forward=lambda x, l: x if abs(x) > l else _mp.mp.mpf(0),
    mp_derivative=lambda x, l: _mp.mp.mpf(1) if abs(x) > l else _mp.mp.mpf(0),
    limits=((-INF, INF), (1.0, 1.0)),
    # selections of x or 0, and g * 1 or g * 0: exact
    accuracy=accuracy(forward=0.0, derivative=0.0, backward=0.0, span=8.0,
                      kink_xs=(-0.5, 0.0, 0.5)),
    derivatives_at_kinks=(((), 0.5, 0.0), ((), -0.5, 0.0), ((), 0.0, 0.0), ((), 1.0, 1.0),
                      ((0.0,), 0.0, 0.0), ((0.0,), 0.25, 1.0)),
    peers=peers,
    formula="x if |x| > lambd else 0", derivative="1 if |x| > lambd else 0",
    output_range="(-inf, inf)", zero_centred=True, max_derivative=1.0, monotonic=True,
    use="sparse coding and denoising: small values set to exactly 0, the rest kept",
    avoid="hidden layers of deep networks: the dead zone passes no gradient",
    kinks_text="hardshrink'(+-lambd) = 0 (PyTorch); the value jumps by lambd there",
    plot_range=(-3.0, 3.0),
)
