"""``grad --dir`` (J·v), ``grad --cotangent`` (uᵀ·J) and ``hessian --dir``
(H·v) on the command line in every number system and in --points batches
(issue 10: the number system is one option passed through; every request
has its batch)."""

import csv
import io
import json
from fractions import Fraction

import mpmath
import pytest

from adcli.batch import driver, kernels
from tests.conftest import adcli_process

# a polynomial with rational coefficients, two outputs
POLY = "x^3*y/2 - x*y^2 + 1/5, x^2 - 3*y"
X, Y = Fraction(1, 3), Fraction(-2, 7)
AT = "x=1/3,y=-2/7"


def poly_jacobian(x, y):
    """∂(f1, f2)/∂(x, y) of POLY, by hand, in fractions."""
    return [[Fraction(3, 2) * x**2 * y - y**2, x**3 / 2 - 2 * x * y], [2 * x, Fraction(-3)]]


def poly_values(x, y):
    return [x**3 * y / 2 - x * y**2 + Fraction(1, 5), x**2 - 3 * y]


def _json(run, *args):
    res = run(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout, parse_float=str)  # (a float would drop --digits' digits)


def _fraction(v):
    return Fraction(v) if isinstance(v, (int, str)) else pytest.fail(f"not exact: {v!r}")


def test_exact_jvp_of_a_polynomial_is_its_rational_value(run):
    v = (Fraction(1), Fraction(2, 3))
    obj = _json(run, "grad", POLY, "--at", AT, "--dir", "x=1,y=2/3", "--exact")
    J = poly_jacobian(X, Y)
    assert [_fraction(d) for d in obj["jvp"]] == [r[0] * v[0] + r[1] * v[1] for r in J]
    assert [_fraction(d) for d in obj["value"]] == poly_values(X, Y)
    assert obj["exact"] is True and obj["direction"] == {"x": 1, "y": "2/3"}


def test_exact_vjp_of_a_polynomial_is_its_rational_value(run):
    u = (Fraction(3), Fraction(-1, 4))
    obj = _json(run, "grad", POLY, "--at", AT, "--cotangent", "3,-1/4", "--exact")
    J = poly_jacobian(X, Y)
    assert {k: _fraction(g) for k, g in obj["vjp"].items()} == {
        "x": u[0] * J[0][0] + u[1] * J[1][0], "y": u[0] * J[0][1] + u[1] * J[1][1]}
    assert obj["cotangent"] == {"f1": 3, "f2": "-1/4"}


def test_exact_hvp_of_a_polynomial_is_its_rational_value(run):
    obj = _json(run, "hessian", POLY, "--at", AT, "--output", "1", "--dir", "x=1,y=2/3",
                "--exact")
    # H of f1 = x³y/2 - xy²: [[3xy, 3x²/2 - 2y], [3x²/2 - 2y, -2x]]
    hxy = Fraction(3, 2) * X**2 - 2 * Y
    want = {"x": 3 * X * Y + hxy * Fraction(2, 3), "y": hxy - 2 * X * Fraction(2, 3)}
    assert {k: _fraction(h) for k, h in obj["hvp"].items()} == want


SMOOTH = "sin(x)*exp(y) + x*y, atan(x/y)"


def _mp_jacobian(x, y):
    return [[mpmath.cos(x) * mpmath.exp(y) + y, mpmath.sin(x) * mpmath.exp(y) + x],
            [y / (x**2 + y**2), -x / (x**2 + y**2)]]


@pytest.mark.parametrize("digits", [25, 60])
def test_digits_jvp_and_vjp_match_mpmath(run, digits):
    with mpmath.workdps(digits + 20):
        x, y = mpmath.mpf(1) / 3, mpmath.mpf(2)
        J = _mp_jacobian(x, y)
        jv = [r[0] * 1 + r[1] * mpmath.mpf(1) / 7 for r in J]
        vj = [J[0][c] * 2 + J[1][c] * (-1) for c in (0, 1)]
        at = ["--at", "x=1/3,y=2", "--digits", str(digits)]
        got_jv = run("grad", SMOOTH, *at, "--dir", "x=1,y=1/7", "--format", "plain")
        got_vj = run("grad", SMOOTH, *at, "--cotangent", "2,-1", "--format", "csv")
        assert got_jv.exit_code == got_vj.exit_code == 0, got_jv.output + got_vj.output
        lines = dict(line.split(" ") for line in got_jv.stdout.splitlines())
        derivs = [mpmath.mpf(lines["df1/dv"]), mpmath.mpf(lines["df2/dv"])]
        header, row = got_vj.stdout.splitlines()
        assert header == "x,y,f1,f2,d(u.f)/dx,d(u.f)/dy"
        grads = [mpmath.mpf(c) for c in row.split(",")[-2:]]
        for got, want in zip(derivs + grads, jv + vj, strict=True):
            assert abs(got - want) <= abs(want) * mpmath.mpf(10) ** (1 - digits)


