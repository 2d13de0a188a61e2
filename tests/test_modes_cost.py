"""adcli/modes/cost.py: what each mode costs, counted from what the float64
sweeps execute (``adcli grad --stats``, the trace's cost table).

Both modes count by one rule: a multiplication by a partial that is neither
1 nor a constant's 0 is one ``mul``; an addition into a sum that already
holds a term is one ``add``.  So where both do the same work (one input and
one output) they report the same numbers."""

import pytest

from adcli.graph.tape import Tape
from adcli.language.parser import parse
from adcli.modes import cost as cost_module
from adcli.modes.cost import cost_of, count_costs
from adcli.modes.sweeps import linearize

from .formulas import cases


def _cost(source, values, n_wrt=None, inputs=None):
    program = parse(source)
    return cost_of(Tape(program, inputs or program.free), values, n_wrt)


def test_counts_for_a_small_gradient_worked_by_hand():
    # ω4 = x·y (2 mul, 1 add forwards), ω5 = ω4·z (2 mul, 1 add), ω6 = sin x
    # (1 mul), ω7 = ω5 + ω6 (1 add; its partials are 1).  Backwards the same
    # five products, and one addition: x's adjoint collects two terms.
    cost = _cost("x*y*z + sin(x)", [1.0, 2.0, 3.0])
    assert cost.forward.per_sweep == {"mul": 5, "add": 3}
    assert cost.reverse.per_sweep == {"mul": 5, "add": 1}
    assert (cost.forward.sweeps, cost.reverse.sweeps) == (3, 1)
    assert (cost.forward.total, cost.reverse.total) == (24, 6)
    assert cost.forward.exact and cost.reverse.exact
    assert cost.function_ops == 4
    assert dict(cost.by_op) == {"*": 2, "sin": 1, "+": 1}
    assert (cost.auto, cost.reason) == (
        "reverse", "reverse: 1 output < 3 inputs, so fewer sweeps backwards than forwards")


def test_unit_and_constant_partials_are_not_counted_in_either_mode():
    for source in ("x + 2", "x - 1", "x + sin(2)", "x + 1.25/4", "(x + 2)^1"):
        cost = _cost(source, [0.7])
        assert cost.forward.per_sweep == cost.reverse.per_sweep == {"mul": 0, "add": 0}, source
    assert _cost("x^3", [0.7]).forward.per_sweep == {"mul": 1, "add": 0}  # not ∂/∂3


@pytest.mark.parametrize("source", ["sin(2)*x", "x*sin(2)", "sin(sin(2))*x + x"])
def test_a_step_on_constants_alone_costs_nothing_in_either_mode(source):
    # sin(2) is a number: forward counted the addition of its zero tangent,
    # reverse the product into its adjoint (which nothing reads)
    cost = _cost(source, [0.7])
    assert cost.forward.per_sweep == cost.reverse.per_sweep
    assert cost.forward.per_sweep == {"mul": 1, "add": source.count("+ x")}


def test_one_input_one_output_costs_the_same_forwards_and_backwards():
    """The same products and sums, in the other order: equal counts, over
    random smooth formulas (where no partial is exactly 0: reverse skips a
    zero adjoint, forward does not test a tangent for zero)."""
    compared = 0
    for source, point in cases("cost: one input", 40, names=("x",), outputs=1):
        tape = Tape(parse(source), ["x"])
        lin = linearize(tape, [point["x"]])
        if any(p == 0 for ps in lin.partials for p in ps):
            continue
        cost = count_costs(tape, lin)
        assert cost.forward.per_sweep == cost.reverse.per_sweep, source
        assert cost.forward.total == cost.reverse.total, source
        compared += 1
    assert compared >= 20


def test_counts_grow_linearly_with_the_formula():
    def per_sweep(k):
        cost = _cost(" + ".join(f"sin({i}*x)*y" for i in range(1, k + 1)), [0.3, 0.4])
        return (cost.function_ops, sum(cost.forward.per_sweep.values()),
                sum(cost.reverse.per_sweep.values()))

    counts = [per_sweep(k) for k in range(1, 7)]
    assert counts[0] == (3, 4, 3)
    steps = {tuple(b - a for a, b in zip(lo, hi, strict=True))
             for lo, hi in zip(counts, counts[1:])}
    assert steps == {(4, 6, 6)}  # each term: 4 operations, 6 forwards, 6 backwards


def test_n_wrt_sets_the_forward_sweeps_and_the_choice_of_mode():
    all_inputs = _cost("x*y*z + sin(x)", [1.0, 2.0, 3.0])
    one = _cost("x*y*z + sin(x)", [1.0, 2.0, 3.0], n_wrt=1)
    assert one.n_inputs == 1 and all_inputs.n_inputs == 3
    assert one.forward.sweeps == 1
    assert one.forward.total == sum(one.forward.per_sweep.values())
    assert one.reverse.total == all_inputs.reverse.total  # one sweep backwards either way
    assert one.auto == "forward" and all_inputs.auto == "reverse"
    two = _cost("x*y*z + sin(x)", [1.0, 2.0, 3.0], n_wrt=2)
    assert two.forward.total == 2 * sum(two.forward.per_sweep.values())


def test_reverse_counts_each_output_as_its_own_formula():
    together = _cost("x*y, x + y, sin(x)", [1.0, 2.0])
    alone = [_cost(src, [1.0, 2.0], inputs=["x", "y"]).reverse.total
             for src in ("x*y", "x + y", "sin(x)")]
    assert alone == [2, 0, 1]
    assert together.reverse.sweeps == 3 and together.reverse.counted == 3
    assert together.reverse.total == sum(alone)
    assert (together.reverse.fewest, together.reverse.most) == (0, 2)
    assert together.forward.sweeps == 2 and together.n_outputs == 3


def test_beyond_the_budget_the_rest_is_extrapolated_and_said_so(monkeypatch):
    monkeypatch.setattr(cost_module, "BUDGET", 8)  # four steps: two sweeps' worth
    cost = _cost("x*y, x*z, y*z, x*x", [1.0, 2.0, 3.0])
    assert cost.reverse.counted == 2 and not cost.reverse.exact
    assert cost.reverse.total == 8  # 2 + 2 counted, 4 outputs
    assert cost.as_dict()["reverse"]["exact"] is False


def test_a_kink_counts_every_forward_sweep():
    # sqrt'(0) = inf: the forward sweep skips zero tangents there, so its
    # cost depends on the seed and each one is counted
    cost = _cost("sqrt(x)*y + x", [0.0, 2.0])
    assert cost.forward.counted == 2 and cost.forward.exact
    assert cost.forward.total == cost.forward.fewest + cost.forward.most


def test_as_dict_keys_are_the_json_contract():
    d = _cost("x*y", [1.0, 2.0]).as_dict()
    assert set(d) == {"function_ops", "by_op", "local_partials", "inputs", "outputs",
                      "forward", "reverse", "auto", "reason"}
    assert set(d["forward"]) == {"sweeps", "per_sweep", "per_sweep_total", "total",
                                 "counted_sweeps", "exact", "fewest_per_sweep",
                                 "most_per_sweep"}
    assert d["local_partials"] == 2
    assert d["forward"]["per_sweep_total"] == sum(d["forward"]["per_sweep"].values())
