"""The size of what adcli prints grows with the formula, never with its
square: a 100,000-term sum made the plain graph 6.7 GB (each line indented
by its depth) and the plain trace 12 GB (every row padded to the widest
adjoint rule).  Sizes, not times: deterministic, and what caused both."""

import pytest


def _sum(n):
    return "+".join(f"x{i}" for i in range(1, n + 1))


def _fan(n):
    return "+".join(f"sin({k}*x)" for k in range(1, n + 1))


def _size(run, *args):
    res = run(*args)
    assert res.exit_code == 0, res.output
    return len(res.stdout)


@pytest.mark.parametrize("fmt", ["plain", "dot", "mermaid", "json"])
def test_graph_of_a_long_sum_grows_linearly(run, fmt):
    small = _size(run, "graph", _sum(1000), "--format", fmt)
    large = _size(run, "graph", _sum(4000), "--format", fmt)
    assert large < 4.6 * small  # 16× if the text grew as n²


def test_deep_plain_tree_says_the_depth_instead_of_indenting_past_a_limit(run):
    res = run("graph", _sum(100), "--format", "plain")
    lines = res.stdout.splitlines()
    assert max(len(line) - len(line.lstrip()) for line in lines) <= 64
    assert any("-[depth 99] " in line for line in lines)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_trace_with_one_long_rule_grows_linearly(run, mode):
    small = _size(run, "trace", _fan(300), "--at", "x=0.5", "--mode", mode, "--format", "plain")
    large = _size(run, "trace", _fan(1200), "--at", "x=0.5", "--mode", mode,
                  "--format", "plain")
    assert large < 4.6 * small


def test_a_hint_about_many_variables_stays_one_screen():
    from click.testing import CliRunner

    from adcli.cli.main import cli

    formula = " + ".join(f"x{i}*x{i}" for i in range(5000))
    for args in (["grad", formula], ["graph", formula, "--mode", "forward"],
                 ["taylor", formula, "--at", ",".join(f"x{i}=1" for i in range(5000))]):
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2, res.output
        assert len(res.output) < 400, res.output[:400]
        assert "5,000" in res.output and "@FILE" in res.output
