"""Accuracy: adcli's float64 derivatives against sympy references computed
with mpmath at 50 digits, as the largest relative error per kind.

    python -m bench.accuracy        # a few seconds; needs sympy

Kinds: gradients (forward and reverse), Hessians, Taylor derivatives up to
order 12 along a line, and mixed partials up to order 4.  The issues ask for
gradients to a few ulps (1e-14), Hessians to 1e-12, Taylor derivatives and
mixed partials to 1e-10.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import adcli  # noqa: E402

DIGITS = 50

GRADIENTS = [
    ("x1*x2 + sin(x1)", {"x1": 2, "x2": 3}),
    ("exp(-x^2/2)*cos(x*y) + log(1 + y^2)", {"x": 0.7, "y": -1.3}),
    ("atan2(y, x) + hypot(x, y) + sqrt(x*y)", {"x": 1.5, "y": 0.25}),
    ("tanh(x)^3/(1 + cosh(y)) - asin(x/3)*acos(y/2)", {"x": 0.4, "y": 0.9}),
]
HESSIANS = GRADIENTS + [("100*(y - x^2)^2 + (1 - x)^2", {"x": -1.2, "y": 1.0})]
TAYLOR = [
    ("exp(sin(x))", {"x": 0.5}, {"x": 1}),
    ("1/(1 + x^2)", {"x": 0.3}, {"x": 1}),
    ("atan(x)", {"x": 0.8}, {"x": 1}),
    ("log(1 + x)", {"x": 0.2}, {"x": 1}),
    ("exp(x*y)*sin(x + y^2)", {"x": 0.3, "y": 0.7}, {"x": 1, "y": 2}),
]
PARTIALS = [
    ("exp(x*y)*sin(x + y^2)", {"x": 0.3, "y": 0.7}, "x,x,y"),
    ("exp(x*y)*sin(x + y^2)", {"x": 0.3, "y": 0.7}, "x,y,y,y"),
    ("log(1 + x^2*y)/(2 + cos(y))", {"x": 1.1, "y": 0.4}, "x,x,y,y"),
    ("atan(x*y) + x^3*y^2", {"x": 0.6, "y": -0.8}, "x,y"),
]


def _rel(got, want):
    """|got − want| / |want|, computed at the reference's precision."""
    import sympy

    return float(abs(sympy.Float(got, DIGITS) - want) / abs(want))


def _sym(src, point):
    import sympy

    names = {k: sympy.Symbol(k) for k in point}
    funcs = {"hypot": lambda a, b: sympy.sqrt(a**2 + b**2)}
    expr = sympy.sympify(src.replace("^", "**"), locals={**names, **funcs})
    subs = {names[k]: sympy.Rational(str(float(v))) for k, v in point.items()}
    return expr, names, subs


def gradients():
    import sympy

    worst = 0.0
    for src, point in GRADIENTS:
        expr, names, subs = _sym(src, point)
        for mode in ("forward", "reverse"):
            g = adcli.compile(src).gradient(point, mode=mode).gradient
            for k, v in g.items():
                ref = sympy.diff(expr, names[k]).evalf(DIGITS, subs=subs)
                worst = max(worst, _rel(v, ref))
    return worst


def hessians():
    import sympy

    worst = 0.0
    for src, point in HESSIANS:
        expr, names, subs = _sym(src, point)
        h = adcli.compile(src).hessian(point).hessian
        for r, row in h.items():
            for c, v in row.items():
                ref = sympy.diff(expr, names[r], names[c]).evalf(DIGITS, subs=subs)
                if ref != 0:
                    worst = max(worst, _rel(v, ref))
    return worst


def taylor(order=12):
    import sympy

    worst = 0.0
    t = sympy.Symbol("t")
    for src, point, direction in TAYLOR:
        expr, names, subs = _sym(src, point)
        line = expr.subs({names[k]: sympy.Rational(str(float(point[k])))
                          + direction.get(k, 0) * t for k in point})
        got = adcli.compile(src).taylor(point, order, direction=direction).derivatives
        d = line
        for k in range(order + 1):
            worst = max(worst, _rel(got[k], d.evalf(DIGITS, subs={t: 0})))
            d = sympy.diff(d, t)
    return worst


def partials():
    import sympy

    worst = 0.0
    for src, point, wrt in PARTIALS:
        expr, names, subs = _sym(src, point)
        got = adcli.compile(src).partial(point, wrt=wrt).partial
        ref = sympy.diff(expr, *[names[w] for w in wrt.split(",")]).evalf(DIGITS, subs=subs)
        worst = max(worst, _rel(got, ref))
    return worst


def run():
    return [("gradient (forward and reverse)", gradients(), 1e-14),
            ("Hessian", hessians(), 1e-12),
            ("Taylor derivatives, orders 0-12", taylor(), 1e-10),
            ("mixed partials, orders 2-4", partials(), 1e-10)]


def main():
    print(f"{'kind':34} {'max relative error':>18} {'bound':>8}")
    for kind, err, bound in run():
        flag = "" if err <= bound else "  ABOVE THE BOUND"
        print(f"{kind:34} {err:18.2e} {bound:8.0e}{flag}")


if __name__ == "__main__":
    main()
