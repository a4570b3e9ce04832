"""Every public object has a docstring, and every example in one runs true (doctest).

The activations' docstrings are built from the registry (formula, derivative, facts) with
an example whose printed values come from the pure-Python reference, so running them
checks the kernels against the text a user reads.  They are numpydoc's format, clean
reStructuredText, and help(fastact.NAME) shows them first and alone (issue 20): no class
boilerplate.
"""

import doctest
import inspect
import io
import pydoc

import pytest

import fastact

PUBLIC = {"fastact": fastact, "fastact.set_num_threads": fastact.set_num_threads,
          "fastact.get_num_threads": fastact.get_num_threads,
          "fastact.show_config": fastact.show_config,
          **{f"fastact.{n}": f for n, f in fastact.ACTIVATIONS.items()},
          **{f"fastact.{n}": f for n, f in fastact.GATED.items()},
          **{f"fastact.{f.__name__}{m}": getattr(f, m[1:]) if m else f
             for f in (fastact.cross_entropy, fastact.binary_cross_entropy_with_logits,
                       fastact.nll_loss, fastact.binary_cross_entropy, fastact.mse_loss,
                       fastact.huber_loss, fastact.smooth_l1_loss)
             for m in ("", ".value_and_grad", ".backward")}}


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


ALL = {**fastact.ACTIVATIONS, **fastact.GATED}
BOILERPLATE = ("Method resolution order", "Initialize self", "Helper for pickle",
               "__weakref__", "__dict__", "Data descriptors", "inherited from")


def _methods(f):
    # (the forward is the object itself: its docstring is the object's)
    return [getattr(f, m) for m in ("derivative", "backward",
                                    "derivative_from_output", "backward_from_output")
            if hasattr(f, m)]


@pytest.mark.parametrize("name", list(ALL))
def test_help_shows_the_docstring_first_and_no_boilerplate(name):
    f = ALL[name]
    text = pydoc.render_doc(f, renderer=pydoc.plaintext)
    for junk in BOILERPLATE:
        assert junk not in text, f"help(fastact.{name}) shows {junk!r}"
    first = [line.strip() for line in text.splitlines()[:45]]   # the first screen, about
    screen = "\n".join(first)
    sig = str(inspect.signature(f))
    assert f"{name}{sig}" in screen
    assert f.info.formula.split(";")[0][:40] in screen
    for section in ("Parameters", "Returns"):
        assert section in first and "-" * len(section) in screen, section
    assert "Examples" in text and ">>> " in text
    for p in inspect.signature(f).parameters:
        assert f"{p} : " in text, p                 # every parameter documented


def _rst_problems(text):
    """docutils' warnings and errors on text as reStructuredText."""
    from docutils.core import publish_doctree
    stream = io.StringIO()
    publish_doctree(text, settings_overrides={"warning_stream": stream, "report_level": 2,
                                              "halt_level": 5})
    return stream.getvalue()


@pytest.mark.parametrize("name", list(ALL))
def test_docstrings_are_numpydoc_and_clean_rst(name):
    pytest.importorskip("docutils")
    numpydoc = pytest.importorskip("numpydoc.docscrape")
    f = ALL[name]
    doc = numpydoc.NumpyDocString(inspect.getdoc(f))
    # no signature line for numpydoc to take (Sphinx's autodata fails on one): the
    # signature is literal text after the summary (the formula)
    assert not doc["Signature"] and doc["Summary"] and doc["Examples"]
    assert f"Signature: ``{name}{inspect.signature(f)}``" in " ".join(doc["Extended Summary"])
    documented = [p.name for p in doc["Parameters"]]
    assert documented == list(inspect.signature(f).parameters)
    assert doc["Returns"]
    assert _rst_problems(inspect.getdoc(f)) == ""
    for m in _methods(f):
        mdoc = inspect.getdoc(m)
        parsed = numpydoc.NumpyDocString(mdoc)
        assert [p.name for p in parsed["Parameters"]] == list(inspect.signature(m).parameters)
        assert parsed["Returns"] and parsed["Summary"]
        assert _rst_problems(mdoc) == "", m.__qualname__


def test_has_derivative_and_has_from_output_are_documented():
    for prop in ("has_derivative", "has_from_output"):
        assert getattr(fastact._api.Activation, prop).__doc__.strip()
    assert "has_from_output" in fastact.sigmoid.__doc__
