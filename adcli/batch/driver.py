"""The batch driver: read points in chunks, compute, write, report.

A command plugs in with a *kernel factory*: a function that receives the
variables (the formula's inputs, in the order of the input's columns) and
returns a :class:`Kernel`.  ``eval`` and ``grad`` use the vectorised
:class:`EvalKernel` and :class:`GradKernel`; any other command (``hessian``,
``taylor``) can use :class:`PointKernel`, which calls a scalar function per
row, and gets streaming, every input and output format, bad-row reporting,
the progress bar and the exit status for free::

    from adcli.batch import PointKernel, run_points

    def make_kernel(variables):
        names = ["f"] + [f"df/d{v}" for v in variables] + [
            f"d2f/d{a}d{b}" for a in variables for b in variables]
        return PointKernel(
            names,
            compute=lambda point: fn.hessian(point),          # may raise AdcliError
            cells=lambda r: [r.value, *r.gradient.values(),
                             *[h for row in r.hessian.values() for h in row.values()]],
            to_json=lambda r: hessian_json(r),                 # the single-point shape
            warnings=lambda r: [w.message for w in r.warnings],
        )

    status = run_points(points, make_kernel, needed=fn.inputs, fmt=fmt,
                        input_format=input_format, digits=digits)
    sys.exit(status)

(``opt.points_options`` in ``adcli/cli/options.py`` adds the ``--points``,
``--input-format`` and ``--digits`` options; ``opt.run_batch`` does the
``--at`` check and the call; :mod:`adcli.batch.kernels` has every command's
kernel factory.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, TextIO

from ..errors import AdcliError, UsageError
from ..modes.engine import choose_mode
from ..primitives import CONSTANTS
from ..render.errors import format_note, stderr_columns, wrap_lines
from ..render.results import derivative_label, eval_json, grad_json
from ..results import Derivatives, Evaluation
from .output import (  # noqa: F401  (_need_arrow and arrow_available are re-exported)
    WIDE_COLUMNS,
    Output,
    _need_arrow,
    _ShardMismatch,
    arrow_available,
    make_writer,
)
from .reader import ARROW_MAX_ROWS, DelimitedHead, PointReader, open_points
from .reader import MAX_ROWS as TEXT_MAX_ROWS
from .shards import expand_points

if TYPE_CHECKING:
    import numpy as np

    from ..arguments import FunctionLike, Names

# what a kernel's compute returns: (V, {row: error}, {row: [warning messages]})
Computed = tuple["np.ndarray", dict[int, str], dict[int, list[str]]]
# the rows a compiled kernel flags for the scalar engine (a boolean mask), or None
Flagged = Any

CHUNK_CELLS = 1 << 21  # cells (inputs and results) per chunk: ~16 MB of float64
# tape steps × rows per chunk of a NumPy kernel: its sweeps hold every step's
# value and partials (up to ~4 float64 columns a step) until the chunk is done,
# so rows times steps, not rows alone, is what memory grows with (250,000 rows
# of a 1,199-step formula in chunks of 16,384 rows peaked at 627 MB; 237 MB in
# chunks of 3,498, at the same CPU time)
TAPE_CELLS = 1 << 22
# but never fewer rows than this to a NumPy chunk: each step costs ~3 µs of
# calls per chunk whatever its rows, ~12 ns a row, so fewer rows would make
# the cost grow as steps² (CPU +20% at 1,024 rows, +90% at 256); memory then
# grows with the formula's length (as its tape does), never with the rows
MIN_SWEEP_ROWS = 1024


def chunk_rows(max_rows: int, width: int, tape_steps: int = 0) -> int:
    """Rows per chunk: at most ``max_rows``, and few enough that the chunk's
    cells (``width`` a row) stay within CHUNK_CELLS and its sweep's columns
    (``tape_steps`` a row) within TAPE_CELLS -- unless that would leave
    fewer than MIN_SWEEP_ROWS rows -- so that peak memory grows with neither
    the row's width nor the formula's length times the rows."""
    rows = min(max_rows, CHUNK_CELLS // max(1, width))
    if tape_steps > 0:
        rows = min(rows, max(MIN_SWEEP_ROWS, TAPE_CELLS // tape_steps))
    return max(1, rows)


class Kernel:
    """What a command computes for a chunk of points.

    ``columns``: names of the result columns (after the input columns).
    ``compute(X, skip)``: X is an (n × variables) float64 array; rows in
    ``skip`` could not be read and must be ignored.  Returns
    ``(V, errors, warnings)``: an (n × len(columns)) float64 array, and
    dicts {row: message} and {row: [messages]}.
    ``json_obj(cells, point, warnings)``: the single-point JSON object of
    one row (cells as floats, point as {variable: float})."""

    columns: Sequence[str] = ()
    templated = True  # json_obj depends on its arguments only (writer may template it)

    def compute(self, X: np.ndarray, skip: Collection[int]) -> Computed:
        raise NotImplementedError

    def json_obj(self, cells: Sequence[float], point: dict[str, float], warnings: list[str],
                 row: int | None = None) -> dict[str, Any]:
        raise NotImplementedError


class PointKernel(Kernel):
    """A kernel from a scalar function of one point (a dict)."""

    def __init__(self, columns: Iterable[str], compute: Callable[[dict[str, float]], Any],
                 cells: Callable[[Any], list[float]], to_json: Callable[[Any], dict[str, Any]],
                 warnings: Callable[[Any], list[str]] | None = None,
                 variables: list[str] | None = None) -> None:
        self.columns = list(columns)
        self._compute = compute
        self._cells = cells
        self._to_json = to_json
        self._warnings = warnings or (lambda r: [w.message for w in getattr(r, "warnings", [])])
        self.variables = variables
        self._results: dict[int, Any] = {}
        self.keep_results = True

    templated = False

    def compute(self, X: np.ndarray, skip: Collection[int]) -> Computed:
        import numpy as np

        n, m = X.shape[0], len(self.columns)
        V = np.full((n, m), np.nan)
        errors: dict[int, str] = {}
        warnings: dict[int, list[str]] = {}
        names = self.variables
        assert names is not None, "run_points gives a PointKernel its variables"
        self._results = results = {}
        for i, row in enumerate(X.tolist()):
            if i in skip:
                continue
            try:
                res = self._compute(dict(zip(names, row, strict=False)))
            except AdcliError as exc:
                errors[i] = exc.message
                continue
            if self.keep_results:
                results[i] = res
            V[i] = self._cells(res)
            w = self._warnings(res)
            if w:
                warnings[i] = w
        return V, errors, warnings

    def recompute(self, bad: Flagged, skip: Collection[int], V: np.ndarray,
                  errors: dict[int, str], warnings: dict[int, list[str]], X: np.ndarray) -> None:
        """Rows ``bad`` of X through the scalar function, into V, errors and
        warnings (the rows a compiled --jit kernel flags)."""
        def one(point: dict[str, float]) -> tuple[list[float], list[str]]:
            res = self._compute(point)
            return self._cells(res), self._warnings(res)

        assert self.variables is not None, "run_points gives a PointKernel its variables"
        recompute_rows(self.variables, bad, skip, V, errors, warnings, X, one)

    def json_obj(self, cells: Sequence[float], point: dict[str, float], warnings: list[str],
                 row: int | None = None) -> dict[str, Any]:
        res = self._results.get(row) if row is not None else None
        if res is None:
            res = self._compute(point)
        return self._to_json(res)


def recompute_rows(variables: Sequence[str], bad: Flagged, skip: Collection[int], V: np.ndarray,
                   errors: dict[int, str], warnings: dict[int, list[str]], X: np.ndarray,
                   one: Callable[[dict[str, float]], tuple[list[float], list[str]]]) -> None:
    """Rows ``bad`` (a boolean mask, or None) through the scalar engine:
    ``one(point) -> (cells, warning messages)`` fills V's row, or its
    AdcliError the row's error; rows in ``skip`` could not be read."""
    import numpy as np

    if bad is None:
        return
    for i in np.flatnonzero(bad).tolist():
        if i in skip:
            continue
        point = dict(zip(variables, X[i].tolist(), strict=False))
        try:
            cells, w = one(point)
        except AdcliError as exc:
            errors[i] = exc.message
            continue
        V[i] = cells
        if w:
            warnings[i] = w


