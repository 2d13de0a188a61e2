"""The sweeps over a tape.

``primal``     values only (``adcli eval``).
``linearize``  values and every step's partial derivatives, in one fused
               sweep driven by the compiled rules; the result feeds any
               number of tangent or adjoint sweeps.
``forward``    one tangent sweep per seed direction: ω̇ᵢ = Σⱼ ∂ωᵢ/∂ωⱼ · ω̇ⱼ.
``reverse``    one adjoint sweep per output seed: ω̄ⱼ += ω̄ᵢ · ∂ωᵢ/∂ωⱼ.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Collection, Sequence
from typing import Any, NamedTuple

from ..collector import without_gc
from ..errors import DomainError, EvalWarning
from ..frozen import Frozen, init
from ..graph.tape import Tape
from ..primitives import Primitive
from .messages import (
    call_text,
    domain_error,
    domain_hint,
    edge_note,
    kink_warning,
    nonfinite_warnings,
)
from .rules import bulk_partials, linearizer

_isfinite = math.isfinite


def _primal_code(tape):
    """Per step (function, arg a, arg b or -1), calling C functions directly:
    an OverflowError falls back to the table's ±inf-returning wrapper."""
    return [(getattr(s.prim.fn, "raw", s.prim.fn), s.args[0],
             s.args[1] if len(s.args) > 1 else -1) for s in tape.steps]


def _start(tape, point):
    values = [float(v) for v in point]
    if len(values) != tape.n_inputs:
        raise ValueError(f"expected {tape.n_inputs} input values, got {len(values)}")
    values.extend(tape.consts)
    return values


def _values(tape, point):
    vals = _start(tape, point)
    append = vals.append
    code = tape.cached(_primal_code)
    k = 0
    while True:
        try:
            for fn, a, b in code[k:] if k else code:
                append(fn(vals[a]) if b < 0 else fn(vals[a], vals[b]))
            return vals
        except OverflowError:
            k = len(vals) - tape.first_step
            step = tape.steps[k]
            append(step.prim.fn(*[vals[i] for i in step.args]))  # ±inf, as a result
            k += 1
        except (ValueError, ZeroDivisionError):
            raise domain_error(tape, tape.steps[len(vals) - tape.first_step], vals) from None


@without_gc
def primal(tape: Tape, point: Sequence[float]) -> tuple[list[float], list[EvalWarning]]:
    """Values of every slot, and the warnings (overflow) met on the way."""
    vals = _values(tape, point)
    return vals, nonfinite_warnings(tape, vals, [vals[o] for o in tape.outputs])


# Per step: (slot, arg a, arg b or -1, cell of ∂/∂a, cell of ∂/∂b), the
# cells indexing ``Linearization.values``.  A plain tuple on purpose: CPython
# 3.11 unpacks only exact tuples on its fast path, and NamedTuple rows made
# the gradient ~20 % slower (python -m bench --only kernel: 121 µs → 144 µs
# at n=100, 1.2 → 1.5 ms at n=1,000).
SweepRow = tuple[int, int, int, int, int]


class Linearization:
    """Values and local partials of every step at one point.

    ``values`` holds every slot's value, followed by the partials: step k's
    partial with respect to its first (second) argument is
    ``values[meta[k][3]]`` (``values[meta[k][4]]``); 0.0 for a constant
    argument.  ``partials[k]`` lists step k's partials with respect to its
    active (non-constant) arguments."""

    __slots__ = ("tape", "values", "meta", "warnings", "nonfinite")
    tape: Tape
    values: list[float]
    meta: list[SweepRow]
    warnings: list[EvalWarning]
    nonfinite: set[int]

    def __init__(self, tape: Tape, values: list[float], meta: list[SweepRow],
                 warnings: list[EvalWarning]) -> None:
        self.tape = tape
        self.values = values
        self.meta = meta
        self.warnings = warnings
        # Steps whose partials are ±inf or nan (kinks, overflow): the sweeps
        # treat them carefully so that 0·inf never turns a zero into nan.
        self.nonfinite = set()
        # (a partial may overflow silently: 1/y at y = 1e-310; sum() spots it at C speed)
        if warnings or not _isfinite(sum(values)):
            for k, (_, _, b, ia, ib) in enumerate(meta):
                if not _isfinite(values[ia]) or (b >= 0 and not _isfinite(values[ib])):
                    self.nonfinite.add(k)

    @property
    def raw(self) -> list[tuple]:
        v = self.values
        return [(None, v[ia]) if b < 0 else (None, v[ia], v[ib])
                for _, _, b, ia, ib in self.meta]

    @property
    def partials(self) -> list[tuple[float, ...]]:
        tape = self.tape
        return [tuple(r[i + 1] for i, a in enumerate(s.args) if tape.is_active(a))
                for s, r in zip(tape.steps, self.raw)]


