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
