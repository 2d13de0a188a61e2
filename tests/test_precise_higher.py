"""--digits N for hessian, taylor, partial and trace: Hessians, Taylor
derivatives of order ≥ 10 and mixed partials to 50 correct digits, checked
against sympy references evaluated at 80 digits; point values read at the
working precision (x=1/3 is one third); the command line."""

import json
import math

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli
from adcli.errors import DomainError

from .conftest import adcli_process

X, Y, Z, T = sp.symbols("x y z t")
R = sp.Rational
DIGITS = 50


def _point(text):
    return dict(piece.split("=", 1) for piece in text.split(","))


def _assert_digits(text, ref, digits=DIGITS):
    """``text`` holds ``digits`` significant digits of ``ref`` (an exact
    sympy reference, evaluated at 80 digits, or an mpmath number computed
    at 90), within one unit in the last place."""
    with mpmath.workdps(digits + 30):
        if not isinstance(ref, mpmath.mpf):
            ref = mpmath.mpf(str(sp.N(ref, digits + 30)))
        got = mpmath.mpf(text)
        if ref == 0:
            assert got == 0, text
            return
        ulp = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(ref))) - digits + 1)
        assert abs(got - ref) <= ulp, (text, mpmath.nstr(ref, digits + 5))
        significant = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
        # N digits, or fewer when they are exact (0.8, not 0.8000…)
        assert len(significant) == digits or abs(got - ref) <= ulp / 10**5, text


# --- Hessians ----------------------------------------------------------------------

HESSIANS = [
    ("x*y + sin(x)", X * Y + sp.sin(X), "x=2,y=3", {X: 2, Y: 3}),
    ("exp(x)*cos(y) - x/y", sp.exp(X) * sp.cos(Y) - X / Y, "x=1/3,y=2/7",
     {X: R(1, 3), Y: R(2, 7)}),
    ("log(x)/sqrt(y) + 0.1*x^3*y", sp.log(X) / sp.sqrt(Y) + R(1, 10) * X**3 * Y, "x=0.7,y=pi",
     {X: R(7, 10), Y: sp.pi}),
    ("atan2(y, x) + hypot(x, y)", sp.atan2(Y, X) + sp.sqrt(X**2 + Y**2), "x=-1.5,y=0.25",
     {X: R(-3, 2), Y: R(1, 4)}),
    ("x^y + y^-2", X**Y + Y**-2, "x=1.5,y=2.5", {X: R(3, 2), Y: R(5, 2)}),
    ("tanh(x)*erf(y) + erfc(x*y)", sp.tanh(X) * sp.erf(Y) + sp.erfc(X * Y), "x=0.3,y=1/3",
     {X: R(3, 10), Y: R(1, 3)}),
    ("cbrt(x - y)*x", -((Y - X) ** R(1, 3)) * X, "x=1,y=10", {X: 1, Y: 10}),
    ("a = x*y; b = a^2 - 1/a; b*exp(-x)", ((X * Y) ** 2 - 1 / (X * Y)) * sp.exp(-X),
     "x=tau/10,y=3", {X: 2 * sp.pi / 10, Y: 3}),
    ("x*y*z + exp(x*z) - log(y)*cos(z)", X * Y * Z + sp.exp(X * Z) - sp.log(Y) * sp.cos(Z),
     "x=1/3,y=2,z=-1/7", {X: R(1, 3), Y: 2, Z: R(-1, 7)}),
]


@pytest.mark.parametrize("source,expr,at,subs", HESSIANS, ids=[h[0] for h in HESSIANS])
def test_50_digit_hessians_match_sympy(source, expr, at, subs):
    res = adcli.hessian(source, _point(at), digits=DIGITS)
    fmt = res.context.format
    names = [str(s) for s in subs]
    syms = list(subs)
    _assert_digits(fmt(res.value), expr.subs(subs))
    for name, s in zip(names, syms, strict=True):
        _assert_digits(fmt(res.gradient[name]), sp.diff(expr, s).subs(subs))
        for name2, s2 in zip(names, syms, strict=True):
            _assert_digits(fmt(res.hessian[name][name2]), sp.diff(expr, s, s2).subs(subs))


