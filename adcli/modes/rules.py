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

import math
import re

from ..graph.dag import CONST, VAR, Graph, postorder
from ..primitives import PRIMITIVES

INF = math.inf
NAN = math.nan


def rule_graph(prim):
    """(graph, primal node, [partial nodes]) for ``prim``'s rules."""
    from ..language.parser import parse

    graph = Graph()
    params = {p: graph.var(p) for p in prim.params}
    primal = graph.apply(prim.key, tuple(params[p] for p in prim.params))
    partials = [parse(rule, graph=graph, env=params, allow_free=False).outputs[0]
                for rule in prim.partials]
    return graph, primal, partials


def _ieee_value(key, args):
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


def _ieee(prim):
    fn, key = prim.fn, prim.key

    def safe(*args):
        try:
            return fn(*args)
        except (ValueError, ZeroDivisionError, OverflowError):
            return _ieee_value(key, args)

    return safe


_FAST_NS = {f"_f_{p.key}": p.fn for p in PRIMITIVES.values()}
_IEEE_NS = {f"_f_{p.key}": _ieee(p) for p in PRIMITIVES.values()}
_FAST_NS["inf"] = _IEEE_NS["inf"] = INF
_FAST_NS["nan"] = _IEEE_NS["nan"] = NAN


def _literal(value):
    if value != value:
        return "nan"
    if value in (INF, -INF):
        return "inf" if value > 0 else "(-inf)"
    return repr(value) if value >= 0 else f"({value!r})"


def generate(name, params, results, fast=True):
    """Python source of ``def name(params): return (results…)`` for DAG
    nodes ``results`` over variables named ``params``; constant
    subexpressions are folded at generation time."""
    lines = [f"def {name}({', '.join(params)}):"]
    expr = {}
    for node in postorder(results):
        if node.op == VAR:
            expr[node.id] = node.name
        elif node.op == CONST:
            expr[node.id] = _literal(node.value)
        else:
            prim = PRIMITIVES[node.op]
            args = [expr[a.id] for a in node.args]
            if all(_is_number(a) for a in args):
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


def _compile(source, name, fast):
    namespace = dict(_FAST_NS if fast else _IEEE_NS)
    exec(compile(source, f"<adcli rule {name}>", "exec"), namespace)
    return namespace[name]


_LIN_CACHE = {}
_SHAPE_CACHE = {}


def linearizer(prim, active, fast=True):
    """``lin(*args) -> (value, ∂/∂arg₁[, ∂/∂arg₂])``; the partial of an
    inactive (constant) argument is 0.0 and never computed, so ``x^3`` at
    x = -2 does not ask for log(-2)."""
    key = (prim.key, active, fast)
    fn = _LIN_CACHE.get(key)
    if fn is None:
        graph, primal, partials = rule_graph(prim)
        zero = graph.const(0.0)
        results = [primal] + [p if on else zero for p, on in zip(partials, active)]
        name = f"lin_{prim.key}"
        fn = _compile(generate(name, prim.params, results, fast), name, fast)
        _LIN_CACHE[key] = fn
    return fn


def rule_shape(prim, active):
    """How the partials depend on the arguments, so the sweeps can skip the
    rule call for the simplest rules:
    ("const", (None, c₁[, c₂]))  every partial is a number (add, sub, neg);
    ("swap", None)               ∂/∂x = y and ∂/∂y = x (mul);
    ("rule", None)               anything else: call the fused rule."""
    key = (prim.key, active)
    shape = _SHAPE_CACHE.get(key)
    if shape is None:
        _, _, partials = rule_graph(prim)
        parts = [p if on else None for p, on in zip(partials, active)]
        if all(p is None or p.op == CONST for p in parts):
            shape = ("const", (None,) + tuple(0.0 if p is None else p.value for p in parts))
        elif (len(parts) == 2 and all(p is not None and p.op == VAR for p in parts)
              and [p.name for p in parts] == [prim.params[1], prim.params[0]]):
            shape = ("swap", None)
        else:
            shape = ("rule", None)
        _SHAPE_CACHE[key] = shape
    return shape


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

_BULK_CACHE = {}


def bulk_partials(prim, active, fixed=None):
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
            scalar[node.id] = _IEEE_NS[f"_f_{node.op}"](*[scalar[a.id] for a in args])
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
