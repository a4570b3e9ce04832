# cython: language_level=3
"""Small calls in C: the common calls of an activation go straight to its ufunc.

On 1000 float32 elements a ufunc call costs about a microsecond, and the general path
(fastact._api: binding, _real, _check_params, _check_out, signature=) as much again or
several times more.  So the calls whose arguments are of the common kinds are checked
here, in C, and handed to the ufunc:

* data: ndarrays (exactly), all float32 or all float64;
* parameters: Python floats and ints, and NumPy's float32, float64 and integer scalars
  and 0-d arrays (issue 22), checked on the value the loop takes (after the cast to
  float32 for float32 data: Python's for Python numbers, NumPy's astype for NumPy's) by
  the rules of their registry records (_registry.Param), exactly as
  _api._params._check_scalar, _check_array and _check_params do; they reach the ufunc as
  0-d arrays of the loop's parameter dtype, which NumPy reads fastest and which select
  the same loop with the same value as the general path's signature= (the last one
  made for each parameter is kept, read-only, for the next call with the same value);
* an option that picks the kernel (gelu's approximate): a str of its values or a bool
  alias (FastChoice);
* out: an ndarray of the data's dtype and shape, writeable;
* softmax's axis: the last one (-1 or ndim - 1); the softmax family's backward from x is
  its forward into a temporary, then the from-output ufunc.

Every other call, and every call that fails a check here, goes to the general path (the
Python method), which does everything again and raises the documented error: nothing is
refused here, so both paths raise the same errors, and nothing is written before them.

The activations' instances are called by the vectorcall protocol (PEP 590; issue 22):
their arguments arrive as a C array and a tuple of the keywords' names, so a small call
makes no tuple or dict of its own.  Then the ufunc's own loop is called directly when the
ufunc call would be one call of it (C-contiguous aligned data of one shape, an out apart
from them or the very same memory: _direct), which saves NumPy's dispatch, type
resolution and iterator, 0.3-0.4 us a call; otherwise the ufunc is called, by vectorcall.
"""

cimport numpy as cnp
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF
from cpython.sequence cimport PySequence_Fast_ITEMS
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.math cimport INFINITY, isinf, isnan
from libc.string cimport memcmp, memcpy

import numpy as np

cnp.import_array()

# The methods, numbered: the ufuncs given to FastCall._setup are in this order.
METHODS = ("__call__", "derivative", "backward", "derivative_from_output",
           "backward_from_output")
cdef enum:
    FORWARD = 0
    BACKWARD = 2
    DERIVATIVE_FROM_OUTPUT = 3
    BACKWARD_FROM_OUTPUT = 4
    MAX_PARAMS = 4              # elementwise kernels take up to 2 (hardtanh, softplus)

cdef extern from "Python.h":
    # the vectorcall protocol (PEP 590): the fields and calls FastCall's instances use
    ctypedef struct _TypeObject "PyTypeObject":
        unsigned long tp_flags
        Py_ssize_t tp_vectorcall_offset
        void* tp_call
    ctypedef PyObject* (*vectorcallfunc)(PyObject*, PyObject* const*, size_t, PyObject*)
    unsigned long Py_TPFLAGS_HAVE_VECTORCALL
    Py_ssize_t PyVectorcall_NARGS(size_t)
    object PyObject_Vectorcall(object, PyObject**, size_t, PyObject*)
    void PyType_Modified(_TypeObject*)

cdef extern from "numpy/arrayscalars.h":
    # the value inside NumPy's float32, float64 and int64 scalars (the common ones)
    ctypedef struct PyFloatScalarObject:
        cnp.npy_float obval
    ctypedef struct PyDoubleScalarObject:
        cnp.npy_double obval
    ctypedef struct PyLongScalarObject:
        cnp.npy_long obval

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)
cdef object _FLOAT32 = np.float32, _FLOAT64 = np.float64, _LONG = np.dtype("l").type

# The NumPy scalar types a parameter may be here: the real ones but bool (a bool is an
# error or an alias: the general path's), float16 and longdouble (rare: the general path).
cdef frozenset _NP_SCALARS = frozenset([
    np.float32, np.float64, np.byte, np.short, np.intc, np.int_, np.longlong, np.ubyte,
    np.ushort, np.uintc, np.uint, np.ulonglong])


