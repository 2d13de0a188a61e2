"""Benchmark: value and gradient at many points, CSV file to CSV file.

    python bench/batch.py           # 10^6 points, peers, and peak memory on 10^7
    python bench/batch.py --quick   # 10^5 points, no 10^7 memory run (seconds)

Formula: x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2), points uniform in
[-3, 3]², written at full precision.  Every contestant runs as its own
process, end to end (start-up, reading, computing, writing), in one run:

- adcli:   adcli grad EXPR --points in.csv --format csv > out.csv
- sympy:   sympy.diff + lambdify(numpy), np.loadtxt, np.savetxt("%.17g")
           (the usual script), and the same with the fastest writer we know
           (repr of tolist, see adcli/batch/writer.py) to be fair to it
- jax / torch: only when installed
- I/O floor: NumPy scripts that only read the same CSV and write a CSV of
           the same shape, no maths: (A) loadtxt and the 5 columns with the
           fastest writer; (B) the input lines kept as text plus 3 formatted
           columns, which is exactly the I/O adcli does (the tighter floor).

--quick runs adcli, the sympy script with the fast writer and floor B once.
Otherwise each contestant runs 2 times, interleaved; the best wall
time counts (CPU time of the child is reported too: this machine may be
shared).  ``run(quick)`` returns rows {"workload", "adcli_s", "peer", "peer_s",
"ratio"} (plus "adcli_cpu_s", "peer_cpu_s", "cpu_ratio") with ratio =
peer_s / adcli_s (above 1: adcli is faster; for an I/O floor, the closer to
1 the better).  The memory row gives
the peak resident set size of adcli on 10^7 points streamed through a pipe
(``adcli_s`` is its time, ``peer_s`` the peak in MB, ratio None).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also run as a script: python bench/batch.py
    sys.path.insert(0, str(ROOT))

from bench.spawn import measured  # noqa: E402

EXPR = "x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)"
SYMPY_EXPR = "x1*x2 + sin(x1) + exp(-x2**2/2)*cos(x1*x2)"

_GEN = textwrap.dedent("""
    import sys, numpy as np
    n, block = int(sys.argv[1]), 100_000
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, (min(n, block), 2))
    text = repr(X.tolist())[2:-2].replace("], [", "\\n").replace(", ", ",") + "\\n"
    out = sys.stdout
    out.write("x1,x2\\n")
    done = 0
    while done < n:
        k = min(block, n - done)
        out.write(text if k == len(X) else "".join(text.splitlines(True)[:k]))
        done += k
    out.flush()
""")

_FAST_WRITE = textwrap.dedent("""
    def write_csv(path, header, cols):
        # the fastest sound writer measured (bench/batch_io.py): one
        # %-template per chunk over the numbers
        import numpy as np
        V = np.column_stack(cols)
        row = ",".join(["%r"] * V.shape[1]) + "\\n"
        with open(path, "w") as f:
            f.write(",".join(header) + "\\n")
            for s in range(0, len(V), 65536):
                part = V[s:s + 65536]
                f.write((row * len(part)) % tuple(part.ravel().tolist()))
""")

_SYMPY = textwrap.dedent("""
    import sys, numpy as np, sympy as sp
    src, dst, fast = sys.argv[1], sys.argv[2], sys.argv[3] == "fast"
    x1, x2 = sp.symbols("x1 x2")
    f = sp.sympify(%r)
    fn = sp.lambdify((x1, x2), [f, sp.diff(f, x1), sp.diff(f, x2)], "numpy")
    X = np.loadtxt(src, delimiter=",", skiprows=1, ndmin=2)
    a, b = X[:, 0], X[:, 1]
    v, g1, g2 = fn(a, b)
    header = ["x1", "x2", "f", "df/dx1", "df/dx2"]
    if fast:
        write_csv(dst, header, [a, b, v, g1, g2])
    else:
        np.savetxt(dst, np.column_stack([a, b, v, g1, g2]), fmt="%%.17g", delimiter=",",
                   header=",".join(header), comments="")
