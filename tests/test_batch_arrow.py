"""Batch I/O through Arrow: exact floats, the same rows as adcli's own text
I/O (the fallback of an install without pyarrow), Parquet in and out."""

import csv
import io

import numpy as np
import pytest

from adcli.batch import driver

pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")

BENCH = "x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)"


def random_doubles(n, seed):
    """Finite doubles from uniformly random bit patterns (every exponent and
    sign alike, subnormals included), subnormals again, integers, and the
    edge cases."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2**64, n, dtype=np.uint64).view(np.float64)
    subnormal = rng.integers(1, 2**52, n // 10, dtype=np.uint64).view(np.float64)
    whole = np.round(rng.standard_normal(n // 10) * 10.0 ** rng.integers(0, 20, n // 10))
    edges = [5e-324, -0.0, 0.0, 1.7976931348623157e308, 0.1, 1e22, 2.0, 1e15, 1e16,
             1e-5, 1e-7, 9007199254740993.0]
    return np.concatenate([x[np.isfinite(x)], subnormal, -subnormal, whole, edges])


def significant_digits(text):
    return len(text.lower().split("e")[0].lstrip("-").replace(".", "").strip("0"))


def assert_shortest_round_trip(x, texts):
    """Every text reads back bit-identical, with as few digits as repr's
    (the shortest that do: Python's repr is correctly rounded shortest)."""
    back = np.array([float(t) for t in texts])
    assert back.view(np.int64).tolist() == x.view(np.int64).tolist()
    longer = [(t, repr(v)) for t, v in zip(texts, x.tolist(), strict=True)
              if significant_digits(t) != significant_digits(repr(v))]
    assert longer == []


def test_arrow_writes_every_double_shortest_and_bit_identical():
    import pyarrow.csv as pacsv

    x = random_doubles(200_000, seed=11)
    buf = io.BytesIO()
    pacsv.write_csv(pa.table({"v": x}), buf, pacsv.WriteOptions(include_header=False))
    texts = buf.getvalue().decode().split("\n")[:-1]
    assert_shortest_round_trip(x, texts)
    assert texts[-6] == "2" and texts[-11] == "-0"  # whole numbers without `.0`


def test_the_fast_float_text_is_shortest_and_bit_identical_for_every_double():
    """float_text (orjson's formatter, cut into cells) against the same
    random bit patterns: what the CSV/TSV writer uses for every number."""
    from adcli.batch import float_text

    if not float_text.available:
        pytest.skip("orjson is in the arrow extra")
    x = random_doubles(200_000, seed=12)
    texts = float_text.cell_texts(x)
    assert_shortest_round_trip(x, texts)
    assert texts[-6:-3] == ["2", "1000000000000000", "1e+16"] and texts[-11] == "-0"


def test_fast_float_text_rows_name_non_finite_numbers_and_use_the_separator():
    from adcli.batch import float_text

    if not float_text.available:
        pytest.skip("orjson is in the arrow extra")
    V = np.array([[1.0, np.inf, 0.5], [np.nan, -np.inf, -0.0], [1e-7, 3.0, 2.5e300]])
    assert float_text.row_cells(V).to_pylist() == [
        "1,inf,0.5,", "nan,-inf,-0,", "1e-7,3,2.5e+300,"]
    assert float_text.row_cells(V[:2], "\t").to_pylist() == ["1\tinf\t0.5\t",
                                                            "nan\t-inf\t-0\t"]
    assert float_text.row_cells(np.empty((0, 2))).to_pylist() == []


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_the_fast_writer_gives_the_rows_of_arrows_writer(run, monkeypatch, fmt):
    """Rows joined in C with orjson's numbers against Arrow's CSV writer:
    the same cells, the same numbers bit for bit (overflow to inf, whole
    numbers, a pass-through column with empty cells)."""
    from adcli.batch import float_text

    sep = "," if fmt == "csv" else "\t"
    rng = np.random.default_rng(5)
    lines = [sep.join(["id", "x", "y"])]
    for i in range(3000):
        x = round(rng.uniform(-3, 3), 3) if i % 7 else float(i % 5)
        lines.append(sep.join(["" if i % 11 == 0 else f"r{i}", repr(x),
                               "800" if i % 13 == 0 else repr(rng.uniform(-2, 2))]))
    text = "\n".join(lines) + "\n"
    expr = "exp(y)*x + x^2*y"
    fast = run("grad", expr, "--points", "-", "--format", fmt, input=text)
    monkeypatch.setattr(float_text, "available", False)
    arrow = run("grad", expr, "--points", "-", "--format", fmt, input=text)
    assert fast.exit_code == arrow.exit_code == 0
    assert fast.stderr == arrow.stderr  # the overflow warning
    a = [r.split(sep) for r in arrow.stdout.splitlines()]
    b = [r.split(sep) for r in fast.stdout.splitlines()]
    assert a[0] == b[0] == ["id", "x", "y", "f", "df/dx", "df/dy", "error"]
    assert len(a) == len(b) == 3001
    for ra, rb in zip(a[1:], b[1:], strict=True):
        assert ra[:3] == rb[:3] and ra[-1] == rb[-1] == ""
        assert [repr(float(c)) for c in ra[3:-1]] == [repr(float(c)) for c in rb[3:-1]]
    cells = [c for r in b[1:] for c in r[3:-1]]
    assert "inf" in cells and "nan" in cells and "0" in cells and b[1][0] == ""
    assert not any(c.endswith(".0") for c in cells)  # whole numbers as `2`, like Arrow


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", [
    "x1,x2\n" + "".join(f"{i / 7!r},{1 - i / 3!r}\n" for i in range(300)),
    "id,x2,x1\na,1,2\nb,,3\n\nc,4,5,6\nd,nan,1\ne,2,0x\n",
])
def test_arrow_and_the_text_fallback_give_the_same_rows(run, monkeypatch, text):
    arrow = run("grad", BENCH, "--points", "-", input=text)
    monkeypatch.setattr(driver, "arrow_available", lambda: False)
    plain = run("grad", BENCH, "--points", "-", input=text)
    assert arrow.exit_code == plain.exit_code
    assert arrow.stderr == plain.stderr
    a, b = _rows(arrow.stdout), _rows(plain.stdout)
    assert len(a) == len(b) and a[0] == b[0]
    for ra, rb in zip(a[1:], b[1:], strict=True):
        assert len(ra) == len(rb) == len(a[0])
        for ca, cb in zip(ra, rb, strict=True):
            assert ca == cb or float(ca) == float(cb)


