"""adcli graph: the DAG in every format, shared subexpressions drawn once,
values and tangents/adjoints from the sweeps."""

import json
import re
import shutil
import subprocess

import pytest

from .conftest import AT, WORKED, adcli_process

SHARED = "a = sin(x*y); a*a + a/x"
SEVERAL = "a = x*y; a + 1, a^2"
CASES = [WORKED, SHARED, SEVERAL]


def _dot_structure(text):
    assert text.startswith("digraph adcli {") and text.rstrip().endswith("}")
    nodes = set(re.findall(r"^\s+(\w+) \[label=", text, re.M))
    edges = re.findall(r"^\s+(\w+) -> (\w+)", text, re.M)
    for a, b in edges:
        assert a in nodes and b in nodes
    # every quoted string closes
    for line in text.splitlines():
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0
    return nodes, edges


@pytest.mark.parametrize("src", CASES)
def test_dot_is_valid_graphviz(run, src):
    res = run("graph", src, "--format", "dot")
    assert res.exit_code == 0, res.output
    _dot_structure(res.output)
    if shutil.which("dot"):
        proc = subprocess.run(["dot", "-Tsvg"], input=res.output, capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr


def test_shared_subexpression_is_one_node_with_several_edges(run):
    res = run("graph", SHARED, "--format", "dot")
    nodes, edges = _dot_structure(res.output)
    sin_nodes = re.findall(r'^\s+(\w+) \[label="ω. = sin', res.output, re.M)
    assert len(sin_nodes) == 1
    users = [b for a, b in edges if a == sin_nodes[0]]
    assert len(users) == 3  # a*a (twice) and a/x
    obj = json.loads(run("graph", SHARED, "--format", "json").output)
    assert len([n for n in obj["nodes"] if n["op"] == "sin"]) == 1


def test_worked_example_dot_with_adjoints(run):
    res = run("graph", WORKED, "--at", AT, "--mode", "reverse", "--format", "dot")
    assert res.exit_code == 0
    assert 'label="ω₁ x₁\\n= 2\\nω̄ 2.5838531634528574"' in res.output
    assert 'label="ω₄ = sin ω₁\\n= 0.9092974268256817\\nω̄ 1"' in res.output
    assert "peripheries=2" in res.output  # the output
    if shutil.which("dot"):
        proc = subprocess.run(["dot", "-Tsvg"], input=res.output, capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0 and "<svg" in proc.stdout


@pytest.mark.parametrize("src", CASES)
def test_mermaid_structure(run, src):
    res = run("graph", src, "--format", "mermaid")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0] == "flowchart BT"
    ids = {m.group(1) for ln in lines if (m := re.match(r"\s+(\w+)[\[\(\{]", ln))}
    for ln in lines:
        m = re.match(r"\s+(\w+) --> (\w+)$", ln)
        if m:
            assert m.group(1) in ids and m.group(2) in ids


def test_mermaid_worked_example_with_tangents(run):
    res = run("graph", WORKED, "--at", AT, "--mode", "forward", "--wrt", "x1",
              "--format", "mermaid")
    assert 'n4["ω₅ = ω₃ + ω₄<br/>= 6.909297426825682<br/>ω̇ 2.5838531634528574"]' in res.output


@pytest.mark.parametrize("src", CASES)
def test_trees_draw_shared_nodes_once(run, src):
    plain = run("graph", src, "--format", "plain")
    assert plain.exit_code == 0 and plain.output.isascii()
    tree = run("graph", src, "--format", "tree")
    assert tree.exit_code == 0 and "ω" in tree.output
    if src == SHARED:
        assert plain.output.count("w4 = sin(w3)") == 1
        assert plain.output.count("w4 (shown above)") == 2


def test_several_outputs_are_all_roots(run):
    res = run("graph", SEVERAL, "--format", "plain")
    assert "f1: w4 = w3 + 1" in res.output and "f2: w5 = w3^2" in res.output


def test_tree_with_values_and_vector_tangents(run):
    res = run("graph", SHARED, "--at", "x=2,y=3", "--mode", "forward", "--format", "plain")
    assert res.exit_code == 0
    assert "w1 x  [= 2; w_dot[x] 1; w_dot[y] 0]" in res.output


def test_mode_without_point_is_a_usage_error(run):
    assert run("graph", WORKED, "--mode", "reverse").exit_code == 2


# --wrt and --seed choose forward-mode tangents: where none are drawn they are
# refused (exit 2, the fix named), as trace refuses --seed with --wrt
@pytest.mark.parametrize("options, words, fix", [
    (["--wrt", "x1"], "--wrt chooses the tangents", "add --at and --mode forward"),
    (["--seed", "x1=1"], "--seed is the direction", "add --at and --mode forward"),
    (["--at", AT, "--wrt", "x1"], "--wrt chooses the tangents", "add --mode forward"),
    (["--at", AT, "--seed", "x1=1"], "--seed is the direction", "add --mode forward"),
    (["--at", AT, "--mode", "reverse", "--wrt", "x1"], "--wrt chooses", "add --mode forward"),
    (["--at", AT, "--mode", "reverse", "--seed", "x1=1"], "--seed is", "add --mode forward"),
    (["--at", AT, "--mode", "forward", "--seed", "x1=1", "--wrt", "x1"],
     "--seed and --wrt do not combine", "--wrt x1 is the seed x1=1"),
])
def test_tangent_options_that_would_be_ignored_are_usage_errors(run, options, words, fix):
    res = run("graph", WORKED, *options)
    assert res.exit_code == 2 and res.stdout == ""
    assert words in res.stderr and fix in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.splitlines()) <= 3  # one screen: what, and the fix


