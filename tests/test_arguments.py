"""adcli/arguments.py on its own: how the API's arguments are normalised
(points, values, the number system, ``wrt``, directions, cotangents,
outputs, orders) and that every error names the parameter, as the Python
API spells it, never a command-line flag."""

import decimal
import re
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import adcli
from adcli import arguments as A
from adcli.errors import AdcliError, UsageError
from adcli.numsys import FLOAT64, system

F = adcli.compile("x*y + sin(x)")  # inputs x, y
TAPE = F.tape()
TWO_OUTPUTS = adcli.compile("a = x*y; a, x + y")  # outputs a, f2


# --- points -------------------------------------------------------------------

def test_a_point_is_the_mapping_then_the_keywords_as_a_new_dict():
    given = {"x": 1}
    merged = A.point_mapping(given, {"y": 2})
    assert merged == {"x": 1, "y": 2} and list(merged) == ["x", "y"]
    assert given == {"x": 1}  # the caller's mapping is not changed
    assert A.point_mapping(None, {"y": 2}) == {"y": 2}
    assert A.point_mapping(None, {}) == {}
    # a variable named like a parameter goes in the mapping
    assert A.point_mapping({"mode": 3, "wrt": 4}, {}) == {"mode": 3, "wrt": 4}


def test_a_name_in_the_point_and_as_a_keyword_is_an_error():
    with pytest.raises(UsageError, match=r"`x` is given twice"):
        A.point_mapping({"x": 1}, {"x": 1})


@pytest.mark.parametrize("point", [[1, 2], (1.0,), 3.0, "x=1"])
def test_a_point_that_is_not_a_mapping_is_an_error_that_shows_one(point):
    with pytest.raises(UsageError, match=f"not {type(point).__name__}") as info:
        A.point_mapping(point, {})
    assert "{'x': 1.5" in info.value.hint


# --- values ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, number", [
    (3, 3.0), (-0.5, -0.5), ("pi/4", 0.7853981633974483), ("1/4", 0.25), (" 2^-1 ", 0.5),
    (Fraction(1, 3), 1 / 3), (decimal.Decimal("0.1"), 0.1), (np.float32(1.5), 1.5),
    (np.int64(-7), -7.0), (np.array(2.5), 2.5), (mpmath.mpf(2), 2.0),
])
def test_a_float64_value_is_a_finite_float(value, number):
    got = A.checked_value("x", value, float64=True)
    assert type(got) is float and got == number


@pytest.mark.parametrize("value, words", [
    (None, "a real number, not NoneType"), (True, "a real number, not bool"),
    (1j, "a real number, not complex"), (b"1", "a real number, not bytes"),
    (object(), "a real number, not object"), (float("inf"), "a finite number, not inf"),
    (float("-inf"), "a finite number, not -inf"), (np.float64("nan"), "a finite number"),
    (10**400, "not a float64 number"), ([1.0, 2.0], "one number here, not an array"),
    (np.arange(3.0), "one number here, not an array"),
])
def test_a_bad_value_is_a_usage_error_naming_the_variable(value, words):
    with pytest.raises(UsageError, match="the value of `rate` ") as info:
        A.checked_value("rate", value, float64=True)
    assert words in info.value.message


def test_the_errors_of_values_say_how_to_fix_them():
    with pytest.raises(UsageError) as big:
        A.checked_value("x", 10**400, float64=True)
    assert "digits=N or exact=True" in big.value.hint
    assert len(big.value.message) < 120  # the repr of a huge int is cut short
    with pytest.raises(UsageError) as many:
        A.checked_value("x", [1, 2], float64=True)
    assert "take arrays" in many.value.hint


def test_text_that_is_not_a_constant_expression_is_an_adcli_error():
    with pytest.raises(AdcliError, match="unknown name `y`"):
        A.checked_value("x", "y+1", float64=True)


def test_another_number_system_reads_the_value_later_at_its_precision():
    # kept as given: "1/3" read now in float64 would lose the digits asked for
    for value in ("1/3", Fraction(1, 3), 10**400, mpmath.mpf(1) / 3):
        assert A.checked_value("x", value, float64=False) is value
    # what is never a number is refused in every system
    for value in (None, True, 1j, [1, 2]):
        with pytest.raises(UsageError, match="the value of `x`"):
            A.checked_value("x", value, float64=False)


