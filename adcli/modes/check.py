"""``adcli check``: automatic differentiation next to finite differences.

For each input xᵢ the AD derivative (float64, the same numbers ``adcli grad``
prints) is compared with the central difference

    D(h) = (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h,   h = ε^(1/3) · max(|xᵢ|, 1).

Why that step: D(h) has a truncation error ≈ h²·|f'''|/6 and a rounding
error ≈ ε·|f|/h (f is computed with a relative error of about ε = 2⁻⁵², and
the difference divides it by 2h).  Their sum is smallest at h ∝ ε^(1/3)
(≈ 6·10⁻⁶, scaled with |xᵢ| so that x ± h differ from x in the same number of
bits), where both are ≈ ε^(2/3) ≈ 4·10⁻¹¹ relative: the best a finite
difference can do, five orders of magnitude short of AD.  ``x + h`` is
rounded to a float, so the step actually taken, ((x+h) − (x−h))/2, is used.
That start assumes f varies on the scale max(|xᵢ|, 1); when it varies
faster (``1/x`` at x = 10⁻⁵, ``sin(1000·x)``) or x ± h leaves the domain
(``log(x)`` at 10⁻¹²), h is divided by 10 while the estimated error below
keeps falling (or until x ± h is inside the domain).

What finite differences can explain (the tolerance):

    T = 4/3 · |D(h) − D(h/2)|      the truncation error of D(h), estimated
                                   the way Richardson extrapolation does
                                   (D(h) − D(h/2) ≈ ¾·c·h²);
    R = ε · M / h                  the rounding error, with M the largest
                                   |ω| on the tape (cancellation inside f
                                   happens at that scale);
    tolerance = 3·T + 8·R.

AD and FD *agree* when |AD − D(h)| ≤ tolerance.  When they do not, the
derivative is not what AD computes from the local rules — the point is on
or next to a kink, or ill-conditioned — and the culprit is found by doing
the same comparison for every ω step's tangent (forward sweep) against the
finite difference of that step's own value: the first step that disagrees
is named.  A point *on* a kink (``abs(x)`` at 0) is flagged from the kink
warnings of the sweeps, even when FD happens to agree with the convention.

``sweep`` tabulates the error of forward and central differences for
h = 10⁻¹ … 10⁻¹⁴ against AD's own error, all measured against a reference
derivative computed with mpmath at 30 digits: the V-shaped curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..errors import DomainError, EvalWarning
from ..graph.tape import Tape
from ..numsys import FLOAT64, NumberSystem
from ..numsys import system as number_system
from .engine import choose_mode, solve, value_and_jacobian
from .messages import call_text as _call
from .sweeps import forward, linearize, primal

EPS = 2.0 ** -52
CBRT_EPS = EPS ** (1 / 3)
SWEEP_STEPS = tuple(10.0 ** -k for k in range(1, 15))
MAX_DECADES = 16  # how far the step may shrink (by factors of 10)
CREDIBLE = 0.01  # an error estimate above 1% of the difference: the step is too wide


class Row:
    """One derivative ∂f/∂x checked."""

    __slots__ = ("output", "variable", "ad", "fd", "h", "diff", "relerr", "tolerance",
                 "agree", "note")

    def __init__(self, output: str, variable: str, ad: float, fd: float = math.nan,
                 h: float = math.nan, tolerance: float = math.nan,
                 note: str | None = None) -> None:
        self.output = output
        self.variable = variable
        self.ad = ad
        self.fd = fd
        self.h = h
        self.diff = fd - ad
        # relative to AD's value; undefined (nan) where the derivative is 0
        self.relerr = abs(self.diff) / abs(ad) if ad else (0.0 if self.diff == 0 else math.nan)
        self.tolerance = tolerance
        self.agree = (math.isfinite(ad) and math.isfinite(fd)
                      and abs(self.diff) <= tolerance)
        self.note = note

    def as_dict(self) -> dict[str, Any]:
        return {"output": self.output, "variable": self.variable, "ad": self.ad,
                "fd": self.fd, "h": self.h, "diff": self.diff, "relerr": self.relerr,
                "tolerance": self.tolerance, "agree": self.agree}


class PointCheck:
    """The check at one point: rows, verdict (agree / disagree / kink /
    unchecked), the ω step to blame and why."""

    __slots__ = ("point", "outputs", "values", "rows", "warnings", "verdict", "step",
                 "reason", "summary", "sweep", "reference")
    step: int | None
    reason: str | None
    summary: str | None
    sweep: dict[tuple[str, str], list[SweepRow]] | None
    reference: dict[tuple[str, str], str] | None

    def __init__(self, point: dict[str, float], outputs: list[str], values: list[float],
                 rows: list[Row], warnings: list) -> None:
        self.point = point
        self.outputs = outputs
        self.values = values
        self.rows = rows
        self.warnings = warnings
        self.verdict = "agree"
        self.step = None
        self.reason = None
        self.summary = None  # the reason in a few words, for a table cell
        self.sweep = None  # {(output, variable): [SweepRow]} when asked for
        self.reference = None  # {(output, variable): reference text}

    @property
    def ok(self) -> bool:
        return self.verdict == "agree"


def _values_at(tape, x):
    vals, _ = primal(tape, x)
    return vals


def _shifted(x, i, h):
    xp, xm = list(x), list(x)
    xp[i] = x[i] + h
    xm[i] = x[i] - h
    return xp, xm


def _central(tape, x, i, h):
    """(slot values at x+h, at x−h, the step actually taken) or a DomainError."""
    xp, xm = _shifted(x, i, h)
    return _values_at(tape, xp), _values_at(tape, xm), (xp[i] - xm[i]) / 2


def check_point(tape: Tape, x: list[float], wrt: Sequence[str],
                outputs: Sequence[str]) -> PointCheck:
    """Check AD against central finite differences at one point: ``x`` the
    inputs' float64 values in the tape's order, ``wrt`` the input names to
    check, ``outputs`` the outputs' names."""
    ad = _ad_jacobian(tape, x, wrt, FLOAT64)  # a DomainError at the point itself propagates
    point = dict(zip(tape.inputs, x))
    values, jacobian, warnings = ad.values, ad.jacobian, ad.warnings
    vals0 = _values_at(tape, x)
    steps = [s.slot for s in tape.steps]
    scale = max([abs(vals0[s]) for s in steps if math.isfinite(vals0[s])]
                + [abs(vals0[o]) for o in tape.outputs if math.isfinite(vals0[o])] + [0.0])
    rows: list[Row] = []
    blame: list[tuple] = []
    for var in wrt:
        i = tape.input_index[var]
        chosen, failure = _choose_step(tape, x, i, scale)
        if chosen is None:
            rows.extend(_unchecked(outputs, jacobian, var, failure or CannotJudge(), blame))
            _name_a_crossed_kink(tape, x, i, failure, vals0, blame)
            continue
        (plus, minus, hh), (plus2, minus2, hh2) = chosen
        for k, (name, o) in enumerate(zip(outputs, tape.outputs, strict=False)):
            d1 = (plus[o] - minus[o]) / (2 * hh)
            d2 = (plus2[o] - minus2[o]) / (2 * hh2)
            tol = _tolerance(d1, d2, scale, hh)
            row = Row(name, var, jacobian[k][var], d1, hh, tol)
            rows.append(row)
            if not row.agree:
                blame.append(("disagree", *_localize(tape, x, i, chosen, vals0, row)))
    check = PointCheck(point, list(outputs), values, rows, warnings)
    kinks = [w for w in warnings if w.kind == "kink"]
    if kinks:
        check.verdict, check.step = "kink", kinks[0].step
        check.reason = (f"the point is on a kink: {kinks[0].message}; the derivative "
                        "does not exist there")
        check.summary = "on a kink: " + kinks[0].message.split(" at ω")[0]
    elif any(r.note is None and not r.agree for r in rows):
        check.verdict = "disagree"
        _, check.step, check.reason, check.summary = next(
            b for b in blame if b[0] == "disagree")
    elif any(r.note for r in rows):
        check.verdict = "unchecked"
        _, check.step, check.reason, check.summary = blame[0]
    return check


