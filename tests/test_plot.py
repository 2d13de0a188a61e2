"""adcli plot: terminal pictures (golden files), honesty (gaps, poles,
kinks), bad input, and the sampler against the scalar engine."""

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli
from adcli.plot.sampling import LineSampler, parse_over
from adcli.plot.terminal import use_colour

GOLDEN = Path(__file__).parent / "golden" / "plot"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CASES = {
    "smooth": ["x^2*sin(x)", "--over", "x=-6:6", "--order", "2"],
    "kink": ["abs(x)", "--over", "x=-1:1"],
    "pole": ["tan(x)", "--over", "x=-6:6"],
    "gap": ["log(x)", "--over", "x=-1:2"],
}


def run(args, env=None):
    result = CliRunner().invoke(cli, ["plot", *args], env=env)
    return result


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("case", sorted(CASES))
def test_terminal_plot_matches_golden_file(case, width):
    result = run(CASES[case] + ["--size", f"{width}x24"])
    assert result.exit_code == 0, result.output
    path = GOLDEN / f"{case}-{width}.txt"
    if os.environ.get("ADCLI_UPDATE_GOLDEN"):
        path.write_text(result.output, encoding="utf-8")
    assert result.output == path.read_text(encoding="utf-8")
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width
    assert len(lines) <= 24
    assert "\x1b[" not in result.output  # not a terminal: no colour


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
def test_never_wider_than_the_terminal_even_in_colour(width):
    env = {"COLUMNS": str(width), "LINES": "30"}
    result = run(CASES["smooth"] + ["--color", "always"], env=env)
    assert result.exit_code == 0
    assert "\x1b[" in result.output
    lines = ANSI.sub("", result.output).splitlines()
    assert max(len(line) for line in lines) <= width
    assert len(lines) <= 30


def test_columns_from_the_environment_match_size():
    by_env = run(CASES["kink"], env={"COLUMNS": "60", "LINES": "25"}).output
    assert by_env == run(CASES["kink"] + ["--size", "60x25"]).output


class _Tty:
    def isatty(self):
        return True


