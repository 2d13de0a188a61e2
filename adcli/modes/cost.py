"""What each mode costs, counted from what the sweeps execute.

The real ``forward`` and ``reverse`` sweeps run on a copy of the
linearization whose partials (and, for reverse, the output seeds) are
:class:`float` subclasses that count every multiplication and addition they
take part in; nothing here knows a
formula for the cost.  A forward sweep executes the same operations for
every seed (it has no branches, unless a partial is infinite), so one
counted sweep is exact for all of them; reverse sweeps skip zero adjoints,
so each is counted (up to a budget, beyond which the rest are extrapolated
from the ones counted, and the report says so).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..graph.tape import Tape
from .engine import choose_mode, mode_reason
from .sweeps import Linearization, forward, linearize, plan, reverse

BUDGET = 2_000_000  # step visits counted per mode


def _counting():
    """Numbers that count the operations they take part in, the same way in
    both modes: a multiplication by a unit partial (the ∂/∂a = 1 of ``+``)
    is a copy, and one by a constant argument's zero partial is not needed:
    neither is counted (reverse skips it, forward executes it); an
    addition into an untouched accumulator (the plain 0.0 an adjoint starts
    from, which is also how a seed is placed) is a copy, not counted (forward
    never makes one)."""
    counts = {"mul": 0, "add": 0}

    class Counted(float):
        __slots__ = ()

        def __mul__(self, other):
            if type(other) is Zero:
                return 0.0
            if type(other) is not Unit:
                counts["mul"] += 1
            return Counted(float.__mul__(self, other))

        __rmul__ = __mul__

        def __add__(self, other):
            if not (type(other) is float and other == 0.0):
                counts["add"] += 1
            return Counted(float.__add__(self, other))

        __radd__ = __add__

    class Unit(float):
        """The cell holding the unit partial."""

        __slots__ = ()

        def __mul__(self, other):
            return Counted(float.__mul__(self, other))

        __rmul__ = __mul__

    class Zero(float):
        """The cell holding the zero partial of a constant argument (``2`` in
        ``x^2``): the sweeps multiply by it, but no algorithm needs to."""

        __slots__ = ()

        def __mul__(self, other):
            return 0.0

        __rmul__ = __mul__

    Counted.unit, Counted.zero = Unit, Zero
    return Counted, counts


class ModeCost:
    __slots__ = ("sweeps", "per_sweep", "total", "counted", "exact", "fewest", "most")

    def __init__(self, sweeps: int, per_sweep: Mapping[str, int], total: int, counted: int,
                 exact: bool,
                 fewest: int | None = None, most: int | None = None) -> None:
        # fewest / most: operations in the cheapest and dearest counted sweep
        # (they differ when a sweep skips zeros: reverse, or forward at a kink)
        self.fewest = fewest if fewest is not None else sum(per_sweep.values())
        self.most = most if most is not None else sum(per_sweep.values())
        self.sweeps = sweeps  # sweeps needed for the full gradient / Jacobian
        self.per_sweep = per_sweep  # {"mul": .., "add": ..} in one sweep (the first)
        self.total = total  # operations in all sweeps
        self.counted = counted  # how many sweeps were counted
        self.exact = exact  # False: the total is extrapolated

    def as_dict(self) -> dict[str, Any]:
        return {"sweeps": self.sweeps, "per_sweep": dict(self.per_sweep),
                "per_sweep_total": sum(self.per_sweep.values()), "total": self.total,
                "counted_sweeps": self.counted, "exact": self.exact,
                "fewest_per_sweep": self.fewest, "most_per_sweep": self.most}


class Cost:
    __slots__ = ("function_ops", "by_op", "partials", "n_inputs", "n_outputs", "forward",
                 "reverse", "auto", "reason")
    function_ops: int
    by_op: Counter
    partials: int
    n_inputs: int
    n_outputs: int
    forward: ModeCost
    reverse: ModeCost
    auto: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"function_ops": self.function_ops, "by_op": dict(self.by_op),
                "local_partials": self.partials, "inputs": self.n_inputs,
                "outputs": self.n_outputs, "forward": self.forward.as_dict(),
                "reverse": self.reverse.as_dict(), "auto": self.auto, "reason": self.reason}


def _counted_lin(lin, Counted):
    # the sweeps read ``values`` only for partials (a mul's partial is the
    # other argument's own cell), so every cell counts
    one, zero = plan(lin.tape).one_cell, plan(lin.tape).zero_cell
    kind = {one: Counted.unit, zero: Counted.zero}
    values = [kind.get(i, Counted)(p) for i, p in enumerate(lin.values)]
    # A step on constants alone (sin(2) in x + sin(2)) is as constant as a
    # number: its partials read the zero cell, so that neither mode counts
    # work on its tangent (always 0) or adjoint (never read).  Forward counted
    # x + sin(2) as one addition and reverse as none.
    live = lin.tape.depends_on_inputs
    meta = [(slot, a, b, ia if live[a] else zero, ib if b < 0 or live[b] else zero)
            for slot, a, b, ia, ib in lin.meta]
    return Linearization(lin.tape, values, meta, lin.warnings)


def count_costs(tape: Tape, lin: Linearization, n_wrt: int | None = None) -> Cost:
    """A :class:`Cost` for the full gradient (Jacobian) of ``tape`` with
    respect to ``n_wrt`` of its inputs (default all), at ``lin``'s point."""
    n = tape.n_inputs if n_wrt is None else n_wrt
    m = len(tape.outputs)
    steps = max(len(tape.steps), 1)
    cost = Cost()
    cost.function_ops = len(tape.steps)
    cost.by_op = Counter(s.prim.name if not s.prim.infix else s.prim.infix for s in tape.steps)
    cost.partials = sum(1 for s in tape.steps for a in s.args if tape.is_active(a))
    cost.n_inputs, cost.n_outputs = n, m

    # forward: one sweep per input direction
    Counted, counts = _counting()
    clin = _counted_lin(lin, Counted)
    k = n if clin.nonfinite else min(n, 1)
    k = min(k, max(1, BUDGET // steps))
    per, totals, sizes = {"mul": 0, "add": 0}, 0, []
    for i in range(k):
        seed = [1.0 if j == i else 0.0 for j in range(tape.n_inputs)]
        before = dict(counts)
        forward(clin, [seed])
        done = {op: counts[op] - before[op] for op in counts}
        if i == 0:
            per = done
        totals += sum(done.values())
        sizes.append(sum(done.values()))
    exact = k == n or not clin.nonfinite
    total = totals * n // k if k else 0
    cost.forward = ModeCost(n, per, total, k, exact, min(sizes, default=0),
                            max(sizes, default=0))

    # reverse: one sweep per output
    Counted, counts = _counting()
    clin = _counted_lin(lin, Counted)
    k = min(m, max(1, BUDGET // steps))
    per, totals, sizes = {"mul": 0, "add": 0}, 0, []
    for i, rows in enumerate(_cones(clin, tape.outputs[:k])):
        before = dict(counts)
        # counted seeds, so that the additions into adjoints count too
        seed = [0.0] * m  # (a zero seed is skipped: no need to count it)
        seed[i] = Counted(1.0)
        reverse(_restricted(clin, rows), [seed])
        done = {op: counts[op] - before[op] for op in counts}
        if i == 0:
            per = done
        totals += sum(done.values())
        sizes.append(sum(done.values()))
    total = round(totals * m / k) if k else 0
    cost.reverse = ModeCost(m, per, total, k, k == m, min(sizes, default=0),
                            max(sizes, default=0))
    cost.auto = choose_mode("auto", m, n)
    cost.reason = mode_reason(m, n)
    return cost


def _cones(lin: Linearization, outputs: Sequence[int]) -> list[list]:
    """For each output slot, the sweep rows of the steps it depends on, in
    sweep order: the only rows its adjoint sweep can touch (every other
    adjoint stays 0 and is skipped).  Counting on them alone gives the same
    counts, in time the size of each output's cone rather than the tape's
    (trace of 800 one-step outputs swept 1,600 rows per output)."""
    row_of = {row[0]: row for row in lin.meta}
    cones = []
    for out in outputs:
        seen, stack, rows = set(), [out], []
        while stack:
            slot = stack.pop()
            if slot in seen:
                continue
            seen.add(slot)
            row = row_of.get(slot)
            if row is not None:
                rows.append(row)
                stack.append(row[1])
                if row[2] >= 0:
                    stack.append(row[2])
        rows.sort()  # by slot: the order of lin.meta
        cones.append(rows)
    return cones


def _restricted(lin: Linearization, rows: list) -> Linearization:
    """``lin`` sweeping only ``rows`` (not through the constructor, which
    would add up the counted values again)."""
    sub = Linearization.__new__(Linearization)
    sub.tape, sub.values, sub.warnings, sub.nonfinite = (lin.tape, lin.values, lin.warnings,
                                                         lin.nonfinite)
    sub.meta = rows
    return sub


def cost_of(tape: Tape, values: Sequence[float], n_wrt: int | None = None) -> Cost:
    """The :class:`Cost` of the gradient at float64 input ``values``
    with respect to ``n_wrt`` inputs (``adcli grad --stats``)."""
    return count_costs(tape, linearize(tape, values), n_wrt=n_wrt)
