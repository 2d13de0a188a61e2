"""Sparse Jacobians and Hessians equal the dense ones bit for bit, through
the API and the CLI, in every output format."""

import json
import random

import pytest

import adcli
from adcli.sparse.drivers import sparse_hessian, sparse_jacobian
from tests.conftest import adcli_process
from tests.test_sparse_pattern import random_program

ROSEN = "(1 - x)^2 + 100*(y - x^2)^2 + (1 - y)^2 + 100*(z - y^2)^2"


def chain(n):
    text = "+".join(f"100*(x{i + 1}-x{i}^2)^2+(1-x{i})^2" for i in range(1, n))
    point = {f"x{i}": (-1.2 if i % 2 else 1.0) + 0.01 * i for i in range(1, n + 1)}
    return text, point


def dense_of(res):
    return res.matrix.todense()


def test_rosenbrock_chain_hessian_in_three_sweeps_bit_for_bit():
    text, point = chain(120)
    f = adcli.compile(text)
    s = sparse_hessian(f, point)
    d = f.hessian(point)
    assert s.sweeps == 3 and s.dense_sweeps == 120
    assert s.matrix.nnz == 3 * 120 - 2
    assert dense_of(s) == d.matrix()
    assert s.gradient == d.gradient and s.value == d.value


@pytest.mark.parametrize("seed", range(25))
def test_random_programs_hessians_bit_for_bit(seed):
    rng = random.Random(seed)
    source, names = random_program(rng)
    f = adcli.compile(source)
    point = {v: rng.uniform(0.3, 1.2) for v in names}
    assert dense_of(sparse_hessian(f, point)) == f.hessian(point).matrix(), source


@pytest.mark.parametrize("seed", range(10))
def test_random_jacobians_bit_for_bit_in_both_modes(seed):
    rng = random.Random(100 + seed)
    outs = []
    names = [f"x{i}" for i in range(6)]
    for _ in range(rng.randint(2, 5)):
        vs = rng.sample(names, rng.randint(1, 3))
        outs.append("*".join(f"sin({v} + {rng.randint(1, 5)})" for v in vs) + " + "
                    + "+".join(f"{v}^2" for v in vs))
    source = "s = x0*x1\n" + ", ".join(outs) + ", s + x5"
    f = adcli.compile(source)
    point = {v: rng.uniform(-1, 1) for v in names}
    for mode in ("forward", "reverse"):
        s = sparse_jacobian(f, point, mode=mode)
        d = f.gradient(point, mode=mode)
        assert s.mode == mode
        assert dense_of(s) == [[row[v] for v in names] for row in d.jacobian], (source, mode)


def test_jacobian_picks_the_mode_with_fewer_colours():
    # a diagonal Jacobian: one forward sweep, n reverse sweeps would be one too
    f = adcli.compile(", ".join(f"exp(x{i})" for i in range(8)) + ", x0*x1*x2*x3*x4*x5*x6*x7")
    point = {f"x{i}": 0.1 * i for i in range(8)}
    s = sparse_jacobian(f, point)
    assert s.mode == "reverse" and s.sweeps == 2  # rows colour into 2; columns need 8


def test_wrt_restricts_the_sparse_hessian():
    f = adcli.compile(ROSEN)
    point = {"x": 0.5, "y": 1.5, "z": -0.5}
    s = sparse_hessian(f, point, wrt=["z", "y"])
    d = f.hessian(point, wrt=["z", "y"])
    assert s.matrix.names == ["z", "y"] and dense_of(s) == d.matrix()


def test_scipy_triplets():
    f = adcli.compile(ROSEN)
    s = sparse_hessian(f, {"x": 0.5, "y": 1.5, "z": -0.5})
    rows, cols, vals = s.matrix.triplets()
    assert len(rows) == len(cols) == len(vals) == 7
    scipy = pytest.importorskip("scipy")
    assert scipy.sparse.issparse(s.matrix.to_scipy())


# --- the command line -------------------------------------------------------------

AT = "x=0.5,y=1.5,z=-0.5"


def test_hessian_sparse_json_equals_dense_json(run):
    sp = json.loads(run("hessian", ROSEN, "--at", AT, "--sparse", "--format", "json").output)
    de = json.loads(run("hessian", ROSEN, "--at", AT, "--format", "json").output)
    h = sp["hessian"]
    assert h["shape"] == [3, 3] and h["names"] == ["x", "y", "z"]
    for r, c, v in zip(h["rows"], h["cols"], h["values"]):
        assert de["hessian"][h["names"][r]][h["names"][c]] == v
    assert sum(1 for row in de["hessian"].values() for v in row.values() if v) == len(h["values"])
    assert sp["gradient"] == de["gradient"] and sp["value"] == de["value"]
    assert sp["sparse"]["sweeps"] == 2 and sp["sparse"]["dense_sweeps"] == 3


