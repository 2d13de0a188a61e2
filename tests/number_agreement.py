"""A differential test of the number systems: float64 against ``digits=30``
(and ``exact=True`` where every operation is rational), over a corpus built
from the primitives table at edge points, through eval, grad (both modes),
hessian and taylor.

What agreeing means (:func:`compare`):

* both raise, with the same class of error (a domain error in one system is
  a domain error in the other);
* or both give numbers: a finite float64 number is the high-precision one
  rounded, to ``ULPS`` units in the last place (relative to the larger of
  the two, plus an absolute floor for results below float64's normal range);
  a float64 ±inf is the high-precision number's limit: ±inf, or beyond
  float64's range with the same sign (float64 overflowed, with a warning);
  a float64 nan is a nan in the other system too;
* and the same kinks are reported (overflow and precision warnings are
  float64's and mpmath's own).

Like with like: float64 computes with the binary value of a literal such as
``0.3`` (0.29999999999999998889…), while ``digits=30`` reads its decimal
text; the two differ by 1e-17 relatively, which a large condition number
turns into a real difference of the functions' values (``x^0.3`` at
x = 1e300: 67 ulp, from ``log x · 1e-17``), not a disagreement of the number
systems.  So the high-precision systems are given each literal that has no
exact binary value as the exact decimal expansion of its float
(:func:`binary_literals`); the points are floats already, read exactly in
every system.  Reading decimal literals at working precision is tested on
its own (tests/test_precise.py).

``python tests/number_agreement.py`` prints every disagreement.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

import adcli
from adcli.errors import AdcliError
from adcli.numsys import NotRational
from adcli.primitives import TABLE

ULPS = 64  # a rule of a few operations, each half an ulp, times a modest condition
TINY = 2.2250738585072014e-308  # below float64's normal range: absolute agreement
DIGITS = 30
RATIONAL = {"add", "sub", "mul", "div", "neg", "pow", "abs", "sign", "min", "max"}


class Case(NamedTuple):
    formula: str
    point: dict[str, float]
    rational: bool  # every operation rational: exact=True applies
    two: bool  # a second variable y: Taylor runs along x only


# --- the corpus ----------------------------------------------------------------

# Points for a one-argument primitive: 0, ±1, negatives, next to domain edges
# and poles, huge and tiny magnitudes; off-domain ones must fail alike.
UNARY_POINTS = [0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 1e-300, -1e-300, 1e-8, 1e8,
                1e300, -1e300, 1 - 2**-53, -(1 - 2**-53), 1 + 2**-52, 1e-15, 30.0, 700.0,
                710.0, -745.0, math.pi / 2, math.pi, 1e15, 1e154, 1e155]

# (x, y) pairs for a two-argument primitive
BINARY_POINTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, 2.0), (0.0, 0.5), (0.0, 0.3),
                 (0.0, -1.0), (0.0, 1.5), (-2.0, 3.0), (-2.0, 2.0), (-2.0, 0.5),
                 (2.0, -3.0), (1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0),
                 (3.0, 3.0), (2.0, 0.5), (0.5, 2.0), (1e-300, 1e-300), (1e300, 1e300),
                 (1e300, 1e-300), (1e-300, 1e300), (1e-200, 1e200), (1e154, 1e154),
                 (2.0, 1e-8), (1e-8, 2.0), (10.0, 400.0), (1e-5, 1e-5), (-1e300, 2.0)]

# one-argument pieces with a constant, the forms the sweeps fold
CONSTANT_FORMS = ["x^2", "x^3", "x^-1", "x^-2", "x^0", "x^1", "x^0.5", "x^0.3", "x^2.5",
                  "x^1.5", "2^x", "0^x", "(-2)^x", "x/3", "3/x", "x - 1", "1 - x",
                  "min(x, 0)", "max(x, 1)", "log(x, 2)", "log(2, x)", "atan2(x, 1)",
                  "atan2(1, x)", "hypot(x, 0)", "hypot(1e-200, x)", "x^2.5*y + x^0.3"]


def _call(prim, a: str, b: str) -> str:
    if prim.infix and prim.arity == 2:
        return f"({a}) {prim.infix} ({b})"
    if prim.infix:
        return f"{prim.infix}({a})"
    return f"{prim.name}({a})" if prim.arity == 1 else f"{prim.name}({a}, {b})"


def corpus() -> Iterator[Case]:
    """Every primitive of the table at its edge points, alone and times y
    (a second variable, so the Hessian's mixed rules run too)."""
    for prim in TABLE:
        rational = prim.key in RATIONAL
        if prim.arity == 1:
            for x in UNARY_POINTS:
                yield Case(_call(prim, "x", ""), {"x": x}, rational, False)
                yield Case(f"{_call(prim, 'x', '')}*y", {"x": x, "y": 3.0}, rational, True)
        else:
            for x, y in BINARY_POINTS:
                yield Case(_call(prim, "x", "y"), {"x": x, "y": y}, rational, True)
    for form in CONSTANT_FORMS:
        rational = not any(f in form for f in ("log", "atan2", "hypot", "0.5", "0.3",
                                                "2.5", "1.5", "^x"))
        for x in UNARY_POINTS[:13]:
            yield Case(form if "y" in form else f"{form}*y", {"x": x, "y": 1.0},
                       rational, True)


# --- running one case in one number system -----------------------------------------

class Outcome(NamedTuple):
    error: str | None  # the class of the error raised, or None
    numbers: dict[str, Any]  # label -> number
    kinks: frozenset  # ω steps with a kink warning


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}/{k}", v, out)
    elif isinstance(value, list):
        for k, v in enumerate(value):
            _flat(f"{prefix}[{k}]", v, out)
    else:
        out[prefix] = value


