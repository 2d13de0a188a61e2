"""The engine's Taylor sweep over NumPy arrays (the number system
:class:`adcli.numsys.NumpyArrays`, what ``adcli plot`` samples with) against
the scalar float64 sweep, point by point: the same numbers to rounding
(NumPy's exp/log/tan may differ from the C library's in the last bit, and
its sums are not math.fsum), the same nan at kinks, and a nan or ±inf
wherever the scalar sweep reports a domain error (in the step that fails:
a later step may turn it into a number again, exp(log(0)) = exp(-inf) = 0)."""

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adcli
from adcli.errors import DomainError
from adcli.modes.taylor import sweep
from adcli.numsys import numpy_arrays

from .formulas import kinky_extend

ARRAYS = numpy_arrays()
XS = np.array([-3.0, -2.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0])

CASES = {
    # kinks: the corner of abs, ties of max/min, a piecewise formula, sign's jump
    "abs": ("abs(x)", {}),
    "abs-shifted": ("abs(x - 0.5)*sin(x) + abs(x)^3", {}),
    "max-min": ("max(x, 0.3)*min(x^3, x) + max(x, y)", {"y": 0.5}),
    "piecewise": ("(1 - sign(x))/2*x^2 + (1 + sign(x))/2*sin(x)", {}),
    "ties": ("min(x, -x) + max(abs(x), 1)", {}),
    # infinite slopes at a kink: the expansion stops (nan) exactly where the scalar one does
    "sqrt-cbrt": ("sqrt(x + 1) + cbrt(x) + x^(1/3)*0", {}),
    "asin": ("asin(x/2) + acos(x/3) + acosh(x + 4)", {}),
    "origin": ("hypot(x, y) + atan2(x, y)", {"y": 0.0}),
    # domain errors: nan where the scalar sweep raises
    "log": ("log(x) + 1/x", {}),
    "sqrt": ("sqrt(x)*exp(x)", {}),
    "pole": ("tan(x) + 1/(x - 0.5)", {}),
    # x^y: every branch of its recurrence
    "pow-int": ("x^3 + x^2 + x^1 + x^0 + x^5*2", {}),
    "pow-real": ("x^2.5 + (x^2 + 1)^0.5", {}),
    "pow-var": ("x^y + y^x*0 + (x^2 + 1)^x", {"y": 1.7}),
    "pow-neg-int": ("x^-2 + x^-1", {}),
    "pow-scaled": ("(x*1e-120)^3 + (x*1e120)^3*1e-300", {}),
    "smooth": ("exp(sin(x))*log1p(x^2) + erf(x)*tanh(x) + atan(x)", {}),
}
ORDER = 5


def scalar(tape, point, direction, order):
    try:
        return sweep(tape, point, direction, order)[0]
    except DomainError:
        return None


def assert_matches_pointwise(text, fixed, xs, direction=None, order=ORDER, columns=None):
    fn = adcli.compile(text)
    names = ["x"] + list(fixed)
    tape = fn.tape(names)
    direction = direction or [1.0] + [0.0] * len(fixed)
    columns = columns or {}
    values = [columns.get(n, xs if n == "x" else fixed[n]) for n in names]
    together, _ = sweep(tape, values, direction, order, ARRAYS)
    for i, x in enumerate(xs):
        point = [float(np.broadcast_to(v, xs.shape)[i]) for v in values]
        alone = scalar(tape, point, direction, order)
        got = [[float(np.broadcast_to(c, xs.shape)[i]) for c in row] for row in together]
        if alone is None:  # a domain error there: not a number here
            assert not all(map(math.isfinite, (c for row in got for c in row))), (text, x, got)
            continue
        for row_a, row_s in zip(got, alone, strict=True):
            scale = max([abs(c) for c in row_s if math.isfinite(c)] + [1e-300])
            for k, (a, s) in enumerate(zip(row_a, row_s, strict=True)):
                if math.isnan(s) or math.isinf(s):
                    assert a == s or (math.isnan(a) and math.isnan(s)), (text, x, k, a, s)
                else:
                    assert abs(a - s) <= 1e-13 * max(abs(s), 1e-3 * scale), (text, x, k, a, s)


@pytest.mark.parametrize("case", sorted(CASES))
def test_arrays_equal_the_scalar_sweep_point_by_point(case):
    text, fixed = CASES[case]
    assert_matches_pointwise(text, fixed, XS)


