"""``adcli functions``: every primitive of the table, with its derivative
rules printed by the same printer as the trace.  The function
reference of docs/language.md is ``markdown()`` (a test keeps them equal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from ..language.printer import subscript_name, to_string
from ..modes.rules import rule_graph
from ..primitives import TABLE
from .numbers import plain_ascii
from .registry import view
from .results import dumps
from .rich_view import console

if TYPE_CHECKING:
    from rich.table import Table


class Entry(TypedDict):
    """One primitive as ``adcli functions`` lists it (its JSON object)."""

    key: str
    name: str
    usage: str
    arity: int
    params: list[str]
    domain: str
    partials: dict[str, str]  # {parameter: rule text}
    kink: str | None
    doc: str | None
    variadic: bool


def entries(style: str = "text") -> list[Entry]:
    """One dict per primitive, in table order."""
    out: list[Entry] = []
    for prim in TABLE:
        _, _, partials = rule_graph(prim, shown=True)
        params = prim.params
        if prim.infix and prim.arity == 2:
            usage = f"{params[0]} {prim.infix} {params[1]}"
        elif prim.infix:
            usage = f"{prim.infix}{params[0]}"
        else:
            usage = f"{prim.name}({', '.join(params)})"
        rules: dict[str, str] = {}
        for p, node in zip(params, partials):
            rules[p] = to_string(node, style, lambda n: subscript_name(n.name, style))
        out.append({
            "key": prim.key, "name": prim.infix or prim.name, "usage": usage,
            "arity": prim.arity, "params": list(params), "domain": prim.domain,
            "partials": rules, "kink": prim.kink_note, "doc": prim.doc or None,
            "variadic": prim.key in ("min", "max"),
        })
    return out


def _rules_text(e: Entry, style: str = "text") -> str:
    d = "d" if style == "ascii" else "∂"
    return ", ".join(f"{d}/{d}{p} = {r}" for p, r in e["partials"].items())


def _notes(e: Entry) -> str:
    return "; ".join(x for x in (e["doc"], e["kink"] and f"kink: {e['kink']}") if x)


def plain() -> str:
    lines = []
    for e in entries("ascii"):
        rules = "; ".join(f"d/d{p} = {r}" for p, r in e["partials"].items())
        line = f"{e['usage']}\tarity {e['arity']}\tdomain: {e['domain']}\t{rules}"
        if _notes(e):
            line += f"\t{_notes(e)}"
        lines.append(plain_ascii(line))
    return "\n".join(lines)


def json_obj() -> dict[str, list[Entry]]:
    return {"functions": entries("text")}


def markdown() -> str:
    lines = ["| function | arity | domain | derivatives | notes |", "|---|---|---|---|---|"]
    for e in entries("text"):
        cells = [f"`{e['usage']}`", str(e["arity"]), e["domain"], _rules_text(e), _notes(e)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def rich_table() -> Table:
    from rich.table import Table

    table = Table(title="[bold]adcli functions[/] (from the primitives table)",
                  title_justify="left")
    for h in ("function", "arity", "domain", "derivatives", "notes"):
        table.add_column(h, style="bold cyan" if h == "function" else None,
                         overflow="fold")
    for e in entries("text"):
        table.add_row(e["usage"], str(e["arity"]), e["domain"],
                      "\n".join(f"∂/∂{p} = {r}" for p, r in e["partials"].items()), _notes(e))
    return table


# --- the registered views (adcli.render.registry): the table has no point ---------

def blocks() -> list[str]:
    """The table as one block per function, for a terminal too narrow for
    its columns: a heading line, then domain, rules and notes indented."""
    from rich.markup import escape

    out = ["[bold]adcli functions[/] (from the primitives table)"]
    for e in entries("text"):
        out.append(f"\n[bold cyan]{escape(e['usage'])}[/]  arity {e['arity']}")
        out.append(f"  domain: {escape(e['domain'])}")
        out += [f"  ∂/∂{p} = {escape(r)}" for p, r in e["partials"].items()]
        if _notes(e):
            out.append(f"  {escape(_notes(e))}")
    return out


def _words_whole(width: int, table: Table) -> bool:
    """Whether Rich lays ``table`` out at ``width`` without cutting a word in
    two (``deriv`` / ``ative`` / ``s``, ``1/(2·abs(sqrt`` across lines):
    rendered once off screen, every word of every cell must be there."""
    import io
    import re

    from rich.console import Console

    screen = io.StringIO()
    probe = Console(width=width, file=screen, color_system=None, highlight=False)
    probe.print(table)
    shown = set(re.sub("[\u2500-\u257f]", " ", screen.getvalue()).split())
    return all(word in shown for column in table.columns
               for cell in [column.header, *column.cells] for word in str(cell).split())


@view("functions", "text")
def _text(_results: Sequence[Any] = (), **_: Any) -> None:
    out, table = console(), rich_table()
    if _words_whole(out.width, table):  # rules and domains wrap between words
        out.print(table)
        return
    for line in blocks():  # columns narrower than their words: a block per function
        out.print(line)


@view("functions", "plain")
def _plain(_results: Sequence[Any] = (), **_: Any) -> str:
    return plain()


@view("functions", "json")
def _json(_results: Sequence[Any] = (), **_: Any) -> str:
    return dumps(json_obj())


@view("functions", "markdown")
def _markdown(_results: Sequence[Any] = (), **_: Any) -> str:
    return markdown()
