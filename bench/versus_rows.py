"""The ``python -m bench`` workloads, this tree against an older revision.

    python -m bench.versus_rows [--ref de72aa2] [--rounds 5] [--only kernel ...]

Issue #10's rule is that no workload of ``python -m bench`` gets slower.
The bench's own figures are wall times beside peers, which a shared machine
blurs; this runs the adcli side of every workload the two revisions have in
common (start-up, the Rosenbrock chain end to end, the in-process kernels,
the higher-order, batch and precision rows) in CPU time, in both trees in
the same run: each round starts one child per tree (the order alternates),
and a figure is the best over rounds.  Whole commands are timed by the
child's own rusage (user + sys, ``os.wait4``), in-process calls by
``time.process_time`` (best of batches of at least 20 ms).  Both trees run
with this interpreter and its dependencies (``PYTHONPATH`` picks the tree),
so only adcli differs.  Workloads that exist in one revision only (the
array API, the scaling fits, codegen, sparse) are left out: there is
nothing to compare them with.  No figure is stored: a ratio means
something only when both sides ran together.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.versus import unpack  # noqa: E402

WORKED = "x1*x2+sin(x1)"
BATCH_EXPR = "x1*x2 + sin(x1)"  # bench/batch.py's formula
GROUPS = ["startup", "rosenbrock", "kernel", "higher_order", "batch", "precision"]


def rosenbrock(n):
    """bench/run.py's chain: (formula, point text)."""
    formula = "+".join(f"100*(x{i + 1}-x{i}^2)^2+(1-x{i})^2" for i in range(1, n))
    point = ",".join(f"x{i}={-1.2 if i % 2 else 1.0}" for i in range(1, n + 1))
    return formula, point


def hundred_variables(n=100):
    """bench/higher_order.py's sparse Hessian formula."""
    terms = [f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n)]
    terms += [f"sin(x{i})*exp(0.01*x{i})" for i in range(1, n + 1)]
    return " + ".join(terms), {f"x{i}": 0.5 + 0.01 * i for i in range(1, n + 1)}


def dense_hundred(n=100):
    """bench/higher_order.py's dense Hessian formula."""
    s = " + ".join(f"x{i}" for i in range(1, n + 1))
    q = " + ".join(f"x{i}^2" for i in range(1, n + 1))
    text = f"s = {s}; q = {q}; exp(0.01*s)*sin(q/100) + log(1 + q)"
    return text, {f"x{i}": 0.5 + 0.01 * i for i in range(1, n + 1)}


# --- whole commands ----------------------------------------------------------

def commands(tmp):
    """{group: [(workload, argv after ``adcli``, stdin path or None)]}, files in tmp."""
    out = {"startup": [("worked example grad --format json, cold process",
                        ["grad", WORKED, "--at", "x1=2,x2=3", "--format", "json"], None)],
           "rosenbrock": []}
    for n in (10, 100, 1000, 10000):
        formula, point = rosenbrock(n)
        ffile, pfile = Path(tmp, f"rb{n}.txt"), Path(tmp, f"rb{n}_at.txt")
        ffile.write_text(formula)
        pfile.write_text(point)
        out["rosenbrock"].append((f"Rosenbrock n={n:,} value+gradient, process",
                                  ["grad", "-f", str(ffile), "--at", f"@{pfile}",
                                   "--format", "json"], None))
    out["higher_order"] = [
        (f"taylor exp(sin(x)) --order {k}, process",
         ["taylor", "exp(sin(x))", "--at", "x=0.5", "--order", str(k), "--format", "json"], None)
        for k in (12, 30)]
    out["precision"] = [
        ("grad --digits 100, worked example, process",
         ["grad", BATCH_EXPR, "--at", "x1=2,x2=3", "--digits", "100", "--format", "plain"], None),
        ("grad float64, worked example, process",
         ["grad", BATCH_EXPR, "--at", "x1=2,x2=3", "--format", "plain"], None)]
    points = Path(tmp, "points.csv")
    with open(points, "w") as fh:  # bench/batch.py's 10^6 uniform points, fixed seed
        import random

        rng = random.Random(1)
        fh.write("x1,x2\n")
        fh.writelines(f"{rng.uniform(-3, 3)!r},{rng.uniform(-3, 3)!r}\n" for _ in range(10**6))
    out["batch"] = [("grad CSV->CSV, 1,000,000 points, process",
                     ["grad", BATCH_EXPR, "--points", str(points), "--format", "csv"], None)]
    return out


def command_cpu(tree, argv, repeats):
    """Best user+sys seconds of ``python -m adcli argv`` run from ``tree``."""
    env = dict(os.environ, PYTHONPATH=tree)
    best = float("inf")
    for _ in range(repeats):
        with open(os.devnull, "w") as null:
            proc = subprocess.Popen([sys.executable, "-m", "adcli", *argv], stdout=null,
                                    stderr=subprocess.PIPE, env=env, cwd=tree)
            _, status, usage = os.wait4(proc.pid, 0)
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
        if status != 0:
            raise RuntimeError(f"{tree}: adcli {' '.join(argv[:3])} failed: {err[-300:]}")
        best = min(best, usage.ru_utime + usage.ru_stime)
    return best


# --- in-process calls ----------------------------------------------------------

