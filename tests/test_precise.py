"""--digits N (mpmath) and --exact (fractions): values and derivatives to
any number of correct digits, checked against sympy references computed at
a higher precision; exact rationals; every table entry covered."""

import json
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner

import adcli
from adcli import numsys
from adcli.cli.main import cli
from adcli.errors import DomainError, UsageError
from adcli.modes.rules import active_linearizer
from adcli.primitives import TABLE

X, Y = sp.symbols("x y")
HALF = sp.Rational(1, 2)

# (adcli formula, the same in sympy, point as text, the same as sympy numbers)
FORMULAS = [
    ("x*y + sin(x)", X * Y + sp.sin(X), "x=2,y=3", {X: 2, Y: 3}),
    ("exp(x)*cos(y) - x/y", sp.exp(X) * sp.cos(Y) - X / Y, "x=1/3,y=2/7",
     {X: sp.Rational(1, 3), Y: sp.Rational(2, 7)}),
    ("log(x)/sqrt(y) + 0.1*x", sp.log(X) / sp.sqrt(Y) + sp.Rational(1, 10) * X, "x=0.7,y=pi",
     {X: sp.Rational(7, 10), Y: sp.pi}),
    ("atan2(y, x) + hypot(x, y)", sp.atan2(Y, X) + sp.sqrt(X**2 + Y**2), "x=-1.5,y=0.25",
     {X: sp.Rational(-3, 2), Y: sp.Rational(1, 4)}),
    ("x^y + y^-2", X**Y + Y**-2, "x=1.5,y=2.5", {X: sp.Rational(3, 2), Y: sp.Rational(5, 2)}),
    ("tanh(x)*erf(y) + erfc(x*y)", sp.tanh(X) * sp.erf(Y) + sp.erfc(X * Y), "x=0.3,y=1/3",
     {X: sp.Rational(3, 10), Y: sp.Rational(1, 3)}),
    ("asin(x) + acos(y)/atan(x)", sp.asin(X) + sp.acos(Y) / sp.atan(X), "x=1/5,y=-3/4",
     {X: sp.Rational(1, 5), Y: sp.Rational(-3, 4)}),
    ("cbrt(x - y)*x", -((Y - X) ** sp.Rational(1, 3)) * X, "x=1,y=10", {X: 1, Y: 10}),
    ("log1p(x)*expm1(y)", sp.log(1 + X) * (sp.exp(Y) - 1), "x=1e-3,y=-2",
     {X: sp.Rational(1, 1000), Y: -2}),
    ("log(x, y) + log2(x) + log10(y)",
     sp.log(X) / sp.log(Y) + sp.log(X) / sp.log(2) + sp.log(Y) / sp.log(10), "x=5,y=7",
     {X: 5, Y: 7}),
    ("sinh(x)/cosh(y) + asinh(x) + acosh(y) + atanh(x/4)",
     sp.sinh(X) / sp.cosh(Y) + sp.asinh(X) + sp.acosh(Y) + sp.atanh(X / 4), "x=0.5,y=1.25",
     {X: HALF, Y: sp.Rational(5, 4)}),
    ("sec(x) + csc(y) + cot(x*y) + tan(x)",
     sp.sec(X) + sp.csc(Y) + sp.cot(X * Y) + sp.tan(X), "x=0.4,y=pi/5",
     {X: sp.Rational(2, 5), Y: sp.pi / 5}),
    ("min(x, y)*max(x, y) + abs(x - y)", X * Y + (Y - X), "x=0.25,y=e",
     {X: sp.Rational(1, 4), Y: sp.E}),
    ("a = x*y; b = a^2 - 1/a; b*exp(-x)",
     ((X * Y) ** 2 - 1 / (X * Y)) * sp.exp(-X), "x=tau/10,y=3",
     {X: 2 * sp.pi / 10, Y: 3}),
]


def _point(text):
    return dict(piece.split("=", 1) for piece in text.split(","))


def _evaluate(source, point, **kwargs):
    return adcli.compile(source).evaluate(point, **kwargs)


def _assert_digits(text, ref, digits):
    """``text`` has ``digits`` correct significant digits of ``ref``
    (within one unit in the last place)."""
    with mpmath.workdps(digits + 30):
        ref = mpmath.mpf(str(ref)) if not isinstance(ref, mpmath.mpf) else ref
        got = mpmath.mpf(text)
        if ref == 0:
            assert got == 0
            return
        ulp = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(ref))) - digits + 1)
        assert abs(got - ref) <= ulp, (text, mpmath.nstr(ref, digits + 5))
        significant = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
        assert len(significant) >= min(digits, 1) and (
            len(significant) == digits or mpmath.mpf(text) == ref
            or len(significant) < digits)


