"""Taylor coefficients where float64 over- or underflows (adcli/modes/taylor.py):
what the true derivative rounds to, ±inf past float64's range and 0 below
it, never nan; each against mpmath at 30 digits.  Before, an exact 0
coefficient (the line x + t has no t² term) times an overflowed one (exp at
x = 710) gave nan, in the recurrences and in the partial-rule sums."""

from __future__ import annotations

import math

import mpmath
import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

mp = mpmath.mp


def rounded(m: mpmath.mpf) -> float:
    """``m`` as float64 rounds it: ±inf beyond the range."""
    try:
        return float(m)
    except OverflowError:
        return math.copysign(math.inf, m)


def agrees(got: float, want: mpmath.mpf) -> bool:
    ref = rounded(want)
    if math.isinf(ref) or math.isinf(got):
        return got == ref
    return abs(got - ref) <= 8 * math.ulp(max(abs(ref), 2.0 ** -1022))


def derivatives_of(formula: str, point: dict[str, float]) -> list[float]:
    r = adcli.taylor(formula, point, order=3, direction={"x": 1.0})
    return [float(d) for d in r.derivatives]


def series(f, x: float, y: float = 1.0) -> list[mpmath.mpf]:
    """f(x), f', f'', f''' at 30 digits, by mpmath's own differentiation of
    f's closed form (``f(x, k)``: the k-th derivative)."""
    with mpmath.workdps(30):
        return [f(mpmath.mpf(x), k) * y for k in range(4)]


def exp_d(x, k):
    return mpmath.exp(x)


def csc_d(x, k):
    s, c = mpmath.sin(x), mpmath.cos(x)
    return [1 / s, -c / s**2, (1 + c**2) / s**3, -c * (5 + c**2) / s**4][k]


def log_d(x, k):
    return [mpmath.log(x), 1 / x, -1 / x**2, 2 / x**3][k]


def cube_d(x, k):
    return [x**3, 3 * x**2, 6 * x, mpmath.mpf(6)][k]


def inverse_square_d(x, k):
    return [x**-2, -2 * x**-3, 6 * x**-4, -24 * x**-5][k]


def tanh_d(x, k):
    t = mpmath.tanh(x)
    return [t, 1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2)][k]


@pytest.mark.parametrize("formula, x, y, exact", [
    ("exp(x)", 710.0, 1.0, exp_d),  # e^710 overflows: +inf in every order, was nan from 2
    ("exp(x)*y", 710.0, 3.0, exp_d),  # the product with a constant y: was nan from 1
    ("exp(x)", -745.0, 1.0, exp_d),  # the other end: a subnormal, not nan
    ("csc(x)", 1e-300, 1.0, csc_d),  # a pole: ±inf with the signs of the true derivatives
    ("csc(x)*y", -1e-300, 3.0, csc_d),
    ("log(x)*y", 1e-300, 3.0, log_d),  # 2/x³ = 2e900: +inf
    ("x^3*y", 1e300, 1.0, cube_d),  # inf, inf, then 6e300 and 6 (was a DomainError)
    ("x^3*y", -1e300, 1.0, cube_d),
    ("x^-2*y", 1e300, 1.0, inverse_square_d),  # all below the range: 0 (was a DomainError)
    ("tanh(x)", 1e8, 1.0, tanh_d),  # sech² underflows: 0, not nan
])
def test_taylor_past_float64s_range_is_the_true_derivative_rounded(formula, x, y, exact):
    got = derivatives_of(formula, {"x": x, "y": y})
    want = series(exact, x, y)
    assert all(agrees(g, w) for g, w in zip(got, want, strict=True)), (got, want)


def test_a_quotient_by_a_tiny_constant_has_no_nan_after_its_overflowed_value():
    # x/y along x at (1e300, 1e-300): the value overflows, 1/y = 1e300, then 0
    assert derivatives_of("x/y", {"x": 1e300, "y": 1e-300}) == [math.inf, 1 / 1e-300, 0.0, 0.0]


def test_the_same_numbers_at_30_digits_round_to_float64s():
    r = adcli.taylor("exp(x)*y", {"x": 710, "y": 3}, order=3, direction={"x": 1}, digits=30)
    f64 = derivatives_of("exp(x)*y", {"x": 710.0, "y": 3.0})
    assert f64 == [rounded(mpmath.mpf(str(d))) for d in r.derivatives] == [math.inf] * 4


def test_an_overflowed_coefficient_is_reported_not_silent():
    r = adcli.taylor("csc(x)", {"x": 1e-300}, order=3)
    assert [w.kind for w in r.warnings] == ["overflow"]
    out = CliRunner().invoke(cli, ["taylor", "exp(x)*y", "--at", "x=710,y=3", "--wrt", "x",
                                   "--order", "3", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert "nan" not in out.stdout
    assert "overflow" in out.stderr or "overflow" in out.stdout


def test_an_undefined_coefficient_is_still_nan():
    # sqrt at its kink: the convention gives no second coefficient
    r = adcli.taylor("sqrt(x)", {"x": 0.0}, order=2)
    assert math.isnan(float(r.derivatives[2]))


def test_high_orders_take_the_same_care():
    # from order 5 both lanes of the rounding check run together (math.fsum,
    # no careful products): a nan there sends the point through sweep()
    r = adcli.taylor("x^3*y", {"x": 1e300, "y": 1.0}, order=8, direction={"x": 1.0})
    assert [float(d) for d in r.derivatives] == [math.inf, math.inf, 6e300, 6.0] + [0.0] * 5
    r = adcli.taylor("exp(x)*y", {"x": 710.0, "y": 3.0}, order=8, direction={"x": 1.0})
    assert [float(d) for d in r.derivatives] == [math.inf] * 9


def cbrt_d(x, k):
    c = mpmath.cbrt(x) if x > 0 else -mpmath.cbrt(-x)
    return [c, c / (3 * x), -2 * c / (9 * x**2), 10 * c / (27 * x**3)][k]


@pytest.mark.parametrize("formula, x, y, exact", [
    # two terms of a sum overflow with opposite signs (c₁² + 2·c₀·c₂ of cbrt's
    # square is inf − inf): the sweep along a line rescaled to |x| gives them
    ("cbrt(x)", 1e-300, 1.0, cbrt_d),
    ("cbrt(x)*y", -1e-300, 3.0, cbrt_d),
])
def test_next_to_a_pole_the_rescaled_sweep_gives_the_signed_overflow(formula, x, y, exact):
    got = derivatives_of(formula, {"x": x, "y": y})
    want = series(exact, x, y)
    assert all(agrees(g, w) for g, w in zip(got, want, strict=True)), (got, want)
    r = adcli.taylor(formula, {"x": x, "y": y}, order=3, direction={"x": 1.0})
    assert [w.kind for w in r.warnings] == ["overflow"]


def test_atan2_and_hypot_at_the_tiny_diagonal():
    # d³/dx³ atan2(x, y) = 2y(3x² − y²)/h⁶ = 5e899 and hypot's −3x·y²/h⁵ < 0 at 1e-300
    assert derivatives_of("atan2(x, y)", {"x": 1e-300, "y": 1e-300})[3] == math.inf
    assert derivatives_of("hypot(x, y)", {"x": 1e-300, "y": 1e-300})[3] == -math.inf
