"""Arbitrary precision (mpmath) and exact rational (fractions) sweeps.

The same tape and the same derivative rules as the float sweeps, evaluated
in another number system:

* ``Context.mp(digits)`` — mpmath at ``digits`` significant digits plus
  guard digits.  Every primitive gets its evaluation from its ``mp`` field in
  the primitives table: an mpmath function name, or a ``_helper`` defined
  here (``_HELPERS``).  Derivatives come from the table's rule strings,
  compiled (by :func:`compile_rules`) into Python that calls ``_f_<key>``
  names bound to those functions — so a new table entry needs nothing here.
* ``Context.exact()`` — Python's ``Fraction``, for formulas whose every
  operation is rational (+ − × ÷, integer powers, and abs/sign/min/max).
  Any other operation is a :class:`NotRational` error naming it.

Constants in the formula and values given for the point are taken at the
working precision: the literal ``0.1`` is one tenth and ``--at x=1/3`` is
one third, not the float nearest it (they are re-read from their text).

Results are checked the way correctly rounded libraries do it: computed at
two precisions, and accepted when they agree to the requested digits (else
the precision is raised and the sweep repeated).

mpmath is imported only when a ``Context.mp`` is made.
"""

import math
import operator
from fractions import Fraction

from ..errors import DomainError, EvalWarning, UsageError

__all__ = [
    "Context", "NotRational", "compile_rules", "evaluate", "gradient", "linearize",
    "parse_point", "primal", "value_of",
]


class NotRational(UsageError):
    """--exact met an operation whose result is not rational (exit 2)."""


# --- number systems ----------------------------------------------------------

def _mp_helpers(mpmath):
    mpf = mpmath.mpf

    def _pow(x, y):
        if y == int(y) and abs(y) < 1 << 64:
            n = int(y)
            if x == 0 and n < 0:
                raise ZeroDivisionError("0 to a negative power")
            return mpf(x) ** n
        if x == 0 and y < 0:
            raise ZeroDivisionError("0 to a negative power")
        return mpmath.power(x, y)

    def _cbrt(x):
        return mpmath.cbrt(x) if x >= 0 else -mpmath.cbrt(-x)

    def _sign(x):
        return mpf((x > 0) - (x < 0))

    return {
        "_add": operator.add, "_sub": operator.sub, "_mul": operator.mul,
        "_div": operator.truediv, "_neg": operator.neg, "_pow": _pow,
        "_logb": lambda x, b: mpmath.log(x) / mpmath.log(b),
        "_log2": lambda x: mpmath.log(x) / mpmath.log(2),
        "_min": min, "_max": max, "_cbrt": _cbrt, "_sign": _sign,
        "_sec": mpmath.sec, "_csc": mpmath.csc, "_cot": mpmath.cot,
    }


def mp_function(prim, mpmath=None):
    """The mpmath evaluation of a primitive, from its ``mp`` table field."""
    if mpmath is None:
        import mpmath
    name = prim.mp
    if not name:
        raise LookupError(f"primitive {prim.key} has no mp field")
    if name.startswith("_"):
        return _mp_helpers(mpmath)[name]
    return getattr(mpmath, name)


def _frac_pow(x, y):
    if y.denominator != 1:
        raise NotRational(f"`{_show(x)}^{_show(y)}` has a non-integer exponent")
    n = y.numerator
    if x == 0 and n < 0:
        raise ZeroDivisionError("0 to a negative power")
    return x ** n


def _frac_sign(x):
    return Fraction((x > 0) - (x < 0))


# Rational operations on fractions: the primitives --exact accepts.
_EXACT = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": operator.truediv, "neg": operator.neg, "pow": _frac_pow,
    "abs": abs, "sign": _frac_sign, "min": min, "max": max,
}
_RATIONAL_NAMES = "+ - * /, integer powers, abs, sign, min and max"


def _show(x):
    return str(x)


class _Irrational:
    """A named constant (pi, e, tau) inside a derivative rule in --exact mode."""

    def __init__(self, name):
        self.name = name

    def _fail(self, *_):
        raise NotRational(f"the constant `{self.name}` is not rational")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = _fail


_SHARED = {}


