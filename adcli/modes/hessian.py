"""Second order: Hessian-vector products by forward-over-reverse.

The second partial derivatives of a primitive are derived, not typed:
the table's partial rules are DAGs over primitives, so :func:`diff`
differentiates them again symbolically with the same table (the chain rule
over the rule's DAG, hash-consed into the rule's own graph), and the rule
compiler turns value, partials and second partials into one fused function
per primitive.  (Five entries give their own, ``Primitive.second``, where
the derived ones would cancel or overflow: atan, tanh, log(x, b), atan2,
hypot.)  ``sin``: partial ``cos(x)``, second partial ``-sin(x)``,
which is the primal node again, so it is computed once.

A Hessian-vector product H·v is the tangent, in direction v, of the adjoint
sweep: one tangent sweep gives ω̇ for every slot, then one backward sweep
carries ω̄ (the gradient's adjoints, shared by every v) and its tangent:

    ā̇ += ȳ̇·∂y/∂a + ȳ·(∂²y/∂a² · ȧ + ∂²y/∂a∂b · ḃ)

The dense Hessian is one such product per input (column), symmetrised as
(Hᵢⱼ + Hⱼᵢ)/2 so it is symmetric bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple

from ..collector import without_gc
from ..errors import DomainError, EvalWarning
from ..graph.dag import CONST, VAR, Graph, Node, postorder
from ..graph.tape import Tape
from ..language.parser import parse
from ..numsys import FLOAT64, RATIONAL_NAMES, UNBOUNDED, MPDigits, NotRational, NumberSystem
from ..numtext import plain_number
from ..primitives import PRIMITIVES, Primitive
from .engine import linearize
from .messages import call_text
from .rules import _IEEE_NS as _IEEE
from .rules import compile_rule, raises, rule_graph
from .sweeps import _fold_recurring_constants

_RULES: dict = {}


def _instantiate(graph, prim, args, rules=None):
    """Prim's partial rules (or ``rules``) as nodes of ``graph`` over the nodes ``args``."""
    env = dict(zip(prim.params, args, strict=False))
    return [parse(rule, graph=graph, env=env, allow_free=False).outputs[0]
            for rule in (prim.partials if rules is None else rules)]


def _is(node, value):
    return node is not None and node.op == CONST and node.value == value


def _mul(graph, a, b):
    if a is None or b is None or _is(a, 0.0) or _is(b, 0.0):
        return None
    if _is(a, 1.0):
        return b
    if _is(b, 1.0):
        return a
    return graph.apply("mul", (a, b))


def _add(graph, a, b):
    if a is None:
        return b
    if b is None:
        return a
    return graph.apply("add", (a, b))


def diff(graph: Graph, root: Node, var: Node, shown: bool = False) -> Node | None:
    """d root / d var as a node of ``graph`` (None when it is zero); ``shown``:
    by the rules as shown (the math's)."""
    d: dict[int, Node | None] = {}
    for node in postorder([root]):
        if node is var:
            d[node.id] = graph.const(1.0)
        elif node.op in (CONST, VAR):
            d[node.id] = None
        else:
            prim = PRIMITIVES[node.op]
            total = None
            rules = None
            for i, a in enumerate(node.args):
                if d[a.id] is None:
                    continue
                if rules is None:
                    rules = _instantiate(graph, prim, node.args,
                                         prim.shown if shown else None)
                total = _add(graph, total, _mul(graph, rules[i], d[a.id]))
            d[node.id] = total
    return d[root.id]


def second_partials(prim: Primitive, active: tuple[bool, ...],
                    shown: bool = False) -> tuple[Graph, dict[tuple[int, int], Node]]:
    """(graph, params, {(i, j): node}) for i ≤ j over active arguments
    (``shown``: differentiating the rules as shown, as at a kink)."""
    graph, _, partials = rule_graph(prim, shown)
    params = [graph.var(p) for p in prim.params]
    act = [i for i, on in enumerate(active) if on]
    written = None
    if prim.second is not None:  # the table's own second partials, (0, 0), (0, 1), (1, 1)
        pairs = [(i, j) for i in range(prim.arity) for j in range(i, prim.arity)]
        written = dict(zip(pairs, _instantiate(graph, prim, params, prim.second), strict=True))
    out = {}
    for n, i in enumerate(act):
        for j in act[n:]:
            node = written[(i, j)] if written else diff(graph, partials[i], params[j], shown)
            out[(i, j)] = node if node is not None else graph.const(0.0)
    return graph, out


