"""Taylor mode: truncated power series through every step of the tape.

Along a line x(t) = x + t·v every slot carries the Taylor coefficients
ω(t) = ω₀ + ω₁t + … + ω_K t^K.  Coefficient 0 is the primal value; the
derivatives along the line are dᵏω/dtᵏ = k!·ω_k.

The derivative knowledge comes from the primitives table only:

* a primitive with no ``taylor`` entry uses its own partial rules.  For
  y = f(u), y' = f'(u)·u', so with g = f'(u) expanded in the same arithmetic

      y_k = (1/k) Σ_{j=1..k} j·u_j·g_{k−j}        (and likewise for f(u, v)),

  where g is built by instantiating the rule's DAG over *series* that are
  hash-consed like the DAG itself, and extended lazily, order by order: the
  rule for exp is exp(x), which is y itself; sin needs cos(u), which needs
  −sin(u), which is y again.  Coefficient k of y needs g only up to k−1, so
  these self-references resolve.
* the few primitives whose rules would keep creating new series (``div``,
  ``pow``) and those where a direct recurrence is more accurate (``add``,
  ``sub``, ``neg``, ``mul``, ``sqrt``, ``log``) name a recurrence in the
  table's ``taylor`` field (``"_div"`` …), defined below in ``RULES``.

Each coefficient costs O(k), so a sweep to order K costs O(K²) per step (the
rare ``x^y`` with a varying exponent is O(K³)).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from operator import mul
from typing import TYPE_CHECKING, Any, cast

from ..collector import without_gc
from ..errors import AdcliError, DomainError, EvalWarning
from ..graph.dag import CONST, VAR, postorder
from ..graph.tape import Tape
from ..numsys import FLOAT64, NumberSystem, safe_fsum
from ..numsys import system as number_system
from ..numtext import plain_number
from ..primitives import PRIMITIVES, Primitive
from .engine import primal
from .jets import Jet, at_kink, nested_partial
from .messages import call_text, kink_warning
from .rules import partial_primitive, rule_graph

if TYPE_CHECKING:
    from ..numsys import NumpyArrays

# --- explicit recurrences named by the table's ``taylor`` field -------------
# Each gives coefficient n ≥ 1 of y from the arguments' coefficients (lists
# holding at least n + 1 entries) and y's own coefficients 0 … n−1.


def make_rules(fsum: Callable[[Any], Any], log: Callable[[Any], Any], zero: Any = 0.0,
               one: Any = 1.0,
               times: Callable[[Any, Any], Any] = mul) -> dict[str, Callable[..., Any]]:
    """The recurrences over a number system: ``fsum`` sums a sequence
    accurately, ``log`` is the natural log, ``zero``/``one`` its 0 and 1
    (``math.fsum``, ``math.log``, floats: :data:`RULES`; other number
    systems: :class:`Engine`), ``times`` multiplies two coefficients: the
    plain product, or where that gave nan the system's careful one, in which
    an exact zero wins over ±inf (:meth:`adcli.numsys.NumberSystem.times`)."""
    two = one + one
    cauchy = _cauchy_product(fsum, times)
    rules = _arithmetic_rules(fsum, two, cauchy, times)
    rules["_pow"] = _power_rule(fsum, log, zero, one, cauchy, rules["_log"], times)
    rules["_hypot"] = _hypot_rule(fsum, zero, two, times)
    return rules


# The sums below multiply by map(mul, …) over slices: the same products in
# the same order as a generator over j, at C speed.  Each rule is a closure
# over its number system's fsum and constants (no attribute look-up per
# coefficient).

def _cauchy_product(fsum, times):
    def _cauchy(n, u, v):
        return fsum(map(times, u[:n + 1], v[n::-1]))  # Σ_{j=0..n} u_j·v_{n−j}

    return _cauchy


def _arithmetic_rules(fsum, two, _cauchy, times):
    """+, −, negation, ×, ÷, sqrt and log."""
    def _add(n, y, u, v):
        return u[n] + v[n]

    def _sub(n, y, u, v):
        return u[n] - v[n]

    def _neg(n, y, u):
        return -u[n]

    def _mul(n, y, u, v):
        return _cauchy(n, u, v)

    def _div(n, y, u, v):
        # y·v = u  ⇒  y_n = (u_n − Σ_{j=1..n} v_j·y_{n−j}) / v_0
        return (u[n] - fsum(map(times, v[1:n + 1], y[n - 1::-1]))) / v[0]

    def _sqrt(n, y, u):
        # y² = u  ⇒  y_n = (u_n − Σ_{j=1..n−1} y_j·y_{n−j}) / (2·y_0)
        return (u[n] - fsum(map(times, y[1:n], y[n - 1:0:-1]))) / (two * y[0])

    def _log(n, y, u):
        # u·y' = u'  ⇒  y_n = (u_n − (1/n)·Σ_{j=1..n−1} j·y_j·u_{n−j}) / u_0
        jy = map(mul, range(1, n), y[1:n])  # j·y_j
        return (u[n] - fsum(map(times, jy, u[n - 1:0:-1])) / n) / u[0]

    return {"_add": _add, "_sub": _sub, "_neg": _neg, "_mul": _mul, "_div": _div,
            "_sqrt": _sqrt, "_log": _log}


def _power_rule(fsum, log, zero, one, _cauchy, _log, times):
    """u^v: by the exponent's value while it is constant, else exp(v·log u)."""
    _pow_scaled = _scaled_power(fsum, zero, one, times)

    def _log_series(n, u):
        out = [log(u[0])]
        for k in range(1, n + 1):
            out.append(_log(k, out, u))
        return out

    def _power_by_products(n, u, a):
        """Coefficient n of u^a for an integer a ≥ 0 by repeated products."""
        result = [one] + [zero] * n
        base = list(u[:n + 1])
        while a:
            if a & 1:
                result = [_cauchy(k, result, base) for k in range(n + 1)]
            a >>= 1
            if a:
                base = [_cauchy(k, base, base) for k in range(n + 1)]
        return result[n]

    def _pow(n, y, u, v):
        if not any(v[1:n + 1]):  # the exponent is constant so far
            a = v[0]
            if a == 0:
                return zero
            if a == 1:
                return u[n]
            if a == 2:
                return _cauchy(n, u, u)
            if u[0] != 0 and not _normal(y[0]):
                return _pow_scaled(n, u, a)
            if u[0] != 0:
                # u·y' = a·u'·y  ⇒  y_n = Σ_{j=1..n} (a·j − (n−j))·u_j·y_{n−j} / (n·u_0)
                s = fsum(times(times(a * j - (n - j), u[j]), y[n - j]) for j in range(1, n + 1))
                return s / (n * u[0])
            if a == int(a) and a > 0:
                return _power_by_products(n, u, int(a))
            raise ZeroDivisionError("infinite slope")
        # y = exp(w) with w = v·log(u):  y_n = (1/n)·Σ_{j=1..n} j·w_j·y_{n−j}
        if u[0] <= 0:
            raise ValueError("log of a non-positive base")
        L = _log_series(n, u)
        w = [_cauchy(k, v, L) for k in range(n + 1)]
        return fsum(times(j * w[j], y[n - j]) for j in range(1, n + 1)) / n

    return _pow


