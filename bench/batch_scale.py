"""Benchmark: batches at scale, side by side in one run on this machine.

    python -m bench.batch_scale [--rows N] [--big N] [--dask N] [--hessian N]
                                [--only csv,kernel,parquet,dask,wide,points,hessian-wide]

- csv: CSV -> CSV, value and gradient of x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)
  on N points (default 10^6): adcli against peers that use the same Arrow
  I/O as adcli (so only the derivative differs): HIPS autograd, SymPy +
  lambdify(NumPy), JAX and PyTorch where installed (pip install jax torch:
  bench only); and the I/O floor: pyarrow reading the inputs as text and
  writing the same six columns (inputs carried, three computed columns,
  error) in two threads with no derivative (and in one thread, for the
  record).  Every contestant is its own process, end to end.
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

# The same Arrow I/O for every contestant, as adcli uses it: pyarrow's
# multithreaded CSV reader with the inputs kept as text, arrays from their
# buffers (pa.array/to_numpy would import pandas), and the output encoded by
# two threads in slices, written in order.
_ARROW_IO = textwrap.dedent("""
    import io, sys
    from concurrent.futures import ThreadPoolExecutor
    import numpy as np, pyarrow as pa, pyarrow.csv as pacsv
    from pyarrow._compute import CastOptions, call_function
    src, dst = sys.argv[1], sys.argv[2]
    t = pacsv.read_csv(src, convert_options=pacsv.ConvertOptions(
        column_types={"x1": pa.string(), "x2": pa.string()}))
    def floats(col):
        arr = call_function("cast", [col], CastOptions(pa.float64())).combine_chunks()
        return np.frombuffer(arr.buffers()[1], np.float64, len(arr) + arr.offset)[arr.offset:]
    a, b = floats(t["x1"]), floats(t["x2"])
    def column(v):
        v = np.ascontiguousarray(v, dtype=np.float64)
        return pa.Array.from_buffers(pa.float64(), len(v), [None, pa.py_buffer(v)])
    def write(v, g1, g2, threads=2, parts=16):
        out = pa.Table.from_arrays(
            [t["x1"], t["x2"], column(v), column(g1), column(g2), pa.nulls(len(v), pa.string())],
            names=["x1", "x2", "f", "df/dx1", "df/dx2", "error"])
        step = -(-len(v) // parts)
        opts = pacsv.WriteOptions(quoting_style="none", include_header=False)
        def encode(k):
            buf = io.BytesIO()
            pacsv.write_csv(out.slice(k * step, step), buf, opts)
            return buf.getvalue()
        with open(dst, "wb") as f, ThreadPoolExecutor(threads) as pool:
            f.write(b"x1,x2,f,df/dx1,df/dx2,error\\n")
            for data in pool.map(encode, range(parts)):
                f.write(data)
""")

# The floor streamed as adcli streams: pyarrow's streaming CSV reader, each
# record batch encoded by a pool of two threads, written in order.
_STREAMED_FLOOR = textwrap.dedent("""
    import collections, io, sys
    from concurrent.futures import ThreadPoolExecutor
    import numpy as np, pyarrow as pa, pyarrow.csv as pacsv
    from pyarrow._compute import CastOptions, call_function
    src, dst = sys.argv[1], sys.argv[2]
    def floats(col):
        arr = call_function("cast", [col], CastOptions(pa.float64()))
        return np.frombuffer(arr.buffers()[1], np.float64, len(arr) + arr.offset)[arr.offset:]
    def column(v):
        return pa.Array.from_buffers(pa.float64(), len(v), [None, pa.py_buffer(v)])
    opts = pacsv.WriteOptions(quoting_style="none", include_header=False)
    def encode(batch):
        a, b = floats(batch.column(0)), floats(batch.column(1))
        out = pa.Table.from_arrays(
            [batch.column(0), batch.column(1), column(a + b), column(a - b), column(b - a),
             pa.nulls(len(a), pa.string())], names=["x1", "x2", "f", "d1", "d2", "error"])
        buf = io.BytesIO()
        pacsv.write_csv(out, buf, opts)
        return buf.getvalue()
    reader = pacsv.open_csv(src, read_options=pacsv.ReadOptions(block_size=1 << 20),
                            convert_options=pacsv.ConvertOptions(
                                column_types={"x1": pa.string(), "x2": pa.string()}))
    with open(dst, "wb") as f, ThreadPoolExecutor(2) as pool:
        f.write(b"x1,x2,f,df/dx1,df/dx2,error\\n")
        pending = collections.deque()
        for batch in reader:
            pending.append(pool.submit(encode, batch))
            if len(pending) > 4:
                f.write(pending.popleft().result())
        while pending:
            f.write(pending.popleft().result())
""")

PEERS = {
    "I/O floor (pyarrow: read as text, write the same 6 columns in 2 threads, no "
    "derivative), streamed": (None, None),
    "I/O floor, read whole then written in 2 threads": (None, "write(a + b, a - b, b - a)"),
    "I/O floor, read whole then written in one thread": (
        None, "write(a + b, a - b, b - a, threads=1, parts=1)"),
    "autograd (elementwise_grad), Arrow I/O": ("autograd", textwrap.dedent("""
        import autograd.numpy as anp
        from autograd import elementwise_grad
        f = lambda x1, x2: x1*x2 + anp.sin(x1) + anp.exp(-x2**2/2)*anp.cos(x1*x2)
        write(f(a, b), elementwise_grad(f, 0)(a, b), elementwise_grad(f, 1)(a, b))
    """)),
    "SymPy + lambdify(NumPy), Arrow I/O": ("sympy", textwrap.dedent("""
        import sympy as sp
        x1, x2 = sp.symbols("x1 x2")
        e = x1*x2 + sp.sin(x1) + sp.exp(-x2**2/2)*sp.cos(x1*x2)
        fn = sp.lambdify((x1, x2), [e, sp.diff(e, x1), sp.diff(e, x2)], "numpy")
        write(*fn(a, b))
    """)),
    "JAX jit(vmap(value_and_grad)), Arrow I/O": ("jax", textwrap.dedent("""
        import jax, jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        f = lambda x1, x2: x1*x2 + jnp.sin(x1) + jnp.exp(-x2**2/2)*jnp.cos(x1*x2)
        v, (g1, g2) = jax.jit(jax.vmap(jax.value_and_grad(f, argnums=(0, 1))))(a, b)
        write(np.asarray(v), np.asarray(g1), np.asarray(g2))
    """)),
    "PyTorch autograd, Arrow I/O": ("torch", textwrap.dedent("""
        import torch
        x = torch.tensor(a, requires_grad=True); y = torch.tensor(b, requires_grad=True)
        v = x*y + torch.sin(x) + torch.exp(-y**2/2)*torch.cos(x*y)
        v.sum().backward()
        write(v.detach().numpy(), x.grad.numpy(), y.grad.numpy())
    """)),
}


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


def csv_rows(tmp, n, repeat):
    src = os.path.join(tmp, "in.csv")
    _points_csv(src, n)
    contestants = [("adcli grad --points in.csv --out out.csv",
                    _adcli() + ["grad", EXPR, "--points", src, "--out",
                                os.path.join(tmp, "adcli.csv")])]
    skipped = []
    for name, (module, body) in PEERS.items():
        if not _have(module):
            skipped.append(f"{name}: not installed, skipped")
            continue
        script = os.path.join(tmp, f"peer{len(contestants)}.py")
        with open(script, "w") as f:
            f.write(_STREAMED_FLOOR if body is None else _ARROW_IO + body)
        contestants.append((name, [sys.executable, script, src,
                                   os.path.join(tmp, f"peer{len(contestants)}.csv")]))
    best = {}
    for _ in range(repeat):  # interleaved: a busy machine slows all alike
        for name, cmd in contestants:
            best[name] = min(best.get(name, float("inf")), _wall(cmd))
    adcli_s = best[contestants[0][0]]
    rows = [f"CSV->CSV grad, {n:,} points: adcli {adcli_s:.2f} s ({n / adcli_s:,.0f} rows/s)"]
    for name, _cmd in contestants[1:]:
        rows.append(f"  {name}: {best[name]:.2f} s, ratio peer/adcli {best[name] / adcli_s:.2f}")
    return rows + [f"  {s}" for s in skipped]


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
    wrapper = ("import atexit, sys\n"
               "def peak():\n"
               "    status = open('/proc/self/status').read()\n"
               "    sys.stderr.write('VmHWM ' + status.split('VmHWM:')[1].split()[0] + '\\n')\n"
               "atexit.register(peak)\n"
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
    ap.add_argument("--only", default="csv,kernel,parquet,dask,wide,points,hessian-wide",
                    help="which rows, comma-separated")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if "csv" in only:
            rows += csv_rows(tmp, args.rows, args.repeat)
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
            rows += wide_hessian_row(tmp)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
