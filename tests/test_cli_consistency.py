"""The same thing is called the same everywhere, help describes only what a
command has, and the documented shell completion works."""

import os
import subprocess
import sys

import pytest


def test_partial_of_first_order_is_labelled_as_grad_labels_it(run):
    partial = run("partial", "x^3*y", "--at", "x=1,y=2", "--wrt", "x")
    grad = run("grad", "x^3*y", "--at", "x=1,y=2", "--wrt", "x")
    assert "df/dx 6" in partial.stdout.splitlines()
    assert "df/dx 6" in grad.stdout.splitlines()
    csv = run("partial", "x^3*y", "--at", "x=1,y=2", "--wrt", "x", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "x,y,f,df/dx"
    second = run("partial", "x^3*y", "--at", "x=1,y=2", "--wrt", "x,y", "--format", "csv")
    assert second.stdout.splitlines()[0] == "x,y,f,d2f/dxdy"


@pytest.mark.parametrize("command", ["trace", "graph", "diff", "functions"])
def test_help_mentions_no_option_the_command_lacks(run, command):
    res = run(command, "--help")
    assert res.exit_code == 0
    if "--points" not in [o for p in _params(command) for o in p.opts]:
        assert "--points" not in res.stdout


def _params(command):
    import click

    from adcli.cli.main import cli

    return cli.get_command(click.Context(cli), command).params


def test_graph_with_several_points_labels_each(run):
    res = run("graph", "x*y", "--at", "x=1,y=2", "--at", "x=3,y=4", "--format", "plain")
    assert res.exit_code == 0
    assert res.stdout.startswith("graph of x*y at (1) x = 1, y = 2; (2) x = 3, y = 4")
    assert "[(1) = 2 | (2) = 12]" in res.stdout


@pytest.mark.parametrize("typed, expected", [("gr", {"grad", "graph"}),
                                             ("tra", {"trace"})])
def test_bash_completion_of_commands(typed, expected):
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    if not os.path.exists(exe):
        pytest.skip("needs the installed console script (completion names the program)")
    env = dict(os.environ, COMP_WORDS=f"adcli {typed}", COMP_CWORD="1",
               _ADCLI_COMPLETE="bash_complete")
    out = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60).stdout
    assert {line.split(",", 1)[1] for line in out.splitlines()} == expected


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_documented_completion_scripts_are_generated(shell):
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    if not os.path.exists(exe):
        pytest.skip("needs the installed console script")
    env = dict(os.environ, _ADCLI_COMPLETE=f"{shell}_source")
    out = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60).stdout
    assert "_adcli_completion" in out or "adcli" in out
    from tests.docs_pages import read

    assert f"_ADCLI_COMPLETE={shell}_source adcli" in read("docs/cli.md")


@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "taylor", "partial", "check",
                                     "trace", "graph", "functions", "diff", "plot", "sparsity",
                                     "codegen"])
def test_every_option_a_help_text_mentions_is_one_the_command_has(command):
    # `trace --help` described options trace does not have (issue 11)
    import re

    from click.testing import CliRunner

    from adcli.cli.main import cli

    out = CliRunner().invoke(cli, [command, "--help"], env={"COLUMNS": "200"}).output
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", out)) - {"--help"}
    has = {o for p in _params(command) for o in [*p.opts, *p.secondary_opts]}
    assert mentioned <= has, sorted(mentioned - has)