def _scaled_power(fsum, zero, one, times):
    def _pow_scaled(n, u, a):
        """Coefficient n of u^a when u_0^a under- or overflowed (x^3 at
        x = 1e-200 has a third derivative 6): the same recurrence for
        z(s) = (u(u_0·s)/u_0)^a, whose coefficients stay near 1, then
        y_n = u_0^(a−n)·z_n.  A power of u_0 that overflows is ±inf (float
        ``**`` raises), which an exact 0 coefficient of u cancels (x^3 at
        1e300: y_3 = 1)."""
        u0 = u[0]
        w = [one] + [times(u[j], _power(u0, j - 1)) for j in range(1, n + 1)]
        z = [one]
        for m in range(1, n + 1):
            z.append(fsum(times(times(a * j - (m - j), w[j]), z[m - j])
                          for j in range(1, m + 1)) / m)
        return times(_power(u0, a - n), z[n])

    def _power(x, e):
        try:
            return x ** e
        except OverflowError:  # float64: |x|^e beyond its range, the sign of x^e
            odd = e == int(e) and int(e) % 2
            return -math.inf if x < 0 and odd else math.inf

    return _pow_scaled


def _hypot_rule(fsum, zero, two, times):
    def _hypot(n, y, u, v, state):
        """hypot without the cancellation of its rule's series (x/h
        differentiated is 1/h − x²/h³: 0 for |x| ≳ 1e8·|y|).  With the unit
        vector (e_u, e_v) = (u_0, v_0)/h_0, split the motion into its radial
        part A_k = e_u·u_k + e_v·v_k and its perpendicular part
        C_k = e_u·v_k − e_v·u_k: exactly, h = (1 + A/h_0)·S with
        S = sqrt(h_0² + Q²) and Q = C/(1 + A/h_0), three series without
        a difference of near-equal terms.  Q is kept as q = Q/σ and S − h_0
        as σ²·s, σ a power of two near C_1: along x at x = 1e-30, y = 1e-200,
        C_1 = −1e-170 and C_1² underflows, yet h‴ = −3x·y²/h⁵ = 3e-280."""
        h0 = y[0]
        if not state:  # A, q, s (coefficient 0 of each), then e_u, e_v, σ
            eu, ev = u[0] / h0, v[0] / h0
            state.extend([[zero], [zero], [zero], eu, ev, _binade(eu * v[1] - ev * u[1])])
        A, q, s, eu, ev, sigma = state
        A.append(eu * u[n] + ev * v[n])
        q.append((eu * v[n] - ev * u[n]) / sigma - fsum(map(times, A[1:n], q[n - 1:0:-1])) / h0)
        s.append((fsum(map(times, q[1:n], q[n - 1:0:-1]))
                  - fsum(map(times, s[1:n], s[n - 1:0:-1])) * sigma * sigma) / (two * h0))
        # y_n = S_n + Σ_{j=1..n} A_j·S_{n−j}/h_0 with S_0 = h_0, S_k = σ²·s_k
        return A[n] + (s[n] + fsum(map(times, A[1:n], s[n - 1:0:-1])) / h0) * sigma * sigma

    return _hypot


# recurrences that keep series of their own between coefficients: called
# with one more argument, a list they fill (the series' ``state``)
STATEFUL = frozenset({"_hypot"})
RULES = make_rules(safe_fsum, math.log)
# where RULES gave nan: the same with an exact zero winning over ±inf
CAREFUL_RULES = make_rules(safe_fsum, math.log, times=FLOAT64.times)
# the same over plain math.fsum (no list, no try): _fill_both's
FAST_RULES = make_rules(math.fsum, math.log)


def elementwise_pow(rules: dict[str, Callable[..., Any]], system: NumpyArrays,
                    times: Callable[[Any, Any], Any] = mul) -> Callable[..., Any]:
    """``_pow`` over arrays (:class:`adcli.numsys.NumpyArrays`): the scalar
    rule branches on values (is the exponent constant so far, is it 0, 1 or
    2, is the base 0, does the power under- or overflow), so here every
    branch an element needs is computed and the element takes its own
    (``system.where``).  A zero base is rare and takes products or raises:
    those elements run the scalar rule itself.  Where the scalar rule raises,
    the element is nan (the sweep reports it as the scalar sweep would).
    ``times``: the products, as :func:`make_rules` takes them."""
    np, where, zero = system.np, system.where, system.zero
    cauchy = rules["_mul"]

    def _pow(n, y, u, v):
        steady = True  # the exponent constant so far, element by element
        for j in range(1, n + 1):
            steady = steady & (v[j] == 0)
        a = v[0]
        if np.ndim(a) == 0 and np.all(steady):  # the usual x^3: one branch for all
            a = float(a)
            if a == 0:
                return zero
            if a == 1:
                return u[n]
            if a == 2:
                return cauchy(n, None, u, u)
            return _array_constant_exponent(system, n, y, u, a, True, times)
        special = (a == 0) | (a == 1) | (a == 2)
        out = _array_constant_exponent(system, n, y, u, a, steady & ~special, times)
        if np.any(steady & special):
            out = where(a == 2, cauchy(n, None, u, u), out)
            out = where(a == 1, u[n], out)
            out = where(a == 0, zero, out)
        if not np.all(steady):
            out = where(steady, out, _array_varying_exponent(system, rules, n, y, u, v, times))
        return out

    return _pow


