"""The ω trace (``adcli trace``) and the cost report (also ``adcli grad
--stats``) in every format.  Everything printed comes from a
:class:`adcli.modes.trace.Trace` / :class:`adcli.modes.cost.Cost`; rules are
printed by :mod:`adcli.language.printer`.  Rich is imported only for
``text``."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..collector import enable_after_build
from ..errors import option
from ..language.printer import omega, subscript_name, to_string
from .failed import FailedPoint, each_block, rich_failed
from .numbers import json_number, plain_number
from .registry import view
from .results import dumps
from .rich_view import natural_width, show

if TYPE_CHECKING:
    from rich.console import Group, RenderableType
    from rich.table import Table

    from ..graph.dag import Node
    from ..graph.tape import Tape
    from ..modes.cost import Cost
    from ..modes.trace import Row, Trace

T = TypeVar("T")

_ACCENT = {"w": None, "dot": "dot", "bar": "bar"}


def leaf_printer(style: str) -> Callable[[Node], str]:
    def leaf(node: Node) -> str:
        kind, ident = node.name.split(":", 1)
        if kind == "in":
            return subscript_name(ident, style)
        return omega(int(ident), style, _ACCENT[kind])
    return leaf


def expr(node: Node, style: str) -> str:
    return to_string(node, style, leaf_printer(style))


def numbers(trace: Trace) -> tuple[Callable[[Any], str], Callable[[Any], Any]]:
    """(plain, json) writers of the trace's numbers, from its number system."""
    return trace.system.format, trace.system.json


def _num(v: Any, style: str, trace: Trace | None = None) -> str:
    text = plain_number(v) if trace is None else numbers(trace)[0](v)
    return f"${text}$" if style == "latex" and text.startswith("-") else text


def _seed_word(style: str) -> str:
    return "\\ \\mbox{(seed)}" if style == "latex" else "(seed)"


# --- the table model: headers and cells in one notation ---------------------

def headers(trace: Trace, style: str) -> list[str]:
    accent = "dot" if trace.mode == "forward" else "bar"
    w = {"text": "ω", "ascii": "w", "latex": "\\omega"}[style]
    acc = {"text": {"dot": "ω̇", "bar": "ω̄"}, "ascii": {"dot": "w_dot", "bar": "w_bar"},
           "latex": {"dot": "\\dot{\\omega}", "bar": "\\bar{\\omega}"}}[style][accent]
    rule = "tangent rule" if trace.mode == "forward" else "adjoint rule"
    if len(trace.columns) == 1:
        if trace.mode == "forward":
            rule += f", seed ({', '.join(plain_number(s) for s in trace.seeds[0])})"
        cols = [acc]
    else:
        cols = [f"{acc} ({c})" if style != "latex" else f"{acc}\\ ({c})" for c in trace.columns]
    return [w, "definition", "value", rule] + cols


def rule_text(trace: Trace, row: Row, style: str) -> str:
    """A row's rule in ``style``: the tangent or accumulated adjoint rule,
    with the seed marked."""
    single = len(trace.columns) == 1
    rule = expr(row.rule, style) if row.rule is not None else None
    if row.seed is None:
        return rule if rule is not None else "0"
    if single:
        seeded = row.seed[0]
        mark = f"{plain_number(seeded)} {_seed_word(style)}"
        if trace.mode == "reverse" and rule is not None:
            return f"{rule} + {mark}" if seeded == 0 else f"{mark} + {rule}"
        return mark if seeded != 0 or rule is None else rule
    word = "\\mbox{seed}" if style == "latex" else "seed"
    return f"{word} + {rule}" if rule is not None else word


def label(trace: Trace, row: Row, style: str) -> str:
    text = omega(row.omega, style)
    if row.output is not None and len(trace.outputs) > 1:
        text += f" ({row.output})" if style != "latex" else f"\\ (\\mathrm{{{row.output}}})"
    return text


