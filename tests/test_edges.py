"""Numbers at the edges: domain errors, overflow, kinks (docs/design.md's decisions)."""

import json
import math

import pytest

import adcli
from adcli.errors import DomainError


@pytest.mark.parametrize("src, point, words", [
    ("log(x)", {"x": -1}, "log(-1) is undefined"),
    ("log(x)", {"x": 0}, "log(0) is undefined"),
    ("sqrt(x)", {"x": -4}, "sqrt(-4) is undefined"),
    ("1/x", {"x": 0}, "division by zero"),
    ("acos(x)", {"x": 2}, "acos(2) is undefined"),
    ("x^0.5", {"x": -2}, "-2 ^ 0.5 is undefined"),
])
def test_domain_errors_name_the_function_value_and_step(src, point, words):
    for mode in ("forward", "reverse"):
        with pytest.raises(DomainError) as info:
            adcli.grad(src, point, mode=mode)
        err = info.value
        assert words in err.message
        assert err.step == 2 and "ω2" in err.message
        assert err.exit_code == 1
    with pytest.raises(DomainError):
        adcli.evaluate(src, point)


def test_domain_error_points_at_the_subexpression(run):
    result = run("grad", "x + log(x - 3)", "--at", "x=2")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[1] == "  x + log(x - 3)"
    assert lines[2] == "      ^^^^^^^^^^"
    assert "log is defined for x > 0" in result.stderr


def test_overflow_is_inf_with_a_warning_naming_the_step(run):
    r = adcli.grad("exp(x) + 1", x=1000)
    assert r.value == math.inf
    assert r.warnings[0].step == 2 and "overflowed to inf" in r.warnings[0].message
    result = run("eval", "exp(x) + 1", "--at", "x=1000", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["value"] == "inf"
    assert "adcli: warning: exp(1000) overflowed to inf at ω2" in result.stderr


def test_non_finite_values_in_plain_output(run):
    result = run("grad", "exp(x)", "--at", "x=1000")
    assert result.stdout == "f inf\ndf/dx inf\n"


@pytest.mark.parametrize("src, point, grad", [
    ("abs(x)", {"x": 0}, {"x": 0.0}),
    ("sqrt(x)", {"x": 0}, {"x": math.inf}),
    ("max(x, y)", {"x": 1, "y": 1}, {"x": 0.5, "y": 0.5}),
    ("min(x, y)", {"x": 1, "y": 1}, {"x": 0.5, "y": 0.5}),
    ("max(x, x)", {"x": 2}, {"x": 1.0}),
    ("cbrt(x)", {"x": 0}, {"x": math.inf}),
    ("asin(x)", {"x": 1}, {"x": math.inf}),
    ("hypot(x, y)", {"x": 0, "y": 0}, {"x": 0.0, "y": 0.0}),
])
def test_kinks_follow_the_readme_convention_with_a_warning(src, point, grad):
    for mode in ("forward", "reverse"):
        r = adcli.grad(src, point, mode=mode)
        assert r.gradient == grad
        assert r.warnings and r.warnings[0].kind == "kink"
        assert f"ω{len(point) + 1}" in r.warnings[0].message


def test_a_kink_does_not_poison_other_derivatives():
    # 0·inf must not turn ∂f/∂y into nan in forward mode.
    for mode in ("forward", "reverse"):
        r = adcli.grad("sqrt(x) + y", x=0, y=1, mode=mode)
        assert r.gradient == {"x": math.inf, "y": 1.0}


def test_kink_warning_on_stderr_and_exit_0(run):
    result = run("grad", "abs(x)", "--at", "x=0")
    assert result.exit_code == 0
    assert "adcli: warning: abs(0) at ω2 is not differentiable" in result.stderr


def test_constant_integer_exponent_needs_no_logarithm():
    assert adcli.grad("x^2 + x^3", x=-1.5).gradient["x"] == pytest.approx(2 * -1.5 + 3 * 2.25)


def test_variable_exponent_of_a_negative_base_has_no_derivative_in_the_exponent():
    # x^y at x < 0 is defined at integer y only (docs/design.md): d/dx exists, d/dy
    # does not, and the warning says adcli uses 0 for it.
    r = adcli.grad("x^y", x=-2, y=3)
    assert r.gradient == {"x": 12.0, "y": 0.0}
    assert any("no derivative with respect to y" in w.message for w in r.warnings)
