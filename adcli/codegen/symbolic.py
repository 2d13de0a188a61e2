"""Derivatives as DAGs: the tangent and adjoint sweeps applied to nodes
instead of numbers.

The sweeps of :mod:`adcli.modes.sweeps` multiply each step's partials (the
primitives table's rules, instantiated by :func:`adcli.modes.rules.rule_graph`)
by tangents or adjoints.  Here the same sweeps run over DAG nodes in the
program's own hash-consed :class:`~adcli.graph.dag.Graph`, so the result is
the derivative *as a formula*; hash-consing shares every repeated
subexpression (common-subexpression elimination for free), and the size of
the result is a constant times the size of the tape (the cheap-gradient
principle), not the swell of symbolic differentiation.

A derivative that is known to be zero (a tangent that does not depend on
the seed, an adjoint that the output does not reach) is ``None`` and is
never multiplied: the engine does the same (a zero tangent times an
infinite partial stays zero), so this is not an algebraic shortcut.

Simplifications (:class:`Builder`) are only those exact in IEEE 754
arithmetic for every input, including ±inf and nan, up to the sign of a
zero result:

* constants fold (when the result is a finite number);
* ``x*1``, ``1*x``, ``x/1``, ``x-0``, ``x^1`` → ``x`` (exact);
* ``x*(-1)``, ``(-1)*x``, ``x/(-1)``, ``0-x`` → ``-x``, ``-(-x)`` → ``x`` (exact;
  ``0-x`` gives ``+0`` where ``-x`` gives ``-0``);
* ``x+0``, ``0+x`` → ``x`` (exact except ``-0 + 0 = +0``);
* ``x^0`` → ``1`` (C's and Python's pow give 1 even for nan).

Not simplified: ``0*x`` and ``0/x`` (nan when x is inf or nan), ``x-x``
(nan for inf), ``x/x``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..graph.dag import CONST, VAR, Graph, Node, postorder
from ..graph.tape import Tape
from ..modes.engine import choose_mode
from ..modes.rules import partial_primitive, rule_graph
from ..numtext import derivative_label
from ..primitives import PRIMITIVES

if TYPE_CHECKING:
    from ..arguments import FunctionLike, Names

# a rule instantiated for a primitive: (primal node, parameter nodes, partial
# nodes, the partials' nodes in evaluation order)
Rule = tuple[Node, list[Node], list[Node], list[Node]]


class Builder:
    """Applies primitives on a graph, folding and simplifying (IEEE-safe)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def const(self, value: float) -> Node:
        return self.graph.const(value)

    def apply(self, key: str, args: Iterable[Node]) -> Node:
        args = tuple(args)
        if all(a.op == CONST for a in args):
            folded = _fold(key, [a.value for a in args])
            if folded is not None:
                return self.graph.const(folded)
        simpler = _simplify(self, key, args)
        if simpler is not None:
            return simpler
        return self.graph.apply(key, args)

    def add(self, a: Node, b: Node) -> Node:
        return self.apply("add", (a, b))

    def mul(self, a: Node, b: Node) -> Node:
        return self.apply("mul", (a, b))

    def neg(self, a: Node) -> Node:
        return self.apply("neg", (a,))


def _fold(key, values):
    """The constant value of ``key(values)``, or None when it is not a
    finite number (1/0, log(0), overflow: left to run time, where the
    engine reports it)."""
    try:
        value = PRIMITIVES[key].fn(*values)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _is(node, value):
    return node.op == CONST and node.value == value and math.copysign(1.0, node.value) > 0