class SecondRule(NamedTuple):
    """A primitive's compiled second-order rule for one pattern of active
    arguments (see :func:`second_rule`)."""

    fn: Callable | None  # (*args) -> (first partials…, second partials…), or None
    constants: tuple | None  # those partials when they are all numbers (fn is None)
    linear: bool  # every second partial is 0


# Per step, in forward order:
#     (slot, a, b or -1, ∂/∂a, ∂/∂b, ∂²/∂a², ∂²/∂a∂b, ∂²/∂b²)
# A plain tuple on purpose, as the float sweeps' rows: CPython 3.11 unpacks
# only exact tuples on its fast path, and NamedTuple rows measured ~20 %
# slower in the sweeps (python -m bench --only kernel).
HessianRow = tuple


class HessianParts(NamedTuple):
    value: Any
    gradient: list  # over the ``wrt`` inputs
    hessian: list[list]  # symmetric, rows and columns over the ``wrt`` inputs
    warnings: list[EvalWarning]


class HessianVectorParts(NamedTuple):
    value: Any
    gradient: list  # over the ``wrt`` inputs
    product: list  # H·v over the ``wrt`` inputs
    warnings: list[EvalWarning]


_CACHE: dict[tuple, SecondRule] = {}


def second_rule(prim: Primitive, active: tuple[bool, ...], system: NumberSystem = FLOAT64,
                safe: bool = False, fixed: tuple | None = None,
                shown: bool = False) -> SecondRule:
    """``(fn, constants, linear)`` for a step of ``prim`` with these active
    arguments: ``fn(*args) -> (∂/∂aᵢ for active i…, ∂²/∂aᵢ∂aⱼ for active
    i ≤ j…)`` in ``system``, compiled by the one rule compiler from the
    table's rules and their derivatives.  In float64, when every one of those
    is a number (``+``, ``-``, …) ``fn`` is None and ``constants`` holds
    them.  ``linear`` says all second partials are 0.  ``safe``: the never
    raising variant, where an exact zero wins over ±inf in a product.
    ``fixed`` (float64): per argument, a constant folded into the rules, or
    None, as :func:`adcli.modes.rules.bulk_partials` folds them for first
    order: ``x^2``'s rules become ``2*x`` and ``2`` instead of pow's general
    rules evaluated with y = 2 at every step; ``fn`` still takes every argument.
    ``shown``: from the rules as shown (the math's), as every sweep computes
    a kink (see :func:`kink_partials`)."""
    if fixed is not None and (not system.folds_constants or all(f is None for f in fixed)):
        fixed = None
    key = (system.name, prim.key, active, safe, fixed, shown)
    entry = _CACHE.get(key)
    if entry is None:
        _, results = _second_results(prim, active, fixed, shown)
        seconds = results[sum(active):]
        linear = all(n.op == CONST and n.value == 0 for n in seconds)
        if system.folds_constants and all(n.op == CONST for n in results):
            entry = SecondRule(None, tuple(n.value for n in results), linear)
        else:
            fn = compile_rule(system, f"hess_{prim.key}", prim.params, results, safe=safe,
                              careful_mul=safe)
            entry = SecondRule(fn, None, linear)
        _CACHE[key] = entry
    return entry


def _second_results(prim: Primitive, active: tuple[bool, ...], fixed: tuple | None,
                    shown: bool = False) -> tuple[Graph, list[Node]]:
    """(graph, the nodes of a step's first partials (active arguments) then
    its second partials (active pairs i ≤ j)), with ``fixed`` folded in."""
    graph, nodes = second_partials(prim, active, shown)
    # the first partials, parsed into the same graph (shared work is hash-consed)
    firsts = _instantiate(graph, prim, [graph.var(p) for p in prim.params],
                          prim.shown if shown else None)
    results = [firsts[i] for i, on in enumerate(active) if on] + list(nodes.values())
    return (graph, results) if fixed is None else _with_constants(results, prim.params, fixed)