def test_hessian_vector_product_in_precision():
    res = adcli.hessian("x^3*y + sin(x*y)", {"x": "1/3", "y": "2"}, digits=DIGITS,
                    direction={"x": "1/3", "y": "-2"})
    expr = X**3 * Y + sp.sin(X * Y)
    subs = {X: R(1, 3), Y: 2}
    v = {X: R(1, 3), Y: -2}
    for name, s in (("x", X), ("y", Y)):
        ref = sum(sp.diff(expr, s, s2) * v[s2] for s2 in (X, Y)).subs(subs)
        _assert_digits(res.context.format(res.hvp[name]), ref)


# --- Taylor coefficients and derivatives of order ≥ 10 ------------------------------

TAYLORS = [  # (source, sympy, point, subs, direction, order)
    ("exp(sin(x))", sp.exp(sp.sin(X)), "x=1/3", {X: R(1, 3)}, {X: 1}, 12),
    ("1/(1 + x^2)", 1 / (1 + X**2), "x=1/2", {X: R(1, 2)}, {X: 1}, 14),
    ("sqrt(1 + x)*log(2 + x)", sp.sqrt(1 + X) * sp.log(2 + X), "x=1/3", {X: R(1, 3)},
     {X: 1}, 10),
    ("(1 + x)^(1/3) + atan(x)", (1 + X) ** R(1, 3) + sp.atan(X), "x=0.2", {X: R(1, 5)},
     {X: 1}, 11),
    ("x^x", X**X, "x=1.5", {X: R(3, 2)}, {X: 1}, 10),
    ("asinh(x)*cosh(x)/(2 + tanh(x))", sp.asinh(X) * sp.cosh(X) / (2 + sp.tanh(X)), "x=0.4",
     {X: R(2, 5)}, {X: 1}, 10),
    ("x*y + exp(y)*sin(x)", X * Y + sp.exp(Y) * sp.sin(X), "x=1,y=1/3", {X: 1, Y: R(1, 3)},
     {X: 1, Y: 2}, 10),
]


@pytest.mark.parametrize("source,expr,at,subs,direction,order", TAYLORS,
                         ids=[t[0] for t in TAYLORS])
def test_50_digit_taylor_derivatives_match_mpmath(source, expr, at, subs, direction, order):
    """Against mpmath's own differentiation (mpmath.taylor: differences at
    raised precision, nothing like Taylor arithmetic) of the sympy formula
    along the line, at 90 digits (the same as sympy's diff, much faster)."""
    v = {str(s): str(d) for s, d in direction.items()}
    wrt = None
    if len(subs) == 1:
        wrt, v = str(next(iter(subs))), None
    res = adcli.taylor(source, _point(at), order, digits=DIGITS, direction=v, wrt=wrt)
    fmt = res.context.format
    line = sp.lambdify(T, expr.subs({s: subs[s] + T * direction.get(s, 0) for s in subs},
                                    simultaneous=True), "mpmath")
    with mpmath.workdps(90):
        coefficients = mpmath.taylor(line, 0, order)
        derivatives = [c * math.factorial(k) for k, c in enumerate(coefficients)]
    for k in range(order + 1):
        _assert_digits(fmt(res.coefficients[k]), coefficients[k])
        _assert_digits(fmt(res.derivatives[k]), derivatives[k])


# --- mixed partials -----------------------------------------------------------------

PARTIALS = [
    ("x^2*y*exp(z)", X**2 * Y * sp.exp(Z), "x=3,y=5,z=1/3", "x,x,y,z"),
    ("atan2(y, x)*exp(x*y)", sp.atan2(Y, X) * sp.exp(X * Y), "x=1/3,y=2", "x,y,y"),
    ("sin(x*y)/(1 + z^2) + log(x + y + z)", sp.sin(X * Y) / (1 + Z**2) + sp.log(X + Y + Z),
     "x=0.3,y=1/7,z=2", "x,y,z,z"),
    ("x^y", X**Y, "x=1.5,y=2.5", "x,x,y,y"),
    ("exp(x*y)*cos(x)", sp.exp(X * Y) * sp.cos(X), "x=1/3,y=-2", "x,x,x,y,y"),
]


@pytest.mark.parametrize("source,expr,at,wrt", PARTIALS, ids=[p[0] for p in PARTIALS])
def test_50_digit_mixed_partials_match_sympy(source, expr, at, wrt):
    point = _point(at)
    subs = {sp.Symbol(k): R(v) for k, v in point.items()}
    res = adcli.partial(source, point, wrt, digits=DIGITS)
    ref = sp.diff(expr, *[sp.Symbol(w) for w in wrt.split(",")]).subs(subs)
    _assert_digits(res.context.format(res.partial), ref)
    _assert_digits(res.context.format(res.value), expr.subs(subs))


