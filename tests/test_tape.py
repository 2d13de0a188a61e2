"""The tape: its slots, and the caches it owns (issue 10: no module attaches
its own attributes to a Tape)."""

import pytest

import adcli
from adcli.graph.tape import Tape
from adcli.language.parser import parse


def test_slots_follow_the_worked_example():
    tape = Tape(parse("x1*x2 + sin(x1)"), ["x1", "x2"])
    assert [tape.omega(s.slot) for s in tape.steps] == [3, 4, 5]
    assert [s.prim.key for s in tape.steps] == ["mul", "sin", "add"]
    assert tape.depends_on_inputs == [True, True, True, True, True]


def test_a_cache_is_built_once_per_tape_and_keyed_by_its_builder():
    calls = []

    def steps_count(tape):
        calls.append(tape)
        return len(tape.steps)

    one, other = Tape(parse("x*y + 1"), ["x", "y"]), Tape(parse("x^2"), ["x"])
    assert one.cached(steps_count) == 2
    assert one.cached(steps_count) == 2
    assert other.cached(steps_count) == 1
    assert calls == [one, other]


def test_no_module_can_attach_its_own_attributes_to_a_tape():
    tape = Tape(parse("x*y"), ["x", "y"])
    with pytest.raises(AttributeError):
        tape._plan = ()


def test_every_mode_runs_on_a_tape_that_keeps_only_its_caches():
    # the float sweeps and the sparse drivers keep their plans in the tape's
    # cache; a second call reuses what the first built
    from adcli.sparse.drivers import sparse_jacobian

    f = adcli.compile("x*y + sin(x), x^2*y")
    for _ in range(2):
        assert f.gradient({"x": 1.0, "y": 2.0}, mode="reverse").jacobian[1] == {"x": 4.0, "y": 1.0}
        assert sparse_jacobian(f, {"x": 1.0, "y": 2.0}).matrix.values[2:] == [4.0, 1.0]
    tape = f.tape(["x", "y"])
    assert len(tape._caches) >= 3
