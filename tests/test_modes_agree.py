"""What "forward and reverse give the same numbers" guarantees (docs/cli.md,
--mode): agreement to a few units in the last place, and bit-identical
results where both modes multiply and add in the same order."""

import math

import pytest

import adcli

ULPS = 16  # a derivative that is a sum of cancelling terms loses a few more


def _both(source, point):
    fn = adcli.Function(source)
    return fn.gradient(point, mode="forward"), fn.gradient(point, mode="reverse")


@pytest.mark.parametrize("source, point", [
    ("a = sin(x*y); a*a + a/x", {"x": 2, "y": 3}),
    ("exp(sin(x*y))*cos(x)/y + log(x*y+1)^2", {"x": 0.7, "y": 1.3}),
    ("tanh(x*y*z) + x/(y+z)", {"x": 0.3, "y": -1.2, "z": 2.5}),
    ("sqrt(x^2+y^2)*atan2(y,x)", {"x": 1.1, "y": 2.3}),
    ("a = x*y; b = a*a; c = b*sin(a); c/(1+b) - a", {"x": 0.9, "y": 1.7}),
])
def test_forward_and_reverse_agree_to_a_few_ulps(source, point):
    fwd, rev = _both(source, point)
    for var, d in fwd.jacobian[0].items():
        other = rev.jacobian[0][var]
        assert abs(d - other) <= ULPS * math.ulp(max(abs(d), abs(other))), (var, d, other)


def test_the_documented_example_differs_in_the_last_digits_only():
    fwd, rev = _both("a = sin(x*y); a*a + a/x", {"x": 2, "y": 3})
    assert fwd.jacobian[0]["x"] == -0.09960944947602424
    assert rev.jacobian[0]["x"] == -0.09960944947602435


@pytest.mark.parametrize("source, point", [
    ("x1*x2 + sin(x1)", {"x1": 2, "x2": 3}),  # ω̄₁ = ω̄₃·ω₂ + ω̄₄·cos ω₁, as forward sums
    ("exp(sin(x))", {"x": 0.4}),  # two partials: one product either way
    ("x*y + y*z + z*x", {"x": 0.1, "y": 0.2, "z": 0.3}),
])
def test_same_operation_order_gives_identical_bits(source, point):
    fwd, rev = _both(source, point)
    assert fwd.jacobian == rev.jacobian
    assert fwd.values == rev.values