cdef bint _numpy_value(object v, bint f32, double* c):
    """c[0] = v, a NumPy scalar or a 0-d ndarray (native byte order) of a type of
    _NP_SCALARS, as a loop of parameter dtype float32 (f32) or float64 takes it: cast as
    _api._params._check_array's astype casts it, i.e. by C's casts, an integer straight
    to float32 (not through float64, which could round twice); a float64 beyond float32's
    range is inf.  False (c untouched) for any other v."""
    cdef char buf[16]                 # the value, aligned: its type's size is at most 8
    cdef int t
    if type(v) is _FLOAT32:           # the common ones first, read directly
        t = cnp.NPY_FLOAT
        (<float*>buf)[0] = (<PyFloatScalarObject*>v).obval
    elif type(v) is _FLOAT64:
        t = cnp.NPY_DOUBLE
        (<double*>buf)[0] = (<PyDoubleScalarObject*>v).obval
    elif type(v) is _LONG:
        t = cnp.NPY_LONG
        (<cnp.npy_long*>buf)[0] = (<PyLongScalarObject*>v).obval
    elif type(v) is cnp.ndarray:
        if (cnp.PyArray_NDIM(<cnp.ndarray>v) != 0
                or not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>v)):
            return False
        t = cnp.PyArray_TYPE(<cnp.ndarray>v)
        if cnp.PyArray_ITEMSIZE(<cnp.ndarray>v) > 8:
            return False
        memcpy(buf, cnp.PyArray_DATA(<cnp.ndarray>v), cnp.PyArray_ITEMSIZE(<cnp.ndarray>v))
    elif type(v) in _NP_SCALARS:
        t = (<cnp.dtype>cnp.PyArray_DescrFromScalar(v)).type_num
        cnp.PyArray_ScalarAsCtype(v, buf)
    else:
        return False
    if t == cnp.NPY_FLOAT:
        c[0] = (<float*>buf)[0]
    elif t == cnp.NPY_DOUBLE:
        c[0] = (<double*>buf)[0]
        if f32:
            if isinf(<float>c[0]) and not isinf(c[0]):
                return False          # beyond float32's range: the general path's error
            c[0] = <float>c[0]
    elif t == cnp.NPY_BYTE:
        c[0] = <float>(<cnp.npy_byte*>buf)[0]
    elif t == cnp.NPY_SHORT:
        c[0] = <float>(<cnp.npy_short*>buf)[0]
    elif t == cnp.NPY_UBYTE:
        c[0] = <float>(<cnp.npy_ubyte*>buf)[0]
    elif t == cnp.NPY_USHORT:
        c[0] = <float>(<cnp.npy_ushort*>buf)[0]
    elif t == cnp.NPY_INT:
        c[0] = <float>(<cnp.npy_int*>buf)[0] if f32 else <double>(<cnp.npy_int*>buf)[0]
    elif t == cnp.NPY_UINT:
        c[0] = <float>(<cnp.npy_uint*>buf)[0] if f32 else <double>(<cnp.npy_uint*>buf)[0]
    elif t == cnp.NPY_LONG:
        c[0] = <float>(<cnp.npy_long*>buf)[0] if f32 else <double>(<cnp.npy_long*>buf)[0]
    elif t == cnp.NPY_ULONG:
        c[0] = <float>(<cnp.npy_ulong*>buf)[0] if f32 else <double>(<cnp.npy_ulong*>buf)[0]
    elif t == cnp.NPY_LONGLONG:
        c[0] = (<float>(<cnp.npy_longlong*>buf)[0] if f32
                else <double>(<cnp.npy_longlong*>buf)[0])
    elif t == cnp.NPY_ULONGLONG:
        c[0] = (<float>(<cnp.npy_ulonglong*>buf)[0] if f32
                else <double>(<cnp.npy_ulonglong*>buf)[0])
    else:
        return False                  # bool, float16, longdouble, complex, ...
    return True


cdef object _dtype_of(PyObject** argv, Py_ssize_t ndata):
    """The dtype of the data (argv[:ndata]): float32 or float64 ndarrays all of one
    dtype; else None."""
    cdef object dt = None
    for k in range(ndata):
        a = <object>argv[k]
        if type(a) is not cnp.ndarray:
            return None
        d = <object>cnp.PyArray_DESCR(<cnp.ndarray>a)
        if dt is None and (d is _F32 or d is _F64):
            dt = d
        elif d is not dt:
            return None
    return dt


