"""Benchmark: batches at scale, side by side in one run on this machine.

    python -m bench.batch_scale [--rows N] [--big N] [--dask N] [--hessian N]
                                [--only csv,jobs,kernel,parquet,dask,wide,points,hessian-wide]

- csv: CSV -> CSV, value and gradient of x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)
  on N points (default 10^6): adcli's command line against peers run
  through adcli's own batch I/O (adcli.batch.run_points with the peer's
  kernel: the same reader, writer, chunks and threads, so only the
  derivative differs): HIPS autograd, SymPy + lambdify(NumPy), JAX and
  PyTorch where installed (pip install jax torch: bench only); and the I/O
  floor: the same I/O with no derivative (also with Arrow's own number
  formatting, for the record).  Each contestant is its own process, one
  job; its CPU is split into the library's set-up, the kernel and the
  rest, and the report says what the floor leaves for a ratio (Amdahl).
- jobs: grad --points CSV -> CSV with 1 job, 2 threads (--jobs 2) and 2
  forked processes (as hessian's --jobs), wall and CPU.
- kernel: the derivative alone, in memory, each library in its own process.
- parquet: Parquet -> Parquet on --big points (default 10^7).
- dask: the Dask engine (LocalCluster, 2 worker processes) against the local
  engine on --dask points (default 10^7) in 4 Parquet shards: rows/s each,
  and each worker's peak memory.
- wide: one 10,000-column row through --points against --at @FILE (grad).
- points: hessian --points with 1 job, 2 processes (--jobs 2), 2 threads.
- hessian-wide: hessian --points of 1,000 variables, 8 rows: time and the
  peak memory of the process tree with --jobs 1 and 2.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

EXPR = "x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)"

# Every contestant of the CSV row runs in its own process through adcli's
# own batch I/O (adcli.batch.run_points: Arrow's CSV reader, numbers
# formatted by orjson and rows joined by Arrow, the same chunks and --jobs
# threads): only the kernel differs, so the comparison is of derivatives,
# not of I/O.  One job each (--jobs 1): the kernel's share is then the
# process's CPU during its calls, and CPU time, unlike wall time, does not
# depend on what else this shared machine runs.  `fn(a, b) -> (value,
# d/dx1, d/dx2)` over NumPy arrays; the library's import and set-up are
# timed apart (CPU; NumPy's import is everyone's, in `rest`).
_CONTESTANT = textwrap.dedent("""
    import sys, time
    import numpy as np
    t0 = time.process_time()
    %s
    setup = time.process_time() - t0
    import os
    from adcli.batch import driver, float_text
    float_text.available = %r
    spent = []  # (CPU of the process, wall) of each kernel call: one job, so the
                # process's CPU meanwhile is the kernel's (a library's own threads too)

    def timed(compute):
        def run(self, X, skip):
            c, w = time.process_time(), time.perf_counter()
            out = compute(self, X, skip)
            spent.append((time.process_time() - c, time.perf_counter() - w))
            return out
        return run

    class Peer(driver.Kernel):
        columns = ["f", "df/dx1", "df/dx2"]
        thread_safe = True
        def compute(self, X, skip):
            v, g1, g2 = fn(np.ascontiguousarray(X[:, 0]), np.ascontiguousarray(X[:, 1]))
            V = np.empty((X.shape[0], 3))
            V[:, 0], V[:, 1], V[:, 2] = v, g1, g2
            return V, {}, {}

    src, dst = sys.argv[1], sys.argv[2]
    if fn is None:  # adcli itself: the command line, end to end
        from adcli.cli.main import cli
        driver.GradKernel.compute = timed(driver.GradKernel.compute)
        try:
            cli.main(["grad", EXPR, "--points", src, "--out", dst, "--jobs", "1"],
                     prog_name="adcli", standalone_mode=False)
        except SystemExit:
            pass
    else:
        Peer.compute = timed(Peer.compute)
        driver.run_points(src, lambda variables: Peer(), needed=["x1", "x2"], out=dst, jobs=1)
    sys.stdout.write("%%r %%r %%r\\n" %% (setup, sum(c for c, _ in spent),
                                        sum(w for _, w in spent)))
    sys.stdout.flush()
    os._exit(0)  # (Arrow's thread pools at interpreter exit: apache/arrow#34314)
