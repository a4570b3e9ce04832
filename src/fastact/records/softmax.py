"""softmax: exp(x_i) / sum_j exp(x_j) along an axis."""

import math

from . import AxisAccuracy, Peer, _math, _mp, _peers, record


def ref_forward(xs):
    """Softmax of a list; a row of all -inf gives zeros, +inf entries share the mass."""
    m = _math.row_max(xs)
    if _math.isnan(m):
        return [_math.nan] * len(xs)
    if m in (_math.inf, -_math.inf):
        k = sum(1 for v in xs if v == m)
        return [1.0 / k if (m == _math.inf and v == m) else 0.0 for v in xs]
    es = [math.exp(v - m) for v in xs]
    s = math.fsum(es)
    return [e / s for e in es]


def ref_backward(gs, ys):
    dot = math.fsum(g * y for g, y in zip(gs, ys))
    return [y * (g - dot) for g, y in zip(gs, ys)]


def mp_forward(xs):
    es, s, _ = _mp.row_exps(xs)
    return [e / s for e in es]


def mp_backward(gs, ys):
    dot = _mp.mp.fsum(_mp.mpf(g) * _mp.mpf(y) for g, y in zip(gs, ys))
    return [_mp.mpf(y) * (_mp.mpf(g) - dot) for g, y in zip(gs, ys)]


def backward_scale(g, y):
    """|y| (|g| + sum |g y|): the terms of y * (g - sum(g * y))"""
    import numpy as np
    return np.abs(y) * (np.abs(g) + np.sum(np.abs(g * y)))


def _np_softmax(x):
    import numpy as np
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def peers():
    out = {"numpy": Peer(
        _peers.x(lambda x, p: _np_softmax(x)),
        _peers.gy(lambda g, y, p: y * (g - (g * y).sum(axis=-1, keepdims=True))))}
    sp = _peers.scipy_special()
    if sp is not None:
        out["scipy"] = Peer(_peers.x(lambda x, p: sp.softmax(x, axis=-1)))
    torch = _peers.torch_module()
    if torch is not None:
        A = torch.ops.aten
        out["torch"] = Peer(
            _peers.tx(lambda x, p: torch.softmax(x, -1)),
            _peers.tgy(lambda g, y, p: A._softmax_backward_data(g, y, -1, y.dtype)))
    out.update(_peers.engines(jax=lambda nn, p: lambda x: nn.softmax(x, axis=-1),
                              onnx=_peers.Onnx("Softmax", {"axis": -1})))
    return out


RECORD = record(
    name="softmax", order=90, kind="axis", params=(("axis", -1),),
    ref_forward=ref_forward, ref_backward=ref_backward,
    mp_forward=mp_forward, mp_backward=mp_backward, backward_scale=backward_scale,
    # full accuracy run (2,000 rows): backward (from x) 2.0 float64, 1.53 float32;
    # backward_from_output 3.23 and 0.50.  The where= backward's float32 rows sum in
    # float lanes (softmax.pxi: at most 3.5 in this unit; 1.38 on the rows of
    # tests/test_softmax_options.py::test_where_backward_float32_within_its_bound)
    accuracy=AxisAccuracy(forward=4.0, backward=8.0, forward_unit="ulp",
                          backward_from_output=8.0),
    peers=peers,
    formula="exp(x_i) / sum_j exp(x_j) along axis",
    derivative="Jacobian diag(y) - y y^T; backward: y * (g - sum(g * y)), y = softmax(x)",
    output_range="(0, 1), sums to 1", zero_centred=False, max_derivative=None,
    monotonic=False,
    use="output layer for multi-class classification: a probability distribution",
    avoid="hidden layers",
    kinks_text="a row of all -inf gives all 0 (a 'safe' softmax); +inf entries share the mass",
    plot_range=(-4.0, 4.0),
)
