"""Whatever a person types gets an answer, never a traceback."""

from hypothesis import given, settings
from hypothesis import strategies as st

from adcli.errors import AdcliError
from adcli.language.parser import parse
from adcli.language.point import parse_point

ALPHABET = "xyz0123456789.eE+-*/^(),;=#\n abs sin log pi_θ$\"'[]"
text = st.text(alphabet=ALPHABET, max_size=40)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text)
def test_any_formula_parses_or_says_why(source):
    try:
        parse(source)
    except AdcliError as exc:
        assert exc.exit_code == 2
        assert exc.message
        if exc.span is not None:
            assert 0 <= exc.span[0] <= exc.span[1] <= len(exc.source)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text)
def test_any_point_parses_or_says_why(source):
    try:
        point = parse_point(source)
    except AdcliError as exc:
        assert exc.exit_code == 2 and exc.message
    else:
        assert point and all(isinstance(v, float) for v in point.values())


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text, st.floats(-3, 3))
def test_any_formula_through_the_cli_exits_0_1_or_2(source, x):
    from click.testing import CliRunner

    from adcli.cli.main import _expr_after_dashes, cli

    args = _expr_after_dashes(["grad", "--", source, "--at", f"x={x!r},y=1.5,z=-0.5",
                               "--format", "json"])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.stderr
    if result.exit_code:
        assert result.stderr.startswith(("adcli: error:", "Usage:"))