def cells(trace: Trace, row: Row, style: str) -> list[str]:
    return ([label(trace, row, style), expr(row.definition, style),
             _num(row.value, style, trace), rule_text(trace, row, style)]
            + [_num(v, style, trace) for v in row.values])


def limited(rows: Sequence[T], limit: int | None) -> tuple[Sequence[T], int, Sequence[T]]:
    """(first rows, number left out, last rows): the first and last steps
    stay visible (inputs and outputs)."""
    if limit is None or len(rows) <= limit:
        return rows, 0, []
    head = (limit + 1) // 2
    tail = limit - head
    return rows[:head], len(rows) - limit, rows[len(rows) - tail:] if tail else []


def title(trace: Trace, style: str = "ascii") -> str:
    """The function and the point, shortened for long ones (the full
    point is in the json format)."""
    num = numbers(trace)[0]
    items = [f"{k} = {num(v)}" for k, v in trace.point.items()]
    if len(items) > 8:
        items = items[:3] + ["..."] + items[-2:]
    point = ", ".join(items) + (f" ({len(trace.point)} inputs)" if len(trace.point) > 8 else "")
    src = " ".join(trace.source.split())
    if len(src) > 72:
        src = src[:69] + "..."
    return f"{src} at {point}" if point else src


def mode_line(trace: Trace, style: str) -> str:
    n = len(trace.columns)
    if not trace.inputs:
        what = "no inputs, nothing to differentiate"
    elif trace.mode == "forward":
        if trace.columns == ["seed"]:
            what = f"one tangent sweep along the seed ({', '.join(trace.seed_text)})"
        elif n == 1:
            what = (f"one tangent sweep, seed ({trace.seed_text[0]}) "
                    f"for d/d{trace.columns[0]}")
        else:
            dots = "..." if style == "ascii" else "…"
            what = f"{n} tangent sweeps, seeds e1{dots}e{n} (one column per input)"
    else:
        outs = trace.rows.seeded_omegas()
        if n == 1 and outs:
            what = f"one adjoint sweep, seed {omega(outs[0], style, 'bar')} = 1"
        else:
            what = f"{n} adjoint sweeps, one per output (one column per output)"
    arrow = "->" if style == "ascii" else "→"
    how = f"auto {arrow} " if trace.requested_mode == "auto" else ""
    return f"{how}{trace.mode} mode: {what}"


def footer_lines(trace: Trace) -> list[tuple[str, Any]]:
    """The derivatives the sweep(s) produced, as (``df/dx1``, value)."""
    out = []
    for a, b, d in trace.derivatives:
        if trace.mode == "forward":  # (output, column): a column is a variable or the seed
            out.append((f"d{a}/dv" if b == "seed" else f"d{a}/d{b}", d))
        else:  # (output, variable)
            out.append((f"d{a}/d{b}", d))
    return out


# --- cost -------------------------------------------------------------------

