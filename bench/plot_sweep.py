"""Benchmarks for ``adcli plot`` (issue 16).

    python -m bench.plot_sweep [--quick]

``run(quick)`` returns rows for the overall runner (see bench/run.py), every
figure measured in this run (best of a few repeats):

* f, f′, f″ of x²·sin x at 10⁶ samples by the plot's Taylor sweep over NumPy
  arrays, against the same three curves written by hand in NumPy (the closed
  forms: the least any tool could do);
* drawing those three panels as braille (rasterising 10⁶ samples per curve),
  against the sweep;
* a whole ``adcli plot … --samples 1000000`` process, against the cold start
  of ``adcli eval`` on the worked example (the issue asks for about a second).
"""

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import best, print_rows, row  # noqa: E402

FORMULA = "x^2*sin(x)"


def closed_forms(x):
    import numpy as np

    s, c = np.sin(x), np.cos(x)
    return x * x * s, 2 * x * s + x * x * c, 2 * s + 4 * x * c - x * x * s


def run(quick=False):
    import numpy as np

    import adcli
    from adcli.plot.sampling import LineSampler, parse_over
    from adcli.plot.terminal import render_curves

    n = 100_000 if quick else 1_000_000
    reps = 2 if quick else 5
    sampler = LineSampler(adcli.compile(FORMULA), parse_over("x=-6:6")[0], {}, 2)
    xs = np.linspace(-6, 6, n)
    sweep = best(lambda: sampler.at(xs), reps)
    hand = best(lambda: closed_forms(xs), reps)
    curves = sampler.sample(n)
    draw = best(lambda: render_curves(curves, 80, 24), reps)
    rows = [row(f"plot: f, f′, f″ at {n:,} samples (Taylor over arrays)", sweep,
                "hand-written NumPy f, f′, f″", hand, f"sweep / closed forms = {sweep / hand:.1f}"),
            row(f"plot: 3 braille panels from {n:,} samples", draw,
                "the sweep itself", sweep, f"drawing / sweep = {draw / sweep:.1f}")]
    if not quick:
        cmd = [sys.executable, "-m", "adcli"]
        plot = [*cmd, "plot", FORMULA, "--over", "x=-6:6", "--order", "2", "--samples",
                str(n), "--size", "80x24"]
        start = [*cmd, "eval", "x1*x2+sin(x1)", "--at", "x1=2,x2=3"]

        def proc(c):
            return best(lambda: subprocess.run(c, stdout=subprocess.DEVNULL, check=True), 3)

        t_plot, t_start = proc(plot), proc(start)
        rows.append(row(f"adcli plot --order 2 --samples {n:,} (whole process)", t_plot,
                        "adcli eval cold start", t_start,
                        f"{t_plot:.2f} s for the picture (the issue asks about 1 s)"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^5 samples, fewer repeats")
    args = ap.parse_args()
    print_rows(run(args.quick))


if __name__ == "__main__":
    main()