cdef bint _same_shape(cnp.ndarray a, cnp.ndarray b):
    cdef int n = cnp.PyArray_NDIM(a)
    return n == cnp.PyArray_NDIM(b) and memcmp(
        cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b), n * sizeof(cnp.npy_intp)) == 0


cdef bint _out_ok(object out, object dt, PyObject** argv, Py_ssize_t ndata):
    """out is None, or an ndarray of dtype dt, writeable, of the data's shape (data of
    different shapes broadcast: with an out they go the general way)."""
    if out is None:
        return True
    if (type(out) is not cnp.ndarray or <object>cnp.PyArray_DESCR(<cnp.ndarray>out) is not dt
            or not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out)):
        return False
    for k in range(ndata):
        if not _same_shape(<cnp.ndarray><object>argv[k], <cnp.ndarray>out):
            return False
    return True


cdef inline void _put(tuple t, Py_ssize_t i, object v):
    Py_INCREF(v)                    # PyTuple_SET_ITEM steals a reference
    PyTuple_SET_ITEM(t, i, v)


cdef extern from *:
    """
    /* the ufunc's loop signatures (type numbers, nargs per loop): a field NumPy's own
       .pxd exposes up to 2.4 and not from 2.5 on, whose header reads the fields through
       _PyUFuncObject_GET_ITEM_DATA (the same layout) */
    #if defined(_PyUFuncObject_GET_ITEM_DATA)
    #define FASTACT_UFUNC_TYPES(u) ((const char *)_PyUFuncObject_GET_ITEM_DATA(u)->types)
    #else
    #define FASTACT_UFUNC_TYPES(u) ((const char *)((PyUFuncObject *)(u))->types)
    #endif
    """
    const char* FASTACT_UFUNC_TYPES(object u)


ctypedef void (*_loop_fn)(char**, const cnp.npy_intp*, const cnp.npy_intp*,
                         void*) noexcept nogil

cdef enum:
    CARRAY = cnp.NPY_ARRAY_C_CONTIGUOUS | cnp.NPY_ARRAY_ALIGNED
    GIL_THRESHOLD = 500     # NumPy's: a loop over more elements runs without the GIL


