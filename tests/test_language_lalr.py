"""adcli/language/lalr.py on its own: the lean driver over the generated
tables builds, reduction for reduction, what Lark's own stand-alone parser
(the supported surface the tables come from) builds when its tree is handed
to the same Builder; it accepts what Lark accepts and returns False on
everything else.  That the checked-in tables are current for the grammar
(its SHA-256, and regenerating with the pinned Lark) is
``tests/test_parser_tables.py``'s: ``adcli/language/regenerate.py`` owns it."""

import pytest

from adcli.graph.dag import Graph
from adcli.language import lalr
from adcli.language.builder import END, LABEL, NODE, START, Builder
from adcli.language.grammar import explaining_parser
from adcli.language.lalr_tables import TABLES

# lark_standalone is imported inside the functions that use it, as adcli
# does: Hypothesis draws examples using the constants of the local modules
# loaded so far, so importing it here, at collection, changes what the
# property tests that run before these draw (and once revealed a failure
# of tests/test_api_arrays_screened.py, which fails run alone, too).

# Every rule and every tree-shaping option of the grammar: `?rule` inlining
# (unit reductions), aliases, `_line` splicing, `[…]` placeholders, filtered
# anonymous tokens, %ignore'd comments, blanks and line continuations.
ACCEPTED = [
    "x", "2", ".5", "6.02E23", "1e-3*x", "x1*x2 + sin(x1)", "x - y - z", "x / y / z",
    "2^3^2", "2**3**2", "-x^2", "--x", "-+-2", "+x", "2^-1", "x^-y^2", "-(x)", "((x))",
    "a*(b + c)/d", "sin(cos(tan(x)))", "log(x, 2)", "max(1, x, 3, y)", "min(x, y)",
    "atan2(y, x) - hypot(x, y)", "pi*e + tau", "θ^2 + rate_2", "x, y, x*y",
    "a = x*y; a + 1, a*2", "a = x\nb = a*a\nb - a", "x = x + 1; x", "a = 2; b = a",
    "\n\nx\n\n", "x;", ";x", "x;;y", "x # a comment\n", "# only a comment\nx",
    "x \\\n + 1", "x\t*\ty", "f = 3; f", "sin()", "log(x, 2, 3)", "", "# nothing", ";",
]
REFUSED = [
    "x +", "* x", "(x", "x)", "x y", "2 x", "sin(x,)", "f(,x)", "x = ", "= x", "x = y = 1",
    "1 = x", "a, b = 1", "x @ y", "x ^ ^ y", "'x'", "[x]", "x,", ",x", "x \\ y", "1.2.3",
    "x $ + y", "x ! * 2", "2 ? 3",  # a bad character between tokens that would parse
]


def lark_builds(text):
    """Lark's stand-alone parser's tree for ``text``, reduced by a Builder
    bottom-up and left to right: the reductions of an LALR parse."""
    from adcli.language.lark_standalone import Token, Tree

    b = Builder()
    b.reset(text, Graph(), {}, True)

    def reduce(item):
        if isinstance(item, Tree):
            return getattr(b, str(item.data))(*[reduce(c) for c in item.children])
        if isinstance(item, Token):
            return (str(item), item.start_pos, item.end_pos)
        return item  # None: an absent `[…]`

    reduce(explaining_parser().parse(text))
    return b


def driver_builds(text):
    b = Builder()
    b.reset(text, Graph(), {}, True)
    ok = lalr.FastLALR(TABLES, b).parse(text)
    return ok, b


def built(b):
    """What a parse built: the DAG node for node, the outputs and the inputs."""
    nodes = [(n.op, n.value, n.name, tuple(a.id for a in n.args), n.span) for n in b.graph.nodes]
    outputs = [(ex[NODE].id, ex[START], ex[END], ex[LABEL]) for ex in b.results]
    return nodes, outputs, dict(b.free), dict((k, v.id) for k, v in b.env.items())


