"""The engine's entry points: the sweeps in any number system.

Each takes a tape and a vector of input values (numbers of ``system``),
never the API's objects.  float64 runs the specialised sweeps of
:mod:`adcli.modes.sweeps` (bulk rule evaluation, measurably faster); every
other system runs the generic sweeps of :mod:`adcli.modes.generic`, which
``tests/test_engine.py`` also runs in float64 against the fast ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..errors import DomainError, EvalWarning, UsageError
from ..graph.tape import Tape
from ..language.parser import parse
from ..numsys import FLOAT64, NotRational, NumberSystem, refuse_withheld
from . import sweeps
from .messages import derivative_warnings

MODES = ("auto", "forward", "reverse")


def primal(tape: Tape, inputs: list, system: NumberSystem = FLOAT64) -> tuple[list, list]:
    """(every slot's value, warnings)."""
    if system is FLOAT64:
        return sweeps.primal(tape, inputs)
    from . import generic  # (not on float64's path: its start-up)

    return generic.primal(system, tape, inputs)


def linearize(tape: Tape, inputs: list, system: NumberSystem = FLOAT64) -> Any:
    """Values and local partials at one point (``.values``, ``.warnings``)."""
    if system is FLOAT64:
        return sweeps.linearize(tape, inputs)
    from . import generic

    return generic.linearize(system, tape, inputs)


def forward(lin: Any, seeds: list[list]) -> list[list]:
    """One tangent sweep per seed (input tangents): every slot's tangent."""
    if type(lin) is sweeps.Linearization:
        return sweeps.forward(lin, seeds)
    from . import generic

    return generic.forward(lin, seeds)


def reverse(lin: Any, output_seeds: list[list]) -> list[list]:
    """One adjoint sweep per seed (output adjoints): every slot's adjoint."""
    if type(lin) is sweeps.Linearization:
        return sweeps.reverse(lin, output_seeds)
    from . import generic

    return generic.reverse(lin, output_seeds)


def value_and_jacobian(tape: Tape, inputs: list, index: list[int], mode: str,
             system: NumberSystem = FLOAT64) -> tuple[list, list[EvalWarning]]:
    """The outputs' values, then the Jacobian's rows (∂ of each output by the
    inputs at ``index``) one after another, by ``mode`` (forward: a tangent
    sweep per input, reverse: an adjoint sweep per output); and the
    warnings (in float64 also where a derivative is not finite)."""
    lin = linearize(tape, inputs, system)
    one, zero = system.one, system.zero
    n, m = tape.n_inputs, len(tape.outputs)
    if mode == "forward":
        seeds = [[one if j == i else zero for j in range(n)] for i in index]
        tangents = forward(lin, seeds)
        rows = [[tan[o] for tan in tangents] for o in tape.outputs]
    else:
        seeds = [[one if j == k else zero for j in range(m)] for k in range(m)]
        rows = [[adj[i] for i in index] for adj in reverse(lin, seeds)]
    flat = [lin.values[o] for o in tape.outputs]
    for row in rows:
        flat.extend(row)
    if system.exact:  # a partial with no rational value reached what was asked
        refuse_withheld(flat)
    if system is FLOAT64 and not all(map(math.isfinite, flat[m:])):
        return flat, lin.warnings + derivative_warnings(lin)
    return flat, lin.warnings


def read_value(system: NumberSystem, spec: Any, name: str = "value") -> Any:
    """A point value in ``system``: a number (a float is its exact binary
    value), or the text of a constant expression (``"1/3"``, ``"pi/4"``)
    read at the system's working precision."""
    if isinstance(spec, str):
        return _read_text(system, spec.strip(), name)
    try:
        return system.number(spec)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"the value of `{name}` must be a number, not {spec!r}") from exc


def _read_text(system: NumberSystem, text: str, name: str) -> Any:
    literal = getattr(system, "signed_literal", None)
    value = literal(text) if literal is not None else None
    if value is not None:
        return value
    program = parse(text, allow_free=False)
    if len(program.outputs) != 1:
        raise UsageError(f"the value of `{name}` must be a single expression", source=text,
                         span=(0, len(text)), label="value")
    tape = Tape(program, ())
    try:
        vals, _ = primal(tape, [], system)
    except DomainError as exc:
        raise UsageError(exc.message, source=exc.source, span=exc.span, hint=exc.hint,
                         label="value") from None
    except NotRational as exc:
        exc.label = "value"
        raise
    return vals[tape.outputs[0]]


def choose_mode(mode: str, n_outputs: int, n_inputs: int) -> str:
    if mode not in MODES:
        raise UsageError(f"unknown mode `{mode!r}`",
                         hint="use forward, reverse or auto; a variable named `mode` goes "
                              "in the point mapping: f.gradient({'mode': 3})")
    if mode == "auto":
        return "reverse" if n_outputs < n_inputs else "forward"
    return mode


def mode_reason(n_outputs: int, n_wrt: int) -> str:
    """Why ``auto`` picks the mode it picks, in words."""
    if n_outputs < n_wrt:
        return (f"reverse: {n_outputs} output{'s' * (n_outputs != 1)} < {n_wrt} input"
                f"{'s' * (n_wrt != 1)}, so fewer sweeps backwards than forwards")
    return (f"forward: {n_wrt} input{'s' * (n_wrt != 1)} <= {n_outputs} output"
            f"{'s' * (n_outputs != 1)}, so no more sweeps forwards than backwards")


def solve(system: NumberSystem, tape: Tape, specs: list,
          compute: Callable[[list], tuple[list, list[EvalWarning]]],
          ) -> tuple[list, list[EvalWarning], dict[str, Any]]:
    """Run ``compute(inputs) -> (numbers, warnings)`` in ``system`` until its
    numbers are right to the system's digits, reading the point's values at
    each working precision: (numbers, warnings, {input: value})."""
    names = tape.inputs
    if system is FLOAT64:  # one run on the values as given: nothing to converge
        numbers, warnings = compute(specs)
        return numbers, list(warnings), dict(zip(names, specs))
    state = {}

    def flat():
        if system is FLOAT64:
            inputs = specs
        else:
            inputs = [read_value(system, s, name) for s, name in zip(specs, names)]
        numbers, state["warnings"] = compute(inputs)
        return numbers + list(inputs)

    numbers, more = system.converge(flat, len(tape.steps))
    cut = len(numbers) - len(names)
    return numbers[:cut], list(state["warnings"]) + more, dict(zip(names, numbers[cut:]))