def test_every_format_round_trips(run):
    obj = json.loads(run("hessian", ROSEN, "--at", AT, "--sparse", "--format", "json").output)
    h = obj["hessian"]
    want = {(r, c): v for r, c, v in zip(h["rows"], h["cols"], h["values"])}
    names = h["names"]
    csv = run("hessian", ROSEN, "--at", AT, "--sparse", "--format", "csv").output.splitlines()
    assert csv[0] == "row,col,row_name,col_name,value"
    got = {}
    for line in csv[1:]:
        r, c, rn, cn, v = line.split(",")
        assert (names[int(r)], names[int(c)]) == (rn, cn)
        got[int(r), int(c)] = float(v)
    assert got == want
    mtx = run("hessian", ROSEN, "--at", AT, "--format", "mtx").output.splitlines()
    assert mtx[0] == "%%MatrixMarket matrix coordinate real symmetric"
    body = [line.split() for line in mtx if not line.startswith("%")]
    assert body[0] == ["3", "3", str(len(body) - 1)]
    got = {}
    for r, c, v in body[1:]:
        got[int(r) - 1, int(c) - 1] = got[int(c) - 1, int(r) - 1] = float(v)
    assert got == want
    plain = run("hessian", ROSEN, "--at", AT, "--sparse", "--format", "plain").output
    lines = dict(line.split() for line in plain.splitlines())
    assert {k: float(v) for k, v in lines.items() if k.startswith("d2f")} == {
        f"d2f/d{names[r]}d{names[c]}": v for (r, c), v in want.items()}


def test_grad_sparse_jacobian_formats(run):
    src = "a = x*y; a + z, z*w, exp(w)"
    at = "x=1,y=2,z=3,w=4"
    obj = json.loads(run("grad", src, "--at", at, "--sparse", "--format", "json").output)
    dense = json.loads(run("grad", src, "--at", at, "--format", "json").output)
    j = obj["jacobian"]
    assert j["shape"] == [3, 4] and j["names"] == ["x", "y", "z", "w"]
    for r, c, v in zip(j["rows"], j["cols"], j["values"]):
        assert dense["jacobian"][r][j["names"][c]] == v
    assert obj["mode"] == dense["mode"] == "reverse"
    text = run("grad", src, "--at", at, "--sparse", "--format", "text").output
    assert "row colouring: 2 adjoint sweeps instead of 3" in text
    mtx = run("grad", src, "--at", at, "--format", "mtx").output.splitlines()
    assert mtx[0] == "%%MatrixMarket matrix coordinate real general"


