"""Which columnar library adcli's batches read and write through: pyarrow
against polars on this machine, side by side in one run.

    python -m bench.batch_libs [--rows N]

CSV read of N rows × 2 floats, CSV write of N rows × 5 floats (value and
gradient) plus an empty ``error`` column, JSON Lines read and write, and
Parquet; every writer's floats are read back with Python's ``float`` and
compared bit for bit with the values written (``exact``: shortest
round-trip or at least round-trip).  Also the import time of each library
in a fresh interpreter and its size on disk.
"""

import argparse
import io
import os
import subprocess
import sys

import numpy as np

from bench.common import best_and_result, round_trip


def _best(fn):
    """(best of 3 calls, the last result)."""
    return best_and_result(fn, 3)


def _data(rows):
    rng = np.random.default_rng(7)
    x = rng.uniform(-3, 3, (rows, 2))
    y = np.column_stack([x[:, 0] * x[:, 1], np.sin(x[:, 0]), np.exp(-x[:, 1]), x[:, 0] / 3,
                         x[:, 1] * 1e-7])
    return x, y


def _exact(text, values, sep=","):
    """(round trip, shortest) of the first 2,000 rows' numbers, after the header."""
    lines = text.splitlines()[1:2001]
    cells = [c for line in lines for c in line.split(sep)[:values.shape[1]]]
    return round_trip(cells, values[:len(lines)].ravel().tolist())


def measure_pyarrow(x, y):
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.json as pajson
    import pyarrow.parquet as pq

    src = io.BytesIO()
    pacsv.write_csv(pa.table({"x1": x[:, 0], "x2": x[:, 1]}), src)
    data = src.getvalue()
    out = {}
    out["csv read"] = _best(lambda: pacsv.read_csv(io.BytesIO(data)))[0]
    names = ["x1", "x2", "f", "d1", "d2"]
    cols = np.column_stack([x, y[:, :3]])
    table = pa.table({n: cols[:, j] for j, n in enumerate(names)} |
                     {"error": pa.nulls(len(x), pa.string())})

    def write():
        buf = io.BytesIO()
        pacsv.write_csv(table, buf)
        return buf.getvalue()
    out["csv write"], text = _best(write)
    out["csv exact"] = _exact(text.decode(), cols)
    jl = "".join(f'{{"x1": {a!r}, "x2": {b!r}}}\n' for a, b in x.tolist()).encode()
    out["jsonl read"] = _best(lambda: pajson.read_json(io.BytesIO(jl)))[0]
    out["jsonl write"] = None  # pyarrow has no JSON writer
    pbuf = io.BytesIO()
    out["parquet write"] = _best(lambda: pq.write_table(table, io.BytesIO()))[0]
    pq.write_table(table, pbuf)
    pdata = pbuf.getvalue()
    out["parquet read"] = _best(lambda: pq.read_table(io.BytesIO(pdata)))[0]
    return out


def measure_polars(x, y):
    import polars as pl

    src = pl.DataFrame({"x1": x[:, 0], "x2": x[:, 1]}).write_csv().encode()
    out = {}
    out["csv read"] = _best(lambda: pl.read_csv(io.BytesIO(src)))[0]
    names = ["x1", "x2", "f", "d1", "d2"]
    cols = np.column_stack([x, y[:, :3]])
    frame = pl.DataFrame({n: cols[:, j] for j, n in enumerate(names)}).with_columns(
        pl.lit(None, dtype=pl.String).alias("error"))
    out["csv write"], text = _best(lambda: frame.write_csv())
    out["csv exact"] = _exact(text, cols)
    jl = "".join(f'{{"x1": {a!r}, "x2": {b!r}}}\n' for a, b in x.tolist()).encode()
    out["jsonl read"] = _best(lambda: pl.read_ndjson(io.BytesIO(jl)))[0]
    out["jsonl write"] = _best(lambda: frame.write_ndjson())[0]
    out["parquet write"] = _best(lambda: frame.write_parquet(io.BytesIO()))[0]
    pbuf = io.BytesIO()
    frame.write_parquet(pbuf)
    pdata = pbuf.getvalue()
    out["parquet read"] = _best(lambda: pl.read_parquet(io.BytesIO(pdata)))[0]
    return out


def import_time(module):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout) for _ in range(3))
    return best


def size_on_disk(module):
    import importlib.util

    spec = importlib.util.find_spec(module)
    root = os.path.dirname(spec.origin)
    total = 0
    for base, _dirs, files in os.walk(root):
        total += sum(os.path.getsize(os.path.join(base, f)) for f in files)
    return total


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    x, y = _data(args.rows)
    results = {}
    for lib, measure in (("pyarrow", measure_pyarrow), ("polars", measure_polars)):
        try:
            results[lib] = measure(x, y)
        except ImportError:  # polars is in no extra: pip install polars to compare
            print(f"{lib}: not installed")
    print(f"{args.rows:,} rows; M rows/s (higher is better)")
    keys = ["csv read", "csv write", "jsonl read", "jsonl write", "parquet read",
            "parquet write"]
    print(f"{'':14}" + "".join(f"{k:>14}" for k in keys))
    for lib, r in results.items():
        cells = [f"{args.rows / r[k] / 1e6:14.1f}" if r.get(k) else f"{'-':>14}" for k in keys]
        print(f"{lib:14}" + "".join(cells))
    for lib, r in results.items():
        rt, short = r["csv exact"]
        print(f"{lib}: CSV floats round-trip {rt}, shortest {short}")
    for lib, mod in (("pyarrow", "pyarrow.csv"), ("polars", "polars"), ("numpy", "numpy")):
        if lib != "numpy" and lib not in results:
            continue
        size = size_on_disk(mod.split(".")[0])
        print(f"{lib}: import {import_time(mod) * 1e3:.0f} ms, {size / 1e6:.0f} MB on disk")


if __name__ == "__main__":
    main()
