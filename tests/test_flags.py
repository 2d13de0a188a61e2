"""The API's errors speak of parameters; the command line of its flags."""

import pytest

import adcli
from adcli.errors import UsageError


def test_api_errors_name_parameters_not_flags():
    f = adcli.compile("x1*x2 + sin(x1)")
    with pytest.raises(UsageError) as info:
        f.hessian({"x1": 2, "x2": 3}, direction=[1, 2, 3])
    assert info.value.message == "`direction` has 3 entries for 2 inputs"
    assert "--" not in info.value.message and info.value.params == ("direction",)
    with pytest.raises(UsageError) as info:
        f.taylor({"x1": 2, "x2": 3}, 3, wrt="q")
    assert info.value.message == "`wrt` names `q`, which is not an input"


def test_the_cli_says_the_flag(run):
    res = run("hessian", "x1*x2", "--at", "x1=2,x2=3", "--dir", "x3=1")
    assert res.exit_code == 2
    assert "adcli: error: --dir names `x3`, which is not an input" in res.stderr
    res = run("taylor", "x1*x2", "--at", "x1=2,x2=3")
    assert "--wrt x1, or a direction such as --dir x1=1,x2=1" in res.stderr
    assert "`" not in res.stderr.splitlines()[1]


def test_no_flag_names_in_the_api_layers():
    """Flags appear only under adcli/cli/ in what the API raises."""
    from pathlib import Path

    root = Path(adcli.__file__).parent
    for name in ("api.py", "higher.py", "arguments.py", "modes/trace.py", "graph/tape.py",
                 "codegen/targets.py", "codegen/kernel.py"):
        text = (root / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            # one hint speaks to both on purpose: --output counts from 1, output= from 0
            if ("Error(" in line or "hint=" in line) and "(or output=0 in Python)" not in line:
                assert " --" not in line and '"--' not in line, (name, line)
