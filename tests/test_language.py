"""The expression language of docs/design.md: numbers, names, precedence,
functions, programs, and what bad input gets."""

import math

import pytest

import adcli
from adcli.errors import ParseError, UsageError
from adcli.language.parser import parse
from adcli.language.point import parse_point


def value(src, **point):
    return adcli.evaluate(src, point or None)


@pytest.mark.parametrize("src, expected", [
    ("2", 2.0), ("2.5", 2.5), (".5", 0.5), ("1e-3", 1e-3), ("6.02E23", 6.02e23),
    ("pi", math.pi), ("e", math.e), ("tau", math.tau),
    ("-2^2", -4.0), ("2^3^2", 512.0), ("2**3**2", 512.0), ("2^-1", 0.5),
    ("(-2)^2", 4.0), ("-(2)^2", -4.0), ("+3", 3.0), ("--3", 3.0),
    ("1-2-3", -4.0), ("8/4/2", 1.0), ("2*3+4*5", 26.0), ("2*(3+4)*5", 70.0),
    ("log(8, 2)", 3.0), ("atan2(1, 1)", math.pi / 4), ("hypot(3, 4)", 5.0),
    ("pow(2, 10)", 1024.0), ("min(3, 1, 2)", 1.0), ("max(3, 1, 2)", 3.0),
    ("log2(8)", 3.0), ("log10(1000)", 3.0), ("cbrt(27)", 3.0), ("abs(-2)", 2.0),
])
def test_constant_expressions(src, expected):
    assert value(src) == pytest.approx(expected, rel=1e-15)


def test_unary_minus_binds_looser_than_power():
    assert value("-x^2", x=3) == -9.0
    assert value("-x**2", x=3) == -9.0


def test_unicode_identifiers():
    assert value("θ*2 + rate_2", θ=1.5, rate_2=1) == 4.0


def test_program_with_assignments_comments_and_several_outputs():
    src = "a = x*y  # the product\nb = a + 1; a, b*2\n"
    fn = adcli.compile(src)
    assert fn.inputs == ("x", "y")
    assert fn.outputs == ("a", "f2")
    assert fn(x=2, y=3) == [6.0, 14.0]


def test_reassignment_even_of_an_input_name():
    fn = adcli.compile("x = x*2; x = x + 1; x")
    assert fn(x=3) == 7.0
    assert fn.gradient(x=3).gradient == {"x": 2.0}


def test_identical_subexpressions_are_one_node():
    program = parse("sin(x)*sin(x) + sin(x)")
    ops = [n.op for n in program.graph.nodes]
    assert ops.count("sin") == 1
    tape = adcli.compile("sin(x)*sin(x)").tape(["x"])
    assert [s.prim.key for s in tape.steps] == ["sin", "mul"]


def test_nodes_remember_their_source_span():
    program = parse("1 + log(x - 3)")
    log = next(n for n in program.graph.nodes if n.op == "log")
    assert program.source[slice(*log.span)] == "log(x - 3)"


def test_a_10000_deep_formula_parses_and_differentiates():
    src = "sin(" * 10_000 + "x" + ")" * 10_000
    r = adcli.grad(src, x=0.5, mode="reverse")
    f = adcli.grad(src, x=0.5, mode="forward")
    assert r.gradient["x"] == pytest.approx(f.gradient["x"], rel=1e-12)
    assert 0 < r.gradient["x"] < 1


def test_deep_parentheses_and_right_associative_powers():
    assert value("(" * 10_000 + "x" + ")" * 10_000, x=2) == 2.0
    assert value("^".join(["1"] * 5_000)) == 1.0


def test_a_100000_term_sum():
    src = "+".join(f"x{i % 100}" for i in range(100_000))
    point = {f"x{i}": 1.0 for i in range(100)}
    r = adcli.compile(src).gradient(point)
    assert r.value == 100_000.0
    assert set(r.gradient.values()) == {1000.0}


def test_a_sum_with_20000_different_constants_compiles_few_rules():
    # Each c·x has its own constant: folding every one into its own rule
    # once cost 3 s of compiling per 100,000 terms.
    from adcli.modes.sweeps import plan

    n = 20_000
    f = adcli.compile("+".join(f"{i}*x + y^{i % 500}" for i in range(n)))
    r = f.gradient({"x": 1.0, "y": 1.0}, mode="reverse")
    assert r.gradient["x"] == n * (n - 1) / 2
    assert r.gradient["y"] == sum(i % 500 for i in range(n))
    groups = plan(f.tape(["x", "y"])).groups
    assert len(groups) < 50


