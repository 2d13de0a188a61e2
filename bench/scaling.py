"""How each command's time grows with the size of its input, and a check
that it grows no faster than its algorithm needs.

    python -m bench.scaling [--quick] [--only TEXT ...]   (also run by ``python -m bench``)

Every command (eval, grad, grad --dir (J·v), grad --cotangent (uᵀ·J),
the Jacobian of several outputs, hessian, taylor, partial, check, trace,
graph, diff, codegen, sparsity, plot's sampling and every ``--points``
batch) runs along every dimension that applies to it: formula length,
inputs, outputs, rows and columns of a batch, derivative order, plot
samples.  ``functions`` has no size to grow (the fixed primitives table);
J·v and uᵀ·J have no batch form (``--dir``/``--cotangent`` with
``--points`` is a usage error), so they have no rows or columns.

Each case runs in-process (click's CliRunner: the same code as
``adcli ...`` without a new interpreter) at a few sizes n and once at the
smallest size, n = 1: the **floor** (parsing the options, one tiny sweep,
the output's frame), measured in the same run.  Times are the CPU time of
this process (other processes on a shared machine add little to it),
each size's the median of three passes over all the sizes in alternating
order (five when the first three fit steep), after a full collection (the
garbage of the run before is not this one's to scan).  The exponent k of time − floor ~ n^k is
the least-squares slope of log(time − floor) against log(n): without the
floor a fixed cost would pull k below the growth it hides.  Where the
largest size costs less than twice the floor the growth is too small to
fit; the slope of the raw times is given instead (marked "raw").

Every case states the exponent its algorithm needs: 1 for anything
linear in what it reads and prints; 2 for a dense Hessian over n inputs
(n² numbers), a finite-difference check over n inputs (n sweeps over a
formula of n terms), Taylor coefficients of order K (K² products each),
a Hessian program generated for n inputs.  k > 1.2 is **superlinear**
(flagged, whatever the case needs); k above the need by more than
``SLACK`` (0.2) is **too steep** and fails the full run.  ``--quick``
(CI) fails only above the need by ``QUICK_SLACK`` (0.5): its small sizes
fit noisily, but a quadratic bug in a linear case (the plain graph of a
long sum, the JSONL template rebuilt per column) shows as k near 2 even
there.
"""

import argparse
import gc
import math
import statistics
import sys
import time
from typing import NamedTuple

SLACK = 0.2  # allowed excess over the needed exponent: linear cases fail above 1.2
SUPERLINEAR = 1.2
# --quick (CI): small sizes fit noisily, so only a clear excess fails the run
# (a quadratic bug in a linear case); the full run fails at SLACK
QUICK_SLACK = 0.5
# passes added to a case that fits steep, before it is called so
MORE_PASSES = 2


class Shape(NamedTuple):
    """A formula of some size: its text, the --at point, inputs, outputs."""

    expr: str
    at: str
    inputs: list
    outputs: int


def by_length(n):
    """One input, one output, n terms: sin(1*x)+sin(2*x)+…"""
    return Shape("+".join(f"sin({k}*x)" for k in range(1, n + 1)), "x=0.5", ["x"], 1)


def by_inputs(n):
    """n inputs, each used twice: x1*sin(x1)+x2*sin(x2)+…"""
    names = [f"x{i}" for i in range(1, n + 1)]
    return Shape("+".join(f"{v}*sin({v})" for v in names),
                 ",".join(f"{v}=0.5" for v in names), names, 1)


def by_outputs(n):
    """One input, n outputs: sin(1*x), sin(2*x), …"""
    return Shape(", ".join(f"sin({k}*x)" for k in range(1, n + 1)), "x=0.5", ["x"], n)


SHAPES = {"formula length": by_length, "inputs": by_inputs, "outputs": by_outputs}


def _json(*args):
    return [*args, "--format", "json"]


def _dir(s):
    return ",".join(f"{v}=1" for v in s.inputs)


def _one_output(s):
    """--output 1 where a command differentiates one output of several."""
    return ["--output", "1"] if s.outputs > 1 else []