class Context:
    """A number system: arbitrary precision (``Context.mp(digits)``) or exact
    rationals (``Context.exact()``).  Other modes (hessian, taylor, trace)
    can evaluate and differentiate in it with :func:`primal`,
    :func:`linearize`, :func:`forward`, :func:`reverse` and format numbers
    with :meth:`format`."""

    def __init__(self, kind, digits=None):
        self.kind = kind
        self.digits = digits
        # Compiled functions depend on the number system only (mpmath reads
        # its precision when called), so every context of a kind shares them.
        self._strict, self._safe, self._lin = _SHARED.setdefault(kind, ({}, {}, {}))
        if kind == "mp":
            try:
                import mpmath
            except ImportError:
                raise UsageError("--digits needs the mpmath package",
                                 hint="pip install mpmath") from None

            self.mpmath = mpmath
            self.prec_digits = digits + 10 + digits // 20
        else:
            self.mpmath = None
            self.prec_digits = None

    @classmethod
    def mp(cls, digits):
        if not isinstance(digits, int) or digits < 1:
            raise UsageError(f"--digits must be a positive whole number, not {digits}")
        return cls("mp", digits)

    @classmethod
    def exact(cls):
        return cls("exact")

    def __repr__(self):
        return f"Context.mp({self.digits})" if self.kind == "mp" else "Context.exact()"

    @property
    def is_exact(self):
        return self.kind == "exact"

    # precision -----------------------------------------------------------------
    def working(self, dps=None):
        """A context manager running the body at ``dps`` decimal digits."""
        if self.kind != "mp":
            import contextlib

            return contextlib.nullcontext()
        return self.mpmath.workdps(dps or self.prec_digits)

    # numbers -------------------------------------------------------------------
    def zero(self):
        return Fraction(0) if self.kind == "exact" else self.mpmath.mpf(0)

    def one(self):
        return Fraction(1) if self.kind == "exact" else self.mpmath.mpf(1)

    def from_number(self, x):
        """A Python number (int, float, Fraction, Decimal, mpf) in this system;
        a float is taken at its exact binary value."""
        if self.kind == "exact":
            if isinstance(x, float) and not math.isfinite(x):
                raise UsageError(f"{x} is not a rational number")
            return Fraction(x)
        mpf = self.mpmath.mpf
        if isinstance(x, Fraction):
            return mpf(x.numerator) / x.denominator
        return mpf(x)

    def literal(self, text):
        """A numeric literal (``0.1``, ``6.02E23``) or constant name, read
        exactly; None if ``text`` is neither."""
        from ..primitives import CONSTANTS

        if text in CONSTANTS:
            return self.named(text)
        try:
            return Fraction(text) if self.kind == "exact" else self._mp_literal(text)
        except (ValueError, ZeroDivisionError):
            return None

    def _mp_literal(self, text):
        if not text or not (text[0].isdigit() or text[0] == "."):
            raise ValueError(text)
        return self.mpmath.mpf(text)

    def named(self, name):
        if self.kind == "exact":
            raise NotRational(f"the constant `{name}` is not rational",
                              hint="--exact needs rational numbers; use --digits N instead")
        m = self.mpmath
        return {"pi": +m.pi, "e": +m.e, "tau": 2 * m.pi}[name]

    def rule_constant(self, value):
        """A constant of a derivative rule (``2``, ``pi``) from its float."""
        from ..primitives import CONSTANTS

        for name, c in CONSTANTS.items():
            if value == c:
                if self.kind == "exact":
                    return _Irrational(name)
                return self.mpmath.pi * 2 if name == "tau" else getattr(self.mpmath, name)
        return self.from_number(value)

    def const_node(self, node, source):
        """The value of a constant in the user's formula, re-read from its
        text so that it is exact (``0.1``) or at working precision (``pi``)."""
        if node.span is not None and source is not None:
            value = self._const_text(source[node.span[0]:node.span[1]])
            if value is not None:
                if self.kind == "exact" or float(value) == node.value:
                    return value
        if self.kind == "exact" and not _is_rational_float(node.value):
            raise NotRational(f"the constant {node.value!r} is not rational")
        return self.from_number(node.value)

    def _const_text(self, text):
        # A constant node's text: a number or constant name, possibly with
        # signs and parentheses before it (the parser folds -2 and -pi).
        text = "".join(ch for ch in text if ch not in "() \t\r\n\\")
        sign = 1
        while text[:1] in ("-", "+"):
            if text[0] == "-":
                sign = -sign
            text = text[1:]
        value = self.literal(text)
        if value is None:
            return None
        return -value if sign < 0 else value

    def is_finite(self, x):
        if self.kind == "exact":
            return True
        return self.mpmath.isfinite(x)

    def format(self, x, digits=None):
        """``x`` as text: a fraction (``7/3``), or ``digits`` significant
        digits (integers in full, without ``.0``), or inf/-inf/nan."""
        if isinstance(x, Fraction):
            return str(x)
        if isinstance(x, int):
            return str(x)
        m = self.mpmath
        digits = digits or self.digits
        if m.isnan(x):
            return "nan"
        if m.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x == 0:
            return "0"
        if m.isint(x) and abs(x) < m.mpf(10) ** digits:
            return str(int(x))
        text = m.nstr(x, digits, min_fixed=-6, max_fixed=digits, strip_zeros=False)
        with m.workdps(digits + 10):  # a short decimal such as 0.25: no trailing zeros
            if abs(m.mpf(text) - x) <= abs(x) * m.mpf(10) ** (-digits - 5):
                text = m.nstr(x, digits, min_fixed=-6, max_fixed=digits)
        return text

    # primitive evaluation --------------------------------------------------------
    def strict(self, prim):
        """``prim`` evaluated in this system; raises ValueError or
        ZeroDivisionError off its domain like the float evaluation, and
        NotRational in exact mode for a non-rational operation."""
        fn = self._strict.get(prim.key)
        if fn is None:
            fn = self._strict[prim.key] = (self._exact_fn(prim) if self.kind == "exact"
                                           else self._mp_strict(prim))
        return fn

    def _exact_fn(self, prim):
        fn = _EXACT.get(prim.key)
        if fn is not None:
            return fn

        def not_rational(*args):
            raise NotRational(f"`{prim.name}` is not a rational operation")

        return not_rational

    def _mp_strict(self, prim):
        m = self.mpmath
        fn = mp_function(prim, m)
        mpf, isfinite = m.mpf, m.isfinite
        ffn = prim.fn

        def strict(*args):
            r = fn(*args)
            if type(r) is not mpf:
                if isinstance(r, m.mpc):
                    raise ValueError(f"{prim.name} is complex here")
                r = mpf(r)
            if not isfinite(r) and all(isfinite(a) for a in args):
                # mpmath says log(0) = -inf; adcli, like float mode, says
                # the point is off the domain.
                ffn(*[float(a) for a in args])
            return r

        return strict

    def safe(self, prim):
        """Like :meth:`strict` but never raises for a derivative rule at a
        kink: IEEE-style ±inf/nan as the float sweeps' rescue path does."""
        fn = self._safe.get(prim.key)
        if fn is None:
            fn = self._safe[prim.key] = self._make_safe(prim)
        return fn

    def _make_safe(self, prim):
        from .rules import _ieee_value

        strict = self.strict(prim)
        key = prim.key
        exact = self.kind == "exact"

        def safe(*args):
            try:
                return strict(*args)
            except (ValueError, ZeroDivisionError, OverflowError):
                if exact:
                    raise
                return self.mpmath.mpf(_ieee_value(key, [float(a) for a in args]))

        return safe

    def linearizer(self, prim, active, safe=False):
        """``lin(*args) -> (value, *partials of the active args)`` in this
        system, from the table's rule strings."""
        key = (prim.key, active, safe)
        fn = self._lin.get(key)
        if fn is None:
            fn = self._lin[key] = compile_rules(self, prim, active, safe)
        return fn


