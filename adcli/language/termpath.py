"""The parser's path for one long sum of terms: each term's *shape* parsed once.

A big formula is most often one expression, a sum of many terms of a few
shapes: the Rosenbrock chain of 100,000 variables is 200,000 terms of two
shapes, ``0*(a-a^0)^0`` and ``(0-a)^0`` (``a`` a name, ``0`` a number).
The operator-precedence loop of :mod:`adcli.language.fastpath` spends about
0.7 µs per token on it; here the tokens are classified at C speed (one
``re.findall``, a dict lookup per token through ``map``), the top-level
terms are cut by one regular expression over the string of token kinds, and
each distinct term shape is compiled once into a Python function that builds
that term's nodes straight from the token list.  Per term, one call: the
node-building work is all that is left.

It builds the same DAG as the operator-precedence loop, node for node in
the same order (postfix: a node when its last operand is complete; each
term, then its sum with the terms before), with the same spans, through the
same :class:`~adcli.language.parser.Builder` for leaves, unary operators and
calls.  It takes only what it can check before making any node: one
expression, no statement separators inside, no assignment, parentheses
nested at most four deep inside a term, at most ``MAX_SHAPES`` shapes.  On
anything else :func:`parse` returns None before touching the graph, and the
caller runs the loop; a semantic error from the builder (an unknown
function) propagates as the loop's would.
"""

from __future__ import annotations

import re
from itertools import accumulate, compress

from ..graph.dag import Node

# Below this many top-level terms the loop is quick enough.
MIN_TERMS = 64
# More shapes than this: the formula does not repeat itself; the loop parses it.
MAX_SHAPES = 64

# One character per token: `a` name, `0` number, `P` for `**`, operators and
# parentheses as themselves, `;` a statement separator, ` ` ignored
# (blanks, comments, line continuations), `?` anything else.
_OPS = {"(": "(", ")": ")", "+": "+", "-": "-", "*": "*", "/": "/", "^": "^", "**": "P",
        ",": ",", ";": ";", "\n": ";"}
_KEEP = bytes.maketrans(b" ", b"\0")  # token kinds -> 1 keep / 0 drop, after translate


def _kind(tok: str) -> str:
    op = _OPS.get(tok)
    if op is not None:
        return op
    c = tok[0]
    if c.isdecimal() or (c == "." and len(tok) > 1):
        return "0"
    if c.isalnum() or c == "_":
        return "a"
    if c in " \t\f\r#" or (c == "\\" and len(tok) > 1):
        return " "
    return "?"


# Inside parentheses: any tokens of an expression (calls' commas too), four deep.
_INNER = r"[a0+\-*/^P,]"
_NEST = r"\((?:" + _INNER + r")*\)"
for _ in range(3):
    _NEST = r"\((?:" + _INNER + "|" + _NEST + r")*\)"
_PRIMARY = r"(?:a(?:" + _NEST + r")?|0|" + _NEST + ")"
_OPERAND = r"[+\-]*" + _PRIMARY
_TERM = _OPERAND + r"(?:[*/^P]" + _OPERAND + ")*"
# The whole statement: terms joined by binary + and -; separators around it.
_NEXT = re.compile(r"[+\-]" + _TERM)
_FIRST = re.compile(_TERM)

_BINARY = {"+": (1, "add"), "-": (1, "sub"), "*": (2, "mul"), "/": (2, "div"),
           "^": (4, "pow"), "P": (4, "pow")}
_UNARY_PREC = 3


class _Decline(Exception):
    pass


def parse(tokens: list[str], builder) -> bool | None:
    """Build the formula whose tokens (``fastpath``'s ``re.findall``) are
    ``tokens``: True when done, None when this path does not take it (nothing
    was built)."""
    if len(tokens) < 4 * MIN_TERMS:
        return None
    kinds = {tok: _kind(tok) for tok in set(tokens)}
    shape_all = "".join(map(kinds.__getitem__, tokens))
    if "?" in shape_all:
        return None
    starts = list(accumulate(map(len, tokens), initial=0))
    ends = starts[1:]
    if " " in shape_all:  # drop blanks and comments: one shape character per token kept
        keep = shape_all.encode().translate(_KEEP)
        tokens = list(compress(tokens, keep))
        starts, ends = list(compress(starts, keep)), list(compress(ends, keep))
        shape_all = shape_all.replace(" ", "")
    body = shape_all.strip(";")
    lead = len(shape_all) - len(shape_all.lstrip(";"))
    first = _FIRST.match(shape_all, lead)
    if first is None:
        return None
    rest = list(_NEXT.finditer(shape_all, first.end(), lead + len(body)))
    if not rest or len(rest) + 1 < MIN_TERMS:  # (one term: its label would matter)
        return None
    at = first.end()
    for m in rest:  # the terms must follow one another: nothing skipped
        if m.start() != at:
            return None
        at = m.end()
    if at != lead + len(body):
        return None
    shapes = {m.group() for m in rest}
    if len(shapes) >= MAX_SHAPES:
        return None
    try:
        makers = [_compile(first.group(), first=True)]
        makers += [_compile(shape) for shape in shapes]
    except _Decline:
        return None
    _build(tokens, starts, ends, first, rest, [first.group(), *shapes], makers, builder)
    return True


