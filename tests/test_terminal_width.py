"""Terminals a student can read: at 60, 80 and 120 columns no number is cut
("0.0023999…"), no rule is wrapped a letter wide, and a table that does not
fit says how to get the wide one.  Rich reads the width from COLUMNS."""

import re

import pytest

TRACE = "a = sin(x*y); a*a + a/x, exp(a)*y"
WIDTHS = [60, 80, 120]


def _text(run, width, *args):
    from click.testing import CliRunner

    from adcli.cli.main import cli

    res = CliRunner().invoke(cli, [*args, "--format", "text"], env={"COLUMNS": str(width)})
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert all(len(line.rstrip()) <= width for line in lines), res.stdout
    return res.stdout


def _numbers_whole(text, numbers):
    flat = re.sub(r"\s+", " ", text)
    for n in numbers:
        assert n in flat, (n, text)
    assert "…" not in text.replace("… ", "")  # no number cut with an ellipsis


@pytest.mark.parametrize("width", WIDTHS)
def test_grad_of_four_variables_keeps_every_digit(run, width):
    out = _text(run, width, "grad", "sin(a*b*c*d)", "--at", "a=0.1,b=0.2,c=0.3,d=0.4")
    _numbers_whole(out, ["0.0023999976960006643", "0.023999930880033177",
                         "0.005999982720008295"])
    if width < 120:
        flat = re.sub(r"\s+", " ", out)
        assert "one line per number" in flat and "--format csv" in flat
        # --format plain is label/value lines too: it shows no table (it said so)
        assert "a terminal 121 columns wide shows the table" in flat
        assert "plain" not in flat
        assert "∂f/∂d" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_a_6x6_hessian_keeps_every_digit(run, width):
    out = _text(run, width, "hessian", "a*b*c*d*g*h",
                "--at", "a=0.1,b=0.2,c=0.3,d=0.4,g=0.5,h=0.6")
    _numbers_whole(out, ["0.0007200000000000002", "0.0030000000000000005"])
    if width < 120:
        assert "∂²f/∂c∂d" in out


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("width", WIDTHS)
def test_trace_that_does_not_fit_becomes_one_block_per_step(run, width, mode):
    out = _text(run, width, "trace", TRACE, "--at", "x=2,y=3", "--mode", mode)
    rule = "ω̄₅·ω₄ + ω̄₅·ω₄ + ω̄₆/ω₁ + ω̄₈·exp ω₄" if mode == "reverse" else "ω̇₁·ω₂ + ω₁·ω̇₂"
    flat = re.sub(r"\s+", " ", out)
    assert rule in flat  # the rule whole, not a letter per line
    assert "ω₄ = sin ω₃" in flat or "sin ω₃" in flat  # the definition column is there
    assert "-0.27941549819892586" in flat
    if "one block per ω step" in flat:
        assert "--format plain" in flat
    words = [w for w in out.split() if not set(w) <= set("─━-+|")]
    assert max(len(w) for w in words) < 60
    assert not any(len(line.strip()) == 1 for line in out.splitlines())


@pytest.mark.parametrize("width", WIDTHS)
def test_ascii_trace_has_no_unicode(run, width):
    out = _text(run, width, "trace", TRACE, "--at", "x=2,y=3", "--ascii")
    assert out.isascii(), [c for c in out if not c.isascii()][:5]


def test_plain_trace_is_ascii_in_both_modes(run):
    for mode in ("forward", "reverse"):
        res = run("trace", TRACE, "--at", "x=2,y=3", "--mode", mode, "--format", "plain")
        assert res.stdout.isascii()


# --- every command's terminal view at 40 and 80 columns (issue 11) ---------------------

WORKED = ("x1*x2+sin(x1)", "--at", "x1=2,x2=3")
TITLE = "x1*x2+sin(x1) at x1 = 2, x2 = 3"
EVERY_VIEW = [  # (arguments, numbers that must appear whole)
    (("eval", *WORKED), ["6.909297426825682"]),
    (("grad", *WORKED), ["2.5838531634528574"]),
    (("grad", *WORKED, "--dir", "x1=1,x2=0"), ["2.5838531634528574"]),
    (("grad", *WORKED, "--cotangent", "1"), ["2.5838531634528574"]),
    (("hessian", *WORKED), ["-0.9092974268256817"]),
    (("hessian", "x*y*z+sin(x)*exp(y*z)", "--at", "x=1,y=2,z=3"),
     ["3055.2626174417396", "1021.4208724805799"]),
    (("taylor", "exp(x)", "--at", "x=1", "--order", "4"), ["0.45304697140984085"]),
    (("partial", "x^2*y^3", "--at", "x=2,y=3", "--wrt", "x,x,y"), ["54"]),
    (("check", *WORKED), ["2.5838531634528574", "2.5838531634436976"]),
    (("check", *WORKED, "--at", "x1=1,x2=1"), ["3.55e-12", "9.17e-12"]),
    (("check", "sin(x)", "--at", "x=1", "--sweep"), ["8.81e-17", "0.000779"]),
    (("trace", *WORKED), ["2.5838531634528574"]),
    (("graph", *WORKED), ["6.909297426825682"]),
    (("sparsity", "x*y + y*z + sin(z)"), []),
    (("grad", "x*y+y*z", "--at", "x=1,y=2,z=3", "--sparse"), []),
    (("functions",), []),
]


def _screen(width, *args):
    from click.testing import CliRunner

    from adcli.cli.main import cli

    res = CliRunner().invoke(cli, [*args, "--format", "text"], env={"COLUMNS": str(width)})
    assert res.exit_code in (0, 1) and "Traceback" not in res.output, res.output
    return res.stdout


@pytest.mark.parametrize("width", [40, 80])
@pytest.mark.parametrize("args, numbers", EVERY_VIEW, ids=lambda a: " ".join(a)[:40])
def test_every_view_fits_the_terminal_and_keeps_every_number(width, args, numbers):
    out = _screen(width, *args)
    too_wide = [line for line in out.splitlines() if len(line.rstrip()) > width]
    assert not too_wide, out  # a terminal would cut these lines anywhere, words too
    _numbers_whole(out, numbers)


ONE_POINT = [a for a, _ in EVERY_VIEW if a[1:4] == WORKED and a.count("--at") == 1]


@pytest.mark.parametrize("args", ONE_POINT, ids=lambda a: " ".join(a)[:40])
def test_a_title_is_one_line_on_an_80_column_terminal(args):
    # It was a Rich table title, wrapped at the table's width however wide the
    # terminal: "x1*x2+sin(x1) at x1 = 2," / "x2 = 3" above eval's table.
    out = _screen(80, *args)
    assert any(line.startswith(TITLE) for line in out.splitlines()), out


def test_functions_on_a_narrow_terminal_is_a_block_per_function_with_words_whole():
    out = _screen(40, "functions")
    assert "\nsqrt(x)  arity 1\n  domain: x ≥ 0\n  ∂/∂x = 1/(2·sqrt x)" in out or \
        "sqrt(x)  arity 1" in out, out[:2000]
    for word in ("derivatives", "numbers", "1/(2·abs(sqrt"):
        assert not re.search(r"\b" + re.escape(word[:5]) + r"\s*[│┃]", out)  # not cut at a border


def test_the_sweep_chart_says_how_wide_it_is_rather_than_wrap():
    out = _screen(40, "check", "sin(x)", "--at", "x=1", "--sweep")
    flat = re.sub(r"\s+", " ", out)
    assert "the chart of the errors needs 65 columns" in flat
    assert "log10 h" not in out
    assert "log10 h" in _screen(80, "check", "sin(x)", "--at", "x=1", "--sweep")