def _is_rational_float(x):
    return math.isfinite(x)


# --- the rule compiler for another number system -------------------------------

def generate(name, params, results):
    """Python source of ``def name(params): return (results…)`` over DAG
    nodes, every operation a call of ``_f_<key>`` and every constant a name
    ``_k<i>`` (no folding in floats: ``2/sqrt(pi)`` must stay exact to the
    working precision).  Returns (source, {constant name: float value})."""
    from ..graph.dag import CONST, VAR, postorder

    lines = [f"def {name}({', '.join(params)}):"]
    expr, consts = {}, {}
    for node in postorder(results):
        if node.op == VAR:
            expr[node.id] = node.name
        elif node.op == CONST:
            cname = f"_k{len(consts)}"
            consts[cname] = node.value
            expr[node.id] = cname
        else:
            args = ", ".join(expr[a.id] for a in node.args)
            lines.append(f"    t{node.id} = _f_{node.op}({args})")
            expr[node.id] = f"t{node.id}"
    lines.append(f"    return ({''.join(expr[r.id] + ', ' for r in results)})")
    return "\n".join(lines), consts


_NAMESPACES = {}


def namespace(ctx, safe=False):
    """``_f_<key>`` for every primitive, in ``ctx``'s number system."""
    from ..primitives import PRIMITIVES

    ns = _NAMESPACES.get((ctx.kind, safe))
    if ns is None:
        get = ctx.safe if safe else ctx.strict
        ns = _NAMESPACES[(ctx.kind, safe)] = {f"_f_{p.key}": get(p)
                                              for p in PRIMITIVES.values()}
    return dict(ns)


