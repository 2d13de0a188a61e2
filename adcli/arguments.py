"""Argument normalisation for the Python API: points (a mapping first,
keyword conveniences that cannot collide), values (every bad one an adcli
error), the number system of a call, directions, outputs and ``wrt`` lists.

The layer below :mod:`adcli.api` and :mod:`adcli.higher`; it speaks of
parameters, not of command-line flags.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from .errors import UsageError, example_point, listed
from .graph.program import Program
from .graph.tape import Tape
from .modes.engine import read_value
from .numsys import FLOAT64, NumberSystem, numpy_arrays
from .numsys import system as number_system

# a point as the API takes it: a mapping of names to values, or None
Point = Mapping[str, Any] | None
# ``wrt`` as the API takes it: "x,y", a list of names, or None for every input
Names = str | Iterable[str] | None
# a direction or cotangent: {name: value}, or one value per input (output) in order
Vector = Mapping[str, Any] | Sequence[Any]


class FunctionLike(Protocol):
    """What the layers built on the API (higher, sparse) use of an
    :class:`adcli.Function`: named here so that they need not import it."""

    source: str
    program: Program
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def tape(self, inputs: Iterable[str] | None = None) -> Tape: ...

    def _prepare(self, point: Point, kwargs: Mapping[str, Any], digits: int | None = None,
                 exact: bool = False, arrays: bool = True,
                 ) -> tuple[NumberSystem, Tape, list]: ...

    def _bind(self, point: Point, kwargs: Mapping[str, Any],
              system: NumberSystem | None = None) -> tuple[Tape, list]: ...

    def _wrt(self, tape: Tape, wrt: Names) -> list[str]: ...

# keyword parameters of the computations: a variable with such a name is
# given in the point mapping (``f.gradient({"mode": 3})``)
PARAMETERS = frozenset({"point", "wrt", "mode", "digits", "exact", "output", "direction",
                        "order", "seed", "cotangent", "cost"})


def point_mapping(point: Any, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The point as a new dict: a mapping first argument (any names), then
    keyword conveniences; a name given both ways is an error."""
    if point is None:
        point = {}
    elif not hasattr(point, "items"):
        raise UsageError(f"a point is a mapping of names to values, not "
                         f"{type(point).__name__}", hint="e.g. {'x': 1.5, 'y': 2}")
    merged = dict(point)
    for name, value in kwargs.items():
        if name in merged:
            raise UsageError(f"`{name}` is given twice (in the point and as a keyword)")
        merged[name] = value
    return merged


def checked_value(name: str, value: Any, float64: bool) -> Any:
    """A point value as a finite float64; for another number system the
    value as given (read later at its precision).  A bad one is a
    UsageError naming it (never a bare TypeError, ValueError or OverflowError)."""
    if value is None or isinstance(value, (bool, complex)):
        raise UsageError(f"the value of `{name}` must be a real number, not "
                         f"{type(value).__name__} {value!r}")
    if is_array(value) and getattr(value, "ndim", None) != 0:  # many points: this call takes one
        raise UsageError(f"the value of `{name}` must be one number here, not an array "
                         f"({type(value).__name__} {value!r:.60})",
                         hint="trace, graph and cost take one point at a time; evaluate, "
                              "gradient, hessian, taylor, partial, jvp and vjp take arrays")
    if not float64:
        return value
    if isinstance(value, str):
        value = read_value(FLOAT64, value, name)
    elif type(value) is not float and not _is_real(value):
        raise UsageError(f"the value of `{name}` must be a real number, not "
                         f"{type(value).__name__} {value!r}")
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise UsageError(f"the value of `{name}` is not a float64 number: {value!r:.60}",
                         hint="use digits=N or exact=True for numbers beyond float64") from None
    if not math.isfinite(number):
        raise UsageError(f"the value of `{name}` must be a finite number, not {number}")
    return number