# (label, {dimension: needed exponent}, args(shape)) for --at commands and
# the ones that take no point.
COMMANDS = [
    ("eval", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: _json("eval", s.expr, "--at", s.at)),
    ("grad", {"formula length": 1, "inputs": 1, "outputs": 1},  # outputs: the Jacobian
     lambda s: _json("grad", s.expr, "--at", s.at)),
    ("grad --mode forward", {"inputs": 2, "outputs": 1},  # n tangent sweeps over n terms
     lambda s: _json("grad", s.expr, "--at", s.at, "--mode", "forward")),
    ("grad --dir (J·v)", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: _json("grad", s.expr, "--at", s.at, "--dir", _dir(s))),
    ("grad --cotangent (uᵀ·J)", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: _json("grad", s.expr, "--at", s.at, "--cotangent",
                     ",".join("1" for _ in range(s.outputs)))),
    ("hessian", {"formula length": 1, "inputs": 2, "outputs": 1},
     lambda s: _json("hessian", s.expr, "--at", s.at, *_one_output(s))),
    ("hessian --sparse", {"inputs": 1},  # a diagonal pattern: n entries
     lambda s: _json("hessian", s.expr, "--at", s.at, "--sparse")),
    ("taylor --order 3", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: _json("taylor", s.expr, "--at", s.at, "--dir", _dir(s), "--order", "3")),
    ("partial", {"formula length": 1, "inputs": 1, "outputs": 1},  # ∂²/∂x_1∂x_n
     lambda s: _json("partial", s.expr, "--at", s.at, "--wrt", f"{s.inputs[0]},{s.inputs[-1]}")),
    ("check", {"formula length": 1, "inputs": 2, "outputs": 1},
     lambda s: _json("check", s.expr, "--at", s.at)),
    ("trace --mode reverse", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: ["trace", s.expr, "--at", s.at, "--mode", "reverse", "--format", "plain",
                *_one_output(s)]),
    # forward: a tangent column per input (n columns of n rows, at most 2,000,000
    # numbers: see TRACE_SIZES); every output shown
    ("trace --mode forward", {"formula length": 1, "inputs": 2, "outputs": 1},
     lambda s: ["trace", s.expr, "--at", s.at, "--mode", "forward", "--format", "plain"]),
    ("graph --format plain", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: ["graph", s.expr, "--format", "plain"]),
    ("graph --format dot", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: ["graph", s.expr, "--format", "dot"]),
    ("diff", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: ["diff", s.expr, "--format", "plain"]),
    ("codegen --lang python", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: ["codegen", s.expr, "--lang", "python"]),
    ("codegen --lang c", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: ["codegen", s.expr, "--lang", "c"]),
    ("codegen --order 2", {"formula length": 1, "inputs": 2},  # n² Hessian entries
     lambda s: ["codegen", s.expr, "--lang", "python", "--order", "2"]),
    ("sparsity", {"formula length": 1, "inputs": 1, "outputs": 1},
     lambda s: _json("sparsity", s.expr, "--at", s.at)),  # --at: the inputs' order
    ("sparsity --hessian", {"formula length": 1, "inputs": 1},
     lambda s: _json("sparsity", s.expr, "--hessian")),
    ("plot (sampling)", {"formula length": 1},
     lambda s: ["plot", s.expr, "--over", "x=0:3", "--samples", "200", "--order", "1",
                "--size", "60x20", "--color", "never"]),
]

# Batches: (command, extra options, needed exponent by rows, by columns
# or None where the command takes a fixed number of columns)
BATCHES = [
    ("eval", (), 1, 1),
    ("grad", (), 1, 1),
    ("hessian", (), 1, 2),  # n inputs: n² Hessian columns per row
    ("taylor", ("--order", "2"), 1, None),
    ("partial", (), 1, None),
    ("check", (), 1, 2),  # n inputs: n finite differences of n terms per row
]


def _csv_rows(rows):
    return "x,y\n" + "".join(f"{1 + i / rows},{2 - i / rows}\n" for i in range(rows))