class _Group(Frozen):
    """The steps of one primitive with one pattern of active arguments
    (part of the tape's :class:`Plan`: frozen, as the plan is)."""

    __slots__ = ("prim", "active", "fixed", "ks", "get_a", "get_b", "get_v", "fn", "n_rules")
    prim: Primitive
    active: tuple[bool, ...]  # per argument: not a constant
    fixed: tuple[Any, ...]  # per argument: the constant folded into the rules, or None
    ks: list[int]  # the steps' indices
    get_a: Callable  # values -> the steps' first arguments (or None when unused)
    get_b: Callable
    get_v: Callable  # values -> the steps' own values (a rule like exp's reuses them)
    fn: Any  # the bulk rule: (X, Y, V) -> a list of partials per rule
    n_rules: int  # how many of its partials are rules (not constants or arguments)

    def __init__(self, prim: Primitive, active: tuple[bool, ...], fixed: tuple[Any, ...],
                 ks: list[int], *, get_a: Callable, get_b: Callable, get_v: Callable,
                 fn: Any, n_rules: int) -> None:
        for name, value in (("prim", prim), ("active", active), ("fixed", fixed), ("ks", ks),
                            ("get_a", get_a), ("get_b", get_b), ("get_v", get_v), ("fn", fn),
                            ("n_rules", n_rules)):
            init(self, name, value)


def _none(_vals):
    return None


def _getter(slots):
    if len(slots) == 1:
        (s,) = slots
        return lambda v: (v[s],)
    return operator.itemgetter(*slots)


class KinkGroup(NamedTuple):
    """The steps of one primitive that may sit on a kink: its predicate, a
    getter of their first arguments (for a bulk screen), and per step
    (step index, arg a, arg b or -1)."""

    kink: Callable
    get_a: Callable
    rows: list[tuple[int, int, int]]


class Plan(NamedTuple):
    """Where every partial lives in ``Linearization.values``, per tape.
    Layout: slot values | ``consts`` | each group's lists of partials."""

    meta: list[SweepRow]
    consts: list[float]  # the cells after the slots: 0.0, 1.0, rule constants
    groups: list[_Group]  # the groups with a rule to evaluate, in cell order
    zero_cell: int  # the cell holding 0.0 (∂ w.r.t. a constant argument)
    one_cell: int  # the cell holding 1.0 (reverse adds instead of multiplying)
    kinks: list[KinkGroup]  # the groups that can hit a kink


def plan(tape: Tape) -> Plan:
    """The tape's :class:`Plan`, computed once per tape."""
    return tape.cached(_plan)


def _plan(tape: Tape) -> Plan:
    cells = _ConstantCells(tape.size)
    zero, one = cells.cell(0.0), cells.cell(1.0)
    groups = [_group(tape, key, ks, cells)
              for key, ks in _fold_recurring_constants(_steps_by_rule(tape)).items()]
    meta = _partial_cells(tape, groups, cells, zero)
    return Plan(meta, cells.values, [g for g, _ in groups if g.fn is not None], zero, one,
                _kink_groups(tape, groups))


def _steps_by_rule(tape):
    """Step indices grouped by (primitive, which arguments are active, the
    constant arguments): the steps that share one compiled bulk rule."""
    n, first, tconsts = tape.n_inputs, tape.first_step, tape.consts
    groups: dict[tuple, list[int]] = {}
    for k, s in enumerate(tape.steps):
        args = s.args
        a = args[0]
        key: tuple
        if len(args) == 1:
            key = (s.prim.key, (a < n or a >= first,),
                   (None if a < n or a >= first else tconsts[a - n],))
        else:
            b = args[1]
            on_a, on_b = a < n or a >= first, b < n or b >= first
            key = (s.prim.key, (on_a, on_b),
                   (None if on_a else tconsts[a - n], None if on_b else tconsts[b - n]))
        group = groups.get(key)
        if group is None:
            groups[key] = [k]
        else:
            group.append(k)
    return groups