cdef object _direct(cnp.ufunc uf, PyObject** argv, Py_ssize_t ndata, tuple params,
                    object out, bint rows):
    """The ufunc's own loop called directly (issue 22: NumPy's dispatch, type resolution,
    iterator and output allocation cost 0.3-0.4 us a call, as much as the loop on 1000
    elements), for the calls whose ufunc call is one call of that loop: data C-contiguous
    and aligned, all of one shape, size > 0 and ndim > 0 (a 0-d result is a NumPy scalar);
    out, if given, likewise and either the very memory of a data operand (the loops and
    NumPy both take that as elementwise) or apart from all of them (NumPy copies an input
    that partly overlaps out); params: 0-d arrays (or none).  The loop is the one NumPy's
    type resolution picks (the first whose types every operand casts to safely) when its
    types are exactly the operands'.  rows: a generalized ufunc (n)->(n) along the last
    axis, called as NumPy does with dims (rows, n).  fastact's loops never fail and clear
    the floating-point flags they raise (threads.pxi), so nothing is left to check after
    them; None: the ufunc call is due."""
    cdef PyObject* ops[2 + MAX_PARAMS + 1]
    cdef char* args[2 + MAX_PARAMS + 1]
    cdef cnp.npy_intp steps[2 * (2 + MAX_PARAMS + 1)]
    cdef cnp.npy_intp dims[2]
    cdef Py_ssize_t k, i, j, nin = ndata + len(params), nargs = nin + 1
    cdef cnp.npy_intp size, item, nbytes
    cdef int t
    cdef char* lo
    cdef char* o
    cdef cnp.ndarray a, a0
    cdef _loop_fn loop
    cdef void* data
    if uf.nin != nin or uf.nout != 1 or (rows and nin != ndata):
        return None
    a0 = <cnp.ndarray><object>argv[0]
    t = cnp.PyArray_TYPE(a0)
    size = cnp.PyArray_SIZE(a0)
    if cnp.PyArray_NDIM(a0) == 0 or size == 0:
        return None
    for k in range(ndata):
        a = <cnp.ndarray><object>argv[k]
        if (cnp.PyArray_FLAGS(a) & CARRAY) != CARRAY or (k and not _same_shape(a, a0)):
            return None
        ops[k] = argv[k]
    for k in range(len(params)):
        p = params[k]
        if type(p) is not cnp.ndarray:
            return None
        ops[ndata + k] = <PyObject*>p
    item = cnp.PyArray_ITEMSIZE(a0)
    nbytes = size * item
    if out is not None:
        if (cnp.PyArray_FLAGS(<cnp.ndarray>out) & CARRAY) != CARRAY:
            return None
        o = <char*>cnp.PyArray_DATA(<cnp.ndarray>out)
        for k in range(ndata):
            lo = <char*>cnp.PyArray_DATA(<cnp.ndarray><object>argv[k])
            if lo != o and lo < o + nbytes and o < lo + nbytes:
                return None
    # the loop NumPy's legacy type resolution would pick, if it is exactly ours
    cdef const char* types = FASTACT_UFUNC_TYPES(uf)
    for i in range(uf.ntypes):
        for k in range(nargs):
            if types[i * nargs + k] != (t if k < ndata or k == nin else
                                           cnp.PyArray_TYPE(<cnp.ndarray><object>ops[k])):
                break
        else:
            break                               # an exact match
        for k in range(nin):
            if not cnp.PyArray_CanCastSafely(
                    t if k < ndata else cnp.PyArray_TYPE(<cnp.ndarray><object>ops[k]),
                    types[i * nargs + k]):
                break
        else:
            return None                         # NumPy takes an earlier, inexact loop
    else:
        return None
    if out is None:
        out = cnp.PyArray_SimpleNew(cnp.PyArray_NDIM(a0), cnp.PyArray_DIMS(a0), t)
    for k in range(nin):
        args[k] = <char*>cnp.PyArray_DATA(<cnp.ndarray><object>ops[k])
        steps[k] = item if k < ndata else 0     # a 0-d parameter: broadcast, stride 0
    args[nin] = <char*>cnp.PyArray_DATA(<cnp.ndarray>out)
    steps[nin] = item
    if rows:
        dims[1] = cnp.PyArray_DIMS(a0)[cnp.PyArray_NDIM(a0) - 1]
        dims[0] = size // dims[1]
        for k in range(nargs):
            steps[k] = dims[1] * item           # from row to row; then along a row
            steps[nargs + k] = item
    else:
        dims[0] = size
    loop = <_loop_fn><void*>uf.functions[i]   # fastact's loops are nogil
    data = uf.data[i]
    if size > GIL_THRESHOLD:
        with nogil:
            loop(args, dims, steps, data)
    else:
        loop(args, dims, steps, data)
    return out


cdef object _run(object ufunc, PyObject** argv, Py_ssize_t ndata, tuple params, object out,
                 bint rows=False):
    """ufunc(*argv[:ndata], *params[, out]) (its loop directly when _direct can), or None
    if NumPy refuses the operands (data whose shapes do not broadcast: refused before the
    loop writes anything, and the general path will refuse them again, naming the
    function and the arguments)."""
    cdef PyObject* ops[2 + MAX_PARAMS + 1]    # borrowed: argv, params and out hold them
    cdef Py_ssize_t k, n = len(params)
    r = _direct(<cnp.ufunc>ufunc, argv, ndata, params, out, rows)
    if r is not None:
        return r
    for k in range(ndata):
        ops[k] = argv[k]
    for k in range(n):
        ops[ndata + k] = <PyObject*>params[k]
    if out is not None:
        ops[ndata + n] = <PyObject*>out   # out positionally: NumPy parses that fastest
    try:
        return PyObject_Vectorcall(ufunc, ops, ndata + n + (out is not None), NULL)
    except (TypeError, ValueError):
        return None


# The calls' arguments, here: an array `argv` of the positional ones (argv[:nargs]) then
# the keywords' values (argv[nargs + k] for the name kwnames[k]; kwnames None for none),
# as the vectorcall protocol passes them (no tuple, no dict made); borrowed references.

