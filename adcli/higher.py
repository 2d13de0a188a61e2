"""Beyond the gradient: directional derivatives (JVP), vector-Jacobian
products (VJP), Hessians, Taylor coefficients and mixed partials of any order.

>>> import adcli
>>> adcli.hessian("x1*x2 + sin(x1)", x1=2, x2=3).hessian
{'x1': {'x1': -0.9092974268256817, 'x2': 1.0}, 'x2': {'x1': 1.0, 'x2': 0.0}}
>>> adcli.taylor("exp(x)", {"x": 0}, order=3).derivatives
[1.0, 1.0, 1.0, 1.0]
>>> adcli.partial("x^2*y", {"x": 3, "y": 5}, wrt="x,x,y").partial
2.0

Methods of :class:`adcli.Function` (``.jvp``, ``.vjp``, ``.hessian``,
``.taylor``, ``.partial``) call the functions here.
"""

import math

from .api import _Numbers, solve, system_for
from .errors import UsageError
from .numsys import FLOAT64


def _names(wrt):
    if wrt is None:
        return None
    if isinstance(wrt, str):
        return [w.strip() for w in wrt.split(",") if w.strip()]
    return list(wrt)


def _check_names(tape, names, option):
    for name in names:
        if name not in tape.inputs:
            raise UsageError(
                f"{option} names `{name}`, which is not an input",
                hint=f"the inputs are {', '.join(tape.inputs) or 'none'}")


def _direction(tape, direction, option="direction", system=FLOAT64):
    """A direction {name: value} (or a sequence in input order) as a list of
    numbers of ``system`` (text such as ``"1/3"`` read at its precision)."""
    if system is FLOAT64:
        read = _finite
    else:
        from .modes.engine import read_value

        def read(v, what):
            return read_value(system, v, what)
    if hasattr(direction, "items"):
        _check_names(tape, direction, option)
        vec = [system.zero] * tape.n_inputs
        for name, v in direction.items():
            vec[tape.inputs.index(name)] = read(v, f"{option} {name}")
        return vec
    vec = [read(v, option) for v in direction]
    if len(vec) != tape.n_inputs:
        raise UsageError(f"{option} has {len(vec)} entries for {tape.n_inputs} inputs",
                         hint=f"the inputs are {', '.join(tape.inputs)}")
    return vec


def _finite(v, what):
    if isinstance(v, str):
        from .modes.engine import read_value

        v = read_value(FLOAT64, v, what)
    try:
        v = float(v)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{what} must be a finite number, not {v!r}") from None
    if not math.isfinite(v):
        raise UsageError(f"{what} must be a finite number, not {v}")
    return v


def _output_index(fn, output):
    """Output by 0-based index, or by name."""
    if output is None:
        if len(fn.outputs) > 1:
            raise UsageError(
                f"the program has {len(fn.outputs)} outputs ({', '.join(fn.outputs)}): "
                "choose one", hint="e.g. --output 1 (or output=0 in Python) for the first")
        return 0
    if isinstance(output, str):
        if output in fn.outputs:
            return fn.outputs.index(output)
        raise UsageError(f"no output named `{output}`",
                         hint=f"the outputs are {', '.join(fn.outputs)}")
    if not 0 <= output < len(fn.outputs):
        raise UsageError(f"there is no output {output + 1}: the program has "
                         f"{len(fn.outputs)}")
    return output


# --- results -----------------------------------------------------------------

class _Result(_Numbers):
    __slots__ = ()

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__
                           if k not in ("warnings", "point", "system"))
        return f"{type(self).__name__}({fields})"


class Directional(_Result):
    """J·v: the derivative of every output along ``direction`` (one tangent sweep)."""

    __slots__ = ("outputs", "values", "direction", "derivatives", "mode", "warnings", "point")
    system = FLOAT64

    def __init__(self, outputs, values, direction, derivatives, warnings, point):
        self.outputs, self.values, self.direction = outputs, values, direction
        self.derivatives, self.mode, self.warnings, self.point = (
            derivatives, "forward", warnings, point)

    @property
    def value(self):
        return self.values[0] if len(self.values) == 1 else self.values

    @property
    def derivative(self):
        return self.derivatives[0] if len(self.derivatives) == 1 else self.derivatives


class Cotangent(_Result):
    """uᵀ·J: the gradient of Σ uₖ·fₖ (one adjoint sweep)."""

    __slots__ = ("outputs", "values", "cotangent", "gradient", "mode", "warnings", "point")
    system = FLOAT64

    def __init__(self, outputs, values, cotangent, gradient, warnings, point):
        self.outputs, self.values, self.cotangent = outputs, values, cotangent
        self.gradient, self.mode, self.warnings, self.point = (
            gradient, "reverse", warnings, point)

    @property
    def value(self):
        return self.values[0] if len(self.values) == 1 else self.values


