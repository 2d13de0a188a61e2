"""The parser's fast path: operator precedence over one ``re.findall``.

The LALR driver (:mod:`adcli.language.lalr`) spends about 3 µs per token in
its table lookups and reduce actions; a 100,000-variable chain is 2 million
tokens.  This parses the same language with explicit operator and value
stacks (shunting-yard, no recursion: formulas nest 10,000 deep), the tokens
cut at C speed by one regular expression whose alternatives are the
grammar's terminals in the LALR lexer's order, then any other character.

It builds the same DAG, node for node and in the same order: both parsers
create a node when its last operand is complete, i.e. in postfix order, and
both call the same :class:`~adcli.language.parser.Builder` for leaves,
calls, unary operators and statements.  It never reports an error itself:
on anything unexpected (a syntax error, or a semantic error the builder
raises) it returns False and the caller parses again with the LALR driver,
whose errors (and Lark's explanations of them) are the language's.
"""

import re

from ..errors import ParseError
from ..graph.dag import Node
from ..primitives import function_names
from . import termpath

_FUNCTION_NAMES = frozenset(function_names())

# NUMBER, NAME, the ignored terminals (blanks, comment, line continuation),
# POW's `**`, then any single character (operators and strays).
_TOKEN = re.compile(r"(?s)(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?!\d)\w+"
                    r"|[ \t\f\r]+|#[^\n]*|\\\r?\n|\*\*|.")

# Binary operators in infix position: (precedence, primitive key).
_BINARY = {"+": (1, "add"), "-": (1, "sub"), "*": (2, "mul"), "/": (2, "div"),
           "^": (4, "pow"), "**": (4, "pow")}
_UNARY_PREC = 3  # -x^2 is -(x^2), -x*y is (-x)*y
_GROUP, _CALL, _NEG, _POS = "group", "call", "neg", "pos"  # op-stack entries' kinds
_SEPARATORS = (";", "\n")


class _Bail(Exception):
    """Not for the fast path: the LALR driver decides (and explains)."""


def _kind(tok):
    """'number', 'name', 'skip' or 'op' (an operator or a stray character)."""
    c = tok[0]
    if c.isdecimal() or (c == "." and len(tok) > 1):
        return "number"
    if c.isalnum() or c == "_":
        return "name"
    if c in " \t\f\r#" or (c == "\\" and len(tok) > 1):
        return "skip"
    return "op"


def parse(source, builder):
    """Run ``builder`` over ``source``; False when the LALR driver must."""
    tokens = _TOKEN.findall(source)
    try:
        if not termpath.parse(tokens, builder):
            _run(tokens, builder)
    except (_Bail, ParseError):
        return False
    return True


