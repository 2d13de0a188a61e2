"""A batch's sweeps over NumPy arrays: the generic sweeps
(:mod:`adcli.modes.generic`) in the NumPy number system, one vector
operation per ω step for a whole chunk of points, plus the one thing a
batch needs that they do not give: the rows to compute again one by one.

The scalar engine raises on a domain error and warns at kinks and on
overflow; over arrays a step off its domain quietly gives nan or ±inf and a
kink's convention is taken element by element.  :class:`VectorTape`
therefore *flags* every row where any step's value or partial is not finite
or where a step sits on its kink; the driver recomputes exactly those rows
with the scalar engine, which gives the exact message, warning or
convention.  Every other row agrees with the scalar engine to rounding (the
same operations in the same order; NumPy's elementary functions may differ
from the C library's in the last bit).

This was a second, hand-written set of sweeps until it measured no faster
than the generic ones (``python -m bench --only batch``, rows "VectorTape
gradient"); now there is one sweep per mode (issue 10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..modes import generic
from ..numsys import numpy_arrays

if TYPE_CHECKING:
    from ..graph.tape import Tape
    from ..primitives import Primitive

# a column of numbers, one per point: an array of n, or one float for all
Column = Any  # np.ndarray | float (NumPy's scalar and array types mix freely here)
# points to recompute with the scalar engine: a boolean array of n, or None for none
Mask = np.ndarray | None

# The NumPy functions, helpers, fused rules and kink tests are the NumPy
# number system's (adcli/numsys.py), the one the generic engine runs in.
ARRAYS = numpy_arrays()


def kink_mask(prim: Primitive, args: list[Column], n: int) -> np.ndarray:
    """Boolean array of length n: rows where ``prim`` sits on its kink."""
    return np.broadcast_to(ARRAYS.kink_mask(prim, args), (n,))


class VectorTape:
    """A :class:`~adcli.graph.tape.Tape` swept over arrays of points, with
    the rows to recompute flagged."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape
        # ω number → step, for the steps whose kink a linearisation may meet
        self.kinks = {tape.omega(s.slot): s for s in tape.steps
                      if s.prim.kink is not None and any(map(tape.is_active, s.args))}

    def primal(self, columns: Sequence[Column], n: int) -> tuple[list[np.ndarray], Mask]:
        """Values of the output slots, and a mask of rows to recompute with
        the scalar engine (a value that is not finite somewhere)."""
        tape = self.tape
        with ARRAYS.ieee():
            vals, _ = generic.primal(ARRAYS, tape, list(columns))
            bad: Mask = None
            for v in vals[tape.first_step:]:
                bad = _flag(bad, v, n)
        return [np.broadcast_to(vals[o], (n,)) for o in tape.outputs], bad

    def linearize(self, columns: Sequence[Column], n: int) -> tuple[generic.Linearization, Mask]:
        """Values and per-step partials (``generic.linearize``), and the rows
        to recompute: a value or partial not finite, or a step on its kink."""
        tape = self.tape
        with ARRAYS.ieee():
            lin = generic.linearize(ARRAYS, tape, list(columns))
            bad: Mask = None
            for v in lin.values[tape.first_step:]:
                bad = _flag(bad, v, n)
            for ps in lin.partials:
                for p in ps:
                    if not isinstance(p, float):
                        bad = _flag(bad, p, n)
            # a kink met at some row left its warning: only those steps need a mask
            for omega in {w.step for w in lin.warnings if w.kind == "kink"}:
                step = self.kinks.get(omega)
                if step is not None:
                    mask = kink_mask(step.prim, [lin.values[a] for a in step.args], n)
                    bad = mask.copy() if bad is None else bad | mask
        return lin, bad

    def values(self, lin: generic.Linearization, n: int) -> list[np.ndarray]:
        """The outputs' values, one array of n each."""
        return [np.broadcast_to(lin.values[o], (n,)) for o in self.tape.outputs]

    def reverse(self, lin: generic.Linearization, wrt_slots: Sequence[int],
                n: int) -> list[list[np.ndarray]]:
        """Rows of the Jacobian, one per output: [[∂out/∂w for w in wrt]],
        by one adjoint sweep per output."""
        m = len(self.tape.outputs)
        return [self.adjoint(lin, [1.0 if j == k else 0.0 for j in range(m)], wrt_slots, n)
                for k in range(m)]

    def adjoint(self, lin: generic.Linearization, weights: Sequence[float],
                wrt_slots: Sequence[int], n: int) -> list[np.ndarray]:
        """One adjoint sweep from the outputs' cotangent ``weights``:
        [Σ weights·∂out/∂w for w in wrt] (uᵀ·J)."""
        with ARRAYS.ieee():
            adj = generic.reverse(lin, [list(weights)])[0]
            return [np.broadcast_to(adj[w] + 0.0, (n,)) for w in wrt_slots]

    def forward(self, lin: generic.Linearization, wrt_slots: Sequence[int],
                n: int) -> list[list[np.ndarray]]:
        """Rows of the Jacobian, one per output, by one tangent sweep per
        variable in ``wrt``."""
        size = self.tape.n_inputs
        cols = [self.tangent(lin, [1.0 if j == w else 0.0 for j in range(size)], n)
                for w in wrt_slots]
        return [[cols[j][i] for j in range(len(wrt_slots))]
                for i in range(len(self.tape.outputs))]

    def tangent(self, lin: generic.Linearization, direction: Sequence[float],
                n: int) -> list[np.ndarray]:
        """One tangent sweep along ``direction`` (one number per input):
        the derivative of each output along it (J·v)."""
        with ARRAYS.ieee():
            tan = generic.forward(lin, [[float(d) for d in direction]])[0]
            return [np.broadcast_to(tan[o] + 0.0, (n,)) for o in self.tape.outputs]


def _flag(bad: Mask, v: Column, n: int) -> Mask:
    """``bad`` with the points where ``v`` is not finite added."""
    if isinstance(v, float) and not isinstance(v, np.floating):
        return bad if math.isfinite(v) else np.ones(n, dtype=bool)
    fin = np.isfinite(v)
    if fin.all():
        return bad
    mask = np.broadcast_to(~fin, (n,))
    return mask.copy() if bad is None else bad | mask
