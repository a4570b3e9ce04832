"""fastact.keras_relu against a transcription of Keras 3's relu (keras.activations.relu,
ReLU.static_call: the ops it runs, in NumPy float64) and against PyTorch's functions
and autograd for the cases PyTorch has (relu6, leaky_relu, threshold)."""

import pickle

import numpy as np
import pytest

import fastact
from conftest import strict_fp


def keras_relu_ref(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras 3's ReLU.static_call, op for op (NumPy backend; its leaky_relu is
    maximum(x, slope * x), the same as where(x >= 0, ...) for slopes in [0, 1])."""
    x = np.asarray(x, np.float64)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return np.maximum(x, negative_slope * x)
        negative_part = np.maximum(-x + threshold, 0)
    else:
        negative_part = 1
    clip_max = max_value is not None
    if threshold != 0:
        x = x * (x > threshold).astype(x.dtype)
    elif max_value == 6:
        x = np.minimum(np.maximum(x, 0), 6)
        clip_max = False
    else:
        x = np.maximum(x, 0)
    if clip_max:
        x = np.clip(x, 0.0, max_value)
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


CASES = [(0.0, None, 0.0), (0.0, 6.0, 0.0), (0.1, None, 0.0), (0.1, 6.0, 0.0),
         (0.2, 3.0, 1.0), (0.0, None, 1.5), (0.3, None, -1.0), (0.0, 4.0, -1.0),
         (0.5, 2.0, -0.5), (1.0, None, 2.0), (0.0, 0.0, 0.0)]


@pytest.mark.parametrize("ns,mv,th", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_matches_keras(ns, mv, th, dtype):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 4, 2000), [0.0, -0.0, th, mv or 7.0, -th, 1e30,
                                                  -1e30, 1e-45]]).astype(dtype)
    with strict_fp():
        y = fastact.keras_relu(x, ns, mv, th)
    assert y.dtype == dtype
    # Keras in float64 on the same (rounded) x, rounded once: fastact computes in dtype,
    # each result one rounding of (x or 0) - ns (th - x) at most two roundings away
    ref = keras_relu_ref(x.astype(np.float64), ns, mv, th)
    np.testing.assert_allclose(y.astype(np.float64), ref, rtol=4 * np.finfo(dtype).eps,
                               atol=4 * np.finfo(dtype).eps * (1 + abs(th)))


def test_nan_and_infinities():
    x = np.array([np.nan, np.inf, -np.inf])
    with strict_fp():
        y = fastact.keras_relu(x, 0.1, 6.0, 1.0)
        d = fastact.keras_relu.derivative(x, 0.1, 6.0, 1.0)
    assert np.isnan(y[0]) and y[1] == 6.0 and y[2] == -np.inf
    assert np.isnan(d[0]) and d[1] == 0.0 and d[2] == pytest.approx(0.1)
    assert fastact.keras_relu(-np.inf) == 0.0                 # relu(-inf), not 0 * inf
    assert fastact.keras_relu(np.inf, max_value=np.inf) == np.inf   # inf: no cap


def test_special_cases_are_pytorch_functions():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = np.random.default_rng(2).normal(0, 5, 3000)
    t = torch.tensor(x)
    for args, tf in [((0.0, 6.0, 0.0), F.relu6(t)), ((0.01, None, 0.0), F.leaky_relu(t, 0.01)),
                     ((0.0, None, 1.5), F.threshold(t, 1.5, 0.0)), ((), F.relu(t))]:
        np.testing.assert_array_equal(fastact.keras_relu(x, *args), tf.numpy())


def _torch_keras(torch, t, ns, mv, th):
    """The Keras composition in PyTorch ops, for autograd's gradient."""
    neg = torch.relu(-t + th) if ns else 0
    pos = t * (t > th).to(t.dtype) if th != 0 else torch.relu(t)
    if mv is not None:
        pos = torch.clamp(pos, 0.0, mv)
    return pos - ns * neg


@pytest.mark.parametrize("ns,mv,th", CASES)
def test_backward_matches_autograd(ns, mv, th):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(0, 4, 2000)                 # no point on a kink (measure zero)
    g = rng.normal(size=x.shape)
    t = torch.tensor(x, requires_grad=True)
    _torch_keras(torch, t, ns, mv, th).backward(torch.tensor(g))
    with strict_fp():
        dx = fastact.keras_relu.backward(g, x, ns, mv, th)
        d = fastact.keras_relu.derivative(x, ns, mv, th)
    np.testing.assert_allclose(dx, t.grad.numpy(), rtol=1e-15, atol=0)
    np.testing.assert_allclose(d * g, dx, rtol=1e-15, atol=0)


def test_derivative_at_kinks():
    # x <= threshold: negative_slope (PyTorch's leaky_relu'(0) = slope, relu'(0) = 0);
    # at max_value 0 (PyTorch's relu6'(6) = 0)
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.0, 6.0], requires_grad=True, dtype=torch.float64)
    torch.nn.functional.relu6(t).sum().backward()
    assert list(fastact.keras_relu.derivative([0.0, 6.0], max_value=6.0)) == t.grad.tolist()
    t = torch.tensor([0.0], requires_grad=True, dtype=torch.float64)
    torch.nn.functional.leaky_relu(t, 0.2).sum().backward()
    assert fastact.keras_relu.derivative(0.0, 0.2) == t.grad.item()
    assert fastact.keras_relu.derivative(1.0, 0.2, None, 1.0) == 0.2
    assert fastact.keras_relu(1.0, 0.2, None, 1.0) == 0.0       # Keras: 0 at the threshold


def test_bad_arguments_name_the_function():
    with pytest.raises(ValueError, match=r"fastact\.keras_relu: negative_slope must be >= 0"):
        fastact.keras_relu([1.0], -0.1)
    with pytest.raises(ValueError, match=r"fastact\.keras_relu: max_value must be >= 0"):
        fastact.keras_relu([1.0], 0.0, -1.0)
    with pytest.raises(ValueError, match=r"fastact\.keras_relu: threshold must be finite"):
        fastact.keras_relu([1.0], 0.0, None, np.nan)
    with pytest.raises(TypeError, match=r"fastact\.keras_relu: x must be real"):
        fastact.keras_relu(["a"])
    with pytest.raises(TypeError, match=r"fastact\.keras_relu\.backward: negative_slope"):
        fastact.keras_relu.backward([1.0], [1.0], [0.1, 0.2])
    out = np.full(3, 7.0, np.float32)
    with pytest.raises(TypeError, match=r"fastact\.keras_relu: out has dtype"):
        fastact.keras_relu(np.zeros(3), out=out)
    assert (out == 7.0).all()


def test_dtypes_out_and_pickle():
    x = np.array([-2.0, 0.5, 9.0], np.float16)
    assert fastact.keras_relu(x, 0.5, 6.0).dtype == np.float16
    assert fastact.keras_relu([1, -2]).dtype == np.float64
    out = np.empty(3)
    assert fastact.keras_relu(np.array([-2.0, 0.5, 9.0]), 0.5, 6.0, out=out) is out
    assert out.tolist() == [-1.0, 0.5, 6.0]
    assert pickle.loads(pickle.dumps(fastact.keras_relu)) is fastact.keras_relu
    assert "keras.activations.relu" in fastact.keras_relu.__doc__
