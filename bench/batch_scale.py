"""Benchmark: batches at scale, side by side in one run on this machine.

    python -m bench.batch_scale [--rows N] [--big N] [--dask N] [--skip-dask]

- CSV -> CSV, value and gradient of x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)
  on N points (default 10^6): adcli against peers that use the same Arrow
  I/O (so only the derivative differs): HIPS autograd (elementwise grad of
  the sum), SymPy + lambdify(NumPy), JAX and PyTorch where installed; and
  the I/O floor: pyarrow reading the inputs as text and writing the same
  six columns (inputs carried, three computed columns, error) with no
  derivative.  Every contestant is its own process, end to end.
- Parquet -> Parquet on --big points (default 10^7).
- The Dask engine (LocalCluster, 2 worker processes) against the local
  engine on --dask points (default 10^7) in 4 Parquet shards: rows/s each.
- One 10,000-column row through --points against --at @FILE (grad).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time

EXPR = "x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)"

_ARROW_IO = textwrap.dedent("""
    import sys, numpy as np, pyarrow as pa, pyarrow.csv as pacsv, pyarrow.compute as pc
    src, dst = sys.argv[1], sys.argv[2]
    t = pacsv.read_csv(src, convert_options=pacsv.ConvertOptions(
        column_types={"x1": pa.string(), "x2": pa.string()}))
    a = pc.cast(t["x1"], pa.float64()).to_numpy()
    b = pc.cast(t["x2"], pa.float64()).to_numpy()
    def write(v, g1, g2):
        out = pa.table({"x1": t["x1"], "x2": t["x2"], "f": v, "df/dx1": g1, "df/dx2": g2,
                        "error": pa.nulls(len(v), pa.string())})
        pacsv.write_csv(out, dst, pacsv.WriteOptions(quoting_style="none"))
""")

PEERS = {
    "I/O floor (pyarrow: read as text, write the same 6 columns, no derivative)": (
        None, "write(a + b, a - b, b - a)"),
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
            f.write(_ARROW_IO + body)
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
    wall = _wall(_adcli() + ["grad", EXPR, "--points", src, "--out",
                             os.path.join(tmp, "big.out.parquet")])
    return [f"Parquet->Parquet grad, {n:,} points: adcli {wall:.2f} s ({n / wall:,.0f} rows/s)"]


def dask_rows(tmp, n, shards=4):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = os.path.join(tmp, "shards")
    os.makedirs(folder)
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
    ratio = out["local"] / out["dask"]
    return [f"Parquet shards ({shards}) -> Parquet shards, {n:,} points: local "
            f"{n / out['local']:,.0f} rows/s ({out['local']:.2f} s), Dask LocalCluster 2 workers "
            f"{n / out['dask']:,.0f} rows/s ({out['dask']:.2f} s, cluster start-up included): "
            f"{100 * ratio:.0f}% of local"]


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10**6)
    ap.add_argument("--big", type=int, default=10**7)
    ap.add_argument("--dask", type=int, default=10**7)
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = csv_rows(tmp, args.rows, args.repeat)
        rows += parquet_row(tmp, args.big)
        if not args.skip_dask:
            rows += dask_rows(tmp, args.dask)
        rows += wide_row(tmp)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
