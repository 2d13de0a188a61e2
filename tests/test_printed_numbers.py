"""Precise results of the Python API print with the digits asked for (issue 11).

A ``digits=N`` result's numbers print (str and repr) the N significant digits
``--digits N`` prints, and an ``exact=True`` result's numbers print as
``--exact`` prints them, while staying numbers (arithmetic, float(),
comparisons, mpmath, pickle) and keeping the one-output / several-outputs
shape rule of docs/api.md.
"""

import pickle
import subprocess
import sys
from fractions import Fraction

import mpmath
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

WORKED = "x1*x2+sin(x1)"


def cli_numbers(*args):
    """The numbers of a plain CLI output (`name number` lines), as text."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return [line.split()[-1] for line in result.output.splitlines()]


def significant_digits(text):
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def test_digits_30_prints_what_the_cli_prints_for_digits_30():
    r = adcli.Function(WORKED).gradient({"x1": 2, "x2": 3}, digits=30)
    shown = [str(r.value), str(r.gradient["x1"]), str(r.gradient["x2"])]
    assert shown == cli_numbers("grad", WORKED, "--at", "x1=2,x2=3", "--digits", "30")
    assert shown[0] == "6.90929742682568169539601986591"  # not mpmath's 15 digits
    assert repr(r.gradient) == "{'x1': 2.58385316345285761300243177050, 'x2': 2}"  # no mpf('…')
    assert repr(r.value) == str(r.value) and significant_digits(str(r.value)) == 30


def test_every_precise_result_prints_every_number_with_its_digits():
    point = {"x": "1/3", "y": 2}
    h = adcli.hessian("x^3*y", point, digits=30)
    assert [str(h.value), *map(str, h.gradient.values()),
            *(str(v) for row in h.hessian.values() for v in row.values())] == \
        cli_numbers("hessian", "x^3*y", "--at", "x=1/3,y=2", "--digits", "30")
    t = adcli.taylor("exp(x)", {"x": 1}, order=3, digits=20)
    assert list(map(str, t.coefficients + t.derivatives)) == \
        cli_numbers("taylor", "exp(x)", "--at", "x=1", "--order", "3", "--digits", "20")
    p = adcli.partial("x^2*y, x*y", point, wrt="x", digits=20)
    assert list(map(str, p.values + p.partial)) == \
        cli_numbers("partial", "x^2*y, x*y", "--at", "x=1/3,y=2", "--wrt", "x", "--digits", "20")
    j = adcli.jvp("x*y, x/y", point, direction={"x": 1}, digits=25)
    v = adcli.vjp("x*y, x/y", point, cotangent=[1, 1], digits=25)
    for number in [*j.values, *j.derivatives, *v.gradient.values(), *v.cotangent.values(),
                   *j.point.values()]:
        assert isinstance(number, mpmath.mpf) and repr(number) == str(number)
    assert str(j.derivatives[1]) == "0.5" and str(v.gradient["x"]) == "2.5"
    assert str(v.gradient["y"]) == "0.25"  # a short decimal: no trailing zeros, as the CLI
    assert significant_digits(str(j.values[0])) == 25  # 2/3 to 25 digits
    assert "mpf(" not in repr(h) + repr(t) + repr(p) + repr(j) + repr(v)


def test_exact_results_print_as_the_cli_prints_them():
    r = adcli.grad("x*y, x/y", {"x": "1/3", "y": 2}, exact=True)
    shown = [*map(str, r.values), *(str(d) for row in r.jacobian for d in row.values())]
    assert shown == cli_numbers("grad", "x*y, x/y", "--at", "x=1/3,y=2", "--exact")
    assert repr(r.jacobian) == "[{'x': 2, 'y': 1/3}, {'x': 1/2, 'y': -1/12}]"
    assert repr(r.value) == "[2/3, 1/6]"
    third = r.point["x"]
    assert isinstance(third, Fraction) and third == Fraction(1, 3) and third * 3 == 1


def test_precise_numbers_are_still_numbers():
    r = adcli.grad(WORKED, {"x1": 2, "x2": 3}, digits=30)
    value = r.value
    assert isinstance(value, mpmath.mpf)
    assert float(value) == 6.909297426825682 and 6.9 < value < 7 and value == r.values[0]
    assert float(value + 1) == float(value) + 1 and float(2 * value) == 2 * float(value)
    assert abs(float(mpmath.sin(value)) - 0.5859987989449388) < 1e-15
    # all the working precision is there: mpmath at 40 digits sees beyond 30
    with mpmath.workdps(40):
        assert mpmath.nstr(value + 0, 35) == "6.9092974268256816953960198659117448"
    again = pickle.loads(pickle.dumps(r.gradient))
    assert again == r.gradient and str(again["x1"]) == str(r.gradient["x1"])
    assert again["x1"].digits == 30
    # a result's number goes back in as a point value, in every number system
    back = adcli.grad("x*y", {"x": value, "y": 2}, digits=30)
    assert str(back.gradient["y"]) == str(value)
    assert adcli.grad("x*y", {"x": value, "y": 2}).gradient["y"] == float(value)
    exact = adcli.grad("x*y", {"x": value, "y": 1}, exact=True).value  # its binary value
    man, exp = value.man_exp
    assert exact == man * Fraction(2) ** exp and exact != Fraction(float(value))


def test_the_shape_rule_holds_in_every_number_system():
    """One output: .value is the number; several: the list (docs/api.md)."""
    for options in ({}, {"digits": 20}, {"exact": True}):
        one = adcli.grad("x*y", {"x": 2, "y": 3}, **options)
        several = adcli.grad("x*y, x+y", {"x": 2, "y": 3}, **options)
        assert not isinstance(one.value, list) and one.values == [one.value]
        assert isinstance(several.value, list) and several.value == several.values
        assert str(several.value) == ("[6, 5]" if options else "[6.0, 5.0]")
        assert str(one.gradient) == ("{'x': 3, 'y': 2}" if options else "{'x': 3.0, 'y': 2.0}")
        h = adcli.hessian("x*y, x+y", {"x": 2, "y": 3}, output=1, **options)
        assert h.values == [h.value] and float(h.value) == 5
        call = adcli.compile("x*y, x+y").evaluate({"x": 2, "y": 3}, **options)
        assert [float(v) for v in call.value] == [6.0, 5.0]


def test_print_in_a_real_python_process():
    code = ("import adcli\n"
            "r = adcli.Function('x1*x2+sin(x1)').gradient({'x1': 2, 'x2': 3}, digits=30)\n"
            "print(r.value)\nprint(r.gradient)\n"
            "print(adcli.grad('x^3/3 + x*y', {'x': '1/3', 'y': 2}, exact=True).gradient)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out == ("6.90929742682568169539601986591\n"
                   "{'x1': 2.58385316345285761300243177050, 'x2': 2}\n"
                   "{'x': 19/9, 'y': 1/3}\n")


def test_a_precise_trace_prints_its_digits():
    t = adcli.compile("x*y").trace({"x": "1/3", "y": 2}, digits=20)
    assert [(row.omega, repr(row.value), repr(row.values)) for row in t.rows] == [
        (3, "0.66666666666666666667", "[1]"), (2, "2", "[0.33333333333333333333]"),
        (1, "0.33333333333333333333", "[2]")]
    exact = adcli.compile("x*y").trace({"x": "1/3", "y": 2}, exact=True)
    assert repr(exact.derivatives) == "[('f', 'x', 2), ('f', 'y', 1/3)]"


# float64's -0.0 (sqrt(-0) is -0) is the number 0: printed "-0" it looked like
# a wrong sign, and --digits/--exact, which have no signed zero, print 0 (the
# sign of a zero is the same in every number system; docs/numerics.md)
NEGATIVE_ZEROS = [("eval", "-x"), ("grad", "sqrt(-x)"), ("taylor", "-x*x"),
                  ("hessian", "-x*x")]


def test_a_zero_prints_as_0_in_every_format_and_number_system():
    import json

    for command, formula in NEGATIVE_ZEROS:
        systems = [[], ["--digits", "12"]] + ([["--exact"]] if "sqrt" not in formula else [])
        for system in systems:
            for fmt in ["plain", "csv", "tsv", "json", "jsonl", "text"]:
                res = CliRunner().invoke(cli, [command, "--at", "x=0", "--format", fmt,
                                               *system, "--", formula])
                assert res.exit_code == 0, res.output
                cells = res.stdout.replace(",", " ").replace("\t", " ").split()
                assert "-0" not in cells and "-0.0" not in res.stdout, (command, fmt, system)
                assert "sqrt(-0)" not in res.stderr
                if fmt == "json":
                    value = json.loads(res.stdout)["value"]
                    assert str(value) in ("0", "0.0"), (command, system, value)


def test_the_api_prints_float64s_zero_as_0_and_keeps_the_float():
    res = adcli.grad("sqrt(-x)", {"x": 0})
    assert res.value == 0 and res.format(res.value) == "0"  # the float is IEEE's -0.0
    assert res.warnings[0].message.startswith("sqrt(0) at ω3")
    assert adcli.grad("sqrt(-x)", {"x": 0}, digits=12).format(res.value) == "0"
