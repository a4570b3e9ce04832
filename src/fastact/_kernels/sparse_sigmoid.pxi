# sparse_sigmoid(x) = (x + 1) / 2 clipped to [0, 1] (JAX's jax.nn.sparse_sigmoid,
# 0.5 * clip(x + 1, 0, 2)): 0 for x <= -1, 1 for x >= 1; the derivative of sparse_plus.
# sparse_sigmoid'(x) = 1/2 strictly inside (-1, 1), 0 at and beyond +-1 (as hardtanh's and
# hardsigmoid's bounds in PyTorch; JAX's grad gives 1/4 at +-1, the mean of the two sides,
# from jnp.clip's rule for ties), NaN for NaN.
# The forward rounds once (x + 1; the halving is exact since x + 1 >= 2^-53 on (-1, 1)):
# correctly rounded in either precision, so the float32 functions, in float, give the
# double kernel's results rounded (x + 1 of a float is exact in double for |x| >= 2^-29,
# and below that the double sum is too far from a float rounding boundary to move).

cdef inline double sparse_sigmoid_fwd(double x) noexcept nogil:
    cdef double r = (x + 1.0) * 0.5
    r = 0.0 if islessequal(x, -1.0) else r
    r = 1.0 if isgreaterequal(x, 1.0) else r
    return x if x != x else r

cdef inline double sparse_sigmoid_grad(double x) noexcept nogil:
    cdef double r = 0.5 if isgreater(x, -1.0) else 0.0
    r = r if isless(x, 1.0) else 0.0
    return x if x != x else r


cdef float F_MONE = -1.0

cdef inline float sparse_sigmoid_fwd_f(float x) noexcept nogil:
    cdef float r = (x + F_ONE) * F_HALF
    r = F_ZERO if islessequal(x, F_MONE) else r
    r = F_ONE if isgreaterequal(x, F_ONE) else r
    return x if x != x else r

cdef inline float sparse_sigmoid_grad_f(float x) noexcept nogil:
    return _box_f(x, F_MONE, F_ONE, F_HALF)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double sparse_sigmoid_grad2(double x) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included
