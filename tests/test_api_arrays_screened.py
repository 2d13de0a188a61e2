"""Arrays of points are never silently wrong (issue 11): over random arrays
that mix ordinary values with points off a domain (log(-1), 1/0), on kinks
(abs(0)), where float64 overflows (exp(710)) or underflows to a subnormal,
and not-a-number inputs, every computation of the Python API gives what one
call per point gives: the same numbers (to the 512-ulp rule of docs/api.md,
bit for bit where a point warns), the same warnings, the same error (class
and message) as the first point that has one, named by its index, and no
NumPy RuntimeWarning on stderr."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adcli
from adcli.higher import VECTOR_FROM

from .formulas import at_path as _at
from .formulas import numbers_by_path as _numbers

# enough points for every kind of call to take the one vectorised sweep
SWEEP = max(VECTOR_FROM.values())
# 512 ulps of the largest finite number of the result at a point (docs/api.md)
RTOL = 512 * 2.0 ** -52

CALLS = {
    "evaluate": lambda f, p: f.evaluate(p),
    "gradient": lambda f, p: f.gradient(p),
    "gradient-forward-wrt": lambda f, p: f.gradient(p, mode="forward", wrt="x"),
    "gradient-reverse": lambda f, p: f.gradient(p, mode="reverse"),
    "hessian": lambda f, p: f.hessian(p),
    "taylor": lambda f, p: f.taylor(p, 3, wrt="x"),
    "partial": lambda f, p: f.partial(p, "x,x"),
    "jvp": lambda f, p: f.jvp(p, {"x": 1.0, "y": -1.0}),
    "vjp": lambda f, p: f.vjp(p, [1.0]),
}
SLOTS = ("values", "jacobian", "hessian", "hvp", "coefficients_of", "partials", "derivatives",
         "gradient")

FORMULAS = ["log(x) + y", "sqrt(x)*y", "exp(x*y)", "x^y", "1/x + y", "abs(x) + max(x, y)",
            "asin(x)*y", "atanh(x) + log(y)", "exp(x) - exp(x)", "x/y", "log(x, y)",
            "cbrt(x)*y^2", "hypot(x, y)", "atan2(x, y)", "(x - 1)^0.5*y", "tan(x)*exp(y)"]
# domain edges, kinks, overflow (exp(710)), underflow (1e-320), poles, ordinary values
SPECIAL = [0.0, -0.0, 1.0, -1.0, -2.0, 0.5, 1e-320, 710.0, -745.5, 1e308, 3.0, -0.5, 2.0,
           1.5707963267948966]
# ordinary values, where every formula but one is defined (then a few special ones)
ORDINARY = st.floats(0.05, 0.95)


def _slots(result):
    return [slot for slot in SLOTS if slot in type(result).__slots__
            or (slot == "gradient" and type(result).__name__ == "Hessian")]


def one_call_per_point(f, call, xs, ys):
    """(results, (index, error) of the first point that raises, or None)."""
    alone = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        try:
            alone.append(call(f, {"x": float(x), "y": float(y)}))
        except adcli.AdcliError as exc:
            return alone, (i, exc)
    return alone, None


def assert_arrays_like_one_call_per_point(f, call, xs, ys):
    alone, failed = one_call_per_point(f, call, xs, ys)
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        if failed is not None:
            i, error = failed
            with pytest.raises(type(error)) as raised:
                call(f, {"x": xs, "y": ys})
            assert raised.value.message.startswith(error.message), (raised.value.message,
                                                                     error.message)
            assert f"at index [{i}] of the arrays" in raised.value.message
        elif not len(xs):
            together = call(f, {"x": xs, "y": ys})
            for slot in _slots(together):
                for _, array in _numbers(getattr(together, slot)):
                    assert np.shape(array) == (0,), slot
        else:
            together = call(f, {"x": xs, "y": ys})
            assert type(together) is type(alone[0])
            assert {w.message for w in together.warnings} == \
                {w.message for one in alone for w in one.warnings}
            for i, one in enumerate(alone):
                _assert_point(together, one, i)
    assert [str(w.message) for w in escaped] == []  # no RuntimeWarning leaks


def _assert_point(together, one, i):
    slots = _slots(one)
    numbers = [(slot, path, want) for slot in slots for path, want in _numbers(getattr(one, slot))]
    scale = max([abs(v) for *_, v in numbers if math.isfinite(v)] + [1e-300])
    for slot, path, want in numbers:
        array = _at(getattr(together, slot), path)
        assert isinstance(array, np.ndarray), (slot, path)
        got = float(array[i])
        if one.warnings or not math.isfinite(want):  # computed by one call: bit for bit
            assert got == want or (got != got and want != want), (slot, path, i, got, want)
        else:
            assert abs(got - want) <= RTOL * scale, (slot, path, i, got, want)


@pytest.mark.parametrize("kind", sorted(CALLS))
@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(FORMULAS), n=st.integers(0, 2 * SWEEP), data=st.data())
def test_random_arrays_with_bad_points_equal_one_call_per_point(kind, text, n, data):
    columns = []
    for name in "xy":
        column = np.array(data.draw(st.lists(ORDINARY, min_size=n, max_size=n)), dtype=float)
        if n:
            at = data.draw(st.lists(st.integers(0, n - 1), min_size=name == "x", max_size=3))
            column[at] = data.draw(st.lists(st.sampled_from(SPECIAL), min_size=len(at),
                                            max_size=len(at)))
        columns.append(column)
    assert_arrays_like_one_call_per_point(adcli.compile(text), CALLS[kind], *columns)


@pytest.mark.parametrize("kind", sorted(CALLS))
@pytest.mark.parametrize("n", [2, SWEEP])  # one call per point, and one vectorised sweep
def test_the_issue_s_examples(kind, n):
    """log(x) at [1, -1]: was value nan, derivative -1, no error."""
    xs, ys = np.resize([1.0, -1.0], n), np.ones(n)
    with pytest.raises(adcli.DomainError, match=r"log\(-1\).*at index \[1\].*x=-1.0"):
        CALLS[kind](adcli.compile("log(x) + y"), {"x": xs, "y": ys})
    # exp(1000): inf with the warning one call gives, and nothing on stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = CALLS[kind](adcli.compile("exp(x) + y"), {"x": np.resize([1000.0, 0.0], n),
                                                        "y": ys})
    assert [w.message for w in res.warnings] == ["exp(1000) overflowed to inf at ω3"]
    assert res.values[0][0] == math.inf and res.values[0][1] == 2.0


@pytest.mark.parametrize("n", [2, SWEEP])
@pytest.mark.parametrize("value, words", [
    (math.nan, "must be a finite number, not nan"), (math.inf, "must be a finite number")])
def test_a_non_finite_input_is_refused_as_one_call_refuses_it(n, value, words):
    xs = np.ones(n)
    xs[1] = value
    for kind in ("evaluate", "gradient"):
        with pytest.raises(adcli.UsageError, match=words + r".*at index \[1\]"):
            CALLS[kind](adcli.compile("x*y"), {"x": xs, "y": 2.0})


@pytest.mark.parametrize("bad, words", [
    (np.array([1 + 2j, 3.0]), "complex numbers"),
    ([True, False], "booleans"),
    (["1/3", "2"], "text"),
    ([1.0, None], "list"),
    ([10 ** 400, 1], "list"),
])
def test_arrays_of_non_float64_values_are_usage_errors(bad, words):
    f = adcli.compile("x*y")
    for call in (f.evaluate, f.gradient, f.hessian):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # NumPy drops an imaginary part with only a warning
            with pytest.raises(adcli.UsageError, match=f"values of `x` must be real.*{words}"):
                call({"x": bad, "y": 1.0})


def test_arrays_broadcast_every_number_to_the_points_shape():
    # the gradient's entries too (one of them was a 0-d scalar, the other the other's shape)
    res = adcli.compile("x*y").gradient({"x": [[1.0], [2.0]], "y": [3.0, 4.0]})
    assert res.value.shape == res.gradient["x"].shape == res.gradient["y"].shape == (2, 2)
    assert res.gradient["x"].tolist() == [[3.0, 4.0], [3.0, 4.0]]
    assert res.point["x"].shape == (2, 2)


def test_empty_arrays_give_empty_results():
    f = adcli.compile("x*y")
    assert f.evaluate({"x": np.array([]), "y": 1.0}).value.shape == (0,)
    assert f.gradient({"x": [], "y": 1.0}).gradient["y"].shape == (0,)
    assert repr(f.evaluate({"x": []}, y=2.0)) == "Evaluation({'f': []})"
    with pytest.raises(adcli.UsageError, match="empty"):
        f.partial({"x": [], "y": 1.0}, "x,y")  # mixed partials go one call per point


def test_large_arrays_are_one_sweep_and_warn_once():
    rng = np.random.default_rng(11)
    xs = rng.uniform(-3, 3, 5000)
    xs[[17, 4000]] = 0.0  # abs's kink at two points: one warning, their numbers one call's
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = adcli.compile("abs(x)*exp(x)").gradient({"x": xs})
    assert [w.kind for w in res.warnings] == ["kink"]
    assert res.gradient["x"][17] == res.gradient["x"][4000] == 0.0
