"""Values and first derivatives as plain lines, JSON objects and table rows."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..numsys import RawJSON
from ..numtext import derivative_label  # noqa: E402  (below render: codegen uses it too)
from .failed import FailedPoint, each_block, each_json, rich_failed
from .registry import view

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..results import Cotangent, Derivatives, Directional, Evaluation, Hessian, Partial, Taylor

    # a result of one point, as the API computes it
    Result = Evaluation | Derivatives | Directional | Cotangent | Hessian | Taylor | Partial

R = TypeVar("R")  # a result of one point


def meta(obj: dict[str, Any], result: Result, point: bool = True) -> dict[str, Any]:
    """The keys every result's JSON ends with: ``digits``/``exact`` for a
    precise number system, the point and the warnings."""
    system = result.system
    obj.update(system.meta())
    if point and result.point is not None:  # (an Evaluation made without one has None)
        obj["point"] = {k: system.json(v) for k, v in result.point.items()}
    obj["warnings"] = [w.message for w in result.warnings]
    return obj


def eval_plain(result: Evaluation) -> str:
    fmt = result.system.format
    return "\n".join(f"{name} {fmt(v)}" for name, v in zip(result.outputs, result.values))


def eval_json(result: Evaluation, point: Mapping[str, Any] | None = None) -> dict[str, Any]:
    values = [result.system.json(v) for v in result.values]
    obj: dict[str, Any] = {"value": values[0] if len(values) == 1 else values}
    if len(values) > 1:
        obj["outputs"] = list(result.outputs)
    return meta(obj, result, point is not None)


def grad_plain(result: Derivatives) -> str:
    fmt = result.system.format
    lines = [f"{name} {fmt(v)}" for name, v in zip(result.outputs, result.values)]
    for name, row in zip(result.outputs, result.jacobian):
        lines.extend(f"{derivative_label(name, var)} {fmt(d)}" for var, d in row.items())
    return "\n".join(lines)


def grad_json(result: Derivatives) -> dict[str, Any]:
    number = result.system.json
    values = [number(v) for v in result.values]
    rows = [{var: number(d) for var, d in row.items()} for row in result.jacobian]
    obj: dict[str, Any]
    if len(values) == 1:
        obj = {"value": values[0], "gradient": rows[0]}
    else:
        obj = {"value": values, "outputs": list(result.outputs), "jacobian": rows}
    obj["mode"] = result.mode
    return meta(obj, result)


_RAW = re.compile('"\ue000(\\d+)\ue000"')  # a private-use mark json.dumps keeps


def dumps(obj: Any) -> str:
    """``json.dumps``; a :class:`~adcli.numsys.RawJSON` number is written as
    its own text (every digit of a precise result)."""
    raws: list[str] = []

    def default(o: object) -> str:
        if isinstance(o, RawJSON):
            raws.append(o.text)
            return f"\ue000{len(raws) - 1}\ue000"
        raise TypeError(f"{type(o).__name__} is not JSON")

    text = json.dumps(obj, ensure_ascii=False, default=default)
    if not raws:
        return text
    return _RAW.sub(lambda m: raws[int(m.group(1))], text)


def json_document(results: Sequence[R | FailedPoint], to_json: Callable[[R], Any],
                  several: bool = False) -> str:
    """One point's JSON object, or the list of every point's when there are
    several (a failed point's error object in its place)."""
    objs = each_json(results, to_json)
    return dumps(objs[0] if len(objs) == 1 and not several else objs)


def jsonl_document(results: Iterable[R | FailedPoint], to_json: Callable[[R], Any]) -> str:
    """A line of JSON per point."""
    return "\n".join(dumps(o) for o in each_json(results, to_json))


def grad_columns(result: Derivatives) -> list[str]:
    """Input columns, then one group per output: f, df/dx1, … (as batches)."""
    cols = list(result.point)
    for name, row in zip(result.outputs, result.jacobian):
        cols.append(name)
        cols.extend(derivative_label(name, var) for var in row)
    return cols


def grad_row(result: Derivatives) -> list[str]:
    cells = list(result.point.values())
    for value, row in zip(result.values, result.jacobian):
        cells.append(value)
        cells.extend(row.values())
    return [result.system.format(c) for c in cells]


def eval_columns(result: Evaluation, point: Mapping[str, Any] | None = None) -> list[str]:
    return list((result.point or {}) if point is None else point) + list(result.outputs)


def eval_row(result: Evaluation, point: Mapping[str, Any] | None = None) -> list[str]:
    point = (result.point or {}) if point is None else point
    return [result.system.format(c) for c in list(point.values()) + list(result.values)]


def delimited(rows: Sequence[Sequence[str]], sep: str) -> str:
    """Rows as CSV/TSV text; a cell with the separator, a quote or a line
    break in it (an error message, a point's text) is quoted."""
    if not any(sep in c or '"' in c or "\n" in c for r in rows for c in r):
        return "\n".join(sep.join(r) for r in rows)
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return buf.getvalue().rstrip("\n")


def aligned_rows(results: Iterable[R], columns: Callable[[R], list[str]],
                 row: Callable[[R], list[str]]) -> list[list[str]]:
    """The header and one row per result, every row as wide as the header.

    Points may name different variables (a later ``--at`` adds one): the
    header is the union of every result's columns, each new column placed
    after the one it follows in its own row, and a row lacking a column gets
    an empty cell there."""
    header: list[str] = []
    keyed: list[dict[str, str]] = []
    seen: set[str] = set()
    for r in results:
        cols, cells = columns(r), row(r)
        if any(c not in seen for c in cols):
            header = _merge_columns(header, cols)
            seen = set(header)
        keyed.append(dict(zip(cols, cells)))
    return [header] + [[k.get(c, "") for c in header] for k in keyed]


def table_rows(results: Sequence[R | FailedPoint], columns: Callable[[R], list[str]],
               row: Callable[[R], list[str]]) -> list[list[str]]:
    """The CSV/TSV rows of per-point ``results`` (and failed points): one header, one row per
    point.  When one of several ``--at`` points failed, the last column is
    ``error`` (empty for a good point), as in a ``--points`` batch, and the
    failed point is a row as wide as the header that says why."""
    entries = results
    computed = [e for e in entries if not isinstance(e, FailedPoint)]
    rows = aligned_rows(computed, columns, row)
    if len(computed) == len(entries):
        return rows
    header = rows[0] + ["error"]
    good = iter(rows[1:])
    return [header] + [entry.cells(header) if isinstance(entry, FailedPoint)
                       else next(good) + [""] for entry in entries]


def _merge_columns(header: list[str], cols: list[str]) -> list[str]:
    merged = list(header)
    at = 0  # where the previous column of ``cols`` sits in ``merged``
    for c in cols:
        if c in merged:
            at = merged.index(c) + 1
        else:
            merged.insert(at, c)
            at += 1
    return merged


# --- the views of a result computed point by point ---------------------------------------
#
# plain: the points' blocks separated by a blank line; json: one object, or an
# array for several points; jsonl: one object per line; csv/tsv: a header and
# one row per point; text: Rich tables.

def point_views(kind: str, *, plain: Callable[[R], str], to_json: Callable[[R], Any],
                columns: Callable[[R], list[str]], row: Callable[[R], list[str]],
                table: Callable[[str, R], RenderableType],
                show: Callable[[list[Any]], None]) -> None:
    """Register the six formats of a per-point result from its four
    per-result writers and a Rich table (``table(source, result)``, printed
    by ``show``)."""
    # A FailedPoint (one of several --at points that could not be computed)
    # keeps its place in every format: adcli.render.failed.
    @view(kind, "text")
    def _text(results, source="", **_):
        show(each_block(results, lambda r: table(source, r), rich_failed))

    @view(kind, "plain")
    def _plain(results, **_):
        return "\n\n".join(each_block(results, plain))

    @view(kind, "json")
    def _json(results, several=False, **_):
        return json_document(results, to_json, several)

    @view(kind, "jsonl")
    def _jsonl(results, **_):
        return jsonl_document(results, to_json)

    @view(kind, "csv")
    def _csv(results, **_):
        return delimited(table_rows(results, columns, row), ",")

    @view(kind, "tsv")
    def _tsv(results, **_):
        return delimited(table_rows(results, columns, row), "\t")


# --- the registered views (adcli.render.registry) ----------------------------------

def _eval_table(source: str, result: Evaluation) -> RenderableType:
    from .rich_view import eval_table

    return eval_table(source, result, result.point)


def _grad_table(source: str, result: Derivatives) -> RenderableType:
    from .rich_view import grad_table

    return grad_table(source, result)


def _show(tables: list[Any]) -> None:
    from .rich_view import show

    show(tables)


point_views("eval", plain=eval_plain, to_json=lambda r: eval_json(r, r.point),
            columns=eval_columns, row=eval_row, table=_eval_table, show=_show)
point_views("grad", plain=grad_plain, to_json=grad_json, columns=grad_columns,
            row=grad_row, table=_grad_table, show=_show)
