# cython: language_level=3
"""The common forward call of an elementwise activation, in C.

``fastact.tanh(x)`` on a small array costs the ufunc's own overhead plus the wrapper's; a
Python ``__call__`` that only checks its arguments and calls the ufunc is about 0.3 us,
as much as NumPy spends on a whole np.tanh of 1000 elements.  This base class does that
check in C: a plain float32 or float64 ndarray, no parameters, no ``out``, goes straight
to the forward ufunc with the activation's default parameters (0-d arrays of x's dtype); every other call goes to
the subclass's ``_general_call`` (fastact._api.Elementwise), which checks, casts and
reports errors.
"""

import numpy as np

cdef object _ndarray = np.ndarray
cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)


cdef class FastForward:
    cdef public object _fwd          # the forward ufunc
    # the default parameter values as 0-d arrays of each dtype: the ufunc converts a
    # Python float on every call (0.2 us), and a 0-d array of the data's dtype selects the
    # same loop with the same value
    cdef public tuple _defaults32
    cdef public tuple _defaults64

    def __call__(self, x, *args, out=None, **kwargs):
        cdef object dt
        if type(x) is _ndarray and out is None and not args and not kwargs:
            dt = x.dtype
            if dt is _F32:
                return self._fwd(x, *self._defaults32) if self._defaults32 else self._fwd(x)
            if dt is _F64:
                return self._fwd(x, *self._defaults64) if self._defaults64 else self._fwd(x)
        return self._general_call(x, *args, out=out, **kwargs)