def test_bad_rows_in_a_big_input_keep_their_line_numbers(run):
    lines = [f"{i},{i + 1}" for i in range(1, 5001)]
    lines[3000] = "1,2,3"  # file line 3002
    lines[4000] = "1,oops"  # file line 4002
    res = run("eval", "x*y", "--points", "-", input="x,y\n" + "\n".join(lines) + "\n")
    assert res.exit_code == 1
    assert "2 of 5000 rows failed; the first at line 3002" in res.stderr
    rows = res.stdout.splitlines()
    assert len(rows) == 5001
    assert rows[4001].startswith("1,oops,,") and rows[3001].startswith("1,2,,")
    assert rows[1] == "1,2,2,"


def test_wide_rows_go_through_the_text_writer_with_the_same_numbers(run, monkeypatch):
    """A million-cell Hessian row as an Arrow table is a million objects
    (2 GB); past WIDE_COLUMNS the text writer writes it."""
    text = "id,x1,x2\na,1.5,2\nb,0.25,x\n"
    narrow = run("hessian", BENCH, "--points", "-", input=text)
    from adcli.batch import output

    monkeypatch.setattr(output, "WIDE_COLUMNS", 3)
    wide = run("hessian", BENCH, "--points", "-", input=text)
    assert narrow.exit_code == wide.exit_code == 1
    a, b = _rows(narrow.stdout), _rows(wide.stdout)
    assert a[0] == b[0] and len(a) == len(b) == 3
    for ra, rb in zip(a[1:], b[1:], strict=True):
        assert len(ra) == len(rb) == len(a[0])
        assert all(ca == cb or float(ca) == float(cb) for ca, cb in zip(ra, rb, strict=True))


@pytest.mark.parametrize("fmt_in, fmt_out, text", [
    ("csv", "csv", 'id,x\n"a,b",1\n"say ""hi""",2\nplain,3\n'),
    ("csv", "tsv", "id,x\na\tb,1\nplain,2\n"),
    ("tsv", "csv", 'id\tx\na,b\t1\nq"uote\t2\nplain\t3\n'),
    ("tsv", "tsv", 'id\tx\nq"uote\t1\nplain\t2\n'),
])
def test_text_cells_are_quoted_for_the_output_format(run, fmt_in, fmt_out, text):
    """The writer skips scanning cells when the raw input block shows none
    can need quotes; a cell that does is still written readable."""
    res = run("eval", "2*x", "--points", "-", "--input-format", fmt_in, "--format", fmt_out,
              input=text)
    assert res.exit_code == 0, res.stderr
    sep = "," if fmt_in == "csv" else "\t"
    want = [r[0] for r in csv.reader(io.StringIO(text), delimiter=sep,
                                     quoting=csv.QUOTE_MINIMAL if sep == "," else
                                     csv.QUOTE_NONE)][1:]
    out_sep = "," if fmt_out == "csv" else "\t"
    rows = list(csv.reader(io.StringIO(res.stdout), delimiter=out_sep,
                           quoting=csv.QUOTE_MINIMAL if out_sep == "," else csv.QUOTE_NONE))
    assert rows[0] == ["id", "x", "f", "error"]
    got = [r[0] for r in rows[1:]]
    if fmt_out == "tsv":  # TSV has no quoting: a tab inside a cell becomes a space
        want = [w.replace("\t", " ") for w in want]
    assert got == want
    assert [r[2] for r in rows[1:]] == [str(2 * int(r[1])) for r in rows[1:]]


def test_a_csv_batch_imports_neither_pandas_nor_pyarrow_compute():
    """pa.array()/to_numpy() import pandas and pyarrow.compute builds ~300
    docstrings: together 0.3-0.7 s of a batch's start-up."""
    import subprocess
    import sys

    code = ("import io, sys\n"
            "from adcli.cli.main import cli\n"
            "from click.testing import CliRunner\n"
            "r = CliRunner().invoke(cli, ['grad', 'x*y', '--points', '-'],"
            " input='x,y\\n1,2\\n')\n"
            "assert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in ('pandas', 'pyarrow.compute', 'pyarrow.csv')"
            " if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=600).stdout
    assert out.strip() == "['pyarrow.csv']"
