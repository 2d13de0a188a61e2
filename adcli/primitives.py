"""The one table of primitive operations.

Every other part of adcli reads this table and nothing else knows a
derivative rule: the parser looks functions up here, the rule compiler turns
the ``partials`` (written in adcli's own expression language over the
primitive's parameters) into fused Python code for forward and reverse
accumulation, the trace prints them, higher-order modes differentiate them
again, and ``adcli functions`` lists them.

Adding a function means adding one ``Primitive(...)`` line below.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

from .frozen import Frozen, init

INF = math.inf


class Primitive(Frozen):
    """One operation: how to evaluate it, its partial derivatives, how it
    prints, where it is defined and where it has a kink.

    Frozen (:mod:`adcli.frozen`): the rule compiler, the parser's tables and
    the caches keyed by a primitive read it as fixed; a changed rule is a new
    primitive (``adcli.frozen.replace``)."""

    __slots__ = (
        "key", "name", "arity", "params", "fn", "partials", "infix", "prec",
        "latex", "domain", "kink", "kink_note", "doc", "np", "mp", "taylor",
        "tangent_left", "edge", "second", "shown",
    )
    key: str
    name: str
    arity: int
    params: tuple[str, ...]
    fn: Callable[..., float]
    partials: tuple[str, ...]
    infix: str | None
    prec: int | None
    latex: str | None
    domain: str
    kink: Callable[..., bool] | None
    kink_note: str | None
    doc: str
    np: str | None
    mp: str | None
    taylor: str | None
    tangent_left: tuple[bool, ...] | None
    edge: Callable[..., str | None] | None
    second: tuple[str, ...] | None
    shown: tuple[str, ...]

    def __init__(self, key: str, fn: Callable[..., float], partials: tuple[str, ...], *,
                 name: str | None = None, params: tuple[str, ...] | None = None,
                 infix: str | None = None, prec: int | None = None, latex: str | None = None,
                 domain: str = "all real numbers", kink: Callable[..., bool] | None = None,
                 kink_note: str | None = None, doc: str = "", np: str | None = None,
                 mp: str | None = None, taylor: str | None = None,
                 tangent_left: tuple[bool, ...] | None = None,
                 edge: Callable[..., str | None] | None = None,
                 second: tuple[str, ...] | None = None,
                 shown: tuple[str, ...] | None = None) -> None:
        init(self, "key", key)
        init(self, "name", name or key)  # what the user types
        init(self, "params", params or (("x",) if len(partials) == 1 else ("x", "y")))
        init(self, "arity", len(self.params))
        # float evaluation; raises ValueError/ZeroDivisionError off its domain
        init(self, "fn", fn)
        init(self, "partials", partials)  # one rule per parameter, in adcli syntax
        init(self, "infix", infix)  # operator symbol for binary/unary operators
        init(self, "prec", prec)  # printing precedence for operators
        init(self, "latex", latex)  # LaTeX template over {0}, {1}
        init(self, "domain", domain)
        init(self, "kink", kink)  # predicate on the arguments: not differentiable here
        # what adcli does there (docs/numerics.md's convention)
        init(self, "kink_note", kink_note)
        init(self, "doc", doc)
        # Other evaluation backends, by name, resolved by the module that uses
        # them (so importing this table imports neither NumPy nor mpmath):
        init(self, "np", np)  # a numpy ufunc name, or a "_helper" of adcli's numpy backend
        # an mpmath function name, or a "_helper" of adcli's mpmath backend
        init(self, "mp", mp)
        # optional Taylor-coefficient recurrence: a "_helper" that adcli/modes/taylor.py
        # defines (RULES); without one, Taylor mode expands the partial rules
        init(self, "taylor", taylor)
        # display only: per argument, write the tangent before the partial in
        # the trace's tangent rule (mul: the textbook ω̇₁·ω₂ + ω₁·ω̇₂)
        init(self, "tangent_left", tangent_left)
        # optional predicate for points inside the domain where a partial
        # rule cannot be evaluated although the derivative is the limit its
        # IEEE value gives (nan read as 0): returns None elsewhere, else the
        # warning to show ("" for none).  pow: log(0)·0^y at x = 0.
        init(self, "edge", edge)
        # optional hand-written second partials ∂²/∂aᵢ∂aⱼ (i ≤ j: (0, 0), then
        # (0, 1), (1, 1)), in adcli syntax: the Hessian reads them instead of
        # differentiating ``partials`` again, where that derivative would
        # cancel or overflow (hypot: 1/h − x²/h³ for y²/h³)
        init(self, "second", second)
        # display only: the partial rules as the math writes them, where
        # ``partials`` computes them in a more accurate arrangement (pow)
        init(self, "shown", shown or partials)

    def __repr__(self) -> str:
        return f"Primitive({self.key})"


# --- float evaluation that overflows to ±inf instead of raising -------------

def _overflowing(fn, sign=lambda *a: 1.0):
    def safe(*args):
        try:
            return fn(*args)
        except OverflowError:
            return math.copysign(INF, sign(*args))
    safe.__name__ = fn.__name__
    safe.raw = fn  # the sweeps call the C function and fall back on OverflowError
    return safe


def _pow_sign(x, y):
    return -1.0 if x < 0 and y == int(y) and int(y) % 2 else 1.0


def _pow(x, y):
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.copysign(INF, _pow_sign(x, y))


_pow.raw = math.pow  # type: ignore[attr-defined]


def _sign(x):
    return (x > 0) - (x < 0) + 0.0


def _logb(x, b):
    return math.log(x) / math.log(b)


def _sec(x):
    return 1.0 / math.cos(x)


def _csc(x):
    return 1.0 / math.sin(x)


def _cot(x):
    return math.cos(x) / math.sin(x)


def _cbrt(x):
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


_exp = _overflowing(math.exp)
_expm1 = _overflowing(math.expm1)
_sinh = _overflowing(math.sinh, lambda x: x)
_cosh = _overflowing(math.cosh)


# --- kinks: points where the derivative does not exist ----------------------

def _at_zero(x):
    return x == 0


def _at_unit(x):
    return abs(x) == 1


def _at_one(x):
    return x == 1


def _tie(x, y):
    return x == y


def _origin(x, y):
    return x == 0 and y == 0


def _pow_kink(x, y):
    return x == 0 and not (y == int(y) and y >= 1)


class _Note(str):
    """A kink note (what ``adcli functions`` lists) that words the warning
    for the arguments at hand (``at(*args)``) so it agrees with the result."""

    def __new__(cls, text, at):
        note = super().__new__(cls, text)
        note.at = at
        return note


def _pow_note_at(x, y):
    if 0 < y < 1:
        return "infinite slope: d/dx is +inf"
    if y == 0:
        return ("0^0: d/dx is 0 (x^0 = 1); d/dy is the one-sided -inf "
                "(0^y = 0 for y > 0)")
    return ("x^y with this y is not defined for x < 0: the one-sided derivative "
            "from x > 0 is used, d/dx = 0")


def _pow_edge(x, y):
    """Where ∂/∂y = log(x)·x^y cannot be evaluated although x^y is defined."""
    if x == 0 and y > 0:
        return ""  # x^y is 0 for every y > 0 at x = 0: ∂/∂y = 0 exactly
    if x < 0 and y == int(y):
        return ("x^y with x < 0 is defined only at integer y: no derivative with "
                "respect to y, adcli uses 0")
    return None


# A kink predicate can only fire where its first argument takes one of these
# values: the sweeps test that in bulk before asking the predicate itself.
for _predicate, _values in ((_at_zero, (0.0,)), (_origin, (0.0,)), (_pow_kink, (0.0,)),
                           (_at_unit, (1.0, -1.0)), (_at_one, (1.0,))):
    _predicate.first_arg_values = _values  # type: ignore[union-attr]


SLOPE = "infinite slope: the derivative is ±inf"
TIE = "tie: the derivative is split evenly between both arguments"
UNDEFINED = "no derivative: adcli uses 0"

P = Primitive
TABLE = [
    # operators (prec: 1 sum, 2 product, 3 unary, 4 power)
    P("add", operator.add, ("1", "1"), infix="+", prec=1, latex="{0} + {1}",
      np="add", mp="_add", taylor="_add"),
    P("sub", operator.sub, ("1", "-1"), infix="-", prec=1, latex="{0} - {1}",
      np="subtract", mp="_sub", taylor="_sub"),
    P("mul", operator.mul, ("y", "x"), infix="*", prec=2, latex="{0} \\cdot {1}",
      np="multiply", mp="_mul", taylor="_mul", tangent_left=(True, False)),
    # -x/y/y, not -x/y²: y² over- or underflows where x/y² does not
    P("div", operator.truediv, ("1/y", "-x/y/y"), infix="/", prec=2,
      latex="\\frac{{{0}}}{{{1}}}", domain="y ≠ 0",
      np="divide", mp="_div", taylor="_div"),
    P("neg", operator.neg, ("-1",), infix="-", prec=3, latex="-{0}",
      np="negative", mp="_neg", taylor="_neg"),
    # x^(y-1)·x^e with e = (y - 1) - fl(y - 1), the rounding error of the
    # exponent (Knuth's TwoSum, exact): |y| < 0.5 rounds y - 1, which
    # log x ≈ 690 magnifies (3e-14 at x = 1e300, y = 1e-5); e folds to 0,
    # and x^0 to 1, wherever y is a constant with y - 1 exact (x^2, x^2.5)
    P("pow", _pow, ("y*x^(y-1)*x^((y-((y-1)-((y-1)-y)))-(((y-1)-y)+1))", "log(x)*x^y"),
      shown=("y*x^(y-1)", "log(x)*x^y"), infix="^", prec=4,
      latex="{{{0}}}^{{{1}}}", domain="x > 0, or x < 0 with integer y, or x = 0 with y ≥ 0",
      kink=_pow_kink, kink_note=_Note(SLOPE, _pow_note_at), edge=_pow_edge,
      doc="also written x**y or pow(x, y)",
      np="power", mp="_pow", taylor="_pow"),
    # elementary functions
    P("sin", math.sin, ("cos(x)",), latex="\\sin {0}",
      np="sin", mp="sin"),
    P("cos", math.cos, ("-sin(x)",), latex="\\cos {0}",
      np="cos", mp="cos"),
    P("tan", math.tan, ("1+tan(x)^2",), latex="\\tan {0}",
      np="tan", mp="tan"),
    P("sec", _sec, ("sec(x)*tan(x)",), latex="\\sec {0}", domain="cos x ≠ 0",
      np="_sec", mp="sec"),
    P("csc", _csc, ("-csc(x)*cot(x)",), latex="\\csc {0}", domain="sin x ≠ 0",
      np="_csc", mp="csc"),
    P("cot", _cot, ("-1-cot(x)^2",), latex="\\cot {0}", domain="sin x ≠ 0",
      np="_cot", mp="cot"),
    # 1/sqrt(1 - x²) as cosh(atanh x): accurate next to ±1 like (1-x)(1+x), and
    # its derivative x/(1-x²)^1.5 comes out as sinh·cosh² instead of the
    # (1-x) - (1+x) that rounds to 0 for |x| < 1e-16
    P("asin", math.asin, ("cosh(atanh(x))",), latex="\\arcsin {0}",
      domain="-1 ≤ x ≤ 1", kink=_at_unit, kink_note=SLOPE,
      np="arcsin", mp="asin"),
    P("acos", math.acos, ("-cosh(atanh(x))",), latex="\\arccos {0}",
      domain="-1 ≤ x ≤ 1", kink=_at_unit, kink_note=SLOPE,
      np="arccos", mp="acos"),
    # second: -2x/(1+x²)² as (x/v)/v, not (1/v)/v·2x, which underflows at 1e100
    P("atan", math.atan, ("1/(1+x^2)",), latex="\\arctan {0}",
      second=("-2*(x/(1+x^2))/(1+x^2)",),
      np="arctan", mp="atan"),
    P("sinh", _sinh, ("cosh(x)",), latex="\\sinh {0}",
      np="sinh", mp="sinh"),
    P("cosh", _cosh, ("sinh(x)",), latex="\\cosh {0}",
      np="cosh", mp="cosh"),
    # sech² = (1/cosh)², not 1 - tanh² (which is 0 from |x| ≈ 19 on);
    # second: -2·tanh·sech², not its derivative's sinh/cosh² (inf/inf from |x| ≈ 710)
    P("tanh", math.tanh, ("(1/cosh(x))^2",), latex="\\tanh {0}",
      second=("-2*tanh(x)*(1/cosh(x))^2",),
      np="tanh", mp="tanh"),
    P("asinh", math.asinh, ("1/hypot(1, x)",), latex="\\operatorname{{arsinh}} {0}",
      np="arcsinh", mp="asinh"),
    # not 1/sqrt((x-1)(x+1)): the product overflows from x ≈ 1.3e154
    P("acosh", math.acosh, ("1/(sqrt(x-1)*sqrt(x+1))",), latex="\\operatorname{{arcosh}} {0}",
      domain="x ≥ 1", kink=_at_one, kink_note=SLOPE,
      np="arccosh", mp="acosh"),
    P("atanh", math.atanh, ("cosh(atanh(x))^2",), latex="\\operatorname{{artanh}} {0}",
      domain="-1 < x < 1",
      np="arctanh", mp="atanh"),
    P("exp", _exp, ("exp(x)",), latex="e^{{{0}}}",
      np="exp", mp="exp"),
    P("expm1", _expm1, ("exp(x)",), latex="\\operatorname{{expm1}} {0}",
      doc="exp(x) - 1, accurate near 0",
      np="expm1", mp="expm1"),
    P("log", math.log, ("1/x",), latex="\\ln {0}", domain="x > 0", doc="natural logarithm",
      np="log", mp="log", taylor="_log"),
    # divided in turn, not by the products x·log b and b·log² b, which under-
    # or overflow (x = 1e-300) where the partials and their derivatives do not
    # second: log(x, b)·(log b + 2)/(b·log b)² as two quotients, not the
    # derivative's difference of two terms that overflow (inf - inf at b = 1e-300)
    P("logb", _logb, ("1/x/log(b)", "-log(x, b)/log(b)/b"), name="log",
      second=("-1/x/x/log(b)", "-1/x/log(b)/log(b)/b",
              "log(x, b)/log(b)/b*((log(b)+2)/log(b)/b)"),
      params=("x", "b"), latex="\\log_{{{1}}} {0}", domain="x > 0, b > 0, b ≠ 1",
      doc="logarithm of x to base b: log(x, b)",
      np="_logb", mp="_logb"),
    P("log2", math.log2, ("1/(x*log(2))",), latex="\\log_2 {0}", domain="x > 0",
      np="log2", mp="_log2"),
    P("log10", math.log10, ("1/(x*log(10))",), latex="\\log_{{10}} {0}", domain="x > 0",
      np="log10", mp="log10"),
    P("log1p", math.log1p, ("1/(1+x)",), latex="\\operatorname{{log1p}} {0}",
      domain="x > -1", doc="log(1 + x), accurate near 0",
      np="log1p", mp="log1p"),
    # abs: at x = -0 (sqrt(-x) at 0) the one-sided slope is +inf, not 1/-0
    P("sqrt", math.sqrt, ("1/(2*abs(sqrt(x)))",), latex="\\sqrt{{{0}}}", domain="x ≥ 0",
      kink=_at_zero, kink_note=SLOPE,
      np="sqrt", mp="sqrt", taylor="_sqrt"),
    P("cbrt", getattr(math, "cbrt", _cbrt), ("1/(3*cbrt(x)^2)",), latex="\\sqrt[3]{{{0}}}",
      kink=_at_zero, kink_note=SLOPE,
      np="cbrt", mp="_cbrt"),
    P("abs", abs, ("sign(x)",), latex="\\left|{0}\\right|", kink=_at_zero,
      kink_note="corner: adcli uses the derivative 0",
      np="abs", mp="fabs"),
    P("sign", _sign, ("0",), latex="\\operatorname{{sign}} {0}", kink=_at_zero,
      kink_note="jump: adcli uses the derivative 0",
      np="sign", mp="sign"),
    P("erf", math.erf, ("2/sqrt(pi)*exp(-x^2)",), latex="\\operatorname{{erf}} {0}",
      np="_erf", mp="erf"),
    P("erfc", math.erfc, ("-2/sqrt(pi)*exp(-x^2)",), latex="\\operatorname{{erfc}} {0}",
      np="_erfc", mp="_erfc"),
    # functions of two arguments
    # x/(x²+y²) as x/h/h: x² + y² over- or underflows where the partials do not;
    # second: products of two such quotients (1/h/h/h overflows at h = 1e-200),
    # and (y² − x²)/h⁴ as (y − x)(y + x), exact next to |x| = |y|
    P("atan2", math.atan2, ("x/hypot(x, y)/hypot(x, y)", "-y/hypot(x, y)/hypot(x, y)"),
      params=("y", "x"),
      second=("-2*(x/hypot(x, y)/hypot(x, y))*(y/hypot(x, y)/hypot(x, y))",
              "(y-x)/hypot(x, y)/hypot(x, y)*((y+x)/hypot(x, y)/hypot(x, y))",
              "2*(x/hypot(x, y)/hypot(x, y))*(y/hypot(x, y)/hypot(x, y))"),
      latex="\\operatorname{{atan2}}({0}, {1})", kink=_origin, kink_note=UNDEFINED,
      doc="angle of the point (x, y)",
      np="arctan2", mp="atan2"),
    # differentiating x/h gives 1/h − x²/h³, which cancels to 0 for
    # |x| ≳ 1e8·|y|: second partials written as y²/h³ = (y/h)·(y/h/h) …, and
    # Taylor mode a recurrence that splits radial and perpendicular motion
    P("hypot", math.hypot, ("x/hypot(x, y)", "y/hypot(x, y)"),
      second=("y/hypot(x, y)*(y/hypot(x, y)/hypot(x, y))",
              "-(x/hypot(x, y))*(y/hypot(x, y)/hypot(x, y))",
              "x/hypot(x, y)*(x/hypot(x, y)/hypot(x, y))"),
      latex="\\sqrt{{{0}^2 + {1}^2}}", kink=_origin, kink_note=UNDEFINED,
      np="hypot", mp="hypot", taylor="_hypot"),
    P("min", min, ("(1-sign(x-y))/2", "(1+sign(x-y))/2"),
      latex="\\min({0}, {1})", kink=_tie, kink_note=TIE,
      doc="several arguments fold left: min(a, b, c) = min(min(a, b), c)",
      np="minimum", mp="_min"),
    P("max", max, ("(1+sign(x-y))/2", "(1-sign(x-y))/2"),
      latex="\\max({0}, {1})", kink=_tie, kink_note=TIE,
      doc="several arguments fold left",
      np="maximum", mp="_max"),
]
del P

PRIMITIVES = {p.key: p for p in TABLE}

# What a user may call, by (name, number of arguments).
FUNCTIONS = {(p.name, p.arity): p for p in TABLE if p.infix is None}
FUNCTIONS[("pow", 2)] = PRIMITIVES["pow"]
VARIADIC = {"min", "max"}  # fold left over any number ≥ 2 of arguments

CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}


def function_names() -> list[str]:
    return sorted({name for name, _ in FUNCTIONS})
