"""--points: many points through one command, streamed and vectorised."""

import io
import json
import os
import random
import subprocess
import sys

import pytest

import adcli
from tests.child_process import readline_within, stopping
from tests.conftest import adcli_process

BENCH = "x1*x2 + sin(x1) + exp(-x2^2/2)*cos(x1*x2)"
RICH = ("a = x*y + sin(x)/(1 + y^2); b = exp(-x^2) * atan2(y, x) + log1p(x^2) * cbrt(y);"
        "hypot(a, b) + max(x, y) + sqrt(x^2 + 1) + tanh(a) * asinh(b) + a^3, "
        "log(1 + x^2, 3) + erf(y) + abs(x) + sec(y / 4) + min(x, y)")


def _csv(points, names=("x1", "x2")):
    return ",".join(names) + "\n" + "".join(",".join(map(repr, p)) + "\n" for p in points)


def _rows(text, sep=","):
    lines = text.splitlines()
    return lines[0].split(sep), [line.split(sep) for line in lines[1:]]


def _close(a, b, rel=1e-13):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


# --- correctness against the scalar engine -----------------------------------

@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_gradients_agree_with_scalar_engine(run, mode):
    rnd = random.Random(5)
    points = [(rnd.uniform(0.1, 3), rnd.uniform(-2, 2)) for _ in range(300)]
    res = run("grad", RICH, "--points", "-", "--mode", mode, input=_csv(points, ("x", "y")))
    assert res.exit_code == 0, res.stderr
    header, rows = _rows(res.stdout)
    assert header == ["x", "y", "f1", "df1/dx", "df1/dy", "f2", "df2/dx", "df2/dy", "error"]
    fn = adcli.compile(RICH)
    for (x, y), row in zip(points, rows, strict=True):
        ref = fn.gradient({"x": x, "y": y}, mode=mode)
        want = [ref.values[0], *ref.jacobian[0].values(), ref.values[1],
                *ref.jacobian[1].values()]
        got = [float(c) for c in row[2:-1]]
        assert all(_close(g, w) for g, w in zip(got, want, strict=True)), (x, y, got, want)
        assert row[-1] == ""


def test_forward_and_reverse_batches_agree(run):
    text = _csv([(0.5 + i / 7, 1.5 - i / 11) for i in range(50)])
    fwd = run("grad", BENCH, "--points", "-", "--mode", "forward", input=text).stdout
    rev = run("grad", BENCH, "--points", "-", "--mode", "reverse", input=text).stdout
    for a, b in zip(_rows(fwd)[1], _rows(rev)[1], strict=True):
        assert all(_close(float(p), float(q), 1e-15) for p, q in zip(a[2:-1], b[2:-1],
                                                                      strict=True))


def test_eval_values_are_exactly_the_scalar_ones_to_full_precision(run):
    points = [(2.0, 3.0), (0.1, 0.2), (-1.25, 7.5)]
    res = run("eval", BENCH, "--points", "-", input=_csv(points))
    assert res.exit_code == 0
    header, rows = _rows(res.stdout)
    assert header == ["x1", "x2", "f", "error"]
    for (x1, x2), row in zip(points, rows, strict=True):
        want = adcli.evaluate(BENCH, x1=x1, x2=x2)
        assert _close(float(row[2]), want, 1e-15)


def test_worked_example_row_reads_like_the_single_point_csv(run):
    res = run("grad", "x1*x2+sin(x1)", "--points", "-", input="x1,x2\n2,3\n")
    assert res.stdout == ("x1,x2,f,df/dx1,df/dx2,error\n"
                          "2,3,6.909297426825682,2.5838531634528574,2,\n")
    assert res.exit_code == 0


def test_output_keeps_round_trip_precision(run):
    rnd = random.Random(1)
    points = [(rnd.uniform(-1e3, 1e3), rnd.uniform(1e-9, 1e-7)) for _ in range(200)]
    res = run("eval", "x1 * x2 + x1", "--points", "-", input=_csv(points))
    for (x1, x2), row in zip(points, _rows(res.stdout)[1], strict=True):
        assert float(row[2]) == x1 * x2 + x1


def test_digits(run):
    res = run("grad", "x1*x2+sin(x1)", "--points", "-", "--digits", "4", input="x1,x2\n2,3\n")
    assert res.stdout.splitlines()[1] == "2,3,6.909,2.584,2,"


# --- columns -------------------------------------------------------------------

def test_several_outputs_are_grouped_per_output_with_assigned_names(run):
    res = run("grad", "a = x*y; a, a + y", "--points", "-", input="x,y\n2,3\n")
    header, rows = _rows(res.stdout)
    assert header == ["x", "y", "a", "da/dx", "da/dy", "f2", "df2/dx", "df2/dy", "error"]
    assert rows[0] == ["2", "3", "6", "3", "2", "9", "3", "3", ""]


