"""The cost count (trace's "what each mode costs") holds about as much as the
linearization it counts, not a multiple of it: one counting copy shared by
both modes, counting numbers only in the cells the sweeps read, and one
output's cone at a time marked in an array.  Python's own allocations,
measured by tracemalloc against the linearization's in the same run."""

import tracemalloc

import adcli
from adcli.modes.cost import count_costs
from adcli.modes.sweeps import linearize


def _allocated(make):
    """(result, peak bytes Python allocated while making it)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        result = make()
        return result, tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def test_counting_holds_about_the_linearization_not_two_copies_and_a_dict():
    tape = adcli.compile("+".join(f"sin({k}*x)" for k in range(1, 5001))).tape()
    lin, lin_bytes = _allocated(lambda: linearize(tape, [0.5]))
    cost, cost_bytes = _allocated(lambda: count_costs(tape, lin))
    # a counting copy per mode and a dict + set per cone: 1.25x the peak of
    # linearizing; now 0.52x
    assert cost_bytes < 0.85 * lin_bytes, (cost_bytes, lin_bytes)
    # the numbers themselves: three operations a term, the same in both modes
    assert cost.forward.total == cost.reverse.total == 3 * 5000 - 1