# A chunk of fewer rows is computed point by point by the scalar engine, as
# --at does: a vector operation costs its call overhead per ω step whatever
# the rows, so one 10,000-variable row took 3x its --at time through NumPy
SCALAR_ROWS = 4


class _Vectorised(Kernel):
    thread_safe = True  # compute keeps no state between chunks: --jobs threads

    def __init__(self, fn, variables):
        self.fn = fn
        self.variables = list(variables)
        self.tape = fn.tape(self.variables)
        self._vt = None
        self.outputs = list(fn.outputs)

    @property
    def vt(self):
        """The NumPy sweeps, built when a chunk first needs them."""
        if self._vt is None:
            from .numpy_backend import VectorTape

            self._vt = VectorTape(self.tape)
        return self._vt

    def _pointwise(self, X, skip):
        """(V, errors, warnings) of a small chunk through the scalar engine."""
        import numpy as np

        n = X.shape[0]
        V = np.full((n, len(self.columns)), np.nan)
        errors, warnings = {}, {}
        self._recompute(np.ones(n, dtype=bool), skip, V, errors, warnings, X, self._one)
        return V, errors, warnings

    def _columns(self, X):
        import numpy as np

        X = np.asfortranarray(X)
        return [X[:, j] for j in range(X.shape[1])], X.shape[0]

    def _recompute(self, bad, skip, V, errors, warnings, X, one):
        recompute_rows(self.variables, bad, skip, V, errors, warnings, X, one)

    def layout(self):
        """Where each column's cell comes from: (output k, None) for its value,
        (output k, input slot j) for its derivative w.r.t. input j (the
        compiled kernels of adcli.codegen.jit fill the same columns)."""
        raise NotImplementedError


