"""The sweeps written once over any number system (:mod:`adcli.numsys`).

``primal``     every slot's value.
``linearize``  values and each step's partials with respect to its active
               arguments, from the table's rules compiled for the system
               (:func:`adcli.modes.rules.active_linearizer`).
``forward``    one tangent sweep per seed:  ω̇ᵢ = Σⱼ ∂ωᵢ/∂ωⱼ · ω̇ⱼ.
``reverse``    one adjoint sweep per seed:  ω̄ⱼ += ω̄ᵢ · ∂ωᵢ/∂ωⱼ.

Domain errors name the ω step; kinks follow the documented convention with a
warning.  float64 has a faster specialisation of the same four functions
(:mod:`adcli.modes.sweeps`, property-tested against these);
:mod:`adcli.modes.engine` chooses.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from ..errors import DomainError, EvalWarning
from ..graph.dag import postorder
from ..graph.tape import Tape
from ..numsys import FLOAT64, RATIONAL_NAMES, NotRational, NumberSystem, Withheld
from .messages import (
    call_text,
    domain_error,
    domain_hint,
    edge_note,
    kink_warning,
    nonfinite_warnings,
)
from .rules import active_linearizer


def start_values(system: NumberSystem, tape: Tape, inputs: list) -> list:
    """The input values (numbers of ``system``) followed by the tape's
    constants, re-read from the formula's text in ``system``."""
    vals = list(inputs)
    if len(vals) != tape.n_inputs:
        raise ValueError(f"expected {tape.n_inputs} input values, got {len(vals)}")
    if system.folds_constants:
        vals.extend(tape.consts)
        return vals
    source = tape.program.source
    for node in postorder(tape.program.outputs):
        if node.is_const:
            vals.append(system.const_node(node, source))
    return vals


def primal(system: NumberSystem, tape: Tape, inputs: list) -> tuple[list, list[EvalWarning]]:
    """Every slot's value, and the warnings (overflow) met on the way."""
    vals = start_values(system, tape, inputs)
    namespace = system.namespace()
    for step in tape.steps:
        args = [vals[a] for a in step.args]
        try:
            vals.append(namespace[f"_f_{step.prim.key}"](*args))
        except NotRational as exc:
            raise _not_rational(system, tape, step, vals, exc) from None
        except (ValueError, ZeroDivisionError, OverflowError):
            raise _domain(system, tape, step, vals) from None
    return vals, _nonfinite(system, tape, vals)


class Linearization(NamedTuple):
    """Values and per-step partials (w.r.t. the active arguments, whose slots
    are ``active[k]``) of every step of a tape, in ``system``."""

    system: NumberSystem
    tape: Tape
    values: list
    active: list[tuple[int, ...]]
    partials: list[list]
    warnings: list[EvalWarning]


def linearize(system: NumberSystem, tape: Tape, inputs: list) -> Linearization:
    vals = start_values(system, tape, inputs)
    dep = tape.depends_on_inputs
    actives, partials, warnings = [], [], []
    # raised after every value: a value off its domain comes first
    not_differentiable: list[DomainError] = []
    for step in tape.steps:
        prim = step.prim
        mask = tuple(dep[a] for a in step.args)
        args = [vals[a] for a in step.args]
        try:
            res = active_linearizer(system, prim, mask)(*args)
        except NotRational as exc:
            res = _rational_partials(system, tape, step, vals, args, mask, exc)
            note = edge_note(prim, _floats(system, args))  # as float64 warns there
            if note and not (prim.kink is not None and system.at_kink(prim, args) is not False):
                warnings.append(kink_warning(tape, step, _floats(system, args), note))
        except (ValueError, ZeroDivisionError, OverflowError):
            res = _rescue(system, tape, step, vals, args, mask, not_differentiable)
            note = edge_note(prim, _floats(system, args))
            if note and not (prim.kink is not None and system.at_kink(prim, args) is not False):
                warnings.append(kink_warning(tape, step, _floats(system, args), note))
        ps = list(res[1:])
        if prim.kink is not None:
            hit = system.at_kink(prim, args)
            if hit is not False:
                warnings.append(kink_warning(tape, step, system.example(args, hit)))
                ps = _kink_partials(system, prim, mask, args, hit, ps)
                if system.exact:
                    ps = _withhold_infinite(system, tape, step, vals, mask, args, ps)
        vals.append(res[0])
        actives.append(tuple(a for a, on in zip(step.args, mask) if on))
        partials.append(ps)
    if not_differentiable:
        raise not_differentiable[0]
    warnings.extend(_nonfinite(system, tape, vals))
    return Linearization(system, tape, vals, actives, partials, warnings)


