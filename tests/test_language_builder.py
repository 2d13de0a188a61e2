"""adcli/language/builder.py on its own: each reduce action called directly,
as a parser calls it, with tokens as (text, start, end): the DAG node it
builds, the source span it records, the names it binds, and the errors
(with their spans and hints) for what the grammar accepts but the language
does not."""

import math

import pytest

from adcli.errors import ParseError
from adcli.graph.dag import CONST, VAR, Graph
from adcli.language.builder import END, LABEL, NODE, START, Builder
from adcli.language.parser import parse


def builder(source="", env=None, allow_free=True):
    b = Builder()
    b.reset(source, Graph(), env or {}, allow_free)
    return b


def tok(source, text, nth=0):
    """The token ``text`` as the lexer gives it: (text, start, end) in ``source``."""
    start = -1
    for _ in range(nth + 1):
        start = source.index(text, start + 1)
    return (text, start, start + len(text))


# --- atoms ----------------------------------------------------------------------------

def test_a_number_is_a_constant_node_with_its_span():
    b = builder("x + 2.5")
    ex = b.number(("2.5", 4, 7))
    assert ex[NODE].op == CONST and ex[NODE].value == 2.5 and ex[NODE].span == (4, 7)
    assert (ex[START], ex[END], ex[LABEL]) == (4, 7, None)
    assert b.number(("2.50", 9, 13))[NODE] is ex[NODE]  # one node per value


def test_a_number_too_large_for_a_float_is_an_error_under_it():
    with pytest.raises(ParseError, match="the number 1e400 is too large for a float") as info:
        builder("x*1e400").number(("1e400", 2, 7))
    assert info.value.span == (2, 7) and info.value.source == "x*1e400"


def test_a_free_name_is_an_input_remembered_at_its_first_use():
    b = builder("x + x")
    first, second = b.name(("x", 0, 1)), b.name(("x", 4, 5))
    assert first[NODE] is second[NODE] and first[NODE].op == VAR and first[NODE].name == "x"
    assert first[LABEL] is None and (second[START], second[END]) == (4, 5)
    assert b.free == {"x": (0, 1)}


def test_a_constant_name_is_its_value():
    b = builder("tau")
    ex = b.name(("tau", 0, 3))
    assert ex[NODE].op == CONST and ex[NODE].value == 2 * math.pi and b.free == {}


def test_an_assigned_name_is_its_expression_with_the_name_as_label():
    b = builder("a = x*y; a")
    product = b.mul(b.name(("x", 4, 5)), b.name(("y", 6, 7)))
    assert b.assign(("a", 0, 1), product) is None
    ex = b.name(("a", 9, 10))
    assert ex[NODE] is product[NODE] and ex[LABEL] == "a" and (ex[START], ex[END]) == (9, 10)
    assert b.free == {"x": (4, 5), "y": (6, 7)}


def test_names_bound_by_the_caller_are_used_and_not_changed():
    graph = Graph()
    bound = graph.var("p")
    env = {"x": bound}
    b = Builder()
    b.reset("x", graph, env, True)
    assert b.name(("x", 0, 1))[NODE] is bound and b.free == {}
    b.assign(("x", 0, 1), b.number(("2", 0, 1)))
    assert env == {"x": bound}  # the builder keeps its own copy


def test_without_free_names_an_unknown_name_is_an_error_with_a_suggestion():
    b = builder("2*pii", allow_free=False)
    with pytest.raises(ParseError, match="unknown name `pii`: a value here must be a "
                                         "constant expression") as info:
        b.name(("pii", 2, 5))
    assert info.value.span == (2, 5) and info.value.hint == "did you mean `pi`?"
    with pytest.raises(ParseError) as far:
        builder("zzz", allow_free=False).name(("zzz", 0, 3))
    assert far.value.hint is None


# --- calls ----------------------------------------------------------------------------------

def test_a_call_applies_the_primitive_over_the_whole_call():
    source = "sin(x)"
    b = builder(source)
    ex = b.call(tok(source, "sin"), b.name(("x", 4, 5)), tok(source, ")"))
    assert ex[NODE].op == "sin" and ex[NODE].args[0].name == "x"
    assert (ex[START], ex[END]) == (0, 6) and ex[NODE].span == (0, 6)


def test_the_number_of_arguments_chooses_the_primitive():
    b = builder("log(x) log(x, 2)")
    x = b.name(("x", 4, 5))
    natural = b.call(("log", 0, 3), x, (")", 5, 6))[NODE]
    base = b.call(("log", 7, 10), x, b.number(("2", 14, 15)), (")", 15, 16))[NODE]
    assert natural.op != base.op and len(natural.args) == 1 and len(base.args) == 2


def test_max_and_min_of_several_fold_left_in_pairs():
    source = "max(x, y, z)"
    b = builder(source)
    x, y, z = (b.name(tok(source, n)) for n in "xyz")
    ex = b.call(("max", 0, 3), x, y, z, (")", 11, 12))
    outer = ex[NODE]
    assert outer.op == "max" and outer.args[1].name == "z"
    inner = outer.args[0]
    assert inner.op == "max" and [a.name for a in inner.args] == ["x", "y"]
    assert (ex[START], ex[END]) == (0, 12)


def test_an_absent_optional_argument_is_skipped():
    # `f()` reaches the builder as call(name, None, rpar)
    with pytest.raises(ParseError, match="`sin` takes 1 argument, not 0") as info:
        builder("sin()").call(("sin", 0, 3), None, (")", 4, 5))
    assert info.value.span == (0, 5) and info.value.hint == "sin(x)"


