import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from adcli.cli.main import cli

WORKED = "x1*x2+sin(x1)"
AT = "x1=2,x2=3"


@pytest.fixture
def run():
    """Run adcli through click's CliRunner: run("grad", expr, "--at", …)."""
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input)

    return invoke


def adcli_process(*args, input=None, env=None):
    """Run adcli as a real process (the console script next to this Python)."""
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "adcli"]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd + list(args), input=input, capture_output=True, text=True,
                          env=full_env, timeout=120)
