"""Formulas and points shared by the diff and codegen tests: every
primitive of the table, programs, several outputs."""

from adcli.primitives import TABLE

# A point inside each primitive's domain and away from its kinks.
_SPECIAL = {"acosh": "x + 1.2", "log1p": "x", "logb": None}


def _primitive_cases():
    cases = []
    for prim in TABLE:
        if prim.infix:
            expr = f"x {prim.infix} y" if prim.arity == 2 else f"{prim.infix}(x*y)"
        elif prim.arity == 1:
            arg = _SPECIAL.get(prim.key) or "x*y"
            expr = f"{prim.name}({arg})"
        else:
            expr = f"{prim.name}(x, y)"
        cases.append((f"prim-{prim.key}", expr, {"x": 0.3, "y": 2.5}))
    return cases


CORPUS = _primitive_cases() + [
    ("worked-example", "x1*x2 + sin(x1)", {"x1": 2.0, "x2": 3.0}),
    ("product-sine", "x^2*sin(x)", {"x": 0.7}),
    ("program", "a = x*y; b = exp(-a)\nc = a*b + log(1 + x^2)\nc/(1 + b)",
     {"x": 0.4, "y": -1.3}),
    ("several-outputs", "r = hypot(x, y); r, atan2(y, x), x*y*z", {"x": 1.5, "y": -0.5, "z": 2.0}),
    ("rosenbrock", "(1 - x)^2 + 100*(y - x^2)^2", {"x": -1.2, "y": 1.0}),
    ("shared", "s = sin(x*y); s*s + s/x - sqrt(s + 2)", {"x": 0.8, "y": 1.1}),
    ("powers", "x^y + y^3 + 2^x + x^-2 + x^0.5", {"x": 1.7, "y": 0.9}),
    ("constants", "pi*x + e^x - tau/x + 0*x + 1*x", {"x": 0.6}),
    ("min-max-abs", "max(x, y) - min(x^2, y) + abs(x - y)", {"x": 0.3, "y": 0.9}),
    ("nested", "sin(cos(tan(x)))*exp(sin(x))", {"x": 0.35}),
]


def close(a, b, rel=1e-15, scale=0.0):
    """|a - b| within ``rel`` of the larger magnitude (or of ``scale``)."""
    if a == b:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)
