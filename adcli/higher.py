"""Beyond the gradient: directional derivatives (JVP), vector-Jacobian
products (VJP), Hessians, Taylor coefficients and mixed partials of any order.

>>> import adcli
>>> adcli.hessian("x1*x2 + sin(x1)", x1=2, x2=3).hessian
{'x1': {'x1': -0.9092974268256817, 'x2': 1.0}, 'x2': {'x1': 1.0, 'x2': 0.0}}
>>> adcli.taylor("exp(x)", {"x": 0}, order=3).derivatives
[1.0, 1.0, 1.0, 1.0]
>>> adcli.partial("x^2*y", {"x": 3, "y": 5}, wrt="x,x,y").partial
2.0

Methods of :class:`adcli.Function` (``.jvp``, ``.vjp``, ``.hessian``,
``.taylor``, ``.partial``) call the functions here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import gt, mul, sub, truediv
from typing import Any

from .arguments import (
    FunctionLike,
    Names,
    Point,
    has_arrays,
    partial_orders,
    point_mapping,
    taylor_line,
)
from .arguments import check_names as _check_names
from .arguments import cotangent_vector as _cotangent
from .arguments import direction_vector as _direction
from .arguments import finite as _finite
from .arguments import name_list as _names
from .arguments import output_index as _output_index
from .errors import AdcliError, EvalWarning, UsageError
from .frozen import assembled, replace
from .modes import engine, sweeps
from .modes.engine import primal, read_value, solve
from .numsys import FLOAT64, numpy_arrays
from .numsys import system as number_system
from .results import (
    Cotangent,
    Derivatives,
    Directional,
    Evaluation,
    Hessian,
    Partial,
    Taylor,
    float_derivatives,
)

__all__ = ["Cotangent", "Directional", "Hessian", "Partial", "Taylor", "hessian", "jvp",
           "partial", "partial_orders", "taylor", "taylor_line", "vjp", "_check_names",
           "_cotangent", "_direction", "_finite", "_names", "_output_index"]


def jvp(fn: FunctionLike, point: Point = None,
        direction: Mapping[str, Any] | Sequence[Any] | None = None, *,
        digits: int | None = None, exact: bool = False, **kwargs: Any) -> Directional:
    if has_arrays(point, kwargs):
        return over_arrays(lambda p: jvp(fn, p, direction, digits=digits, exact=exact),
                           point, kwargs, fn=fn, kind="jvp",
                           together=lambda tape, columns: (_jvp_over_arrays(fn, tape, columns,
                                                                            direction), None))
    if digits is not None or exact:
        return _jvp_in(fn, point, direction, digits, exact, kwargs)
    tape, values = fn._bind(point, kwargs)
    if direction is None:
        raise UsageError("jvp needs a direction, e.g. direction={'x': 1}")
    vec = _direction(tape, direction)
    lin = sweeps.linearize(tape, values)
    tan = sweeps.forward(lin, [vec])[0]
    return Directional(fn.outputs, [lin.values[o] for o in tape.outputs],
                       dict(zip(tape.inputs, vec, strict=True)),
                       [tan[o] for o in tape.outputs], lin.warnings,
                       dict(zip(tape.inputs, values, strict=True)))


def _jvp_over_arrays(fn, tape, columns, direction):
    """J·v at every point of ``columns`` in one tangent sweep over NumPy arrays
    (the generic sweep; the direction is one float64 vector for all)."""
    system = numpy_arrays()
    vec = _direction(tape, direction)  # checked at the first point by one call
    lin = engine.linearize(tape, columns, system)
    tan = engine.forward(lin, [vec])[0]
    return Directional(fn.outputs, [lin.values[o] for o in tape.outputs],
                       dict(zip(tape.inputs, vec, strict=True)),
                       [tan[o] for o in tape.outputs], lin.warnings,
                       dict(zip(tape.inputs, columns, strict=True)), system)


def _vjp_over_arrays(fn, tape, columns, cotangent, wrt):
    """uᵀ·J at every point of ``columns`` in one adjoint sweep over NumPy arrays."""
    system = numpy_arrays()
    u = _cotangent(fn, cotangent)  # checked at the first point by one call
    wrt = fn._wrt(tape, _names(wrt))
    lin = engine.linearize(tape, columns, system)
    adj = engine.reverse(lin, [u])[0]
    return Cotangent(fn.outputs, [lin.values[o] for o in tape.outputs],
                     dict(zip(fn.outputs, u, strict=True)),
                     {w: adj[tape.input_index[w]] for w in wrt}, lin.warnings,
                     dict(zip(tape.inputs, columns, strict=True)), system)


def _jvp_in(fn, point, direction, digits, exact, kwargs):
    """J·v with ``digits=N`` or ``exact=True``: the generic sweeps, run until
    every digit is right (the float64 path above keeps its fast sweeps)."""
    system, tape, specs = fn._prepare(point, kwargs, digits, exact, arrays=False)
    if direction is None:
        raise UsageError("jvp needs a direction, e.g. direction={'x': 1}")
    _direction(tape, direction, "direction", system)  # names checked before any work
    state = {}

    def compute(inputs):
        vec = state["vec"] = _direction(tape, direction, "direction", system)
        lin = engine.linearize(tape, inputs, system)
        tan = engine.forward(lin, [vec])[0]
        return [lin.values[o] for o in tape.outputs] + [tan[o] for o in tape.outputs], \
            lin.warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    m = len(tape.outputs)
    return Directional(fn.outputs, numbers[:m], dict(zip(tape.inputs, state["vec"], strict=True)),
                       numbers[m:], warnings, pt, system)


def _vjp_in(fn, point, cotangent, wrt, digits, exact, kwargs):
    """uᵀ·J with ``digits=N`` or ``exact=True`` (see :func:`_jvp_in`)."""
    system, tape, specs = fn._prepare(point, kwargs, digits, exact, arrays=False)
    if cotangent is None:
        raise UsageError("vjp needs a cotangent: one weight per output")
    _cotangent(fn, cotangent)  # names and length checked before any work
    raw = ([cotangent.get(name, 0) for name in fn.outputs] if isinstance(cotangent, dict)
           else list(cotangent))
    wrt = fn._wrt(tape, _names(wrt))
    state = {}

    def compute(inputs):
        u = state["u"] = [read_value(system, c, f"cotangent {name}")
                          for c, name in zip(raw, fn.outputs, strict=True)]
        lin = engine.linearize(tape, inputs, system)
        adj = engine.reverse(lin, [u])[0]
        return ([lin.values[o] for o in tape.outputs]
                + [adj[tape.input_index[w]] for w in wrt]), lin.warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    m = len(tape.outputs)
    return Cotangent(fn.outputs, numbers[:m], dict(zip(fn.outputs, state["u"], strict=True)),
                     dict(zip(wrt, numbers[m:], strict=True)), warnings, pt, system)


def vjp(fn: FunctionLike, point: Point = None,
        cotangent: Mapping[str, Any] | Sequence[Any] | None = None, *, wrt: Names = None,
        digits: int | None = None, exact: bool = False, **kwargs: Any) -> Cotangent:
    if has_arrays(point, kwargs):
        return over_arrays(lambda p: vjp(fn, p, cotangent, wrt=wrt, digits=digits, exact=exact),
                           point, kwargs, fn=fn, kind="vjp",
                           together=lambda tape, columns: (_vjp_over_arrays(fn, tape, columns,
                                                                            cotangent, wrt), None))
    if digits is not None or exact:
        return _vjp_in(fn, point, cotangent, wrt, digits, exact, kwargs)
    tape, values = fn._bind(point, kwargs)
    if cotangent is None:
        raise UsageError("vjp needs a cotangent: one weight per output")
    u = _cotangent(fn, cotangent)
    wrt = fn._wrt(tape, _names(wrt))
    lin = sweeps.linearize(tape, values)
    adj = sweeps.reverse(lin, [u])[0]
    grad = {w: adj[tape.input_index[w]] for w in wrt}
    return Cotangent(fn.outputs, [lin.values[o] for o in tape.outputs],
                     dict(zip(fn.outputs, u, strict=True)), grad, lin.warnings,
                     dict(zip(tape.inputs, values, strict=True)))


def hessian(fn: FunctionLike, point: Point = None, *, wrt: Names = None,
            output: int | str | None = None,
            direction: Mapping[str, Any] | Sequence[Any] | None = None,
            digits: int | None = None, exact: bool = False, **kwargs: Any) -> Hessian:
    if has_arrays(point, kwargs):
        return over_arrays(
            lambda p: hessian(fn, p, wrt=wrt, output=output, direction=direction),
            point, kwargs, digits, exact, fn=fn, kind="hessian",
            together=lambda tape, columns: (_hessian_in(fn, numpy_arrays(), tape, columns, wrt,
                                                        output, direction), None))
    system, tape, specs = fn._prepare(point, kwargs, digits, exact, arrays=False)
    return _hessian_in(fn, system, tape, specs, wrt, output, direction)


def _hessian_in(fn, system, tape, specs, wrt, output, direction):
    """The Hessian (or H·v) at the point ``specs`` in ``system`` (NumPy
    arrays: many points at once)."""
    from .modes import hessian as H

    k = _output_index(fn, output)
    names = fn._wrt(tape, _names(wrt))
    idx = [tape.input_index[w] for w in names]
    m = len(names)
    # over arrays the direction is one float64 vector for every point
    along = FLOAT64 if system.elementwise else system
    if direction is not None:
        _direction(tape, direction, "direction", along)  # names checked before any work
        state: dict[str, list] = {}

        def compute_hvp(inputs: list) -> tuple[list, list]:
            vec = state["vec"] = _direction(tape, direction, "direction", along)
            value, grad, hv, warnings = H.hessian_vector(tape, inputs, vec, k, idx, system)
            return [value] + grad + hv, warnings

        numbers, warnings, pt = solve(system, tape, specs, compute_hvp)
        return Hessian(fn.outputs[k], numbers[0], dict(zip(names, numbers[1:1 + m])), None,
                       dict(zip(tape.inputs, state["vec"], strict=True)),
                       dict(zip(names, numbers[1 + m:], strict=True)), warnings, pt, system)

    def compute(inputs: list) -> tuple[list, list]:
        value, grad, rows, warnings = H.hessian(tape, inputs, k, idx, system=system)
        return [value] + grad + [h for row in rows for h in row], warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    flat = numbers[1 + m:]
    matrix = {r: dict(zip(names, flat[i * m:(i + 1) * m], strict=True))
              for i, r in enumerate(names)}
    return Hessian(fn.outputs[k], numbers[0], dict(zip(names, numbers[1:1 + m], strict=True)),
                   matrix, None, None, warnings, pt, system)


def taylor(fn: FunctionLike, point: Point = None, order: int = 2, *,
           direction: Mapping[str, Any] | Sequence[Any] | None = None, wrt: Names = None,
           digits: int | None = None, exact: bool = False, **kwargs: Any) -> Taylor:
    if has_arrays(point, kwargs):
        return over_arrays(
            lambda p: taylor(fn, p, order, direction=direction, wrt=wrt),
            point, kwargs, digits, exact, fn=fn, kind="taylor",
            together=lambda tape, columns: _taylor_in(fn, numpy_arrays(), tape, columns, order,
                                                      direction, wrt))
    system, tape, specs = fn._prepare(point, kwargs, digits, exact, arrays=False)
    return _taylor_in(fn, system, tape, specs, order, direction, wrt)[0]


def _taylor_in(fn, system, tape, specs, order, direction, wrt):
    """(Taylor coefficients at the point ``specs`` in ``system``, the points
    to recompute one by one or None).  Over NumPy arrays those are where the
    rescaled sweep says digits were lost (one call there warns as usual);
    beyond order 170 k!·c_k needs the scalar loop: None instead of a result."""
    from .modes.taylor import sweep, sweep_rescaled

    order, direction = taylor_line(fn, tape, order, direction, wrt, 1)
    if system.elementwise and order > MAX_VECTOR_ORDER:
        return None, None
    # names checked before any work; float64 (and arrays) run on this very vector
    along = FLOAT64 if system.elementwise else system
    state = {"vec": _direction(tape, direction, "direction", along), "lost": None}
    width = order + 1

    def compute(inputs: list) -> tuple[list, list]:
        if along is not FLOAT64:  # "1/3" read again at each working precision
            state["vec"] = _direction(tape, direction, "direction", system)
        vec = state["vec"]
        if system is FLOAT64 and order > ROUNDING_CHECK_FROM:
            coefs, warnings, again = sweep_rescaled(tape, inputs, vec, order, RESCALE)
            warnings = warnings + rounding_loss(coefs, again)
        else:
            coefs, warnings = sweep(tape, inputs, vec, order, system)
            if system.elementwise and order > ROUNDING_CHECK_FROM:
                again, _ = sweep(tape, inputs, [v * RESCALE for v in vec], order, system)
                state["lost"] = rounding_loss_mask(system.np, coefs, again)
            if system.elementwise:  # those points again one by one: each warns as alone
                near = near_underflow_mask(system.np, coefs)
                state["lost"] = near if state["lost"] is None else state["lost"] | near
        if system is FLOAT64:
            warnings = warnings + underflow_warnings(tape, inputs, vec, coefs)
        return [c for row in coefs for c in row], warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    coefs = [numbers[i * width:(i + 1) * width] for i in range(len(tape.outputs))]
    return Taylor(fn.outputs, dict(zip(tape.inputs, state["vec"], strict=True)), order, coefs,
                  warnings, pt, system), state["lost"]


ROUNDING_CHECK_FROM = 4  # orders 1-4 are audited (bench/audit.py); beyond, each run checks
LOST = 1e-8  # fewer than 8 significant digits left: warn


RESCALE = 1.0 + 2.0 ** -7
MAX_VECTOR_ORDER = 170  # k! is a float up to 170!: beyond, derivatives() steps per point


NORMAL = 2.2250738585072014e-308  # float64's least normal number
NEAR_UNDERFLOW = 1e-250  # a row down here may have lost a coefficient to underflow


def underflow_warnings(tape: Any, point: list, vec: list,
                       coefs: list[list[float]]) -> list[EvalWarning]:
    """A warning where a float64 Taylor coefficient underflowed so that its
    derivative k!·c_k, which float64 holds, is printed as 0 or a subnormal
    (exp(x) at -700, order 30: c₃₀ = 3.7e-337 is 0, d₃₀ = 9.9e-305 is not).
    Rows that come near float64's underflow (a coefficient subnormal, or 0
    next to one below 1e-250) are computed again in mpmath at 17 digits;
    a derivative that is correctly rounded (exp(-1000)'s 0) is no finding."""
    if not any(map(_near_underflow, coefs)):  # the usual case
        return []
    from .modes.taylor import sweep

    mp: Any = number_system(digits=17)  # MPDigits: format(x, digits)
    at, along = [mp.number(x) for x in point], [mp.number(v) for v in vec]
    order = len(coefs[0]) - 1
    try:
        numbers, _ = mp.converge(lambda: [c for row in sweep(tape, at, along, order, mp)[0]
                                          for c in row], len(tape.steps))
    except (ArithmeticError, ValueError, AdcliError):
        return []
    for j, row in enumerate(coefs):
        true = numbers[j * (order + 1):(j + 1) * (order + 1)]
        with mp.working():
            exact = [c * math.factorial(k) for k, c in enumerate(true)]
        for k, (printed, d) in enumerate(zip(float_derivatives(row), exact, strict=True)):
            if k and abs(printed) < NORMAL and mp.to_float(d) != printed:
                c = mp.format(true[k], 6)
                return [EvalWarning(
                    "underflow", None,
                    f"Taylor coefficient {k} underflows to {row[k]!r} (it is {c}): the "
                    f"derivative of order {k} is {mp.format(d, 6)}, adcli prints "
                    f"{printed!r}; `digits` N computes it", params=("digits",))]
    return []


def _near_underflow(row: list[float]) -> bool:
    tiny = [abs(c) for c in row if abs(c) < NEAR_UNDERFLOW]
    return any(0 < c < NORMAL for c in tiny) or (0.0 in tiny and any(tiny))


def near_underflow_mask(np: Any, coefs: list[list[Any]]) -> Any:
    """:func:`_near_underflow` element by element over arrays: the points
    whose series may have lost a coefficient to underflow (computed again
    one by one, where :func:`underflow_warnings` decides)."""
    shape = np.shape(coefs[0][0])
    near = np.zeros(shape, dtype=bool)
    for row in coefs:
        subnormal = np.zeros(shape, dtype=bool)
        zero = np.zeros(shape, dtype=bool)
        tiny = np.zeros(shape, dtype=bool)
        for c in row:
            size = np.abs(np.asarray(c, dtype=np.float64))
            subnormal |= (size > 0) & (size < NORMAL)
            zero |= size == 0
            tiny |= (size > 0) & (size < NEAR_UNDERFLOW)
        near |= subnormal | (zero & tiny)
    return near


def rounding_loss_mask(np: Any, coefs: list[list[Any]], again: list[list[Any]]) -> Any:
    """:func:`rounding_loss` element by element over arrays: where the two
    lanes disagree beyond :data:`LOST` (those points are computed again one
    by one, which gives each its warning)."""
    lost = np.zeros(np.shape(coefs[0][0]), dtype=bool)
    for row, other in zip(coefs, again, strict=True):
        scale = 1.0
        for k, (a, b) in enumerate(zip(row, other, strict=True)):
            b, scale = b / scale, scale * RESCALE
            if k == 0:
                continue
            with np.errstate(all="ignore"):
                diff = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
            lost |= np.isfinite(a) & np.isfinite(b) & (a != b) & (diff > LOST)
    return lost


def rounding_loss(coefs: list[list[float]], again: list[list[float]]) -> list[EvalWarning]:
    """Float64 Taylor coefficients of high order can be all rounding noise
    (sinh(x)/x at 0.5: c20 came out 1.5e-10, true 2.2e-20).  ``again`` are
    the coefficients along s·v with s = :data:`RESCALE` = 1 + 2⁻⁷: exactly,
    c_k(s·v) = s^k·c_k(v), but the rounding errors fall differently, so where
    the two disagree the digits are noise.  A warning names the first order
    that kept fewer than 8."""
    if not any(map(_may_have_lost, coefs, again)):  # the usual case, at C speed
        return []
    return _rounding_loss_found(coefs, again)


def _rounding_loss_found(coefs: list[list[float]],
                         again: list[list[float]]) -> list[EvalWarning]:
    """:func:`rounding_loss`'s warning, coefficient by coefficient."""
    s = RESCALE
    first, worst = None, 0.0
    for row, other in zip(coefs, again, strict=True):
        scale = 1.0
        for k, (a, b) in enumerate(zip(row, other, strict=True)):
            b, scale = b / scale, scale * s
            if k == 0 or not (math.isfinite(a) and math.isfinite(b)) or a == b:
                continue
            diff = abs(a - b) / max(abs(a), abs(b))
            if diff > LOST and (first is None or k < first):
                first = k
            worst = max(worst, diff)
    if first is None:
        return []
    digits = max(0, int(-math.log10(worst))) if worst < 1 else 0
    return [EvalWarning("rounding", None,
                        f"float64 rounding: the Taylor coefficients from order {first} on "
                        f"have fewer than 8 correct digits (about {digits} at worst); "
                        "`digits` N computes them with N", params=("digits",))]


_SCALES = [RESCALE ** 0]  # RESCALE^k as rounding_loss forms it, step by step
while len(_SCALES) <= MAX_VECTOR_ORDER + 1:
    _SCALES.append(_SCALES[-1] * RESCALE)


def _may_have_lost(row: list[float], other: list[float]) -> bool:
    """Whether some coefficient k ≥ 1 of ``row`` and ``other`` (rescaled)
    differ by more than half :data:`LOST` of |row_k|, at C speed: where
    none does, none differs by LOST of the larger magnitude, which is what
    :func:`rounding_loss` warns about (the half: room for the rounding of
    either test; a nan difference, where one is not finite, counts as not
    lost, as rounding_loss skips those)."""
    scales = _SCALES if len(row) <= len(_SCALES) else _powers(len(row))
    scaled = map(truediv, other[1:], scales[1:len(other)])
    diffs = map(abs, map(sub, row[1:], scaled))
    return any(map(gt, diffs, map(mul, repeat(LOST / 2), map(abs, row[1:]))))


def _powers(n: int) -> list[float]:
    out = [1.0]
    while len(out) < n:
        out.append(out[-1] * RESCALE)
    return out


def partial(fn: FunctionLike, point: Point = None, wrt: Names = None, *,
            digits: int | None = None, exact: bool = False, **kwargs: Any) -> Partial:
    if has_arrays(point, kwargs):
        return over_arrays(lambda p: partial(fn, p, wrt), point, kwargs, digits, exact, fn=fn,
                           kind="partial",
                           together=lambda tape, columns: (_partial_over_arrays(fn, tape, columns,
                                                                                wrt), None))
    system, tape, specs = fn._prepare(point, kwargs, digits, exact, arrays=False)
    return _partial_in(fn, system, tape, specs, wrt)


def _partial_over_arrays(fn, tape, columns, wrt):
    """A partial in one variable is one Taylor sweep, which runs over arrays;
    mixed partials take nested series (jets), whose recurrences branch on
    each value: None, one call per point."""
    _, counts = partial_orders(tape, wrt)
    if len(counts) > 1 or sum(counts.values()) > MAX_VECTOR_ORDER:
        return None
    return _partial_in(fn, numpy_arrays(), tape, columns, wrt)


def _partial_in(fn, system, tape, specs, wrt):
    from .modes.taylor import mixed_partial

    names, counts = partial_orders(tape, wrt)
    n_out = len(tape.outputs)
    state: dict[str, int] = {}

    def compute(inputs: list) -> tuple[list, list]:
        vals, _ = primal(tape, inputs, system)
        parts, warnings, state["sweeps"] = mixed_partial(tape, inputs, counts, system)
        return [vals[o] for o in tape.outputs] + parts, warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    return Partial(fn.outputs, numbers[:n_out], names, numbers[n_out:], state["sweeps"],
                   warnings, pt, system)


# --- arrays of points ----------------------------------------------------------
#
# Over NumPy arrays the values, a gradient or Jacobian (the batch backend's
# sweeps), J·v, uᵀ·J, a Hessian, Taylor coefficients or a partial in one
# variable are one sweep in the NumPy number system (every number an array, one
# element per point).  The points where any step is off its domain, on a kink
# or not finite (the batch backend's flags), or whose numbers are not finite,
# are computed again one call each: their numbers, warnings and errors are
# exactly one call's.  Every other point agrees with one call to rounding
# (NumPy's elementary functions and sums are not the C library's and
# math.fsum).  Mixed partials (nested jets branch on each value) and a handful
# of points go one call per point.  The result has the class of a one-point
# result with every per-point number an array of the points' shape.

# fields that are the same at every point (not stacked into arrays)
_SHARED = frozenset({"outputs", "output", "direction", "order", "wrt", "sweeps", "mode",
                     "warnings", "system", "cotangent"})

# per kind of call, fewer points than this: one call each.  NumPy pays its
# call overhead per ω step whatever the points, so the one sweep costs about
# as much at 4 points as at 64; each threshold is the smallest number of
# points where the sweep measured faster than the API's one call per point
# (results stacked included) on the bench's formula, by 1.1-1.7x
# (``python -m bench.higher_order --crossover``, docs/performance.md).
VECTOR_FROM: dict[str, int] = {"evaluate": 16, "gradient": 12, "hessian": 12, "jvp": 20,
                               "vjp": 20, "taylor": 12, "partial": 8}


def over_arrays(compute: Callable[[dict[str, float]], Any], point: Point,
                kwargs: Mapping[str, Any], digits: int | None = None, exact: bool = False,
                together: Callable[..., Any] | None = None,
                fn: FunctionLike | None = None, screened: bool = False,
                kind: str = "evaluate") -> Any:
    """``compute({name: float})`` at every point of the broadcast arrays in
    ``point``/``kwargs``, stacked into one result of arrays; with
    ``together(tape, columns)`` ((the result over flat arrays of every
    point, a mask of points to compute one by one or None), or (None, None)
    when it cannot) and ``fn`` all points in one vectorised sweep, the
    flagged ones by ``compute``.  ``screened``: together's mask already
    holds every point off a domain or on a kink (the batch backend's
    flags); otherwise the backend's linearisation screens them.  ``kind``
    (a key of :data:`VECTOR_FROM`): from how many points the sweep pays."""
    import numpy as np

    if digits is not None or exact:
        raise UsageError("arrays of points are computed in float64: drop `digits`/`exact`, "
                         "or give one point at a time", params=("digits", "exact"))
    merged = point_mapping(point, kwargs)
    names = list(merged)
    columns = [_float_array(name, merged[name]) for name in names]
    try:
        arrays = np.broadcast_arrays(*columns)
    except ValueError as exc:
        raise UsageError(f"the arrays of a point must be numbers of one shape (or broadcast "
                         f"to one): {exc}") from None
    shape = arrays[0].shape if arrays else ()
    size = math.prod(shape)
    if together is not None and (size >= VECTOR_FROM[kind] or size == 0):
        stacked = _together(fn, compute, together, names, arrays, shape, screened)
        if stacked is not None:
            return stacked
    if size == 0:
        raise UsageError("the arrays of the point are empty: there is no point to compute",
                         hint="give at least one value per variable")
    results = [_one_point(compute, names, arrays, index) for index in np.ndindex(shape)]
    first = results[0]
    cls: Any = type(first)  # a result class of the scalar engine
    fields: dict[str, Any] = {}
    for slot in cls.__slots__:
        values = [getattr(r, slot) for r in results]
        if slot == "warnings":
            fields[slot] = _merged_warnings(values)
        elif slot == "system":
            fields[slot] = numpy_arrays()  # its numbers are arrays (and print as NumPy's)
        elif slot in _SHARED:
            fields[slot] = values[0]
        else:
            fields[slot] = _stack(values, shape)
    return assembled(cls, fields)


def _float_array(name: str, value: Any) -> Any:
    """A point's array (or list) of numbers as float64, or a UsageError
    naming it: complex, bool and text values are refused as one call
    refuses them (NumPy would drop an imaginary part with only a warning)."""
    import numpy as np

    hint = "arrays of points are float64 numbers; give text such as '1/3' one point at a time"
    try:
        array = np.asarray(value)
        if array.dtype.kind in "fiu":
            return array.astype(np.float64, copy=False)
        if array.dtype.kind == "O" and not any(
                v is None or isinstance(v, (bool, complex, str)) for v in array.flat):
            return array.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        pass
    raise UsageError(f"the values of `{name}` must be real float64 numbers, not "
                     f"{_describe(value)}", hint=hint)


def _describe(value: Any) -> str:
    import numpy as np

    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return f"{type(value).__name__} {value!r:.60}"
    kinds = {"b": "booleans", "c": "complex numbers", "U": "text", "S": "bytes"}
    return kinds.get(array.dtype.kind, f"{type(value).__name__} {value!r:.60}")


def _one_point(compute, names, arrays, index):
    one = {n: float(a[index]) for n, a in zip(names, arrays, strict=True)}
    try:
        return compute(one)
    except AdcliError as exc:
        where = ", ".join(f"{n}={v!r}" for n, v in one.items())
        exc.message = f"{exc.message} (at index {list(index)} of the arrays: {where})"
        raise


def _merged_warnings(lists):
    seen = {}
    for w in (w for ws in lists for w in ws):
        seen.setdefault(w.message, w)
    return list(seen.values())


def _together(fn, compute, together, names, arrays, shape, screened=False):
    """All points in one sweep over NumPy arrays (see above), or None."""
    import numpy as np

    from .batch.numpy_backend import VectorTape

    n = math.prod(shape)
    # one call's checks, at the first point (and its warnings of steps of constants)
    first = _one_point(compute, names, arrays, (0,) * len(shape)) if n else None
    columns = [np.ascontiguousarray(a).reshape(n) for a in arrays]
    tape = fn.tape(names)
    with np.errstate(all="ignore"):
        result, flagged = together(tape, columns)
        if result is None:
            return None
        if not screened:
            _, bad = VectorTape(tape).linearize(columns, n)
            flagged = bad if flagged is None else (flagged if bad is None else flagged | bad)
    bad = np.zeros(n, dtype=bool) if flagged is None else np.array(flagged)
    slots = [slot for slot in type(result).__slots__ if slot not in _SHARED]
    numbers = {slot: _columns_of(getattr(result, slot), n) for slot in slots}
    for column in _leaves(numbers):
        bad |= ~np.isfinite(column)
    # a step of constants warns alike at every point (min(0.5, 0.5)): as the first point does
    constant = {tape.omega(step.slot) for step in tape.steps
                if not tape.depends_on_inputs[step.slot]}
    warnings = [[w for w in first.warnings if w.step in constant]] if first is not None else []
    for i in np.flatnonzero(bad).tolist():
        one = _one_point(compute, names, arrays, tuple(map(int, np.unravel_index(i, shape))))
        warnings.append(one.warnings)
        for slot in slots:
            _put(numbers[slot], getattr(one, slot), i)
    return replace(result, **{slot: _stack([numbers[slot]], shape) for slot in slots},
                   warnings=_merged_warnings(warnings),
                   system=numpy_arrays())  # its numbers are arrays (and print as NumPy's)


def evaluate_over_arrays(fn: FunctionLike, tape: Any, columns: list[Any]) -> tuple[Any, Any]:
    """(the value(s) at every point of ``columns`` in one sweep of the batch
    backend, the points to compute again one by one: a step not finite)."""
    n = len(columns[0])
    values, bad = _vector_tape(tape).primal(columns, n)
    return Evaluation(fn.outputs, list(values), [], dict(zip(tape.inputs, columns, strict=True)),
                      numpy_arrays()), bad


def gradient_over_arrays(fn: FunctionLike, tape: Any, columns: list[Any], wrt: Names,
                         mode: str) -> tuple[Any, Any]:
    """(value(s) and gradient or Jacobian at every point of ``columns`` in one
    linearisation and the mode's sweeps of the batch backend, the points to
    compute again one by one: a step not finite or on its kink)."""
    names = fn._wrt(tape, wrt)
    mode = engine.choose_mode(mode, len(fn.outputs), len(names))
    n = len(columns[0])
    vector = _vector_tape(tape)
    lin, bad = vector.linearize(columns, n)
    sweep = vector.reverse if mode == "reverse" else vector.forward
    rows = sweep(lin, [tape.input_index[w] for w in names], n)
    return Derivatives(fn.outputs, vector.values(lin, n),
                       [dict(zip(names, row, strict=True)) for row in rows], mode, [],
                       dict(zip(tape.inputs, columns, strict=True)), numpy_arrays()), bad


_VECTOR_TAPES: dict[int, tuple[Any, Any]] = {}


def _vector_tape(tape: Any) -> Any:
    """The batch backend's sweeps of ``tape``, built once per tape (its rules
    are compiled): the last 64 tapes are kept."""
    from .batch.numpy_backend import VectorTape

    kept = _VECTOR_TAPES.get(id(tape))
    if kept is not None and kept[0] is tape:
        return kept[1]
    if len(_VECTOR_TAPES) >= 64:
        _VECTOR_TAPES.clear()
    vector = VectorTape(tape)
    _VECTOR_TAPES[id(tape)] = (tape, vector)
    return vector


def _columns_of(value, n):
    """A result's numbers (in dicts and lists) as writable float64 arrays of n."""
    import numpy as np

    if isinstance(value, dict):
        return {k: _columns_of(v, n) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_columns_of(v, n) for v in value]
    if value is None or isinstance(value, str):
        return value
    return np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)))


def _leaves(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, str):
        yield value


def _put(columns, value, i):
    """One point's numbers ``value`` into element ``i`` of ``columns``."""
    if isinstance(columns, dict):
        for k in columns:
            _put(columns[k], value[k], i)
    elif isinstance(columns, list):
        for c, v in zip(columns, value, strict=True):
            _put(c, v, i)
    elif columns is not None and not isinstance(columns, str):
        columns[i] = value


def _stack(values, shape):
    """Per-point numbers (or dicts/lists of them, alike at every point) as
    arrays of ``shape``, in the same dicts/lists (one entry of ``values``
    holding arrays of every point: reshaped)."""
    import numpy as np

    first = values[0]
    if isinstance(first, dict):
        return {k: _stack([v[k] for v in values], shape) for k in first}
    if isinstance(first, (list, tuple)):
        return [_stack([v[i] for v in values], shape) for i in range(len(first))]
    if first is None or isinstance(first, str):
        return first
    if len(values) == 1 and np.ndim(first) == 1 and np.size(first) == math.prod(shape):
        return np.asarray(first, dtype=np.float64).reshape(shape)
    return np.array(values, dtype=np.float64).reshape(shape)
