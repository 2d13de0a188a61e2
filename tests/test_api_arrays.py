"""The Python API over NumPy arrays of points: Hessians, Taylor coefficients,
mixed partials, J·v and uᵀ·J give the same numbers and shapes as one call per
point (issue 11: they said "call once per point"), and every result follows
one documented rule for ``.value`` (docs/api.md)."""

import numpy as np
import pytest

import adcli

from .formulas import numbers_by_path

F = adcli.compile("x*y^2 + sin(x) + abs(x - 2)")
X = np.array([[0.5, 1.0, 2.0], [3.0, -1.5, 2.5]])
Y = np.array([1.0, -2.0, 0.25])  # broadcast against X's rows


def _points():
    xs, ys = np.broadcast_arrays(X, Y)
    for index in np.ndindex(xs.shape):
        yield index, {"x": float(xs[index]), "y": float(ys[index])}


CASES = {
    "hessian": lambda p: F.hessian(p),
    "hvp": lambda p: F.hessian(p, direction={"x": 1.0, "y": 2.0}),
    "taylor": lambda p: F.taylor(p, 4, wrt="x"),
    "taylor-dir": lambda p: F.taylor(p, 3, direction={"x": 1, "y": -1}),
    "partial": lambda p: F.partial(p, "x,y,y"),
    "jvp": lambda p: F.jvp(p, {"y": 1.0}),
    "vjp": lambda p: F.vjp(p, [2.0]),
}
FIELDS = {"hessian": ["value", "gradient", "hessian"], "hvp": ["value", "gradient", "hvp"],
          "taylor": ["coefficients", "derivatives", "value"],
          "taylor-dir": ["coefficients", "derivatives"], "partial": ["value", "partial"],
          "jvp": ["value", "derivative"], "vjp": ["value", "gradient"]}


def _leaves(obj):
    return numbers_by_path(obj, keep_none=True)


def _get(obj, path):
    for key in path:
        obj = obj[key]
    return obj


@pytest.mark.parametrize("case", CASES)
def test_arrays_of_points_equal_one_call_per_point(case):
    compute = CASES[case]
    together = compute({"x": X, "y": Y})
    assert type(together) is type(compute({"x": 1.0, "y": 1.0}))
    for field in FIELDS[case]:
        stacked = getattr(together, field)
        for index, point in _points():
            alone = getattr(compute(point), field)
            for path, number in _leaves(alone):
                array = _get(stacked, path)
                assert isinstance(array, np.ndarray) and array.shape == X.shape, (field, path)
                assert array[index] == number, (case, field, path, index)  # bit for bit
    assert together.point["x"].shape == X.shape


def test_a_kink_at_one_point_warns_as_one_call_does():
    res = F.hessian({"x": np.array([1.0, 2.0]), "y": 1.0})
    assert [w.kind for w in res.warnings] == ["kink"]


def test_a_domain_error_at_one_point_names_it():
    with pytest.raises(adcli.DomainError, match=r"log\(-1\).*index \[1\].*x=-1.0"):
        adcli.compile("log(x)").taylor({"x": np.array([1.0, -1.0])}, 2)


def test_arrays_are_float64_only():
    with pytest.raises(adcli.UsageError):
        F.hessian({"x": X, "y": Y}, digits=30)


def test_array_results_print():
    assert "1.5" in repr(adcli.compile("x*y").evaluate({"x": np.array([1.0, 1.5]), "y": 1}))
    assert "array" in repr(F.hessian({"x": X, "y": Y}))


# --- one rule for .value --------------------------------------------------------

ONE = adcli.compile("x*y")
TWO = adcli.compile("x*y, x+y")
P = {"x": 2.0, "y": 3.0}


def _results(fn):
    yield fn.evaluate(P)
    yield fn.gradient(P)
    yield fn.jvp(P, {"x": 1.0})
    yield fn.vjp(P, [1.0] * len(fn.outputs))
    yield fn.taylor(P, 2, wrt="x")
    yield fn.partial(P, "x,y")
    yield fn.hessian(P, output=0)


@pytest.mark.parametrize("fn", [ONE, TWO], ids=["one output", "two outputs"])
def test_every_result_follows_the_value_rule(fn):
    for res in _results(fn):
        name = type(res).__name__
        assert isinstance(res.values, list), name
        if name == "Hessian":  # of one chosen output, whatever the formula has
            assert res.value == res.values[0] and res.outputs == (fn.outputs[0],)
        elif len(fn.outputs) == 1:
            assert res.value == res.values[0] and not isinstance(res.value, list), name
        else:
            assert res.value == res.values and len(res.values) == 2, name