class _ConstantCells:
    """The constants of the rules, each in one cell after the tape's slots."""

    def __init__(self, first_cell):
        self.first_cell = first_cell
        self.values: list[float] = []
        self.at: dict[str, int] = {}  # keyed by repr: 0.0 and -0.0 are two cells

    def cell(self, c):
        key = repr(c)
        if key not in self.at:
            self.at[key] = self.first_cell + len(self.values)
            self.values.append(c)
        return self.at[key]


def _group(tape, key, ks, cells):
    """The :class:`_Group` of the steps ``ks`` and the specs of its partials
    (a constant, a parameter, the step's value, or a compiled rule); the
    constant specs get their cells now, before any rule's cells."""
    _, active, fixed = key
    steps = tape.steps
    prim = steps[ks[0]].prim
    specs, fn = bulk_partials(prim, active, fixed)
    uses = fn.uses if fn is not None else frozenset()
    g = _Group(prim, active, fixed, ks,
               get_a=_getter([steps[k].args[0] for k in ks]) if "X" in uses else _none,
               get_b=_getter([steps[k].args[1] for k in ks]) if "Y" in uses else _none,
               get_v=_getter([steps[k].slot for k in ks]) if "V" in uses else _none,
               fn=fn, n_rules=sum(1 for sp in specs if sp[0] == "rule"))
    for sp in specs:
        if sp[0] == "const":
            cells.cell(sp[1])
    return g, specs


def _partial_cells(tape, groups, cells, zero):
    """Each step's :data:`SweepRow`: its slots and the cells of its two
    partials.  The rules' outputs follow the constants, group after group."""
    steps = tape.steps
    columns = ([zero] * len(steps), [zero] * len(steps))
    base = tape.size + len(cells.values)
    for g, specs in groups:
        ks = g.ks
        m = len(ks)
        for j, sp in enumerate(specs):
            column = columns[j]
            if sp[0] == "const":
                cell = cells.cell(sp[1])
                for k in ks:
                    column[k] = cell
            elif sp[0] == "param":
                p = sp[1]
                for k in ks:
                    column[k] = steps[k].args[p]
            elif sp[0] == "value":
                for k in ks:
                    column[k] = steps[k].slot
            else:
                start = base + sp[1] * m
                for pos, k in enumerate(ks):
                    column[k] = start + pos
        base += g.n_rules * m
    return [(s.slot, s.args[0], s.args[1] if len(s.args) > 1 else -1, ia, ib)
            for s, ia, ib in zip(steps, columns[0], columns[1])]


def _kink_groups(tape, groups):
    """The groups whose primitive may sit on a kink at these constants."""
    steps = tape.steps
    kinks = []
    for g, _ in groups:
        kink = g.prim.kink
        if kink is None or not _can_kink(kink, g.fixed):
            continue
        rows = [(k, steps[k].args[0], steps[k].args[1] if g.prim.arity == 2 else -1)
                for k in g.ks]
        kinks.append(KinkGroup(kink, _getter([a for _, a, _ in rows]), rows))
    return kinks


# A constant argument is folded into a primitive's rules (x^2: 2·x) for the
# steps that share it when they are many, or when the primitive has few such
# variants; the rest share one group that reads the constant like an
# argument, so 100,000 different c·x compile one rule, not 100,000.
_FOLD_MIN_STEPS = 32
_FOLD_FREE_VARIANTS = 8


def _fold_recurring_constants(groups):
    variants = {}
    for prim, active, fixed in groups:
        if any(f is not None for f in fixed):
            variants[prim, active] = variants.get((prim, active), 0) + 1
    merged = {}
    for (prim, active, fixed), ks in groups.items():
        if (len(ks) < _FOLD_MIN_STEPS
                and variants.get((prim, active), 0) > _FOLD_FREE_VARIANTS):
            fixed = (None,) * len(fixed)
        merged.setdefault((prim, active, fixed), []).extend(ks)
    for ks in merged.values():
        ks.sort()
    return merged