cdef Py_ssize_t _keyword(tuple kwnames, str name):
    """The index of name in kwnames, or -1 (by identity first: Python interns the
    keywords of a call's source)."""
    cdef Py_ssize_t k
    if kwnames is None:
        return -1
    for k in range(len(kwnames)):
        if kwnames[k] is name:
            return k
    for k in range(len(kwnames)):
        if kwnames[k] == name:
            return k
    return -1


cdef object _call_dict(FastCall self, int which, Py_ssize_t ndata, tuple args, dict kwargs,
                       general):
    """A call of method `which` as a Python-level call makes it (args, kwargs): the fast
    path, else general(self, *args, **kwargs)."""
    cdef Py_ssize_t nargs = len(args)
    cdef tuple kwnames = None
    cdef tuple every = args
    if kwargs:
        kwnames = tuple(kwargs)
        every = args + tuple(kwargs.values())
    r = (self._fast(which, PySequence_Fast_ITEMS(every), nargs, kwnames, ndata)
         if nargs >= ndata else None)
    return general(self, *args, **kwargs) if r is None else r


cdef object _forward_vectorcall(PyObject* callable, PyObject* const* argv, size_t nargsf,
                                PyObject* kwnames):
    """FastCall's instances' vectorcall (the forward): the fast path, else the general
    path, _general_call, given the very same arguments."""
    cdef FastCall self = <FastCall>callable
    cdef Py_ssize_t nargs = PyVectorcall_NARGS(nargsf)
    r = None
    if nargs >= 1:
        r = self._fast(FORWARD, <PyObject**>argv, nargs,
                       None if kwnames == NULL else <tuple>kwnames, 1)
    if r is None:
        return PyObject_Vectorcall(self._general_call, <PyObject**>argv, nargs, kwnames)
    return r


cdef Py_ssize_t _VECTORCALL_OFFSET = -1     # of FastCall's _vectorcall in its instances


