"""Rich rendering for a terminal (``--format text``).  Only this module and
its callers import Rich."""

from rich.console import Console
from rich.table import Table

from .numbers import plain_number


def console(stderr=False):
    return Console(stderr=stderr, highlight=False)


def _point_text(point):
    return ", ".join(f"{k} = {plain_number(v)}" for k, v in point.items())


def _title(source, point, mode=None):
    text = " ".join(source.split())
    if len(text) > 60:
        text = text[:57] + "…"
    title = f"[bold]{text}[/] at {_point_text(point)}" if point else f"[bold]{text}[/]"
    return title + (f"  [dim]({mode} mode)[/]" if mode else "")


def grad_table(source, result):
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


def eval_table(source, result, point):
    table = Table(title=_title(source, point), title_justify="left")
    table.add_column("", style="bold cyan")
    table.add_column("value", justify="right")
    for name, value in zip(result.outputs, result.values):
        table.add_row(name, plain_number(value))
    return table


def show(renderables):
    out = console()
    for r in renderables:
        out.print(r)
