"""Text to DAG: reduce actions run inside the LALR parse.

The LALR driver (:mod:`adcli.language.lalr`) calls one method of
:class:`Builder` per grammar rule as it reduces, in the style of a Lark
``Transformer`` with ``v_args(inline=True)``: no parse tree is built and
nothing recurses.  Tokens arrive as ``(text, start, end)`` and expressions
travel as ``(node, start, end, label)`` so every node knows its source span.

Statements are reduced left to right, so an assignment is in force for every
later statement (``a = x*y; a + 1``), and reassigning a name, even an
input's, changes what it means from then on.
"""

from collections.abc import Callable

from ..collector import enable_after_build
from ..errors import ParseError
from ..graph.dag import CONST, Graph
from ..graph.program import Program
from ..primitives import CONSTANTS, FUNCTIONS, VARIADIC, Primitive, function_names
from . import fastpath
from .grammar import explaining_parser, fast_parser

_FUNCTION_NAMES = frozenset(function_names())

# An expression while parsing: (node, start, end, label); label is the name
# when the expression is a bare reference to an assigned variable.
NODE, START, END, LABEL = 0, 1, 2, 3


def _binary_method(key: str) -> Callable[..., tuple]:
    """The Builder method reducing ``a key b`` (add, sub, mul, div)."""
    def method(self: "Builder", a: tuple, b: tuple) -> tuple:
        start, end = a[START], b[END]
        return (self.graph.apply(key, (a[NODE], b[NODE]), (start, end)), start, end, None)
    method.__name__ = key
    return method


class Builder:
    def reset(self, source, graph, env, allow_free):
        self.source = source
        self.graph = graph
        self.env = dict(env)
        self.allow_free = allow_free
        self.free = {}
        self.results = []

    def _fail(self, message, start, end, hint=None):
        raise ParseError(message, source=self.source, span=(start, end), hint=hint)

    # atoms ------------------------------------------------------------------
    def number(self, tok):
        text, start, end = tok
        value = float(text)
        if value == float("inf"):
            self._fail(f"the number {text} is too large for a float", start, end)
        return (self.graph.const(value, (start, end)), start, end, None)

    def name(self, tok):
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

    def call(self, tok, *rest):
        args = [a for a in rest[:-1] if a is not None]
        name, start, name_end = tok
        end = rest[-1][2]
        if name in VARIADIC and len(args) > 2:
            acc = args[0]
            for arg in args[1:]:
                acc = self._apply(FUNCTIONS[(name, 2)].key, (acc, arg), start, arg[END])
            return (acc[NODE], start, end, None)
        prim = FUNCTIONS.get((name, len(args)))
        if prim is None:
            self._unknown_call(name, len(args), start, name_end, end)
        return self._apply(prim.key, args, start, end)

    def _unknown_call(self, name, nargs, start, name_end, end):
        arities = sorted(a for (n, a) in FUNCTIONS if n == name)
        if not arities:
            self._fail(f"unknown function `{name}`", start, name_end,
                       hint=_suggest(name, function_names()) or "`adcli functions` lists them all")
        counts = " or ".join(str(a) for a in arities)
        self._fail(f"`{name}` takes {counts} argument{'s' if arities != [1] else ''}, "
                   f"not {nargs}", start, end,
                   hint="; ".join(_signature(FUNCTIONS[(name, a)]) for a in arities))

    # operators ---------------------------------------------------------------
    def _apply(self, key, args, start, end):
        node = self.graph.apply(key, tuple([a[NODE] for a in args]), (start, end))
        return (node, start, end, None)

    add = _binary_method("add")
    sub = _binary_method("sub")
    mul = _binary_method("mul")
    div = _binary_method("div")

    def pow(self, a, _tok, b):
        return self._apply("pow", (a, b), a[START], b[END])

    def neg(self, tok, a):
        node = a[NODE]
        if node.op == CONST:  # -2 is the number -2, not an operation
            span = (tok[1], a[END])
            return (self.graph.const(-node.value, span), tok[1], a[END], None)
        return self._apply("neg", (a,), tok[1], a[END])

    def group(self, lpar, a, rpar):
        # The parentheses belong to the span, so a caret covers `(-2)`.
        return (a[NODE], lpar[1], rpar[2], a[LABEL])

    def pos(self, tok, a):
        return (a[NODE], tok[1], a[END], None)

    # statements --------------------------------------------------------------
    def assign(self, tok, ex):
        name, start, end = tok
        if name in CONSTANTS or name in _FUNCTION_NAMES:
            what = "a constant" if name in CONSTANTS else "a function"
            self._fail(f"`{name}` is {what} and cannot be assigned", start, end,
                       hint=f"choose another name, e.g. `{name}_1 = …`")
        self.env[name] = ex[NODE]

    def outputs(self, *exs):
        self.results.extend(exs)

    def program(self, *_):
        return None


def _signature(prim: Primitive) -> str:
    return f"{prim.name}({', '.join(prim.params)})"


def _suggest(name, candidates):
    import difflib

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


_builder = Builder()


