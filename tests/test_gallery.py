"""The gallery: the experiments' numbers (NumPy + fastact only), then the command's files.

Tests that draw or run the command skip without matplotlib; the numbers never need it.
"""

import base64
import html.parser
import io
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import fastact
from fastact.instruments import gallery
from fastact.instruments.gallery import cli, experiments as ex

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Each sigmoid layer multiplies the gradient's norm by a factor within this of 0.25
# (the derivative's bound; Xavier weights keep the matrices' gain near 1).
SIGMOID_FACTOR_TOLERANCE = 1.25


# ---- experiment numbers: no matplotlib ----------------------------------------------------

@pytest.fixture(scope="module")
def vanishing():
    return gallery.vanishing_gradients()


@pytest.fixture(scope="module")
def dead():
    return gallery.dead_neurons()


def test_vanishing_shapes_and_defaults(vanishing):
    assert vanishing["depth"] == 50 and vanishing["width"] == 256
    assert list(vanishing["grad"]) == list(ex.VANISHING_NAMES)
    for name in ex.VANISHING_NAMES:
        g = vanishing["grad"][name]
        assert g.shape == (50,) and np.all(np.isfinite(g)) and np.all(g > 0)
        assert vanishing["weight_grad"][name].shape == (50,)
    assert vanishing["init"]["sigmoid"] == vanishing["init"]["tanh"] == "xavier"
    for name in ("relu", "leaky_relu", "gelu", "silu"):
        assert vanishing["init"][name] == "he"


def test_sigmoid_gradient_vanishes_by_orders_of_magnitude(vanishing):
    g = vanishing["grad"]["sigmoid"]
    assert g[0] / g[-1] < 1e-25                 # 49 layers: ~30 orders of magnitude
    assert np.all(np.diff(g) > 0)               # shrinks at every layer going down
    assert g[9] / g[-1] < 1e-15 and g[39] / g[-1] < 1e-4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_follows_the_quarter_per_layer(seed):
    res = gallery.vanishing_gradients(names=("sigmoid",), seed=seed)
    fac = res["factor"]["sigmoid"]
    bound = ex.SIGMOID_MAX_DERIVATIVE
    assert bound == 0.25
    assert np.all(fac <= bound * SIGMOID_FACTOR_TOLERANCE), fac.max()
    assert np.all(fac >= bound / SIGMOID_FACTOR_TOLERANCE), fac.min()
    # over the whole depth: within the same factor per layer of 0.25**n
    g = res["grad"]["sigmoid"]
    n = np.arange(len(g) - 1, -1, -1)            # layers below the top
    ratio = g / g[-1] / bound ** n
    assert np.all(ratio <= SIGMOID_FACTOR_TOLERANCE ** n + 1e-12)
    assert np.all(ratio >= SIGMOID_FACTOR_TOLERANCE ** -n - 1e-12)
    np.testing.assert_allclose(res["bound"], g[-1] * bound ** n)


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_relu_family_does_not_vanish(vanishing, name):
    g = vanishing["grad"][name]
    assert 0.2 < g[0] / g[-1] < 5
    assert np.all(g / g[-1] > 0.2) and np.all(g / g[-1] < 5)
    gm = math.exp(np.mean(np.log(vanishing["factor"][name])))
    assert 0.95 < gm < 1.05
    sig = vanishing["grad"]["sigmoid"]
    assert g[0] / g[-1] > 1e20 * (sig[0] / sig[-1])


def test_vanishing_is_reproducible():
    a = gallery.vanishing_gradients(names=("sigmoid", "relu"), depth=10, width=32, seed=3)
    b = gallery.vanishing_gradients(names=("sigmoid", "relu"), depth=10, width=32, seed=3)
    c = gallery.vanishing_gradients(names=("sigmoid", "relu"), depth=10, width=32, seed=4)
    for name in ("sigmoid", "relu"):
        np.testing.assert_array_equal(a["grad"][name], b["grad"][name])
        assert not np.array_equal(a["grad"][name], c["grad"][name])


