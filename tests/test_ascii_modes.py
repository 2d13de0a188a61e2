"""--ascii means no Unicode at all, in every format (issue 11: the Markdown
trace's title had an em dash, and --limit's gap an ellipsis)."""

import pytest
from click.testing import CliRunner

from adcli.cli.main import cli

PROGRAM = "a = sin(x*y); a*a + a/x + sqrt(y) + exp(x)*cos(y)"


@pytest.mark.parametrize("fmt", ["text", "plain", "markdown", "latex", "json", "csv"])
@pytest.mark.parametrize("extra", [[], ["--limit", "3"], ["--mode", "forward"]])
def test_trace_ascii_is_ascii_in_every_format(fmt, extra):
    res = CliRunner().invoke(cli, ["trace", PROGRAM, "--at", "x=2,y=3", "--ascii",
                                   "--format", fmt, *extra])
    assert res.exit_code == 0, res.output
    assert res.output.isascii(), [ch for ch in res.output if not ch.isascii()]


# The plain format (a pipe's default) is ASCII too (design.md): `functions`
# printed its domains with ≠ ≤ ≥ and kinks with ±, `check` its reason with ω2.
PLAIN = [
    ("functions",),
    ("eval", "log(x)", "--at", "x=1", "--at", "x=-1"),
    ("grad", "sqrt(x)*y", "--at", "x=0,y=2", "--at", "x=-1,y=1"),
    ("hessian", "abs(x)*y", "--at", "x=0,y=2"),
    ("taylor", "exp(x)", "--at", "x=1", "--order", "3"),
    ("partial", "x^2*y", "--at", "x=2,y=3", "--wrt", "x,x,y"),
    ("check", "abs(x)", "--at", "x=0"),
    ("check", "log(x)", "--at", "x=1", "--at", "x=-1"),
    ("check", "sin(x)", "--at", "x=1", "--sweep"),
    ("trace", PROGRAM, "--at", "x=2,y=3", "--mode", "reverse"),
    ("graph", PROGRAM, "--at", "x=2,y=3", "--mode", "reverse"),
    ("diff", PROGRAM, "--wrt", "x"),
    ("sparsity", PROGRAM),
]


@pytest.mark.parametrize("args", PLAIN, ids=lambda a: " ".join(a)[:30])
def test_plain_is_ascii_for_every_command(args):
    res = CliRunner().invoke(cli, [*args, "--format", "plain"])
    assert res.exit_code in (0, 1), res.output
    assert res.stdout.strip() and res.stdout.isascii(), \
        [ch for ch in res.stdout if not ch.isascii()]