cdef class FastCall:
    """The compiled calls of an activation (fastact._api's Elementwise and PReLU): its
    forward as __call__, its other methods through compiled_method() below.  _setup gives
    it the ufuncs and the parameters' records; _general_call is the forward's general
    path."""

    cdef vectorcallfunc _vectorcall  # _forward_vectorcall (see _enable_vectorcall)
    cdef tuple _ufuncs              # by method number (METHODS), None where there is none
    cdef tuple _general             # a record with a general kernel (Record.general_kernel): its
                                    # ufuncs, for parameters not all at their defaults
                                    # (then _ufuncs take none); else None
    cdef tuple _names               # the parameters' names, in call order
    cdef int _nparams
    cdef double _default32[MAX_PARAMS]
    cdef double _default64[MAX_PARAMS]
    cdef tuple _frozen32, _frozen64  # the defaults as read-only 0-d arrays of each dtype
    cdef list _last32, _last64       # by parameter: the last other value's, likewise
                                     # (None: none yet); a loop's calls repeat their value
    # the records' rules (_registry.Param), by parameter
    cdef bint _nonzero[MAX_PARAMS]
    cdef double _inf[MAX_PARAMS]     # the one infinity allowed, or 0: none
    cdef int _at_least[MAX_PARAMS]   # the parameter this one must not be below, or -1
    cdef double _floor[MAX_PARAMS]   # the number it must not be below, or -inf
    cdef bint _required[MAX_PARAMS]  # no default: the general path says it is missing
    cdef bint _nonnegative_from_output[MAX_PARAMS]
    cdef bint _none_default[MAX_PARAMS]  # default None, "not given" (_registry.Param):
                                         # None or nothing is the default, any value not

    def __cinit__(self):
        self._vectorcall = <vectorcallfunc><void*>_forward_vectorcall

    def _setup(self, ufuncs, params, general=None):
        """ufuncs: one per METHODS entry (or None); params: the _registry.Param records;
        general: the general kernel's ufuncs, likewise, if the record has one (ufuncs
        then take no parameters and serve the calls at the defaults)."""
        if len(params) > MAX_PARAMS:
            raise ValueError(f"fastact._fastpath: at most {MAX_PARAMS} parameters")
        _enable_vectorcall(self)
        self._ufuncs = tuple(ufuncs)
        self._general = None if general is None else tuple(general)
        self._names = tuple(p.name for p in params)
        self._nparams = len(params)
        frozen32, frozen64 = [], []
        for i, p in enumerate(params):
            self._nonzero[i] = p.nonzero
            self._inf[i] = 0.0 if p.inf is None else p.inf
            numeric = type(p.at_least) is float
            self._at_least[i] = (-1 if p.at_least is None or numeric
                                 else self._names.index(p.at_least))
            self._floor[i] = p.at_least if numeric else -INFINITY
            self._required[i] = p.required
            self._nonnegative_from_output[i] = p.from_output_nonnegative
            self._none_default[i] = p.default is None
            if type(p.default) is float:          # not softmax's axis
                self._default64[i] = p.default
                self._default32[i] = <float>p.default
                for dt, frozen in ((_F32, frozen32), (_F64, frozen64)):
                    a = np.array(p.default, dtype=dt)
                    a.flags.writeable = False
                    frozen.append(a)
            else:                                 # no frozen default; keeps the indices
                frozen32.append(None)
                frozen64.append(None)
        self._frozen32, self._frozen64 = tuple(frozen32), tuple(frozen64)
        self._last32, self._last64 = [None] * len(params), [None] * len(params)

    cdef bint _bind(self, PyObject** argv, Py_ssize_t first, Py_ssize_t nargs, tuple kwnames,
                    Py_ssize_t skip, PyObject** given):
        """given[i] = the value given for parameter i (argv[first:nargs], then the
        keywords but kwnames[skip], out's; borrowed), else left NULL;
        False if they do not bind (too many, unknown or twice: the general path says
        which)."""
        cdef Py_ssize_t i, k, n = nargs - first
        if n > self._nparams:
            return False
        for i in range(n):
            given[i] = argv[first + i]
        if kwnames is not None:
            for k in range(len(kwnames)):
                if k == skip:
                    continue
                i = self._index(kwnames[k])
                if i < n or given[i] != NULL:   # unknown (-1), or given already
                    return False
                given[i] = argv[nargs + k]
        return True

    cdef Py_ssize_t _index(self, key):
        """The number of the parameter named key, or -1 (a loop: tuple.index is a
        Python call)."""
        cdef Py_ssize_t i
        for i in range(self._nparams):
            name = self._names[i]
            if name is key or name == key:
                return i
        return -1

    cdef tuple _params(self, PyObject** argv, Py_ssize_t first, Py_ssize_t nargs, tuple kwnames,
                       Py_ssize_t skip, bint f32, bint from_output, bint* at_defaults):
        """The parameters as the loop takes them (0-d arrays of its parameter dtype),
        checked as _api._params._check_params checks them; None if they are not all
        Python floats or ints or NumPy numbers of _NP_SCALARS, or fail a check (the
        general path says why).
        at_defaults[0]: whether every one equals its default as the loop takes it."""
        cdef PyObject* given[MAX_PARAMS]
        cdef double c[MAX_PARAMS]
        cdef bint absent[MAX_PARAMS]      # a None default, not given or given as None
        cdef double* defaults = &self._default32[0] if f32 else &self._default64[0]
        cdef int i, n = self._nparams
        cdef float f
        for i in range(n):
            given[i] = NULL
        if not self._bind(argv, first, nargs, kwnames, skip, given):
            return None
        for i in range(n):
            absent[i] = self._none_default[i] and (given[i] == NULL
                                                   or <object>given[i] is None)
            if absent[i]:
                c[i] = 0.0                    # not passed to any kernel
                continue
            if given[i] == NULL:
                if self._required[i]:
                    return None
                c[i] = defaults[i]
                continue
            v = <object>given[i]
            if type(v) is float or type(v) is int:
                if type(v) is float:
                    c[i] = <double>v
                else:
                    try:
                        c[i] = <double>v      # float(v): OverflowError beyond float64
                    except OverflowError:
                        return None
                if f32:
                    # the cast of _check_scalar's struct "=f" (CPython's, and NumPy's
                    # too): C's, an infinity from a finite value meaning beyond
                    # float32's range
                    f = <float>c[i]
                    if isinf(f) and not isinf(c[i]):
                        return None
                    c[i] = f
            elif not _numpy_value(v, f32, &c[i]):
                return None                   # bool, lists, arrays, float16, ...
            if isnan(c[i]) or (isinf(c[i]) and c[i] != self._inf[i]):
                return None
            if c[i] == 0.0 and self._nonzero[i]:
                return None
            if c[i] < self._floor[i]:
                return None
        for i in range(n):
            if self._at_least[i] >= 0 and c[self._at_least[i]] > c[i]:
                return None
            if from_output and self._nonnegative_from_output[i] and c[i] < 0.0:
                return None
        frozen = self._frozen32 if f32 else self._frozen64
        last = self._last32 if f32 else self._last64
        params = PyTuple_New(n)
        at_defaults[0] = True
        for i in range(n):
            if absent[i]:
                p = None                      # only the specialised kernel runs (Param)
            elif (not self._none_default[i]
                  and memcmp(&c[i], &defaults[i], sizeof(double)) == 0):  # -0.0 is not 0.0
                p = frozen[i]
            else:
                at_defaults[0] = False
                f = <float>c[i]
                p = last[i]
                # bit for bit (-0.0 is not 0.0); read-only, so no one changes it
                if p is None or (memcmp(cnp.PyArray_DATA(<cnp.ndarray>p), &f, sizeof(float))
                                 if f32 else memcmp(cnp.PyArray_DATA(<cnp.ndarray>p), &c[i],
                                                    sizeof(double))) != 0:
                    p = cnp.PyArray_SimpleNew(0, NULL,
                                              cnp.NPY_FLOAT if f32 else cnp.NPY_DOUBLE)
                    if f32:
                        (<float*>cnp.PyArray_DATA(<cnp.ndarray>p))[0] = f
                    else:
                        (<double*>cnp.PyArray_DATA(<cnp.ndarray>p))[0] = c[i]
                    cnp.PyArray_CLEARFLAGS(<cnp.ndarray>p, cnp.NPY_ARRAY_WRITEABLE)
                    last[i] = p
            _put(params, i, p)
        return params

    cdef object _fast(self, int which, PyObject** argv, Py_ssize_t nargs, tuple kwnames,
                      Py_ssize_t ndata):
        """Method number `which` on argv (nargs >= ndata positional ones: ndata data
        operands, then parameters; then the keywords') by the fast path, or None: the
        general path is due."""
        cdef bint at_defaults
        cdef Py_ssize_t iout = _keyword(kwnames, "out")
        out = None if iout < 0 else <object>argv[nargs + iout]
        dt = _dtype_of(argv, ndata)
        if dt is None or not _out_ok(out, dt, argv, ndata):
            return None
        params = self._params(argv, ndata, nargs, kwnames, iout, dt is _F32,
                              which >= DERIVATIVE_FROM_OUTPUT, &at_defaults)
        if params is None:
            return None
        if self._general is not None:
            if not at_defaults:
                return _run(self._general[which], argv, ndata, params, out)
            params = ()                 # the specialised kernel: no parameters
        return _run(self._ufuncs[which], argv, ndata, params, out)

    def __call__(self, *args, **kwargs):
        # (the calls through the type's slot; an instance's own calls are vectorcalls)
        return _call_dict(self, FORWARD, 1, args, kwargs, type(self)._general_call)