def test_vanishing_backward_matches_finite_differences():
    """The gradient the experiment reports is the loss's true gradient (a tiny network)."""
    depth, width, batch = 3, 4, 2
    res = gallery.vanishing_gradients(names=("tanh",), depth=depth, width=width, batch=batch,
                                      seed=7)
    # rebuild the same network and check ||dL/dz_1|| by perturbing z_1 through layer 1's bias
    r = np.random.default_rng(7)
    x = r.standard_normal((batch, width))
    readout = r.standard_normal((batch, width))
    ws = [r.standard_normal((width, width)) * math.sqrt(2 / (2 * width)) for _ in range(depth)]

    def loss(dz1):
        h = fastact.tanh(x @ ws[0] + dz1)
        for w in ws[1:]:
            h = fastact.tanh(h @ w)
        return float(np.sum(h * readout) / batch)

    eps = 1e-6
    grad = np.zeros((batch, width))
    for i in range(batch):
        for j in range(width):
            d = np.zeros((batch, width))
            d[i, j] = eps
            grad[i, j] = (loss(d) - loss(-d)) / (2 * eps)
    assert res["grad"]["tanh"][0] == pytest.approx(np.linalg.norm(grad), rel=1e-6)


def test_dead_fraction_relu_above_leaky(dead):
    relu, leaky, gelu = (dead["dead"][n] for n in ("relu", "leaky_relu", "gelu"))
    assert np.all(leaky == 0)                    # the 0.01 slope always carries a gradient
    assert np.all(relu >= leaky) and relu.max() > 0.9
    shifts = dead["shifts"]
    at4 = int(np.argmin(np.abs(shifts - 4)))
    assert relu[at4] > 0.3 and leaky[at4] == 0 and gelu[at4] == 0
    assert np.all(gelu <= relu)
    assert relu[0] == 0                          # no shift: nobody is dead
    assert np.all(np.diff(relu) >= 0)            # more shift, more dead


def test_dead_definition(dead):
    """ReLU's dead units are exactly the never-positive ones; the silent set is shared."""
    np.testing.assert_array_equal(dead["dead"]["relu"], dead["silent"]["relu"])
    for name in ("leaky_relu", "gelu"):
        np.testing.assert_array_equal(dead["silent"][name], dead["silent"]["relu"])
    # leaky and GELU units can be pushed to the negative side without dying
    assert np.max(dead["silent"]["leaky_relu"] - dead["dead"]["leaky_relu"]) > 0.5
    assert dead["threshold"] < 0.01 == fastact.leaky_relu.params[0].default


def test_dead_is_reproducible():
    a = gallery.dead_neurons(shifts=[3, 4, 5], units=64, seed=1)
    b = gallery.dead_neurons(shifts=[3, 4, 5], units=64, seed=1)
    for name in a["dead"]:
        np.testing.assert_array_equal(a["dead"][name], b["dead"][name])


# ---- registry-driven curves, features and the guide: no matplotlib ------------------------

@pytest.mark.parametrize("name", list(fastact.ACTIVATIONS))
def test_curve_and_bounds_for_every_activation(name):
    x, y, d = gallery.curve(name, n=401)
    lo, hi = fastact.ACTIVATIONS[name].info.plot_range
    assert x[0] == lo and x[-1] == hi and y.shape == d.shape == (401,)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(d))
    blo, bhi = gallery.output_bounds(name)
    assert blo < bhi
    tol = 2e-3                                   # the registry's ranges are rounded
    assert np.all(y >= blo - tol) and np.all(y <= bhi + tol)
    info = fastact.ACTIVATIONS[name].info
    if info.max_derivative is not None:
        assert np.max(np.abs(d)) <= info.max_derivative + 1e-3


def test_notable_points():
    f = gallery.features("sigmoid")
    assert f["kinks"] == [] and f["minimum"] is None
    assert f["peak"][0] == pytest.approx(0, abs=1e-6) and f["peak"][1] == pytest.approx(0.25)
    g = gallery.features("gelu")
    assert g["minimum"][0] == pytest.approx(-0.75, abs=0.01)
    assert g["minimum"][1] == pytest.approx(-0.17, abs=0.001)
    assert g["peak"][1] == pytest.approx(fastact.gelu.info.max_derivative, abs=1e-4)
    assert gallery.features("silu")["minimum"][1] == pytest.approx(-0.278, abs=1e-3)