def test_extra_columns_are_carried_through_untouched(run):
    text = 'id,x2,note,x1\nA-1,3.000,"hello, world",2.50\nB-2,1e0,plain,0x\n'
    res = run("grad", "x1*x2", "--points", "-", input=text)
    lines = res.stdout.splitlines()
    assert lines[0] == "id,x2,note,x1,f,df/dx2,df/dx1,error"
    assert lines[1] == 'A-1,3.000,"hello, world",2.50,7.5,2.5,3,'
    assert lines[2].startswith("B-2,1e0,plain,0x,,,,")
    assert res.exit_code == 1


def test_wrt_limits_the_columns(run):
    res = run("grad", "x*y*z", "--points", "-", "--wrt", "z,x", input="x,y,z\n1,2,3\n")
    assert res.stdout.splitlines() == ["x,y,z,f,df/dz,df/dx,error", "1,2,3,6,2,6,"]


# --- formats ---------------------------------------------------------------------

def test_tsv_in_tsv_out_and_jsonl_in_csv_out(run):
    res = run("grad", "x*y", "--points", "-", input="x\ty\n2\t3\n")
    assert res.stdout.splitlines() == ["x\ty\tf\tdf/dx\tdf/dy\terror", "2\t3\t6\t3\t2\t"]
    res = run("grad", "x*y", "--points", "-", "--format", "csv",
              input='{"id": "a", "x": 2, "y": 3}\n{"y": 1.5, "x": -1, "id": "b"}\n')
    assert res.stdout.splitlines() == ["id,x,y,f,df/dx,df/dy,error",
                                       "a,2,3,6,3,2,", "b,-1,1.5,-1.5,1.5,-1,"]


def test_input_format_option_overrides_detection(run):
    # one column, so nothing to detect a separator from
    res = run("eval", "x^2", "--points", "-", "--input-format", "tsv", "--format", "csv",
              input="x\n3\n")
    assert res.stdout.splitlines() == ["x,f,error", "3,9,"]


def _single(*args):
    out = adcli_process(*args, "--format", "json")
    return json.loads(out.stdout)


@pytest.mark.parametrize("command,expr", [("grad", "x1*x2+sin(x1)"), ("eval", "x1*x2+sin(x1)"),
                                          ("grad", "a = x1*x2; a, a+x1"),
                                          ("eval", "x1, x2")])
def test_jsonl_lines_have_the_single_point_json_shape(run, command, expr):
    res = run(command, expr, "--points", "-", "--format", "jsonl", input="x1,x2\n2,3\n")
    got = json.loads(res.stdout.splitlines()[0])
    single = adcli.compile(expr)
    if command == "grad":
        from adcli.render.results import grad_json
        want = grad_json(single.gradient({"x1": 2, "x2": 3}))
    else:
        from adcli.render.results import eval_json
        r = single.evaluate({"x1": 2, "x2": 3})
        want = eval_json(r, r.point)
    assert list(got) == list(want)
    assert got == json.loads(json.dumps(want))


def test_jsonl_matches_the_real_single_point_command():
    batch = adcli_process("grad", "x1*x2+sin(x1)", "--points", "-", "--format", "jsonl",
                          input="x1,x2\n2,3\n")
    single = _single("grad", "x1*x2+sin(x1)", "--at", "x1=2,x2=3")
    assert json.loads(batch.stdout) == single


def test_json_is_one_array_and_nonfinite_values_are_strings(run):
    res = run("grad", "exp(x)", "--points", "-", "--format", "json", input="x\n1\n1000\n")
    data = json.loads(res.stdout)
    assert isinstance(data, list) and len(data) == 2
    assert data[1]["value"] == "inf" and data[1]["gradient"] == {"x": "inf"}
    assert data[1]["warnings"] and "ω" in data[1]["warnings"][0]
    assert res.exit_code == 0
    assert "line 3" in res.stderr and "overflow" in res.stderr


def test_empty_batch_gives_a_header_or_an_empty_array(run):
    assert run("eval", "x", "--points", "-", input="x\n").stdout == "x,f,error\n"
    assert json.loads(run("eval", "x", "--points", "-", "--format", "json",
                          input="x\n").stdout) == []


def test_plain_format_is_refused(run):
    res = run("eval", "x", "--points", "-", "--format", "plain", input="x\n1\n")
    assert res.exit_code == 2 and "--points" in res.stderr


# --- bad rows and bad usage ----------------------------------------------------------

