"""Batch I/O through Apache Arrow (``pyarrow``): CSV/TSV and Parquet in,
CSV/TSV and Parquet out, in record batches with memory bounded per chunk.

Why Arrow (``bench/batch_libs.py`` measures it against polars on this
machine): its C++ CSV reader and writer release the GIL (so ``--jobs``
threads overlap), it streams Parquet row groups, Dask's dataframes are
built on it (one library for both engines), and its float formatting
reads back bit-identical with the shortest digits (checked in
``tests/test_batch_arrow.py`` on 200,000 random doubles).

CSV/TSV: the input arrives in blocks of complete lines; each block is
parsed by Arrow with every column as text (so columns that are not the
formula's inputs are carried through untouched), and the input columns
are cast to float64 in C.  A block where Arrow cannot vouch for every row
(a row of the wrong width, a blank line, a quoted newline) is re-read row
by row in Python, which names what is wrong with each bad row and keeps
every line number; only those rows fail.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# pyarrow.compute builds a docstring for each of its ~300 functions when
# imported (0.1-0.2 s of start-up): its kernels are called by name instead
from pyarrow._compute import CastOptions, JoinOptions, MatchSubstringOptions, call_function

from ..errors import UsageError
from . import float_text
from .reader import ARROW_MAX_ROWS, ByteStream, DelimitedHead, cell_text, csv_quote, decode_rows
from .writer import check_clashes, csv_line, emit_bytes, note_new_keys

SEPARATOR = {"csv": ",", "tsv": "\t"}
BLOCK = DelimitedHead.block  # bytes per read of a file
MAX_ROWS = ARROW_MAX_ROWS  # rows per chunk (reader.py says why)
ROW_GROUP = 1 << 17  # rows per Parquet row group written (chunks are gathered)


class ArrowChunk:
    """Complete input rows: ``table`` (the input columns as Arrow arrays),
    ``X`` (rows × variables, float64), ``errors`` {row: message} for rows
    that could not be read, ``line_numbers`` (1-based, as in the file; for
    Parquet the row number)."""

    __slots__ = ("table", "X", "errors", "line_numbers", "records", "lines", "_fields",
                 "plain_for")

    def __init__(self, table: pa.Table, X: np.ndarray, errors: dict[int, str],
                 line_numbers: Sequence[int], plain_for: frozenset[str] = frozenset()) -> None:
        self.table = table
        self.X = X
        self.errors = errors
        self.line_numbers = line_numbers
        self.records = None
        self.lines = None
        self._fields: list[list[str]] | None = None
        # the output formats ("csv", "tsv") in which no text cell of this
        # chunk needs quoting, known from the raw input block (so the writer
        # need not scan every cell)
        self.plain_for = plain_for

    def __len__(self) -> int:
        return self.table.num_rows

    def fields(self) -> list[list[str]]:
        """Each row's input cells as text (for JSON output and error rows)."""
        if self._fields is None:
            cols = [[_text(v) for v in c.to_pylist()] for c in self.table.columns]
            self._fields = [list(row) for row in zip(*cols, strict=True)] if cols else (
                [[] for _ in range(len(self))])
        return self._fields


_text = cell_text  # a cell as echoed text (str for numbers Arrow typed)


# pa.array() and .to_numpy() ask pandas whether their argument is a pandas
# object, which imports pandas (0.2-0.5 s of start-up) when it is installed;
# these build and read float64 and string arrays from their buffers instead.