# --- point values and constants at the working precision ------------------------------

def test_one_third_is_one_third():
    res = adcli.hessian("x^3*y", {"x": "1/3", "y": "2"}, digits=DIGITS)
    fmt = res.context.format
    assert fmt(res.hessian["x"]["y"]) == "0." + "3" * DIGITS  # 3x² = 1/3 exactly
    assert fmt(res.hessian["x"]["x"]) == "4"  # 6xy
    assert fmt(res.point["x"]) == "0." + "3" * DIGITS
    # the literal 0.1 is one tenth: 3x - 1 + (0.1 - 1/10) vanishes at x = 1/3
    t = adcli.taylor("3*x - 1 + (0.1 - 1/10) + x^2", {"x": "1/3"}, 2, digits=30)
    assert [t.context.format(c) for c in t.coefficients] == [
        "0." + "1" * 30, "3." + "6" * 28 + "7", "1"]
    p = adcli.partial("x*y*(3*x - 1)", {"x": "1/3", "y": "2"}, "x,y", digits=30)
    assert p.value == 0 and p.context.format(p.partial) == "1"  # 6x - 1


def test_1000_digits():
    res = adcli.taylor("exp(x)*sin(x)", {"x": "1/3"}, 10, digits=1000)
    with mpmath.workdps(1100):
        x = mpmath.mpf(1) / 3
        # (e^x sin x)^(10) = 2^5·e^x·(sin x·cos(5π/2) + cos x·sin(5π/2)) = 32·e^x·cos x
        ref = 32 * mpmath.exp(x) * mpmath.cos(x)
        text = res.context.format(res.derivatives[10])
        assert len(text.replace(".", "")) == 1000
        assert abs(mpmath.mpf(text) - ref) <= abs(ref) * mpmath.mpf(10) ** -999


def test_domain_errors_and_kinks_as_in_float_mode():
    with pytest.raises(DomainError, match=r"log\(-1\) is undefined \(at ω3\)"):
        adcli.hessian("y*log(x)", {"x": "-1", "y": "1"}, digits=30)
    res = adcli.hessian("abs(x)*y", {"x": "0", "y": "1"}, digits=30)
    assert res.warnings[0].kind == "kink" and res.hessian["x"]["y"] == 0
    res = adcli.taylor("sqrt(x)", {"x": "0"}, 3, digits=30)
    assert res.coefficients[0] == 0 and all(mpmath.isnan(c) for c in res.coefficients[1:])
    assert [w.kind for w in res.warnings] == ["kink"]  # no precision warning for nan


def test_exact_rationals_too():
    res = adcli.hessian("x^3/3 + x*y^2 - 1/x", {"x": "1/3", "y": "3/4"}, exact=True)
    from fractions import Fraction as F

    assert res.hessian == {"x": {"x": 2 * F(1, 3) - 2 * 27, "y": 2 * F(3, 4)},
                           "y": {"x": 2 * F(3, 4), "y": 2 * F(1, 3)}}
    t = adcli.taylor("1/(1 - x)", {"x": "1/2"}, 10, exact=True)
    assert t.coefficients == [F(2) ** (k + 1) for k in range(11)]


# --- command line -----------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_hessian_digits_plain_and_json():
    r = run("hessian", "x^3*y", "--at", "x=1/3,y=2", "--digits", "50", "--format", "plain")
    assert r.exit_code == 0, r.output
    lines = dict(line.split(" ", 1) for line in r.output.splitlines())
    assert lines["d2f/dxdy"] == "0." + "3" * 50
    assert lines["d2f/dydy"] == "0"
    assert lines["df/dx"] == "0." + "6" * 49 + "7"
    r = run("hessian", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--digits", "40",
            "--format", "json")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output, parse_float=str)
    assert obj["digits"] == 40 and obj["mode"] == "forward-over-reverse"
    _assert_digits(obj["hessian"]["x1"]["x1"], -sp.sin(2), 40)
    assert obj["hessian"]["x1"]["x2"] == "1" or obj["hessian"]["x1"]["x2"] == 1


