"""Several ``--at`` points: table rows line up under one header whatever
order each point names its variables in, and one bad point does not take
the good ones down with it (as a ``--points`` batch)."""

import csv
import io

import pytest

SCRAMBLED = ("--at", "x=1,y=2", "--at", "y=3,x=4")


def _table(text, sep=","):
    return list(csv.reader(io.StringIO(text), delimiter=sep))


@pytest.mark.parametrize("command, extra", [
    ("eval", ()), ("grad", ()), ("hessian", ()), ("check", ()),
    ("grad", ("--digits", "20")), ("grad", ("--exact",)), ("hessian", ("--exact",)),
])
@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_points_in_another_order_keep_their_columns(run, command, extra, fmt, sep):
    res = run(command, "x*y", *SCRAMBLED, "--format", fmt, *extra)
    assert res.exit_code == 0, res.output
    header, first, second = _table(res.output, sep)
    assert header[:3] == ["x", "y", "f"]
    row = dict(zip(header, second))
    assert (row["x"], row["y"], row["f"]) == ("4", "3", "12")
    if command != "eval":
        assert float(row["df/dx"]) == pytest.approx(3) and float(row["df/dy"]) == pytest.approx(4)


def test_a_later_point_with_an_extra_variable_keeps_every_row_as_wide_as_the_header(run):
    res = run("grad", "x*y", "--at", "x=1,y=2", "--at", "y=3,x=4,z=1", "--format", "csv")
    assert res.exit_code == 0, res.output
    rows = _table(res.output)
    assert {len(r) for r in rows} == {len(rows[0])}
    assert rows[0] == ["x", "y", "z", "f", "df/dx", "df/dy", "df/dz"]
    assert rows[1] == ["1", "2", "", "2", "2", "1", ""]
    assert rows[2] == ["4", "3", "1", "12", "3", "4", "0"]


@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "check"])
def test_one_bad_point_of_several_reports_it_and_writes_the_others(run, command):
    res = run(command, "log(x)", "--at", "x=1", "--at", "x=-1", "--at", "x=nan",
              "--at", "x=2", "--format", "csv")
    assert res.exit_code == 1
    rows = _table(res.stdout)
    assert [r[0] for r in rows] == ["x", "1", "-1", "", "2"]  # every point in its place
    assert "point 2 of 4 (--at x=-1): log(-1)" in res.stderr
    assert "point 3 of 4 (--at x=nan)" in res.stderr
    assert "2 of 4 points failed" in res.stderr
    assert "Traceback" not in res.output


def test_every_point_bad_writes_nothing_and_exits_with_the_error(run):
    res = run("grad", "log(x)", "--at", "x=-1", "--at", "x=-2", "--format", "csv")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert "point 1 of 2" in res.stderr and "point 2 of 2" in res.stderr


def test_one_variable_per_at_says_that_each_at_is_a_point(run):
    res = run("grad", "x*y", "--at", "x=2", "--at", "y=3")
    assert res.exit_code == 2
    assert "each --at is a separate point" in res.stderr
    assert "--at x=2,y=3" in res.stderr
    assert "give it with --at" not in res.stderr


@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "check", "trace"])
def test_json_of_several_points_stays_an_array_when_only_one_is_left(run, command):
    import json

    res = run(command, "log(x)", "--at", "x=2", "--at", "x=-1", "--format", "json")
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert isinstance(out, list) and len(out) == 2
    assert out[1] == {"error": "log(-1) is undefined (at ω2)", "at": "x=-1",
                      "point": {"x": -1.0}}
    one = json.loads(run(command, "log(x)", "--at", "x=2", "--format", "json").stdout)
    assert isinstance(one, dict)


def test_a_point_missing_a_variable_among_full_ones_gets_a_hint_that_fits(run):
    res = run("grad", "x*y", "--at", "x=1,y=2", "--at", "x=3", "--format", "csv")
    assert res.exit_code == 1
    assert "e.g. --at x=…,y=…" in res.stderr
    assert "x=1,y=2,x=3" not in res.stderr  # not every --at glued into one