def _build(tokens, starts, ends, first, rest, shapes, makers, builder):
    graph = builder.graph
    leaves: dict[str, Node] = {}

    def leaf(tok, start, end):
        kind = tok[0]
        if kind.isdecimal() or kind == ".":
            ex = builder.number((tok, start, end))
        else:
            ex = builder.name((tok, start, end))
        if ex[3] is None:  # not a name the caller bound (its label must show)
            leaves[tok] = ex[0]
        return ex[0]

    env = {"leaves": leaves, "leaf": leaf, "table": graph._table, "nodes": graph.nodes,
           "make": Node, "builder": builder, "T": tokens, "S": starts, "E": ends,
           "S0": starts[first.start()]}
    fns = {}
    for shape, source in zip(shapes, makers):
        exec(source, env)  # noqa: S102 - our own code, generated from a token shape
        fns[shape] = env["term"]
    acc = fns[shapes[0]](first.start(), None)
    for m in rest:
        acc = fns[m.group()](m.start(), acc)
    builder.outputs((acc, env["S0"], ends[rest[-1].end() - 1], None))


def _compile(shape: str, first: bool = False) -> str:
    """Python source of ``term(i, acc)``: builds the nodes of the term whose
    first token is ``T[i]`` in the operator-precedence loop's order, then
    (after the first term) its sum with ``acc``, the node of the terms
    before; returns the new sum's node."""
    lines = ["def term(i, acc, T=T, S=S, E=E, leaves=leaves, leaf=leaf, table=table,"
             " nodes=nodes, make=make, builder=builder, S0=S0):"]
    counter = iter(range(10**9))
    vals: list[tuple[str, int, int]] = []  # (node variable, first token, last token)
    ops: list[tuple] = []  # (prec, kind, extra); prec 0: a `(` or a call's `(`

    def fresh():
        return f"v{next(counter)}"

    def tok(k):
        return f"(T[i+{k}], S[i+{k}], E[i+{k}])"

    def ex(val):
        return f"({val[0]}, S[i+{val[1]}], E[i+{val[2]}], None)"

    def node(v, kind, a, b, start, end):
        lines.extend([
            f"    key = ({kind!r}, {a}.id, {b}.id)",
            f"    {v} = table.get(key)",
            f"    if {v} is None:",
            f"        {v} = table[key] = make({kind!r}, ({a}, {b}), None, None, "
            f"({start}, {end}), len(nodes))",
            f"        nodes.append({v})",
        ])

    def reduce(entry):
        prec, kind, extra = entry
        v = fresh()
        if prec == _UNARY_PREC:
            a = vals.pop()
            lines.append(f"    {v} = builder.{kind}({tok(extra)}, {ex(a)})[0]")
            vals.append((v, extra, a[2]))
        else:
            b, a = vals.pop(), vals.pop()
            node(v, kind, a[0], b[0], f"S[i+{a[1]}]", f"E[i+{b[2]}]")
            vals.append((v, a[1], b[2]))

    def close():
        while ops:
            entry = ops.pop()
            if entry[0] == 0:
                return entry
            reduce(entry)
        raise _Decline

    expect_operand = True
    k = 0
    if not first:  # the binary + or - joining this term to those before
        sign = shape[0]
        k = 1
    while k < len(shape):
        c = shape[k]
        if expect_operand:
            if c == "a" and shape[k + 1:k + 2] == "(":
                if shape[k + 2:k + 3] == ")":
                    raise _Decline  # f(): the loop's business
                ops.append((0, "call", (k, [])))
                k += 2
                continue
            if c in "a0":
                v = fresh()
                lines.extend([
                    f"    {v} = leaves.get(T[i+{k}])",
                    f"    if {v} is None:",
                    f"        {v} = leaf(T[i+{k}], S[i+{k}], E[i+{k}])",
                ])
                vals.append((v, k, k))
                expect_operand = False
            elif c in "+-":
                ops.append((_UNARY_PREC, "neg" if c == "-" else "pos", k))
            elif c == "(":
                ops.append((0, "group", k))
            else:
                raise _Decline
        elif c in _BINARY:
            prec, kind = _BINARY[c]
            if prec != 4:
                while ops and ops[-1][0] >= prec:
                    reduce(ops.pop())
            ops.append((prec, kind, None))
            expect_operand = True
        elif c == ")":
            _, marker, extra = close()
            if marker == "group":
                a = vals.pop()
                vals.append((a[0], extra, k))
            else:
                v = fresh()
                name_k, args = extra
                args.append(vals.pop())
                lines.append(f"    {v} = builder.call({tok(name_k)}, "
                             f"{', '.join(map(ex, args))}, {tok(k)})[0]")
                vals.append((v, name_k, k))
        elif c == ",":
            while ops and ops[-1][0]:
                reduce(ops.pop())
            if not ops or ops[-1][1] != "call":
                raise _Decline
            ops[-1][2][1].append(vals.pop())
            expect_operand = True
        else:
            raise _Decline
        k += 1
    if expect_operand:
        raise _Decline
    while ops:
        entry = ops.pop()
        if entry[0] == 0:
            raise _Decline
        reduce(entry)
    (term, _, last), = vals
    if first:
        lines.append(f"    return {term}")
    else:
        node("v", "add" if sign == "+" else "sub", "acc", term, "S0", f"E[i+{last}]")
        lines.append("    return v")
    return "\n".join(lines) + "\n"
