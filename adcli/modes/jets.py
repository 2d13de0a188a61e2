"""Mixed partials by nested Taylor series: Taylor mode in one variable whose
coefficients are themselves truncated Taylor series (jets) in the others.

∂^{k₁+k₂}f/∂x^{k₁}∂y^{k₂} is k₁!·k₂! times the coefficient of s^{k₁}t^{k₂} of
f(x + s, y + t).  Taylor mode along x computes coefficients in s by the
table's rules and recurrences; where those coefficients are jets in t, every
rule runs unchanged (they only add, multiply, divide and call primitives) and
a primitive of a jet is its univariate Taylor expansion, by the same engine.
So each mixed partial comes from one sweep, with no sums of sweeps along
combined directions that cancel (polarization: ∂²/∂x∂y of atan2(x, 1e200)
from terms 1e100 times larger) or overflow to inf − inf.  A third variable
makes the jets' coefficients jets, and so on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..graph.tape import Tape
from ..numsys import NumberSystem
from ..primitives import PRIMITIVES
from .engine import primal


class Jet:
    """a₀ + a₁t + … + a_K t^K (mod t^{K+1}) over a number system's numbers;
    compared with a number by its whole expansion (``== 0``: all of it is 0),
    ordered by its value a₀ (what a recurrence's branches ask)."""

    __slots__ = ("c", "sys")

    def __init__(self, sys: JetSystem, c: list):
        self.sys, self.c = sys, c

    def _lift(self, other: Any) -> Jet:
        """``other`` as a jet of this level (a number: a constant jet)."""
        if isinstance(other, Jet) and other.sys is self.sys:
            return other
        return self.sys.number(other)

    def __add__(self, other):
        o = self._lift(other)
        return Jet(self.sys, [a + b for a, b in zip(self.c, o.c, strict=True)])

    __radd__ = __add__

    def __sub__(self, other):
        o = self._lift(other)
        return Jet(self.sys, [a - b for a, b in zip(self.c, o.c, strict=True)])

    def __rsub__(self, other):
        return self._lift(other) - self

    def __neg__(self):
        return Jet(self.sys, [-a for a in self.c])

    def __mul__(self, other):
        if not (isinstance(other, Jet) and other.sys is self.sys):
            other = self.sys.base_number(other)
            if not other:
                return self.sys.zero
            return Jet(self.sys, [a * other for a in self.c])
        fsum, zero = self.sys.base.fsum, self.sys.base.zero
        u, v = self.c, other.c
        # an exact 0 is an absent term: 0·inf stays 0 (a pure partial that
        # overflows must not turn the mixed ones into nan)
        return Jet(self.sys, [fsum([u[j] * v[n - j] for j in range(n + 1)
                                    if u[j] and v[n - j]] or [zero])
                              for n in range(len(u))])

    __rmul__ = __mul__

    def __truediv__(self, other):
        if not (isinstance(other, Jet) and other.sys is self.sys):
            other = self.sys.base_number(other)
            return Jet(self.sys, [a / other for a in self.c])
        u, v = self.c, other.c
        fsum, zero = self.sys.base.fsum, self.sys.base.zero
        y: list = []
        for n in range(len(u)):
            terms = [v[j] * y[n - j] for j in range(1, n + 1) if v[j] and y[n - j]]
            y.append((u[n] - fsum(terms or [zero])) / v[0])
        return Jet(self.sys, y)

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __pow__(self, other):
        if isinstance(other, int) and other >= 0:
            out = self.sys.one
            for _ in range(other):
                out = out * self
            return out
        return self.sys.call("pow", self, self._lift(other))

    def __rpow__(self, other):
        return self.sys.call("pow", self._lift(other), self)

    def __eq__(self, other):
        o = self._lift(other)
        return all(a == b for a, b in zip(self.c, o.c, strict=True))

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(tuple(self.c))

    def __bool__(self):
        return any(bool(a) for a in self.c)

    def __lt__(self, other):
        return self.c[0] < _value(other)

    def __le__(self, other):
        return self.c[0] <= _value(other)

    def __gt__(self, other):
        return self.c[0] > _value(other)

    def __ge__(self, other):
        return self.c[0] >= _value(other)

    def __abs__(self):
        return -self if self.c[0] < 0 else self

    def __float__(self):
        return float(self.c[0])

    def __int__(self):
        return int(self.c[0])

    def __repr__(self):
        return f"Jet({self.c!r})"


def _value(x: Any) -> Any:
    return x.c[0] if isinstance(x, Jet) else x


class JetSystem:
    """The numbers the Taylor engine (:class:`adcli.modes.taylor.Engine`)
    needs, as jets of order ``order`` over ``base`` (a number system or
    another JetSystem)."""

    def __init__(self, base: Any, order: int, engine: type):
        self.base, self.order = base, order
        self.engine = engine  # adcli.modes.taylor.Engine (which imports this module)
        self.exact = base.exact  # Fractions: no nan to make
        self.zero = Jet(self, [base.zero] * (order + 1))
        self.one = Jet(self, [base.one] + [base.zero] * order)
        self._namespace = {f"_f_{key}": self._primitive(key) for key in PRIMITIVES}

    def base_number(self, x: Any) -> Any:
        """A number of the coefficients' system."""
        return self.base.number(x) if isinstance(x, (int, float)) else x

    def number(self, x: Any) -> Jet:
        if isinstance(x, Jet) and x.sys is self:
            return x
        return Jet(self, [self.base_number(x)] + [self.base.zero] * self.order)

    def variable(self, x: Any, step: float = 1.0) -> Jet:
        """x + step·t."""
        c = [self.base_number(x), self.base_number(step)] + [self.base.zero] * (self.order - 1)
        return Jet(self, c[: self.order + 1])

    def rule_constant(self, value: float) -> Jet:
        return self.number(self.base.rule_constant(value))

    def fsum(self, xs: Iterable[Any]) -> Jet:
        cols: list[list] = [[] for _ in range(self.order + 1)]
        for x in xs:
            x = self.number(x)
            for col, a in zip(cols, x.c, strict=True):
                col.append(a)
        return Jet(self, [self.base.fsum(col) for col in cols])

    def log(self, x: Jet) -> Jet:
        return self.call("log", x)

    def namespace(self, safe: bool = False) -> dict:
        return dict(self._namespace)

    def call(self, key: str, *args: Jet) -> Jet:
        return self._namespace[f"_f_{key}"](*args)

    def _primitive(self, key: str):
        prim = PRIMITIVES[key]

        def of_jets(*args):
            return self.expand(prim, args)

        return of_jets

    def expand(self, prim: Any, args: Any, value: Any = None) -> Jet:
        """The primitive's Taylor expansion at the jets' values, along their
        own coefficients (raises off the domain, as the base does); ``value``:
        its value there, for a primitive the number systems cannot evaluate
        (a first partial with hand-written second partials)."""
        eng = self.engine(self.order, self.base)
        series = []
        for a in args:
            a = self.number(a)
            if not any(bool(x) for x in a.c[1:]):
                series.append(eng.const(a.c[0]))
            else:
                series.append(eng._new(list(a.c)))
        s = eng.apply(prim, series, value)
        if not s.const:
            eng.extend(s, self.order)
        return Jet(self, list(s.c[: self.order + 1]))


def at_kink(tape: Tape, vals: list) -> bool:
    """Some step of the tape sits on its primitive's kink."""
    for step in tape.steps:
        kink = step.prim.kink
        if kink is not None and kink(*[vals[a] for a in step.args]):
            return True
    return False


def nested_partial(tape: Tape, point: list, items: list[tuple[int, int]],
                   system: NumberSystem, engine: type, exponents: list[int] | None = None,
                   ) -> tuple[list, list] | None:
    """∂^m f/∂x_{i₁}^{k₁}… for every output by one Taylor sweep along x_{i₁}
    over jets in the other variables (``items``: (input index, k), two or
    more), or None where that sweep does not give finite numbers cleanly (a
    kink, a domain edge: the caller falls back to polarization).  ``engine``:
    the Taylor engine class (:class:`adcli.modes.taylor.Engine`).

    ``exponents`` (float64 only): each variable moves by 2^e·t instead of t,
    so the coefficients of t^k are 2^(e·k) times larger; the partials are
    scaled back exactly.  Without over- or underflow every sum and product
    of the sweep is scaled exactly by a power of two, so both sweeps give the
    same bits: where they differ, one of them lost digits out of range."""
    vals, warnings = primal(tape, point, system)
    if at_kink(tape, vals):
        return None
    steps = [2.0 ** e for e in exponents] if exponents else [1.0] * len(items)
    (first, k1), rest = items[0], items[1:]
    systems: list[Any] = [system]
    for _, k in reversed(rest):  # innermost (the last variable) first
        systems.append(JetSystem(systems[-1], k, engine))
    systems.reverse()  # systems[0]: the outer coefficients' system; [-1]: base
    jet_of = {i: level for level, (i, _) in enumerate(rest)}

    def lift(i: int, x: Any) -> Any:
        for level in range(len(rest) - 1, -1, -1):
            sys = systems[level]
            x = sys.variable(x, steps[level + 1]) if jet_of.get(i) == level else sys.number(x)
        return x

    eng = engine(k1, systems[0])
    series: list[Any] = [None] * tape.size
    for i in range(tape.n_inputs):
        series[i] = eng.line(lift(i, point[i]), steps[0] if i == first else 0.0)
    for slot in range(tape.n_inputs, tape.first_step):
        series[slot] = eng.const(lift(-1, vals[slot]))
    try:
        for step in tape.steps:
            s = series[step.slot] = eng.apply(step.prim, [series[a] for a in step.args])
            if not s.const:
                eng.extend(s, k1)
    except (ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
        return None
    scale = math.prod(math.factorial(k) for _, k in items)
    out = []
    for o in tape.outputs:
        c = series[o].c[k1] if len(series[o].c) > k1 else systems[0].zero
        for _, k in rest:
            c = c.c[k] if isinstance(c, Jet) else system.zero
        if exponents:  # scaled back before the factorials: c·scale may overflow
            c = math.ldexp(c, -sum(e * k for e, (_, k) in zip(exponents, items, strict=True)))
        value = c * scale
        if not system.is_finite(value):
            return None
        out.append(value)
    return out, warnings
