"""prelu's weight of 2 or more dimensions broadcasts to x NumPy-style, as ONNX's PRelu
slope (checked against ONNX Runtime), while a 1-d weight stays PyTorch's one slope per
channel on axis 1 (checked against torch.nn.functional.prelu and its autograd)."""

import numpy as np
import pytest

import fastact
from conftest import strict_fp


def _onnx_prelu(x, slope):
    import onnxruntime as ort
    from onnx import helper
    tp = helper.np_dtype_to_tensor_dtype(x.dtype)
    node = helper.make_node("PRelu", ["x", "slope"], ["y"])
    graph = helper.make_graph(
        [node], "prelu", [helper.make_tensor_value_info("x", tp, list(x.shape)),
                          helper.make_tensor_value_info("slope", tp, list(slope.shape))],
        [helper.make_tensor_value_info("y", tp, list(x.shape))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    model.ir_version = 10
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x, "slope": slope})[0]


SHAPES = [((2, 3, 4, 5), (3, 4, 5)), ((2, 3, 4, 5), (1, 5)), ((2, 3, 4, 5), (4, 1)),
          ((2, 3, 4), (2, 3, 4)), ((2, 3, 4), (2, 1, 1)), ((6, 5), (1, 5)), ((6, 5), (6, 1))]


@pytest.mark.parametrize("xs,ws", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_onnx_prelu(xs, ws, dtype):
    pytest.importorskip("onnxruntime")
    rng = np.random.default_rng(0)
    x = rng.normal(size=xs).astype(dtype)
    w = rng.uniform(-0.5, 0.5, ws).astype(dtype)
    with strict_fp():
        y = fastact.prelu(x, w)
    np.testing.assert_array_equal(y, _onnx_prelu(x, w))


@pytest.mark.parametrize("xs,ws", SHAPES)
def test_gradients_match_autograd(xs, ws):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=xs), rng.normal(size=xs)
    w = rng.uniform(-0.5, 0.5, ws)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    torch.where(tx > 0, tx, tw * tx).backward(torch.tensor(g))     # ONNX's definition
    with strict_fp():
        gx, gw = fastact.prelu.backward(g, x, w)
    assert gw.shape == w.shape
    np.testing.assert_array_equal(gx, tx.grad.numpy())
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(fastact.prelu.derivative(x, w),
                                  np.where(x > 0, 1.0, np.broadcast_to(w, xs)))


def test_one_dimensional_weight_is_still_per_channel():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 3, 4)), rng.uniform(0, 0.5, 3)
    np.testing.assert_array_equal(
        fastact.prelu(x, w), torch.nn.functional.prelu(torch.tensor(x), torch.tensor(w)))
    # the same slopes as a (3, 1) weight broadcast NumPy-style: the same result
    np.testing.assert_array_equal(fastact.prelu(x, w), fastact.prelu(x, w[:, None]))


def test_weight_that_does_not_broadcast_to_x_is_refused():
    x = np.zeros((2, 3))
    for w in (np.zeros((2, 2)), np.zeros((4, 2, 3)), np.zeros((1, 1, 3))):
        with pytest.raises(ValueError, match=r"fastact\.prelu: weight of shape .* does not "
                                             r"broadcast to x's shape \(2, 3\)"):
            fastact.prelu(x, w)
    out = np.full((2, 3), 5.0)
    with pytest.raises(ValueError, match=r"fastact\.prelu\.backward: weight"):
        fastact.prelu.backward(x, x, np.zeros((3, 3)), out=out)
    assert (out == 5.0).all()
