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
