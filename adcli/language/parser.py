"""Text to DAG: reduce actions run inside the LALR parse.

The LALR driver (:mod:`adcli.language.lalr`) calls one method of
:class:`~adcli.language.builder.Builder` per grammar rule as it reduces, in
the style of a Lark ``Transformer`` with ``v_args(inline=True)``: no parse
tree is built and nothing recurses.  Tokens arrive as ``(text, start, end)``
and expressions travel as ``(node, start, end, label)`` so every node knows
its source span.

Statements are reduced left to right, so an assignment is in force for every
later statement (``a = x*y; a + 1``), and reassigning a name, even an
input's, changes what it means from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..collector import without_gc
from ..errors import ParseError
from ..graph.dag import Graph, Node
from ..graph.program import Program
from . import fastpath
from .builder import LABEL, NODE, Builder, Expr
from .grammar import explaining_parser, fast_parser

if TYPE_CHECKING:
    from .lark_standalone import Token as LarkToken

_builder = Builder()


def parse(source: str, *, graph: Graph | None = None, env: Mapping[str, Node] | None = None,
          allow_free: bool = True) -> Program:
    """Parse ``source`` into a :class:`Program` over ``graph`` (a new one by
    default).  ``env`` pre-binds names to nodes (the rule compiler binds a
    primitive's parameters this way)."""
    own_graph = graph is None
    graph = Graph() if graph is None else graph
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


def _parse_without_gc(run: Callable[[], bool]) -> bool:
    # Parsing allocates millions of small acyclic objects; the cyclic
    # collector would rescan them all again and again (quadratic time).
    return without_gc(run)()


def _output_names(outputs: list[Expr]) -> list[str]:
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


def _expected(names: set[str]) -> str:
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
        if char == ".":
            point = _lone_point(source, pos)
            if point is not None:
                return point
        hint = None
        if char in "\"'":
            hint = "strings are not part of the language: formulas use numbers and names"
        elif char in "[{":
            hint = "use round parentheses `(` `)` for grouping"
        return ParseError(f"unexpected character `{char}`", source=source,
                          span=(pos, pos + 1), hint=hint)
    tok = getattr(exc, "token", None)
    truncated = _truncated_exponent(source, tok)
    if truncated is not None:
        return truncated
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
    if source[:pos].count("(") <= source[:pos].count(")"):
        expected.discard("RPAR")  # Lark's LALR states allow it where nothing is open
    message = f"{what}; expected {_expected(expected)}" if expected else what
    return ParseError(message, source=source, span=span, hint=hint)


def _hint(source: str, tok: LarkToken | None, expected: set[str]) -> str | None:
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


def _truncated_exponent(source: str, tok: LarkToken | None) -> ParseError | None:
    """``1e``, ``1.5E-``: a number whose exponent has no digits.  Lark reads
    the number, then a name `e`, and expected an operator or even a `)`
    that nothing opened; the caret goes under the whole number."""
    if tok is None or tok.type != "NAME" or str(tok) not in ("e", "E") or not tok.start_pos:
        return None
    pos: int = tok.start_pos
    start = pos
    while start > 0 and (source[start - 1].isdigit() or source[start - 1] == "."):
        start -= 1
    mantissa = source[start:pos]
    if start == pos or not any(c.isdigit() for c in mantissa) or (
            start > 0 and (source[start - 1].isalpha() or source[start - 1] == "_")):
        return None  # not a number before it: `x2e`, `a.e`
    end = pos + 1
    signed = end < len(source) and source[end] in "+-"
    if signed:
        end += 1
    product = "" if signed else f"; for a product with the constant e write `{mantissa}*e`"
    return ParseError(f"the number `{source[start:end]}` has an exponent without digits",
                      source=source, span=(start, end),
                      hint=f"an exponent needs digits, e.g. `{mantissa}{tok}3` or "
                           f"`{mantissa}{tok}-3`{product}")


def _lone_point(source: str, pos: int) -> ParseError | None:
    """A `.` with no digit on either side (``.e3``, ``2*.``): a number
    needs one; a `.` after a name (``x.y``) is some other mistake."""
    before = source[pos - 1] if pos else ""
    if before.isalnum() or before == "_":
        return None
    end = pos + 1
    if end < len(source) and source[end] in "eE":
        end += 1
        if end < len(source) and source[end] in "+-":
            end += 1
        while end < len(source) and source[end].isdigit():
            end += 1
    return ParseError(f"`{source[pos:end]}` is not a number: a number needs a digit before "
                      "or after its point", source=source, span=(pos, end),
                      hint="e.g. `0.5`, `.5`, `1e3` or `1.0e3`")


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
