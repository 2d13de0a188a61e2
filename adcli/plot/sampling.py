"""f and its derivatives over arrays of points, in one vectorised sweep.

Taylor mode over NumPy arrays: adcli's Taylor sweep
(:func:`adcli.modes.taylor.sweep`) in the NumPy-array number system
(:class:`adcli.numsys.NumpyArrays`), every coefficient an array of samples,
so f, f′ … f⁽ᴷ⁾ at N points cost O(K²) array operations per tape step,
whatever N.  Each sample is what the scalar sweep gives at that point,
except that a point outside the domain is a nan (a gap in the plot) instead
of an error, and a pole is ±inf or a huge number (clipped by the plot).

Kinks (``abs`` at 0, ties in ``min``/``max``, the jump of ``sign``) come from
the table: where a kinked step's argument crosses its kink between two
samples, or sits on it, the plot breaks the derivative curves and marks the
place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..arguments import FunctionLike
from ..errors import UsageError
from ..graph.tape import Tape
from ..language.point import constant, split_pairs
from ..modes.engine import primal
from ..modes.taylor import expand
from ..numsys import numpy_arrays
from ..primitives import SLOPE, UNDEFINED


def taylor_arrays(tape: Tape, columns: Sequence[np.ndarray | float],
                  direction: Sequence[float], order: int,
                  ) -> tuple[list[list[Any]], list[Any]]:
    """Taylor coefficients 0 … order of every output along x + t·direction,
    at every sample at once (the engine's sweep in the NumPy-array number
    system): ``columns`` holds one array (or scalar) per input.  Returns
    (coefficient lists per output, every slot's values)."""
    system = numpy_arrays()
    with system.ieee():
        vals, _ = primal(tape, [system.number(c) for c in columns], system)
        coefs = expand(tape, vals, direction, order, system)
    return [row[:order + 1] for row in coefs], vals


# --- what to plot --------------------------------------------------------------

@dataclass
class Span:
    """One swept variable: ``name`` from ``lo`` to ``hi``."""

    name: str
    lo: float
    hi: float

    def grid(self, n: int) -> np.ndarray:
        xs = np.linspace(self.lo, self.hi, n)
        # put 0 exactly on the grid when linspace misses it by rounding, so
        # that a kink or a pole at 0 is seen where it is
        xs[np.abs(xs) < 1e-9 * (self.hi - self.lo) / max(n, 1)] = 0.0
        return xs


def parse_over(text: str) -> list[Span]:
    """``x=-2:2,y=-pi:pi`` → [Span]; bounds are constant expressions."""
    spans: list[Span] = []
    for piece, offset in split_pairs(text):
        name, eq, rest = piece.partition("=")
        name = name.strip()
        start = offset + len(piece) - len(piece.lstrip())
        where = (start, offset + len(piece))
        if not eq or ":" not in rest or not name:
            raise UsageError(f"`over` expects NAME=FROM:TO, not `{piece.strip()}`",
                             source=text, span=where, label="`over`", params=("over",),
                             hint="e.g. `over` x=-6:6 or `over` x=-2:2,y=-2:2")
        a_text, _, b_text = rest.partition(":")
        base = offset + piece.index("=") + 1
        lo = constant(a_text, text, base, "over")
        hi = constant(b_text, text, base + len(a_text) + 1, "over")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise UsageError(f"`over` {name}: the bounds must be finite numbers",
                             source=text, span=where, label="`over`", params=("over",))
        if not lo < hi:
            raise UsageError(f"`over` {name}={a_text.strip()}:{b_text.strip()} is empty: "
                             "FROM must be less than TO", source=text, span=where,
                             label="`over`", params=("over",),
                             hint=f"write `over` {name}={b_text.strip()}:{a_text.strip()}")
        if any(s.name == name for s in spans):
            raise UsageError(f"`over` names `{name}` twice", source=text, span=where,
                             label="`over`", params=("over",))
        spans.append(Span(name, lo, hi))
    if not spans:
        raise UsageError("`over` is empty", hint="e.g. `over` x=-6:6", params=("over",))
    if len(spans) > 2:
        raise UsageError(f"`over` sweeps {len(spans)} variables; a plot shows one or two",
                         source=text, label="`over`", params=("over",),
                         hint="fix the others with `at`, e.g. `at` z=0")
    return spans


# --- one variable: f, f′, … over a line ---------------------------------------

@dataclass
class Kink:
    """Where a kinked step's argument crosses its kink: ``x``, what it is."""

    x: float
    what: str
    jump: bool  # f itself jumps here (sign), not only its derivatives


@dataclass
class Curves:
    """Samples of f (``ys[0]``) and its derivatives ``ys[k]`` at ``xs``."""

    xs: np.ndarray
    ys: list[np.ndarray]
    labels: list[str]
    kinks: list[Kink] = field(default_factory=list)
    var: str = "x"
    # per curve: a bool per segment (samples i, i+1) that jumps between the
    # samples (a pole or a discontinuity found by bisection), or None
    jumps: list[np.ndarray | None] = field(default_factory=list)


def _kink_residual(prim, args):
    """A function of the step's arguments that changes sign at its kink
    (corners, ties, jumps; not infinite slopes, which the plot shows as poles
    of f′), or None."""
    if prim.kink is None or prim.kink_note in (SLOPE, UNDEFINED):
        return None
    if prim.arity == 1:
        return args[0]
    if prim.arity == 2:
        return args[0] - args[1]
    return None


def _find_kinks(tape, vals, xs):
    kinks = []
    seen = set()
    for step in tape.steps:
        args = [vals[a] for a in step.args]
        r = _kink_residual(step.prim, args)
        if r is None or np.ndim(r) == 0:
            continue
        r = np.broadcast_to(r, xs.shape)
        with np.errstate(all="ignore"):
            hit = numpy_arrays().at_kink(step.prim, args)  # False, or a mask
            on = np.flatnonzero(np.broadcast_to(hit, xs.shape)) if hit is not False else []
            cross = np.flatnonzero((r[:-1] * r[1:] < 0) & np.isfinite(r[:-1] * r[1:]))
            at = xs[cross] + (xs[cross + 1] - xs[cross]) * r[cross] / (r[cross] - r[cross + 1])
        jump = "jump" in (step.prim.kink_note or "")
        what = f"{step.prim.name} ({step.prim.kink_note.split(':')[0]})"
        for x in list(xs[on]) + list(at):
            key = round(float(x), 12)
            if key not in seen:
                seen.add(key)
                kinks.append(Kink(float(x), what, jump))
    kinks.sort(key=lambda k: k.x)
    return kinks


def derivative_labels(order: int, var: str, wrt: str | None = None) -> list[str]:
    """f, f′, f″, f‴, f⁽⁴⁾ … (∂f/∂y, ∂²f/∂y² … when differentiating along
    another variable than the swept one)."""
    if wrt is not None and wrt != var:
        sup = "⁰¹²³⁴⁵⁶⁷⁸⁹"
        out = ["f"]
        for k in range(1, order + 1):
            p = "" if k == 1 else "".join(sup[int(d)] for d in str(k))
            out.append(f"∂{p}f/∂{wrt}{p}")
        return out
    primes = ["f", "f′", "f″", "f‴"]
    sup = "⁰¹²³⁴⁵⁶⁷⁸⁹"
    return [primes[k] if k < 4 else "f⁽" + "".join(sup[int(d)] for d in str(k)) + "⁾"
            for k in range(order + 1)]


class LineSampler:
    """f and its derivatives (along ``wrt``) as functions of one swept
    variable, the others fixed."""

    def __init__(self, fn: FunctionLike, span: Span, fixed: dict[str, float], order: int,
                 wrt: str | None = None, output: int = 0) -> None:
        self.fn, self.span, self.order = fn, span, order
        names = [span.name] + [n for n in fixed if n != span.name]
        self.tape = fn.tape(names)
        self.fixed = [fixed[n] for n in names[1:]]
        self.output = output
        along = wrt or span.name
        self.direction = [1.0 if n == along else 0.0 for n in names]
        self.labels = derivative_labels(order, span.name, wrt)

    def at(self, xs: np.ndarray) -> tuple[list[np.ndarray], list[Any]]:
        """[f, f′, …] at the array ``xs``, and every slot's values."""
        columns: list[np.ndarray | float] = [xs, *self.fixed]
        coefs, vals = taylor_arrays(self.tape, columns, self.direction, self.order)
        c = coefs[self.output]
        ys = []
        with np.errstate(all="ignore"):
            for k in range(self.order + 1):
                y = np.broadcast_to(np.asarray(c[k] * math.factorial(k), dtype=np.float64),
                                    xs.shape)
                ys.append(np.array(y))
        outside = ~np.isfinite(ys[0])  # no derivative where f itself is undefined
        for y in ys[1:]:
            y[outside] = np.nan
        return ys, vals

    def sample(self, n: int) -> Curves:
        xs = self.span.grid(n)
        ys, vals = self.at(xs)
        kinks = _find_kinks(self.tape, vals, xs)
        for k in kinks:  # no derivative on a kink: leave the sample out
            hit = xs == k.x
            for y in ys[1:]:
                y[hit] = np.nan
            if k.jump:
                ys[0][hit] = np.nan
        jumps = [self._jumps(xs, y, k) for k, y in enumerate(ys)]
        return Curves(xs, ys, self.labels, kinks, self.span.name, jumps)

    def _jumps(self, xs, ys, k, steps=12, limit=4000):
        """Segments across which curve k is not continuous, though both ends
        are defined: a pole between two samples (``tan`` sampled coarsely)
        or a jump.  Each steep segment is bisected ``steps`` times, keeping
        the half that changes most: a continuous curve's change shrinks with
        the interval, a pole's or a jump's does not."""
        with np.errstate(all="ignore"):
            finite = np.isfinite(ys)
            if finite.sum() < 3:
                return None
            q_lo, q_hi = np.percentile(ys[finite][:: max(finite.sum() // 100_000, 1)], [5, 95])
            change = np.abs(np.diff(ys))
            steep = np.flatnonzero(finite[:-1] & finite[1:] & (change > 0.1 * (q_hi - q_lo)))
        if not steep.size:
            return None
        steep = steep[np.argsort(change[steep])[::-1][:limit]]
        a, b = xs[steep].copy(), xs[steep + 1].copy()
        ya, yb = ys[steep].copy(), ys[steep + 1].copy()
        first = np.abs(yb - ya)
        broken = np.zeros(steep.size, dtype=bool)
        for _ in range(steps):
            m = (a + b) / 2
            ym = self.at(m)[0][k]
            with np.errstate(invalid="ignore"):
                broken |= ~np.isfinite(ym)
                left = np.abs(ym - ya) >= np.abs(yb - ym)
            b, yb = np.where(left, m, b), np.where(left, ym, yb)
            a, ya = np.where(left, a, m), np.where(left, ya, ym)
        with np.errstate(invalid="ignore"):
            broken |= np.abs(yb - ya) > 0.5 * first
        out = np.zeros(len(xs) - 1, dtype=bool)
        out[steep[broken]] = True
        return out if out.any() else None


# --- two variables: f and its gradient over a grid ----------------------------

@dataclass
class Field:
    """f and ∂f/∂x, ∂f/∂y on a grid: arrays of shape (ny, nx)."""

    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray
    fx: np.ndarray
    fy: np.ndarray
    names: tuple[str, str]


def sample_field(fn: FunctionLike, spans: Sequence[Span], fixed: dict[str, float], nx: int,
                 ny: int, output: int = 0) -> Field:
    sx, sy = spans
    names = [sx.name, sy.name] + [n for n in fixed if n not in (sx.name, sy.name)]
    tape = fn.tape(names)
    xs, ys = sx.grid(nx), sy.grid(ny)
    X, Y = np.meshgrid(xs, ys)
    columns = [X.ravel(), Y.ravel()] + [fixed[n] for n in names[2:]]
    parts = []
    for seed in ([1.0, 0.0], [0.0, 1.0]):
        direction = seed + [0.0] * (len(names) - 2)
        coefs, _ = taylor_arrays(tape, columns, direction, 1)
        parts.append(coefs[output])
    shape = X.shape

    def grid(a):
        return np.array(np.broadcast_to(np.asarray(a, dtype=np.float64), (X.size,))).reshape(shape)

    f, fx, fy = grid(parts[0][0]), grid(parts[0][1]), grid(parts[1][1])
    outside = ~np.isfinite(f)  # no gradient where f itself is undefined
    fx[outside] = np.nan
    fy[outside] = np.nan
    return Field(xs, ys, f, fx, fy, (sx.name, sy.name))


def bind(fn: FunctionLike, spans: Sequence[Span], at: dict[str, float],
         wrt: str | None) -> None:
    """Check the swept and fixed variables against the formula's inputs:
    every input swept or fixed, nothing unknown, nothing both."""
    swept = [s.name for s in spans]
    for name in swept:
        if name not in fn.inputs:
            raise UsageError(f"`over` names `{name}`, which is not an input of the formula",
                             hint=f"the inputs are {', '.join(fn.inputs) or 'none'}",
                             params=("over",))
    for name in at:
        if name in swept:
            raise UsageError(f"`{name}` is both swept by `over` and fixed by `at`",
                             hint=f"drop {name} from `at`", params=("over", "at"))
    missing = [n for n in fn.inputs if n not in swept and n not in at]
    if missing:
        raise UsageError(f"the formula also needs {', '.join(missing)}: fix "
                         f"{'it' if len(missing) == 1 else 'them'} with `at`",
                         hint=f"e.g. `at` {','.join(f'{n}=0' for n in missing)}",
                         params=("at",))
    if wrt is not None:
        if len(spans) == 2:
            raise UsageError("`wrt` applies to one-variable plots; a two-variable plot "
                             "shows the whole gradient", params=("wrt",))
        if wrt not in fn.inputs:
            raise UsageError(f"`wrt` names `{wrt}`, which is not an input",
                             hint=f"the inputs are {', '.join(fn.inputs)}", params=("wrt",))
