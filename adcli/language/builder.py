"""The reduce actions: what each grammar rule builds in the DAG.

Every parser of the language (the fast paths :mod:`adcli.language.termpath`
and :mod:`adcli.language.fastpath`, the LALR driver :mod:`adcli.language.lalr`)
calls one :class:`Builder`, so they build the same DAG node for node.  Its
methods are named after the grammar's rules and aliases (``grammar/adcli.lark``)
and called in the style of a Lark ``Transformer`` with ``v_args(inline=True)``.
Tokens arrive as ``(text, start, end)`` (:data:`Token`) and expressions
travel as ``(node, start, end, label)`` (:data:`Expr`) so every node knows
its source span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, NoReturn, cast

from ..errors import ParseError
from ..graph.dag import CONST, Graph, Node
from ..primitives import CONSTANTS, FUNCTIONS, VARIADIC, Primitive, function_names

_FUNCTION_NAMES = frozenset(function_names())

# A token: (text, start, end), offsets into the source.
Token = tuple[str, int, int]
# An expression while parsing: (node, start, end, label); label is the name
# when the expression is a bare reference to an assigned variable.
Expr = tuple[Node, int, int, str | None]
NODE: Final = 0
START: Final = 1
END: Final = 2
LABEL: Final = 3


def _binary_method(key: str) -> Callable[[Builder, Expr, Expr], Expr]:
    """The Builder method reducing ``a key b`` (add, sub, mul, div)."""
    def method(self: Builder, a: Expr, b: Expr) -> Expr:
        start, end = a[START], b[END]
        return (self.graph.apply(key, (a[NODE], b[NODE]), (start, end)), start, end, None)
    method.__name__ = key
    return method


class Builder:
    """One parse's state (set by :meth:`reset`): the source, the graph the
    nodes go into, the names assigned so far, the free variables met (the
    inputs, with the span of their first use) and the output expressions."""

    source: str
    graph: Graph
    env: dict[str, Node]
    allow_free: bool
    free: dict[str, tuple[int, int]]
    results: list[Expr]

    def reset(self, source: str, graph: Graph, env: Mapping[str, Node],
              allow_free: bool) -> None:
        self.source = source
        self.graph = graph
        self.env = dict(env)
        self.allow_free = allow_free
        self.free = {}
        self.results = []

    def _fail(self, message: str, start: int, end: int, hint: str | None = None) -> NoReturn:
        raise ParseError(message, source=self.source, span=(start, end), hint=hint)

    # atoms ------------------------------------------------------------------
    def number(self, tok: Token) -> Expr:
        text, start, end = tok
        value = float(text)
        if value == float("inf"):
            self._fail(f"the number {text} is too large for a float", start, end)
        return (self.graph.const(value, (start, end)), start, end, None)

    def name(self, tok: Token) -> Expr:
        name, start, end = tok
        node = self.env.get(name)
        if node is not None:
            return (node, start, end, name)
        if name in CONSTANTS:
            return (self.graph.const(CONSTANTS[name], (start, end)), start, end, None)
        if not self.allow_free:
            hint = _suggest(name, list(self.env) + list(CONSTANTS))
            self._fail(f"unknown name `{name}`: a value here must be a constant expression",
                       start, end, hint=hint)
        if name not in self.free:
            self.free[name] = (start, end)
        return (self.graph.var(name, (start, end)), start, end, None)

    def call(self, tok: Token, *rest: Expr | Token | None) -> Expr:
        """``name(…)``: ``rest`` is the arguments (None where an optional
        one is absent), then the closing parenthesis's token."""
        args = cast("list[Expr]", [a for a in rest[:-1] if a is not None])
        name, start, name_end = tok
        end = cast(Token, rest[-1])[2]
        if name in VARIADIC and len(args) > 2:
            acc = args[0]
            for arg in args[1:]:
                acc = self._apply(FUNCTIONS[(name, 2)].key, (acc, arg), start, arg[END])
            return (acc[NODE], start, end, None)
        prim = FUNCTIONS.get((name, len(args)))
        if prim is None:
            self._unknown_call(name, len(args), start, name_end, end)
        return self._apply(prim.key, args, start, end)

    def _unknown_call(self, name: str, nargs: int, start: int, name_end: int,
                      end: int) -> NoReturn:
        arities = sorted(a for (n, a) in FUNCTIONS if n == name)
        if not arities:
            self._fail(f"unknown function `{name}`", start, name_end,
                       hint=_suggest(name, function_names()) or "`adcli functions` lists them all")
        counts = " or ".join(str(a) for a in arities)
        self._fail(f"`{name}` takes {counts} argument{'s' if arities != [1] else ''}, "
                   f"not {nargs}", start, end,
                   hint="; ".join(_signature(FUNCTIONS[(name, a)]) for a in arities))

    # operators ---------------------------------------------------------------
    def _apply(self, key: str, args: Sequence[Expr], start: int, end: int) -> Expr:
        node = self.graph.apply(key, tuple([a[NODE] for a in args]), (start, end))
        return (node, start, end, None)

    add = _binary_method("add")
    sub = _binary_method("sub")
    mul = _binary_method("mul")
    div = _binary_method("div")

    def pow(self, a: Expr, _tok: Token, b: Expr) -> Expr:
        return self._apply("pow", (a, b), a[START], b[END])

    def neg(self, tok: Token, a: Expr) -> Expr:
        node = a[NODE]
        if node.op == CONST:  # -2 is the number -2, not an operation
            span = (tok[1], a[END])
            return (self.graph.const(-node.value, span), tok[1], a[END], None)
        return self._apply("neg", (a,), tok[1], a[END])

    def group(self, lpar: Token, a: Expr, rpar: Token) -> Expr:
        # The parentheses belong to the span, so a caret covers `(-2)`.
        return (a[NODE], lpar[1], rpar[2], a[LABEL])

    def pos(self, tok: Token, a: Expr) -> Expr:
        return (a[NODE], tok[1], a[END], None)

    # statements --------------------------------------------------------------
    def assign(self, tok: Token, ex: Expr) -> None:
        name, start, end = tok
        if name in CONSTANTS or name in _FUNCTION_NAMES:
            what = "a constant" if name in CONSTANTS else "a function"
            self._fail(f"`{name}` is {what} and cannot be assigned", start, end,
                       hint=f"choose another name, e.g. `{name}_1 = …`")
        self.env[name] = ex[NODE]

    def outputs(self, *exs: Expr) -> None:
        self.results.extend(exs)

    def program(self, *_: object) -> None:
        return None


def _signature(prim: Primitive) -> str:
    return f"{prim.name}({', '.join(prim.params)})"


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