class _Jacobian(NamedTuple):
    values: list  # the outputs' values
    jacobian: list[dict[str, Any]]  # per output {input name: derivative}
    warnings: list[EvalWarning]


def _ad_jacobian(tape: Tape, x: list[float], wrt: Sequence[str],
                 system: NumberSystem) -> _Jacobian:
    """The derivatives ``adcli grad`` gives at ``x`` (its mode, ``auto``), in
    ``system`` (right to its digits)."""
    index = [tape.input_index[w] for w in wrt]
    mode = choose_mode("auto", len(tape.outputs), len(index))
    def compute(inputs: list) -> tuple[list, list[EvalWarning]]:
        return value_and_jacobian(tape, inputs, index, mode, system)

    numbers, warnings, _ = solve(system, tape, list(x), compute)
    m, k = len(tape.outputs), len(index)
    values, rest = numbers[:m], numbers[m:]
    if system is FLOAT64:  # as grad prints them: -0.0 is 0.0
        rest = [d + 0.0 for d in rest]
    return _Jacobian(values, [dict(zip(wrt, rest[r * k:(r + 1) * k])) for r in range(m)],
                     warnings)


def _unchecked(outputs, jacobian, var, failure, blame):
    """Rows for ∂/∂var that finite differences cannot check, and why."""
    if isinstance(failure, CannotJudge):
        note = f"finite differences cannot judge here: {failure.message}"
        blame.append(("unchecked", None, f"finite differences cannot judge ∂/∂{var} here: "
                                         f"{failure.message}", "FD cannot judge here"))
    else:
        note = f"finite differences leave the domain: {failure.message}"
        blame.append(("unchecked", None, f"finite differences for ∂/∂{var} leave the "
                                         f"domain ({failure.message})",
                      "x ± h leaves the domain"))
    return [Row(name, var, jacobian[k][var], note=note)
            for k, name in enumerate(outputs)]