def test_a_varying_exponent_array_takes_each_branch_per_element():
    ys = np.array([0.0, 1.0, 2.0, 3.0, 2.5, -1.0, 0.5, 2.0, 1.0, 0.0, 4.0, -2.0, 3.0, 1.5])
    assert_matches_pointwise("x^y", {"y": 1.0}, XS, columns={"y": ys})
    assert_matches_pointwise("x^y", {"y": 1.0}, XS, direction=[1.0, 1.0], columns={"y": ys})


def test_along_another_variable_and_mixed_directions():
    assert_matches_pointwise("exp(-x^2 - y^2) + abs(x*y)", {"y": 0.0}, XS, direction=[0.0, 1.0])
    assert_matches_pointwise("max(x, y)^2 + hypot(x, y)", {"y": 0.5}, XS, direction=[1.0, -2.0])


def test_kink_rows_are_nan_from_where_the_scalar_sweep_stops():
    tape = adcli.compile("sqrt(x)").tape(["x"])
    together, warnings = sweep(tape, [np.array([0.0, 4.0])], [1.0], 3, ARRAYS)
    assert float(together[0][0][0]) == 0.0
    assert all(math.isnan(c[0]) for c in together[0][1:])  # sqrt at 0: no expansion
    assert [float(c[1]) for c in together[0]] == sweep(tape, [4.0], [1.0], 3)[0][0]
    assert [w.kind for w in warnings] == ["kink"]
    assert "sqrt(0)" in warnings[0].message  # the example is the element at the kink


def test_constant_arrays_are_not_merged_by_their_printed_form():
    # two different 2,000-element arrays print alike (NumPy elides the middle)
    a = np.zeros(2000)
    b = np.zeros(2000)
    b[1000] = 1.0
    tape = adcli.compile("x*y + x*z").tape(["x", "y", "z"])
    together, _ = sweep(tape, [1.0, a, b], [1.0, 0.0, 0.0], 1, ARRAYS)
    assert float(together[0][1][1000]) == 1.0 and float(together[0][1][999]) == 0.0


# --- random formulas, kinks and domain edges included ----------------------------

FUNCS = ["sin", "exp", "log", "sqrt", "abs", "sign", "cbrt", "atan", "tanh", "asin"]
leaves = st.one_of(st.sampled_from(["x", "x", "y", "0", "1", "0.5", "2"]))
_extend = kinky_extend(FUNCS, ["2", "3", "0.5", "-1", "1.5", "y", "x"])


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(leaves, _extend, max_leaves=10), st.sampled_from([0.0, 0.5, -1.0, 2.0]),
       st.booleans())
def test_random_formulas_over_arrays_equal_the_scalar_sweep(text, y, both):
    tape = copy.copy(adcli.compile(f"{text} + 0*x + 0*y").tape(["x", "y"]))
    tape.outputs = [step.slot for step in tape.steps]  # compare every step's series
    # y fixed (a number), or an array too and the line along (1, -1)
    ys, along = (np.roll(XS, 3) * y, [1.0, -1.0]) if both else (np.full(XS.shape, y), [1.0, 0.0])
    together, _ = sweep(tape, [XS, ys if both else y], along, 3, ARRAYS)
    for i, x in enumerate(XS):
        alone = scalar(tape, [float(x), float(ys[i])], along, 3)
        got = [[float(np.broadcast_to(c, XS.shape)[i]) for c in row] for row in together]
        if alone is None:  # the step that failed is not a number here (a later one
            # may be again: exp(log(0)) is exp(-inf) = 0)
            assert not all(math.isfinite(c) for row in got for c in row), (text, x, y, got)
            continue
        for row_a, row_s in zip(got, alone, strict=True):
            scale = max([abs(c) for c in row_s if math.isfinite(c)] + [1.0])
            for k, (a, s) in enumerate(zip(row_a, row_s, strict=True)):
                if math.isfinite(s):
                    assert abs(a - s) <= 1e-9 * scale, (text, x, y, k, a, s)
                else:
                    assert a == s or (math.isnan(a) and math.isnan(s)), (text, x, y, k, a, s)


def test_arrays_warn_of_an_underflowed_coefficient_as_one_point_does():
    """hypot at y = 1e308, along x: c₂ = 5e-309 underflows to 0.0 at that
    point; among many points it is computed again alone, and warns."""
    import numpy as np

    f = adcli.compile("hypot(x, y)")
    ys = np.full(12, 0.5)
    ys[0] = 1e308
    alone = f.taylor({"x": 0.5, "y": 1e308}, 2, wrt="x").warnings
    together = f.taylor({"x": np.full(12, 0.5), "y": ys}, 2, wrt="x").warnings
    assert [w.message for w in alone] and \
        [w.message for w in together] == [w.message for w in alone]
