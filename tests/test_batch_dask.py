"""--engine dask: the same rows as the local engine, on a LocalCluster on
loopback (the dask extra is in the test extra, so CI runs this)."""

import io
import os

import pytest

pytest.importorskip("distributed", reason="dask and distributed are in the test extra")
pa = pytest.importorskip("pyarrow")

import pyarrow.parquet as pq  # noqa: E402

import adcli  # noqa: E402
from adcli.batch.dask_engine import run_dask  # noqa: E402
from adcli.batch.driver import GradKernel, run_points  # noqa: E402

F = "x*y + sin(x) + exp(-y^2/2)*cos(x*y)"


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0")
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def _shards(folder):
    folder.mkdir()
    for k in range(3):
        x = [k + i / 7 for i in range(40)]
        y = [1 - i / 9 for i in range(40)]
        pq.write_table(pa.table({"id": [f"{k}-{i}" for i in range(40)], "x": x, "y": y}),
                       folder / f"part{k}.parquet")
    (folder / "part3.csv").write_text("id,x,y\nc-0,1,2\nc-1,0.5,oops\n")
    return folder


def _local(points, fmt):
    fn = adcli.compile(F)
    out, err = io.StringIO(), io.StringIO()
    status = run_points(str(points), lambda v: GradKernel(fn, v), needed=fn.inputs, fmt=fmt,
                        stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_dask_gives_every_row_of_the_local_engine(client, tmp_path, fmt):
    shards = _shards(tmp_path / "in")
    fn = adcli.compile(F)
    out, err = io.StringIO(), io.StringIO()
    status = run_dask(str(shards), fn, lambda v: GradKernel(fn, v), fmt=fmt, stdout=out,
                      stderr=err, client=client)
    want = _local(shards, fmt)
    assert status == want[0] == 1  # the bad row of part3.csv
    assert out.getvalue() == want[1]
    assert "oops" in err.getvalue()


def test_dask_writes_one_output_shard_per_input_shard(client, tmp_path):
    shards = _shards(tmp_path / "in")
    (shards / "part3.csv").unlink()
    fn = adcli.compile(F)
    status = run_dask(str(shards), fn, lambda v: GradKernel(fn, v),
                      out=str(tmp_path / "out") + "/", stdout=io.StringIO(),
                      stderr=io.StringIO(), client=client)
    assert status == 0
    assert sorted(os.listdir(tmp_path / "out")) == [f"part{k}.parquet" for k in range(3)]
    rows = pq.read_table(tmp_path / "out" / "part1.parquet").to_pylist()
    ref = fn.gradient({"x": rows[5]["x"], "y": rows[5]["y"]})
    assert rows[5]["f"] == ref.values[0] and rows[5]["df/dx"] == ref.jacobian[0]["x"]


def test_engine_dask_on_the_command_line_starts_a_local_cluster(run, tmp_path):
    (tmp_path / "in").mkdir()
    pq.write_table(pa.table({"x": [2.0], "y": [3.0]}), tmp_path / "in" / "a.parquet")
    res = run("grad", "x*y", "--points", str(tmp_path / "in"), "--engine", "dask",
              "--format", "csv")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines() == ["x,y,f,df/dx,df/dy,error", "2,3,6,3,2,"]


def test_json_lines_shards_on_dask_give_the_rows_of_the_local_engine(client, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):
        lines = [f'{{"x": {k + i / 7!r}, "y": {1 - i / 9!r}, "tag": "s{k}-{i}"}}'
                 for i in range(30)]
        if k == 1:
            lines[4] = '{"x": 1, "y": "oops"}'
        (folder / f"part{k}.jsonl").write_text("\n".join(lines) + "\n")
    fn = adcli.compile(F)
    out, err = io.StringIO(), io.StringIO()
    status = run_dask(str(folder), fn, lambda v: GradKernel(fn, v), fmt="jsonl", stdout=out,
                      stderr=err, client=client)
    want = _local(folder, "jsonl")
    assert status == want[0] == 1
    assert out.getvalue() == want[1]
    assert err.getvalue() == want[2]
    assert "line 5 of part1.jsonl" in err.getvalue()


def test_each_worker_writes_its_own_output_shard(client, tmp_path):
    """With --out DIR/ a worker reads its shard and writes its output shard
    itself: only the statistics come back, no rows."""
    from adcli.batch.dask_engine import run_shard

    shards = _shards(tmp_path / "in")
    fn = adcli.compile(F)
    dest = str(tmp_path / "out") + "/"
    future = client.submit(run_shard, str(shards / "part3.csv"), lambda v: GradKernel(fn, v),
                           list(fn.inputs), fmt="csv", out=dest, pure=False)
    stats, notes, chunks = future.result()
    assert chunks is None and notes == ""
    assert (stats.rows, stats.failed) == (2, 1)
    assert "line 3 of part3.csv" in stats.first_error[0]
    rows = (tmp_path / "out" / "part3.csv").read_text().splitlines()
    assert rows[0] == "id,x,y,f,df/dx,df/dy,error" and rows[2].startswith("c-1,0.5,oops,,,,")
    assert not [n for n in os.listdir(tmp_path / "out") if n.startswith(".")]


def test_jit_on_dask_gives_the_rows_of_the_local_jit(client, tmp_path):
    """--jit --engine dask: each worker compiles the kernel (a loaded
    library cannot be pickled) and gives the rows local --jit gives."""
    shards = _shards(tmp_path / "in")
    fn = adcli.compile(F)
    out, err = io.StringIO(), io.StringIO()
    status = run_dask(str(shards), fn, lambda v: GradKernel(fn, v), fmt="csv", stdout=out,
                      stderr=err, client=client, jit=True)
    local_out, local_err = io.StringIO(), io.StringIO()
    want = run_points(str(shards), lambda v: GradKernel(fn, v), needed=fn.inputs, fmt="csv",
                      stdout=local_out, stderr=local_err, jit=True)
    assert status == want == 1
    assert out.getvalue() == local_out.getvalue()
    assert err.getvalue() == local_err.getvalue()


def test_a_dask_shard_with_jit_runs_through_the_compiled_kernel(tmp_path, monkeypatch):
    from adcli.batch.dask_engine import run_shard
    from adcli.codegen import jit

    compiled = []

    def spy(kernel, stderr=None, note=None):
        compiled.append(kernel)
        return kernel

    monkeypatch.setattr(jit, "jit_kernel", spy)
    shards = _shards(tmp_path / "in")
    fn = adcli.compile(F)
    stats, _notes, _chunks = run_shard(str(shards / "part3.csv"), lambda v: GradKernel(fn, v),
                                       list(fn.inputs), fmt="csv", out=None, jit=True)
    assert stats.rows == 2 and len(compiled) == 1
