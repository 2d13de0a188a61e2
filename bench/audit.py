"""Accuracy audit: every primitive's derivatives of orders 1-4, through every
path that computes them, across the whole float64 domain.

    python -m bench.audit              # the full table (about 20 s)
    python -m bench.audit --quick      # a few points per primitive (the test suite's)
    python -m bench.audit --json F     # also save the cells as JSON
    python -m bench.audit --only tanh  # one primitive (substring of the row name)

For each primitive of ``adcli.primitives.TABLE`` (a binary one twice: the
first argument varying with the second held at several fixed values, huge
and tiny ones included, then the other way round), points are sampled from
1e-300 to 1e300 in both signs, next to the domain's edges and poles, wherever
the float64 function is defined and finite.  At each point the derivatives
d^k/dv^k (k = 1..4, v the varying argument) and, for binary primitives, the
mixed partials up to order 4 are computed by every path:

  forward, reverse   ``Function.gradient`` in each mode (order 1)
  batch              the NumPy batch kernel over all points of a row (order 1)
  hessian            ``Function.hessian`` (order 2, mixed included)
  taylor             ``Function.taylor`` to order 4 along v (orders 1-4)
  partial            ``Function.partial`` (orders 1-4, mixed included)
  digits             ``--digits 30``: precise gradient and Taylor (orders 1-4)
  codegen            the Python that ``adcli codegen --order 2`` writes
                     (orders 1 and 2, mixed included)

and compared with a reference: sympy's symbolic derivative evaluated by
mpmath at 60, 120, 240, ... digits until two precisions agree to 1e-45, so
the reference formula's own cancellation (sympy writes tanh' as 1 - tanh^2)
cannot fool the audit.  A float64 cell passes within 1e-14 relative at
order 1 and 1e-12 at orders 2-4; the digits path within 1e-28.  A point
beyond that where adcli warned is counted as warned, not failed: a failure
is a silently wrong number.  Points where the true value is not a normal
float64 (it over- or underflows, or is 0) are skipped and counted.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import adcli  # noqa: E402
from adcli.errors import AdcliError  # noqa: E402
from adcli.primitives import TABLE  # noqa: E402

DIGITS = 30
TOLERANCE = {1: 1e-14, 2: 1e-12, 3: 1e-12, 4: 1e-12}
DIGITS_TOLERANCE = 1e-28
TINY, HUGE = 2.2250738585072014e-308, 1.7976931348623157e308

MAGNITUDES = [1e-300, 1e-200, 1e-100, 1e-30, 1e-15, 1e-8, 1e-5, 1e-3, 0.1, 0.5, 0.9,
              1.5, 3.0, 5.0, 10.0, 19.0, 20.0, 30.0, 75.0, 100.0, 400.0, 1e3, 1e5, 1e8,
              1e15, 1e30, 1e100, 1e154, 1e155, 1e200, 1e300]
QUICK_MAGNITUDES = [1e-300, 1e-8, 0.5, 5.0, 20.0, 1e30, 1e200]
EDGES = [1 - 1e-15, 1 - 1e-10, 1 - 1e-5, 1 + 1e-15, 1 + 1e-10, 1 + 1e-5,
         -1 + 1e-15, -1 + 1e-10, -1 - 1e-10, 1.5707963267948966, 3.141592653589793,
         -1.5707963267948966]
QUICK_EDGES = [1 - 1e-10, 1 + 1e-10, -1 + 1e-10, 1.5707963267948966]

# The value the other argument of a binary primitive is held at.
FIXED = {
    "add": [1.0], "sub": [1.0], "mul": [3.0],
    "div": [3.0, 1e-300, 1e300],
    "pow": [2.0, 3.0, 2.5, 0.5, -1.0, -2.5, 1e-5, 100.0],
    "logb": [2.0, 10.0, 1e-300, 1e300],
    "atan2": [1.0, 1e-200, 1e200],
    "hypot": [1.0, 1e-200, 1e200],
    "min": [1.0], "max": [1.0],
}
# pow: the base held fixed while the exponent varies (a negative base has no
# derivative in the exponent).
FIXED_FIRST = {"pow": [2.0, 0.5, 10.0], "logb": [3.0, 1e-300, 1e300]}
QUICK_FIXED = {"div": [3.0, 1e-300], "pow": [3.0, 2.5, -1.0], "logb": [10.0],
               "atan2": [1.0, 1e200], "hypot": [1.0, 1e200]}

PATHS = ["forward", "reverse", "batch", "hessian", "taylor", "partial", "digits", "codegen"]


# --- references ---------------------------------------------------------------

def _sympy_rules():
    import sympy as sp

    def branch(pos, neg):
        return lambda a, b, x, y: pos(a, b) if x > 0 else neg(a, b)

    return {
        "add": lambda a, b, x, y: a + b,
        "sub": lambda a, b, x, y: a - b,
        "mul": lambda a, b, x, y: a * b,
        "div": lambda a, b, x, y: a / b,
        "neg": lambda a, b, x, y: -a,
        "pow": lambda a, b, x, y: a ** b,
        "sin": lambda a, b, x, y: sp.sin(a),
        "cos": lambda a, b, x, y: sp.cos(a),
        "tan": lambda a, b, x, y: sp.tan(a),
        "sec": lambda a, b, x, y: 1 / sp.cos(a),
        "csc": lambda a, b, x, y: 1 / sp.sin(a),
        "cot": lambda a, b, x, y: sp.cos(a) / sp.sin(a),
        "asin": lambda a, b, x, y: sp.asin(a),
        "acos": lambda a, b, x, y: sp.acos(a),
        "atan": lambda a, b, x, y: sp.atan(a),
        "sinh": lambda a, b, x, y: sp.sinh(a),
        "cosh": lambda a, b, x, y: sp.cosh(a),
        "tanh": lambda a, b, x, y: sp.tanh(a),
        "asinh": lambda a, b, x, y: sp.asinh(a),
        "acosh": lambda a, b, x, y: sp.acosh(a),
        "atanh": lambda a, b, x, y: sp.atanh(a),
        "exp": lambda a, b, x, y: sp.exp(a),
        "expm1": lambda a, b, x, y: sp.exp(a) - 1,
        "log": lambda a, b, x, y: sp.log(a),
        "logb": lambda a, b, x, y: sp.log(a) / sp.log(b),
        "log2": lambda a, b, x, y: sp.log(a) / sp.log(2),
        "log10": lambda a, b, x, y: sp.log(a) / sp.log(10),
        "log1p": lambda a, b, x, y: sp.log(1 + a),
        "sqrt": lambda a, b, x, y: sp.sqrt(a),
        "cbrt": branch(lambda a, b: a ** sp.Rational(1, 3),
                       lambda a, b: -(-a) ** sp.Rational(1, 3)),
        "abs": branch(lambda a, b: a, lambda a, b: -a),
        "sign": lambda a, b, x, y: sp.Integer(1 if x > 0 else -1),
        "erf": lambda a, b, x, y: sp.erf(a),
        "erfc": lambda a, b, x, y: sp.erfc(a),
        "atan2": lambda a, b, x, y: sp.atan2(a, b),
        "hypot": lambda a, b, x, y: sp.sqrt(a ** 2 + b ** 2),
        "min": lambda a, b, x, y: a if x < y else b,
        "max": lambda a, b, x, y: a if x > y else b,
    }


_REF_CACHE = {}


def _derivative_fns(key, orders, region):
    """mpmath-evaluable lambdas of each wanted derivative (None: identically 0)."""
    cache_key = (key, orders, region)
    fns = _REF_CACHE.get(cache_key)
    if fns is None:
        import sympy as sp

        a, b = sp.symbols("a b", real=True)
        expr = _sympy_rules()[key](a, b, *region)
        fns = []
        for i, j in orders:
            d = expr
            if i:
                d = sp.diff(d, a, i)
            if j:
                d = sp.diff(d, b, j)
            fns.append(None if d == 0 else sp.lambdify((a, b), d, modules="mpmath"))
        _REF_CACHE[cache_key] = fns
    return fns


def reference(fn, x, y):
    """(value or None, why) of a derivative at the float point (x, y): the
    value once two working precisions agree to 1e-45."""
    import mpmath

    if fn is None:
        return None, "zero"
    prev = None
    for dps in (60, 120, 240, 480, 960, 1920):
        with mpmath.workdps(dps):
            try:
                v = fn(mpmath.mpf(x), mpmath.mpf(y))
            except (ZeroDivisionError, ValueError):
                return None, "undefined"
            v = +v
        if isinstance(v, mpmath.mpc):
            return None, "undefined"
        if prev is not None and v != 0 and abs(v - prev) <= abs(v) * mpmath.mpf(10) ** -45:
            break
        prev = v
    else:
        # 0 at every precision although not identically 0: below 10^-1900
        return None, "underflow" if prev == 0 else "unresolved"
    if abs(v) > HUGE:
        return None, "overflow"
    if abs(v) < TINY:
        return None, "underflow"
    return v, None


def sensitivity(fn, x, y, want, arity):
    """How much the derivative changes, relatively, when an argument moves by
    one unit in the last place: no float64 evaluation that rounds anything
    computed from x can promise less (near a zero of the derivative, or sin
    at 1e300).  The tolerance of that point widens by this much."""
    import mpmath

    worst = 0.0
    moves = [(math.nextafter(x, math.inf), y)]
    if arity == 2:
        moves.append((x, math.nextafter(y, math.inf)))
    for mx, my in moves:
        v, _ = reference(fn, mx, my)
        if v is None:
            return math.inf
        with mpmath.workdps(60):
            worst = max(worst, float(abs(v - want) / abs(want)))
    return worst


# --- the cases -----------------------------------------------------------------

class Case:
    """One row family: a primitive with its varying argument (``var``, x or
    y of the formula ``name(x, y)``) and the other held at ``fixed``."""

    def __init__(self, prim, var, fixed):
        self.prim, self.var, self.fixed = prim, var, fixed
        if prim.arity == 1:
            self.formula = prim.name + "(x)" if prim.infix is None else _unary(prim)
            self.label = prim.key
        else:
            self.formula = _binary(prim)
            self.label = f"{prim.key}[{var}]"

    def point(self, v):
        if self.prim.arity == 1:
            return {"x": v}
        return {"x": v, "y": self.fixed} if self.var == "x" else {"x": self.fixed, "y": v}

    def other(self):
        return "y" if self.var == "x" else "x"


def _unary(prim):
    return f"{prim.infix}x"


def _binary(prim):
    if prim.infix is not None:
        return f"x {prim.infix} y"
    return f"{prim.name}(x, y)"


def cases(quick=False, only=None):
    out = []
    fixed = dict(FIXED, **(QUICK_FIXED if quick else {}))
    for prim in TABLE:
        if prim.arity == 1:
            out.append(Case(prim, "x", None))
            continue
        for c in fixed.get(prim.key, [1.0]):
            out.append(Case(prim, "x", c))
        firsts = FIXED_FIRST.get(prim.key, fixed.get(prim.key, [1.0]))
        if quick:
            firsts = firsts[:2]
        for c in firsts:
            out.append(Case(prim, "y", c))
    if only:
        out = [c for c in out if only in c.label]
    return out


def samples(case, quick=False):
    """Points of the varying argument where the float function is defined,
    finite and not on a kink."""
    mags = QUICK_MAGNITUDES if quick else MAGNITUDES
    edges = QUICK_EDGES if quick else EDGES
    cands = sorted({s * m for m in mags for s in (1.0, -1.0)} | set(edges))
    prim = case.prim
    out = []
    for v in cands:
        args = [v] if prim.arity == 1 else [case.point(v)["x"], case.point(v)["y"]]
        try:
            f = prim.fn(*args)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if not math.isfinite(f):
            continue
        if prim.kink is not None and prim.kink(*args):
            continue
        out.append(v)
    return out


def _orders(case):
    """(label order, (i, j)) pairs: derivatives d^i/dx^i d^j/dy^j to check."""
    pure = [(k, (k, 0) if case.var == "x" else (0, k)) for k in range(1, 5)]
    if case.prim.arity == 1:
        return pure
    mixed = [(2, (1, 1)), (3, (2, 1)), (3, (1, 2)), (4, (2, 2))]
    return pure + mixed


# --- the paths -----------------------------------------------------------------

def _wrt(ij):
    i, j = ij
    return ["x"] * i + ["y"] * j


def compute_paths(case, fn, point, orders):
    """{(path, ij): (value or exception text, whether adcli warned)} at one point."""
    var = case.var
    out = {}

    def attempt(path, ijs, compute):
        warned = False
        try:
            values, warnings = compute()
            warned = bool(warnings)
        except AdcliError as exc:
            values = [f"error: {exc.message}"] * len(ijs)
        except Exception as exc:  # a crash is a failing cell, not the audit's end
            values = [f"crash: {type(exc).__name__}: {exc}"] * len(ijs)
        for ij, v in zip(ijs, values, strict=True):
            out[(path, ij)] = (v, warned)

    def gradient(**kw):
        res = fn.gradient(point, wrt=[var], **kw)
        return [res.jacobian[0][var]], res.warnings

    pure = [ij for _, ij in orders if 0 in ij]
    mixed = [ij for _, ij in orders if 0 not in ij]
    first = pure[0]
    attempt("forward", [first], lambda: gradient(mode="forward"))
    attempt("reverse", [first], lambda: gradient(mode="reverse"))
    hess_ijs = [pure[1]] + [ij for ij in mixed if ij == (1, 1)]

    def hess():
        res = fn.hessian(point)
        h = res.hessian
        return [h[var][var]] + ([h["x"]["y"]] if len(hess_ijs) > 1 else []), res.warnings

    def taylor(**kw):
        res = fn.taylor(point, order=4, wrt=var, **kw)
        return res.derivatives[1:], res.warnings

    def partial(ij):
        res = fn.partial(point, wrt=",".join(_wrt(ij)))
        return [res.partial], res.warnings

    attempt("hessian", hess_ijs, hess)
    attempt("taylor", pure, taylor)
    for ij in pure + mixed:
        attempt("partial", [ij], lambda ij=ij: partial(ij))
    attempt("digits", [first], lambda: gradient(digits=DIGITS))

    def digits_taylor():
        values, warnings = taylor(digits=DIGITS)
        return values[1:], warnings

    attempt("digits", pure[1:], digits_taylor)

    def generated():
        names = list(fn.inputs)
        _, g, h = _generated(case.formula)([point[n] for n in names])
        n, i = len(names), names.index(var)
        return [g[i], h[i * n + i]] + ([h[1]] if len(hess_ijs) > 1 else []), []

    attempt("codegen", [first] + hess_ijs, generated)
    return out


_GENERATED: dict = {}


def _generated(formula):
    """The function ``adcli codegen --lang python --order 2`` writes for the
    formula: (f, gradient, Hessian) as flat lists."""
    found = _GENERATED.get(formula)
    if found is None:
        namespace: dict = {}
        exec(adcli.Function(formula).codegen("python", order=2), namespace)  # noqa: S102
        found = _GENERATED[formula] = namespace["adcli_f"]
    return found


def batch_first(case, fn, values):
    """Order-1 derivatives of every point at once through the NumPy batch kernel."""
    import numpy as np

    from adcli.batch.driver import GradKernel

    names = list(fn.inputs)
    kernel = GradKernel(fn, names, wrt=[case.var])
    X = np.array([[case.point(v)[n] for n in names] for v in values], dtype=np.float64)
    V, errors, _ = kernel.compute(X, set())
    col = kernel.columns.index(kernel.columns[1])
    return [(f"error: {errors[i]}" if i in errors else float(V[i, col]), False)
            for i in range(len(values))]


# --- the audit -----------------------------------------------------------------

def _relative(got, want):
    import mpmath

    if isinstance(got, str):
        return math.inf
    if got != got or got in (math.inf, -math.inf):
        return math.inf
    with mpmath.workdps(60):
        return float(abs(mpmath.mpf(got) - want) / abs(want))


class Cell:
    """One primitive x order x path: points compared, points beyond the
    tolerance without a warning (``fails``: silently wrong) and with one
    (``warned``: adcli said the number is not to be trusted), the worst
    relative error and where."""

    __slots__ = ("points", "fails", "warned", "worst", "where", "got")

    def __init__(self):
        self.points, self.fails, self.warned = 0, 0, 0
        self.worst, self.where, self.got = 0.0, None, None

    def add(self, err, tol, where, got, warned=False):
        self.points += 1
        if err > tol:
            if warned:
                self.warned += 1
            else:
                self.fails += 1
        if err > self.worst or self.where is None:
            if err >= self.worst:
                self.worst, self.where, self.got = err, where, got


def audit(quick=False, only=None, paths=None, progress=None):
    """{(row label, order, path): Cell} and {(row label, order): skip counts}."""
    paths = paths or PATHS
    cells, skips = {}, {}
    for case in cases(quick, only):
        if progress:
            progress(case.label)
        fn = adcli.Function(case.formula)
        orders = _orders(case)
        values = samples(case, quick)
        batch = batch_first(case, fn, values) if "batch" in paths and values else []
        for n, v in enumerate(values):
            pt = case.point(v)
            x = pt["x"]
            y = pt.get("y", 0.0)
            region = (x, y) if case.prim.key in ("min", "max", "cbrt", "abs", "sign") else (0, 0)
            if case.prim.key in ("cbrt", "abs", "sign"):
                region = (1.0 if x > 0 else -1.0, 0.0)
            refs = _derivative_fns(case.prim.key, tuple(ij for _, ij in orders), region)
            got = compute_paths(case, fn, pt, orders)
            if batch:
                got[("batch", orders[0][1])] = batch[n]
            for (k, ij), rfn in zip(orders, refs, strict=True):
                want, why = reference(rfn, x, y)
                slack = 0.0
                if want is not None:
                    slack = sensitivity(rfn, x, y, want, case.prim.arity)
                row = (case.label, k if 0 in ij else f"{k}{'x' * ij[0]}{'y' * ij[1]}")
                if want is None:
                    skips.setdefault(row, {}).setdefault(why, 0)
                    skips[row][why] += 1
                    continue
                for path in paths:
                    if (path, ij) not in got:
                        continue
                    g, warned = got[(path, ij)]
                    tol = DIGITS_TOLERANCE if path == "digits" else TOLERANCE[k] + slack
                    cell = cells.setdefault(row + (path,), Cell())
                    cell.add(_relative(g, want), tol, v, g if isinstance(g, str) else float(g),
                             warned)
    return cells, skips


# --- report --------------------------------------------------------------------

def _fmt_err(e):
    return "inf" if e == math.inf else f"{e:.1e}"


def table(cells, skips):
    """Markdown: one row per primitive and order, one column per path:
    failures/points and the worst relative error (at which argument)."""
    rows = sorted({(c[0], c[1]) for c in cells} | set(skips),
                  key=lambda r: (r[0], str(r[1])))
    lines = ["| primitive | order | " + " | ".join(PATHS) + " | skipped |",
             "|---|---|" + "---|" * (len(PATHS) + 1)]
    for row in rows:
        parts = []
        for path in PATHS:
            cell = cells.get(row + (path,))
            if cell is None:
                parts.append("")
                continue
            mark = f"**{cell.fails}/{cell.points}**" if cell.fails else f"0/{cell.points}"
            if cell.warned:
                mark += f" (warned {cell.warned})"
            where = f" @{cell.where:.3g}" if cell.fails or cell.warned else ""
            parts.append(f"{mark} {_fmt_err(cell.worst)}{where}")
        skip = ", ".join(f"{k} {v}" for k, v in sorted(skips.get(row, {}).items()))
        lines.append(f"| {row[0]} | {row[1]} | " + " | ".join(parts) + f" | {skip} |")
    return "\n".join(lines)


def summary(cells):
    """Cells pass (every point within tolerance), are warned (a point beyond
    it, and adcli warned there) or fail (a point beyond it, silently)."""
    total = len(cells)
    bad = [k for k, c in cells.items() if c.fails]
    warned = [k for k, c in cells.items() if c.warned and not c.fails]
    points = sum(c.points for c in cells.values())
    fails = sum(c.fails for c in cells.values())
    return (f"{total - len(bad) - len(warned)} of {total} primitive x order x path cells pass, "
            f"{len(warned)} warned, {len(bad)} fail "
            f"({fails} silently wrong comparisons of {points})")


def failures(cells):
    """One line per failing or warned cell, the worst first."""
    bad = sorted(((k, c) for k, c in cells.items() if c.fails or c.warned),
                 key=lambda kc: -kc[1].worst)
    return [f"{k[0]} order {k[1]} {k[2]}: {c.fails}/{c.points} fail, {c.warned} warned, "
            f"worst {_fmt_err(c.worst)} at {c.where!r} (got {c.got!r})" for k, c in bad]


def as_json(cells, skips):
    return {"cells": [{"primitive": k[0], "order": str(k[1]), "path": k[2], "points": c.points,
                       "failures": c.fails, "warned": c.warned,
                       "worst": None if c.worst == math.inf else c.worst,
                       "where": c.where} for k, c in sorted(cells.items(), key=str)],
            "skipped": [{"primitive": r[0], "order": str(r[1]), **s}
                        for r, s in sorted(skips.items(), key=str)]}


def run(quick=True):
    """For bench/run.py: one row, the summary line as its note."""
    start = time.perf_counter()
    cells, _ = audit(quick=quick)
    return [{"workload": f"accuracy audit{' (quick)' if quick else ''}",
             "adcli_s": time.perf_counter() - start, "peer": None, "peer_s": None,
             "note": summary(cells)}]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few points per primitive")
    ap.add_argument("--only", help="rows whose name contains this")
    ap.add_argument("--paths", help="comma-separated subset of " + ",".join(PATHS))
    ap.add_argument("--json", help="save the cells here")
    ap.add_argument("--failures", action="store_true", help="list the failing and warned cells")
    args = ap.parse_args(argv)
    paths = args.paths.split(",") if args.paths else None
    start = time.perf_counter()
    cells, skips = audit(args.quick, args.only, paths,
                         progress=lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    print(table(cells, skips))
    print()
    print(summary(cells), f"in {time.perf_counter() - start:.0f} s")
    if args.failures:
        print("\n".join(failures(cells)))
    if args.json:
        Path(args.json).write_text(json.dumps(as_json(cells, skips), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