def _simplify(b, key, args):
    if key == "neg":
        (x,) = args
        return x.args[0] if x.op == "neg" else None
    x, y = args if len(args) == 2 else (args[0], None)
    if key == "mul":
        if _is(y, 1.0):
            return x
        if _is(x, 1.0):
            return y
        if y.op == CONST and y.value == -1.0:
            return b.neg(x)
        if x.op == CONST and x.value == -1.0:
            return b.neg(y)
    elif key == "div":
        if _is(y, 1.0):
            return x
        if y.op == CONST and y.value == -1.0:
            return b.neg(x)
    elif key == "add":
        if y.op == CONST and y.value == 0.0:
            return x
        if x.op == CONST and x.value == 0.0:
            return y
    elif key == "sub":
        if y.op == CONST and y.value == 0.0:
            return x
        if x.op == CONST and x.value == 0.0:
            return b.neg(y)
    elif key == "pow":
        if _is(y, 1.0):
            return x
        if y.op == CONST and y.value == 0.0:
            return b.const(1.0)
    return None


@functools.cache
def _rule(key):
    """The primal node, parameter nodes and partial nodes of a primitive's
    rules (the table's strings, parsed once by the rule compiler)."""
    prim = PRIMITIVES[key]
    graph, primal, partials = rule_graph(prim)
    params = [graph.var(p) for p in prim.params]
    return primal, params, partials, postorder(partials)


@functools.cache
def _second_rule(key, i):
    """As :func:`_rule` for the i-th partial of a primitive with hand-written
    second partials: its own partials are those."""
    prim = partial_primitive(PRIMITIVES[key], i)
    graph, primal, partials = rule_graph(prim)
    params = [graph.var(p) for p in prim.params]
    return primal, params, partials, postorder(partials)


def partials(builder: Builder, node: Node, rule: Rule | None = None) -> list[Node | None]:
    """The partials of ``node`` (an operation) with respect to each of its
    arguments, as nodes of ``builder``'s graph; None for a constant
    argument (the engine never computes those).  ``rule``: another rule
    set than the node's own (:func:`_second_rule`'s)."""
    primal, params, rules, order = rule or _rule(node.op)
    env: dict[int, Node] = {primal.id: node}
    for p, a in zip(params, node.args):
        env[p.id] = a
    for r in order:
        if r.id in env:
            continue
        if r.op == CONST:
            env[r.id] = builder.const(r.value)
        else:
            env[r.id] = builder.apply(r.op, [env[a.id] for a in r.args])
    return [None if a.op == CONST else env[r.id] for r, a in zip(rules, node.args)]


class Sweeps:
    """Symbolic tangent and adjoint sweeps over a list of operation nodes
    in evaluation order (a tape's steps, or a derivative DAG's postorder).
    Partials are instantiated once per node and shared by every sweep."""

    def __init__(self, builder: Builder, steps: Sequence[Node]) -> None:
        self.b = builder
        self.steps = steps
        self._partials: dict[int, list[Node | None]] = {}
        # partial node id → (its operation node, argument index)
        self.partial_of: dict[int, tuple[Node, int]] = {}
        self._seconds: dict[int, list[Node | None]] = {}

    def partials(self, node: Node) -> list[Node | None]:
        """The partials of ``node``; a partial that is the constant 0 (sign's,
        or a product's by a zero constant) is None: a structural zero, so no
        term through it is ever built (no ``ω̄·0`` statement is emitted)."""
        got = self._partials.get(node.id)
        if got is None:
            got = self._partials[node.id] = [
                None if p is not None and _is_zero_const(p) else p
                for p in partials(self.b, node)]
            if PRIMITIVES[node.op].second is not None:
                for i, p in enumerate(got):
                    if p is not None and p.op not in (CONST, VAR):
                        self.partial_of.setdefault(p.id, (node, i))
        return got

    def _through(self, node):
        """(arguments, partials) a tangent goes through: a partial of a
        primitive with hand-written second partials (hypot, atan, atan2) is
        differentiated by those, as the interpreter's Hessian does, not by
        its rule's own DAG (x/h differentiated is 1/h − x²/h³, which cancels)."""
        origin = self.partial_of.get(node.id)
        if origin is None:
            return node.args, self.partials(node)
        owner, i = origin
        got = self._seconds.get(node.id)
        if got is None:
            got = self._seconds[node.id] = partials(
                self.b, owner, _second_rule(owner.op, i))
        return owner.args, got

    def tangent(self, seeds: Mapping[int, Node]) -> dict[int, Node]:
        """{node id: tangent node} for ``seeds`` {input node id: node}:
        ω̇ᵢ = Σⱼ ∂ωᵢ/∂ωⱼ · ω̇ⱼ, arguments in order (as the engine adds)."""
        b = self.b
        tan = dict(seeds)
        for node in self.steps:
            total = None
            for a, p in zip(*self._through(node)):
                t = tan.get(a.id)
                if t is None or p is None:
                    continue
                term = b.mul(p, t)
                total = term if total is None else b.add(total, term)
            if total is not None:
                tan[node.id] = total
        return tan

    def adjoint(self, seeds: Mapping[int, Node],
                on_term: Callable[[Node, Node, Node], None] | None = None) -> dict[int, Node]:
        """{node id: adjoint node} for ``seeds`` {output node id: node}:
        ω̄ⱼ += ω̄ᵢ · ∂ωᵢ/∂ωⱼ, steps in reverse (the engine's order of sums).
        ``on_term(arg, user, partial_sum)`` sees every accumulation."""
        b = self.b
        adj = dict(seeds)
        for node in reversed(self.steps):
            g = adj.get(node.id)
            if g is None:
                continue
            for a, p in zip(node.args, self.partials(node)):
                if p is None:
                    continue
                term = b.mul(g, p)
                prev = adj.get(a.id)
                adj[a.id] = term if prev is None else b.add(prev, term)
                if on_term is not None:
                    on_term(a, node, adj[a.id])
        return adj