class Hessian(_Result):
    """Value, gradient and dense Hessian ({row: {column: ∂²f}}) of one
    output, or with ``direction`` the single product ``hvp`` = H·v."""

    __slots__ = ("output", "value", "gradient", "hessian", "direction", "hvp", "mode",
                 "warnings", "point", "system")

    def __init__(self, output, value, gradient, hessian, direction, hvp, warnings, point,
                 system=FLOAT64):
        self.system = system
        self.output, self.value, self.gradient, self.hessian = output, value, gradient, hessian
        self.direction, self.hvp = direction, hvp
        self.mode = "forward-over-reverse"
        self.warnings, self.point = warnings, point

    def matrix(self):
        """The Hessian as a list of rows, in the order of ``gradient``."""
        names = list(self.gradient)
        return [[self.hessian[r][c] for c in names] for r in names]


class Taylor(_Result):
    """Taylor coefficients c₀…c_K and derivatives k!·c_k of f(x + t·v) at t = 0
    (one list per output)."""

    __slots__ = ("outputs", "values", "direction", "order", "coefficients_of",
                 "derivatives_of", "warnings", "point", "system")

    def __init__(self, outputs, direction, order, coefficients, warnings, point,
                 system=FLOAT64):
        from .modes.taylor import derivatives

        self.outputs, self.direction, self.order = outputs, direction, order
        self.coefficients_of = coefficients
        self.system = system
        if system is FLOAT64:
            self.derivatives_of = [derivatives(c) for c in coefficients]
        else:  # k!·c_k at the working precision (no overflow to guard against)
            with system.working():
                self.derivatives_of = [[c * math.factorial(k) for k, c in enumerate(row)]
                                       for row in coefficients]
        self.values = [c[0] for c in coefficients]
        self.warnings, self.point = warnings, point

    @property
    def coefficients(self):
        c = self.coefficients_of
        return c[0] if len(c) == 1 else c

    @property
    def derivatives(self):
        d = self.derivatives_of
        return d[0] if len(d) == 1 else d

    @property
    def value(self):
        return self.values[0] if len(self.values) == 1 else self.values


class Partial(_Result):
    """One mixed partial ∂ᵐf/∂wrt₁…∂wrtₘ (one per output)."""

    __slots__ = ("outputs", "values", "wrt", "partials", "sweeps", "warnings", "point",
                 "system")

    def __init__(self, outputs, values, wrt, partials, sweeps, warnings, point,
                 system=FLOAT64):
        self.system = system
        self.outputs, self.values, self.wrt, self.partials = outputs, values, wrt, partials
        self.sweeps, self.warnings, self.point = sweeps, warnings, point

    @property
    def value(self):
        return self.values[0] if len(self.values) == 1 else self.values

    @property
    def partial(self):
        return self.partials[0] if len(self.partials) == 1 else self.partials


# --- computations on a Function -----------------------------------------------

def jvp(fn, point=None, direction=None, **kwargs):
    from .modes.sweeps import forward, linearize

    tape, values = fn._bind(point, kwargs)
    if direction is None:
        raise UsageError("jvp needs a direction, e.g. direction={'x': 1}")
    vec = _direction(tape, direction)
    lin = linearize(tape, values)
    tan = forward(lin, [vec])[0]
    return Directional(fn.outputs, [lin.values[o] for o in tape.outputs],
                       dict(zip(tape.inputs, vec, strict=True)),
                       [tan[o] for o in tape.outputs], lin.warnings,
                       dict(zip(tape.inputs, values, strict=True)))


def _cotangent(fn, cotangent):
    if isinstance(cotangent, dict):
        for name in cotangent:
            if name not in fn.outputs:
                raise UsageError(f"--cotangent names `{name}`, which is not an output",
                                 hint=f"the outputs are {', '.join(fn.outputs)}")
        return [_finite(cotangent.get(name, 0.0), f"--cotangent {name}")
                for name in fn.outputs]
    vec = [_finite(v, "--cotangent") for v in cotangent]
    if len(vec) != len(fn.outputs):
        raise UsageError(f"--cotangent has {len(vec)} entries for {len(fn.outputs)} outputs",
                         hint=f"the outputs are {', '.join(fn.outputs)}")
    return vec


