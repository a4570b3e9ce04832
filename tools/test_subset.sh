# The suite's quick files, sourced by tools/check_wheel.sh and tools/check_pythons.sh: enough
# to show that an installed wheel works on a Python and NumPy (the full suite runs from the
# source tree in CI's first stage, the README's test command).  They cover import and CPU
# dispatch, every variant this CPU runs and the threaded loops against the reference,
# every activation's every method and dtype against the pure-Python reference, the
# limits and special values, NumPy's ufunc behaviour (broadcasting, out=, strides,
# dtypes), and the API contract (errors, parameters, pickling, spawn/forkserver workers):
# about 60% of the tests in a tenth of the suite's time.
SUBSET=(tests/test_dispatch_threads.py tests/test_against_reference.py
        tests/test_derivatives.py tests/test_special_values.py
        tests/test_numpy_behaviour.py tests/test_contract_api.py)
# What only the installed wheel can show, for check_wheel.sh: its stubs (stubtest), its
# vectorization reports, and its other compiled modules (losses, gated, bfloat16 loops).
WHEEL_EXTRA=(tests/test_typing.py tests/test_vectorized.py tests/test_losses.py
             tests/test_gated.py tests/test_bfloat16.py)
