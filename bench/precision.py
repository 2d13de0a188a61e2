"""Benchmark: gradients to 100 (and 1,000) significant digits (issue 7).

    python bench/precision.py [--quick] [--json]

The worked example f = x1*x2 + sin(x1) at x1 = 2, x2 = 3, its gradient to
100 correct digits:

* whole command: ``adcli grad EXPR --at x1=2,x2=3 --digits 100`` as a real
  process (start-up, mpmath import, two working precisions to confirm the
  digits, output) against a Python process that imports sympy, parses the
  same formula, differentiates it symbolically and prints ``evalf(100)`` of
  each partial: the usual way to get many digits of a derivative; and
  against the same adcli command in float64 (the cost of the digits);
* in-process: ``adcli.grad(..., digits=N)`` against sympy's
  ``diff`` + ``evalf(N)`` (parse included, imports excluded), N = 100 and
  1,000.

Both sides are checked to print the same digits.  Times are medians of
several runs, measured in this one run.  ``run(quick)`` returns rows
{"workload", "adcli_s", "peer", "peer_s", "ratio"} with
ratio = peer_s / adcli_s (above 1: adcli is faster).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPR = "x1*x2 + sin(x1)"
SYMPY_SCRIPT = """
import sys, sympy
x1, x2 = sympy.symbols("x1 x2")
f = sympy.sympify("x1*x2 + sin(x1)")
point = {x1: sympy.Integer(2), x2: sympy.Integer(3)}
n = int(sys.argv[1])
print("f", f.subs(point).evalf(n))
for v in (x1, x2):
    print(f"df/d{v}", sympy.diff(f, v).subs(point).evalf(n))
"""


def _adcli_exe():
    exe = Path(sys.executable).with_name("adcli")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "adcli"]


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return out.stdout


def _digits(line):
    return line.split()[1].replace(".", "").lstrip("0")[:95]


def bench_command(quick):
    runs = 5 if quick else 11
    adcli_cmd = _adcli_exe() + ["grad", EXPR, "--at", "x1=2,x2=3", "--digits", "100",
                                "--format", "plain"]
    peer_cmd = [sys.executable, "-c", SYMPY_SCRIPT, "100"]
    ours, theirs = _run(adcli_cmd).splitlines(), _run(peer_cmd).splitlines()
    assert _digits(ours[1]) == _digits(theirs[1]), (ours[1], theirs[1])
    float_cmd = adcli_cmd[:-4] + ["--format", "plain"]
    a = median_time(lambda: _run(adcli_cmd), runs)
    p = median_time(lambda: _run(peer_cmd), runs)
    f = median_time(lambda: _run(float_cmd), runs)
    return [{"workload": "grad --digits 100, worked example (whole command)",
             "adcli_s": a, "peer": "sympy diff + evalf(100) (process)", "peer_s": p,
             "ratio": p / a},
            {"workload": "grad --digits 100 vs float64 grad (whole command)",
             "adcli_s": a, "peer": "adcli grad, float64 (process)", "peer_s": f,
             "ratio": f / a}]


def bench_inprocess(quick):
    import sympy

    import adcli

    rows = []
    for n in (100, 1000):
        runs = 5 if quick else 21

        def ours(n=n):
            res = adcli.grad(EXPR, {"x1": "2", "x2": "3"}, digits=n)
            return res.format(res.gradient["x1"])

        def theirs(n=n):
            x1, x2 = sympy.symbols("x1 x2")
            f = sympy.sympify("x1*x2 + sin(x1)")
            point = {x1: sympy.Integer(2), x2: sympy.Integer(3)}
            return [sympy.diff(f, v).subs(point).evalf(n) for v in (x1, x2)][0]

        assert ours().replace(".", "")[:n - 5] == str(theirs()).replace(".", "")[:n - 5]
        a = median_time(ours, runs)
        p = median_time(theirs, runs)
        rows.append({"workload": f"gradient to {n} digits, worked example (in-process)",
                     "adcli_s": a, "peer": f"sympy diff + evalf({n})", "peer_s": p,
                     "ratio": p / a})
    return rows


def run(quick=False):
    return bench_command(quick) + bench_inprocess(quick)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs")
    ap.add_argument("--json", action="store_true", help="rows as JSON")
    args = ap.parse_args()
    rows = run(args.quick)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'workload':52} {'adcli s':>9} {'peer':>36} {'peer s':>9} {'ratio':>7}")
    for r in rows:
        print(f"{r['workload']:52} {r['adcli_s']:9.4f} {r['peer']:>36} {r['peer_s']:9.4f} "
              f"{r['ratio']:7.2f}")


if __name__ == "__main__":
    main()
