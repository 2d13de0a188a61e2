"""The expression DAG (``adcli graph``) as a Rich tree, an ASCII tree,
Graphviz DOT, Mermaid or JSON.  A shared subexpression is one node with
several edges (in the trees: drawn once, then referred to by its ω).
Values, tangents and adjoints, when asked for, come from the trace
(:mod:`adcli.modes.trace`); nothing is computed here.  Rich only for
``tree``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError, example_point, option
from ..language.printer import omega, subscript_name
from ..modes.trace import Symbolic
from .failed import FailedPoint
from .numbers import json_number, plain_number
from .registry import Note, view
from .results import json_document
from .rich_view import show
from .trace_view import expr

if TYPE_CHECKING:
    from rich.tree import Tree

    from ..graph.tape import Tape
    from ..modes.trace import Trace


class GNode:
    __slots__ = ("id", "omega", "kind", "op", "label", "definition", "value", "notes", "args",
                 "outputs", "per_point")
    id: str
    omega: int | None  # None for a constant
    kind: str  # "input", "const" or "op"
    op: str
    label: str
    definition: str | None
    value: Any
    notes: list[tuple[str, Any]]  # (tangent or adjoint label, number)
    args: tuple[int, ...]  # the arguments' slots
    outputs: list[str]
    per_point: list[tuple[int, Any, list[tuple[str, Any]]]] | None  # (point number, value, notes)

    def __init__(self, **kw: Any) -> None:
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def build(tape: Tape, traces: Iterable[Trace] = (), style: str = "text",
          numbers: Sequence[int] | None = None, tangents: bool = True) -> dict[int, GNode]:
    """Nodes (by slot) and the output slots, from the tape; annotated with
    the numbers of each trace (one per point; ``numbers`` are the points'
    labels, 1, 2, …, shown when there are several): values, and with
    ``tangents`` the trace's tangents or adjoints."""
    traces = list(traces or [])
    trace = traces[0] if traces else None
    nodes = _build(tape, trace, style, tangents)
    if len(traces) > 1:
        per_point: dict[int, list[tuple[int, Any, list[tuple[str, Any]]]]] = {}
        for slot, node in nodes.items():
            node.per_point = per_point[slot] = []
        for k, t in zip(numbers or range(1, len(traces) + 1), traces):
            for slot, node in _build(tape, t, style, tangents).items():
                if node.kind != "const":
                    per_point[slot].append((k, node.value, node.notes))
    return nodes


def _build(tape: Tape, trace: Trace | None, style: str,
           tangents: bool = True) -> dict[int, GNode]:
    n = tape.n_inputs
    rows = {r.slot: r for r in trace.rows} if trace is not None else {}
    sym = trace.symbolic if trace is not None else Symbolic()
    nodes = {}
    for i, name in enumerate(tape.inputs):
        nodes[i] = GNode(id=f"n{i}", omega=i + 1, kind="input", op="input",
                         label=subscript_name(name, style), args=())
    for j, c in enumerate(tape.consts):
        slot = n + j
        nodes[slot] = GNode(id=f"c{slot}", omega=None, kind="const", op="const",
                            label=plain_number(c), args=(), value=c)

    def leaf(slot):
        om = tape.omega(slot)
        return sym.const(tape.consts[slot - n]) if om is None else sym.leaf("w", om)

    for step in tape.steps:
        prim = step.prim
        nodes[step.slot] = GNode(
            id=f"n{step.slot}", omega=tape.omega(step.slot), kind="op", op=prim.key,
            label=prim.infix if prim.infix else prim.name, args=step.args,
            definition=expr(sym.raw(prim.key, [leaf(a) for a in step.args]), style))
    for node in nodes.values():
        node.notes = []
        node.outputs = []
    for slot, name in zip(tape.outputs, tape.output_names):
        nodes[slot].outputs.append(name)
    if trace is not None:
        for slot, row in rows.items():
            nodes[slot].value = row.value
    if trace is not None and tangents:
        acc = ("ω̇" if trace.mode == "forward" else "ω̄") if style == "text" else (
            "w_dot" if trace.mode == "forward" else "w_bar")
        many = len(trace.columns) > 1
        for slot, row in rows.items():
            for col, v in zip(trace.columns, row.values):
                nodes[slot].notes.append((f"{acc}[{col}]" if many else acc, v))
    return nodes


def _name(node, style):
    if node.kind == "const":
        return node.label
    w = omega(node.omega, style)
    if node.kind == "input":
        return f"{w} {node.label}"
    return f"{w} = {node.definition}"


def _annotation(node, with_values):
    """The node's numbers: ``= value`` and its tangents/adjoints; at several
    points one ``(k) = value; …`` entry per point."""
    if node.per_point:
        return [f"({k}) " + "; ".join(_numbers(value, notes, with_values))
                for k, value, notes in node.per_point]
    return _numbers(node.value if node.kind != "const" else None, node.notes, with_values)


def _numbers(value, notes, with_values):
    parts = []
    if with_values and value is not None:
        parts.append(f"= {plain_number(value)}")
    parts += [f"{k} {plain_number(v)}" for k, v in notes]
    return parts


