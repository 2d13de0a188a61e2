"""Every command gives the same shape (CSV columns, JSON keys, plain labels)
whatever the number system: float64, --digits N, --exact (docs/design.md: precise
results may only add a ``digits`` or ``exact`` key)."""

import json

import pytest
from click.testing import CliRunner

from adcli.cli.main import cli

FORMULA = "x^3*y + x*y, x*y"  # rational, two outputs
AT = ["--at", "x=1,y=2", "--at", "y=3,x=1/2"]
COMMANDS = {  # a name: the command (its first word) and its options
    "eval": [],
    "grad": [],
    "grad --dir": ["--dir", "x=1,y=1/3"],
    "grad --cotangent": ["--cotangent", "1,1/2"],
    "grad --cotangent --wrt": ["--cotangent", "f2=2", "--wrt", "y"],
    "hessian": ["--output", "1"],
    "hessian --dir": ["--output", "1", "--dir", "x=1/2,y=1"],
    "taylor": ["--wrt", "x", "--order", "3"],
    "partial": ["--wrt", "x,y"],
    "trace": ["--no-stats"],
}
FORMATS = ["plain", "json", "jsonl", "csv", "tsv"]
SYSTEMS = {"float64": [], "digits": ["--digits", "25"], "exact": ["--exact"]}
EXTRA_KEYS = {"digits", "exact"}


def run(command, fmt, system):
    args = [command.split()[0], FORMULA, *AT, *COMMANDS[command], "--format", fmt,
            *SYSTEMS[system]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _keys(obj):
    """The nested key structure of a JSON value (numbers and strings alike)."""
    if isinstance(obj, dict):
        return {k: _keys(v) for k, v in obj.items() if k not in EXTRA_KEYS}
    if isinstance(obj, list):
        return [_keys(v) for v in obj]
    return None


def shape(text, fmt):
    if fmt == "json":
        return _keys(json.loads(text))
    if fmt == "jsonl":
        return [_keys(json.loads(line)) for line in text.splitlines()]
    if fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        lines = text.splitlines()
        return lines[0], [len(line.split(sep)) for line in lines]
    return [line.split(" ", 1)[0] for line in text.splitlines()]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", COMMANDS)
def test_same_shape_in_every_number_system(command, fmt):
    if command == "trace" and fmt in ("jsonl", "tsv"):
        pytest.skip("trace has no jsonl or tsv format")
    shapes = {name: shape(run(command, fmt, name), fmt) for name in SYSTEMS}
    assert shapes["digits"] == shapes["float64"]
    assert shapes["exact"] == shapes["float64"]


def test_precise_json_adds_only_the_number_system():
    obj = json.loads(run("grad", "json", "digits"))
    assert all(o["digits"] == 25 for o in obj)
    obj = json.loads(run("grad", "json", "exact"))
    assert all(o["exact"] is True for o in obj)


def test_grad_csv_columns_group_each_output_with_its_derivatives():
    """The --digits/--exact copy used to write f1,f2,df1/dx,… (issue 10)."""
    for system in SYSTEMS:
        header = run("grad", "csv", system).splitlines()[0]
        assert header == "x,y,f1,df1/dx,df1/dy,f2,df2/dx,df2/dy", system


def test_exact_mixed_partial_is_a_fraction():
    """It crashed with an internal error (exit 70) before (issue 10)."""
    r = CliRunner().invoke(cli, ["partial", "x^3*y", "--at", "x=1,y=2", "--wrt", "x,y",
                                 "--exact", "--format", "json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output)
    assert obj["partial"] == 3 and obj["exact"] is True
    r = CliRunner().invoke(cli, ["partial", "x^3*y", "--at", "x=1/3,y=2", "--wrt", "x,x,y",
                                 "--exact", "--format", "plain"])
    assert r.exit_code == 0, r.output
    assert "d3f/dxdxdy 2" in r.output.splitlines()
