"""``adcli codegen --sparse``: code for the nonzeros only.

The kernel's derivative groups become the nonzeros of the Jacobian
(``Jnz``) or of the Hessian (``Hnz``), computed as the interpreter's sparse
drivers compute them (:mod:`adcli.sparse.drivers`): one symbolic sweep per
colour of the same colouring, seeded with the sum of that colour's unit
vectors, then the same decompression.  Their coordinates are constants of
the generated file (``NAME_Jnz_rows``/``_cols``, ``NAME_Hnz_rows``/``_cols``;
0-based, the order of the interpreter's triplets), so the code computes
``nnz`` numbers where the dense code computes m·n or n².
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from ..graph.dag import Node
from ..graph.tape import Tape
from ..numtext import derivative_label
from ..sparse import drivers as D
from ..sparse.colouring import n_colours
from .symbolic import Builder, Sweeps

# The coordinates of a sparse group: (rows, cols, (m, n)), 0-based
Triplets = tuple[list[int], list[int], tuple[int, int]]
# What a sparse group adds to the kernel: its nodes, their labels, their coordinates
SparseGroup = tuple[list[Node], list[str], Triplets]


class SweepKernel(Protocol):
    """What the sparse groups read of a :class:`~adcli.codegen.kernel.Kernel`
    (which imports this module: a protocol, not an import)."""

    builder: Builder
    tape: Tape
    var: list[Node]
    inputs: tuple[str, ...]
    outputs: list[str]
    mode: str

    @property
    def triplets(self) -> Mapping[str, Triplets]: ...

    def _tangent(self, seeds: Mapping[int, Node], s: int, n_sweeps: int
                 ) -> dict[int, Node]: ...

    def _adjoint(self, seeds: Mapping[int, Node], s: int, n_sweeps: int
                 ) -> dict[int, Node]: ...


def sparse_jacobian(kernel: SweepKernel, values: Sequence[Node], zero: Node) -> SparseGroup:
    """(nodes, labels, (rows, cols, shape)) of the Jacobian's nonzeros;
    sets ``kernel.mode`` to the sweeps' direction."""
    b = kernel.builder
    idx = list(range(len(kernel.var)))
    used, colours, row_sets = D.jacobian_plan(kernel.tape, idx, kernel.mode)
    kernel.mode = used
    k = n_colours(colours)
    entries = [(r, c) for r, cs in enumerate(row_sets) for c in sorted(cs)]
    one = b.const(1.0)
    sweeps: list[dict[int, Node]] = []
    seeds: dict[int, Node]
    if used == "forward":
        for s in range(k):
            seeds = {v.id: one for v, col in zip(kernel.var, colours) if col == s}
            sweeps.append(kernel._tangent(seeds, s + 1, k))
        nodes = [sweeps[colours[c]].get(values[r].id, zero) for r, c in entries]
    else:
        for s in range(k):
            seeds = {}
            for o, col in zip(values, colours):
                if col == s:
                    seeds[o.id] = one if o.id not in seeds else b.add(seeds[o.id], one)
            sweeps.append(kernel._adjoint(seeds, s + 1, k))
        nodes = [sweeps[colours[r]].get(kernel.var[c].id, zero) for r, c in entries]
    labels = [derivative_label(kernel.outputs[r], kernel.inputs[c]) for r, c in entries]
    rows, cols = [r for r, _ in entries], [c for _, c in entries]
    return nodes, labels, (rows, cols, (len(values), len(idx)))


def sparse_hessian(kernel: SweepKernel, output: int, grad: Sequence[Node], second: Sweeps,
                   zero: Node) -> SparseGroup:
    """(nodes, labels, (rows, cols, shape)) of the Hessian's nonzeros, both
    triangles, by one tangent sweep per star colour over the gradient's DAG."""
    b = kernel.builder
    n = len(kernel.var)
    full, colours = D.hessian_plan(kernel.tape, output, list(range(n)))
    one, half = b.const(1.0), b.const(0.5)
    products: list[list[Node]] = []
    for s in range(n_colours(colours)):
        tan = second.tangent({v.id: one for v, col in zip(kernel.var, colours) if col == s})
        products.append([tan.get(g.id, zero) for g in grad])
    diagonal = [i in full[i] for i in range(n)]
    adj = [a - {i} for i, a in enumerate(full)]
    rows, cols, nodes = D.decompress_star(adj, colours, products, diagonal,
                                          average=lambda p, q: b.mul(b.add(p, q), half))
    name = kernel.outputs[0]
    labels = [f"d2{name}/d{kernel.inputs[i]}d{kernel.inputs[j]}" for i, j in zip(rows, cols)]
    return nodes, labels, (rows, cols, (n, n))


def triplet_lines(kernel: SweepKernel, name: str, lang: str) -> list[str]:
    """The constant coordinate arrays of the sparse groups, in ``lang``."""
    out = []
    for group, (rows, cols, shape) in kernel.triplets.items():
        for what, ints in (("rows", rows), ("cols", cols), ("shape", shape[:2])):
            out.append(_int_array(f"{name}_{group}_{what}", ints, lang))
    return out + [""] if out else out


def _int_array(var: str, ints: Collection[int], lang: str) -> str:
    """A constant array of integers named ``var``, in ``lang``."""
    items = ", ".join(map(str, ints))
    if lang == "c":
        return f"const int {var}[{max(len(ints), 1)}] = {{{items or '0'}}};"
    if lang == "js":
        return f"export const {var} = [{items}];"
    return f"{var} = ({items}{',' if len(ints) == 1 else ''})"