""")

# (module needed, set-up code defining fn).  Each peer's fn is its idiomatic
# vectorised value and gradient; the floor computes three cheap columns (so
# the writer formats numbers of full length) and no derivative.
PEERS = {
    "adcli grad --points in.csv --out out.csv": (None, f"fn = None; EXPR = {EXPR!r}"),
    "I/O floor: adcli's batch I/O, no derivative (x1+x2, x1-x2, x2-x1)": (None, textwrap.dedent("""
        def fn(a, b):
            return a + b, a - b, b - a
    """)),
    "autograd (elementwise_grad)": ("autograd", textwrap.dedent("""
        import autograd.numpy as anp
        from autograd import elementwise_grad
        f = lambda x1, x2: x1*x2 + anp.sin(x1) + anp.exp(-x2**2/2)*anp.cos(x1*x2)
        g1, g2 = elementwise_grad(f, 0), elementwise_grad(f, 1)
        def fn(a, b):
            return f(a, b), g1(a, b), g2(a, b)
    """)),
    "SymPy + lambdify(NumPy)": ("sympy", textwrap.dedent("""
        import sympy as sp
        x1, x2 = sp.symbols("x1 x2")
        e = x1*x2 + sp.sin(x1) + sp.exp(-x2**2/2)*sp.cos(x1*x2)
        fn = sp.lambdify((x1, x2), [e, sp.diff(e, x1), sp.diff(e, x2)], "numpy")
    """)),
    "JAX jit(vmap(value_and_grad)), float64": ("jax", textwrap.dedent("""
        import jax, jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        f = lambda x1, x2: x1*x2 + jnp.sin(x1) + jnp.exp(-x2**2/2)*jnp.cos(x1*x2)
        vg = jax.jit(jax.vmap(jax.value_and_grad(f, argnums=(0, 1))))
        def fn(a, b):
            v, (g1, g2) = vg(a, b)
            return np.asarray(v), np.asarray(g1), np.asarray(g2)
        import numpy as np
    """)),
    "PyTorch autograd, float64": ("torch", textwrap.dedent("""
        import torch
        def fn(a, b):
            x = torch.from_numpy(a).requires_grad_()
            y = torch.from_numpy(b).requires_grad_()
            v = x*y + torch.sin(x) + torch.exp(-y**2/2)*torch.cos(x*y)
            v.sum().backward()
            return v.detach().numpy(), x.grad.numpy(), y.grad.numpy()
    """)),
}
FLOOR = "I/O floor: adcli's batch I/O, no derivative (x1+x2, x1-x2, x2-x1)"

# Not the same I/O, for the record: the floor a peer's user gets from
# pandas (read_csv, to_csv: shortest round-trip text as well).  Only a
# peer held to I/O like this is 5x slower than adcli.
PANDAS = "pandas read_csv/to_csv, no derivative (NOT adcli's I/O: for the record)"
_PANDAS_FLOOR = textwrap.dedent("""
    import sys, time
    import pandas as pd
    df = pd.read_csv(sys.argv[1])
    a, b = df["x1"].to_numpy(), df["x2"].to_numpy()
    df["f"], df["df/dx1"], df["df/dx2"], df["error"] = a + b, a - b, b - a, ""
    df.to_csv(sys.argv[2], index=False)
    print(0.0, 0.0, 0.0)
