"""The NumPy backend reads everything from the primitives table through the
NumPy number system: every entry has a NumPy function, a vectorised fused
rule and a vectorised kink test that agree with the scalar engine."""

import itertools
import math

import numpy as np
import pytest

import adcli
from adcli.batch.numpy_backend import VectorTape, kink_mask
from adcli.modes.rules import active_linearizer
from adcli.modes.rules import linearizer as scalar_linearizer
from adcli.numsys import numpy_arrays
from adcli.primitives import PRIMITIVES, TABLE

XS = [0.3, 0.7, 1.5, 2.5, -0.4, -1.7, 4.0, -3.0, 0.05]
YS = [0.6, 1.3, 2.0, -0.8, 3.0, -2.5]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 3.0, -2.0, 1.5]


def _points(prim):
    if prim.arity == 1:
        return [(x,) for x in XS]
    return list(itertools.product(XS, YS))


@pytest.mark.parametrize("prim", TABLE, ids=lambda p: p.key)
def test_every_table_entry_runs_vectorised_like_the_scalar_rule(prim):
    arrays = numpy_arrays()
    assert callable(arrays.strict(prim))
    for active in itertools.product((True, False), repeat=prim.arity):
        if not any(active):
            continue
        scalar = scalar_linearizer(prim, active)
        good, want = [], []
        for args in _points(prim):
            try:
                r = scalar(*args)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
            if all(math.isfinite(v) for v in r):
                good.append(args)
                # the scalar rule gives 0.0 for an inactive argument
                want.append([r[0]] + [p for p, on in zip(r[1:], active, strict=True) if on])
        assert len(good) >= 3, f"{prim.key}: too few sample points"
        cols = [np.array(c) for c in zip(*good, strict=True)]
        got = active_linearizer(arrays, prim, active)(*cols)
        n = len(good)
        for j, column in enumerate(got):
            column = np.broadcast_to(np.asarray(column, dtype=float), (n,))
            ref = np.array([w[j] for w in want])
            assert np.allclose(column, ref, rtol=2e-15 * 8, atol=1e-300), (prim.key, j)


@pytest.mark.parametrize("prim", [p for p in TABLE if p.kink is not None], ids=lambda p: p.key)
def test_vectorised_kinks_match_the_table_predicates(prim):
    pts = list(itertools.product(SPECIAL, repeat=prim.arity))
    cols = [np.array(c) for c in zip(*pts, strict=True)]
    mask = kink_mask(prim, cols, len(pts))
    want = [bool(prim.kink(*p)) for p in pts]
    assert mask.tolist() == want


def test_a_new_primitive_needs_only_its_table_entry():
    """An entry whose kink predicate NumPy cannot run and whose NumPy function
    is an ordinary ufunc still works (elementwise fallback)."""
    from adcli.primitives import Primitive

    prim = Primitive("softplus_test", lambda x: math.log1p(math.exp(x)), ("1/(1+exp(-x))",),
                     np="exp", kink=lambda x: x == 0 and True)
    mask = kink_mask(prim, [np.array([0.0, 1.0, -2.0])], 3)
    assert mask.tolist() == [True, False, False]


def test_vector_tape_matches_scalar_tape_on_many_points():
    fn = adcli.compile("x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)")
    tape = fn.tape(("x1", "x2"))
    vt = VectorTape(tape)
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, (2000, 2))
    lin, bad = vt.linearize([X[:, 0], X[:, 1]], len(X))
    assert bad is None
    vals = lin.values
    rev = vt.reverse(lin, [0, 1], len(X))[0]
    fwd = vt.forward(lin, [0, 1], len(X))[0]
    worst = 0.0
    for i in range(0, len(X), 7):
        ref = fn.gradient({"x1": X[i, 0], "x2": X[i, 1]})
        for got, want in ((vals[tape.outputs[0]][i], ref.value),
                          (rev[0][i], ref.gradient["x1"]), (rev[1][i], ref.gradient["x2"]),
                          (fwd[0][i], ref.gradient["x1"]), (fwd[1][i], ref.gradient["x2"])):
            worst = max(worst, abs(got - want) / max(abs(want), 1e-300))
    assert worst < 1e-14


def test_rows_off_the_domain_are_flagged():
    fn = adcli.compile("log(x) + 1/y + sqrt(x)")
    vt = VectorTape(fn.tape(("x", "y")))
    x = np.array([1.0, -1.0, 2.0, 0.0, 3.0])
    y = np.array([1.0, 1.0, 0.0, 1.0, 2.0])
    _, bad = vt.linearize([x, y], 5)
    assert bad.tolist() == [False, True, True, True, False]
    assert set(PRIMITIVES)  # the table is what the backend read