def _name_a_crossed_kink(tape, x, i, failure, vals0, blame):
    """When no step is small enough because a kink lies within the float
    spacing of x, say which ω step it is."""
    if not isinstance(failure, CannotJudge) or failure.chosen is None:
        return
    (plus, minus, hh), _ = failure.chosen
    o = tape.outputs[0]
    probe = Row("", "", math.nan, (plus[o] - minus[o]) / (2 * hh), hh, math.nan)
    omega, reason, summary = _localize(tape, x, i, failure.chosen, vals0, probe)
    if "kink" in summary:
        blame[-1] = ("unchecked", omega, f"finite differences cannot judge here: {reason}",
                     f"FD cannot judge: {summary}")


def _tolerance(d1, d2, scale, h):
    truncation = 4 / 3 * abs(d1 - d2)
    rounding = EPS * scale / h
    return 3 * truncation + 8 * rounding


def _choose_step(tape, x, i, scale):
    """The step for ∂/∂xᵢ: start at ε^(1/3)·max(|xᵢ|, 1) and divide by 10
    while x ± h leaves the domain, or while the estimated error (truncation
    + rounding, worst output) keeps falling (``1/x`` at x = 10⁻⁵ varies on
    the scale of x, not of 1).  Returns ((plus, minus, h), (plus, minus, h/2))
    or (None, the last DomainError)."""
    h = CBRT_EPS * max(abs(x[i]), 1.0)
    best, best_err, failure, best_credible = None, math.inf, None, False
    last_err = math.nan  # the previous decade's error estimate
    for _ in range(MAX_DECADES):
        if x[i] + h / 2 == x[i] or x[i] - h / 2 == x[i]:
            break  # below the spacing of floats at x: no smaller step exists
        try:
            first = _central(tape, x, i, h)
            second = _central(tape, x, i, h / 2)
        except DomainError as exc:
            failure = exc
            h /= 10
            continue
        err = 0.0
        credible = True
        for o in tape.outputs:
            d1 = (first[0][o] - first[1][o]) / (2 * first[2])
            d2 = (second[0][o] - second[1][o]) / (2 * second[2])
            truncation, rounding = 4 / 3 * abs(d1 - d2), EPS * scale / first[2]
            e = truncation + rounding
            err = max(err, e if e == e else math.inf)
            # Near a pole (tan just below π/2) a step wider than the distance
            # to it gives estimates that do not even agree in sign: shrink on.
            # Where the derivative is 0 (cos at 0, log(x)·y at y = 0) no error
            # is small relative to it: the estimate is credible when the two
            # steps differ by no more than rounding explains.
            credible = credible and (e <= CREDIBLE * max(abs(d1), abs(d2))
                                     or truncation <= 8 * rounding)
        # ... or when the error fell like h² since the previous decade (x³ at
        # 0: every ω is 0 there, so nothing scales the error but convergence;
        # next to a pole a step wider than the distance makes it grow instead).
        credible = credible or 30 * err <= last_err
        last_err = err
        if best is not None and err >= best_err and best_credible:
            break
        if best is None or (not credible, err) < (not best_credible, best_err):
            best, best_err, best_credible = (first, second), err, credible
        if err == 0:
            break
        h /= 10
    if best is not None and not best_credible:
        return None, CannotJudge(best)
    return best, failure


