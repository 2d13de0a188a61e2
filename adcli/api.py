"""The Python API.  The CLI is a thin layer over these functions.

>>> import adcli
>>> f = adcli.compile("x1*x2 + sin(x1)")
>>> f.gradient({"x1": 2, "x2": 3}).gradient
{'x1': 2.5838531634528574, 'x2': 2.0}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import higher
from .arguments import (
    PARAMETERS,
    Names,
    Point,
    Vector,
    checked_value,
    has_arrays,
    point_mapping,
    system_for,
)
from .errors import UsageError, example_point
from .graph.tape import Tape
from .language.parser import parse
from .modes.engine import MODES, choose_mode, primal, solve, value_and_jacobian
from .numsys import FLOAT64, NumberSystem
from .numsys import system as number_system
from .results import Cotangent, Dag, Derivatives, Directional, Evaluation, Hessian, Partial, Taylor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .modes.check import PointCheck
    from .modes.cost import Cost
    from .modes.trace import Trace

__all__ = ["MODES", "Derivatives", "Evaluation", "Function", "choose_mode", "compile",
           "evaluate", "grad", "number_system", "solve"]

_PLAIN = frozenset({float, int})  # point values that need no reading (bool is not int here)

class Function:
    """A parsed formula or program, reusable across points.

    ``inputs`` are its free variables in order of first appearance;
    ``outputs`` the names of its results.  A point is a mapping from
    variable name to value (any name works, also ``mode`` or ``wrt``); its
    order fixes the order of the inputs (ω₁, ω₂, …) and may name variables
    the formula does not use (their derivatives are 0).  Keyword arguments
    are a convenience for names that are not parameters.  A value is a
    number or the text of a constant expression (``"1/3"``, ``"pi/4"``).

    Every computation takes ``digits=N`` (N correct significant digits, in
    mpmath) or ``exact=True`` (fractions); the default is float64.
    """

    def __init__(self, source: str) -> None:
        if not isinstance(source, str):
            raise UsageError(f"a formula is text, not {type(source).__name__}")
        self.source = source
        self.program = parse(source)
        self.inputs = tuple(self.program.free)
        self.outputs = tuple(self.program.output_names)
        self._tapes: dict[tuple[str, ...], Tape] = {}
        # names -> tape, for points that passed _bind
        self._checked: dict[tuple[str, ...], Tape] = {}

    def __repr__(self) -> str:
        return f"adcli.Function({self.source!r})"

    def __reduce__(self):
        # parsed again where it is unpickled (a process pool, a cluster)
        return (Function, (self.source,))

    def tape(self, inputs: Iterable[str] | None = None) -> Tape:
        """The tape with ``inputs`` (names, in order) as ω₁, ω₂, …"""
        key = tuple(inputs) if inputs is not None else self.inputs
        tape = self._tapes.get(key)
        if tape is None:
            tape = self._tapes[key] = Tape(self.program, key)
        return tape

    def _prepare(self, point: Point, kwargs: Mapping[str, Any], digits: int | None = None,
                 exact: bool = False, arrays: bool = True) -> tuple[NumberSystem, Tape, list]:
        """(number system, tape, input values) of a call: the checks of
        :func:`system_for` and :meth:`_bind`, except on the common float64
        call, which :meth:`_bind_plain` answers without them.  Arrays of
        points are not for here: :func:`adcli.higher.over_arrays` takes them
        (``arrays=False`` refuses them)."""
        if digits is None and not exact:
            bound = self._bind_plain(point, kwargs)
            if bound is not None:
                return (FLOAT64, *bound)
        system = system_for(point, kwargs, digits, exact, arrays)
        return (system, *self._bind(point, kwargs, system))

    def _bind_plain(self, point: Point,
                    kwargs: Mapping[str, Any]) -> tuple[Tape, list[float]] | None:
        """(tape, float values) of a point that is a dict of finite floats
        and ints whose names already passed :meth:`_bind`'s checks (which is
        when the tape is in ``_checked``): none of those checks can say
        anything about it.  None for every other point: _bind judges it."""
        if kwargs:
            if point is not None:
                return None
            point = kwargs
        elif type(point) is not dict:
            return None
        tape = self._checked.get(tuple(point))
        if tape is None:
            return None
        values = list(point.values())
        if not _PLAIN.issuperset(map(type, values)):
            return None
        try:
            values = list(map(float, values))
        except OverflowError:  # an int beyond float64: _bind words the error
            return None
        # (a sum that overflows only sends a finite point the long way round)
        return (tape, values) if math.isfinite(sum(values)) else None

    def _is_plain(self, point: Point, kwargs: Mapping[str, Any]) -> bool:
        """A dict of numbers with kwargs empty: the common call, no arrays
        (checked before :func:`has_arrays` walks the values)."""
        return not kwargs and type(point) is dict and _PLAIN.issuperset(map(type,
                                                                            point.values()))

    def _bind(self, point: Point, kwargs: Mapping[str, Any],
              system: NumberSystem | None = None) -> tuple[Tape, list]:
        """(tape, input values): float64 numbers, or in another number system
        the values as given (text is read at each working precision)."""
        point = point_mapping(point, kwargs)
        missing = [name for name in self.inputs if name not in point]
        if missing and set(missing) & PARAMETERS:
            example = ", ".join(f"{name!r}: 1" for name in self.inputs)
            raise UsageError(f"no value for {', '.join(f'`{m}`' for m in missing)}",
                             hint=f"a variable named like a parameter goes in the point "
                                  f"mapping: f.gradient({{{example}}})")
        if not point and self.inputs:
            raise UsageError(f"no point given: the formula needs {', '.join(self.inputs)}")
        float64 = system is None or system is FLOAT64
        for name, value in point.items():
            point[name] = checked_value(name, value, float64)
        tape = self.tape(point)
        self._checked[tape.inputs] = tape
        return tape, list(point.values())

    def evaluate(self, point: Point = None, *, digits: int | None = None, exact: bool = False,
                 **kwargs: Any) -> Evaluation:
        """The value(s) at a point: an :class:`Evaluation` (over arrays of
        points, one whose numbers are arrays: docs/api.md)."""
        if not self._is_plain(point, kwargs) and has_arrays(point, kwargs):
            return higher.over_arrays(
                lambda one: self.evaluate(one), point, kwargs, digits, exact, fn=self,
                together=lambda tape, columns: higher.evaluate_over_arrays(self, tape, columns),
                screened=True, kind="evaluate")
        system, tape, specs = self._prepare(point, kwargs, digits, exact, arrays=False)

        def compute(inputs: list) -> tuple[list, list]:
            vals, warnings = primal(tape, inputs, system)
            return [vals[o] for o in tape.outputs], warnings

        values, warnings, pt = solve(system, tape, specs, compute)
        return Evaluation(self.outputs, values, warnings, pt, system)

    def __call__(self, point: Point = None, **kwargs: Any) -> Any:
        result = self.evaluate(point, **kwargs).values
        return result[0] if len(result) == 1 else result

    def gradient(self, point: Point = None, *, wrt: Names = None, mode: str = "auto",
                 digits: int | None = None, exact: bool = False, **kwargs: Any) -> Derivatives:
        """Value and gradient (one output) or Jacobian (several): a
        :class:`Derivatives`.  ``mode`` is forward, reverse or auto (reverse
        when there are fewer outputs than variables to differentiate by)."""
        if mode not in MODES:  # named before the point is read (after digits/exact)
            system_for(point, kwargs, digits, exact)
            choose_mode(mode, 1, 1)
        if not self._is_plain(point, kwargs) and has_arrays(point, kwargs):
            return higher.over_arrays(
                lambda one: self.gradient(one, wrt=wrt, mode=mode), point, kwargs, digits,
                exact, fn=self, screened=True, kind="gradient",
                together=lambda tape, columns: higher.gradient_over_arrays(self, tape, columns,
                                                                           wrt, mode))
        system, tape, specs = self._prepare(point, kwargs, digits, exact, arrays=False)
        names = self._wrt(tape, wrt)
        mode = choose_mode(mode, len(self.outputs), len(names))
        index = [tape.input_index[w] for w in names]
        m = len(tape.outputs)

        def compute(inputs: list) -> tuple[list, list]:
            return value_and_jacobian(tape, inputs, index, mode, system)

        numbers, warnings, pt = solve(system, tape, specs, compute)
        values, rest = numbers[:m], numbers[m:]
        k = len(names)
        if system is FLOAT64:  # d + 0.0 turns -0.0 into 0.0: both modes print one zero
            rest = [d + 0.0 for d in rest]
        jacobian = [dict(zip(names, rest[r * k:(r + 1) * k])) for r in range(m)]
        return Derivatives(self.outputs, values, jacobian, mode, warnings, pt, system)

    # Beyond the gradient (adcli/higher.py): J·v, uᵀ·J, Hessians, Taylor, mixed partials.
    def jvp(self, point: Point = None, direction: Vector | None = None,
            **kwargs: Any) -> Directional:
        """J·v along ``direction`` ({name: value}) in one tangent sweep."""
        return higher.jvp(self, point, direction, **kwargs)

    def vjp(self, point: Point = None, cotangent: Vector | None = None, *, wrt: Names = None,
            **kwargs: Any) -> Cotangent:
        """uᵀ·J for ``cotangent`` u (one weight per output) in one adjoint sweep."""
        return higher.vjp(self, point, cotangent, wrt=wrt, **kwargs)

    def hessian(self, point: Point = None, *, wrt: Names = None, output: int | str | None = None,
                direction: Vector | None = None, digits: int | None = None, exact: bool = False,
                **kwargs: Any) -> Hessian:
        """Value, gradient and dense Hessian (forward-over-reverse); with
        ``direction`` one Hessian-vector product."""
        return higher.hessian(self, point, wrt=wrt, output=output, direction=direction,
                       digits=digits, exact=exact, **kwargs)

    def taylor(self, point: Point = None, order: int = 2, *, direction: Vector | None = None,
               wrt: Names = None, digits: int | None = None, exact: bool = False,
               **kwargs: Any) -> Taylor:
        """Taylor coefficients and derivatives of f(x + t·v) at t = 0 up to ``order``."""
        return higher.taylor(self, point, order, direction=direction, wrt=wrt, digits=digits,
                      exact=exact, **kwargs)

    def partial(self, point: Point = None, wrt: Names = None, *, digits: int | None = None,
                exact: bool = False, **kwargs: Any) -> Partial:
        """One mixed partial of any order: ``wrt="x,x,y"`` is ∂³f/∂x²∂y."""
        return higher.partial(self, point, wrt, digits=digits, exact=exact, **kwargs)

    # The ω trace and the cost of each mode (adcli/modes/trace.py, cost.py).
    def trace(self, point: Point = None, *, mode: str = "auto", wrt: Names = None,
              seed: Mapping[str, Any] | None = None, output: int | str | None = None,
              cost: bool = True, digits: int | None = None, exact: bool = False) -> Trace:
        """The ω trace of one forward (``seed`` {name: value}, or one sweep
        per ``wrt`` variable) or reverse (``output`` index or name, or one sweep per
        output) accumulation: a :class:`adcli.modes.trace.Trace`."""
        from .modes.trace import build_trace

        if seed is not None and wrt is not None:  # (one would be silently ignored)
            raise UsageError("`seed` and `wrt` do not combine",
                             hint="`wrt` x1 is the seed x1=1 with every other input 0",
                             params=("seed", "wrt"))
        system = number_system(digits, exact)
        tape, values = self._bind(point, {}, system)
        trace = build_trace(tape, values, self._wrt(tape, wrt), system=system, mode=mode,
                            seed=seed, output=output, cost=cost)
        if system.presents:
            _present_trace(trace)
        return trace

    def graph(self, point: Point = None, *, mode: str | None = None, wrt: Names = None,
              seed: Mapping[str, Any] | None = None) -> Dag:
        """The DAG as its tape (``adcli graph``), with the ω trace at
        ``point`` when one is given (values; tangents or adjoints too when
        ``mode`` is given): a :class:`adcli.results.Dag`."""
        if point is None:  # `wrt` and `seed` choose tangents, which need a point as `mode`'s
            given = next((name for name, value in (("mode", mode), ("wrt", wrt), ("seed", seed))
                          if value is not None), None)
            if given is not None:
                raise UsageError(f"`{given}` needs a point for its tangents or adjoints",
                                 hint="add `point`, e.g. `point` " + example_point(self.inputs),
                                 params=(given, "point"))
            return Dag(self.tape(), None, None)
        trace = self.trace(point, mode=mode or "auto", wrt=wrt, seed=seed, cost=False)
        return Dag(self.tape(list(trace.point)), trace, mode)

    def cost(self, point: Point = None, *, wrt: Names = None) -> Cost:
        """What each mode costs for the full gradient/Jacobian, counted from
        the sweeps: a :class:`adcli.modes.cost.Cost` (``.as_dict()``)."""
        from .modes.cost import cost_of

        tape, values = self._bind(point, {})
        return cost_of(tape, values, len(self._wrt(tape, wrt)))

    def check(self, point: Point = None, *, wrt: Names = None, sweep: bool = False,
              **kwargs: Any) -> PointCheck:
        """The AD derivatives (float64, as :meth:`gradient` gives them) next
        to central finite differences, and whether they agree: a
        :class:`adcli.modes.check.PointCheck`; ``sweep`` adds the error of
        finite differences over steps h = 1e-1 … 1e-14 against AD's."""
        from .modes.check import check_point
        from .modes.check import sweep as error_sweep

        tape, values = self._bind(point, kwargs)
        check = check_point(tape, values, self._wrt(tape, wrt), self.outputs)
        return error_sweep(tape, check) if sweep else check

    # The derivative itself (adcli/codegen/): as a Function, and as source code.
    def derivative(self, wrt: Names = None, *, mode: str = "auto") -> Function:
        """The derivative as a new :class:`Function` (composable: its own
        ``derivative`` is the second derivative); outputs ``df/dx``, one per
        output and variable in ``wrt`` (default: every input), row-major."""
        from .codegen.diff import derivative_function

        return derivative_function(self, wrt, mode)

    def codegen(self, lang: str = "c", *, mode: str = "auto", order: int = 1,
                **options: Any) -> str:
        """Source code computing the value(s) and derivatives: ``lang`` is
        c, python, numpy or js (see docs/codegen.md for the options)."""
        from .codegen.targets import generate

        return generate(self, lang, mode=mode, order=order, **options)

    def plot(self, over: str | Mapping[str, tuple[float, float]], *, order: int = 1,
             at: str | Mapping[str, Any] | None = None, wrt: str | None = None,
             samples: int | None = None, size: tuple[int, int] | None = None,
             output: int | str | None = None, title: str | None = None) -> Figure:
        """A matplotlib figure (needs ``adcli[plot]``) of f and its derivatives
        up to ``order`` over ``over`` (``"x=-6:6"`` or ``{"x": (-6, 6)}``), the
        other inputs fixed by ``at``; over two variables a heat map of f with
        ∇f as arrows.  ``wrt`` (one variable): the derivatives along it
        instead of the swept one.  ``size`` is (width, height) in pixels."""
        from .plot.figure import figure

        return figure(self, over, order=order, at=at, wrt=wrt, samples=samples, size=size,
                      output=output, title=title)

    def _wrt(self, tape: Tape, wrt: Names) -> list[str]:
        if wrt is None:
            return list(tape.inputs)
        if not isinstance(wrt, str) and not (
                hasattr(wrt, "__iter__") and all(isinstance(w, str) for w in wrt)):
            raise UsageError(f"wrt names variables (a name or a list of names), not {wrt!r}",
                             hint="a variable named `wrt` goes in the point mapping: "
                                  "f.gradient({'wrt': 3})")
        names = [wrt] if isinstance(wrt, str) else list(wrt)
        inputs = set(tape.inputs)  # a set: --wrt may name thousands of inputs
        for name in names:
            if name not in inputs:
                raise UsageError(
                    f"cannot differentiate with respect to `{name}`: it is not an input",
                    hint=f"the inputs are {', '.join(tape.inputs) or 'none'}")
        return names