@without_gc
def linearize(tape: Tape, point: Sequence[float]) -> Linearization:
    """Values, then every step's partials: the primal sweep with C calls,
    then each primitive's partials for all its steps at once."""
    meta, consts, groups = plan(tape)[:3]
    vals = _values(tape, point)
    vals.extend(consts)
    warnings: list[EvalWarning] = []
    for g in groups:
        X = g.get_a(vals)
        Y = g.get_b(vals)
        try:
            lists = g.fn(X, Y, g.get_v(vals))
        except (ValueError, ZeroDivisionError, OverflowError):
            lists = _one_by_one(tape, g, vals, warnings)
        for cells in lists:
            vals.extend(cells)
    warnings.extend(kink_warnings(tape, vals, meta, skip={w.step for w in warnings}))
    if any(w.kind == "kink" for w in warnings):
        meta = _with_kink_partials(tape, vals, meta, warnings)
    warnings.extend(nonfinite_warnings(tape, vals, [vals[o] for o in tape.outputs]))
    return Linearization(tape, vals, meta, warnings)


def _one_by_one(tape, g, vals, warnings):
    """A bulk rule raised: redo the group step by step, so the one step
    where it happened is rescued (a kink) or reported (a domain error)."""
    specs, _ = bulk_partials(g.prim, g.active, g.fixed)
    rule_args = [j for j, sp in enumerate(specs) if sp[0] == "rule"]
    lists = [[] for _ in rule_args]
    lin = linearizer(g.prim, g.active)
    for k in g.ks:
        step = tape.steps[k]
        args = [vals[a] for a in step.args]
        try:
            res = lin(*args)
        except (ValueError, ZeroDivisionError, OverflowError):
            res = _rescue(tape, k, vals, warnings)
        for cells, j in zip(lists, rule_args):
            cells.append(res[j + 1])
    return lists


def _with_kink_partials(tape, vals, meta, warnings):
    """At a kink, the partials follow the convention of docs/numerics.md: give those
    steps fresh cells holding the IEEE-safe values of the shown rules (the
    math's, see adcli.modes.rules) with nan → 0."""
    meta = list(meta)
    kinks = {w.step for w in warnings if w.kind == "kink"}
    for k, step in enumerate(tape.steps):
        if tape.omega(step.slot) not in kinks:
            continue
        args = [vals[a] for a in step.args]
        active = tuple(tape.is_active(a) for a in step.args)
        res = linearizer(step.prim, active, fast=False, shown=True)(*args)
        slot, a, b, ia, ib = meta[k]
        ia = len(vals)
        vals.append(0.0 if res[1] != res[1] else res[1])
        if b >= 0:
            ib = len(vals)
            vals.append(0.0 if res[2] != res[2] else res[2])
        meta[k] = (slot, a, b, ia, ib)
    return meta


def _rescue(tape, k, vals, warnings):
    """Step ``k`` raised.  Either its value is off the domain (an error), or
    only a derivative rule failed: at a kink that is the documented
    convention, with a warning; anywhere else an error."""
    step = tape.steps[k]
    args = [vals[a] for a in step.args]
    try:
        step.prim.fn(*args)
    except (ValueError, ZeroDivisionError):
        raise domain_error(tape, step, vals) from None
    active = tuple(tape.is_active(a) for a in step.args)
    if step.prim.kink is not None and step.prim.kink(*args):
        warnings.append(kink_warning(tape, step, args))
        res = linearizer(step.prim, active, fast=False, shown=True)(*args)
        return res[:1] + tuple(0.0 if p != p else p for p in res[1:])
    res = linearizer(step.prim, active, fast=False)(*args)
    note = edge_note(step.prim, args)
    if note is not None:  # inside the domain: the rule's limit (see Primitive.edge)
        if note:
            warnings.append(kink_warning(tape, step, args, note))
        return res[:1] + tuple(0.0 if p != p else p for p in res[1:])
    if all(_isfinite(p) for p in res[1:]):
        return res  # an overflow inside a rule that came out finite after all
    omega = tape.omega(step.slot)
    raise DomainError(
        f"{call_text(step, args)} cannot be differentiated here (at ω{omega})",
        step=omega, source=tape.program.source, span=step.node.span,
        hint=domain_hint(step.prim),
    )


