"""A parsed program: its DAG, its outputs and its free variables."""

from __future__ import annotations

from .dag import Graph, Node


class Program:
    """What the parser produces.

    ``outputs`` are DAG nodes in the order the user wrote them;
    ``output_names`` label them (``f``, or ``f1``, ``f2``…, or the name a
    bare output statement refers to); ``free`` lists the variables read
    before any assignment, in order of first appearance: the inputs.
    """

    __slots__ = ("source", "graph", "outputs", "output_names", "free", "free_spans")

    def __init__(self, source: str, graph: Graph, outputs: list[Node], output_names: list[str],
                 free: list[str], free_spans: dict[str, tuple[int, int]]) -> None:
        self.source = source
        self.graph = graph
        self.outputs = outputs
        self.output_names = output_names
        self.free = free
        self.free_spans = free_spans

    def __repr__(self):
        return f"Program({self.source!r}: {len(self.outputs)} outputs, inputs {self.free})"
