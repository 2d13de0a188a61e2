"""Hessians by forward-over-reverse, against sympy to 1e-12 relative;
printed symmetric bit for bit; J·v and uᵀ·J; both modes' Jacobians agree."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

REL = 1e-12

CASES = [
    ("x1*x2 + sin(x1)", {"x1": 2, "x2": 3}),
    ("exp(x*y)/(1 + z^2) + log(x + y*z)", {"x": 0.3, "y": 1.7, "z": 0.4}),
    ("atan2(y, x) * hypot(x, y) + sqrt(x*y) * tanh(x - y)", {"x": 1.1, "y": 0.6}),
    ("a = x^y; b = asin(x/3) + cosh(y); a*b + erf(a - b)", {"x": 1.3, "y": 2.2}),
    ("u = x*y*z; v = u^2 - cbrt(x); sin(v) / (1 + exp(-u))",
     {"x": 0.7, "y": -1.2, "z": 0.5}),
]


def sympy_hessian(text, point):
    """The reference: sympy's Hessian, evaluated with 30 digits."""
    from adcli.language.parser import parse  # noqa: F401 (the formula must parse)

    names = list(point)
    syms = {n: sp.Symbol(n, real=True) for n in names}
    env = dict(syms, atan2=sp.atan2, hypot=lambda a, b: sp.sqrt(a**2 + b**2),
               cbrt=lambda a: sp.sign(a) * sp.Abs(a) ** sp.Rational(1, 3),
               erf=sp.erf, asin=sp.asin, cosh=sp.cosh, tanh=sp.tanh, sqrt=sp.sqrt,
               exp=sp.exp, log=sp.log, sin=sp.sin, atan=sp.atan)
    *assigns, last = [s.strip() for s in text.split(";")]
    for a in assigns:
        name, expr = a.split("=")
        env[name.strip()] = eval(expr.replace("^", "**"), {}, env)  # noqa: S307
    f = eval(last.replace("^", "**"), {}, env)  # noqa: S307
    subs = {syms[n]: sp.nsimplify(v) for n, v in point.items()}
    return [[sp.diff(f, syms[a], syms[b]).subs(subs).evalf(30) for b in names]
            for a in names]


@pytest.mark.parametrize("text, point", CASES)
def test_hessian_matches_sympy(text, point):
    r = adcli.hessian(text, point)
    ref = sympy_hessian(text, point)
    scale = max(abs(float(e)) for row in ref for e in row)
    names = list(point)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            e = float(ref[i][j])
            assert abs(r.hessian[a][b] - e) <= REL * max(abs(e), 1e-3 * scale), (a, b)


@pytest.mark.parametrize("text, point", CASES)
def test_value_and_gradient_are_those_of_grad(text, point):
    h = adcli.hessian(text, point)
    g = adcli.grad(text, point)
    assert h.value == g.value
    for v in point:
        assert h.gradient[v] == pytest.approx(g.gradient[v], rel=1e-15, abs=1e-300)


def test_worked_example():
    r = adcli.hessian("x1*x2 + sin(x1)", x1=2, x2=3)
    assert r.hessian == {"x1": {"x1": -0.9092974268256817, "x2": 1.0},
                         "x2": {"x1": 1.0, "x2": 0.0}}
    assert r.matrix() == [[-0.9092974268256817, 1.0], [1.0, 0.0]]


