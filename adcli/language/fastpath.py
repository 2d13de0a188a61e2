"""The parser's fast path: operator precedence over one ``re.findall``.

The LALR driver (:mod:`adcli.language.lalr`) spends about 3 µs per token in
its table lookups and reduce actions; a 100,000-variable chain is 2 million
tokens.  This parses the same language with explicit operator and value
stacks (shunting-yard, no recursion: formulas nest 10,000 deep), the tokens
cut at C speed by one regular expression whose alternatives are the
grammar's terminals in the LALR lexer's order, then any other character.

It builds the same DAG, node for node and in the same order: both parsers
create a node when its last operand is complete, i.e. in postfix order, and
both call the same :class:`~adcli.language.builder.Builder` for leaves,
calls, unary operators and statements.  It never reports an error itself:
on anything unexpected (a syntax error, or a semantic error the builder
raises) it returns False and the caller parses again with the LALR driver,
whose errors (and Lark's explanations of them) are the language's.
"""

from __future__ import annotations

import re

from ..errors import ParseError
from ..graph.dag import new_node
from ..primitives import function_names
from . import termpath
from .builder import Builder

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
# Where the parse stands between tokens: a value must come next; a value was
# just completed; a NAME waits for `(` (a call), `=` (an assignment) or
# anything else (it is a value); a statement starts (its first name may be
# assigned).
_OPERAND, _OPERATOR, _PENDING, _START = 0, 1, 2, 3
_SEPARATORS = (";", "\n")


class _Bail(Exception):
    """Not for the fast path: the LALR driver decides (and explains)."""


def _kind(tok: str) -> str:
    """'number', 'name', 'skip' or 'op' (an operator or a stray character)."""
    c = tok[0]
    if c.isdecimal() or (c == "." and len(tok) > 1):
        return "number"
    if c.isalnum() or c == "_":
        return "name"
    if c in " \t\f\r#" or (c == "\\" and len(tok) > 1):
        return "skip"
    return "op"


def parse(source: str, builder: Builder) -> bool:
    """Run ``builder`` over ``source``; False when the LALR driver must."""
    tokens = _TOKEN.findall(source)
    try:
        if not termpath.parse(tokens, builder):
            _run(tokens, builder)
    except (_Bail, ParseError):
        return False
    return True


def _run(tokens: list[str], builder: Builder) -> None:
    # The hot loop: most tokens of a big formula are a number or name met
    # before, in operand position, or a binary operator after a value; those
    # two are handled here (Graph.apply inlined), every other token by the
    # _Statements method for where the parse stands (one call, no wrapper).
    state = _Statements(builder)
    table, nodes, make = state.table, state.nodes, new_node
    vals, ops, leaves, kinds, binary = state.vals, state.ops, state.leaves, state.kinds, _BINARY
    OPERAND, OPERATOR = _OPERAND, _OPERATOR  # noqa: N806 - locals, read per token
    handle = (state.operand, state.after_value, state.after_name, state.start)  # by where
    where = _START
    pos = 0
    for tok in tokens:
        start = pos
        pos += len(tok)
        if where == OPERAND:
            node = leaves.get(tok)
            if node is not None:
                vals.append((node, start, pos, None))
                where = OPERATOR
                continue
            if tok == "(":  # a group: as common as a binary operator in some formulas
                ops.append((0, _GROUP, start))
                continue
        elif where == OPERATOR:
            op = binary.get(tok)
            if op is not None:
                prec = op[0]
                if prec != 4:  # ^ is right-associative and binds tightest
                    while ops and ops[-1][0] >= prec:
                        entry = ops.pop()
                        if entry[0] == _UNARY_PREC:
                            state.reduce(entry)
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
                where = OPERAND
                continue
            if tok == ")":
                state.close_parenthesis(tok, start, pos)
                continue
        kind = kinds.get(tok)
        if kind is None:
            kind = kinds[tok] = _kind(tok)
        if kind != "skip":
            where = handle[where](tok, kind, start, pos)
    state.finish(where)


