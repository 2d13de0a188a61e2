"""Text to DAG: a Lark transformer run inside the LALR parser.

Statements are reduced left to right, so an assignment is in force for every
later statement (``a = x*y; a + 1``), and reassigning a name, even an
input's, changes what it means from then on.
"""

from lark import Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..errors import ParseError
from ..graph.dag import Graph
from ..graph.program import Program
from ..primitives import CONSTANTS, FUNCTIONS, VARIADIC, function_names
from .grammar import fast_parser, lalr_parser


class Ex:
    """A node and the span of text it came from, while parsing."""

    __slots__ = ("node", "start", "end", "label")

    def __init__(self, node, start, end, label=None):
        self.node = node
        self.start = start
        self.end = end
        self.label = label


@v_args(inline=True)
class _Builder(Transformer):
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
        value = float(tok.value)
        if value == float("inf"):
            self._fail(f"the number {tok} is too large for a float", tok.start_pos, tok.end_pos)
        return Ex(self.graph.const(value, (tok.start_pos, tok.end_pos)), tok.start_pos, tok.end_pos)

    def name(self, tok):
        name = tok.value
        span = (tok.start_pos, tok.end_pos)
        if name in self.env:
            return Ex(self.env[name], *span, label=name)
        if name in CONSTANTS:
            return Ex(self.graph.const(CONSTANTS[name], span), *span)
        if not self.allow_free:
            hint = _suggest(name, list(self.env) + list(CONSTANTS))
            self._fail(f"unknown name `{name}`: a value here must be a constant expression",
                       *span, hint=hint)
        self.free.setdefault(name, span)
        return Ex(self.graph.var(name, span), *span)

    def call(self, tok, *rest):
        rpar = rest[-1]
        args = [a for a in rest[:-1] if a is not None]
        name = tok.value
        start, end = tok.start_pos, rpar.end_pos
        if name in VARIADIC and len(args) > 2:
            acc = args[0]
            for arg in args[1:]:
                acc = self._apply(FUNCTIONS[(name, 2)].key, (acc, arg), start, arg.end)
            acc.end = end
            return acc
        prim = FUNCTIONS.get((name, len(args)))
        if prim is None:
            self._unknown_call(name, len(args), start, tok.end_pos, end)
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
        node = self.graph.apply(key, tuple(a.node for a in args), (start, end))
        return Ex(node, start, end)

    def add(self, a, b):
        return self._apply("add", (a, b), a.start, b.end)

    def sub(self, a, b):
        return self._apply("sub", (a, b), a.start, b.end)

    def mul(self, a, b):
        return self._apply("mul", (a, b), a.start, b.end)

    def div(self, a, b):
        return self._apply("div", (a, b), a.start, b.end)

    def pow(self, a, _tok, b):
        return self._apply("pow", (a, b), a.start, b.end)

    def neg(self, tok, a):
        if a.node.is_const:  # -2 is the number -2, not an operation
            span = (tok.start_pos, a.end)
            return Ex(self.graph.const(-a.node.value, span), *span)
        return self._apply("neg", (a,), tok.start_pos, a.end)

    def pos(self, tok, a):
        return Ex(a.node, tok.start_pos, a.end)

    # statements --------------------------------------------------------------
    def assign(self, tok, ex):
        self.env[tok.value] = ex.node

    def outputs(self, *exs):
        self.results.extend(exs)

    def program(self, *_):
        return None


def _signature(prim):
    return f"{prim.name}({', '.join(prim.params)})"


def _suggest(name, candidates):
    import difflib

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


_builder = _Builder()


def parse(source, *, graph=None, env=None, allow_free=True):
    """Parse ``source`` into a :class:`Program` over ``graph`` (a new one by
    default).  ``env`` pre-binds names to nodes (the rule compiler binds a
    primitive's parameters this way)."""
    graph = graph if graph is not None else Graph()
    _builder.reset(source, graph, env or {}, allow_free)
    if not fast_parser(_builder).parse(source):
        # Ask Lark itself what is wrong: its messages know the expected tokens.
        _builder.reset(source, Graph(), env or {}, allow_free)
        try:
            lalr_parser(_builder).parse(source)
        except UnexpectedInput as exc:
            raise _syntax_error(source, exc) from None
        raise ParseError("the formula does not parse", source=source, span=(0, len(source)))
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
    return Program(source, graph, [ex.node for ex in outputs], names, free, dict(_builder.free))


def _output_names(outputs):
    if len(outputs) == 1:
        names = [outputs[0].label or "f"]
    else:
        names = [ex.label or f"f{i}" for i, ex in enumerate(outputs, 1)]
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
    if tok is not None and tok.type in ("NAME", "NUMBER", "LPAR") and "STAR" in expected:
        return "write `*` for a product, e.g. `2*x`"
    return None