@pytest.mark.parametrize("name, kinks", [
    ("relu", {0.0: 0.0}), ("leaky_relu", {0.0: 0.01}), ("relu6", {0.0: 0.0, 6.0: 0.0}),
    ("hardtanh", {-1.0: 0.0, 1.0: 0.0}), ("hardswish", {-3.0: 0.0, 3.0: 1.0}),
    ("sigmoid", {}), ("gelu", {}), ("elu", {}),
])
def test_kinks_found_on_the_kernels_curve(name, kinks):
    found = {k["x"]: k["at"] for k in gallery.features(name)["kinks"]}
    assert found.keys() == kinks.keys()
    for x, v in kinks.items():
        assert found[x] == pytest.approx(v)


def test_output_bounds_read_parameters():
    assert gallery.output_bounds("hardtanh") == (-1.0, 1.0)
    assert gallery.output_bounds("elu") == (-1.0, math.inf)
    assert gallery.output_bounds("softmax") == (0.0, 1.0)
    assert gallery.output_bounds("log_sigmoid") == (-math.inf, 0.0)


def test_kernel_speed_and_guide_rows():
    speed = gallery.kernel_speed(n=10_000, repeats=2)
    assert list(speed) == list(fastact.ACTIVATIONS)
    for v in speed.values():
        assert v["forward"] > 0 and v["backward"] > 0 and math.isfinite(v["forward"])
    rows = gallery.guide_rows(speed)
    assert [r["name"] for r in rows] == list(fastact.ACTIVATIONS)
    sig = rows[0]
    assert sig["max_derivative"] == 0.25 and sig["output_range"] == "(0, 1)"
    assert sig["use"] == fastact.sigmoid.info.use and sig["forward"] == speed["sigmoid"]["forward"]


def test_package_does_not_import_matplotlib():
    code = ("import sys, fastact, fastact.instruments.gallery; "
            "fastact.instruments.gallery.vanishing_gradients("
            "depth=3, width=8); assert 'matplotlib' not in sys.modules, 'imported'")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# ---- the command's errors ------------------------------------------------------------------

def test_without_matplotlib_says_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib -> ImportError
    status = gallery.main(["--out", str(tmp_path / "g")])
    assert status != 0
    err = capsys.readouterr().err
    assert 'pip install "fastact[gallery]"' in err and "matplotlib" in err
    assert not (tmp_path / "g").exists()


def test_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert gallery.main(["--out", str(f)]) != 0
    assert "is a file, not a folder" in capsys.readouterr().err