def compile_rules(ctx, prim, active, safe=False):
    from .rules import rule_graph

    graph, primal_node, partials = rule_graph(prim)
    results = [primal_node] + [p for p, on in zip(partials, active, strict=False) if on]
    name = f"lin_{prim.key}"
    source, consts = generate(name, prim.params, results)
    ns = namespace(ctx, safe)
    ns.update({k: ctx.rule_constant(v) for k, v in consts.items()})
    exec(compile(source, f"<adcli {ctx.kind} rule {prim.key}>", "exec"), ns)
    return ns[name]


# --- sweeps --------------------------------------------------------------------

def _floats(vals):
    out = []
    for v in vals:
        try:
            out.append(float(v))
        except (TypeError, ValueError, OverflowError):
            out.append(math.nan)
    return out


def _domain(tape, step, vals):
    from .sweeps import domain_error

    return domain_error(tape, step, _floats(vals))


def _not_rational(tape, step, vals, exc, derivative=False):
    from .sweeps import _call

    omega = tape.omega(step.slot)
    call = _call(step, _floats([vals[a] for a in step.args]))
    if derivative:
        message = (f"--exact: the derivative of `{call}` (ω{omega}) is not rational "
                   f"({exc.message})")
    else:
        message = f"--exact: {exc.message} (ω{omega}: `{call}`)"
    return NotRational(message, source=tape.program.source, span=step.node.span,
                       hint=f"--exact works with {_RATIONAL_NAMES}; use --digits N "
                            "for any formula")


def start_values(ctx, tape, point):
    """Input values (``point``: name → value spec, in the tape's input order)
    followed by the tape's constants, in ``ctx``."""
    from ..graph.dag import postorder

    vals = [value_of(ctx, point[name]) for name in tape.inputs]
    source = tape.program.source
    for node in postorder(tape.program.outputs):
        if node.is_const:
            vals.append(ctx.const_node(node, source))
    return vals


def primal(ctx, tape, point):
    """Every slot's value in ``ctx`` at ``point``."""
    vals = start_values(ctx, tape, point)
    for step in tape.steps:
        args = [vals[a] for a in step.args]
        try:
            vals.append(ctx.strict(step.prim)(*args))
        except NotRational as exc:
            raise _not_rational(tape, step, vals, exc) from None
        except (ValueError, ZeroDivisionError, OverflowError):
            raise _domain(tape, step, vals) from None
    return vals


class Linearization:
    """Values and per-step partials (w.r.t. the active arguments, listed in
    ``active[k]``) of every step of a tape, in a :class:`Context`."""

    __slots__ = ("ctx", "tape", "values", "active", "partials", "warnings")

    def __init__(self, ctx, tape, values, active, partials, warnings):
        self.ctx = ctx
        self.tape = tape
        self.values = values
        self.active = active
        self.partials = partials
        self.warnings = warnings


def _depends(tape):
    """Which slots depend on an input (an exponent like ``1/2`` does not)."""
    dep = [True] * tape.n_inputs + [False] * (tape.first_step - tape.n_inputs)
    for step in tape.steps:
        dep.append(any(dep[a] for a in step.args))
    return dep


def linearize(ctx, tape, point):
    from .sweeps import _kink_warning

    vals = start_values(ctx, tape, point)
    dep = _depends(tape)
    actives, partials, warnings = [], [], []
    for step in tape.steps:
        prim = step.prim
        mask = tuple(dep[a] for a in step.args)
        args = [vals[a] for a in step.args]
        try:
            res = ctx.linearizer(prim, mask)(*args)
        except NotRational as exc:
            try:
                ctx.strict(prim)(*args)
            except NotRational as exc2:
                raise _not_rational(tape, step, vals, exc2) from None
            except (ValueError, ZeroDivisionError):
                raise _domain(tape, step, vals) from None
            raise _not_rational(tape, step, vals, exc, derivative=True) from None
        except (ValueError, ZeroDivisionError, OverflowError):
            res = _rescue(ctx, tape, step, vals, args, mask)
        ps = list(res[1:])
        if prim.kink is not None and prim.kink(*args):
            warnings.append(_kink_warning(tape, step, _floats(args)))
            ps = [ctx.zero() if p != p else p for p in ps]
        vals.append(res[0])
        actives.append(tuple(a for a, on in zip(step.args, mask, strict=False) if on))
        partials.append(ps)
    return Linearization(ctx, tape, vals, actives, partials, warnings)