def test_symmetric_bit_for_bit_in_the_output():
    text = "exp(x*y*z) * sin(x + 2*y) / (1 + x^2*z) + log(1 + y^2) * atan(x*z)"
    res = CliRunner().invoke(cli, ["hessian", text, "--at", "x=0.37,y=-1.3,z=2.1",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    H = json.loads(res.output)["hessian"]
    for a in H:
        for b in H:
            assert H[a][b].hex() == H[b][a].hex()


def test_hundred_variables_closed_form():
    n = 100
    text = " + ".join(f"x{i}*x{i + 1}" for i in range(1, n)) + " + " + \
        " + ".join(f"sin(x{i})" for i in range(1, n + 1))
    point = {f"x{i}": 0.01 * i for i in range(1, n + 1)}
    import math

    r = adcli.hessian(text, point)
    for i in range(1, n + 1):
        a = f"x{i}"
        assert r.hessian[a][a] == pytest.approx(-math.sin(0.01 * i), rel=1e-14)
        for j in (i - 1, i + 1):
            if 1 <= j <= n:
                assert r.hessian[a][f"x{j}"] == 1.0
        if i + 2 <= n:
            assert r.hessian[a][f"x{i + 2}"] == 0.0


def test_hessian_vector_product_is_a_column_combination():
    text, point = CASES[1]
    full = adcli.hessian(text, point)
    v = {"x": 0.5, "y": -2.0, "z": 1.0}
    hv = adcli.hessian(text, point, direction=v).hvp
    for a in point:
        expect = sum(full.hessian[a][b] * v[b] for b in point)
        assert hv[a] == pytest.approx(expect, rel=1e-13)


def test_wrt_restricts_the_matrix():
    r = adcli.hessian("x^2*y*z", {"x": 1, "y": 2, "z": 3}, wrt="x,z")
    assert r.hessian == {"x": {"x": 12.0, "z": 4.0}, "z": {"x": 4.0, "z": 0.0}}


def test_several_outputs_need_output():
    f = adcli.compile("x*y, x^2*y")
    with pytest.raises(adcli.UsageError):
        f.hessian({"x": 1, "y": 2})
    assert f.hessian({"x": 1, "y": 2}, output=1).hessian["x"]["x"] == 4.0
    assert f.hessian({"x": 1, "y": 2}, output="f1").hessian["x"]["y"] == 1.0


# --- J·v, uᵀ·J and Jacobians ---------------------------------------------------

PROGRAM = "a = x*y; a + z, a*z, sin(a)"
AT = {"x": 1.5, "y": -0.7, "z": 2.0}


def test_forward_and_reverse_jacobians_agree():
    fwd = adcli.grad(PROGRAM, AT, mode="forward")
    rev = adcli.grad(PROGRAM, AT, mode="reverse")
    assert fwd.jacobian == rev.jacobian


def test_auto_picks_the_cheaper_mode():
    assert adcli.grad(PROGRAM, AT).mode == "forward"  # 3 outputs, 3 inputs
    assert adcli.grad("x*y*z", AT).mode == "reverse"  # 1 output, 3 inputs
    assert adcli.grad("sin(x), cos(x)", {"x": 1}).mode == "forward"


def test_jvp_is_jacobian_times_v():
    J = adcli.grad(PROGRAM, AT).jacobian
    v = {"x": 1.0, "y": 2.0, "z": -1.0}
    r = adcli.jvp(PROGRAM, AT, direction=v)
    assert r.mode == "forward"
    for row, d in zip(J, r.derivatives, strict=True):
        assert d == pytest.approx(sum(row[k] * v[k] for k in v), rel=1e-15)


def test_vjp_is_u_times_jacobian():
    J = adcli.grad(PROGRAM, AT).jacobian
    u = [1.0, -2.0, 0.5]
    r = adcli.vjp(PROGRAM, AT, cotangent=u)
    assert r.mode == "reverse"
    for k in AT:
        assert r.gradient[k] == pytest.approx(sum(w * row[k] for w, row in zip(u, J, strict=True)),
                                              rel=1e-15)


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_grad_dir_and_cotangent():
    res = run("grad", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--dir", "x1=1,x2=0",
              "--format", "json")
    assert res.exit_code == 0, res.output
    obj = json.loads(res.output)
    assert obj["jvp"] == 2.5838531634528574 and obj["mode"] == "forward"
    res = run("grad", PROGRAM, "--at", "x=1,y=2,z=3", "--cotangent", "f2=1",
              "--format", "plain")
    assert res.exit_code == 0, res.output
    assert "d(u.f)/dx 6" in res.output.splitlines()
    assert run("grad", PROGRAM, "--at", "x=1,y=2,z=3", "--cotangent", "1,0").exit_code == 2
    assert run("grad", "x*y", "--at", "x=1,y=2", "--dir", "w=1").exit_code == 2


def test_cli_formats():
    res = run("hessian", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--format", "plain")
    assert res.output.splitlines() == [
        "f 6.909297426825682", "df/dx1 2.5838531634528574", "df/dx2 2",
        "d2f/dx1dx1 -0.9092974268256817", "d2f/dx1dx2 1", "d2f/dx2dx1 1", "d2f/dx2dx2 0"]
    res = run("hessian", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--format", "csv")
    assert res.output.splitlines()[0] == \
        "x1,x2,f,df/dx1,df/dx2,d2f/dx1dx1,d2f/dx1dx2,d2f/dx2dx1,d2f/dx2dx2"
    res = run("hessian", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--format", "json")
    obj = json.loads(res.output)
    assert set(obj) >= {"value", "gradient", "hessian"}
    res = run("hessian", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--format", "text")
    assert res.exit_code == 0
    assert "Hessian" in res.output and "x2" in res.output


def test_cli_errors():
    assert run("hessian", "x*y, x+y", "--at", "x=1,y=2").exit_code == 2
    assert run("hessian", "x*y, x+y", "--at", "x=1,y=2", "--output", "2").exit_code == 0
    assert run("hessian", "x*y", "--at", "x=1,y=2", "--wrt", "q").exit_code == 2
    assert run("hessian", "x*y", "--at", "x=1,y=2", "--dir", "q=1").exit_code == 2
    res = run("hessian", "sqrt(x - 3)*y", "--at", "x=1,y=2")
    assert res.exit_code == 1 and "ω" in res.output


def test_real_process_hessian_json():
    exe = Path(sys.executable).with_name("adcli")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "adcli"]
    out = subprocess.run(cmd + ["hessian", "x*y^2", "--at", "x=1,y=2", "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["hessian"] == {"x": {"x": 0.0, "y": 4.0},
                                                 "y": {"x": 4.0, "y": 2.0}}


def test_kinks_and_edges():
    # x^1 at 0: the rules give 1·(0·0^(-1)); an exact zero wins, as it should
    assert adcli.hessian("x^1 + x^2", {"x": 0}).hessian == {"x": {"x": 2.0}}
    r = adcli.hessian("abs(x)*y", {"x": 0, "y": 1})
    assert r.hessian["x"]["x"] == 0.0 and any(w.kind == "kink" for w in r.warnings)
    r = adcli.hessian("max(x, y)^2", {"x": 1, "y": 1})
    assert r.hessian["x"]["y"] == r.hessian["y"]["x"] == 0.5


def test_points_batch_with_a_failed_row(tmp_path):
    pts = tmp_path / "p.csv"
    pts.write_text("x,y\n1,2\n0,1\n3,4\n")
    res = run("hessian", "x^2*y + log(x)", "--points", str(pts), "--format", "csv")
    assert res.exit_code == 1
    lines = res.stdout.splitlines() if hasattr(res, "stdout") else res.output.splitlines()
    assert lines[0] == "x,y,f,df/dx,df/dy,d2f/dxdx,d2f/dxdy,d2f/dydx,d2f/dydy,error"
    assert lines[1] == "1,2,2,5,1,3,2,2,0,"
    assert "ω5" in lines[2]
    assert lines[3].startswith("3,4,")


def test_grad_stats_says_which_mode_and_why():
    res = CliRunner().invoke(cli, ["grad", PROGRAM, "--at", "x=1,y=2,z=3", "--stats",
                                   "--format", "json"])
    assert res.exit_code == 0
    assert "mode forward (auto" in res.stderr and "3 tangent sweeps" in res.stderr
    assert json.loads(res.stdout)["mode"] == "forward"
    res = CliRunner().invoke(cli, ["grad", "x*y*z", "--at", "x=1,y=2,z=3", "--stats"])
    assert "mode reverse (auto" in res.stderr and "1 adjoint sweep " in res.stderr


@pytest.mark.parametrize("text, point", CASES + [
    ("a = x*y; b = a + z; c = b*b + sin(x); c + 2*a - z^3", {"x": 0.4, "y": 1.5, "z": -0.8}),
])
def test_skipping_untouched_steps_changes_nothing(text, point):
    """Each H·eᵢ sweeps only the steps that can matter; the full sweeps agree
    bit for bit."""
    from adcli.modes.hessian import SecondOrder

    f = adcli.compile(text)
    tape = f.tape(list(point))
    so = SecondOrder(tape, list(point.values()))
    adj = so.adjoints([1.0])
    n = tape.n_inputs
    per = so.rows_per_input(range(n))
    for i in range(n):
        e = [1.0 if j == i else 0.0 for j in range(n)]
        assert so.hvp(adj, e, per[i])[:n] == so.hvp(adj, e)[:n]


@pytest.mark.parametrize("text, point", CASES[1:] + [
    ("s = x + y + z; q = x^2 + y^2 + z^2; exp(0.1*s)*sin(q) + log(1 + q)",
     {"x": 0.4, "y": 1.5, "z": -0.8}),
])
def test_dense_and_sparse_strategies_agree(text, point):
    """All directions at once (NumPy rows) or one H·eᵢ at a time over the
    steps it needs: the same matrix."""
    from adcli.modes.hessian import hessian

    tape = adcli.compile(text).tape(list(point))
    values = list(point.values())
    sparse = hessian(tape, values, strategy="sparse")[2]
    dense = hessian(tape, values, strategy="dense")[2]
    for rs, rd in zip(sparse, dense, strict=True):
        assert rd == pytest.approx(rs, rel=1e-15, abs=1e-300)


def test_documented_higher_order_examples_run():
    import shlex

    from .docs_pages import blocks, run_doctests, section

    cli_section = section("docs/cli.md", "## Beyond the gradient: J·v, uᵀ·J, Hessians, "
                                         "Taylor series, mixed partials")
    shell = blocks(cli_section, "sh")[0]
    for line in shell.splitlines():
        args = shlex.split(line.split("#")[0])
        assert args[0] == "adcli"
        res = run(*args[1:], "--format", "json")
        assert res.exit_code == 0, (line, res.output)
    namespace = run_doctests("docs/api.md", "## Beyond the gradient")
    assert namespace["d30"] == adcli.taylor("exp(sin(x))", {"x": 0.5}, order=30).derivatives[30]
    assert len(namespace["per_output"]) == 2


def test_the_second_order_plan_is_built_once_per_tape_and_number_system():
    from adcli.modes.hessian import second_plan
    from adcli.numsys import FLOAT64, system

    f = adcli.compile("x*y + sin(x)*exp(y) + x^3")
    point = {"x": 0.5, "y": -1.25}
    first = f.hessian(point).hessian
    tape = f.tape(point)
    plan = second_plan(tape, FLOAT64)
    assert second_plan(tape, FLOAT64) is plan
    assert f.hessian(point).hessian == first  # the cached plan gives the same numbers
    precise = f.hessian(point, digits=30).hessian
    assert second_plan(tape, system(digits=30)) is not plan
    for r in first:
        for c in first[r]:
            assert float(precise[r][c]) == pytest.approx(first[r][c], rel=1e-15)


@pytest.mark.parametrize("formula", ["x^2 + y^3*x", "(x - 1)^2 + 100*(y - x^2)^2",
                                     "x^2.5*y + x^0.3", "x^1*y^0 + x^2*y^2"])
def test_constant_exponents_folded_into_the_second_rules_keep_every_bit(formula):
    # x^2's rules fold to 2*x and 2 (pow's general rule carries the TwoSum
    # terms and 0*x^(-1)); the folded numbers are the general rule's, and at
    # x = 0 the careful variant's (0*x^(-1) is 0 there, not nan)
    from adcli.modes.hessian import second_rule
    from adcli.modes.sweeps import primal

    f = adcli.compile(formula)
    for x, y in [(0.5, 1.25), (3.0, 2.0), (1e-3, 7.0), (1e150, 1e-150)]:
        tape = f.tape({"x": x, "y": y})
        values, _ = primal(tape, [x, y])
        folded = f.hessian({"x": x, "y": y})
        for step in tape.steps:
            if step.prim.key != "pow" or tape.is_active(step.args[1]):
                continue
            c = tape.consts[step.args[1] - tape.n_inputs]
            fold = second_rule(step.prim, (True, False), fixed=(None, c))
            general = second_rule(step.prim, (True, False))
            v = values[step.args[0]]
            got = fold.constants if fold.fn is None else fold.fn(v, c)
            assert got == general.fn(v, c), (formula, c, v)
        precise = f.hessian({"x": x, "y": y}, digits=30).hessian
        for r in precise:
            for c in precise[r]:
                assert folded.hessian[r][c] == pytest.approx(float(precise[r][c]), rel=1e-13)
    if "." in formula:
        return  # x^0.3 has an infinite second derivative at 0
    at_zero = f.hessian({"x": 0.0, "y": 0.0})
    want = f.hessian({"x": 0.0, "y": 0.0}, digits=30)
    for r in at_zero.hessian:
        for c in at_zero.hessian[r]:
            assert at_zero.hessian[r][c] == float(want.hessian[r][c])


def test_x_squared_compiles_to_the_cheap_rule():
    from adcli.modes.hessian import second_rule
    from adcli.primitives import PRIMITIVES

    pow_ = PRIMITIVES["pow"]
    rule = second_rule(pow_, (True, False), fixed=(None, 2.0))
    assert rule.fn(-3.0, 2.0) == (-6.0, 2.0)
    assert rule.fn(0.0, 2.0) == (0.0, 2.0)  # the general rule raises at 0 (0*x^(-1))
    assert second_rule(pow_, (True, False), fixed=(None, 1.0)).constants == (1.0, 0.0)
    assert second_rule(pow_, (True, False), fixed=(None, 1.0)).linear


def test_displayed_rules_read_like_the_math_and_agree_with_the_computed_ones():
    # pow computes y*x^(y-1)*x^e (e the TwoSum error of y - 1, for accuracy)
    # but shows y*x^(y-1), in `adcli functions` and in the trace's rules
    import math

    from click.testing import CliRunner

    from adcli.cli.main import cli
    from adcli.modes.rules import compile_rule, rule_graph
    from adcli.numsys import FLOAT64
    from adcli.primitives import TABLE

    listing = CliRunner().invoke(cli, ["functions", "--format", "plain"]).output
    assert "d/dx = y*x^(y - 1); d/dy = log(x)*x^y" in listing
    trace = CliRunner().invoke(cli, ["trace", "x^y", "--at", "x=2,y=3"]).output
    assert "w2*w1^(w2 - 1)" in trace and "w2 - 1 - w2" not in trace
    for prim in TABLE:
        if prim.shown == prim.partials:
            continue
        computed = compile_rule(FLOAT64, "c", prim.params, rule_graph(prim)[2])
        shown = compile_rule(FLOAT64, "s", prim.params, rule_graph(prim, shown=True)[2])
        for args in [(2.0, 3.0), (0.7, -1.5), (1e300, 1e-5), (5.0, 0.25)]:
            for c, s in zip(computed(*args[:prim.arity]), shown(*args[:prim.arity])):
                assert math.isclose(c, s, rel_tol=1e-12), (prim.key, args, c, s)


# x^y's ∂²/∂x∂y = x^(y-1)·(1 + y·log x) tends to -inf as x → 0+ at y = 1: the
# right one-sided limit, which was printed with no warning (issue 11's leftover)
LIMIT = "the second derivative ∂²/∂x∂y of 0 ^ 1 at ω3 is -inf"


@pytest.mark.parametrize("extra", [[], ["--sparse"], ["--digits", "20"], ["--dir", "x=1,y=1"]])
@pytest.mark.parametrize("fmt", ["plain", "json", "csv"])
def test_an_infinite_second_partial_warns(extra, fmt):
    res = CliRunner().invoke(cli, ["hessian", "x^y", "--at", "x=0,y=1", "--format", fmt, *extra])
    assert res.exit_code == 0, res.output
    assert "-inf" in res.stdout
    assert LIMIT in res.stderr and "one-sided limit" in res.stderr
    if fmt == "json":
        assert any(LIMIT in w for w in json.loads(res.stdout)["warnings"])


def test_an_infinite_second_partial_warns_in_the_api_and_batches(tmp_path):
    import numpy as np

    for res in (adcli.hessian("x^y", {"x": 0, "y": 1}),
                adcli.compile("x^y").hessian({"x": 0, "y": 1}, direction={"x": 1, "y": 0}),
                adcli.hessian("x^y", {"x": np.zeros(100), "y": np.ones(100)})):
        assert [w.kind for w in res.warnings] == ["infinite"]
        assert LIMIT in res.warnings[0].message
    points = tmp_path / "p.csv"
    points.write_text("x,y\n0,1\n2,3\n")
    for jit in ([], ["--jit"]):
        res = CliRunner().invoke(cli, ["hessian", "x^y", "--points", str(points),
                                       "--format", "jsonl", *jit])
        first, second = (json.loads(line) for line in res.stdout.splitlines())
        assert LIMIT in first["warnings"][0] and second["warnings"] == []


def test_an_overflowed_gradient_or_second_partial_warns_as_grad_does():
    """hessian "log(x)" at 1e-320 printed inf and -inf with "warnings": []."""
    grad = adcli.grad("log(x)", {"x": 1e-320})
    hess = adcli.hessian("log(x)", {"x": 1e-320})
    assert [w.message for w in hess.warnings] == [w.message for w in grad.warnings] == [
        "the derivative of log(1e-320) at ω2 overflows to inf"]
    res = adcli.hessian("y*log(x)", {"x": 1e-200, "y": 1})
    assert res.hessian["x"]["x"] == -float("inf")
    assert [(w.kind, w.message) for w in res.warnings] == [
        ("overflow", "the second derivative ∂²/∂x² of log(1e-200) at ω3 overflows to -inf")]
    from adcli.sparse.drivers import sparse_hessian

    f = adcli.compile("x*exp(x)^2")
    for res in (f.hessian({"x": 400}), sparse_hessian(f, {"x": 400})):
        assert [w.step for w in res.warnings] == [3, 4]  # the overflow, then its derivative


def test_finite_hessians_have_no_new_warning():
    assert adcli.hessian("x^y", {"x": 2, "y": 3}).warnings == []
    assert adcli.hessian("x^y", {"x": 1e-300, "y": 1e-300}).warnings == []
