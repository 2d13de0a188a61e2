"""Print an expression DAG as text: Unicode (``ω₁·ω₂``), ASCII (``w1*w2``)
or LaTeX (``\\omega_{1} \\cdot \\omega_{2}``).

Parentheses come from precedence (sum 1, product 2, unary minus and
``sin ω₁`` 3, power 4, atoms 5), not from the shape of the tree.  The walk
is iterative (``postorder``), so formulas nested 10,000 deep print fine.
How a leaf (a variable node) prints is up to the caller: the trace names
them ω₁, ω̇₁, ω̄₁, ``adcli functions`` uses the parameter names.

Every operation's symbol comes from the primitives table (``infix``,
``name``, ``latex``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..graph.dag import CONST, VAR, Node, postorder
from ..numtext import plain_number
from ..primitives import PRIMITIVES, Primitive

STYLES = ("text", "ascii", "latex")

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
DOT = "\u0307"  # combining dot above: ω̇
BAR = "\u0304"  # combining macron: ω̄

_MUL = {"text": "·", "ascii": "*", "latex": " \\cdot "}
ATOM = 5  # the precedence of an atom (a name, a number): never parenthesised
_ATOM = ATOM

# What print_node returns per node: (text, precedence, is_leaf); a long
# text is a _Rope, which prints (str()) as the text it holds.
Printed = tuple["str | _Rope", int, bool]


def subscript_name(name: str, style: str) -> str:
    """``x1`` → ``x₁`` (text) / ``x_{1}`` (LaTeX) / ``x1`` (ASCII)."""
    head = name.rstrip("0123456789")
    digits = name[len(head):]
    if style == "ascii" or not digits or not head or head.endswith("_"):
        return name if style != "latex" else latex_name(name)
    if style == "latex":
        return f"{latex_name(head)}_{{{digits}}}"
    return head + digits.translate(SUB)


def latex_name(name: str) -> str:
    name = name.replace("_", "\\_")
    return name if len(name) == 1 else f"\\mathit{{{name}}}"


def omega(index: int, style: str, accent: str | None = None) -> str:
    """ω₃, ω̇₃, ω̄₃ / w3, w3_dot, w3_bar / \\omega_{3}, \\dot{\\omega}_{3}, \\bar{\\omega}_{3}."""
    if style == "ascii":
        return f"w{index}" + (f"_{accent}" if accent else "")
    if style == "latex":
        base = f"\\{accent}{{\\omega}}" if accent else "\\omega"
        return f"{base}_{{{index}}}"
    mark = {"dot": DOT, "bar": BAR, None: ""}[accent]
    return "ω" + mark + str(index).translate(SUB)


_NAMED = {math.pi: ("π", "pi", "\\pi"), math.e: ("e", "e", "e"), math.tau: ("τ", "tau", "\\tau")}


def number(value: float, style: str) -> str:
    named = _NAMED.get(value)
    if named is not None:
        return named[STYLES.index(style)]
    text = plain_number(value)
    if style == "latex" and text in ("inf", "-inf"):
        return "\\infty" if text == "inf" else "-\\infty"
    if style == "latex" and "e" in text:
        mant, exp = text.split("e")
        return f"{mant} \\times 10^{{{int(exp)}}}"
    return text


def to_string(root: Node, style: str = "text",
              leaf: Callable[[Node], str] | None = None) -> str:
    """``root`` (a DAG node) as a string.  ``leaf(node)`` names a variable
    node (default: its name with digits as subscripts)."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    if leaf is None:
        def leaf(node: Node) -> str:
            return subscript_name(node.name, style)
    done: dict[int, Printed] = {}
    for node in postorder([root]):
        done[node.id] = print_node(node, style, leaf, done)
    return str(done[root.id][0])


