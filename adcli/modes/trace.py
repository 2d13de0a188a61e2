"""The ω evaluation trace of one forward or reverse sweep, as data.

Every rule shown comes from the primitives table: a step's partials
(``rule_graph``) are instantiated with the step's arguments in a small
symbolic graph (leaves ω₃, ω̇₁, ω̄₅ and constants), simplified the way a
textbook writes them (no ``1·``, ``-1·`` as a minus, no terms for constant
arguments), and summed: the tangent rule ω̇ᵢ = Σⱼ ∂ωᵢ/∂ωⱼ·ω̇ⱼ over the
step's arguments, the adjoint rule ω̄ⱼ = Σᵢ ω̄ᵢ·∂ωᵢ/∂ωⱼ over the node's
users.  The numbers come from the real sweeps (``linearize``, ``forward``,
``reverse``).  Renderers print this; they never derive anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from ..collector import without_gc
from ..errors import DomainError, UsageError
from ..graph.dag import CONST, VAR, Graph, Node, postorder
from ..graph.tape import Tape
from ..numsys import FLOAT64, NumberSystem
from ..numtext import plain_number
from ..primitives import PRIMITIVES, Primitive
from .cost import Cost, count_costs
from .engine import choose_mode, forward, linearize, mode_reason, read_value, reverse, solve
from .rules import rule_graph
from .sweeps import linearize as float_linearize

# --- a symbolic graph for rules -------------------------------------------

# each primitive's displayed rules, parsed once (shared by every row's Symbolic)
_SHOWN_RULES: dict[str, tuple[Graph, Node, list[Node]]] = {}


class Symbolic:
    """Hash-consed display expressions with textbook simplification.
    Leaves are variables named ``w:3`` (ω₃), ``dot:3`` (ω̇₃), ``bar:3``
    (ω̄₃) and ``in:x1`` (the input's own name)."""

    def __init__(self) -> None:
        self.graph = Graph()
        self._rules = _SHOWN_RULES

    def leaf(self, kind: str, index: int) -> Node:
        return self.graph.var(f"{kind}:{index}")

    def const(self, value: float) -> Node:
        return self.graph.const(value)

    def raw(self, op: str, args: Iterable[Node]) -> Node:
        return self.graph.apply(op, tuple(args))

    def apply(self, op: str, args: Iterable[Node]) -> Node:
        g = self.graph
        args = tuple(args)
        a = args[0]
        b: Any = args[1] if len(args) > 1 else None
        prim = PRIMITIVES[op]
        if all(x.op == CONST for x in args) and prim.infix:
            folded = _fold(prim, [x.value for x in args])
            if folded is not None:
                return g.const(folded)
        if op == "neg":
            if a.op == CONST:
                return g.const(-a.value)
            if a.op == "neg":
                return a.args[0]
        elif op == "mul":
            for x, y in ((a, b), (b, a)):
                if x.op == CONST and x.value == 0:
                    return g.const(0.0)
                if x.op == CONST and x.value == 1:
                    return y
                if x.op == CONST and x.value == -1:
                    return self.apply("neg", (y,))
            if a.op == "neg":
                return self.apply("neg", (self.apply("mul", (a.args[0], b)),))
            if b.op == "div" and b.args[0].op == CONST and b.args[0].value == 1:
                return self.apply("div", (a, b.args[1]))  # a·(1/b) → a/b
            if b.op == "neg":
                return self.apply("neg", (self.apply("mul", (a, b.args[0])),))
        elif op == "div":
            if b.op == CONST and b.value == 1:
                return a
            if a.op == "neg":
                return self.apply("neg", (self.apply("div", (a.args[0], b)),))
        elif op == "add":
            if a.op == CONST and a.value == 0:
                return b
            if b.op == CONST and b.value == 0:
                return a
            if b.op == "neg":
                return self.apply("sub", (a, b.args[0]))
        elif op == "sub":
            if b.op == CONST and b.value == 0:
                return a
            if a.op == CONST and a.value == 0:
                return self.apply("neg", (b,))
            if b.op == "neg":
                return self.apply("add", (a, b.args[0]))
        elif op == "pow":
            if b.op == CONST and b.value == 1:
                return a
            if b.op == CONST and b.value == 0:
                return g.const(1.0)
        return g.apply(op, args)

    def partials(self, prim: Primitive, env: dict[str, Node]) -> list[Node]:
        """The table's partial rules of ``prim`` with its parameters bound
        to the display nodes in ``env`` ({param: node})."""
        rg = self._rules.get(prim.key)
        if rg is None:
            rg = self._rules[prim.key] = rule_graph(prim, shown=True)  # display
        _, _, partials = rg
        out = []
        for root in partials:
            done = {}
            for node in postorder([root]):
                if node.op == VAR:
                    done[node.id] = env[node.name]
                elif node.op == CONST:
                    done[node.id] = self.const(node.value)
                else:
                    done[node.id] = self.apply(node.op, [done[x.id] for x in node.args])
            out.append(done[root.id])
        return out

    def total(self, terms: list[Node]) -> Node:
        """t₁ + t₂ + …, or 0 when there is none."""
        if not terms:
            return self.const(0.0)
        acc = terms[0]
        for t in terms[1:]:
            acc = self.apply("add", (acc, t))
        return acc


def _fold(prim, values):
    """Fold a constant subexpression when the result is short (2-1 → 1,
    but 1/3 stays 1/3)."""
    try:
        value = prim.fn(*values)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if not math.isfinite(value) or len(plain_number(value)) > 6:
        return None
    return value


def is_zero(node: Node) -> bool:
    return node.op == CONST and node.value == 0


# --- the trace --------------------------------------------------------------

class Row:
    """One ω: ``definition`` and ``rule`` are nodes of the trace's
    :class:`Symbolic` graph; ``values`` is one tangent or adjoint per column;
    ``seed`` is the seed (per column) when this row is seeded, else None."""

    __slots__ = ("omega", "slot", "name", "op", "definition", "value", "rule", "seed",
                 "values", "output")

    def __init__(self, omega: int, slot: int, name: str | None, op: str, definition: Any,
                 value: Any, rule: Any, seed: Any, values: list, output: Any) -> None:
        self.omega = omega
        self.slot = slot
        self.name = name  # the input's name, or None for a step
        self.op = op  # "input" or the primitive key
        self.definition = definition
        self.value = value
        self.rule = rule
        self.seed = seed
        self.values = values
        self.output = output  # the output's name if this ω is an output, else None


class Rows(Sequence[Row]):
    """The trace's rows, one per ω in the order its sweep visits them
    (forward: the inputs, then the steps; reverse: ω_N first), each made
    when it is read.  A row's definition and rule are nodes of a small
    :class:`Symbolic` graph of its own, so writing a 300,000-step trace
    holds one row's rules at a time rather than every row's (issue 11: the
    rows of the 100,000-term fan were 1 GB).  Reading a row twice makes it
    twice (equal rows); ``list(rows)`` holds them all."""

    def __init__(self, tape: Tape, lin: Any, sweeps: list, zero: Any, seeds: list, mode: str,
                 output_name: dict[int, str]) -> None:
        self._tape = tape
        self._values = lin.values
        self._sweeps = sweeps
        self._zero = zero
        self._seeds = seeds
        self._reverse = mode == "reverse"
        self._output_name = output_name
        # a precise system's numbers as printed (the API's); seeds stay floats, as shown
        self.present: Callable[[Any], Any] | None = None
        if self._reverse:
            self._users = _Users(tape)
            # each seed's weight on each output slot, summed where outputs share
            # a slot (looked up per output row: a sum over all outputs per row was m²)
            self._seeded: list[dict] = [{} for _ in seeds]
            for weights, s in zip(self._seeded, seeds):
                for o, w in zip(tape.outputs, s):
                    weights[o] = weights.get(o, 0) + w

    def __len__(self) -> int:
        return self._tape.n_inputs + len(self._tape.steps)

    @overload
    def __getitem__(self, k: int) -> Row: ...
    @overload
    def __getitem__(self, k: slice) -> list[Row]: ...
    def __getitem__(self, k: int | slice) -> Row | list[Row]:
        if isinstance(k, slice):
            return [self._row(i) for i in range(*k.indices(len(self)))]
        n = len(self)
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("trace row index out of range")
        return self._row(k)

    def __iter__(self) -> Iterator[Row]:
        for k in range(len(self)):
            yield self._row(k)

    def seeded_omegas(self) -> list[int]:
        """The ω of each row seeded with a nonzero weight, in row order
        (without making the rows)."""
        tape = self._tape
        if not self._reverse:
            return [i + 1 for i in range(tape.n_inputs) if any(s[i] for s in self._seeds)]
        slots = {slot for slot in self._output_name if tape.is_active(slot)
                 and any(w.get(slot, 0) for w in self._seeded)}
        return [_step_omega(tape, slot) for slot in sorted(slots, reverse=True)]

    def _row(self, k: int) -> Row:
        tape = self._tape
        i = len(self) - 1 - k if self._reverse else k  # inputs, then steps
        sym = Symbolic()
        node_of = _slot_nodes(sym, tape)
        n = tape.n_inputs
        step = None
        if i < n:
            slot, omega, name, op = i, i + 1, tape.inputs[i], "input"
            definition = sym.leaf("in", name)
        else:
            step = tape.steps[i - n]
            slot, name, op = step.slot, None, step.prim.key
            omega = _step_omega(tape, slot)
            definition = sym.raw(op, [node_of(a) for a in step.args])
        zero = self._zero
        value = self._values[slot]
        values = [s[slot] + zero for s in self._sweeps]
        if self.present is not None:
            present = self.present
            value = present(value)
            values = [present(v) for v in values]
        rule = seed = None
        if not self._reverse:
            if step is None:
                seed = [s[i] for s in self._seeds]
            else:
                rule = _tangent_rule(sym, tape, step, node_of)
        else:
            rule = _adjoint_rule(sym, tape, slot, self._users.of(slot), node_of)
            if slot in self._output_name:
                seed = [weights.get(slot, 0) for weights in self._seeded]
        return Row(omega, slot, name, op, definition, value, rule, seed, values,
                   self._output_name.get(slot))


def _step_omega(tape: Tape, slot: int) -> int:
    """The ω of an input's or a step's slot (a constant has none)."""
    omega = tape.omega(slot)
    assert omega is not None
    return omega


class _Users:
    """The (step, argument position) pairs that read each slot, in step
    order: one flat array and an offset per slot rather than a list per
    slot (300,000 lists were ~30 MB of a reverse trace)."""

    def __init__(self, tape: Tape) -> None:
        from array import array

        counts = array("q", bytes(8 * (tape.size + 1)))
        for step in tape.steps:
            for a in step.args:
                counts[a + 1] += 1
        for slot in range(tape.size):
            counts[slot + 1] += counts[slot]
        self._start = counts
        fill = array("q", counts)
        uses = array("q", bytes(8 * counts[tape.size]))
        first = tape.first_step
        for step in tape.steps:
            for j, a in enumerate(step.args):
                uses[fill[a]] = 2 * (step.slot - first) + j  # two arguments at most
                fill[a] += 1
        self._uses = uses
        self._steps = tape.steps

    def of(self, slot: int) -> list[tuple[Any, int]]:
        steps = self._steps
        return [(steps[u >> 1], u & 1)
                for u in self._uses[self._start[slot]:self._start[slot + 1]]]


class Trace:
    __slots__ = ("source", "point", "inputs", "outputs", "mode", "requested_mode", "reason",
                 "columns", "seeds", "rows", "derivatives", "warnings", "symbolic", "cost",
                 "n_steps", "system")
    source: str
    point: dict[str, Any]
    inputs: list[str]
    outputs: Sequence[str]
    mode: str
    requested_mode: str
    reason: str
    columns: list
    seeds: list
    rows: Rows
    derivatives: list
    warnings: list
    symbolic: Symbolic  # a graph for display nodes beside the rows' (adcli graph's)
    cost: Cost | None
    n_steps: int
    system: NumberSystem

    def __init__(self, **kw: Any) -> None:
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    @property
    def context(self) -> NumberSystem:
        return self.system

    @property
    def seed_text(self) -> list[str]:
        """(1, 0) for one forward sweep, e₁…eₙ for several."""
        return [", ".join(_num(v) for v in s) for s in self.seeds]


def _num(v):
    return plain_number(v)


# A trace has one derivative column per sweep and one row per ω step: a
# forward trace of n inputs (one tangent column each) is n² numbers, a
# reverse one of m outputs m².  Past this many it is refused before any
# sweep (100,000 inputs forward would be 10¹⁰ numbers, and the seeds alone
# 10¹⁰ floats); about a 1,000-input formula's full forward table fits.
MAX_TRACE_CELLS = 2_000_000


def _check_table_size(tape, mode, n_tangents, n_adjoints):
    rows = tape.n_inputs + len(tape.steps)
    columns = n_tangents if mode == "forward" else n_adjoints
    if rows * columns <= MAX_TRACE_CELLS:
        return
    if mode == "forward":
        what = f"one tangent column per input ({columns:,} inputs)"
        hint = ("name a few variables with `wrt`, give one direction with `seed`, or use "
                "`mode=\"reverse\"` (one adjoint column per output: "
                f"{len(tape.outputs):,} here)")
    else:
        what = f"one adjoint column per output ({columns:,} outputs)"
        hint = ("pick one output with `output=K`, or use `mode=\"forward\"` "
                f"(one tangent column per input: {tape.n_inputs:,} here)")
    raise UsageError(f"the {mode} trace would have {what} × {rows:,} ω steps = "
                     f"{rows * columns:,} numbers, more than the {MAX_TRACE_CELLS:,} a trace "
                     "shows", hint=hint, params=("wrt", "seed", "mode", "output"))


@without_gc  # the sweeps: many objects, no cycles (rows are made as read)
def build_trace(tape: Tape, values: list, wrt: list[str], *, system: NumberSystem = FLOAT64,
                mode: str = "auto", seed: Any = None, output: Any = None,
                cost: bool = True) -> Trace:
    """The trace of ``tape`` at the input ``values`` (numbers, or for a
    precise ``system`` values read at each working precision).

    forward: ``seed`` ({name: value}) gives one sweep along that direction;
    otherwise one sweep per variable of ``wrt`` (names).  reverse: ``output``
    (0-based index or name) gives one sweep; otherwise one sweep per output.
    The numbers are in ``system`` (``Trace.system``)."""
    requested = _check_seed(tape, seed, mode)
    n_out = len(tape.outputs)
    mode = choose_mode(requested, n_out, len(wrt))
    if output is not None and mode == "reverse":
        out_index = _output_index(output, tuple(tape.output_names))
    else:
        out_index = None
    _check_table_size(tape, mode, 1 if seed is not None else len(wrt),
                      1 if out_index is not None else n_out)
    seeds, columns = _seeds(tape, mode, seed, wrt, out_index)
    lin, sweeps, warnings, point_values = _sweep(tape, values, system, mode, seeds)
    # x + 0.0 turns -0.0 into 0.0; elsewhere no -0.0, and x + 0 would round
    # x to mpmath's default precision
    zero = 0.0 if system is FLOAT64 else _SAME
    output_name: dict[int, str] = {}
    for slot, name in zip(tape.outputs, tape.output_names):
        output_name.setdefault(slot, name)
    rows = Rows(tape, lin, sweeps, zero, seeds, mode, output_name)
    if mode == "forward":  # (output, column, value)
        derivatives = [(name, col, s[o]) for col, s in zip(columns, sweeps)
                       for name, o in zip(tape.output_names, tape.outputs)]
    else:  # (column, input, value)
        wanted = [tape.input_index[w] for w in wrt]
        derivatives = [(col, tape.inputs[i], s[i]) for col, s in zip(columns, sweeps)
                       for i in wanted]
    derivatives = [(a, b, d + zero) for a, b, d in derivatives]
    trace = Trace(source=tape.program.source, point=dict(zip(tape.inputs, point_values.values())),
                  inputs=tape.inputs,
                  outputs=tuple(tape.output_names), mode=mode, requested_mode=requested,
                  reason=mode_reason(n_out, len(wrt)), columns=columns, seeds=seeds,
                  rows=rows, derivatives=derivatives, warnings=warnings, symbolic=Symbolic(),
                  n_steps=len(tape.steps), system=system)
    if cost and system is FLOAT64:
        trace.cost = count_costs(tape, lin)  # the full gradient / Jacobian
    elif cost:
        trace.cost = _float_cost(tape, values)
    return trace


def _check_seed(tape, seed, mode):
    """The mode asked for, once a forward ``seed`` is known to fit it."""
    if seed is not None:
        for name in seed:
            if name not in tape.input_index:
                raise UsageError(f"`seed` names `{name}`, which is not an input",
                                 hint=f"the inputs are {', '.join(tape.inputs)}",
                                 params=("seed",))
        if mode == "reverse":
            raise UsageError("`seed` is a forward-mode direction",
                             hint="use `mode` forward, or `output` K for reverse mode",
                             params=("seed", "mode", "output"))
        return "forward"
    return mode


def _seeds(tape, mode, seed, wrt, out_index):
    """(one seed vector per sweep, the column each sweep fills)."""
    if mode == "forward":
        if seed is not None:
            return [[float(seed.get(name, 0.0)) for name in tape.inputs]], ["seed"]
        return [[1.0 if name == w else 0.0 for name in tape.inputs] for w in wrt], list(wrt)
    n_out = len(tape.outputs)
    ks = [out_index] if out_index is not None else list(range(n_out))
    return ([[1.0 if k == j else 0.0 for j in range(n_out)] for k in ks],
            [tape.output_names[k] for k in ks])


def _sweep(tape, values, system, mode, seeds):
    """(linearization, one swept column per seed, warnings, the point as
    computed) at the working precision where every digit is right."""
    lin = sweeps = None

    def compute(inputs):
        nonlocal lin, sweeps
        lin = linearize(tape, inputs, system)
        sweeps = (forward if mode == "forward" else reverse)(lin, seeds)
        return list(lin.values[:tape.size]) + [x for s in sweeps for x in s], lin.warnings

    _, warnings, point_values = solve(system, tape, values, compute)
    return lin, sweeps, warnings, point_values


def _slot_nodes(sym, tape):
    """slot -> its symbolic node: ω_i, or the constant's value."""
    n = tape.n_inputs

    def node_of(slot):
        om = tape.omega(slot)
        if om is None:
            return sym.const(tape.consts[slot - n])
        return sym.leaf("w", om)

    return node_of


class _Same:
    """x + _SAME is x itself."""

    __slots__ = ()

    def __radd__(self, other):
        return other


_SAME = _Same()


def _float_cost(tape, point):
    """The operation counts of the float64 sweeps (what each mode costs does
    not depend on the precision), or None where float64 cannot evaluate."""
    try:
        values = [float(read_value(FLOAT64, v)) for v in point]
        return count_costs(tape, float_linearize(tape, values))
    except (DomainError, UsageError, ValueError, ZeroDivisionError, OverflowError):
        return None


def _tangent_rule(sym, tape, step, node_of):
    prim = step.prim
    env = {p: node_of(a) for p, a in zip(prim.params, step.args)}
    partials = sym.partials(prim, env)
    left = getattr(prim, "tangent_left", None) or ()
    terms = []
    for j, (a, d) in enumerate(zip(step.args, partials)):
        if not tape.is_active(a) or is_zero(d):
            continue
        dot = sym.leaf("dot", tape.omega(a))
        first = j < len(left) and left[j]
        terms.append(sym.apply("mul", (dot, d) if first else (d, dot)))
    return sym.total(terms)


def _adjoint_rule(sym, tape, slot, users, node_of):
    terms = []
    for step, j in users:
        prim = step.prim
        env = {p: node_of(a) for p, a in zip(prim.params, step.args)}
        d = sym.partials(prim, env)[j]
        if is_zero(d):
            continue
        terms.append(sym.apply("mul", (sym.leaf("bar", tape.omega(step.slot)), d)))
    return sym.total(terms) if terms else None


def _output_index(output, names):
    if isinstance(output, int):
        if not 0 <= output < len(names):
            raise UsageError(f"`output` {output + 1}: there are {len(names)} outputs",
                             params=("output",))
        return output
    if output in names:
        return list(names).index(output)
    raise UsageError(f"no output named `{output}`", hint=f"the outputs are {', '.join(names)}")