class CannotJudge(DomainError):
    """No step gives a finite difference whose own error estimate is small
    (next to a pole the function changes faster than the float spacing at x
    allows): FD cannot judge AD here."""

    def __init__(self, chosen: Any = None) -> None:
        self.chosen = chosen  # the least bad steps, to look for a kink they cross
        super().__init__("every step h tried gives a finite difference whose own error "
                         "estimate exceeds 1% of it (the function changes too fast near x, "
                         "e.g. next to a pole)")


def _localize(tape, x, i, chosen, vals0, row):
    """The first ω step whose tangent disagrees with the finite difference
    of its own value: (ω index, explanation)."""
    (plus, minus, hh), (plus2, minus2, hh2) = chosen
    lin = linearize(tape, x)
    seed = [1.0 if j == i else 0.0 for j in range(tape.n_inputs)]
    tan = forward(lin, [seed])[0]
    scale = 0.0
    for step in tape.steps:
        s = step.slot
        if math.isfinite(vals0[s]):
            scale = max(scale, abs(vals0[s]))
        d1 = (plus[s] - minus[s]) / (2 * hh)
        d2 = (plus2[s] - minus2[s]) / (2 * hh2)
        t = tan[s]
        bad = not (math.isfinite(t) and math.isfinite(d1)) or \
            abs(t - d1) > _tolerance(d1, d2, scale, hh)
        if bad:
            omega = tape.omega(s)
            call = _call(step, [vals0[a] for a in step.args])
            if step.prim.kink is not None:
                return omega, (f"the finite-difference step (h = {hh:.3g}) crosses a kink "
                               f"near ω{omega} = {call}: the derivative changes abruptly "
                               "there, so finite differences cannot see it"), \
                    f"near a kink: {call}"
            return omega, (f"ill-conditioned at ω{omega} = {call}: its finite difference "
                           f"({d1:.17g}) differs from its tangent ({t:.17g}) by more than "
                           "truncation and rounding can explain"), f"ill-conditioned: {call}"
    return None, (f"∂{row.output}/∂{row.variable}: AD {row.ad!r} and finite differences "
                  f"{row.fd!r} differ by {abs(row.diff):.3g} (tolerance {row.tolerance:.3g})"), \
        "AD and FD differ"


# --- the sweep --------------------------------------------------------------------

class SweepRow:
    __slots__ = ("h", "forward", "central", "ad")

    def __init__(self, h: float, forward: float, central: float, ad: float) -> None:
        self.h = h
        self.forward = forward
        self.central = central
        self.ad = ad

    def as_dict(self) -> dict[str, float]:
        return {"h": self.h, "forward": self.forward, "central": self.central, "ad": self.ad}


def _error(est, ref):
    """Relative error of a float against an mpmath reference (absolute
    where the reference is 0)."""
    if not math.isfinite(est):
        return math.nan
    import mpmath

    with mpmath.workdps(40):
        err = abs(mpmath.mpf(est) - ref)
        if ref != 0:
            err = err / abs(ref)
        return float(err)


def sweep(tape: Tape, check: PointCheck, steps: Sequence[float] = SWEEP_STEPS,
          ref_digits: int = 30) -> PointCheck:
    """Add to ``check`` (made on ``tape``) the errors of forward and central
    differences and of AD over ``steps``, against an mpmath reference at
    ``ref_digits``."""
    x = [float(v) for v in check.point.values()]
    wrt: list[str] = []
    for r in check.rows:
        if r.variable not in wrt:
            wrt.append(r.variable)
    ctx = number_system(digits=ref_digits)
    ref = _ad_jacobian(tape, x, wrt, ctx)
    f0 = _values_at(tape, x)
    table, refs = {}, {}
    for k, (name, o) in enumerate(zip(check.outputs, tape.outputs, strict=False)):
        for var in wrt:
            i = tape.input_index[var]
            exact = ref.jacobian[k][var]
            refs[(name, var)] = ctx.format(exact)
            ad = next(r.ad for r in check.rows if r.output == name and r.variable == var)
            out = []
            for h in steps:
                xp, xm = _shifted(x, i, h)
                fp = fm = math.nan
                try:
                    fp = _values_at(tape, xp)[o]
                except DomainError:
                    pass
                try:
                    fm = _values_at(tape, xm)[o]
                except DomainError:
                    pass
                fwd = (fp - f0[o]) / (xp[i] - x[i])
                cen = (fp - fm) / (xp[i] - xm[i])
                out.append(SweepRow(h, _error(fwd, exact), _error(cen, exact),
                                    _error(ad, exact)))
            table[(name, var)] = out
    check.sweep = table
    check.reference = refs
    return check
