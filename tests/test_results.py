"""adcli/results.py on its own: the result classes' fields, their repr, the
``.value``/``.values`` rule, numbers presented in the result's number
system, the same shape in float64, ``digits=N`` and ``exact=True``, and
results that survive pickling."""

import math
import pickle
from fractions import Fraction

import mpmath
import pytest

import adcli
from adcli import results as R
from adcli.errors import EvalWarning, UsageError
from adcli.numsys import FLOAT64, system
from adcli.printed import ExactNumber, PreciseNumber

DIGITS = system(digits=25)
EXACT = system(exact=True)
SYSTEMS = {"float64": {}, "digits": {"digits": 25}, "exact": {"exact": True}}
POINT = {"x": 1, "y": 2}
TWO = adcli.compile("x^2*y + x/3, x*y")  # rational, so exact=True computes it
ONE = adcli.compile("x^2*y + x/3")


def every_result(kw):
    """One result of each class, of the same formulas, in the system ``kw`` asks for."""
    return [
        TWO.evaluate(POINT, **kw), ONE.evaluate(POINT, **kw),
        TWO.gradient(POINT, **kw), ONE.gradient(POINT, **kw),
        TWO.jvp(POINT, {"x": 1}, **kw), TWO.vjp(POINT, [1, 0], **kw),
        TWO.hessian(POINT, output=0, **kw), ONE.hessian(POINT, direction={"x": 1}, **kw),
        TWO.taylor(POINT, 3, wrt="x", **kw), ONE.taylor(POINT, 3, wrt="x", **kw),
        TWO.partial(POINT, "x,x,y", **kw), ONE.partial(POINT, "x,y", **kw),
    ]


def shape(item):
    """``item`` with every number replaced by "#": what a result holds, not its digits."""
    if isinstance(item, dict):
        return {k: shape(v) for k, v in item.items()}
    if isinstance(item, (list, tuple)):
        return [shape(v) for v in item]
    if isinstance(item, bool) or item is None or isinstance(item, str):
        return item
    if isinstance(item, (int, float, Fraction, mpmath.mpf)):
        return "#"
    raise AssertionError(f"a result holds a {type(item).__name__}: {item!r}")


def fields(result):
    """Every field of a result (its slots and the rule's properties), but its system."""
    names = [s for s in type(result).__slots__ if s != "system"] + ["value", "values",
                                                                     "outputs"]
    names += [p for p in ("gradient", "derivative", "partial", "coefficients", "derivatives")
              if isinstance(getattr(type(result), p, None), property)]
    out = {}
    for name in names:
        try:
            value = getattr(result, name)
        except UsageError:  # .gradient of several outputs: see the test of Derivatives
            continue
        out[name] = [w.as_dict() for w in value] if name == "warnings" else value
    return out


# --- the .value / .values rule ------------------------------------------------------

def test_one_or_all_is_the_one_entry_alone_or_the_list():
    assert R.one_or_all([7]) == 7
    assert R.one_or_all([[1, 2]]) == [1, 2]
    assert R.one_or_all([1, 2]) == [1, 2]
    assert R.one_or_all([]) == []


def test_values_is_a_list_per_output_and_value_is_the_one_entry_or_the_list():
    one = R.Evaluation(("f",), [1.5], [])
    assert one.values == [1.5] and one.value == 1.5
    two = R.Evaluation(("f1", "f2"), [1.5, 2.5], [])
    assert two.values == [1.5, 2.5] and two.value == [1.5, 2.5]
    d = R.Directional(("f",), [1.0], {"x": 1.0}, [3.0], [], {"x": 1.0})
    assert d.derivatives == [3.0] and d.derivative == 3.0
    d2 = R.Directional(("f", "g"), [1.0, 2.0], {"x": 1.0}, [3.0, 4.0], [], {"x": 1.0})
    assert d2.derivative == [3.0, 4.0]
    p = R.Partial(("f",), [1.0], ["x", "x"], [2.0], 1, [], {"x": 1.0})
    assert p.partial == 2.0 and p.wrt == ["x", "x"] and p.sweeps == 1
    p2 = R.Partial(("f", "g"), [1.0, 0.0], ["x"], [2.0, 5.0], 1, [], {"x": 1.0})
    assert p2.partial == [2.0, 5.0]


