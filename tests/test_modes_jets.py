"""adcli/modes/jets.py: truncated Taylor series in one variable (jets) as
numbers the Taylor engine computes with, and mixed partials by one sweep
over them (``nested_partial``), checked against partials worked by hand."""

import math
from fractions import Fraction

import pytest

from adcli.errors import DomainError
from adcli.graph.tape import Tape
from adcli.language.parser import parse
from adcli.modes.engine import primal
from adcli.modes.jets import Jet, JetSystem, at_kink, nested_partial
from adcli.modes.taylor import Engine
from adcli.numsys import FLOAT64
from adcli.numsys import system as number_system


def _jets(order=3, base=FLOAT64):
    return JetSystem(base, order, Engine)


def _tape(source, inputs):
    return Tape(parse(source), inputs)


# -- Jet arithmetic: polynomials truncated after t^K ---------------------------

def test_products_and_powers_are_truncated_polynomial_products():
    jets = _jets(3)
    t = jets.variable(2.0)  # 2 + t
    assert (t * t).c == [4.0, 4.0, 1.0, 0.0]
    assert (t ** 3).c == [8.0, 12.0, 6.0, 1.0]
    assert (t ** 4).c == [16.0, 32.0, 24.0, 8.0]  # the t^4 term is cut
    assert (3 * t - 1).c == [5.0, 3.0, 0.0, 0.0]
    assert (1 - t).c == [-1.0, -1.0, 0.0, 0.0]
    assert (-t).c == [-2.0, -1.0, -0.0, -0.0]


def test_division_inverts_multiplication_and_gives_the_geometric_series():
    jets = _jets(4)
    t = jets.variable(0.0)
    assert (1 / (1 - t)).c == [1.0] * 5
    u = jets.variable(3.0, step=2.0)  # 3 + 2t
    assert ((u * u) / u).c == u.c
    assert (u / 2).c == [1.5, 1.0, 0.0, 0.0, 0.0]


def test_a_step_scales_the_variable():
    jets = _jets(2)
    assert jets.variable(5.0, step=0.25).c == [5.0, 0.25, 0.0]
    assert _jets(0).variable(5.0).c == [5.0]  # order 0: the value alone


def test_primitives_of_a_jet_are_their_taylor_expansions():
    jets = _jets(4)
    t = jets.variable(0.0)
    assert jets.call("exp", t).c == pytest.approx([1, 1, 1 / 2, 1 / 6, 1 / 24], rel=1e-15)
    assert jets.call("sin", t).c == pytest.approx([0, 1, 0, -1 / 6, 0], abs=1e-16)
    assert jets.log(jets.variable(1.0)).c == pytest.approx([0, 1, -1 / 2, 1 / 3, -1 / 4],
                                                           rel=1e-15)
    # a jet to a jet power: 2^t = exp(t log 2)
    two_t = jets.number(2.0) ** t
    assert two_t.c == pytest.approx([math.log(2) ** k / math.factorial(k) for k in range(5)],
                                    rel=1e-14)


def test_an_exact_zero_term_stays_zero_next_to_an_infinite_one():
    # 0·inf is an absent term, not nan: a pure partial that overflows must
    # not turn the mixed ones into nan
    jets = _jets(2)
    big = Jet(jets, [math.inf, 0.0, 0.0])
    t = Jet(jets, [0.0, 1.0, 0.0])
    product = big * t
    assert product.c[0] == 0.0 and product.c[1] == math.inf and product.c[2] == 0.0
    assert not any(math.isnan(c) for c in product.c)


def test_comparisons_follow_the_value_and_equality_the_whole_expansion():
    jets = _jets(2)
    t = jets.variable(0.0)
    assert t != 0 and bool(t)  # 0 + t is not the number 0
    assert jets.number(0) == 0 and not jets.zero
    assert not t < 0 and t <= 0 and t >= 0 and not t > 0  # ordered by its value
    assert abs(jets.variable(-1.0)).c == [1.0, -1.0, 0.0]
    assert float(jets.variable(2.5)) == 2.5 and int(jets.variable(2.5)) == 2
    assert hash(jets.variable(1.0)) == hash(jets.variable(1.0))


def test_fsum_adds_coefficient_by_coefficient_and_lifts_numbers():
    jets = _jets(2)
    t = jets.variable(1.0)
    assert jets.fsum([t, 3, t]).c == [5.0, 2.0, 0.0]
    # accurately: 1e16 + 1 - 1e16 in each coefficient
    big = Jet(jets, [1e16, 1e16, 0.0])
    one = Jet(jets, [1.0, 1.0, 1.0])
    assert jets.fsum([big, one, -big]).c == [1.0, 1.0, 1.0]


def test_jets_over_exact_rationals_stay_exact():
    jets = _jets(2, number_system(exact=True))
    v = jets.variable(Fraction(1, 3))
    assert (v * v).c == [Fraction(1, 9), Fraction(2, 3), Fraction(1)]
    assert (1 / v).c == [Fraction(3), Fraction(-9), Fraction(27)]


