"""The sweeps are written once over a number system; float64 keeps a faster
specialisation (bulk rule evaluation).  Here the generic sweeps run in
float64 and must agree with the fast ones, value for value, on every
primitive of the table and at kinks."""

import math
import random

import pytest

import adcli
from adcli import numsys
from adcli.errors import DomainError
from adcli.modes import engine, generic, sweeps
from adcli.primitives import TABLE

FORMULAS = [
    "x1*x2 + sin(x1)",
    "a = sin(x*y); a*a + a/x, exp(a)*y",
    "x^3 - 2*x*y + y^2/(1 + x^2)",
    "sqrt(x^2 + y^2) * atan2(y, x) + log1p(x*x)",
    "max(x, y) + min(x, 2) + abs(x - y) + hypot(x, y)",
    "x^y + 2^x + x^0.5",
] + [f"{p.name}(x{', y' if p.arity == 2 else ''})" for p in TABLE if p.infix is None]


def _close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300)


def _run_both(source, point):
    fn = adcli.compile(source)
    tape = fn.tape(list(point))
    values = list(point.values())
    try:
        fast = sweeps.linearize(tape, values)
    except DomainError as exc:
        with pytest.raises(DomainError) as info:
            generic.linearize(numsys.FLOAT64, tape, values)
        assert info.value.step == exc.step
        return None
    slow = generic.linearize(numsys.FLOAT64, tape, values)
    return tape, fast, slow


@pytest.mark.parametrize("source", FORMULAS)
def test_generic_float64_sweeps_agree_with_the_fast_ones(source):
    rng = random.Random(source)
    names = adcli.compile(source).inputs
    points = [{n: v for n, v in zip(names, p)} for p in ([0.0, 0.0], [1.0, 1.0], [-1.0, 2.0])]
    points += [{n: rng.uniform(-3, 3) for n in names} for _ in range(6)]
    for point in points:
        both = _run_both(source, point)
        if both is None:
            continue
        tape, fast, slow = both
        assert all(_close(a, b) for a, b in zip(fast.values[:tape.size], slow.values))
        assert {w.kind for w in fast.warnings} == {w.kind for w in slow.warnings}
        n, m = tape.n_inputs, len(tape.outputs)
        seeds = [[1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
        for a, b in zip(sweeps.forward(fast, seeds), generic.forward(slow, seeds)):
            assert all(_close(a[o], b[o]) for o in tape.outputs), (source, point)
        out_seeds = [[1.0 if j == k else 0.0 for j in range(m)] for k in range(m)]
        for a, b in zip(sweeps.reverse(fast, out_seeds), generic.reverse(slow, out_seeds)):
            assert all(_close(a[i], b[i]) for i in range(n)), (source, point)


def test_the_engine_picks_the_fast_float64_sweeps_and_generic_elsewhere():
    tape = adcli.compile("x*y").tape(["x", "y"])
    assert isinstance(engine.linearize(tape, [2.0, 3.0]), sweeps.Linearization)
    lin = engine.linearize(tape, [2, 3], numsys.system(exact=True))
    assert isinstance(lin, generic.Linearization)
    assert engine.reverse(lin, [[1]])[0][:2] == [3, 2]


def test_every_number_system_gives_the_worked_example():
    f = adcli.compile("x1*x2 + sin(x1)")
    point = {"x1": 2, "x2": 3}
    ref = f.gradient(point).gradient
    for digits in (None, 20, 60):
        got = f.gradient(point, digits=digits).gradient
        assert float(got["x1"]) == pytest.approx(ref["x1"], rel=1e-15)
        assert float(got["x2"]) == 2
    assert f.gradient(point, digits=30).format(f.gradient(point, digits=30).gradient["x1"]) \
        == "2.58385316345285761300243177050"
    exact = adcli.compile("x1*x2 + x1^3/3").gradient(point, exact=True)
    assert str(exact.gradient["x1"]) == "7"