def _is_real(value: Any) -> bool:
    """A real number of any type (``numbers`` is imported only for a value
    that is neither a float nor an int: the start-up of a float64 call)."""
    if type(value) is int:
        return True
    import numbers

    return isinstance(value, numbers.Real) or type(value).__module__.startswith(
        ("mpmath", "numpy", "decimal"))


def is_array(value: Any) -> bool:
    return not isinstance(value, (str, bytes)) and hasattr(value, "__len__")


def has_arrays(point: Any, kwargs: Mapping[str, Any]) -> bool:
    """Is a value of the point (a mapping or keywords) an array or a list?"""
    values = list(point.values()) if hasattr(point, "values") else []
    return any(is_array(v) for v in values + list(kwargs.values()))


def system_for(point: Any, kwargs: Mapping[str, Any], digits: int | None = None,
               exact: bool = False, arrays: bool = True) -> NumberSystem:
    """The number system of a call: NumPy arrays when a point value is an
    array (or a list) of numbers, else ``digits=``/``exact=``/float64."""
    values = list(point.values()) if hasattr(point, "values") else []
    if not any(is_array(v) for v in values + list(kwargs.values())):
        return number_system(digits, exact)
    if not arrays:
        raise UsageError("arrays of points are not taken here: give one point at a time")
    if digits is not None or exact:
        raise UsageError("arrays of points are computed in float64: drop digits/exact, "
                         "or give one point at a time")

    return numpy_arrays()


def name_list(wrt: Names) -> list[str] | None:
    if wrt is None:
        return None
    if isinstance(wrt, str):
        return [w.strip() for w in wrt.split(",") if w.strip()]
    return list(wrt)


def check_names(tape: Tape, names: Iterable[str], param: str) -> None:
    known = tape.input_index  # a dict: a tuple's `in` made --dir over n inputs n²
    for name in names:
        if name not in known:
            raise UsageError(
                f"`{param}` names `{name}`, which is not an input",
                hint=f"the inputs are {', '.join(tape.inputs) or 'none'}", params=(param,))


def direction_vector(tape: Tape, direction: Mapping[str, Any] | Sequence[Any],
                     param: str = "direction", system: NumberSystem = FLOAT64) -> list:
    """A direction {name: value} (or a sequence in input order) as a list of
    numbers of ``system`` (text such as ``"1/3"`` read at its precision)."""
    if system is FLOAT64:
        def read(v: Any, what: str) -> Any:
            return finite(v, what, (param,))
    else:
        def read(v: Any, what: str) -> Any:
            return read_value(system, v, what.replace("`", ""))
    if hasattr(direction, "items"):
        check_names(tape, direction, param)
        vec = [system.zero] * tape.n_inputs
        for name, v in direction.items():
            vec[tape.input_index[name]] = read(v, f"`{param}` {name}")
        return vec
    vec = [read(v, f"`{param}`") for v in direction]
    if len(vec) != tape.n_inputs:
        raise UsageError(f"`{param}` has {len(vec)} entries for {tape.n_inputs} inputs",
                         hint=f"the inputs are {', '.join(tape.inputs)}", params=(param,))
    return vec


def finite(v: Any, what: str, params: tuple[str, ...] = ()) -> float:
    """``v`` as a finite float; ``what`` names it in the error (with the
    ``params`` it mentions)."""
    if isinstance(v, str):
        v = read_value(FLOAT64, v, what)
    try:
        v = float(v)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{what} must be a finite number, not {v!r}", params=params) from None
    if not math.isfinite(v):
        raise UsageError(f"{what} must be a finite number, not {v}", params=params)
    return v


def output_index(fn: FunctionLike, output: int | str | None) -> int:
    """Output by 0-based index, or by name."""
    if output is None:
        if len(fn.outputs) > 1:
            raise UsageError(
                f"the program has {len(fn.outputs)} outputs ({', '.join(fn.outputs)}): "
                "choose one", hint="e.g. `output=0` for the first", params=("output",))
        return 0
    if isinstance(output, str):
        if output in fn.outputs:
            return fn.outputs.index(output)
        raise UsageError(f"no output named `{output}`",
                         hint=f"the outputs are {', '.join(fn.outputs)}")
    if not 0 <= output < len(fn.outputs):  # (the command line counts from 1: VALUES)
        n = len(fn.outputs)
        raise UsageError(f"there is no `output={output}`: the program has {n} "
                         f"output{'s' if n != 1 else ''}", hint="e.g. `output=0` for the first",
                         params=("output",))
    return output