def _with_constants(results: list[Node], params: Sequence[str],
                    fixed: tuple) -> tuple[Graph, list[Node]]:
    """``results`` rebuilt in a new graph with ``params[j]`` set to the number
    ``fixed[j]`` (where not None), and simplified: constants fold, x^1 is x,
    x^0 and 1·x and x + 0 are what they are, and 0·x is 0 as the careful
    product makes it (an exact zero wins: pow's d/dx of x^2 carries
    0·x^(-1), which is 0 at x = 0, not nan)."""
    graph = Graph()
    new: dict[int, Node] = {}
    for node in postorder(results):
        if node.op == VAR:
            c = fixed[list(params).index(node.name)]
            new[node.id] = graph.var(node.name) if c is None else graph.const(c)
        elif node.op == CONST:
            new[node.id] = graph.const(node.value)
        else:
            new[node.id] = _simplified(graph, node.op, [new[a.id] for a in node.args])
    return graph, [new[r.id] for r in results]


def _simplified(graph: Graph, op: str, args: list[Node]) -> Node:
    known = [a.value if a.op == CONST else None for a in args]
    if None not in known:
        if raises(op, known):  # computed, and raising, at run time (see raises)
            return graph.apply(op, tuple(args))
        return graph.const(_IEEE[f"_f_{op}"](*known))
    if op == "mul" and 0.0 in known:
        return graph.const(0.0)
    if op in ("mul", "add") and (1.0 if op == "mul" else 0.0) in known:
        return args[1] if known[1] is None else args[0]
    if op == "sub" and known[1] == 0.0:
        return args[0]
    if op == "pow" and known[1] == 1.0:
        return args[0]
    if op == "pow" and known[1] == 0.0:
        return graph.const(1.0)
    return graph.apply(op, tuple(args))


def step_constants(tape: Tape) -> list[tuple | None]:
    """Per step of the tape: its constant arguments to fold into its second
    rule (see :func:`second_rule`), chosen as the first-order sweeps choose
    them (the constants many steps share), or None.  One choice per tape,
    so the dense and the sparse Hessian compile the same rules."""
    return tape.cached(_step_constants)


def _step_constants(tape: Tape) -> list[tuple | None]:
    # only a step with one constant argument and one active one has a rule
    # to fold (a step of constants alone has no active argument)
    n, first, consts = tape.n_inputs, tape.first_step, tape.consts
    groups: dict[tuple, list[int]] = {}
    for k, step in enumerate(tape.steps):
        args = step.args
        if len(args) != 2:
            continue
        a, b = args
        if n <= a < first:
            if n <= b < first:
                continue
            key = (step.prim.key, (False, True), (_foldable(consts[a - n]), None))
        elif n <= b < first:
            key = (step.prim.key, (True, False), (None, _foldable(consts[b - n])))
        else:
            continue
        group = groups.get(key)
        if group is None:
            groups[key] = [k]
        else:
            group.append(k)
    out: list[tuple | None] = [None] * len(tape.steps)
    for (_, _, fixed), ks in _fold_recurring_constants(groups).items():
        if any(f is not None for f in fixed):
            for k in ks:
                out[k] = fixed
    return out


def kink_partials(prim: Primitive, active: tuple[bool, ...], argv: list,
                  system: NumberSystem = FLOAT64) -> tuple:
    """A step's first then second partials (as :func:`second_rule`'s) at a
    kink: the IEEE values of the rules as shown, differentiated, nan read as
    0; the first-order sweeps take the same convention (adcli.modes.rules),
    so the Hessian's gradient is grad's, in every number system."""
    rule = second_rule(prim, active, system, safe=True, shown=True)
    if rule.fn is None:
        return tuple(rule.constants or ())
    zero = system.zero
    res = tuple(zero if x != x else x for x in rule.fn(*argv))
    if system.exact and UNBOUNDED in res:  # ±inf has no rational value
        raise ZeroDivisionError("an unbounded second partial")
    return res


def _foldable(c):
    """A float64 constant keyed safely by value (not nan, not -0.0), or None."""
    return c if type(c) is float and c == c and (c or math.copysign(1.0, c) > 0) else None


SecondStep = tuple[int, tuple[int, ...], int, int, SecondRule, Callable[[], SecondRule]]


def _second_plans(tape: Tape) -> dict[str, list[SecondStep]]:
    return {}  # filled per number system by second_plan


def second_plan(tape: Tape, system: NumberSystem) -> list[SecondStep]:
    """The tape's steps with an active argument, each as (slot, arguments,
    first active argument, second or -1, its second rule, the never raising
    variant's getter): looked up once per tape and number system, not on
    every Hessian (a 100-variable Hessian did 64,000 lookups a call)."""
    plans = tape.cached(_second_plans)
    plan = plans.get(system.name)
    if plan is None:
        plan = plans[system.name] = []
        folded = step_constants(tape) if system.folds_constants else [None] * len(tape.steps)
        for step, fixed in zip(tape.steps, folded, strict=True):
            mask = tuple(tape.is_active(a) for a in step.args)
            act = [a for a, on in zip(step.args, mask, strict=True) if on]
            if act:
                safe = partial(second_rule, step.prim, mask, system, safe=True, fixed=fixed)
                plan.append((step.slot, tuple(step.args), act[0],
                             act[1] if len(act) == 2 else -1,
                             second_rule(step.prim, mask, system, fixed=fixed), safe))
    return plan