def lark_accepts(text):
    from adcli.language.lark_standalone import UnexpectedInput

    try:
        explaining_parser().parse(text)
    except UnexpectedInput:
        return False
    return True


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_driver_builds_what_lark_builds(text):
    try:
        expected = built(lark_builds(text))
    except Exception as error:  # the Builder refuses it (arity): so must the driver
        with pytest.raises(type(error)) as info:
            driver_builds(text)
        assert str(info.value) == str(error)
        return
    ok, b = driver_builds(text)
    assert ok and built(b) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_what_lark_refuses_the_driver_refuses(text):
    assert not lark_accepts(text)
    ok, _ = driver_builds(text)
    assert ok is False


def test_the_corpus_has_something_to_compare():
    # each accepted text reaches the Builder (a broken driver that builds
    # nothing would agree with itself)
    ok, b = driver_builds("a = x*y; a + 1, a*2")
    assert ok and len(b.results) == 2 and b.results[0][LABEL] is None
    assert [n.op for n in b.graph.nodes][:3] == ["var", "var", "mul"]


def test_a_unit_reduction_leaves_the_value_as_it_is():
    # `x` is atom -> power -> unary -> product -> sum -> expr: five unit
    # reductions, no call; the output is the name's own expression
    ok, b = driver_builds("x")
    (node, start, end, label), = b.results
    assert ok and node.name == "x" and (start, end, label) == (0, 1, None)


def test_ignored_text_is_skipped_but_spans_are_the_sources():
    text = "x  # c\n  * y \\\n + 2"
    ok, b = driver_builds(text)
    assert not ok  # a newline is a separator: `* y` starts a statement
    text = "x \\\n * y # c"
    ok, b = driver_builds(text)
    assert ok
    (node, start, end, _), = b.results
    assert node.op == "mul" and text[start:end] == "x \\\n * y"


def test_a_bad_character_or_an_early_end_is_false_not_an_exception():
    for text in ("x $ y", "x + ", "sin(", "x\x00"):
        assert driver_builds(text)[0] is False


def test_one_driver_parses_many_texts_with_its_builder():
    b = Builder()
    driver = lalr.FastLALR(TABLES, b)
    for text in ("x + y", "a = 2; a*z", "x * (y", "sin(x)^2"):
        b.reset(text, Graph(), {}, True)
        ok = driver.parse(text)
        assert ok == lark_accepts(text)
        if ok:
            assert built(b) == built(lark_builds(text))
    assert driver.chains  # unit-reduction chains were cached on the way


# --- the tables the driver is built from ----------------------------------------------------

def test_the_tables_are_consistent():
    n_states, n_rules = len(TABLES["actions"]), len(TABLES["rules"])
    symbols = TABLES["symbols"]
    assert len(set(symbols)) == len(symbols) and "$END" in symbols
    for row in TABLES["actions"]:
        assert len(row) == len(symbols)
        for action in row:
            if action is not None:
                shift, arg = action
                assert 0 <= arg < (n_states if shift else n_rules)
    for name, _alias, expansion, _expand1, empty in TABLES["rules"]:
        assert name in symbols and all(sym in symbols for sym, _, _ in expansion)
        assert all(isinstance(e, bool) for e in empty)
    assert 0 <= TABLES["start"] < n_states and 0 <= TABLES["end"] < n_states
    driver = lalr.FastLALR(TABLES, Builder())
    assert driver.n_states == n_states and set(driver.ignore) <= set(range(len(symbols)))


def test_a_rule_the_builder_does_not_have_fails_at_construction():
    rules = list(TABLES["rules"])
    i = next(k for k, r in enumerate(rules) if r[1] == "add")
    name, _, expansion, expand1, empty = rules[i]
    rules[i] = (name, "no_such_reduction", expansion, expand1, empty)
    with pytest.raises(AttributeError, match="no_such_reduction"):
        lalr.FastLALR(dict(TABLES, rules=tuple(rules)), Builder())


def test_spliced_children_are_flattened_into_their_parent():
    spliced = lalr._Splice([2, 3])
    assert lalr._flatten([1, spliced, [4, 5]]) == [1, 2, 3, [4, 5]]
