"""Accuracy of fastact's kernels: ``python -m fastact accuracy`` (or
``python -m fastact.instruments.accuracy``).

Measures every elementwise kernel's forward, derivative, backward and from-output forms,
and softmax / log_softmax, against a reference correct to well under an ULP of the result:

* float32: every float32 input (all 2**32 bit patterns, NaNs and infinities included) for
  the forward and the derivative, against the float64 kernel evaluated on the widened
  input.  The float64 kernel is itself measured against mpmath (below); its error, a few
  float64 ULP, is about 2**-29 of a float32 ULP, so it stands in for the exact value.
  The backward and the from-output forms use a strided subset (every 257th pattern).
  ``--quick`` takes every 4099th pattern plus the special values.
* float64: points spread log-uniformly over every binade from 1e-300 to each function's
  saturation point (and sparsely beyond, to DBL_MAX), uniformly over the central range,
  both signs, plus the kinks, the zero crossings of f' with their neighbours and the
  special values, against mpmath at 180 bits (54 digits).  The references evaluate the
  mathematical definitions, written only in forms without cancellation (log1p, expm1,
  exp of -|x|), which are identities, not approximations.

The error is in ULP of the correctly rounded reference, |y - r| / ulp(r), where ulp(r) is
the spacing of the dtype at r's binade (so that just below a power of two the smaller
spacing applies) and the smallest subnormal at and below the subnormal range.  Where f'
crosses zero the relative error is unbounded for any formula that adds terms of opposite
sign, so near the crossings (and for the from-output forms everywhere) the absolute error
is also reported, in units of eps * max|f'| (as oneDNN does).  Bounds live in
``fastact._registry.ACCURACY``.

Every rule reads the record, so that a new activation needs nothing here: an unbounded f'
(max_derivative None or INF) has no global scale for the absolute errors, which are then in
eps * max(1, |f'(x)|); a from-output form is measured only where y = f(x) is finite or f' is
one value over the x that overflow to y (elsewhere f' is not a function of y; the points
left out are counted and printed); the zeros of f, where a formula may cancel as it may at
the zeros of f', are found from the record's references (sign changes of the pure-Python
one on a fine grid, refined on mpmath's) and sampled with their neighbours as the zeros of
f' are.

Special values are checked separately: NaN in gives NaN out, no NaN where a number is due,
the limits at +-inf exactly, the sign of a zero result where it is determined (the
reference is a nonzero number that underflows, f(+-0) = +-0 for f with f(0) = 0 and
f'(0) != 0, one-sided limits), overflow to inf exactly where the correctly rounded value
overflows, and no floating-point flag raised (NumPy's RuntimeWarnings).

The gated activations (``accuracy_gated``) and the losses (``accuracy_losses``: each
row's loss, the reduced losses and value_and_grad's gradient against mpmath, with bounds
in ``fastact.losses.ACCURACY``) have modules of their own; ``--only`` takes their names.  So do the functions that
are not records (``functions``: logsumexp and sparsemax against mpmath, with
the bounds in each function's ``ACCURACY``).

The modules: ``facts`` (constants, the kernels' facts and the rules above), ``mp_refs`` (the
mpmath references and their encoding as arrays), ``sampling`` (the points), ``stats`` (a
row's statistics), ``flags`` (floating-point flags), ``units`` (ULP of each format),
``float64``, ``float32``, ``axis`` (the measurements) and ``cli`` (``main(argv)``, the
command line; ``measure`` and ``measure_kernel`` return the rows as dicts for the
tests).
"""

from .axis import (axis_backward_error, axis_backward_scale, axis_backward_scale_x,  # noqa: F401
                   axis_chunk, axis_forward_error, measure_axis)
from .cli import GATED, LOSSES, Progress, format_table, main, measure, measure_kernel  # noqa: F401
from .facts import (CHUNK32, DTYPES, EPS, G_VALUES, KINDS, POINTS64, PREC,  # noqa: F401
                    QUICK_POINTS64, QUICK_STRIDE32, SUB_STRIDE32, SUFFIX, TINY, Subject,
                    abs_unit, crossing_window, f_overflows, from_output_valid, g_for,
                    kernel_names, kernel_params, kinds_of, max_derivative, subject, ulp_bound)
from .float32 import measure_kernel32  # noqa: F401
from .float64 import errors64, measure_kernel64, references64  # noqa: F401
from .mp_refs import encode, mp_chunk, mp_init, reference, round_double  # noqa: F401
from .sampling import (sample_points64, special_points32, special_points64,  # noqa: F401
                       zero_points32, zero_points64, zeros_of_f)
from .stats import Stats, new_stats  # noqa: F401
from .units import ulp32, ulp64, ulp_of  # noqa: F401