def _rescue(ctx, tape, step, vals, args, mask):
    prim = step.prim
    try:
        value = ctx.strict(prim)(*args)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise _domain(tape, step, vals) from None
    at_kink = prim.kink is not None and prim.kink(*args)
    if ctx.is_exact:
        if at_kink:  # the rule divides by zero at the kink: the convention is 0
            return (value,) + tuple(ctx.zero() for on in mask if on)
    else:
        res = ctx.linearizer(prim, mask, safe=True)(*args)
        if at_kink or all(ctx.is_finite(p) for p in res[1:]):
            return res
    from .sweeps import _call

    omega = tape.omega(step.slot)
    raise DomainError(
        f"{_call(step, _floats(args))} cannot be differentiated here (at ω{omega})",
        step=omega, source=tape.program.source, span=step.node.span)


def forward(lin, seeds):
    """One tangent sweep per seed (input tangents); every slot's tangent."""
    ctx, tape = lin.ctx, lin.tape
    zero = ctx.zero()
    out = []
    for seed in seeds:
        tan = [ctx.from_number(s) for s in seed]
        tan += [zero] * (tape.first_step - tape.n_inputs)
        for act, ps in zip(lin.active, lin.partials, strict=False):
            t = zero
            for a, p in zip(act, ps, strict=False):
                d = tan[a]
                if d:
                    t = t + p * d
            tan.append(t)
        out.append(tan)
    return out


def reverse(lin, output_seeds):
    """One adjoint sweep per output seed; every slot's adjoint."""
    ctx, tape = lin.ctx, lin.tape
    zero = ctx.zero()
    out = []
    slots = [s.slot for s in tape.steps]
    for seed in output_seeds:
        adj = [zero] * tape.size
        for slot, w in zip(tape.outputs, seed, strict=False):
            adj[slot] = adj[slot] + ctx.from_number(w)
        for k in range(len(slots) - 1, -1, -1):
            g = adj[slots[k]]
            if g:
                for a, p in zip(lin.active[k], lin.partials[k], strict=False):
                    adj[a] = adj[a] + g * p
        out.append(adj)
    return out


# --- points ---------------------------------------------------------------------

def value_of(ctx, spec):
    """A point value in ``ctx``: a number, or the text of a constant
    expression (``"1/3"``, ``"pi/4"``) evaluated in ``ctx``."""
    if not isinstance(spec, str):
        return ctx.from_number(spec)
    text = spec.strip()
    value = ctx._const_text(text)
    if value is not None:
        return value
    from ..graph.tape import Tape
    from ..language.parser import parse

    program = parse(text, allow_free=False)
    if len(program.outputs) != 1:
        raise UsageError("a value must be a single expression", source=text,
                         span=(0, len(text)), label="--at")
    tape = Tape(program, ())
    try:
        vals = primal(ctx, tape, {})
    except DomainError as exc:
        raise UsageError(exc.message, source=exc.source, span=exc.span, hint=exc.hint,
                         label="--at") from None
    except NotRational as exc:
        exc.label = "--at"
        raise
    return vals[tape.outputs[0]]


def parse_point(text):
    """``--at`` text → {name: value text}, validated like float mode (names,
    finiteness, carets) and kept as text to be read at working precision."""
    from ..language.point import parse_point as parse_float
    from ..language.point import read_at, split_pairs

    names = list(parse_float(text, beyond_float=True))
    source = read_at(text)
    texts = [piece.partition("=")[2] for piece, _ in split_pairs(source)]
    return dict(zip(names, texts, strict=False))


# --- results ----------------------------------------------------------------------

def _close(ctx, a, b, digits):
    m = ctx.mpmath
    if a == b or (m.isnan(a) and m.isnan(b)):  # nan: no expansion at a kink (taylor)
        return True
    if not (m.isfinite(a) and m.isfinite(b)):
        return False
    return abs(a - b) <= abs(b) * m.mpf(10) ** (-digits - 2)


