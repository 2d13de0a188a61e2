"""The results of the Python API: values and derivatives with their
number system (``.system``; ``.format(x)`` prints a number with the digits
asked for), warnings and the point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import EvalWarning, UsageError
from .numsys import FLOAT64, NumberSystem

# what a result records of its point: {name: value as computed}
PointValues = dict[str, Any]

if TYPE_CHECKING:
    from .graph.tape import Tape
    from .modes.trace import Trace


def one_or_all(items: Sequence[Any]) -> Any:
    """The rule of every result: the one entry alone (one output), else the list."""
    return items[0] if len(items) == 1 else items


# the fields of a result that hold no numbers of its number system
_NOT_NUMBERS = frozenset({"outputs", "output", "mode", "warnings", "system", "wrt", "sweeps",
                          "order"})


def _presented(present, item):
    """``item`` (a number, or dicts/lists of them) with every number presented."""
    if isinstance(item, dict):
        return {k: _presented(present, v) for k, v in item.items()}
    if isinstance(item, list):
        return [_presented(present, v) for v in item]
    return present(item)


class _Numbers:
    """What every result has: its number system, numbers printed in it, and
    ``value``, which is ``values`` by :func:`one_or_all`."""

    __slots__ = ()
    values: list[Any]
    system: NumberSystem

    def _present_numbers(self):
        """With ``digits=N`` or ``exact=True``, every number of the result
        prints as the CLI prints it (adcli/printed.py); float64 and arrays
        are left as they are."""
        if not self.system.presents:
            return
        present = self.system.present
        for field in self.__slots__:
            if field not in _NOT_NUMBERS:
                setattr(self, field, _presented(present, getattr(self, field)))

    @property
    def value(self) -> Any:
        return one_or_all(self.values)

    @property
    def context(self) -> NumberSystem:
        """The number system (``.context.format(x)`` prints a number of it)."""
        return self.system

    def format(self, x: Any) -> str:
        """``x`` as text in this result's number system (its digits)."""
        return self.system.format(x)


class Evaluation(_Numbers):
    """The value(s) at a point.

    The rule every result follows: ``.values`` is a list with one entry per
    output, always; ``.value`` is that entry alone when there is one output
    (a one-output formula, or a Hessian, which is of one chosen output) and
    the whole list when there are several.  ``.derivative``, ``.partial``,
    ``.coefficients`` and ``.derivatives`` follow the same rule."""

    __slots__ = ("outputs", "values", "warnings", "point", "system")

    def __init__(self, outputs: Sequence[str], values: list[Any], warnings: list[EvalWarning],
                 point: PointValues | None = None, system: NumberSystem = FLOAT64) -> None:
        self.outputs = outputs
        self.values = values
        self.warnings = warnings
        self.point = point
        self.system = system
        self._present_numbers()

    def __repr__(self):
        shown = ", ".join(f"{k!r}: {self.format(v)}" for k, v in zip(self.outputs, self.values))
        return f"Evaluation({{{shown}}})"


class Derivatives(_Numbers):
    """Values and first derivatives at one point."""

    __slots__ = ("outputs", "values", "jacobian", "mode", "warnings", "point", "system")

    def __init__(self, outputs: Sequence[str], values: list[Any],
                 jacobian: list[dict[str, Any]], mode: str, warnings: list[EvalWarning],
                 point: PointValues, system: NumberSystem = FLOAT64) -> None:
        self.outputs = outputs
        self.values = values
        self.jacobian = jacobian  # one {variable: derivative} per output
        self.mode = mode
        self.warnings = warnings
        self.point = point
        self.system = system
        self._present_numbers()

    @property
    def gradient(self) -> dict[str, Any]:
        """{variable: ∂f/∂variable} for a scalar function."""
        if len(self.values) != 1:
            raise UsageError("several outputs: use .jacobian (one row per output)")
        return self.jacobian[0]

    def __repr__(self):  # a precise number's repr has every digit asked for
        return (f"Derivatives(value={self.value!r}, jacobian={self.jacobian!r}, "
                f"mode={self.mode!r})")


class _Result(_Numbers):
    __slots__ = ()

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__
                           if k not in ("warnings", "point", "system"))
        return f"{type(self).__name__}({fields})"