def test_rare_and_recurring_exponents_give_the_same_derivatives():
    # x^k for many k (read as an argument) and one k repeated (folded).
    rare = "+".join(f"x^{k}" for k in range(1, 40))
    recurring = "+".join(["x^3"] * 40)
    for src, expected in ((rare, sum(k * 1.5 ** (k - 1) for k in range(1, 40))),
                          (recurring, 40 * 3 * 1.5**2)):
        g = adcli.compile(src).gradient({"x": 1.5}, mode="reverse").gradient["x"]
        assert g == pytest.approx(expected, rel=1e-14)


def test_huge_powers_overflow_at_once():
    r = adcli.compile("2^2^2^2^2^2").evaluate()
    assert r.value == math.inf
    assert r.warnings and "overflow" in r.warnings[0].kind


# --- bad input -------------------------------------------------------------

def parse_error(src):
    with pytest.raises(ParseError) as info:
        parse(src)
    return info.value


def test_unknown_function_suggests_the_closest():
    err = parse_error("sni(x)")
    assert "unknown function `sni`" in err.message
    assert err.hint == "did you mean `sin`?"
    assert err.span == (0, 3)


def test_python_is_never_evaluated():
    err = parse_error('__import__("os").system("true")')
    assert err.exit_code == 2
    err = parse_error("__import__(x)")
    assert "unknown function `__import__`" in err.message


@pytest.mark.parametrize("src, words", [
    ("x +", "expected a number, a name"),
    ("(x + 1", "a `(` is never closed"),
    ("x + 1)", "no matching `(`"),
    ("2x", "`*` for a product"),
    ("x $ y", "unexpected character `$`"),
])
def test_syntax_errors_say_what_was_expected(src, words):
    err = parse_error(src)
    assert words in (err.message + " " + (err.hint or ""))
    assert err.span is not None


@pytest.mark.parametrize("src, words", [
    ("atan2(x)", "`atan2` takes 2 arguments, not 1"),
    ("log(x, 2, 3)", "`log` takes 1 or 2 arguments, not 3"),
    ("sin()", "`sin` takes 1 argument, not 0"),
])
def test_wrong_arity_names_the_function(src, words):
    assert words in parse_error(src).message


def test_a_program_without_output_is_an_error():
    err = parse_error("a = x*y")
    assert "no output" in err.message


def test_errors_in_a_multiline_program_point_at_the_line():
    from adcli.render.errors import format_error

    err = parse_error("a = x\nb = a * (2 +\nb")
    text = format_error(err)
    assert "line 2: b = a * (2 +" in text
    caret_line = text.splitlines()[2]
    assert caret_line.index("^") == text.splitlines()[1].index("+") + 1


def test_missing_variable_is_named():
    with pytest.raises(UsageError, match="no value for the variable `y`"):
        adcli.grad("x*y", x=1)


# --- points ------------------------------------------------------------------

def test_points_take_constant_expressions_in_order():
    point = parse_point("x=pi/4, y=-1e-3,z=sqrt(2),w=atan2(1,2),v=2^-1")
    assert list(point) == ["x", "y", "z", "w", "v"]
    assert point == {"x": math.pi / 4, "y": -1e-3, "z": math.sqrt(2),
                     "w": math.atan2(1, 2), "v": 0.5}


@pytest.mark.parametrize("text, words", [
    ("x=", "`x` has no value"),
    ("=3", "no variable name"),
    ("x=abc", "unknown name `abc`"),
    ("x=1,x=2", "`x` is given twice"),
    ("x=nan", "finite"),
    ("x=inf", "finite"),
    ("x", "not of the form name=value"),
    ("pi=3", "constant"),
])
def test_bad_points_say_which_part_is_wrong(text, words):
    with pytest.raises(Exception) as info:
        parse_point(text)
    assert words in info.value.message
    assert info.value.exit_code == 2


def test_points_from_a_file(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("x1=2\nx2=3\n")
    assert parse_point(f"@{f}") == {"x1": 2.0, "x2": 3.0}
