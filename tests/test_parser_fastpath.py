"""The parser's fast path (adcli/language/fastpath.py) against the LALR
driver: the same DAG node for node (op, arguments, value, name, span, in
creation order), the same outputs, labels, free variables and assignments;
and it accepts nothing the LALR driver rejects (on anything it does not
take, the driver runs and its error is the one a user sees)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adcli.errors import ParseError
from adcli.graph.dag import Graph
from adcli.language import fastpath
from adcli.language import parser as P


def run(source, use_fastpath, env=None, allow_free=True):
    """What one parser made of ``source``: None when it declined, the
    builder's state otherwise (or the semantic error the driver raised)."""
    graph = Graph()
    env = {name: graph.var(name) for name in env or ()}
    P._builder.reset(source, graph, env, allow_free)
    try:
        if use_fastpath:
            ok = fastpath.parse(source, P._builder)
        else:
            ok = P.fast_parser(P._builder).parse(source)
    except ParseError as exc:
        return ("error", exc.message, exc.span)
    if not ok:
        return None
    b = P._builder
    nodes = [(n.op, tuple(a.id for a in n.args), repr(n.value), n.name, n.span)
             for n in graph.nodes]
    return (nodes, [(ex[0].id,) + tuple(ex[1:]) for ex in b.results], dict(b.free),
            {name: node.id for name, node in b.env.items()})


def same_as_driver(source, **kw):
    fast, lalr = run(source, True, **kw), run(source, False, **kw)
    if fast is None:  # declined: the driver decides (rejects, or raises an error)
        return lalr is None or lalr[0] == "error"
    return fast == lalr


PROGRAMS = [
    "x1*x2 + sin(x1)", "-x^2", "2^3^2", "2^-x^2", "a^-b*c", "-a*b", "a*-b*c", "-2*x",
    "--x", "+x - -2", "a = x*y; a + 1, a*2", "log(x, 2) # comment\n", "max(1, 2, 3, x)",
    "min(x, y)", "1e-3*.5 + 1.e2 + 2E+3", "x \\\n + 1", "(a)", "a = x; (a)", "a = x; (a), +a",
    "x = x + 1; x*x", "\n\n;x;\n", "x; y\n", "f = 2; f", "pi*e + tau", "x ** 2 ** y",
    "((((x))))", "sin (x)", "θ + x_1 + _y", "atan2(y, x) / (1 - x)^2", "x/y/z - x - y - z",
    "(-2)^2 + (-x)", "a = 1; b = a; b", "1/0", "abs(x)^0.5", "exp(-x^2/2)",
]

NOT_PROGRAMS = [
    "f(x,)", "2*(x+1", "x y", "x = ", ")", "pi = 3", "sin = 2", "foo(x)", "sin(x, y, z)",
    "(a, b)", "a = x, y", "1e400", "x $ y", "x + ", "2(x)", "x = y = 1", "a + b = c", "f(,)",
    "()", "x)", "(x", "x^", "\\x", "x..2", "1.2.3", "1e", "'x'", "[x]", "x;;+", "a=", "=x",
]


@pytest.mark.parametrize("source", PROGRAMS)
def test_the_same_dag_as_the_driver(source):
    fast = run(source, True)
    assert fast is not None and fast[0] != "error", source
    assert fast == run(source, False), source


@pytest.mark.parametrize("source", NOT_PROGRAMS)
def test_what_the_driver_rejects_is_declined(source):
    assert run(source, True) is None, source
    assert same_as_driver(source)


def test_names_bound_by_the_caller_and_constant_expressions():
    # The rule compiler binds a primitive's parameters; points allow no free names.
    assert same_as_driver("x*y + x", env=["x", "y"])
    assert run("2*pi/3", True, allow_free=False) == run("2*pi/3", False, allow_free=False)
    assert run("2*x", True, allow_free=False) is None


def test_a_reassigned_name_means_its_new_value():
    fast = run("x + 1; x = 2*y; x + 1", True)
    assert fast == run("x + 1; x = 2*y; x + 1", False)
    outputs = fast[1]
    assert outputs[0][0] != outputs[1][0]