def parse(source, *, graph=None, env=None, allow_free=True):
    """Parse ``source`` into a :class:`Program` over ``graph`` (a new one by
    default).  ``env`` pre-binds names to nodes (the rule compiler binds a
    primitive's parameters this way)."""
    own_graph = graph is None
    graph = Graph() if own_graph else graph
    _builder.reset(source, graph, env or {}, allow_free)
    if not _parse_without_gc(lambda: fastpath.parse(source, _builder)):
        # The LALR driver decides, from the start (nodes the fast path made
        # in a graph of ours are dropped; a caller's graph only gains nodes
        # the driver makes again).
        if own_graph:
            graph = Graph()
        _builder.reset(source, graph, env or {}, allow_free)
        if not _parse_without_gc(lambda: fast_parser(_builder).parse(source)):
            # Ask Lark's parser what is wrong: its errors know the expected tokens.
            from .lark_standalone import UnexpectedInput

            try:
                explaining_parser().parse(source)
            except UnexpectedInput as exc:
                raise _syntax_error(source, exc) from None
            raise ParseError("the formula does not parse", source=source,
                             span=(0, len(source)))
    outputs = _builder.results
    if not outputs:
        raise ParseError(
            "nothing to compute: the program has no output" if source.strip()
            else "the formula is empty",
            source=source, span=(len(source), len(source)),
            hint="end the program with an expression, e.g. `a = x*y; a + 1`",
        )
    names = _output_names(outputs)
    free = list(_builder.free)
    return Program(source, graph, [ex[NODE] for ex in outputs], names, free, dict(_builder.free))


def _parse_without_gc(run):
    # Parsing allocates millions of small acyclic objects; the cyclic
    # collector would rescan them all again and again (quadratic time).
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return run()
    finally:
        if enabled:
            enable_after_build()


def _output_names(outputs):
    if len(outputs) == 1:
        names = [outputs[0][LABEL] or "f"]
    else:
        names = [ex[LABEL] or f"f{i}" for i, ex in enumerate(outputs, 1)]
    if len(set(names)) < len(names):
        names = ["f"] if len(names) == 1 else [f"f{i}" for i in range(1, len(names) + 1)]
    return names


# Terminal names in Lark's messages, as a person would say them.
_WORDS = {
    "NUMBER": "a number", "NAME": "a name", "LPAR": "`(`", "RPAR": "`)`",
    "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`", "SLASH": "`/`", "POW": "`^`",
    "COMMA": "`,`", "EQUAL": "`=`", "_SEP": "`;` or a new line", "$END": "the end",
}
_ORDER = list(_WORDS)


def _expected(names):
    words = [_WORDS.get(n, n) for n in sorted(names, key=lambda n: (_ORDER.index(n)
                                                               if n in _ORDER else 99, n))]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _syntax_error(source, exc):
    from .lark_standalone import UnexpectedCharacters

    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = source[pos]
        hint = None
        if char in "\"'":
            hint = "strings are not part of the language: formulas use numbers and names"
        elif char in "[{":
            hint = "use round parentheses `(` `)` for grouping"
        return ParseError(f"unexpected character `{char}`", source=source,
                          span=(pos, pos + 1), hint=hint)
    tok = getattr(exc, "token", None)
    expected = set(getattr(exc, "expected", ()) or ())
    if tok is None or tok.type == "$END":
        pos = len(source.rstrip())
        what = "unexpected end of the formula"
        span = (pos, pos)
    else:
        pos = tok.start_pos
        what = f"unexpected `{tok}`" if tok.type != "_SEP" else (
            "unexpected `;`" if str(tok) == ";" else "unexpected end of line")
        span = (pos, tok.end_pos if tok.type != "_SEP" else pos + 1)
    hint = _hint(source, tok, expected)
    message = f"{what}; expected {_expected(expected)}" if expected else what
    return ParseError(message, source=source, span=span, hint=hint)


def _hint(source, tok, expected):
    if "RPAR" in expected and source.count("(") > source.count(")"):
        return "a `(` is never closed"
    if tok is not None and tok.type == "RPAR" and source.count(")") > source.count("("):
        return "this `)` has no matching `(`"
    number_hint = _malformed_number_hint(source, tok)
    if number_hint:
        return number_hint
    if tok is not None and tok.type in ("NAME", "NUMBER", "LPAR") and "STAR" in expected:
        return "write `*` for a product, e.g. `2*x`"
    return None


def _malformed_number_hint(source, tok):
    """``1e`` and ``1.2.3`` are numbers written wrong, not missing products."""
    if tok is None or tok.type not in ("NAME", "NUMBER") or tok.start_pos == 0:
        return None
    before = source[tok.start_pos - 1]
    if not (before.isdigit() or before == "."):
        return None
    text = str(tok)
    if tok.type == "NUMBER" and text.startswith("."):
        return "a number has at most one decimal point, e.g. `1.23`"
    if tok.type == "NAME" and text[0] in "eE":
        return (f"an exponent needs digits, e.g. `1{text[0]}3` or `1{text[0]}-3`; "
                "for a product with the constant e write `1*e`")
    return None