class EvalKernel(_Vectorised):
    def __init__(self, fn: FunctionLike, variables: Iterable[str]) -> None:
        super().__init__(fn, variables)
        self.columns = list(self.outputs)

    def layout(self) -> list[tuple[int, int | None]]:
        return [(k, None) for k in range(len(self.outputs))]

    def compute(self, X: np.ndarray, skip: Collection[int]) -> Computed:
        import numpy as np

        if X.shape[0] < SCALAR_ROWS:
            return self._pointwise(X, skip)
        cols, n = self._columns(X)
        outs, bad = self.vt.primal(cols, n)
        V = np.empty((n, len(outs)))
        for j, o in enumerate(outs):
            V[:, j] = o
        errors: dict[int, str] = {}
        warnings: dict[int, list[str]] = {}
        self._recompute(bad, skip, V, errors, warnings, X, self._one)
        return V, errors, warnings

    def _one(self, point):
        res = self.fn.evaluate(point)
        return list(res.values), [w.message for w in res.warnings]

    def json_obj(self, cells: Sequence[float], point: dict[str, float], warnings: list[str],
                 row: int | None = None) -> dict[str, Any]:
        res = Evaluation(self.fn.outputs, list(cells), [], point)
        obj = eval_json(res, point)
        obj["warnings"] = list(warnings)
        return obj


class GradKernel(_Vectorised):
    def __init__(self, fn: FunctionLike, variables: Iterable[str], wrt: Names = None,
                 mode: str = "auto") -> None:
        super().__init__(fn, variables)
        self.wrt = fn._wrt(self.tape, wrt)
        self.mode = choose_mode(mode, len(self.outputs), len(self.wrt))
        slot_of = {name: k for k, name in enumerate(self.tape.inputs)}
        self.wrt_slots = [slot_of[w] for w in self.wrt]
        self.columns: list[str] = []
        for name in self.outputs:  # one group per output: f, df/dx1, …
            self.columns.append(name)
            self.columns.extend(derivative_label(name, w) for w in self.wrt)

    def layout(self) -> list[tuple[int, int | None]]:
        return [cell for k in range(len(self.outputs))
                for cell in [(k, None)] + [(k, j) for j in self.wrt_slots]]

    def compute(self, X: np.ndarray, skip: Collection[int]) -> Computed:
        import numpy as np

        if X.shape[0] < SCALAR_ROWS:
            return self._pointwise(X, skip)
        cols, n = self._columns(X)
        vt = self.vt
        lin, bad = vt.linearize(cols, n)
        sweep = vt.reverse if self.mode == "reverse" else vt.forward
        jac = sweep(lin, self.wrt_slots, n)
        V = np.empty((n, len(self.columns)))
        j = 0
        for value, row in zip(vt.values(lin, n), jac, strict=False):
            V[:, j] = value
            j += 1
            for d in row:
                V[:, j] = d
                j += 1
        errors: dict[int, str] = {}
        warnings: dict[int, list[str]] = {}
        self._recompute(bad, skip, V, errors, warnings, X, self._one)
        return V, errors, warnings

    def _one(self, point):
        res = self.fn.gradient(point, wrt=self.wrt, mode=self.mode)
        cells = []
        for value, row in zip(res.values, res.jacobian, strict=False):
            cells.append(value)
            cells.extend(row[w] for w in self.wrt)
        return cells, [w.message for w in res.warnings]

    def json_obj(self, cells: Sequence[float], point: dict[str, float], warnings: list[str],
                 row: int | None = None) -> dict[str, Any]:
        values: list[float] = []
        jacobian: list[dict[str, float]] = []
        step = 1 + len(self.wrt)
        for k in range(len(self.outputs)):
            group = cells[k * step:(k + 1) * step]
            values.append(group[0])
            jacobian.append(dict(zip(self.wrt, group[1:], strict=False)))
        res = Derivatives(self.fn.outputs, values, jacobian, self.mode, [], point)
        obj = grad_json(res)
        obj["warnings"] = list(warnings)
        return obj


