"""Issue 10, item 4: primitives, DAG nodes, tape steps, the sweep plan's
groups and the API's results are frozen (adcli/frozen.py).  Assigning to a
field raises, no object grows an attribute, and the results keep their
public names, their repr, identity equality and pickling."""

import copy
import pickle

import pytest

import adcli
from adcli.frozen import Frozen, FrozenError, fields, replace
from adcli.graph.dag import Graph, Node, _OpenNode
from adcli.graph.tape import Step, Tape, _OpenStep
from adcli.language.parser import parse
from adcli.modes.sweeps import plan
from adcli.primitives import PRIMITIVES

# the public fields of every result, as they were before the results were frozen
RESULT_FIELDS = {
    "Evaluation": ("outputs", "values", "warnings", "point", "system"),
    "Derivatives": ("outputs", "values", "jacobian", "mode", "warnings", "point", "system"),
    "Directional": ("outputs", "values", "direction", "derivatives", "mode", "warnings",
                    "point", "system"),
    "Cotangent": ("outputs", "values", "cotangent", "gradient", "mode", "warnings", "point",
                  "system"),
    "Hessian": ("output", "value", "gradient", "hessian", "direction", "hvp", "mode",
                "warnings", "point", "system"),
    "Taylor": ("outputs", "values", "direction", "order", "coefficients_of", "derivatives_of",
               "warnings", "point", "system"),
    "Partial": ("outputs", "values", "wrt", "partials", "sweeps", "warnings", "point",
                "system"),
}


def _results(**system):
    f = adcli.Function("x*y + x^3, x^2*y")  # rational: exact=True computes it too
    at = {"x": 1, "y": 2}
    one = adcli.Function("x^2*y")
    return [f.evaluate(at, **system), f.gradient(at, **system),
            f.jvp(at, {"x": 1, "y": 0}, **system), f.vjp(at, {"f1": 1, "f2": 0}, **system),
            one.hessian(at, **system), f.taylor(at, 3, wrt="x", **system),
            f.partial(at, "x,y", **system)]


def _refuses(obj, field, value=None):
    assert isinstance(obj, Frozen)
    before = getattr(obj, field)
    with pytest.raises(FrozenError, match=f"cannot assign to `{field}`"):
        setattr(obj, field, value)
    with pytest.raises(FrozenError):
        delattr(obj, field)
    with pytest.raises(AttributeError):  # nothing new either
        obj.not_a_field = value
    assert getattr(obj, field) is before


def test_a_primitive_refuses_assignment():
    prim = PRIMITIVES["sin"]
    for field in ("partials", "fn", "kink", "name"):
        _refuses(prim, field)
    # what the audit test does instead: a changed copy
    changed = replace(prim, partials=("-cos(x)",))
    assert changed.partials == ("-cos(x)",) and changed.arity == 1 and changed.fn is prim.fn
    assert prim.partials == ("cos(x)",) and PRIMITIVES["sin"] is prim
    with pytest.raises(TypeError, match="no field partial"):
        replace(prim, partial=())


def test_nodes_and_steps_refuse_assignment():
    program = parse("x1*x2 + sin(x1)")
    tape = Tape(program, ["x1", "x2"])
    for node in program.graph.nodes:
        assert type(node) is Node  # built as an _OpenNode, a Node when built
        _refuses(node, "args", ())
    for step in tape.steps:
        assert type(step) is Step
        _refuses(step, "slot", 0)
    first = tape.steps[0]
    assert (first.prim, first.args, first.slot) == (PRIMITIVES["mul"], (0, 1), 2)
    also = Step(first.prim, first.args, first.node, first.slot)  # the slow constructor
    assert repr(also) == repr(first) == ("Step(prim=Primitive(mul), args=(0, 1), "
                                         "node=Node(mul #2 of [0, 1]), slot=2)")
    assert first == first and first != also  # identity
    # the builders have the frozen classes' fields, in order
    assert fields(_OpenNode) == fields(Node) and fields(_OpenStep) == fields(Step)


def test_the_graph_still_hash_conses_its_frozen_nodes():
    g = Graph()
    x = g.var("x")
    assert g.apply("sin", (x,)) is g.apply("sin", (x,))
    assert g.const(-0.0) is not g.const(0.0)
    assert len({g.apply("sin", (x,)), g.apply("cos", (x,))}) == 2  # hashable, by identity


def test_the_sweep_plan_refuses_assignment():
    tape = adcli.compile("x*y + sin(x) + 2*x").tape(["x", "y"])
    groups = plan(tape).groups
    assert groups
    for group in groups:
        _refuses(group, "fn")


@pytest.mark.parametrize("system", [{}, {"digits": 20}, {"exact": True}],
                         ids=["float64", "digits", "exact"])
def test_results_refuse_assignment_and_keep_their_names(system):
    for result in _results(**system):
        names = RESULT_FIELDS[type(result).__name__]
        assert fields(type(result)) == names
        for field in names:
            _refuses(result, field)


@pytest.mark.parametrize("system", [{}, {"digits": 20}, {"exact": True}],
                         ids=["float64", "digits", "exact"])
def test_results_pickle_repr_and_compare_by_identity(system):
    for result in _results(**system):
        back = pickle.loads(pickle.dumps(result))
        assert type(back) is type(result)
        assert repr(back) == repr(result) == repr(copy.deepcopy(result))
        assert back.value == result.value or result.value != result.value
        assert result == result and back != result  # identity, as before they were frozen
        assert hash(result) != hash(back)


def test_a_result_reads_as_before():
    res = adcli.grad("x1*x2 + sin(x1)", x1=2, x2=3)
    assert repr(res) == ("Derivatives(value=6.909297426825682, jacobian=[{'x1': "
                         "2.5838531634528574, 'x2': 2.0}], mode='reverse')")
    assert res.gradient == {"x1": 2.5838531634528574, "x2": 2.0}
    h = adcli.Function("x^2*y").hessian({"x": 1, "y": 2})
    assert repr(h).startswith("Hessian(output='f', value=2.0, gradient={'x': 4.0, 'y': 1.0}")


def test_arrays_of_points_stack_frozen_results():
    import numpy as np

    f = adcli.Function("x*y + sin(x)")
    for n in (3, 300):  # point by point, and the vectorised sweep
        x = np.linspace(-1, 1, n)
        res = f.gradient({"x": x, "y": 2.0})
        assert res.gradient["x"].shape == (n,)
        assert np.allclose(res.gradient["x"], 2.0 + np.cos(x))
        _refuses(res, "warnings", [])
