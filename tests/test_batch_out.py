"""--out FILE|DIR/, Parquet, shards (a directory or a glob), --jobs."""

import io
import os

import pytest

from adcli.batch import driver
from adcli.batch.driver import GradKernel, run_points
from tests.conftest import adcli_process

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is in the test extra")

import adcli  # noqa: E402

F = "x*y + sin(x)"


def _write_shards(folder, n=3, rows=4):
    folder.mkdir()
    for k in range(n):
        lines = ["x,y"] + [f"{k + i / 8!r},{1 - i / 5!r}" for i in range(rows)]
        (folder / f"part{k}.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_out_file_is_the_same_as_standard_output_and_appears_complete(run, tmp_path):
    text = "x,y\n1,2\n3,4\n"
    out = tmp_path / "r.csv"
    res = run("grad", F, "--points", "-", "--out", str(out), input=text)
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_text() == run("grad", F, "--points", "-", input=text).stdout
    assert os.listdir(tmp_path) == ["r.csv"]  # no temporary file left


def test_an_interrupted_run_leaves_no_complete_looking_output(tmp_path):
    fn = adcli.compile(F)

    class Interrupted(GradKernel):
        calls = 0

        def compute(self, X, skip):
            Interrupted.calls += 1
            if Interrupted.calls == 3:
                raise KeyboardInterrupt
            return super().compute(X, skip)

    text = "x,y\n" + "".join(f"{i},{i}\n" for i in range(100))
    out = tmp_path / "r.parquet"
    with pytest.raises(KeyboardInterrupt):
        run_points("-", lambda v: Interrupted(fn, v), needed=fn.inputs, out=str(out),
                   stdin=io.BytesIO(text.encode()), stderr=io.StringIO(), max_rows=10, jobs=1)
    assert os.listdir(tmp_path) == []


def test_parquet_in_and_out_has_the_numbers_of_the_csv_path(run, tmp_path):
    text = "id,x,y\n" + "".join(f"r{i},{i / 7!r},{2 - i / 3!r}\n" for i in range(50))
    (tmp_path / "p.csv").write_text(text)
    assert run("eval", "x + 0*y", "--points", str(tmp_path / "p.csv"), "--out",
               str(tmp_path / "p.parquet")).exit_code == 0
    # the Parquet file of eval's output, renamed so its `f` is not a result name
    table = pq.read_table(tmp_path / "p.parquet").drop(["f", "error"])
    pq.write_table(table, tmp_path / "in.parquet")
    res = run("grad", F, "--points", str(tmp_path / "in.parquet"), "--out",
              str(tmp_path / "out.parquet"))
    assert res.exit_code == 0, res.stderr
    got = pq.read_table(tmp_path / "out.parquet").to_pylist()
    csv_rows = run("grad", F, "--points", str(tmp_path / "p.csv")).stdout.splitlines()[1:]
    assert len(got) == 50
    for row, line in zip(got, csv_rows, strict=True):
        cells = line.split(",")
        assert row["id"] == cells[0] and row["error"] is None
        assert [row["f"], row["df/dx"], row["df/dy"]] == [float(c) for c in cells[3:6]]
    assert list(got[0]) == ["id", "x", "y", "f", "df/dx", "df/dy", "error"]


def test_a_directory_of_shards_gives_one_output_shard_each_and_a_bad_shard_is_named(
        run, tmp_path):
    shards = _write_shards(tmp_path / "in")
    (shards / "part9.csv").write_text("a,b\n1,2\n")  # no x, y: a bad shard
    res = run("grad", F, "--points", str(shards), "--out", str(tmp_path / "out") + "/")
    assert res.exit_code == 1
    assert "part9.csv" in res.stderr and "no column for `x`" in res.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["part0.csv", "part1.csv", "part2.csv"]
    for k in range(3):
        want = run("grad", F, "--points", str(shards / f"part{k}.csv")).stdout
        assert (tmp_path / "out" / f"part{k}.csv").read_text() == want


def test_a_glob_of_shards_to_one_stream_has_one_header_in_shard_order(run, tmp_path):
    shards = _write_shards(tmp_path / "in")
    res = run("grad", F, "--points", str(shards / "part*.csv"), "--format", "tsv")
    lines = res.stdout.splitlines()
    assert res.exit_code == 0 and len(lines) == 13
    assert lines[0].startswith("x\ty\tf") and lines[1].startswith("0.0\t1.0\t0\t")
    assert lines[5].startswith("1.0\t1.0\t")


def test_jobs_keep_the_order_and_the_numbers(tmp_path):
    fn = adcli.compile(F)
    text = "x,y\n" + "".join(f"{i / 13!r},{i / 17!r}\n" for i in range(2000))
    outs = []
    for jobs in (1, 2, 4):
        out = io.StringIO()
        run_points("-", lambda v: GradKernel(fn, v), needed=fn.inputs, stdout=out,
                   stdin=io.BytesIO(text.encode()), stderr=io.StringIO(), max_rows=64,
                   jobs=jobs)
        outs.append(out.getvalue())
    assert outs[0] == outs[1] == outs[2]
    assert outs[0].count("\n") == 2001


def test_out_suffix_and_format_must_agree(run, tmp_path):
    res = run("eval", "x", "--points", "-", "--out", str(tmp_path / "r.xlsx"), input="x\n1\n")
    assert res.exit_code == 2 and ".xlsx" in res.stderr
    res = run("eval", "x", "--points", "-", "--out", str(tmp_path / "r.csv"), "--format",
              "jsonl", input="x\n1\n")
    assert res.exit_code == 2 and "disagree" in res.stderr
    res = run("eval", "x", "--at", "x=1", "--out", str(tmp_path / "r.csv"))
    assert res.exit_code == 2 and "--points" in res.stderr


def test_default_jobs_is_the_cores_available():
    assert driver.default_jobs() == len(os.sched_getaffinity(0))


def test_parquet_shards_in_a_real_process(tmp_path):
    import pyarrow as pa

    (tmp_path / "in").mkdir()
    for k in range(2):
        pq.write_table(pa.table({"x": [1.0 + k, 2.0], "y": [3.0, 4.0 + k]}),
                       tmp_path / "in" / f"s{k}.parquet")
    res = adcli_process("grad", "x*y", "--points", str(tmp_path / "in"), "--out",
                        str(tmp_path / "out") + "/", "--jobs", "2")
    assert res.returncode == 0, res.stderr
    rows = pq.read_table(tmp_path / "out" / "s1.parquet").to_pylist()
    assert rows[0] == {"x": 2.0, "y": 3.0, "f": 6.0, "df/dx": 3.0, "df/dy": 2.0,
                       "error": None}


def test_parquet_output_gathers_chunks_into_row_groups(run, tmp_path, monkeypatch):
    from adcli.batch import arrow_io

    monkeypatch.setattr(arrow_io, "MAX_ROWS", 7)
    monkeypatch.setattr(arrow_io, "ROW_GROUP", 20)
    text = "x,y\n" + "".join(f"{i / 3!r},{i / 5!r}\n" for i in range(50))
    (tmp_path / "in.csv").write_text(text)
    res = run("grad", F, "--points", str(tmp_path / "in.csv"), "--out",
              str(tmp_path / "out.parquet"))
    assert res.exit_code == 0, res.stderr
    meta = pq.ParquetFile(tmp_path / "out.parquet").metadata
    # chunks of 7 rows gathered to >= 20 rows: 21, 21, then the last 8
    assert [meta.row_group(k).num_rows for k in range(meta.num_row_groups)] == [21, 21, 8]
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    lines = run("grad", F, "--points", str(tmp_path / "in.csv")).stdout.splitlines()[1:]
    assert [[r["x"], r["y"], r["f"], r["df/dx"], r["df/dy"]] for r in rows] == [
        [c[0], c[1], *map(float, c[2:5])] for c in (line.split(",") for line in lines)]


@pytest.mark.parametrize("command", [
    ["hessian", "x*y + sin(x)"],
    ["taylor", "x*y + sin(x)", "--wrt", "x", "--order", "3"],
    ["partial", "x*y + sin(x)", "--wrt", "x,y"],
    ["check", "x*y + sqrt(x)"],
])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_point_by_point_commands_run_in_processes_with_the_same_rows(run, monkeypatch, command,
                                                                   fmt):
    """hessian, taylor, partial and check compute per point in Python: with
    --jobs 2 their chunks go to forked processes, and every row (values,
    the JSON objects, the bad rows and the summary) is what one job gives."""
    if not driver._can_fork():
        pytest.skip("no fork on this platform: these commands run on one core")
    lines = [f"{i / 40!r},{1 + i / 17!r}" for i in range(300)]
    lines[57] = "-1,2"  # sqrt(-1): a domain error (check), or fine elsewhere
    lines[200] = "1,x"
    text = "x,y\n" + "\n".join(lines) + "\n"
    one = run(*command, "--points", "-", "--format", fmt, "--jobs", "1", input=text)
    forked = []
    in_processes = driver._Job._in_processes
    monkeypatch.setattr(driver._Job, "_in_processes",
                        lambda *a: forked.append(1) or in_processes(*a))
    two = run(*command, "--points", "-", "--format", fmt, "--jobs", "2", input=text)
    assert forked
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert len(one.stdout.splitlines()) == 301 if fmt == "csv" else 300


def test_rows_too_wide_for_a_chunk_of_16_stay_in_one_process(run, monkeypatch):
    """A chunk bounded by cells to a few rows (a 1,000-variable Hessian)
    would ship a million cells a row between processes: no fork."""
    monkeypatch.setattr(driver, "CHUNK_CELLS", 60)  # 10 cells a row: 6 rows a chunk
    monkeypatch.setattr(driver._Job, "_in_processes", lambda *a: pytest.fail("forked"))
    text = "x,y\n" + "".join(f"{i},{i + 1}\n" for i in range(40))
    res = run("hessian", "x*y + sin(x)", "--points", "-", "--jobs", "2", input=text)
    assert res.exit_code == 0, res.stderr
    assert len(res.stdout.splitlines()) == 41