""") % SYMPY_EXPR

_JAX = textwrap.dedent("""
    import sys, numpy as np, jax, jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    src, dst = sys.argv[1], sys.argv[2]
    def f(x1, x2):
        return x1*x2 + jnp.sin(x1) + jnp.exp(-x2**2/2)*jnp.cos(x1*x2)
    vg = jax.jit(jax.vmap(jax.value_and_grad(f, argnums=(0, 1))))
    X = np.loadtxt(src, delimiter=",", skiprows=1, ndmin=2)
    v, (g1, g2) = vg(jnp.asarray(X[:, 0]), jnp.asarray(X[:, 1]))
    write_csv(dst, ["x1", "x2", "f", "df/dx1", "df/dx2"],
              [X[:, 0], X[:, 1], np.asarray(v), np.asarray(g1), np.asarray(g2)])
""")

_TORCH = textwrap.dedent("""
    import sys, numpy as np, torch
    src, dst = sys.argv[1], sys.argv[2]
    X = np.loadtxt(src, delimiter=",", skiprows=1, ndmin=2)
    a = torch.tensor(X[:, 0], requires_grad=True)
    b = torch.tensor(X[:, 1], requires_grad=True)
    v = a*b + torch.sin(a) + torch.exp(-b**2/2)*torch.cos(a*b)
    v.sum().backward()
    write_csv(dst, ["x1", "x2", "f", "df/dx1", "df/dx2"],
              [X[:, 0], X[:, 1], v.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
""")

_FLOOR = textwrap.dedent("""
    import sys, numpy as np
    src, dst = sys.argv[1], sys.argv[2]
    X = np.loadtxt(src, delimiter=",", skiprows=1, ndmin=2)
    a, b = X[:, 0], X[:, 1]
    write_csv(dst, ["x1", "x2", "f", "df/dx1", "df/dx2"], [a, b, a + b, a - b, b - a])
""")

_FLOOR_TEXT = textwrap.dedent("""
    import sys, numpy as np
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        header, *body = f.read().splitlines()
    X = np.loadtxt(body, delimiter=",", ndmin=2)
    a, b = X[:, 0], X[:, 1]
    V = np.column_stack([a + b, a - b, b - a])
    cells = (("%r,%r,%r\\n" * len(V)) % tuple(V.ravel().tolist())).splitlines()
    with open(dst, "w") as f:
        f.write(header + ",f,df/dx1,df/dx2\\n")
        f.write("".join([line + "," + c + "\\n" for line, c in zip(body, cells)]))
""")


def _have(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _adcli():
    return [sys.executable, "-m", "adcli"]


def _timed(cmd, stdout=None):
    """(wall seconds, CPU seconds of the child) for one run of cmd."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = status
    if status != 0:
        raise RuntimeError(f"{cmd[:3]} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


def _script(tmp, name, body):
    path = os.path.join(tmp, "peer_" + name + ".py")
    with open(path, "w") as f:
        f.write(_FAST_WRITE + body)
    return path


def _write_points(path, n):
    gen = [sys.executable, "-c", _GEN, str(n)]
    with open(path, "w") as f:
        subprocess.run(gen, check=True, stdout=f)


def _check(out, n):
    """adcli's output agrees with the sympy peer's (sanity, not timing)."""
    with open(out) as f:
        head = f.readline().strip()
        first = f.readline().strip().split(",")
    assert head == "x1,x2,f,df/dx1,df/dx2,error", head
    assert len(first) == 6 and first[-1] == "", first


def _peak_rss_mb(n):
    """Stream n points through a pipe into adcli; peak RSS of adcli alone."""
    gen = subprocess.Popen([sys.executable, "-c", _GEN, str(n)], stdout=subprocess.PIPE)
    with open(os.devnull, "w") as null:
        r = measured(_adcli() + ["grad", EXPR, "--points", "-", "--format", "csv"],
                     stdin=gen.stdout, stdout=null)
        gen.stdout.close()
    gen.wait()
    if r["code"] != 0:
        raise RuntimeError(f"adcli exited with status {r['code']}")
    return r["wall"], r["peak_mb"]


def run(quick=False, repeat=None):
    """Each contestant runs ``repeat`` times (interleaved, so that a busy
    machine slows all alike); the best wall time counts."""
    n = 10**5 if quick else 10**6
    repeat = repeat or (1 if quick else 2)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.csv")
        _write_points(src, n)
        out = os.path.join(tmp, "out.csv")
        workload = f"grad CSV->CSV, {n:,} points"
        contestants = [("adcli", _adcli() + ["grad", EXPR, "--points", src, "--format", "csv"],
                        out),
                       ("sympy+lambdify+NumPy (loadtxt, savetxt %.17g)",
                        [sys.executable, _script(tmp, "sympy", _SYMPY), src, out + ".s",
                         "savetxt"], None),
                       ("sympy+lambdify+NumPy (loadtxt, fastest writer)",
                        [sys.executable, _script(tmp, "sympy", _SYMPY), src, out + ".s",
                         "fast"], None)]
        if quick:  # seconds: one peer, the tighter floor
            contestants = [contestants[0], contestants[2]]
        if _have("jax") and not quick:
            contestants.append(("JAX jit(vmap(value_and_grad)), fastest writer",
                                [sys.executable, _script(tmp, "jax", _JAX), src, out + ".j"],
                                None))
        if _have("torch") and not quick:
            contestants.append(("PyTorch autograd, fastest writer",
                                [sys.executable, _script(tmp, "torch", _TORCH), src,
                                 out + ".t"], None))
        if not quick:
            contestants.append(
                ("I/O floor A (NumPy: loadtxt, write the 5 columns, fastest writer)",
                 [sys.executable, _script(tmp, "floor", _FLOOR), src, out + ".f"], None))
        contestants.append(("I/O floor B (NumPy: input lines kept as text + 3 columns, as adcli)",
                            [sys.executable, _script(tmp, "floor_text", _FLOOR_TEXT), src,
                             out + ".g"], None))
        best = {}
        for _ in range(repeat):
            for name, cmd, stdout_path in contestants:
                if stdout_path:
                    with open(stdout_path, "w") as f:
                        wall, cpu = _timed(cmd, stdout=f)
                else:
                    wall, cpu = _timed(cmd)
                w0, c0 = best.get(name, (float("inf"), float("inf")))
                best[name] = (min(w0, wall), min(c0, cpu))
        _check(out, n)
        adcli_s, adcli_cpu = best["adcli"]
        for name, _cmd, _out in contestants[1:]:
            peer_s, peer_cpu = best[name]
            rows.append({"workload": workload, "adcli_s": adcli_s, "peer": name,
                         "peer_s": peer_s, "ratio": peer_s / adcli_s,
                         "adcli_cpu_s": adcli_cpu, "peer_cpu_s": peer_cpu,
                         "cpu_ratio": peer_cpu / adcli_cpu})
        for name in ("jax", "torch"):
            if not _have(name) and not quick:
                rows.append({"workload": workload, "adcli_s": adcli_s,
                             "peer": f"{name} (not installed: skipped)", "peer_s": None,
                             "ratio": None})
    for r in rows:
        r["rows_per_s"] = n / r["adcli_s"]
    if not quick:
        big = 10**7
        elapsed, peak = _peak_rss_mb(big)
        rows.append({"workload": f"grad CSV stream, {big:,} points: peak RSS MB",
                     "adcli_s": elapsed, "peer": "peak resident memory (MB)",
                     "peer_s": peak, "ratio": None, "rows_per_s": big / elapsed})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 points, no 10^7 run")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    for r in rows:
        if "peak" in r["workload"]:
            print(f"{r['workload']}: {r['peer_s']:.0f} MB peak RSS, {r['adcli_s']:.1f} s "
                  f"({r['rows_per_s']:,.0f} rows/s)")
        elif r["peer_s"] is None:
            print(f"{r['workload']}: {r['peer']}")
        else:
            print(f"{r['workload']}: adcli {r['adcli_s']:.2f} s ({r['rows_per_s']:,.0f} rows/s,"
                  f" cpu {r['adcli_cpu_s']:.2f} s) | {r['peer']}: {r['peer_s']:.2f} s"
                  f" (cpu {r['peer_cpu_s']:.2f} s) | ratio peer/adcli {r['ratio']:.2f}"
                  f" (cpu {r['cpu_ratio']:.2f})")


if __name__ == "__main__":
    main()
