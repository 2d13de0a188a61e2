"""adcli plot --out and Function.plot: real PNG/SVG files of the asked size,
with the curves where they belong (pixel checks), and two-variable heat maps
in the terminal."""

import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli
from adcli.plot.sampling import parse_over, sample_field

pytest.importorskip("matplotlib", reason="the figure tests need adcli[plot] (in [test])")

from matplotlib.image import imread  # noqa: E402

RED = np.array([214, 39, 40]) / 255  # f′ (figure.CURVE_COLOURS[1])
BLUE = np.array([31, 119, 180]) / 255  # f


def plot(args):
    return CliRunner().invoke(cli, ["plot", *args])


def _near(image, colour, tol=0.12):
    return np.abs(image[..., :3] - colour).max(axis=-1) < tol


def _pixel(fig, ax, x, y):
    """(row, column) in the saved PNG of data point (x, y) of ``ax``."""
    px, py = ax.transData.transform((x, y))
    height = fig.get_size_inches()[1] * fig.dpi
    return int(round(height - py)), int(round(px))


@pytest.mark.parametrize("size", [(640, 480), (900, 600), (333, 222)])
def test_png_is_valid_and_of_the_asked_size(tmp_path, size):
    out = tmp_path / "plot.png"
    result = plot(["x^2*sin(x)", "--over", "x=-6:6", "--order", "2", "--out", str(out),
                   "--size", f"{size[0]}x{size[1]}"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert imread(out).shape[:2] == (size[1], size[0])
    assert not [p for p in os.listdir(tmp_path) if p != "plot.png"]  # no leftovers


def test_svg_parses_and_is_of_the_asked_size(tmp_path):
    out = tmp_path / "plot.svg"
    result = plot(["tan(x)", "--over", "x=-6:6", "--out", str(out), "--size", "800x500"])
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("800px", "500px")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 10


def test_derivative_of_x_squared_crosses_the_axis_in_the_middle(tmp_path):
    fig = adcli.compile("x^2").plot("x=-2:2", size=(600, 400))
    out = tmp_path / "d.png"
    fig.savefig(out)
    image = imread(out)
    ax = fig.axes[1]  # f′ = 2x
    red = _near(image, RED)
    row, col = _pixel(fig, ax, 0.0, 0.0)
    assert red[row - 2:row + 3, col - 2:col + 3].any()  # the curve passes through (0, 0)
    row, col = _pixel(fig, ax, 1.0, 2.0)
    assert red[row - 2:row + 3, col - 2:col + 3].any()  # and through (1, 2)
    row, col = _pixel(fig, ax, -1.0, 2.0)
    assert not red[row - 3:row + 4, col - 3:col + 4].any()  # not through (-1, 2)


def test_a_pole_leaves_a_gap(tmp_path):
    fig = adcli.compile("1/x").plot("x=-1:1", order=0, size=(600, 400))
    out = tmp_path / "pole.png"
    fig.savefig(out)
    blue = _near(imread(out), BLUE)
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    top, col = _pixel(fig, ax, 0.0, hi / 2)
    bottom, _ = _pixel(fig, ax, 0.0, lo / 2)
    # a naive line plot joins -1/ε to 1/ε with a vertical stroke through the middle
    assert not blue[top:bottom, col - 1:col + 2].any()
    # while the branches are there, beside the pole
    row, col = _pixel(fig, ax, 0.5, 2.0)
    assert blue[row - 3:row + 4, col - 3:col + 4].any()


def test_two_variables_heat_map_with_gradient_arrows(tmp_path):
    out = tmp_path / "saddle.png"
    result = plot(["x^2 - y^2", "--over", "x=-2:2,y=-2:2", "--out", str(out),
                   "--size", "700x600"])
    assert result.exit_code == 0, result.output
    image = imread(out)
    assert image.shape[:2] == (600, 700)
    fig = adcli.compile("x^2 - y^2").plot("x=-2:2,y=-2:2", size=(700, 600))
    ax = fig.axes[0]
    assert len(ax.collections) >= 2  # contour lines and the quiver
    quiver = next(c for c in ax.collections if type(c).__name__ == "Quiver")
    # arrows point uphill: away from the saddle along x, towards it along y
    u, v = quiver.U, quiver.V
    x, y = quiver.X, quiver.Y
    assert (np.sign(u[np.abs(x) > 0.5]) == np.sign(x[np.abs(x) > 0.5])).all()
    assert (np.sign(v[np.abs(y) > 0.5]) == -np.sign(y[np.abs(y) > 0.5])).all()


def test_the_field_is_the_gradient():
    fn = adcli.compile("sin(x)*exp(y) + x*y^2")
    field = sample_field(fn, parse_over("x=-1:1,y=0:2"), {}, 5, 4)
    for j, y in enumerate(field.ys):
        for i, x in enumerate(field.xs):
            g = fn.gradient({"x": float(x), "y": float(y)})
            assert field.f[j, i] == pytest.approx(g.value, rel=1e-13)
            assert field.fx[j, i] == pytest.approx(g.gradient["x"], rel=1e-12, abs=1e-14)
            assert field.fy[j, i] == pytest.approx(g.gradient["y"], rel=1e-12, abs=1e-14)


def test_function_plot_returns_a_figure():
    from matplotlib.figure import Figure

    fig = adcli.compile("exp(-x^2-y^2)").plot({"x": (-2, 2)}, at={"y": 0.5}, order=3)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4


def test_terminal_heat_map_golden_and_arrows():
    result = plot(["x^2 - y^2", "--over", "x=-2:2,y=-2:2", "--size", "80x24"])
    assert result.exit_code == 0
    path = os.path.join(os.path.dirname(__file__), "golden", "plot", "field-80.txt")
    if os.environ.get("ADCLI_UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(result.output)
    with open(path, encoding="utf-8") as fh:
        assert result.output == fh.read()
    lines = result.output.splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 80
    # f = x: every arrow points right
    out = plot(["x + 0*y", "--over", "x=-1:1,y=-1:1", "--size", "60x20"]).output
    assert "→" in out and not set("↗↑↖←↙↓↘") & set(out.split("\n", 1)[1].rsplit("\n", 1)[0])


def test_terminal_heat_map_in_colour_fits():
    import re

    result = plot(["log(x*y)", "--over", "x=-2:2,y=-2:2", "--size", "70x22", "--color",
                   "always"])
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.output)
    assert "\x1b[38;5;" in result.output
    assert max(map(len, text.splitlines())) <= 70
    assert "undefined" in text


@pytest.mark.parametrize("args, words", [
    (["x", "--over", "x=0:1", "--out", "plot.jpg"], "must end in .png or .svg"),
    (["x*y", "--over", "x=0:1,y=0:1", "--order", "2"], "one-variable"),
    (["x*y", "--over", "x=0:1,y=0:1", "--samples", "5000"], "at most"),
    # Agg allocated the raster first: an internal error, after swapping
    (["x", "--over", "x=0:1", "--out", "plot.png", "--size", "100000x100000"],
     "--size takes at most 10000 pixels a side"),
])
def test_bad_figure_requests_are_exit_2(args, words, tmp_path):
    result = plot(args)
    assert result.exit_code == 2
    assert words in result.output


def test_without_matplotlib_a_clear_error(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = plot(["x", "--over", "x=0:1", "--out", str(tmp_path / "a.png")])
    assert result.exit_code == 2
    assert "adcli[plot]" in result.output


def test_unwritable_output_is_exit_1(tmp_path):
    result = plot(["x", "--over", "x=0:1", "--out", str(tmp_path / "no" / "a.png")])
    assert result.exit_code == 1
    assert "a.png" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("bad, words", [
    ({"order": 1.5}, "`order` must be a whole number from 0 to 12, not 1.5"),
    ({"order": "2"}, "`order` must be a whole number"),
    ({"order": 10**9}, "`order` must be from 0 to 12"),  # memory until the machine swapped
    ({"samples": "a"}, "`samples` must be a whole number"),
    ({"samples": -5}, "`samples` must be from 2 to 20000000"),
    ({"size": "a"}, "`size` is (width, height) in pixels"),
    ({"size": (10**6, 10**6)}, "too large to draw"),
])
def test_function_plot_refuses_bad_arguments_with_adcli_errors(bad, words):
    with pytest.raises(adcli.UsageError) as info:
        adcli.compile("sin(x)*y").plot("x=0:1", at={"y": 1}, **bad)
    assert words in str(info.value) + " " + (info.value.hint or "")


def test_function_plot_of_two_variables_keeps_the_grid_bound():
    with pytest.raises(adcli.UsageError, match="from 2 to 2000"):
        adcli.compile("x*y").plot("x=0:1,y=0:1", samples=10**6)