@pytest.mark.parametrize("kw", SYSTEMS.values(), ids=SYSTEMS)
def test_every_result_follows_the_rule(kw):
    for r in every_result(kw):
        assert isinstance(r.values, list) and len(r.values) == len(r.outputs)
        assert r.value == (r.values[0] if len(r.outputs) == 1 else r.values)


# --- each class -------------------------------------------------------------------------

def test_evaluation_fields_and_repr():
    warning = EvalWarning("overflow", 2, "ω2 overflowed")
    e = R.Evaluation(("f", "g"), [1.5, float("inf")], [warning], {"x": 1.0})
    assert (e.outputs, e.values, e.warnings, e.point, e.system) == (
        ("f", "g"), [1.5, float("inf")], [warning], {"x": 1.0}, FLOAT64)
    assert repr(e) == "Evaluation({'f': 1.5, 'g': inf})"
    assert R.Evaluation(("f",), [0.1], []).point is None


def test_derivatives_fields_gradient_and_repr():
    d = R.Derivatives(("f",), [6.0], [{"x": 3.0, "y": 2.0}], "reverse", [], {"x": 2.0, "y": 3.0})
    assert d.gradient == {"x": 3.0, "y": 2.0} and d.jacobian == [{"x": 3.0, "y": 2.0}]
    assert d.mode == "reverse" and d.point == {"x": 2.0, "y": 3.0} and d.system is FLOAT64
    assert repr(d) == "Derivatives(value=6.0, jacobian=[{'x': 3.0, 'y': 2.0}], mode='reverse')"
    several = R.Derivatives(("f", "g"), [1.0, 2.0], [{"x": 1.0}, {"x": 2.0}], "forward", [],
                            {"x": 1.0})
    assert several.value == [1.0, 2.0]
    with pytest.raises(UsageError, match="use .jacobian"):
        several.gradient  # noqa: B018 - the property raises


def test_directional_and_cotangent_record_their_mode_and_vector():
    d = R.Directional(("f",), [1.0], {"x": 1.0, "y": 0.0}, [3.0], [], {"x": 1.0, "y": 2.0})
    assert d.mode == "forward" and d.direction == {"x": 1.0, "y": 0.0}
    assert repr(d) == ("Directional(outputs=('f',), values=[1.0], direction={'x': 1.0, "
                       "'y': 0.0}, derivatives=[3.0], mode='forward')")
    c = R.Cotangent(("f", "g"), [1.0, 2.0], {"f": 1.0, "g": 0.0}, {"x": 5.0}, [], {"x": 1.0})
    assert c.mode == "reverse" and c.gradient == {"x": 5.0} and c.value == [1.0, 2.0]
    assert repr(c).startswith("Cotangent(outputs=('f', 'g'), values=[1.0, 2.0], cotangent=")
    assert "point" not in repr(c) and "warnings" not in repr(c) and "system" not in repr(c)


def test_a_hessian_is_of_one_output():
    h = R.Hessian("f", 7.0, {"y": 1.0, "x": 4.0}, {"y": {"y": 0.0, "x": 2.0},
                                                    "x": {"y": 2.0, "x": 4.0}},
                  None, None, [], {"x": 1.0, "y": 2.0})
    assert h.outputs == ("f",) and h.values == [7.0] and h.value == 7.0
    assert h.mode == "forward-over-reverse"
    # rows and columns in the order of the gradient
    assert h.matrix() == [[0.0, 2.0], [2.0, 4.0]]
    hvp = R.Hessian("f", 7.0, {"x": 4.0}, None, {"x": 1.0}, {"x": 4.0}, [], {"x": 1.0})
    assert hvp.hvp == {"x": 4.0} and hvp.hessian is None
    with pytest.raises(UsageError, match="no matrix: see .hvp"):
        hvp.matrix()
    assert repr(hvp) == ("Hessian(output='f', value=7.0, gradient={'x': 4.0}, hessian=None, "
                         "direction={'x': 1.0}, hvp={'x': 4.0}, mode='forward-over-reverse')")


