"""One failed point among several ``--at`` points keeps its place in every
output format: the reader sees which point failed and why, and a table row
is as wide as the header (issue 11: the failed point's row was left out)."""

import csv
import io
import json

import pytest

from .conftest import adcli_process

POINTS = ("--at", "x=1", "--at", "x=-1", "--at", "x=2")
WHY = "log(-1) is undefined (at ω2)"

COMMANDS = [
    ("eval",), ("grad",), ("hessian",), ("check",), ("taylor", "--order", "2"),
    ("partial", "--wrt", "x,x"), ("grad", "--dir", "x=1"), ("grad", "--cotangent", "1"),
    ("grad", "--digits", "25"), ("hessian", "--digits", "30"),
]


def _rows(text, sep=","):
    return list(csv.reader(io.StringIO(text), delimiter=sep))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_a_failed_point_is_a_row_as_wide_as_the_header_with_its_reason(run, command, fmt,
                                                                        sep):
    res = run(command[0], "log(x)", *POINTS, *command[1:], "--format", fmt)
    assert res.exit_code == 1
    header, *rows = _rows(res.stdout, sep)
    assert header[0] == "x" and header[-1] == "error"
    assert [len(r) for r in rows] == [len(header)] * 3
    assert [r[0] for r in rows] == ["1", "-1", "2"]  # in the order given
    assert [r[-1] for r in rows] == ["", WHY, ""]
    assert set(rows[1][1:-1]) == {""}  # no number for the failed point
    assert rows[2][header.index("x")] == "2" and rows[2][1] != ""


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_check_sweep_writes_the_failed_point_as_a_row_too(run, fmt, sep):
    # Issue 11: the --sweep table left the failed point out.
    res = run("check", "log(x)", *POINTS, "--sweep", "--format", fmt)
    assert res.exit_code == 1
    header, *rows = _rows(res.stdout, sep)
    assert header == ["x", "derivative", "h", "forward", "central", "ad", "error"]
    assert {len(r) for r in rows} == {len(header)}
    assert [r[0] for r in rows] == ["1"] * 14 + ["-1"] + ["2"] * 14  # in the order given
    assert rows[14][1:] == [""] * 5 + [WHY]
    assert {r[-1] for r in rows[:14] + rows[15:]} == {""}


@pytest.mark.parametrize("command", COMMANDS + [("check", "--sweep")], ids=" ".join)
def test_a_failed_point_is_an_error_object_in_its_place_in_json(run, command):
    res = run(command[0], "log(x)", *POINTS, *command[1:], "--format", "json")
    assert res.exit_code == 1
    objs = json.loads(res.stdout)
    assert len(objs) == 3
    assert objs[1]["error"] == WHY and objs[1]["at"] == "x=-1"
    assert "error" not in objs[0] and "error" not in objs[2]
    lines = run(command[0], "log(x)", *POINTS, *command[1:], "--format", "jsonl").stdout
    assert [json.loads(line).get("error") for line in lines.splitlines()] == [None, WHY, None]


@pytest.mark.parametrize("command", COMMANDS + [("trace",), ("check", "--sweep")],
                         ids=" ".join)
@pytest.mark.parametrize("fmt", ["plain", "text"])
def test_a_failed_point_is_named_in_its_place_in_plain_and_on_a_terminal(run, command, fmt):
    res = run(command[0], "log(x)", *POINTS, *command[1:], "--format", fmt)
    assert res.exit_code == 1
    out = res.stdout
    if fmt == "plain" or "--digits" in command:  # plain: ASCII (w2 for ω₂)
        assert WHY.replace("ω", "w") in out and out.isascii()
    else:
        assert WHY in out
    if command == ("check",) and fmt == "text":  # one summary table: its row says error
        assert "│ -1 │ error" in out
    else:
        assert "point 2 of 3 (--at x=-1)" in out
    assert "Traceback" not in res.output


def test_a_point_that_does_not_parse_is_shown_too(run):
    res = run("grad", "log(x)", "--at", "x=1", "--at", "x=oops", "--format", "csv")
    assert res.exit_code == 1  # as a --points batch with a failed row
    header, first, second = _rows(res.stdout)
    assert header == ["x", "f", "df/dx", "error"]
    assert second[:3] == ["", "", ""] and "oops" in second[3]
    obj = json.loads(run("grad", "log(x)", "--at", "x=1", "--at", "x=oops",
                         "--format", "json").stdout)[1]
    assert obj["at"] == "x=oops" and "point" not in obj and "oops" in obj["error"]


def test_no_error_column_when_every_point_is_good(run):
    res = run("grad", "log(x)", "--at", "x=1", "--at", "x=2", "--format", "csv")
    assert res.exit_code == 0
    assert _rows(res.stdout)[0] == ["x", "f", "df/dx"]


def test_an_error_with_a_comma_is_one_quoted_cell(run):
    res = run("grad", "x*y", "--at", "x=1,y=2", "--at", "x=1", "--format", "csv")
    header, first, second = _rows(res.stdout)
    assert len(second) == len(header) and "no value" in second[-1]


@pytest.mark.parametrize("fmt", ["csv", "markdown", "latex", "json", "plain", "text"])
def test_trace_shows_the_failed_point_in_every_format(run, fmt):
    res = run("trace", "log(x)", *POINTS, "--format", fmt, "--no-stats")
    assert res.exit_code == 1
    if fmt == "csv":
        header, *rows = _rows(res.stdout)
        assert header[0] == "point" and header[-1] == "error"
        assert {len(r) for r in rows} == {len(header)}
        assert [r[0] for r in rows] == ["1", "1", "2", "3", "3"]  # whose ω step a row is
        assert rows[2][-1] == WHY and set(rows[2][1:-1]) == {""}
    elif fmt == "json":
        assert json.loads(res.stdout)[1]["error"] == WHY
    else:
        assert "point 2 of 3 (--at x=-1)" in res.stdout and "log(-1) is undefined" in res.stdout


def test_sparse_output_shows_the_failed_point(run):
    res = run("grad", "log(x)*y", "--sparse", "--at", "x=1,y=2", "--at", "x=-1,y=1",
              "--format", "csv")
    header, *rows = _rows(res.stdout)
    assert header[0] == "point" and header[-1] == "error"
    assert {len(r) for r in rows} == {len(header)}
    assert rows[-1][0] == "2" and "log(-1)" in rows[-1][-1]


def test_a_real_process_writes_every_point_and_exits_1():
    res = adcli_process("grad", "log(x)", *POINTS, "--format", "csv")
    assert res.returncode == 1
    assert _rows(res.stdout)[2] == ["-1", "", "", WHY]
    assert "1 of 3 points failed" in res.stderr