def _present_trace(trace):
    """A precise trace's numbers print as the CLI prints them (adcli/printed.py)."""
    present = trace.system.present
    trace.point = {name: present(v) for name, v in trace.point.items()}
    trace.derivatives = [(column, name, present(d)) for column, name, d in trace.derivatives]
    trace.rows.present = present  # rows are made as read (seeds stay floats, as shown)


_COMPILED: dict[str, Function] = {}


def compile(source: str) -> Function:  # noqa: A001 - the natural name for "parse once"
    """Parse ``source`` once into a reusable :class:`Function`."""
    fn = _COMPILED.get(source)
    if fn is None:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        fn = _COMPILED[source] = Function(source)
    return fn


def evaluate(source: str, point: Point = None, **kwargs: Any) -> Any:
    """The value of ``source`` at a point: ``adcli.evaluate("x*y", x=2, y=3)``."""
    return compile(source)(point, **kwargs)


def grad(source: str, point: Point = None, *, wrt: Names = None, mode: str = "auto",
         digits: int | None = None, exact: bool = False, **kwargs: Any) -> Derivatives:
    """Value and gradient: ``adcli.grad("x1*x2+sin(x1)", x1=2, x2=3)``;
    ``digits=50`` or ``exact=True`` for another number system."""
    return compile(source).gradient(point, wrt=wrt, mode=mode, digits=digits, exact=exact,
                                    **kwargs)