class _Statements:
    """The operator-precedence parse between tokens: the value and operator
    stacks, the statement's state, and every token :func:`_run`'s hot loop
    does not take (each method returns where the parse then stands).
    Values are the builder's (node, start, end, label); operator entries
    (precedence, kind, extra), precedence 0 for a `(`."""

    __slots__ = ("builder", "table", "nodes", "kinds", "leaves", "vals", "ops", "outs",
                 "pending", "pending_first", "target")

    def __init__(self, builder):
        self.builder = builder
        self.table, self.nodes = builder.graph._table, builder.graph.nodes
        self.kinds = {}  # token text -> kind: most texts repeat (operators, names, blanks)
        self.leaves = {}  # number or name text -> its node, unless the name is assigned
        self.vals, self.ops, self.outs = [], [], []
        self.pending = None  # a NAME token waiting for `(` (a call) or `=` (an assignment)
        self.pending_first = False  # ... and it is the statement's first token
        self.target = None  # the name being assigned in this statement

    def start(self, tok, kind, start, end):
        """A statement's first token."""
        if tok in _SEPARATORS:  # an empty statement
            return _START
        if kind == "name":
            self.pending, self.pending_first = (tok, start, end), True
            return _PENDING
        return self.operand(tok, kind, start, end)

    def after_name(self, tok, kind, start, end):
        """`(` makes the pending name a call, `=` (first in its statement) an
        assignment; anything else makes it a value, then is taken after it."""
        pending, self.pending = self.pending, None
        if tok == "(":
            self.ops.append((0, _CALL, (pending, [])))
            return _OPERAND
        if tok == "=" and self.pending_first:
            self.target = pending
            return _OPERAND
        node = self.leaves.get(pending[0])
        self.vals.append(self.leaf(pending, "name") if node is None else
                         (node, pending[1], pending[2], None))
        return self.after_value(tok, kind, start, end)

    def operand(self, tok, kind, start, end):
        """A token in prefix position."""
        ops = self.ops
        if kind == "name":
            self.pending, self.pending_first = (tok, start, end), False
            return _PENDING
        if kind == "number":
            node = self.leaves.get(tok)
            self.vals.append(self.leaf((tok, start, end), kind) if node is None else
                             (node, start, end, None))
            return _OPERATOR
        if tok == "-":
            ops.append((_UNARY_PREC, _NEG, (tok, start, end)))
        elif tok == "+":
            ops.append((_UNARY_PREC, _POS, (tok, start, end)))
        elif tok == "(":
            ops.append((0, _GROUP, start))
        elif tok == ")" and ops and ops[-1][1] == _CALL and not ops[-1][2][1]:
            name_tok, _ = ops.pop()[2]
            self.vals.append(self.builder.call(name_tok, None, (tok, start, end)))
            return _OPERATOR
        else:
            raise _Bail
        return _OPERAND

    def after_value(self, tok, kind, start, end):
        """A token in infix position."""
        ops = self.ops
        op = _BINARY.get(tok)
        if op is not None:  # after a name just resolved
            prec = op[0]
            if prec != 4:
                while ops and ops[-1][0] >= prec:
                    self.reduce(ops.pop())
            ops.append((prec, op[1], None))
            return _OPERAND
        if tok == ")":
            self.close_parenthesis(tok, start, end)
            return _OPERATOR
        if tok == ",":
            self._comma()
            return _OPERAND
        if tok in _SEPARATORS:
            self._end_statement()
            return _START
        raise _Bail

    def close_parenthesis(self, tok, start, end):
        vals = self.vals
        _, marker, extra = self._close(True)
        if marker == _GROUP:
            a = vals[-1]
            vals[-1] = (a[0], extra, end, a[3])
        else:
            name_tok, args = extra
            args.append(vals.pop())
            vals.append(self.builder.call(name_tok, *args, (tok, start, end)))

    def _comma(self):
        """Between a call's arguments, or a statement's outputs."""
        ops = self.ops
        while ops and ops[-1][0]:
            self.reduce(ops.pop())
        if ops:
            if ops[-1][1] != _CALL:
                raise _Bail  # (a, b) is not a value
            ops[-1][2][1].append(self.vals.pop())
        elif self.target is None:
            self.outs.append(self.vals.pop())
        else:
            raise _Bail  # an assignment takes one value

    def finish(self, where):
        """After the last token: the last statement, if any."""
        if where == _PENDING:
            self.vals.append(self.builder.name(self.pending))
            where = _OPERATOR
        if where == _OPERATOR:
            self._end_statement()
        elif where == _OPERAND:  # an operator or `(` with nothing after it
            raise _Bail

    def reduce(self, entry):
        prec, kind, extra = entry
        vals = self.vals
        if prec == _UNARY_PREC:
            a = vals[-1]
            builder = self.builder
            vals[-1] = builder.neg(extra, a) if kind == _NEG else builder.pos(extra, a)
        else:
            b = vals.pop()
            a = vals[-1]
            key = (kind, a[0].id, b[0].id)
            node = self.table.get(key)
            if node is None:
                node = self.table[key] = new_node(kind, (a[0], b[0]), None, None, (a[1], b[2]),
                                                  len(self.nodes))
                self.nodes.append(node)
            vals[-1] = (node, a[1], b[2], None)

    def _close(self, upto_marker):
        """Reduce down to the innermost `(` marker (popped and returned) or,
        at the end of a statement, everything (no marker may be open)."""
        ops = self.ops
        while ops:
            entry = ops.pop()
            if entry[0] == 0:
                if upto_marker:
                    return entry
                raise _Bail
            self.reduce(entry)
        if upto_marker:
            raise _Bail
        return None

    def _end_statement(self):
        self._close(False)
        outs = self.outs
        outs.append(self.vals.pop())
        if self.target is not None:
            self.builder.assign(self.target, outs[0])
            self.leaves.pop(self.target[0], None)  # the name means this value from now on
            self.target = None
        else:
            self.builder.outputs(*outs)
        outs.clear()

    def leaf(self, tok, kind):
        """A number's or a name's value, as the builder makes it."""
        builder = self.builder
        ex = builder.number(tok) if kind == "number" else builder.name(tok)
        if ex[3] is None and tok[0] not in _FUNCTION_NAMES:
            # not a reference to an assigned name, nor a function's name (a
            # cached leaf is a value at once, never a call)
            self.leaves[tok[0]] = ex[0]
        return ex
