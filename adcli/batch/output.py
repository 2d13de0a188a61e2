"""Where a batch's rows go: standard output, one file (``--out FILE``) or one
file per input shard (``--out DIR/``).

A file is written under a temporary name in its directory and renamed when
complete, so an interrupted or failed run never leaves a complete-looking
output; the suffix chooses the format."""

from __future__ import annotations

import os
from typing import Any, TextIO

from ..errors import UsageError
from .reader import PointReader
from .shards import shard_stem
from .writer import SEPARATOR, Writer, check_clashes, csv_line, emit_bytes

# a batch writer: Writer (CSV/TSV/JSON text) or arrow_io.ArrowWriter (through Arrow)
BatchWriter = Any

FORMAT_OF_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                    ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
SUFFIX_OF_FORMAT = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "json": ".json",
                    "parquet": ".parquet"}


class _ShardMismatch(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class _File:
    """A file that appears under its name only when complete."""

    def __init__(self, path):
        self.path = path
        folder, name = os.path.split(path)
        self.temp = os.path.join(folder, f".{name}.partial-{os.getpid()}")
        try:
            self.handle = open(self.temp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot write `out` {path}: {exc.strerror}",
                             params=("out",)) from None

    def commit(self):
        self.handle.close()
        os.replace(self.temp, self.path)

    def abandon(self):
        try:
            self.handle.close()
        except OSError:
            pass
        try:
            os.unlink(self.temp)
        except OSError:
            pass


class Output:
    def __init__(self, out: str | None, fmt: str | None, stdout: TextIO | None) -> None:
        self.out = out
        self.fmt = fmt
        self.stdout = stdout
        self.directory = out is not None and (out.endswith(("/", os.sep)) or os.path.isdir(out))
        # (writer, columns) when every shard goes to one stream
        self.shared: tuple[BatchWriter, list[str]] | None = None
        self.current: BatchWriter = None  # the writer of the file being written
        self.file: _File | None = None
        if out is not None and not self.directory:
            suffix = os.path.splitext(out)[1].lower()
            chosen = FORMAT_OF_SUFFIX.get(suffix)
            if chosen is None:
                raise UsageError(f"`out` {out}: cannot tell the format from `{suffix or out}`",
                                 hint="end the name in .csv, .tsv, .jsonl, .json or .parquet, "
                                      "or in / for a directory of shards", params=("out",))
            if fmt is not None and fmt != chosen:
                raise UsageError(f"`format` {fmt} and `out` {out} disagree",
                                 hint="the suffix of `out` chooses the format; drop `format`",
                                 params=("format", "out"))
            self.fmt = chosen
        if self.directory and out is not None:
            try:
                os.makedirs(out, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot make the `out` directory {out}: {exc.strerror}",
                                 params=("out",)) \
                    from None

    def format_for(self, reader: PointReader) -> str:
        if self.fmt is not None:
            return self.fmt
        if reader.format == "parquet":
            return "parquet" if self.directory else "csv"
        assert reader.format is not None, "the reader has read its header"
        return reader.format

    def shared_writer(self, reader: PointReader) -> BatchWriter:
        """The writer of the one output stream, if a shard opened it already
        (a later shard must have the same columns)."""
        if self.directory or self.shared is None:
            return None
        writer, columns = self.shared
        if list(reader.columns) != columns:
            raise _ShardMismatch(f"its columns ({', '.join(reader.columns)}) differ from the "
                                 f"first shard's ({', '.join(columns)})")
        return writer

    def writer_for(self, shard: str, reader: PointReader, kernel: Any,
                   digits: int | None, arrow_later: bool = False) -> BatchWriter:
        fmt = self.format_for(reader)
        if self.directory and self.out is not None:
            self.file = _File(os.path.join(self.out, shard_stem(shard) + SUFFIX_OF_FORMAT[fmt]))
            target = self.file.handle
        elif self.out is not None:
            self.file = _File(self.out)
            target = self.file.handle
        else:
            target = self.stdout
        if fmt == "parquet" and target is self.stdout and _isatty(target):
            raise UsageError("Parquet is binary: not for a terminal",
                             hint="write it to a file with `out` FILE.parquet", params=("out",))
        writer = make_writer(fmt, reader, kernel, target, digits, arrow_later)
        self.current = writer
        writer.header()
        if not self.directory:
            self.shared = (writer, list(reader.columns))
        return writer

    def shard_done(self, writer: BatchWriter) -> None:
        if self.directory:
            writer.close()
            if self.file is not None:
                self.file.commit()
            self.file = None

    def shard_failed(self) -> None:
        if self.directory and self.file is not None:
            _abort(self.current)
            self.file.abandon()
            self.file = None

    def finish(self) -> None:
        if self.shared is not None:
            self.shared[0].close()
        if self.file is not None:
            self.file.commit()
            self.file = None
        elif self.out is not None and not self.directory and self.shared is None:
            pass  # no shard could be read: no file

    def abandon(self) -> None:
        _abort(self.current)
        if self.file is not None:
            self.file.abandon()
            self.file = None


def _abort(writer):
    abort = getattr(writer, "abort", None)
    if abort is not None:
        abort()


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def arrow_available() -> bool:
    """Whether pyarrow is installed (``pip install 'adcli[arrow]'``)."""
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _need_arrow(what):
    if not arrow_available():
        raise UsageError(f"{what} needs pyarrow, which is not installed",
                         hint="pip install 'adcli[arrow]'")


# an Arrow table has an object per column: a Hessian row of a million cells
# goes through adcli's text writer (one %-template per chunk) instead
WIDE_COLUMNS = 4096


def make_writer(fmt: str, reader: PointReader, kernel: Any, out: Any,
                digits: int | None, arrow_later: bool = False) -> BatchWriter:
    """CSV/TSV/Parquet through Arrow when installed; JSON through adcli's
    templated writer (Arrow has no JSON writer).  ``arrow_later``: a CSV/TSV
    Arrow writer that loads Arrow only when a chunk is encoded (--jit's
    stream driver writes its rows without it)."""
    wide = len(reader.columns) + len(kernel.columns) > WIDE_COLUMNS
    if fmt == "parquet" or (fmt in ("csv", "tsv") and arrow_available() and not wide):
        _need_arrow("Parquet output")
        if arrow_later and fmt in ("csv", "tsv"):
            return ArrowLater(fmt, reader, kernel, out, digits)
        from .arrow_io import ArrowWriter

        return ArrowWriter(fmt, reader, kernel, out, digits)

    return Writer(fmt, reader, kernel, out, digits)


class ArrowLater:
    """:class:`adcli.batch.arrow_io.ArrowWriter` for CSV/TSV, loaded on first
    need: the header, raw bytes (``emit``) and ``close`` need no Arrow, so
    --jit's stream driver writes a clean batch without importing it; any other
    use (``encode``: a row Python computes, the usual loop) builds the
    ArrowWriter, which then writes to the same stream."""

    def __init__(self, fmt: str, reader: Any, kernel: Any, out: Any,
                 digits: int | None) -> None:
        self.fmt = fmt
        self._reader = reader
        self.kernel = kernel
        self.out = out
        self.digits = digits
        self.notes: list[str] = []
        check_clashes(fmt, reader.columns, kernel.columns)  # as ArrowWriter: before the header
        names = list(reader.columns) + list(kernel.columns) + ["error"]
        self._head = (csv_line(names, SEPARATOR[fmt]) + "\n").encode()
        self._arrow: Any = None

    @property
    def reader(self) -> Any:
        return self._reader

    @reader.setter
    def reader(self, reader: Any) -> None:  # a later shard's, into the same stream
        self._reader = reader
        if self._arrow is not None:
            self._arrow.reader = reader

    @property
    def arrow(self) -> Any:
        """The ArrowWriter (built now if not yet)."""
        if self._arrow is None:
            from .arrow_io import ArrowWriter

            self._arrow = ArrowWriter(self.fmt, self._reader, self.kernel, self.out, self.digits)
            self._arrow.notes = self.notes
        return self._arrow

    def header(self) -> None:
        self.emit(self._head)

    def emit(self, data: bytes) -> None:
        emit_bytes(self.out, data)

    def close(self) -> None:
        if self._arrow is not None:
            self._arrow.close()

    def abort(self) -> None:
        if self._arrow is not None:
            self._arrow.abort()

    def __getattr__(self, name: str) -> Any:  # encode, write: Arrow's
        if name.startswith("__") or name in ("_arrow", "_reader"):
            raise AttributeError(name)
        return getattr(self.arrow, name)
