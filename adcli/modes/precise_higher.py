"""Hessians, Taylor coefficients, mixed partials and the ω trace to any
number of digits (``--digits N``) or exactly (``--exact``).

Nothing here differentiates: the float engines take a number system.
:mod:`adcli.modes.hessian` compiles the table's second partials with the
non-folding rule generator of :mod:`adcli.modes.precise` into a
:class:`~adcli.modes.precise.Context`'s primitives, :mod:`adcli.modes.taylor`
runs its recurrences with the context's sum, log and zero, and the trace uses
precise's ``linearize``/``forward``/``reverse``.  This module binds points
(text read at the working precision: ``x=1/3`` is one third), runs each
computation at two precisions until they agree to N significant digits
(:func:`adcli.modes.precise._converge`), and wraps the numbers in the usual
result classes with a ``.context`` to format them.
"""

import math

from ..errors import UsageError
from ..higher import (
    Hessian,
    Partial,
    Taylor,
    _check_names,
    _names,
    _output_index,
    partial_orders,
    taylor_line,
)
from . import precise

__all__ = ["hessian", "partial", "taylor", "trace"]


class PreciseHessian(Hessian):
    __slots__ = ("context",)


class PreciseTaylor(Taylor):
    __slots__ = ("context",)

    def __init__(self, outputs, direction, order, coefficients, warnings, point, ctx):
        # k!·c_k at the working precision (no overflow to guard against)
        self.outputs, self.direction, self.order = outputs, direction, order
        self.coefficients_of = coefficients
        with ctx.working():
            self.derivatives_of = [[c * math.factorial(k) for k, c in enumerate(row)]
                                   for row in coefficients]
        self.values = [c[0] for c in coefficients]
        self.warnings, self.point = warnings, point


class PrecisePartial(Partial):
    __slots__ = ("context",)


def _setup(fn, point, digits, exact, kwargs):
    fn = precise._function(fn)
    ctx = precise._context(digits, exact)
    tape, point = precise._bind(fn, point, kwargs)
    return fn, ctx, tape, point


def _direction(ctx, tape, direction, option="--dir"):
    """{name: value or text} (or a sequence in input order) → numbers in
    ``ctx``, one per input."""
    if isinstance(direction, dict):
        _check_names(tape, direction, option)
        vec = [ctx.zero()] * tape.n_inputs
        for name, v in direction.items():
            vec[tape.inputs.index(name)] = precise.value_of(ctx, v)
        return vec
    vec = [precise.value_of(ctx, v) for v in direction]
    if len(vec) != tape.n_inputs:
        raise UsageError(f"{option} has {len(vec)} entries for {tape.n_inputs} inputs")
    return vec


def _run(ctx, tape, point, compute):
    """(numbers, warnings, input values): ``compute()`` returns (flat list of
    numbers, warnings) and is run until two precisions agree."""
    state = {}
    n = tape.n_inputs

    def flat():
        numbers, warnings = compute()
        state["warnings"] = warnings
        return numbers + [precise.value_of(ctx, point[name]) for name in tape.inputs]

    numbers, more = precise._converge(ctx, flat, tape)
    cut = len(numbers) - n
    return numbers[:cut], list(state["warnings"]) + more, dict(
        zip(tape.inputs, numbers[cut:], strict=True))