def _order(nodes, output_slots):
    """Tree walk: (depth, slot, first time?) preorder, iteratively."""
    seen = set()
    out = []
    stack = [(0, s) for s in reversed(output_slots)]
    while stack:
        depth, slot = stack.pop()
        first = slot not in seen
        out.append((depth, slot, first))
        if first:
            seen.add(slot)
            node = nodes[slot]
            for a in reversed(node.args):
                stack.append((depth + 1, a))
    return out


def _tree_lines(nodes, tape, style, with_values):
    outs = list(dict.fromkeys(tape.outputs))  # once each, in order (a list's `in`: m²)
    lines = []
    for depth, slot, first in _order(nodes, outs):
        node = nodes[slot]
        text = _name(node, style)
        if node.outputs and depth == 0:
            text = f"{', '.join(node.outputs)}: {text}"
        if first or node.kind == "const" or node.kind == "input":
            ann = _annotation(node, with_values)
            if ann:
                text += "  [" + (" | " if node.per_point else "; ").join(ann) + "]"
            if not first and node.kind == "op":
                text += "  (shown above)"
        else:
            text = f"{omega(node.omega, style)} (shown above)"
        lines.append((depth, text, first))
    return lines


# Past this depth the plain tree writes the depth as a number instead of
# indenting further: a sum of n terms is n levels deep, and indenting each
# line by its depth made the text grow as n².
PLAIN_INDENT_MAX = 32


def plain_tree(nodes: dict[int, GNode], tape: Tape, with_values: bool = False) -> str:
    out = []
    for depth, text, _ in _tree_lines(nodes, tape, "ascii", with_values):
        if depth > PLAIN_INDENT_MAX:
            out.append("  " * PLAIN_INDENT_MAX + f"-[depth {depth}] " + text)
        else:
            out.append("  " * depth + ("- " if depth else "") + text)
    return "\n".join(out)


# Rich draws a guide per level on every line (and measures them all): past
# this depth a tree is wider than any terminal and slow to draw.
RICH_TREE_MAX_DEPTH = 64


def rich_tree(nodes: dict[int, GNode], tape: Tape, title: str,
              with_values: bool = False) -> Tree | None:
    """The Rich tree, or None when it is deeper than RICH_TREE_MAX_DEPTH."""
    from rich.markup import escape
    from rich.tree import Tree

    lines = _tree_lines(nodes, tape, "text", with_values)
    if max((depth for depth, _, _ in lines), default=0) > RICH_TREE_MAX_DEPTH:
        return None
    root = Tree(f"[bold]{escape(title)}[/]")
    stack = [root]
    for depth, text, first in lines:
        del stack[depth + 1:]
        branch = stack[depth].add(escape(text) if first else f"[dim]{escape(text)}[/]")
        stack.append(branch)
    return root


def _dot_escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(nodes: dict[int, GNode], tape: Tape, title: str, with_values: bool = False) -> str:
    lines = ["digraph adcli {",
             f'  label="{_dot_escape(title)}";',
             "  labelloc=t;",
             "  rankdir=BT;",
             '  node [fontname="Helvetica"];']
    used = _used(nodes)
    for slot in sorted(nodes):
        node = nodes[slot]
        if node.kind == "const" and slot not in used:
            continue
        text = _name(node, "text")
        ann = _annotation(node, with_values)
        label = "\\n".join([_dot_escape(text)] + [_dot_escape(a) for a in ann])
        shape = {"input": "ellipse", "const": "plaintext", "op": "box"}[node.kind]
        extra = ", peripheries=2" if node.outputs else ""
        lines.append(f'  {node.id} [label="{label}", shape={shape}{extra}];')
    for slot in sorted(nodes):
        node = nodes[slot]
        for i, a in enumerate(node.args):
            tail = nodes[a].id
            lab = f' [label="{i + 1}"]' if len(node.args) == 2 else ""
            lines.append(f"  {tail} -> {node.id}{lab};")
    for k, (slot, name) in enumerate(zip(tape.outputs, tape.output_names)):
        lines.append(f'  out{k} [label="{_dot_escape(name)}", shape=plaintext];')
        lines.append(f"  {nodes[slot].id} -> out{k};")
    lines.append("}")
    return "\n".join(lines)


def _used(nodes):
    return {a for node in nodes.values() for a in node.args}


def _mermaid_escape(text):
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(nodes: dict[int, GNode], tape: Tape, with_values: bool = False) -> str:
    lines = ["flowchart BT"]
    used = _used(nodes)
    for slot in sorted(nodes):
        node = nodes[slot]
        if node.kind == "const" and slot not in used:
            continue
        text = "<br/>".join(_mermaid_escape(t) for t in
                            [_name(node, "text")] + _annotation(node, with_values))
        if node.kind == "input":
            lines.append(f'  {node.id}(["{text}"])')
        elif node.kind == "const":
            lines.append(f'  {node.id}(("{text}"))')
        else:
            lines.append(f'  {node.id}["{text}"]')
    for slot in sorted(nodes):
        node = nodes[slot]
        for a in node.args:
            lines.append(f"  {nodes[a].id} --> {node.id}")
    for k, (slot, name) in enumerate(zip(tape.outputs, tape.output_names)):
        lines.append(f'  out{k}{{{{"{_mermaid_escape(name)}"}}}}')
        lines.append(f"  {nodes[slot].id} --> out{k}")
    return "\n".join(lines)


