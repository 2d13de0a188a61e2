"""Sparsity patterns read from the tape.

The Jacobian pattern is the set of inputs each output depends on, through
arguments whose partial derivative is not identically zero (``sign(x)`` cuts
the dependence).  The Hessian pattern collects, at every step the output
depends on, the products Gₐ×G_b of the index sets of two arguments that
*interact*: ∂²φ/∂a∂b is not identically zero.  Which argument pairs interact
is not listed anywhere: :func:`structure` differentiates each primitive's
partial rules once, structurally (``x*y``: ∂/∂x = y depends on y, so (x, y)
interact; ``x+y``: the partials are constants, nothing interacts; ``x/y``:
(x, y) and (y, y); ``x^y``: every pair).

Index sets are not propagated eagerly: a left-folded sum of n terms would
hold n growing sets (n² work).  Only the sets an interaction or an output
asks for are built, by a search over the dependence edges that stops at sets
already built, so the pass is linear in the tape for chains of sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from ..graph.dag import CONST, VAR, postorder
from ..graph.tape import Tape
from ..modes.rules import rule_graph
from ..primitives import PRIMITIVES, Primitive


def _is_zero(node) -> bool:
    return node.op == CONST and node.value == 0.0


@cache
def first_order(key: str) -> tuple[bool, ...]:
    """Per argument of primitive ``key``: is its partial not identically 0?"""
    _, _, partials = rule_graph(PRIMITIVES[key])
    return tuple(not _is_zero(p) for p in partials)


@cache
def structure(key: str) -> tuple[tuple[bool, ...], frozenset[tuple[int, int]]]:
    """(first-order mask, interacting argument pairs (i, j) with i ≤ j) of
    primitive ``key``: the pair (i, j) interacts when the partial rule for
    argument i depends differentiably on parameter j (or j's rule on i)."""
    prim = PRIMITIVES[key]
    graph, _, partials = rule_graph(prim)
    param = {graph.var(p).id: i for i, p in enumerate(prim.params)}
    pairs = set()
    for i, rule in enumerate(partials):
        deps = {}
        for node in postorder([rule]):
            if node.op == VAR:
                deps[node.id] = frozenset((param[node.id],))
            elif node.op == CONST:
                deps[node.id] = frozenset()
            else:
                mask = first_order(node.op)
                deps[node.id] = frozenset().union(
                    *(deps[a.id] for a, on in zip(node.args, mask) if on))
        for j in deps[rule.id]:
            pairs.add((min(i, j), max(i, j)))
    return first_order(key), frozenset(pairs)


class TapeStructure:
    """Dependence edges of a tape: ``edges[k]`` are the argument slots of step
    k through which its value depends differentiably on some input."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape
        n, first = tape.n_inputs, tape.first_step
        active = bytearray(tape.size)
        active[:n] = b"\x01" * n
        edges: list[tuple[int, ...]] = []
        append = edges.append
        masks: dict[Primitive, tuple[bool, ...]] = {}
        for step in tape.steps:
            prim = step.prim
            mask = masks.get(prim)
            if mask is None:
                mask = masks[prim] = first_order(prim.key)
            args = step.args
            if len(args) == 2:
                a, b = args
                on_a, on_b = mask[0] and active[a], mask[1] and active[b]
                e = ((a, b) if on_b else (a,)) if on_a else (b,) if on_b else ()
            else:
                e = args if mask[0] and active[args[0]] else ()
            append(e)
            if e:
                active[step.slot] = 1
        self.n, self.first = n, first
        self.active = active
        self.edges = edges
        self._sets: dict[int, tuple[int, ...]] = {}
        self._cones: dict[int, bytearray] = {}

    def index_set(self, slot: int) -> tuple[int, ...]:
        """The inputs ``slot`` depends on, each once (built on demand, then
        kept; a tuple: 200,000 kept sets of two inputs took 43 MB as
        frozensets, 11 MB as tuples)."""
        if slot < self.n:
            return (slot,)
        got = self._sets.get(slot)
        if got is not None:
            return got
        first, n, edges, sets = self.first, self.n, self.edges, self._sets
        found = set()
        seen = {slot}
        stack = [slot]
        while stack:
            s = stack.pop()
            if s < n:
                found.add(s)
                continue
            built = sets.get(s) if s != slot else None
            if built is not None:
                found.update(built)
                continue
            for a in edges[s - first]:
                if a not in seen:
                    seen.add(a)
                    stack.append(a)
        result = sets[slot] = tuple(found)
        return result

    def cone(self, output_slot: int) -> bytearray:
        """live[slot]: the output depends differentiably on this slot (kept:
        the Hessian's pattern and its sweeps both ask)."""
        live = self._cones.get(output_slot)
        if live is None:
            live = self._cones[output_slot] = self._cone(output_slot)
        return live

    def _cone(self, output_slot):
        live = bytearray(self.tape.size)
        live[output_slot] = 1
        first, edges = self.first, self.edges
        for k in range(len(edges) - 1, -1, -1):
            if live[first + k]:
                for a in edges[k]:
                    live[a] = 1
        return live


class Pattern:
    """A sparsity pattern in coordinates, row-major and sorted: ``rows``,
    ``cols`` (0-based), ``shape`` (m, n), ``names`` (the columns: inputs in
    order) and ``row_names`` (outputs for a Jacobian, inputs for a Hessian)."""

    def __init__(self, rows: Iterable[int], cols: Iterable[int], shape: tuple[int, int],
                 names: Iterable[str], row_names: Iterable[str], kind: str) -> None:
        self.rows, self.cols = list(rows), list(cols)
        self.shape = tuple(shape)
        self.names, self.row_names = list(names), list(row_names)
        self.kind = kind  # "jacobian" or "hessian"

    @property
    def nnz(self) -> int:
        return len(self.rows)

    @property
    def density(self) -> float:
        m, n = self.shape
        return self.nnz / (m * n) if m and n else 0.0

    def row_sets(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in range(self.shape[0])]
        for r, c in zip(self.rows, self.cols):
            out[r].append(c)
        return out

    def __repr__(self):
        return f"Pattern({self.kind}, shape={self.shape}, nnz={self.nnz})"


def _coordinates(row_sets):
    rows, cols = [], []
    for r, cs in enumerate(row_sets):
        for c in sorted(cs):
            rows.append(r)
            cols.append(c)
    return rows, cols


def jacobian_pattern(tape: Tape, structure_: TapeStructure | None = None) -> Pattern:
    """Which inputs each output depends on."""
    st = structure_ or TapeStructure(tape)
    row_sets = [st.index_set(o) if st.active[o] else () for o in tape.outputs]
    rows, cols = _coordinates(row_sets)
    return Pattern(rows, cols, (len(tape.outputs), tape.n_inputs), tape.inputs,
                   tape.output_names, "jacobian")


def hessian_adjacency(tape: Tape, output: int = 0,
                      structure_: TapeStructure | None = None) -> list[set[int]]:
    """adj[i]: the inputs j with ∂²f/∂xᵢ∂xⱼ structurally nonzero (i itself
    included when the diagonal entry is)."""
    st = structure_ or TapeStructure(tape)
    n, first, active = tape.n_inputs, tape.first_step, st.active
    adj: list[set[int]] = [set() for _ in range(n)]
    out_slot = tape.outputs[output]
    if not active[out_slot]:
        return adj
    live = st.cone(out_slot)
    index_set = st.index_set
    pairs_of: dict[Primitive, frozenset[tuple[int, int]]] = {}
    steps = tape.steps
    for step, alive in zip(steps, live[first:first + len(steps)]):
        if not alive:
            continue
        pairs = pairs_of.get(step.prim)
        if pairs is None:
            pairs = pairs_of[step.prim] = structure(step.prim.key)[1]
        if not pairs:
            continue
        args = step.args
        for i, j in pairs:
            a, b = args[i], args[j]
            if not (active[a] and active[b]):
                continue
            ga = (a,) if a < n else index_set(a)
            gb = ga if a == b else (b,) if b < n else index_set(b)
            for p in ga:
                adj[p].update(gb)
            if gb is not ga:
                for q in gb:
                    adj[q].update(ga)
    return adj


def hessian_pattern(tape: Tape, output: int = 0,
                    structure_: TapeStructure | None = None) -> Pattern:
    """Which pairs of inputs meet in a nonlinear operation on the way to
    output ``output``: the symmetric pattern, both triangles."""
    adj = hessian_adjacency(tape, output, structure_)
    rows, cols = _coordinates(adj)
    n = tape.n_inputs
    return Pattern(rows, cols, (n, n), tape.inputs, tape.inputs, "hessian")
