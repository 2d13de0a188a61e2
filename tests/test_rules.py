"""adcli/modes/rules.py, the rule compiler: the primitives table's derivative
rules (written in adcli's own language) parsed into one DAG per primitive
and compiled to fused Python, for any number system.

What a contributor adding a primitive relies on: the compiled partials are
the derivatives of the primitive (checked here against mpmath's numerical
differentiation at 30 digits), the float64 and the never-raising variants
agree, the bulk (``map`` over many steps) code gives the per-step numbers,
and the fast sweeps built on it agree with the generic reference sweep on
random formulas."""

import math
import random

import mpmath
import pytest

import adcli
from adcli import numsys
from adcli.modes import generic, rules, sweeps
from adcli.primitives import PRIMITIVES, TABLE

from .formulas import cases

CANDIDATES = [0.3, 0.7, 1.3, 2.5, -0.6, -1.7]


def _points(prim, count=4):
    """Points inside the domain and off every kink (as float arguments)."""
    rng = random.Random(prim.key)
    found = []
    for _ in range(200):
        args = [rng.choice(CANDIDATES) * rng.uniform(0.9, 1.1) for _ in range(prim.arity)]
        try:
            value = prim.fn(*args)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if math.isfinite(value) and not (prim.kink and prim.kink(*args)):
            found.append(args)
        if len(found) == count:
            break
    return found


@pytest.mark.parametrize("prim", TABLE, ids=lambda p: p.key)
def test_every_rule_graph_has_one_partial_per_parameter(prim):
    graph, primal, partials = rules.rule_graph(prim)
    assert primal.op == prim.key
    assert len(partials) == prim.arity == len(prim.params)


@pytest.mark.parametrize("prim", [p for p in TABLE if p.key != "sign"], ids=lambda p: p.key)
def test_the_compiled_partials_are_the_derivatives_of_the_primitive(prim):
    points = _points(prim)
    assert points, f"no point inside the domain of {prim.key}"
    lin = rules.linearizer(prim, (True,) * prim.arity)
    mp_fn = numsys.mp_function(prim)
    for args in points:
        value, *partials = lin(*args)
        assert value == pytest.approx(prim.fn(*args), rel=1e-15, abs=1e-300)
        with mpmath.workdps(30):
            for i, partial in enumerate(partials):
                want = float(mpmath.diff(_along(mp_fn, args, i), 0))
                assert partial == pytest.approx(want, rel=1e-12, abs=1e-14), (prim.key, args, i)


def _along(mp_fn, args, i):
    """t ↦ the primitive with argument i moved by t (in mpmath)."""
    def moved(t):
        return mp_fn(*[mpmath.mpf(a) + (t if j == i else 0) for j, a in enumerate(args)])
    return moved


@pytest.mark.parametrize("prim", TABLE, ids=lambda p: p.key)
def test_the_fast_and_the_never_raising_variants_agree_inside_the_domain(prim):
    active = (True,) * prim.arity
    fast, ieee = rules.linearizer(prim, active), rules.linearizer(prim, active, fast=False)
    for args in _points(prim):
        assert fast(*args) == pytest.approx(ieee(*args), rel=1e-15, abs=1e-300)


def test_an_inactive_argument_is_never_differentiated():
    # x^3 at x = -2: the exponent's partial would be log(-2)·x^3
    lin = rules.linearizer(PRIMITIVES["pow"], (True, False))
    assert lin(-2.0, 3.0) == (-8.0, 12.0, 0.0)
    with pytest.raises(ValueError):
        rules.linearizer(PRIMITIVES["pow"], (True, True))(-2.0, 3.0)
    # the never-raising variant gives IEEE's nan there instead
    assert math.isnan(rules.linearizer(PRIMITIVES["pow"], (True, True), fast=False)(-2.0, 3.0)[2])


@pytest.mark.parametrize("system", [numsys.system(digits=40), numsys.system(exact=True)],
                         ids=repr)
def test_one_compiler_for_every_number_system(system):
    """The same rule compiled for mpmath keeps its named constants to every
    digit (erf' = 2/√π·e^(−x²)); for exact rationals it stays rational."""
    if system.exact:
        lin = rules.active_linearizer(system, PRIMITIVES["div"], (True, True))
        assert lin(system.number(1), system.number(3)) == (
            system.literal("1") / 3, system.literal("1") / 3, -system.literal("1") / 9)
        return
    lin = rules.active_linearizer(system, PRIMITIVES["erf"], (True,))
    with system.working(), mpmath.workdps(60):
        x = system.literal("0.5")
        _, slope = lin(x)
        want = 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-mpmath.mpf("0.25"))
        assert abs(slope - want) < mpmath.mpf(10) ** -40


def test_generate_writes_one_function_and_folds_constants_in_float64():
    graph, primal, partials = rules.rule_graph(PRIMITIVES["log10"])
    source = rules.generate("lin_log10", ["x"], [primal] + partials)
    assert source.startswith("def lin_log10(x):")
    assert "log(10)" not in source  # folded to its float when generated
    kept = {}
    source = rules.generate("lin_log10", ["x"], [primal] + partials, constants=kept)
    assert kept and any(v == 10.0 for v in kept.values())  # named, for mpmath to read


@pytest.mark.parametrize("prim", [p for p in TABLE if p.arity == 2] +
                         [PRIMITIVES["sin"], PRIMITIVES["sqrt"], PRIMITIVES["exp"]],
                         ids=lambda p: p.key)
def test_bulk_partials_give_the_per_step_numbers(prim):
    points = _points(prim, count=6)
    for active in ([(True,)] if prim.arity == 1 else [(True, True), (True, False),
                                                       (False, True)]):
        specs, bulk = rules.bulk_partials(prim, active)
        X = [p[0] for p in points]
        Y = [p[-1] for p in points]
        V = [prim.fn(*p) for p in points]
        columns = bulk(X, Y, V) if bulk is not None else []
        for row, args in enumerate(points):
            want = rules.linearizer(prim, active)(*args)[1:]
            for spec, w in zip(specs, want, strict=True):
                kind = spec[0]
                got = (spec[1] if kind == "const" else args[spec[1]] if kind == "param"
                       else V[row] if kind == "value" else columns[spec[1]][row])
                assert got == pytest.approx(w, rel=1e-14, abs=1e-300), (
                    prim.key, active, spec, args)


@pytest.mark.parametrize("source, point", cases("rules: fast vs generic", 30))
def test_the_fast_sweeps_agree_with_the_generic_reference_sweep(source, point):
    """The fast float64 sweep (bulk partials, folded constants) against the
    generic sweep (one compiled rule per step): the same values, and the
    same Jacobian to a few ulps of the magnitude of its terms."""
    tape = adcli.compile(source).tape(list(point))
    values = list(point.values())
    fast = sweeps.linearize(tape, values)
    slow = generic.linearize(numsys.FLOAT64, tape, values)
    assert fast.values[:tape.size] == pytest.approx(slow.values, rel=1e-14, abs=1e-300)
    n = tape.n_inputs
    identity = [[1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
    magnitudes = sweeps.Linearization(tape, [abs(v) for v in fast.values], fast.meta, [])
    for mine, theirs, size in zip(sweeps.forward(fast, identity),
                                  generic.forward(slow, identity),
                                  sweeps.forward(magnitudes, identity), strict=True):
        for o in tape.outputs:
            assert abs(mine[o] - theirs[o]) <= 8 * 2.0 ** -52 * size[o], (source, o)
