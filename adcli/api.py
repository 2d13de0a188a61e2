"""The Python API.  The CLI is a thin layer over these functions.

>>> import adcli
>>> f = adcli.compile("x1*x2 + sin(x1)")
>>> f.gradient({"x1": 2, "x2": 3}).gradient
{'x1': 2.5838531634528574, 'x2': 2.0}
"""

import math

from .errors import UsageError

MODES = ("auto", "forward", "reverse")


class Function:
    """A parsed formula or program, reusable across points.

    ``inputs`` are its free variables in order of first appearance;
    ``outputs`` the names of its results.  A point is a mapping from
    variable name to number; its order fixes the order of the inputs (ω₁,
    ω₂, …) and may name variables the formula does not use (their
    derivatives are 0).
    """

    def __init__(self, source):
        from .language.parser import parse

        self.source = source
        self.program = parse(source)
        self.inputs = tuple(self.program.free)
        self.outputs = tuple(self.program.output_names)
        self._tapes = {}

    def __repr__(self):
        return f"adcli.Function({self.source!r})"

    def tape(self, inputs=None):
        """The tape with ``inputs`` (names, in order) as ω₁, ω₂, …"""
        from .graph.tape import Tape

        key = tuple(inputs) if inputs is not None else self.inputs
        tape = self._tapes.get(key)
        if tape is None:
            tape = self._tapes[key] = Tape(self.program, key)
        return tape

    def _bind(self, point, kwargs):
        point = dict(point or {}, **kwargs)
        if not point and self.inputs:
            raise UsageError(f"no point given: the formula needs {', '.join(self.inputs)}")
        for name, value in point.items():
            value = float(value)
            if not math.isfinite(value):
                raise UsageError(f"the value of `{name}` must be a finite number, not {value}")
            point[name] = value
        return self.tape(point), list(point.values())

    def evaluate(self, point=None, **kwargs):
        """The value(s) at a point: an :class:`Evaluation`."""
        from .modes.sweeps import primal

        tape, values = self._bind(point, kwargs)
        vals, warnings = primal(tape, values)
        return Evaluation(self.outputs, [vals[o] for o in tape.outputs], warnings,
                          dict(zip(tape.inputs, values)))

    def __call__(self, point=None, **kwargs):
        result = self.evaluate(point, **kwargs).values
        return result[0] if len(result) == 1 else result

    def gradient(self, point=None, *, wrt=None, mode="auto", **kwargs):
        """Value and gradient (one output) or Jacobian (several): a
        :class:`Derivatives`.  ``mode`` is forward, reverse or auto (reverse
        when there are fewer outputs than variables to differentiate by)."""
        from .modes.sweeps import forward, linearize, reverse

        tape, values = self._bind(point, kwargs)
        wrt = self._wrt(tape, wrt)
        mode = choose_mode(mode, len(self.outputs), len(wrt))
        lin = linearize(tape, values)
        position = {name: i for i, name in enumerate(tape.inputs)}
        index = [position[w] for w in wrt]
        n = tape.n_inputs
        if mode == "forward":
            seeds = [[1.0 if j == i else 0.0 for j in range(n)] for i in index]
            tangents = forward(lin, seeds)
            rows = [[tan[o] for tan in tangents] for o in tape.outputs]
        else:
            seeds = [[1.0 if j == k else 0.0 for j in range(len(tape.outputs))]
                     for k in range(len(tape.outputs))]
            rows = [[adj[i] for i in index] for adj in reverse(lin, seeds)]
        values_out = [lin.values[o] for o in tape.outputs]
        # d + 0.0 turns -0.0 into 0.0: both modes print the same zero.
        jacobian = [{w: d + 0.0 for w, d in zip(wrt, row)} for row in rows]
        return Derivatives(self.outputs, values_out, jacobian, mode, lin.warnings,
                           dict(zip(tape.inputs, values)))

    # Beyond the gradient (adcli/higher.py): J·v, uᵀ·J, Hessians, Taylor, mixed partials.
    def jvp(self, point=None, direction=None, **kwargs):
        """J·v along ``direction`` ({name: value}) in one tangent sweep."""
        from .higher import jvp

        return jvp(self, point, direction, **kwargs)

    def vjp(self, point=None, cotangent=None, *, wrt=None, **kwargs):
        """uᵀ·J for ``cotangent`` u (one weight per output) in one adjoint sweep."""
        from .higher import vjp

        return vjp(self, point, cotangent, wrt=wrt, **kwargs)

    def hessian(self, point=None, *, wrt=None, output=None, direction=None, **kwargs):
        """Value, gradient and dense Hessian (forward-over-reverse); with
        ``direction`` one Hessian-vector product."""
        from .higher import hessian

        return hessian(self, point, wrt=wrt, output=output, direction=direction, **kwargs)

    def taylor(self, point=None, order=2, *, direction=None, wrt=None, **kwargs):
        """Taylor coefficients and derivatives of f(x + t·v) at t = 0 up to ``order``."""
        from .higher import taylor

        return taylor(self, point, order, direction=direction, wrt=wrt, **kwargs)

    def partial(self, point=None, wrt=None, **kwargs):
        """One mixed partial of any order: ``wrt="x,x,y"`` is ∂³f/∂x²∂y."""
        from .higher import partial

        return partial(self, point, wrt, **kwargs)

    # The ω trace and the cost of each mode (adcli/modes/trace.py, cost.py).
    def trace(self, point=None, *, mode="auto", wrt=None, seed=None, output=None):
        """The ω trace of one forward (``seed`` {name: value}, or one sweep
        per ``wrt`` variable) or reverse (``output`` index, or one sweep per
        output) accumulation: a :class:`adcli.modes.trace.Trace`."""
        from .modes.trace import build_trace

        return build_trace(self, point, mode=mode, wrt=wrt, seed=seed, output=output)

    def cost(self, point=None, *, wrt=None):
        """What each mode costs for the full gradient/Jacobian, counted from
        the sweeps: a :class:`adcli.modes.cost.Cost` (``.as_dict()``)."""
        from .modes.cost import cost_of

        return cost_of(self, point, wrt)

    # The derivative itself (adcli/codegen/): as a Function, and as source code.
    def derivative(self, wrt=None, *, mode="auto"):
        """The derivative as a new :class:`Function` (composable: its own
        ``derivative`` is the second derivative); outputs ``df/dx``, one per
        output and variable in ``wrt`` (default: every input), row-major."""
        from .codegen.diff import derivative_function

        return derivative_function(self, wrt, mode)

    def codegen(self, lang="c", *, mode="auto", order=1, **options):
        """Source code computing the value(s) and derivatives: ``lang`` is
        c, python, numpy or js (see docs/codegen.md for the options)."""
        from .codegen.emit import generate

        return generate(self, lang, mode=mode, order=order, **options)

    def plot(self, over, *, order=1, at=None, wrt=None, samples=None, size=None,
             output=None):
        """A matplotlib figure (needs ``adcli[plot]``) of f and its derivatives
        up to ``order`` over ``over`` (``"x=-6:6"`` or ``{"x": (-6, 6)}``), the
        other inputs fixed by ``at``; over two variables a heat map of f with
        ∇f as arrows.  ``size`` is (width, height) in pixels."""
        from .plot.figure import figure

        return figure(self, over, order=order, at=at, wrt=wrt, samples=samples, size=size,
                      output=output)

    def _wrt(self, tape, wrt):
        if wrt is None:
            return list(tape.inputs)
        wrt = [wrt] if isinstance(wrt, str) else list(wrt)
        for name in wrt:
            if name not in tape.inputs:
                raise UsageError(
                    f"cannot differentiate with respect to `{name}`: it is not an input",
                    hint=f"the inputs are {', '.join(tape.inputs) or 'none'}")
        return wrt