def float_array(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """A float64 Arrow array over a NumPy array (no copy when contiguous);
    rows where ``mask`` is true are null."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    validity, nulls = None, 0
    if mask is not None:
        nulls = int(np.count_nonzero(mask))
        if nulls:
            validity = pa.py_buffer(np.packbits(~mask, bitorder="little"))
    return pa.Array.from_buffers(pa.float64(), len(values), [validity, pa.py_buffer(values)],
                                 null_count=nulls)


def string_array(texts: Sequence[str | None]) -> pa.Array:
    """A string Arrow array from a list of str (None: null)."""
    n = len(texts)
    encoded = [b"" if t is None else t.encode("utf-8") for t in texts]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    validity, nulls = None, 0
    missing = np.fromiter((t is None for t in texts), dtype=bool, count=n)
    if missing.any():
        nulls = int(missing.sum())
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets),
                                                 pa.py_buffer(b"".join(encoded))],
                                 null_count=nulls)


def _single(arr):
    if isinstance(arr, pa.ChunkedArray):
        return arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    return arr


def null_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """A boolean NumPy array: true where ``arr`` is null (None: no nulls)."""
    arr = _single(arr)
    if not arr.null_count:
        return None
    bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[arr.offset:arr.offset + len(arr)] == 0


def float_values(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A float64 Arrow array as NumPy (nulls are nan)."""
    arr = _single(arr)
    n = len(arr)
    if n == 0:
        return np.empty(0)
    data = np.frombuffer(arr.buffers()[1], dtype=np.float64, count=arr.offset + n)[arr.offset:]
    mask = null_mask(arr)
    if mask is not None:
        data = data.copy()
        data[mask] = np.nan
    return data


def to_float_columns(table: pa.Table, variables: Sequence[str],
                     errors: dict[int, str]) -> np.ndarray:
    """(rows × variables) float64 from the named columns of ``table``;
    rows with an empty, unreadable or non-finite cell go into ``errors``."""
    n = table.num_rows
    X = np.empty((n, len(variables)))
    for jj, name in enumerate(variables):
        col = table.column(name)
        try:
            arr = call_function("cast", [col], CastOptions(pa.float64()))
            X[:, jj] = float_values(arr)
            mask = null_mask(arr)  # None: no nulls
            if mask is not None:
                for i in np.flatnonzero(mask).tolist():
                    errors.setdefault(i, f"no value for `{name}` (the cell is empty)")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            for i, value in enumerate(col.to_pylist()):
                message, x = _number(value, name)
                X[i, jj] = math.nan if message else x
                if message:
                    errors.setdefault(i, message)
        bad = ~np.isfinite(X[:, jj])
        if bad.any():
            texts = col.to_pylist()
            for i in np.flatnonzero(bad).tolist():
                errors.setdefault(i, f"`{name}` must be a finite number, not "
                                     f"{_text(texts[i]).strip()}")
    return X


def _number(value, name):
    """(error message or None, value) for one cell (text or number)."""
    if value is None:
        return f"no value for `{name}` (the cell is empty)", None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"the value of `{name}` is not a number: {value!r}", None
    text = value.strip() if isinstance(value, str) else value
    if text == "":
        return f"no value for `{name}` (the cell is empty)", None
    try:
        x = float(text)
    except (ValueError, OverflowError):
        return f"`{text}` is not a number (column `{name}`)", None
    return None, x


# --- CSV / TSV in ---------------------------------------------------------------

class DelimitedReader(DelimitedHead):
    """CSV or TSV with a header row, streamed in blocks of complete lines
    read by Arrow (the header by :class:`DelimitedHead`)."""

    block = BLOCK

    def __init__(self, stream: ByteStream, fmt: str, max_rows: int = MAX_ROWS,
                 prefix: bytes = b"") -> None:
        super().__init__(stream, fmt, max_rows, prefix)

    @classmethod
    def continuing(cls, head: DelimitedHead) -> DelimitedReader:
        """The reader of the rest of the input whose header ``head`` read
        (the head's block generator counts ``bytes_read`` on the head: a
        head is read on only where no progress bar is shown)."""
        reader = cls.__new__(cls)
        reader.__dict__.update(head.__dict__)
        return reader

    def __iter__(self):
        pending = self._pending
        self._pending = b""
        cut = pending.rfind(b"\n")
        if cut >= 0:  # rows that came with the header: before waiting for more
            yield from self._chunks(pending[:cut + 1])
            pending = pending[cut + 1:]
        for block in self._source:
            data = pending + block if pending else block
            cut = data.rfind(b"\n")
            if cut < 0:
                pending = data
                continue
            pending = data[cut + 1:]
            yield from self._chunks(data[:cut + 1])
        if pending.strip():
            yield from self._chunks(pending + b"\n")

    def _chunks(self, data):
        first = self._line + 1
        lines = data.count(b"\n")
        self._line += lines
        plain_for = self._plain_for(data)
        table, invalid = self._parse(data)
        if table is None or invalid or table.num_rows != lines:
            table, numbers, row_errors = self._rows_slowly(data, first)
        else:
            numbers, row_errors = range(first, first + lines), {}
        for start in range(0, table.num_rows, self.max_rows):
            part = table.slice(start, self.max_rows)
            end = start + part.num_rows
            errors = {i - start: m for i, m in row_errors.items() if start <= i < end}
            X = to_float_columns(part, self.variables, errors)
            yield ArrowChunk(part, X, errors, numbers[start:end], plain_for)

    def _plain_for(self, data):
        """The output formats in which no cell of the raw block ``data`` needs
        quotes: an unquoted CSV cell holds no comma, quote or newline, a TSV
        cell no tab or newline; so a block without a `"` byte (and without
        the other format's separator, and a carriage return only before a
        newline) is plain."""
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
            return frozenset()
        if b'"' in data:  # (Arrow's unquoted writer refuses a `"` even in TSV)
            return frozenset()
        other = b"\t" if self.format == "csv" else b","
        return frozenset({"csv", "tsv"}) if other not in data else frozenset({self.format})

    def _parse(self, data):
        """Arrow's reading of a block: every column as nullable text."""
        invalid = []

        def skip(row):
            invalid.append(row)
            return "skip"

        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(column_names=self.columns, use_threads=False,
                                               block_size=max(len(data) + 1, 1 << 20)),
                parse_options=pacsv.ParseOptions(
                    delimiter=SEPARATOR[self.format],
                    quote_char='"' if self.format == "csv" else False,
                    invalid_row_handler=skip),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.columns},
                    # only an empty cell is empty: Arrow's default null values
                    # ("nan", "NA", "null", ...) made `nan` read as no value
                    # in a clean block and as nan in a block read row by row
                    null_values=[""],
                    strings_can_be_null=True, quoted_strings_can_be_null=False))
        except (pa.ArrowInvalid, pa.ArrowException):
            return None, invalid
        return table, invalid

    def _rows_slowly(self, data, first):
        """Row by row: each bad row is an error row with its cells cut or
        padded to the header's width; blank lines are skipped."""
        width = len(self.columns)
        rows, numbers, errors = [], [], {}
        text, not_utf8 = decode_rows(data)
        for k, line in enumerate(text.split("\n")[:-1]):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            try:
                cells = self._split(line)
            except csv.Error as exc:
                cells, message = [line], f"cannot read the row: {exc}"
            else:
                message = not_utf8.get(k) or (None if len(cells) == width else (
                    f"expected {width} cells ({', '.join(self.columns)}), found {len(cells)}"))
            if message:
                errors[len(rows)] = message
            cells = (cells + [""] * width)[:width]
            rows.append(cells)
            numbers.append(first + k)
        table = pa.Table.from_arrays(
            [string_array([r[j] if r[j] != "" else None for r in rows])
             for j in range(width)], names=self.columns)
        return table, numbers, errors