cdef int _enable_vectorcall(FastCall obj) except -1:
    """Have obj's class call its instances by the vectorcall protocol (_forward_vectorcall:
    no tuple and dict made for each call, as the type's tp_call needs).  Python 3.12
    passes it on to subclasses that keep the tp_call; 3.11 only to immutable ones, so it
    is set on each activation's class here.  Not for a class with a __call__ of its own
    (its tp_call is not FastCall's)."""
    global _VECTORCALL_OFFSET
    cls = type(obj)
    cdef _TypeObject* t = <_TypeObject*>cls
    if t.tp_call != (<_TypeObject*>FastCall).tp_call:
        return 0
    if _VECTORCALL_OFFSET < 0:
        _VECTORCALL_OFFSET = <char*>&obj._vectorcall - <char*><PyObject*>obj
    if not t.tp_flags & Py_TPFLAGS_HAVE_VECTORCALL:
        t.tp_vectorcall_offset = _VECTORCALL_OFFSET
        t.tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL
        PyType_Modified(t)
    return 0


cdef class FastAxis(FastCall):
    """The compiled calls of the softmax family (generalized ufuncs along an axis): the
    forward, the backward from x and the backward from y along the last axis.  _setup's
    ufuncs: the forward's and the from-output backward's (the backward from x runs both)."""

    cdef object _fast(self, int which, PyObject** argv, Py_ssize_t nargs, tuple kwnames,
                      Py_ssize_t ndata):
        cdef object axis = -1
        cdef PyObject* gy[2]
        cdef Py_ssize_t k, iout = _keyword(kwnames, "out")
        cdef Py_ssize_t nkw = (0 if kwnames is None else len(kwnames)) - (iout >= 0)  # but out
        out = None if iout < 0 else <object>argv[nargs + iout]
        dt = _dtype_of(argv, ndata)
        if dt is None or not _out_ok(out, dt, argv, ndata):
            return None
        nd = cnp.PyArray_NDIM(<cnp.ndarray><object>argv[0])
        if nd == 0 or (ndata == 2 and not _same_shape(<cnp.ndarray><object>argv[0],
                                                      <cnp.ndarray><object>argv[1])):
            return None              # one row of one element; grad_output broadcast to y
        if nargs > ndata + 1:
            return None
        if nargs == ndata + 1:
            axis = <object>argv[ndata]
        if nkw:
            k = _keyword(kwnames, "axis")
            if nkw > 1 or nargs > ndata or k < 0:
                return None
            axis = <object>argv[nargs + k]
        if type(axis) is not int or not (axis == -1 or axis == nd - 1):
            return None
        if which == BACKWARD:
            # from x: y = f(x) into a temporary, then the from-output kernel (the numbers
            # of backward_from_output(g, f(x)); out may be x, which is read first), into
            # y itself without an out (the loops take an out that is exactly an input:
            # one allocation fewer)
            y = _run(self._ufuncs[FORWARD], argv + 1, 1, (), None, True)
            if y is None:
                return None
            gy[0], gy[1] = argv[0], <PyObject*>y
            return _run(self._ufuncs[BACKWARD_FROM_OUTPUT], gy, 2, (), y if out is None else out,
                        True)
        return _run(self._ufuncs[which], argv, ndata, (), out, True)   # the core axis: the last


