"""Print derivative DAGs as adcli programs (or LaTeX): a subexpression used
more than once is written once, as an assignment ``t1 = cos(x)``, and
every other one inline, with the printer's precedence rules."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ..collector import without_gc
from ..graph.dag import CONST, VAR, Node, postorder
from ..language.printer import ATOM as _ATOM
from ..language.printer import latex_name, subscript_name
from ..language.printer import print_node as _print
from .emit import _ATOM as _EMIT_ATOM  # the emitter's precedence of an atom
from .emit import Adcli, expression
from .symbolic import operation_nodes


def shared_nodes(roots: Sequence[Node]) -> tuple[list[Node], set[int]]:
    """Operation nodes read more than once (by other nodes or as roots)."""
    order = operation_nodes(roots)
    uses: dict[int, int] = {}
    for node in order:
        for a in node.args:
            if a.op not in (CONST, VAR):
                uses[a.id] = uses.get(a.id, 0) + 1
    for r in roots:
        uses[r.id] = uses.get(r.id, 0) + 1
    return order, {n.id for n in order if uses.get(n.id, 0) > 1}


def temp_prefix(taken: Collection[str]) -> str:
    """``t`` unless the formula has a variable ``t1``-like name already."""
    prefix = "t"
    while any(name.startswith(prefix) and name[len(prefix):].isdigit() for name in taken):
        prefix += "_"
    return prefix


@without_gc  # the printed pieces are many and acyclic
def assignments(roots: Sequence[Node], style: str = "ascii",
                taken: Collection[str] = ()) -> tuple[list[tuple[str, str]], list[str]]:
    """(lines, texts): ``lines`` are (temp name, text) assignments in order;
    ``texts`` the text of each root (a temp's name when it is shared)."""
    _, shared = shared_nodes(roots)
    prefix = temp_prefix(taken)
    done: dict[int, tuple[Any, ...]] = {}
    lines: list[tuple[str, str]] = []
    text: object  # a str, or a rope (emit.Text, the printer's) that str() joins once

    def leaf(node: Node) -> str:
        return subscript_name(node.name, style) if style != "ascii" else node.name

    exact = style == "ascii"
    if exact:  # the DAG's exact shape: adcli re-reads it with the same roundings
        lang = Adcli()
    for node in postorder(roots):
        if exact:
            if node.op == VAR:
                done[node.id] = (node.name, _EMIT_ATOM)
                continue
            if node.op == CONST:
                done[node.id] = (lang.literal(node.value), _EMIT_ATOM)
                continue
            text, prec = expression(lang, node, done)
            is_leaf = False
        else:
            text, prec, is_leaf = _print(node, style, leaf, done)
        if node.id in shared:
            name = f"{prefix}{len(lines) + 1}"
            shown = f"{prefix}_{{{len(lines) + 1}}}" if style == "latex" else name
            lines.append((shown, str(text)))
            done[node.id] = (shown, _EMIT_ATOM) if exact else (shown, _ATOM, True)
        else:
            done[node.id] = (text, prec) if exact else (text, prec, is_leaf)
    return lines, [str(done[r.id][0]) for r in roots]


def program(roots: Sequence[Node], taken: Collection[str] = ()) -> str:
    """One adcli program whose outputs are ``roots`` (valid adcli input)."""
    lines, texts = assignments(roots, "ascii", taken)
    body = [f"{name} = {text}" for name, text in lines]
    body.append(", ".join(texts))
    return "\n".join(body)


def labelled(roots: Sequence[Node], labels: Sequence[str], style: str = "ascii",
             taken: Collection[str] = ()) -> str:
    """The shared assignments, then ``label = text`` per root."""
    lines, texts = assignments(roots, style, taken)
    if style == "latex":
        out = [f"{name} &= {text}" for name, text in lines]
        out += [f"{_latex_label(label)} &= {text}" for label, text in zip(labels, texts)]
        return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"
    out = [f"{name} = {text}" for name, text in lines]
    out += [f"{label} = {text}" for label, text in zip(labels, texts)]
    return "\n".join(out)


def _latex_label(label: str) -> str:
    """``df/dx1`` → ``\\frac{\\partial f}{\\partial x_{1}}``."""
    top, var = label[1:].split("/d", 1)
    return (f"\\frac{{\\partial {latex_name(top)}}}"
            f"{{\\partial {subscript_name(var, 'latex')}}}")
