"""Compressed sweeps: one sweep per colour, then exact decompression.

Jacobian: the columns of one colour share no row, so a forward sweep seeded
with the sum of their unit vectors reads each Jᵣⱼ in row r of that sweep;
rows coloured the same way go through reverse sweeps.  The cheaper of the two
(fewer colours) is used, or the one ``mode`` asks for.

Hessian: forward-over-reverse Hessian-vector products H·s_c, one per colour
c of a star colouring; each nonzero Hᵢⱼ is read at row i of colour(j)'s
product where j is row i's only neighbour of that colour, or symmetrically.
Where both readings exist they are averaged as the dense Hessian averages
Hᵢⱼ and Hⱼᵢ, so the sparse Hessian equals the dense one bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..arguments import FunctionLike, Names, Point
from ..arguments import name_list as _names
from ..arguments import output_index as _output_index
from ..collector import without_gc
from ..errors import EvalWarning, UsageError
from ..graph.tape import Tape
from ..modes.engine import choose_mode, forward, linearize, reverse, solve
from ..numsys import FLOAT64, NumberSystem
from ..numsys import system as number_system
from . import colouring as C
from .pattern import Pattern, TapeStructure, hessian_adjacency, jacobian_pattern

if TYPE_CHECKING:
    from ..modes.hessian import SecondOrder

# Dense output turns into sparse output by itself below this density (and
# from this many entries on): stated in the output.
AUTO_DENSITY = 0.05
AUTO_MIN_ENTRIES = 10_000


class SparseMatrix:
    """Coordinates (0-based, row-major): ``rows``, ``cols``, ``values``,
    ``shape``, ``names`` (columns: the inputs in order), ``row_names``."""

    def __init__(self, rows: Iterable[int], cols: Iterable[int], values: Iterable[Any],
                 shape: tuple[int, int], names: Iterable[str], row_names: Iterable[str]) -> None:
        self.rows, self.cols, self.values = list(rows), list(cols), list(values)
        self.shape = tuple(shape)
        self.names, self.row_names = list(names), list(row_names)

    def triplets(self) -> tuple[list[int], list[int], list[float]]:
        """(rows, cols, values), as ``scipy.sparse.coo_array((v, (r, c)), shape)`` takes."""
        return self.rows, self.cols, self.values

    def to_scipy(self) -> Any:
        """A ``scipy.sparse.coo_array`` (needs SciPy)."""
        from scipy.sparse import coo_array

        return coo_array((self.values, (self.rows, self.cols)), shape=self.shape)

    def todense(self) -> list[list[float]]:
        m, n = self.shape
        out = [[0.0] * n for _ in range(m)]
        for r, c, v in zip(self.rows, self.cols, self.values):
            out[r][c] = v
        return out

    @property
    def nnz(self) -> int:
        return len(self.values)


class SparseResult:
    """A sparse Jacobian (``kind`` "jacobian") or Hessian ("hessian") and how
    it was computed: ``colours`` sweeps instead of ``dense_sweeps``."""

    def __init__(self, kind: str, matrix: SparseMatrix, values: list[Any], outputs: list[str],
                 gradient: dict[str, Any] | None, mode: str, method: str, colours: list[int],
                 dense_sweeps: int, warnings: list[EvalWarning], point: dict[str, Any],
                 system: NumberSystem | None = None) -> None:
        self.kind, self.matrix = kind, matrix
        self.values, self.outputs = values, outputs
        self.gradient = gradient  # {name: ∂f/∂name} for a Hessian, else None
        self.mode, self.method = mode, method
        self.colours = colours  # per column (forward), row (reverse) or input (Hessian)
        self.sweeps = C.n_colours(colours)
        self.dense_sweeps = dense_sweeps
        self.warnings, self.point = warnings, point
        self.system = system if system is not None else FLOAT64

    @property
    def value(self) -> Any:
        return self.values[0] if len(self.values) == 1 else self.values

    def __repr__(self):
        m = self.matrix
        return (f"SparseResult({self.kind}, shape={m.shape}, nnz={m.nnz}, "
                f"{self.sweeps} sweeps instead of {self.dense_sweeps})")


# --- patterns, cached on the tape ---------------------------------------------

def _structure(tape: Tape) -> TapeStructure:
    return tape.cached(TapeStructure)


def _jacobian_pattern(tape: Tape) -> Pattern:
    return jacobian_pattern(tape, _structure(tape))


@without_gc
def tape_jacobian_pattern(tape: Tape) -> Pattern:
    return tape.cached(_jacobian_pattern)


def _adjacency_by_output(tape: Tape) -> dict[int, list[set[int]]]:
    return {}


@without_gc
def tape_hessian_adjacency(tape: Tape, output: int) -> list[set[int]]:
    cache = tape.cached(_adjacency_by_output)
    if output not in cache:
        cache[output] = hessian_adjacency(tape, output, _structure(tape))
    return cache[output]


def _sub_adjacency(adj: list[set[int]], idx: list[int]) -> list[set[int]]:
    """The adjacency restricted to the inputs ``idx``, renumbered 0..len-1."""
    if idx == list(range(len(adj))):
        return adj
    where = {i: k for k, i in enumerate(idx)}
    return [{where[j] for j in adj[i] if j in where} for i in idx]


# --- Jacobian ---------------------------------------------------------------------

class JacobianPlan(NamedTuple):
    mode: str  # "forward" (colours of columns) or "reverse" (of rows)
    colours: list[int]
    row_sets: list[list[int]]  # per output, its pattern's columns among ``idx``


class HessianPlan(NamedTuple):
    adjacency: list[set[int]]  # per input of ``idx``, its pattern's neighbours
    colours: list[int]  # a star colouring of that graph


def jacobian_plan(tape: Tape, idx: list[int], mode: str = "auto") -> JacobianPlan:
    """(mode, colours, row sets restricted to ``idx``) for the cheaper colouring."""
    pat = tape_jacobian_pattern(tape)
    where = {i: k for k, i in enumerate(idx)}
    row_sets = [[where[c] for c in cs if c in where] for cs in pat.row_sets()]
    m, n = len(row_sets), len(idx)
    col_sets: list[list[int]] = [[] for _ in range(n)]
    for r, cs in enumerate(row_sets):
        for c in cs:
            col_sets[c].append(r)
    groups = {"forward": (row_sets, n), "reverse": (col_sets, m)}
    plans: dict[str, list[int]] = {}
    if mode == "auto":
        # A mode needs at least as many colours as its largest group: colour
        # the one with the smaller bound first, the other only if it can win
        # (a gradient's dense row would cost the forward colouring n²).
        bound = {k: max(map(len, g), default=0) for k, (g, _) in groups.items()}
        first, second = sorted(groups, key=lambda k: (bound[k], k))
        plans[first] = C.distance2_colouring(*groups[first])
        if bound[second] <= C.n_colours(plans[first]):
            plans[second] = C.distance2_colouring(*groups[second])
    else:
        plans[mode] = C.distance2_colouring(*groups[mode])
    if len(plans) == 2:
        f, r = C.n_colours(plans["forward"]), C.n_colours(plans["reverse"])
        used = "forward" if f < r else "reverse" if r < f else choose_mode("auto", m, n)
    else:
        (used,) = plans
    return JacobianPlan(used, plans[used], row_sets)


@without_gc  # millions of small acyclic objects: spare the cyclic collector
def tape_sparse_jacobian(tape: Tape, specs: list, idx: list[int], mode: str = "auto",
                         system: NumberSystem = FLOAT64) -> SparseResult:
    """Value(s) and the sparse Jacobian of ``tape``'s outputs with respect to
    its inputs ``idx`` at the point ``specs`` (input values, as bound by the
    API), in the number system ``system``."""
    names = [tape.inputs[i] for i in idx]
    used, colours, row_sets = jacobian_plan(tape, idx, mode)
    k = C.n_colours(colours)
    one, zero = system.one, system.zero
    m = len(tape.outputs)
    entries = [(r, c) for r, cs in enumerate(row_sets) for c in sorted(cs)]

    def compute(inputs: list) -> tuple[list, list]:
        lin = linearize(tape, inputs, system)
        flat = [lin.values[o] for o in tape.outputs]
        if used == "forward":
            seeds = [[zero] * tape.n_inputs for _ in range(k)]
            for c, i in enumerate(idx):
                seeds[colours[c]][i] = one
            tangents = forward(lin, seeds)
            flat += [tangents[colours[c]][tape.outputs[r]] for r, c in entries]
        else:
            seeds = [[zero] * m for _ in range(k)]
            for r, c in enumerate(colours):
                seeds[c][r] = one
            adjoints = reverse(lin, seeds)
            flat += [adjoints[colours[r]][idx[c]] for r, c in entries]
        return flat, lin.warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    tidy = (lambda d: d + 0.0) if system is FLOAT64 else (lambda d: d)  # -0.0 as dense
    vals = [tidy(d) for d in numbers[m:]]
    matrix = SparseMatrix([r for r, _ in entries], [c for _, c in entries], vals,
                          (m, len(idx)), names, tape.output_names)
    method = "column colouring" if used == "forward" else "row colouring"
    dense = len(idx) if used == "forward" else m
    return SparseResult("jacobian", matrix, numbers[:m], list(tape.output_names), None, used,
                        method, colours, dense, warnings, pt, system=system)


# --- Hessian ------------------------------------------------------------------------

def _indices(tape: Tape, names: Sequence[str]) -> list[int]:
    position = {name: i for i, name in enumerate(tape.inputs)}
    return [position[w] for w in names]


def _hessian_plans(tape: Tape) -> dict[tuple[int, tuple[int, ...]], HessianPlan]:
    return {}


@without_gc
def hessian_plan(tape: Tape, output: int, idx: list[int]) -> HessianPlan:
    """(adjacency over ``idx``, star colours), kept with the tape: a batch
    of points colours once."""
    cache = tape.cached(_hessian_plans)
    key = (output, tuple(idx))
    if key not in cache:
        adj = _sub_adjacency(tape_hessian_adjacency(tape, output), idx)
        cache[key] = HessianPlan(adj, C.star_colouring(adj))
    return cache[key]


def _needed_rows(so: SecondOrder, tape: Tape, output: int) -> list:
    """The rows a Hessian-vector product can touch: steps with nonzero second
    partials in the output's cone, and every step below them."""
    first = tape.first_step
    need = bytearray(tape.size)
    live = _structure(tape).cone(tape.outputs[output])
    for row, linear in zip(reversed(so.rows), reversed(so.linear)):
        slot = row[0]
        if need[slot] or (not linear and live[slot]):
            need[slot] = 1
            need[row[1]] = 1
            if row[2] >= 0:
                need[row[2]] = 1
    del first
    return [row for row in so.rows if need[row[0]]]