def test_arrays_are_told_apart_from_text_and_numbers():
    assert A.is_array([1, 2]) and A.is_array(np.zeros(2)) and A.is_array((1,))
    assert not A.is_array("12") and not A.is_array(b"12") and not A.is_array(1.5)
    assert A.has_arrays({"x": 1, "y": [1, 2]}, {})
    assert A.has_arrays({"x": 1}, {"y": np.ones(2)})
    assert not A.has_arrays({"x": 1, "y": "1/2"}, {"z": 2.0})
    assert not A.has_arrays(None, {})


# --- the number system of a call ------------------------------------------------------

def test_the_number_system_follows_digits_exact_and_arrays():
    assert A.system_for({"x": 1}, {}) is FLOAT64
    assert A.system_for({"x": 1}, {}, digits=30) == system(digits=30)
    assert A.system_for({"x": 1}, {}).digits is None
    assert A.system_for({"x": 1}, {}, digits=30).digits == 30
    assert A.system_for(None, {"x": 1}, exact=True).exact
    arrays = A.system_for({"x": [1.0, 2.0]}, {})
    assert arrays is A.system_for(None, {"x": np.zeros(3)})
    assert arrays is not FLOAT64 and not arrays.exact and arrays.digits is None


@pytest.mark.parametrize("kw, words", [
    ({"digits": 30}, "computed in float64: drop digits/exact"),
    ({"exact": True}, "computed in float64: drop digits/exact"),
    ({"arrays": False}, "arrays of points are not taken here"),
])
def test_arrays_with_a_precise_system_or_where_not_taken_are_errors(kw, words):
    with pytest.raises(UsageError, match=words):
        A.system_for({"x": [1.0, 2.0]}, {}, **kw)


# --- wrt, directions, cotangents, outputs ------------------------------------------

@pytest.mark.parametrize("wrt, names", [
    (None, None), ("x", ["x"]), (" x , y ", ["x", "y"]), ("x,,y,", ["x", "y"]), ("", []),
    (["y", "x"], ["y", "x"]), (("x", "x"), ["x", "x"]), (iter(["x"]), ["x"]),
])
def test_wrt_is_a_list_of_names(wrt, names):
    assert A.name_list(wrt) == names


def test_a_name_that_is_not_an_input_is_an_error_listing_the_inputs():
    A.check_names(TAPE, ["y", "x", "x"], "wrt")  # no error
    with pytest.raises(UsageError, match="`wrt` names `z`, which is not an input") as info:
        A.check_names(TAPE, ["x", "z"], "wrt")
    assert info.value.hint == "the inputs are x, y" and info.value.params == ("wrt",)
    constant = adcli.compile("2+3").tape()
    with pytest.raises(UsageError) as none:
        A.check_names(constant, ["x"], "wrt")
    assert none.value.hint == "the inputs are none"


def test_a_direction_is_a_vector_in_input_order():
    assert A.direction_vector(TAPE, {"y": 2}) == [0.0, 2.0]
    assert A.direction_vector(TAPE, {"y": "1/2", "x": -1}) == [-1.0, 0.5]
    assert A.direction_vector(TAPE, [1, "pi"]) == [1.0, 3.141592653589793]
    assert A.direction_vector(TAPE, (0.25, 0)) == [0.25, 0.0]
    assert all(type(v) is float for v in A.direction_vector(TAPE, [1, np.int64(2)]))
    assert A.direction_vector(TAPE, {}) == [0.0, 0.0]