def vjp(fn, point=None, cotangent=None, *, wrt=None, **kwargs):
    from .modes.sweeps import linearize, reverse

    tape, values = fn._bind(point, kwargs)
    if cotangent is None:
        raise UsageError("vjp needs a cotangent: one weight per output")
    u = _cotangent(fn, cotangent)
    wrt = fn._wrt(tape, _names(wrt))
    lin = linearize(tape, values)
    adj = reverse(lin, [u])[0]
    grad = {w: adj[tape.inputs.index(w)] for w in wrt}
    return Cotangent(fn.outputs, [lin.values[o] for o in tape.outputs],
                     dict(zip(fn.outputs, u, strict=True)), grad, lin.warnings,
                     dict(zip(tape.inputs, values, strict=True)))


def hessian(fn, point=None, *, wrt=None, output=None, direction=None, digits=None,
            exact=False, **kwargs):
    from .modes import hessian as H

    system = system_for(point, kwargs, digits, exact, arrays=False)
    tape, specs = fn._bind(point, kwargs, system)
    k = _output_index(fn, output)
    names = fn._wrt(tape, _names(wrt))
    idx = [tape.inputs.index(w) for w in names]
    m = len(names)
    if direction is not None:
        _direction(tape, direction, "direction", system)  # names checked before any work
        state = {}

        def compute(inputs):
            vec = state["vec"] = _direction(tape, direction, "direction", system)
            value, grad, hv, warnings = H.hessian_vector(tape, inputs, vec, k, idx, system)
            return [value] + grad + hv, warnings

        numbers, warnings, pt = solve(system, tape, specs, compute)
        return Hessian(fn.outputs[k], numbers[0], dict(zip(names, numbers[1:1 + m])), None,
                       dict(zip(tape.inputs, state["vec"], strict=True)),
                       dict(zip(names, numbers[1 + m:], strict=True)), warnings, pt, system)

    def compute(inputs):
        value, grad, rows, warnings = H.hessian(tape, inputs, k, idx, system=system)
        return [value] + grad + [h for row in rows for h in row], warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    flat = numbers[1 + m:]
    matrix = {r: dict(zip(names, flat[i * m:(i + 1) * m], strict=True))
              for i, r in enumerate(names)}
    return Hessian(fn.outputs[k], numbers[0], dict(zip(names, numbers[1:1 + m], strict=True)),
                   matrix, None, None, warnings, pt, system)


def taylor_line(fn, tape, order, direction, wrt, one):
    """The checked order and direction of a Taylor expansion: ``wrt`` is
    one variable (direction ``one`` along it), or ``direction`` a mapping;
    a one-variable formula needs neither."""
    order = int(order)
    if order < 0:
        raise UsageError("the order must be 0 or more")
    if direction is not None and wrt is not None:
        raise UsageError("give either a variable (--wrt) or a direction (--dir), not both")
    if wrt is not None:
        names = _names(wrt)
        if len(names) != 1:
            raise UsageError("taylor --wrt takes one variable",
                             hint="for a line through several, use --dir x=1,y=2")
        _check_names(tape, names, "--wrt")
        return order, {names[0]: one}
    if direction is None:
        if len(fn.inputs) > 1:
            raise UsageError(
                f"the formula has several variables ({', '.join(fn.inputs)}): "
                "say along which to expand",
                hint=f"--wrt {fn.inputs[0]}, or a direction such as --dir "
                     + ",".join(f"{n}=1" for n in fn.inputs))
        return order, ({fn.inputs[0]: one} if fn.inputs else {})
    return order, direction


def taylor(fn, point=None, order=2, *, direction=None, wrt=None, digits=None, exact=False,
           **kwargs):
    from .modes.taylor import sweep

    system = system_for(point, kwargs, digits, exact, arrays=False)
    tape, specs = fn._bind(point, kwargs, system)
    order, direction = taylor_line(fn, tape, order, direction, wrt, 1)
    _direction(tape, direction, "direction", system)  # names checked before any work
    width = order + 1
    state = {}

    def compute(inputs):
        vec = state["vec"] = _direction(tape, direction, "direction", system)
        coefs, warnings = sweep(tape, inputs, vec, order, system)
        if system is FLOAT64 and order > ROUNDING_CHECK_FROM:
            warnings = warnings + rounding_loss(tape, inputs, vec, order, coefs)
        return [c for row in coefs for c in row], warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    coefs = [numbers[i * width:(i + 1) * width] for i in range(len(tape.outputs))]
    return Taylor(fn.outputs, dict(zip(tape.inputs, state["vec"], strict=True)), order, coefs,
                  warnings, pt, system)


ROUNDING_CHECK_FROM = 4  # orders 1-4 are audited (bench/audit.py); beyond, each run checks
LOST = 1e-8  # fewer than 8 significant digits left: warn


