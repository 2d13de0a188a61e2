"""How adcli reads and writes CSV numbers: the options measured side by side.

    python -m bench.batch_io [--rows N]

Reading N rows of two full-precision numbers, and writing N rows of three
numbers at full round-trip precision (``float(text) == value`` is checked
for every writer).  adcli uses the fastest sound pair: ``numpy.loadtxt`` on
a chunk's lines, and one ``"%r,%r,%r\\n" * n`` template over the chunk
(``adcli/batch/writer.py``): adcli's own text path, used without pyarrow
and for wide headers; with pyarrow installed, CSV goes through Arrow, which
``bench/batch_libs.py`` measures against polars.
"""

import argparse
import csv
import io

import numpy as np

from bench.common import best_and_result, round_trip


def readers(lines):
    text = "\n".join(lines)
    return {
        "csv module + float()": lambda: np.array(
            [[float(a), float(b)] for a, b in csv.reader(lines)]),
        "str.split + float() per cell": lambda: np.array(
            list(map(float, text.replace("\n", ",").split(",")))).reshape(-1, 2),
        "str.split + np.array(str cells, float)": lambda: np.array(
            text.replace("\n", ",").split(","), dtype=float).reshape(-1, 2),
        "numpy.fromstring(sep=',')": lambda: np.fromstring(  # noqa: NPY201
            text.replace("\n", ","), sep=",").reshape(-1, 2),
        "numpy.loadtxt(lines)  [adcli]": lambda: np.loadtxt(
            lines, delimiter=",", dtype=np.float64, comments=None, ndmin=2),
    }


def writers(V):
    from adcli.batch.writer import format_rows

    def csv_module():
        buf = io.StringIO()
        csv.writer(buf).writerows(V.tolist())
        return buf.getvalue().replace("\r\n", "\n")

    def savetxt():
        buf = io.StringIO()
        np.savetxt(buf, V, fmt="%.17g", delimiter=",")
        return buf.getvalue()

    def percent_r():
        return ("%r,%r,%r\n" * len(V)) % tuple(V.ravel().tolist())

    def join_map_repr():
        return "".join([f"{a!r},{b!r},{c!r}\n" for a, b, c in V.tolist()])

    def astype_str():
        S = V.astype("U32")
        return "\n".join(",".join(r) for r in S.tolist()) + "\n"

    def adcli():
        return "".join(format_rows(V, ",", None, tail="\n"))

    def repr_tolist():
        s = repr(V.tolist())[2:-2].replace("], [", "\n").replace(", ", ",")
        return s + "\n"

    return {"csv module": csv_module, "numpy.savetxt('%.17g')": savetxt,
            "f-string per row": join_map_repr, "ndarray.astype(str) (Dragon4)": astype_str,
            "repr(tolist()) + str.replace": repr_tolist,
            "'%r,%r,%r' template over the chunk": percent_r,
            "the same + integers without .0  [adcli]": adcli}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, (args.rows, 2))
    lines = [f"{a!r},{b!r}" for a, b in X.tolist()]
    print(f"reading {args.rows:,} rows x 2 numbers")
    for name, fn in readers(lines).items():
        t, out = best_and_result(fn, 2)
        ok = np.array_equal(out, X)
        print(f"  {name:45s} {t:7.3f} s  {args.rows / t:12,.0f} rows/s  exact={ok}")
    V = rng.standard_normal((args.rows, 3)) * 10.0 ** rng.integers(-8, 8, (args.rows, 3))
    V[::97, 0] = np.round(V[::97, 0])  # some integers
    print(f"writing {args.rows:,} rows x 3 numbers")
    for name, fn in writers(V).items():
        t, out = best_and_result(fn, 2)
        ok, _ = round_trip(out.replace("\n", ",").split(",")[:-1], V.ravel().tolist())
        print(f"  {name:45s} {t:7.3f} s  {args.rows / t:12,.0f} rows/s  round-trip={ok}")


if __name__ == "__main__":
    main()