def test_automatic_sparse_output_says_so():
    text, point = chain(120)
    at = ",".join(f"{k}={v!r}" for k, v in point.items())
    r = adcli_process("hessian", text, "--at", at, "--format", "json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["sparse"]["auto"] is True and obj["sparse"]["threshold"] == 0.05
    assert "sparse output" in r.stderr and "--dense" in r.stderr
    dense = adcli_process("hessian", text, "--at", at, "--format", "json", "--dense")
    assert isinstance(json.loads(dense.stdout)["hessian"]["x1"], dict)


def test_sparse_bad_combinations_are_usage_errors(run):
    r = run("hessian", ROSEN, "--at", AT, "--sparse", "--dir", "x=1,y=0,z=0")
    assert r.exit_code == 2 and "--dir gives one vector (H·v" in r.output
    assert "drop --sparse for H·v, or drop --dir for the sparse Hessian" in r.output
    r = run("grad", ROSEN, "--at", AT, "--sparse", "--dir", "x=1,y=0,z=0")
    assert r.exit_code == 2 and "(J·v, one tangent sweep" in r.output
    r = run("grad", ROSEN, "--at", AT, "--format", "mtx", "--cotangent", "1")
    assert r.exit_code == 2 and "Matrix Market holds a matrix" in r.output
    assert "use --format json, csv or plain with --cotangent" in r.output
    assert "Traceback" not in r.output
    r = run("hessian", ROSEN, "--points", "-", "--format", "mtx", input="x,y,z\n1,1,1\n")
    assert r.exit_code == 2 and "batch" in r.output
    r = run("hessian", ROSEN, "--at", AT, "--at", "x=1,y=1,z=1", "--format", "mtx")
    assert r.exit_code == 2 and "one matrix" in r.output


def test_several_points_in_json_and_csv(run):
    args = ["hessian", ROSEN, "--at", AT, "--at", "x=1,y=1,z=1", "--sparse"]
    objs = json.loads(run(*args, "--format", "json").output)
    assert len(objs) == 2 and objs[1]["hessian"]["values"][0] == 802
    csv = run(*args, "--format", "csv").output.splitlines()
    assert csv[0].startswith("point,row,col") and csv[-1].startswith("2,")


@pytest.mark.parametrize("source, point", [
    ("sqrt(x) * y + abs(y - 1)", {"x": 0.0, "y": 1.0}),  # kinks: warnings, as dense
    ("x^y + exp(1000*x)", {"x": 1.0, "y": 2.0}),  # overflow to inf
])
def test_kinks_and_overflow_as_the_dense_hessian(source, point):
    f = adcli.compile(source)
    s, d = sparse_hessian(f, point), f.hessian(point)
    assert sorted(w.message for w in s.warnings) == sorted(w.message for w in d.warnings)
    same = [[a == b or (a != a and b != b) for a, b in zip(r, q)]
            for r, q in zip(dense_of(s), d.matrix())]
    assert all(map(all, same))


def test_domain_error_as_the_dense_hessian(run):
    # (x^y at x = 0, y = 2 is differentiable since issue 11: a base off the domain)
    r = run("hessian", "x^y + z*y", "--at", "x=-1,y=0.5,z=1", "--sparse")
    d = run("hessian", "x^y + z*y", "--at", "x=-1,y=0.5,z=1")
    assert r.exit_code == d.exit_code and r.output == d.output


@pytest.mark.parametrize("precision", [["--digits", "30"], ["--exact"]])
def test_digits_and_exact_give_the_dense_numbers(run, precision):
    at = "x=1/3,y=2,z=3"
    sp = json.loads(run("hessian", ROSEN, "--at", at, "--sparse", "--format", "json",
                        *precision).output)
    de = json.loads(run("hessian", ROSEN, "--at", at, "--format", "json", *precision).output)
    h = sp["hessian"]
    for r, c, v in zip(h["rows"], h["cols"], h["values"]):
        assert de["hessian"][h["names"][r]][h["names"][c]] == v
    assert sp["gradient"] == de["gradient"] and sp["value"] == de["value"]
    assert {k: sp[k] for k in ("digits", "exact") if k in sp} == {
        k: de[k] for k in ("digits", "exact") if k in de}
    src = "a = x*y; a + z, z*w, w^3"
    sj = json.loads(run("grad", src, "--at", "x=1/3,y=2,z=3,w=1", "--sparse", "--format",
                        "json", *precision).output)
    dj = json.loads(run("grad", src, "--at", "x=1/3,y=2,z=3,w=1", "--format", "json",
                        *precision).output)
    j = sj["jacobian"]
    for r, c, v in zip(j["rows"], j["cols"], j["values"]):
        assert dj["jacobian"][r][j["names"][c]] == v


def test_matrix_market_reads_back_in_scipy(run, tmp_path):
    sio = pytest.importorskip("scipy.io")
    f = adcli.compile(ROSEN)
    dense = f.hessian({"x": 0.5, "y": 1.5, "z": -0.5}).matrix()
    path = tmp_path / "h.mtx"
    path.write_text(run("hessian", ROSEN, "--at", AT, "--format", "mtx").output)
    assert sio.mmread(str(path)).toarray().tolist() == dense
    path.write_text(run("sparsity", ROSEN, "--hessian", "--format", "mtx").output)
    pattern = sio.mmread(str(path)).toarray()
    assert [[bool(v) for v in row] for row in pattern.tolist()] == [
        [bool(v) for v in row] for row in dense]


def test_points_batch_writes_the_nonzeros_as_columns(run, tmp_path):
    pts = tmp_path / "p.csv"
    pts.write_text("x,y,z\n1,1,1\n0.5,1.5,-0.5\n")
    sparse = run("hessian", ROSEN, "--points", str(pts), "--sparse", "--format", "csv")
    dense = run("hessian", ROSEN, "--points", str(pts), "--format", "csv")
    assert sparse.exit_code == dense.exit_code == 0
    s_rows = [dict(zip(*(sparse.output.splitlines()[0].split(","), line.split(","))))
              for line in sparse.output.splitlines()[1:]]
    d_head = dense.output.splitlines()[0].split(",")
    d_rows = [dict(zip(d_head, line.split(","))) for line in dense.output.splitlines()[1:]]
    assert "d2f/dxdz" not in s_rows[0] and "d2f/dydx" not in s_rows[0]  # zeros, lower triangle
    for s, d in zip(s_rows, d_rows, strict=True):
        assert all(d[k] == v for k, v in s.items())
    jac = run("grad", "a = x*y; a + z, z*w, exp(w)", "--points", "-", "--sparse",
              input="x,y,z,w\n1,2,3,4\n")
    assert jac.output.splitlines()[0] == ("x,y,z,w,f1,f2,f3,df1/dx,df1/dy,df1/dz,df2/dz,"
                                         "df2/dw,df3/dw,error")


def test_the_docs_page_python_example_runs():
    from tests.docs_pages import run_doctests

    run_doctests("docs/sparse.md")
