"""The batch's vectorised sweeps (adcli/batch/numpy_backend.py, VectorTape:
the documented fast path of --points) against the generic engine's sweeps
in the same NumPy number system (adcli/modes/generic.py), on random
formulas with kinks and domain edges among the points: every point the
generic sweep cannot give finitely, or that sits on a kink, is flagged (the
driver recomputes those with the scalar engine), and at every other point
values and Jacobians agree bit for bit (the same rules, the same order of
operations) in both modes."""

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


def _generic(tape):
    """Values of the outputs and Jacobian rows (forward, reverse), and the
    points where a step sits on a kink or a value or partial is not finite."""
    with ARRAYS.ieee():
        lin = generic.linearize(ARRAYS, tape, [XS, YS])
        suspect = np.zeros(N, dtype=bool)
        for step, ps in zip(tape.steps, lin.partials, strict=True):
            for v in [lin.values[step.slot], *ps]:
                suspect |= ~np.isfinite(_column(v))
            args = [lin.values[a] for a in step.args]
            if step.prim.kink is not None and any(tape.is_active(a) for a in step.args):
                suspect |= np.broadcast_to(ARRAYS.kink_mask(step.prim, args), (N,))
        m = len(tape.outputs)
        fwd = generic.forward(lin, [[1.0, 0.0], [0.0, 1.0]])
        rev = generic.reverse(lin, [[1.0 if j == k else 0.0 for j in range(m)]
                                    for k in range(m)])
    values = [_column(lin.values[o]) for o in tape.outputs]
    forward = [[_column(t[o]) for t in fwd] for o in tape.outputs]
    reverse = [[_column(a[i]) for i in range(2)] for a in rev]
    return values, forward, reverse, suspect


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(leaves, _extend, max_leaves=10))
def test_vector_tape_is_the_generic_sweep_where_it_does_not_flag(text):
    tape = adcli.compile(f"{text} + 0*x + 0*y").tape(["x", "y"])
    vt = VectorTape(tape)
    vals, partials, bad = vt.linearize([XS, YS], N)
    bad = np.zeros(N, dtype=bool) if bad is None else np.asarray(bad)
    values, forward, reverse, suspect = _generic(tape)
    assert not (suspect & ~bad).any(), (text, XS[suspect & ~bad])
    good = ~bad
    for got, want in zip(vals_of(vt, vals), values, strict=True):
        assert np.array_equal(_column(got)[good], want[good]), text
    for mode, want_rows in (("forward", forward), ("reverse", reverse)):
        sweep = vt.forward if mode == "forward" else vt.reverse
        for got_row, want_row in zip(sweep(vals, partials, [0, 1], N), want_rows, strict=True):
            for got, want in zip(got_row, want_row, strict=True):
                assert np.array_equal(_column(got)[good], want[good]), (text, mode)


def vals_of(vt, vals):
    return [vals[o] for o in vt.tape.outputs]
