"""Compile the primitives table's derivative rules into fused Python code.

For a primitive and the set of its arguments that carry derivatives, the
rules are parsed by adcli's own parser into one hash-consed DAG together
with the primitive itself, so shared work is done once (``exp``'s partial
*is* its value; ``div``'s ``x/y`` and ``1/y`` share ``y``), and turned
into a function ``lin(x, y) -> (value, ∂/∂x, ∂/∂y)``.

Two variants: ``fast`` uses Python's operators and raises on 1/0 like the
primal sweep; ``ieee`` never raises and gives IEEE results (±inf, nan), and
is used only at the rare points where the fast one failed (kinks).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from ..graph.dag import CONST, VAR, Graph, Node, postorder
from ..language.parser import parse
from ..numsys import FLOAT64, NumberSystem
from ..primitives import PRIMITIVES, Primitive

INF = math.inf
NAN = math.nan


def rule_graph(prim: Primitive, shown: bool = False) -> tuple[Graph, Node, list[Node]]:
    """(graph, primal node, [partial nodes]) for ``prim``'s rules (``shown``:
    the rules as displayed, ``prim.shown``, which read like the math where
    the computed ones are arranged for accuracy)."""
    graph = Graph()
    params = {p: graph.var(p) for p in prim.params}
    primal = graph.apply(prim.key, tuple(params[p] for p in prim.params))
    partials = [parse(rule, graph=graph, env=params, allow_free=False).outputs[0]
                for rule in (prim.shown if shown else prim.partials)]
    return graph, primal, partials


_PARTIAL_PRIMITIVES: dict[tuple[str, int], Primitive] = {}


def partial_primitive(prim: Primitive, i: int) -> Primitive:
    """The i-th partial of a primitive with hand-written second partials, as
    a primitive of its own whose partials are those (the table's order
    (0, 0), (0, 1), (1, 1)): its series (Taylor) or its symbolic derivative
    (codegen) then grows by them, as the Hessian does, instead of by
    differentiating the first partial's rule again (∂/∂x of atan2's x/h/h
    forms y² − x² by cancellation next to |x| = |y|)."""
    key = (prim.key, i)
    found = _PARTIAL_PRIMITIVES.get(key)
    if found is None:
        assert prim.second is not None, f"{prim.key} has no hand-written second partials"
        second = prim.second
        pairs = [(a, b) for a in range(prim.arity) for b in range(a, prim.arity)]
        row = tuple(second[pairs.index((min(i, j), max(i, j)))] for j in range(prim.arity))
        found = _PARTIAL_PRIMITIVES[key] = Primitive(
            f"{prim.key}'{i}", _rules_only, row, name=prim.name, params=prim.params)
    return found


def _rules_only(*args: float) -> float:
    """A partial primitive's float evaluation: there is none (its partials'
    rules are what is used)."""
    raise TypeError("a partial primitive is differentiated, never evaluated")


_FLOAT_NS = FLOAT64.namespace()
_FAST_NS = _FLOAT_NS  # float64, raising off the domain like the primal sweep
_IEEE_NS = FLOAT64.namespace(safe=True)  # float64, IEEE ±inf/nan instead


def _literal(value):
    if value != value:
        return "nan"
    if value in (INF, -INF):
        return "inf" if value > 0 else "(-inf)"
    return repr(value) if value >= 0 else f"({value!r})"


def generate(name: str, params: Sequence[str], results: Sequence[Node], fast: bool = True,
             constants: dict[str, Any] | None = None) -> str:
    """Python source of ``def name(params): return (results…)`` for DAG
    nodes ``results`` over variables named ``params``.  Every operation
    calls ``_f_<key>`` (with ``fast``: + - * / are written as operators).
    Constant subexpressions are folded at generation time, unless
    ``constants`` (a dict) is given: then each constant becomes a name
    ``_k<i>`` recorded there with its float value, so that a precise number
    system binds it exactly (``2/sqrt(pi)`` to the working precision)."""
    lines = [f"def {name}({', '.join(params)}):"]
    expr = {}
    fold = constants is None
    named: dict[str, Any] = constants if constants is not None else {}
    for node in postorder(results):
        if node.op == VAR:
            expr[node.id] = node.name
        elif node.op == CONST:
            if fold:
                expr[node.id] = _literal(node.value)
            else:
                cname = f"_k{len(named)}"
                named[cname] = node.value
                expr[node.id] = cname
        else:
            prim = PRIMITIVES[node.op]
            args = [expr[a.id] for a in node.args]
            if (fold and all(_is_number(a) for a in args)
                    and not raises(prim.key, [_number(a) for a in args])):
                value = _IEEE_NS[f"_f_{prim.key}"](*[_number(a) for a in args])
                expr[node.id] = _literal(value)
                continue
            if fast and prim.infix and prim.key != "pow":
                code = (f"-{args[0]}" if prim.arity == 1
                        else f"{args[0]} {prim.infix} {args[1]}")
            else:
                code = f"_f_{prim.key}({', '.join(args)})"
            lines.append(f"    t{node.id} = {code}")
            expr[node.id] = f"t{node.id}"
    lines.append(f"    return ({''.join(expr[r.id] + ', ' for r in results)})")
    return "\n".join(lines)


def compile_rule(system: NumberSystem, name: str, params: Sequence[str],
                 results: Sequence[Node], *, safe: bool = False,
                 careful_mul: bool = False) -> Callable[..., tuple]:
    """THE rule compiler: ``fn(*params) -> (results…)`` evaluated in ``system``
    (its primitives by name; ``safe``: the never-raising variant used at
    kinks; ``careful_mul``: an exact zero wins over ±inf in a product, as
    second-order rules need at x^1 for x = 0)."""
    constants: dict[str, float] | None = None if system.folds_constants else {}
    source = generate(name, params, results, fast=system.infix and not safe,
                      constants=constants)
    namespace = system.namespace(safe)
    if constants:
        namespace.update({k: system.rule_constant(v) for k, v in constants.items()})
    if careful_mul:
        mul, zero = namespace["_f_mul"], system.zero
        namespace["_f_mul"] = lambda a, b: zero if a == 0 or b == 0 else mul(a, b)
    exec(compile(source, f"<adcli {system.name} rule {name}>", "exec"), namespace)
    return namespace[name]


def raises(key: str, args: list) -> bool:
    """The float function of primitive ``key`` raises at these constant
    arguments (log(0), 0/0): folding it to its IEEE value (-inf, nan) would
    hide the point from the sweeps' rescue (a domain error, or an edge's
    limit with its warning), so the rule computes it, and raises, at run time."""
    try:
        PRIMITIVES[key].fn(*args)
    except (ValueError, ZeroDivisionError):
        return True
    except (OverflowError, TypeError):
        return False
    return False


def _is_number(code):
    return code in ("nan", "inf", "(-inf)") or _number(code) is not None


def _number(code):
    if code == "inf":
        return INF
    if code == "(-inf)":
        return -INF
    if code == "nan":
        return NAN
    try:
        return float(code.strip("()"))
    except ValueError:
        return None


_LIN_CACHE: dict = {}

# At a kink every sweep and number system computes a step's partials from
# the rules as the math writes them (``Primitive.shown``), IEEE-style, nan
# read as 0.  pow's computed rule splits x^(y-1) into x^(y-1)·x^e, e the
# rounding error of y - 1: at x = 0 that is ±inf·0^e, inf or nan by the sign
# of a rounding error (x^0.3 gave +inf in float64 and 0 at --digits 30,
# x^0.2 the other way round).  Accuracy does not matter at a kink; the limit does.


def linearizer(prim: Primitive, active: tuple, fast: bool = True,
               shown: bool = False) -> Callable[..., tuple]:
    """float64: ``lin(*args) -> (value, ∂/∂arg₁[, ∂/∂arg₂])``; the partial of
    an inactive (constant) argument is 0.0 and never computed, so ``x^3`` at
    x = -2 does not ask for log(-2).  ``fast=False``: never raises (kinks).
    ``shown``: the rules as the math writes them (used at kinks: see the note above)."""
    key = (prim.key, active, fast, shown)
    fn = _LIN_CACHE.get(key)
    if fn is None:
        graph, primal, partials = rule_graph(prim, shown)
        zero = graph.const(0.0)
        results = [primal] + [p if on else zero for p, on in zip(partials, active)]
        fn = compile_rule(FLOAT64, f"lin_{prim.key}", prim.params, results, safe=not fast)
        _LIN_CACHE[key] = fn
    return fn


def active_linearizer(system: NumberSystem, prim: Primitive, active: tuple,
                      safe: bool = False, shown: bool = False) -> Callable[..., tuple]:
    """``lin(*args) -> (value, *partials of the active args)`` in ``system``
    (``shown``: the rules as the math writes them, used at kinks: see the note above)."""
    # compiled code depends on the kind of system only (mpmath reads its
    # precision when called; rule constants are integers or named constants)
    key = (system.name, prim.key, active, safe, shown)
    fn = _LIN_CACHE.get(key)
    if fn is None:
        _, primal, partials = rule_graph(prim, shown)
        results = [primal] + [p for p, on in zip(partials, active) if on]
        fn = compile_rule(system, f"lin_{prim.key}", prim.params, results, safe=safe)
        _LIN_CACHE[key] = fn
    return fn


# --- partials for many steps at once -----------------------------------------
#
# After the primal sweep every argument value is known, so the partials of
# all steps of one primitive can be computed together with ``map`` over C
# functions instead of one Python call per step.  Each partial is classified
# so that the sweeps can point at a number instead of computing it:
#   ("param", j)  the j-th argument's value (mul: ∂/∂x = y)
#   ("value",)    the step's own value (exp: ∂/∂x = exp x)
#   ("const", c)  a number (add: 1; an inactive argument: 0)
#   ("rule", i)   the i-th list returned by the bulk function

_BULK_CACHE: dict = {}


def bulk_partials(prim: Primitive, active: tuple[bool, ...],
                  fixed: tuple | None = None) -> tuple[list[tuple], Any]:
    """(specs, fn): one spec per argument, and ``fn(X, Y, V)`` returning the
    lists of the ("rule", i) partials for argument lists X, Y and values V.
    ``fixed`` gives the values of constant arguments (None where active), so
    ``x^2`` folds its rule ``y*x^(y-1)`` down to ``2*x``."""
    fixed = fixed or (None,) * prim.arity
    key = (prim.key, active, fixed)
    cached = _BULK_CACHE.get(key)
    if cached is None:
        if len(_BULK_CACHE) > 4096:
            _BULK_CACHE.clear()
        cached = _BULK_CACHE[key] = _bulk(prim, active, fixed)
    return cached


def _bulk(prim, active, fixed):
    graph, primal, partials = rule_graph(prim)
    lines, expr, scalar = _bulk_code(prim, graph, primal, partials, active, fixed)
    specs, results = [], []
    for p, on in zip(partials, active):
        if not on:
            specs.append(("const", 0.0))
        elif p.id in scalar:
            specs.append(("const", scalar[p.id]))
        elif expr[p.id] in ("X", "Y"):
            specs.append(("param", "XY".index(expr[p.id])))
        elif expr[p.id] == "V":
            specs.append(("value",))
        else:
            specs.append(("rule", len(results)))
            results.append(expr[p.id])
    if not results:
        return specs, None
    lines.append(f"    return ({''.join(r + ', ' for r in results)})")
    source = "\n".join(lines)
    # C functions straight: an OverflowError sends the group step by step.
    raw = {f"_f_{p.key}": getattr(p.fn, "raw", p.fn) for p in PRIMITIVES.values()}
    namespace = dict(_FAST_NS, **raw, _map=map, _list=list, _repeat=_repeat)
    exec(compile(source, f"<adcli bulk {prim.key}>", "exec"), namespace)
    bulk = namespace["bulk"]
    body = source.split("\n", 1)[1]
    # Which of X, Y, V the code reads: the sweeps gather only those.
    bulk.uses = frozenset(name for name in "XYV" if re.search(rf"\b{name}\b", body))
    return specs, bulk


def _repeat(value):
    import itertools

    return itertools.repeat(value)


def _bulk_code(prim, graph, primal, partials, active, fixed):
    """Lines of ``def bulk(X, Y, V)`` computing the active partials with one
    ``map`` per rule node; constants fold, and x^1, x^0, 1·x simplify."""
    lines = ["def bulk(X, Y, V):"]
    expr, scalar = {primal.id: "V"}, {}
    for j, name in enumerate(prim.params):
        var = graph.var(name)
        if fixed[j] is not None:
            scalar[var.id] = fixed[j]
        else:
            expr[var.id] = "XY"[j]
    wanted = [p for p, on in zip(partials, active) if on]
    for node in postorder(wanted):
        if node.id in expr or node.id in scalar:
            continue
        if node.op == CONST:
            scalar[node.id] = node.value
            continue
        args = node.args
        if all(a.id in scalar for a in args):
            known = [scalar[a.id] for a in args]
            if raises(node.op, known):  # the group goes step by step (see raises)
                lines.append(f"    _f_{node.op}({', '.join(map(_literal, known))})")
            scalar[node.id] = _IEEE_NS[f"_f_{node.op}"](*known)
            continue
        known = [scalar.get(a.id) for a in args]
        if node.op == "pow" and known[1] == 1.0:
            expr[node.id] = expr[args[0].id]
            continue
        if node.op == "pow" and known[1] == 0.0:
            scalar[node.id] = 1.0
            continue
        if node.op == "mul" and 1.0 in known:
            other = args[1] if known[0] == 1.0 else args[0]
            expr[node.id] = expr[other.id]
            continue
        code = [expr[a.id] if a.id in expr else f"_repeat({_literal(scalar[a.id])})"
                for a in args]
        lines.append(f"    t{node.id} = _list(_map(_f_{node.op}, {', '.join(code)}))")
        expr[node.id] = f"t{node.id}"
    return lines, expr, scalar