def cost_lines(cost: Cost) -> list[tuple[str, str]]:
    """The cost report as ``(label, text)`` pairs in ASCII."""
    ops = ", ".join(f"{k} {v}" for k, v in sorted(cost.by_op.items(), key=lambda kv: -kv[1]))
    lines = [("function", f"{cost.function_ops} elementary operations ({ops}); "
                          f"{cost.partials} local partials, computed once for all sweeps")]
    for name, mc, per in (("forward", cost.forward, "input"), ("reverse", cost.reverse, "output")):
        ps = mc.per_sweep
        total = f"{mc.total}" + ("" if mc.exact else
                                 f" (estimated from {mc.counted} counted sweeps)")
        if mc.fewest == mc.most:
            each = f"{sum(ps.values())} ops ({ps['mul']} mul + {ps['add']} add)"
        else:  # the sweeps skip zeros, so they differ
            each = (f"{mc.fewest} to {mc.most} ops (the first: {ps['mul']} mul + "
                    f"{ps['add']} add)")
        lines.append((name, f"{mc.sweeps} sweep{'s' * (mc.sweeps != 1)} (one per {per}) x "
                            f"{each} = {total} ops"))
    lines.append(("auto", f"picks {cost.reason}"))
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def mode_stats(tape: Tape, n_out: int, n_in: int, mode: str, requested: str,
               kind: str = "jacobian") -> list[str]:
    """``grad --stats``: the mode used and why, the sweeps it took, the
    tape's size, one line each."""
    if kind == "jvp":
        lines = ["mode forward (J·v): 1 tangent sweep"]
    elif kind == "vjp":
        lines = ["mode reverse (uᵀ·J): 1 adjoint sweep"]
    else:
        why = ("auto: reverse when outputs < inputs" if requested == "auto"
               else f"as asked with {option('mode')}")
        fwd, rev = _plural(n_in, "tangent sweep"), _plural(n_out, "adjoint sweep")
        used, other = (fwd, rev) if mode == "forward" else (rev, fwd)
        lines = [f"mode {mode} ({why}; {_plural(n_out, 'output')}, "
                 f"{_plural(n_in, 'input')})",
                 f"sweeps {used} (the other mode would take {other})"]
    lines.append(f"tape {_plural(len(tape.steps), 'ω step')} after "
                 f"{_plural(tape.n_inputs, 'input')}, {_plural(len(tape.consts), 'constant')}")
    return lines


def cost_plain(cost: Cost) -> str:
    return "\n".join(f"cost {k}: {v}" for k, v in cost_lines(cost))


def cost_json(cost: Cost) -> dict[str, Any]:
    return cost.as_dict()