@pytest.mark.parametrize("system", [[], ["--digits", "30"], ["--exact"]])
def test_forward_and_reverse_agree_on_u_j_v(run, system):
    """uᵀ(J·v) from one tangent sweep equals (uᵀ·J)·v from one adjoint sweep."""
    formula = POLY if system == ["--exact"] else SMOOTH
    at = ["--at", AT if system == ["--exact"] else "x=0.7,y=-1.3", *system]
    jv = _json(run, "grad", formula, *at, "--dir", "x=2/3,y=-5")
    vj = _json(run, "grad", formula, *at, "--cotangent", "3,1/2")
    number = Fraction if system == ["--exact"] else mpmath.mpf
    with mpmath.workdps(40):
        u, v = [number(3), number(1) / 2], [number(2) / 3, number(-5)]
        forward = sum(a * number(d) for a, d in zip(u, jv["jvp"], strict=True))
        reverse = sum(vj_ * number(vj["vjp"][k]) for vj_, k in zip(v, "xy", strict=True))
        if system == ["--exact"]:
            assert forward == reverse
        else:
            tol = 1e-13 if not system else mpmath.mpf(10) ** -28
            assert abs(forward - reverse) <= tol * abs(forward)


# --- --points -------------------------------------------------------------------

POINTS = "x,y,id\n1,2,a\n0.5,-1,b\nnope,3,c\n-2,0,d\n4\n3,1.5,e\n"


def _rows(text, sep=","):
    return list(csv.reader(io.StringIO(text), delimiter=sep))


@pytest.mark.parametrize("fmt,sep", [("csv", ","), ("tsv", "\t")])
def test_a_batch_writes_every_row_with_the_header_width(run, fmt, sep):
    res = run("grad", "x*y, log(x)", "--points", "-", "--dir", "x=1,y=2", "--format", fmt,
              input=POINTS)
    assert res.exit_code == 1  # some rows failed
    rows = _rows(res.stdout, sep)
    assert rows[0] == ["x", "y", "id", "f1", "f2", "df1/dv", "df2/dv", "error"]
    assert [len(r) for r in rows] == [8] * 7
    assert [r[2] for r in rows[1:]] == ["a", "b", "c", "d", "", "e"]
    errors = [r[-1] for r in rows[1:]]
    assert errors[0] == errors[1] == errors[5] == ""
    assert "`nope` is not a number" in errors[2] and "log(-2)" in errors[3]
    assert "found 1" in errors[4]
    assert "3 of 6 rows failed" in res.stderr


def test_one_direction_applies_to_every_row_as_at_computes_it(run):
    text = "x,y\n" + "".join(f"{i / 3},{1 - i / 5.5}\n" for i in range(1, 9))
    for option in (["--dir", "x=1,y=2"], ["--cotangent", "2,-1"], ["--cotangent", "f2=1"]):
        res = run("grad", SMOOTH, "--points", "-", *option, input=text)
        assert res.exit_code == 0, res.output
        batch = _rows(res.stdout)
        for row in batch[1:]:
            at = run("grad", SMOOTH, "--at", f"x={row[0]},y={row[1]}", *option,
                     "--format", "csv")
            # NumPy's sin and exp may differ from the C library's in the last bit
            assert [float(c) for c in row[2:-1]] == pytest.approx(
                [float(c) for c in _rows(at.stdout)[1][2:]], rel=1e-14, abs=1e-300)
        assert batch[0][:-1] == _rows(at.stdout)[0]  # the same columns, then `error`


def test_batch_forward_and_reverse_agree_row_by_row(run):
    """uᵀ(J·v) from the tangent sweep over arrays equals (uᵀ·J)·v from the
    adjoint sweep over arrays, at every row."""
    text = "x,y\n" + "".join(f"{0.3 + i / 7},{2.05 - i / 9}\n" for i in range(40))
    jv = _rows(run("grad", SMOOTH, "--points", "-", "--dir", "x=1.5,y=-2",
                   input=text).stdout)
    vj = _rows(run("grad", SMOOTH, "--points", "-", "--cotangent", "0.5,3",
                   input=text).stdout)
    assert len(jv) == len(vj) == 41
    for a, b in zip(jv[1:], vj[1:], strict=True):
        forward = 0.5 * float(a[4]) + 3 * float(a[5])
        reverse = 1.5 * float(b[4]) - 2 * float(b[5])
        assert forward == pytest.approx(reverse, rel=1e-13)


def test_a_kink_row_warns_as_at_does(run):
    text = "x,y\n1,2\n0,2\n-1,2\n2,2\n"
    res = run("grad", "abs(x)*y", "--points", "-", "--dir", "x=1", "--format", "jsonl",
              input=text)
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    at = json.loads(run("grad", "abs(x)*y", "--at", "x=0,y=2", "--dir", "x=1",
                        "--format", "json").stdout)
    assert objs[1]["warnings"] == at["warnings"] != []
    assert objs[1]["jvp"] == at["jvp"]
    assert [o["jvp"] for o in objs] == [2, at["jvp"], -2, 2]
    assert objs[0]["warnings"] == objs[2]["warnings"] == []