cdef class FastChoice(FastCall):
    """The compiled calls of an activation whose one parameter is an option that picks
    the kernel (gelu's approximate: 'none' or 'tanh', or the bool aliases True and
    False): a str among the options or a bool among the aliases goes to that kernel's
    ufunc, any other value (NumPy's bools, str subclasses, unknown options: the general
    path's error) to the general path."""

    cdef dict _by_option            # option value (str or bool) -> its ufuncs by METHODS
    cdef str _option                # the parameter's name
    cdef object _default_option

    def _setup_choice(self, name, default, by_option):
        """by_option: each option's and alias's value -> one ufunc per METHODS entry (or
        None)."""
        self._option, self._default_option = name, default
        _enable_vectorcall(self)
        self._by_option = {v: tuple(u) for v, u in by_option.items()}

    cdef object _fast(self, int which, PyObject** argv, Py_ssize_t nargs, tuple kwnames,
                      Py_ssize_t ndata):
        cdef Py_ssize_t k, n = nargs - ndata
        cdef Py_ssize_t iout = _keyword(kwnames, "out")
        cdef Py_ssize_t nkw = (0 if kwnames is None else len(kwnames)) - (iout >= 0)  # but out
        out = None if iout < 0 else <object>argv[nargs + iout]
        dt = _dtype_of(argv, ndata)
        if dt is None or n > 1 or not _out_ok(out, dt, argv, ndata):
            return None
        opt = <object>argv[ndata] if n else self._default_option
        if nkw:
            k = _keyword(kwnames, self._option)
            if n or nkw > 1 or k < 0:
                return None
            opt = <object>argv[nargs + k]
        # by type first: 1 == True and 1.0 == True, and a str subclass may hash oddly
        if type(opt) is not str and type(opt) is not bool:
            return None
        ufuncs = self._by_option.get(opt)
        if ufuncs is None:
            return None
        return _run((<tuple>ufuncs)[which], argv, ndata, (), out)


def compiled_method(general, int which, int ndata):
    """A compiled method number `which` (METHODS) of `ndata` data operands: the fast path,
    else `general` (the Python method: the checks, the documented errors, and Python's
    own messages for arguments that do not bind).  A new function each call, so that
    each activation's can carry its own __doc__ and __signature__."""
    def fast_method(FastCall self, *args, **kwargs):
        return _call_dict(self, which, ndata, args, kwargs, general)
    return fast_method
