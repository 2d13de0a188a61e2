"""``adcli check`` output: plain ``label value`` lines, JSON, CSV/TSV rows,
and on a terminal a table (and, for ``--sweep``, an ASCII chart of the
V-shaped finite-difference error curve).  Rich is imported only by
:func:`show` (terminal output)."""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .failed import FailedPoint, each_block
from .numbers import json_number, plain_ascii, plain_number
from .registry import Note, view
from .results import derivative_label, json_document, jsonl_document, table_rows
from .rich_view import natural_width, print_fitting

if TYPE_CHECKING:
    from ..modes.check import PointCheck, Row, SweepRow


def _label(row: Row) -> str:
    return derivative_label(row.output, row.variable)


# --- plain -------------------------------------------------------------------------

def check_plain(check: PointCheck) -> str:
    lines = [f"{name} {plain_number(v)}" for name, v in zip(check.outputs, check.values,
                                                            strict=False)]
    for r in check.rows:
        d = _label(r)
        lines.append(f"{d} {plain_number(r.ad)}")
        lines.append(f"fd:{d} {plain_number(r.fd)}")
        lines.append(f"h:{d} {plain_number(r.h)}")
        lines.append(f"diff:{d} {plain_number(r.diff)}")
        lines.append(f"relerr:{d} {plain_number(r.relerr)}")
        lines.append(f"tolerance:{d} {plain_number(r.tolerance)}")
        lines.append(f"check:{d} {_row_verdict(r)}")
    lines.append(f"verdict {check.verdict}")
    if check.step is not None:
        lines.append(f"step {check.step}")
    if check.reason:
        lines.append(f"reason {plain_ascii(check.reason)}")
    return "\n".join(lines)


def _row_verdict(r: Row) -> str:
    if r.note:
        return "unchecked"
    return "agree" if r.agree else "disagree"


# --- JSON ----------------------------------------------------------------------------

def check_json(check: PointCheck) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "point": check.point,
        "value": (json_number(check.values[0]) if len(check.values) == 1
                  else [json_number(v) for v in check.values]),
        "checks": [{k: json_number(v) if isinstance(v, float) else v
                    for k, v in r.as_dict().items()} for r in check.rows],
        "verdict": check.verdict,
        "step": check.step,
        "reason": check.reason,
        "warnings": [w.message for w in check.warnings],
    }
    if check.sweep is not None:
        swept, reference = _swept(check)
        obj["reference"] = {derivative_label(o, v): text
                            for (o, v), text in reference.items()}
        obj["sweep"] = [dict(derivative=derivative_label(o, v),
                             **{k: json_number(x) for k, x in s.as_dict().items()})
                        for (o, v), rows in swept.items() for s in rows]
    return obj


# --- CSV / TSV: one summary row per point ----------------------------------------------

def check_columns(check: PointCheck) -> list[str]:
    cols = list(check.point) + list(check.outputs)
    for r in check.rows:
        d = _label(r)
        cols += [d, f"fd:{d}", f"relerr:{d}"]
    return cols + ["verdict", "step", "reason"]


def check_cells(check: PointCheck) -> list[str]:
    cells = [plain_number(v) for v in list(check.point.values()) + list(check.values)]
    for r in check.rows:
        cells += [plain_number(r.ad), plain_number(r.fd), plain_number(r.relerr)]
    return cells + [check.verdict, "" if check.step is None else str(check.step),
                    check.reason or ""]


SWEEP_COLUMNS = ["derivative", "h", "forward", "central", "ad"]


def _swept(check: PointCheck) -> tuple[dict[tuple[str, str], list[SweepRow]],
                                       dict[tuple[str, str], str]]:
    """The sweep of a check asked for one (--sweep), and its reference values."""
    assert check.sweep is not None and check.reference is not None, "a check without a sweep"
    return check.sweep, check.reference