def to_json(nodes: dict[int, GNode], tape: Tape, trace: Trace | None = None) -> dict[str, Any]:
    items = []
    obj: dict[str, Any]
    for slot in sorted(nodes):
        node = nodes[slot]
        obj = {"id": node.id, "omega": node.omega, "kind": node.kind, "op": node.op,
               "label": node.label, "definition": node.definition,
               "args": [nodes[a].id for a in node.args], "outputs": node.outputs}
        if node.value is not None:
            obj["value"] = json_number(node.value)
        if node.notes:
            obj["derivatives"] = {k: json_number(v) for k, v in node.notes}
        items.append(obj)
    edges = [[nodes[a].id, nodes[s].id] for s in sorted(nodes) for a in nodes[s].args]
    obj = {"source": tape.program.source, "nodes": items, "edges": edges,
           "outputs": [{"name": name, "node": nodes[slot].id}
                       for slot, name in zip(tape.outputs, tape.output_names)]}
    if trace is not None:
        obj["point"] = trace.point
        obj["mode"] = trace.mode
    return obj


# --- the registered views (adcli.render.registry) ----------------------------------
# Each takes the Dags of the points (adcli.results.Dag; a FailedPoint where
# one of several --at points could not be computed): one DAG, drawn once,
# each node carrying one label per point.

class _Drawing:
    """What every view of one DAG needs: the tape, the points' traces and
    their labels, and the title."""

    def __init__(self, dags, several):
        good = [d for d in dags if not isinstance(d, FailedPoint)]
        _same_variables(good)
        self.tape = good[0].tape
        self.traces = [d.trace for d in good if d.trace is not None]
        self.tangents = good[0].mode is not None
        self.numbers = [k for k, d in enumerate(dags, 1) if not isinstance(d, FailedPoint)]
        self.with_values = bool(self.traces)
        self.title = _title(self.tape, self.traces, self.numbers if several else None)

    def nodes(self, style):
        return build(self.tape, self.traces, style, self.numbers, self.tangents)


def _same_variables(dags):
    """A graph draws one DAG: every point must name the same variables."""
    names = {tuple(d.trace.point) for d in dags if d.trace is not None}
    if len(names) > 1:
        raise UsageError("the points name different variables: a graph draws one DAG, "
                         "so every `point` must give the same ones",
                         hint="give each point every variable: `point` "
                              + example_point(dags[0].trace.point, "…"),
                         params=("point",))


def _title(tape, traces, numbers):
    """The formula on one line, and the points (numbered as the --at when
    ``numbers`` are given: there are several)."""
    title = " ".join(tape.program.source.split())
    if not traces:
        return title
    shown = [", ".join(f"{k} = {plain_number(v)}" for k, v in t.point.items())
             for t in traces]
    if numbers is not None:
        shown = [f"({k}) {text}" for k, text in zip(numbers, shown)]
    return title + " at " + "; ".join(shown)


def _plain_text(drawing):
    return f"graph of {drawing.title}\n" + plain_tree(drawing.nodes("ascii"), drawing.tape,
                                                      drawing.with_values)


@view("graph", "tree")
def _tree(dags, several=False, notes=None, **_):
    """Rich's tree; past RICH_TREE_MAX_DEPTH the plain tree, with a note."""
    drawing = _Drawing(dags, several)
    tree = rich_tree(drawing.nodes("text"), drawing.tape, drawing.title, drawing.with_values)
    if tree is None:
        notes.append(Note(f"the graph is more than {RICH_TREE_MAX_DEPTH} levels deep; "
                          f"printing it as a plain tree ({option('format')} dot or mermaid "
                          "draws it)"))
        return _plain_text(drawing)
    show([tree])
    return None


@view("graph", "plain")
def _plain(dags, several=False, **_):
    return _plain_text(_Drawing(dags, several))


@view("graph", "dot")
def _dot(dags, several=False, **_):
    drawing = _Drawing(dags, several)
    return dot(drawing.nodes("text"), drawing.tape, drawing.title, drawing.with_values)


@view("graph", "mermaid")
def _mermaid(dags, several=False, **_):
    drawing = _Drawing(dags, several)
    return mermaid(drawing.nodes("text"), drawing.tape, drawing.with_values)


@view("graph", "json")
def _json(dags, several=False, **_):
    """As every command: an object per point, an array for several."""
    _same_variables([d for d in dags if not isinstance(d, FailedPoint)])

    def graph_json(dag):
        traces = [dag.trace] if dag.trace is not None else []
        nodes = build(dag.tape, traces, "text", tangents=dag.mode is not None)
        return to_json(nodes, dag.tape, dag.trace)

    return json_document(dags, graph_json, several)


view("graph", "text")(_tree)  # the terminal's name for the tree
