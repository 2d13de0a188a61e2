"""mypy checks the typed core: the number systems, the engine, the API's
arguments and results, the tape (issue 10: types at module boundaries)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["adcli/primitives.py", "adcli/numsys.py", "adcli/modes", "adcli/graph",
           "adcli/arguments.py", "adcli/results.py", "adcli/api.py", "adcli/higher.py",
           "adcli/sparse/drivers.py"]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (pip install -e '.[test]')")
def test_mypy_is_clean_on_the_engine():
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent",
         "--no-error-summary", *CHECKED],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