def _converge(ctx, compute, tape):
    """Run ``compute()`` (returning a flat list of numbers) at two working
    precisions and raise the precision until they agree to ``ctx.digits``
    significant digits.  Returns (numbers, warnings)."""
    if ctx.is_exact:
        return compute(), []
    digits = ctx.digits
    guard = 10 + digits // 20 + len(str(len(tape.steps) + 1))
    dps = digits + guard
    for _ in range(4):
        with ctx.working(dps):
            first = compute()
        dps2 = dps + max(15, dps // 4)
        with ctx.working(dps2):
            second = compute()
        if all(_close(ctx, a, b, digits) for a, b in zip(first, second, strict=False)):
            return second, []
        dps = 2 * dps2
    return second, [EvalWarning(
        "precision", None,
        f"could not confirm all {digits} digits even at {dps2} working digits "
        "(a result that is exactly 0 cannot be given to significant digits)")]


def _bind(fn, point, kwargs):
    point = dict(point or {}, **kwargs)
    if not point and fn.inputs:
        raise UsageError(f"no point given: the formula needs {', '.join(fn.inputs)}")
    return fn.tape(point), point


def _function(source_or_fn):
    from ..api import Function

    return source_or_fn if isinstance(source_or_fn, Function) else Function(source_or_fn)


def _context(digits, exact):
    if exact and digits is not None:
        raise UsageError("--digits and --exact do not combine",
                         hint="--exact prints exact fractions; --digits N decimal digits")
    if exact:
        return Context.exact()
    if digits is None:
        raise UsageError("give digits=N or exact=True")
    return Context.mp(digits)


def evaluate(fn, point=None, *, digits=None, exact=False, **kwargs):
    """The value(s) at ``point`` to ``digits`` significant digits, or exactly
    (``exact=True``): an :class:`adcli.api.Evaluation` whose numbers are
    mpmath ``mpf`` or ``Fraction``, with ``.context`` to format them."""
    fn = _function(fn)
    ctx = _context(digits, exact)
    tape, point = _bind(fn, point, kwargs)

    def compute():
        vals = primal(ctx, tape, point)
        return [vals[o] for o in tape.outputs] + [value_of(ctx, point[n]) for n in tape.inputs]

    numbers, warnings = _converge(ctx, compute, tape)
    n_out = len(tape.outputs)
    result = PreciseEvaluation(fn.outputs, numbers[:n_out], warnings,
                               dict(zip(tape.inputs, numbers[n_out:], strict=False)))
    result.context = ctx
    return result


def gradient(fn, point=None, *, digits=None, exact=False, wrt=None, mode="auto", **kwargs):
    """Value and gradient (Jacobian) at ``point`` to ``digits`` significant
    digits, or exactly: an :class:`adcli.api.Derivatives` with mpmath or
    Fraction numbers and ``.context``.  Point values may be numbers (a float
    is its exact binary value) or text (``"1/3"``) read at working precision."""
    from ..api import choose_mode

    fn = _function(fn)
    ctx = _context(digits, exact)
    tape, point = _bind(fn, point, kwargs)
    wrt = fn._wrt(tape, wrt)
    mode = choose_mode(mode, len(fn.outputs), len(wrt))
    index = [tape.inputs.index(w) for w in wrt]
    n, m = tape.n_inputs, len(tape.outputs)
    state = {}

    def compute():
        lin = linearize(ctx, tape, point)
        state["warnings"] = lin.warnings
        if mode == "forward":
            tans = forward(lin, [[1 if j == i else 0 for j in range(n)] for i in index])
            rows = [[tan[o] for tan in tans] for o in tape.outputs]
        else:
            adjs = reverse(lin, [[1 if j == k else 0 for j in range(m)] for k in range(m)])
            rows = [[adj[i] for i in index] for adj in adjs]
        flat = [lin.values[o] for o in tape.outputs] + lin.values[:n]
        for row in rows:
            flat.extend(row)
        return flat

    numbers, warnings = _converge(ctx, compute, tape)
    values, inputs, rest = numbers[:m], numbers[m:m + n], numbers[m + n:]
    jac = [dict(zip(wrt, rest[k * len(wrt):(k + 1) * len(wrt)], strict=False)) for k in range(m)]
    point_out = dict(zip(tape.inputs, inputs, strict=False))
    result = PreciseDerivatives(fn.outputs, values, jac, mode, state["warnings"] + warnings,
                                point_out)
    result.context = ctx
    return result


def _result_classes():
    from ..api import Derivatives, Evaluation

    class PreciseEvaluation(Evaluation):
        __slots__ = ("context",)

    class PreciseDerivatives(Derivatives):
        __slots__ = ("context",)

    return PreciseEvaluation, PreciseDerivatives


PreciseEvaluation, PreciseDerivatives = _result_classes()
