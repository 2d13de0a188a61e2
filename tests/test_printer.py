"""The expression printer behind the trace's rules: parentheses from
precedence, ASCII output that parses back to the same function, no
recursion limit."""

import math

import pytest

import adcli
from adcli.language.parser import parse
from adcli.language.printer import omega, subscript_name, to_string

FORMULAS = [
    ("-x^2", "-x^2"),
    ("(-x)^2", "(-x)^2"),
    ("2^3^x", "2^3^x"),
    ("(2^3)^x", "(2^3)^x"),
    ("2^-x", "2^(-x)"),
    ("(x+y)*z", "(x + y)*z"),
    ("x-(y-z)", "x - (y - z)"),
    ("x-(y+z)", "x - (y + z)"),
    ("x+(y-z)", "x + y - z"),
    ("x/(y*z)", "x/(y*z)"),
    ("x*(y/z)", "x*y/z"),
    ("x/(y/z)", "x/(y/z)"),
    ("x*-y", "x*(-y)"),
    ("-(x+y)", "-(x + y)"),
    ("-(x*y)", "-x*y"),
    ("sin(x)^2", "sin(x)^2"),
    ("sin(x+y)*cos(x)", "sin(x + y)*cos(x)"),
    ("atan2(x, y+1)", "atan2(x, y + 1)"),
    ("log(x, 2)", "log(x, 2)"),
]


@pytest.mark.parametrize("src,want", FORMULAS)
def test_ascii_parentheses_and_round_trip(src, want):
    node = parse(src).outputs[0]
    text = to_string(node, "ascii")
    assert text == want
    point = {"x": 0.7, "y": 1.3, "z": 2.1}
    inputs = [v for v in ("x", "y", "z") if v in adcli.compile(src).inputs]
    p = {k: point[k] for k in inputs}
    assert adcli.evaluate(text, p) == pytest.approx(adcli.evaluate(src, p), rel=1e-15)


def test_unicode_and_latex_notation():
    node = parse("x1*x2 + sin(x1)").outputs[0]
    assert to_string(node, "text") == "x₁·x₂ + sin x₁"
    assert to_string(node, "latex") == "x_{1} \\cdot x_{2} + \\sin x_{1}"
    assert to_string(parse("sqrt(x+1)/y^2").outputs[0], "latex") == \
        "\\frac{\\sqrt{x + 1}}{y^{2}}"
    assert to_string(parse("sin(x+1)").outputs[0], "latex") == "\\sin \\left(x + 1\\right)"
    assert omega(3, "text", "dot") == "ω̇₃" and omega(12, "text", "bar") == "ω̄₁₂"
    assert omega(3, "ascii", "bar") == "w3_bar"
    assert omega(3, "latex", "dot") == "\\dot{\\omega}_{3}"
    assert subscript_name("rate_2", "text") == "rate_2"
    assert to_string(parse("2*pi*x").outputs[0], "text") == "2·π·x"


def test_deep_expressions_print_without_recursion():
    depth = 20000
    src = "(" * depth + "x" + "+1)" * depth
    node = parse(src).outputs[0]
    text = to_string(node, "ascii")
    assert text.startswith("x + 1 + 1") and text.count("+ 1") == depth
    nested = "sin(" * 3000 + "x" + ")" * 3000
    assert to_string(parse(nested).outputs[0], "ascii").count("sin(") == 3000
    assert math.isfinite(adcli.evaluate(to_string(parse(nested).outputs[0], "ascii"), {"x": 1}))


def test_long_sums_and_their_parentheses_print_exactly():
    # Long texts are joined once at the end (a rope): the result must be
    # the same text, parentheses and signs included, as for short ones.
    terms = [f"x{i}*y" for i in range(3000)]
    src = "-(" + " - ".join(terms) + ") - (" + " + ".join(terms) + ")"
    text = to_string(parse(src).outputs[0], "ascii")
    assert text == "-(" + " - ".join(terms) + ") - (" + " + ".join(terms) + ")"
    assert to_string(parse("sin(" + " + ".join(terms) + ")").outputs[0], "ascii") == \
        "sin(" + " + ".join(terms) + ")"
    neg = to_string(parse("x - (" + " + ".join(["-y"] * 1500) + ")").outputs[0], "ascii")
    assert neg == "x - (-y + " + " + ".join(["(-y)"] * 1499) + ")"


def test_an_input_used_many_times_has_its_whole_adjoint_rule():
    n = 3000
    t = adcli.compile("+".join(f"{i + 2}*x" for i in range(n))).trace({"x": 1.0},
                                                                   mode="reverse")
    from adcli.render.trace_view import rule_text

    x_row = next(r for r in t.rows if r.omega == 1)
    rule = rule_text(t, x_row, "ascii")
    assert rule.count("_bar") == n
    assert rule.startswith("w2_bar*2 + w3_bar*3 + ") and rule.endswith(f" + w5999_bar*{n + 1}")