def test_bad_rows_are_reported_and_every_other_row_written(run):
    text = "x,y\n1,2\nabc,2\n3\n,4\nnan,1\n-1,2\n0,0\n5,6\n"
    res = run("grad", "log(x)*y + sqrt(x)", "--points", "-", input=text)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert len(lines) == 9
    errors = [line.rsplit(",", 1)[-1] if not line.endswith(",") else "" for line in lines[1:]]
    assert lines[1].startswith("1,2,1,") and lines[1].endswith(",")
    assert "`abc` is not a number" in lines[2]
    assert "expected 2 cells" in lines[3]
    assert "no value for `x`" in lines[4]
    assert "finite" in lines[5]
    assert "log(-1) is undefined (at ω3)" in lines[6]
    assert "log(0) is undefined" in lines[7]
    assert lines[8].startswith("5,6,") and lines[8].endswith(",")
    assert errors[0] == ""
    assert "6 of 8 rows failed" in res.stderr and "line 3" in res.stderr


def test_domain_error_message_is_the_scalar_engines(run):
    with pytest.raises(adcli.DomainError) as exc:
        adcli.grad("sqrt(x - 1) * y", x=0.5, y=1)
    res = run("grad", "sqrt(x - 1) * y", "--points", "-", "--format", "jsonl",
              input='{"x": 0.5, "y": 1}\n{"x": 2, "y": 1}\n')
    first, second = map(json.loads, res.stdout.splitlines())
    assert first["error"] == exc.value.message and first["line"] == 1
    assert second["value"] == 1.0
    assert res.exit_code == 1


def test_kinks_follow_the_scalar_conventions_with_a_warning(run):
    text = _csv([(0.0, 1.0), (2.0, 2.0), (-3.0, 1.0)], ("x", "y"))
    res = run("grad", "abs(x) + max(x, y) + hypot(x - 2, y - 2)", "--points", "-", input=text)
    assert res.exit_code == 0
    fn = adcli.compile("abs(x) + max(x, y) + hypot(x - 2, y - 2)")
    for row in _rows(res.stdout)[1]:
        ref = fn.gradient({"x": float(row[0]), "y": float(row[1])})
        assert [float(c) for c in row[2:5]] == [ref.value, *ref.gradient.values()]
    assert "warning" in res.stderr and "line 2" in res.stderr


def test_missing_header_variable_is_exit_2_naming_it(run):
    res = run("grad", "x1*x2 + z", "--points", "-", input="x1,q\n1,2\n")
    assert res.exit_code == 2
    assert "`x2`" in res.stderr and "`z`" in res.stderr
    assert res.stdout == ""


def test_points_and_at_do_not_combine(run):
    res = run("grad", "x*y", "--at", "x=1,y=2", "--points", "-", input="x,y\n1,2\n")
    assert res.exit_code == 2 and "--at" in res.stderr


def test_missing_file_and_empty_input_are_usage_errors(run):
    res = run("eval", "x", "--points", "/nonexistent/points.csv")
    assert res.exit_code == 2 and "cannot read" in res.stderr
    res = run("eval", "x", "--points", "-", input="")
    assert res.exit_code == 2 and "empty" in res.stderr


# --- streaming ------------------------------------------------------------------------

def test_chunks_keep_line_numbers_and_order():
    from adcli.batch import GradKernel, run_points

    fn = adcli.compile("log(x) * y")
    lines = ["x,y"] + [f"{i + 1},{i}" for i in range(40)]
    lines[23] = "-1,5"  # file line 24
    lines.insert(10, "")  # a blank line shifts what follows: the bad row is now line 25
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(("\n".join(lines) + "\n").encode()))
    status = run_points("-", lambda v: GradKernel(fn, v), needed=fn.inputs, stdin=stdin,
                        stdout=out, stderr=err, max_rows=7, progress=False)
    assert status == 1
    rows = out.getvalue().splitlines()
    assert len(rows) == 41
    assert [r.split(",")[0] for r in rows[1:]] == [ln.split(",")[0] for ln in lines[1:] if ln]
    assert "line 25" in err.getvalue()


