"""The Python API without traps (issue 11): any variable name works, errors
are adcli's, Functions pickle, arrays in give arrays out, precise results
print with the digits asked for, and one API serves every number system."""

import pickle
from fractions import Fraction

import numpy as np
import pytest

import adcli
from adcli.errors import AdcliError, UsageError


def test_a_variable_named_like_a_parameter_goes_in_the_point_mapping():
    assert adcli.grad("mode*2 + wrt", {"mode": 3, "wrt": 1}).gradient == {"mode": 2.0,
                                                                          "wrt": 1.0}
    f = adcli.compile("digits*exact")
    assert f.gradient({"digits": 2, "exact": 3}).gradient == {"digits": 3.0, "exact": 2.0}
    # the keyword form cannot mean both: a clear error that says what to write
    with pytest.raises(UsageError) as info:
        adcli.grad("mode*2", mode=3)
    assert "{'mode': 3}" in info.value.hint
    with pytest.raises(UsageError, match="no value for `mode`"):
        adcli.grad("mode*2", mode="forward")
    with pytest.raises(UsageError, match="given twice"):
        adcli.grad("x*2", {"x": 1}, x=2)


@pytest.mark.parametrize("value", [None, 1j, 10**400, "abc", "log(-1)", [1, "a"], True])
def test_bad_values_raise_adcli_errors(value):
    with pytest.raises(AdcliError):
        adcli.grad("x^2", x=value)


@pytest.mark.parametrize("value", [None, 1j, 10**400, "abc", float("inf"), float("nan"),
                                   -10**309, True, np.float64("inf")])
def test_a_warm_function_checks_every_point_as_the_first(value):
    # the float64 fast path skips the checks only for names and types seen
    # before: a bad value on the second call is still the same error
    f = adcli.compile("x^2 + y")
    assert f.gradient({"x": 1, "y": 2.0}).gradient == {"x": 2.0, "y": 1.0}
    with pytest.raises(AdcliError) as first:
        adcli.Function("x^2 + y").gradient({"x": value, "y": 2.0})
    with pytest.raises(AdcliError) as warm:
        f.gradient({"x": value, "y": 2.0})
    assert warm.value.message == first.value.message
    with pytest.raises(UsageError, match="needs y|`y`"):
        f.evaluate({"x": 1.0})
    assert f.gradient(x=3, y=1).gradient == {"x": 6.0, "y": 1.0}
    assert f.gradient({"y": 1, "x": -0.0}).gradient == {"y": 1.0, "x": 0.0}


@pytest.mark.parametrize("order", [1.5, "2", None, True, -1, 10**9])
def test_a_taylor_order_that_is_not_a_whole_number_in_range_is_a_usage_error(order):
    # 1.5 was taken as 1 (silently), "a" and None were ValueError/TypeError,
    # 10**9 took memory until the machine swapped; the CLI's bound is 10000
    with pytest.raises(UsageError, match="`order` must be"):
        adcli.taylor("exp(x)", {"x": 1.0}, order)
    assert adcli.taylor("exp(x)", {"x": 0.0}, np.int64(2)).coefficients == [1.0, 1.0, 0.5]


def test_text_values_are_constant_expressions_in_every_number_system():
    assert adcli.grad("x^2", x="1/3").gradient["x"] == pytest.approx(2 / 3)
    assert adcli.grad("x^2", x="1/3", exact=True).gradient["x"] == Fraction(2, 3)
    assert adcli.grad("x^2", x=10**400, exact=True).gradient["x"] == 2 * 10**400


def test_functions_pickle_and_compute_after():
    f = adcli.compile("a = sin(x*y); a*a + a/x")
    f.gradient({"x": 2, "y": 3})  # a tape cached inside must not matter
    g = pickle.loads(pickle.dumps(f))
    assert g.source == f.source
    assert g.gradient({"x": 2, "y": 3}).gradient == f.gradient({"x": 2, "y": 3}).gradient


def test_arrays_in_give_arrays_out():
    f = adcli.compile("x*y + sin(x)")
    x = np.linspace(-1, 1, 7)
    values = f({"x": x, "y": 2.0})
    assert isinstance(values, np.ndarray) and values.shape == (7,)
    grad = f.gradient({"x": x, "y": [1.0] * 7}).gradient
    np.testing.assert_allclose(grad["x"], 1.0 + np.cos(x), rtol=1e-15)
    np.testing.assert_allclose(grad["y"], x, rtol=0)
    for i, xi in enumerate(x):  # the same numbers as one point at a time
        one = f.gradient({"x": xi, "y": 1.0}).gradient
        assert grad["x"][i] == pytest.approx(one["x"], rel=1e-15)


def test_arrays_follow_the_kink_convention_and_say_where():
    res = adcli.compile("abs(x)").gradient({"x": np.array([-1.0, 0.0, 2.0])})
    assert res.gradient["x"].tolist() == [-1.0, 0.0, 1.0]
    assert [w.kind for w in res.warnings] == ["kink"]
    assert "abs(0)" in res.warnings[0].message


def test_precise_results_print_with_the_digits_asked_for():
    r = adcli.grad("x1*x2 + sin(x1)", {"x1": 2, "x2": 3}, digits=30)
    assert "2.58385316345285761300243177050" in repr(r)
    assert r.format(r.value) == "6.90929742682568169539601986591"
    assert repr(adcli.grad("x^3/3 + x*y", {"x": "1/3", "y": 2}, exact=True)) == \
        "Derivatives(value=55/81, jacobian=[{'x': 19/9, 'y': 1/3}], mode='reverse')"


def test_one_api_for_every_computation_and_number_system():
    f = adcli.compile("x^3*y")
    point = {"x": "1/3", "y": 2}
    assert f.hessian(point, exact=True).hessian["x"]["y"] == Fraction(1, 3)
    assert f.taylor(point, 3, wrt="x", exact=True).derivatives == [
        Fraction(2, 27), Fraction(2, 3), 4, 12]
    assert f.partial(point, "x,x,y", exact=True).partial == 2
    assert f.trace(point, exact=True).derivatives[0][2] == Fraction(2, 3)
    assert f.evaluate(point, digits=20).format(f.evaluate(point, digits=20).value) == \
        "0.074074074074074074074"