def test_a_batch_in_jsonl_has_the_single_point_keys(run):
    res = run("grad", "x*y, log(x)", "--points", "-", "--cotangent", "1,1", "--wrt", "y",
              "--format", "jsonl", input=POINTS)
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    at = json.loads(run("grad", "x*y, log(x)", "--at", "x=1,y=2", "--cotangent", "1,1",
                        "--wrt", "y", "--format", "json").stdout)
    assert len(objs) == 6
    assert set(objs[0]) - {"extra"} == set(at) and objs[0]["vjp"] == at["vjp"] == {"y": 1}
    assert objs[0]["extra"] == {"id": "a"}
    assert "error" in objs[2] and "error" in objs[3] and "error" in objs[4]


def test_hessian_dir_batch_matches_at(run):
    text = "x,y\n1,2\n0.5,-1\n"
    res = run("hessian", "x^3*y - sin(x*y)", "--points", "-", "--dir", "x=1,y=-1/2",
              input=text)
    rows = _rows(res.stdout)
    for row in rows[1:]:
        at = run("hessian", "x^3*y - sin(x*y)", "--at", f"x={row[0]},y={row[1]}", "--dir",
                 "x=1,y=-1/2", "--format", "csv")
        assert _rows(at.stdout) == [rows[0][:-1], row[:-1]]


def test_a_bad_direction_is_a_usage_error_before_any_row(run):
    for args, said in ((["grad", "--dir", "z=1"], "--dir names `z`"),
                       (["grad", "--cotangent", "1,2,3"], "--cotangent has 3 entries"),
                       (["grad", "--cotangent", "g=1"], "--cotangent names `g`"),
                       (["grad", "--cotangent", "1,1", "--wrt", "z"], "`z`"),
                       (["hessian", "--dir", "z=1"], "--dir names `z`"),
                       (["taylor", "--dir", "z=1"], "--dir names `z`")):
        res = run(args[0], "x*y, x", *args[1:], "--output", "1", "--points", "-",
                  input="x,y\n1,2\n") if args[0] == "hessian" else \
            run(args[0], "x*y, x", *args[1:], "--points", "-", input="x,y\n1,2\n")
        assert res.exit_code == 2 and said in res.stderr, (args, res.output)
        assert res.stdout == ""


def test_parquet_in_and_out(run, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is in the test extra")
    import pyarrow as pa

    pq.write_table(pa.table({"x": [1.0, 0.5, -2.0], "y": [2.0, -1.0, 0.0]}),
                   tmp_path / "in.parquet")
    out = tmp_path / "out.parquet"
    res = run("grad", "x*y, log(x)", "--points", str(tmp_path / "in.parquet"), "--cotangent",
              "1,2", "--out", str(out))
    assert res.exit_code == 1  # log(-2)
    table = pq.read_table(out).to_pydict()
    assert table["d(u.f)/dx"][:2] == [2 + 2 / 1.0, -1 + 2 / 0.5]
    assert table["d(u.f)/dy"][:2] == [1.0, 0.5]
    assert table["error"][0] is None and "log(-2)" in table["error"][2]


def test_a_batch_streams_in_chunks_bounded_by_cells(monkeypatch):
    """The J·v kernel gets a chunk at a time, its rows bounded by cells."""
    import adcli

    monkeypatch.setattr(driver, "CHUNK_CELLS", 40)  # 2 inputs + 4 results + error: 5 rows
    sizes = []
    factory = kernels.jvp(adcli.compile("x*y, x+y"), {"x": 1})

    def make_kernel(variables):
        kernel = factory(variables)
        compute = kernel.compute
        kernel.compute = lambda X, skip: (sizes.append(X.shape[0]), compute(X, skip))[1]
        return kernel

    out = io.StringIO()
    text = "x,y\n" + "".join(f"{i},{i + 1}\n" for i in range(12))
    status = driver.run_points("-", make_kernel, needed=["x", "y"], fmt="csv",
                               stdin=io.BytesIO(text.encode()), stdout=out,
                               stderr=io.StringIO(), jobs=1)
    assert status == 0
    assert sizes == [5, 5, 2]
    lines = out.getvalue().splitlines()
    assert len(lines) == 13 and lines[12] == "11,12,132,23,12,1,"


def test_a_real_process_reads_the_batch_from_standard_input():
    res = adcli_process("grad", POLY, "--points", "-", "--dir", "x=1,y=0", "--format", "csv",
                        input="x,y\n1,2\n0,1\n")
    assert res.returncode == 0, res.stderr
    # d/dx: f1 3x²y/2 - y², f2 2x
    assert res.stdout.splitlines() == ["x,y,f1,f2,df1/dv,df2/dv,error",
                                       "1,2,-2.8,-5,-1,2,", "0,1,0.2,-3,-1,0,"]
    res = adcli_process("grad", POLY, "--at", AT, "--cotangent", "1,0", "--exact",
                        "--format", "csv")
    assert res.returncode == 0, res.stderr
    J = poly_jacobian(X, Y)
    assert res.stdout.splitlines()[1].split(",")[-2:] == [str(J[0][0]), str(J[0][1])]
