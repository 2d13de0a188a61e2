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

from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..graph.tape import Tape
from .engine import choose_mode, mode_reason
from .sweeps import Linearization, SweepRow, forward, linearize, plan, reverse

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


def _counted_lin(lin: Linearization, Counted: type) -> Linearization:
    """``lin`` with every cell the sweeps read as a partial (``values[ia]``,
    ``values[ib]`` of a row: they read no other) made a counting number;
    the cells no row reads stay the plain floats they are: most are step
    values that no partial is (a 20,000-term fan's copy: 4.6 -> 2.3 MB)."""
    one, zero = plan(lin.tape).one_cell, plan(lin.tape).zero_cell
    kind = {one: Counted.unit, zero: Counted.zero}  # type: ignore[attr-defined]
    # A step on constants alone (sin(2) in x + sin(2)) is as constant as a
    # number: its partials read the zero cell, so that neither mode counts
    # work on its tangent (always 0) or adjoint (never read).  Forward counted
    # x + sin(2) as one addition and reverse as none.  (A row that changes
    # nothing is kept, not copied: a new tuple per step would cost more than
    # the counting numbers.)
    live = lin.tape.depends_on_inputs
    meta = [row if live[row[1]] and (row[2] < 0 or live[row[2]])
            else (row[0], row[1], row[2], row[3] if live[row[1]] else zero,
                  row[4] if row[2] < 0 or live[row[2]] else zero)
            for row in lin.meta]
    read = bytearray(len(lin.values))
    for row in meta:
        read[row[3]] = 1
        read[row[4]] = 1
    values = [kind.get(i, Counted)(p) if read[i] else p for i, p in enumerate(lin.values)]
    return Linearization(lin.tape, values, meta, lin.warnings)


def count_costs(tape: Tape, lin: Linearization, n_wrt: int | None = None) -> Cost:
    """A :class:`Cost` for the full gradient (Jacobian) of ``tape`` with
    respect to ``n_wrt`` of its inputs (default all), at ``lin``'s point."""
    n = tape.n_inputs if n_wrt is None else n_wrt
    m = len(tape.outputs)
    cost = Cost()
    cost.function_ops = len(tape.steps)
    cost.by_op = Counter(s.prim.name if not s.prim.infix else s.prim.infix for s in tape.steps)
    cost.partials = sum(1 for s in tape.steps for a in s.args if tape.is_active(a))
    cost.n_inputs, cost.n_outputs = n, m
    # one counted copy of the linearization for both modes (the sweeps only
    # read it; each sweep's count is the counter's difference): a copy per
    # mode built the second while the first was still held
    Counted, counts = _counting()
    clin = _counted_lin(lin, Counted)
    cost.forward = _forward_cost(clin, counts, n)
    cost.reverse = _reverse_cost(clin, counts, Counted)
    cost.auto = choose_mode("auto", m, n)
    cost.reason = mode_reason(m, n)
    return cost


def _sweeps_to_count(needed: int, tape: Tape) -> int:
    """How many of ``needed`` sweeps fit in the BUDGET of step visits."""
    return min(needed, max(1, BUDGET // max(len(tape.steps), 1)))


def _forward_cost(clin: Linearization, counts: dict[str, int], n: int) -> ModeCost:
    """Forward mode: one tangent sweep per input direction (one counted is
    exact for all, unless a partial is not finite)."""
    tape = clin.tape
    k = _sweeps_to_count(n if clin.nonfinite else min(n, 1), tape)
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
    return ModeCost(n, per, total, k, exact, min(sizes, default=0), max(sizes, default=0))


def _reverse_cost(clin: Linearization, counts: dict[str, int], Counted: type) -> ModeCost:
    """Reverse mode: one adjoint sweep per output, each counted on the rows
    its output depends on."""
    tape = clin.tape
    m = len(tape.outputs)
    k = _sweeps_to_count(m, tape)
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
    return ModeCost(m, per, total, k, k == m, min(sizes, default=0), max(sizes, default=0))


def _cones(lin: Linearization, outputs: Sequence[int]) -> Iterator[list[SweepRow]]:
    """For each output slot, the sweep rows of the steps it depends on, in
    sweep order: the only rows its adjoint sweep can touch (every other
    adjoint stays 0 and is skipped).  Counting on them alone gives the same
    counts, in time the size of each output's cone rather than the tape's
    (trace of 800 one-step outputs swept 1,600 rows per output).  One cone
    at a time, found through the rows' order (step k's row is ``meta[k]``,
    its slot ``first_step + k``) and marked in an array of the slots: a dict
    of the rows and a set of the slots seen held 9 MB more than the counted
    copy for a 20,000-term fan, the peak of the whole count."""
    tape = lin.tape
    meta, first = lin.meta, tape.first_step
    seen_by = array("l", bytes(array("l").itemsize * tape.size))  # output number + 1
    for mark, out in enumerate(outputs, start=1):
        stack, rows = [out], []
        while stack:
            slot = stack.pop()
            if seen_by[slot] == mark:
                continue
            seen_by[slot] = mark
            if slot >= first:
                row = meta[slot - first]
                assert row[0] == slot, "a step's row is not at its place in the sweep order"
                rows.append(row)
                stack.append(row[1])
                if row[2] >= 0:
                    stack.append(row[2])
        rows.sort()  # by slot: the order of lin.meta
        yield rows


def _restricted(lin: Linearization, rows: list[SweepRow]) -> Linearization:
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