""")


def _have(module):
    import importlib.util

    return module is None or importlib.util.find_spec(module) is not None


def _adcli():
    return [sys.executable, "-m", "adcli"]


def _wall(cmd, **kw):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


def _points_csv(path, n):
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 3, (n, 2))
    pacsv.write_csv(pa.table({"x1": X[:, 0], "x2": X[:, 1]}), path,
                    pacsv.WriteOptions(quoting_style="none"))


def _run_measured(cmd):
    """(wall s, CPU s of the process: user + system, every thread; its
    stdout) of one contestant."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"{cmd[2:]} failed ({proc.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, out.decode()


def csv_rows(tmp, n, repeat):
    """Every contestant end to end through the same batch I/O; each one's
    time split into its library's set-up, its kernel (CPU in kernel calls)
    and the rest (start-up, reading, writing), and what the floor leaves
    for a ratio (Amdahl)."""
    src = os.path.join(tmp, "in.csv")
    _points_csv(src, n)
    contestants, skipped = [], []
    for k, (name, (module, setup)) in enumerate(
            [*PEERS.items(), ("I/O floor with Arrow's CSV writer formatting the numbers "
                              "(no orjson)", PEERS[FLOOR])]):
        if not _have(module):
            skipped.append(f"{name}: not installed, skipped")
            continue
        script = os.path.join(tmp, f"contestant{k}.py")
        with open(script, "w") as f:
            f.write(_CONTESTANT % (setup.strip("\n"), k < len(PEERS)))
        contestants.append((name, [sys.executable, script, src,
                                   os.path.join(tmp, f"out{k}.csv")]))
    if _have("pandas"):
        contestants.append((PANDAS, [sys.executable, "-c", _PANDAS_FLOOR, src,
                                     os.path.join(tmp, "pandas.csv")]))
    best = {}
    for _ in range(repeat):  # interleaved: a busy machine slows all alike
        for name, cmd in contestants:
            wall, cpu, out = _run_measured(cmd)
            setup, kcpu, kwall = map(float, out.split())
            old = best.get(name)
            if old is None or cpu < old["cpu"]:
                best[name] = {"wall": wall, "cpu": cpu, "setup": setup, "kernel": kcpu,
                              "kernel_wall": kwall}
    return _csv_report(n, best, skipped)


def _csv_report(n, best, skipped):
    adcli = best[next(iter(PEERS))]
    floor = best[FLOOR]
    try:
        load = f"{os.getloadavg()[0]:.1f}"
    except OSError:
        load = "?"
    rows = [f"CSV->CSV value + gradient, {n:,} points, every contestant through adcli's batch "
            f"I/O with --jobs 1 (best of the runs by CPU; load average {load}; CPU = user + "
            "system of the process, every thread; set-up = the library's import and set-up; "
            "kernel = the CPU in kernel calls; rest = start-up, reading, writing):",
            f"  {'contestant':66s} {'wall s':>7s} {'CPU s':>6s} {'set-up':>7s} {'kernel':>7s} "
            f"{'rest':>6s} {'CPU/adcli':>9s} {'most (Amdahl)':>13s}"]
    for name, r in best.items():
        rest = r["cpu"] - r["kernel"] - r["setup"]
        # the most a kernel that took no time could make of this contestant's
        # lead: its time against the floor's (which has no kernel)
        amdahl = r["cpu"] / floor["cpu"]
        rows.append(f"  {name[:66]:66s} {r['wall']:7.2f} {r['cpu']:6.2f} {r['setup']:7.2f} "
                    f"{r['kernel']:7.2f} {rest:6.2f} {r['cpu'] / adcli['cpu']:9.2f} "
                    f"{amdahl:13.2f}")
    rows += [f"  {s}" for s in skipped]
    peers = {k: v for k, v in best.items() if k not in (FLOOR, PANDAS, next(iter(PEERS)))
             and not k.startswith("I/O floor")}
    if peers:
        fastest = min(peers, key=lambda k: peers[k]["cpu"])
        f = peers[fastest]
        rows.append(
            f"  Floor: {floor['cpu']:.2f} s CPU of adcli's {adcli['cpu']:.2f} s "
            f"({100 * floor['cpu'] / adcli['cpu']:.0f}%); adcli = "
            f"{adcli['cpu'] / floor['cpu']:.2f}x "
            f"the floor. Against the fastest peer ({fastest.split(' ')[0]}, {f['cpu']:.2f} s), "
            f"adcli's ratio is {f['cpu'] / adcli['cpu']:.2f}x, and no kernel could make it more "
            f"than {f['cpu'] / floor['cpu']:.2f}x (its time over the floor's). 5x would need "
            f"adcli at {f['cpu'] / 5:.2f} s CPU, {floor['cpu'] / (f['cpu'] / 5):.1f}x below "
            "the floor of the same I/O: only by giving the peers slower I/O than adcli's.")
    if PANDAS in best:
        p = best[PANDAS]["cpu"]
        rows.append(f"  For the record: pandas' I/O alone costs {p:.2f} s CPU, "
                    f"{p / adcli['cpu']:.1f}x adcli with its derivative: a peer whose user "
                    "reads and writes with pandas is that much slower, a claim about I/O.")
    return rows


def parquet_row(tmp, n):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = os.path.join(tmp, "big.parquet")
    X = np.random.default_rng(2).uniform(-3, 3, (n, 2))
    pq.write_table(pa.table({"x1": X[:, 0], "x2": X[:, 1]}), src, row_group_size=1 << 20)
    del X
    wall, rss = _wall_rss(["grad", EXPR, "--points", src, "--out",
                           os.path.join(tmp, "big.out.parquet")])
    return [f"Parquet->Parquet grad, {n:,} points: adcli {wall:.2f} s ({n / wall:,.0f} rows/s), "
            f"peak RSS {rss:.0f} MB"]


def _wall_rss(args):
    """(seconds, peak resident memory in MB) of ``adcli ARGS`` in a child
    process.  The peak is the child's own VmHWM, read as it exits: a forked
    child's ru_maxrss counts the parent's pages it started with (this bench
    holds the generated points)."""
    wrapper = ("import atexit, os, sys\n"
               "def peak():\n"
               "    status = open('/proc/self/status').read()\n"
               "    sys.stderr.write('VmHWM ' + status.split('VmHWM:')[1].split()[0] + '\\n')\n"
               "    sys.stderr.flush()\n"
               "atexit.register(peak)\n"
               # main leaves through os._exit once Arrow is loaded (no atexit)
               "_exit = os._exit\n"
               "os._exit = lambda code: (peak(), _exit(code))\n"
               "from adcli.cli.main import main\n"
               "sys.argv[0] = 'adcli'\n"
               "main()\n")
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", wrapper, *args], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True)
    wall = time.perf_counter() - t
    kb = int(res.stderr.rsplit("VmHWM ", 1)[1].split()[0])
    return wall, kb / 1024


def dask_rows(tmp, n, shards=4):
    """The local engine and the Dask engine (LocalCluster, 2 single-threaded
    worker processes) on the same Parquet shards into an output directory:
    both through the CLI (cluster start-up included), and the Dask run again
    on a cluster already up, with each worker's peak memory."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = os.path.join(tmp, "shards")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(3)
    for k in range(shards):
        X = rng.uniform(-3, 3, (n // shards, 2))
        pq.write_table(pa.table({"x1": X[:, 0], "x2": X[:, 1]}),
                       os.path.join(folder, f"part{k}.parquet"), row_group_size=1 << 20)
    out = {}
    for engine in ("local", "dask"):
        dest = os.path.join(tmp, f"out-{engine}") + "/"
        out[engine] = _wall(_adcli() + ["grad", EXPR, "--points", folder, "--out", dest,
                                        "--engine", engine], stderr=subprocess.DEVNULL)
        shutil.rmtree(dest)  # (10^8 points: 5 GB a run)
    warm, rss = _dask_warm(folder, os.path.join(tmp, "out-warm") + "/")
    shutil.rmtree(os.path.join(tmp, "out-warm"))
    return [f"Parquet shards ({shards}) -> Parquet shards, {n:,} points: local "
            f"{n / out['local']:,.0f} rows/s ({out['local']:.2f} s); Dask LocalCluster, 2 "
            f"workers: {n / out['dask']:,.0f} rows/s ({out['dask']:.2f} s, cluster start-up "
            f"included) = {100 * out['local'] / out['dask']:.0f}% of local; on a cluster "
            f"already up {n / warm:,.0f} rows/s ({warm:.2f} s) = "
            f"{100 * out['local'] / warm:.0f}% of local; worker peak RSS "
            f"{', '.join(f'{m:.0f}' for m in rss)} MB"]


def _dask_warm(folder, dest):
    """(seconds, [peak RSS of each worker in MB]) of one Dask run on a
    LocalCluster started beforehand (stopped before returning)."""
    import io

    from distributed import Client, LocalCluster

    import adcli
    from adcli.batch.dask_engine import run_dask
    from adcli.batch.driver import GradKernel

    fn = adcli.compile(EXPR)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        client.run(lambda: None)  # workers up and imported
        t = time.perf_counter()
        run_dask(folder, fn, lambda v: GradKernel(fn, v), out=dest, client=client,
                 stdout=io.StringIO(), stderr=io.StringIO())
        wall = time.perf_counter() - t
        rss = client.run(_peak_kb)
    return wall, [kb / 1024 for kb in rss.values()]


def _peak_kb():
    """This process's peak resident memory (VmHWM: since its exec, unlike
    ru_maxrss, which a spawned worker inherits from this bench)."""
    with open("/proc/self/status") as f:
        return int(f.read().split("VmHWM:")[1].split()[0])


def kernel_rows(n):
    """The derivative alone, in memory (no I/O, no start-up): value and
    gradient at n points, best of 3 after one warm-up call (JAX's compile
    and PyTorch's first call are reported apart)."""
    rows = [f"value + gradient in memory, {n:,} points (best of 3, after a warm-up):"]
    for name, (module, code) in KERNELS.items():
        if not _have(module):
            rows.append(f"  {name}: not installed, skipped")
            continue
        res = subprocess.run([sys.executable, "-c", _KERNEL_TIMER % (n, code)],
                             capture_output=True, text=True)
        if res.returncode:
            rows.append(f"  {name}: failed: {res.stderr.strip().splitlines()[-1]}")
            continue
        first, best = map(float, res.stdout.split())
        rows.append(f"  {name}: {best * 1e3:.0f} ms (first call {first * 1e3:.0f} ms)")
    return rows


_KERNEL_TIMER = textwrap.dedent("""
    import time, numpy as np
    n = %d
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
    %s
    def timed():
        t = time.perf_counter()
        run()
        return time.perf_counter() - t
    first = timed()
    print(first, min(timed() for _ in range(3)))
""")

KERNELS = {  # run(): the value and both partials at every point, as NumPy arrays
    "adcli (GradKernel: the tape's NumPy sweeps)": (None, textwrap.dedent(f"""
        import adcli
        from adcli.batch.driver import GradKernel
        kernel, X = GradKernel(adcli.compile("{EXPR}"), ["x1", "x2"]), np.column_stack([a, b])
        def run(): kernel.compute(X, {{}})
    """)),
    "autograd (elementwise_grad)": ("autograd", textwrap.dedent("""
        import autograd.numpy as anp
        from autograd import elementwise_grad
        f = lambda x1, x2: x1*x2 + anp.sin(x1) + anp.exp(-x2**2/2)*anp.cos(x1*x2)
        g1, g2 = elementwise_grad(f, 0), elementwise_grad(f, 1)
        def run(): f(a, b), g1(a, b), g2(a, b)
    """)),
    "SymPy + lambdify(NumPy)": ("sympy", textwrap.dedent("""
        import sympy as sp
        x1, x2 = sp.symbols("x1 x2")
        e = x1*x2 + sp.sin(x1) + sp.exp(-x2**2/2)*sp.cos(x1*x2)
        fn = sp.lambdify((x1, x2), [e, sp.diff(e, x1), sp.diff(e, x2)], "numpy")
        def run(): fn(a, b)
    """)),
    "JAX jit(vmap(value_and_grad)), float64": ("jax", textwrap.dedent("""
        import jax, jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        f = lambda x1, x2: x1*x2 + jnp.sin(x1) + jnp.exp(-x2**2/2)*jnp.cos(x1*x2)
        vg = jax.jit(jax.vmap(jax.value_and_grad(f, argnums=(0, 1))))
        def run():
            v, (g1, g2) = vg(a, b)
            np.asarray(v), np.asarray(g1), np.asarray(g2)
    """)),
    "PyTorch autograd, float64": ("torch", textwrap.dedent("""
        import torch
        def run():
            x = torch.from_numpy(a).requires_grad_()
            y = torch.from_numpy(b).requires_grad_()
            v = x*y + torch.sin(x) + torch.exp(-y**2/2)*torch.cos(x*y)
            v.sum().backward()
            v.detach().numpy(), x.grad.numpy(), y.grad.numpy()
    """)),
}


# grad --points through forked processes, as hessian's --jobs does: the
# kernel in the children, encoding and writing here (a measurement for the
# record: the processes cost CPU to ship chunks and did not beat threads)
_FORKED_GRAD = textwrap.dedent("""
    import os, sys
    from adcli.batch import driver
    driver.GradKernel.thread_safe = False  # not the thread pool: the forked pool
    driver.GradKernel._results = {}
    driver.POINT_CHUNK = 1 << 14
    driver.MIN_FORKED_ROWS = 1
    driver.PointKernel = (driver.PointKernel, driver.GradKernel)
    from adcli.cli.main import cli
    try:
        cli.main(sys.argv[1:], prog_name="adcli", standalone_mode=False)
    except SystemExit:
        pass
    os._exit(0)
""")


def jobs_rows(tmp, n, repeat):
    """grad --points, CSV -> CSV: one job, two threads (--jobs 2), two
    forked processes; wall and CPU, interleaved."""
    src = os.path.join(tmp, "in.csv")
    if not os.path.exists(src):
        _points_csv(src, n)
    args = ["grad", EXPR, "--points", src, "--out", os.path.join(tmp, "jobs.csv"), "--jobs"]
    runs = {"1 job": _adcli() + args + ["1"], "2 threads (--jobs 2)": _adcli() + args + ["2"],
            "2 forked processes": [sys.executable, "-c", _FORKED_GRAD] + args + ["2"]}
    best = {}
    for _ in range(repeat):
        for name, cmd in runs.items():
            wall, cpu, _ = _run_measured(cmd)
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], wall), min(old[1], cpu))
    return [f"grad --points CSV -> CSV, {n:,} points, best wall / best CPU: " + "; ".join(
        f"{name} {w:.2f} s / {c:.2f} s" for name, (w, c) in best.items())]