def decompress_star(adj: Sequence[set[int]], colours: Sequence[int],
                    products: Sequence[Sequence[Any]], diagonal: Sequence[bool], half: Any = 0.5,
                    average: Callable[[Any, Any], Any] | None = None,
                    ) -> tuple[list[int], list[int], list[Any]]:
    """Coordinates of the symmetric matrix from the products (products[c][i]:
    row i of H·s_c); ``diagonal[i]``: Hᵢᵢ is in the pattern.  Two direct
    readings a, b of one entry give (a + b)·half, or ``average(a, b)`` (the
    code generator's products are expressions)."""
    if average is None:
        def average(a: Any, b: Any) -> Any:
            return (a + b) * half
    # count[i][c]: row i's pattern columns of colour c
    count: list[dict[int, int]] = [{} for _ in adj]
    for i, nbrs in enumerate(adj):
        ci = count[i]
        for j in nbrs:
            if j != i:
                ci[colours[j]] = ci.get(colours[j], 0) + 1
    rows: list[int] = []
    cols: list[int] = []
    vals: list[Any] = []
    for i, nbrs in enumerate(adj):
        for j in sorted(nbrs | ({i} if diagonal[i] else set())):
            if i == j:
                v = products[colours[i]][i]
            else:
                a = products[colours[j]][i] if count[i][colours[j]] == 1 else None
                b = products[colours[i]][j] if count[j][colours[i]] == 1 else None
                if a is None and b is None:  # not a star colouring: a bug
                    raise AssertionError(f"H[{i}][{j}] cannot be recovered")
                v = b if a is None else a if b is None else average(a, b)
            rows.append(i)
            cols.append(j)
            vals.append(v)
    return rows, cols, vals


