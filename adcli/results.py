"""The results of the Python API: values and derivatives with their
number system (``.system``; ``.format(x)`` prints a number with the digits
asked for), warnings and the point.

Every result is frozen (:mod:`adcli.frozen`): its fields are set once, in
``__init__`` (numbers presented in the number system before anyone reads
them), and assigning to one raises ``adcli.frozen.FrozenError`` (an
AttributeError).  A result compares and hashes by identity, as before (its
numbers may be nan, arrays or dicts).  ``adcli.frozen.assembled`` and
``replace`` build one from fields as they are (the arrays of points stack
per-point results).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import EvalWarning, UsageError
from .frozen import Frozen, fields, init
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


class _Numbers(Frozen):
    """What every result has: its number system, numbers printed in it, and
    ``value``, which is ``values`` by :func:`one_or_all`."""

    __slots__ = ()
    values: list[Any]
    system: NumberSystem

    def _present_numbers(self) -> None:
        """With ``digits=N`` or ``exact=True``, every number of the result
        prints as the CLI prints it (adcli/printed.py); float64 and arrays
        are left as they are.  Part of construction: the fields are frozen
        once ``__init__`` returns."""
        if not self.system.presents:
            return
        present = self.system.present
        for field in fields(type(self)):
            if field not in _NOT_NUMBERS:
                init(self, field, _presented(present, getattr(self, field)))

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
    outputs: Sequence[str]
    values: list[Any]
    warnings: list[EvalWarning]
    point: PointValues | None
    system: NumberSystem

    def __init__(self, outputs: Sequence[str], values: list[Any], warnings: list[EvalWarning],
                 point: PointValues | None = None, system: NumberSystem = FLOAT64) -> None:
        init(self, "outputs", outputs)
        init(self, "values", values)
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
        self._present_numbers()

    def __repr__(self):
        shown = ", ".join(f"{k!r}: {self.format(v)}" for k, v in zip(self.outputs, self.values))
        return f"Evaluation({{{shown}}})"


class Derivatives(_Numbers):
    """Values and first derivatives at one point."""

    __slots__ = ("outputs", "values", "jacobian", "mode", "warnings", "point", "system")
    outputs: Sequence[str]
    values: list[Any]
    jacobian: list[dict[str, Any]]  # one {variable: derivative} per output
    mode: str
    warnings: list[EvalWarning]
    point: PointValues
    system: NumberSystem

    def __init__(self, outputs: Sequence[str], values: list[Any],
                 jacobian: list[dict[str, Any]], mode: str, warnings: list[EvalWarning],
                 point: PointValues, system: NumberSystem = FLOAT64) -> None:
        init(self, "outputs", outputs)
        init(self, "values", values)
        init(self, "jacobian", jacobian)
        init(self, "mode", mode)
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
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
    outputs: Sequence[str]
    values: list[Any]
    direction: dict[str, Any]
    derivatives: list[Any]
    mode: str
    warnings: list[EvalWarning]
    point: PointValues
    system: NumberSystem

    def __init__(self, outputs: Sequence[str], values: list[Any], direction: dict[str, Any],
                 derivatives: list[Any], warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        init(self, "outputs", outputs)
        init(self, "values", values)
        init(self, "direction", direction)
        init(self, "derivatives", derivatives)
        init(self, "mode", "forward")
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
        self._present_numbers()

    @property
    def derivative(self) -> Any:
        return one_or_all(self.derivatives)


class Cotangent(_Result):
    """uᵀ·J: the gradient of Σ uₖ·fₖ (one adjoint sweep)."""

    __slots__ = ("outputs", "values", "cotangent", "gradient", "mode", "warnings", "point",
                 "system")
    outputs: Sequence[str]
    values: list[Any]
    cotangent: dict[str, Any]
    gradient: dict[str, Any]
    mode: str
    warnings: list[EvalWarning]
    point: PointValues
    system: NumberSystem

    def __init__(self, outputs: Sequence[str], values: list[Any], cotangent: dict[str, Any],
                 gradient: dict[str, Any], warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        init(self, "outputs", outputs)
        init(self, "values", values)
        init(self, "cotangent", cotangent)
        init(self, "gradient", gradient)
        init(self, "mode", "reverse")
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
        self._present_numbers()


class Hessian(_Result):
    """Value, gradient and dense Hessian ({row: {column: ∂²f}}) of one
    output, or with ``direction`` the single product ``hvp`` = H·v."""

    __slots__ = ("output", "value", "gradient", "hessian", "direction", "hvp", "mode", "warnings",
                 "point", "system")
    output: str
    value: Any  # a field (the one output's value), in place of _Numbers' property
    gradient: dict[str, Any]
    hessian: dict[str, dict[str, Any]] | None
    direction: dict[str, Any] | None
    hvp: dict[str, Any] | None
    mode: str
    warnings: list[EvalWarning]
    point: PointValues
    system: NumberSystem

    def __init__(self, output: str, value: Any, gradient: dict[str, Any],
                 hessian: dict[str, dict[str, Any]] | None, direction: dict[str, Any] | None,
                 hvp: dict[str, Any] | None, warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        init(self, "output", output)
        init(self, "value", value)
        init(self, "gradient", gradient)
        init(self, "hessian", hessian)
        init(self, "direction", direction)
        init(self, "hvp", hvp)
        init(self, "mode", "forward-over-reverse")
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
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

    __slots__ = ("outputs", "values", "direction", "order", "coefficients_of", "derivatives_of",
                 "warnings", "point", "system")
    outputs: Sequence[str]
    values: list[Any]  # c₀ of each output
    direction: dict[str, Any]
    order: int
    coefficients_of: list[list[Any]]
    derivatives_of: list[list[Any]]  # k!·c_k
    warnings: list[EvalWarning]
    point: PointValues
    system: NumberSystem

    def __init__(self, outputs: Sequence[str], direction: dict[str, Any], order: int,
                 coefficients: list[list[Any]], warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        if system is FLOAT64:
            derivatives = [float_derivatives(c) for c in coefficients]
        else:  # k!·c_k at the working precision (no overflow to guard against)
            with system.working():
                derivatives = [[c * math.factorial(k) for k, c in enumerate(row)]
                               for row in coefficients]
        init(self, "outputs", outputs)
        init(self, "values", [c[0] for c in coefficients])
        init(self, "direction", direction)
        init(self, "order", order)
        init(self, "coefficients_of", coefficients)
        init(self, "derivatives_of", derivatives)
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
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

    __slots__ = ("outputs", "values", "wrt", "partials", "sweeps", "warnings", "point", "system")
    outputs: Sequence[str]
    values: list[Any]
    wrt: list[str]
    partials: list[Any]
    sweeps: int
    warnings: list[EvalWarning]
    point: PointValues
    system: NumberSystem

    def __init__(self, outputs: Sequence[str], values: list[Any], wrt: list[str],
                 partials: list[Any], sweeps: int, warnings: list[EvalWarning], point: PointValues,
                 system: NumberSystem = FLOAT64) -> None:
        init(self, "outputs", outputs)
        init(self, "values", values)
        init(self, "wrt", wrt)
        init(self, "partials", partials)
        init(self, "sweeps", sweeps)
        init(self, "warnings", warnings)
        init(self, "point", point)
        init(self, "system", system)
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

