"""adcli/numsys.py: each number system (float64, mpmath at N digits, exact
rationals, NumPy arrays) implements one small interface, and the one engine
(adcli.modes.engine) gives the same answers in each, to its precision.

The worked example of docs/design.md, f = x1*x2 + sin(x1) at x1 = 2, x2 = 3:
value 6.909297426825682, gradient [2.5838531634528574, 2]."""

import pickle
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import adcli
from adcli import numsys
from adcli.errors import DomainError, UsageError
from adcli.modes import engine
from adcli.primitives import PRIMITIVES

VALUE = 6.909297426825682
GRADIENT = [2.5838531634528574, 2.0]


def _reference(digits):
    """The worked example's value and gradient from mpmath directly, with
    ten digits to spare (6 + sin 2, 3 + cos 2, 2)."""
    with mpmath.workdps(digits + 10):
        two = mpmath.mpf(2)
        return 6 + mpmath.sin(two), [3 + mpmath.cos(two), two]


def _engine_gradient(source, values, system):
    """Value(s), forward and reverse Jacobian rows of ``source`` through the
    engine's generic entry points, in ``system``."""
    fn = adcli.compile(source)
    tape = fn.tape(fn.inputs)
    inputs = [system.number(v) for v in values]
    with system.working():
        lin = engine.linearize(tape, inputs, system)
        n, m = tape.n_inputs, len(tape.outputs)
        one, zero = system.one, system.zero
        tangents = engine.forward(lin, [[one if j == i else zero for j in range(n)]
                                        for i in range(n)])
        adjoints = engine.reverse(lin, [[one if j == k else zero for j in range(m)]
                                        for k in range(m)])
    values_out = [lin.values[o] for o in tape.outputs]
    forward_rows = [[tangents[i][o] for i in range(n)] for o in tape.outputs]
    reverse_rows = [adjoints[k][:n] for k in range(m)]
    return values_out, forward_rows, reverse_rows, lin.warnings


def test_float64_gives_the_worked_example_to_the_last_bit():
    values, fwd, rev, warnings = _engine_gradient("x1*x2 + sin(x1)", [2, 3], numsys.FLOAT64)
    assert values == [VALUE]
    assert fwd == rev == [GRADIENT]
    assert warnings == []


@pytest.mark.parametrize("digits", [16, 30, 60])
def test_mpmath_gives_the_worked_example_to_every_digit_asked_for(digits):
    system = numsys.system(digits=digits)
    values, fwd, rev, _ = _engine_gradient("x1*x2 + sin(x1)", [2, 3], system)
    value, gradient = _reference(digits)
    tolerance = mpmath.mpf(10) ** (-digits)
    assert abs(values[0] - value) <= tolerance * abs(value)
    for got in (fwd[0], rev[0]):
        for g, want in zip(got, gradient, strict=True):
            assert abs(g - want) <= tolerance * abs(want)
    # and rounded to float64 it is float64's answer
    assert float(values[0]) == VALUE
    assert [float(g) for g in fwd[0]] == GRADIENT


def test_exact_rationals_give_rational_answers_and_refuse_sin():
    system = numsys.system(exact=True)
    values, fwd, rev, _ = _engine_gradient("x1*x2 + x1^3/3", [2, 3], system)
    assert values == [Fraction(26, 3)]
    assert fwd == rev == [[Fraction(7), Fraction(2)]]
    with pytest.raises(numsys.NotRational, match="sin"):
        _engine_gradient("x1*x2 + sin(x1)", [2, 3], system)


def test_numpy_arrays_give_float64_at_every_element():
    system = numsys.numpy_arrays()
    x1, x2 = np.array([2.0, -0.5, 7.25]), np.array([3.0, 1.5, -4.0])
    values, fwd, rev, _ = _engine_gradient("x1*x2 + sin(x1)", [x1, x2], system)
    for k in range(3):
        one = _engine_gradient("x1*x2 + sin(x1)", [x1[k], x2[k]], numsys.FLOAT64)
        assert values[0][k] == one[0][0]
        assert [d[k] for d in fwd[0]] == one[1][0]
        assert [d[k] for d in rev[0]] == one[2][0]
    assert values[0][0] == VALUE and [fwd[0][0][0], fwd[0][1][0]] == GRADIENT