def _array_constant_exponent(system, n, y, u, a, wanted, times=mul):
    """Coefficient n of u^a, a constant exponent, where ``wanted``."""
    np, zero = system.np, system.zero
    u0, y0 = u[0], y[0]
    # u·y' = a·u'·y  ⇒  y_n = Σ_{j=1..n} (a·j − (n−j))·u_j·y_{n−j} / (n·u_0)
    out = system.fsum(times(times(a * j - (n - j), u[j]), y[n - j])
                      for j in range(1, n + 1)) / (n * u0)
    tiny = (np.abs(y0) < 2.2250738585072014e-308) | np.isinf(y0)
    scaled = wanted & tiny & (u0 != 0)
    if np.any(scaled):
        out = system.where(scaled, _array_pow_scaled(system, n, u, a, times), out)
    zero_base = wanted & (u0 == 0)
    if np.any(zero_base):
        out = _scalar_pow(system, n, y, u, [a] + [zero] * n, zero_base, out)
    return out


def _array_pow_scaled(system, n, u, a, times=mul):
    """The scalar rule's ``_pow_scaled`` (u_0^a under- or overflowed)."""
    np, fsum = system.np, system.fsum
    u0 = u[0]
    w = [system.one] + [times(u[j], u0 ** (j - 1)) for j in range(1, n + 1)]
    z = [system.one]
    for m in range(1, n + 1):
        z.append(fsum(times(times(a * j - (m - j), w[j]), z[m - j])
                      for j in range(1, m + 1)) / m)
    power = u0 ** (a - n)
    return system.where(np.isinf(power) & (z[n] == 0), system.zero, times(power, z[n]))


def _scalar_pow(system, n, y, u, v, chosen, out):
    """``out`` with the elements ``chosen`` computed by the scalar rule (nan
    where it raises)."""
    np = system.np
    shape = np.broadcast(out, chosen).shape
    out = np.array(np.broadcast_to(out, shape), dtype=np.float64)
    for i in np.flatnonzero(np.broadcast_to(chosen, shape)):
        def element(c, i=i):
            return [float(np.broadcast_to(x, shape).flat[i]) for x in c]
        try:
            args = (n, element(y[:n]), element(u[:n + 1]), element(v[:n + 1]))
            x = RULES["_pow"](*args)
            out.flat[i] = CAREFUL_RULES["_pow"](*args) if x != x else x
        except (ValueError, ZeroDivisionError, OverflowError):
            out.flat[i] = np.nan
    return out


def _array_varying_exponent(system, rules, n, y, u, v, times=mul):
    """Coefficient n of u^v as exp(v·log u); nan where u_0 ≤ 0."""
    cauchy, log = rules["_mul"], rules["_log"]
    # y = exp(w) with w = v·log(u):  y_n = (1/n)·Σ_{j=1..n} j·w_j·y_{n−j}
    L = [system.log(u[0])]
    for k in range(1, n + 1):
        L.append(log(k, L, u))
    w = [cauchy(k, None, v, L) for k in range(n + 1)]
    out = system.fsum(times(j * w[j], y[n - j]) for j in range(1, n + 1)) / n
    return system.where(u[0] > 0, out, system.np.nan)  # the scalar rule raises for u_0 ≤ 0


def _binade(x):
    """The power of two nearest below |x| where x is far below 1 (1 elsewhere,
    and for numbers that are not floats underneath)."""
    try:
        f = float(x)
    except (TypeError, ValueError, OverflowError):
        return 1.0
    if f == 0 or not math.isfinite(f) or abs(f) >= 2.0 ** -300:
        return 1.0
    return math.ldexp(1.0, math.frexp(f)[1] - 1)


def _normal(y):
    """y is a normal float64 (or any number of a system without underflow)."""
    return y != 0 and 2.2250738585072014e-308 <= abs(y) < math.inf


# --- series and the engine ---------------------------------------------------

class Series:
    """A lazily extended list of Taylor coefficients ``c``."""

    __slots__ = ("c", "prim", "args", "derivs", "const", "id", "state", "again", "jc")

    def __init__(self, c: list, prim: Primitive | None = None, args: tuple[Series, ...] = (),
                 const: bool = False, id: int = 0) -> None:
        self.c = c
        self.prim = prim
        self.args = args
        self.derivs: list | None = None  # the partial-derivative series, built on first use
        self.state: list | None = None  # a recurrence's own running series (STATEFUL)
        self.const = const
        self.id = id
        # the coefficients along the rescaled line (see sweep_rescaled)
        self.again: list | None = None
        # j·c_j, j = 0, 1, …: what a generic sum takes from an argument
        self.jc: list | None = None


_RULE_GRAPHS: dict = {}


def _scaled(a, n):
    """j·a_j for j = 0 … n (at least), kept with the series: every
    coefficient of a series that uses ``a`` multiplies them again."""
    jc = a.jc
    if jc is None:
        jc = a.jc = []
    if len(jc) <= n:
        k = len(jc)
        jc += map(mul, range(k, len(a.c)), a.c[k:])
    return jc


def _rule_graph(prim):
    entry = _RULE_GRAPHS.get(prim.key)
    if entry is None:
        entry = _RULE_GRAPHS[prim.key] = rule_graph(prim)
    return entry


_RULE_PLANS: dict = {}


def _rule_plan(prim, constant):
    """(primal node id, the rule nodes to instantiate in order, the wanted
    partials' node ids, None for an argument flagged ``constant``): the
    walk of :meth:`Engine._derivatives`, the same for every series of
    ``prim`` with those arguments constant, so found once."""
    key = (prim.key, constant)
    plan = _RULE_PLANS.get(key)
    if plan is None:
        _, primal, partials = _rule_graph(prim)
        wanted = [None if c else p for p, c in zip(partials, constant, strict=False)]
        nodes = [node for node in postorder([p for p in wanted if p is not None])
                 if node.id != primal.id]
        plan = _RULE_PLANS[key] = (primal.id, nodes,
                                   [None if p is None else p.id for p in wanted])
    return plan