def test_jets_of_jets_hold_series_in_two_variables():
    # (x + s)(y + t) with x = 2, y = 3: the s·t coefficient is 1
    inner = _jets(1)
    outer = JetSystem(inner, 1, Engine)
    x = outer.variable(inner.number(2.0))
    y = outer.number(inner.variable(3.0))
    xy = x * y
    assert [c.c for c in xy.c] == [[6.0, 2.0], [3.0, 1.0]]


# -- at_kink ------------------------------------------------------------------

def test_at_kink_sees_a_step_on_its_primitives_kink_only():
    tape = _tape("abs(x) + y", ["x", "y"])
    assert at_kink(tape, primal(tape, [0.0, 1.0])[0])
    assert not at_kink(tape, primal(tape, [0.5, 0.0])[0])
    smooth = _tape("sin(x)*y", ["x", "y"])
    assert not at_kink(smooth, primal(smooth, [0.0, 0.0])[0])


# -- nested_partial: one sweep for a mixed partial -----------------------------

def _nested(source, inputs, point, items, system=FLOAT64, exponents=None):
    return nested_partial(_tape(source, inputs), point, items, system, Engine, exponents)


def test_mixed_partials_of_a_polynomial_match_the_hand_worked_ones():
    # f = x²y³: ∂²f/∂x∂y = 6xy², ∂⁴f/∂x²∂y² = 12y, at (2, 3)
    assert _nested("x^2*y^3", ["x", "y"], [2.0, 3.0], [(0, 1), (1, 1)]) == ([108.0], [])
    assert _nested("x^2*y^3", ["x", "y"], [2.0, 3.0], [(0, 2), (1, 2)]) == ([36.0], [])
    assert _nested("x^2*y^3", ["x", "y"], [2.0, 3.0], [(0, 1), (1, 2)]) == ([72.0], [])


def test_every_output_gets_its_mixed_partial_from_the_one_sweep():
    partials, warnings = _nested("x^2*y^3, sin(x*y)", ["x", "y"], [2.0, 3.0],
                                 [(0, 1), (1, 1)])
    # ∂²/∂x∂y sin(xy) = cos(xy) − xy·sin(xy)
    assert partials[0] == 108.0
    assert partials[1] == pytest.approx(math.cos(6) - 6 * math.sin(6), rel=1e-14)
    assert warnings == []


def test_three_variables_nest_jets_of_jets():
    # ∂³/∂x∂y∂z exp(xyz) = exp(u)(1 + 3u + u²), u = xyz
    (value,), _ = _nested("exp(x*y*z)", ["x", "y", "z"], [0.5, 0.25, 1.0],
                          [(0, 1), (1, 1), (2, 1)])
    u = 0.125
    assert value == pytest.approx(math.exp(u) * (1 + 3 * u + u * u), rel=1e-14)


def test_no_cancellation_where_polarization_would_lose_every_digit():
    # ∂²/∂x∂y atan2(x, y) = (y² − x²)/(x² + y²)² ≈ 1/y² at y ≫ x: a difference
    # of sweeps along x ± y would cancel terms 1e100 times larger
    (value,), _ = _nested("atan2(x, y)", ["x", "y"], [1.0, 1e100], [(0, 1), (1, 1)])
    assert value == pytest.approx(-1e-200, rel=1e-14)


def test_scaling_each_variable_by_a_power_of_two_changes_no_bit():
    items = [(0, 1), (1, 2)]
    plain = _nested("sin(x)*exp(x*y)", ["x", "y"], [0.75, -1.5], items)
    scaled = _nested("sin(x)*exp(x*y)", ["x", "y"], [0.75, -1.5], items, exponents=[3, -4])
    assert plain is not None and scaled is not None
    assert plain[0] == scaled[0]


def test_exact_rationals_give_the_exact_partial():
    exact = number_system(exact=True)
    partials, _ = _nested("x^2*y^3 + x/y", ["x", "y"], [Fraction(2), Fraction(3)],
                          [(0, 1), (1, 1)], exact)
    assert partials == [Fraction(108) - Fraction(1, 9)]  # 6xy² − 1/y²


def test_a_kink_or_a_domain_edge_declines_so_the_caller_can_fall_back():
    assert _nested("abs(x)*y", ["x", "y"], [0.0, 3.0], [(0, 1), (1, 1)]) is None
    assert _nested("sqrt(x)*y", ["x", "y"], [0.0, 3.0], [(0, 1), (1, 1)]) is None


def test_a_point_outside_the_domain_is_the_primal_sweeps_error():
    with pytest.raises(DomainError, match=r"log\(-1\)"):
        _nested("log(x)*y", ["x", "y"], [-1.0, 3.0], [(0, 1), (1, 1)])