def test_the_api_gives_the_same_shape_in_every_system():
    f = adcli.compile("x1*x2 + sin(x1)")
    results = [f.gradient({"x1": 2, "x2": 3}),
               f.gradient({"x1": 2, "x2": 3}, digits=30),
               f.gradient({"x1": [2.0], "x2": [3.0]})]
    for r in results:
        assert list(r.gradient) == ["x1", "x2"]
        assert float(np.asarray(r.value).ravel()[0]) == pytest.approx(VALUE, rel=1e-15)
        assert [float(np.asarray(g).ravel()[0]) for g in r.gradient.values()] == \
            pytest.approx(GRADIENT, rel=1e-15)


# --- the interface ----------------------------------------------------------------

def test_the_system_factory():
    assert numsys.system() is numsys.FLOAT64
    assert numsys.system(digits=30) == numsys.system(digits=30) != numsys.system(digits=31)
    assert hash(numsys.system(digits=30)) == hash(numsys.system(digits=30))
    assert numsys.system(exact=True).exact and not numsys.FLOAT64.exact
    for bad in (0, -3, 2.5, True, numsys.MAX_DIGITS + 1):
        with pytest.raises(UsageError, match="digits"):
            numsys.system(digits=bad)
    with pytest.raises(UsageError, match="do not combine"):
        numsys.system(digits=30, exact=True)


@pytest.mark.parametrize("system", [numsys.FLOAT64, numsys.system(digits=25),
                                    numsys.system(exact=True)], ids=repr)
def test_a_system_survives_pickling_as_itself(system):
    # a process pool or a cluster sends the system with the work
    again = pickle.loads(pickle.dumps(system))
    assert again == system and repr(again) == repr(system)
    if system is numsys.FLOAT64:
        assert again is numsys.FLOAT64  # the sweeps test `system is FLOAT64`


def test_literals_are_read_at_the_precision_of_the_system():
    mp = numsys.system(digits=30)
    exact = numsys.system(exact=True)
    assert numsys.FLOAT64.literal("0.1") == 0.1
    assert exact.literal("0.1") == Fraction(1, 10)  # not the binary 0.1000000000000000055…
    with mp.working():
        assert mp.format(mp.literal("0.1")) == "0.1"
        assert mp.format(mp.literal("pi")) == "3.14159265358979323846264338328"
    with pytest.raises(numsys.NotRational, match="pi"):
        exact.literal("pi")
    for system in (numsys.FLOAT64, mp, exact):
        assert system.literal("x") is None  # a name, not a number


def test_format_json_and_meta_say_what_the_system_is():
    mp = numsys.system(digits=30)
    exact = numsys.system(exact=True)
    assert numsys.FLOAT64.format(1 / 3) == "0.3333333333333333"
    with mp.working():
        third = mp.one / 3
    assert mp.format(third) == "0." + "3" * 30
    assert str(mp.json(third)) == "0." + "3" * 30  # a JSON number with every digit
    assert exact.format(exact.one / 3) == "1/3"
    assert [s.meta() for s in (numsys.FLOAT64, mp, exact)] == [{}, {"digits": 30},
                                                               {"exact": True}]
    assert numsys.FLOAT64.json(float("inf")) == mp.json(mp.number(float("inf"))) == "inf"


@pytest.mark.parametrize("system", [numsys.FLOAT64, numsys.system(digits=20),
                                    numsys.system(exact=True)], ids=repr)
def test_sums_do_not_lose_the_small_terms(system):
    terms = [system.number(x) for x in (1e16, 1.0, -1e16, 2.0 ** -30)]
    with system.working():
        assert system.fsum(terms) == system.number(1.0) + system.number(2.0 ** -30)


