"""The number systems at the edges where they used to disagree (issue #11,
tests/golden/number_disagreements.txt): an internal error, a nan where the
answer is a number, a missing warning."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from adcli.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("formula, d2", [("x^2*y", "2"), ("x^3*y", "0"), ("x^1*y", "0"),
                                         ("x^0*y", "0")])
def test_exact_hessian_of_a_power_at_zero_is_a_number_not_an_internal_error(formula, d2):
    # before: ZeroDivisionError "0 to a negative power", exit 70: the rule's
    # 0·x^(e-1) had no ±inf for an exact zero to win over
    result = _run("hessian", formula, "--at", "x=0,y=1", "--exact")
    assert result.exit_code == 0, result.output
    assert f"d2f/dxdx {d2}\n" in result.output
    floats = _run("hessian", formula, "--at", "x=0,y=1")
    assert result.stdout.splitlines()[:4] == floats.stdout.splitlines()[:4]


def test_an_exact_second_partial_with_no_value_is_a_domain_error():
    # x^y at (0, 0): exit 1 or 2 with a message, never exit 70
    result = _run("hessian", "x^y", "--at", "x=0,y=0", "--exact")
    assert result.exit_code in (1, 2), result.output
    assert "internal error" not in result.output
