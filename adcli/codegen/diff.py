"""``adcli diff``: the derivative as an adcli program."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..collector import without_gc
from . import text
from .symbolic import Derivative, count_operations, operation_nodes

if TYPE_CHECKING:
    from ..arguments import FunctionLike, Names


class DiffResult:
    """The derivative of a function as text.

    ``wrt`` the variables; ``mode`` forward or reverse (which sweep built
    it); ``labels``/``roots`` one per (output, variable), row-major;
    ``programs`` a standalone adcli program per partial; ``size`` and
    ``formula_size`` operation counts (shared subexpressions once)."""

    @without_gc  # a DAG node per term, and no cycles: spare the cyclic collector
    def __init__(self, fn: FunctionLike, wrt: Names = None, mode: str = "auto") -> None:
        d = Derivative(fn, wrt, mode)
        self.fn = fn
        self.wrt = d.wrt
        self.mode = d.mode
        self.outputs = list(fn.outputs)
        self.labels = [label for row in d.labels for label in row]
        self.roots = d.roots()
        self.rows = d.rows
        self.taken = set(fn.inputs)
        self.size = count_operations(self.roots)
        self.formula_size = len(operation_nodes(fn.program.outputs))

    def program(self) -> str:
        """All partials as one program (valid adcli input), row-major."""
        return text.program(self.roots, self.taken)

    def partial_program(self, k: int) -> str:
        return text.program([self.roots[k]], self.taken)

    def plain(self) -> str:
        if len(self.roots) == 1:
            return self.program()
        return text.labelled(self.roots, self.labels, "ascii", self.taken)

    def latex(self) -> str:
        return text.labelled(self.roots, self.labels, "latex", self.taken)

    def as_json(self) -> dict[str, Any]:
        n = len(self.wrt)
        per_output = [{w: self.partial_program(k * n + j) for j, w in enumerate(self.wrt)}
                      for k in range(len(self.outputs))]
        obj: dict[str, Any] = {"wrt": list(self.wrt),
               "derivatives": per_output[0] if len(per_output) == 1 else per_output}
        if len(per_output) > 1:
            obj["outputs"] = list(self.outputs)
        obj.update({"labels": self.labels, "program": self.program(), "mode": self.mode,
                    "operations": self.size, "formula_operations": self.formula_size})
        return obj


def derivative_function(fn: FunctionLike, wrt: Names = None, mode: str = "auto") -> Any:
    """The derivative of ``fn`` as a new :class:`adcli.api.Function` whose
    outputs are the partials (labelled ``df/dx``), row-major."""
    res = DiffResult(fn, wrt, mode)
    function: Any = type(fn)  # adcli.Function (no import of the API from below it)
    out = function(res.program())
    out.outputs = tuple(res.labels)
    out.program.output_names = list(res.labels)
    return out
