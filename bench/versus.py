"""This tree against an older revision: the same workloads, the same run.

    python -m bench.versus [--ref de72aa2] [--rounds 4] [--only taylor ...]

The revision is unpacked with ``git archive`` into a temporary directory.
Each round starts one child process per tree (which tree goes first
alternates), and each child times every workload in CPU time
(``time.process_time``, best of several batches of at least 20 ms), so a
busy machine slows both trees alike.  The table gives each tree's best
and new/old (above 1: this tree is slower).  Both children import adcli
from their own tree with this interpreter's dependencies, so the workloads
call only the API both revisions share (``Function(text).taylor(point,
order)``, ``.gradient``, ``.hessian``).  No figure is stored: a ratio
means something only when both sides ran together.
"""

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MIXED = "log(1+x^2)*cos(x)/(2+sinh(x)) + sqrt(1+x)*atan(x)"


def _hundred():
    n = 100
    terms = [f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n)]
    terms += [f"sin(x{i})*exp(0.01*x{i})" for i in range(1, n + 1)]
    return " + ".join(terms), {f"x{i}": 0.5 + 0.01 * i for i in range(1, n + 1)}


def workloads():
    """{group: [(name, formula, point, method, extra args)]}."""
    text, point = _hundred()
    return {
        "taylor": [(f"taylor {label} K={k}", f, {"x": 0.7}, "taylor", (k,))
                   for label, f in (("exp(sin(x))", "exp(sin(x))"), ("mixed", MIXED))
                   for k in (2, 8, 12, 20, 30, 40)],
        "gradient": [("gradient 100 variables", text, point, "gradient", ())],
        "hessian": [("hessian 100 variables", text, point, "hessian", ())],
    }


def child(tree, names, batch=0.02, repeats=3):
    """Run in a child: {workload: best seconds per call} in ``tree``."""
    sys.path.insert(0, tree)
    import adcli

    out = {}
    for group in workloads().values():
        for name, text, point, method, extra in group:
            if name not in names:
                continue

            def call(text=text, point=point, method=method, extra=extra):
                getattr(adcli.Function(text), method)(dict(point), *extra)

            call()  # rules compiled, caches warm, as in a long session
            best = float("inf")
            for _ in range(repeats):
                n, start = 0, time.process_time()
                while (spent := time.process_time() - start) < batch:
                    call()
                    n += 1
                best = min(best, spent / n)
            out[name] = best
    return out


def unpack(ref, into):
    """``git archive ref`` of this repository, unpacked in ``into``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True,
                          capture_output=True).stdout
    path = Path(into, "tree.tar")
    path.write_bytes(data)
    with tarfile.open(path) as tar:
        tar.extractall(into, filter="data")
    return into


def compare(ref, groups, rounds):
    """Rows (workload, old s, new s, new/old), children interleaved."""
    names = [w[0] for g in groups for w in workloads()[g]]
    with tempfile.TemporaryDirectory(prefix="adcli-versus-") as tmp:
        trees = {"old": unpack(ref, tmp), "new": str(ROOT)}
        best = {"old": {}, "new": {}}
        for r in range(rounds):
            for side in (("old", "new") if r % 2 == 0 else ("new", "old")):
                got = json.loads(subprocess.run(
                    [sys.executable, __file__, "--child", trees[side], *names],
                    check=True, capture_output=True, text=True).stdout)
                for k, v in got.items():
                    best[side][k] = min(v, best[side].get(k, v))
    return [(n, best["old"][n], best["new"][n], best["new"][n] / best["old"][n])
            for n in names if n in best["old"] and n in best["new"]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="de72aa2", help="the older revision (default de72aa2)")
    ap.add_argument("--rounds", type=int, default=4, help="child pairs (default 4)")
    ap.add_argument("--only", nargs="+", choices=list(workloads()), default=list(workloads()))
    ap.add_argument("--child", metavar="TREE", help=argparse.SUPPRESS)
    ap.add_argument("names", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, set(args.names))))
        return 0
    rows = compare(args.ref, args.only, args.rounds)
    print(f"CPU time per call, best of {args.rounds} interleaved child pairs; "
          f"old = {args.ref}, new = this tree")
    print(f"{'workload':34} {'old µs':>10} {'new µs':>10} {'new/old':>8}")
    for name, old, new, ratio in rows:
        print(f"{name:34} {old * 1e6:10.1f} {new * 1e6:10.1f} {ratio:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
