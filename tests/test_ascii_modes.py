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