def test_cli_taylor_and_partial_digits():
    r = run("taylor", "exp(sin(x))", "--at", "x=1/3", "--order", "12", "--digits", "50",
            "--format", "csv")
    assert r.exit_code == 0, r.output
    head, row = r.output.splitlines()
    cells = dict(zip(head.split(","), row.split(","), strict=True))
    _assert_digits(cells["d12"], sp.diff(sp.exp(sp.sin(X)), X, 12).subs(X, R(1, 3)))
    assert cells["x"] == "0." + "3" * 50
    r = run("taylor", "x*y", "--at", "x=1,y=2", "--dir", "x=1/3,y=1", "--order", "2",
            "--digits", "20", "--format", "json")
    obj = json.loads(r.output, parse_float=str)
    assert obj["direction"]["x"] == "0." + "3" * 20
    assert obj["derivatives"] == [2, "1.6666666666666666667", "0.66666666666666666667"]
    r = run("partial", "atan2(y, x)*exp(x*y)", "--at", "x=1/3,y=2", "--wrt", "x,y,y",
            "--digits", "50", "--format", "json")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output, parse_float=str)
    ref = sp.diff(sp.atan2(Y, X) * sp.exp(X * Y), X, Y, Y).subs({X: R(1, 3), Y: 2})
    _assert_digits(obj["partial"], ref)
    assert obj["wrt"] == ["x", "y", "y"] and obj["digits"] == 50


def test_cli_trace_digits_columns():
    r = run("trace", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--digits", "50",
            "--format", "plain")
    assert r.exit_code == 0, r.output
    out = r.output
    adjoint = "2.5838531634528576130024317704992378102339992289245"
    assert out.splitlines()[-6 if "cost" in out else -2] == f"df/dx1 {adjoint}"
    row_w1 = next(line for line in out.splitlines() if line.startswith("w1 "))
    assert row_w1.split()[-1] == adjoint  # the adjoint column
    r = run("trace", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--digits", "30",
            "--mode", "forward", "--format", "json")
    obj = json.loads(r.output, parse_float=str)
    sin_row = obj["steps"][3]
    assert sin_row["value"] == "0.909297426825681695396019865912"
    assert sin_row["tangent"]["x1"] == "-0.416146836547142386997568229501"  # cos 2
    assert obj["derivatives"]["df/dx1"] == "2.58385316345285761300243177050"


def test_cli_points_keep_float64_digits(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n0.5,2\n")
    r = run("hessian", "x^3*y", "--points", str(path), "--digits", "5", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == "0.5,2,0.25,1.5,0.125,6,0.75,0.75,0,"
    for cmd in (["hessian", "x^3*y"], ["taylor", "x^3*y", "--wrt", "x"],
                ["partial", "x^3*y", "--wrt", "x,y"]):
        r = run(*cmd, "--points", str(path), "--digits", "50")
        assert r.exit_code == 2 and "--points" in r.output


def test_cli_errors_and_exact():
    r = run("hessian", "log(x)", "--at", "x=-1", "--digits", "30")
    assert r.exit_code == 1 and "log(-1) is undefined" in r.output
    r = run("taylor", "x", "--at", "x=1", "--digits", "5", "--exact")
    assert r.exit_code == 2
    r = run("hessian", "x^3/3 + x*y", "--at", "x=1/3,y=2", "--exact", "--format", "plain")
    assert r.exit_code == 0, r.output
    assert "d2f/dxdx 2/3" in r.output.splitlines()


def test_subprocess_hessian_digits():
    p = adcli_process("hessian", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--digits", "50")
    assert p.returncode == 0, p.stderr
    lines = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    assert lines["df/dx1"] == "2.5838531634528576130024317704992378102339992289245"
    _assert_digits(lines["d2f/dx1dx1"], -sp.sin(2))


def test_documented_digits_examples_are_what_adcli_prints():
    import re
    import shlex

    from .docs_pages import section as doc_section

    section = doc_section("docs/numerics.md", "## `--digits N`: arbitrary precision")
    blocks = re.findall(r"```console\n\$ (adcli .*?)\n(.*?)```", section, re.S)
    assert any("hessian" in cmd for cmd, _ in blocks)
    for cmd, out in blocks:
        r = run(*shlex.split(cmd)[1:], "--format", "plain")
        assert r.exit_code == 0 and r.output == out, cmd
    r = run("taylor", "exp(sin(x))", "--at", "x=1/3", "--order", "12", "--digits", "40")
    assert "d12 130415.7783850660300992267833707315519238" in r.output
    assert "130415.7783850660300992267833707315519238" in section
