"""Issue 10's rule for fast paths: a specialised float64 path stays only
where it is faster than the generic sweep it is tested against.

    nice -n 10 python -m bench.fast_paths [--quick]

Each row times a fast path and its generic counterpart on the same tape and
point in this one run (median of interleaved repeats, CPU time of this
process), and prints generic / fast (above 1: the fast path is faster).

* ``taylor._both_lanes`` (float64 Taylor above order 4: the coefficients and
  the rounding check's rescaled line in one loop, via ``sweep_rescaled``)
  against two ``taylor.sweep`` calls, which is what ``sweep_rescaled``
  falls back to and what tests/test_taylor.py compares it with bit for bit;
* ``modes.sweeps`` (the float64 first-order sweeps: ``linearize`` computes
  the partials of all steps of one primitive with one ``map``, ``reverse``
  skips the products by 1) against ``modes.generic``'s ``linearize`` and
  ``reverse`` run in FLOAT64, which tests/test_engine.py compares them with
  and which every other number system runs;
* ``sparse.second.second_order`` (the rows of the Hessian's second-order
  sweep built one ``map`` per group of steps) against
  ``modes.hessian.SecondOrder(tape, point)``, the generic constructor that
  every other number system runs and that ``hessian --sparse`` uses off
  float64.
"""

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# formulas for the Taylor rows: one variable, a two-variable mix, and a
# 100-variable sum (bench.higher_order's), along the all-ones direction
TAYLOR_CASES = {
    "exp(sin(x))": ("exp(sin(x))", {"x": 0.5}),
    "bench array formula": ("exp(-x^2/2)*cos(x*y) + log(1 + y^2)*sin(x) + x*y^3",
                            {"x": 0.7, "y": 0.3}),
}


def cpu_median(fn: Callable[[], object], repeats: int, min_time: float = 0.2) -> float:
    """Median CPU seconds of one call of ``fn`` (calls batched until a batch
    takes ``min_time``, so that short calls are above the clock's grain)."""
    calls, t = 1, 0.0
    while True:
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        t = time.process_time() - t0
        if t >= min_time or calls >= 1 << 16:
            break
        calls *= 4
    times = [t / calls]
    for _ in range(repeats - 1):
        gc.collect()
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        times.append((time.process_time() - t0) / calls)
    return statistics.median(times)


def _pair(fast: Callable[[], object], generic: Callable[[], object],
          repeats: int) -> tuple[float, float]:
    """(fast s, generic s), measured alternately so a burst of load hits both."""
    fast(), generic()  # compile rules, fill the tape's caches
    f, g = [], []
    for _ in range(repeats):
        f.append(cpu_median(fast, 1))
        g.append(cpu_median(generic, 1))
    return statistics.median(f), statistics.median(g)


def taylor_rows(quick: bool) -> list[tuple[str, float, float]]:
    import adcli
    from adcli.modes.taylor import sweep, sweep_rescaled
    from bench.higher_order import hundred_variables

    text, point = hundred_variables()
    cases = dict(TAYLOR_CASES)
    cases["100-variable sum"] = (text, point)
    scale = 1.0 + 2.0 ** -7
    rows = []
    for label, (formula, at) in cases.items():
        f = adcli.compile(formula)
        tape = f.tape(at)
        values = [float(at[name]) for name in tape.inputs]
        vec = [1.0] * len(values)
        for order in ((5, 30) if quick else (5, 10, 30, 60)):
            fast, generic = _pair(
                lambda tape=tape, values=values, vec=vec, order=order:
                    sweep_rescaled(tape, values, vec, order, scale),
                lambda tape=tape, values=values, vec=vec, order=order:
                    (sweep(tape, values, vec, order),
                     sweep(tape, values, [v * scale for v in vec], order)),
                3 if quick else 5)
            rows.append((f"taylor _both_lanes, {label}, order {order}", fast, generic))
    return rows


def first_order_rows(quick: bool) -> list[tuple[str, float, float]]:
    import adcli
    from adcli.language.point import parse_point
    from adcli.modes import generic, sweeps
    from adcli.numsys import FLOAT64
    from bench.run import rosenbrock

    rows = []
    for n in ((100, 10_000) if quick else (10, 100, 1000, 10_000)):
        formula, at = rosenbrock(n)
        f = adcli.compile(formula)
        point = parse_point(at)
        tape = f.tape(list(point))
        values = [float(point[name]) for name in tape.inputs]
        fast, slow = _pair(
            lambda tape=tape, values=values:
                sweeps.reverse(sweeps.linearize(tape, values), [[1.0]]),
            lambda tape=tape, values=values:
                generic.reverse(generic.linearize(FLOAT64, tape, values), [[1.0]]),
            3 if quick else 5)
        rows.append((f"sweeps linearize+reverse, Rosenbrock n={n:,}", fast, slow))
    return rows


def second_order_rows(quick: bool) -> list[tuple[str, float, float]]:
    import adcli
    from adcli.language.point import parse_point
    from adcli.modes.hessian import SecondOrder
    from adcli.sparse.second import second_order
    from bench.run import rosenbrock

    rows = []
    for n in ((100, 10_000) if quick else (100, 1000, 10_000, 100_000)):
        formula, at = rosenbrock(n)
        f = adcli.compile(formula)
        point = parse_point(at)
        tape = f.tape(list(point))
        values = [float(point[name]) for name in tape.inputs]
        fast, generic = _pair(lambda tape=tape, values=values: second_order(tape, values),
                              lambda tape=tape, values=values: SecondOrder(tape, values),
                              3 if quick or n >= 100_000 else 5)
        rows.append((f"sparse second_order, Rosenbrock n={n:,}", fast, generic))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = ap.parse_args(argv)
    print(f"{'fast path vs generic sweep':58} {'fast s':>10} {'generic s':>10} "
          f"{'generic/fast':>13}")
    for rows in (first_order_rows, taylor_rows, second_order_rows):
        for label, fast, generic in rows(args.quick):
            print(f"{label:58} {fast:10.3e} {generic:10.3e} {generic / fast:13.2f}", flush=True)


if __name__ == "__main__":
    main()