class Engine:
    """Hash-consed series truncated at ``order``, in a number system (the
    class attributes are float64's; ``_in_system`` replaces them for any
    other, NumPy arrays included)."""

    rules = RULES
    careful_rules = CAREFUL_RULES
    times = staticmethod(FLOAT64.times)
    fsum = staticmethod(safe_fsum)
    zero = 0.0
    nan = math.nan
    arrays = False  # constants may be NumPy arrays (one per point): never shared by value
    at_kink: Any = None  # arrays: where the step being expanded sits on its kink
    # numbers, not jets: a nan coefficient is computed again with careful
    # products (a jet's own product already lets an exact zero win)
    scalar = True

    def __init__(self, order: int, system: NumberSystem = FLOAT64) -> None:
        self.order = order
        self.table: dict[tuple, Series] = {}
        self.count = 0
        self.system = system
        if system is not FLOAT64:
            self._in_system(system)

    def _in_system(self, system):
        self.fsum = system.fsum
        self.zero = system.zero
        if not system.exact:
            self.nan = system.number(math.nan)
        self.rules = make_rules(system.fsum, system.log, system.zero, system.one)
        times = getattr(system, "times", None)  # a jet system has none: zero wins too
        if times is None:
            self.scalar = False

            def times(a, b, zero=system.zero):
                return a * b if (a and b) or a != a or b != b else zero
        self.times = times
        self.careful_rules = make_rules(system.fsum, system.log, system.zero, system.one,
                                        times)
        if getattr(system, "elementwise", False):  # a jet system has no such flag
            self.rules["_pow"] = elementwise_pow(self.rules, system)
            self.careful_rules["_pow"] = elementwise_pow(self.careful_rules, system, times)
            self.arrays = True  # (a flag: a bound method kept on self is a cycle, and
            # every series of the table would wait for the cyclic collector)
        namespace = system.namespace()
        self.value_of = lambda prim, args: namespace[f"_f_{prim.key}"](*args)
        self.rule_constant = system.rule_constant  # 2 → mpf(2), pi → mpmath.pi

        def number(x):
            return system.number(x) if type(x) in (float, int) else x

        self.number = number

    @staticmethod
    def value_of(prim: Primitive, args: list) -> Any:
        return prim.fn(*args)

    @staticmethod
    def number(x: Any) -> Any:
        return x

    @staticmethod
    def rule_constant(x: float) -> Any:
        return x

    def release(self) -> None:
        """Break the series' cycles (exp's derivative series is exp itself;
        sin's reaches sin again through cos) so that they are freed as the
        sweep drops them: else the first collection after a sweep, which
        runs without the collector, would walk every series once more."""
        for s in self.table.values():
            s.derivs = None

    def _new(self, c, prim=None, args=(), const=False):
        self.count += 1
        return Series(c, prim, args, const, self.count)

    def const(self, value: Any) -> Series:
        ndim: int = getattr(value, "ndim", 0)
        if self.arrays and ndim:  # arrays that print alike (their repr elides
            # the middle) differ
            return self._new([value] + [self.zero] * self.order, const=True)
        key = ("const", repr(value))
        s = self.table.get(key)
        if s is None:
            value = self.number(value)
            s = self.table[key] = self._new([value] + [self.zero] * self.order, const=True)
        return s

    def line(self, value: Any, slope: Any) -> Series:
        """x + t·slope."""
        if slope == 0:
            return self.const(value)
        slope = self.number(slope)
        return self._new(([value, slope] + [self.zero] * self.order)[: self.order + 1])

    def apply(self, prim: Primitive, args: Sequence[Series], value: Any = None) -> Series:
        key = (prim.key, *[a.id for a in args])
        s = self.table.get(key)
        if s is None:
            if value is None:
                value = self.value_of(prim, [a.c[0] for a in args])
            if all([a.const for a in args]):
                s = self.const(value)
            else:
                s = self._new([value], prim, tuple(args))
            self.table[key] = s
        return s

    def extend(self, s: Series, k: int) -> None:
        """Make sure ``s`` has coefficients 0 … k."""
        c = s.c
        while len(c) <= k:
            n = len(c)
            for a in s.args:
                if len(a.c) <= n:
                    self.extend(a, n)
            rule = cast(Primitive, s.prim).taylor  # a constant series is never extended
            if rule in STATEFUL:
                if s.state is None:
                    s.state = []
                x = self.rules[rule](n, c, *[a.c for a in s.args], s.state)
            elif rule is not None:
                x = self.rules[rule](n, c, *[a.c for a in s.args])
            else:
                x = self._generic(s, n)
            if self.arrays:
                x = self._repaired(x, s, n)
            elif self.scalar and x != x:  # 0·inf somewhere: again, an exact zero winning
                x = self._repaired(x, s, n)
            c.append(x)

    def _repaired(self, x: Any, s: Series, n: int) -> Any:
        fixed = self.system.repaired(x, lambda: self._careful(s, n))
        if self.at_kink is not None:  # arrays: there the scalar sweep has stopped
            fixed = cast("NumpyArrays", self.system).where(self.at_kink, x, fixed)
        return fixed

    def _careful(self, s: Series, n: int) -> Any:
        """Coefficient n of ``s`` with an exact zero winning over ±inf in
        every product (the line x + t's t² coefficient is exactly 0, so it
        adds nothing to exp's y₂ at x = 710, where exp overflowed)."""
        rule = cast(Primitive, s.prim).taylor
        args = [a.c for a in s.args]
        if rule in STATEFUL:
            state = cast(list, s.state)
            for running in state[:3]:  # its running series, back to n − 1
                del running[n:]
            return self.careful_rules[rule](n, s.c, *args, state)
        if rule is not None:
            return self.careful_rules[rule](n, s.c, *args)
        times, terms = self.times, cast(list, [])
        for a, g in zip(s.args, cast(list, s.derivs), strict=False):
            if g is not None:
                terms += map(times, _scaled(a, n)[1:n + 1], g.c[n - 1::-1])
        return self.fsum(terms) / n

    def _generic(self, s, n):
        derivs = s.derivs
        if derivs is None:
            derivs = s.derivs = self._derivatives(s)
        terms = []
        for a, g in zip(s.args, derivs, strict=False):
            if g is None:
                continue
            if len(g.c) < n:
                self.extend(g, n - 1)
            # Σ_{j=1..n} j·u_j·g_{n−j}: the products (j·u_j)·g_{n−j} as written
            terms += map(mul, _scaled(a, n)[1:n + 1], g.c[n - 1::-1])
        return self.fsum(terms) / n

    def _derivatives(self, s):
        """The series of s's partial derivatives, from the table's rules
        instantiated over the argument series (None for constant args)."""
        prim = s.prim
        primal_id, nodes, wanted = _rule_plan(prim, tuple([a.const for a in s.args]))
        mapping = {primal_id: s}
        params = None
        for node in nodes:
            if node.op == CONST:
                mapping[node.id] = self.const(self.rule_constant(node.value))
            elif node.op == VAR:
                if params is None:
                    params = dict(zip(prim.params, s.args, strict=False))
                mapping[node.id] = params[node.name]
            else:
                mapping[node.id] = self.apply(PRIMITIVES[node.op],
                                              [mapping[a.id] for a in node.args])
        derivs = [mapping[i] if i is not None else None for i in wanted]
        expand = prim.second is not None and getattr(self.system, "expand", None)
        if expand:  # over jets: a JetSystem's
            for i, g in enumerate(derivs):
                if g is not None and not g.const:
                    g.c[0] = _first_by_second(expand, prim, i, s.args, g.c[0])
        return derivs