class Directional(_Result):
    """J·v: the derivative of every output along ``direction`` (one tangent sweep)."""

    __slots__ = ("outputs", "values", "direction", "derivatives", "mode", "warnings", "point",
                 "system")

    def __init__(self, outputs: Sequence[str], values: list[Any], direction: dict[str, Any],
                 derivatives: list[Any], warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        self.system = system
        self.outputs, self.values, self.direction = outputs, values, direction
        self.derivatives, self.mode, self.warnings, self.point = (
            derivatives, "forward", warnings, point)
        self._present_numbers()

    @property
    def derivative(self) -> Any:
        return one_or_all(self.derivatives)


class Cotangent(_Result):
    """uᵀ·J: the gradient of Σ uₖ·fₖ (one adjoint sweep)."""

    __slots__ = ("outputs", "values", "cotangent", "gradient", "mode", "warnings", "point",
                 "system")

    def __init__(self, outputs: Sequence[str], values: list[Any], cotangent: dict[str, Any],
                 gradient: dict[str, Any], warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        self.system = system
        self.outputs, self.values, self.cotangent = outputs, values, cotangent
        self.gradient, self.mode, self.warnings, self.point = (
            gradient, "reverse", warnings, point)
        self._present_numbers()


class Hessian(_Result):
    """Value, gradient and dense Hessian ({row: {column: ∂²f}}) of one
    output, or with ``direction`` the single product ``hvp`` = H·v."""

    __slots__ = ("output", "value", "gradient", "hessian", "direction", "hvp", "mode",
                 "warnings", "point", "system")
    value: Any  # a slot (the one output's value), in place of _Numbers' property

    def __init__(self, output: str, value: Any, gradient: dict[str, Any],
                 hessian: dict[str, dict[str, Any]] | None, direction: dict[str, Any] | None,
                 hvp: dict[str, Any] | None, warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        self.system = system
        self.output, self.value, self.gradient, self.hessian = output, value, gradient, hessian
        self.direction, self.hvp = direction, hvp
        self.mode = "forward-over-reverse"
        self.warnings, self.point = warnings, point
        self._present_numbers()

    @property
    def outputs(self) -> tuple[str]:
        """The one output this Hessian is of (as every result's ``outputs``)."""
        return (self.output,)

    @property
    def values(self) -> list[Any]:  # type: ignore[override]  # derived from the one value
        """[value]: a Hessian is of one output (see :class:`Evaluation`)."""
        return [self.value]

    def matrix(self) -> list[list[Any]]:
        """The Hessian as a list of rows, in the order of ``gradient``."""
        if self.hessian is None:
            raise UsageError("a Hessian-vector product has no matrix: see .hvp")
        names = list(self.gradient)
        return [[self.hessian[r][c] for c in names] for r in names]


class Taylor(_Result):
    """Taylor coefficients c₀…c_K and derivatives k!·c_k of f(x + t·v) at t = 0
    (one list per output)."""

    __slots__ = ("outputs", "values", "direction", "order", "coefficients_of",
                 "derivatives_of", "warnings", "point", "system")

    def __init__(self, outputs: Sequence[str], direction: dict[str, Any], order: int,
                 coefficients: list[list[Any]], warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        self.outputs, self.direction, self.order = outputs, direction, order
        self.coefficients_of = coefficients
        self.system = system
        if system is FLOAT64:
            self.derivatives_of = [float_derivatives(c) for c in coefficients]
        else:  # k!·c_k at the working precision (no overflow to guard against)
            with system.working():
                self.derivatives_of = [[c * math.factorial(k) for k, c in enumerate(row)]
                                       for row in coefficients]
        self.values = [c[0] for c in coefficients]
        self.warnings, self.point = warnings, point
        self._present_numbers()

    @property
    def coefficients(self) -> Any:
        return one_or_all(self.coefficients_of)

    @property
    def derivatives(self) -> Any:
        return one_or_all(self.derivatives_of)


def float_derivatives(coefficients: Sequence[Any]) -> list[Any]:
    """dᵏ/dtᵏ from float64 Taylor coefficients: k!·c_k (k! beyond float
    range, from k = 171 on, is applied in steps so that c_k·k! is still
    right when finite)."""
    out = []
    for k, c in enumerate(coefficients):
        if k <= 170:
            out.append(c * math.factorial(k))
            continue
        d = c
        for j in range(2, k + 1):
            d *= j
            if d == 0 or d != d or math.isinf(d):
                break
        out.append(d)
    return out


class Partial(_Result):
    """One mixed partial ∂ᵐf/∂wrt₁…∂wrtₘ (one per output)."""

    __slots__ = ("outputs", "values", "wrt", "partials", "sweeps", "warnings", "point",
                 "system")

    def __init__(self, outputs: Sequence[str], values: list[Any], wrt: list[str],
                 partials: list[Any], sweeps: int, warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        self.system = system
        self.outputs, self.values, self.wrt, self.partials = outputs, values, wrt, partials
        self.sweeps, self.warnings, self.point = sweeps, warnings, point
        self._present_numbers()

    @property
    def partial(self) -> Any:
        return one_or_all(self.partials)


class Dag(NamedTuple):
    """The expression DAG (``Function.graph``): its tape, and the ω trace
    at the point when one was given (``mode`` is the mode asked for: None
    draws values only, without tangents or adjoints)."""

    tape: Tape
    trace: Trace | None
    mode: str | None

    @property
    def warnings(self) -> list:
        return self.trace.warnings if self.trace is not None else []


# --- computations on a Function -----------------------------------------------