# --- the loop -----------------------------------------------------------------

def constants_used(source: str | None) -> list[str]:
    """The names of the constants (``pi``, ``e``, ``tau``) the formula reads."""
    import re


    text = re.sub(r"#[^\n]*", "", source or "")
    return [c for c in CONSTANTS if re.search(rf"(?<![\w.]){c}(?![\w(])", text)]


def _check_constant_columns(reader, source):
    """A column named like a constant the formula uses would be silently
    ignored (the name means the constant): exit 2, as ``--at e=2`` is."""
    clash = [c for c in constants_used(source) if c in reader.columns]
    if clash:
        name = clash[0]
        raise UsageError(
            f"the `points` column `{name}` is named like the constant `{name}`, "
            "which the formula uses",
            hint=f"in a formula `{name}` is the constant, so the column cannot give it a "
                 "value; rename the column and the variable (e.g. `e_` in both)",
                 params=("points",))


def _header_hint(reader, needed):
    """What the header holds, and whether it was split with the wrong
    separator (``--input-format tsv`` on a CSV reads ``x,y`` as one column)."""
    cols = list(reader.columns)
    if len(cols) == 1:
        for sep, fmt in ((",", "csv"), ("\t", "tsv")):
            if sep in cols[0] and fmt != reader.format:
                return (f"the header was read as the single {reader.format.upper()} column "
                        f"`{cols[0]}`: the file looks like {fmt.upper()}; use "
                        f"`input_format` {fmt}, or leave `input_format` out to detect it")
    shown = ", ".join(f"`{c}`" for c in cols) or "(empty)"
    return f"the header's columns are {shown}; the formula needs {', '.join(needed)}"


def _variables(reader, needed):
    """The formula's inputs in the order of the input's columns; exit 2
    naming any that the header lacks."""
    columns = set(reader.columns)
    missing = [v for v in needed if v not in columns]
    if missing and reader.format != "jsonl":
        names = ", ".join(f"`{m}`" for m in missing)
        raise UsageError(f"the `points` header has no column for {names}",
                         hint=_header_hint(reader, needed),
                         params=("points", "input_format"))
    wanted = set(needed)
    present = [c for c in reader.columns if c in wanted]
    seen = set(present)
    return present + [v for v in needed if v not in seen]