def kink_warnings(tape: Tape, vals: list[float], meta: list[SweepRow] | None = None,
                  skip: Collection[int | None] = ()) -> list[EvalWarning]:
    """Warnings for the steps sitting on a kink.  Each primitive's steps are
    first screened in bulk (``0.0 in X``) when its predicate says where it
    can fire, so a long tape of x^2 costs one scan, not a call per step."""
    out = []
    steps = tape.steps
    for kink, get_a, rows in plan(tape).kinks:
        values = getattr(kink, "first_arg_values", None)
        if values is not None:
            rows = _matching(rows, get_a(vals), values)
        for k, a, b in rows:
            if kink(vals[a]) if b < 0 else kink(vals[a], vals[b]):
                step = steps[k]
                if tape.omega(step.slot) not in skip:
                    out.append(kink_warning(tape, step, [vals[i] for i in step.args]))
    return out


def _can_kink(kink, fixed):
    """False when the constant arguments rule a kink out for every step of a
    group (x^2 is smooth at 0; x^0.5 is not)."""
    values = getattr(kink, "first_arg_values", None)
    if values is None or fixed[0] is not None or any(f is None for f in fixed[1:]):
        return True
    return any(kink(v, *fixed[1:]) for v in values)


def _matching(rows, X, values):
    """The rows whose first argument is one of ``values`` (C-level scans)."""
    X = list(X)
    found = []
    for v in values:
        i = -1
        while True:
            try:
                i = X.index(v, i + 1)
            except ValueError:
                break
            found.append(i)
    return [rows[i] for i in sorted(found)]


def _careful(p, t):
    """p·t where a zero tangent stays zero even if the partial is ±inf."""
    return p * t if t else 0.0


@without_gc
def forward(lin: Linearization, seeds: Sequence[Sequence[float]]) -> list[list[float]]:
    """One tangent sweep per seed (a list of input tangents); returns the
    tangent of every slot for each seed:  ω̇ᵢ = Σⱼ ∂ωᵢ/∂ωⱼ · ω̇ⱼ."""
    tape = lin.tape
    v = lin.values
    zeros = [0.0] * (tape.first_step - tape.n_inputs)
    out = []
    for seed in seeds:
        tan = [float(s) for s in seed] + zeros
        append = tan.append
        if lin.nonfinite:
            for _, a, b, ia, ib in lin.meta:
                t = _careful(v[ia], tan[a])
                append(t + _careful(v[ib], tan[b]) if b >= 0 else t)
        else:
            for _, a, b, ia, ib in lin.meta:
                append(v[ia] * tan[a] if b < 0 else v[ia] * tan[a] + v[ib] * tan[b])
        out.append(tan)
    return out


@without_gc
def reverse(lin: Linearization,
            output_seeds: Sequence[Sequence[float]]) -> list[list[float]]:
    """One adjoint sweep per seed (a list of output adjoints); returns the
    adjoint of every slot for each seed:  ω̄ⱼ += ω̄ᵢ · ∂ωᵢ/∂ωⱼ.  Constant slots
    collect junk nobody reads; a zero adjoint is never multiplied (0·inf)."""
    tape = lin.tape
    v = lin.values
    meta = _reversed(tape, lin.meta)
    one = plan(tape).one_cell
    out = []
    for seed in output_seeds:
        adj = [0.0] * tape.size
        for slot, w in zip(tape.outputs, seed):
            if w:
                adj[slot] += w
        for slot, a, b, ia, ib in meta:
            g = adj[slot]
            if g:
                if ia == one:  # ∂/∂a = 1: add, and sub's first argument
                    adj[a] += g
                else:
                    adj[a] += g * v[ia]
                if b >= 0:
                    adj[b] += g if ib == one else g * v[ib]
        out.append(adj)
    return out


def _reversed(tape, meta):
    """The steps in adjoint order; kept with the tape for the plan's meta,
    which most linearizations share (only a kink gives one its own)."""
    if meta is plan(tape).meta:
        return tape.cached(_reversed_plan_meta)
    return meta[::-1]


def _reversed_plan_meta(tape: Tape) -> list:
    return plan(tape).meta[::-1]