def test_errors_a_user_sees_are_the_drivers():
    with pytest.raises(ParseError) as caught:
        P.parse("sin(x) + foo(y)")
    assert "unknown function `foo`" in caught.value.message
    with pytest.raises(ParseError) as caught:
        P.parse("2*(x+1")
    assert caught.value.message.startswith("unexpected end of the formula; expected")
    assert caught.value.hint == "a `(` is never closed"


def test_deep_nesting_needs_no_recursion():
    depth = 20_000
    source = "(" * depth + "x" + ")" * depth + " + " + "-" * depth + "y"
    assert same_as_driver(source)


TOKENS = ["x", "y", "a", "sin", "max", "pi", "2", "0.5", "1e3", "+", "-", "*", "/", "^", "**",
          "(", ")", ",", "=", ";", "\n", " ", "#c\n", "\\\n", "$"]


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_random_token_strings_agree_with_the_driver(tokens):
    assert same_as_driver("".join(tokens))


POINTS = ["x=1,y=2", "x=1,,y=2\n", " x = -1.5e3 ;y=.5", "x1=2\r\nx2=3\r\n", "x=+3.", "θ=007",
          "x=1,x=2", "pi=1", "x=1e999", "x=pi/4", "x=(1)", "", ",", "2x=1", "x=1 2", "x=1_0",
          "x=nan", "x=", "=1", "x"]


@pytest.mark.parametrize("text", POINTS)
def test_plain_points_read_at_once_as_pair_by_pair(text, monkeypatch):
    from adcli.errors import AdcliError
    from adcli.language import point

    def read(text):
        try:
            return point.parse_point(text)
        except AdcliError as exc:
            return (exc.message, exc.span, exc.hint)

    at_once = read(text)
    monkeypatch.setattr(point, "_plain_point", lambda source: None)
    assert at_once == read(text)


# --- one long sum of terms: each term shape compiled once (termpath) ---------

class _TermsFromTwo:
    """termpath takes a sum of two terms or more (it waits for 64 by default)."""

    def __enter__(self):
        from adcli.language import termpath

        self.saved, termpath.MIN_TERMS = termpath.MIN_TERMS, 1

    def __exit__(self, *exc):
        from adcli.language import termpath

        termpath.MIN_TERMS = self.saved


def termpath_takes(source):
    from adcli.language import termpath

    P._builder.reset(source, Graph(), {}, True)
    try:
        return termpath.parse(fastpath._TOKEN.findall(source), P._builder)
    except ParseError:
        return "error"


SUMS = ["x1*x2 + sin(x1)", "-x^2 + 2^3^2 - 2^-x^2 + a^-b*c", "-a*b - -a*b + a*-b*c - -2*x",
        "max(1, 2, 3, x) + min(x, y) - log(x, 2)", "1e-3*.5 + 1.e2 + 2E+3 + x ** 2 ** y",
        " ((((x)))) + sin (x) + θ + x_1 + _y # a comment", "\n\nx/y/z - x - y - z\n",
        "(-2)^2 + (-x) + abs(x)^0.5 + exp(-x^2/2) + atan2(y, x) / (1 - x)^2",
        "x \\\n + 1 - pi*e + tau", "x*x + x*x + (x*x) + x*(x) - (x)*x",
        "sin(cos(x + (y*(z - w/2)))) + 1"]


@pytest.mark.parametrize("source", SUMS)
def test_a_sum_by_term_shapes_is_the_same_dag_as_the_driver(source):
    with _TermsFromTwo():
        assert termpath_takes(source) is True, source
        fast = run(source, True)
    assert fast is not None and fast[0] != "error", source
    assert fast == run(source, False), source


@pytest.mark.parametrize("source", ["x + foo(y)", "x + (y", "x + y; z", "a = x + y", "x + f()",
                                    "x + y,z", "x + 2(y)", "x + (((((y)))))", "x $ y + z",
                                    "sin(cos(tan(x + (y*(z - (w/2)))))) + 1"])
def test_what_termpath_leaves_to_the_loop_or_the_driver(source):
    with _TermsFromTwo():
        assert termpath_takes(source) in (None, "error"), source
        assert same_as_driver(source)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_random_token_strings_by_term_shapes_agree_with_the_driver(tokens):
    with _TermsFromTwo():
        assert same_as_driver("".join(tokens))


def test_the_rosenbrock_chain_file_goes_by_term_shapes():
    n = 300
    source = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n)) + "\n"
    assert termpath_takes(source) is True
    assert same_as_driver(source)