def run_points(points: str, make_kernel: Callable[[list[str]], Kernel], *,
               needed: Sequence[str], fmt: str | None = None, input_format: str | None = None,
               digits: int | None = None, jit: bool = False, stdin: IO | None = None,
               stdout: TextIO | None = None, stderr: TextIO | None = None,
               progress: bool | None = None, max_rows: int | None = None,
               source: str | None = None, out: str | None = None, jobs: int | None = None) -> int:
    """Run a batch; returns the exit status (0, or 1 if any row or shard
    failed).  Usage errors (a missing column, an unreadable single file)
    raise UsageError.

    ``points``: a path, ``-``, a directory or a glob of shards;
    ``make_kernel(variables) -> Kernel``; ``needed``: the variables the
    formula needs; ``fmt``: csv, tsv, jsonl, json or parquet (default: the
    suffix of ``out``, else the input's format); ``out``: a file (written
    under a temporary name, renamed when complete) or a directory (``DIR/``:
    one output shard per input shard); ``jobs``: chunks computed in
    parallel threads, written in order (default: the cores available);
    ``progress``: show a bar on stderr (default: when stderr is a terminal
    and the output is not)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if fmt is not None and fmt not in ("csv", "tsv", "jsonl", "json", "parquet"):
        raise UsageError(f"`format` {fmt} does not work with `points`",
                         hint="use one of csv, tsv, jsonl, json (or `out` FILE.parquet)",
                         params=("format", "points", "out"))
    shards = expand_points(points)
    output = Output(out, fmt, stdout)
    if output.fmt == "json" and len(shards) > 1 and not output.directory:
        raise UsageError("`format` json makes one array: not from several shards",
                         hint="use `format` jsonl (one object per line), or `out` DIR/",
                         params=("format", "out"))
    stats = _Stats(named=len(shards) > 1)
    if progress is None:  # a bar for a person watching, not mixed into data
        progress = _isatty(stderr) and not (out is None and _isatty(stdout))
    job = _Job(make_kernel, needed, input_format, digits, stdin, max_rows, source,
               jobs or default_jobs(), stats, stderr, progress, jit)
    try:
        for shard in shards:
            try:
                job.run_shard(shard, output)
            except (UsageError, OSError, _ShardError) as exc:
                if len(shards) == 1 and not isinstance(exc, _ShardError):
                    raise
                stats.bad_shard(shard, exc)
        output.finish()
    except BrokenPipeError:  # `adcli … --points big.csv | head`: the reader left
        _silence(stdout)
        return stats.report(stderr)
    except BaseException:
        output.abandon()  # no complete-looking file from an interrupted run
        raise
    return stats.report(stderr)


_MALLOC_TUNED = False


def tune_malloc() -> None:
    """Keep freed chunk temporaries in glibc's heap for the next chunk.

    glibc serves an allocation of 128 KiB or more (a chunk column: 16,384
    floats) by mmap and unmaps it when freed, until its adaptive threshold
    has risen; Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536,
    which freezes that threshold for good.  Every temporary then costs page
    faults: 10^7 Parquet points took 0.7 s of system time (0.35 s tuned), and
    a Dask worker ran at 40% of the local engine's speed per core.  Raising
    the thresholds keeps up to 64 MB of freed memory for reuse; the chunk
    size still bounds memory.  Nothing to do off glibc."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 32 << 20)
        libc.mallopt(m_trim_threshold, 64 << 20)
    except (OSError, AttributeError):  # a libc without mallopt (musl)
        pass