_LANES: list = []


def _lanes() -> type:
    """NumPy arrays (one element per point) whose truth value is True: the
    sweeps below skip a product by an exact zero with ``if g:``, which must
    not skip an array (the sweeps' own zero, a float 0.0, still is)."""
    if not _LANES:
        import numpy as np

        class Lanes(np.ndarray):
            def __bool__(self) -> bool:
                return True

        _LANES.append(Lanes)
    return _LANES[0]


class SecondOrder:
    """Values, first and second partials of every step at one point, in a
    number system.

    ``rows`` (forward order): a :data:`HessianRow` per step with an active
    argument; ``linear[k]``: row k's second partials are all 0."""

    tape: Tape
    system: NumberSystem
    values: list
    warnings: list[EvalWarning]
    rows: list[HessianRow]
    linear: list[bool]
    number: Callable[[Any], Any]
    zero: Any

    def __init__(self, tape: Tape, point: list, system: NumberSystem = FLOAT64) -> None:
        lin = linearize(tape, point, system)  # values, warnings and domain errors, as grad
        self.tape = tape
        self.system = system
        self.values = vals = lin.values
        self.warnings = lin.warnings
        kinky = {w.step for w in lin.warnings if w.kind == "kink"}
        zero = system.zero
        # over arrays the caller recomputes the points at a kink one by one
        lanes = _lanes() if system.elementwise else None
        ndarray: Any = lanes.__bases__[0] if lanes is not None else None  # numpy.ndarray
        rows: list[HessianRow] = []
        linear = []
        res: Any
        for slot, args, a, b, rule, safe in second_plan(tape, system):
            linear.append(rule.linear)
            fn = rule.fn
            if fn is None:
                res = rule.constants
            elif lanes is None and kinky and tape.omega(slot) in kinky:
                # the convention at a kink (the rules as shown), as grad's
                step = tape.steps[slot - tape.first_step]
                mask = tuple(tape.is_active(k) for k in args)
                try:
                    res = kink_partials(step.prim, mask, [vals[k] for k in args], system)
                except ZeroDivisionError:
                    raise _not_twice(tape, slot, vals) from None
                except NotRational as exc:  # --exact: log(0) in x^y's rules at (0, 0)
                    raise _not_rational_twice(tape, slot, vals, exc) from None
            else:
                argv = [vals[k] for k in args]
                try:
                    res = fn(*argv)
                    if lanes is None and (total := sum(res, zero)) - total != 0:
                        # ±inf or nan (one sum): an overflow, or 0·inf where one
                        # factor overflowed (x^y's ∂²/∂x² at (10, 400))
                        res = _non_finite_rule(tape, slot, safe, argv, vals, system, res)
                except (ValueError, ZeroDivisionError, OverflowError):
                    res = _non_finite_rule(tape, slot, safe, argv, vals, system, None)
                if lanes is not None:
                    res = tuple(x.view(lanes) if type(x) is ndarray else x for x in res)
            if b >= 0:
                rows.append((slot, a, b) + tuple(res))
            else:
                rows.append((slot, a, -1, res[0], zero, res[1], zero, zero))
        self.rows = rows  # forward order
        self.linear = linear
        self.number = system.number
        self.zero = zero

    def needs_care(self) -> bool:
        """Some partial is ±inf or nan (an infinite slope at a kink, an
        overflow): then the sweeps let an exact zero win over ±inf in every
        product, as the first-order sweeps do (mul's ∂²/∂a² = 0 times the
        infinite tangent of x^0.3 at 0 is no contribution, not nan)."""
        care = self.__dict__.get("_care")
        if care is None:
            system = getattr(self, "system", FLOAT64)
            # one C-level pass: a non-finite partial makes the sum non-finite
            care = not system.elementwise and not system.is_finite(
                sum(map(sum, self.rows), self.zero))
            self._care = care
        return care

    def adjoints(self, seed: Sequence) -> list:
        adj = [self.zero] * self.tape.size
        number = self.number
        for slot, w in zip(self.tape.outputs, seed, strict=False):
            adj[slot] += number(w)
        if self.needs_care():
            return _careful_adjoints(self.rows, adj, self.zero)
        for slot, a, b, pa, pb, _, _, _ in reversed(self.rows):
            g = adj[slot]
            if g:
                adj[a] += g * pa
                if b >= 0:
                    adj[b] += g * pb
        return adj

    def tangents(self, direction: Sequence, rows: list[HessianRow] | None = None) -> list:
        zero = self.zero
        tan = [zero] * self.tape.size
        number = self.number
        for i, v in enumerate(direction):
            if v:  # a unit vector's zeros are the system's zero already
                tan[i] = number(v)
        if self.needs_care():
            return _careful_tangents(self.rows if rows is None else rows, tan, zero)
        for slot, a, b, pa, pb, _, _, _ in self.rows if rows is None else rows:
            t = pa * tan[a] if tan[a] else zero
            if b >= 0 and tan[b]:
                t += pb * tan[b]
            tan[slot] = t
        return tan

    def hvp(self, adj: list, direction: Sequence,
            rows: list[HessianRow] | None = None) -> list:
        """Tangent of the adjoints ``adj`` in ``direction``: H·v for every
        slot (the inputs' entries are the Hessian-vector product).  ``rows``
        may restrict both sweeps to the steps that can matter."""
        rows = self.rows if rows is None else rows
        tan = self.tangents(direction, rows)
        zero = self.zero
        dot = [zero] * self.tape.size
        if self.needs_care():
            return _careful_hvp(rows, adj, tan, dot, zero)
        for slot, a, b, pa, pb, haa, hab, hbb in reversed(rows):
            g = adj[slot]
            gd = dot[slot]
            ta = tan[a]
            if b < 0:
                s = gd * pa if gd else zero
                if g and ta:
                    s += g * (haa * ta)
                dot[a] += s
                continue
            tb = tan[b]
            sa = gd * pa if gd else zero
            sb = gd * pb if gd else zero
            if g and (ta or tb):
                sa += g * ((haa * ta if ta else zero) + (hab * tb if tb else zero))
                sb += g * ((hab * ta if ta else zero) + (hbb * tb if tb else zero))
            dot[a] += sa
            dot[b] += sb
        return dot

    def need_masks(self) -> list[int]:
        """need[slot]: bitset of the inputs i whose H·eᵢ needs this slot.
        Structurally, the tangents of the adjoints start only at nonlinear
        steps that depend on xᵢ and flow to their arguments, so a step is
        needed for eᵢ iff it is such a step or an ancestor of one."""
        n = self.tape.n_inputs
        dep = [0] * self.tape.size
        for i in range(n):
            dep[i] = 1 << i
        for slot, a, b, *_ in self.rows:
            dep[slot] = dep[a] | dep[b] if b >= 0 else dep[a]
        need = [0] * self.tape.size
        for (slot, a, b, *_), linear in zip(reversed(self.rows), reversed(self.linear),
                                            strict=True):
            m = need[slot] if linear else need[slot] | dep[slot]
            need[slot] = m
            if m:
                need[a] |= m
                if b >= 0:
                    need[b] |= m
        return need

    def rows_per_input(self, inputs: Iterable[int],
                       need: list[int] | None = None) -> dict[int, list[HessianRow]]:
        """For each input index i in ``inputs``: the rows the product H·eᵢ
        needs, in forward order (see :meth:`need_masks`)."""
        need = self.need_masks() if need is None else need
        wanted = 0
        for i in inputs:
            wanted |= 1 << i
        lists: dict[int, list[HessianRow]] = {i: [] for i in inputs}
        for row in self.rows:
            m = need[row[0]] & wanted
            while m:
                low = m & -m
                lists[low.bit_length() - 1].append(row)
                m ^= low
        return lists