def test_a_direction_in_another_number_system_is_read_at_its_precision():
    exact = system(exact=True)
    assert A.direction_vector(TAPE, ["1/3", 2], system=exact) == [Fraction(1, 3), 2]
    assert A.direction_vector(TAPE, {"y": "2/7"}, system=exact) == [0, Fraction(2, 7)]
    digits = system(digits=40)
    with digits.working():  # the engine reads it inside its working precision
        third = A.direction_vector(TAPE, ["1/3", 0], system=digits)[0]
        assert abs(third - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -40


@pytest.mark.parametrize("direction, words", [
    ([1, 2, 3], "`direction` has 3 entries for 2 inputs"),
    ([1], "`direction` has 1 entries for 2 inputs"),
    ({"z": 1}, "`direction` names `z`, which is not an input"),
    ([float("nan"), 1], "`direction` must be a finite number, not nan"),
    ({"x": float("inf")}, "`direction` x must be a finite number, not inf"),
    ([None, 1], "`direction` must be a finite number, not None"),
])
def test_a_bad_direction_is_an_error_naming_the_parameter(direction, words):
    with pytest.raises(UsageError) as info:
        A.direction_vector(TAPE, direction)
    assert words in info.value.message
    assert info.value.params == ("direction",)


def test_a_direction_under_another_parameter_name_says_that_name():
    with pytest.raises(UsageError, match="`seed` has 3 entries") as info:
        A.direction_vector(TAPE, [1, 2, 3], param="seed")
    assert info.value.params == ("seed",)


def test_finite_reads_text_and_refuses_what_is_not_finite():
    assert A.finite("1/8", "`w`") == 0.125 and A.finite(np.float32(2), "`w`") == 2.0
    with pytest.raises(UsageError, match="`w` must be a finite number, not -inf") as info:
        A.finite(-float("inf"), "`w`", ("w",))
    assert info.value.params == ("w",)
    with pytest.raises(UsageError, match=r"`w` must be a finite number, not \[1\]"):
        A.finite([1], "`w`")
    with pytest.raises(AdcliError, match="unknown name `abc`"):
        A.finite("abc", "`w`")


def test_a_cotangent_is_one_number_per_output_in_output_order():
    assert TWO_OUTPUTS.outputs == ("a", "f2")
    assert A.cotangent_vector(TWO_OUTPUTS, {"f2": 3}) == [0.0, 3.0]
    assert A.cotangent_vector(TWO_OUTPUTS, [1, "1/2"]) == [1.0, 0.5]


@pytest.mark.parametrize("cotangent, words", [
    ([1], "`cotangent` has 1 entries for 2 outputs"),
    ([1, 2, 3], "`cotangent` has 3 entries for 2 outputs"),
    ({"x": 1}, "`cotangent` names `x`, which is not an output"),
    ([1, float("inf")], "`cotangent` must be a finite number, not inf"),
    ({"a": float("nan")}, "`cotangent` a must be a finite number, not nan"),
])
def test_a_bad_cotangent_is_an_error_naming_the_parameter(cotangent, words):
    with pytest.raises(UsageError) as info:
        A.cotangent_vector(TWO_OUTPUTS, cotangent)
    assert words in info.value.message and info.value.params == ("cotangent",)


@pytest.mark.parametrize("output, index", [(0, 0), (1, 1), ("a", 0), ("f2", 1)])
def test_an_output_is_chosen_by_index_or_by_name(output, index):
    assert A.output_index(TWO_OUTPUTS, output) == index


def test_one_output_needs_no_choice_and_several_do():
    assert A.output_index(F, None) == 0
    with pytest.raises(UsageError, match="2 outputs \\(a, f2\\): choose one") as info:
        A.output_index(TWO_OUTPUTS, None)
    assert "`output=0`" in info.value.hint and info.value.params == ("output",)


@pytest.mark.parametrize("output, words", [
    (2, "there is no `output=2`: the program has 2 outputs"),  # as the API counts
    (-1, "there is no `output=-1`: the program has 2 outputs"),
    ("b", "no output named `b`"),
])
def test_an_output_that_does_not_exist_is_an_error(output, words):
    with pytest.raises(UsageError, match=words):
        A.output_index(TWO_OUTPUTS, output)


# --- orders, Taylor lines, partials -----------------------------------------------

@pytest.mark.parametrize("value", [0, 3, 10, np.int64(4)])
def test_a_whole_number_in_range_is_an_int(value):
    got = A.whole_number(value, "order", 0, 10)
    assert type(got) is int and got == value


@pytest.mark.parametrize("value, words", [
    (1.5, "must be a whole number from 0 to 10, not 1.5"),
    (2.0, "must be a whole number from 0 to 10, not 2.0"),
    ("2", "must be a whole number from 0 to 10, not '2'"),
    (True, "must be a whole number from 0 to 10, not True"),
    (None, "must be a whole number from 0 to 10, not None"),
    (-1, "must be from 0 to 10, not -1"), (11, "must be from 0 to 10, not 11"),
])
def test_a_bad_whole_number_names_its_parameter_and_range(value, words):
    with pytest.raises(UsageError) as info:
        A.whole_number(value, "order", 0, 10)
    assert info.value.message == f"`order` {words}" and info.value.params == ("order",)


def test_a_taylor_line_along_one_variable_or_a_direction():
    one = 1.0
    assert A.taylor_line(F, TAPE, 3, None, "y", one) == (3, {"y": 1.0})
    assert A.taylor_line(F, TAPE, 2, {"x": 2}, None, one) == (2, {"x": 2})
    single = adcli.compile("exp(t)")
    assert A.taylor_line(single, single.tape(), 4, None, None, one) == (4, {"t": 1.0})
    constant = adcli.compile("2")
    assert A.taylor_line(constant, constant.tape(), 1, None, None, one) == (1, {})
    with pytest.raises(UsageError, match="`order` must be from 0 to 10000"):
        A.taylor_line(F, TAPE, A.MAX_TAYLOR_ORDER + 1, None, "x", one)


@pytest.mark.parametrize("direction, wrt, words", [
    ({"x": 1}, "x", "give either a variable (`wrt`) or a direction (`direction`), not both"),
    (None, "x,y", "taylor `wrt` takes one variable"),
    (None, "", "taylor `wrt` takes one variable"),
    (None, "z", "`wrt` names `z`, which is not an input"),
    (None, None, "the formula has several variables (x, y): say along which to expand"),
])
def test_a_taylor_line_that_is_not_one_is_an_error(direction, wrt, words):
    with pytest.raises(UsageError) as info:
        A.taylor_line(F, TAPE, 2, direction, wrt, 1.0)
    assert words in info.value.message
    assert set(info.value.params) <= {"wrt", "direction"} and info.value.params


def test_partial_orders_count_each_variable():
    assert A.partial_orders(TAPE, "x,x,y") == (["x", "x", "y"], {0: 2, 1: 1})
    assert A.partial_orders(TAPE, ["y", "y", "y"]) == (["y", "y", "y"], {1: 3})
    for wrt in (None, "", []):
        with pytest.raises(UsageError, match="partial needs `wrt`"):
            A.partial_orders(TAPE, wrt)
    with pytest.raises(UsageError, match="`wrt` names `q`"):
        A.partial_orders(TAPE, "x,q")


# --- every error speaks of parameters ----------------------------------------------

BAD_CALLS = [
    lambda: A.point_mapping([1], {}),
    lambda: A.point_mapping({"x": 1}, {"x": 2}),
    lambda: A.checked_value("x", 10**400, True),
    lambda: A.checked_value("x", [1, 2], True),
    lambda: A.system_for({"x": [1.0]}, {}, digits=20),
    lambda: A.system_for({"x": [1.0]}, {}, arrays=False),
    lambda: A.check_names(TAPE, ["z"], "wrt"),
    lambda: A.direction_vector(TAPE, [1, 2, 3]),
    lambda: A.direction_vector(TAPE, {"x": "inf"}),
    lambda: A.cotangent_vector(TWO_OUTPUTS, [1]),
    lambda: A.output_index(TWO_OUTPUTS, None),
    lambda: A.output_index(TWO_OUTPUTS, "zz"),
    lambda: A.whole_number(-1, "order", 0, 5),
    lambda: A.taylor_line(F, TAPE, 2, {"x": 1}, "x", 1.0),
    lambda: A.taylor_line(F, TAPE, 2, None, "x,y", 1.0),
    lambda: A.taylor_line(F, TAPE, 2, None, None, 1.0),
    lambda: A.partial_orders(TAPE, None),
]


@pytest.mark.parametrize("call", BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_errors_name_parameters_never_command_line_flags(call):
    with pytest.raises(AdcliError) as info:
        call()
    text = f"{info.value.message} {info.value.hint or ''}"
    for flag in ("--", "--dir", "--wrt", "--at", "--order", "--output", "--cotangent"):
        assert flag not in text, text
    # a parameter named in the text (`wrt`, `output=0`) is listed in `params`, so that
    # the command line can say its flag instead; and each one listed is named
    named = set(re.findall(r"`(\w+)(?:=[^`]*)?`", text)) & (A.PARAMETERS | {"point"})
    assert named == set(info.value.params), text
