"""How each command's time grows with the size of its input, and a check
that it grows no faster than its algorithm needs.

    python -m bench.scaling [--quick]        (also run by ``python -m bench``)

For every command along every dimension (formula length, inputs, outputs,
rows of a batch, columns of a batch, derivative order) the command runs
in-process (click's CliRunner: the same code as ``adcli ...`` without a
new interpreter) at a few sizes n; the exponent p of time ~ n^p is the
least-squares slope of log(time) against log(n).  Each case states the
exponent its algorithm needs (1 for anything linear in what it reads and
prints; 2 for a dense Hessian over n inputs, whose output is n² numbers,
and for Taylor coefficients of order K, whose products are K² each) and
fails when the fit exceeds it by more than ``SLACK``.  Times are the
CPU time of this process (other processes on a shared machine do not add
to it), the minimum of a few repeats; a fixed
start-up cost only lowers an exponent, so a failure is a real super-linear
term.  A quadratic bug (the plain graph of a long sum, the JSONL template
rebuilt per column) shows as an exponent near 2 even at the quick sizes.
"""

import argparse
import math
import sys
import time

SLACK = 0.3  # allowed excess over the needed exponent (1.3 for linear cases)


def _sum_sin(n):
    return "+".join(f"sin({k}*x)" for k in range(1, n + 1))


def _sum_squares(n):
    return "+".join(f"x{i}^2" for i in range(1, n + 1))


def _point(n, value="0.5"):
    return ",".join(f"x{i}={value}" for i in range(1, n + 1))


def _outputs(n):
    return ", ".join(f"sin({k}*x)" for k in range(1, n + 1))


def _csv_rows(rows):
    return "x,y\n" + "".join(f"{1 + i / rows},{2 - i / rows}\n" for i in range(rows))


def _csv_columns(n):
    return (",".join(f"x{i}" for i in range(1, n + 1)) + "\n"
            + ",".join("0.5" for _ in range(n)) + "\n")


# (name, dimension, needed exponent, sizes (quick), sizes (full), make(n) -> (args, stdin))
def _cases():
    length = ((100, 200, 400), (1000, 2000, 4000, 8000))
    at = ("--at", "x=0.5")
    cases = []
    for cmd, extra in [("eval", ()), ("grad", ()), ("hessian", ()), ("taylor", ("--order", "3")),
                       ("partial", ("--wrt", "x,x")), ("check", ()),
                       ("trace", ("--format", "plain", "--mode", "reverse")),
                       ("trace", ("--format", "plain", "--mode", "forward")),
                       ("graph", ("--format", "plain")), ("graph", ("--format", "dot")),
                       ("diff", ("--format", "plain"))]:
        label = f"{cmd} {' '.join(extra)}".strip()
        point = () if cmd in ("graph", "diff") else at
        fmt = () if "--format" in extra else ("--format", "json")
        cases.append((label, "formula length", 1, *length,
                      lambda n, c=cmd, e=extra, p=point, f=fmt: ([c, _sum_sin(n), *p, *e, *f],
                                                                  None)))
    inputs = ((100, 200, 400), (500, 1000, 2000, 4000))
    for cmd, need in [("grad", 1), ("eval", 1), ("check", 2)]:
        # check: a central difference per input, each a sweep over the formula
        sizes = ((25, 50, 100), inputs[1]) if cmd == "check" else inputs
        cases.append((cmd, "inputs", need, *sizes,
                      lambda n, c=cmd: ([c, _sum_squares(n), "--at", _point(n),
                                         "--format", "json"], None)))
    cases.append(("hessian", "inputs", 2, (25, 50, 100), (100, 200, 400, 800),
                  lambda n: (["hessian", _sum_squares(n), "--at", _point(n), "--format", "json"],
                             None)))
    outputs = ((100, 200, 400), (500, 1000, 2000, 4000))
    for cmd in ("eval", "grad"):
        cases.append((cmd, "outputs", 1, *outputs,
                      lambda n, c=cmd: ([c, _outputs(n), "--at", "x=0.5", "--format", "json"],
                                        None)))
    rows = ((250, 500, 1000), (2000, 4000, 8000, 16000))
    for cmd in ("eval", "grad", "hessian", "taylor", "check"):
        extra = ("--wrt", "x", "--order", "2") if cmd == "taylor" else ()
        sizes = ((2000, 4000, 8000), rows[1]) if cmd in ("eval", "grad") else rows
        for fmt in ("csv", "jsonl"):
            cases.append((f"{cmd} --points --format {fmt}", "rows", 1, *sizes,
                          lambda n, c=cmd, e=extra, f=fmt: (
                              [c, "x*y + sin(x)", "--points", "-", *e, "--format", f],
                              _csv_rows(n))))
    columns = ((100, 200, 400), (500, 1000, 2000, 4000))
    for fmt in ("csv", "jsonl"):
        cases.append((f"grad --points --format {fmt}", "columns", 1, *columns,
                      lambda n, f=fmt: (["grad", _sum_squares(n), "--points", "-", "--format", f],
                                        _csv_columns(n))))
    order = ((8, 16, 32), (8, 16, 32, 64))
    cases.append(("taylor", "order", 2, *order,
                  lambda n: (["taylor", _sum_sin(30), "--at", "x=0.5", "--order", str(n),
                              "--format", "json"], None)))
    return cases