def _non_finite_rule(tape: Tape, slot: int, safe: Callable[[], SecondRule], argv: list,
                     vals: list, system: NumberSystem, res: tuple | None) -> tuple:
    """A step's partials where its rule raised (``res`` None) or gave ±inf or
    nan: in float64 first without its exponent range (:func:`widened`: an
    intermediate overflow such as x^(y-2) in x^y's ∂²/∂x² at 1e-300 is
    gone); else, where a nan came (0·inf) or the rule raised, the careful
    variant, where an exact zero wins."""
    if system is FLOAT64:
        step = tape.steps[slot - tape.first_step]
        mask = tuple(tape.is_active(k) for k in step.args)
        wide = widened(step.prim, mask, argv)
        if wide is not None:
            return wide
    if res is not None and (total := sum(res, system.zero)) == total:
        return res  # ±inf: an overflow the careful variant would not change
    return _careful_rule(tape, slot, safe, argv, vals, system.exact)


_WIDE: list[NumberSystem] = []


def widened(prim: Primitive, mask: tuple[bool, ...], argv: list) -> tuple | None:
    """A step's float64 first then second partials (as :func:`second_rule`'s)
    where float64 met ±inf or nan at finite arguments, computed again by the
    same rules in mpmath, whose exponents have no bound, and rounded: a true
    overflow is ±inf again, an intermediate one is gone.  (x^y's ∂²/∂x² =
    y(y-1)·x^(y-2) at x = y = 1e-300 is -1e300, where x^(y-2) = 1e600 made
    it -inf; at x = y = 1e154 it is +inf, where float64's inf - inf made it
    nan.)  Negative bases and x = 0 come here only where float64 failed,
    and keep the table's rules: None where they raise in mpmath too (0 to a
    negative power), and the careful variant's convention applies."""
    if not all(map(math.isfinite, argv)):
        return None
    if not _WIDE:
        _WIDE.append(MPDigits(20))  # 31 working digits: float64 correctly rounded
    system = _WIDE[0]
    rule = second_rule(prim, mask, system)
    if rule.fn is None:
        return None
    try:
        with system.working():
            wide = rule.fn(*[system.number(a) for a in argv])
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return tuple(float(v) for v in wide)


