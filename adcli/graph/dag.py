"""Hash-consed expression DAG.

A :class:`Graph` hands out :class:`Node` objects and never makes two equal
ones: ``sin(x)*sin(x)`` holds a single ``sin`` node, so it is evaluated and
differentiated once.  Each node remembers where it first appeared in the
user's text (``span``) so errors can point at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..frozen import Frozen, init

CONST = "const"
VAR = "var"


class Node(Frozen):
    """One operation, constant or variable of the DAG.  Frozen
    (:mod:`adcli.frozen`), and compared by identity: the graph never makes
    two equal nodes.  Built by :func:`new_node`."""

    __slots__ = ("op", "args", "value", "name", "span", "id")
    op: str  # CONST, VAR or a primitive key
    args: tuple[Node, ...]  # the argument nodes
    value: Any  # the float, for CONST
    name: Any  # the variable's name, for VAR
    span: tuple[int, int] | None  # (start, end) offsets in the source, or None
    id: int

    def __init__(self, op: str, args: tuple[Node, ...], value: Any, name: Any,
                 span: tuple[int, int] | None, id: int) -> None:
        init(self, "op", op)
        init(self, "args", args)
        init(self, "value", value)
        init(self, "name", name)
        init(self, "span", span)
        init(self, "id", id)

    @property
    def is_const(self) -> bool:
        return self.op == CONST

    @property
    def is_var(self) -> bool:
        return self.op == VAR

    def __repr__(self):
        if self.op == CONST:
            return f"Node(const {self.value!r})"
        if self.op == VAR:
            return f"Node(var {self.name})"
        return f"Node({self.op} #{self.id} of {[a.id for a in self.args]})"


class _OpenNode(Frozen):
    """A :class:`Node` in the making: the same layout, assignable, and a
    Node once its ``__init__`` returns (it sets ``__class__``, which CPython
    allows between two subclasses of one base with the same slots).  With
    object's own ``__setattr__`` and ``__delattr__`` it stores as fast as a
    plain class; ``Node.__init__`` stores through ``object.__setattr__``
    calls, ~4x slower per object (python -m bench.frozen_classes): the
    parse of the 90,000-node Rosenbrock n=10,000 formula took 160 ms
    instead of 125."""

    __slots__ = ("op", "args", "value", "name", "span", "id")
    # object's own: CPython then stores without calling Python code
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__  # type: ignore[assignment]

    def __init__(self, op: str, args: tuple[Node, ...], value: Any, name: Any,
                 span: tuple[int, int] | None, id: int) -> None:
        self.op = op
        self.args = args
        self.value = value
        self.name = name
        self.span = span
        self.id = id
        self.__class__ = Node  # type: ignore[assignment]  # frozen from here on


# ``new_node(op, args, value, name, span, id)`` is a Node (see _OpenNode)
new_node: Callable[[str, tuple[Node, ...], Any, Any, tuple[int, int] | None, int], Node]
new_node = _OpenNode  # type: ignore[assignment]


class Graph:
    """A hash-consing table of nodes."""

    def __init__(self) -> None:
        self._table: dict[tuple, Node] = {}
        self.nodes: list[Node] = []

    def _make(self, key, op, args, value, name, span):
        node = self._table.get(key)
        if node is None:
            node = new_node(op, args, value, name, span, len(self.nodes))
            self._table[key] = node
            self.nodes.append(node)
        return node

    def const(self, value: float, span: tuple[int, int] | None = None) -> Node:
        value = float(value)
        # Key by value, except where == is not identity: 0.0 vs -0.0, and nan.
        key = (CONST, value) if value and value == value else (CONST, repr(value))
        return self._make(key, CONST, (), value, None, span)

    def var(self, name: str, span: tuple[int, int] | None = None) -> Node:
        return self._make((VAR, name), VAR, (), None, name, span)

    def apply(self, op: str, args: tuple[Node, ...],
              span: tuple[int, int] | None = None) -> Node:
        key = (op, args[0].id, args[1].id) if len(args) == 2 else (op, args[0].id)
        node = self._table.get(key)
        if node is None:
            node = new_node(op, tuple(args), None, None, span, len(self.nodes))
            self._table[key] = node
            self.nodes.append(node)
        return node


def postorder(roots: Iterable[Node]) -> list[Node]:
    """Every node reachable from ``roots`` once, arguments before users,
    arguments visited left to right.  Iterative: formulas nest 10,000 deep."""
    seen = set()
    order = []
    for root in roots:
        if root.id in seen:
            continue
        stack = [(root, 0)]
        while stack:
            node, i = stack.pop()
            if i < len(node.args):
                stack.append((node, i + 1))
                child = node.args[i]
                if child.id not in seen:
                    stack.append((child, 0))
            elif node.id not in seen:
                seen.add(node.id)
                order.append(node)
    return order