def rounding_loss(tape, inputs, vec, order, coefs):
    """Float64 Taylor coefficients of high order can be all rounding noise
    (sinh(x)/x at 0.5: c20 came out 1.5e-10, true 2.2e-20).  The sweep is run
    again along s·v with s = 1 + 2⁻⁷: exactly, c_k(s·v) = s^k·c_k(v), but the
    rounding errors fall differently, so where the two disagree the digits
    are noise.  A warning names the first order that kept fewer than 8."""
    from .errors import EvalWarning
    from .modes.taylor import sweep

    s = 1.0 + 2.0 ** -7
    again, _ = sweep(tape, inputs, [v * s for v in vec], order, FLOAT64)
    first, worst = None, 0.0
    for row, other in zip(coefs, again, strict=True):
        scale = 1.0
        for k, (a, b) in enumerate(zip(row, other, strict=True)):
            b, scale = b / scale, scale * s
            if k == 0 or not (math.isfinite(a) and math.isfinite(b)) or a == b:
                continue
            diff = abs(a - b) / max(abs(a), abs(b))
            if diff > LOST and (first is None or k < first):
                first = k
            worst = max(worst, diff)
    if first is None:
        return []
    digits = max(0, int(-math.log10(worst))) if worst < 1 else 0
    return [EvalWarning("rounding", None,
                        f"float64 rounding: the Taylor coefficients from order {first} on "
                        f"have fewer than 8 correct digits (about {digits} at worst); "
                        f"--digits N computes them with N")]


def partial_orders(tape, wrt):
    """``--wrt x,x,y`` as its names and, per input index, how many times
    it is differentiated (here {x: 2, y: 1})."""
    names = _names(wrt)
    if not names:
        raise UsageError("partial needs --wrt: the variables, repeated for higher order",
                         hint="e.g. --wrt x,x,y for ∂³f/∂x²∂y")
    _check_names(tape, names, "--wrt")
    counts = {}
    for name in names:
        i = tape.inputs.index(name)
        counts[i] = counts.get(i, 0) + 1
    return names, counts


def partial(fn, point=None, wrt=None, *, digits=None, exact=False, **kwargs):
    from .modes.engine import primal
    from .modes.taylor import mixed_partial

    system = system_for(point, kwargs, digits, exact, arrays=False)
    tape, specs = fn._bind(point, kwargs, system)
    names, counts = partial_orders(tape, wrt)
    n_out = len(tape.outputs)
    state = {}

    def compute(inputs):
        vals, _ = primal(tape, inputs, system)
        parts, warnings, state["sweeps"] = mixed_partial(tape, inputs, counts, system)
        return [vals[o] for o in tape.outputs] + parts, warnings

    numbers, warnings, pt = solve(system, tape, specs, compute)
    return Partial(fn.outputs, numbers[:n_out], names, numbers[n_out:], state["sweeps"],
                   warnings, pt, system)


# --- module-level helpers ----------------------------------------------------

def _compiled(source):
    from .api import compile

    return compile(source)


def jvp_of(source, point=None, direction=None, **kwargs):
    """J·v: ``adcli.jvp("x*y", {"x": 2, "y": 3}, direction={"x": 1}).derivative``."""
    return jvp(_compiled(source), point, direction, **kwargs)


def vjp_of(source, point=None, cotangent=None, *, wrt=None, **kwargs):
    """uᵀ·J: ``adcli.vjp("x*y, x+y", {"x": 2, "y": 3}, cotangent=[1, 1]).gradient``."""
    return vjp(_compiled(source), point, cotangent, wrt=wrt, **kwargs)


def hessian_of(source, point=None, *, wrt=None, output=None, direction=None, digits=None,
               exact=False, **kwargs):
    """Value, gradient, Hessian: ``adcli.hessian("x*y^2", x=1, y=2).hessian``."""
    return hessian(_compiled(source), point, wrt=wrt, output=output, direction=direction,
                   digits=digits, exact=exact, **kwargs)


def taylor_of(source, point=None, order=2, *, direction=None, wrt=None, digits=None,
              exact=False, **kwargs):
    """``adcli.taylor("exp(sin(x))", {"x": 0.5}, order=30).derivatives[30]``."""
    return taylor(_compiled(source), point, order, direction=direction, wrt=wrt,
                  digits=digits, exact=exact, **kwargs)


def partial_of(source, point=None, wrt=None, *, digits=None, exact=False, **kwargs):
    """``adcli.partial("x^2*y", {"x": 3, "y": 5}, wrt="x,x,y").partial`` → 2.0."""
    return partial(_compiled(source), point, wrt, digits=digits, exact=exact, **kwargs)
