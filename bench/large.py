"""Issue 11's original large inputs, re-run: CPU time and peak memory of
one real ``adcli`` process each.

    nice -n 10 python -m bench.large [--only NAME,...] [--scale F] [--keep DIR]

Each case builds its input files in a temporary directory, runs ``adcli``
under ``/usr/bin/time -f '%U %S %M'`` with its output written to a file
there, and prints CPU time (user + sys: the machine is shared, wall time
is not this process's), peak resident memory (the largest of the process
and its children, as the kernel reports it) and the bytes written.
``--scale`` shrinks every size (0.1: a tenth) to estimate a run first.
The figures issue 11 reported at de72aa2 are in ``BEFORE``;
docs/performance.md has this run's.

Cases (issue 11, "Resources"):

* ``graph-sum``: ``adcli graph -f`` of the 100,000-term sum x1+…+x100000
  (the plain tree in a pipe; was 6.7 GB in 28 s);
* ``trace-sum``: ``adcli trace`` of the same sum at a point of its
  100,000 inputs (``--at @FILE``; reverse: one output, many inputs; was
  12 GB and 81 s with the plain table padded to the widest rule);
* ``trace-fan``: ``adcli trace`` of sin(1*x)+…+sin(100000*x) at x=0.5
  (one adjoint rule of 100,000 terms: the widest rule there is);
* ``hessian-wide``: ``adcli hessian -f wide.txt --points wide.csv``,
  1,000 variables (x0*x1 + … + x998*x999 + sin(x0)) × 200 rows, CSV: every
  row has 1,002,002 columns (was 427 s and 19.9 GB);
* ``points-1000`` / ``points-10000``: ``adcli grad --points`` of one row
  of 1,000 / 10,000 columns with ``--format jsonl`` (was 22 s / did not
  finish in 300 s).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from typing import NamedTuple

# what issue 11 measured at de72aa2 (wall seconds, peak memory)
BEFORE = {
    "graph-sum": "28 s, 6.7 GB",
    "trace-sum": "81 s, 12 GB",
    "trace-fan": "-",
    "hessian-wide": "427 s, 19.9 GB",
    "points-1000": "22 s",
    "points-10000": "did not finish in 300 s",
}


class Measured(NamedTuple):
    """One process: CPU seconds (user, sys), peak RSS in KB, output bytes."""

    user: float
    sys: float
    peak_kb: int
    out_bytes: int
    exit_code: int


def _write(path: str, text: str) -> str:
    with open(path, "w") as f:
        f.write(text)
    return path


def long_sum(n: int) -> str:
    return "+".join(f"x{i}" for i in range(1, n + 1))


def fan(n: int) -> str:
    return "+".join(f"sin({k}*x)" for k in range(1, n + 1))


def chain(width: int) -> str:
    """x0*x1 + x1*x2 + … + sin(x0): a banded Hessian over ``width`` inputs."""
    names = [f"x{i}" for i in range(width)]
    return " + ".join(f"{a}*{b}" for a, b in zip(names, names[1:], strict=False)) + " + sin(x0)"


def wide_csv(width: int, rows: int) -> str:
    names = [f"x{i}" for i in range(width)]
    lines = [",".join(names)]
    lines += [",".join(f"{(i + r) % 13 / 7!r}" for i in range(width)) for r in range(rows)]
    return "\n".join(lines) + "\n"


def cases(tmp: str, scale: float) -> dict[str, list[str]]:
    """Each case's adcli arguments, its input files written under ``tmp``."""

    def size(n: int) -> int:
        return max(2, round(n * scale))

    n = size(100_000)
    total = _write(os.path.join(tmp, "sum.txt"), long_sum(n) + "\n")
    at = _write(os.path.join(tmp, "sum_at.txt"),
                ",".join(f"x{i}={1 + i % 7}" for i in range(1, n + 1)) + "\n")
    fanned = _write(os.path.join(tmp, "fan.txt"), fan(n) + "\n")
    width = size(1000)
    hwide = _write(os.path.join(tmp, "wide.txt"), chain(width) + "\n")
    hcsv = _write(os.path.join(tmp, "wide.csv"), wide_csv(width, size(200)))
    out = {
        "graph-sum": ["graph", "-f", total, "--format", "plain"],
        "trace-sum": ["trace", "-f", total, "--at", "@" + at, "--format", "plain"],
        "trace-fan": ["trace", "-f", fanned, "--at", "x=0.5", "--format", "plain"],
        "hessian-wide": ["hessian", "-f", hwide, "--points", hcsv],
    }
    for columns in (1000, 10_000):
        w = size(columns)
        formula = _write(os.path.join(tmp, f"row{columns}.txt"), chain(w) + "\n")
        row = _write(os.path.join(tmp, f"row{columns}.csv"), wide_csv(w, 1))
        out[f"points-{columns}"] = ["grad", "-f", formula, "--points", row, "--format", "jsonl"]
    return out


def measure(args: list[str], out_path: str) -> Measured:
    """Run ``adcli args`` under GNU time, stdout to ``out_path``."""
    timing = out_path + ".time"
    cmd = ["/usr/bin/time", "-o", timing, "-f", "%U %S %M",
           sys.executable, "-m", "adcli", *args]
    with open(out_path, "wb") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL, check=False)
    with open(timing) as f:
        user, system, peak = f.read().split()[-3:]
    return Measured(float(user), float(system), int(peak), os.path.getsize(out_path),
                    proc.returncode)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(BEFORE), help="cases, comma-separated")
    ap.add_argument("--scale", type=float, default=1.0, help="every size times this")
    ap.add_argument("--keep", metavar="DIR", help="write the inputs and outputs here and keep them")
    args = ap.parse_args(argv)
    tmp = args.keep or tempfile.mkdtemp(prefix="adcli-large-")
    os.makedirs(tmp, exist_ok=True)
    failed = 0
    try:
        table = cases(tmp, args.scale)
        print(f"{'case':14} {'CPU s':>8} {'peak MB':>8} {'output MB':>10} exit  issue 11 (de72aa2)")
        for name in args.only.split(","):
            m = measure(table[name], os.path.join(tmp, name + ".out"))
            failed |= m.exit_code != 0
            print(f"{name:14} {m.user + m.sys:8.1f} {m.peak_kb / 1024:8.0f} "
                  f"{m.out_bytes / 2**20:10.1f} {m.exit_code:4}  {BEFORE[name]}", flush=True)
            if not args.keep:
                os.remove(os.path.join(tmp, name + ".out"))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