def cost_markdown(cost: Cost) -> str:
    lines = ["| cost | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in cost_lines(cost)]
    return "\n".join(lines)


def cost_rich(cost: Cost, ascii: bool = False) -> Table:
    from rich.table import Table

    table = Table(title="[bold]what each mode costs[/] (counted from the sweeps)",
                  title_justify="left", show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold cyan")
    table.add_column(overflow="fold")
    for k, v in cost_lines(cost):
        table.add_row(k, v if ascii else v.replace(" x ", " × "))
    return table


# --- formats ----------------------------------------------------------------

# Columns are padded to their widest cell, but no wider than this: one long
# adjoint rule (an input used 20,000 times) must not pad every other row to
# its width (the output grew as rows × widest rule).
PAD_MAX = 48


def plain(trace: Trace, limit: int | None = None, stats: bool = True) -> str:
    return "".join(plain_chunks(trace, limit, stats))


def plain_chunks(trace: Trace, limit: int | None = None, stats: bool = True) -> Iterator[str]:
    """:func:`plain` in pieces, written as they are made.  The columns'
    widths need every row: a first pass pads nothing and spools the cells
    (in memory while small, then to a temporary file), the second pads and
    writes them, so memory holds one row, not the table (issue 11)."""
    yield from _joined(_plain_lines(trace, limit, stats))


_CELL = "\0"  # between a spooled row's cells (no cell holds it or a newline)
_SKIP = "\1"  # starts the spooled "... N more rows" line (padded as nothing)


def _plain_lines(trace: Trace, limit: int | None, stats: bool) -> Iterator[str]:
    import tempfile

    style = "ascii"
    head = headers(trace, style)
    first, skipped, last = limited(trace.rows, limit)
    widths = [min(PAD_MAX, len(h)) for h in head]
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+",
                                       encoding="utf-8", newline="\n") as spool:
        def spooled(rows: Iterable[Row]) -> None:
            batch: list[str] = []  # written a few hundred rows at a time: each write
            for r in rows:         # of a spooled file asks its position, which is slow
                row = cells(trace, r, style)
                for i, c in enumerate(row):
                    if len(c) > widths[i]:
                        widths[i] = min(PAD_MAX, len(c))
                batch.append(_CELL.join(row))
                if len(batch) == 512:
                    spool.write("\n".join(batch) + "\n")
                    batch.clear()
            if batch:
                spool.write("\n".join(batch) + "\n")

        spooled(first)
        if skipped:
            spool.write(f"{_SKIP}... {skipped} more rows ({option('limit')})\n")
        spooled(last)
        spool.seek(0)
        yield f"trace of {title(trace)}"
        yield mode_line(trace, style)
        yield _padded(head, widths)
        for line in spool:
            if line.startswith(_SKIP):
                yield line[1:-1]
            else:
                yield _padded(line[:-1].split(_CELL), widths)
    d_first, d_skipped, d_last = limited(footer_lines(trace), limit)
    num = numbers(trace)[0]
    for k, v in d_first:
        yield f"{k} {num(v)}"
    if d_skipped:
        yield f"... {d_skipped} more derivatives ({option('limit')})"
    for k, v in d_last:
        yield f"{k} {num(v)}"
    if stats and trace.cost is not None:
        yield cost_plain(trace.cost)


def _padded(row: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()


# the plain table's rows kept in memory up to this many characters, then in a file
SPOOL_IN_MEMORY = 4 << 20

# a streamed view's pieces are about this long (one write each)
CHUNK = 1 << 16


def _joined(lines: Iterable[str], sep: str = "\n") -> Iterator[str]:
    """``sep.join(lines)`` in pieces of about :data:`CHUNK` characters."""
    batch: list[str] = []
    size = 0
    started = False
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= CHUNK:
            yield (sep if started else "") + sep.join(batch)
            started, batch, size = True, [], 0
    if batch:
        yield (sep if started else "") + sep.join(batch)


def collector_off(pieces: Iterable[str]) -> Iterator[str]:
    """``pieces``, made with the cyclic collector off (as
    :func:`~adcli.collector.without_gc` builds): rows are made and dropped by
    the hundred thousand, with no cycle among them, and its passes would
    rescan the whole tape (the fan's trace took 13% more CPU with it on)."""
    if not gc.isenabled():
        yield from pieces
        return
    gc.disable()
    try:
        yield from pieces
    finally:
        enable_after_build()


def each_streamed(traces: Sequence[Trace | FailedPoint], one: Callable[[Trace], Iterable[str]],
                  failed: Callable[[FailedPoint], str] = FailedPoint.plain,
                  sep: str = "\n\n") -> Iterator[str]:
    """:func:`~adcli.render.failed.each_block` joined by ``sep``, each
    trace's text in the pieces ``one`` makes of it."""
    for k, entry in enumerate(traces):
        if k:
            yield sep
        if isinstance(entry, FailedPoint):
            yield failed(entry)
        else:
            yield from one(entry)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def markdown(trace: Trace, limit: int | None = None, stats: bool = True,
             ascii: bool = False) -> str:
    return "".join(_joined(_markdown_lines(trace, limit, stats, ascii)))


def _markdown_lines(trace: Trace, limit: int | None, stats: bool, ascii: bool) -> Iterator[str]:
    style = "ascii" if ascii else "text"
    head = headers(trace, style)
    first, skipped, last = limited(trace.rows, limit)
    dash, dots = (" - ", "...") if ascii else (" — ", "…")  # --ascii: no Unicode at all
    yield f"**{_md_escape(title(trace))}**{dash}{_md_escape(mode_line(trace, style))}"
    yield ""
    yield "| " + " | ".join(_md_escape(h) for h in head) + " |"
    yield "|" + "---|" * len(head)

    def line(row: list[str]) -> str:
        return "| " + " | ".join(_md_escape(c) for c in row) + " |"

    for r in first:
        yield line(cells(trace, r, style))
    if skipped:
        yield line([f"{dots} {skipped} more rows {dots}"] + [""] * (len(head) - 1))
    for r in last:
        yield line(cells(trace, r, style))
    yield ""
    d_first, d_skipped, d_last = limited(footer_lines(trace), limit)
    num = numbers(trace)[0]
    for k, v in d_first:
        yield f"- {_md_escape(k)} = {num(v)}"
    if d_skipped:
        yield f"- … {d_skipped} more derivatives"
    for k, v in d_last:
        yield f"- {_md_escape(k)} = {num(v)}"
    if stats and trace.cost is not None:
        yield ""
        yield cost_markdown(trace.cost)


_LATEX_SPECIAL = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$",
                  "#": "\\#", "_": "\\_", "{": "\\{", "}": "\\}", "^": "\\^{}",
                  "~": "\\~{}"}


def _latex_text(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def latex(trace: Trace, limit: int | None = None) -> str:
    return "".join(_joined(_latex_lines(trace, limit)))


def _latex_lines(trace: Trace, limit: int | None) -> Iterator[str]:
    style = "latex"
    head = headers(trace, style)
    ncols = len(head)
    first, skipped, last = limited(trace.rows, limit)

    def row(r: Row) -> str:
        c = cells(trace, r, style)
        return " & ".join([f"${c[0]}$", f"${c[1]}$", c[2], f"${c[3]}$"] + c[4:]) + " \\\\"

    head_cells = [f"${head[0]}$", head[1], head[2], _latex_text(head[3])]
    head_cells += [f"${h}$" for h in head[4:]]
    yield f"% adcli trace: {title(trace)}; {mode_line(trace, 'ascii')}".replace("\n", " ")
    yield "\\begin{tabular}{ll" + "r" + "l" + "r" * (ncols - 4) + "}"
    yield "\\hline"
    yield " & ".join(head_cells) + " \\\\"
    yield "\\hline"
    for r in first:
        yield row(r)
    if skipped:
        yield f"\\multicolumn{{{ncols}}}{{c}}{{\\dots\\ {skipped} more rows}} \\\\"
    for r in last:
        yield row(r)
    yield "\\hline"
    yield "\\end{tabular}"


def to_json(trace: Trace, stats: bool = True, ascii: bool = False) -> dict[str, Any]:
    obj = _json_head(trace, stats, ascii, steps=None)
    obj["steps"] = list(json_steps(trace, ascii))
    return obj


def json_steps(trace: Trace, ascii: bool = False) -> Iterator[dict[str, Any]]:
    """Each row's JSON object, made as it is read."""
    style = "ascii" if ascii else "text"
    jnum = numbers(trace)[1]
    key = "tangent" if trace.mode == "forward" else "adjoint"
    for r in trace.rows:
        yield {
            "index": r.omega, "omega": omega(r.omega, style),
            "input": r.name, "op": r.op, "output": r.output,
            "definition": expr(r.definition, style),
            "definition_latex": expr(r.definition, "latex"),
            "value": jnum(r.value),
            f"{key}_rule": rule_text(trace, r, style),
            f"{key}_rule_latex": rule_text(trace, r, "latex"),
            "seed": None if r.seed is None else {c: json_number(s)
                                                 for c, s in zip(trace.columns, r.seed)},
            key: {c: jnum(v) for c, v in zip(trace.columns, r.values)},
        }


def _json_head(trace: Trace, stats: bool, ascii: bool, steps: Any) -> dict[str, Any]:
    """The trace's JSON object with ``steps`` in the place of its steps."""
    jnum = numbers(trace)[1]
    point = {k: jnum(v) for k, v in trace.point.items()}
    obj = {"source": trace.source, "point": point, "mode": trace.mode,
           "requested_mode": trace.requested_mode, "order": "sweep",
           "columns": trace.columns,
           "seeds": [dict(zip(trace.inputs, s)) if trace.mode == "forward"
                     else dict(zip(trace.outputs, s)) for s in trace.seeds],
           "steps": steps,
           "derivatives": {k: jnum(v) for k, v in footer_lines(trace)},
           "warnings": [w.message for w in trace.warnings]}
    if stats and trace.cost is not None:
        obj["cost"] = cost_json(trace.cost)
    return obj


def json_chunks(trace: Trace, stats: bool = True, ascii: bool = False) -> Iterator[str]:
    """``dumps(to_json(trace))`` in pieces: the steps are written as they
    are made, between the text json.dumps gives the rest."""
    import secrets

    mark = f"\ue000steps {secrets.token_hex(8)}\ue000"  # in no formula
    before, after = dumps(_json_head(trace, stats, ascii, steps=mark)).split(f'"{mark}"')
    yield before + "["
    yield from _joined((dumps(step) for step in json_steps(trace, ascii)), ", ")
    yield "]" + after


def csv_rows(trace: Trace, ascii: bool = False) -> list[list[str]]:
    return [csv_header(trace), *csv_body(trace, ascii)]


def csv_header(trace: Trace) -> list[str]:
    acc = "w_dot" if trace.mode == "forward" else "w_bar"
    rule = "tangent_rule" if trace.mode == "forward" else "adjoint_rule"
    head = ["index", "omega", "input", "output", "op", "definition", "value", rule]
    return head + [f"{acc}[{c}]" for c in trace.columns]


def csv_body(trace: Trace, ascii: bool = False) -> Iterator[list[str]]:
    """Each row's cells, made as it is read."""
    style = "ascii" if ascii else "text"
    num = numbers(trace)[0]
    for r in trace.rows:
        yield ([str(r.omega), omega(r.omega, style), r.name or "", r.output or "", r.op,
                expr(r.definition, style), num(r.value),
                rule_text(trace, r, style)] + [num(v) for v in r.values])


def rich_trace(trace: Trace, limit: int | None = None, stats: bool = True,
               ascii: bool = False) -> Group:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    style = "ascii" if ascii else "text"
    head = headers(trace, style)
    from rich import box

    table = Table(title=f"[bold]{_esc(title(trace))}[/]\n[dim]{_esc(mode_line(trace, style))}[/]",
                  title_justify="left", box=box.ASCII2 if ascii else box.SIMPLE_HEAD,
                  padding=(0, 1),
                  collapse_padding=True, pad_edge=False)
    for i, h in enumerate(head):
        number = i == 2 or i >= 4  # numbers keep every digit on one line
        table.add_column(h, justify="right" if number else "left", no_wrap=number or i == 0,
                         style="bold cyan" if i == 0 else None, overflow="fold")
    first, skipped, last = limited(trace.rows, limit)
    for r in first:
        table.add_row(*cells(trace, r, style))
    if skipped:
        dots = "..." if ascii else "…"
        table.add_row(f"{dots} {skipped} more rows ({option('limit')})", *[""] * (len(head) - 1),
                      style="dim")
    for r in last:
        table.add_row(*cells(trace, r, style))
    from rich.console import Console

    console = Console()
    need = natural_width(console, table)
    if need > console.width:  # squeezed, Rich would cut numbers or wrap rules a letter wide
        table = _blocks(trace, head, first, skipped, last, style, need, console.width)
    foot = Text()
    d_first, d_skipped, d_last = limited(footer_lines(trace), limit)
    for k, v in [*d_first, (None, d_skipped), *d_last]:
        if k is None:
            if d_skipped:
                dots = "..." if ascii else "…"
                foot.append(f"{dots} {d_skipped} more derivatives ({option('limit')})\n",
                            style="dim")
            continue
        foot.append(f"{_pretty_label(k, ascii)} = ", style="bold")
        foot.append(numbers(trace)[0](v) + "\n")
    parts: list[RenderableType] = [table, foot]
    if stats and trace.cost is not None:
        parts.append(cost_rich(trace.cost, ascii))
    return Group(*parts)


def _pretty_label(label, ascii):
    if ascii or not label.startswith("d"):
        return label
    top, var = label[1:].split("/d", 1)
    return f"∂{top}/∂{var}"


def _esc(text):
    from rich.markup import escape

    return escape(text)


def _blocks(trace, head, first, skipped, last, style, need, width):
    """The trace as one block per ω step, for a terminal narrower than its
    table: the step, its definition and value on one line, then its rule
    and each tangent or adjoint on lines of their own (wrapped, never cut)."""
    from rich.console import Group
    from rich.text import Text

    title_text = Text(f"{title(trace)}\n", style="bold")
    title_text.append(f"{mode_line(trace, style)}\n", style="dim")
    parts = [title_text]

    def block(r):
        c = cells(trace, r, style)
        text = Text()
        text.append(c[0], style="bold cyan")
        text.append(f" = {c[1]} = {c[2]}\n")
        text.append(f"    {head[3]}: ", style="dim")
        text.append(f"{c[3]}\n")
        for h, v in zip(head[4:], c[4:]):
            text.append(f"    {h} = ", style="dim")
            text.append(f"{v}\n")
        return text

    parts += [block(r) for r in first]
    if skipped:
        dots = "..." if style == "ascii" else "…"
        parts.append(Text(f"{dots} {skipped} more steps ({option('limit')})\n", style="dim"))
    parts += [block(r) for r in last]
    step = "w" if style == "ascii" else "ω"
    parts.append(Text(f"(the table is {need} columns wide and the terminal {width}: one block "
                      f"per {step} step; a wider terminal or {option('format')} plain/markdown "
                      "shows the table)", style="dim"))
    return Group(*parts)


# --- the registered views (adcli.render.registry) ----------------------------------

DEFAULT_TEXT_LIMIT = 200  # rows a terminal shows unless --limit says otherwise


# A FailedPoint (one of several --at points that could not be computed) keeps
# its place in every format: adcli.render.failed.

@view("trace", "text")
def _text(traces, limit=None, stats=True, ascii=False, **_):
    limit = DEFAULT_TEXT_LIMIT if limit is None else limit
    show(each_block(traces, lambda t: rich_trace(t, limit, stats, ascii), rich_failed))


@view("trace", "plain")
def _plain(traces, limit=None, stats=True, **_):
    return collector_off(each_streamed(traces, lambda t: plain_chunks(t, limit, stats)))


@view("trace", "markdown")
def _markdown(traces, limit=None, stats=True, ascii=False, **_):
    return collector_off(each_streamed(
        traces, lambda t: _joined(_markdown_lines(t, limit, stats, ascii)),
        lambda e: f"**{e.where}: error:** {e.message}"))


@view("trace", "latex")
def _latex(traces, limit=None, **_):
    return collector_off(each_streamed(
        traces, lambda t: _joined(_latex_lines(t, limit)),
        lambda e: rf"\noindent\textbf{{error}} {_latex_text(e.where)}: "
                  rf"{_latex_text(e.message)}"))


@view("trace", "json")
def _json(traces, stats=True, ascii=False, several=False, **_):
    """One point's object, or the list of every point's (as
    :func:`~adcli.render.results.json_document`), written as it is made."""
    def one(entry):
        if isinstance(entry, FailedPoint):
            return [dumps(entry.json())]
        return json_chunks(entry, stats, ascii)

    if len(traces) == 1 and not several:
        return collector_off(one(traces[0]))
    return collector_off(_json_list(traces, one))


def _json_list(traces, one):
    yield "["
    for k, entry in enumerate(traces):
        if k:
            yield ", "
        yield from one(entry)
    yield "]"


@view("trace", "csv")
def _csv(traces, ascii=False, **_):
    """One row per ω step; a ``point`` column (1-based, there with one
    point as with several: the same columns either way) says whose step a
    row is, and if one of several --at points failed an ``error`` column
    says why it has one row and no steps."""
    good = [t for t in traces if not isinstance(t, FailedPoint)]
    error = [""] if len(good) < len(traces) else []
    header = ["point"] + csv_header(good[0]) + ["error"] * len(error)
    return collector_off(_csv_chunks(traces, header, error, ascii))


def _csv_chunks(traces, header, error, ascii):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for number, entry in enumerate(traces, 1):
        if isinstance(entry, FailedPoint):
            writer.writerow([number] + [""] * (len(header) - 2) + [entry.message])
            continue
        for row in csv_body(entry, ascii):
            writer.writerow([number] + row + error)
            if buf.tell() >= CHUNK:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()