def _careful_rule(tape: Tape, slot: int, safe: Callable[[], SecondRule], argv: list,
                  vals: list, exact: bool) -> tuple:
    """A step's partials where its rule raised: the never-raising variant
    (±inf, an exact zero winning in products).  Where even that fails (exact
    rationals have no ±inf to carry: 0 to a negative power that no zero
    absorbs), the step cannot be differentiated twice: a domain error."""
    careful: Any = safe().fn  # compiled, as the fast rule is
    try:
        res = careful(*argv)
        if exact and UNBOUNDED in res:  # ±inf has no rational value
            raise ZeroDivisionError("an unbounded second partial")
        return res
    except ZeroDivisionError:
        raise _not_twice(tape, slot, vals) from None


def _not_twice(tape: Tape, slot: int, vals: list) -> DomainError:
    step = tape.steps[slot - tape.first_step]
    omega = tape.omega(slot)
    call = call_text(step, [_as_float(vals[a]) for a in step.args])
    return DomainError(f"{call} cannot be differentiated twice here (at ω{omega}): "
                       "a second partial is unbounded", step=omega,
                       source=tape.program.source, span=step.node.span)


def _not_rational_twice(tape: Tape, slot: int, vals: list, exc: NotRational) -> NotRational:
    """--exact at a kink whose second partials are not rational: the step
    named, with its caret, as first order names it."""
    step = tape.steps[slot - tape.first_step]
    omega = tape.omega(slot)
    call = call_text(step, [_as_float(vals[a]) for a in step.args])
    return NotRational(f"exact arithmetic: the second derivative of `{call}` (ω{omega}) is "
                       f"not rational ({exc.message})", source=tape.program.source,
                       span=step.node.span, hint=f"exact arithmetic works with {RATIONAL_NAMES}; "
                                                 "`digits=N` works for any formula",
                       params=("digits",))


def _as_float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


# The sweeps of SecondOrder where a partial is ±inf or nan: every product
# is _times, where an exact zero wins (0·inf is 0, as in sweeps._careful).

def _times(a: Any, b: Any) -> Any:
    return a * b if a and b else (b - b if a else a - a)  # the zero in a's system


def _careful_adjoints(rows: list[HessianRow], adj: list, zero: Any) -> list:
    for slot, a, b, pa, pb, _, _, _ in reversed(rows):
        g = adj[slot]
        adj[a] += _times(g, pa)
        if b >= 0:
            adj[b] += _times(g, pb)
    return adj


def _careful_tangents(rows: list[HessianRow], tan: list, zero: Any) -> list:
    for slot, a, b, pa, pb, _, _, _ in rows:
        tan[slot] = _times(pa, tan[a]) + (_times(pb, tan[b]) if b >= 0 else zero)
    return tan


