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
        assert "one line per number" in flat and "--format plain" in flat
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
