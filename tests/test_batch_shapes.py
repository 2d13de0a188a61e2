"""Batch output shapes a reader can trust (issue 11): every CSV row has the
header's width, every JSON line parses, no two columns share a name, no key
is dropped, and memory per chunk is bounded by cells, not rows."""

import csv
import io
import json

import pytest

from adcli.batch import driver


def _strict_json(line):
    def refuse(name):
        raise ValueError(f"bare {name} is not JSON")

    return json.loads(line, parse_constant=refuse)


def test_bad_rows_keep_the_header_width(run):
    res = run("grad", "x1*x2+sin(x1)", "--points", "-", input="x1,x2\n1,2,3\n5\n2,3\n")
    assert res.exit_code == 1
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert [len(r) for r in rows] == [6, 6, 6, 6]
    assert rows[1][:2] == ["1", "2"] and "found 3" in rows[1][-1]
    assert rows[2][:2] == ["5", ""] and "found 1" in rows[2][-1]
    assert rows[3][-1] == "" and rows[3][3] == "2.5838531634528574"


def test_bad_rows_keep_the_header_width_in_tsv_from_csv(run):
    res = run("eval", "x", "--points", "-", "--format", "tsv", input="x,id\n1,a,b\n2,c\n")
    widths = [len(line.split("\t")) for line in res.stdout.splitlines()]
    assert widths == [4, 4, 4]


def test_error_rows_with_nan_or_infinity_are_valid_json(run):
    text = '{"x": NaN, "id": Infinity}\n{"x": Infinity, "y": -Infinity}\n{"x": 2}\n'
    for fmt in ("jsonl", "json"):
        res = run("eval", "x*2", "--points", "-", "--format", fmt, input=text)
        assert res.exit_code == 1
        objs = ([_strict_json(line) for line in res.stdout.splitlines()] if fmt == "jsonl"
                else _strict_json(res.stdout))
        assert objs[0]["input"] == {"x": "nan", "id": "inf"}
        assert objs[1]["input"] == {"x": "inf", "y": "-inf"}
        assert objs[2]["value"] == 4


def test_good_rows_with_a_nonfinite_extra_value_are_valid_json(run):
    res = run("eval", "x*2", "--points", "-", "--format", "jsonl",
              input='{"x": 1, "w": NaN}\n{"x": 2, "w": 1}\n')
    objs = [_strict_json(line) for line in res.stdout.splitlines()]
    assert objs[0]["extra"] == {"w": "nan"} and objs[1]["extra"] == {"w": 1}


def test_a_column_named_like_a_constant_the_formula_uses_is_refused_like_at(run):
    at = run("eval", "x*e", "--at", "x=1,e=2")
    res = run("eval", "x*e", "--points", "-", input="x,e\n1,2\n")
    assert at.exit_code == res.exit_code == 2
    assert "`e`" in res.stderr and "constant" in res.stderr
    # a formula that does not use the constant: the column is carried through
    res = run("eval", "x*2 + exp(1e-3)", "--points", "-", input="x,e\n1,2\n")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == "x,e,f,error"


@pytest.mark.parametrize("column", ["f", "error", "df/dx"])
def test_an_input_column_named_like_a_result_column_is_refused_in_csv(run, column):
    res = run("grad", "x^2", "--points", "-", input=f"x,{column}\n1,2\n")
    assert res.exit_code == 2
    assert f"`{column}`" in res.stderr and "result column" in res.stderr
    # JSON keeps inputs (extra) and results apart: no clash there
    res = run("grad", "x^2", "--points", "-", "--format", "jsonl", input=f"x,{column}\n1,2\n")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["extra"] == {column: "2"}


def test_jsonl_keys_first_seen_on_a_later_row_are_kept(run):
    text = '{"x": 1}\n{"x": 2, "id": "b"}\n{"id": "c", "x": 3, "tag": [1]}\n'
    res = run("eval", "x*2", "--points", "-", input=text)
    objs = [_strict_json(line) for line in res.stdout.splitlines()]
    assert "extra" not in objs[0]
    assert objs[1]["extra"] == {"id": "b"}
    assert objs[2]["extra"] == {"id": "c", "tag": [1]}
    # CSV has the first object's columns: a later key is said on stderr
    res = run("eval", "x*2", "--points", "-", "--format", "csv", input=text)
    assert res.stdout.splitlines()[0] == "x,f,error"
    assert "`id`" in res.stderr and "line 2" in res.stderr


def test_a_wide_row_in_jsonl_has_the_single_point_shape(run):
    n = 3000
    names = [f"x{i}" for i in range(n)]
    formula = " + ".join(f"{a}*{b}" for a, b in zip(names, names[1:]))
    text = ",".join(names) + ",id\n" + ",".join(str(i + 1) for i in range(n)) + ",r1\n"
    res = run("grad", formula, "--points", "-", "--format", "jsonl", input=text)
    obj = _strict_json(res.stdout)
    assert list(obj["gradient"]) == names
    assert obj["gradient"]["x0"] == 2 and obj["gradient"]["x1"] == 1 + 3
    assert obj["point"]["x2999"] == 3000 and obj["extra"] == {"id": "r1"}


class _Recording(driver.PointKernel):
    def compute(self, X, skip):
        self.sizes.append(X.shape[0])
        return super().compute(X, skip)


def test_chunks_are_bounded_by_cells_so_a_wide_result_streams(monkeypatch):
    """A Hessian of 1,000 variables has a million cells a row: 200 rows in
    one chunk took 19.9 GB.  Rows per chunk shrink with the width."""
    monkeypatch.setattr(driver, "CHUNK_CELLS", 1000)
    kernel = _Recording([f"c{j}" for j in range(300)], compute=lambda p: p,
                        cells=lambda p: [p["x"]] * 300, to_json=dict)
    kernel.sizes = []
    out, err = io.StringIO(), io.StringIO()
    text = "x\n" + "".join(f"{i}\n" for i in range(10))
    status = driver.run_points("-", lambda v: kernel, needed=["x"], fmt="csv",
                               stdin=io.BytesIO(text.encode()), stdout=out, stderr=err,
                               jobs=1)  # (more jobs: the chunks go to other processes)
    assert status == 0
    assert kernel.sizes == [3, 3, 3, 1]
    assert kernel._results == {}  # CSV rows need no result objects kept
    assert len(out.getvalue().splitlines()) == 11


def test_a_wide_row_through_points_is_the_at_result(run, tmp_path):
    """A row wider than an Arrow table handles well goes through the text
    reader, and a chunk of a few rows through the scalar engine, as --at
    does: the very same numbers."""
    n = 5000
    names = [f"x{i}" for i in range(n)]
    formula = " + ".join(f"sin({a})*{b}" for a, b in zip(names, names[1:]))
    values = [f"{(i % 97) / 13!r}" for i in range(n)]
    (tmp_path / "f.txt").write_text(formula)
    (tmp_path / "at.txt").write_text(",".join(f"{a}={v}" for a, v in zip(names, values)))
    text = ",".join(names) + "\n" + ",".join(values) + "\n"
    pts = run("grad", "-f", str(tmp_path / "f.txt"), "--points", "-", "--format", "jsonl",
              input=text)
    at = run("grad", "-f", str(tmp_path / "f.txt"), "--at", "@" + str(tmp_path / "at.txt"),
             "--format", "json")
    assert pts.exit_code == at.exit_code == 0, pts.stderr
    a, b = json.loads(pts.stdout), json.loads(at.stdout)
    assert a["value"] == b["value"] and a["gradient"] == b["gradient"]
