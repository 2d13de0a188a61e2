"""ruff keeps the style (run where ruff is installed: the test extra has it)."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or os.path.join(os.path.dirname(sys.executable), "ruff")
    if not os.path.exists(ruff):
        pytest.skip("ruff is not installed")
    proc = subprocess.run([ruff, "check", "adcli", "tests", "bench"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout


SUBPROCESS_CALLS = ("run", "call", "check_call", "check_output")


def calls_without_timeout(source: str) -> list[int]:
    """Lines of ``subprocess.run(...)`` and friends that give no timeout."""
    import ast

    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "subprocess"
            and node.func.attr in SUBPROCESS_CALLS
            and not any(k.arg == "timeout" for k in node.keywords)]


def test_every_subprocess_a_test_runs_has_a_timeout():
    """A child that hangs (a read of a stdin never closed, a compiler stuck)
    must fail its test, not stall CI until its 90-minute limit (issue 10)."""
    tests = os.path.join(ROOT, "tests")
    missing = [f"tests/{name}:{line}" for name in sorted(os.listdir(tests)) if name.endswith(".py")
               for line in calls_without_timeout(open(os.path.join(tests, name),
                                                      encoding="utf-8").read())]
    assert not missing, "give these a timeout=: " + ", ".join(missing)


def test_the_timeout_check_sees_a_call_without_one():
    assert calls_without_timeout("import subprocess\nsubprocess.run(['x'])\n"
                                 "subprocess.run(['y'], timeout=5)\n") == [2]
