"""adcli/graph/dag.py: the hash-consed DAG.  Equal subexpressions are one
node (evaluated and differentiated once), ids count the nodes in order of
creation, a node keeps the span where it first appeared, and ``postorder``
visits each reachable node once, arguments first, at any depth."""

import math

from adcli.graph.dag import CONST, VAR, Graph, postorder
from adcli.language.parser import parse


def test_equal_subexpressions_are_one_node():
    graph = Graph()
    x, y = graph.var("x"), graph.var("y")
    sin_x = graph.apply("sin", (x,))
    assert graph.apply("sin", (x,)) is sin_x
    assert graph.var("x") is x
    product = graph.apply("mul", (sin_x, y))
    assert graph.apply("mul", (graph.apply("sin", (graph.var("x"),)), y)) is product
    assert len(graph.nodes) == 4


def test_different_operations_or_argument_orders_are_different_nodes():
    graph = Graph()
    x, y = graph.var("x"), graph.var("y")
    assert graph.apply("mul", (x, y)) is not graph.apply("mul", (y, x))
    assert graph.apply("mul", (x, y)) is not graph.apply("mul", (x, x))
    assert graph.apply("sin", (x,)) is not graph.apply("cos", (x,))
    assert graph.apply("sub", (x, y)) is not graph.apply("div", (x, y))
    assert graph.var("x") is not graph.var("X")


def test_constants_are_shared_by_value_but_zero_keeps_its_sign():
    graph = Graph()
    assert graph.const(2) is graph.const(2.0)
    assert graph.const(2).value == 2.0 and type(graph.const(2).value) is float
    assert graph.const(0.0) is not graph.const(-0.0)  # 1/x differs at them
    assert math.copysign(1.0, graph.const(-0.0).value) == -1.0
    assert graph.const(math.nan) is graph.const(float("nan"))  # nan != nan, one node still
    assert graph.const(1.0) is not graph.var("1.0")


def test_ids_number_the_nodes_in_order_of_creation():
    graph = Graph()
    x = graph.var("x")
    two = graph.const(2.0)
    power = graph.apply("pow", (x, two))
    graph.apply("pow", (x, two))  # found, not made: no new id
    y = graph.var("y")
    assert [x.id, two.id, power.id, y.id] == [0, 1, 2, 3]
    assert graph.nodes == [x, two, power, y]
    assert all(node.id == i for i, node in enumerate(graph.nodes))


def test_a_node_keeps_the_span_where_it_first_appeared():
    graph = Graph()
    first = graph.apply("sin", (graph.var("x", (4, 5)),), (0, 6))
    again = graph.apply("sin", (graph.var("x", (13, 14)),), (9, 15))
    assert again is first and first.span == (0, 6)
    assert first.args[0].span == (4, 5)


def test_the_parser_builds_one_node_for_a_repeated_subexpression():
    source = "a = x*y; sin(x*y)*sin(x*y) + a"
    program = parse(source)
    ops = [node.op for node in program.graph.nodes]
    assert ops.count("mul") == 2  # x*y, and sin(x*y)*sin(x*y)
    assert ops.count("sin") == 1
    (sin,) = [node for node in program.graph.nodes if node.op == "sin"]
    start, end = sin.span
    assert source[start:end] == "sin(x*y)" and start == source.index("sin")
    product = next(n for n in program.graph.nodes if n.op == "mul" and n.args[0] is sin)
    assert product.args == (sin, sin)


def test_node_kinds_and_fields():
    graph = Graph()
    x, c = graph.var("x"), graph.const(1.5)
    assert (x.op, x.name, x.is_var, x.is_const, x.args) == (VAR, "x", True, False, ())
    assert (c.op, c.value, c.is_const, c.is_var) == (CONST, 1.5, True, False)
    s = graph.apply("sin", (x,), (0, 6))
    assert (s.args, s.value, s.name, s.is_var, s.is_const) == ((x,), None, None, False, False)
    assert [repr(n) for n in (x, c, s)] == ["Node(var x)", "Node(const 1.5)",
                                            "Node(sin #2 of [0])"]


def test_postorder_visits_arguments_first_left_to_right_and_each_node_once():
    graph = Graph()
    x, y = graph.var("x"), graph.var("y")
    s = graph.apply("sin", (y,))
    m = graph.apply("mul", (s, x))
    top = graph.apply("add", (m, s))
    order = postorder([top, m, s])
    assert order == [y, s, x, m, top]
    assert postorder([x, top]) == [x, y, s, m, top]
    # a root already visited (s, under top) is not visited again; two
    # unrelated roots each bring their own nodes
    z = graph.var("z")
    assert postorder([s, z]) == [y, s, z]


def test_postorder_survives_ten_thousand_levels_of_nesting():
    graph = Graph()
    node = x = graph.var("x")
    for _ in range(20_000):
        node = graph.apply("sin", (node,))
    order = postorder([node])
    assert len(order) == 20_001 and order[0] is x and order[-1] is node
