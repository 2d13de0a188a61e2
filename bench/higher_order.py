"""Benchmarks for Hessians, Taylor mode and mixed partials (issue 4).

    python bench/higher_order.py [--quick] [--json]

Every ratio is measured in this one run (best of several repeats), never
against stored numbers.  ``run(quick)`` returns the rows for the overall
bench runner: {"workload", "adcli_s", "peer", "peer_s", "ratio", "note"}
with ratio = adcli_s / peer_s (below 1: adcli is faster than the peer).

Workloads:
* Hessian of a 100-variable function / its gradient (forward-over-reverse
  needs one Hessian-vector product per input, so about n × a small constant);
* the 30th derivative of exp(sin(x)) at 0.5 (in-process and as a real
  ``adcli taylor`` process), and the growth from order 10 to 40 (Taylor mode
  is O(K²): at most (40/10)² = 16);
* sympy's ``diff`` (parse, differentiate, evaluate) at order 8 and 12, and a
  mixed partial ∂⁶/∂x³∂y³, against adcli end to end (parse included);
* JAX / PyTorch nested differentiation where installed;
* the API over NumPy arrays of points (values, gradient, Hessian, Taylor, a
  partial, uᵀ·J): one vectorised sweep against one call per point, and the
  largest difference between their numbers in ulps.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import adcli  # noqa: E402
from bench.common import best, print_rows, row  # noqa: E402


def hundred_variables(n=100):
    terms = [f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n)]
    terms += [f"sin(x{i})*exp(0.01*x{i})" for i in range(1, n + 1)]
    text = " + ".join(terms)
    point = {f"x{i}": 0.5 + 0.01 * i for i in range(1, n + 1)}
    return text, point


def dense_hundred(n=100):
    """Every Hessian entry nonzero: every H·eᵢ sweeps the whole tape."""
    s = " + ".join(f"x{i}" for i in range(1, n + 1))
    q = " + ".join(f"x{i}^2" for i in range(1, n + 1))
    text = f"s = {s}; q = {q}; exp(0.01*s)*sin(q/100) + log(1 + q)"
    point = {f"x{i}": 0.5 + 0.01 * i for i in range(1, n + 1)}
    return text, point


def bench_hessian(quick):
    rows = []
    reps = 3 if quick else 7
    for label, (text, point) in (("sparse (chained Rosenbrock + sin·exp)", hundred_variables()),
                                 ("dense (exp(s)·sin(q) + log(1+q))", dense_hundred())):
        f = adcli.compile(text)
        f.gradient(point)
        f.hessian(point)  # compile the rules once
        tg = best(lambda f=f, point=point: f.gradient(point), reps, 0.2)
        th = best(lambda f=f, point=point: f.hessian(point), reps)
        rows.append(row(f"hessian, 100 variables, {label}", th, "gradient (adcli, reverse)",
                        tg, f"Hessian / gradient = {th / tg:.1f} = {th / tg / 100:.2f} × n"))
    return rows


def bench_taylor(quick):
    text = "exp(sin(x))"
    reps = 3 if quick else 7

    def at(order):
        return lambda: adcli.Function(text).taylor({"x": 0.5}, order)

    t = {k: best(at(k), reps, 0.2) for k in (10, 20, 30, 40)}
    rows = [row("taylor exp(sin(x)) order 30 (in-process)", t[30], "one second", 1.0,
                "the 30th derivative at 0.5, parse included"),
            row("taylor exp(sin(x)) growth order 10 → 40", t[40], "order 10 (adcli)", t[10],
                f"times 10/20/30/40: {t[10]:.2e}/{t[20]:.2e}/{t[30]:.2e}/{t[40]:.2e} s; "
                "O(K²) allows 16")]
    t160 = best(at(160), reps, 0.2)
    rows.append(row("taylor exp(sin(x)) growth order 40 → 160", t160, "order 40 (adcli)", t[40],
                    "fixed costs amortised: O(K²) predicts 16"))
    cmd = _adcli() + ["taylor", text, "--at", "x=0.5", "--order", "30", "--format", "json"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")

    def process():
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    tp = best(process, 2 if quick else 5)
    rows.append(row("adcli taylor --order 30 (real process)", tp, "one second", 1.0,
                    "start-up, parse, sweep, JSON"))
    return rows


def bench_sympy(quick):
    import sympy as sp
    from sympy.core.cache import clear_cache

    text = "exp(sin(x))"
    rows = []
    reps = 2 if quick else 5
    for order in (8, 12):
        def sym(order=order):
            clear_cache()  # sympy memoises diff: time the real work every time
            x = sp.Symbol("x")
            e = sp.sympify(text)
            return float(sp.diff(e, x, order).subs(x, sp.Float(0.5)).evalf())

        def ad(order=order):
            return adcli.Function(text).taylor({"x": 0.5}, order).derivatives[order]

        ts = best(sym, reps)
        ta = best(ad, reps, 0.2)
        rows.append(row(f"d^{order}/dx^{order} exp(sin(x)) at 0.5", ta, "sympy diff", ts,
                        f"adcli {ts / ta:.0f}× faster"))
    text2 = "exp(x*y)*sin(x + y^2)"

    def sym2():
        clear_cache()
        x, y = sp.symbols("x y")
        e = sp.sympify(text2.replace("^", "**"))
        return float(sp.diff(e, x, 3, y, 3).subs({x: sp.Float(0.3), y: sp.Float(0.7)}).evalf())

    def ad2():
        return adcli.Function(text2).partial({"x": 0.3, "y": 0.7}, "x,x,x,y,y,y").partial

    ts = best(sym2, reps)
    ta = best(ad2, reps, 0.2)
    sweeps = adcli.Function(text2).partial({"x": 0.3, "y": 0.7}, "x,x,x,y,y,y").sweeps
    rows.append(row("∂⁶/∂x³∂y³ exp(x*y)*sin(x+y²)", ta, "sympy diff", ts,
                    f"adcli {ts / ta:.0f}× faster ({sweeps} Taylor sweeps of order 6)"))
    # Both as fresh processes: start-up, import, parse, differentiate, print.
    code = ("import sympy as sp; x = sp.Symbol('x'); "
            "print(float(sp.diff(sp.sympify('exp(sin(x))'), x, 12).subs(x, 0.5).evalf()))")
    ts = best(lambda: subprocess.run([sys.executable, "-c", code], check=True,
                                     capture_output=True), reps)
    ta = best(lambda: subprocess.run(_adcli() + ["taylor", text, "--at", "x=0.5", "--order",
                                                 "12", "--format", "json"],
                                     check=True, capture_output=True), reps)
    rows.append(row("order 12, both as fresh processes", ta, "python -c sympy.diff", ts,
                    f"adcli {ts / ta:.1f}× faster end to end"))
    return rows


def _adcli():
    exe = Path(sys.executable).with_name("adcli")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "adcli"]


def bench_frameworks(quick):
    """Nested first-order differentiation, the way a JAX or PyTorch user
    would get the k-th derivative (in-process, imports excluded)."""
    rows = []
    text = "exp(sin(x))"

    def ad(order):
        return lambda: adcli.Function(text).taylor({"x": 0.5}, order).derivatives[order]

    try:
        import torch
    except ImportError:
        rows.append(row("PyTorch nested autograd", float("nan"), "PyTorch", None,
                        "not installed"))
    else:
        for order in (8, 12):
            def nested(order=order):
                x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
                y = torch.exp(torch.sin(x))
                for _ in range(order):
                    (y,) = torch.autograd.grad(y, x, create_graph=True)
                return y.item()

            tp = best(nested, 2 if quick else 5)
            ta = best(ad(order), 3, 0.2)
            rows.append(row(f"d^{order}/dx^{order} exp(sin(x)) at 0.5", ta,
                            "PyTorch nested autograd", tp, f"adcli {tp / ta:.0f}× faster"))
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        rows.append(row("JAX nested grad", float("nan"), "JAX", None, "not installed"))
    else:
        jax.config.update("jax_enable_x64", True)
        order = 8  # order 12 took over 200 s in a trial run: not repeated here

        def nested_jax():
            g = lambda x: jnp.exp(jnp.sin(x))  # noqa: E731
            for _ in range(order):
                g = jax.grad(g)
            return float(g(0.5))

        tj = best(nested_jax, 1)
        ta = best(ad(order), 3, 0.2)
        rows.append(row(f"d^{order}/dx^{order} exp(sin(x)) at 0.5", ta,
                        "JAX nested jax.grad", tj,
                        f"adcli {tj / ta:.0f}× faster (trace included, as a user pays it)"))
    return rows


ARRAY_FORMULA = "exp(-x^2/2)*cos(x*y) + log(1 + y^2)*sin(x) + x*y^3"
ARRAY_CALLS = {
    "evaluate": lambda f, p: f.evaluate(p),
    "gradient": lambda f, p: f.gradient(p),
    "hessian": lambda f, p: f.hessian(p),
    "taylor order 8": lambda f, p: f.taylor(p, 8, wrt="x"),
    "partial d3/dx3": lambda f, p: f.partial(p, "x,x,x"),
    "vjp": lambda f, p: f.vjp(p, [1.0]),
}


def _largest_ulps(together, alone, index):
    """The largest difference, in units in the last place of the one-call
    number, between an array result and one call at point ``index``."""
    import math

    import numpy as np

    worst = 0.0
    for slot in ("value", "gradient", "hessian", "coefficients_of", "partials", "derivatives"):
        if not hasattr(alone, slot):
            continue
        stack = [(getattr(alone, slot), getattr(together, slot))]
        while stack:
            a, b = stack.pop()
            if isinstance(a, dict):
                stack.extend((a[k], b[k]) for k in a)
            elif isinstance(a, list):
                stack.extend(zip(a, b, strict=True))
            elif a is not None:
                worst = max(worst, abs(float(np.asarray(b)[index]) - a) / math.ulp(a or 1e-300))
    return worst


def bench_arrays(quick):
    """The API over NumPy arrays of points (one vectorised sweep) against one
    call per point, and how far apart their numbers are (ulps)."""
    import numpy as np

    rows = []
    reps = 3 if quick else 5
    f = adcli.compile(ARRAY_FORMULA)
    for n in ((16, 1000) if quick else (16, 100, 10_000)):
        rng = np.random.default_rng(7)
        xs, ys = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
        points = [{"x": float(x), "y": float(y)} for x, y in zip(xs, ys, strict=True)]
        for label, call in ARRAY_CALLS.items():
            together = call(f, {"x": xs, "y": ys})
            ulps = max(_largest_ulps(together, call(f, p), i) for i, p in enumerate(points))
            ta = best(lambda call=call, xs=xs, ys=ys: call(f, {"x": xs, "y": ys}), reps)
            tp = best(lambda call=call, points=points: [call(f, p) for p in points], reps)
            rows.append(row(f"API {label} over arrays, {n:,} points", ta,
                            "one call per point (adcli)", tp,
                            f"{tp / ta:.1f}x faster; largest difference {ulps:.0f} ulps"))
    return rows


CROSSOVER_SIZES = (4, 8, 12, 16, 20, 24, 32, 48, 64, 128, 256)
CROSSOVER_CALLS = {  # the kind of adcli.higher.VECTOR_FROM each call is
    "evaluate": ARRAY_CALLS["evaluate"],
    "gradient": ARRAY_CALLS["gradient"],
    "hessian": ARRAY_CALLS["hessian"],
    "jvp": lambda f, p: f.jvp(p, {"x": 1.0, "y": -1.0}),
    "vjp": ARRAY_CALLS["vjp"],
    "taylor": ARRAY_CALLS["taylor order 8"],
    "partial": ARRAY_CALLS["partial d3/dx3"],
}


def bench_crossover(quick=True, sizes=CROSSOVER_SIZES):
    """Per kind of call and number of points n: the API over arrays as one
    NumPy sweep against the same call as one call per point (both forced
    at every n through ``adcli.higher.VECTOR_FROM``: the choice the
    threshold makes, stacking of the results included), on
    ``ARRAY_FORMULA``; ratio = sweep / calls (below 1: the sweep is
    faster).  Each pair is timed interleaved, best of several repeats.
    ``crossover(rows)`` reads off the smallest n from which the sweep is
    faster at every larger n."""
    import numpy as np

    from adcli import higher

    reps = 5 if quick else 9
    f = adcli.compile(ARRAY_FORMULA)
    saved = dict(higher.VECTOR_FROM)
    rows = []
    try:
        for kind, call in CROSSOVER_CALLS.items():
            for n in sizes:
                rng = np.random.default_rng(7)
                xs, ys = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)

                def together(call=call, kind=kind, xs=xs, ys=ys):
                    higher.VECTOR_FROM[kind] = 1
                    return call(f, {"x": xs, "y": ys})

                def alone(call=call, kind=kind, xs=xs, ys=ys):
                    higher.VECTOR_FROM[kind] = 1 << 62
                    return call(f, {"x": xs, "y": ys})

                together(), alone()
                ta = tp = float("inf")
                for _ in range(reps):  # interleaved: a burst of load hits both
                    ta = min(ta, best(together, 1, min_time=0.02))
                    tp = min(tp, best(alone, 1, min_time=0.02))
                rows.append(row(f"{kind} over arrays, {n} points", ta,
                                "the API's one call per point", tp,
                                f"{tp / ta:.2f}x; threshold now {saved[kind]}"))
    finally:
        higher.VECTOR_FROM.update(saved)
    return rows


def crossover(rows):
    """{kind: the smallest n of the rows from which the sweep is faster at
    every larger n measured, or None where it is not faster at the largest}."""
    out = {}
    for r in rows:  # in increasing n per kind
        kind, n = r["workload"].split(" over arrays, ")
        faster = r["ratio"] < 1
        if not faster:
            out[kind] = None
        elif out.get(kind) is None:
            out[kind] = int(n.split()[0])
    return out


def run(quick=False):
    rows = []
    rows += bench_arrays(quick)
    rows += bench_hessian(quick)
    rows += bench_taylor(quick)
    rows += bench_sympy(quick)
    rows += bench_frameworks(quick)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--json", action="store_true", help="rows as JSON")
    ap.add_argument("--crossover", action="store_true",
                    help="only the arrays crossover: per kind of call, from how many points "
                         "one NumPy sweep beats one call per point (adcli.higher.VECTOR_FROM)")
    args = ap.parse_args()
    if args.crossover:
        rows = bench_crossover(args.quick)
        print_rows(rows, args.json)
        print("crossover (sweep faster from n on):", crossover(rows))
        return
    print_rows(run(args.quick), args.json)


if __name__ == "__main__":
    main()
