"""The documentation's examples (docs/examples/plot_*.py) run as plain scripts, without
Sphinx: each finishes within a time budget, draws at least one figure that renders, and
raises no RuntimeWarning or UserWarning.  The sphinx-gallery build executes the same
files; these tests catch a broken example before a docs build does.

A few checks then hold each example to what its text says (the numbers it quotes in
words), read from the script's globals after it ran.
"""

import io
import pathlib
import runpy
import sys
import time
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg", force=True)
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES_DIR = pathlib.Path(__file__).resolve().parent.parent / "docs" / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))
# The examples aim at under 20 s each on one core; the budget leaves room for a slow,
# shared CI machine (and for the first import of PyTorch).
TIME_BUDGET_S = 60.0


def run_example(path):
    """Run one example as ``__main__``; return (globals, figures, seconds).  The figures
    are rendered (as sphinx-gallery does) inside the timing.  RuntimeWarning (fastact's
    rule: none ever) and UserWarning (matplotlib's, e.g. a glyph missing from the font)
    are errors; a third party's deprecation notice is not the example's fault."""
    plt.close("all")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("error", UserWarning)
        namespace = runpy.run_path(str(path), run_name="__main__")
        figures = [plt.figure(n) for n in plt.get_fignums()]
        for fig in figures:
            fig.savefig(io.BytesIO(), format="png")
    return namespace, figures, time.perf_counter() - start


@pytest.fixture(scope="module")
def ran():
    """Each example run once per test module, by file name."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = run_example(EXAMPLES_DIR / name)
        return cache[name]
    yield get
    plt.close("all")


def test_the_examples_are_there():
    names = {p.name for p in EXAMPLES}
    assert {"plot_vanishing_gradients.py", "plot_dead_relus.py", "plot_output_layers.py",
            "plot_training_mlp.py", "plot_activation_gallery.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_draws_and_is_quick(path, ran):
    source = path.read_text(encoding="utf-8")
    # sphinx-gallery's format: a module docstring whose first line is an RST title
    assert source.startswith('"""\n'), "the docstring opens the file"
    title, underline = source.split("\n")[1:3]
    assert title and set(underline) == {"="} and len(underline) >= len(title)
    assert "# %%" in source
    _, figures, seconds = ran(path.name)
    assert figures, f"{path.name} draws no pyplot figure (sphinx-gallery would show none)"
    assert seconds < TIME_BUDGET_S, f"{path.name} took {seconds:.1f} s"


# ---- the examples' words against their numbers ----------------------------------------

def test_vanishing_gradients_text(ran):
    ns, _, _ = ran("plot_vanishing_gradients.py")
    res, gm = ns["res"], ns["geometric_mean"]
    f = res["factor"]
    assert gm(f["sigmoid"]) < 0.25 and np.all(f["sigmoid"] < 0.25)     # "at most a quarter"
    g = res["grad"]["sigmoid"]
    assert 1e-32 < g[0] / g[-1] < 1e-30                                 # "about 1e-31"
    assert gm(f["tanh"][:20]) < gm(f["tanh"][-10:]) < 1.0               # "climbs towards 1"
    assert abs(gm(f["relu"]) - 1.0) < 0.02                              # "stays at 1"
    assert abs(gm(f["gelu"][-10:]) - np.sqrt(2) * 0.5) < 0.02           # "tends to 0.71"
    assert gm(f["gelu"][:20]) > 0.95                                    # "nearly everything"


def test_dead_relus_text(ran):
    ns, _, _ = ran("plot_dead_relus.py")
    res = ns["res"]
    s, dead = res["shifts"], res["dead"]
    at = {v: int(np.flatnonzero(s == v)[0]) for v in (4.0, 6.0, 7.0, 8.0)}
    assert 0.4 < dead["relu"][at[4.0]] < 0.6                            # "about half at 4"
    assert dead["relu"][at[7.0]] == 1.0                                 # "all of them by 7"
    assert not dead["leaky_relu"].any()                                 # "none is dead"
    assert dead["gelu"][at[6.0]] == 0.0 < dead["gelu"][at[8.0]]         # "only at the largest"
    np.testing.assert_array_equal(res["silent"]["relu"], dead["relu"])  # "exactly the dead"


def test_output_layers_text(ran):
    ns, _, _ = ran("plot_output_layers.py")
    z, bce, mse = ns["z"], ns["bce_grad"], ns["mse_grad"]
    wrong = z < -4
    assert np.all(bce[wrong] < -0.98)                      # "stays near -1"
    assert np.all(np.abs(mse[wrong]) < 0.04)               # "falls to near 0"
    assert ns["torch_layout"] == pytest.approx(ns["moved"], rel=1e-12)
    assert ns["wrong_axis"] != pytest.approx(ns["moved"], rel=1e-6)     # "another loss"


def test_training_example_text(ran):
    ns, _, _ = ran("plot_training_mlp.py")
    la, lb = ns["logits_a"], ns["logits_b"]
    np.testing.assert_array_equal(la[:, :-1], lb[:, :-1])  # earlier positions: no change
    assert np.any(la[:, -1] != lb[:, -1])
    assert ns["accuracy"] > 0.95 and ns["losses"][-1] < 0.1 * np.log(ns["V"])
    attn = ns["attn"]
    assert np.all(np.triu(attn, 1) == 0)                   # the mask: exactly 0
    assert np.all(np.diagonal(attn, offset=-1) > 0.5)      # "mostly the one before it"


def test_training_example_against_pytorch(ran):
    """The example's own comparison, redone from its globals: NumPy + fastact's gradients
    against PyTorch autograd at the initial weights, on a fresh batch."""
    pytest.importorskip("torch")
    ns, _, _ = ran("plot_training_mlp.py")
    x, t = ns["make_batch"](8)
    p = ns["initial"]
    loss, _, dlogits, cache = ns["forward"](p, x, t)
    grads = ns["backward"](p, dlogits, cache)
    loss_t, grads_t = ns["torch_loss_and_grads"](p, x, t)
    assert loss == pytest.approx(loss_t, rel=1e-12)
    for name in p:
        np.testing.assert_allclose(grads[name], grads_t[name], rtol=1e-9, atol=1e-12,
                                   err_msg=name)


def test_training_example_without_pytorch(monkeypatch, capsys):
    """Without PyTorch the comparison is skipped with a printed line, not an error."""
    monkeypatch.setitem(sys.modules, "torch", None)      # makes `import torch` fail
    ns, _, _ = run_example(EXAMPLES_DIR / "plot_training_mlp.py")
    plt.close("all")
    assert ns["torch"] is None
    assert "PyTorch is not installed" in capsys.readouterr().out