# --- Parquet in -------------------------------------------------------------------

class ParquetReader:
    """A Parquet file, streamed a record batch at a time."""

    format = "parquet"
    header_line = None

    def __init__(self, path: str, max_rows: int = MAX_ROWS) -> None:
        import pyarrow.parquet as pq

        try:
            self.file = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise UsageError(f"cannot read `points` file {path} as Parquet: {exc}",
                             params=("points",)) from None
        self.columns = list(self.file.schema_arrow.names)
        self.max_rows = max_rows
        self.bytes_read = 0
        self.variables: list[str] = []

    def bind(self, variables: Iterable[str]) -> None:
        self.variables = list(variables)

    def limit_rows(self, rows: int) -> None:
        self.max_rows = min(self.max_rows, rows)

    def __iter__(self):
        row = 0
        size = max(self.file.metadata.num_rows, 1)
        total = self.file.metadata.serialized_size
        for batch in self._batches():
            table = pa.Table.from_batches([batch])
            errors = {}
            X = to_float_columns(table, self.variables, errors)
            n = table.num_rows
            yield ArrowChunk(table, X, errors, range(row + 1, row + n + 1))
            row += n
            self.bytes_read = int(total * row / size)


    def _batches(self):
        """Record batches, one row group at a time: over the whole file
        pyarrow reads ahead as fast as it can, so a shard of 25 million
        rows sat in memory (530 MB) while the kernel caught up."""
        for group in range(self.file.num_row_groups):
            yield from self.file.iter_batches(batch_size=self.max_rows, row_groups=[group])


