"""The instruments that measure fastact, apart from the product they measure.

Each reads the records (``fastact.records``) and calls the public API; none of the product
imports them.  Each is a command, ``python -m fastact NAME``:

* ``demo``: the main job (the default command): every public function at a few points,
  and its kernel's speedup over the pure-Python reference;
* ``accuracy`` (with ``accuracy16``, ``accuracy_gated``, ``accuracy_losses``): the error
  in ULP of every kernel against mpmath, float32 over every input;
* ``bench`` (with ``peers``, ``peer_errors``, ``bench_losses``): Melem/s beside NumPy,
  SciPy, PyTorch, JAX, ONNX Runtime and numba, with each peer's error;
* ``gallery``: figures of every function and derivative, and the experiments.
"""
