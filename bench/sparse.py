"""Sparse Hessians: the Rosenbrock chain at n = 10³, 10⁴, 10⁵, end to end.

    python -m bench.sparse [--quick] [--timeout S] [--sizes N,N,...]

adcli runs ``adcli hessian -f FORMULA --at @POINT --sparse --format json`` as
a whole process (parse, tape, pattern, colouring, compressed sweeps, JSON),
against today's dense ``adcli hessian --dense`` and the peers' dense
Hessians of the same formula text (JAX ``jax.hessian`` under jit, PyTorch
``torch.autograd.functional.hessian``, HIPS autograd ``hessian``), each at
the sizes it reaches within the time limit (a size that times out or fails
ends that tool's climb).  Each answer's value and a few Hessian entries are
checked against adcli's.  Colour counts on banded, arrow and block-diagonal
test patterns are printed next to the optimum.
"""

import json
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.peers import PRELUDE  # noqa: E402
from bench.run import Contest, adcli_cmd, rosenbrock  # noqa: E402

SIZES = [100, 300, 1000, 3000, 10_000, 100_000]
# The dense tools stop here: at n = 10,000 a dense Hessian is 10⁸ entries
# (adcli's JSON of it alone is gigabytes); their time there is estimated.
DENSE_MAX = 3000
GOAL_N5_S = 5.0  # n = 10⁵ end to end
GOAL_N4_RATIO = 100.0  # n = 10⁴: at least this much faster than dense and every peer

# A few entries of the Hessian every tool prints, to check they agree.
PROBES = PRELUDE + r'''
N = len(NAMES)
PROBE = [(0, 0), (0, 1), (1, 1), (N // 2, N // 2 + 1), (N - 1, N - 1)]

def report_hessian(value, H):
    nnz = sum(1 for i in range(N) for j in range(N) if H[i][j] != 0) if N <= 2000 else None
    print(json.dumps({"value": float(value), "probe": [float(H[i][j]) for i, j in PROBE],
                      "nnz": nnz}))
'''

PEERS = {
    "JAX jax.hessian": ("jax", PROBES + r'''
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
ns = {n: getattr(jnp, n) for n in MATH}
ns.update(pi=jnp.pi, e=jnp.e, jnp=jnp)
exec(python_source(unpack("jnp.unstack(x)")), ns)
x = jnp.array(VALUES, dtype=jnp.float64)
H = jax.jit(jax.hessian(ns["f"]))(x)
import numpy as np
report_hessian(ns["f"](x), np.asarray(H))
'''),
    "PyTorch hessian": ("torch", PROBES + r'''
import math
import torch
ns = {n: getattr(torch, n) for n in MATH if hasattr(torch, n)}
ns.update(pi=math.pi, e=math.e)
exec(python_source(unpack("x.unbind()")), ns)
x = torch.tensor(VALUES, dtype=torch.float64)
H = torch.autograd.functional.hessian(ns["f"], x)
report_hessian(ns["f"](x).item(), H.numpy())
'''),
    "autograd hessian": ("autograd", PROBES + r'''
import autograd.numpy as anp
from autograd import hessian
ns = {n: getattr(anp, n) for n in MATH}
ns.update(pi=anp.pi, e=anp.e)
exec(python_source(unpack("x")), ns)
x = anp.array(VALUES)
report_hessian(ns["f"](x), hessian(ns["f"])(x))
'''),
}


def _available():
    import importlib.util

    return {name: src for name, (mod, src) in PEERS.items()
            if importlib.util.find_spec(mod) is not None}


