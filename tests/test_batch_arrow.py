"""Batch I/O through Arrow: exact floats, the same rows as adcli's own text
I/O (the fallback of an install without pyarrow), Parquet in and out."""

import csv
import io

import numpy as np
import pytest

from adcli.batch import driver

pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")

BENCH = "x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)"


def test_arrow_writes_every_double_so_it_reads_back_bit_identical():
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(11)
    x = rng.standard_normal(200_000) * 10.0 ** rng.integers(-307, 307, 200_000)
    x[:6] = [5e-324, -0.0, 1.7976931348623157e308, 0.1, 1e22, 2.0]
    buf = io.BytesIO()
    pacsv.write_csv(pa.table({"v": x}), buf, pacsv.WriteOptions(include_header=False))
    texts = buf.getvalue().decode().split("\n")[:-1]
    back = np.array([float(t) for t in texts])
    assert back.view(np.int64).tolist() == x.view(np.int64).tolist()
    # the shortest digits (notation may differ from repr: 0.00001 for 1e-05)
    def digits(t):
        mantissa = t.lower().split("e")[0].lstrip("-").replace(".", "").strip("0")
        return len(mantissa)
    assert all(digits(t) <= digits(repr(v)) for t, v in zip(texts, x.tolist(), strict=True))
    assert texts[5] == "2" and texts[1] == "-0"


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
