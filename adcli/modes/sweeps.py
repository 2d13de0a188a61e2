"""The sweeps over a tape.

``primal``     values only (``adcli eval``).
``linearize``  values and every step's partial derivatives, in one fused
               sweep driven by the compiled rules; the result feeds any
               number of tangent or adjoint sweeps.
``forward``    one tangent sweep per seed direction: ω̇ᵢ = Σⱼ ∂ωᵢ/∂ωⱼ · ω̇ⱼ.
``reverse``    one adjoint sweep per output seed: ω̄ⱼ += ω̄ᵢ · ∂ωᵢ/∂ωⱼ.
"""

import functools
import gc
import math

from ..errors import DomainError, EvalWarning
from .rules import linearizer

_isfinite = math.isfinite


def without_gc(fn):
    """Sweeps allocate a tuple per step and no cycles; the cyclic collector
    would rescan the whole DAG again and again on a long tape."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()
    return wrapper


def _code(tape):
    code = getattr(tape, "_primal_code", None)
    if code is None:
        code = [(s.prim.fn, s.args[0], s.args[1] if len(s.args) > 1 else -1)
                for s in tape.steps]
        tape._primal_code = code
    return code


def _start(tape, point):
    values = [float(v) for v in point]
    if len(values) != tape.n_inputs:
        raise ValueError(f"expected {tape.n_inputs} input values, got {len(values)}")
    values.extend(tape.consts)
    return values


@without_gc
def primal(tape, point):
    """Values of every slot, and the warnings (overflow) met on the way."""
    vals = _start(tape, point)
    append = vals.append
    try:
        for fn, a, b in _code(tape):
            append(fn(vals[a]) if b < 0 else fn(vals[a], vals[b]))
    except (ValueError, ZeroDivisionError, OverflowError):
        raise domain_error(tape, tape.steps[len(vals) - tape.first_step], vals) from None
    return vals, nonfinite_warnings(tape, vals, [vals[o] for o in tape.outputs])


class Linearization:
    """Values and local partials of every step at one point.

    ``raw[k]`` is step k's tuple ``(_, ∂/∂arg₁[, ∂/∂arg₂])`` (0.0 for a
    constant argument); ``partials[k]`` lists the partials with respect to
    the step's active (non-constant) arguments only."""

    __slots__ = ("tape", "values", "raw", "warnings", "nonfinite")

    def __init__(self, tape, values, raw, warnings):
        self.tape = tape
        self.values = values
        self.raw = raw
        self.warnings = warnings
        # Steps whose partials are ±inf or nan (kinks, overflow): the sweeps
        # treat them carefully so that 0·inf never turns a zero into nan.
        self.nonfinite = ({k for k, r in enumerate(raw) if not all(map(_isfinite, r[1:]))}
                          if warnings else set())

    @property
    def partials(self):
        tape = self.tape
        return [tuple(r[i + 1] for i, a in enumerate(s.args) if tape.is_active(a))
                for s, r in zip(tape.steps, self.raw)]


_RULE, _CONST, _SWAP = 0, 1, 2
_KIND = {"rule": _RULE, "const": _CONST, "swap": _SWAP}


def _lin_code(tape):
    """Per step: (kind, function, arg a, arg b or -1, constant partials)."""
    code = getattr(tape, "_lin_code", None)
    if code is None:
        from .rules import rule_shape

        code = []
        for s in tape.steps:
            active = tuple(tape.is_active(a) for a in s.args)
            shape, consts = rule_shape(s.prim, active)
            kind = _KIND[shape]
            fn = linearizer(s.prim, active) if kind == _RULE else s.prim.fn
            b = s.args[1] if len(s.args) > 1 else -1
            code.append((kind, fn, s.args[0], b, consts))
        tape._lin_code = code
        tape._kinky = [(k, s.prim.kink, s.args[0], s.args[1] if len(s.args) > 1 else -1)
                       for k, s in enumerate(tape.steps) if s.prim.kink is not None]
    return code


@without_gc
def linearize(tape, point):
    vals = _start(tape, point)
    append = vals.append
    raw = []
    keep = raw.append
    code = _lin_code(tape)
    warnings = []
    k = 0
    while True:
        try:
            for kind, fn, a, b, consts in code[k:] if k else code:
                if kind == _RULE:
                    r = fn(vals[a]) if b < 0 else fn(vals[a], vals[b])
                    append(r[0])
                    keep(r)
                elif kind == _CONST:
                    append(fn(vals[a]) if b < 0 else fn(vals[a], vals[b]))
                    keep(consts)
                else:
                    va = vals[a]
                    vb = vals[b]
                    append(fn(va, vb))
                    keep((None, vb, va))
            break
        except (ValueError, ZeroDivisionError, OverflowError):
            k = len(raw)
            del vals[tape.first_step + k:]
            r = _rescue(tape, k, vals, warnings)
            append(r[0])
            keep(r)
            k += 1
    warnings.extend(kink_warnings(tape, vals, raw, skip={w.step for w in warnings}))
    outs = [vals[o] for o in tape.outputs]
    warnings.extend(nonfinite_warnings(tape, vals, outs))
    return Linearization(tape, vals, raw, warnings)


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
    res = linearizer(step.prim, active, fast=False)(*args)
    if step.prim.kink is not None and step.prim.kink(*args):
        warnings.append(_kink_warning(tape, step, args))
        return res[:1] + tuple(0.0 if p != p else p for p in res[1:])
    if all(_isfinite(p) for p in res[1:]):
        return res  # an overflow inside a rule that came out finite after all
    omega = tape.omega(step.slot)
    raise DomainError(
        f"{_call(step, args)} cannot be differentiated here (at ω{omega})",
        step=omega, source=tape.program.source, span=step.node.span,
        hint=_domain_hint(step.prim),
    )