# --- results -----------------------------------------------------------------

def cotangent_vector(fn: FunctionLike,
                     cotangent: Mapping[str, Any] | Sequence[Any]) -> list[float]:
    if isinstance(cotangent, dict):
        for name in cotangent:
            if name not in fn.outputs:
                raise UsageError(f"`cotangent` names `{name}`, which is not an output",
                                 hint=f"the outputs are {', '.join(fn.outputs)}",
                                 params=("cotangent",))
        return [finite(cotangent.get(name, 0.0), f"`cotangent` {name}", ("cotangent",))
                for name in fn.outputs]
    vec = [finite(v, "`cotangent`", ("cotangent",)) for v in cotangent]
    if len(vec) != len(fn.outputs):
        raise UsageError(f"`cotangent` has {len(vec)} entries for {len(fn.outputs)} outputs",
                         hint=f"the outputs are {', '.join(fn.outputs)}", params=("cotangent",))
    return vec


# the command line's bounds (taylor --order, plot --order/--samples): the API
# keeps to them, so that order=10**9 is an error, not memory until the machine swaps
MAX_TAYLOR_ORDER = 10_000


def whole_number(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high``, else a UsageError naming
    the parameter ``name``: order=1.5 was taken as 1, "a" was a ValueError."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UsageError(f"`{name}` must be a whole number from {low} to {high}, "
                         f"not {value!r}", params=(name,))
    number = int(value)
    if not low <= number <= high:
        raise UsageError(f"`{name}` must be from {low} to {high}, not {number}", params=(name,))
    return number


def taylor_line(fn: FunctionLike, tape: Tape, order: int, direction: Any, wrt: Names,
                one: Any) -> tuple[int, Any]:
    """The checked order and direction of a Taylor expansion: ``wrt`` is
    one variable (direction ``one`` along it), or ``direction`` a mapping;
    a one-variable formula needs neither."""
    order = whole_number(order, "order", 0, MAX_TAYLOR_ORDER)
    if direction is not None and wrt is not None:
        raise UsageError("give either a variable (`wrt`) or a direction (`direction`), not both",
                         params=("wrt", "direction"))
    if wrt is not None:
        names = name_list(wrt) or []
        if len(names) != 1:
            raise UsageError("taylor `wrt` takes one variable",
                             hint="for a line through several, use `direction` x=1,y=2",
                             params=("wrt", "direction"))
        check_names(tape, names, "wrt")
        return order, {names[0]: one}
    if direction is None:
        if len(fn.inputs) > 1:
            raise UsageError(
                f"the formula has several variables ({listed(fn.inputs)}): "
                "say along which to expand",
                hint=f"`wrt` {fn.inputs[0]}, or a direction such as `direction` "
                     + example_point(fn.inputs), params=("wrt", "direction"))
        return order, ({fn.inputs[0]: one} if fn.inputs else {})
    return order, direction


def partial_orders(tape: Tape, wrt: Names) -> tuple[list[str], dict[int, int]]:
    """``--wrt x,x,y`` as its names and, per input index, how many times
    it is differentiated (here {x: 2, y: 1})."""
    names = name_list(wrt)
    if not names:
        raise UsageError("partial needs `wrt`: the variables, repeated for higher order",
                         hint="e.g. `wrt` x,x,y for ∂³f/∂x²∂y", params=("wrt",))
    check_names(tape, names, "wrt")
    counts: dict[int, int] = {}
    for name in names:
        i = tape.input_index[name]
        counts[i] = counts.get(i, 0) + 1
    return names, counts