def _csv_columns(n):
    return (",".join(f"x{i}" for i in range(1, n + 1)) + "\n"
            + ",".join("0.5" for _ in range(n)) + "\n")


def _batch_case(cmd, extra, dim, fmt, n):
    if dim == "rows":
        expr, stdin = "x*y + sin(x)", _csv_rows(n)
        wrt = {"taylor": ("--wrt", "x"), "partial": ("--wrt", "x,y")}.get(cmd, ())
    else:
        expr, stdin = "+".join(f"x{i}*sin(x{i})" for i in range(1, n + 1)), _csv_columns(n)
        wrt = {"taylor": ("--wrt", "x1"), "partial": ("--wrt", f"x1,x{n}")}.get(cmd, ())
    # one job: several run in worker processes, whose CPU time is not this
    # process's (the times were the parent's share only), and threads on a
    # busy machine add noise, not growth
    return [cmd, expr, "--points", "-", "--jobs", "1", *wrt, *extra, "--format", fmt], stdin


# Sizes (quick, full) by dimension: the quick ones still large enough
# that the growth, not the floor, dominates the largest.
SIZES = {
    "formula length": ((200, 400, 800), (1000, 2000, 4000, 8000)),
    "inputs": ((100, 200, 400), (500, 1000, 2000, 4000)),
    "outputs": ((100, 200, 400), (500, 1000, 2000, 4000)),
    "rows": ((1000, 2000, 4000), (2000, 4000, 8000, 16000)),
    "rows, vectorised": ((4000, 8000, 16000), (8000, 16000, 32000, 64000)),
    "columns": ((100, 200, 400), (500, 1000, 2000, 4000)),
    "order": ((10, 20, 40), (10, 20, 40, 80)),
    "samples": ((8000, 16000, 32000), (16000, 32000, 64000, 128000)),
}
FLOOR = {"samples": 2}  # the size of the floor where 1 is not allowed (else 1)
# quadratic cases: smaller sizes (a full n = 4000 check would take minutes)
QUADRATIC_SIZES = ((25, 50, 100), (100, 200, 400, 800))
# a batch's floor is some 15 ms: its quadratic cases start higher
BATCH_QUADRATIC_SIZES = ((50, 100, 200), (100, 200, 400, 800))
# a forward trace refuses n tangent columns × 4n steps beyond 2,000,000 numbers
TRACE_SIZES = ((25, 50, 100), (100, 200, 400, 700))
# plot sweeps its formula over the samples some 25 times: 1 s at 800 terms
PLOT_LENGTH = ((50, 100, 200), (200, 400, 800, 1600))


