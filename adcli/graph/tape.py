"""The tape: the DAG flattened into ω steps in evaluation order.

Slots hold every value a sweep needs: the inputs first (ω₁…ωₙ, in the
order the user gave them), then the constants (which are not ω steps), then
one slot per operation (ωₙ₊₁…ω_N), arguments before users.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..collector import enable_after_build
from ..errors import UsageError
from ..frozen import Frozen, init
from ..primitives import PRIMITIVES, Primitive
from .dag import CONST, VAR, Graph, Node
from .program import Program

T = TypeVar("T")


class Step(Frozen):
    """One ω step: ``slot`` = ``prim``(the values in the ``args`` slots).

    Frozen (:mod:`adcli.frozen`) slots, not a NamedTuple: the sweeps read
    ``step.args`` and ``step.prim`` per step, and a NamedTuple's field
    read is ~2.6x a slot's on CPython 3.11 (python -m bench.frozen_classes).
    Built by :func:`new_step`."""

    __slots__ = ("prim", "args", "node", "slot")
    prim: Primitive
    args: tuple[int, ...]  # argument slots
    node: Node  # the DAG node, for its source span
    slot: int

    def __init__(self, prim: Primitive, args: tuple[int, ...], node: Node, slot: int) -> None:
        init(self, "prim", prim)
        init(self, "args", args)
        init(self, "node", node)
        init(self, "slot", slot)


class _OpenStep(Frozen):
    """A :class:`Step` in the making (see :class:`adcli.graph.dag._OpenNode`):
    through ``Step.__init__``, the 80,000 steps of Rosenbrock n=10,000 took
    53 ms to build instead of 32."""

    __slots__ = ("prim", "args", "node", "slot")
    # object's own: CPython then stores without calling Python code
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__  # type: ignore[assignment]

    def __init__(self, prim: Primitive, args: tuple[int, ...], node: Node, slot: int) -> None:
        self.prim = prim
        self.args = args
        self.node = node
        self.slot = slot
        self.__class__ = Step  # type: ignore[assignment]  # frozen from here on


# ``new_step(prim, args, node, slot)`` is a Step (see _OpenStep)
new_step: Callable[[Primitive, tuple[int, ...], Node, int], Step]
new_step = _OpenStep  # type: ignore[assignment]


class Tape:
    """The ω steps of ``program`` for one order of its ``inputs``.

    Whatever a mode derives from the tape alone (a sweep plan, a sparsity
    pattern, …) lives in the tape's cache, through :meth:`cached`: computed
    once, dropped with the tape, never attached from outside (``__slots__``
    makes that an AttributeError)."""

    __slots__ = ("program", "inputs", "n_inputs", "input_index", "consts", "first_step",
                 "steps", "size", "outputs", "output_names", "const_slots", "_caches")

    def __init__(self, program: Program, inputs: Iterable[str]) -> None:
        import gc

        self._caches: dict[Callable[[Tape], Any], Any] = {}

        if gc.isenabled():  # a Step per node and no cycles: spare the collector
            gc.disable()
            try:
                self._build(program, inputs)
            finally:
                enable_after_build()
        else:
            self._build(program, inputs)

    def _build(self, program, inputs):
        self.program = program
        self.inputs = tuple(inputs)
        self.n_inputs = n = len(self.inputs)
        nodes = live_nodes(program.graph, program.outputs)
        # an input's slot by name: --wrt may name thousands of inputs
        self.input_index = input_slot = {name: i for i, name in enumerate(self.inputs)}
        slot_of = [0] * len(program.graph.nodes)
        consts = []
        for node in nodes:
            if node.op == VAR:
                if node.name not in input_slot:
                    raise _missing(program, node.name)
                slot_of[node.id] = input_slot[node.name]
            elif node.op == CONST:
                slot_of[node.id] = n + len(consts)
                consts.append(node.value)
        self.consts = consts
        self.first_step = slot = n + len(consts)
        steps = []
        append = steps.append
        for node in nodes:
            op = node.op
            if op == VAR or op == CONST:
                continue
            args = node.args
            if len(args) == 2:
                args = (slot_of[args[0].id], slot_of[args[1].id])
            else:
                args = (slot_of[args[0].id],)
            slot_of[node.id] = slot
            append(new_step(PRIMITIVES[op], args, node, slot))
            slot += 1
        self.steps = steps
        self.size = slot
        self.outputs = [slot_of[o.id] for o in program.outputs]
        self.output_names = list(program.output_names)
        self.const_slots = frozenset(range(n, self.first_step))

    def omega(self, slot: int) -> int | None:
        """The ω index (1-based) of a slot, or None for a constant."""
        if slot < self.n_inputs:
            return slot + 1
        if slot < self.first_step:
            return None
        return slot - self.first_step + self.n_inputs + 1

    def cached(self, build: Callable[[Tape], T]) -> T:
        """``build(self)``, computed on the first call and kept with the tape.

        The key is the function itself, so two modules cannot collide and the
        value's type is the function's return type.  Whatever is kept must
        depend on the tape alone (not on a point): a sweep plan, a pattern,
        a dict of per-output patterns filled in as they are asked for."""
        try:
            return self._caches[build]
        except KeyError:
            value = self._caches[build] = build(self)
            return value

    @property
    def depends_on_inputs(self) -> list[bool]:
        """Per slot: does it depend on an input (an exponent like ``1/2``
        does not)?  Computed once per tape."""
        return self.cached(_dependence)

    def is_active(self, slot: int) -> bool:
        return slot not in self.const_slots

    def __len__(self):
        return len(self.steps)


def _dependence(tape: Tape) -> list[bool]:
    dep = [True] * tape.n_inputs + [False] * (tape.first_step - tape.n_inputs)
    for step in tape.steps:
        dep.append(any(dep[a] for a in step.args))
    return dep


def live_nodes(graph: Graph, outputs: list[Node]) -> list[Node]:
    """The nodes the outputs depend on, in creation order.  Hash-consing
    creates arguments before their users, so this order is topological,
    and it follows the program's text (``a = sin(x)`` before its uses)."""
    nodes = graph.nodes
    live = bytearray(len(nodes))
    for o in outputs:
        live[o.id] = 1
    for node in reversed(nodes):
        if live[node.id]:
            for a in node.args:
                live[a.id] = 1
    if live.count(0) == 0:
        return nodes
    return [node for node in nodes if live[node.id]]


def _missing(program, name):
    span = program.free_spans.get(name)
    return UsageError(
        f"no value for the variable `{name}`",
        source=program.source, span=span,
        hint=f"give it with `point`, e.g. `point` {name}=1", params=("point",),
    )
