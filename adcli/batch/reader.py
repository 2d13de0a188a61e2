"""Reading points: CSV with a header row, TSV, or JSON Lines, streamed in
chunks of complete lines.

The stream is read in blocks with ``read1`` (whatever is available, up to
a size), so a file goes by in large chunks while a slow pipe yields each
line as soon as it arrives: results start before the input ends and
memory is bounded by the chunk size, however long the input.

Numbers are parsed by NumPy's C reader (``numpy.loadtxt`` on the chunk's
lines), the fastest sound way measured (see ``bench/batch.py``); a chunk
with any bad cell falls back to a per-row parse that names what is wrong
with each bad row, so only those rows fail.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Protocol

from ..errors import UsageError

if TYPE_CHECKING:  # NumPy is imported where a chunk is parsed: --jit's stream needs none
    import numpy as np

FORMATS = ("csv", "tsv", "jsonl")
SEPARATOR = {"csv": ",", "tsv": "\t"}


class ByteStream(Protocol):
    """What the readers use of a binary stream (a file, stdin's buffer)."""

    def read(self, size: int = -1, /) -> bytes: ...


BLOCK = 1 << 20  # bytes per read
MAX_ROWS = 1 << 16  # rows per chunk
# rows per chunk read by Arrow: small enough that a chunk's temporaries stay in
# cache and that computing, encoding and writing overlap from the start (2^14
# against 2^17 measured 1.3-2x faster on 10^6 points with 2 threads)
ARROW_MAX_ROWS = 1 << 14


class Chunk:
    """Complete input rows: ``lines`` (the raw text, for carrying through),
    ``first_line`` and ``line_numbers`` (1-based, as in the file),
    ``X`` (rows × variables, float64) and ``errors`` {row index: message}
    for rows that could not be read."""

    __slots__ = ("lines", "line_numbers", "X", "errors", "records", "_fields", "reader")

    def __init__(self, reader: PointReader, lines: list[str], line_numbers: list[int],
                 X: np.ndarray, errors: dict[int, str], records: list | None = None) -> None:
        self.reader = reader
        self.lines = lines
        self.line_numbers = line_numbers
        self.X = X
        self.errors = errors
        self.records = records  # JSON Lines: the parsed objects (None for bad lines)
        self._fields: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def fields(self) -> list[list[str]]:
        """Each row's cells as text (input columns, in header order)."""
        if self._fields is None:
            self._fields = [self.reader.cells(line, rec) for line, rec in
                            zip(self.lines, self.records or [None] * len(self.lines), strict=False)]
        return self._fields


def open_points(path: str, stdin: IO | None = None) -> tuple[BinaryIO, int | None]:
    """A binary stream for ``--points PATH`` (``-`` is standard input)."""
    import sys

    if path == "-":
        stream: Any = stdin if stdin is not None else sys.stdin
        return getattr(stream, "buffer", stream), None
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the driver
    except OSError as exc:
        raise UsageError(f"cannot read `points` file {path}: {exc.strerror}",
                         params=("points",)) from None
    import os

    try:
        size = os.fstat(fh.fileno()).st_size
    except OSError:
        size = None
    return fh, size


def _blocks(stream, size=BLOCK):
    read = getattr(stream, "read1", None) or stream.read
    while True:
        block = read(size)
        if not block:
            return
        yield block


def _utf8_header(line: str) -> str:
    """The header row, refused when the input is not UTF-8: the rows are
    decoded with replacement, so a UTF-16 file's header shows NULs and a
    Latin-1 one U+FFFD (which were "no column for `x`" with `��x` shown, or
    a column silently renamed `�`)."""
    if "\x00" in line:
        raise UsageError("the `points` input is UTF-16 text; adcli reads UTF-8",
                         hint="convert it: iconv -f UTF-16 -t UTF-8 FILE > new.csv",
                         params=("points",))
    if "\ufffd" in line:
        raise UsageError("the `points` header is not UTF-8 text",
                         hint=NOT_UTF8_HINT.replace("the file", "it"), params=("points",))
    return line


NOT_UTF8_HINT = "convert the file, e.g. from Latin-1: iconv -f LATIN1 -t UTF-8 FILE > new.csv"


def decode_rows(data: bytes) -> tuple[str, dict[int, str]]:
    """``data`` decoded as UTF-8, and {index of a line (split at newlines):
    what is wrong} for the lines that are not UTF-8 text.  Those are decoded
    with replacement to keep their place: such a row is a bad row, reported
    with the others written, where an extra column was written back with
    U+FFFD in place of a byte, exit 0 (the header is refused outright:
    :func:`_utf8_header`)."""
    try:
        return data.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    bad: dict[int, str] = {}
    for k, line in enumerate(data.split(b"\n")):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[k] = (f"the row is not UTF-8 text (byte 0x{line[exc.start]:02x} at offset "
                      f"{exc.start}); {NOT_UTF8_HINT}")
    return data.decode("utf-8", errors="replace"), bad


class DelimitedHead:
    """A CSV or TSV input read up to its header row, without Arrow: the
    columns, the bytes that came after the header and the stream's blocks.
    ``--jit``'s stream driver reads the rest itself, so a clean batch never
    loads NumPy or Arrow; otherwise the batch driver reads the rest through
    :class:`adcli.batch.arrow_io.DelimitedReader` (this class's Arrow half).
    ``prefix``: bytes already read from the stream (to detect the format)."""

    block = 1 << 22  # bytes per read of a file

    def __init__(self, stream: ByteStream, fmt: str, max_rows: int,
                 prefix: bytes = b"") -> None:
        self.stream = stream
        self._prefix = prefix
        self.format = fmt
        self.max_rows = max_rows
        self.bytes_read = 0
        self.columns: list[str] = []
        self.header_line: str | None = None
        self.variables: list[str] = []
        self.name: str | None = None
        self._pending = b""
        self._line = 0  # lines consumed so far
        self._read_header()

    def _blocks(self) -> Iterator[bytes]:
        if self._prefix:
            self.bytes_read += len(self._prefix)
            yield self._prefix
        read = getattr(self.stream, "read1", None) or self.stream.read
        while True:
            block = read(self.block)
            if not block:
                return
            self.bytes_read += len(block)
            yield block

    def _read_header(self) -> None:
        self._source = self._blocks()
        data = b""
        for block in self._source:
            data += block
            while b"\n" in data:
                line, data = data.split(b"\n", 1)
                self._line += 1
                text = line.decode("utf-8", errors="replace").rstrip("\r").lstrip("\ufeff")
                if text.strip():
                    self._setup(text)
                    self._pending = data
                    return
        text = data.decode("utf-8", errors="replace").rstrip("\r").lstrip("\ufeff")
        if text.strip():
            self._line += 1
            self._setup(text)
            return
        raise UsageError("the `points` input is empty",
                         hint="give a header row of variable names, then one row per point",
                         params=("points",))

    def _setup(self, line: str) -> None:
        line = _utf8_header(line)
        self.header_line = line
        self.columns = [c.strip() for c in self._split(line)]
        seen: set[str] = set()
        for name in self.columns:
            if name in seen:
                raise UsageError(f"the `points` header names `{name}` twice", params=("points",))
            seen.add(name)

    def _split(self, line: str) -> list[str]:
        if self.format == "csv":
            return next(csv.reader([line]), [""])
        return line.split("\t")

    def bind(self, variables: Iterable[str]) -> None:
        self.variables = list(variables)

    def limit_rows(self, rows: int) -> None:
        self.max_rows = min(self.max_rows, rows)


class PointReader:
    """Reads the header, then yields :class:`Chunk` s.

    ``variables`` are filled in by :meth:`bind` once the caller knows which
    header columns are the formula's inputs."""

    def __init__(self, stream: ByteStream, input_format: str | None = None,
                 max_rows: int = MAX_ROWS) -> None:
        self.stream = stream
        self.max_rows = max_rows
        self.bytes_read = 0
        self._not_utf8: dict[int, str] = {}  # line number: why (see decode_rows)
        self._lines = self._line_batches()
        self.format = input_format
        self.header_line: str | None = None  # the raw header text (CSV/TSV)
        self.header_number = 0
        self.columns: list[str] = []
        self._first_batch: list[tuple[int, list[str]]] = []
        self._read_header()
        self.variables: list[str] = []
        self.var_index: list[int] = []

    # -- raw lines -----------------------------------------------------------

    def _line_batches(self):
        pending = b""
        line_no = 0
        for block in _blocks(self.stream):
            self.bytes_read += len(block)
            data = pending + block if pending else block
            cut = data.rfind(b"\n")
            if cut < 0:
                pending = data
                continue
            pending = data[cut + 1:]
            text, bad = decode_rows(data[:cut])
            self._not_utf8.update((line_no + 1 + k, why) for k, why in bad.items())
            lines = text.split("\n")
            if "\r" in text:
                lines = [line[:-1] if line.endswith("\r") else line for line in lines]
            for start in range(0, len(lines), self.max_rows):
                part = lines[start:start + self.max_rows]
                yield line_no + 1, part
                line_no += len(part)
        if pending:
            text, bad = decode_rows(pending)
            if bad:
                self._not_utf8[line_no + 1] = bad[0]
            yield line_no + 1, [text[:-1] if text.endswith("\r") else text]

    def _read_header(self):
        for first, lines in self._lines:
            for i, line in enumerate(lines):
                if line.strip():
                    self._setup(line.lstrip("\ufeff"), first + i)
                    rest = lines[i + 1:]
                    if self.format == "jsonl":
                        rest = lines[i:]  # the first object is data too
                        first_rest = first + i
                    else:
                        first_rest = first + i + 1
                    if rest:
                        self._first_batch = [(first_rest, rest)]
                    return
        raise UsageError("the `points` input is empty",
                         hint="give a header row of variable names, then one row per point",
                         params=("points",))

    def _setup(self, line, number):
        line = _utf8_header(line)
        fmt = self.format
        if fmt is None:
            stripped = line.lstrip()
            fmt = "jsonl" if stripped.startswith("{") else ("tsv" if "\t" in line else "csv")
        self.format = fmt
        self.header_number = number
        if fmt == "jsonl":
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if not isinstance(obj, dict):
                raise UsageError(f"line {number} of `points` is not a JSON object",
                                 hint="JSON Lines input has one object per line, "
                                      'like {"x1": 2, "x2": 3}', params=("points",))
            self.columns = list(obj)
        else:
            self.header_line = line
            self.columns = [c.strip() for c in self._split(line)]
            if len(set(self.columns)) != len(self.columns):
                dup = next(c for c in self.columns if self.columns.count(c) > 1)
                raise UsageError(f"the `points` header names `{dup}` twice", params=("points",))

    def _split(self, line):
        sep = SEPARATOR[self.format]
        if self.format == "csv" and '"' in line:
            return next(csv.reader([line]))
        return line.split(sep)

    def bind(self, variables: Iterable[str]) -> None:
        """Use these header columns (in this order) as the variables."""
        self.variables = list(variables)
        if self.format != "jsonl":
            index = {c: j for j, c in enumerate(self.columns)}
            self.var_index = [index[v] for v in self.variables]

    def cells(self, line: str, record: dict | None = None) -> list[str]:
        """The input columns of one row as text."""
        if self.format == "jsonl":
            if record is None:
                return [""] * len(self.columns)
            return [_json_cell(record.get(c)) for c in self.columns]
        try:
            fields = self._split(line)
        except csv.Error:  # unreadable quoting: the text in the first cell
            fields = [line]
        if len(fields) < len(self.columns):
            fields = fields + [""] * (len(self.columns) - len(fields))
        return fields[:len(self.columns)]

    def limit_rows(self, rows: int) -> None:
        """At most ``rows`` rows per chunk from now on (the lines already
        read are split again)."""
        if rows >= self.max_rows:
            return
        self.max_rows = rows
        self._first_batch = [(first + k, lines[k:k + rows])
                             for first, lines in self._first_batch
                             for k in range(0, len(lines), rows)]

    # -- chunks --------------------------------------------------------------

    def __iter__(self):
        batches = self._first_batch
        self._first_batch = []
        for first, lines in batches:
            chunk = self._chunk(first, lines)
            if chunk is not None:
                yield chunk
        for first, lines in self._lines:
            chunk = self._chunk(first, lines)
            if chunk is not None:
                yield chunk

    def _chunk(self, first, lines):
        numbers = None
        if "" in lines:
            keep = [(first + i, line) for i, line in enumerate(lines) if line.strip()]
            if not keep:
                return None
            numbers = [k for k, _ in keep]
            lines = [line for _, line in keep]
        else:
            numbers = range(first, first + len(lines))
        if self.format == "jsonl":
            X, errors, records = self._parse_jsonl(lines)
            return Chunk(self, lines, numbers, X, self._utf8_errors(numbers, errors), records)
        X, errors = self._parse_fast(lines)
        if X is None:
            X, errors = self._parse_rows(lines)
        return Chunk(self, lines, numbers, X, self._utf8_errors(numbers, errors))

    def _utf8_errors(self, numbers: Iterable[int], errors: dict[int, str]) -> dict[int, str]:
        """``errors`` with the rows that are not UTF-8 text among them."""
        if self._not_utf8:
            for i, number in enumerate(numbers):
                why = self._not_utf8.pop(number, None)
                if why is not None:
                    errors[i] = why
        return errors

    def _parse_fast(self, lines):
        import numpy as np

        sep = SEPARATOR[self.format]
        ncols = len(self.columns)
        k = len(self.var_index)
        if k == 0:
            return None, None
        joined = "\n".join(lines)
        quoted = self.format == "csv" and '"' in joined
        # a row with too few or too many cells: row by row
        if quoted:
            try:
                if any(len(r) != ncols for r in csv.reader(lines)):
                    return None, None
            except csv.Error:
                return None, None
        elif joined.count(sep) != len(lines) * (ncols - 1):
            return None, None
        try:
            X = np.loadtxt(lines, delimiter=sep, usecols=self.var_index, dtype=np.float64,
                           comments=None, ndmin=2, quotechar='"' if quoted else None)
        except (ValueError, IndexError):
            return None, None
        if X.shape != (len(lines), k):
            return None, None
        errors = {}
        if not np.isfinite(X).all():
            X = X.copy()
            bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
            for i in bad.tolist():
                j = int(np.flatnonzero(~np.isfinite(X[i]))[0])
                text = self._split(lines[i])[self.var_index[j]].strip()
                errors[i] = f"`{self.variables[j]}` must be a finite number, not {text}"
        return X, errors

    def _parse_rows(self, lines):
        import numpy as np

        ncols = len(self.columns)
        X = np.full((len(lines), len(self.var_index)), np.nan)
        errors = {}
        for i, line in enumerate(lines):
            try:
                fields = self._split(line)
            except csv.Error as exc:
                errors[i] = f"cannot read the row: {exc}"
                continue
            if len(fields) != ncols:
                errors[i] = (f"expected {ncols} cells ({', '.join(self.columns)}), "
                             f"found {len(fields)}")
                continue
            row = X[i]
            for jj, j in enumerate(self.var_index):
                message, value = _number(fields[j], self.variables[jj])
                if message:
                    errors[i] = message
                    break
                row[jj] = value
        return X, errors

    def _parse_jsonl(self, lines):
        import numpy as np

        X = np.full((len(lines), len(self.variables)), np.nan)
        errors = {}
        records = []
        for i, line in enumerate(lines):
            try:
                obj = json.loads(line)
            except ValueError as exc:
                errors[i] = f"not valid JSON: {exc.msg} (column {exc.colno})"
                records.append(None)
                continue
            if not isinstance(obj, dict):
                errors[i] = "not a JSON object"
                records.append(None)
                continue
            records.append(obj)
            row = X[i]
            for jj, name in enumerate(self.variables):
                value = obj.get(name)
                if value is None:
                    errors[i] = f"no value for `{name}`"
                    break
                if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                    errors[i] = f"the value of `{name}` is not a number: {json.dumps(value)}"
                    break
                if isinstance(value, str):
                    message, value = _number(value, name)
                    if message:
                        errors[i] = message
                        break
                else:
                    try:
                        value = float(value)
                    except OverflowError:
                        errors[i] = f"`{name}` must be a finite number"
                        break
                    if not math.isfinite(value):
                        errors[i] = f"`{name}` must be a finite number, not {value}"
                        break
                row[jj] = value
        return X, errors, records


def _number(text, name):
    """(error message or None, value) for one cell."""
    text = text.strip()
    if not text:
        return f"no value for `{name}` (the cell is empty)", None
    try:
        value = float(text)
    except ValueError:
        return f"`{text}` is not a number (column `{name}`)", None
    if not math.isfinite(value):
        return f"`{name}` must be a finite number, not {text}", None
    return None, value


def cell_text(value: Any, other: Callable[[Any], str] = str) -> str:
    """An input cell as the text echoed in its output row: "" for a missing
    one, ``nan``/``inf``/``-inf`` for non-finite floats, ``other(value)``
    for any other non-text value."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    return other(value)


def _json_cell(value):
    return cell_text(value, lambda v: json.dumps(v, ensure_ascii=False))


def csv_quote(text: str, sep: str) -> str:
    """One cell of CSV/TSV output."""
    if sep == "\t":
        return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(cells: Iterable[str], sep: str) -> str:
    if sep == ",":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        return buf.getvalue()
    return sep.join(csv_quote(c, sep) for c in cells)
