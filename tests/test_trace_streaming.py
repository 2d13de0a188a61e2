"""A trace is written as it is made (issue 11: the 100,000-term fan's rows
were all built before a line was printed, 1 GB for 27 MB of text): its rows
are made when read, and the plain, markdown, LaTeX, CSV and JSON views hand
the command line their text in pieces.  What is written is the same text,
byte for byte, as the whole document."""

import json
import os
import subprocess
import sys

import pytest

import adcli
from adcli.modes import trace as T
from adcli.render import trace_view as V
from adcli.render.failed import FailedPoint
from adcli.render.registry import render
from adcli.render.results import dumps
from tests.child_process import readline_within, stopping

FAN = "+".join(f"sin({k}*x)" for k in range(1, 3001))  # 9,000 rows, ~1 MB of text
SHARED = "a = sin(x*y); a*a + a/x, exp(a)*y"


@pytest.fixture
def rows_made(monkeypatch):
    """How many rows have been made so far."""
    made = [0]
    make = T.Rows._row

    def counted(self, k):
        made[0] += 1
        return make(self, k)

    monkeypatch.setattr(T.Rows, "_row", counted)
    return made


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "latex"])
def test_the_first_piece_is_written_before_most_rows_are_made(rows_made, fmt):
    trace = adcli.compile(FAN).trace({"x": 0.5})
    assert rows_made[0] == 0  # computing the trace makes no row
    pieces = render("trace", fmt, [trace])
    first = next(iter(pieces))
    assert first and rows_made[0] < len(trace.rows) // 2


def test_the_plain_table_is_padded_alike_whether_spooled_in_memory_or_to_a_file(monkeypatch):
    trace = adcli.compile(FAN).trace({"x": 0.5}, mode="reverse")
    in_memory = "".join(V.plain_chunks(trace))
    monkeypatch.setattr(V, "SPOOL_IN_MEMORY", 1000)  # rolls over to a file at once
    spooled = "".join(V.plain_chunks(trace))
    assert spooled == in_memory
    head, first_row = in_memory.splitlines()[2:4]
    assert head.index("adjoint rule") == first_row.index("1 (seed)")  # padded columns


@pytest.mark.parametrize("several", [False, True])
def test_streamed_json_is_the_document_json_dumps_gives(several):
    fn = adcli.compile(SHARED)
    traces = [fn.trace({"x": 2, "y": 3}, mode="reverse")]
    if several:
        failed = FailedPoint(2, 3, "x=0,y=1", {"x": 0.0, "y": 1.0}, "division by zero")
        traces += [failed, fn.trace({"x": 1, "y": 2}, digits=25)]
    text = "".join(render("trace", "json", traces, several=several))
    objs = [t.json() if isinstance(t, FailedPoint) else V.to_json(t) for t in traces]
    assert text == dumps(objs if several else objs[0])
    assert json.loads(text) == json.loads(dumps(objs if several else objs[0]))


def test_the_python_api_reads_rows_as_a_sequence():
    trace = adcli.compile("x*x/3").trace({"x": 1}, digits=30, mode="reverse")
    rows = trace.rows
    assert len(rows) == 3 and [r.omega for r in rows] == [3, 2, 1]  # sweep order
    assert rows[-1].name == "x" and rows[0].output == "f"
    assert [r.omega for r in rows[1:]] == [2, 1]
    assert str(rows[0].value).startswith("0.333333333333333333333333333")  # as printed
    assert V.rule_text(trace, rows[0], "ascii") == "1 (seed)"
    with pytest.raises(IndexError):
        rows[3]


def test_a_reader_that_stops_early_ends_the_process_quietly(tmp_path):
    """`adcli trace … | head -1`: the trace stops at the closed pipe, no
    traceback, no "internal error"."""
    big = "+".join(f"sin({k}*x)" for k in range(1, 20001))
    (tmp_path / "fan.txt").write_text(big)
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "adcli"]
    proc = subprocess.Popen(cmd + ["trace", "-f", str(tmp_path / "fan.txt"), "--at", "x=0.5",
                                   "--format", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    with stopping(proc):
        first = readline_within(proc.stdout, 120)
        proc.stdout.close()
        _, err = proc.communicate(timeout=120)
    assert first.startswith(b"point,index,omega")
    assert b"Traceback" not in err and b"internal error" not in err