def test_seed_with_wrt_is_refused_by_graph_as_by_trace(run):
    both = ["--at", AT, "--mode", "forward", "--seed", "x1=1", "--wrt", "x1"]
    trace, graph = run("trace", WORKED, *both), run("graph", WORKED, *both)
    assert trace.exit_code == graph.exit_code == 2 and trace.stderr == graph.stderr


@pytest.mark.parametrize("mode", ["forward", "auto"])
def test_wrt_and_seed_draw_the_tangents_they_choose(run, mode):
    wrt = run("graph", WORKED, "--at", AT, "--mode", mode, "--wrt", "x2", "--format", "plain")
    seed = run("graph", WORKED, "--at", AT, "--mode", mode, "--seed", "x1=0,x2=1",
               "--format", "plain")
    assert wrt.exit_code == seed.exit_code == 0 and wrt.stdout == seed.stdout
    assert "w3 = w1*w2  [= 6; w_dot 2]" in wrt.stdout  # d(x1*x2)/dx2 = x1


def test_graph_as_a_process():
    proc = adcli_process("graph", WORKED, "--format", "dot")
    assert proc.returncode == 0 and proc.stdout.startswith("digraph")


def test_a_tree_is_the_tree_and_nothing_else(run):
    res = run("graph", WORKED, "--format", "tree")
    assert res.exit_code == 0
    lines = res.stdout.rstrip().splitlines()
    assert lines[1].endswith("f: ω₅ = ω₃ + ω₄") and lines[-1].endswith("ω₁ x₁")
    assert "{" not in res.stdout


def test_a_graph_too_deep_for_a_rich_tree_prints_as_a_plain_tree(run):
    src = " + ".join(f"{i}*x" for i in range(1, 201))  # a chain 200 sums deep
    res = run("graph", src, "--format", "tree")
    assert res.exit_code == 0
    assert "more than 64 levels deep" in res.stderr and "--format dot" in res.stderr
    assert res.stdout.startswith("graph of ") and res.stdout.isascii()
    assert "f: w400 = w398 + w399" in res.stdout
    assert res.stdout.count("- w1 x") + res.stdout.count("] w1 x") == 200