@without_gc
def tape_sparse_hessian(tape: Tape, specs: list, k: int, idx: list[int],
                        system: NumberSystem = FLOAT64) -> SparseResult:
    """Value, gradient and sparse Hessian of ``tape``'s output ``k`` (0-based)
    with respect to its inputs ``idx`` at the point ``specs`` (input values,
    as bound by the API), in the number system ``system``."""
    from ..modes.hessian import SecondOrder, second_order_warnings
    from .second import second_order

    names = [tape.inputs[i] for i in idx]
    full, colours = hessian_plan(tape, k, idx)
    diagonal = [i in full[i] for i in range(len(idx))]
    adj = [a - {i} for i, a in enumerate(full)]
    one, zero = system.one, system.zero
    state: dict[str, tuple[list[int], list[int]]] = {}

    def compute(inputs: list) -> tuple[list, list]:
        if system is FLOAT64:
            so = second_order(tape, inputs)
        else:
            so = SecondOrder(tape, inputs, system)
        seed = [one if j == k else zero for j in range(len(tape.outputs))]
        adjoint = so.adjoints(seed)
        rows = _needed_rows(so, tape, k)
        products = []
        for c in range(C.n_colours(colours)):
            direction = [zero] * tape.n_inputs
            for v, i in enumerate(idx):
                if colours[v] == c:
                    direction[i] = one
            dot = so.hvp(adjoint, direction, rows)
            products.append([dot[i] for i in idx])
        rows_at, cols_at, entries = decompress_star(adj, colours, products, diagonal, one / 2)
        state["rc"] = rows_at, cols_at
        derivatives = [adjoint[i] for i in idx] + entries
        return ([so.values[tape.outputs[k]]] + derivatives,
                so.warnings + second_order_warnings(so, derivatives))

    numbers, warnings, pt = solve(system, tape, specs, compute)
    n = len(idx)
    r, c = state["rc"]
    matrix = SparseMatrix(r, c, numbers[1 + n:], (n, n), names, names)
    gradient = dict(zip(names, numbers[1:1 + n]))
    return SparseResult("hessian", matrix, numbers[:1], [tape.output_names[k]], gradient,
                        "forward-over-reverse", "star colouring", colours, n, warnings, pt,
                        system=system)