def _time(args, stdin, repeats):
    from click.testing import CliRunner

    from adcli.cli.main import cli

    runner = CliRunner()
    best = math.inf
    for _ in range(repeats):
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


def measure(quick=True, only=None):
    """One result per case: {command, dimension, sizes, times, exponent,
    needed, ok}."""
    results = []
    for name, dim, needed, quick_sizes, full_sizes, make in _cases():
        if only and not any(o in f"{name} {dim}" for o in only):
            continue
        sizes = quick_sizes if quick else full_sizes
        try:
            _time(*make(sizes[0]), repeats=1)  # warm caches (compiled rules, imports)
            times = [_time(*make(n), repeats=3) for n in sizes]
        except RuntimeError as exc:
            results.append({"command": name, "dimension": dim, "sizes": list(sizes),
                            "times": [], "exponent": None, "needed": needed, "ok": False,
                            "error": str(exc)})
            continue
        p = slope(sizes, times)
        if p > needed + SLACK:  # once more, slower, before calling it: a busy machine
            times = [min(t, _time(*make(n), repeats=3)) for n, t in zip(sizes, times)]
            p = slope(sizes, times)
        results.append({"command": name, "dimension": dim, "sizes": list(sizes),
                        "times": times, "exponent": p, "needed": needed,
                        "ok": p <= needed + SLACK})
    return results


def report(results):
    lines = [f"{'command':38} {'dimension':15} {'sizes':>22} {'time at largest':>16} "
             f"{'exponent':>8} {'needed':>6}"]
    for r in results:
        sizes = f"{r['sizes'][0]}..{r['sizes'][-1]}"
        if r["exponent"] is None:
            lines.append(f"{r['command']:38} {r['dimension']:15} {sizes:>22} "
                         f"FAILED: {r['error']}")
            continue
        flag = "" if r["ok"] else f"  TOO STEEP (> {r['needed'] + SLACK:.1f})"
        lines.append(f"{r['command']:38} {r['dimension']:15} {sizes:>22} "
                     f"{r['times'][-1] * 1000:13.1f} ms {r['exponent']:8.2f} "
                     f"{r['needed']:>6}{flag}")
    return "\n".join(lines)


def run(quick=False):
    """Rows for ``python -m bench`` (see bench/run.py): one per case; the
    exponent is in the note.  ``failures`` lists the cases that grow too
    fast."""
    results = measure(quick)
    rows = []
    for r in results:
        note = ("error: " + r["error"]) if r["exponent"] is None else (
            f"time ~ n^{r['exponent']:.2f} over n = {r['sizes'][0]}..{r['sizes'][-1]} "
            f"(needs {r['needed']})" + ("" if r["ok"] else " TOO STEEP"))
        rows.append({"workload": f"scaling: {r['command']} by {r['dimension']}",
                     "adcli_s": r["times"][-1] if r["times"] else float("nan"),
                     "peer": "-", "peer_s": None, "note": note, "ok": r["ok"]})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.scaling",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    ap.add_argument("--only", nargs="+", metavar="TEXT",
                    help="only cases whose command or dimension contains TEXT")
    args = ap.parse_args(argv)
    results = measure(args.quick, args.only)
    print(report(results))
    bad = [r for r in results if not r["ok"]]
    for r in bad:
        print(f"scaling: FAIL: {r['command']} by {r['dimension']} grows faster than its "
              f"algorithm needs", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
