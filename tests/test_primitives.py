"""Every primitive's value and partial derivatives against mpmath at 50
digits: the derivative rules in the table are right to a few ulps."""

import math

import mpmath
import pytest

import adcli
from adcli.primitives import PRIMITIVES, TABLE

mp = mpmath.mp

# mpmath counterparts of the table's "_helper" names (the rest are mpmath's own).
MP_HELPERS = {
    "_add": lambda x, y: x + y, "_sub": lambda x, y: x - y, "_mul": lambda x, y: x * y,
    "_div": lambda x, y: x / y, "_neg": lambda x: -x, "_pow": lambda x, y: mp.power(x, y),
    "_logb": lambda x, b: mp.log(x) / mp.log(b), "_log2": lambda x: mp.log(x, 2),
    "_min": lambda x, y: min(x, y), "_max": lambda x, y: max(x, y),
    "_cbrt": lambda x: mp.sign(x) * mp.cbrt(abs(x)),
    "_erfc": lambda x: mp.erfc(x),
}

# In-domain sample points for each primitive, away from kinks.
POINTS = {
    1: [-2.5, -0.7, -0.3, 0.2, 0.45, 0.9, 1.7, 3.1],
    "pos": [0.2, 0.45, 0.9, 1.7, 3.1, 12.5],
    "unit": [-0.9, -0.45, -0.1, 0.3, 0.6, 0.95],
    "ge1": [1.2, 1.7, 3.1, 12.5],
    "gt-1": [-0.9, -0.3, 0.2, 1.7, 3.1],
    2: [(0.7, 1.3), (-1.2, 0.4), (2.5, -0.8), (0.3, 2.2)],
    "pow": [(0.7, 1.3), (1.2, 0.4), (2.5, -0.8), (0.3, 2.2), (1.5, 3.0)],
    "logb": [(0.7, 1.3), (1.2, 0.4), (2.5, 3.0), (12.0, 2.0)],
}
DOMAIN = {
    "log": "pos", "log2": "pos", "log10": "pos", "sqrt": "pos", "logb": "logb",
    "asin": "unit", "acos": "unit", "atanh": "unit", "acosh": "ge1", "log1p": "gt-1",
    "pow": "pow",
}


def mp_function(prim):
    name = prim.mp
    return MP_HELPERS[name] if name.startswith("_") else getattr(mp, name)


def cases():
    for prim in TABLE:
        if prim.key == "sign":
            continue  # piecewise constant: its derivative is 0, tested below
        points = POINTS[DOMAIN.get(prim.key, prim.arity)]
        for p in points:
            yield pytest.param(prim.key, p if isinstance(p, tuple) else (p,), id=f"{prim.key}{p}")


def formula(prim):
    params = ", ".join(prim.params)
    if prim.infix and prim.arity == 2:
        return f"x {prim.infix} y", ("x", "y")
    if prim.infix:
        return f"{prim.infix}x", ("x",)
    names = ("x", "y")[: prim.arity]
    return f"{prim.name}({', '.join(names)})", names if params else names


@pytest.mark.parametrize("key, args", list(cases()))
def test_value_and_partials_match_mpmath(key, args):
    prim = PRIMITIVES[key]
    src, names = formula(prim)
    point = dict(zip(names, args))
    with mp.workdps(50):
        f = mp_function(prim)
        margs = [mp.mpf(a) for a in args]
        want_value = f(*margs)
        want = [mp.diff(lambda t, i=i: f(*[t if j == i else m for j, m in enumerate(margs)]),
                        margs[i]) for i in range(len(args))]
    for mode in ("forward", "reverse"):
        r = adcli.grad(src, point, mode=mode)
        assert r.value == pytest.approx(float(want_value), rel=4e-16, abs=1e-300)
        for name, w in zip(names, want):
            got = r.gradient[name]
            assert got == pytest.approx(float(w), rel=1e-14, abs=1e-300), (mode, name)


def test_sign_has_derivative_zero_away_from_zero():
    assert adcli.grad("sign(x)", x=-2).gradient == {"x": 0.0}
    assert adcli.grad("sign(x)", x=3).gradient == {"x": 0.0}


def test_every_primitive_has_rules_backends_and_a_latex_form():
    for prim in TABLE:
        assert len(prim.partials) == prim.arity == len(prim.params)
        assert prim.np and prim.mp and prim.latex, prim.key


def test_integer_powers_of_negative_bases():
    r = adcli.grad("x^3", x=-2)
    assert (r.value, r.gradient["x"]) == (-8.0, 12.0)
    assert adcli.grad("x^-2", x=-2).gradient["x"] == pytest.approx(0.25)


def test_rules_share_work_with_the_value():
    from adcli.modes.rules import generate, rule_graph

    g, primal, partials = rule_graph(PRIMITIVES["exp"])
    assert partials[0] is primal  # exp' = exp: one call, not two
    source = generate("lin", ("x",), [primal] + partials)
    assert source.count("_f_exp") == 1
    assert math.isclose(adcli.grad("exp(x)", x=1).gradient["x"], math.e)


@pytest.mark.parametrize("key", [p.key for p in TABLE if p.second is not None])
def test_hand_written_second_partials_are_the_derivatives_of_the_first(key):
    # a primitive's ``second`` rules replace differentiating its partials in
    # the Hessian: at ordinary points both must agree
    from adcli.graph.dag import Graph
    from adcli.modes.hessian import _instantiate, diff
    from adcli.modes.rules import compile_rule
    from adcli.numsys import FLOAT64

    prim = PRIMITIVES[key]
    graph = Graph()
    params = [graph.var(p) for p in prim.params]
    firsts = _instantiate(graph, prim, params)
    pairs = [(i, j) for i in range(prim.arity) for j in range(i, prim.arity)]
    assert len(prim.second) == len(pairs)
    derived = [diff(graph, firsts[i], params[j]) for i, j in pairs]
    written = _instantiate(graph, prim, params, prim.second)
    both = compile_rule(FLOAT64, f"check_{key}", prim.params, derived + written)
    for args in POINTS[DOMAIN.get(key, prim.arity)]:
        args = args if isinstance(args, tuple) else (args,)
        out = both(*args)
        assert out[len(pairs):] == pytest.approx(out[:len(pairs)], rel=1e-13), args