def _cases():
    """(name, dimension, needed exponent, quick sizes, full sizes, make(n)
    -> (args, stdin)) for every command along every dimension it has."""
    cases = []
    for label, dims, args in COMMANDS:
        for dim, needed in dims.items():
            sizes = (TRACE_SIZES if label.startswith("trace") and needed == 2
                     else QUADRATIC_SIZES if needed == 2
                     else PLOT_LENGTH if label.startswith("plot") else SIZES[dim])
            cases.append((label, dim, needed, *sizes,
                          lambda n, a=args, d=dim: (a(SHAPES[d](n)), None)))
    for cmd, extra, by_rows, by_columns in BATCHES:
        for fmt in ("csv", "jsonl"):
            label = f"{cmd} --points --format {fmt}"
            # eval and grad run NumPy over a whole chunk: more rows to see them grow
            rows = SIZES["rows, vectorised" if cmd in ("eval", "grad") else "rows"]
            cases.append((label, "rows", by_rows, *rows,
                          lambda n, c=cmd, e=extra, f=fmt: _batch_case(c, e, "rows", f, n)))
            if by_columns is not None:
                sizes = BATCH_QUADRATIC_SIZES if by_columns == 2 else SIZES["columns"]
                cases.append((label, "columns", by_columns, *sizes,
                              lambda n, c=cmd, e=extra, f=fmt:
                              _batch_case(c, e, "columns", f, n)))
    many_sin = by_length(30).expr
    cases += [
        ("taylor", "order", 2, *SIZES["order"],
         lambda n: (_json("taylor", many_sin, "--at", "x=0.5", "--order", str(n)), None)),
        ("partial --wrt x,x,…", "order", 2, *SIZES["order"],
         lambda n: (_json("partial", many_sin, "--at", "x=0.5", "--wrt", ",".join("x" * n)),
                    None)),
        # nested series in two variables of degree n/2 each: (n/2)² coefficients
        # of (n/2)² products
        ("partial --wrt x,…,y,… (mixed)", "order", 4, (4, 8, 16), (4, 8, 16, 32),
         lambda n: (_json("partial", "exp(x*y)*sin(x+y)", "--at", "x=0.3,y=0.7", "--wrt",
                          ",".join(["x"] * (n // 2) + ["y"] * (n - n // 2))), None)),
        ("plot --order", "order", 2, (2, 4, 8), (2, 4, 8, 12),  # --order stops at 12
         lambda n: (["plot", "exp(sin(x))", "--over", "x=0:3", "--samples", "400", "--order",
                     str(n), "--size", f"60x{8 * (n + 1)}", "--color", "never"], None)),
        ("plot (sampling)", "samples", 1, *SIZES["samples"],
         lambda n: (["plot", "exp(sin(x))*x", "--over", "x=0:3", "--samples", str(n),
                     "--order", "2", "--size", "60x30", "--color", "never"], None)),
    ]
    return cases


def _time(args, stdin, repeats):
    from click.testing import CliRunner

    from adcli.cli.main import cli

    runner = CliRunner()
    best = math.inf
    for _ in range(repeats):
        gc.collect()  # the garbage of earlier runs is not this run's to scan
        t = time.process_time()  # this process's CPU: other processes slow it least
        res = runner.invoke(cli, args, input=stdin)
        best = min(best, time.process_time() - t)
        if res.exit_code != 0:
            raise RuntimeError(f"adcli {args[0]} exited {res.exit_code}: "
                               f"{(res.output or '').strip()[:200]}")
    return best


def slope(sizes, times):
    """Least-squares slope of log(time) against log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys))
            / sum((x - mx) ** 2 for x in xs))


def growth(sizes, times, floor):
    """(exponent, how): the slope of time − floor where the largest size
    costs at least twice the floor ("above floor"), else of the raw times."""
    if times[-1] >= 2 * floor:
        return slope(sizes, [max(t - floor, 1e-3 * floor) for t in times]), "above floor"
    return slope(sizes, times), "raw"


def _passes(make, floor_n, sizes, passes, samples):
    """``passes`` passes over the floor and the sizes, one run of each per
    pass, the order of the sizes alternating: a burst of load from elsewhere
    lands on one pass of several sizes, not on every repeat of one size."""
    for _ in range(passes):
        order = sizes if len(samples[floor_n]) % 2 == 0 else sizes[::-1]
        for n in [floor_n, *order]:
            samples[n].append(_time(*make(n), repeats=1))


def _typical(xs):
    """The median of three or more passes (one slow pass does not move it),
    the least of fewer."""
    return statistics.median(xs) if len(xs) >= 3 else min(xs)


def _fitted(floor_n, sizes, samples):
    floor = _typical(samples[floor_n])
    times = [_typical(samples[n]) for n in sizes]
    return (floor, times, *growth(sizes, times, floor))


def measure(quick=True, only=None, repeats=None):
    """One result per case: {command, dimension, sizes, times, floor,
    exponent, fit, needed, superlinear, steep, ok}: ``steep`` above the
    need by more than SLACK, ``ok`` False where the run fails (by more
    than QUICK_SLACK with ``quick``).  Each size's time is the median of
    ``repeats`` interleaved passes (the least of two with ``quick``); a case
    found steep gets ``MORE_PASSES`` more before it is called so."""
    repeats = repeats or (2 if quick else 3)
    results = []
    for name, dim, needed, quick_sizes, full_sizes, make in _cases():
        if only and not any(o in f"{name} {dim}" for o in only):
            continue
        sizes = list(quick_sizes if quick else full_sizes)
        floor_n = FLOOR.get(dim, 1)
        result = {"command": name, "dimension": dim, "sizes": sizes, "needed": needed}
        samples = {n: [] for n in [floor_n, *sizes]}
        try:
            _time(*make(floor_n), repeats=1)  # warms the caches (imports, rules compiled)
            _passes(make, floor_n, sizes, repeats, samples)
            floor, times, k, fit = _fitted(floor_n, sizes, samples)
            if k > needed + SLACK:  # more passes before calling it
                _passes(make, floor_n, sizes, MORE_PASSES, samples)
                floor, times, k, fit = _fitted(floor_n, sizes, samples)
        except RuntimeError as exc:
            results.append({**result, "times": [], "floor": None, "exponent": None,
                            "fit": None, "superlinear": False, "steep": False, "ok": False,
                            "error": str(exc)})
            continue
        results.append({**result, "times": times, "floor": floor, "exponent": k, "fit": fit,
                        "superlinear": k > SUPERLINEAR, "steep": k > needed + SLACK,
                        "ok": k <= needed + (QUICK_SLACK if quick else SLACK)})
    return results


def verdict(r):
    if r["exponent"] is None:
        return "FAILED: " + r["error"]
    if r["steep"]:
        return (f"TOO STEEP (needs {r['needed']}, allowed {r['needed'] + SLACK:.1f})"
                + ("" if r["ok"] else ": FAILS"))
    if r["superlinear"]:
        return f"superlinear, as its algorithm needs (n^{r['needed']})"
    return ""


def report(results):
    lines = [f"{'command':36} {'dimension':15} {'sizes':>12} {'floor':>9} {'largest':>10} "
             f"{'k':>5} {'fit':11}  verdict"]
    for r in results:
        sizes = f"{r['sizes'][0]}..{r['sizes'][-1]}"
        if r["exponent"] is None:
            lines.append(f"{r['command']:36} {r['dimension']:15} {sizes:>12} {verdict(r)}")
            continue
        lines.append(f"{r['command']:36} {r['dimension']:15} {sizes:>12} "
                     f"{r['floor'] * 1000:6.1f} ms {r['times'][-1] * 1000:7.1f} ms "
                     f"{r['exponent']:5.2f} {r['fit']:11}  {verdict(r)}")
    return "\n".join(lines)


def run(quick=False):
    """Rows for ``python -m bench`` (see bench/run.py): one per case; the
    exponent is in the note.  ``ok`` False fails the suite."""
    rows = []
    for r in measure(quick):
        note = ("error: " + r["error"]) if r["exponent"] is None else (
            f"time − floor ~ n^{r['exponent']:.2f} over n = {r['sizes'][0]}..{r['sizes'][-1]} "
            f"({r['fit']}, floor {r['floor'] * 1000:.1f} ms; needs {r['needed']}) "
            + verdict(r)).strip()
        rows.append({"workload": f"scaling: {r['command']} by {r['dimension']}",
                     "adcli_s": r["times"][-1] if r["times"] else float("nan"),
                     "peer": "-", "peer_s": None, "note": note,
                     "ok": r["ok"]})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.scaling",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    ap.add_argument("--only", nargs="+", metavar="TEXT",
                    help="only cases whose command or dimension contains TEXT")
    ap.add_argument("--list", action="store_true", help="list the cases, run nothing")
    args = ap.parse_args(argv)
    if args.list:
        for name, dim, needed, *_ in _cases():
            print(f"{name:36} {dim:15} needs n^{needed}")
        return 0
    results = measure(args.quick, args.only)
    print(report(results))
    bad = [r for r in results if not r["ok"]]
    for r in bad:
        print(f"scaling: FAIL: {r['command']} by {r['dimension']} grows faster than its "
              f"algorithm needs", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