def point_rows(tmp, n):
    """hessian --points (a point-by-point kernel) with one job, two forked
    processes (what --jobs 2 does), and two threads (measured for the
    record: the GIL makes them take turns)."""
    import numpy as np

    src = os.path.join(tmp, "hess.csv")
    X = np.random.default_rng(4).uniform(-3, 3, (n, 2))
    with open(src, "w") as f:
        f.write("x1,x2\n" + "".join(f"{a!r},{b!r}\n" for a, b in X.tolist()))
    threads = ("import sys; from adcli.batch import driver; driver._can_fork = lambda: False; "
               "driver.PointKernel.thread_safe = True; from adcli.cli.main import main; "
               "sys.argv[0] = 'adcli'; main()")
    runs = {"1 job": _adcli() + ["hessian", EXPR, "--points", src, "--jobs", "1"],
            "2 processes (--jobs 2)": _adcli() + ["hessian", EXPR, "--points", src,
                                                  "--jobs", "2"],
            "2 threads": [sys.executable, "-c", threads, "hessian", EXPR, "--points", src,
                          "--jobs", "2"]}
    best = {}
    for _ in range(2):
        for name, cmd in runs.items():
            out = os.path.join(tmp, "hess-out.csv")
            best[name] = min(best.get(name, float("inf")), _wall(cmd + ["--out", out]))
    one = best["1 job"]
    return [f"hessian --points, {n:,} points: " + "; ".join(
        f"{name} {t:.2f} s ({one / t:.2f}x)" for name, t in best.items())]