COMMANDS = ("eval", "grad-forward", "grad-reverse", "hessian", "taylor")


_LITERAL = re.compile(r"(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def binary_literals(formula: str) -> str:
    """``formula`` with each number literal written as the exact decimal
    value of the float64 that float64 computes with (``0.3`` becomes
    0.299999999999999988897769753748434595763683319091796875); literals
    with an exact binary value (``2``, ``0.5``, ``2.5``) stay as they are."""
    from decimal import Decimal

    def exact(match: re.Match) -> str:
        text = match.group(0)
        binary = Decimal(float(text))
        return text if binary == Decimal(text) else str(binary).lower()

    return _LITERAL.sub(exact, formula)


def run(case: Case, command: str, **system: Any) -> Outcome:
    f = adcli.compile(binary_literals(case.formula) if system else case.formula)
    point = dict(case.point)
    try:
        if command == "eval":
            r: Any = f.evaluate(point, **system)
            parts = {"value": r.value}
        elif command.startswith("grad"):
            r = f.gradient(point, mode=command.split("-")[1], **system)
            parts = {"value": r.value, "gradient": r.gradient}
        elif command == "hessian":
            r = f.hessian(point, **system)
            parts = {"value": r.value, "gradient": r.gradient, "hessian": r.hessian}
        else:
            r = f.taylor(point, order=3, direction={"x": 1.0}, **system)
            parts = {"derivatives": r.derivatives}
    except NotRational:
        return Outcome("NotRational", {}, frozenset())
    except AdcliError as exc:
        return Outcome(type(exc).__name__, {}, frozenset())
    except Exception as exc:  # noqa: BLE001 - an internal error is a finding too
        return Outcome(f"internal {type(exc).__name__}: {exc}", {}, frozenset())
    numbers: dict[str, Any] = {}
    for name, value in parts.items():
        _flat(name, value, numbers)
    kinks = frozenset(w.step for w in r.warnings if w.kind == "kink")
    return Outcome(None, numbers, kinks)


# --- comparing ---------------------------------------------------------------------

def _agree(f: float, m: Any) -> bool:
    """float64 ``f`` against the high-precision ``m`` (an mpf or Fraction)."""
    if isinstance(f, float) and math.isnan(f):
        return m != m
    if m != m:
        return False
    try:
        rounded = float(m)
    except OverflowError:
        rounded = math.inf if m > 0 else -math.inf
    if math.isinf(f):
        return rounded == f  # ±inf, or beyond float64's range with f's sign
    if math.isinf(rounded):
        return False
    scale = max(abs(f), abs(rounded))
    return abs(f - rounded) <= ULPS * math.ulp(scale) + ULPS * TINY * 2**-52 or (
        scale < TINY and abs(f - rounded) <= TINY)


def compare(ref: Outcome, other: Outcome) -> str | None:
    """None when float64 (``ref``) and ``other`` agree, else why not."""
    if ref.error or other.error:
        if ref.error == other.error:
            return None
        return f"error {ref.error} vs {other.error}"
    if ref.kinks != other.kinks:
        return f"kinks at ω{sorted(ref.kinks)} vs ω{sorted(other.kinks)}"
    if set(ref.numbers) != set(other.numbers):
        return f"labels {sorted(ref.numbers)} vs {sorted(other.numbers)}"
    bad = [k for k in ref.numbers if not _agree(float(ref.numbers[k]), other.numbers[k])]
    if bad:
        return "; ".join(f"{k}: {ref.numbers[k]!r} vs {other.numbers[k]}" for k in bad)
    return None


def disagreements(cases: list[Case] | None = None,
                  commands: tuple[str, ...] = COMMANDS) -> list[str]:
    """Every disagreement of digits=30 (and exact=True) with float64."""
    found = []
    for case in corpus() if cases is None else cases:
        for command in commands:
            ref = run(case, command)
            systems: list[dict[str, Any]] = [{"digits": DIGITS}]
            if case.rational and command != "taylor":
                systems.append({"exact": True})
            for system in systems:
                other = run(case, command, **system)
                if other.error == "NotRational":
                    continue  # exact arithmetic does not apply here
                why = compare(ref, other)
                if why:
                    name = "exact" if "exact" in system else f"digits={DIGITS}"
                    found.append(f"{command} {case.formula!r} at {case.point} "
                                 f"[float64 vs {name}]: {why}")
    return found


if __name__ == "__main__":
    only = sys.argv[1:]
    cases = [c for c in corpus() if not only or any(o in c.formula for o in only)]
    problems = disagreements(cases)
    print("\n".join(problems))
    print(f"{len(problems)} disagreements in {len(cases)} cases", file=sys.stderr)