def _kink_partials(system: NumberSystem, prim: Any, mask: tuple, args: list, hit: Any,
                   ps: list) -> list:
    """The partials at a kink: the shown rules' IEEE values, nan read as 0
    (as the float64 sweeps; see adcli.modes.rules), where ``hit`` says."""
    if system.exact:  # the rational rules have no ±inf to take a limit of
        return [system.kink_partial(p, hit) for p in ps]
    at_kink = list(active_linearizer(system, prim, mask, safe=True, shown=True)(*args)[1:])
    where = getattr(system, "where", None)  # NumpyArrays: only the elements at the kink
    if system.elementwise and where is not None:
        at_kink = [where(hit, k, p) for k, p in zip(at_kink, ps, strict=True)]
    return [system.kink_partial(p, hit) for p in at_kink]


def _withhold_infinite(system: NumberSystem, tape: Tape, step: Any, vals: list,
                       mask: tuple, args: list, ps: list) -> list:
    """Exact rationals hold no ±inf: where float64's kink convention gives
    one (0^0's one-sided ∂/∂y = -inf), printing a finite stand-in would be
    silently wrong, so that partial is withheld (:class:`Withheld`): a result
    it reaches is refused, one it does not (∂/∂x alone) is printed."""
    floats = [float(a) for a in args]
    shown = active_linearizer(FLOAT64, step.prim, mask, safe=True, shown=True)(*floats)[1:]
    refusal = NotRational("its one-sided limit is ±inf, which no fraction holds")
    return [Withheld(_not_rational(system, tape, step, vals, refusal, derivative=True))
            if s in (math.inf, -math.inf) else p for p, s in zip(ps, shown, strict=True)]


def _rational_partials(system: NumberSystem, tape: Tape, step: Any, vals: list, args: list,
                       mask: tuple, exc: NotRational) -> tuple:
    """The exact value and partials of a step whose rules met an operation
    that is not rational (log, in x^y's ∂/∂y), one partial at a time: at an
    edge of the domain (Primitive.edge: x = 0 with y > 0, where ∂/∂y =
    log(x)·x^y tends to 0) the rule's limit, as float64 takes it; elsewhere
    the partial is withheld (:class:`Withheld`), refused only where a
    result asked for needs it.  The operation itself not rational (sin): refused."""
    prim = step.prim
    try:
        value = system.strict(prim)(*args)
    except NotRational:
        raise _first_not_rational(system, tape, step, vals, args, exc) from None
    except (ValueError, ZeroDivisionError):
        raise _domain(system, tape, step, vals) from None
    at_edge = edge_note(prim, _floats(system, args)) is not None
    at_kink = prim.kink is not None and system.at_kink(prim, args) is not False
    out = [value]
    for i, on in enumerate(mask):
        if not on:
            continue
        alone = tuple(j == i for j in range(len(mask)))
        try:
            out.append(active_linearizer(system, prim, alone)(*args)[1])
        except NotRational as why:
            out.append(system.zero if at_edge else Withheld(
                _not_rational(system, tape, step, vals, why, derivative=True)))
        except (ValueError, ZeroDivisionError):
            if not at_kink:  # as before: the derivative does not exist here
                raise _first_not_rational(system, tape, step, vals, args, exc) from None
            out.append(system.zero)  # the rule divides by zero at the kink: the convention
    return tuple(out)


def forward(lin: Linearization, seeds: list[list]) -> list[list]:
    """One tangent sweep per seed (input tangents); every slot's tangent.
    A sum starts from its first term, not from zero: over arrays ``0 + c``
    would be one more pass over every point."""
    system, tape = lin.system, lin.tape
    zero, nonzero, times = system.zero, system.nonzero, _times(system)
    out = []
    for seed in seeds:
        tan = [_seed(system, s) for s in seed]
        tan += [zero] * (tape.first_step - tape.n_inputs)
        for act, ps in zip(lin.active, lin.partials):
            t = None
            for a, p in zip(act, ps):
                d = tan[a]
                if nonzero(d):
                    t = times(p, d) if t is None else t + times(p, d)
            tan.append(zero if t is None else t)
        out.append(tan)
    return out


def reverse(lin: Linearization, output_seeds: list[list]) -> list[list]:
    """One adjoint sweep per output seed; every slot's adjoint (``zero``
    where nothing reached it; a sum starts from its first term, as in
    :func:`forward`)."""
    system, tape = lin.system, lin.tape
    zero, nonzero, times = system.zero, system.nonzero, _times(system)
    out = []
    slots = [s.slot for s in tape.steps]
    for seed in output_seeds:
        adj: list = [None] * tape.size
        for slot, w in zip(tape.outputs, seed):
            w = _seed(system, w)
            if nonzero(w):
                adj[slot] = w if adj[slot] is None else adj[slot] + w
        for k in range(len(slots) - 1, -1, -1):
            g = adj[slots[k]]
            if g is not None and nonzero(g):
                for a, p in zip(lin.active[k], lin.partials[k]):
                    c = times(g, p)
                    adj[a] = c if adj[a] is None else adj[a] + c
        out.append([zero if g is None else g for g in adj])
    return out