def test_no_color_is_respected(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_colour(_Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(_Tty()) is False
    assert use_colour(_Tty(), "always") is True
    assert use_colour(sys.stdout if not sys.stdout.isatty() else None) is False


def test_subprocess_with_no_color_in_a_pipe():
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", LINES="24")
    out = subprocess.run([sys.executable, "-m", "adcli", "plot", "x^2", "--over", "x=-1:1"],
                         capture_output=True, text=True, env=env, check=True, timeout=600).stdout
    assert "\x1b[" not in out
    assert "━━ f′" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def _panel(output, label):
    """The rows of the panel whose header names ``label``."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"━━ {label} ")
                 or line == f"━━ {label}")
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("━━") or "└" in line:
            break
        rows.append(line)
    return rows


def _body(row):
    """A panel row without its y-axis."""
    return row.split("┤", 1)[-1] if "┤" in row else row.split("│", 1)[-1]


def test_domain_gap_is_empty_and_said():
    out = run(CASES["gap"] + ["--size", "80x24"]).output
    assert "undefined (gap) on -1…0" in out
    rows = _panel(out, "f")
    # log(x) over -1:2: the left third of the panel has no curve, only the dotted axis
    width = max(len(r) for r in rows)
    filled = {c for r in rows for c, ch in enumerate(_body(r))
              if ch not in " ⠁⠂⠄⡀"}
    assert min(filled) > (width - 4) // 3 - 2


def test_pole_has_no_vertical_connector():
    out = run(["1/x", "--over", "x=-1:1", "--order", "0", "--size", "80x24"]).output
    assert "clipped" in out
    rows = _panel(out, "f")
    # at the pole (the middle) the upper branch (x > 0) starts in the top rows and
    # the lower one (x < 0) ends in the bottom rows: no column links top to bottom
    bodies = [_body(r) for r in rows]
    full = [c for c in range(max(map(len, bodies)))
            if all(c < len(b) and "\u2800" < b[c] <= "\u28ff" for b in bodies)]
    assert full == []


def test_kink_is_marked_on_the_derivative_only():
    out = run(CASES["kink"] + ["--size", "80x24"]).output
    assert "┆ kink at x=0" in out
    f_rows, d_rows = _panel(out, "f"), _panel(out, "f′")
    assert not any("┆" in r for r in f_rows)
    assert sum("┆" in r for r in d_rows) >= len(d_rows) - 2


def test_derivative_of_x_squared_crosses_zero_in_the_middle():
    out = run(["x^2", "--over", "x=-2:2", "--size", "81x24"]).output
    rows = _panel(out, "f′")
    zero = next(r for r in rows if r.lstrip().startswith("0 ┤"))
    body = zero.split("┤", 1)[1]
    solid = [c for c, ch in enumerate(body) if ch not in " ⠁⠂⠄⡀⠈⠐⠠⢀"]
    middle = (81 - (len(zero) - len(body))) / 2
    assert solid and abs(sum(solid) / len(solid) - middle) <= 2


# --- the numbers behind the picture --------------------------------------------

@pytest.mark.parametrize("formula, over", [
    ("x^2*sin(x)", "x=-6:6"), ("exp(-x^2)*cos(3*x)", "x=-2:2"), ("x^x", "x=0.2:2"),
    ("sqrt(1+x^2)/(2+sin(x))", "x=-3:3"), ("atan(x)^3 - log(1+x^2)", "x=-4:4"),
    ("x^2.5 + cbrt(x)", "x=0.1:3"), ("erf(x) + tanh(2*x)", "x=-2:2"),
])
def test_sampled_derivatives_agree_with_the_scalar_taylor_engine(formula, over):
    fn = adcli.compile(formula)
    curves = LineSampler(fn, parse_over(over)[0], {}, 3).sample(7)
    for i, x in enumerate(curves.xs):
        expected = fn.taylor({"x": float(x)}, order=3).derivatives
        got = [float(y[i]) for y in curves.ys]
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_several_variables_with_at_and_wrt():
    fn = adcli.compile("exp(-x^2-y^2)")
    curves = LineSampler(fn, parse_over("x=-2:2")[0], {"y": 0.5}, 2, wrt="y").sample(5)
    for i, x in enumerate(curves.xs):
        d = fn.taylor({"x": float(x), "y": 0.5}, order=2, wrt="y").derivatives
        assert [float(y[i]) for y in curves.ys] == pytest.approx(d, rel=1e-12)
    assert curves.labels == ["f", "∂f/∂y", "∂²f/∂y²"]


def test_domain_errors_are_nan_not_failures():
    curves = LineSampler(adcli.compile("sqrt(x)*log(x)"), parse_over("x=-1:1")[0],
                         {}, 1).sample(5)
    assert np.isnan(curves.ys[0][:2]).all() and np.isnan(curves.ys[1][:2]).all()
    assert curves.ys[0][-1] == 0.0 and math.isclose(curves.ys[1][-1], 1.0)


def test_a_million_samples_in_one_sweep():
    fn = adcli.compile("x^2*sin(x)")
    curves = LineSampler(fn, parse_over("x=-6:6")[0], {}, 2).sample(1_000_000)
    assert all(y.shape == (1_000_000,) for y in curves.ys)
    x = curves.xs[123_457]
    assert curves.ys[1][123_457] == pytest.approx(2 * x * math.sin(x) + x * x * math.cos(x))


# --- bad input -------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["x^2", "--over", "x=2:1"], "FROM must be less than TO"),
    (["x^2", "--over", "z=0:1"], "`z`, which is not an input"),
    (["x*y", "--over", "x=0:1"], "also needs y"),
    (["x*y", "--over", "x=0:1", "--at", "x=1,y=2"], "both swept"),
    (["x^2", "--over", "x=0"], "NAME=FROM:TO"),
    (["x^2", "--over", "x=0:1", "--size", "3"], "WIDTHxHEIGHT"),
    (["x^2+", "--over", "x=0:1"], "unexpected end"),
    (["x", "--over", "x=0:1,y=0:1,z=0:1"], "one or two"),
    (["x*y*z", "--over", "x=0:1", "--at", "y=1", "--at", "z=2"], "one --at"),
    (["x*y", "--over", "x=0:1", "--wrt", "q", "--at", "y=1"], "`q`, which is not an input"),
])
def test_bad_input_is_one_screen_and_exit_2(args, words):
    result = run(args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) <= 8


def test_poles_between_coarse_samples_are_found_and_steep_curves_kept():
    tan = LineSampler(adcli.compile("tan(x)"), parse_over("x=-6:6")[0], {}, 1).sample(60)
    cut = np.flatnonzero(tan.jumps[0])
    poles = [-3 * math.pi / 2, -math.pi / 2, math.pi / 2, 3 * math.pi / 2]
    assert [(tan.xs[i] < p < tan.xs[i + 1]) for i, p in zip(cut, poles)] == [True] * 4
    assert len(cut) == 4
    steep = LineSampler(adcli.compile("tanh(30*x)"), parse_over("x=-1:1")[0], {},
                        0).sample(30)
    assert steep.jumps[0] is None


def test_coarse_pole_has_no_connector_in_the_terminal():
    out = run(["1/x", "--over", "x=-1:1.1", "--samples", "30", "--order", "0",
               "--size", "80x16"]).output
    bodies = [_body(r) for r in _panel(out, "f")]
    # the column of the pole: the upper branch does not come down past the axis
    zero_row = next(i for i, r in enumerate(_panel(out, "f")) if r.lstrip().startswith("0 ┤"))
    below = bodies[zero_row + 1:]
    above = bodies[:zero_row]
    cols_above = {c for b in above for c, ch in enumerate(b) if "\u2800" < ch <= "\u28ff"}
    cols_below = {c for b in below for c, ch in enumerate(b) if "\u2800" < ch <= "\u28ff"}
    assert max(cols_below) < min(cols_above)  # x < 0 below the axis, x > 0 above
