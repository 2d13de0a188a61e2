"""Messages about a step of the tape: domain errors, kinks, overflow.

Shared by every sweep and number system; numbers appear in float64 text.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import DomainError, EvalWarning
from ..graph.tape import Step, Tape
from ..numtext import plain_number
from ..primitives import Primitive


def kink_warning(tape: Tape, step: Step, args: list[float],
                 note: str | None = None) -> EvalWarning:
    omega = tape.omega(step.slot)
    if note is None:
        note = step.prim.kink_note
        at = getattr(note, "at", None)  # a note worded for these arguments
        if at is not None:
            note = at(*args)
    return EvalWarning("kink", omega,
                       f"{call_text(step, args)} at ω{omega} is not differentiable ({note})")


def edge_note(prim: Primitive, args: list[float]) -> str | None:
    """The table's ``edge`` note at these float arguments (None: not an edge)."""
    return prim.edge(*args) if prim.edge is not None else None


def nonfinite_warnings(tape: Tape, vals: list[float],
                       results: list[float]) -> list[EvalWarning]:
    """Name the step where ±inf or nan first appeared, if a result has one."""
    if all(math.isfinite(v) for v in results):
        return []
    for step in tape.steps:
        v = vals[step.slot]
        if not math.isfinite(v):
            args = [vals[a] for a in step.args]
            omega = tape.omega(step.slot)
            what = "overflowed to" if not any(map(math.isinf, args)) and v == v else "gives"
            return [EvalWarning("overflow" if v == v else "nan", omega,
                                f"{call_text(step, args)} {what} {plain_number(v)} at ω{omega}")]
    return []


def call_text(step: Step, args: list[float]) -> str:
    prim = step.prim
    shown = [plain_number(a) for a in args]
    if prim.infix and prim.arity == 2:
        return f"{shown[0]} {prim.infix} {shown[1]}"
    if prim.infix:
        return f"{prim.infix}{shown[0]}"
    return f"{prim.name}({', '.join(shown)})"


def domain_hint(prim: Primitive) -> str | None:
    if prim.key == "div":
        return "the divisor must not be zero"
    what = f"x{prim.infix}y" if prim.infix and prim.arity == 2 else prim.name
    return f"{what} is defined for {prim.domain}" if prim.domain else None


def domain_error(tape: Tape, step: Step, vals: list[float]) -> DomainError:
    args = [vals[a] for a in step.args]
    omega = tape.omega(step.slot)
    call = call_text(step, args)
    if step.prim.key == "div":
        message = f"division by zero: {call} at ω{omega}"
    else:
        message = f"{call} is undefined (at ω{omega})"
    hint = domain_hint(step.prim)
    if hint is not None and step.prim.key == "pow" and _is_odd_root(args[1]):
        hint += ("; for the real cube root of a negative number write cbrt(x)"
                 if abs(args[1] * 3 - 1) < 1e-12 else "; for a real odd root write -(-x)^y")
    return DomainError(message, step=omega, source=tape.program.source,
                       span=step.node.span, hint=hint)


def _is_odd_root(y):
    """1/3, 1/5, …: a negative base has a real root, but x^y is not it."""
    try:
        n = round(1 / float(y))
    except (ZeroDivisionError, TypeError, ValueError, OverflowError):
        return False
    return n % 2 == 1 and abs(float(y) * n - 1) < 1e-12


def derivative_warnings(lin: Any) -> list[EvalWarning]:
    # lin: a float64 sweeps.Linearization (the sweeps import this module)
    """A float64 derivative came out ±inf or nan: name the first step whose
    partial did, unless a warning already speaks of that step (a kink, an
    overflowed value); or, when every partial is finite, the chain rule."""
    tape = lin.tape
    warned = {w.step for w in lin.warnings}
    for step, ps in zip(tape.steps, lin.partials):
        bad = [p for p in ps if not math.isfinite(p)]
        if not bad:
            continue
        omega = tape.omega(step.slot)
        if omega in warned:
            return []
        p = bad[0]
        args = [lin.values[a] for a in step.args]
        return [EvalWarning("overflow" if p == p else "nan", omega,
                            f"the derivative of {call_text(step, args)} at ω{omega} "
                            f"{'overflows to' if p == p else 'is'} {plain_number(p)}")]
    if lin.warnings:
        return []
    return [EvalWarning("overflow", None, "a derivative overflowed in the chain rule's "
                        "products although every local partial is finite")]