def default_jobs() -> int:
    """The cores this process may use."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _ShardError(Exception):
    """A shard that cannot be read or written (reported by name)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class _Job:
    """What every shard of a batch shares: the kernel factory, the options,
    the statistics."""

    def __init__(self, make_kernel, needed, input_format, digits, stdin, max_rows, source,
                 jobs, stats, stderr, progress, jit=False):
        self.make_kernel = make_kernel
        self.needed = list(needed)
        self.input_format = input_format
        self.digits = digits
        self.stdin = stdin
        self.max_rows = max_rows
        self.source = source
        self.jobs = jobs
        self.stats = stats
        self.stderr = stderr
        self.progress = progress
        self.jit = jit

    def _note(self, text: str, hint: str) -> None:
        """A note on stderr, wrapped as errors are (adcli/render/errors.py)."""
        self.stderr.write(format_note(text, hint, self.stderr) + "\n")

    def run_shard(self, shard, output):
        import os


        input_format = self.input_format
        parquet = input_format == "parquet" or (
            input_format is None and str(shard).lower().endswith((".parquet", ".pq")))
        stream, size = (None, None) if parquet else open_points(shard, self.stdin)
        # --jit without a bar: CSV/TSV may go through the stream driver, which
        # needs neither NumPy nor Arrow; they load when a row needs Python
        arrow_later = self.jit and not self.progress
        try:
            reader = open_reader(shard, stream, input_format, parquet, self.max_rows,
                                 arrow_later)
            _check_constant_columns(reader, self.source)
            variables = _variables(reader, self.needed)
            reader.bind(variables)
            reader.name = os.path.basename(str(shard))
            writer = output.shared_writer(reader)
            if writer is not None:  # a later shard into the same stream
                kernel = writer.kernel
                writer.reader = reader
            else:
                kernel = self.make_kernel(variables)
                if self.jit:  # --jit: the same kernel, compiled (adcli.codegen.jit)
                    from ..codegen.jit import jit_kernel

                    kernel = jit_kernel(kernel, self.stderr, note=self._note)
                if isinstance(kernel, PointKernel) and kernel.variables is None:
                    kernel.variables = variables
                writer = output.writer_for(shard, reader, kernel, self.digits, arrow_later)
            if isinstance(kernel, PointKernel):  # its results are needed for JSON rows only
                kernel.keep_results = writer.fmt in ("json", "jsonl")
            # memory per chunk bounded by cells and sweep columns, not rows: a
            # wide row (a Hessian of 1,000 variables has a million cells) gets
            # a chunk of its own, a long formula's rows fewer to a chunk
            width = len(reader.columns) + len(kernel.columns) + 1
            reader.limit_rows(chunk_rows(reader.max_rows, width, _sweep_steps(kernel)))
            bar = _Progress(self.stderr, size, reader) if self.progress else None
            try:
                if not (self.jit and bar is None and _streamed(reader, kernel, writer,
                                                               self.stats)):
                    self._loop(_arrow_read(reader), kernel, writer, bar)
            finally:
                if bar is not None:
                    bar.stop()
            output.shard_done(writer)
            for note in writer.notes:
                self.stderr.write(f"adcli: warning: {note}\n")
        except _ARROW_ERRORS() as exc:
            output.shard_failed()
            raise _ShardError(f"cannot read it: {exc}") from None
        except _ShardMismatch as exc:
            raise _ShardError(exc.message) from None
        except (UsageError, OSError):
            output.shard_failed()
            raise
        finally:
            if stream is not None and shard != "-":
                stream.close()

    def _loop(self, reader, kernel, writer, bar):
        """Chunks computed (and encoded) by ``jobs`` threads -- NumPy and
        Arrow release the GIL -- and written in input order."""
        stats, shard = self.stats, getattr(reader, "name", None)

        def work(chunk):
            V, errors, warnings = kernel.compute(chunk.X, chunk.errors)
            if chunk.errors:
                errors = {**errors, **chunk.errors}
            return chunk, writer.encode(chunk, V, errors, warnings), errors, warnings

        def done(result):
            chunk, data, errors, warnings = result
            writer.emit(data)
            stats.add(chunk, errors, warnings, shard)
            if bar is not None:
                bar.update(stats.rows)

        if self.jobs > 1 and getattr(kernel, "thread_safe", False):
            self._in_parallel(reader, work, done)
        elif (self.jobs > 1 and isinstance(kernel, PointKernel) and _can_fork()
              and reader.max_rows >= MIN_FORKED_ROWS):
            self._in_processes(reader, kernel, writer, done)
        else:
            for chunk in reader:
                done(work(chunk))

    def _in_parallel(self, reader, work, done):
        """The reader (this thread) submits each chunk to a pool; one writer
        thread writes the results in order as each is ready, so a slow pipe
        still gets every row as soon as it is computed."""
        import queue
        import threading
        from concurrent.futures import ThreadPoolExecutor

        futures = queue.Queue(maxsize=self.jobs + 1)  # memory: a few chunks in flight
        failure = []

        def write_in_order():
            try:
                while (future := futures.get()) is not None:
                    done(future.result())
            except BaseException as exc:  # noqa: BLE001 - re-raised in the reader's thread
                failure.append(exc)
                while (future := futures.get()) is not None:
                    future.cancel()

        pool = ThreadPoolExecutor(self.jobs)
        writer = threading.Thread(target=write_in_order, name="adcli-batch-writer",
                                  daemon=True)
        writer.start()
        try:
            for chunk in reader:
                if failure:
                    break
                futures.put(pool.submit(work, chunk))
        finally:
            futures.put(None)
            writer.join()
            pool.shutdown(wait=True, cancel_futures=True)
        if failure:
            raise failure[0]


    def _in_processes(self, reader, kernel, writer, done):
        """A kernel that computes point by point in Python holds the GIL, so
        threads would take turns: its chunks go to ``jobs`` forked processes
        (which inherit the kernel; only the points and the results cross)
        and are encoded and written here in input order."""
        import collections
        import multiprocessing
        import signal

        global _FORKED_KERNEL
        reader.limit_rows(POINT_CHUNK)  # enough chunks to share among the processes
        _FORKED_KERNEL = kernel
        # Ctrl-C is this process's to handle (exit 130, the pool terminated):
        # the children ignore it rather than each printing a traceback
        pool = multiprocessing.get_context("fork").Pool(
            self.jobs, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
        inflight = collections.deque()

        def finish():
            chunk, pending = inflight.popleft()
            V, errors, warnings, results = pending.get()
            kernel._results = results  # for the JSON objects of this chunk's rows
            if chunk.errors:
                errors = {**errors, **chunk.errors}
            done((chunk, writer.encode(chunk, V, errors, warnings), errors, warnings))

        try:
            for chunk in reader:
                inflight.append((chunk, pool.apply_async(_compute_forked,
                                                         (chunk.X, chunk.errors))))
                if len(inflight) > 2 * self.jobs:  # memory: a few chunks in flight
                    finish()
            while inflight:
                finish()
            pool.close()
        finally:
            pool.terminate()
            pool.join()
            _FORKED_KERNEL = None


def _sweep_steps(kernel: Any) -> int:
    """The tape steps whose columns ``kernel`` holds for every row of a
    chunk at once: a NumPy kernel's; 0 for a compiled kernel (a JitKernel
    wraps a NumPy kernel but holds one row's steps at a time) or a point
    kernel, whose memory per row does not grow with the formula."""
    return len(kernel.tape.steps) if isinstance(kernel, _Vectorised) else 0


def _streamed(reader, kernel, writer, stats):
    """--jit on plain CSV/TSV: read, computed and written by the compiled
    stream driver (adcli.batch.jit_stream); False when it does not apply."""
    from .jit_stream import stream_shard

    return stream_shard(reader, kernel, writer, stats, getattr(reader, "name", None))


def _arrow_read(reader):
    """The reader of the rows: a header read without Arrow (``arrow_later``)
    goes on as Arrow's CSV/TSV reader."""
    if type(reader) is DelimitedHead:
        from .arrow_io import DelimitedReader

        return DelimitedReader.continuing(reader)
    return reader


POINT_CHUNK = 256  # rows per chunk of a point-by-point kernel run in processes
# rows so wide that a chunk holds fewer (a 1,000-variable Hessian: a million
# cells a row) stay in this process: shipping every cell back costs what the
# second process saves, and each process holds its own rows (851 MB against
# 351 MB for 8 rows)
MIN_FORKED_ROWS = 16
_FORKED_KERNEL = None  # the kernel the forked processes inherit


def _can_fork():
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _compute_forked(X, skip):
    """In a forked process: one chunk through the inherited kernel."""
    kernel = _FORKED_KERNEL
    V, errors, warnings = kernel.compute(X, skip)
    return V, errors, warnings, kernel._results


def _ARROW_ERRORS():
    """Arrow's exceptions when pyarrow is there (a corrupt Parquet shard)."""
    try:
        import pyarrow as pa
    except ImportError:
        return ()
    return (pa.ArrowException,)


class _Stats:
    def __init__(self, named=False):
        self.named = named
        self.rows = 0
        self.failed = 0
        self.first_error = None
        self.warned = 0
        self.first_warning = None
        self.bad_shards = []

    def _where(self, line, shard):
        return f"line {line} of {shard}" if self.named and shard else f"line {line}"

    def add(self, chunk, errors, warnings, shard=None):
        self.rows += len(chunk)
        if errors:
            self.failed += len(errors)
            if self.first_error is None:
                i = min(errors)
                self.first_error = (self._where(chunk.line_numbers[i], shard), errors[i])
        if warnings:
            self.warned += len(warnings)
            if self.first_warning is None:
                i = min(warnings)
                self.first_warning = (self._where(chunk.line_numbers[i], shard),
                                      warnings[i][0])

    def merge(self, other):
        """Add a later shard's statistics (the Dask engine's workers)."""
        self.rows += other.rows
        self.failed += other.failed
        self.warned += other.warned
        self.first_error = self.first_error or other.first_error
        self.first_warning = self.first_warning or other.first_warning
        self.bad_shards.extend(other.bad_shards)

    def bad_shard(self, shard, exc):
        self.bad_shards.append((shard, getattr(exc, "message", str(exc))))

    def report(self, stderr):
        """The batch's warnings and failures on stderr (wrapped at spaces to
        the terminal's width), and its exit status."""
        lines = []
        if self.warned:
            where, message = self.first_warning
            more = f" ({self.warned} rows had warnings)" if self.warned > 1 else ""
            lines.append(f"adcli: warning: {where}: {message}{more}")
        for shard, message in self.bad_shards:
            lines.append(f"adcli: error: shard {shard} failed: {message}")
        if self.failed:
            where, message = self.first_error
            rows = "row" if self.rows == 1 else "rows"
            lines.append(f"adcli: error: {self.failed} of {self.rows} {rows} failed; "
                         f"the first at {where}: {message}")
            lines.append("  the failed rows have their reason in the `error` column/field; "
                         "every other row was written")
        if self.bad_shards and not self.failed:
            lines.append(f"adcli: {len(self.bad_shards)} shard(s) failed; every other shard "
                         "was written")
        if lines:
            stderr.write(wrap_lines("\n".join(lines), stderr_columns(stderr)) + "\n")
        return 1 if self.failed or self.bad_shards else 0


def sniff(stream: Any, input_format: str | None = None) -> tuple[str, bytes]:
    """(format, bytes read so far): the first non-blank line tells JSON
    Lines (``{``) from TSV (a tab) from CSV."""
    read = getattr(stream, "read1", None) or stream.read
    data = b""
    while True:
        start = data.lstrip()
        if b"\n" in start or input_format is not None:
            break
        block = read(1 << 16)
        if not block:
            break
        data += block
    if input_format is not None:
        return input_format, data
    line = data.lstrip().split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf")
    if line.startswith(b"{"):
        return "jsonl", data
    return ("tsv" if b"\t" in line else "csv"), data


class _Prefixed:
    """A binary stream that first returns ``prefix``."""

    def __init__(self, prefix, stream):
        self.prefix = prefix
        self.stream = stream
        self._read = getattr(stream, "read1", None) or stream.read

    def read1(self, size=-1):
        if self.prefix:
            data, self.prefix = self.prefix, b""
            return data
        return self._read(size)

    read = read1


def open_reader(points: str, stream: Any, input_format: str | None, parquet: bool,
                max_rows: int | None = None, arrow_later: bool = False) -> Any:
    """The reader for ``--points``: Parquet, or CSV/TSV through Arrow when
    pyarrow is installed, else adcli's own text reader; JSON Lines always
    through Python's json (every row's own keys, exact error rows).
    ``arrow_later``: a CSV/TSV reader that has read the header only and
    loads Arrow when iterated (--jit's stream driver reads without it)."""
    if parquet:
        _need_arrow("Parquet input")
        from .arrow_io import MAX_ROWS, ParquetReader

        return ParquetReader(points, max_rows or MAX_ROWS)
    fmt, prefix = sniff(stream, input_format)
    if fmt in ("csv", "tsv") and arrow_available() and not _wide_header(prefix, fmt):
        if arrow_later:
            return DelimitedHead(stream, fmt, max_rows or ARROW_MAX_ROWS, prefix=prefix)
        from .arrow_io import MAX_ROWS, DelimitedReader

        return DelimitedReader(stream, fmt, max_rows or MAX_ROWS, prefix=prefix)
    return PointReader(_Prefixed(prefix, stream), fmt, max_rows or TEXT_MAX_ROWS)


def _wide_header(data, fmt):
    """Whether the header (the first line of ``data``) has more columns than
    an Arrow table handles well: an array object and a cast per column
    (0.9 s for one 10,000-column row) against adcli's text reader's split."""
    line = data.lstrip().split(b"\n", 1)[0]
    return line.count(b"," if fmt == "csv" else b"\t") >= WIDE_COLUMNS


def _silence(stdout):
    """Point standard output at /dev/null so the final flush stays quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A Rich progress bar on standard error (rows, rows/s; a bar when the
    input's size is known).  Rich honours NO_COLOR."""

    def __init__(self, stderr, size, reader):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.reader = reader
        self.start = time.perf_counter()
        columns = [TextColumn("adcli")]
        if size:
            columns.append(BarColumn())
        columns += [TextColumn("{task.fields[rows]} rows"),
                    TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn()]
        self.progress = Progress(*columns, console=Console(file=stderr, highlight=False),
                                 transient=True, redirect_stdout=False, redirect_stderr=False)
        self.task = self.progress.add_task("batch", total=size or None, rows=0, rate=0)
        self.progress.start()

    def update(self, rows):
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        self.progress.update(self.task, completed=self.reader.bytes_read, rows=f"{rows:,}",
                             rate=f"{rows / elapsed:,.0f}")

    def stop(self):
        self.progress.stop()