def _first_by_second(expand, prim, i, args, jet):
    """The jet of ``prim``'s i-th partial (its rule over jets) with its
    first-order coefficient from the table's hand-written second partials,
    as the Hessian takes it: the rule over jets forms it by differentiating
    the rule (∂/∂x of atan2's x/h/h is y² − x², cancelling next to
    |x| = |y|).  Higher coefficients stay the rule's (the derivatives of the
    written second partials cancel elsewhere: ∂/∂x of (y − x)(y + x)/h⁴)."""
    if not isinstance(jet, Jet) or len(jet.c) < 2:
        return jet
    better = expand(partial_primitive(prim, i), [a.c[0] for a in args], jet.c[0])
    return Jet(jet.sys, [jet.c[0], better.c[1]] + jet.c[2:])


@without_gc  # series and their lists: the collector would rescan them all
def sweep(tape: Tape, point: list, direction: Sequence[Any], order: int,
          system: NumberSystem = FLOAT64) -> tuple[list[list[Any]], list[EvalWarning]]:
    """Taylor coefficients 0 … order of every output along x + t·direction:
    (list of coefficient lists, one per output; warnings), in ``system`` at
    its current working precision (``point``: the input values).

    Over NumPy arrays (``system.elementwise``) each element is what the
    scalar sweep gives at that point (to rounding), except where the scalar
    sweep raises a domain error: there the failing step is nan or ±inf, as
    IEEE arithmetic has it, and so usually its outputs (not always:
    exp(log(0)) is exp(-inf) = 0)."""
    if system.elementwise:
        with cast("NumpyArrays", system).ieee():
            vals, warnings = primal(tape, [system.number(x) for x in point], system)
            return expand(tape, vals, direction, order, system, warnings), warnings
    vals, warnings = primal(tape, point, system)
    known = len(warnings)
    out = expand(tape, vals, direction, order, system, warnings)
    if system is FLOAT64 and not all(map(math.isfinite, itertools.chain.from_iterable(out))):
        out = _rescaled_where_nan(tape, vals, direction, order, out, warnings, known)
    return out, warnings


def _rescaled_where_nan(tape, vals, direction, order, out, warnings, known):
    """float64: the nan coefficients of ``out`` from a sweep along the line
    moving by a power of two near |x| per unit of t, then scaled back
    (c_k·2^(−e·k), exact but for over- and underflow).  Next to a pole two
    terms of a sum can overflow with opposite signs although their sum only
    overflows (cbrt at 1e-300: c₁² + 2·c₀·c₂ is inf − inf, its true value
    −x^(−4/3)/9 is −inf in float64); along the rescaled line each
    coefficient stays near |f|.  Not at a kink (nan is the convention
    there); a coefficient still nan stays nan, and the warnings are the
    rescaled sweep's only when it leaves none."""
    if any(w.kind == "kink" for w in warnings[known:]) or not any(
            c != c for c in itertools.chain.from_iterable(out)):
        return out
    scales = {math.frexp(vals[i])[1] - math.frexp(d)[1]
              for i, d in enumerate(direction) if d and vals[i] and math.isfinite(vals[i])}
    for e in sorted(scales, key=abs, reverse=True):
        if abs(e) <= ORDINARY_EXPONENT:
            break
        found = warnings[:known]
        try:
            again = expand(tape, vals, direction, order, FLOAT64, found, scale=e)
        except DomainError:
            continue
        out = [[b if a != a else a for a, b in zip(row, other, strict=True)]
               for row, other in zip(out, again, strict=True)]
        if not any(c != c for c in itertools.chain.from_iterable(out)):
            warnings[known:] = found[known:]
            break
    return out


def _scale_back(series: list[Series], scale: int) -> None:
    """Coefficients along direction·2^scale back to those along direction."""
    for s in {id(s): s for s in series if not s.const}.values():
        s.c[1:] = [_unscaled(c, -scale * k) for k, c in enumerate(s.c[1:], 1)]


def _unscaled(c: float, e: int) -> float:
    """c·2^e: ±inf where that overflows (math.ldexp raises)."""
    try:
        return math.ldexp(c, e)
    except OverflowError:
        return math.copysign(math.inf, c)


