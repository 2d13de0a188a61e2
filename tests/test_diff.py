"""``adcli diff`` and ``Function.derivative``: the derivative as a formula
evaluates to the engine's gradient, composes into the second derivative,
and grows linearly with the formula."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli
from adcli.codegen.diff import DiffResult

from .codegen_corpus import CORPUS, close

IDS = [c[0] for c in CORPUS]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize(("name", "source", "point"), CORPUS, ids=IDS)
def test_eval_of_diff_is_the_gradient(name, source, point, mode):
    fn = adcli.Function(source)
    point = {v: point[v] for v in fn.inputs}
    want = fn.gradient(point, mode=mode)
    d = fn.derivative(mode=mode)
    got = d.evaluate(point).values
    expected = [row[w] for row in want.jacobian for w in fn.inputs]
    assert list(d.outputs) == [f"d{o}/d{w}" for o in fn.outputs for w in fn.inputs]
    for g, e in zip(got, expected):
        # the same operations in the same order: equal to the last bit
        assert g == e or (g != g and e != e), (source, g, e)


@pytest.mark.parametrize(("name", "source", "point"), CORPUS, ids=IDS)
def test_diff_of_diff_is_the_second_derivative(name, source, point):
    fn = adcli.Function(source)
    point = {v: point[v] for v in fn.inputs}
    x = fn.inputs[0]
    first = fn.derivative(x)
    for k in range(len(fn.outputs)):
        one = adcli.Function(DiffResult(fn, [x]).partial_program(k))
        if x not in one.inputs:
            continue  # a constant first derivative
        second = one.derivative(x).evaluate({v: point[v] for v in one.inputs}).values[0]
        want = fn.hessian(point, output=k, wrt=[x]).hessian[x][x] if len(fn.outputs) > 1 \
            else fn.hessian(point, wrt=[x]).hessian[x][x]
        assert close(second, want, 1e-13, 1.0), (source, second, want)
    assert len(first.outputs) == len(fn.outputs)


def test_cli_round_trip_through_the_shell():
    """adcli eval "$(adcli diff F --wrt x)" equals adcli grad's ∂f/∂x."""
    run = [sys.executable, "-m", "adcli"]
    f = "x^2*sin(x) + exp(x*y)"
    text = subprocess.run(run + ["diff", f, "--wrt", "x"], capture_output=True, text=True,
                          check=True, timeout=600).stdout
    value = subprocess.run(run + ["eval", text, "--at", "x=0.7,y=0.2", "--format", "json"],
                           capture_output=True, text=True, check=True, timeout=600).stdout
    grad = subprocess.run(run + ["grad", f, "--at", "x=0.7,y=0.2", "--format", "json"],
                          capture_output=True, text=True, check=True, timeout=600).stdout
    assert json.loads(value)["value"] == json.loads(grad)["gradient"]["x"]


def test_plain_shapes():
    runner = CliRunner()
    one = runner.invoke(cli, ["diff", "x^2*sin(x)", "--wrt", "x"])
    assert one.exit_code == 0
    # the DAG's exact shape: sin(x)*(2*x) rounds differently from sin(x)*2*x
    assert one.output.strip() == "sin(x)*(2*x) + x^2*cos(x)"
    several = runner.invoke(cli, ["diff", "x1*x2 + sin(x1)"])
    assert several.output.splitlines() == ["df/dx1 = cos(x1) + x2", "df/dx2 = x1"]
    shared = runner.invoke(cli, ["diff", "sin(x)^2 + sin(x)", "--wrt", "x"]).output
    assert shared.splitlines()[0] == "t1 = cos(x)"  # written once, used twice


def test_json_and_latex():
    runner = CliRunner()
    obj = json.loads(runner.invoke(cli, ["diff", "x1*x2 + sin(x1)", "--format", "json"]).output)
    assert obj["wrt"] == ["x1", "x2"]
    assert obj["derivatives"] == {"x1": "cos(x1) + x2", "x2": "x1"}
    assert obj["mode"] == "reverse"
    latex = runner.invoke(cli, ["diff", "x1*x2 + sin(x1)", "--format", "latex"]).output
    assert "\\frac{\\partial f}{\\partial x_{1}} &= \\cos x_{1} + x_{2}" in latex


def test_bad_wrt_is_a_usage_error():
    res = CliRunner().invoke(cli, ["diff", "x*y", "--wrt", "z"])
    assert res.exit_code == 2
    assert "not an input" in res.output


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_simplification_keeps_ieee_semantics(mode):
    """0*x stays (nan for x = inf); x*1, x+0 and x^1 go."""
    text = DiffResult(adcli.Function("0*x + y*1 + y^1"), ["x", "y"], mode).program()
    assert text.startswith("0, ") or text.startswith("0*")
    assert "*1" not in text and "+ 0" not in text
    # d/dx of x^3 folds its rule y*x^(y-1) to 3*x^2
    assert DiffResult(adcli.Function("x^3"), ["x"], mode).program() == "3*x^2"


def _sizes(make, ns):
    out = []
    for n in ns:
        res = DiffResult(adcli.Function(make(n)), None, "reverse")
        out.append((res.formula_size, res.size))
    return out


@pytest.mark.parametrize("make", [
    lambda n: "*".join(f"x{i}" for i in range(1, n + 1)),
    lambda n: "sin(" * n + "x" + ")" * n + "*y",
    lambda n: " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, n)),
], ids=["product", "nested", "rosenbrock"])
def test_size_grows_linearly(make):
    sizes = _sizes(make, [10, 20, 40, 80])
    for formula, derivative in sizes:
        assert derivative <= 4 * formula + 4, sizes
    # doubling the formula (roughly) doubles the derivative
    for (f1, d1), (f2, d2) in zip(sizes, sizes[1:]):
        assert d2 / d1 <= 1.1 * f2 / f1, sizes
