"""The tape's sweeps over NumPy arrays: one vector operation per ω step for
a whole chunk of points.

Everything comes from the primitives table through the NumPy number system
(:class:`adcli.numsys.NumpyArrays`): each primitive's ``np`` field names its
NumPy function, its fused value-and-partials function is compiled by the one
rule compiler (:func:`adcli.modes.rules.active_linearizer`) in that system,
and its kink test is the system's ``kink_mask``.  So a new table entry works
here with no other change (``tests/test_batch_backend.py`` checks every
entry).

The scalar engine raises on a domain error and warns at kinks and on
overflow; NumPy quietly produces nan/±inf instead.  :meth:`VectorTape.linearize`
therefore *flags* every row where any step's value or partial is not finite
or where a step sits on its kink; the driver recomputes exactly those rows
with the scalar engine, which gives the exact message, warning or
convention.  Every other row agrees with the scalar engine to rounding
(the same operations in the same order; NumPy's elementary functions may
differ from the C library's in the last bit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..modes.rules import active_linearizer
from ..numsys import numpy_arrays

if TYPE_CHECKING:
    from ..graph.tape import Tape
    from ..primitives import Primitive

# a column of numbers, one per point: an array of n, or one float for all
Column = Any  # np.ndarray | float (NumPy's scalar and array types mix freely here)
# points to recompute with the scalar engine: a boolean array of n, or None for none
Mask = np.ndarray | None
# one step: (its slot, argument slots, active argument slots, its NumPy function,
# its fused value-and-partials rule, its primitive)
VectorStep = tuple[int, tuple[int, ...], tuple[int, ...], Callable[..., Any],
                   Callable[..., Any], "Primitive"]

# The NumPy functions, helpers, fused rules and kink tests are the NumPy
# number system's (adcli/numsys.py), the one the generic engine runs in.
ARRAYS = numpy_arrays()


def kink_mask(prim: Primitive, args: list[Column], n: int) -> np.ndarray:
    """Boolean array of length n: rows where ``prim`` sits on its kink."""
    return np.broadcast_to(ARRAYS.kink_mask(prim, args), (n,))


def _is_one(p: Column) -> bool:
    return isinstance(p, float) and p == 1.0


def _is_zero(p: Column) -> bool:
    return isinstance(p, float) and p == 0.0 and math.copysign(1.0, p) > 0


class VectorTape:
    """A :class:`~adcli.graph.tape.Tape` evaluated over arrays of points."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape
        self.ns = ARRAYS.namespace()
        self.steps: list[VectorStep] = []
        for s in tape.steps:
            active = tuple(tape.is_active(a) for a in s.args)
            act = tuple(a for a in s.args if tape.is_active(a))
            self.steps.append((s.slot, s.args, act, self.ns[f"_f_{s.prim.key}"],
                               active_linearizer(ARRAYS, s.prim, active), s.prim))

    def _start(self, columns: Sequence[Column]) -> list[Column]:
        vals = list(columns)
        vals.extend(np.float64(c) for c in self.tape.consts)
        return vals

    def primal(self, columns: Sequence[Column], n: int) -> tuple[list[np.ndarray], Mask]:
        """Values of the output slots, and a mask of rows to recompute with
        the scalar engine (a value that is not finite somewhere)."""
        vals = self._start(columns)
        bad: Mask = None
        with np.errstate(all="ignore"):
            for _slot, args, _act, fn, _lin, _prim in self.steps:
                v = fn(*[vals[a] for a in args])
                vals.append(v)
                bad = _flag(bad, v, n)
        outs = [np.broadcast_to(vals[o], (n,)) for o in self.tape.outputs]
        return outs, bad

    def linearize(self, columns: Sequence[Column],
                  n: int) -> tuple[list[Column], list[tuple[Column, ...]], Mask]:
        """(values, per-step partials w.r.t. active args, rows to recompute)."""
        vals = self._start(columns)
        partials: list[tuple[Column, ...]] = []
        bad: Mask = None
        with np.errstate(all="ignore"):
            for _slot, args, act, _fn, lin, prim in self.steps:
                argv = [vals[a] for a in args]
                res = lin(*argv)
                vals.append(res[0])
                partials.append(res[1:])
                bad = _flag(bad, res[0], n)
                for p in res[1:]:
                    if not isinstance(p, float):
                        bad = _flag(bad, p, n)
                if prim.kink is not None and act:
                    mask = kink_mask(prim, argv, n)
                    if mask.any():
                        bad = mask.copy() if bad is None else bad | mask
        return vals, partials, bad

    def reverse(self, vals: list[Column], partials: list[tuple[Column, ...]],
                wrt_slots: Sequence[int], n: int) -> list[list[np.ndarray]]:
        """Rows of the Jacobian, one per output: [[∂out/∂w for w in wrt]]."""
        return [self.adjoint(partials, {out: 1.0}, wrt_slots, n) for out in self.tape.outputs]

    def adjoint(self, partials: list[tuple[Column, ...]], seed: dict[int, float],
                wrt_slots: Sequence[int], n: int) -> list[np.ndarray]:
        """One adjoint sweep from ``seed`` ({slot: weight}, the outputs'
        cotangent): [Σ seed·∂slot/∂w for w in wrt] (uᵀ·J)."""
        adj: dict[int, Column] = dict(seed)
        with np.errstate(all="ignore"):
            for k in range(len(self.steps) - 1, -1, -1):
                slot, _args, act, _fn, _lin, _prim = self.steps[k]
                g = adj.get(slot)
                if g is None:
                    continue
                for a, p in zip(act, partials[k], strict=False):
                    if _is_zero(p):
                        continue
                    c = g if _is_one(p) else (-g if isinstance(p, float) and p == -1.0
                                              else g * p)
                    prev = adj.get(a)
                    adj[a] = c if prev is None else prev + c
            return [np.broadcast_to(adj.get(w, 0.0) + 0.0, (n,)) for w in wrt_slots]

    def forward(self, vals: list[Column], partials: list[tuple[Column, ...]],
                wrt_slots: Sequence[int], n: int) -> list[list[np.ndarray]]:
        """Rows of the Jacobian, one per output, by one tangent sweep per
        variable in ``wrt``."""
        cols = [self.tangent(partials, {w: 1.0}, n) for w in wrt_slots]
        return [[cols[j][i] for j in range(len(wrt_slots))]
                for i in range(len(self.tape.outputs))]

    def tangent(self, partials: list[tuple[Column, ...]], seed: dict[int, float],
                n: int) -> list[np.ndarray]:
        """One tangent sweep from ``seed`` ({input slot: its direction}):
        the derivative of each output along it (J·v)."""
        tan: dict[int, Column] = dict(seed)
        with np.errstate(all="ignore"):
            for k, (slot, _args, act, _fn, _lin, _prim) in enumerate(self.steps):
                t: Column = None
                for a, p in zip(act, partials[k], strict=False):
                    ta = tan.get(a)
                    if ta is None:
                        continue
                    c = p if _is_one(ta) else ta * p
                    t = c if t is None else t + c
                if t is not None:
                    tan[slot] = t
            return [np.broadcast_to(tan.get(o, 0.0) + 0.0, (n,)) for o in self.tape.outputs]


def _flag(bad: Mask, v: Column, n: int) -> Mask:
    """``bad`` with the points where ``v`` is not finite added."""
    if isinstance(v, float) and not isinstance(v, np.floating):
        return bad if math.isfinite(v) else np.ones(n, dtype=bool)
    fin = np.isfinite(v)
    if fin.all():
        return bad
    mask = np.broadcast_to(~fin, (n,))
    return mask.copy() if bad is None else bad | mask