def expand(tape: Tape, vals: list, direction: Sequence[Any], order: int,
           system: NumberSystem = FLOAT64,
           warnings: list[EvalWarning] | None = None, scale: int = 0) -> list[list[Any]]:
    """The coefficient lists of :func:`sweep` from the primal ``vals`` (every
    slot's value); kink warnings are added to ``warnings``.  ``scale``
    (float64): along direction·2^scale, every coefficient scaled back."""
    if warnings is None:
        warnings = []
    elementwise = system.elementwise
    slopes = [system.number(d) if type(d) in (float, int) else d for d in direction]
    slopes = [math.ldexp(d, scale) for d in slopes] if scale else slopes
    floats = None if system is FLOAT64 else (lambda xs: [system.to_float(x) for x in xs])
    eng = Engine(order, system)
    series: list[Any] = [None] * tape.size
    for i in range(tape.n_inputs):
        series[i] = eng.line(vals[i], slopes[i])
    for slot in range(tape.n_inputs, tape.first_step):
        series[slot] = eng.const(vals[slot])
    for step in tape.steps:
        args = [series[a] for a in step.args]
        s = series[step.slot] = eng.apply(step.prim, args, vals[step.slot])
        if s.const:
            continue
        arg_vals = [vals[a] for a in step.args]
        kinky = False  # or where the step sits on its kink (True, or a mask)
        if step.prim.kink is not None:
            kinky = (system.at_kink(step.prim, arg_vals) if elementwise
                     else bool(step.prim.kink(*arg_vals)))
        if kinky is not False:
            example = system.example(arg_vals, kinky) if elementwise else arg_vals
            warnings.append(kink_warning(tape, step, floats(example) if floats else example))
        if elementwise and kinky is not False:
            eng.at_kink = kinky
        try:
            eng.extend(s, order)
        except (ValueError, ZeroDivisionError, OverflowError):
            if elementwise:  # arrays give nan and ±inf instead: a bug if it raises
                raise
            if kinky:  # no expansion here: the higher coefficients are nan
                s.c.extend([eng.nan] * (order + 1 - len(s.c)))
                continue
            if floats is not None:
                arg_vals = floats(arg_vals)  # for the message
            omega = tape.omega(step.slot)
            raise DomainError(
                f"{call_text(step, arg_vals)} has no Taylor expansion to order "
                f"{len(s.c)} here (at ω{omega})",
                step=omega, source=tape.program.source, span=step.node.span,
                hint=f"{step.prim.name} is defined for {step.prim.domain}",
            ) from None
        if elementwise and kinky is not False:
            eng.at_kink = None
            _cut_at_kink(s.c, kinky, system)
    if scale:
        _scale_back(series, scale)
    out = [list(series[o].c) for o in tape.outputs]
    if system is FLOAT64 and not all(map(math.isfinite, (c for row in out for c in row))):
        warnings.extend(_nonfinite_coefficient(tape, series, vals, warnings))
    eng.release()
    return out


def _cut_at_kink(c, at, system):
    """Arrays: where the step sits on its kink (the mask ``at``), the scalar
    sweep ends the expansion at the first coefficient that fails and leaves
    nan from there on; the same, element by element (a failure is a nan or
    ±inf here)."""
    np = system.np
    cut = False
    for k in range(1, len(c)):
        cut = cut | (at & ~np.isfinite(c[k]))
        if np.any(cut):
            c[k] = system.where(cut, np.nan, c[k])


@without_gc
def sweep_rescaled(tape: Tape, point: list[float], direction: Sequence[float], order: int,
                   scale: float) -> tuple[list[list[float]], list[EvalWarning], list[list[float]]]:
    """float64: :func:`sweep` along ``direction``, and the coefficients
    along scale·direction: (coefficients, warnings, rescaled coefficients).
    The rescaled ones are what ``sweep(tape, point, [scale·d for d in
    direction], order)`` gives, bit for bit: the same rules on the same
    series, whose coefficients 0 are the same.  Both lanes are computed
    together, order by order (:func:`_both_lanes`); where that meets a kink
    or anything that raises, the two sweeps run one after the other."""
    try:
        return _both_lanes(tape, point, direction, order, scale)
    except (ValueError, ZeroDivisionError, OverflowError, _Kink, _Nan):
        pass
    out, warnings = sweep(tape, point, direction, order)
    again, _ = sweep(tape, point, [d * scale for d in direction], order)
    return out, warnings, again


class _Kink(Exception):
    """A step at a kink: its expansion is cut short, which sweep() handles."""


class _Nan(Exception):
    """A nan coefficient (0·inf in a plain product, or nan indeed): sweep()'s
    rules recompute it with an exact zero winning, or say where it is."""


def _both_lanes(tape, point, direction, order, scale):
    vals, warnings = primal(tape, point)
    eng = Engine(order)
    series: list[Any] = [None] * tape.size
    for i, d in enumerate(direction):
        series[i] = eng.line(vals[i], float(d))
        if not series[i].const:
            series[i].again = eng.line(vals[i], float(d * scale)).c
    for slot in range(tape.n_inputs, tape.first_step):
        series[slot] = eng.const(vals[slot])
    roots = []
    for step in tape.steps:
        s = series[step.slot] = eng.apply(step.prim, [series[a] for a in step.args],
                                          vals[step.slot])
        if not s.const:
            if step.prim.kink is not None and step.prim.kink(*[vals[a] for a in step.args]):
                raise _Kink
            roots.append(s)
    need = _needs(eng, roots, order)
    for s in eng.table.values():
        s.again = s.c if s.const else [s.c[0]]
    _fill_both(need, order)
    out = [list(series[o].c) for o in tape.outputs]
    again = [list(series[o].again) for o in tape.outputs]
    if not all(map(math.isfinite, itertools.chain.from_iterable(out))):
        if any(c != c for row in out + again for c in row):
            eng.release()
            raise _Nan
        warnings.extend(_nonfinite_coefficient(tape, series, vals, warnings))
    eng.release()
    return out, warnings, again


def _needs(eng, roots, order):
    """{series: the last coefficient it needs} for ``roots`` to ``order``:
    an argument as many as its user, a partial-derivative series one fewer
    (y_n takes g_0 … g_{n−1}), as the lazy :meth:`Engine.extend` would
    ask; the derivative series are made here."""
    need = {}
    stack = [(s, order) for s in roots]
    while stack:
        s, k = stack.pop()
        if s.const or len(s.c) > k or need.get(s, 0) >= k:
            continue
        need[s] = k
        for a in s.args:
            stack.append((a, k))
        if s.prim.taylor is None:
            if s.derivs is None:
                s.derivs = eng._derivatives(s)
            for g in s.derivs:
                if g is not None:
                    stack.append((g, k - 1))
    return need