def test_taylor_derivatives_are_k_factorial_times_the_coefficients():
    t = R.Taylor(("f",), {"x": 1.0}, 4, [[1.0, 1.0, 0.5, 1 / 6, 1 / 24]], [], {"x": 0.0})
    assert t.coefficients == [1.0, 1.0, 0.5, 1 / 6, 1 / 24]
    assert t.derivatives == pytest.approx([1.0] * 5, rel=1e-15)
    assert t.values == [1.0] and t.value == 1.0 and t.order == 4
    two = R.Taylor(("f", "g"), {"x": 1.0}, 1, [[1.0, 2.0], [3.0, 4.0]], [], {"x": 0.0})
    assert two.coefficients == [[1.0, 2.0], [3.0, 4.0]] and two.values == [1.0, 3.0]
    assert two.derivatives == [[1.0, 2.0], [3.0, 4.0]]


def test_exact_taylor_derivatives_are_exact():
    coefficients = [[Fraction(1), Fraction(1, 3), Fraction(1, 7), Fraction(5, 11)]]
    t = R.Taylor(("f",), {"x": Fraction(1)}, 3, coefficients, [], {"x": Fraction(0)},
                 system=EXACT)
    assert t.derivatives == [1, Fraction(1, 3), Fraction(2, 7), Fraction(30, 11)]
    assert all(type(d) is ExactNumber for d in t.derivatives)
    assert str(t.derivatives[3]) == "30/11"


def test_float_derivatives_beyond_170_factorial_stay_right_when_finite():
    # 171! is beyond float64: k!·c_k is applied factor by factor
    c171 = 1e-300
    derivatives = R.float_derivatives([0.5] + [0.0] * 170 + [c171])
    true = Fraction(c171) * math.factorial(171)
    assert derivatives[0] == 0.5 and derivatives[171] == pytest.approx(float(true), rel=1e-13)
    assert R.float_derivatives([0.0] * 200 + [1.0])[-1] == math.inf
    assert R.float_derivatives([0.0] * 180 + [0.0]) == [0.0] * 181
    assert math.isnan(R.float_derivatives([0.0] * 175 + [math.nan])[-1])


def test_context_and_format_print_in_the_results_number_system():
    with DIGITS.working():
        third, two_thirds = mpmath.mpf(1) / 3, mpmath.mpf(2) / 3
    e = R.Evaluation(("f",), [third], [], system=DIGITS)
    assert e.context is DIGITS and e.system is DIGITS
    assert e.format(two_thirds) == "0.6666666666666666666666667"
    assert R.Evaluation(("f",), [0.1], []).format(0.1) == "0.1"


def test_dag_warnings_are_its_traces():
    tape = ONE.tape()
    assert R.Dag(tape, None, None).warnings == []
    dag = adcli.compile("abs(x)").graph({"x": 0.0}, mode="forward")
    assert isinstance(dag, R.Dag) and dag.mode == "forward"
    assert dag.warnings == dag.trace.warnings and len(dag.warnings) == 1


# --- numbers presented in the result's number system --------------------------------

def test_digits_results_hold_numbers_printed_with_their_digits():
    with DIGITS.working():
        third = mpmath.mpf(1) / 3
    p = R.Partial(("f",), [third], ["x", "y"], [[third, {"a": third}]], 3, [], {"x": third},
                  system=DIGITS)
    assert type(p.value) is PreciseNumber and p.value.digits == 25
    assert str(p.value) == repr(p.value) == "0." + "3" * 25
    nested = p.partials[0]  # lists and dicts are presented all the way down
    assert type(nested[0]) is PreciseNumber and type(nested[1]["a"]) is PreciseNumber
    assert type(p.point["x"]) is PreciseNumber
    # fields that hold no numbers are left alone
    assert type(p.sweeps) is int and p.wrt == ["x", "y"] and p.outputs == ("f",)


