"""float64, digits=30 and exact=True agree (tests/number_agreement.py), or
the disagreement is one still known (tests/golden/number_disagreements.txt,
a list that may only shrink)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import adcli

from .number_agreement import disagreements

KNOWN = Path(__file__).parent / "golden" / "number_disagreements.txt"


def _key(line: str) -> str:
    return line.split("]:", 1)[0]


@pytest.mark.parametrize("y", ["0.1", "0.2", "0.3", "0.4", "0.7"])
def test_pow_at_its_kink_gives_the_same_limits_in_every_system(y):
    # before: +inf or 0 by the sign of the rounding error of y - 1
    # (x^0.3: +inf in float64, 0 at digits=30; x^0.2 the other way round)
    for digits in (None, 30):
        r = adcli.hessian(f"x^{y}*y", {"x": 0, "y": 2}, digits=digits)
        assert float(r.gradient["x"]) == math.inf
        assert float(r.hessian["x"]["x"]) == -math.inf
        assert float(r.hessian["x"]["y"]) == math.inf
        assert [w.kind for w in r.warnings] == ["kink"]


def test_the_hessian_of_the_reported_formula_agrees():
    f64 = adcli.hessian("x^2.5*y + x^0.3", {"x": 0, "y": 1})
    d30 = adcli.hessian("x^2.5*y + x^0.3", {"x": 0, "y": 1}, digits=30)
    assert float(f64.hessian["x"]["x"]) == float(d30.hessian["x"]["x"]) == -math.inf


def test_an_exact_power_too_large_to_compute_is_an_error_not_a_hang():
    with pytest.raises(adcli.AdcliError, match="too many to compute exactly"):
        adcli.evaluate("x^y", {"x": 10, "y": 1e300}, exact=True)


def test_the_number_systems_agree_on_the_corpus_or_the_disagreement_is_known():
    known = {_key(line) for line in KNOWN.read_text(encoding="utf-8").splitlines() if line}
    found = disagreements()
    new = [line for line in found if _key(line) not in known]
    assert not new, "new disagreements between number systems:\n" + "\n".join(new)
    fixed = known - {_key(line) for line in found}
    assert not fixed, "fixed: take these off " + KNOWN.name + ":\n" + "\n".join(sorted(fixed))


def test_high_precision_runs_get_each_literal_as_the_float_float64_uses():
    from decimal import Decimal

    from .number_agreement import binary_literals

    # 0.3 and 1e-200 have no exact binary value: their float's exact decimal;
    # 2, 0.5, 2.5 and the -1 of x^-1 are exact already, and x1 is a name
    got = binary_literals("x1^0.3*y + hypot(1e-200, x) + x^2.5 - 0.5*x^-1 + 2")
    assert got == (f"x1^{Decimal(0.3)}*y + hypot({str(Decimal(1e-200)).lower()}, x)"
                   " + x^2.5 - 0.5*x^-1 + 2")


def test_x_to_the_binary_point_three_agrees_where_the_decimal_one_differs_by_67_ulp():
    # x^0.3 at 1e300 magnifies the literal's 1e-17 representation error by
    # log x ≈ 690: reading the decimal 0.3 gives another number (67 ulp off
    # float64's, past the 64-ulp limit), the binary one float64's to 1 ulp
    from .number_agreement import Case, compare, run

    case = Case("x^0.3*y", {"x": 1e300, "y": 1.0}, False, True)
    f64 = run(case, "eval")
    assert compare(f64, run(case, "eval", digits=30)) is None
    decimal = adcli.evaluate("x^0.3*y", {"x": 1e300, "y": 1.0}, digits=30)
    off = abs(float(decimal) - f64.numbers["value"]) / math.ulp(f64.numbers["value"])
    assert 64 < off < 70
