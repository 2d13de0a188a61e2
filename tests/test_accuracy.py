"""Derivatives correct to a few ulps at the edges of the float range, and
warnings that agree with the numbers printed (issues 11 and 12)."""

import json
import math

import pytest

import adcli


def _json(run, *args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("x", "want"), [(5.0, 1.81583230943806684e-04),
                                         (20.0, 1.69934170211663558e-17),
                                         (-100.0, 5.53558610694695012e-87)])
def test_tanh_derivative_does_not_cancel(x, want):
    got = adcli.grad("tanh(x)", x=x).gradient["x"]
    assert got == pytest.approx(want, rel=1e-14)


def test_tanh_derivative_to_50_digits_far_out(run):
    result = run("grad", "tanh(x)", "--at", "x=-100", "--digits", "50", "--format", "json")
    out = json.loads(result.stdout, parse_float=str)
    assert out["gradient"]["x"].startswith("5.53558610694695012259472582791")


@pytest.mark.parametrize("fn", ["asin", "acos", "atanh"])
def test_second_derivative_of_inverse_trig_at_tiny_x(fn):
    # asin'' = x/(1-x²)^1.5, atanh'' = 2x/(1-x²)²: ~x, not 0
    scale = {"asin": 1, "acos": -1, "atanh": 2}[fn]
    h = adcli.hessian(f"{fn}(x)", x=1e-30).hessian["x"]["x"]
    assert h == pytest.approx(scale * 1e-30, rel=1e-14)
    c = adcli.taylor(f"{fn}(x)", {"x": 1e-30}, order=2).derivatives[2]
    assert c == pytest.approx(scale * 1e-30, rel=1e-14)


def test_acosh_derivative_above_1e154():
    assert adcli.grad("acosh(x)", x=1e200).gradient["x"] == pytest.approx(1e-200, rel=1e-14)


def test_atan2_gradient_at_huge_and_tiny_points():
    g = adcli.grad("atan2(y, x)", x=1e200, y=1e200).gradient
    assert g["x"] == pytest.approx(-0.5e-200, rel=1e-14)
    g = adcli.grad("atan2(y, x)", x=1e-200, y=1e-200).gradient
    assert g["y"] == pytest.approx(0.5e200, rel=1e-14)


def test_reciprocal_hessian_does_not_overflow_through_the_square():
    # 2/x³ = 2e300 at x = 1e-100, where (x²)² underflows to 0
    assert adcli.hessian("1/x", x=1e-100).hessian["x"]["x"] == pytest.approx(2e300, rel=1e-14)


# --- issue 11: warnings that agree with the output ------------------------------

def test_power_at_zero_with_exponent_above_one_does_not_claim_an_infinite_slope(run):
    result = run("grad", "x^y", "--at", "x=0,y=1.5", "--format", "json")
    out = json.loads(result.stdout)
    assert out["gradient"] == {"x": 0.0, "y": 0.0}
    assert out["warnings"] and "inf" not in out["warnings"][0]
    assert "one-sided" in out["warnings"][0]


def test_power_at_zero_with_small_exponent_warns_of_the_infinite_slope(run):
    out = _json(run, "grad", "x^y", "--at", "x=0,y=0.5")
    assert out["gradient"]["x"] == "inf" and "+inf" in out["warnings"][0]


def test_log_overflowing_derivative_is_reported_in_json(run):
    out = _json(run, "grad", "log(x)", "--at", "x=1e-320")
    assert out["gradient"]["x"] == "inf"
    assert any("ω2" in w and "inf" in w for w in out["warnings"])


def test_sqrt_of_minus_x_at_zero_has_the_left_slope(run):
    out = _json(run, "grad", "sqrt(-x)", "--at", "x=0")
    assert out["gradient"]["x"] == "-inf"  # sqrt(-x) falls to 0 from the left


@pytest.mark.parametrize("wrt", [[], ["--wrt", "x"]])
def test_power_at_zero_with_integer_exponent_succeeds(run, wrt):
    out = _json(run, "grad", "x^y", "--at", "x=0,y=2", *wrt)
    assert out["gradient"]["x"] == 0.0
    assert out["gradient"].get("y", 0.0) == 0.0  # x^y = 0 for every y > 0 at x = 0
    assert out["warnings"] == []


def test_negative_base_with_integer_exponent_succeeds(run):
    out = _json(run, "grad", "x^y", "--at", "x=-2,y=3")
    assert out["gradient"] == {"x": 12.0, "y": 0.0}
    assert "no derivative with respect to y" in out["warnings"][0]
    out = _json(run, "grad", "x^y", "--at", "x=-2,y=3", "--digits", "20")
    assert out["gradient"]["x"] in (12, "12", 12.0)
    assert out["warnings"]


def test_hessian_of_power_at_zero_with_integer_exponent(run):
    out = _json(run, "hessian", "x^y", "--at", "x=0,y=2")
    assert out["hessian"]["x"]["x"] == 2.0
    assert all(math.isfinite(v) for row in out["hessian"].values() for v in row.values())


def test_issue_items_through_a_real_process():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "adcli", "grad", "x^y", "--at", "x=0,y=2",
                           "--format", "json"], capture_output=True, text=True, check=False,
                           timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["gradient"] == {"x": 0.0, "y": 0.0}


# --- Taylor mode -----------------------------------------------------------------

@pytest.mark.parametrize(("src", "k", "want"), [("x^3", 3, 6.0), ("x^2.5", 3, 1.875e100)])
def test_power_recurrence_does_not_underflow_through_x_to_the_a(src, k, want):
    d = adcli.taylor(src, {"x": 1e-200}, order=4).derivatives
    assert d[k] == pytest.approx(want, rel=1e-14)


def test_high_order_taylor_warns_from_which_order_digits_are_lost(run):
    out = _json(run, "taylor", "sinh(x)/x", "--at", "x=0.5", "--order", "20")
    assert any("from order 9 on" in w for w in out["warnings"])
    clean = _json(run, "taylor", "exp(sin(x))", "--at", "x=0.5", "--order", "30")
    assert clean["warnings"] == []


def test_overflowing_taylor_coefficient_is_a_warning_not_a_crash(run):
    out = _json(run, "taylor", "cbrt(x)", "--at", "x=-1e-300", "--order", "4")
    assert out["coefficients"][2] == "inf"
    assert any("coefficient 2 of cbrt" in w for w in out["warnings"])
    # the mixed partial's sum of inf and -inf is nan, not a traceback
    result = run("partial", "x/y", "--at", "x=1,y=1e-100", "--wrt", "x,y,y", "--format", "json")
    assert result.exit_code == 0 and result.exception is None
