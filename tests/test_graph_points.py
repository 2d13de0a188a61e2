"""``adcli graph`` with several ``--at`` points draws the one DAG with a
value label per point on every node (issue 11: it drew only the first)."""

import json

from .conftest import adcli_process

SHARED = "a = sin(x*y); a*a + a/x"
TWO = ("--at", "x=2,y=3", "--at", "x=1,y=1")


def test_every_node_carries_one_label_per_point_in_the_tree(run):
    res = run("graph", SHARED, *TWO, "--format", "plain")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"graph of {SHARED} at (1) x = 2, y = 3; (2) x = 1, y = 1"
    assert "w3 = w1*w2  [(1) = 6 | (2) = 1]" in res.stdout
    assert "w1 x  [(1) = 2 | (2) = 1]" in res.stdout
    assert res.stdout.isascii()


def test_each_label_is_that_points_own_numbers(run):
    both = run("graph", SHARED, *TWO, "--mode", "reverse", "--format", "plain").stdout
    for k, at in ((1, "x=2,y=3"), (2, "x=1,y=1")):
        alone = run("graph", SHARED, "--at", at, "--mode", "reverse", "--format", "plain")
        root = alone.stdout.splitlines()[1]  # f: w7 = w5 + w6  [= …; w_bar 1]
        label = root.split("[", 1)[1].rstrip("]")
        assert f"({k}) {label}" in both


def test_dot_and_mermaid_put_one_line_per_point_in_each_node(run):
    dot = run("graph", "x*y", *TWO, "--format", "dot").stdout
    assert 'label="ω₃ = ω₁·ω₂\\n(1) = 6\\n(2) = 1"' in dot
    assert 'label="x*y at (1) x = 2, y = 3; (2) x = 1, y = 1"' in dot
    mermaid = run("graph", "x*y", *TWO, "--format", "mermaid").stdout
    assert 'n2["ω₃ = ω₁·ω₂<br/>(1) = 6<br/>(2) = 1"]' in mermaid


def test_json_is_an_array_of_one_graph_per_point(run):
    objs = json.loads(run("graph", "x*y", *TWO, "--format", "json").stdout)
    assert [o["point"] for o in objs] == [{"x": 2.0, "y": 3.0}, {"x": 1.0, "y": 1.0}]
    assert [o["nodes"][2]["value"] for o in objs] == [6.0, 1.0]
    one = json.loads(run("graph", "x*y", "--at", "x=2,y=3", "--format", "json").stdout)
    assert one["nodes"][2]["value"] == 6.0


def test_a_failed_point_is_reported_and_the_others_drawn(run):
    res = run("graph", "log(x)", "--at", "x=1", "--at", "x=-1", "--at", "x=2",
              "--format", "plain")
    assert res.exit_code == 1
    assert "point 2 of 3 (--at x=-1): log(-1)" in res.stderr
    assert "[(1) = 0 | (3) = 0.6931471805599453]" in res.stdout
    objs = json.loads(run("graph", "log(x)", "--at", "x=1", "--at", "x=-1",
                          "--format", "json").stdout)
    assert "error" in objs[1] and objs[1]["at"] == "x=-1"


def test_points_with_different_variables_are_refused(run):
    res = run("graph", "x*y", "--at", "x=1,y=2", "--at", "x=1,y=2,z=3")
    assert res.exit_code == 2 and "every --at must give the same" in res.stderr


def test_as_a_process():
    res = adcli_process("graph", "x*y", *TWO, "--format", "plain")
    assert res.returncode == 0 and "[(1) = 6 | (2) = 1]" in res.stdout
