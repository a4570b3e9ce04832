"""One parser of the axis argument (_functions._axis_list) for softmax, logsumexp and
sparsemax: the same rules and the same messages, a 0-d input being one row of one
element for all three (as SciPy's logsumexp and softmax treat it)."""

import numpy as np
import pytest
import scipy.special

import fastact

AxisError = np.exceptions.AxisError


@pytest.mark.parametrize("axis", [0, -1, None, (0,), (-1,)], ids=repr)
def test_0d_is_one_row_of_one_element(axis):
    assert fastact.logsumexp(np.float64(1.5), axis=axis) == scipy.special.logsumexp(
        np.float64(1.5), axis=axis) == 1.5
    assert fastact.softmax(np.float64(1.5), axis=axis) == 1.0
    if not isinstance(axis, tuple) and axis is not None:
        assert fastact.sparsemax(np.float64(1.5), axis=axis) == 1.0


@pytest.mark.parametrize("x", [np.float64(1.0), np.ones(3), np.ones((2, 3))],
                         ids=["0d", "1d", "2d"])
@pytest.mark.parametrize("axis, exc, text", [
    (5, AxisError, r"axis 5 is out of bounds for array of dimension \d"),
    (-7, AxisError, r"axis -7 is out of bounds for array of dimension \d"),
    (10 ** 20, AxisError, r"axis 10+ is out of bounds"),
    (1.5, TypeError, r"axis must be an integer"),
    ("0", TypeError, r"axis must be an integer"),
], ids=["5", "-7", "huge", "1.5", "str"])
def test_bad_axis_same_message_everywhere(x, axis, exc, text):
    msgs = []
    for f in (fastact.softmax, fastact.logsumexp, fastact.sparsemax):
        with pytest.raises(exc, match=rf"fastact\.{f.name}: {text}") as info:
            f(x, axis=axis)
        msgs.append(str(info.value).split(": ", 1)[1].split(", got")[0].replace(
            ", a tuple of integers or None", ""))
    assert len(set(msgs)) == 1, msgs          # one parser: the same words


def test_tuple_rules():
    x = np.ones((2, 3))
    for f in (fastact.softmax, fastact.logsumexp):
        with pytest.raises(ValueError, match=rf"fastact\.{f.name}: axis \(0, -2\) repeats"):
            f(x, axis=(0, -2))
        with pytest.raises(TypeError, match=rf"fastact\.{f.name}: axis must be an integer, "
                                            r"a tuple of integers or None, got \(0, 1.0\)"):
            f(x, axis=(0, 1.0))
    with pytest.raises(ValueError, match=r"fastact\.softmax: axis is an empty tuple"):
        fastact.softmax(x, axis=())
    np.testing.assert_array_equal(fastact.logsumexp(x, axis=()), x)    # SciPy: no reduction
    with pytest.raises(TypeError, match=r"fastact\.sparsemax: axis must be an integer, "
                                        r"got \(0,\)"):
        fastact.sparsemax(x, axis=(0,))
    with pytest.raises(TypeError, match=r"fastact\.sparsemax: axis must be an integer, "
                                        r"got None"):
        fastact.sparsemax(x, axis=None)
