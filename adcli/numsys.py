"""Number systems: what the engine computes in.

Every sweep (primal, linearisation, forward, reverse, Hessian, Taylor) is
written once over the small interface of :class:`NumberSystem`:

* numbers: ``zero``, ``one``, ``number(x)`` (a Python number in this system),
  ``literal(text)`` (``0.1`` read exactly, ``pi`` at working precision),
  ``rule_constant(value)`` (a constant of a derivative rule);
* the primitives by name: ``namespace(safe)`` maps ``_f_<key>`` to this
  system's evaluation of every primitive in the table (``strict``: raises
  ValueError/ZeroDivisionError off the domain; ``safe``: IEEE-style ±inf/nan
  instead, used only at kinks);
* ``fsum`` and ``log`` (Taylor recurrences), ``is_finite``;
* ``format(x)`` (text) and ``json(x)`` (a JSON value), ``meta`` (what a
  precise result adds to its JSON: ``digits`` or ``exact``);
* ``converge(compute, n_steps)``: run a computation until its numbers are
  right to the system's digits (float64 and exact: once).

Four systems: :data:`FLOAT64`, :class:`MPDigits` (mpmath at N significant
digits), :data:`EXACT` (``Fraction``) and :class:`NumpyArrays` (float64
arrays, one element per point).  :func:`system` picks one from the API's
``digits=`` / ``exact=``.  mpmath and NumPy are imported only when their
system is made.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager as ContextManager
from typing import Any

from .errors import EvalWarning, UsageError
from .numtext import json_number, plain_number
from .primitives import CONSTANTS, PRIMITIVES, Primitive

INF = math.inf
NAN = math.nan

MAX_DIGITS = 100_000



def _is_fraction(x: Any) -> bool:
    """A Fraction (or its subclass adcli.printed.ExactNumber), without importing
    fractions (nor, for a float or an int, numbers: the start-up of float64 runs)."""
    if type(x) is float or type(x) is int:
        return False
    import numbers

    return isinstance(x, numbers.Rational) and not isinstance(x, numbers.Integral)


def safe_fsum(xs: Iterable[float]) -> float:
    """math.fsum, but IEEE where it raises: inf - inf is nan and an
    intermediate overflow is ±inf (a Taylor coefficient that overflows is a
    result with a warning, not a crash)."""
    if type(xs) is not list:
        xs = list(xs)
    try:
        return math.fsum(xs)
    except (ValueError, OverflowError):
        return sum(xs)

class NotRational(UsageError):
    """``exact=True`` met an operation whose result is not rational (exit 2)."""


def ieee_value(key: str, args: list[float]) -> float:
    """What IEEE arithmetic gives where the float function raised (1/0, log 0)."""
    x = args[0]
    if key in ("div", "sec", "csc", "cot"):
        num, den = (x, args[1]) if key == "div" else (1.0, 0.0)
        if num == 0 or math.isnan(num):
            return NAN
        return math.copysign(INF, num) * math.copysign(1.0, den)
    if key == "pow":
        y = args[1]
        if x == 0 and y < 0:
            odd = y == int(y) and int(y) % 2
            return math.copysign(INF, x) if odd else INF
        return NAN
    if key in ("log", "log2", "log10", "logb") and x == 0:
        return -INF
    if key == "log1p" and x == -1:
        return -INF
    if key == "atanh" and abs(x) == 1:
        return math.copysign(INF, x)
    return NAN


def ieee_function(prim: Primitive) -> Callable[..., float]:
    fn, key = prim.fn, prim.key

    def safe(*args):
        try:
            return fn(*args)
        except (ValueError, ZeroDivisionError, OverflowError):
            return ieee_value(key, list(args))

    return safe


class NumberSystem:
    """The interface (and the float64 implementation, :data:`FLOAT64`)."""

    name = "float64"
    exact = False
    digits: int | None = None
    zero: Any = 0.0
    one: Any = 1.0
    # rule constants folded at code-generation time (2·3 → 6); a precise
    # system keeps them as names so 2/sqrt(pi) is exact to its precision
    folds_constants = True
    # generated code may write + - * / (float semantics: raises on x/0)
    infix = True
    # numbers are arrays: no domain errors, ±inf and nan element by element
    elementwise = False

    def __repr__(self) -> str:
        return "FLOAT64"

    def __reduce__(self):
        return (system, (self.digits, self.exact))

    # numbers ------------------------------------------------------------------
    def number(self, x: Any) -> Any:
        return float(x)

    def literal(self, text: str) -> Any:
        if text in CONSTANTS:
            return CONSTANTS[text]
        try:
            return float(text) if text[:1].isdigit() or text[:1] == "." else None
        except ValueError:
            return None

    def rule_constant(self, value: float) -> Any:
        return value

    def const_node(self, node: Any, source: str | None) -> Any:
        return node.value

    def to_float(self, x: Any) -> float:
        try:
            return float(x)
        except (TypeError, ValueError, OverflowError):
            return NAN

    def is_finite(self, x: Any) -> bool:
        return math.isfinite(x)

    @staticmethod
    def nonzero(x: Any) -> bool:
        """False where a sweep may skip a product (a zero tangent/adjoint)."""
        return bool(x)

    def at_kink(self, prim: Primitive, args: list) -> Any:
        """False, or where ``prim`` sits on its kink (True, or a mask)."""
        kink = prim.kink
        return kink is not None and bool(kink(*args))

    def kink_partial(self, p: Any, where: Any) -> Any:
        """A partial at a kink: nan (no derivative) becomes 0, the convention."""
        return self.zero if p != p else p

    def example(self, args: list, where: Any) -> list[float]:
        """The arguments as floats for a message (the first row at a kink)."""
        return [self.to_float(a) for a in args]

    # the primitives by name ------------------------------------------------------
    def strict(self, prim: Primitive) -> Callable[..., Any]:
        return prim.fn

    def safe(self, prim: Primitive) -> Callable[..., Any]:
        return ieee_function(prim)

    def namespace(self, safe: bool = False) -> dict[str, Any]:
        """``_f_<key>`` for every primitive (what generated rule code calls)."""
        cache = self.__dict__.setdefault("_namespaces", {})
        ns: dict[str, Any] | None = cache.get(safe)
        if ns is None:
            get = self.safe if safe else self.strict
            ns = {f"_f_{p.key}": get(p) for p in PRIMITIVES.values()}
            ns["inf"], ns["nan"] = INF, NAN
            cache[safe] = ns
        return dict(ns)

    def fsum(self, xs: Iterable[Any]) -> Any:
        return safe_fsum(xs)

    def log(self, x: Any) -> Any:
        return math.log(x)

    # where a recurrence's plain products gave nan -------------------------------
    def times(self, a: Any, b: Any) -> Any:
        """a·b where an exact zero wins over ±inf (0·inf is 0, not nan), as
        the Hessian's products have it: a coefficient that is exactly 0 (the
        line x + t has no t² term) contributes nothing, however large the
        coefficient it multiplies (an overflowed exp at x = 710).  A nan
        stays nan: 0 times an undefined coefficient is undefined."""
        return a * b if (a and b) or a != a or b != b else self.zero

    def repaired(self, x: Any, careful: Callable[[], Any]) -> Any:
        """``x``, or where it is nan, what ``careful()`` gives (the same
        recurrence with :meth:`times`): the plain products stay the fast
        path, and a nan costs one more evaluation."""
        return careful() if x != x else x

    # text -------------------------------------------------------------------
    def format(self, x: Any) -> str:
        return plain_number(x)

    def json(self, x: Any) -> Any:
        return json_number(x)

    def meta(self) -> dict[str, Any]:
        """Keys a result in this system adds to its JSON."""
        return {}

    # the API's results -----------------------------------------------------------
    # (False: a result's numbers are handed out as computed, float64 or arrays)
    presents = False

    def present(self, x: Any) -> Any:
        """``x`` as a result of the Python API hands it out: a number that
        prints as the CLI prints it (adcli/printed.py)."""
        return x

    # precision -----------------------------------------------------------------
    def working(self, dps: int | None = None) -> ContextManager:
        import contextlib

        return contextlib.nullcontext()

    def converge(self, compute: Callable[[], list], n_steps: int) -> tuple[list, list]:
        """(numbers, warnings): ``compute()`` run until its numbers are right."""
        return compute(), []


FLOAT64 = NumberSystem()


# --- arbitrary precision (mpmath) ------------------------------------------------

def _mp_helpers(mpmath: Any) -> dict[str, Callable[..., Any]]:
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

    def _logb(x, b):
        # log(1)/log(0) is 0/-inf = 0 in mpmath: off the domain, as in float64
        if x <= 0 or b <= 0:
            raise ValueError("math domain error")
        return mpmath.log(x) / mpmath.log(b)

    def _erfc(x):
        """mpmath.erfc raises OverflowError from x ≈ 1e154 on (x² leaves
        its float range); there the asymptotic series
        erfc x = exp(-x²)/(x√π)·Σ (-1)ⁿ(2n-1)!!/(2x²)ⁿ, whose terms shrink
        by 1/(2x²) < 1e-300 each, gives every digit in a few terms."""
        try:
            return mpmath.erfc(x)
        except OverflowError:
            if x < 0:
                return mpf(2)
        eps = mpf(2) ** -(mpmath.mp.prec + 10)
        # exp(-x²) needs about log2(x²) more bits for x² to keep its digits
        with mpmath.extraprec(2 * mpmath.mag(x) + 20):
            x2, term, total, n = 2 * x * x, mpf(1), mpf(1), 1
            while abs(term) > eps:
                term *= -(2 * n - 1) / x2
                total += term
                n += 1
            value = mpmath.exp(-x * x) / (x * mpmath.sqrt(mpmath.pi)) * total
        return +value

    def _sign(x):
        return mpf((x > 0) - (x < 0))

    return {
        "_add": operator.add, "_sub": operator.sub, "_mul": operator.mul,
        "_div": operator.truediv, "_neg": operator.neg, "_pow": _pow,
        "_logb": _logb, "_erfc": _erfc,
        "_log2": lambda x: mpmath.log(x) / mpmath.log(2),
        "_min": min, "_max": max, "_cbrt": _cbrt, "_sign": _sign,
        "_sec": mpmath.sec, "_csc": mpmath.csc, "_cot": mpmath.cot,
    }


def mp_function(prim: Primitive, mpmath: Any = None) -> Callable[..., Any]:
    """The mpmath evaluation of a primitive, from its ``mp`` table field."""
    if mpmath is None:
        import mpmath as _mpmath

        mpmath = _mpmath
    name = prim.mp
    if not name:
        raise LookupError(f"primitive {prim.key} has no mp field")
    if name.startswith("_"):
        return _mp_helpers(mpmath)[name]
    return getattr(mpmath, name)


class _PreciseBase(NumberSystem):
    folds_constants = False
    infix = False

    def const_node(self, node, source):
        """A constant of the user's formula, re-read from its text so that it
        is exact (``0.1``) or at working precision (``pi``)."""
        if node.span is not None and source is not None:
            value = self.signed_literal(source[node.span[0]:node.span[1]])
            if value is not None and (self.exact or float(value) == node.value):
                return value
        if self.exact and not math.isfinite(node.value):
            raise NotRational(f"the constant {node.value!r} is not rational")
        return self.number(node.value)

    def signed_literal(self, text: str) -> Any:
        """A number or constant name with signs and parentheses before it
        (the parser folds -2 and -pi into one constant), or None."""
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

    def to_float(self, x):
        try:
            return float(x)
        except (TypeError, ValueError, OverflowError):
            return NAN


class MPDigits(_PreciseBase):
    """mpmath at ``digits`` significant digits (plus guard digits)."""

    name = "mpmath"

    def __init__(self, digits: int) -> None:
        if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
            raise UsageError(f"digits must be a positive whole number, not {digits!r}")
        if digits > MAX_DIGITS:
            raise UsageError(f"digits can be at most {MAX_DIGITS}, not {digits}")
        try:
            import mpmath
        except ImportError:
            raise UsageError("digits=N needs the mpmath package",
                             hint="pip install mpmath") from None
        self.mpmath = mpmath
        self.digits = digits
        self.n_digits: int = digits  # the same, typed as never None
        self.prec_digits = digits + 10 + digits // 20
        self.zero = mpmath.mpf(0)
        self.one = mpmath.mpf(1)

    def __repr__(self):
        return f"MPDigits({self.digits})"

    def __eq__(self, other):
        return isinstance(other, MPDigits) and other.digits == self.digits

    def __hash__(self):
        return hash(("mp", self.digits))

    def number(self, x: Any) -> Any:
        mpf = self.mpmath.mpf
        if _is_fraction(x):
            return mpf(x.numerator) / x.denominator
        return mpf(x)

    def literal(self, text: str) -> Any:
        m = self.mpmath
        if text in CONSTANTS:
            return {"pi": +m.pi, "e": +m.e, "tau": 2 * m.pi}[text]
        if not text or not (text[0].isdigit() or text[0] == "."):
            return None
        try:
            return m.mpf(text)
        except ValueError:
            return None

    def rule_constant(self, value: float) -> Any:
        for name, c in CONSTANTS.items():
            if value == c:
                return self.mpmath.pi * 2 if name == "tau" else getattr(self.mpmath, name)
        return self.number(value)

    def is_finite(self, x: Any) -> bool:
        return self.mpmath.isfinite(x)

    def strict(self, prim: Primitive) -> Callable[..., Any]:
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
                # mpmath says log(0) = -inf; adcli, like float64, says the
                # point is off the domain.
                ffn(*[float(a) for a in args])
            return r

        return strict

    def safe(self, prim: Primitive) -> Callable[..., Any]:
        strict = self.strict(prim)
        key, mpf = prim.key, self.mpmath.mpf

        def safe(*args):
            try:
                return strict(*args)
            except (ValueError, ZeroDivisionError, OverflowError):
                return mpf(ieee_value(key, [float(a) for a in args]))

        return safe

    def fsum(self, xs: Iterable[Any]) -> Any:
        return self.mpmath.fsum(xs)

    def log(self, x: Any) -> Any:
        return self.mpmath.log(x)

    def format(self, x: Any, digits: int | None = None) -> str:
        """``digits`` significant digits (integers in full, without ``.0``),
        or inf/-inf/nan."""
        if isinstance(x, int) or _is_fraction(x):
            return str(x)
        m = self.mpmath
        digits = digits or self.n_digits
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

    def json(self, x: Any) -> Any:
        text = self.format(x)
        return text if text in ("inf", "-inf", "nan") else RawJSON(text)

    def meta(self) -> dict[str, Any]:
        return {"digits": self.digits}

    presents = True

    def present(self, x: Any) -> Any:
        from .printed import precise_number

        return precise_number(x, self)

    def working(self, dps: int | None = None) -> ContextManager:
        return self.mpmath.workdps(dps or self.prec_digits)

    def converge(self, compute: Callable[[], list], n_steps: int) -> tuple[list, list]:
        """Run ``compute()`` at two working precisions and raise the precision
        until they agree to ``digits`` significant digits (the way correctly
        rounded libraries check a result)."""
        digits = self.n_digits
        guard = 10 + digits // 20 + len(str(n_steps + 1))
        dps = digits + guard
        for _ in range(4):
            with self.working(dps):
                first = compute()
            dps2 = dps + max(15, dps // 4)
            with self.working(dps2):
                second = compute()
            if all(self._close(a, b) for a, b in zip(first, second, strict=False)):
                return second, []
            dps = 2 * dps2
        return second, [EvalWarning(
            "precision", None,
            f"could not confirm all {digits} digits even at {dps2} working digits "
            "(a result that is exactly 0 cannot be given to significant digits)")]

    def _close(self, a, b):
        m = self.mpmath
        if a == b or (m.isnan(a) and m.isnan(b)):  # nan: no expansion at a kink (taylor)
            return True
        if not (m.isfinite(a) and m.isfinite(b)):
            return False
        return abs(a - b) <= abs(b) * m.mpf(10) ** (-self.digits - 2)


# --- exact rationals ------------------------------------------------------------

RATIONAL_NAMES = "+ - * /, integer powers, abs, sign, min and max"

# An exact power larger than this many bits is refused (a NotRational error)
# rather than computed: 10^(1e300) would fill the memory (and hang) instead
# of failing; 2^(2^22) still has 1.26 million digits.
EXACT_MAX_BITS = 1 << 22


class _Irrational:
    """A named constant (pi, e, tau) inside a derivative rule in exact mode."""

    def __init__(self, name):
        self.name = name

    def _fail(self, *_):
        raise NotRational(f"the constant `{self.name}` is not rational")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = _fail


class _Unbounded:
    """What the exact system's never-raising ``pow`` gives for 0 to a
    negative power, where float64 gives ±inf (the rationals have none): a
    second-order rule's careful product lets an exact zero win over it
    (d²/dx² of x^2 at 0 carries 0·x^(-1), which is 0).  Like ±inf it
    survives sums and products by nonzero numbers (its sign is not kept);
    a result that is still unbounded is an error (see
    :func:`adcli.modes.hessian.kink_partials`), as is any other use of it."""

    def _fail(self, *_):
        raise ZeroDivisionError("0 to a negative power")

    def _keep(self, other):
        return self

    def _scale(self, other):
        if other == 0:  # not a careful product: 0·∞ has no value here
            self._fail()
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = _keep
    __mul__ = __rmul__ = __truediv__ = _scale

    def __neg__(self):
        return self

    __rtruediv__ = __pow__ = __rpow__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __float__ = _fail


UNBOUNDED = _Unbounded()


class Withheld:
    """A partial derivative exact rationals cannot hold (0^0's one-sided
    ∂/∂y = -inf, the log 2 of 2^y's ∂/∂y), carrying the refusal
    (``error``, a :class:`NotRational` naming the step).  It flows through
    the first-order sweeps as a number would, and a product by an exact 0 is
    0, as in float64's careful sweeps; only a result that it reaches and that
    was asked for is refused (``grad "x^y" --at x=0,y=0 --exact --wrt x``
    gives ∂/∂x = 0: the -inf stays in y's adjoint)."""

    __slots__ = ("error",)

    def __init__(self, error: NotRational) -> None:
        self.error = error

    def _keep(self, other: Any) -> Any:
        return self

    def _times(self, other: Any) -> Any:
        return other - other if other == 0 else self  # the zero of other's system

    __add__ = __radd__ = __sub__ = __rsub__ = __truediv__ = _keep
    __mul__ = __rmul__ = _times

    def __neg__(self) -> Withheld:
        return self

    def __bool__(self) -> bool:
        return True


def refuse_withheld(numbers: Iterable[Any]) -> None:
    """Raise the refusal of the first :class:`Withheld` among ``numbers``."""
    for x in numbers:
        if type(x) is Withheld:
            raise x.error


class ExactRationals(_PreciseBase):
    """Python's ``Fraction``: formulas whose every operation is rational."""

    name = "exact"
    exact = True

    def __init__(self) -> None:
        from fractions import Fraction

        self.Fraction = Fraction
        self.zero = Fraction(0)
        self.one = Fraction(1)

    def __repr__(self):
        return "EXACT"

    def number(self, x: Any) -> Any:
        if isinstance(x, float) and not math.isfinite(x):
            raise UsageError(f"{x} is not a rational number")
        mpf_value = getattr(x, "_mpf_", None)
        if mpf_value is not None:  # an mpmath number: its exact binary value, as a float's
            sign, man, exp, _ = mpf_value
            if not man and exp:
                raise UsageError(f"{x} is not a rational number")
            n = -int(man) if sign else int(man)
            return self.Fraction(n << exp) if exp >= 0 else self.Fraction(n, 1 << -exp)
        return self.Fraction(x)

    def literal(self, text: str) -> Any:
        if text in CONSTANTS:
            raise NotRational(f"the constant `{text}` is not rational",
                              hint="exact arithmetic needs rational numbers; "
                                   "use `digits=N` instead", params=("digits",))
        try:
            return self.Fraction(text)
        except (ValueError, ZeroDivisionError):
            return None

    def rule_constant(self, value: float) -> Any:
        for name, c in CONSTANTS.items():
            if value == c:
                return _Irrational(name)
        return self.number(value)

    def is_finite(self, x: Any) -> bool:
        return True

    def strict(self, prim: Primitive) -> Callable[..., Any]:
        Fraction = self.Fraction

        def _pow(x, y):
            if y.denominator != 1:
                raise NotRational(f"`{x}^{y}` has a non-integer exponent")
            n = y.numerator
            if x == 0 and n < 0:
                raise ZeroDivisionError("0 to a negative power")
            size = abs(n) * max(x.numerator.bit_length(), x.denominator.bit_length())
            if size > EXACT_MAX_BITS and abs(x) != 1:
                raise NotRational(f"the power has about {size * 0.30103:.3g} digits: "
                                  "too many to compute exactly")
            return x ** n

        def _sign(x):
            return Fraction((x > 0) - (x < 0))

        rational = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
                    "div": operator.truediv, "neg": operator.neg, "pow": _pow,
                    "abs": abs, "sign": _sign, "min": min, "max": max}
        fn: Any = rational.get(prim.key)
        if fn is not None:
            return fn

        def not_rational(*args):
            raise NotRational(f"`{prim.name}` is not a rational operation")

        return not_rational

    def safe(self, prim: Primitive) -> Callable[..., Any]:
        """strict, except 0 to a negative power: :data:`UNBOUNDED` (the
        rationals have no ±inf), for a careful product to multiply by 0."""
        strict = self.strict(prim)
        if prim.key != "pow":
            return strict

        def safe_pow(x, y):
            if x == 0 and y < 0 and y.denominator == 1:
                return UNBOUNDED
            return strict(x, y)

        return safe_pow

    def fsum(self, xs: Iterable[Any]) -> Any:
        return sum(xs, self.zero)

    def log(self, x: Any) -> Any:
        return self.strict(PRIMITIVES["log"])(x)

    def format(self, x: Any) -> str:
        return str(x)

    def json(self, x: Any) -> Any:
        text = str(x)
        return text if "/" in text else RawJSON(text)

    def meta(self) -> dict[str, Any]:
        return {"exact": True}

    presents = True

    def present(self, x: Any) -> Any:
        from .printed import exact_number

        if type(x) is Withheld:  # a partial with no rational value, in a result
            raise x.error
        return exact_number(x)


# --- NumPy arrays ---------------------------------------------------------------

class NumpyArrays(NumberSystem):
    """float64 arrays, one element per point: the table's ``np`` field names
    each primitive's NumPy function (``"_name"``: a helper defined here)."""

    name = "numpy"

    def __init__(self) -> None:
        import numpy

        self.np = numpy

    def __repr__(self):
        return "NumpyArrays()"

    def helpers(self) -> dict[str, Callable[..., Any]]:
        np = self.np

        def _elementwise(fn):
            """A float function applied elementwise (NumPy lacks erf without
            SciPy): slower, but exactly the scalar values."""
            ufunc = np.frompyfunc(fn, 1, 1)

            def apply(x):
                out = ufunc(x)
                return (out.astype(np.float64) if isinstance(out, np.ndarray)
                        else np.float64(out))

            apply.__name__ = fn.__name__
            return apply

        return {"_sec": lambda x: 1.0 / np.cos(x), "_csc": lambda x: 1.0 / np.sin(x),
                "_cot": lambda x: np.cos(x) / np.sin(x),
                "_logb": lambda x, b: np.log(x) / np.log(b),
                "_erf": _elementwise(math.erf), "_erfc": _elementwise(math.erfc)}

    def strict(self, prim: Primitive) -> Callable[..., Any]:
        name = prim.np
        if not name:
            raise LookupError(f"primitive {prim.key} names no NumPy function")
        if name.startswith("_"):
            fn = self.__dict__.setdefault("_helpers", self.helpers()).get(name)
        else:
            fn = getattr(self.np, name, None)
        if fn is None:
            raise LookupError(f"primitive {prim.key}: unknown NumPy function {name!r}")
        return fn

    safe = strict  # NumPy never raises: ±inf and nan, flagged by the batch driver
    elementwise = True

    def format(self, x: Any) -> str:
        """An array as NumPy prints it, each number at full precision."""
        return self.np.array2string(self.np.asarray(x), separator=", ",
                                    formatter={"float_kind": lambda v: plain_number(float(v))})

    def number(self, x: Any) -> Any:
        return self.np.asarray(x, dtype=self.np.float64)

    def is_finite(self, x: Any) -> bool:
        return bool(self.np.isfinite(x).all())

    @staticmethod
    def nonzero(x: Any) -> bool:
        return not (isinstance(x, float) and x == 0.0)

    def at_kink(self, prim: Primitive, args: list) -> Any:
        mask = self.kink_mask(prim, args)
        return mask if mask.any() else False

    def kink_mask(self, prim: Primitive, args: list) -> Any:
        """Where ``prim`` sits on its kink, as a boolean array of the
        arguments' broadcast shape: the table's predicate run on whole arrays
        (``x == 0``, ``abs(x) == 1`` work as written), a vector twin for the
        predicates that use ``and``/``not`` (pow, atan2, hypot), and any other
        predicate NumPy cannot run applied element by element (correct, only
        slower: a new table entry needs nothing here)."""
        np = self.np
        args = [np.asarray(a, dtype=np.float64) for a in args]
        with np.errstate(invalid="ignore"):
            if prim.key == "pow":
                x, y = args
                return (x == 0) & ~((y == np.trunc(y)) & (y >= 1))
            if prim.key in ("atan2", "hypot"):
                return (args[0] == 0) & (args[1] == 0)
            kink = prim.kink
            assert kink is not None, f"{prim.key} has no kink"  # asked only of those that do
            try:
                return np.asarray(kink(*args), dtype=bool)
            except (ValueError, TypeError):  # `and` on arrays: element by element
                columns = [c.ravel().tolist() for c in np.broadcast_arrays(*args)]
                shape = np.broadcast_shapes(*(a.shape for a in args))
                flags = (bool(kink(*row)) for row in zip(*columns, strict=True))
                return np.fromiter(flags, dtype=bool, count=math.prod(shape)).reshape(shape)

    def ieee(self) -> ContextManager:
        """Off the domain a nan, at a pole ±inf, element by element: NumPy's
        warnings about them are silenced (each sweep reports its own way)."""
        return self.np.errstate(all="ignore")

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        """``a`` where ``condition`` holds, else ``b`` (a kink or a branch of
        a recurrence, decided element by element)."""
        return self.np.where(condition, a, b)

    def kink_partial(self, p: Any, where: Any) -> Any:
        np = self.np
        return np.where(where & np.isnan(p), 0.0, p)

    def example(self, args: list, where: Any) -> list[float]:
        np = self.np
        row = int(np.argmax(np.broadcast_to(where, np.broadcast(*args, where).shape)))
        return [float(np.broadcast_to(a, np.shape(where) or (1,)).flat[row])
                if np.ndim(a) else float(a) for a in args]

    def to_float(self, x: Any) -> float:
        return float(x) if self.np.ndim(x) == 0 else NAN

    def fsum(self, xs: Iterable[Any]) -> Any:
        """Σ xs left to right, accumulating arrays in place (one temporary,
        not one per term)."""
        np = self.np
        acc: Any = np.float64(0.0)
        owned = False
        for x in xs:
            if owned:
                acc += x
            elif np.ndim(x) or np.ndim(acc):
                acc = np.add(acc, x, dtype=np.float64)  # a new array: ours to update
                owned = True
            else:
                acc = acc + x
        return acc

    def log(self, x: Any) -> Any:
        return self.np.log(x)

    def times(self, a: Any, b: Any) -> Any:
        np = self.np
        a, b = np.asarray(a), np.asarray(b)
        zero = ((a == 0) & ~np.isnan(b)) | ((b == 0) & ~np.isnan(a))
        return np.where(zero, 0.0, a * b)

    def repaired(self, x: Any, careful: Callable[[], Any]) -> Any:
        np = self.np
        bad = np.isnan(x)
        return np.where(bad, careful(), x) if bad.any() else x


class RawJSON:
    """A number written into JSON as its own text (every digit kept)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self):
        return self.text

    def __eq__(self, other):
        return isinstance(other, RawJSON) and other.text == self.text

    def __hash__(self):
        return hash(self.text)


_SYSTEMS: dict[Any, NumberSystem] = {}


def system(digits: int | None = None, exact: bool = False) -> NumberSystem:
    """The number system for the API's ``digits=`` / ``exact=`` (float64 when
    neither is given)."""
    if exact and digits is not None:
        raise UsageError("digits and exact do not combine",
                         hint="exact gives fractions; digits=N gives N decimal digits")
    if exact:
        key: Any = "exact"
    elif digits is None:
        return FLOAT64
    else:
        key = ("mp", digits)
    found = _SYSTEMS.get(key)
    if found is None:
        found = ExactRationals() if exact else MPDigits(digits)  # type: ignore[arg-type]
        _SYSTEMS[key] = found
    return found


def numpy_arrays() -> NumpyArrays:
    found = _SYSTEMS.get("numpy")
    if found is None:
        found = _SYSTEMS["numpy"] = NumpyArrays()
    return found  # type: ignore[return-value]