def _is_zero_const(node):
    return node.op == CONST and node.value == 0.0


def operation_nodes(roots: Iterable[Node]) -> list[Node]:
    """The operation (non-leaf) nodes ``roots`` depend on, arguments first."""
    return [n for n in postorder(roots) if n.op not in (CONST, VAR)]


def count_operations(roots: Iterable[Node]) -> int:
    """How many operations computing ``roots`` takes, each shared one once."""
    return len(operation_nodes(roots))


def is_zero(node: Node | None) -> bool:
    return node is None


def choose(mode: str, n_outputs: int, n_wrt: int) -> str:
    return choose_mode(mode, n_outputs, n_wrt)


class Derivative:
    """First derivatives of a program's outputs as nodes of its graph.

    ``rows[k][j]`` is ∂(output k)/∂(wrt j): a node, or a zero constant."""

    def __init__(self, fn: FunctionLike, wrt: Names = None, mode: str = "auto",
                 inputs: Iterable[str] | None = None) -> None:
        self.fn = fn
        program = fn.program
        self.inputs = tuple(inputs) if inputs is not None else tuple(fn.inputs)
        self.tape = tape = Tape(program, self.inputs)
        self.wrt = list(fn._wrt(tape, wrt))
        self.mode = choose(mode, len(program.outputs), len(self.wrt))
        self.builder = b = Builder(program.graph)
        self.outputs = list(program.outputs)
        self.sweeps = Sweeps(b, [s.node for s in tape.steps])
        zero = b.const(0.0)
        var = {name: program.graph.var(name) for name in self.inputs}
        if self.mode == "forward":
            columns: list[list[Node]] = []
            for w in self.wrt:
                tan = self.sweeps.tangent({var[w].id: b.const(1.0)})
                columns.append([tan.get(o.id, zero) for o in self.outputs])
            self.rows = [[col[k] for col in columns] for k in range(len(self.outputs))]
        else:
            self.rows = []
            for o in self.outputs:
                adj = self.sweeps.adjoint({o.id: b.const(1.0)})
                self.rows.append([adj.get(var[w].id, zero) for w in self.wrt])
        self.labels = [[_label(name, w) for w in self.wrt] for name in program.output_names]

    def roots(self) -> list[Node]:
        return [n for row in self.rows for n in row]


def _label(output, var):
    return derivative_label(output, var)
