"""Every public object has a docstring, and every example in one runs true (doctest).

The activations' docstrings are built from the registry (formula, derivative, facts) with
an example whose printed values come from the pure-Python reference, so running them
checks the kernels against the text a user reads.
"""

import doctest

import pytest

import fastact

PUBLIC = {"fastact": fastact, "fastact.set_num_threads": fastact.set_num_threads,
          "fastact.get_num_threads": fastact.get_num_threads,
          "fastact.show_config": fastact.show_config,
          **{f"fastact.{n}": f for n, f in fastact.ACTIVATIONS.items()},
          **{f"fastact.{f.__name__}{m}": getattr(f, m[1:]) if m else f
             for f in (fastact.cross_entropy, fastact.binary_cross_entropy_with_logits)
             for m in ("", ".value_and_grad")}}


def _run(name, obj):
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(obj, name, globs={})
    examples = sum(len(t.examples) for t in tests)
    for t in tests:
        runner.run(t)
    return examples, runner.summarize(verbose=False)


@pytest.mark.parametrize("name", list(PUBLIC))
def test_docstring_examples_run(name):
    obj = PUBLIC[name]
    assert obj.__doc__ and obj.__doc__.strip(), f"{name} has no docstring"
    examples, result = _run(name, obj)
    assert examples >= 1, f"{name}'s docstring has no example"
    assert result.failed == 0, f"{name}: {result.failed} doctest example(s) failed"


@pytest.mark.parametrize("name", list(fastact.ACTIVATIONS))
def test_activation_docstring_has_formula_and_derivative(name):
    f = fastact.ACTIVATIONS[name]
    doc = f.__doc__
    assert f.info.formula in doc and "derivative: " + f.info.derivative in doc
    assert ">>> np.round(fastact." + name in doc


@pytest.mark.parametrize("cls", [fastact._api.Activation, fastact._api.Elementwise,
                                 fastact._api.ElementwiseFromOutput, fastact._api.GELU,
                                 fastact._api.PReLU, fastact._api.RReLU, fastact._api.Softmax])
def test_classes_have_docstrings(cls):
    assert cls.__doc__ and cls.__doc__.strip()
