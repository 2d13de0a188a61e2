"""jvp and vjp take digits= and exact= like the other Function methods
(issue 10: one API, the number system a parameter)."""

from fractions import Fraction

import pytest

import adcli


def test_jvp_and_vjp_in_exact_rationals():
    f = adcli.compile("x*y + x^2")
    jv = f.jvp({"x": "1/3", "y": 2}, {"x": 1, "y": "1/7"}, exact=True)
    assert jv.derivatives == [Fraction(19, 7)]  # (y + 2x)·1 + x·(1/7)
    assert jv.values == [Fraction(7, 9)]
    vj = f.vjp({"x": "1/3", "y": 2}, [3], exact=True)
    assert vj.gradient == {"x": Fraction(8), "y": Fraction(1)}


def test_jvp_and_vjp_at_30_digits_agree_with_float64():
    f = adcli.compile("x*y + sin(x), x^2*y")
    point = {"x": 1, "y": 2}
    for digits in (None, 30):
        jv = f.jvp(point, {"x": 1}, digits=digits)
        vj = f.vjp(point, [1, 1], digits=digits)
        assert [float(d) for d in jv.derivatives] == pytest.approx([2.5403023058681398, 4.0])
        assert {k: float(v) for k, v in vj.gradient.items()} == pytest.approx(
            {"x": 6.54030230586814, "y": 2.0})
    precise = f.jvp(point, {"x": 1}, digits=30)
    assert precise.system.digits == 30
    assert precise.system.format(precise.derivatives[0]) == "2.54030230586813971740093660744"


def test_exact_vjp_of_an_irrational_function_says_so():
    with pytest.raises(adcli.UsageError, match="not a rational"):
        adcli.vjp("sin(x)", {"x": 1}, cotangent=[1], exact=True)
