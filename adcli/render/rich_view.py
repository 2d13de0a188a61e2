"""Rich rendering for a terminal (``--format text``).  Only this module and
its callers import Rich, and only when they draw: the views import this
module at their top and stay light for --format json, csv and plain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import option
from .numbers import plain_number

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import TextType

    from ..results import Derivatives, Evaluation


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _point_text(point: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {plain_number(v)}" for k, v in point.items())


def _title(source: str, point: Mapping[str, Any] | None, mode: str | None = None) -> str:
    text = " ".join(source.split())
    if len(text) > 60:
        text = text[:57] + "…"
    title = f"[bold]{text}[/] at {_point_text(point)}" if point else f"[bold]{text}[/]"
    return title + (f"  [dim]({mode} mode)[/]" if mode else "")


def grad_table(source: str, result: Derivatives) -> Table:
    from rich.table import Table

    table = Table(title=_title(source, result.point, result.mode), title_justify="left")
    table.add_column("", style="bold cyan")
    table.add_column("value", justify="right")
    variables = list(result.jacobian[0]) if result.jacobian else []
    for var in variables:
        label = f"∂{result.outputs[0]}/∂{var}" if len(result.outputs) == 1 else f"∂/∂{var}"
        table.add_column(label, justify="right")
    for name, value, row in zip(result.outputs, result.values, result.jacobian):
        table.add_row(name, plain_number(value), *[plain_number(row[v]) for v in variables])
    return table


def eval_table(source: str, result: Evaluation, point: Mapping[str, Any] | None) -> Table:
    from rich.table import Table

    table = Table(title=_title(source, point), title_justify="left")
    table.add_column("", style="bold cyan")
    table.add_column("value", justify="right")
    for name, value in zip(result.outputs, result.values):
        table.add_row(name, plain_number(value))
    return table


def show(renderables: Iterable[RenderableType], numbers: bool = True) -> None:
    """Print to the terminal; ``numbers``: tables of numbers that do not fit
    are shown in their long form (a text table may wrap instead)."""
    out = console()
    for r in renderables:
        if numbers:
            print_fitting(out, r)
        else:
            out.print(r)


# --- tables that do not fit the terminal ---------------------------------------
#
# Rich squeezes a table that is wider than the terminal by truncating cells
# ("0.0023999…") or wrapping them a character wide.  A number must never be
# cut, so such a table is shown in a long form that fits instead: one line
# per number, labelled by its row and column, with a note saying how to get
# the wide table.

# (--format plain is label/value lines as well, so only a wider terminal or
# one row per point, --format csv, holds the table's layout)
WIDE_NOTE = ("(the table is {need} columns wide and the terminal {width}: one line per "
             "number; a terminal {need} columns wide shows the table, {format} csv "
             "one row per point)")


def natural_width(console: Console, table: RenderableType) -> int:
    return console.measure(table, options=console.options.update(width=10**6)).maximum


def fits(console: Console, table: RenderableType) -> bool:
    return natural_width(console, table) <= console.width


def _label(row_label: str, header: str, title: TextType | None = "") -> str:
    matrix = next((w for w in str(title or "").split() if "∂row∂column" in w), None)
    if matrix:  # a Hessian: ∂²f/∂row∂column
        return matrix.replace("∂row∂column", f"∂{row_label}∂{header}")
    if header == "value":
        return row_label
    if header.startswith("∂/∂"):
        return f"∂{row_label}/∂{header[3:]}"
    if not row_label or header.startswith(f"∂{row_label}/"):
        return header
    return f"{row_label}, {header}"


def long_form(console: Console, table: Table,
              title: TextType | None = None) -> tuple[Table, str]:
    """``table`` as label/value lines, each value whole."""
    from rich.table import Table

    columns = table.columns
    heads = [str(c.header) for c in columns]
    cells = [[str(c) for c in col.cells] for col in columns]
    long = Table(show_header=False, box=None, padding=(0, 1))
    long.add_column(style="bold cyan", overflow="fold")
    long.add_column(no_wrap=True, justify="left")
    for i in range(len(cells[0]) if cells else 0):
        for j in range(1, len(columns)):
            long.add_row(_label(cells[0][i], heads[j], title or table.title), cells[j][i])
    note = WIDE_NOTE.format(need=natural_width(console, table), width=console.width,
                            format=option("format"))
    return long, note


def print_fitting(console: Console, renderable: RenderableType) -> None:
    """Print a table as it is if it fits the terminal, else its long form.

    The title is a line of its own, wrapped at the terminal's width: as a
    Rich table title it would wrap at the table's (``x1*x2+sin(x1) at x1 =
    2,`` / ``x2 = 3`` above a narrow table on an 80-column terminal)."""
    from rich.table import Table

    if not isinstance(renderable, Table):
        console.print(renderable)
        return
    title, renderable.title = renderable.title, None
    if title:
        console.print(title)
    if fits(console, renderable):
        console.print(renderable)
        return
    long, note = long_form(console, renderable, title)
    console.print(long)
    console.print(f"[dim]{note}[/]")