def test_to_float_and_is_finite():
    mp = numsys.system(digits=20)
    with mp.working():
        huge = mp.number(10) ** 400
    assert mp.is_finite(huge) and mp.to_float(huge) == float("inf")
    assert not numsys.FLOAT64.is_finite(float("nan"))
    assert numsys.system(exact=True).to_float(Fraction(1, 3)) == 1 / 3


# --- kinks, domain errors and overflow, per number system -------------------------

SYSTEMS = {"float64": {}, "digits": {"digits": 20}, "exact": {"exact": True}}


@pytest.mark.parametrize("name", SYSTEMS)
@pytest.mark.parametrize("source, point, gradient, words", [
    ("abs(x)", {"x": 0}, {"x": 0}, "abs(0) at ω2 is not differentiable (corner"),
    ("max(x, y)", {"x": 1, "y": 1}, {"x": 0.5, "y": 0.5}, "max(1, 1) at ω3 is not diff"),
    ("min(x, 2) + sign(y)", {"x": 2, "y": 0}, {"x": 0.5, "y": 0}, "min(2, 2)"),
])
def test_a_kink_is_a_warning_and_the_same_convention_in_every_system(
        name, source, point, gradient, words):
    r = adcli.compile(source).gradient(point, **SYSTEMS[name])
    assert {k: float(v) for k, v in r.gradient.items()} == gradient
    assert any(w.kind == "kink" and words in w.message for w in r.warnings), r.warnings


def test_a_kink_in_numpy_arrays_is_reported_and_marks_only_its_elements():
    system = numsys.numpy_arrays()
    prim = PRIMITIVES["abs"]
    assert system.at_kink(prim, [np.array([2.0, 1.0])]) is False
    assert list(system.at_kink(prim, [np.array([0.0, 1.0])])) == [True, False]
    r = adcli.compile("abs(x)").gradient({"x": np.array([0.0, -2.0])})
    assert list(r.gradient["x"]) == [0.0, -1.0]
    assert [w.kind for w in r.warnings] == ["kink"]


@pytest.mark.parametrize("system", [numsys.FLOAT64, numsys.system(digits=20),
                                    numsys.system(exact=True)], ids=repr)
def test_at_kink_answers_for_one_point(system):
    assert system.at_kink(PRIMITIVES["abs"], [system.zero]) is True
    assert system.at_kink(PRIMITIVES["abs"], [system.one]) is False
    assert system.at_kink(PRIMITIVES["sin"], [system.zero]) is False  # no kink at all


@pytest.mark.parametrize("name", ["float64", "digits"])
def test_off_the_domain_is_an_error_naming_the_step(name):
    with pytest.raises(DomainError, match=r"log\(-1\) is undefined \(at ω2\)") as info:
        adcli.compile("log(x)").gradient({"x": -1}, **SYSTEMS[name])
    assert info.value.exit_code == 1


def test_exact_arithmetic_refuses_an_irrational_operation_before_its_domain():
    with pytest.raises(numsys.NotRational, match="`log` is not a rational") as info:
        adcli.compile("log(x)").gradient({"x": -1}, exact=True)
    assert info.value.exit_code == 2  # a usage error: use digits=N instead
    assert "digits" in info.value.hint


def test_numpy_arrays_raise_a_domain_error_as_one_call_does():
    # not a quiet nan in its element (issue 11): the error one call raises, naming the point
    with pytest.raises(DomainError, match=r"log\(-1\) is undefined \(at ω2\).*index \[0\]"):
        adcli.compile("log(x)").gradient({"x": np.array([-1.0, 0.5])})


def test_float64_overflow_is_a_warning_and_digits_go_beyond_it():
    r = adcli.compile("exp(x)").gradient({"x": 1000})
    assert r.value == float("inf")
    assert [w.kind for w in r.warnings] == ["overflow"]
    assert "exp(1000) overflowed to inf" in r.warnings[0].message
    big = adcli.compile("exp(x)").gradient({"x": 1000}, digits=20)
    assert big.warnings == []
    assert big.format(big.value) == "1.9700711140170469939e+434"
    assert big.format(big.gradient["x"]) == big.format(big.value)