# --- module-level helpers ----------------------------------------------------

def jvp_of(source: str, point: Point = None, direction: Vector | None = None,
           **kwargs: Any) -> Directional:
    """J·v: ``adcli.jvp("x*y", {"x": 2, "y": 3}, direction={"x": 1}).derivative``."""
    return higher.jvp(compile(source), point, direction, **kwargs)


def vjp_of(source: str, point: Point = None, cotangent: Vector | None = None, *,
           wrt: Names = None, **kwargs: Any) -> Cotangent:
    """uᵀ·J: ``adcli.vjp("x*y, x+y", {"x": 2, "y": 3}, cotangent=[1, 1]).gradient``."""
    return higher.vjp(compile(source), point, cotangent, wrt=wrt, **kwargs)


def hessian_of(source: str, point: Point = None, *, wrt: Names = None,
               output: int | str | None = None, direction: Vector | None = None,
               digits: int | None = None, exact: bool = False, **kwargs: Any) -> Hessian:
    """Value, gradient, Hessian: ``adcli.hessian("x*y^2", x=1, y=2).hessian``."""
    return higher.hessian(compile(source), point, wrt=wrt, output=output, direction=direction,
                   digits=digits, exact=exact, **kwargs)


def taylor_of(source: str, point: Point = None, order: int = 2, *,
              direction: Vector | None = None, wrt: Names = None, digits: int | None = None,
              exact: bool = False, **kwargs: Any) -> Taylor:
    """``adcli.taylor("exp(sin(x))", {"x": 0.5}, order=30).derivatives[30]``."""
    return higher.taylor(compile(source), point, order, direction=direction, wrt=wrt,
                  digits=digits, exact=exact, **kwargs)


def partial_of(source: str, point: Point = None, wrt: Names = None, *,
               digits: int | None = None, exact: bool = False, **kwargs: Any) -> Partial:
    """``adcli.partial("x^2*y", {"x": 3, "y": 5}, wrt="x,x,y").partial`` → 2.0."""
    return higher.partial(compile(source), point, wrt, digits=digits, exact=exact, **kwargs)