def _run(tokens, builder):
    graph = builder.graph
    # Graph.apply inlined for binary operators, the bulk of a big formula.
    table, nodes, make = graph._table, graph.nodes, Node
    binary = _BINARY
    kinds = {}  # token text -> kind: most texts repeat (operators, names, blanks)
    leaves = {}  # number or name text -> its node, unless the name is assigned
    vals, ops, outs = [], [], []
    expect_operand = True  # prefix position: a value must come next
    fresh = True  # no token yet in this statement
    pending = None  # a NAME token waiting for `(` (a call) or `=` (an assignment)
    pending_first = False
    target = None  # the name being assigned in this statement
    pos = 0

    def reduce(entry):
        prec, kind, extra = entry
        if prec == _UNARY_PREC:
            a = vals[-1]
            vals[-1] = builder.neg(extra, a) if kind == _NEG else builder.pos(extra, a)
        else:
            b = vals.pop()
            a = vals[-1]
            key = (kind, a[0].id, b[0].id)
            node = table.get(key)
            if node is None:
                node = table[key] = make(kind, (a[0], b[0]), None, None, (a[1], b[2]),
                                         len(nodes))
                nodes.append(node)
            vals[-1] = (node, a[1], b[2], None)

    def close(upto_marker):
        """Reduce down to the innermost `(` marker (popped and returned) or,
        at the end of a statement, everything (no marker may be open)."""
        while ops:
            entry = ops.pop()
            if entry[0] == 0:
                if upto_marker:
                    return entry
                raise _Bail
            reduce(entry)
        if upto_marker:
            raise _Bail
        return None

    def end_statement():
        nonlocal target
        close(False)
        outs.append(vals.pop())
        if target is not None:
            builder.assign(target, outs[0])
            leaves.pop(target[0], None)  # the name means this value from now on
            target = None
        else:
            builder.outputs(*outs)
        outs.clear()

    def leaf(tok, kind):
        """A number's or a name's value, as the builder makes it."""
        ex = builder.number(tok) if kind == "number" else builder.name(tok)
        if ex[3] is None and tok[0] not in _FUNCTION_NAMES:
            # not a reference to an assigned name, nor a function's name (a
            # cached leaf is a value at once, never a call)
            leaves[tok[0]] = ex[0]
        return ex

    for tok in tokens:
        start = pos
        pos += len(tok)
        if pending is None:
            # The two commonest cases first: a number or name already met,
            # and a binary operator after a value.
            if expect_operand:
                if not fresh:  # (a statement's first name may be assigned)
                    node = leaves.get(tok)
                    if node is not None:
                        vals.append((node, start, pos, None))
                        expect_operand = False
                        continue
            else:
                op = binary.get(tok)
                if op is not None:
                    prec = op[0]
                    if prec != 4:  # ^ is right-associative and binds tightest
                        while ops and ops[-1][0] >= prec:
                            entry = ops.pop()
                            if entry[0] == _UNARY_PREC:
                                reduce(entry)
                                continue
                            b = vals.pop()
                            a = vals[-1]
                            key = (entry[1], a[0].id, b[0].id)
                            node = table.get(key)
                            if node is None:
                                node = table[key] = make(entry[1], (a[0], b[0]), None, None,
                                                         (a[1], b[2]), len(nodes))
                                nodes.append(node)
                            vals[-1] = (node, a[1], b[2], None)
                    ops.append((prec, op[1], None))
                    expect_operand = True
                    continue
        kind = kinds.get(tok)
        if kind is None:
            kind = kinds[tok] = _kind(tok)
        if kind == "skip":
            continue
        if pending is not None:
            if tok == "(":
                ops.append((0, _CALL, (pending, [])))
                pending = None
                continue
            if tok == "=" and pending_first:
                target, pending = pending, None
                continue
            node = leaves.get(pending[0])
            vals.append(leaf(pending, "name") if node is None else
                        (node, pending[1], pending[2], None))
            pending = None
            expect_operand = False
        if expect_operand:
            if kind == "name":
                pending, pending_first = (tok, start, pos), fresh
            elif kind == "number":
                node = leaves.get(tok)
                vals.append(leaf((tok, start, pos), kind) if node is None else
                            (node, start, pos, None))
                expect_operand = False
            elif tok == "-":
                ops.append((_UNARY_PREC, _NEG, (tok, start, pos)))
            elif tok == "+":
                ops.append((_UNARY_PREC, _POS, (tok, start, pos)))
            elif tok == "(":
                ops.append((0, _GROUP, start))
            elif tok == ")" and ops and ops[-1][1] == _CALL and not ops[-1][2][1]:
                name_tok, _ = ops.pop()[2]
                vals.append(builder.call(name_tok, None, (tok, start, pos)))
                expect_operand = False
            elif tok in _SEPARATORS and fresh:
                continue
            else:
                raise _Bail
            fresh = False
            continue
        op = binary.get(tok)
        if op is not None:  # after a name just resolved
            prec = op[0]
            if prec != 4:
                while ops and ops[-1][0] >= prec:
                    reduce(ops.pop())
            ops.append((prec, op[1], None))
            expect_operand = True
        elif tok == ")":
            _, marker, extra = close(True)
            if marker == _GROUP:
                a = vals[-1]
                vals[-1] = (a[0], extra, pos, a[3])
            else:
                name_tok, args = extra
                args.append(vals.pop())
                vals.append(builder.call(name_tok, *args, (tok, start, pos)))
        elif tok == ",":
            while ops and ops[-1][0]:
                reduce(ops.pop())
            if ops:
                if ops[-1][1] != _CALL:
                    raise _Bail  # (a, b) is not a value
                ops[-1][2][1].append(vals.pop())
            elif target is None:
                outs.append(vals.pop())
            else:
                raise _Bail  # an assignment takes one value
            expect_operand = True
        elif tok in _SEPARATORS:
            end_statement()
            expect_operand = fresh = True
        else:
            raise _Bail
    if pending is not None:
        vals.append(builder.name(pending))
        expect_operand = False
    if not expect_operand:
        end_statement()
    elif not fresh:
        raise _Bail
