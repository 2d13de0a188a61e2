"""The rows of :class:`adcli.modes.hessian.SecondOrder` built a primitive
at a time: the same compiled second-order rules on the same arguments (so
the same numbers, bit for bit), but one ``map`` per group of steps instead
of a Python call sequence per step, which dominates a 100,000-variable tape."""

from __future__ import annotations

from ..collector import without_gc
from ..graph.tape import Tape
from ..modes.engine import linearize
from ..modes.hessian import SecondOrder, kink_partials, second_rule, step_constants, widened
from ..modes.messages import kink_warning, nonfinite_warnings
from ..modes.sweeps import _can_kink, primal


class _Group:
    """The steps of one primitive with one mask of active (non-constant)
    arguments: their indices, slots and argument slots, kept with the tape."""

    __slots__ = ("prim", "mask", "fixed", "ks", "slots", "argcols")

    def __init__(self, prim, mask, fixed):
        self.prim, self.mask, self.fixed = prim, mask, fixed  # fixed: see second_rule
        self.ks, self.slots = [], []
        self.argcols = [[] for _ in mask]


def _groups(tape: Tape) -> list[_Group]:
    return tape.cached(_group_steps)


def _group_steps(tape: Tape) -> list[_Group]:
    n, first = tape.n_inputs, tape.first_step
    by_key: dict[tuple, _Group] = {}
    get = by_key.get
    folded = step_constants(tape)
    for k, step in enumerate(tape.steps):
        args = step.args
        a = args[0]
        on_a = a < n or a >= first
        if len(args) == 2:
            b = args[1]
            on_b = b < n or b >= first
            if not (on_a or on_b):
                continue
            key: tuple = (step.prim, on_a, on_b, folded[k])
            g = get(key)
            if g is None:
                g = by_key[key] = _Group(step.prim, (on_a, on_b), folded[k])
            g.argcols[0].append(a)
            g.argcols[1].append(b)
        elif on_a:
            key = (step.prim, True, folded[k])
            g = get(key)
            if g is None:
                g = by_key[key] = _Group(step.prim, (True,), folded[k])
            g.argcols[0].append(a)
        else:
            continue
        g.ks.append(k)
        g.slots.append(step.slot)
    return list(by_key.values())


class _RuleFailed(Exception):
    pass


@without_gc
def second_order(tape: Tape, point: list) -> SecondOrder:
    """A :class:`SecondOrder` (values, first and second partials of every step
    with an active argument) at ``point``, as ``SecondOrder(tape, point)``."""
    vals, _ = primal(tape, point)
    groups = _groups(tape)
    warnings = _kinks(tape, groups, vals)
    warnings.extend(nonfinite_warnings(tape, vals, [vals[o] for o in tape.outputs]))
    try:
        return _rows(tape, groups, vals, warnings, raise_on_failure=True)
    except _RuleFailed:
        # A rule failed somewhere: let the first-order linearization decide, as
        # for the dense Hessian, between a domain error and a kink's warning.
        lin = linearize(tape, point)
        return _rows(tape, groups, lin.values, lin.warnings, raise_on_failure=False)


def _kinks(tape, groups, vals):
    """A warning per step sitting on its primitive's kink (screened in bulk
    by the values where the predicate can fire, as the first-order sweeps do)."""
    out = []
    steps = tape.steps
    for g in groups:
        kink = g.prim.kink
        if kink is None or (g.fixed is not None and not _can_kink(kink, g.fixed)):
            continue  # x^2 cannot sit on pow's kink
        where = getattr(kink, "first_arg_values", None)
        first = g.argcols[0]
        for pos, k in enumerate(g.ks):
            x = vals[first[pos]]
            if where is not None and x not in where:
                continue
            args = [vals[a] for a in steps[k].args]
            if kink(*args):
                out.append((k, kink_warning(tape, steps[k], args)))
    out.sort(key=lambda kw: kw[0])
    return [w for _, w in out]


def _rows(tape, groups, vals, warnings, raise_on_failure):
    steps = tape.steps
    kinky = {w.step for w in warnings if w.kind == "kink"}
    rows = [None] * len(steps)
    linear = [None] * len(steps)
    for g in groups:
        prim, mask, ks = g.prim, g.mask, g.ks
        fn, consts, lin_step = second_rule(prim, mask, fixed=g.fixed)
        if fn is None:
            results = [consts] * len(ks)
        else:
            cols = [[vals[a] for a in col] for col in g.argcols]
            try:
                results = list(map(fn, *cols))
            except (ValueError, ZeroDivisionError, OverflowError):
                if raise_on_failure:
                    raise _RuleFailed from None
                results = [_careful(fn, g, [c[j] for c in cols]) for j in range(len(ks))]
            total = sum(map(sum, results))
            if total - total != 0:  # ±inf or nan: an overflow, perhaps an intermediate one
                results = [_widened(g, res, [c[j] for c in cols])
                           for j, res in enumerate(results)]
        if kinky:  # the convention at a kink, as the dense Hessian's
            results = [kink_partials(prim, mask, [vals[a] for a in steps[k].args])
                       if tape.omega(steps[k].slot) in kinky else res
                       for k, res in zip(ks, results)]
        if len(mask) == 2 and mask[0] and mask[1]:
            for k, s, a, b, res in zip(ks, g.slots, g.argcols[0], g.argcols[1], results):
                rows[k] = (s, a, b, *res)
        else:
            act = g.argcols[mask.index(True)]
            for k, s, a, (p, h) in zip(ks, g.slots, act, results):
                rows[k] = (s, a, -1, p, 0.0, h, 0.0, 0.0)
        for k in ks:
            linear[k] = lin_step
    so = SecondOrder.__new__(SecondOrder)
    so.tape, so.values, so.warnings = tape, vals, warnings
    so.rows = [r for r in rows if r is not None]
    so.linear = [x for x in linear if x is not None]
    so.number, so.zero = float, 0.0
    return so


def _widened(g, res, argv):
    """``res``, or where it is ±inf or nan, the dense Hessian's repair
    (:func:`adcli.modes.hessian.widened`: the rules without float64's
    exponent range), where that applies."""
    total = sum(res)
    if total - total == 0:
        return res
    return widened(g.prim, g.mask, argv) or res


def _careful(fn, g, argv):
    try:
        return fn(*argv)
    except (ValueError, ZeroDivisionError, OverflowError):
        return second_rule(g.prim, g.mask, safe=True, fixed=g.fixed)[0](*argv)
