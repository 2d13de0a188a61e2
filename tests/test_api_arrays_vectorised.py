"""The API's Hessians, Taylor coefficients and one-variable partials over
NumPy arrays run as one sweep in the NumPy number system (docs/api.md,
"Arrays of points").  Against one call per point, on random formulas with
kinks and domain edges among the points: the same numbers to rounding (a
few ulps of the largest number of the same kind at that point, where
NumPy's elementary functions and sums differ from the C library's and
math.fsum), bit for bit at every point that warns (those are computed by
one call each), the same warnings, and a domain error at the first point
that has one, named by its index."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adcli
from adcli.higher import VECTOR_FROM

from .formulas import at_path as _at
from .formulas import kinky_extend
from .formulas import numbers_by_path as _numbers

# kinks (0, ±1 for asin), domain edges (log, sqrt at 0 and below), ordinary points
XS = np.array([-3.0, -2.0, -1.0, -0.5, 0.0, 0.25, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0,
               0.7, -0.7, 1.2, 2.5, -1.5, 0.1, -0.3, 0.9, 1.7, -2.5, 0.6, -0.1])
YS = np.roll(XS, 5) * 0.75
assert len(XS) >= max(VECTOR_FROM.values())  # the vectorised path, not one call per point

CALLS = {
    "evaluate": lambda f, p: f.evaluate(p),
    "gradient": lambda f, p: f.gradient(p),
    "gradient-forward": lambda f, p: f.gradient(p, mode="forward", wrt=["y"]),
    "hessian": lambda f, p: f.hessian(p),
    "hvp": lambda f, p: f.hessian(p, direction={"x": 1.0, "y": -0.5}),
    "taylor": lambda f, p: f.taylor(p, 3, wrt="x"),
    "taylor-line": lambda f, p: f.taylor(p, 3, direction={"x": 1.0, "y": 1.0}),
    "partial": lambda f, p: f.partial(p, "y,y"),
    "jvp": lambda f, p: f.jvp(p, {"x": 1.0, "y": 2.0}),
    "vjp": lambda f, p: f.vjp(p, [1.5], wrt=["y", "x"]),
}
SLOTS = ("value", "values", "jacobian", "gradient", "hessian", "hvp", "coefficients_of",
         "derivatives_of", "partials", "derivatives")
# |array - one call| <= RTOL x the largest finite number of the result at that
# point: 512 ulps of it (the most seen on these formulas: 71, atan2(tanh(x),
# tanh(x)), whose derivatives are sums that cancel to about 0)
RTOL = 512 * 2.0 ** -52


def _points():
    return [{"x": float(x), "y": float(y)} for x, y in zip(XS, YS, strict=True)]


def assert_like_one_call_per_point(f, call):
    alone, first_error = [], None
    for i, point in enumerate(_points()):
        try:
            alone.append(call(f, point))
        except adcli.DomainError as exc:
            first_error = first_error or (i, exc.message)
            alone.append(None)
    if first_error is not None:
        with pytest.raises(adcli.DomainError) as raised:
            call(f, {"x": XS, "y": YS})
        i, message = first_error
        assert raised.value.message.startswith(message), (raised.value.message, message)
        assert f"at index [{i}]" in raised.value.message
        return
    together = call(f, {"x": XS, "y": YS})
    assert type(together) is type(alone[0])
    assert {w.message for w in together.warnings} == \
        {w.message for one in alone for w in one.warnings}
    for i, one in enumerate(alone):
        slots = [slot for slot in SLOTS if hasattr(one, slot)]
        scale = max([abs(v) for slot in slots for _, v in _numbers(getattr(one, slot))
                     if math.isfinite(v)] + [1e-300])
        for slot in slots:
            for path, want in _numbers(getattr(one, slot)):
                got = float(_at(getattr(together, slot), path)[i])
                if one.warnings or not math.isfinite(want):  # one call's, bit for bit
                    assert got == want or (got != got and want != want), (slot, path, i)
                else:
                    assert abs(got - want) <= RTOL * scale, (slot, path, i, got, want)


FUNCS = ["sin", "exp", "log", "sqrt", "abs", "cbrt", "atan", "tanh", "asin", "cos"]
leaves = st.sampled_from(["x", "x", "y", "y", "0.5", "2", "1"])
_extend = kinky_extend(FUNCS, ["2", "3", "0.5", "-1", "y"])


@pytest.mark.parametrize("kind", sorted(CALLS))
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=st.recursive(leaves, _extend, max_leaves=8))
def test_random_formulas_over_arrays_agree_with_one_call_per_point(kind, text):
    f = adcli.compile(f"{text} + 0*x + 0*y")
    assert_like_one_call_per_point(f, CALLS[kind])


@pytest.mark.parametrize("kind", sorted(CALLS))
@pytest.mark.parametrize("text", [
    "abs(x)*y^2 + max(x, y)*sin(x)",      # kinks at some points only
    "sqrt(x^2 + y^2) + exp(x*y)",         # hypot-like: smooth off the origin
    "x^y + log(1 + x^2)",                 # x^y: negative bases, zero, integer exponents
    "log(x) + y",                         # a domain error at the first negative x
    "asin(x/3)*cbrt(y) + tan(x)",         # cbrt's infinite slope at y = 0
])
def test_kinks_and_domain_errors_point_by_point(kind, text):
    assert_like_one_call_per_point(adcli.compile(text), CALLS[kind])


def test_a_long_array_takes_one_sweep_and_stays_close():
    f = adcli.compile("exp(-x^2/2)*cos(x*y) + log(1 + y^2)*sin(x) + x*y^3")
    rng = np.random.default_rng(5)
    xs, ys = rng.uniform(-2, 2, (40, 25)), rng.uniform(-2, 2, 25)
    h = f.hessian({"x": xs, "y": ys})
    assert h.hessian["x"]["y"].shape == (40, 25) and not h.warnings
    for index in [(0, 0), (7, 3), (39, 24)]:
        one = f.hessian({"x": float(xs[index]), "y": float(ys[index[1]])})
        for r in ("x", "y"):
            for c in ("x", "y"):
                want = one.hessian[r][c]
                assert h.hessian[r][c][index] == pytest.approx(want, rel=1e-13, abs=1e-13)

