"""Writing batch results: CSV, TSV, JSON Lines, or one JSON array.

CSV/TSV: the input columns first (each row's input text carried through
untouched), then the kernel's result columns, then ``error`` (empty for a
good row).  JSON: each object has the single-point JSON shape; carried
input columns that are not variables go under ``"extra"``; a failed row is
``{"error": …, "line": N, "input": {…}}``.

Numbers keep full round-trip precision (``float(text) == value``) and are
written like the single-point plain output (``2`` not ``2.0``, ``inf``,
``nan``); ``digits`` gives ``%.Ng`` instead.  Formatting is one
%-template per chunk and a few ``str.replace`` calls -- all C loops --
which measured fastest of the sound ways (see ``bench/batch_io.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import UsageError, option
from .reader import SEPARATOR, Chunk, PointReader, csv_line, csv_quote

if TYPE_CHECKING:
    import numpy as np

OUTPUT_FORMATS = ("csv", "tsv", "jsonl", "json")
_SENTINEL = re.compile(r"-9\.8765432(\d{5})1e-299")


def format_rows(V: np.ndarray, sep: str, digits: int | None = None,
                tail: str = "") -> list[str]:
    """Rows of the float array V (n × m) as text, one string per row, each
    ending with ``tail`` (which may end with a newline).

    One %-template for the whole chunk (``"%r,%r,%r,\\n" * n``) measured
    fastest of the sound ways (``bench/batch_io.py``); then integers lose
    their ``.0`` like in the single-point output."""
    n, m = V.shape
    if n == 0:
        return []
    if m == 0:
        return [tail] * n
    cell = "%r" if digits is None else f"%.{digits}g"
    newline = tail.endswith("\n")
    row = sep.join([cell] * m) + (tail.replace("%", "%%") if newline else "\n")
    s = (row * n) % tuple(V.ravel().tolist())
    if digits is None:
        s = s.replace(".0" + sep, sep).replace(".0\n", "\n")
    if newline:
        return s.splitlines(True)
    rows = s.split("\n")
    rows.pop()
    return [r + tail for r in rows] if tail else rows


def number_texts(values: Iterable[float], digits: int | None = None) -> list[str]:
    """JSON number texts for a list of floats (non-finite as strings)."""
    out = []
    for v in values:
        if v != v:
            out.append('"nan"')
        elif v in (float("inf"), float("-inf")):
            out.append('"inf"' if v > 0 else '"-inf"')
        elif digits is not None:
            out.append(f"{v:.{digits}g}")
        else:
            out.append(repr(v))
    return out


def emit_bytes(out: Any, data: bytes) -> None:
    """CSV/TSV bytes to ``out`` (a text stream), through its binary buffer
    when it has one (what the text layer holds is flushed first), flushed."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8"))
        flush = getattr(out, "flush", None)
        if flush is not None:
            flush()


def check_clashes(fmt: str, columns: Iterable[str], results: Iterable[str]) -> None:
    """A CSV/TSV/Parquet row has one namespace: an input column named like a
    result column (``f``, ``df/dx``, ``error``) would give a header with
    two columns of that name (exit 2)."""
    if fmt not in ("csv", "tsv", "parquet"):
        return
    results = list(results) + ["error"]
    taken = set(results)
    clash = [c for c in columns if c in taken]
    if clash:
        names = ", ".join(f"`{c}`" for c in clash)
        raise UsageError(
            f"the `points` column {names} has the name of a result column" if len(clash) == 1
            else f"the `points` columns {names} have the names of result columns",
            hint=f"the results are {', '.join(results)}; rename the input column, "
                 "name the output (`r = …; r`), or use `format` jsonl, which keeps "
                 "inputs and results apart", params=("points", "format"))


def note_new_keys(writer: Writer, chunk: Chunk) -> None:
    """JSON Lines to CSV/TSV: the columns are the first object's keys; a key
    first seen later has no column, which is said, not hidden."""
    if writer.notes:
        return
    known = set(writer.reader.columns)
    for i, rec in enumerate(chunk.records or ()):
        if rec is not None and not known.issuperset(rec):
            new = ", ".join(f"`{k}`" for k in rec if k not in known)
            writer.notes.append(
                f"line {chunk.line_numbers[i]}: {new} not in the first object, so the "
                f"{writer.fmt.upper()} output has no column for it ({option('format')} jsonl keeps "
                "every key)")
            return