def kink_warnings(tape, vals, raw, skip=()):
    out = []
    steps = tape.steps
    for k, kink, a, b in tape._kinky:
        if kink(vals[a]) if b < 0 else kink(vals[a], vals[b]):
            step = steps[k]
            if tape.omega(step.slot) in skip:
                continue
            out.append(_kink_warning(tape, step, [vals[i] for i in step.args]))
            raw[k] = tuple(0.0 if p != p else p for p in raw[k])
    return out


def _kink_warning(tape, step, args):
    omega = tape.omega(step.slot)
    return EvalWarning("kink", omega,
                       f"{_call(step, args)} at ω{omega} is not differentiable "
                       f"({step.prim.kink_note})")


def nonfinite_warnings(tape, vals, results):
    """Name the step where ±inf or nan first appeared, if a result has one."""
    if all(_isfinite(v) for v in results):
        return []
    for step in tape.steps:
        v = vals[step.slot]
        if not _isfinite(v):
            args = [vals[a] for a in step.args]
            omega = tape.omega(step.slot)
            what = "overflowed to" if not any(map(math.isinf, args)) and v == v else "gives"
            return [EvalWarning("overflow" if v == v else "nan", omega,
                                f"{_call(step, args)} {what} {_fmt(v)} at ω{omega}")]
    return []


def _careful(p, t):
    """p·t where a zero tangent stays zero even if the partial is ±inf."""
    return p * t if t else 0.0


@without_gc
def forward(lin, seeds):
    """One tangent sweep per seed (a list of input tangents); returns the
    tangent of every slot for each seed."""
    tape = lin.tape
    rows = [(s.args[0], s.args[1] if len(s.args) > 1 else -1, r)
            for s, r in zip(tape.steps, lin.raw)]
    zeros = [0.0] * (tape.first_step - tape.n_inputs)
    out = []
    for seed in seeds:
        tan = [float(s) for s in seed] + zeros
        append = tan.append
        if lin.nonfinite:
            for a, b, r in rows:
                t = _careful(r[1], tan[a])
                append(t + _careful(r[2], tan[b]) if b >= 0 else t)
        else:
            for a, b, r in rows:
                append(r[1] * tan[a] + r[2] * tan[b] if b >= 0 else r[1] * tan[a])
        out.append(tan)
    return out


@without_gc
def reverse(lin, output_seeds):
    """One adjoint sweep per seed (a list of output adjoints); returns the
    adjoint of every slot for each seed.  Constant slots collect junk that
    nobody reads; a zero adjoint is never multiplied (so 0·inf stays 0)."""
    tape = lin.tape
    meta = getattr(tape, "_reverse_meta", None)
    if meta is None:
        meta = tape._reverse_meta = [(s.slot, s.args[0], s.args[1] if len(s.args) > 1 else -1)
                                     for s in reversed(tape.steps)]
    out = []
    for seed in output_seeds:
        adj = [0.0] * tape.size
        for slot, w in zip(tape.outputs, seed):
            adj[slot] += w
        for (slot, a, b), r in zip(meta, reversed(lin.raw)):
            g = adj[slot]
            if g:
                if b < 0:
                    adj[a] += g * r[1]
                else:
                    adj[a] += g * r[1]
                    adj[b] += g * r[2]
        out.append(adj)
    return out


# --- messages ---------------------------------------------------------------

def _fmt(v):
    from ..render.numbers import plain_number

    return plain_number(v)


def _call(step, args):
    prim = step.prim
    shown = [_fmt(a) for a in args]
    if prim.infix and prim.arity == 2:
        return f"{shown[0]} {prim.infix} {shown[1]}"
    if prim.infix:
        return f"{prim.infix}{shown[0]}"
    return f"{prim.name}({', '.join(shown)})"


def _domain_hint(prim):
    if prim.key == "div":
        return "the divisor must not be zero"
    return f"{prim.name} is defined for {prim.domain}" if prim.domain else None


def domain_error(tape, step, vals):
    args = [vals[a] for a in step.args]
    omega = tape.omega(step.slot)
    call = _call(step, args)
    if step.prim.key == "div":
        message = f"division by zero: {call} at ω{omega}"
    else:
        message = f"{call} is undefined (at ω{omega})"
    return DomainError(message, step=omega, source=tape.program.source,
                       span=step.node.span, hint=_domain_hint(step.prim))
