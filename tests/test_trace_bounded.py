"""A trace is bounded by what it prints: a forward trace of n inputs has one
tangent column per input (n² numbers), so past a limit it is refused before
any sweep, with what to do instead (issue 11: 100,000 inputs ran out of
memory with no warning)."""

import json

import pytest

import adcli
from adcli.modes import trace as T

from .conftest import adcli_process


def _wide(n):
    formula = "+".join(f"x{i}^2" for i in range(1, n + 1))
    point = ",".join(f"x{i}=1" for i in range(1, n + 1))
    return formula, point


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(T, "MAX_TRACE_CELLS", 1_000)


def test_a_forward_trace_wider_than_the_limit_is_refused_with_a_way_out(run, tmp_path,
                                                                        small_limit):
    formula, point = _wide(40)  # 40 tangent columns x 119 rows
    (tmp_path / "p.txt").write_text(point)
    res = run("trace", formula, "--at", f"@{tmp_path / 'p.txt'}", "--mode", "forward")
    assert res.exit_code == 2
    assert "one tangent column per input (40 inputs)" in res.stderr
    assert "--wrt" in res.stderr and "--mode reverse" in res.stderr
    assert res.stdout == ""


def test_what_the_hint_suggests_works(run, tmp_path, small_limit):
    formula, point = _wide(40)
    (tmp_path / "p.txt").write_text(point)
    at = f"@{tmp_path / 'p.txt'}"
    reverse = run("trace", formula, "--at", at, "--mode", "reverse", "--format", "json")
    assert reverse.exit_code == 0, reverse.output
    assert json.loads(reverse.stdout)["derivatives"]["df/dx40"] == 2.0
    some = run("trace", formula, "--at", at, "--mode", "forward", "--wrt", "x1,x2",
               "--format", "json")
    assert some.exit_code == 0, some.output
    assert json.loads(some.stdout)["columns"] == ["x1", "x2"]


def test_a_reverse_trace_of_many_outputs_is_refused_likewise(run, small_limit):
    formula = ", ".join(f"sin({i}*x)" for i in range(1, 200))
    res = run("trace", formula, "--at", "x=1", "--mode", "reverse")
    assert res.exit_code == 2
    assert "one adjoint column per output (199 outputs)" in res.stderr
    assert "--output K" in res.stderr
    assert run("trace", formula, "--at", "x=1", "--mode", "reverse", "--output", "3",
               "--format", "csv").exit_code == 0


def test_the_python_api_refuses_the_same_way(small_limit):
    formula, point = _wide(40)
    values = dict(pair.split("=") for pair in point.split(","))
    with pytest.raises(adcli.UsageError, match="tangent column per input"):
        adcli.compile(formula).trace(values, mode="forward")


def test_the_real_limit_lets_a_textbook_trace_through_and_stops_a_huge_one(tmp_path):
    formula, point = _wide(2_000)  # 2,000 columns x 5,999 rows: 12 million numbers
    (tmp_path / "f.txt").write_text(formula)
    (tmp_path / "p.txt").write_text(point)
    res = adcli_process("trace", "-f", str(tmp_path / "f.txt"), "--at",
                        f"@{tmp_path / 'p.txt'}", "--mode", "forward", "--format", "csv")
    assert res.returncode == 2
    assert "11,998,000 numbers" in res.stderr and "Traceback" not in res.stderr
    ok = adcli_process("trace", "x1*x2+sin(x1)", "--at", "x1=2,x2=3", "--mode", "forward")
    assert ok.returncode == 0 and "2.5838531634528574" in ok.stdout