def in_process(group):
    """[(workload, zero-argument callable)] for ``group``; adcli is imported
    from whichever tree is first on sys.path (the child's)."""
    import adcli

    calls = []
    if group == "kernel":
        from adcli.modes.sweeps import forward, linearize, primal, reverse

        for n in (10, 100, 1000, 10000):
            formula, point_text = rosenbrock(n)
            f = adcli.compile(formula)
            point = {k: float(v) for k, v in (p.split("=") for p in point_text.split(","))}
            tape = f.tape(list(point))
            values = list(point.values())
            calls += [
                (f"kernel n={n:,}: evaluation", lambda t=tape, v=values: primal(t, v)),
                (f"kernel n={n:,}: reverse gradient (linearize + sweep)",
                 lambda t=tape, v=values: reverse(linearize(t, v), [[1.0]])),
                (f"kernel n={n:,}: API gradient", lambda f=f, p=point: f.gradient(p))]
            if n <= 1000:
                seeds = [[1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
                calls.append((f"kernel n={n:,}: forward gradient (n sweeps)",
                              lambda t=tape, v=values, s=seeds: forward(linearize(t, v), s)))
    elif group == "higher_order":
        for label, (text, point) in (("sparse", hundred_variables()),
                                     ("dense", dense_hundred())):
            f = adcli.compile(text)
            calls += [(f"hessian 100 variables, {label}", lambda f=f, p=point: f.hessian(p)),
                      (f"gradient 100 variables, {label}", lambda f=f, p=point: f.gradient(p))]
        for k in (8, 10, 12, 20, 30, 40, 160):
            calls.append((f"taylor exp(sin(x)) order {k}, parse included",
                          lambda k=k: adcli.Function("exp(sin(x))").taylor({"x": 0.5}, k)))
        calls.append(("partial d6/dx3dy3 exp(x*y)*sin(x+y^2), parse included",
                      lambda: adcli.Function("exp(x*y)*sin(x + y^2)").partial(
                          {"x": 0.3, "y": 0.7}, "x,x,x,y,y,y")))
    elif group == "precision":
        for n in (100, 1000):
            calls.append((f"gradient to {n} digits, in-process",
                          lambda n=n: _precise_gradient(adcli, n)))
    return calls


def _precise_gradient(adcli, digits):
    """bench/precision.py's in-process call, in either revision's API."""
    point = {"x1": "2", "x2": "3"}
    try:
        res = adcli.grad(BATCH_EXPR, point, digits=digits)
        return res.format(res.gradient["x1"])
    except (TypeError, AttributeError):  # de72aa2: the separate precise API
        from adcli.modes import precise

        res = precise.gradient(BATCH_EXPR, point, digits=digits)
        return res.context.format(res.gradient["x1"])


def best_cpu(fn, batch=0.02, repeats=3):
    """Best CPU seconds per call over ``repeats`` batches of >= ``batch`` s."""
    fn()  # rules compiled, caches warm
    best = float("inf")
    for _ in range(repeats):
        n, start = 0, time.process_time()
        while (spent := time.process_time() - start) < batch:
            fn()
            n += 1
        best = min(best, spent / n)
    return best


def child(tree, groups):
    sys.path.insert(0, tree)
    import adcli

    assert Path(adcli.__file__).resolve().is_relative_to(Path(tree).resolve()), adcli.__file__
    return {name: best_cpu(fn) for g in groups for name, fn in in_process(g)}


# --- both trees ------------------------------------------------------------------

def compare(ref, groups, rounds, repeats):
    """[(group, workload, old s, new s)], children interleaved round by round."""
    with tempfile.TemporaryDirectory(prefix="adcli-versus-rows-") as tmp:
        old_dir = Path(tmp, "old")
        old_dir.mkdir()
        old = unpack(ref, old_dir)
        trees = {"old": str(old), "new": str(ROOT)}
        cmds = {g: c for g, c in commands(tmp).items() if g in groups}
        best = {"old": {}, "new": {}}
        order = {}

        def keep(side, name, group, secs):
            order.setdefault(name, group)
            best[side][name] = min(secs, best[side].get(name, secs))

        for side in trees:  # bytecode for both (as pip writes it at install), caches warm
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(trees[side],
                                                                           "adcli"))],
                           check=True)
            command_cpu(trees[side], commands_first(cmds), 1)
        for r in range(rounds):
            for side in (("old", "new") if r % 2 == 0 else ("new", "old")):
                got = json.loads(subprocess.run(
                    [sys.executable, __file__, "--child", trees[side], *groups],
                    check=True, capture_output=True, text=True).stdout)
                for name, secs in got.items():
                    keep(side, name, _group_of(name), secs)
                for group, rows in cmds.items():
                    for name, argv, _ in rows:
                        keep(side, name, group,
                             command_cpu(trees[side], argv, 1 if "1,000,000" in name
                                         else repeats))
    return [(order[n], n, best["old"][n], best["new"][n]) for n in order
            if n in best["old"] and n in best["new"]]


def commands_first(cmds):
    for rows in cmds.values():
        return rows[0][1]
    return ["eval", "1"]


def _group_of(name):
    if name.startswith("kernel"):
        return "kernel"
    return "precision" if "digits" in name else "higher_order"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.versus_rows",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="de72aa2", help="the older revision (default de72aa2)")
    ap.add_argument("--rounds", type=int, default=5, help="child pairs (default 5)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="runs of each command per round (default 3)")
    ap.add_argument("--only", nargs="+", choices=GROUPS, default=GROUPS)
    ap.add_argument("--child", metavar="TREE", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args(argv)
    if args.child:
        print(json.dumps(child(args.child, rest)))
        return 0
    rows = compare(args.ref, args.only, args.rounds, args.repeats)
    print(f"CPU seconds (user+sys), best of {args.rounds} interleaved rounds; "
          f"before = {args.ref}, after = this tree")
    print("| workload | before | after | after/before |\n|---|---:|---:|---:|")
    for group, name, old, new in rows:
        print(f"| [{group}] {name} | {_fmt(old)} | {_fmt(new)} | {new / old:.2f} |")
    return 0


def _fmt(s):
    return f"{s:.3f} s" if s >= 1 else (f"{s * 1e3:.2f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs")


if __name__ == "__main__":
    sys.exit(main())
