"""ruff keeps the style (run where ruff is installed: the test extra has it)."""

import ast
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
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "subprocess"
            and node.func.attr in SUBPROCESS_CALLS
            and not any(k.arg == "timeout" for k in node.keywords)]


POPEN_WAITS = {"wait": 0, "communicate": 1}  # the position of each one's timeout


def _is_popen(node) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return (isinstance(func, ast.Attribute) and func.attr == "Popen"
            or isinstance(func, ast.Name) and func.id == "Popen")


def popen_waits_without_timeout(source: str) -> list[int]:
    """Lines where a ``subprocess.Popen`` child is waited for or read with
    no bound: ``proc.wait()`` / ``proc.communicate()`` without a timeout, or
    ``proc.stdout.readline()`` and any other direct read of its pipes (use
    tests/child_process.py's ``readline_within``, or ``communicate``)."""
    tree = ast.parse(source)
    children = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and _is_popen(node.value) for target in node.targets
                if isinstance(target, ast.Name)}
    children |= {item.optional_vars.id for node in ast.walk(tree) if isinstance(node, ast.With)
                 for item in node.items if _is_popen(item.context_expr)
                 and isinstance(item.optional_vars, ast.Name)}
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner, method = node.func.value, node.func.attr
        if isinstance(owner, ast.Name) and owner.id in children and method in POPEN_WAITS:
            if (len(node.args) <= POPEN_WAITS[method]
                    and not any(k.arg == "timeout" for k in node.keywords)):
                lines.append(node.lineno)
        elif (isinstance(owner, ast.Attribute) and owner.attr in ("stdout", "stderr")
              and isinstance(owner.value, ast.Name) and owner.value.id in children
              and method.startswith("read")):
            lines.append(node.lineno)
    return sorted(lines)


def _test_sources():
    tests = os.path.join(ROOT, "tests")
    for name in sorted(os.listdir(tests)):
        if name.endswith(".py"):
            with open(os.path.join(tests, name), encoding="utf-8") as file:
                yield name, file.read()


def test_every_subprocess_a_test_runs_has_a_timeout():
    """A child that hangs (a read of a stdin never closed, a compiler stuck)
    must fail its test, not stall CI until its 90-minute limit (issue 10)."""
    missing = [f"tests/{name}:{line}" for name, source in _test_sources()
               for line in calls_without_timeout(source) + popen_waits_without_timeout(source)]
    assert not missing, ("give these a timeout= (a Popen's pipe: readline_within from "
                         "tests/child_process.py): " + ", ".join(missing))


def test_the_timeout_check_sees_a_call_without_one():
    assert calls_without_timeout("import subprocess\nsubprocess.run(['x'])\n"
                                 "subprocess.run(['y'], timeout=5)\n") == [2]


def test_the_timeout_check_sees_a_popen_waited_for_or_read_without_a_bound():
    source = """import subprocess
p = subprocess.Popen(['x'], stdout=subprocess.PIPE)
p.wait()
p.wait(5)
p.wait(timeout=5)
p.communicate()
p.communicate(b'in')
p.communicate(b'in', 5)
p.communicate(timeout=5)
p.stdout.readline()
p.stderr.read()
with subprocess.Popen(['y']) as q:
    q.communicate()
event.wait()
"""
    assert popen_waits_without_timeout(source) == [3, 6, 7, 10, 11, 13]



def test_a_child_that_says_nothing_fails_the_read_and_is_killed(tmp_path):
    from tests.child_process import open_fifo_for_writing, readline_within, stopping

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                            stdout=subprocess.PIPE)
    with pytest.raises(AssertionError, match="no line"), stopping(proc):
        readline_within(proc.stdout, 0.2)
    assert proc.returncode is not None  # killed on the way out, not left running
    fifo = tmp_path / "formula"
    os.mkfifo(fifo)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # never opens the FIFO
    gone.wait(timeout=60)
    with pytest.raises(AssertionError, match="exited"):
        open_fifo_for_writing(str(fifo), gone, 5)