def sweep_cells(check: PointCheck) -> Iterator[list[str]]:
    for (o, v), rows in _swept(check)[0].items():
        for s in rows:
            yield [derivative_label(o, v), f"{s.h:.0e}", plain_number(s.forward),
                   plain_number(s.central), plain_number(s.ad)]


def delimited(rows: Sequence[Sequence[Any]], sep: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


# --- the sweep as plain text and as a chart ----------------------------------------------

def sweep_plain(check: PointCheck) -> str:
    """A header row and one row per (derivative, h), space-separated: the
    relative errors of forward and central differences and of AD."""
    rows = [SWEEP_COLUMNS] + list(sweep_cells(check))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()
             for r in rows]
    for (o, v), text in _swept(check)[1].items():
        lines.append(f"reference:{derivative_label(o, v)} {text}")
    lines.append(f"verdict {check.verdict}")
    return "\n".join(lines)


FLOOR = -17  # errors below 1e-17 (and exact zeros) sit on the bottom row


def _decade(err: float) -> int | None:
    if err != err:
        return None
    if err <= 0:
        return FLOOR
    return max(FLOOR, min(1, math.floor(math.log10(err))))


def sweep_chart(rows: Sequence[SweepRow], label: str) -> str:
    """An ASCII chart: log10(error) down, log10(h) across; F forward, C
    central, A automatic differentiation (``*``: F and C in the same cell)."""
    marks: dict[tuple[int, int], str] = {}
    for col, s in enumerate(rows):
        for key, err in (("A", s.ad), ("F", s.forward), ("C", s.central)):
            d = _decade(err)
            if d is None:
                continue
            cell = marks.get((d, col))
            marks[(d, col)] = "*" if cell in ("F", "C") and key != cell else key
    decades = [d for d, _ in marks] or [0]
    top, bottom = max(decades), min(decades)
    width = 4
    lines = [f"relative error of {label} (F forward, C central, A AD; * F and C together)"]
    for d in range(top, bottom - 1, -1):
        name = f"<=1e{d}" if d == FLOOR else f"1e{d:+03d}"
        cells = "".join(marks.get((d, c), " ").center(width) for c in range(len(rows)))
        lines.append(f"{name:>7} |{cells.rstrip()}")
    lines.append(" " * 8 + "+" + "-" * (width * len(rows)))
    ticks = "".join(f"{round(math.log10(s.h)):d}".center(width) for s in rows)
    lines.append(" " * 9 + ticks.rstrip())
    lines.append(" " * 9 + "log10 h".center(width * len(rows)).rstrip())
    return "\n".join(lines)


# --- a terminal ----------------------------------------------------------------------------

def _num(x: float, digits: int | None = None) -> str:
    if x != x:
        return "—"
    return plain_number(x, digits)