def _careful_hvp(rows: list[HessianRow], adj: list, tan: list, dot: list, zero: Any) -> list:
    for slot, a, b, pa, pb, haa, hab, hbb in reversed(rows):
        g, gd, ta = adj[slot], dot[slot], tan[a]
        tb = tan[b] if b >= 0 else zero
        dot[a] += _times(gd, pa) + _times(g, _times(haa, ta) + _times(hab, tb))
        if b >= 0:
            dot[b] += _times(gd, pb) + _times(g, _times(hab, ta) + _times(hbb, tb))
    return dot


@without_gc  # second-order plans and lanes per step: many objects, no cycles
def hessian(tape: Tape, point: list, output: int = 0, wrt: list[int] | None = None,
            strategy: str = "auto", system: NumberSystem = FLOAT64) -> HessianParts:
    """(value, gradient list, dense symmetric Hessian rows, warnings) of
    output ``output`` with respect to the inputs with indices ``wrt``.

    ``strategy``: "sparse" runs one H·eᵢ per input over the steps it needs
    (pure Python); "dense" carries all n directions at once as NumPy rows
    over the whole tape; "auto" picks the one with less estimated work.
    Outside float64 always "sparse"."""
    so = SecondOrder(tape, point, system)
    if system is not FLOAT64:
        strategy = "sparse"
    n = tape.n_inputs
    idx = list(range(n)) if wrt is None else list(wrt)
    seed = [1.0 if k == output else 0.0 for k in range(len(tape.outputs))]
    adj = so.adjoints(seed)
    need = so.need_masks()
    if strategy == "auto":
        wanted = sum(1 << i for i in set(idx))
        visits = sum(bin(need[row[0]] & wanted).count("1") for row in so.rows)
        strategy = "dense" if visits > 8 * len(so.rows) and _dense_ok(so, adj) else "sparse"
    # A[p][q]: (H·e_p)_q or (H·e_q)_p, which agree up to rounding; both are averaged
    if strategy == "dense":
        A = _dense_columns(so, adj, idx)
    else:
        per_input = so.rows_per_input(idx, need)
        A = []
        for i in idx:
            direction = [1.0 if j == i else 0.0 for j in range(n)]
            dot = so.hvp(adj, direction, per_input[i])
            A.append([dot[j] for j in idx])
    m = len(idx)
    H = [[0.0] * m for _ in range(m)]
    half = system.one / 2
    for r in range(m):
        Ar, Hr = A[r], H[r]
        Hr[r] = Ar[r]
        for c in range(r + 1, m):
            h = (A[c][r] + Ar[c]) * half
            if h - h != 0:  # inf or nan: the sum may have overflowed where the mean does not
                h = A[c][r] * half + Ar[c] * half
            Hr[c] = H[c][r] = h
    value = so.values[tape.outputs[output]]
    grad = [adj[i] for i in idx]
    warnings = so.warnings + second_order_warnings(so, grad + [h for row in H for h in row])
    return HessianParts(value, grad, H, warnings)


