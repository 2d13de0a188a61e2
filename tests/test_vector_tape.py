"""The batch's sweeps over NumPy arrays (adcli/batch/numpy_backend.py,
VectorTape: the generic sweeps in the NumPy number system, plus the rows to
recompute one by one), on random formulas with kinks and domain edges among
the points: every point where a step's value or partial is not finite, or a
step sits on a kink, is flagged (the driver recomputes those with the scalar
engine), and at every other point the values and Jacobians, in both modes,
are the scalar float64 engine's to rounding (NumPy's elementary functions
may differ from the C library's in the last bit)."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adcli
from adcli.batch.numpy_backend import VectorTape
from adcli.modes import generic
from adcli.numsys import numpy_arrays

from .formulas import kinky_extend

ARRAYS = numpy_arrays()
XS = np.array([-3.0, -2.0, -1.0, -0.5, 0.0, 0.25, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0, 0.7, -0.7])
YS = np.roll(XS, 5) * 0.75
N = len(XS)

FUNCS = ["sin", "exp", "log", "sqrt", "abs", "cbrt", "atan", "tanh", "asin", "sign"]
leaves = st.sampled_from(["x", "x", "y", "y", "0.5", "2", "1"])
_extend = kinky_extend(FUNCS, ["2", "3", "0.5", "-1", "y"])


def _column(v):
    return np.broadcast_to(np.asarray(v, dtype=float), (N,)) + 0.0  # -0.0 and 0.0 alike


def _suspect(tape):
    """The points where a step sits on a kink or a value or partial is not
    finite, found step by step from a linearisation of its own."""
    with ARRAYS.ieee():
        lin = generic.linearize(ARRAYS, tape, [XS, YS])
        suspect = np.zeros(N, dtype=bool)
        for step, ps in zip(tape.steps, lin.partials, strict=True):
            for v in [lin.values[step.slot], *ps]:
                suspect |= ~np.isfinite(_column(v))
            args = [lin.values[a] for a in step.args]
            if step.prim.kink is not None and any(tape.is_active(a) for a in step.args):
                suspect |= np.broadcast_to(ARRAYS.kink_mask(step.prim, args), (N,))
    return suspect


def _close(got, want):
    return got == want or math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(leaves, _extend, max_leaves=10))
def test_unflagged_rows_are_the_scalar_engines(text):
    fn = adcli.compile(f"{text} + 0*x + 0*y")
    tape = fn.tape(["x", "y"])
    vt = VectorTape(tape)
    lin, bad = vt.linearize([XS, YS], N)
    bad = np.zeros(N, dtype=bool) if bad is None else np.asarray(bad)
    suspect = _suspect(tape)
    assert not (suspect & ~bad).any(), (text, XS[suspect & ~bad])
    values = [_column(v) for v in vt.values(lin, N)]
    forward = [[_column(d) for d in row] for row in vt.forward(lin, [0, 1], N)]
    reverse = [[_column(d) for d in row] for row in vt.reverse(lin, [0, 1], N)]
    for i in np.flatnonzero(~bad).tolist():
        for mode, rows in (("forward", forward), ("reverse", reverse)):
            want = fn.gradient({"x": float(XS[i]), "y": float(YS[i])}, mode=mode)
            assert _close(values[0][i], want.value), (text, i)
            for j, name in enumerate("xy"):
                assert _close(rows[0][j][i], want.gradient[name]), (text, mode, name, i)


def test_a_tangent_and_an_adjoint_are_the_jacobian_products():
    fn = adcli.compile("x*y + sin(x), exp(y) - x")
    tape = fn.tape(["x", "y"])
    vt = VectorTape(tape)
    lin, bad = vt.linearize([XS, YS], N)
    assert bad is None
    (j00, j01), (j10, j11) = vt.forward(lin, [0, 1], N)
    jv = vt.tangent(lin, [2.0, -1.0], N)
    assert np.allclose(jv[0], 2 * j00 - j01, rtol=1e-15) and np.allclose(jv[1], 2 * j10 - j11)
    ut = vt.adjoint(lin, [0.5, 3.0], [1, 0], N)
    assert np.allclose(ut[0], 0.5 * j01 + 3 * j11) and np.allclose(ut[1], 0.5 * j00 + 3 * j10)