def _fill_both(need, order):
    """Coefficients 1 … need of every series in both lanes (``c`` and
    ``again``), order by order and within an order by creation: a series
    is made after its arguments, and its partials' series are needed one
    order lower, so everything a coefficient uses is there.  The same rule
    calls, sums and products as :meth:`Engine.extend`, summed by math.fsum,
    which raises where :func:`safe_fsum` would give ±inf or nan: then
    :func:`sweep_rescaled` runs the two sweeps instead (rare: a coefficient
    that overflows), and the common case pays no wrapper.  Each series'
    work is a flat tuple of one of the kinds below (no unpacking of nested
    arguments per coefficient), and negation, sum and difference, the
    commonest recurrences after the generic sums, are written out here
    (the same operation as the rule, without its call)."""
    steps = _both_lanes_plan(need)
    fsum = math.fsum
    for n in range(1, order + 1):
        for k, kind, c, again, p, q, r, s, scaled in steps:
            if k < n:
                continue
            if kind is _ONE:  # Engine._generic's sum over one argument
                c.append(fsum(map(mul, p[1:n + 1], q[n - 1::-1])) / n)
                again.append(fsum(map(mul, r[1:n + 1], s[n - 1::-1])) / n)
            elif kind is _NEG:
                c.append(-p[n])
                again.append(-q[n])
            elif kind is _RULE:
                c.append(p(n, c, *q))
                again.append(p(n, again, *r))
            elif kind is _ADD:
                c.append(p[n] + q[n])
                again.append(r[n] + s[n])
            elif kind is _SUB:
                c.append(p[n] - q[n])
                again.append(r[n] - s[n])
            else:  # _SUM: Engine._generic's sum over several arguments
                terms = []
                for jc, g in p:
                    terms += map(mul, jc[1:n + 1], g[n - 1::-1])
                c.append(fsum(terms) / n)
                terms = []
                for jc, g in q:
                    terms += map(mul, jc[1:n + 1], g[n - 1::-1])
                again.append(fsum(terms) / n)
            if scaled is not None:
                scaled[0].append(n * c[n])
                scaled[1].append(n * again[n])


# the kinds of work in a two-lane plan (compared by identity)
_ONE, _NEG, _RULE, _ADD, _SUB, _SUM = "one", "neg", "rule", "add", "sub", "sum"
_INLINE = {"_neg": _NEG, "_add": _ADD, "_sub": _SUB}


def _both_lanes_plan(need):
    """Per series, in creation order: (last coefficient needed, kind, c,
    again, four operands, then the lists of j·c_j and j·again_j to extend
    when a user's generic sum takes them).  The operands by kind: _ONE the
    j·u_j and partial's coefficients of each lane; _NEG the argument's two
    lanes, _ADD and _SUB both arguments' (u, v, u again, v again); _RULE
    the rule and each lane's arguments; _SUM each lane's (j·u_j, partial)
    pairs."""
    scaled = {}  # series -> (j·c_j, j·again_j), the factors generic sums take

    def factors(a):
        got = scaled.get(a)
        if got is None:
            got = scaled[a] = (list(map(mul, range(len(a.c)), a.c)),
                               list(map(mul, range(len(a.again)), a.again)))
        return got

    plan = []
    for s in sorted(need, key=lambda s: s.id):
        rule = s.prim.taylor
        if rule is not None:
            args = s.args
            kind = _INLINE.get(rule)
            if kind is _NEG:
                work = (kind, args[0].c, args[0].again, None, None)
            elif kind is not None:
                work = (kind, args[0].c, args[1].c, args[0].again, args[1].again)
            else:
                # math.fsum's rules: where one raises, sweep_rescaled runs the sweeps
                first, second = [a.c for a in args], [a.again for a in args]
                if rule in STATEFUL:  # each lane its own running series
                    s.state = []
                    first.append(s.state)
                    second.append([])
                work = (_RULE, FAST_RULES[rule], first, second, None)
        else:
            pairs = [(factors(a), g) for a, g in zip(s.args, s.derivs, strict=False)
                     if g is not None]
            if len(pairs) == 1:
                (f, g), = pairs
                work = (_ONE, f[0], g.c, f[1], g.again)
            else:
                work = (_SUM, [(f[0], g.c) for f, g in pairs],
                        [(f[1], g.again) for f, g in pairs], None, None)
        plan.append((s, need[s], work))
    # which series keep j·c_j is known only once the whole plan is made
    return [(k, kind, s.c, s.again, p, q, r, t, scaled.get(s))
            for s, k, (kind, p, q, r, t) in plan]


def _nonfinite_coefficient(tape, series, vals, warnings):
    """Name the first step whose Taylor coefficient came out ±inf or nan,
    unless a warning already speaks of that step."""
    for step in tape.steps:
        c = series[step.slot].c
        k = next((k for k, x in enumerate(c) if not math.isfinite(x)), None)
        if k is None:
            continue
        omega = tape.omega(step.slot)
        if any(w.step == omega for w in warnings):
            return []
        what = "overflows to" if c[k] == c[k] else "is"
        args = [vals[a] for a in step.args]
        return [EvalWarning("overflow" if c[k] == c[k] else "nan", omega,
                            f"Taylor coefficient {k} of {call_text(step, args)} at ω{omega} "
                            f"{what} {plain_number(c[k])}")]
    return []


