"""fastact: neural-network activation functions and their derivatives as NumPy ufuncs.

Every activation is an object ``fastact.<name>``::

    y = fastact.sigmoid(x)                    # forward (any array-like, out=, broadcasting)
    d = fastact.sigmoid.derivative(x)         # f'(x)
    dx = fastact.sigmoid.backward(g, x)       # g * f'(x) in one pass
    dx = fastact.sigmoid.backward_from_output(g, y)   # from the forward's output
    fastact.sigmoid.reference                 # the pure-Python twin

``fastact.ACTIVATIONS`` lists them all, in the gallery's order.  The gated activations of
transformer MLPs take two operands and are listed apart, in ``fastact.GATED``::

    y = fastact.swiglu(a, b)                  # silu(a) * b (also geglu, reglu)
    da, db = fastact.swiglu.backward(g, a, b) # both gradients in one fused pass
    y = fastact.glu(x, axis=-1)               # torch.nn.functional.glu

The losses of the output layers, ``fastact.cross_entropy`` and
``fastact.binary_cross_entropy_with_logits`` (and ``nll_loss``, ``binary_cross_entropy``,
``mse_loss``, ``huber_loss``, ``smooth_l1_loss``), are functions with a ``value_and_grad``
of the same arguments (``fastact.losses``).  ``fastact.logsumexp``, ``fastact.sparsemax`` and
``fastact.keras_relu`` (Keras' relu with its three parameters) are functions with a
``backward`` method.

>>> import numpy as np, fastact
>>> fastact.relu(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
>>> fastact.relu.derivative(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 1.])
"""

__version__ = "0.1.0"

from . import reference
from ._api import build as _build
from ._gated import build as _build_gated
from ._runtime import get_num_threads, set_num_threads, show_config
from ._dispatch import UFUNCS
from ._api._keras_relu import keras_relu
from ._api._logsumexp import logsumexp
from ._api._sparsemax import sparsemax
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     huber_loss, mse_loss, nll_loss, smooth_l1_loss)
from .recurrent import gru_cell, lstm_cell

ACTIVATIONS = _build()
GATED = _build_gated()
globals().update(ACTIVATIONS)
globals().update(GATED)

__all__ = ["ACTIVATIONS", "GATED", "UFUNCS", "reference", "set_num_threads",
           "get_num_threads", "show_config", "cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "binary_cross_entropy", "mse_loss",
           "huber_loss", "smooth_l1_loss", "lstm_cell", "gru_cell", "keras_relu",
           "logsumexp", "sparsemax", *ACTIVATIONS, *GATED]
