"""``--engine dask [--scheduler ADDRESS]``: the batch's kernel over the shards
on a Dask cluster (``pip install 'adcli[dask]'``).

Each input shard is one partition of a ``dask.dataframe`` (CSV/TSV read as
text, Parquet as typed columns); ``map_partitions`` runs the same kernel as
the local engine on the workers.  The kernel travels as the command's
kernel factory, pickled (cloudpickle) with the formula, which a worker
parses again (``Function`` pickles as its source), so workers need adcli
installed, the same version.  Results come back to this process in shard
order and are written by the local engine's writers, so ``--out``, the
formats, the error column and the summary are the local engine's own.
Without ``--scheduler`` a ``LocalCluster`` (one single-threaded worker
process per core, on 127.0.0.1) is started and stopped.
"""

import json
import sys

from ..errors import UsageError

_KERNELS = {}


def _kernel(make_kernel, variables):
    """The kernel on a worker, built once per process and shard layout."""
    import cloudpickle

    key = (cloudpickle.dumps(make_kernel), tuple(variables))
    kernel = _KERNELS.get(key)
    if kernel is None:
        kernel = _KERNELS[key] = make_kernel(list(variables))
        if getattr(kernel, "variables", 0) is None:
            kernel.variables = list(variables)
    return kernel


def _to_arrow(frame):
    """A pandas frame as an Arrow table; text columns (CSV shards are read as
    text) with missing cells as nulls."""
    import pyarrow as pa
    from pandas.api.types import is_numeric_dtype

    arrays = []
    for name in frame.columns:
        col = frame[name]
        if is_numeric_dtype(col.dtype):
            arrays.append(pa.array(col.to_numpy()))
        else:
            arrays.append(pa.array([v if isinstance(v, str) and v != "" else None
                                    for v in col.tolist()], pa.string()))
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


def compute_partition(frame, make_kernel, variables, columns):
    """On a worker: one shard's inputs (a pandas frame) → the result columns,
    ``error`` and ``warnings`` (JSON text) as a pandas frame."""
    import numpy as np
    import pandas as pd

    from .arrow_io import to_float_columns

    table = _to_arrow(frame)
    errors = {}
    X = to_float_columns(table, variables, errors)
    kernel = _kernel(make_kernel, variables)
    V, errs, warns = kernel.compute(X, errors)
    errs = {**errs, **errors}
    n = len(frame)
    out = pd.DataFrame({c: V[:, j] if n else np.empty(0) for j, c in enumerate(columns)})
    # text columns without nulls ("" for none): Dask turns object columns into
    # Arrow strings, and a null there is a float to it
    out["error"] = [errs.get(i, "") for i in range(n)]
    out["warnings"] = [json.dumps(warns[i]) if i in warns else "" for i in range(n)]
    return out


def _read_shard(dd, shard, reader):
    if reader.format == "parquet":
        return dd.read_parquet(shard, split_row_groups=False)
    sep = "\t" if reader.format == "tsv" else ","
    return dd.read_csv(shard, sep=sep, dtype=str, blocksize=None, keep_default_na=False,
                       na_filter=False)


def _client(scheduler, workers):
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0")
    return Client(cluster), cluster


def run_dask(points, fn, make_kernel, *, fmt=None, input_format=None, digits=None, out=None,
             scheduler=None, stdout=None, stderr=None, workers=None, client=None):
    """Run a batch on Dask; the exit status as :func:`~adcli.batch.driver.run_points`."""
    try:
        import dask.dataframe as dd
        import pandas as pd  # noqa: F401
    except ImportError:
        raise UsageError("--engine dask needs Dask, which is not installed",
                         hint="pip install 'adcli[dask]'") from None
    from .arrow_io import ArrowChunk, to_float_columns
    from .driver import _ShardError, _Stats, _variables, default_jobs, open_reader
    from .output import Output, _ShardMismatch
    from .shards import expand_points

    if points == "-":
        raise UsageError("--engine dask reads files, not standard input",
                         hint="give --points FILE, a directory or a glob of shards")
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    shards = expand_points(points)
    output = Output(out, fmt, stdout)
    stats = _Stats(named=len(shards) > 1)
    plan = []  # (shard, reader, variables, kernel, delayed result)
    for shard in shards:
        try:
            parquet = str(shard).lower().endswith((".parquet", ".pq")) or \
                input_format == "parquet"
            stream = None if parquet else open(shard, "rb")  # noqa: SIM115
            try:
                reader = open_reader(shard, stream, input_format, parquet)
            finally:
                if stream is not None:
                    stream.close()
            if reader.format == "jsonl":
                raise UsageError("the Dask engine reads CSV, TSV and Parquet shards")
            variables = _variables(reader, list(fn.inputs))
            reader.bind(variables)
            kernel = make_kernel(variables)
            frame = _read_shard(dd, shard, reader)
            meta = {c: "f8" for c in kernel.columns}
            meta.update({"error": "str", "warnings": "str"})
            results = frame.map_partitions(compute_partition, make_kernel, variables,
                                           list(kernel.columns), meta=meta)
            plan.append((shard, reader, kernel, frame, results))
        except (UsageError, OSError) as exc:
            if len(shards) == 1:
                raise
            stats.bad_shard(shard, exc)
    own_client = client is None
    cluster = None
    if own_client:
        client, cluster = _client(scheduler, workers or default_jobs())
    try:
        window = max(2, len(client.scheduler_info().get("workers", {})) * 2)
        jobs = [(p, client.compute([p[3], p[4]])) for p in plan[:window]]
        queue = list(plan[window:])
        while jobs:
            (shard, reader, kernel, _frame, _res), future = jobs.pop(0)
            if queue:
                nxt = queue.pop(0)
                jobs.append((nxt, client.compute([nxt[3], nxt[4]])))
            try:
                inputs, results = [f.result() for f in future]
                _write(output, shard, reader, kernel, inputs, results, digits, stats,
                       ArrowChunk, to_float_columns)
            except _ShardMismatch as exc:
                stats.bad_shard(shard, _ShardError(exc.message))
            except Exception as exc:  # noqa: BLE001 - a worker's failure names its shard
                output.shard_failed()
                stats.bad_shard(shard, _ShardError(f"{type(exc).__name__}: {exc}"))
        output.finish()
    except BaseException:
        output.abandon()
        raise
    finally:
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
    return stats.report(stderr)


def _write(output, shard, reader, kernel, inputs, results, digits, stats, ArrowChunk,
           to_float_columns):
    import numpy as np

    writer = output.shared_writer(reader)
    if writer is None:
        writer = output.writer_for(shard, reader, kernel, digits)
    else:
        writer.reader = reader
    table = _to_arrow(inputs)
    errors = {}
    X = to_float_columns(table, reader.variables, errors)
    err = results["error"].tolist()
    errors = {i: e for i, e in enumerate(err) if e}
    warns = {i: json.loads(w) for i, w in enumerate(results["warnings"].tolist()) if w}
    V = np.column_stack([results[c].to_numpy(dtype=np.float64) for c in kernel.columns]) \
        if len(kernel.columns) else np.empty((len(inputs), 0))
    first = 2 if reader.format != "parquet" else 1
    chunk = ArrowChunk(table, X, errors, range(first, first + table.num_rows))
    writer.emit(writer.encode(chunk, V, errors, warns))
    reader.name = shard
    stats.add(chunk, errors, warns, str(shard).rsplit("/", 1)[-1])
    output.shard_done(writer)
