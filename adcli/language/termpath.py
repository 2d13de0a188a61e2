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
same :class:`~adcli.language.builder.Builder` for leaves, unary operators and
calls.  It takes only what it can check before making any node: one
expression, no statement separators inside, no assignment, parentheses
nested at most four deep inside a term, at most ``MAX_SHAPES`` shapes.  On
anything else :func:`parse` returns None before touching the graph, and the
caller runs the loop; a semantic error from the builder (an unknown
function) propagates as the loop's would.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import accumulate, compress

from ..graph.dag import Node, new_node
from .builder import Builder

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


@cache
def _term_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(first term, each next term): the whole statement is terms joined by
    binary + and -.  Compiled on first use (0.6 ms: every command would pay
    it at start-up, for a path only long formulas take)."""
    return re.compile(_TERM), re.compile(r"[+\-]" + _TERM)


_BINARY = {"+": (1, "add"), "-": (1, "sub"), "*": (2, "mul"), "/": (2, "div"),
           "^": (4, "pow"), "P": (4, "pow")}
_UNARY_PREC = 3


class _Decline(Exception):
    pass


def parse(tokens: list[str], builder: Builder) -> bool | None:
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
    first_term, next_term = _term_patterns()
    first = first_term.match(shape_all, lead)
    if first is None:
        return None
    rest = list(next_term.finditer(shape_all, first.end(), lead + len(body)))
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
           "make": new_node, "builder": builder, "T": tokens, "S": starts, "E": ends,
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
    term = _TermSource()
    k = 0 if first else 1  # (else shape[0] is the binary + or - joining the terms)
    expect_operand = True
    while k < len(shape):
        if expect_operand:
            k, expect_operand = term.operand(shape, k)
        else:
            expect_operand = term.after_value(shape[k], k)
            k += 1
    return term.finish(expect_operand, None if first else shape[0])


class _TermSource:
    """The lines of ``term``'s source as one term's shape is read; the
    operator-precedence loop's stacks hold variable names and token offsets
    instead of nodes and spans."""

    def __init__(self):
        self.lines = ["def term(i, acc, T=T, S=S, E=E, leaves=leaves, leaf=leaf, table=table,"
                      " nodes=nodes, make=make, builder=builder, S0=S0):"]
        self.counter = iter(range(10**9))
        self.vals: list[tuple[str, int, int]] = []  # (node variable, first token, last token)
        self.ops: list[tuple] = []  # (prec, kind, extra); prec 0: a `(` or a call's `(`

    def fresh(self):
        return f"v{next(self.counter)}"

    def operand(self, shape, k):
        """The token shape[k] in prefix position: (next k, expect_operand)."""
        c = shape[k]
        if c == "a" and shape[k + 1:k + 2] == "(":
            if shape[k + 2:k + 3] == ")":
                raise _Decline  # f(): the loop's business
            self.ops.append((0, "call", (k, [])))
            return k + 2, True
        if c in "a0":
            v = self.fresh()
            self.lines.extend([
                f"    {v} = leaves.get(T[i+{k}])",
                f"    if {v} is None:",
                f"        {v} = leaf(T[i+{k}], S[i+{k}], E[i+{k}])",
            ])
            self.vals.append((v, k, k))
            return k + 1, False
        if c in "+-":
            self.ops.append((_UNARY_PREC, "neg" if c == "-" else "pos", k))
        elif c == "(":
            self.ops.append((0, "group", k))
        else:
            raise _Decline
        return k + 1, True

    def after_value(self, c, k):
        """The token c = shape[k] in infix position; returns expect_operand."""
        ops = self.ops
        if c in _BINARY:
            prec, kind = _BINARY[c]
            if prec != 4:
                while ops and ops[-1][0] >= prec:
                    self.reduce(ops.pop())
            ops.append((prec, kind, None))
            return True
        if c == ")":
            self.close_parenthesis(k)
            return False
        if c == ",":
            while ops and ops[-1][0]:
                self.reduce(ops.pop())
            if not ops or ops[-1][1] != "call":
                raise _Decline
            ops[-1][2][1].append(self.vals.pop())
            return True
        raise _Decline

    def close_parenthesis(self, k):
        vals = self.vals
        _, marker, extra = self.close()
        if marker == "group":
            a = vals.pop()
            vals.append((a[0], extra, k))
        else:
            v = self.fresh()
            name_k, args = extra
            args.append(vals.pop())
            self.lines.append(f"    {v} = builder.call({_tok(name_k)}, "
                              f"{', '.join(map(_ex, args))}, {_tok(k)})[0]")
            vals.append((v, name_k, k))

    def finish(self, expect_operand, sign):
        """The source, once the shape is read: the term's node returned, or
        (``sign`` + or -) its sum or difference with ``acc``."""
        if expect_operand:
            raise _Decline
        while self.ops:
            entry = self.ops.pop()
            if entry[0] == 0:
                raise _Decline
            self.reduce(entry)
        (term, _, last), = self.vals
        if sign is None:
            self.lines.append(f"    return {term}")
        else:
            self.node("v", "add" if sign == "+" else "sub", "acc", term, "S0", f"E[i+{last}]")
            self.lines.append("    return v")
        return "\n".join(self.lines) + "\n"

    def node(self, v, kind, a, b, start, end):
        """Graph.apply inlined for a binary node: ``v`` = kind(a, b)."""
        self.lines.extend([
            f"    key = ({kind!r}, {a}.id, {b}.id)",
            f"    {v} = table.get(key)",
            f"    if {v} is None:",
            f"        {v} = table[key] = make({kind!r}, ({a}, {b}), None, None, "
            f"({start}, {end}), len(nodes))",
            f"        nodes.append({v})",
        ])

    def reduce(self, entry):
        prec, kind, extra = entry
        vals = self.vals
        v = self.fresh()
        if prec == _UNARY_PREC:
            a = vals.pop()
            self.lines.append(f"    {v} = builder.{kind}({_tok(extra)}, {_ex(a)})[0]")
            vals.append((v, extra, a[2]))
        else:
            b, a = vals.pop(), vals.pop()
            self.node(v, kind, a[0], b[0], f"S[i+{a[1]}]", f"E[i+{b[2]}]")
            vals.append((v, a[1], b[2]))

    def close(self):
        """Reduce down to the innermost `(` (popped and returned)."""
        ops = self.ops
        while ops:
            entry = ops.pop()
            if entry[0] == 0:
                return entry
            self.reduce(entry)
        raise _Decline


def _tok(k):
    """The source of token k's (text, start, end)."""
    return f"(T[i+{k}], S[i+{k}], E[i+{k}])"


def _ex(val):
    """The source of a value's (node, start, end, label)."""
    return f"({val[0]}, S[i+{val[1]}], E[i+{val[2]}], None)"