def wide_row(tmp, width=10_000):
    names = [f"x{i}" for i in range(width)]
    formula = os.path.join(tmp, "wide.txt")
    with open(formula, "w") as f:
        f.write(" + ".join(f"{a}*{b}" for a, b in zip(names, names[1:])) + " + sin(x0)\n")
    with open(os.path.join(tmp, "wide.csv"), "w") as f:
        f.write(",".join(names) + "\n" + ",".join(f"0.{i + 1}" for i in range(width)) + "\n")
    with open(os.path.join(tmp, "wide_at.txt"), "w") as f:
        f.write(",".join(f"{n}=0.{i + 1}" for i, n in enumerate(names)) + "\n")
    pts = min(_wall(_adcli() + ["grad", "-f", formula, "--points",
                                os.path.join(tmp, "wide.csv"), "--format", "jsonl"])
              for _ in range(2))
    at = min(_wall(_adcli() + ["grad", "-f", formula, "--at", "@" + os.path.join(tmp,
                                                                          "wide_at.txt"),
                               "--format", "json"]) for _ in range(2))
    return [f"one {width:,}-column row, grad: --points {pts:.2f} s, --at @FILE {at:.2f} s, "
            f"ratio {pts / at:.2f}"]


def wide_hessian_row(tmp, rows=8, width=1000):
    """hessian --points of 1,000 variables (1,002,002 output columns a row):
    time and the peak of the summed RSS of adcli's process tree (its
    --jobs processes included; shared pages count in each), with psutil."""
    import psutil

    names = [f"x{i}" for i in range(width)]
    formula = os.path.join(tmp, "hwide.txt")
    with open(formula, "w") as f:
        f.write(" + ".join(f"{a}*{b}" for a, b in zip(names, names[1:])) + " + sin(x0)\n")
    src = os.path.join(tmp, "hwide.csv")
    with open(src, "w") as f:
        f.write(",".join(names) + "\n")
        for r in range(rows):
            f.write(",".join(f"{(i + r) % 13 / 7!r}" for i in range(width)) + "\n")
    out = []
    for jobs in (1, 2):
        t = time.perf_counter()
        proc = subprocess.Popen(_adcli() + ["hessian", "-f", formula, "--points", src, "--out",
                                            os.path.join(tmp, "hwide.out.csv"), "--jobs",
                                            str(jobs)], stdout=subprocess.DEVNULL)
        tree, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            try:
                peak = max(peak, sum(p.memory_info().rss
                                     for p in [tree, *tree.children(recursive=True)]))
            except psutil.Error:
                pass
            time.sleep(0.05)
        out.append(f"--jobs {jobs} {time.perf_counter() - t:.1f} s, {peak / 2**20:.0f} MB")
    return [f"hessian --points, {width:,} variables x {rows} rows: " + "; ".join(out)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10**6)
    ap.add_argument("--big", type=int, default=10**7)
    ap.add_argument("--dask", type=int, default=10**7)
    ap.add_argument("--hessian", type=int, default=20_000)
    ap.add_argument("--wide-rows", type=int, default=8,
                    help="rows of the hessian-wide row (the goal: 200, about 2 min a run)")
    ap.add_argument("--only", default="csv,jobs,kernel,parquet,dask,wide,points,hessian-wide",
                    help="which rows, comma-separated")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if "csv" in only:
            rows += csv_rows(tmp, args.rows, args.repeat)
        if "jobs" in only:
            rows += jobs_rows(tmp, args.rows, max(args.repeat, 3))
        if "kernel" in only:
            rows += kernel_rows(args.rows)
        if "parquet" in only:
            rows += parquet_row(tmp, args.big)
        if "dask" in only:
            rows += dask_rows(tmp, args.dask)
        if "wide" in only:
            rows += wide_row(tmp)
        if "points" in only:
            rows += point_rows(tmp, args.hessian)
        if "hessian-wide" in only:
            rows += wide_hessian_row(tmp, rows=args.wide_rows)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