def choose_mode(mode, n_outputs, n_inputs):
    if mode not in MODES:
        raise UsageError(f"unknown mode `{mode}`", hint="use forward, reverse or auto")
    if mode == "auto":
        return "reverse" if n_outputs < n_inputs else "forward"
    return mode


class Evaluation:
    __slots__ = ("outputs", "values", "warnings", "point")

    def __init__(self, outputs, values, warnings, point=None):
        self.outputs = outputs
        self.values = values
        self.warnings = warnings
        self.point = point

    @property
    def value(self):
        return self.values[0] if len(self.values) == 1 else self.values

    def __repr__(self):
        return f"Evaluation({dict(zip(self.outputs, self.values))})"


class Derivatives:
    """Values and first derivatives at one point."""

    __slots__ = ("outputs", "values", "jacobian", "mode", "warnings", "point")

    def __init__(self, outputs, values, jacobian, mode, warnings, point):
        self.outputs = outputs
        self.values = values
        self.jacobian = jacobian  # one {variable: derivative} per output
        self.mode = mode
        self.warnings = warnings
        self.point = point

    @property
    def value(self):
        return self.values[0] if len(self.values) == 1 else self.values

    @property
    def gradient(self):
        """{variable: ∂f/∂variable} for a scalar function."""
        if len(self.values) != 1:
            raise ValueError("several outputs: use .jacobian")
        return self.jacobian[0]

    def __repr__(self):
        return f"Derivatives(value={self.value!r}, jacobian={self.jacobian!r}, mode={self.mode!r})"


_COMPILED = {}


def compile(source):  # noqa: A001 - the natural name for "parse once"
    """Parse ``source`` once into a reusable :class:`Function`."""
    fn = _COMPILED.get(source)
    if fn is None:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        fn = _COMPILED[source] = Function(source)
    return fn


def evaluate(source, point=None, **kwargs):
    """The value of ``source`` at a point: ``adcli.evaluate("x*y", x=2, y=3)``."""
    return compile(source)(point, **kwargs)


def grad(source, point=None, *, wrt=None, mode="auto", **kwargs):
    """Value and gradient: ``adcli.grad("x1*x2+sin(x1)", x1=2, x2=3)``."""
    return compile(source).gradient(point, wrt=wrt, mode=mode, **kwargs)
