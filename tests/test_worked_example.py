"""docs/design.md's worked example, number for number, in both modes."""

import json

import pytest

import adcli
from adcli.modes.sweeps import forward, linearize, reverse

from .conftest import AT, WORKED

VALUES = [2.0, 3.0, 6.0, 0.9092974268256817, 6.909297426825682]
TANGENTS = [1.0, 0.0, 3.0, -0.4161468365471424, 2.5838531634528574]
ADJOINTS = [2.5838531634528574, 2.0, 1.0, 1.0, 1.0]


def _tape():
    return adcli.compile(WORKED).tape(["x1", "x2"])


def test_tape_has_the_five_omega_steps_of_the_table():
    tape = _tape()
    assert [s.prim.key for s in tape.steps] == ["mul", "sin", "add"]
    assert [tape.omega(s.slot) for s in tape.steps] == [3, 4, 5]
    assert [[tape.omega(a) for a in s.args] for s in tape.steps] == [[1, 2], [1], [3, 4]]


def test_forward_sweep_matches_the_table_exactly():
    tape = _tape()
    lin = linearize(tape, [2, 3])
    (tan,) = forward(lin, [[1, 0]])
    slots = [0, 1] + [s.slot for s in tape.steps]
    assert [lin.values[s] for s in slots] == VALUES
    assert [tan[s] for s in slots] == TANGENTS


def test_reverse_sweep_matches_the_table_exactly():
    tape = _tape()
    lin = linearize(tape, [2, 3])
    (adj,) = reverse(lin, [[1]])
    slots = [0, 1] + [s.slot for s in tape.steps]
    assert [adj[s] for s in slots] == ADJOINTS


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_gradient_in_every_mode(mode):
    r = adcli.grad(WORKED, x1=2, x2=3, mode=mode)
    assert r.value == 6.909297426825682
    assert r.gradient == {"x1": 2.5838531634528574, "x2": 2.0}
    assert r.mode == ("reverse" if mode == "auto" else mode)


def test_plain_output_in_a_pipe(run):
    result = run("grad", WORKED, "--at", AT)
    assert result.exit_code == 0
    assert result.stdout == "f 6.909297426825682\ndf/dx1 2.5838531634528574\ndf/dx2 2\n"


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_json_output_has_the_design_shape(run, mode):
    result = run("grad", WORKED, "--at", AT, "--mode", mode, "--format", "json")
    obj = json.loads(result.stdout)
    assert obj["value"] == 6.909297426825682
    assert obj["gradient"] == {"x1": 2.5838531634528574, "x2": 2.0}
    assert obj["mode"] == mode


def test_text_output_is_a_table_with_partial_symbols(run):
    result = run("grad", WORKED, "--at", AT, "--format", "text")
    assert "∂f/∂x1" in result.stdout and "2.5838531634528574" in result.stdout
