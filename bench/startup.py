"""Cold start of the worked example, with the user's caches empty and warm.

    python -m bench.startup [--runs N] [--tree DIR ...]

Each run is a fresh process: `adcli grad "x1*x2+sin(x1)" --at x1=2,x2=3
--format json`.  "empty caches" gives every run a new, empty
XDG_CACHE_HOME and TMPDIR (a first run after installing); "warm caches"
shares one directory primed by a run beforehand (every later run).  The
floor is `python -c pass`.  All are interleaved; medians are printed.
`--tree DIR` (repeatable) runs `python -m adcli` from the source tree DIR
instead of the installed command, to compare two versions in one run.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKED = ["grad", "x1*x2+sin(x1)", "--at", "x1=2,x2=3", "--format", "json"]


def _adcli():
    script = Path(sys.executable).with_name("adcli")
    return [str(script)] if script.exists() else [sys.executable, "-m", "adcli"]


def _time(cmd, cache, tree=None):
    tmp = Path(cache, "tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp),
           "HOME": str(cache)}
    if tree:
        env["PYTHONPATH"] = str(tree)
    start = time.perf_counter()
    # cwd: `python -m adcli` must not pick up a checkout from the current directory.
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=cache)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--tree", action="append", default=[],
                        help="a source tree to run with python -m adcli (repeatable)")
    args = parser.parse_args(argv)
    variants = [(f"adcli {Path(t).name}" if args.tree else "adcli",
                 ([sys.executable, "-m", "adcli"] if t else _adcli()) + WORKED, t)
                for t in (args.tree or [None])]
    times = {"python -c pass": []}
    for label, _, _ in variants:
        times[f"{label}, empty caches"] = []
        times[f"{label}, warm caches"] = []
    with tempfile.TemporaryDirectory() as root:
        for i in range(args.runs):
            times["python -c pass"].append(_time([sys.executable, "-c", "pass"], Path(root)))
            for k, (label, cmd, tree) in enumerate(variants):
                warm = Path(root, f"warm{k}")
                if i == 0:
                    _time(cmd, warm, tree)  # prime
                times[f"{label}, empty caches"].append(_time(cmd, Path(root, f"e{k}.{i}"), tree))
                times[f"{label}, warm caches"].append(_time(cmd, warm, tree))
    floor = statistics.median(times["python -c pass"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:34s} median {med * 1000:7.1f} ms  (min {min(ts) * 1000:6.1f}, "
              f"{len(ts)} runs)  {med / floor:4.2f}x the floor")


if __name__ == "__main__":
    main()
