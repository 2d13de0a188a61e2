"""``--engine dask [--scheduler ADDRESS]``: the batch's shards on a Dask
cluster (``pip install 'adcli[dask]'``).

Each input shard is one task (``client.map``) that runs the local engine on
that shard, on a worker: the worker reads the shard itself, computes with
the same kernel, and encodes the rows with the same writers, so formats,
the ``error`` column and the summary are the local engine's own.

- ``--out DIR/``: the worker writes its own output shard (under a temporary
  name, renamed when complete); only the row counts and the first error
  come back, so results never pass through this process.
- one stream (standard output or ``--out FILE``): the worker sends back its
  shard's encoded chunks (CSV/TSV/JSON text, or Arrow tables for Parquet),
  which this process writes in shard order.

Why not ``dask.dataframe``: a partition is a pandas frame, so every shard
was converted Arrow → pandas → Arrow on the worker and the results sent to
the client as pandas (30% of the local engine's throughput); adcli's own
readers stream each shard a record batch at a time on the worker.

The kernel travels as the command's kernel factory, pickled (cloudpickle)
with the formula, which a worker parses again (``Function`` pickles as its
source), so workers need adcli installed, the same version.  Without
``--scheduler`` a ``LocalCluster`` (one single-threaded worker process per
core, on 127.0.0.1) is started and stopped.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import UsageError
from .driver import (
    Kernel,
    _Job,
    _ShardError,
    _Stats,
    _variables,
    default_jobs,
    open_reader,
    tune_malloc,
)
from .output import Output, _ShardMismatch, make_writer
from .shards import expand_points

if TYPE_CHECKING:
    from ..arguments import FunctionLike


class _Collect:
    """An Output for a worker whose rows go back to the client: the writer
    encodes each chunk as usual, and the encoded chunks are kept."""

    def __init__(self, fmt):
        self.fmt = fmt
        self.chunks = []

    def shared_writer(self, reader):
        return None

    def writer_for(self, shard, reader, kernel, digits, arrow_later=False):
        writer = make_writer(self.fmt, reader, kernel, io.StringIO(), digits)
        writer.emit = self.chunks.append  # encoded chunks, in order (no header)
        return writer

    def shard_done(self, writer):
        pass

    def shard_failed(self):
        self.chunks = []

    abandon = shard_failed


def run_shard(shard: str, make_kernel: Callable[[list[str]], Kernel], needed: Sequence[str],
              *, fmt: str | None, out: str | None, input_format: str | None = None,
              digits: int | None = None, source: str | None = None, jobs: int = 1,
              named: bool = True, jit: bool = False) -> tuple[_Stats, str, list | None]:
    """On a worker: the local engine on one shard.  With ``out`` (a
    directory) the output shard is written there; else the encoded chunks
    are returned.  ``jit``: the worker compiles the kernel itself (a
    compiled library cannot be pickled; its disk cache is shared by the
    workers of one machine).  Returns ``(stats, notes, chunks)``."""
    tune_malloc()  # (Dask's workers start with MALLOC_TRIM_THRESHOLD_=65536)

    stats = _Stats(named=named)
    notes = io.StringIO()
    job = _Job(make_kernel, needed, input_format, digits, None, None, source, jobs, stats,
               notes, False, jit)
    output = Output(out, fmt, None) if out is not None else _Collect(fmt)
    try:
        job.run_shard(shard, output)
    except (UsageError, OSError, _ShardError) as exc:
        stats.bad_shard(shard, exc)
    except BaseException:
        output.abandon()  # no complete-looking output shard
        raise
    chunks = getattr(output, "chunks", None)
    return stats, notes.getvalue(), chunks


def _client(scheduler, workers):
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    # the HTTP server on a free loopback port: 8787 may be taken by another cluster
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0")
    return Client(cluster), cluster


def run_dask(points: str, fn: FunctionLike, make_kernel: Callable[[list[str]], Kernel], *,
             fmt: str | None = None, input_format: str | None = None, digits: int | None = None,
             out: str | None = None, scheduler: str | None = None, stdout: TextIO | None = None,
             stderr: TextIO | None = None, workers: int | None = None, client: Any = None,
             jit: bool = False) -> int:
    """Run a batch on Dask; the exit status as :func:`~adcli.batch.driver.run_points`."""
    _check_dask_can_run(points)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    shards = expand_points(points)
    output = Output(out, fmt, stdout)
    if output.fmt == "json" and len(shards) > 1 and not output.directory:
        raise UsageError("`format` json makes one array: not from several shards",
                         hint="use `format` jsonl (one object per line), or `out` DIR/",
                         params=("format", "out"))
    readers = _readers(shards, input_format, list(fn.inputs), output, len(shards) == 1)
    named = len(shards) > 1
    stats = _Stats(named=named)
    own_client = client is None
    cluster = None
    if own_client:
        client, cluster = _client(scheduler, workers or default_jobs())
    try:
        futures = {
            shard: client.submit(run_shard, shard, make_kernel, list(fn.inputs), fmt=fmt_,
                                 out=out if output.directory else None,
                                 input_format=input_format, digits=digits, source=fn.source,
                                 named=named, jit=jit, pure=False)
            for shard, (reader, fmt_) in readers.items() if fmt_ is not None}
        for shard, (reader, _fmt) in readers.items():  # in shard order
            if shard not in futures:
                stats.bad_shard(shard, reader)
                continue
            try:
                shard_stats, notes, chunks = futures.pop(shard).result()
            except Exception as exc:  # noqa: BLE001 - a worker's failure names its shard
                stats.bad_shard(shard, _ShardError(f"{type(exc).__name__}: {exc}"))
                continue
            stderr.write(notes)
            if chunks is not None and not shard_stats.bad_shards:
                _write_stream(output, shard, reader, make_kernel, chunks, digits, stats,
                              _ShardError)
            stats.merge(shard_stats)
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


def _check_dask_can_run(points: str) -> None:
    """Dask is installed and ``points`` are files (a worker cannot read our stdin)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError("`engine` dask needs Dask, which is not installed",
                         hint="pip install 'adcli[dask]'", params=("engine",)) from None

    if points == "-":
        raise UsageError("`engine` dask reads files, not standard input",
                         hint="give `points` FILE, a directory or a glob of shards",
                         params=("engine", "points"))


def _readers(shards, input_format, needed, output, single):
    """Each shard's reader (its columns and format), opened here to check
    the header before any work is sent; a shard that cannot be opened maps
    to its error (one file alone: the usage error is raised)."""
    import os


    readers = {}
    for shard in shards:
        stream = None
        try:
            parquet = input_format == "parquet" or (
                input_format is None and str(shard).lower().endswith((".parquet", ".pq")))
            stream = None if parquet else open(shard, "rb")  # noqa: SIM115
            reader = open_reader(shard, stream, input_format, parquet)
            reader.bind(_variables(reader, needed))
            reader.name = os.path.basename(str(shard))
            readers[shard] = (reader, output.format_for(reader))
        except (UsageError, OSError) as exc:
            if single:
                raise
            readers[shard] = (exc, None)
        finally:
            if stream is not None:
                stream.close()
    return readers


def _write_stream(output, shard, reader, make_kernel, chunks, digits, stats, _ShardError):
    """The worker's encoded chunks into the one output stream, in shard order."""
    try:
        writer = output.shared_writer(reader)
    except _ShardMismatch as exc:
        stats.bad_shard(shard, _ShardError(exc.message))
        return
    if writer is None:
        writer = output.writer_for(shard, reader, make_kernel(reader.variables), digits)
    for data in chunks:
        writer.emit(data)
    output.shard_done(writer)