# --- the Python API's entry points --------------------------------------------------
# (documented in docs/sparse.md): the point, ``wrt``, ``output`` and the number
# system are read and checked here, as adcli.api and adcli.higher read them, and
# the sweeps above see only a tape, input values and input indices.

def sparse_jacobian(fn: FunctionLike, point: Point = None, *, wrt: Names = None,
                    mode: str = "auto", digits: int | None = None, exact: bool = False,
                    **kwargs: Any) -> SparseResult:
    """Value(s) and the sparse Jacobian of ``fn`` (an :class:`adcli.Function`),
    in float64 or with ``digits=N`` / ``exact=True``."""
    if mode not in ("auto", "forward", "reverse"):
        raise UsageError(f"unknown mode {mode!r}", hint="use forward, reverse or auto")
    system = number_system(digits, exact)
    tape, specs = fn._bind(point, kwargs, system)
    idx = _indices(tape, fn._wrt(tape, wrt))
    return tape_sparse_jacobian(tape, specs, idx, mode, system)


def sparse_hessian(fn: FunctionLike, point: Point = None, *, wrt: Names = None,
                   output: int | str | None = None, digits: int | None = None, exact: bool = False,
                   **kwargs: Any) -> SparseResult:
    """Value, gradient and sparse Hessian of one output of ``fn``, in
    float64 or with ``digits=N`` / ``exact=True``."""
    system = number_system(digits, exact)
    tape, specs = fn._bind(point, kwargs, system)
    k = _output_index(fn, output)
    idx = _indices(tape, fn._wrt(tape, _names(wrt)))
    return tape_sparse_hessian(tape, specs, k, idx, system)
