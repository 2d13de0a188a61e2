"""Taylor mode: coefficients and derivatives of any order along a variable
or a direction, against sympy's derivatives evaluated with 30 digits."""

import json
import math

import pytest
import sympy as sp
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

X, Y, T = sp.symbols("x y t", real=True)
REL = 1e-10


def close(a, ref, rel=REL):
    ref = float(ref)
    return abs(a - ref) <= rel * max(abs(ref), 1e-300) or a == ref


def sympy_derivatives(expr, var, at, order):
    out, d = [], expr
    for _ in range(order + 1):
        out.append(d.subs(var, at).evalf(30))
        d = sp.diff(d, var)
    return out


@pytest.mark.parametrize("text, expr", [
    ("exp(sin(x))", sp.exp(sp.sin(X))),
    ("1/(1+x^2)", 1 / (1 + X**2)),
    ("atan(x)", sp.atan(X)),
    ("log(1+x)", sp.log(1 + X)),
])
def test_derivatives_to_order_12_match_sympy(text, expr):
    r = adcli.taylor(text, {"x": 0.5}, order=12)
    ref = sympy_derivatives(expr, X, sp.Rational(1, 2), 12)
    for k, (d, e) in enumerate(zip(r.derivatives, ref, strict=True)):
        assert close(d, e), (text, k, d, float(e))
        assert close(r.coefficients[k] * math.factorial(k), e)


def mpmath_derivatives(fn, order):
    """k!·(Taylor coefficient k) of fn at 0 with 50 digits (mpmath.taylor)."""
    import mpmath

    with mpmath.workdps(50):
        coefs = mpmath.taylor(fn, 0, order)
        return [c * mpmath.factorial(k) for k, c in enumerate(coefs)]


def test_two_variables_along_a_direction_match_mpmath():
    import mpmath as M

    text = "exp(x*y)*sin(x + y^2) + x/y"

    def line(t):
        x, y = M.mpf(3) / 10 + t, M.mpf(7) / 10 + 2 * t
        return M.exp(x * y) * M.sin(x + y**2) + x / y

    ref = mpmath_derivatives(line, 12)
    r = adcli.taylor(text, {"x": 0.3, "y": 0.7}, order=12, direction={"x": 1, "y": 2})
    for k, (d, e) in enumerate(zip(r.derivatives, ref, strict=True)):
        assert close(d, e), (k, d, float(e))


def test_two_variables_along_a_direction_match_sympy_to_order_6():
    expr = sp.exp(X * Y) * sp.sin(X + Y**2) + X / Y
    line = expr.subs({X: sp.Rational(3, 10) + T, Y: sp.Rational(7, 10) + 2 * T})
    ref = sympy_derivatives(line, T, 0, 6)
    r = adcli.taylor("exp(x*y)*sin(x + y^2) + x/y", {"x": 0.3, "y": 0.7}, order=6,
                     direction={"x": 1, "y": 2})
    for k, (d, e) in enumerate(zip(r.derivatives, ref, strict=True)):
        assert close(d, e), (k, d, float(e))


UNARY = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sec": sp.sec, "csc": sp.csc, "cot": sp.cot,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh,
    "tanh": sp.tanh, "asinh": sp.asinh, "atanh": sp.atanh, "exp": sp.exp,
    "expm1": lambda u: sp.exp(u) - 1, "log": sp.log, "log2": lambda u: sp.log(u, 2),
    "log10": lambda u: sp.log(u, 10), "log1p": lambda u: sp.log(1 + u), "sqrt": sp.sqrt,
    "cbrt": lambda u: u ** sp.Rational(1, 3), "erf": sp.erf, "erfc": sp.erfc,
    "abs": sp.Abs,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_every_unary_primitive_expands_from_the_table(name):
    """No primitive needs a Taylor rule of its own: the partial rules in the
    table are enough (order 7 of f(0.3 + 0.2·x²) at x = 0.4)."""
    text = f"{name}(0.3 + 0.2*x^2)"
    expr = UNARY[name](sp.Rational(3, 10) + sp.Rational(1, 5) * X**2)
    r = adcli.taylor(text, {"x": 0.4}, order=7)
    ref = sympy_derivatives(expr, X, sp.Rational(2, 5), 7)
    for k, (d, e) in enumerate(zip(r.derivatives, ref, strict=True)):
        assert close(d, e, 1e-11), (name, k, d, float(e))