@pytest.mark.parametrize("source,expr,at,subs", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_50_digit_gradients_match_sympy_at_higher_precision(source, expr, at, subs):
    res = adcli.grad(source, _point(at), digits=50)
    ctx = res.context
    _assert_digits(ctx.format(res.value), expr.subs(subs).evalf(80), 50)
    for var, sym in (("x", X), ("y", Y)):
        ref = sp.diff(expr, sym).subs(subs).evalf(80)
        _assert_digits(ctx.format(res.gradient[var]), ref, 50)


def test_both_modes_give_the_same_digits():
    fwd = adcli.grad("x*y + sin(x)", {"x": "2", "y": "3"}, digits=60, mode="forward")
    rev = adcli.grad("x*y + sin(x)", {"x": "2", "y": "3"}, digits=60, mode="reverse")
    assert [fwd.context.format(v) for v in fwd.gradient.values()] == \
        [rev.context.format(v) for v in rev.gradient.values()]


def test_1000_digits():
    res = adcli.grad("exp(x)*sin(x)", {"x": "1/3"}, digits=1000)
    with mpmath.workdps(1100):
        x = mpmath.mpf(1) / 3
        ref = mpmath.exp(x) * (mpmath.sin(x) + mpmath.cos(x))
    text = res.context.format(res.gradient["x"])
    assert len(text.replace(".", "")) == 1000
    _assert_digits(text, ref, 1000)


def test_point_values_and_constants_are_taken_at_working_precision():
    # one third, not the float nearest it; the literal 0.1 is one tenth
    res = _evaluate("3*x - 1 + (0.1 - 1/10)", {"x": "1/3"}, digits=40)
    assert res.value == 0
    assert res.context.format(res.point["x"]) == "0." + "3" * 40
    # a float given through the API is its exact binary value
    res = _evaluate("3*x - 1", {"x": 1 / 3}, digits=40)
    assert res.value != 0 and abs(res.value) < 1e-16


# --- every primitive in the table ------------------------------------------------

SAMPLES = [(0.3,), (1.3,), (2.5,)], [(0.3, 0.7), (1.3, 0.7), (2.5, 1.5)]


def _float_lin(prim, args):
    from adcli.modes.rules import linearizer

    res = linearizer(prim, (True,) * prim.arity)(*args)
    return [res[0]] + [p for p in res[1:] if p is not None][:prim.arity]


@pytest.mark.parametrize("prim", TABLE, ids=[p.key for p in TABLE])
def test_every_table_entry_has_an_arbitrary_precision_evaluation_and_rules(prim):
    """A primitive needs nothing but its table entry: its ``mp`` field and
    its rule strings give the mpmath value and partials."""
    ctx = numsys.MPDigits(30)
    assert prim.mp, f"{prim.key} has no mp field"
    numsys.mp_function(prim)  # resolves to mpmath or a helper
    for args in SAMPLES[prim.arity - 1]:
        try:
            expect = _float_lin(prim, args)
        except (ValueError, ZeroDivisionError):
            continue
        if prim.kink is not None and prim.kink(*args):
            continue
        with ctx.working():
            got = active_linearizer(ctx, prim, (True,) * prim.arity)(*[mpmath.mpf(a) for a in args])
        assert len(got) == prim.arity + 1
        for g, e in zip(got, expect, strict=True):
            assert float(g) == pytest.approx(e, rel=1e-13, abs=1e-13), (prim.key, args)
        break
    else:
        pytest.fail(f"no sample point in the domain of {prim.key}")


def test_rule_constants_are_exact_in_every_number_system():
    """Rule constants are integers or named constants (pi), so the mpmath
    and fraction rules lose nothing to a float literal."""
    from adcli.graph.dag import postorder
    from adcli.modes.rules import rule_graph
    from adcli.primitives import CONSTANTS

    for prim in TABLE:
        graph, primal, partials = rule_graph(prim)
        for node in postorder([primal, *partials]):
            if node.is_const:
                v = node.value
                assert v == int(v) or v in CONSTANTS.values(), (prim.key, v)


# --- exact rationals ---------------------------------------------------------------

def test_exact_rationals():
    res = adcli.grad("x^3/3 + 1/x - 2*x*y", {"x": "1/3", "y": "3/4"}, exact=True)
    assert res.value == Fraction(1, 81) + 3 - Fraction(1, 2)
    assert res.gradient == {"x": Fraction(1, 9) - 9 - Fraction(3, 2), "y": Fraction(-2, 3)}
    assert res.context.format(res.gradient["y"]) == "-2/3"


def test_exact_rejects_a_non_rational_operation_by_name():
    with pytest.raises(UsageError, match="`sqrt` is not a rational operation"):
        adcli.grad("x + sqrt(x)", {"x": "4"}, exact=True)
    with pytest.raises(UsageError, match="non-integer exponent"):
        adcli.grad("x^(1/2)", {"x": "4"}, exact=True)
    with pytest.raises(UsageError, match="not rational"):
        adcli.grad("x^y", {"x": "2", "y": "3"}, exact=True)
    with pytest.raises(UsageError, match="pi"):
        adcli.grad("x", {"x": "pi"}, exact=True)
    with pytest.raises(DomainError, match="division by zero"):
        adcli.grad("1/(x - 1/3)", {"x": "1/3"}, exact=True)


def test_domain_errors_and_kinks_behave_as_in_float_mode():
    with pytest.raises(DomainError, match=r"log\(-1\) is undefined \(at ω2\)"):
        adcli.grad("log(x)", {"x": "-1"}, digits=30)
    with pytest.raises(DomainError, match="undefined"):
        adcli.grad("sqrt(x)", {"x": "-4"}, digits=30)
    res = adcli.grad("abs(x)", {"x": "0"}, digits=30)
    assert res.gradient["x"] == 0 and res.warnings[0].kind == "kink"
    res = adcli.grad("sqrt(x)", {"x": "0"}, digits=30)
    assert mpmath.isinf(res.gradient["x"]) and res.warnings[0].step == 2


# --- command line ---------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_digits_worked_example():
    r = run("grad", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--digits", "50", "--format", "plain")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "f 6.9092974268256816953960198659117448427022549714479",
        "df/dx1 2.5838531634528576130024317704992378102339992289245",
        "df/dx2 2",
    ]


def test_cli_digits_json_keeps_every_digit():
    r = run("eval", "x*0.1", "--at", "x=1/3", "--digits", "30", "--format", "json")
    assert r.exit_code == 0, r.output
    assert '"value": 0.0333333333333333333333333333333' in r.output
    assert json.loads(r.output)["digits"] == 30


def test_cli_exact():
    r = run("grad", "x^3/3 + x*y", "--at", "x=1/3,y=2", "--exact", "--format", "plain")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["f 55/81", "df/dx 19/9", "df/dy 1/3"]
    r = run("grad", "x^2", "--at", "x=1/3", "--exact", "--format", "json")
    assert json.loads(r.output)["gradient"] == {"x": "2/3"}


def test_cli_exact_errors():
    r = run("grad", "sin(x)", "--at", "x=1", "--exact")
    assert r.exit_code == 2 and "`sin` is not a rational operation" in r.output
    r = run("grad", "1/x", "--at", "x=0", "--exact")
    assert r.exit_code == 1 and "division by zero" in r.output
    r = run("grad", "x", "--at", "x=1", "--exact", "--digits", "5")
    assert r.exit_code == 2


def test_cli_subprocess_and_mpmath_only_when_asked():
    code = ("import sys\nfrom adcli.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('mpmath' in sys.modules)")
    base = [sys.executable, "-c", code, "grad", "x1*x2+sin(x1)", "--at", "x1=2,x2=3"]
    out = subprocess.run(base + ["--format", "json"], capture_output=True, text=True,
    timeout=600).stdout
    assert out.splitlines()[-1] == "False"
    out = subprocess.run(base + ["--digits", "100"], capture_output=True, text=True,
    timeout=600).stdout
    lines = out.splitlines()
    assert lines[-1] == "True"
    assert lines[1].startswith("df/dx1 2.58385316345285761300243177049923781023399922892")
    assert len(lines[1].split()[1].replace(".", "")) == 100


def test_cli_digits_is_one_option_with_the_batch_digits(tmp_path):
    # --at: arbitrary precision, any N; --points: float64 written to N <= 17 digits
    r = run("eval", "3*x - 0.3", "--at", "x=0.1", "--format", "plain")
    assert r.output == "f 5.551115123125783e-17\n"
    r = run("eval", "3*x - 0.3", "--at", "x=0.1", "--digits", "30", "--format", "plain")
    assert r.output == "f 0\n"
    path = tmp_path / "p.csv"
    path.write_text("x\n0.1\n")
    r = run("eval", "x/3", "--points", str(path), "--digits", "5", "--format", "csv")
    assert r.exit_code == 0 and r.stdout.splitlines()[1] == "0.1,0.033333,"
    r = run("eval", "x/3", "--points", str(path), "--digits", "50")
    assert r.exit_code == 2 and "--points" in r.output