class _Rope:
    """A long text kept as its pieces and joined once at the end, so that a
    sum of 10,000 terms (an input's adjoint rule) prints in linear time
    instead of copying every prefix of the sum."""

    __slots__ = ("parts", "size", "head")

    def __init__(self, parts):
        self.parts = parts
        self.size = sum(len(p) for p in parts)
        first = parts[0]
        self.head = first.head if isinstance(first, _Rope) else first[:1]

    def __len__(self):
        return self.size

    def startswith(self, char):
        return self.head == char

    def __str__(self):
        out, stack = [], [self]
        while stack:
            piece = stack.pop()
            if isinstance(piece, _Rope):
                stack.extend(reversed(piece.parts))
            else:
                out.append(piece)
        return "".join(out)


_ROPE_FROM = 2048


def _concat(*parts: str | _Rope) -> str | _Rope:
    if sum(len(p) for p in parts) < _ROPE_FROM:
        return "".join(str(p) for p in parts)
    return _Rope(parts)


def print_node(node: Node, style: str, leaf: Callable[[Node], str],
               done: dict[int, Printed]) -> Printed:
    """One node printed from its arguments' printings: ``done`` maps each
    argument's id to its (text, precedence, is_leaf); ``leaf(node)`` names a
    variable; ``style`` is one of STYLES.  The caller walks the DAG (in
    postorder) and decides which nodes are shown by name instead."""
    if node.op == VAR:
        return leaf(node), _ATOM, True
    if node.op == CONST:
        text = number(node.value, style)
        return (text, 3, False) if text.startswith("-") else (text, _ATOM, True)
    prim = PRIMITIVES[node.op]
    args = [done[a.id] for a in node.args]
    if prim.infix and prim.arity == 1:  # unary minus: -(a + b), but -a·b
        s, p, _ = args[0]
        return f"-{_wrap(s, style) if p < 2 or s.startswith('-') else s}", 3, False
    if prim.infix:
        return _binary(prim, args, style)
    if style == "latex":
        return _latex_call(prim, args)
    if prim.arity == 1 and style == "text":
        s, _p, is_leaf = args[0]
        if is_leaf:
            return f"{prim.name} {s}", 3, False
        return f"{prim.name}({s})", _ATOM, False
    return f"{prim.name}({', '.join(str(a[0]) for a in args)})", _ATOM, False


def _wrap(s: str | _Rope, style: str) -> str:
    return f"\\left({s}\\right)" if style == "latex" else f"({s})"


def _binary(prim, args, style):
    (ls, lp, _), (rs, rp, _) = args
    key, prec = prim.key, prim.prec
    if key == "div" and style == "latex":
        return f"\\frac{{{ls}}}{{{rs}}}", _ATOM, False
    if key == "pow":
        if lp <= prec:
            ls = _wrap(ls, style)
        if style == "latex":
            return f"{ls}^{{{rs}}}", prec, False
        if rp < prec:
            rs = _wrap(rs, style)
        return f"{ls}^{rs}", prec, False
    if lp < prec:
        ls = _wrap(ls, style)
    # a + (b - c) = a + b - c and a·(b/c) = a·b/c, but a - (b + c), a/(b·c)
    if rp < prec or (rp == prec and key in ("sub", "div")) or (
            rs.startswith("-") and rp > prec):
        rs = _wrap(rs, style)
    op = _MUL[style] if key == "mul" else f" {prim.infix} " if prec == 1 else prim.infix
    return _concat(ls, op, rs), prec, False


def _latex_call(prim: Primitive, args: list[Printed]) -> Printed:
    template = prim.latex or (f"\\operatorname{{{{{prim.name}}}}}" + "({0})")
    shown = []
    for i, (s, _p, is_leaf) in enumerate(args):
        marker = "{" + str(i) + "}"
        at = template.find(marker)
        bare = at > 0 and template[at - 1] == " " and template[at + len(marker):] == ""
        shown.append(_wrap(s, "latex") if bare and not is_leaf else s)
    text = template.format(*shown)
    bare_end = template.endswith(" {0}") or template.endswith(" {1}")
    return text, (3 if bare_end else _ATOM), False


_print = print_node  # the former private name