def test_streaming_output_before_input_ends():
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "adcli"]
    proc = subprocess.Popen(cmd + ["grad", "x*y", "--points", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            bufsize=1)
    with stopping(proc):  # a row that never comes fails the test within a minute
        proc.stdin.write("x,y\n2,3\n")
        proc.stdin.flush()
        assert readline_within(proc.stdout) == "x,y,f,df/dx,df/dy,error\n"
        assert readline_within(proc.stdout) == "2,3,6,3,2,\n"  # stdin still open
        proc.stdin.write("4,5\n")
        proc.stdin.flush()
        assert readline_within(proc.stdout) == "4,5,20,5,4,\n"
        proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


def test_file_input_in_a_real_process_and_no_progress_bar_in_a_pipe(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text(_csv([(float(i), 0.5) for i in range(1000)]))
    res = adcli_process("grad", BENCH, "--points", str(path))
    assert res.returncode == 0
    assert res.stderr == ""
    assert len(res.stdout.splitlines()) == 1001


def test_single_point_commands_do_not_import_numpy():
    code = ("import sys; from adcli.cli.main import main; sys.argv = ['adcli', 'grad', 'x*y',"
            " '--at', 'x=1,y=2', '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'numpy' not in sys.modules, 'numpy imported'")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr


def test_progress_bar_renders_on_a_terminal_like_stream():
    from adcli.batch import EvalKernel, run_points

    fn = adcli.compile("x^2")
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(b"x\n1\n2\n"))
    status = run_points("-", lambda v: EvalKernel(fn, v), needed=fn.inputs, stdin=stdin,
                        stdout=out, stderr=err, progress=True)
    assert status == 0
    assert out.getvalue().splitlines()[1:] == ["1,1,", "2,4,"]


def test_a_per_point_kernel_plugs_hessian_into_the_driver():
    """How hessian/taylor reuse the driver: a PointKernel around the scalar API."""
    from adcli.batch import PointKernel, run_points
    from adcli.render.higher_view import hessian_json

    fn = adcli.compile("x^2*y + log(y)")

    def make_kernel(variables):
        columns = (["f"] + [f"df/d{v}" for v in variables]
                   + [f"d2f/d{a}d{b}" for a in variables for b in variables])
        return PointKernel(
            columns, compute=lambda point: fn.hessian(point),
            cells=lambda r: [r.value, *r.gradient.values(),
                             *[h for row in r.hessian.values() for h in row.values()]],
            to_json=hessian_json)

    for fmt in ("csv", "jsonl"):
        out, err = io.StringIO(), io.StringIO()
        stdin = io.TextIOWrapper(io.BytesIO(b"x,y\n3,2\n1,-1\n"))
        status = run_points("-", make_kernel, needed=fn.inputs, fmt=fmt, stdin=stdin,
                            stdout=out, stderr=err, progress=False)
        assert status == 1 and "line 3" in err.getvalue()
        lines = out.getvalue().splitlines()
        ref = fn.hessian({"x": 3.0, "y": 2.0})
        if fmt == "csv":
            assert lines[0] == "x,y,f,df/dx,df/dy,d2f/dxdx,d2f/dxdy,d2f/dydx,d2f/dydy,error"
            assert [float(c) for c in lines[1].split(",")[2:-1]] == [
                ref.value, *ref.gradient.values(),
                *[h for row in ref.hessian.values() for h in row.values()]]
            assert "log(-1)" in lines[2]
        else:
            assert json.loads(lines[0]) == json.loads(json.dumps(hessian_json(ref)))
            assert "log(-1)" in json.loads(lines[1])["error"]


def test_a_reader_that_leaves_early_is_no_error(tmp_path):
    """`adcli eval … --points big.csv | head -1`: exit 0, nothing on stderr."""
    path = tmp_path / "many.csv"
    path.write_text("x\n" + "".join(f"{i}\n" for i in range(300_000)))
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "adcli"]
    proc = subprocess.Popen(cmd + ["eval", "x^2", "--points", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with stopping(proc):
        assert readline_within(proc.stdout) == b"x,f,error\n"
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and err == b""


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("no_color", [False, True])
def test_progress_bar_on_a_terminal_stderr_respects_no_color(monkeypatch, no_color):
    from adcli.batch import EvalKernel, run_points

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    fn = adcli.compile("x^2")
    out, err = io.StringIO(), _Terminal()
    stdin = io.TextIOWrapper(io.BytesIO(b"x\n" + b"".join(b"%d\n" % i for i in range(50))))
    assert run_points("-", lambda v: EvalKernel(fn, v), needed=fn.inputs, stdin=stdin,
                      stdout=out, stderr=err) == 0
    assert "rows" in err.getvalue()  # drawn by default: stderr is a terminal, stdout is not
    assert ("\x1b[3" in err.getvalue() or "\x1b[9" in err.getvalue()) is not no_color
    assert out.getvalue().count("\n") == 51


def test_quoted_cells_are_read_and_carried_through(run):
    # the cells' text is carried through; quotes are written where CSV needs them
    text = 'id,x,y\n"a,b",1,2\n"c""d",3,"4"\n'
    res = run("grad", "x*y", "--points", "-", input=text)
    assert res.stdout.splitlines() == ["id,x,y,f,df/dx,df/dy,error",
                                       '"a,b",1,2,2,2,1,', '"c""d",3,4,12,4,3,']
    assert res.exit_code == 0