@pytest.mark.parametrize("source, name, nargs, message, hint", [
    ("log(x, 2, 3)", "log", 3, "`log` takes 1 or 2 arguments, not 3", "log(x); log(x, b)"),
    ("atan2(x)", "atan2", 1, "`atan2` takes 2 arguments, not 1", "atan2(y, x)"),
])
def test_a_wrong_number_of_arguments_names_the_signatures(source, name, nargs, message, hint):
    b = builder(source)
    args = [b.name(("x", 0, 1))] * nargs
    with pytest.raises(ParseError) as info:
        b.call((name, 0, len(name)), *args, (")", len(source) - 1, len(source)))
    assert info.value.message == message and info.value.hint == hint
    assert info.value.span == (0, len(source))


def test_an_unknown_function_is_an_error_under_its_name_with_a_suggestion():
    b = builder("sni(x)")
    with pytest.raises(ParseError, match="unknown function `sni`") as info:
        b.call(("sni", 0, 3), b.name(("x", 4, 5)), (")", 5, 6))
    assert info.value.span == (0, 3) and info.value.hint == "did you mean `sin`?"
    with pytest.raises(ParseError) as far:
        builder("qqqq(x)").call(("qqqq", 0, 4), b.name(("x", 5, 6)), (")", 6, 7))
    assert "`adcli functions` lists them all" in far.value.hint


# --- operators --------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["add", "sub", "mul", "div"])
def test_a_binary_operator_spans_both_operands(method):
    source = "x ? y"
    b = builder(source)
    x, y = b.name(("x", 0, 1)), b.name(("y", 4, 5))
    ex = getattr(Builder, method)(b, x, y)
    assert ex[NODE].op == method and [a.name for a in ex[NODE].args] == ["x", "y"]
    assert (ex[START], ex[END], ex[LABEL]) == (0, 5, None)
    assert getattr(Builder, method).__name__ == method


def test_power_takes_its_operator_token_and_spans_both_operands():
    b = builder("x^y")
    ex = b.pow(b.name(("x", 0, 1)), ("^", 1, 2), b.name(("y", 2, 3)))
    assert ex[NODE].op == "pow" and (ex[START], ex[END]) == (0, 3)


def test_minus_a_number_is_the_negative_number():
    b = builder("-2")
    ex = b.neg(("-", 0, 1), b.number(("2", 1, 2)))
    assert ex[NODE].op == CONST and ex[NODE].value == -2.0 and ex[NODE].span == (0, 2)
    twice = b.neg(("-", 0, 1), ex)
    assert twice[NODE].op == CONST and twice[NODE].value == 2.0


def test_minus_zero_stays_its_own_number():
    b = builder("-0")
    zero = b.number(("0", 1, 2))
    ex = b.neg(("-", 0, 1), zero)
    assert ex[NODE] is not zero[NODE] and math.copysign(1, ex[NODE].value) == -1


def test_minus_an_expression_is_a_negation_node():
    b = builder("-x")
    ex = b.neg(("-", 0, 1), b.name(("x", 1, 2)))
    assert ex[NODE].op == "neg" and (ex[START], ex[END]) == (0, 2)


def test_unary_plus_is_the_operand_without_its_label():
    b = builder("a = x; +a")
    b.assign(("a", 0, 1), b.name(("x", 4, 5)))
    a = b.name(("a", 8, 9))
    ex = b.pos(("+", 7, 8), a)
    assert ex[NODE] is a[NODE] and ex[LABEL] is None and (ex[START], ex[END]) == (7, 9)


def test_parentheses_keep_the_node_and_label_and_widen_the_span():
    b = builder("a = x; (a)")
    b.assign(("a", 0, 1), b.name(("x", 4, 5)))
    a = b.name(("a", 8, 9))
    ex = b.group(("(", 7, 8), a, (")", 9, 10))
    assert ex[NODE] is a[NODE] and ex[LABEL] == "a" and (ex[START], ex[END]) == (7, 10)


# --- statements -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, what", [("pi", "a constant"), ("e", "a constant"),
                                        ("sin", "a function"), ("atan2", "a function")])
def test_a_constant_or_function_name_cannot_be_assigned(name, what):
    source = f"{name} = 3"
    b = builder(source)
    with pytest.raises(ParseError, match=f"`{name}` is {what} and cannot be assigned") as info:
        b.assign((name, 0, len(name)), b.number(("3", len(source) - 1, len(source))))
    assert info.value.span == (0, len(name)) and f"`{name}_1 = …`" in info.value.hint
    assert name not in b.env


def test_outputs_collect_in_order_and_reset_starts_afresh():
    b = builder("x, y; x")
    x, y = b.name(("x", 0, 1)), b.name(("y", 3, 4))
    b.outputs(x, y)
    b.outputs(b.name(("x", 6, 7)))
    assert [ex[NODE].name for ex in b.results] == ["x", "y", "x"]
    assert b.program(None, None) is None
    b.reset("z", Graph(), {}, True)
    assert b.results == [] and b.free == {} and b.env == {} and b.source == "z"


def test_the_builders_dag_is_the_parsers():
    # x1*x2 + sin(x1), reduced by hand in the order the LALR parser reduces it
    source = "x1*x2 + sin(x1)"
    b = builder(source)
    product = b.mul(b.name(tok(source, "x1")), b.name(tok(source, "x2")))
    sine = b.call(tok(source, "sin"), b.name(tok(source, "x1", 1)), tok(source, ")"))
    b.outputs(b.add(product, sine))
    parsed = parse(source)
    assert [(n.op, n.value, n.name, [a.id for a in n.args], n.span) for n in b.graph.nodes] == [
        (n.op, n.value, n.name, [a.id for a in n.args], n.span) for n in parsed.graph.nodes]
    assert list(b.free) == parsed.free