def show(checks: Sequence[PointCheck | FailedPoint], source: str, sweep: bool = False) -> None:
    """The checks on the terminal: one table summing up several points, or
    per point its table (or, with ``sweep``, the error of each step h) and
    the verdict."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    title = " ".join(source.split())
    if len(title) > 60:
        title = title[:57] + "…"
    if len(checks) > 1 and not sweep:
        _show_summary(console, checks, title)
        return
    for c in checks:
        if isinstance(c, FailedPoint):  # one of several --at points that could not be computed
            console.print(Text(f"{c.where}: error: {c.message}", style="bold red"))
            continue
        point = ", ".join(f"{k} = {plain_number(v)}" for k, v in c.point.items())
        heading = f"[bold]{title}[/] at {point}"
        if sweep:
            for (output, variable), rows in _swept(c)[0].items():
                _show_sweep(console, c, heading, output, variable, rows)
        else:
            _show_point(console, c, heading)
        console.print(_verdict_line(c))


def _show_summary(console, checks, title):
    """Several points: a row each (verdict, largest error, where, why), or a
    line each when the terminal is too narrow for the table."""
    from rich.table import Table

    names = list(next(c for c in checks if not _failed(c)).point)
    table = Table(title=f"[bold]{title}[/]", title_justify="left")
    for col in names + ["verdict", "largest rel. error", "ω", "why"]:
        table.add_column(col, justify="right" if col not in ("verdict", "why") else "left",
                         min_width=WHY_WIDTH if col == "why" else None)
    for c in checks:
        if _failed(c):  # one of several --at points that could not be computed
            point = c.point or {}
            table.add_row(*[plain_number(point[n]) if n in point else "" for n in names],
                          "[bold red]error[/]", "", "", c.message)
            continue
        table.add_row(*[plain_number(v) for v in c.point.values()],
                      _verdict_text(c.verdict), _num(_worst(c), 3),
                      "" if c.step is None else f"ω{c.step}", c.summary or "")
    if _fits_wrapping_text(console, table):
        console.print(table)
    else:  # a line per point, each number whole
        console.print(table.title)
        for c in checks:
            console.print(_point_line(c, names))


def _worst(c):
    """The largest relative error of a check's derivatives (nan ones aside)."""
    return max((r.relerr for r in c.rows if r.relerr == r.relerr), default=0.0)


def _show_sweep(console, c, heading, output, variable, rows):
    """--sweep: the errors of forward FD, central FD and AD for each h, as a
    table and, when the terminal is wide enough, a chart."""
    from rich.table import Table
    from rich.text import Text

    label = f"∂{output}/∂{variable}"
    table = Table(title=f"{heading}: {label}, reference {c.reference[(output, variable)]}",
                  title_justify="left")
    for col in ("h", "forward FD error", "central FD error", "AD error"):
        table.add_column(col, justify="right")
    for s in rows:
        table.add_row(f"1e{round(math.log10(s.h))}", _num(s.forward, 3),
                      _num(s.central, 3), _num(s.ad, 3))
    print_fitting(console, table)
    chart = sweep_chart(rows, label)
    need = max(len(line) for line in chart.splitlines()[1:])
    if need <= console.width:
        console.print(Text(chart))
    else:
        console.print(f"[dim](the chart of the errors needs {need} columns and "
                      f"the terminal has {console.width})[/]")