def _probe_of_sparse(obj):
    h = obj["hessian"]
    n = h["shape"][0]
    at = {(r, c): v for r, c, v in zip(h["rows"], h["cols"], h["values"])}
    return [at.get(p, 0.0) for p in [(0, 0), (0, 1), (1, 1), (n // 2, n // 2 + 1),
                                     (n - 1, n - 1)]]


def _probe_of_dense(obj):
    H, names = obj["hessian"], list(obj["gradient"])
    n = len(names)
    return [H[names[i]][names[j]] for i, j in [(0, 0), (0, 1), (1, 1), (n // 2, n // 2 + 1),
                                                 (n - 1, n - 1)]]


def _close(a, b, rtol=1e-9):
    return all(abs(x - y) <= rtol * max(1.0, abs(x), abs(y)) for x, y in zip(a, b))


def bench_chain(quick=False, timeout=70.0, sizes=None):
    # --quick runs on every landing: one small size (JAX alone took 61 s at n=1,000)
    sizes = [100] if quick else (sizes or SIZES)
    timeout = min(timeout, 30.0) if quick else timeout
    peers = _available()
    alive = {"adcli --dense": True, **{name: True for name in peers}}
    finished = {name: [] for name in alive}  # name -> [(n, seconds)] it completed
    timed_out = {}  # name -> the size it timed out (or failed) at
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            formula, point = rosenbrock(n)
            ffile, pfile = Path(tmp, f"rb{n}.txt"), Path(tmp, f"rb{n}_at.txt")
            ffile.write_text(formula)
            pfile.write_text(point)
            runs = 1 if quick or n >= 100_000 else 3
            c = Contest(runs, timeout)
            base = adcli_cmd() + ["hessian", "-f", str(ffile), "--at", f"@{pfile}",
                                  "--format", "json"]
            c.add("adcli --sparse", base + ["--sparse"])
            dense_ok = quick or n <= DENSE_MAX
            if alive["adcli --dense"] and dense_ok:
                c.add("adcli --dense", base + ["--dense"], runs=1)
            for name, source in peers.items():
                if alive[name] and dense_ok:
                    script = Path(tmp, f"peer_{name.split()[0]}.py")
                    script.write_text(source)
                    c.add(name, [sys.executable, str(script), str(ffile), str(pfile)], runs=1)
            c.go()
            a_s, a_mb, a_note = c.figure("adcli --sparse")
            ref = json.loads(c.entries["adcli --sparse"]["out"]) if a_s else None
            info = (f"{ref['sparse']['nnz']:,} nonzeros, {ref['sparse']['sweeps']} colours "
                    f"(dense: {n:,} sweeps)") if ref else a_note
            goal = ""
            if n >= 10_000 and a_s:
                cpu = _cpu_seconds(base + ["--sparse"], timeout)
                goal = f"; CPU user+sys {cpu:.2f} s, load average {os.getloadavg()[0]:.1f}"
                if n == 100_000:
                    goal += (f"; {'meets' if a_s <= GOAL_N5_S else 'MISSES'} goal <= "
                             f"{GOAL_N5_S:g} s in wall time, "
                             f"{'meets' if cpu <= GOAL_N5_S else 'MISSES'} it in CPU time")
            workload = f"Rosenbrock chain Hessian n={n:,}, end to end (sparse: {info}{goal})"
            for name in c.entries:
                if name == "adcli --sparse":
                    continue
                p_s, p_mb, note = c.figure(name)
                if p_s is None:
                    alive[name] = False
                    timed_out[name] = n
                else:
                    finished[name].append((n, p_s))
                if p_s is not None and ref:
                    out = json.loads(c.entries[name]["out"].strip().splitlines()[-1])
                    probe = _probe_of_dense(out) if name.startswith("adcli") else out["probe"]
                    ok = _close(_probe_of_sparse(ref), probe) and _close([ref["value"]],
                                                                        [out["value"]])
                    note = "; ".join(filter(None, [note, "same numbers" if ok else "DIFFERENT"]))
                    if n == 10_000:
                        verdict = "meets" if p_s / a_s >= GOAL_N4_RATIO else "MISSES"
                        note += f"; adcli {verdict} goal >= {GOAL_N4_RATIO:g}x faster"
                rows.append(_row(workload, a_s, name, p_s, a_mb, p_mb, note))
            if n == 10_000 and a_s:
                rows += _estimated(workload, a_s, finished, c, timed_out=timed_out,
                                   timeout=timeout)
            elif len(c.entries) == 1:
                rows.append(_row(workload, a_s, "-", None, a_mb, None,
                                 "every other tool timed out or failed at a smaller n"))
    return rows


def _cpu_seconds(cmd, timeout):
    """CPU seconds (user + system) of one more run of ``cmd``: on a shared
    machine the wall time counts the other processes' turns as well."""
    import subprocess

    from bench.spawn import measured

    r = measured(cmd, timeout, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
    return r["cpu"]


def _estimated(workload, a_s, finished, contest, n=10_000, timed_out=None, timeout=None):
    """Rows for the tools that did not run at ``n`` (or timed out there): their
    time extrapolated from the largest size they finished, t ∝ n^k with k
    fitted on their two largest sizes but at least 1 (a dense Hessian's work
    grows as n², and on a loaded machine a small size can take longer than a
    larger one), and from a size they timed out at (t > timeout·(n/that)):
    the larger of the two, a conservative estimate, labelled as such."""
    rows = []
    for name, done in finished.items():
        if name in contest.entries and contest.figure(name)[0] is not None:
            continue  # measured at n
        guesses, how = [], []
        if done:
            n2, t2 = done[-1]
            k = 1.0
            if len(done) >= 2:
                n1, t1 = done[-2]
                k = max(1.0, math.log(t2 / t1) / math.log(n2 / n1))
            guesses.append(t2 * (n / n2) ** k)
            how.append(f"{t2:.3g} s at n={n2:,} times (n/{n2:,})^{k:.2f}")
        stop = (timed_out or {}).get(name)
        if stop and stop < n and timeout:
            guesses.append(timeout * (n / stop))
            how.append(f"> {timeout:g} s at n={stop:,} times n/{stop:,}")
        if not guesses:
            rows.append(_row(workload, a_s, f"{name} (estimate)", None,
                             note="nothing finished or timed out: no estimate"))
            continue
        t = max(guesses)
        rows.append(_row(workload, a_s, f"{name} (estimate)", t, note=(
            f"ESTIMATED (not run at n={n:,}): the larger of {'; '.join(how)}; adcli "
            f"{'meets' if t / a_s >= GOAL_N4_RATIO else 'MISSES'} goal >= "
            f"{GOAL_N4_RATIO:g}x faster")))
    return rows


def _row(workload, a_s, peer, p_s, a_mb=None, p_mb=None, note=""):
    return {"workload": workload, "adcli_s": a_s, "peer": peer, "peer_s": p_s,
            "ratio": p_s / a_s if a_s and p_s else None, "adcli_mb": a_mb, "peer_mb": p_mb,
            "note": note}


def bench_colouring(quick=False):
    """Colours on test patterns against the optimum (in-process, no timing)."""
    from adcli.sparse import colouring as C

    n = 200 if quick else 2000
    cases = [
        ("tridiagonal", [{j for j in (i - 1, i, i + 1) if 0 <= j < n} for i in range(n)], 3),
        ("pentadiagonal", [{j for j in range(i - 2, i + 3) if 0 <= j < n} for i in range(n)],
         5),
        ("arrow", [set(range(n))] + [{0, i} for i in range(1, n)], 2),
        ("block-diagonal 8×8", [set(range(i // 8 * 8, i // 8 * 8 + 8)) for i in range(n)], 8),
    ]
    rows = []
    for label, adj, best in cases:
        colours = C.star_colouring(adj)
        k = C.n_colours(colours)
        ok = C.is_star(adj, colours)
        rows.append(_row(f"star colouring, {label} n={n:,}: {k} colours (optimum {best})",
                         None, "-", None,
                         note=f"{'valid' if ok else 'INVALID'}; "
                              f"{'within 1 of the optimum' if k <= best + 1 else 'MISSES'}"))
    return rows


def bench_jacobian_colouring(quick=False):
    """Distance-2 colouring of a Jacobian with partly dense rows (row 0 reads
    every other input, every row reads input 0: an arrow) at growing n, CPU
    seconds in-process: linear, where the conflict graph was quadratic."""
    import time

    from adcli.sparse import colouring as C

    rows, last = [], None
    for n in ([1000, 10_000] if quick else [1000, 10_000, 100_000]):
        groups = [list(range(0, n, 2))] + [[0, i, i + 1] for i in range(1, n - 1)]
        t = time.process_time()
        colours = C.distance2_colouring(groups, n)
        t = time.process_time() - t
        k, ok = C.n_colours(colours), C.is_distance2(groups, colours)
        growth = f"; {t / last:.1f}x the time of n/10 (linear: 10x)" if last else ""
        last = t
        rows.append(_row(f"Jacobian column colouring, a row reading n/2 inputs, n={n:,}: "
                         f"{k:,} colours (optimum {n // 2:,})", t, "-", None,
                         note=f"{'valid' if ok else 'INVALID'}; CPU s in-process{growth}"))
    return rows


def run(quick=False, timeout=70.0, sizes=None):
    return (bench_colouring(quick) + bench_jacobian_colouring(quick)
            + bench_chain(quick, timeout, sizes))


def main(argv=None):
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.sparse")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--timeout", type=float, default=70.0)
    ap.add_argument("--sizes", help="the chain's sizes, e.g. 1000,10000 (default: all)")
    args = ap.parse_args(argv)
    from bench.run import table

    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else None
    print(table(run(args.quick, args.timeout, sizes)))


if __name__ == "__main__":
    main()