def test_out_under_a_file(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert "cannot create" in cli.check_out(str(f / "sub"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can write into read-only folders")
def test_out_not_writable(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        assert "cannot" in cli.check_out(str(ro))
        assert "cannot" in cli.check_out(str(ro / "sub"))
    finally:
        ro.chmod(0o700)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_out_cannot_be_created(capsys):
    pytest.importorskip("matplotlib")
    assert gallery.main(["--out", "/proc/self/fastact-gallery"]) != 0
    assert "cannot create the folder" in capsys.readouterr().err


# ---- figures and the command's files: need matplotlib -------------------------------------

@pytest.mark.parametrize("name", list(fastact.ACTIVATIONS))
def test_plot_every_activation(name):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    fig = gallery.plot(name)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) >= 2
    fig2 = Figure()
    ax2 = fig2.add_subplot()
    assert gallery.plot(name, ax=ax2) is fig2


def test_plot_marks_notable_points():
    pytest.importorskip("matplotlib")
    texts = " ".join(t.get_text() for t in gallery.plot("sigmoid").axes[0].texts)
    assert "max f' = 0.25 at x = 0" in texts
    texts = " ".join(t.get_text() for t in gallery.plot("gelu").axes[0].texts)
    assert "min f = -0.170 at x = -0.752" in texts
    texts = " ".join(t.get_text() for t in gallery.plot("relu").axes[0].texts)
    assert "f'(0) = 0" in texts


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.h2, self.tables = [], [], {}
        self._table = self._row = self._cell = None
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        elif tag == "h2":
            self._in_h2 = True
            self.h2.append([a.get("id"), ""])
        elif tag == "table":
            self._table = self.tables.setdefault(a.get("id"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1][1] += data
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("gallery") / "new" / "dir"     # created by the command
    stdout = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, stdout
    try:
        status = gallery.main(["--out", str(out), "--n", "100000", "--repeats", "3"])
    finally:
        sys.stdout = sys_stdout
    return status, out, stdout.getvalue()


def test_command_writes_valid_pngs(built):
    status, out, log = built
    assert status == 0
    import matplotlib.image
    expected = set(fastact.ACTIVATIONS) | {"overview", "gated", "vanishing", "dead", "losses"}
    pngs = {p[:-4] for p in os.listdir(out) if p.endswith(".png")}
    assert pngs == expected
    for name in expected:
        path = out / f"{name}.png"
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        img = matplotlib.image.imread(path)
        assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
        assert img[..., :3].std() > 0.05          # not a blank image


def test_command_progress(built):
    _, out, log = built
    for i in range(1, cli.STEPS + 1):
        assert f"[{i}/{cli.STEPS}]" in log
    assert "index.html" in log


def test_index_html_embeds_every_figure_and_the_guide(built):
    _, out, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    # every figure, embedded (the data URI holds the PNG file's exact bytes)
    by_file = {}
    for img in page.imgs:
        assert img["src"].startswith("data:image/png;base64,")
        assert img.get("alt")
        by_file[img["data-file"]] = base64.b64decode(img["src"].split(",", 1)[1])
    pngs = sorted(p for p in os.listdir(out) if p.endswith(".png"))
    assert sorted(by_file) == pngs
    for fname, data in by_file.items():
        assert data == (out / fname).read_bytes()
    # self-contained: nothing fetched from the network
    assert "http://" not in text and "https://" not in text and "<script" not in text
    # the seed's order
    ids = [i for i, _ in page.h2]
    assert ids == ["why", "gallery", "gated", "vanishing", "dead", "losses", "choosing", "takeaways"]
    # the guide: a header and one row per activation with the registry's facts and speeds
    guide = page.tables["guide"]
    head, rows = guide[0], guide[1:]
    assert head[:6] == ["activation", "output range", "zero-centred", "max |f′|",
                        "when to use", "when to avoid"]
    assert "forward Melem/s" in head and "backward Melem/s" in head
    assert [r[0] for r in rows] == list(fastact.ACTIVATIONS)
    for row, f in zip(rows, fastact.ACTIVATIONS.values()):
        assert row[1] == f.info.output_range and row[4] == f.info.use and row[5] == f.info.avoid
        assert row[2] == ("yes" if f.info.zero_centred else "no")
        assert float(row[6].replace(",", "")) > 0 and float(row[7].replace(",", "")) > 0
    # the experiments' tables are there too
    assert len(page.tables["vanishing-table"]) == 1 + len(ex.VANISHING_NAMES)
    assert len(page.tables["dead-table"]) > 3


def test_module_command_runs(tmp_path):
    """``python -m fastact.instruments.gallery`` as a process: exit status and error output."""
    pytest.importorskip("matplotlib")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    f = tmp_path / "f"
    f.write_text("")
    r = subprocess.run([sys.executable, "-m", "fastact.instruments.gallery", "--out", str(f)],
                       capture_output=True, text=True, env=env)
    assert r.returncode != 0 and "not a folder" in r.stderr


def test_losses_figure_draws_the_losses_and_their_gradients():
    pytest.importorskip("matplotlib")
    fig = gallery.plot_losses()
    left, right = fig.axes[:2]
    z, loss = left.lines[0].get_data()                 # BCE, target 1: softplus(-z)
    np.testing.assert_allclose(loss, np.logaddexp(0, -z), rtol=1e-12)
    _, grad = left.lines[1].get_data()                 # sigmoid(z) - 1
    np.testing.assert_allclose(grad, 1 / (1 + np.exp(-z)) - 1, atol=1e-15)
    z, loss = right.lines[0].get_data()                # 3 classes, the others at 0
    np.testing.assert_allclose(loss, np.log(np.exp(z) + 2) - z, rtol=1e-12)
    _, grad = right.lines[1].get_data()
    np.testing.assert_allclose(grad, np.exp(z) / (np.exp(z) + 2) - 1, atol=1e-15)
