"""The number systems at the edges where they used to disagree (issue #11,
tests/golden/number_disagreements.txt): an internal error, a nan where the
answer is a number, a missing warning."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from adcli.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("formula, d2", [("x^2*y", "2"), ("x^3*y", "0"), ("x^1*y", "0"),
                                         ("x^0*y", "0")])
def test_exact_hessian_of_a_power_at_zero_is_a_number_not_an_internal_error(formula, d2):
    # before: ZeroDivisionError "0 to a negative power", exit 70: the rule's
    # 0·x^(e-1) had no ±inf for an exact zero to win over
    result = _run("hessian", formula, "--at", "x=0,y=1", "--exact")
    assert result.exit_code == 0, result.output
    assert f"d2f/dxdx {d2}\n" in result.output
    floats = _run("hessian", formula, "--at", "x=0,y=1")
    assert result.stdout.splitlines()[:4] == floats.stdout.splitlines()[:4]


def test_an_exact_second_partial_with_no_value_is_a_domain_error():
    # x^y at (0, 0): exit 1 or 2 with a message, never exit 70
    result = _run("hessian", "x^y", "--at", "x=0,y=0", "--exact")
    assert result.exit_code in (1, 2), result.output
    assert "internal error" not in result.output


# --- float64 nan where the answer is a number, ±inf or 0 -------------------------------

def _hessian(formula: str, point: dict, **system):
    import adcli

    r = adcli.hessian(formula, point, **system)
    return {k: {j: float(v) for j, v in row.items()} for k, row in r.hessian.items()}


@pytest.mark.parametrize("x", [1e8, 1e300, -1e300, -745.0])
def test_tanh_second_derivative_underflows_to_zero_not_nan(x):
    # before: sinh/cosh² = inf/inf = nan; the true value is about 1e-86858896
    h = _hessian("tanh(x)*y", {"x": x, "y": 3})
    assert h["x"]["x"] == 0.0


def test_tanh_second_derivative_is_accurate_where_it_is_a_number():
    h64, h30 = _hessian("tanh(x)", {"x": 3.5}), _hessian("tanh(x)", {"x": 3.5}, digits=30)
    assert h64["x"]["x"] == pytest.approx(h30["x"]["x"], rel=1e-15)


def test_a_mixed_partial_near_overflow_is_not_inf():
    # cosh(710) = 1.117e308 < float64's largest; (H_xy + H_yx)/2 overflowed the sum
    h = _hessian("sinh(x)*y", {"x": 710, "y": 3})
    assert h["x"]["y"] == h["y"]["x"] == pytest.approx(1.1169973830808557e308, rel=1e-15)


def test_power_hessian_beyond_float64_is_inf_not_nan():
    # x^y at (10, 400): ∂²/∂x² = 1.596e403 overflows; the rule's 0·x^(e-1) made it nan
    h = _hessian("x^y", {"x": 10, "y": 400})
    assert h["x"]["x"] == h["x"]["y"] == h["y"]["y"] == float("inf")


@pytest.mark.parametrize("formula, point, key", [
    ("log(x, y)", {"x": 1e-300, "y": 1e-300}, "y"),
    ("log(2, x)*y", {"x": 1e-300, "y": 1}, "x"),
])
def test_log_base_second_partial_overflows_with_its_sign(formula, point, key):
    # before: inf - inf = nan; digits=30 gives ∓1.44e597
    h64, h30 = _hessian(formula, point), _hessian(formula, point, digits=30)
    assert h64[key][key] == h30[key][key] and abs(h64[key][key]) == float("inf")


# --- constant bases folded into pow's rules ------------------------------------------

@pytest.mark.parametrize("command", ["grad", "hessian"])
@pytest.mark.parametrize("formula, warned", [("0^x*y", False), ("(-2)^x*y", True)])
def test_a_constant_base_gives_the_same_numbers_and_warnings_in_every_system(
        command, formula, warned):
    # before: 0^x's ∂/∂x folded log(0)·0^x to -inf·0 = nan in float64 (0 at
    # --digits), and (-2)^x folded log(-2) to nan silently, where --digits
    # warned that the exponent has no derivative at a negative base
    outs = [_run(command, formula, "--at", "x=2,y=1", *system)
            for system in ([], ["--digits", "20"])]
    for result in outs:
        assert result.exit_code == 0, result.output
        assert "nan" not in result.stdout
        assert ("not differentiable" in result.stderr) is warned
    assert outs[0].stdout == outs[1].stdout


# --- mpmath at the domain's edges ------------------------------------------------------

@pytest.mark.parametrize("formula, at", [("log(x, y)", "x=1,y=0"), ("log(2, x)*y", "x=0,y=1")])
def test_digits_refuse_a_log_base_off_the_domain_as_float64_does(formula, at):
    # before: mpmath's log(1)/log(0) = 0/-inf = 0, a value where float64 has a domain error
    for system in ([], ["--digits", "30"]):
        result = _run("eval", formula, "--at", at, *system)
        assert result.exit_code == 1, result.output
        assert "is undefined" in result.stderr


@pytest.mark.parametrize("x", ["1e155", "1e300"])
def test_digits_give_erfc_far_out_as_a_tiny_number_not_a_domain_error(x):
    # before: mpmath.erfc raised OverflowError (x² beyond its float range): exit 1
    import mpmath

    import adcli

    r = adcli.grad("erfc(x)", {"x": float(x)}, digits=30)
    with mpmath.workdps(40):
        value, slope = mpmath.mpf(str(r.value)), mpmath.mpf(str(r.gradient["x"]))
        assert 0 < value < mpmath.mpf("1e-1000") and slope < 0
        # erfc'(x) = -2/√π·exp(-x²) and erfc x ≈ exp(-x²)/(x√π): their ratio is -2x
        assert abs(slope / value / (-2 * mpmath.mpf(float(x))) - 1) < mpmath.mpf("1e-25")
    assert float(adcli.evaluate("erfc(x)", {"x": float(x)})) == 0.0


def test_exact_refuses_an_infinite_one_sided_slope_rather_than_printing_0():
    """0^0's ∂/∂y is the one-sided -inf in float64 and --digits (as the
    warning says); exact rationals hold no -inf, so --exact refuses (exit 2)
    instead of printing a finite stand-in."""
    from click.testing import CliRunner

    from adcli.cli.main import cli

    floats = CliRunner().invoke(cli, ["grad", "x^y", "--at", "x=0,y=0", "--format", "json"])
    assert '"y": "-inf"' in floats.output
    exact = CliRunner().invoke(cli, ["grad", "x^y", "--at", "x=0,y=0", "--exact"])
    assert exact.exit_code == 2
    assert "one-sided limit is ±inf" in exact.output and "df/dy 0" not in exact.output
    kept = CliRunner().invoke(cli, ["hessian", "x^2*y", "--at", "x=0,y=1", "--exact"])
    assert kept.exit_code == 0 and "d2f/dxdx 2" in kept.output


# --- x^y's second partials where x^(y-2) over- or underflows -----------------------

def _pow_second_partials_by_mpmath(x: float, y: float) -> list[float]:
    """∂²/∂x², ∂²/∂x∂y, ∂²/∂y² of x^y (x > 0) at 50 digits, rounded."""
    import mpmath

    with mpmath.workdps(50):
        X, Y = mpmath.mpf(x), mpmath.mpf(y)
        xx = Y * (Y - 1) * X ** (Y - 2)
        xy = X ** (Y - 1) * (1 + Y * mpmath.log(X))
        yy = mpmath.log(X) ** 2 * X ** Y
        return [float(v) for v in (xx, xy, yy)]


@pytest.mark.parametrize("x, y", [(1e-300, 1e-300), (1e154, 1e154), (1e-200, 0.5),
                                  (1e-300, 1 + 2**-52), (2.0, 0.5), (10.0, 400.0)])
@pytest.mark.parametrize("sparse", [False, True])
def test_pow_second_partials_agree_with_mpmath_past_an_intermediate_overflow(x, y, sparse):
    # before: ∂²/∂x² was -inf at (1e-300, 1e-300) (x^(y-2) = 1e600 overflowed
    # while y(y-1)·x^(y-2) is -1e300) and nan at (1e154, 1e154) (inf - inf
    # where the true value is beyond float64's range: +inf)
    args = ["hessian", "x^y", "--at", f"x={x!r},y={y!r}", "--format", "json"]
    result = _run(*args, *(["--sparse"] if sparse else []))
    assert result.exit_code == 0, result.output
    import json

    h = json.loads(result.stdout)["hessian"]
    got = h["values"][:2] + h["values"][3:] if sparse else [h["x"]["x"], h["x"]["y"],
                                                            h["y"]["y"]]
    for g, want in zip(map(float, got), _pow_second_partials_by_mpmath(x, y)):
        assert g == want or abs(g - want) <= 8 * math.ulp(want), (g, want)


@pytest.mark.parametrize("x, y, xx", [(-2.0, 3.0, -12.0), (-2.0, 2.0, 2.0), (0.0, 2.0, 2.0),
                                      (0.0, 3.0, 0.0), (-1e-300, 2.0, 2.0),
                                      (-1e-300, 3.0, -6e-300)])
def test_pow_second_partial_keeps_negative_bases_and_zero_exact(x, y, xx):
    assert _hessian("x^y", {"x": x, "y": y})["x"]["x"] == xx
    assert _hessian("x^y", {"x": x, "y": y}, digits=30)["x"]["x"] == xx


# --- --exact refuses only what it cannot hold, and only where it is asked for -------

def test_exact_gives_the_x_partial_of_0_to_the_0_whose_y_partial_is_minus_inf():
    # before: exit 2 for --wrt x too, although ∂/∂x = 0 is finite
    exact = _run("grad", "x^y", "--at", "x=0,y=0", "--exact", "--wrt", "x")
    assert exact.exit_code == 0, exact.output
    floats = _run("grad", "x^y", "--at", "x=0,y=0", "--wrt", "x")
    assert exact.stdout == floats.stdout.replace("0.0", "0").replace("1.0", "1")
    assert "df/dx 0\n" in exact.stdout and "df/dy" not in exact.stdout
    refused = _run("grad", "x^y", "--at", "x=0,y=0", "--exact", "--wrt", "y")
    assert refused.exit_code == 2 and "one-sided limit is ±inf" in refused.output


def test_exact_takes_the_edge_limit_of_the_y_partial_at_0_as_float64_does():
    # before: exit 2, "log(0) is not rational"; ∂/∂y = log(x)·x^y tends to 0
    for y in ("2", "1", "3"):
        exact = _run("grad", "x^y", "--at", f"x=0,y={y}", "--exact", "--format", "json")
        assert exact.exit_code == 0, exact.output
        floats = _run("grad", "x^y", "--at", f"x=0,y={y}", "--format", "json")
        import json

        e, f = json.loads(exact.stdout), json.loads(floats.stdout)
        assert {k: float(v) for k, v in e["gradient"].items()} == f["gradient"]
        assert e["warnings"] == f["warnings"]


def test_exact_gives_the_rational_partial_and_refuses_the_irrational_one_only_if_asked():
    from fractions import Fraction

    import adcli

    g = adcli.grad("x^y", {"x": 2, "y": 3}, exact=True, wrt=["x"])
    assert Fraction(g.gradient["x"]) == 12
    with pytest.raises(adcli.AdcliError, match="not rational"):
        adcli.grad("x^y", {"x": 2, "y": 3}, exact=True)
    # a negative base with an integer exponent: ∂/∂y has no derivative, 0 with
    # the warning, as in float64
    neg = _run("grad", "x^y", "--at", "x=-2,y=3", "--exact")
    assert neg.exit_code == 0 and "df/dx 12\ndf/dy 0\n" in neg.stdout
    assert "defined only at integer y" in neg.stderr


# --- Taylor coefficients that underflow -------------------------------------------

def test_taylor_warns_where_an_underflowed_coefficient_makes_a_derivative_0():
    import mpmath

    import adcli

    r = adcli.taylor("exp(x)", {"x": -700.0}, order=30)
    true = float(mpmath.exp(-700))  # every derivative of exp is exp
    assert r.derivatives[0] == true and r.derivatives[30] != true  # printed 0 or subnormal
    # (from order 16 on the rounding check says the digits are lost, too)
    found = [w for w in r.warnings if w.kind == "underflow"]
    assert len(found) == 1 and "derivative of order 21 is 9.85968e-305" in found[0].message
    # exp(-745): d2 is the subnormal 5e-324, float64's c2 = 2.5e-324 rounds to 0
    r = adcli.taylor("exp(x)", {"x": -745.0}, order=2)
    assert float(mpmath.exp(-745)) == 5e-324 and [w.kind for w in r.warnings] == ["underflow"]
    # a derivative correctly rounded to 0 is no finding, nor a polynomial's zeros
    assert adcli.taylor("exp(x)", {"x": -1000.0}, order=5).warnings == []
    assert adcli.taylor("x^2", {"x": 3.0}, order=5).warnings == []


def test_exact_hessian_at_0_to_the_0_names_the_step_it_cannot_take_twice():
    # ∂/∂x alone is exact there (df/dx 0), but its second partials are not:
    # the refusal names the step with its caret, as first order's does
    result = _run("hessian", "x^y", "--at", "x=0,y=0", "--exact", "--wrt", "x")
    assert result.exit_code == 2
    assert "second derivative of `0 ^ 0` (ω3) is not rational" in result.output
    assert "^^^" in result.output