def test_exact_results_hold_fractions_printed_as_fractions():
    t = R.Taylor(("f",), {"x": Fraction(1)}, 2, [[Fraction(7, 3), Fraction(2), Fraction(0)]],
                 [], {"x": Fraction(1, 2)}, system=EXACT)
    assert repr(t.value) == "7/3" and type(t.point["x"]) is ExactNumber
    assert type(t.order) is int and t.order == 2
    d = R.Derivatives(("f",), [Fraction(1, 3)], [{"x": Fraction(2)}], "forward", [],
                      {"x": Fraction(1)}, system=EXACT)
    assert repr(d) == "Derivatives(value=1/3, jacobian=[{'x': 2}], mode='forward')"
    assert d.mode == "forward"


def test_float64_results_hand_out_the_numbers_as_computed():
    value = 0.1 + 0.2
    e = R.Evaluation(("f",), [value], [], {"x": 1.0})
    assert e.value is value and type(e.value) is float


@pytest.mark.parametrize("name, kw", [("digits", {"digits": 25}), ("exact", {"exact": True})])
def test_precise_results_of_the_api_hold_presented_numbers(name, kw):
    kind = PreciseNumber if name == "digits" else ExactNumber
    for r in every_result(kw):
        numbers = [n for field, value in fields(r).items() if field not in R._NOT_NUMBERS
                   for n in _numbers(value)]
        assert numbers and all(type(n) is kind for n in numbers), (type(r).__name__, numbers)


# --- the same shape in every number system --------------------------------------------

def test_every_result_has_the_same_fields_and_keys_in_every_number_system():
    by_system = {name: every_result(kw) for name, kw in SYSTEMS.items()}
    for results in zip(*by_system.values()):
        assert len({type(r) for r in results}) == 1
        shapes = [shape(fields(r)) for r in results]
        assert shapes[0] == shapes[1] == shapes[2], type(results[0]).__name__


def test_every_number_system_gives_the_same_numbers():
    floats = every_result({})
    for kw in (SYSTEMS["digits"], SYSTEMS["exact"]):
        for f, p in zip(floats, every_result(kw)):
            a, b = _numbers(fields(f)), _numbers(fields(p))
            assert len(a) == len(b) and a == pytest.approx([float(x) for x in b], rel=1e-15)


def _numbers(item):
    if isinstance(item, dict):
        return [n for v in item.values() for n in _numbers(v)]
    if isinstance(item, (list, tuple)):
        return [n for v in item for n in _numbers(v)]
    if isinstance(item, (int, float, Fraction, mpmath.mpf)) and not isinstance(item, bool):
        return [item]
    return []


# --- pickling ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw", SYSTEMS.values(), ids=SYSTEMS)
def test_results_survive_pickling_with_every_digit(kw):
    for r in every_result(kw):
        back = pickle.loads(pickle.dumps(r))
        assert type(back) is type(r) and back.system == r.system
        assert repr(back) == repr(r)
        assert shape(fields(back)) == shape(fields(r))
        for x, y in zip(_numbers(fields(back)), _numbers(fields(r))):
            assert type(x) is type(y) and x == y
            assert getattr(x, "_mpf_", None) == getattr(y, "_mpf_", None)  # every bit


def test_a_result_with_warnings_pickles_them():
    warning = EvalWarning("kink", 1, "abs at 0", params=("x",))
    e = R.Evaluation(("f",), [0.0], [warning], {"x": 0.0})
    back = pickle.loads(pickle.dumps(e))
    assert back.warnings == [warning] and back.warnings[0].params == ("x",)
