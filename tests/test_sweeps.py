"""adcli/modes/sweeps.py, the float64 sweeps: primal, linearize (values and
every step's partials), forward (tangents) and reverse (adjoints).

Forward and reverse add the same products in different orders, so they
agree to a few units in the last place of the *magnitude of the terms*:
|J_fwd − J_rev| ≤ a few ulps of |J|_abs, where |J|_abs is the Jacobian of
the same tape with every partial replaced by its absolute value (the
classical bound for a sum of products; it is J itself when nothing cancels)."""

import gc
import math

import pytest

import adcli
from adcli import numsys
from adcli.collector import without_gc
from adcli.errors import DomainError
from adcli.modes import engine, sweeps

from .formulas import cases

EPS = 2.0 ** -52


def _jacobians(source, point):
    """(tape, lin, forward rows, reverse rows, |J|_abs rows): row k, column i
    is ∂f_k/∂x_i."""
    tape = adcli.compile(source).tape(list(point))
    lin = sweeps.linearize(tape, list(point.values()))
    n, m = tape.n_inputs, len(tape.outputs)
    identity = [[1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
    tangents = sweeps.forward(lin, identity)
    adjoints = sweeps.reverse(lin, [[1.0 if j == k else 0.0 for j in range(m)]
                                    for k in range(m)])
    magnitudes = sweeps.Linearization(tape, [abs(v) for v in lin.values], lin.meta, [])
    absolute = sweeps.forward(magnitudes, identity)
    fwd = [[tangents[i][o] for i in range(n)] for o in tape.outputs]
    rev = [adjoints[k][:n] for k in range(m)]
    mag = [[absolute[i][o] for i in range(n)] for o in tape.outputs]
    return tape, lin, fwd, rev, mag


def test_the_worked_example_step_by_step():
    tape = adcli.compile("x1*x2 + sin(x1)").tape(["x1", "x2"])
    vals, warnings = sweeps.primal(tape, [2.0, 3.0])
    assert vals[:tape.n_inputs] == [2.0, 3.0] and warnings == []
    assert [vals[o] for o in tape.outputs] == [6.909297426825682]
    lin = sweeps.linearize(tape, [2.0, 3.0])
    assert lin.values[:tape.size] == vals[:tape.size]
    # ω3 = ω1·ω2, ω4 = sin ω1, ω5 = ω3 + ω4: the local partials
    assert lin.partials == [(3.0, 2.0), (math.cos(2.0),), (1.0, 1.0)]
    (t1, t2) = sweeps.forward(lin, [[1.0, 0.0], [0.0, 1.0]])
    (a,) = sweeps.reverse(lin, [[1.0]])
    out = tape.outputs[0]
    assert [t1[out], t2[out]] == a[:2] == [2.5838531634528574, 2.0]


@pytest.mark.parametrize("source, point", cases("sweeps: forward vs reverse", 60))
def test_forward_and_reverse_agree_to_a_few_ulps_of_the_terms(source, point):
    _, _, fwd, rev, mag = _jacobians(source, point)
    for row_f, row_r, row_m in zip(fwd, rev, mag, strict=True):
        for f, r, m in zip(row_f, row_r, row_m, strict=True):
            assert math.isfinite(f) and math.isfinite(r)
            assert abs(f - r) <= 8 * EPS * m, (source, point, f, r, m)


@pytest.mark.parametrize("source, point", cases("sweeps: against 30 digits", 25))
def test_the_float64_sweeps_are_right_to_working_precision(source, point):
    """Against the generic sweeps at 30 digits: the float64 Jacobian is
    right to ~1e-12 of the magnitude of its terms (the partials' own
    rounding included), and its values to a few ulps."""
    tape, lin, fwd, _, mag = _jacobians(source, point)
    mp = numsys.system(digits=30)
    n = tape.n_inputs
    with mp.working():
        ref_lin = engine.linearize(tape, [mp.number(v) for v in point.values()], mp)
        ref = engine.forward(ref_lin, [[mp.one if j == i else mp.zero for j in range(n)]
                                       for i in range(n)])
    for k, o in enumerate(tape.outputs):
        value, want = lin.values[o], ref_lin.values[o]
        assert abs(value - float(want)) <= 64 * EPS * max(1.0, abs(value)), source
        for i in range(n):
            assert abs(fwd[k][i] - float(ref[i][o])) <= 1e-12 * mag[k][i], (source, i)


def test_forward_is_linear_in_its_seed_and_reverse_is_its_transpose():
    source = "sin(x*y) + exp(z/3)*x, atan2(x, 2 + y^2) - z^3"
    tape, lin, _, _, _ = _jacobians(source, {"x": 0.4, "y": -1.3, "z": 0.9})
    v, u = [0.25, -2.0, 1.5], [3.0, -0.5]
    (jv,) = sweeps.forward(lin, [v])
    (jv4,) = sweeps.forward(lin, [[4 * s for s in v]])
    assert [jv4[o] for o in tape.outputs] == [4 * jv[o] for o in tape.outputs]  # exactly
    (uj,) = sweeps.reverse(lin, [u])
    lhs = math.fsum(w * jv[o] for w, o in zip(u, tape.outputs, strict=True))  # uᵀ(Jv)
    rhs = math.fsum(g * s for g, s in zip(uj[:3], v, strict=True))  # (uᵀJ)v
    assert lhs == pytest.approx(rhs, rel=1e-14)


def test_an_infinite_partial_never_turns_a_zero_tangent_into_nan():
    # d/dx sqrt(x) at 0 is inf (a kink, warned); y's derivative is still 1
    tape, lin, fwd, rev, _ = _jacobians("sqrt(x) + y", {"x": 0.0, "y": 2.0})
    assert fwd == rev == [[math.inf, 1.0]]
    assert [w.kind for w in lin.warnings] == ["kink"]


def test_a_kink_is_warned_and_takes_the_documented_partial():
    tape, lin, fwd, rev, _ = _jacobians("abs(x) + max(x, y)", {"x": 0.0, "y": 0.0})
    assert fwd == rev == [[0.5, 0.5]]  # abs: 0; max tie: split evenly
    assert sorted(w.message.split(" at ")[0] for w in lin.warnings) == ["abs(0)",
                                                                       "max(0, 0)"]
    vals, _ = sweeps.primal(tape, [0.0, 0.0])
    assert len(sweeps.kink_warnings(tape, vals)) == 2


def test_off_the_domain_the_sweeps_raise_a_domain_error_at_the_step():
    tape = adcli.compile("x + log(y - 1)").tape(["x", "y"])
    for sweep in (sweeps.primal, sweeps.linearize):
        with pytest.raises(DomainError, match=r"log\(-1\) is undefined \(at ω4\)") as info:
            sweep(tape, [1.0, 0.0])
        assert info.value.step == 4


def test_overflow_is_a_warning_not_an_error():
    tape = adcli.compile("exp(x) - exp(x)").tape(["x"])
    vals, warnings = sweeps.primal(tape, [1000.0])
    assert math.isnan(vals[tape.outputs[0]])
    assert [w.kind for w in warnings] == ["overflow"]


def test_the_plan_is_built_once_per_tape():
    tape = adcli.compile("x*y + sin(x)").tape(["x", "y"])
    assert sweeps.plan(tape) is sweeps.plan(tape)


def test_without_gc_restores_the_collector_even_when_the_sweep_raises():
    @without_gc
    def failing():
        assert not gc.isenabled()
        raise DomainError("off the domain")

    assert gc.isenabled()
    with pytest.raises(DomainError):
        failing()
    assert gc.isenabled()
    gc.disable()
    try:
        assert without_gc(gc.isenabled)() is False  # left disabled
    finally:
        gc.enable()