def _show_point(console, c, heading):
    """One point: AD next to central FD per derivative, and the steps h."""
    from rich import box
    from rich.table import Table

    table = Table(title=heading, title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for col in ("", "AD", "central FD", "rel.err", "tol.", "check"):
        wide = 0
        if col in ("AD", "central FD"):
            wide = max(len(_num(r.ad if col == "AD" else r.fd)) for r in c.rows)
        table.add_column(col, justify="right", min_width=wide or None, no_wrap=True)
    for r in c.rows:
        table.add_row(f"∂{r.output}/∂{r.variable}", plain_number(r.ad),
                      _num(r.fd), _num(r.relerr, 3),
                      _num(r.tolerance / abs(r.ad) if r.ad else r.tolerance, 3),
                      _verdict_text(_row_verdict(r)))
    print_fitting(console, table)
    steps = ", ".join(f"{_num(r.h, 3)} for {r.variable}" for r in c.rows
                      if r.output == c.outputs[0])
    console.print(f"[dim]central differences with step h = {steps}; tolerance: the "
                  "finite-difference error expected there (relative)[/]")


def _verdict_line(c):
    line = _verdict_text(c.verdict) + (f" at ω{c.step}" if c.step is not None else "")
    return line + (f": {c.reason}" if c.reason else
                   ": AD and finite differences agree within the finite-difference error")


WHY_WIDTH = 16  # the reason column wraps, but not narrower than this


def _fits_wrapping_text(console, table):
    """Whether ``table`` fits with every cell but the reason (the last
    column) on one line, the reason wrapped at WHY_WIDTH or wider."""
    *cols, why = table.columns
    need = sum(natural_width(console, _one_column(c)) - 1 for c in cols)
    return need + WHY_WIDTH + 4 <= console.width


def _one_column(column):
    from rich.table import Table

    alone = Table()
    alone.add_column(column.header)
    for cell in column.cells:
        alone.add_row(cell)
    return alone


def _point_line(c, names):
    """One point of a several-point check, for a terminal too narrow for the table."""
    from rich.markup import escape

    if _failed(c):
        return f"[bold red]{escape(f'{c.where}: error: {c.message}')}[/]"
    point = ", ".join(f"{n} = {plain_number(v)}" for n, v in c.point.items())
    worst = _worst(c)
    where = "" if c.step is None else f" at ω{c.step}"
    why = f": {escape(c.summary)}" if c.summary else ""
    return f"{point}: {_verdict_text(c.verdict)}{where}{why} (largest rel. error {_num(worst, 3)})"


def _failed(entry):
    """One of several --at points that could not be computed (it has a
    message where a check has rows)."""
    return not hasattr(entry, "rows")


def _verdict_text(verdict):
    style = {"agree": "green", "disagree": "bold red", "kink": "bold red",
             "unchecked": "yellow"}[verdict]
    return f"[{style}]{verdict}[/]"


# --- the registered views (adcli.render.registry) ----------------------------------

# A FailedPoint (one of several --at points that could not be computed) keeps
# its place (adcli.render.failed).  Every format but the terminal's, whose
# verdict line says it, adds a note on why the first failed check failed.

def _says_why_it_failed(fmt_view):
    @functools.wraps(fmt_view)
    def written(checks, notes=None, **options):
        text = fmt_view(checks, **options)
        bad = next((c for c in checks if not _failed(c) and not c.ok), None)
        if bad is not None and notes is not None:
            notes.append(Note(failure_line(bad), "check"))
        return text
    return written


@view("check", "text")
def _text(checks, source="", sweep=False, **_):
    show(checks, source, sweep)


@view("check", "plain")
@_says_why_it_failed
def _plain(checks, sweep=False, **_):
    return "\n\n".join(each_block(checks, sweep_plain if sweep else check_plain))


@view("check", "json")
@_says_why_it_failed
def _json(checks, several=False, **_):
    return json_document(checks, check_json, several)


@view("check", "jsonl")
@_says_why_it_failed
def _jsonl(checks, **_):
    return jsonl_document(checks, check_json)


@view("check", "csv")
@_says_why_it_failed
def _csv(checks, sweep=False, **_):
    return delimited(_table(checks, sweep), ",")


@view("check", "tsv")
@_says_why_it_failed
def _tsv(checks, sweep=False, **_):
    return delimited(_table(checks, sweep), "\t")


def _table(entries, sweep):
    """One summary row per point; with ``sweep`` a row per (point,
    derivative, h): the point's values first, whatever the number of points,
    and a failed point (one of several --at) a row as wide as the header
    with its reason in the ``error`` column, as everywhere else."""
    if not sweep:
        return table_rows(entries, check_columns, check_cells)
    checks = [c for c in entries if not isinstance(c, FailedPoint)]
    names = list(dict.fromkeys(n for c in checks for n in c.point))
    error = [""] if len(checks) < len(entries) else []
    header = names + SWEEP_COLUMNS + ["error"] * len(error)
    rows = [header]
    for entry in entries:
        if isinstance(entry, FailedPoint):
            rows.append(entry.cells(header))
            continue
        point = [plain_number(entry.point[n]) if n in entry.point else "" for n in names]
        rows.extend(point + cells + error for cells in sweep_cells(entry))
    return rows


def failure_line(check: PointCheck) -> str:
    """Why ``check`` failed, in one line (for standard error)."""
    where = f" at ω{check.step}" if check.step is not None else ""
    point = ",".join(f"{k}={v!r}" for k, v in check.point.items())
    return f"{check.verdict}{where} (point {point}): {check.reason}"
