"""adcli.collector: a large acyclic build is frozen out of the cyclic
collector's scans in the one-command CLI process only."""

import gc
import subprocess
import sys

import adcli
from adcli import collector


def _chain(n):
    return "+".join(f"100*(x{i + 1}-x{i}^2)^2+(1-x{i})^2" for i in range(1, n))


def test_the_python_api_never_freezes(monkeypatch):
    monkeypatch.setattr(collector, "_one_command", False)
    before = gc.get_freeze_count()
    f = adcli.compile(_chain(20_000))  # over LARGE_BUILD new objects
    f.gradient({f"x{i}": 1.0 for i in range(1, 20_001)})
    assert gc.get_freeze_count() == before
    assert gc.isenabled()


def test_the_command_line_process_freezes_a_large_build():
    code = (
        "import gc, sys\n"
        "from adcli import collector\n"
        "collector.one_command_process()\n"
        "import adcli\n"
        "f = adcli.compile('+'.join(f'100*(x{i + 1}-x{i}^2)^2+(1-x{i})^2'"
        " for i in range(1, 20_000)))\n"
        "print(gc.get_freeze_count() > 100_000, gc.isenabled())\n"
        "f = adcli.compile('x*y')\n"
        "print(gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=600).stdout.split()
    assert out == ["True", "True", "True"]
