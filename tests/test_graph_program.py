"""adcli/graph/program.py: a parsed program — its source, its DAG, its
outputs in the order written, their names, and its free variables (the
inputs) in order of first appearance with the span of that appearance."""

import pytest

from adcli.graph.dag import Graph
from adcli.graph.program import Program
from adcli.graph.tape import Tape
from adcli.language.parser import parse


def test_a_program_holds_what_it_was_given():
    graph = Graph()
    x = graph.var("x", (0, 1))
    out = graph.apply("sin", (x,), (0, 6))
    program = Program("sin(x)", graph, [out], ["f"], ["x"], {"x": (0, 1)})
    assert (program.source, program.graph, program.outputs) == ("sin(x)", graph, [out])
    assert (program.output_names, program.free, program.free_spans) == (["f"], ["x"],
                                                                          {"x": (0, 1)})
    assert repr(program) == "Program('sin(x)': 1 outputs, inputs ['x'])"
    with pytest.raises(AttributeError):
        program.inputs = ["x"]  # __slots__: nothing attached from outside


def test_outputs_are_the_bare_expressions_in_order():
    program = parse("a = x*y; b = x + y; b, a, x")
    assert [node.op for node in program.outputs] == ["add", "mul", "var"]
    assert program.output_names == ["b", "a", "f3"]
    assert all(node in program.graph.nodes for node in program.outputs)


@pytest.mark.parametrize("source, names", [
    ("x^2", ["f"]),
    ("x^2, y", ["f1", "f2"]),
    ("w = x*y\nw", ["w"]),
    ("u = x; u, x*2", ["u", "f2"]),
    ("q = x; q, q", ["f1", "f2"]),  # one name twice: numbered instead
])
def test_output_names(source, names):
    assert parse(source).output_names == names


def test_free_variables_in_order_of_first_appearance_with_their_spans():
    source = "b*a + a + sin(c)"
    program = parse(source)
    assert program.free == ["b", "a", "c"]
    assert {name: source[s:e] for name, (s, e) in program.free_spans.items()} == {
        "b": "b", "a": "a", "c": "c"}
    assert program.free_spans["a"] == (2, 3)  # the first a, not the second


def test_assigned_names_are_not_inputs_and_a_reassigned_input_stays_one():
    assert parse("z = 2; r = z*w; r").free == ["w"]
    assert parse("a = 1; a").free == []
    # design.md: a name may be reassigned, an input's too; from then on it
    # means the new value, and the input is still read before that
    program = parse("y = x; x = 2; x*y")
    assert program.free == ["x"] and program.free_spans == {"x": (4, 5)}
    tape = Tape(program, program.free)
    assert len(tape.steps) == 1 and tape.consts == [2.0]


def test_parsing_into_a_shared_graph_shares_its_nodes():
    graph = Graph()
    one = parse("sin(x)*y", graph=graph)
    other = parse("sin(x) + 1", graph=graph)
    assert one.graph is other.graph is graph
    assert one.outputs[0].args[0] is other.outputs[0].args[0]  # the same sin(x)


def test_the_tape_numbers_its_inputs_in_the_programs_order():
    program = parse("y*sin(x) + z")
    tape = Tape(program, program.free)
    assert tape.inputs == ("y", "x", "z")
    assert tape.output_names == program.output_names == ["f"]