def _seed(system: NumberSystem, s: Any) -> Any:
    """A seed's entry in ``system``.  A plain 0 stays the system's ``zero``,
    whose products the sweeps skip (over arrays ``number(0)`` is an array of
    zeros, which they could not skip, and whose products with ±inf are nan);
    over arrays a plain number stays one, which :func:`_times` can skip."""
    if type(s) in (int, float):
        if s == 0:
            return system.zero
        if system.elementwise:
            return float(s)
    return system.number(s)


def _times(system: NumberSystem) -> Any:
    """a·b; over arrays a product by a plain ±1 is skipped (it is exact, and
    would cost a pass over the whole array)."""
    if not system.elementwise:
        return _product

    def times(a: Any, b: Any) -> Any:
        if type(b) is float and (b == 1.0 or b == -1.0):
            return a if b == 1.0 else -a
        if type(a) is float and (a == 1.0 or a == -1.0):
            return b if a == 1.0 else -b
        return a * b

    return times


def _product(a: Any, b: Any) -> Any:
    return a * b


# --- errors ---------------------------------------------------------------------

def _floats(system: NumberSystem, vals: list) -> list[float]:
    return [system.to_float(v) for v in vals]


def _nonfinite(system: NumberSystem, tape: Tape, vals: list) -> list[EvalWarning]:
    outs = [vals[o] for o in tape.outputs]
    if system.elementwise or all(system.is_finite(v) for v in outs):
        return []  # arrays carry ±inf and nan element by element
    return nonfinite_warnings(tape, _floats(system, vals[:tape.size]),
                              _floats(system, outs))


def _domain(system, tape, step, vals):
    return domain_error(tape, step, _floats(system, vals))


def _first_not_rational(system, tape, step, vals, args, exc):
    """The rule raised NotRational: the operation itself, or its derivative?"""
    try:
        system.strict(step.prim)(*args)
    except NotRational as exc2:
        return _not_rational(system, tape, step, vals, exc2)
    except (ValueError, ZeroDivisionError):
        return _domain(system, tape, step, vals)
    return _not_rational(system, tape, step, vals, exc, derivative=True)


def _not_rational(system, tape, step, vals, exc, derivative=False):
    omega = tape.omega(step.slot)
    call = call_text(step, _floats(system, [vals[a] for a in step.args]))
    if derivative:
        message = (f"exact arithmetic: the derivative of `{call}` (ω{omega}) is not "
                   f"rational ({exc.message})")
    else:
        message = f"exact arithmetic: {exc.message} (ω{omega}: `{call}`)"
    return NotRational(message, source=tape.program.source, span=step.node.span,
                       hint=f"exact arithmetic works with {RATIONAL_NAMES}; "
                            "`digits=N` works for any formula",
                       params=("digits",))


def _rescue(system: NumberSystem, tape: Tape, step: Any, vals: list, args: list,
            mask: tuple, errors: list) -> tuple:
    """A rule raised: off the domain (an error), at a kink (the convention),
    or a derivative that does not exist here (an error added to ``errors``;
    the sweep goes on to report a value off its domain first)."""
    prim = step.prim
    try:
        value = system.strict(prim)(*args)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise _domain(system, tape, step, vals) from None
    at_kink = prim.kink is not None and system.at_kink(prim, args) is not False
    if not at_kink and edge_note(prim, _floats(system, args)) is not None:
        # inside the domain, the rule's limit (Primitive.edge): nan reads as 0
        if system.exact:
            return (value,) + tuple(system.zero for on in mask if on)
        res = active_linearizer(system, prim, mask, safe=True)(*args)
        return res[:1] + tuple(system.zero if p != p else p for p in res[1:])
    if system.exact:
        if at_kink:  # the rule divides by zero at the kink: the convention is 0
            return (value,) + tuple(system.zero for on in mask if on)
    else:
        res = active_linearizer(system, prim, mask, safe=True)(*args)
        if at_kink or all(system.is_finite(p) for p in res[1:]):
            return res
    omega = tape.omega(step.slot)
    errors.append(DomainError(
        f"{call_text(step, _floats(system, args))} cannot be differentiated here "
        f"(at ω{omega})", step=omega, source=tape.program.source, span=step.node.span,
        hint=domain_hint(prim)))
    return (value,) + tuple(system.zero for on in mask if on)
