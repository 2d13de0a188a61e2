"""The ``--points`` kernels of the commands that compute a point at a time
(hessian, taylor, partial, check, and the ``--sparse`` forms of grad and
hessian), and the vectorised ones of grad's J·v and uᵀ·J: for each, the
result columns a batch writes after the point's own columns (value, then
derivative columns), the cells of one result, and its single-point JSON.

Each function returns a *kernel factory* for :func:`adcli.batch.driver.run_points`:
``variables -> Kernel``, the variables being the input's columns.  ``eval``
and ``grad`` use the vectorised :class:`EvalKernel` and :class:`GradKernel`
of :mod:`adcli.batch.driver`, whose columns are laid out there.  Batches compute in
float64, so the commands' number-system options do not reach here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..arguments import cotangent_vector, direction_vector
from ..errors import DomainError
from ..higher import _output_index
from ..numtext import derivative_label
from ..render import higher_view as V
from ..render.check_view import check_json
from ..results import Cotangent, Directional
from .driver import (
    SCALAR_ROWS,
    Computed,
    EvalKernel,
    GradKernel,
    Kernel,
    PointKernel,
    _Vectorised,
)

if TYPE_CHECKING:
    import numpy as np

    from ..modes.generic import Linearization

KernelFactory = Callable[[Sequence[str]], Kernel]


def _point_kernels(columns, compute, cells, to_json, jit_spec=None) -> KernelFactory:
    """A factory of :class:`PointKernel`: ``columns(variables)`` names the
    result columns, ``compute(point)`` a result, ``cells(result)`` its row;
    ``jit_spec`` is what --jit compiles instead (adcli.codegen.jit)."""
    def make_kernel(variables):
        kernel = PointKernel(columns(list(variables)), compute, cells, to_json,
                             variables=list(variables))
        kernel.jit_spec = jit_spec
        return kernel

    return make_kernel


def _numbers_after_point(row):
    """A row's numbers: the rendered single-point row without the point's cells."""
    return lambda r: [float(c) for c in row(r)[len(r.point):]]


def _check_vectors(fn: Any, direction: Mapping[str, Any] | None = None,
                   cotangent: Mapping[str, Any] | Sequence[Any] | None = None,
                   wrt: list[str] | None = None) -> None:
    """The usage error of a direction, cotangent or ``wrt`` that every row
    would fail on (a name that is no input, a wrong length), raised before
    the input is read.  Names and lengths do not depend on the order of the
    input's columns, so the formula's own order checks them."""
    tape = fn.tape()
    if direction is not None:
        direction_vector(tape, direction)
    if cotangent is not None:
        cotangent_vector(fn, cotangent)
    fn._wrt(tape, wrt)


def values(fn: Any) -> KernelFactory:
    """``eval --points``: the value of each output (vectorised)."""
    return lambda variables: EvalKernel(fn, variables)


def gradient(fn: Any, wrt: list[str] | None, mode: str) -> KernelFactory:
    """``grad --points``: per output its value and derivatives (vectorised)."""
    return lambda variables: GradKernel(fn, variables, wrt, mode)


def hessian(fn: Any, wrt: list[str] | None, output: int | str | None,
            direction: Mapping[str, Any] | None) -> KernelFactory:
    """``hessian --points``: f, its gradient, then the Hessian (row-major),
    or H·v along ``direction``."""
    name = fn.outputs[_output_index(fn, output)]

    def columns(variables):
        names = wrt or variables
        cols = [name] + [derivative_label(name, a) for a in names]
        if direction is not None:
            return cols + [V.hessian_label(name, a, "v") for a in names]
        return cols + [V.hessian_label(name, a, b) for a in names for b in names]

    def compute(point):
        return fn.hessian(point, wrt=wrt, output=output, direction=direction)

    spec = None
    if direction is None:  # --jit compiles the full Hessian only
        from ..codegen.jit import HessianSpec

        spec = HessianSpec(fn, wrt, output)
    _check_vectors(fn, direction=direction, wrt=wrt)
    return _point_kernels(columns, compute, _numbers_after_point(V.hessian_row),
                          V.hessian_json, jit_spec=spec)


def jvp(fn: Any, direction: Mapping[str, Any]) -> KernelFactory:
    """``grad --dir --points``: the values, then J·v (``df/dv``) of each
    output, along the one direction given for every row (vectorised)."""
    _check_vectors(fn, direction=direction)
    return lambda variables: JvpKernel(fn, variables, direction)


def vjp(fn: Any, cotangent: Mapping[str, Any] | Sequence[Any],
        wrt: list[str] | None) -> KernelFactory:
    """``grad --cotangent --points``: the values, then uᵀ·J (``d(u.f)/dx``
    per variable of ``wrt``), for the one cotangent given for every row
    (vectorised)."""
    _check_vectors(fn, cotangent=cotangent, wrt=wrt)
    return lambda variables: VjpKernel(fn, variables, cotangent, wrt)


class _Product(_Vectorised):
    """J·v or uᵀ·J over a chunk: one linearisation, then one tangent or
    adjoint sweep over NumPy arrays; the rows it flags (not finite, on a
    kink) through the scalar engine, as ``grad --points`` does."""

    def __init__(self, fn: Any, variables: Iterable[str], labels: list[str]) -> None:
        super().__init__(fn, variables)
        self.columns: list[str] = self.outputs + labels

    def compute(self, X: np.ndarray, skip: Collection[int]) -> Computed:
        import numpy as np

        if X.shape[0] < SCALAR_ROWS:
            return self._pointwise(X, skip)
        cols, n = self._columns(X)
        lin, bad = self.vt.linearize(cols, n)
        V = np.empty((n, len(self.columns)))
        for j, value in enumerate(self.vt.values(lin, n)):
            V[:, j] = value
        for j, d in enumerate(self._sweep(lin, n), start=len(self.outputs)):
            V[:, j] = d
        errors: dict[int, str] = {}
        warnings: dict[int, list[str]] = {}
        self._recompute(bad, skip, V, errors, warnings, X, self._one)
        return V, errors, warnings

    def _sweep(self, lin: Linearization, n: int) -> list[np.ndarray]:
        raise NotImplementedError

    def _one(self, point: dict[str, float]) -> tuple[list[float], list[str]]:
        raise NotImplementedError


class JvpKernel(_Product):
    def __init__(self, fn: Any, variables: Iterable[str], direction: Mapping[str, Any]) -> None:
        super().__init__(fn, variables, [f"d{n}/dv" for n in fn.outputs])
        self.direction = direction
        self.vector = direction_vector(self.tape, direction)  # input slots are 0, 1, …

    def _sweep(self, lin: Linearization, n: int) -> list[np.ndarray]:
        return self.vt.tangent(lin, self.vector, n)

    def _one(self, point: dict[str, float]) -> tuple[list[float], list[str]]:
        res = self.fn.jvp(point, self.direction)
        return list(res.values) + list(res.derivatives), [w.message for w in res.warnings]

    def json_obj(self, cells: Sequence[float], point: dict[str, float], warnings: list[str],
                 row: int | None = None) -> dict[str, Any]:
        m = len(self.outputs)
        res = Directional(self.outputs, list(cells[:m]),
                          dict(zip(self.tape.inputs, self.vector, strict=True)),
                          list(cells[m:]), [], point)
        return {**V.jvp_json(res), "warnings": list(warnings)}


class VjpKernel(_Product):
    def __init__(self, fn: Any, variables: Iterable[str],
                 cotangent: Mapping[str, Any] | Sequence[Any], wrt: list[str] | None) -> None:
        super().__init__(fn, variables, [])
        self.wrt = fn._wrt(self.tape, wrt)
        self.columns = self.outputs + [f"d(u.f)/d{v}" for v in self.wrt]
        self.cotangent = cotangent
        self.weights = cotangent_vector(fn, cotangent)
        slot_of = {name: k for k, name in enumerate(self.tape.inputs)}
        self.wrt_slots = [slot_of[w] for w in self.wrt]

    def _sweep(self, lin: Linearization, n: int) -> list[np.ndarray]:
        return self.vt.adjoint(lin, self.weights, self.wrt_slots, n)

    def _one(self, point: dict[str, float]) -> tuple[list[float], list[str]]:
        res = self.fn.vjp(point, self.cotangent, wrt=self.wrt)
        return (list(res.values) + [res.gradient[w] for w in self.wrt],
                [w.message for w in res.warnings])

    def json_obj(self, cells: Sequence[float], point: dict[str, float], warnings: list[str],
                 row: int | None = None) -> dict[str, Any]:
        m = len(self.outputs)
        res = Cotangent(self.outputs, list(cells[:m]),
                        dict(zip(self.outputs, self.weights, strict=True)),
                        dict(zip(self.wrt, cells[m:], strict=True)), [], point)
        return {**V.vjp_json(res), "warnings": list(warnings)}


def taylor(fn: Any, order: int, direction: Mapping[str, Any] | None,
           wrt: list[str] | None) -> KernelFactory:
    """``taylor --points``: per output c0…cK, then d0…dK (``name.`` before
    each when there are several outputs)."""
    multi = len(fn.outputs) > 1

    def columns(variables):
        cols = []
        for name in fn.outputs:
            pre = f"{name}." if multi else ""
            cols += [f"{pre}c{k}" for k in range(order + 1)]
            cols += [f"{pre}d{k}" for k in range(order + 1)]
        return cols

    _check_vectors(fn, direction=direction)

    def compute(point):
        return fn.taylor(point, order, direction=direction, wrt=wrt)

    return _point_kernels(columns, compute, _numbers_after_point(V.taylor_row),
                          V.taylor_json)


def partial(fn: Any, wrt: list[str]) -> KernelFactory:
    """``partial --points``: the values, then the partial of each output."""
    def columns(variables):
        return list(fn.outputs) + [V.partial_label(n, wrt) for n in fn.outputs]

    def cells(r):
        return [float(c) for c in list(r.values) + list(r.partials)]

    return _point_kernels(columns, lambda point: fn.partial(point, wrt), cells,
                          V.partial_json)


def check(fn: Any, wrt: list[str] | None) -> KernelFactory:
    """``check --points``: one summary row per point, the values and per
    derivative AD, central FD and relative error.  A point where AD and FD
    disagree or that sits on a kink is a failed row whose error names the
    verdict and the ω step, so the batch exits 1."""
    def columns(variables):
        cols = list(fn.outputs)
        for out in fn.outputs:
            for var in wrt or variables:
                d = derivative_label(out, var)
                cols += [d, f"fd:{d}", f"relerr:{d}"]
        return cols

    def compute(point):
        result = fn.check(point, wrt=wrt)
        if not result.ok:
            where = f" at ω{result.step}" if result.step is not None else ""
            raise DomainError(f"{result.verdict}{where}: {result.summary or result.reason}",
                              step=result.step)
        return result

    def cells(result):
        out = list(result.values)
        for r in result.rows:
            out += [r.ad, r.fd, r.relerr]
        return out

    def make_kernel(variables):  # the driver fills in the variables
        return PointKernel(columns(list(variables)), compute, cells, check_json)

    return make_kernel


# --- --sparse: one pattern and colouring, the nonzeros as columns -------------------

def sparse_hessian(fn: Any, wrt: list[str] | None, output: int | str | None) -> KernelFactory:
    """``hessian --sparse --points``: a row per point with the value, the
    gradient and the Hessian's nonzeros (upper triangle) as columns; the
    pattern and colouring are computed once, for the header's variables."""
    from ..sparse import drivers as D
    from ..sparse.formats import result_json

    k = _output_index(fn, output)
    name = fn.outputs[k]

    def upper(names, variables):
        tape = fn.tape(list(variables))
        idx = D._indices(tape, names)
        adj, _ = D.hessian_plan(tape, k, idx)
        diagonal = D.tape_hessian_adjacency(tape, k)
        return [(r, c) for r, a in enumerate(adj) for c in sorted(a) if c > r or
                (c == r and idx[r] in diagonal[idx[r]])]

    def columns(variables):
        names = wrt or list(variables)
        cols = [name] + [derivative_label(name, a) for a in names]
        return cols + [V.hessian_label(name, names[r], names[c])
                       for r, c in upper(names, variables)]

    def compute(point):
        return D.sparse_hessian(fn, point, wrt=wrt, output=k)

    def cells(res):
        m = res.matrix
        return ([res.values[0]] + list(res.gradient.values())
                + [v for r, c, v in zip(m.rows, m.cols, m.values) if c >= r])

    return _point_kernels(columns, compute, cells, result_json)


def sparse_grad(fn: Any, wrt: list[str] | None, mode: str) -> KernelFactory:
    """``grad --sparse --points``: the values, then the Jacobian's nonzeros."""
    from ..sparse import drivers as D
    from ..sparse.formats import result_json

    def columns(variables):
        tape = fn.tape(list(variables))
        names = wrt or list(variables)
        _, _, row_sets = D.jacobian_plan(tape, D._indices(tape, names), mode)
        return list(fn.outputs) + [derivative_label(fn.outputs[r], names[c])
                                   for r, cs in enumerate(row_sets) for c in sorted(cs)]

    def compute(point):
        return D.sparse_jacobian(fn, point, wrt=wrt, mode=mode)

    def cells(res):
        return list(res.values) + list(res.matrix.values)

    return _point_kernels(columns, compute, cells, result_json)