def hessian(fn, point=None, *, digits=None, exact=False, wrt=None, output=None,
            direction=None, **kwargs):
    """Value, gradient and dense Hessian (or with ``direction`` the product
    H·v) to ``digits`` significant digits, or exactly: a Hessian result whose
    numbers are mpmath ``mpf`` or ``Fraction``, with ``.context``."""
    from . import hessian as H

    fn, ctx, tape, point = _setup(fn, point, digits, exact, kwargs)
    k = _output_index(fn, output)
    names = fn._wrt(tape, _names(wrt))
    idx = [tape.inputs.index(w) for w in names]
    m = len(names)
    if direction is not None:
        _direction(ctx, tape, direction)  # names checked before any work
        state = {}

        def compute():
            vec = state["vec"] = _direction(ctx, tape, direction)
            value, grad, hv, warnings = H.hessian_vector(tape, point, vec, k, idx, ctx=ctx)
            return [value] + grad + hv, warnings

        numbers, warnings, pt = _run(ctx, tape, point, compute)
        res = PreciseHessian(fn.outputs[k], numbers[0],
                             dict(zip(names, numbers[1:1 + m], strict=True)), None,
                             dict(zip(tape.inputs, state["vec"], strict=True)),
                             dict(zip(names, numbers[1 + m:], strict=True)), warnings, pt)
    else:
        def compute():
            value, grad, rows, warnings = H.hessian(tape, point, k, idx, ctx=ctx)
            return [value] + grad + [h for row in rows for h in row], warnings

        numbers, warnings, pt = _run(ctx, tape, point, compute)
        flat = numbers[1 + m:]
        matrix = {r: dict(zip(names, flat[i * m:(i + 1) * m], strict=True))
                  for i, r in enumerate(names)}
        res = PreciseHessian(fn.outputs[k], numbers[0],
                             dict(zip(names, numbers[1:1 + m], strict=True)), matrix,
                             None, None, warnings, pt)
    res.context = ctx
    return res


def taylor(fn, point=None, order=2, *, digits=None, exact=False, direction=None, wrt=None,
           **kwargs):
    """Taylor coefficients c₀…c_K and derivatives k!·c_k of f(x + t·v) at
    t = 0 to ``digits`` significant digits, or exactly."""
    from .taylor import sweep

    fn, ctx, tape, point = _setup(fn, point, digits, exact, kwargs)
    order, direction = taylor_line(fn, tape, order, direction, wrt, 1)
    n_out = len(tape.outputs)
    state = {}

    def compute():
        vec = state["vec"] = _direction(ctx, tape, direction)
        coefs, warnings = sweep(tape, point, vec, order, ctx)
        return [c for row in coefs for c in row], warnings

    numbers, warnings, pt = _run(ctx, tape, point, compute)
    width = order + 1
    coefs = [numbers[i * width:(i + 1) * width] for i in range(n_out)]
    res = PreciseTaylor(fn.outputs, dict(zip(tape.inputs, state["vec"], strict=True)), order,
                        coefs, warnings, pt, ctx)
    res.context = ctx
    return res


def partial(fn, point=None, wrt=None, *, digits=None, exact=False, **kwargs):
    """One mixed partial (``wrt="x,x,y"`` is ∂³f/∂x²∂y) to ``digits``
    significant digits, or exactly."""
    from .taylor import mixed_partial

    fn, ctx, tape, point = _setup(fn, point, digits, exact, kwargs)
    names, counts = partial_orders(tape, wrt)
    state = {}

    def compute():
        vals = precise.primal(ctx, tape, point)
        parts, warnings, state["sweeps"] = mixed_partial(tape, point, counts, ctx)
        return [vals[o] for o in tape.outputs] + parts, warnings

    numbers, warnings, pt = _run(ctx, tape, point, compute)
    n_out = len(tape.outputs)
    res = PrecisePartial(fn.outputs, numbers[:n_out], names, numbers[n_out:], state["sweeps"],
                         warnings, pt)
    res.context = ctx
    return res


def sweeps(ctx, tape, point, mode, seeds):
    """(linearization, one forward or reverse sweep per seed) in ``ctx``,
    converged to its digits; the linearization's warnings include any about
    the precision."""
    state = {}
    run = precise.forward if mode == "forward" else precise.reverse

    def compute():
        lin = precise.linearize(ctx, tape, point)
        swept = run(lin, seeds)
        state["lin"], state["sweeps"] = lin, swept
        return list(lin.values) + [x for s in swept for x in s]

    _, warnings = precise._converge(ctx, compute, tape)
    lin = state["lin"]
    lin.warnings = list(lin.warnings) + warnings
    return lin, state["sweeps"]


def trace(fn, point=None, *, digits=None, exact=False, mode="auto", wrt=None, seed=None,
          output=None, cost=True):
    """The ω trace (:func:`adcli.modes.trace.build_trace`) with its values,
    tangents and adjoints to ``digits`` significant digits, or exactly."""
    from .trace import build_trace

    fn = precise._function(fn)
    ctx = precise._context(digits, exact)
    return build_trace(fn, point, mode=mode, wrt=wrt, seed=seed, output=output, cost=cost,
                       ctx=ctx)