@pytest.mark.parametrize("text, fn", [
    ("atan2(y, x)", lambda x, y, M: M.atan2(y, x)),
    ("hypot(x, y)", lambda x, y, M: M.hypot(x, y)),
    ("x^y", lambda x, y, M: M.power(x, y)),
    ("log(x, y)", lambda x, y, M: M.log(x) / M.log(y)),
    ("pow(x, 2.5) * y^3", lambda x, y, M: M.power(x, 2.5) * y**3),
])
def test_binary_primitives_along_a_direction(text, fn):
    import mpmath as M

    ref = mpmath_derivatives(lambda t: fn(M.mpf("1.2") - t, M.mpf("1.7") + t / 2, M), 8)
    r = adcli.taylor(text, {"x": 1.2, "y": 1.7}, order=8, direction={"x": -1, "y": 0.5})
    for k, (d, e) in enumerate(zip(r.derivatives, ref, strict=True)):
        assert close(d, e), (text, k, d, float(e))


def test_order_40_geometric_series_is_exact():
    # 1/(1-x) at x = 1/2: c_k = 2^(k+1), exactly representable
    r = adcli.taylor("1/(1-x)", {"x": 0.5}, order=40)
    assert r.coefficients == [2.0 ** (k + 1) for k in range(41)]


def test_order_40_of_exp_sin_matches_mpmath():
    import mpmath

    mpmath.mp.dps = 60
    ref = mpmath.taylor(lambda t: mpmath.exp(mpmath.sin(t)), mpmath.mpf("0.5"), 40)
    r = adcli.taylor("exp(sin(x))", {"x": 0.5}, order=40)
    assert len(r.coefficients) == 41
    for k in (20, 30, 40):
        assert close(r.coefficients[k], ref[k], 1e-9), k


def test_integer_power_through_zero():
    r = adcli.taylor("x^3 + (x-1)^2", {"x": 0}, order=4)
    assert r.derivatives == [1.0, -2.0, 2.0, 6.0, 0.0]


def test_polynomial_coefficients_are_exact():
    r = adcli.taylor("(1+x)^5", {"x": 0}, order=7)
    assert r.coefficients == [1.0, 5.0, 10.0, 10.0, 5.0, 1.0, 0.0, 0.0]


def test_kink_gives_warning_and_nan_beyond_order_0():
    r = adcli.taylor("sqrt(x)", {"x": 0}, order=2)
    assert r.coefficients[0] == 0.0
    assert all(math.isnan(c) for c in r.coefficients[1:])
    assert r.warnings and "ω2" in r.warnings[0].message


def test_abs_at_zero_follows_the_convention():
    r = adcli.taylor("abs(x) + x", {"x": 0}, order=2)
    assert r.derivatives == [0.0, 1.0, 0.0]
    assert any(w.kind == "kink" for w in r.warnings)


# --- command line -------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_json_shape():
    res = run("taylor", "exp(x)", "--at", "x=0", "--order", "3", "--format", "json")
    assert res.exit_code == 0, res.output
    obj = json.loads(res.output)
    assert obj["coefficients"][:2] == [1.0, 1.0]
    assert obj["derivatives"] == [1.0, 1.0, 1.0, 1.0]
    assert obj["direction"] == {"x": 1.0}


def test_cli_direction_and_plain():
    res = run("taylor", "x*y", "--at", "x=1,y=2", "--order", "2", "--dir", "x=1,y=1",
              "--format", "plain")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "c1 3" in lines and "d2 2" in lines


def test_cli_several_variables_need_wrt_or_dir():
    res = run("taylor", "x*y", "--at", "x=1,y=2", "--order", "2")
    assert res.exit_code == 2
    assert "--wrt" in res.output
    assert run("taylor", "x*y", "--at", "x=1,y=2", "--wrt", "y").exit_code == 0


@pytest.mark.parametrize("opt, val", [("--wrt", "z"), ("--dir", "z=1")])
def test_cli_non_input_is_usage_error(opt, val):
    res = run("taylor", "x*y", "--at", "x=1,y=2", opt, val)
    assert res.exit_code == 2
    assert "`z`" in res.output


def test_cli_domain_error_names_the_step():
    res = run("taylor", "log(x - 2)", "--at", "x=1", "--order", "3")
    assert res.exit_code == 1
    assert "ω3" in res.output