def _dense_ok(so, adj):
    """NumPy is there, and no partial is ±inf or nan (where the sparse sweeps
    take care that 0·inf never turns a zero into nan)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    isfinite = math.isfinite
    return all(isfinite(x) for row in so.rows for x in row[3:]) and all(map(isfinite, adj))


def _dense_columns(so, adj, idx):
    """All Hessian-vector products H·e_c at once: each slot carries a row of
    tangents (one per direction) and a row of tangents of its adjoint."""
    import numpy as np

    size, n = so.tape.size, len(idx)
    T = np.zeros((size, n))
    for c, i in enumerate(idx):
        T[i, c] = 1.0
    rows = so.rows
    for slot, a, b, pa, pb, _, _, _ in rows:
        T[slot] = pa * T[a] + pb * T[b] if b >= 0 else pa * T[a]
    D = np.zeros((size, n))
    for slot, a, b, pa, pb, haa, hab, hbb in reversed(rows):
        g = adj[slot]
        d = D[slot]
        ta = T[a]
        if b < 0:
            D[a] += pa * d + g * (haa * ta)
        else:
            tb = T[b]
            D[a] += pa * d + g * (haa * ta + hab * tb)
            D[b] += pb * d + g * (hab * ta + hbb * tb)
    return D[idx].tolist()


def hessian_vector(tape: Tape, point: list, direction: list, output: int = 0,
                   wrt: list[int] | None = None,
                   system: NumberSystem = FLOAT64) -> HessianVectorParts:
    """(value, gradient, H·v, warnings) for one direction v."""
    so = SecondOrder(tape, point, system)
    idx = list(range(tape.n_inputs)) if wrt is None else list(wrt)
    seed = [1.0 if k == output else 0.0 for k in range(len(tape.outputs))]
    adj = so.adjoints(seed)
    dot = so.hvp(adj, direction)
    value = so.values[tape.outputs[output]]
    grad, hv = [adj[i] for i in idx], [dot[i] for i in idx]
    return HessianVectorParts(value, grad, hv, so.warnings + second_order_warnings(so, grad + hv))


def second_order_warnings(so: SecondOrder, derivatives: Sequence) -> list[EvalWarning]:
    """A gradient or Hessian entry came out ±inf or nan (float64, ``digits``):
    name the first step whose first or second partial did, unless a warning
    already speaks of that step, as grad's :func:`derivative_warnings` does.
    An infinite one-sided limit (x^y's ∂²/∂x∂y = x^(y-1)·(1 + y·log x) at
    x = 0, y = 1) is told apart from an overflow (log's -1/x² at 1e-320)
    by the same rule in mpmath, whose exponents have no bound."""
    system: NumberSystem = getattr(so, "system", FLOAT64)
    if system.exact or system.elementwise or all(map(system.is_finite, derivatives)):
        return []
    tape = so.tape
    warned = {w.step for w in so.warnings}
    for row in so.rows:
        bad = next((j for j, p in enumerate(row[3:]) if not system.is_finite(p)), None)
        if bad is None:
            continue
        omega = tape.omega(row[0])
        if omega in warned:
            return []
        return [_partial_warning(tape, row, bad, so.values, system)]
    if so.warnings:
        return []
    return [EvalWarning("overflow", None, "a second derivative overflowed in the chain rule's "
                        "products although every local partial is finite")]


# a row's partials (see HessianRow) as (order, argument positions among the active ones)
_ROW_PARTIALS = ((1, (0,)), (1, (1,)), (2, (0, 0)), (2, (0, 1)), (2, (1, 1)))


def _partial_warning(tape: Tape, row: HessianRow, bad: int, vals: list,
                     system: NumberSystem) -> EvalWarning:
    """The warning for partial number ``bad`` of ``row`` (first ∂/∂a, ∂/∂b,
    then ∂²/∂a², ∂²/∂a∂b, ∂²/∂b²), which is ±inf or nan."""
    step = tape.steps[row[0] - tape.first_step]
    omega = tape.omega(row[0])
    argv = [vals[k] for k in step.args]
    active = [name for name, k in zip(step.prim.params, step.args, strict=True)
              if tape.is_active(k)]
    order, which = _ROW_PARTIALS[bad]
    p = system.to_float(row[3 + bad])
    call = call_text(step, [system.to_float(a) for a in argv])
    if p != p:
        kind, what = "nan", "is nan"
    elif system is FLOAT64 and _overflows(step.prim, tape, step.args, argv, bad):
        kind, what = "overflow", f"overflows to {plain_number(p)}"
    else:
        kind = "infinite"
        what = f"is {plain_number(p)} (its one-sided limit at the edge of the domain)"
    if order == 1:  # the gradient's: the words of grad's warning
        return EvalWarning(kind, omega, f"the derivative of {call} at ω{omega} {what}")
    names = [active[i] for i in which]
    wrt = f"∂{names[0]}²" if names[0] == names[1] else f"∂{names[0]}∂{names[1]}"
    return EvalWarning(kind, omega,
                       f"the second derivative ∂²/{wrt} of {call} at ω{omega} {what}")


def _overflows(prim: Primitive, tape: Tape, args: Sequence[int], argv: list, bad: int) -> bool:
    """Partial number ``bad`` of a float64 step is ±inf by an overflow of
    float64's exponent range (here, or in an argument), not a true infinity:
    a limit at the edge of the domain is ±inf (or raises) in mpmath too."""
    if not all(map(math.isfinite, argv)):
        return True
    if not _WIDE:
        _WIDE.append(MPDigits(20))
    wide = _WIDE[0]
    mask = tuple(tape.is_active(k) for k in args)
    rule = second_rule(prim, mask, wide)
    if rule.fn is None:
        return False
    try:
        with wide.working():
            res = rule.fn(*[wide.number(a) for a in argv])
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    return bool(wide.is_finite(res[bad if len(mask) == 2 and all(mask) else bad // 2]))