@without_gc
def mixed_partial(tape: Tape, point: list, counts: dict[int, int],
                  system: NumberSystem = FLOAT64) -> tuple[list, list[EvalWarning], int]:
    """∂^m f / ∂x_{i1}^{k1}…∂x_{ip}^{kp} for every output, where ``counts``
    maps input index → multiplicity k_i and m = Σ k_i; returns (partials,
    warnings, number of Taylor sweeps).

    With two or more variables, one sweep over nested Taylor series
    (:func:`_nested`); where that meets a kink or a non-finite number,
    polarization.  Along a direction s the m-th Taylor coefficient is the homogeneous
    polynomial T(s) = Σ_{|i|=m} ∂^i f / i! · s^i.  The mixed difference Δ^k
    with unit steps, started anywhere (at a), annihilates every monomial of
    degree m except s^k, which it maps to k!, so

        ∂^k f = Σ_{0 ≤ l ≤ k} (−1)^{|k−l|} · C(k, l) · T(a + l)

    exactly, in exact arithmetic.  adcli starts at a = −k/2 (the nodes are
    centred, so |T| and the cancellation stay small), and since
    T(−s) = (−1)^m·T(s) each pair of opposite nodes shares one sweep: about
    Π(k_i + 1)/2 Taylor sweeps of order m (one sweep, m!·T(e_i), when a
    single variable is involved).  In ``system`` (see
    :func:`sweep`)."""
    items = sorted(counts.items())
    if len(items) <= 1 or sum(k for _, k in items) == 0:
        return _pure_partial(tape, point, items, system)
    nested = _nested(tape, point, items, system)
    if system is FLOAT64:
        nested = _in_range(tape, point, items, nested)
    if nested is not None:
        return nested[0], nested[1], 1
    return _polarization(tape, point, items, system)


def _pure_partial(tape, point, items, system):
    """Order 0 (the values), or one variable: m!·c_m of one Taylor sweep."""
    m = sum(k for _, k in items)
    if m == 0:
        vals, warnings = primal(tape, point, system)
        return [vals[o] for o in tape.outputs], warnings, 0
    (i, k), = items
    seed = [1.0 if j == i else 0.0 for j in range(tape.n_inputs)]
    coefs, warnings = sweep(tape, point, seed, m, system)
    return [c[m] * math.factorial(m) for c in coefs], warnings, 1


def _polarization(tape, point, items, system):
    """The mixed difference of Taylor coefficients over centred nodes
    (see :func:`mixed_partial`)."""
    m = sum(k for _, k in items)
    cache = {}  # canonical node → m-th coefficients of every output
    terms: list[list] = [[] for _ in tape.outputs]
    warnings = []
    for l in itertools.product(*[range(k + 1) for _, k in items]):
        node = tuple(li - k / 2 for (_, k), li in zip(items, l, strict=True))
        if not any(node):
            continue  # T(0) = 0 for m ≥ 1
        sign = 1  # ints: a Fraction stays exact
        first = next(x for x in node if x)
        if first < 0:  # T(−s) = (−1)^m T(s)
            node = tuple(-x for x in node)
            sign = -1 if m % 2 else 1
        if node not in cache:
            cache[node] = _coefficient_along(tape, point, items, node, m, system, warnings)
        weight = (-1) ** (m - sum(l))
        for (_, k), li in zip(items, l, strict=True):
            weight *= math.comb(k, li)
        for out, c in zip(terms, cache[node], strict=True):
            out.append(weight * sign * c)
    return [system.fsum(t) for t in terms], warnings, len(cache)


def _coefficient_along(tape, point, items, node, m, system, warnings):
    """The m-th Taylor coefficients of every output along ``node`` (its
    entries on the variables of ``items``); new warnings join ``warnings``."""
    seed = [0.0] * tape.n_inputs
    for (i, _), x in zip(items, node, strict=True):
        seed[i] = x
    coefs, w = sweep(tape, point, seed, m, system)
    for x in w:
        if x not in warnings:
            warnings.append(x)
    return [c[m] for c in coefs]


def _nested(tape, point, items, system, exponents=None):
    """Mixed partials by one sweep over nested Taylor series
    (:mod:`adcli.modes.jets`), or None where that sweep meets a kink, a
    domain edge or a non-finite number: then polarization, which warns."""
    try:
        return nested_partial(tape, point, items, system, Engine, exponents)
    except (ArithmeticError, ValueError, TypeError):
        return None


ORDINARY_EXPONENT = 30  # |x| within 2^±30: scaling by |x| changes nothing much


def _in_range(tape, point, items, nested):
    """The float64 nested sweep, checked where it can leave float64's range
    although the mixed partial does not: its jets hold the pure partials
    too (∂²/∂b² of 1/log b at b = 1e200 is 1e-406, which the mixed partial
    of log(x, b) at x = 1e-300 multiplies by 1e300).  At a variable far from
    1 the sweep runs again with each variable moving by a power of two near
    its own size: without over- or underflow both give the same bits.
    Where they differ, or the sweep is not finite off a kink, the partials
    are recomputed with mpmath and rounded once to float64 (a warning where
    the result itself is beyond float64's range)."""
    exponents = [math.frexp(point[i])[1] if point[i] else 0 for i, _ in items]
    if nested is not None and all(abs(e) <= ORDINARY_EXPONENT for e in exponents):
        return nested
    if nested is None and at_kink(tape, primal(tape, point)[0]):
        return None  # polarization, with the kink's warning
    if nested is not None:
        again = _nested(tape, point, items, FLOAT64, exponents)
        if again is not None and all(a == b or abs(a - b) <= 4e-16 * abs(a)
                                     for a, b in zip(nested[0], again[0], strict=True)):
            return nested
    return _nested_precisely(tape, point, items)


def _nested_precisely(tape, point, items):
    """The nested sweep in mpmath, confirmed to 17 digits and rounded to
    float64 (None where it fails too: polarization)."""
    mp = number_system(digits=17)
    exact_point = [mp.number(x) for x in point]

    def compute():
        got = _nested(tape, exact_point, items, mp)
        if got is None:
            raise ArithmeticError
        return got[0]

    try:
        numbers, _ = mp.converge(compute, len(tape.steps))
    except (ArithmeticError, AdcliError):
        return None
    out, warnings = [], list(primal(tape, point)[1])
    for x in numbers:
        f = mp.to_float(x)
        if x and not _normal(f):
            warnings.append(EvalWarning(
                "overflow" if abs(f) > 1 else "underflow", None,
                f"the mixed partial is {mp.format(x, 6)}, beyond float64's range: "
                f"adcli prints {f!r}; `digits` N computes it", params=("digits",)))
        out.append(f)
    return out, warnings