def test_cli_csv_one_row_per_point():
    res = run("taylor", "exp(x)", "--at", "x=0", "--at", "x=1", "--order", "1",
              "--format", "csv")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "x,c0,c1,d0,d1"
    assert lines[1] == "0,1,1,1,1"
    assert len(lines) == 3


def test_cli_points_jsonl(tmp_path):
    pts = tmp_path / "p.csv"
    pts.write_text("x\n0\n1\n")
    res = run("taylor", "exp(2*x)", "--order", "3", "--points", str(pts), "--format", "jsonl")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert rows[0]["derivatives"] == [1.0, 2.0, 4.0, 8.0]
    assert len(rows) == 2


def test_orders_past_170_do_not_crash():
    # k! leaves float range at k = 171; c_k·k! is still formed when finite
    r = adcli.taylor("1/(1-x)", {"x": 0.5}, order=175)
    assert r.derivatives[175] == math.inf
    r = adcli.taylor("exp(x)", {"x": 0}, order=172)
    assert r.derivatives[171] == pytest.approx(1.0, rel=1e-10)


RESCALED_CASES = ["exp(sin(x))", "sinh(x)/x", "x^2.5*atan(x)*y", "x^y + y^3/x",
                  "a = sin(x)*y; b = a^2 - x; b/a + exp(-y^2), log(x*y)",
                  "abs(x-0.7)*x", "sqrt(x-0.7)", "exp(700*x)*y", "cbrt(x - 0.7)", "3",
                  "sin(exp(1000*x))", "log(x - 0.7)", "hypot(x, y)*exp(x)",
                  "x - sin(y) + (-x)*y - (y - cos(x)) + -exp(x)"]


@pytest.mark.parametrize("text", RESCALED_CASES)
def test_the_rounding_check_lane_is_the_second_sweep_bit_for_bit(text):
    # float64 Taylor runs above order 4 compute the check's rescaled line in
    # the same loop as the coefficients: it must be exactly what a second
    # sweep along s·v gives (and fall back to that sweep at kinks and errors)
    from adcli.modes.taylor import sweep, sweep_rescaled

    f = adcli.Function(text)
    point = {name: value for name, value in (("x", 0.7), ("y", 0.3)) if name in f.inputs}
    tape = f.tape(point)
    values = list(point.values())
    s = 1.0 + 2.0 ** -7
    for vec in ([1.0] + [0.0] * (len(values) - 1), [0.5 * (i + 1) for i in range(len(values))]):
        for order in (5, 31):
            try:
                coefs, warnings = sweep(tape, values, vec, order)
                again, _ = sweep(tape, values, [v * s for v in vec], order)
            except adcli.errors.DomainError as exc:
                with pytest.raises(adcli.errors.DomainError) as info:
                    sweep_rescaled(tape, values, vec, order, s)
                assert info.value.message == exc.message
                continue
            got, got_warnings, got_again = sweep_rescaled(tape, values, vec, order, s)
            assert repr(got) == repr(coefs) and repr(got_again) == repr(again)
            assert [w.message for w in got_warnings] == [w.message for w in warnings]


def test_the_rounding_checks_screen_misses_no_warning():
    # rounding_loss screens the two lanes at C speed and walks them
    # coefficient by coefficient only where a difference may exceed LOST:
    # on rows differing by about LOST (either side of it), with zeros, ±inf
    # and nan among them, it must say what the walk says
    import random

    from adcli.higher import LOST, RESCALE, _rounding_loss_found, rounding_loss

    rng = random.Random(7)
    specials = [0.0, -0.0, math.inf, -math.inf, math.nan]
    near = [0.0, LOST / 3, LOST / 2, LOST * (1 - 1e-9), LOST, LOST * (1 + 1e-9), 2 * LOST, 1e-3]
    warned = 0
    for _ in range(3000):
        rows, agains = [], []
        for _ in range(rng.randint(1, 2)):
            n = rng.randint(1, 12)
            row = [rng.choice(specials) if rng.random() < 0.1
                   else rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30) for _ in range(n)]
            again = [a * (1 + rng.choice([-1, 1]) * rng.choice(near)) * RESCALE ** k
                     for k, a in enumerate(row)]
            rows.append(row)
            agains.append([rng.choice(specials) if rng.random() < 0.05 else b for b in again])
        want = [w.message for w in _rounding_loss_found(rows, agains)]
        assert [w.message for w in rounding_loss(rows, agains)] == want, (rows, agains)
        warned += bool(want)
    assert 300 < warned < 2700  # both answers well represented