# --- CSV / TSV / Parquet out ------------------------------------------------------

_JOIN_NULL_AS_EMPTY = JoinOptions(null_handling="replace", null_replacement="")


def _text_scalar(text):
    """A string scalar (``pa.scalar`` would import pandas: 0.3 s)."""
    return string_array([text])[0]


def _string_data(arr):
    """The bytes of a string array's values, end to end."""
    if not len(arr):
        return b""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1,
                            offset=arr.offset * 4)
    return arr.buffers()[2][int(offsets[0]):int(offsets[-1])].to_pybytes()


class ArrowWriter:
    """CSV, TSV or Parquet rows: the input columns as read, the kernel's
    result columns (empty for a failed row), then ``error``."""

    def __init__(self, fmt: str, reader: Any, kernel: Any, out: Any,
                 digits: int | None = None) -> None:
        self.fmt = fmt
        self.reader = reader
        self.kernel = kernel
        self.out = out
        self.digits = digits
        self.notes: list[str] = []
        self.results = list(kernel.columns)
        check_clashes(fmt, reader.columns, self.results)
        self.names = list(reader.columns) + self.results + ["error"]
        self._parquet: Any = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0  # Parquet: chunks not yet written
        if fmt in SEPARATOR:
            self._head = (csv_line(self.names, SEPARATOR[fmt]) + "\n").encode()
            # no quotes: Arrow's "needed" quotes every text cell (`"2","3"`);
            # a chunk with a cell that needs quoting goes row by row instead
            self._options = pacsv.WriteOptions(include_header=False,
                                               delimiter=SEPARATOR[fmt],
                                               quoting_style="none")
            self._special = '[\t"\r\n]' if fmt == "tsv" else '[,"\r\n]'

    def header(self) -> None:
        if self.fmt in SEPARATOR:
            self.emit(self._head)

    def write(self, chunk: Any, V: np.ndarray, errors: dict[int, str],
              warnings: dict[int, list[str]]) -> None:
        self.emit(self.encode(chunk, V, errors, warnings))

    def encode(self, chunk: Any, V: np.ndarray, errors: dict[int, str],
               warnings: dict[int, list[str]]) -> Any:
        """The chunk's output (bytes for CSV/TSV, a table for Parquet); pure,
        so ``--jobs`` threads may call it in parallel."""
        inputs = self._inputs(chunk)
        if self.fmt not in SEPARATOR:
            return self._table(inputs, V, errors)
        plain = not errors and (self.fmt in getattr(chunk, "plain_for", ())
                                or not self._needs_quotes(inputs))
        if plain and self.digits is None and float_text.available:
            data = self._joined(inputs, V)
            if data is not None:
                return data
        table = self._table(inputs, V, errors)
        if not plain:  # a bad row, or a cell to quote
            return self._rows_slowly(table)
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, self._options)
        return buf.getvalue()

    def _joined(self, inputs, V):
        """Each row as text, joined in C: the input cells as read, the results
        formatted by :mod:`float_text`, the empty error cell; None for an
        input column it cannot write as is (Arrow's writer does those)."""
        sep = SEPARATOR[self.fmt]
        between = _text_scalar(sep)
        pieces = []
        for col in inputs:
            if pa.types.is_string(col.type):
                pieces += [col, between]
            elif pa.types.is_large_string(col.type) or pa.types.is_integer(col.type):
                pieces += [call_function("cast", [col], CastOptions(pa.string())), between]
            elif pa.types.is_float64(col.type) and not col.null_count:
                pieces.append(float_text.row_cells(float_values(col).reshape(-1, 1), sep))
            else:
                return None
        pieces += [float_text.row_cells(np.ascontiguousarray(V, dtype=np.float64), sep),
                   _text_scalar("\n")]  # the separator before it: the empty error cell
        joined = call_function("binary_join_element_wise", [*pieces, _text_scalar("")],
                               _JOIN_NULL_AS_EMPTY)
        return b"".join(_string_data(part) for part in getattr(joined, "chunks", [joined]))

    def _needs_quotes(self, columns):
        for col in columns:
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                found = call_function("match_substring_regex", [col],
                                      MatchSubstringOptions(self._special))
                if call_function("any", [found]).as_py():
                    return True
        return False

    def _rows_slowly(self, table):
        """Row by row, quoting the text cells that need it; numbers are
        formatted by Arrow exactly as in the fast path."""
        sep = SEPARATOR[self.fmt]
        cols = []
        for col in table.columns:
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                cols.append(["" if v is None else csv_quote(v, sep) for v in col.to_pylist()])
                continue
            if pa.types.is_float64(col.type) and float_text.available:
                mask = null_mask(col)
                texts = float_text.cell_texts(float_values(col))
                if mask is not None:
                    texts = [None if bad else t for t, bad in zip(texts, mask.tolist(),
                                                                  strict=True)]
                cols.append(["" if v is None else v for v in texts])
                continue
            try:
                texts = call_function("cast", [col], CastOptions(pa.string())).to_pylist()
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                texts = [csv_quote(_text(v), sep) for v in col.to_pylist()]
            cols.append(["" if v is None else v for v in texts])
        return "".join(sep.join(row) + "\n" for row in zip(*cols, strict=True)).encode()

    def _inputs(self, chunk):
        table = getattr(chunk, "table", None)
        if table is not None:
            return list(table.columns)
        if self.reader.format == "jsonl":
            note_new_keys(self, chunk)
        rows = chunk.fields()
        return [string_array([r[j] if r[j] != "" else None for r in rows])
                for j in range(len(self.reader.columns))]

    def _table(self, inputs, V, errors):
        n = V.shape[0]
        arrays = list(inputs)
        mask = None
        if errors:
            mask = np.zeros(n, dtype=bool)
            mask[list(errors)] = True
        for j in range(len(self.results)):
            col = np.ascontiguousarray(V[:, j])
            if self.digits is not None:
                texts = [f"{v:.{self.digits}g}" for v in col.tolist()]
                if mask is not None:
                    texts = [None if bad else t for t, bad in zip(texts, mask.tolist())]
                arrays.append(string_array(texts))
            else:
                arrays.append(float_array(col, mask))
        if errors:
            arrays.append(string_array([errors.get(i) for i in range(n)]))
        else:
            arrays.append(pa.nulls(n, pa.string()))
        return pa.Table.from_arrays(arrays, names=self.names)

    def emit(self, data: Any) -> None:
        if self.fmt == "parquet":
            self._write_parquet(data)
            return
        emit_bytes(self.out, data)

    def _write_parquet(self, table):
        """Chunks gathered into row groups of ROW_GROUP rows (small row groups
        make every later reading of the file slower)."""
        if self._pending and table.schema != self._pending[0].schema:
            table = table.cast(self._pending[0].schema)
        self._pending.append(table)
        self._pending_rows += table.num_rows
        if self._pending_rows >= ROW_GROUP:
            self._flush_parquet()

    def _flush_parquet(self):
        if not self._pending:
            return
        tables, self._pending, self._pending_rows = self._pending, [], 0
        self._write_row_group(tables[0] if len(tables) == 1 else pa.concat_tables(tables))

    def _write_row_group(self, table):
        import pyarrow.parquet as pq

        if self._parquet is None:
            # dictionary encoding only for text: on float columns it builds a
            # dictionary per row group and gives it up (10x the write's cost)
            text = [f.name for f in table.schema
                    if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
            self._parquet = pq.ParquetWriter(self._sink(), table.schema, use_dictionary=text)
        elif table.schema != self._parquet.schema:
            table = table.cast(self._parquet.schema)
        self._parquet.write_table(table)

    def _sink(self):
        buffer = getattr(self.out, "buffer", None)
        return buffer if buffer is not None else self.out

    def abort(self) -> None:
        """Stop writing without finishing the file (it is removed)."""
        self._pending = []
        if self._parquet is not None:
            try:
                self._parquet.close()
            except (OSError, ValueError, pa.ArrowException):
                pass
            self._parquet = None

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            if self._parquet is None:  # no rows: still a valid file with the columns
                schema = pa.schema([(c, pa.string()) for c in self.reader.columns] +
                                   [(c, pa.float64()) for c in self.results] +
                                   [("error", pa.string())])
                self._write_row_group(schema.empty_table())
            self._parquet.close()