def jsonable(value: Any) -> Any:
    """``value`` with every non-finite float as the string design.md names
    (``"nan"``, ``"inf"``, ``"-inf"``): bare NaN/Infinity is not JSON."""
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def _json_value(v, digits):
    if digits is not None and v == v and v not in (float("inf"), float("-inf")):
        return float(f"{v:.{digits}g}")
    return v


class Writer:
    def __init__(self, fmt: str, reader: PointReader, kernel: Any, out: TextIO,
                 digits: int | None = None) -> None:
        self.fmt = fmt
        self.reader = reader
        self.kernel = kernel
        self.out = out
        self.digits = digits
        self.first = True
        self.variables = reader.variables
        variables = set(self.variables)
        self.extra = [c for c in reader.columns if c not in variables]
        index = {c: j for j, c in enumerate(reader.columns)}
        self._extra_index = [index[c] for c in self.extra]
        self._template: Any = None
        self.notes: list[str] = []  # said on stderr at the end (the driver prints them)
        self._check_clashes()
        if fmt in ("jsonl", "json") and getattr(kernel, "templated", True):
            self._template = self._make_template()

    def _check_clashes(self):
        check_clashes(self.fmt, self.reader.columns, list(self.kernel.columns))

    # -- CSV/TSV ---------------------------------------------------------------

    def header(self) -> None:
        if self.fmt in ("csv", "tsv"):
            sep = SEPARATOR[self.fmt]
            results = csv_line(list(self.kernel.columns) + ["error"], sep)
            r = self.reader
            if r.format == self.fmt and r.header_line is not None:
                head = r.header_line
            else:
                head = csv_line(list(r.columns), sep)
            self.out.write(head + sep + results + "\n")
        elif self.fmt == "json":
            self.out.write("[")

    def write(self, chunk: Chunk, V: np.ndarray, errors: dict[int, str],
              warnings: list) -> None:
        self.emit(self.encode(chunk, V, errors, warnings))

    def encode(self, chunk: Chunk, V: np.ndarray, errors: dict[int, str],
               warnings: list) -> str:
        """The chunk's text (for JSON, its objects without the array's commas)."""
        if self.fmt in ("csv", "tsv"):
            return self._delimited(chunk, V, errors)
        return self._json(chunk, V, errors, warnings)

    def emit(self, text: str) -> None:
        if self.fmt == "json":
            if not text:
                return
            text = ("\n" if self.first else ",\n") + text
            self.first = False
        self.out.write(text)
        flush = getattr(self.out, "flush", None)
        if flush is not None:
            flush()

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if not self.first else "]\n")

    def _prefixes(self, chunk, sep):
        r = self.reader
        if r.format == "jsonl":
            self._note_new_keys(chunk)
        if r.format == self.fmt and chunk.lines is not None:
            return chunk.lines
        return [csv_line(cells, sep) for cells in chunk.fields()]

    def _note_new_keys(self, chunk):
        note_new_keys(self, chunk)

    def _delimited(self, chunk, V, errors):
        sep = SEPARATOR[self.fmt]
        prefixes = self._prefixes(chunk, sep)
        n = len(prefixes)
        if not errors:
            # each row: the input line, then ",cells,\n" (the empty error last)
            cells = format_rows(V, sep, self.digits, tail=sep + "\n")
            out = [sep] * (3 * n)
            out[0::3] = prefixes
            out[2::3] = cells
            return "".join(out)
        rows = format_rows(V, sep, self.digits)
        tail = sep + "\n"
        blank = sep * len(self.kernel.columns)
        out = []
        same = prefixes is chunk.lines
        for i, (p, c) in enumerate(zip(prefixes, rows, strict=True)):
            e = errors.get(i)
            if e is None:
                out.append(p + sep + c + tail)
            else:  # the input's cells cut or padded to the header's width
                if same:
                    p = csv_line(chunk.fields()[i], sep)
                out.append(p + sep + blank + csv_quote(e, sep) + "\n")
        return "".join(out)

    # -- JSON ------------------------------------------------------------------

    def _make_template(self):
        """The single-point JSON object of a good row, as a %-template over
        the number texts (results, then point values), then extras.

        The object is built once with distinct sentinel numbers and each
        sentinel's text replaced in one regular-expression pass, so the
        cost is linear in the width of the row (a replace per column was
        quadratic: 22 s for 1,000 columns)."""
        m = len(self.kernel.columns)
        k = len(self.variables)
        sentinels = [float(f"-9.8765432{j:05d}1e-299") for j in range(m + k + len(self.extra))]
        if len(sentinels) > 99999:
            return None
        point = dict(zip(self.variables, sentinels[m:m + k], strict=False))
        obj = self.kernel.json_obj(sentinels[:m], point, [])
        if self.extra:
            obj["extra"] = dict(zip(self.extra, sentinels[m + k:], strict=False))
        text = json.dumps(obj, ensure_ascii=False).replace("%", "%%")
        found = [int(j) for j in _SENTINEL.findall(text)]
        if found != list(range(len(sentinels))):  # each once, in order: else no template
            return None
        return _SENTINEL.sub("%s", text) + "\n"

    def _extra_values(self, chunk, i):
        r = self.reader
        if r.format == "jsonl":
            rec = chunk.records[i] or {}
            return [rec.get(c) for c in self.extra]
        cells = chunk.fields()[i]
        return [cells[j] for j in self._extra_index]

    def _json(self, chunk, V, errors, warnings):
        out = []
        digits = self.digits
        X = chunk.X
        template = self._template
        vals = V.tolist()
        xs = X.tolist()
        extra_index = None
        if self.extra and self.reader.format != "jsonl":
            extra_index = self._extra_index
        for i in range(len(vals)):
            e = errors.get(i)
            if e is not None:
                obj = {"error": e, "line": chunk.line_numbers[i],
                       "input": self._input(chunk, i)}
                out.append(json.dumps(obj, ensure_ascii=False) + "\n")
                continue
            w = warnings.get(i)
            own = self._own_extra(chunk, i)
            if template is not None and not w and own is None:
                texts = number_texts(vals[i], digits) + number_texts(xs[i])
                if self.extra:
                    if extra_index is not None:
                        cells = chunk.fields()[i]
                        ev = [cells[j] for j in extra_index]
                    else:
                        ev = self._extra_values(chunk, i)
                    texts.extend(json.dumps(jsonable(v), ensure_ascii=False) for v in ev)
                out.append(template % tuple(texts))
                continue
            point = dict(zip(self.variables, xs[i], strict=False))
            obj = self.kernel.json_obj([_json_value(v, digits) for v in vals[i]], point,
                                       list(w or []), row=i)
            if own is not None:
                if own:
                    obj["extra"] = jsonable(own)
            elif self.extra:
                obj["extra"] = jsonable(dict(zip(self.extra, self._extra_values(chunk, i),
                                                 strict=False)))
            out.append(json.dumps(obj, ensure_ascii=False) + "\n")
        if self.fmt == "jsonl":
            return "".join(out)
        return ",\n".join(o[:-1] for o in out)

    def _own_extra(self, chunk, i):
        """JSON Lines input: this row's keys beyond the variables, when they
        differ from the first object's (None when they are the same)."""
        if self.reader.format != "jsonl":
            return None
        rec = chunk.records[i] or {}
        if len(rec) == len(self.extra) + len(self.variables) and all(
                c in rec for c in self.extra):
            return None
        variables = set(self.variables)
        return {k: v for k, v in rec.items() if k not in variables}

    def _input(self, chunk, i):
        r = self.reader
        if r.format == "jsonl":
            rec = chunk.records[i]
            return jsonable(rec) if rec is not None else chunk.lines[i]
        return dict(zip(r.columns, chunk.fields()[i], strict=False))
