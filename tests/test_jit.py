"""``--jit``: batches through compiled derivative code give the engine's
numbers, rows, errors and warnings; without a compiler, the NumPy path."""

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

needs_cc = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                              reason="no C compiler on PATH")

POINTS = "x,y\n2,3\n0.5,-1\n0,1\n-1,2\n1e300,1e10\n"


# (ADCLI_JIT, ADCLI_JIT_MATH): LLVM with vector math (libmvec, as wide as the
# CPU allows; libm one point at a time where it cannot), LLVM at AVX2's
# width, LLVM through libm, C through cc.
BACKENDS = {"llvm": ("llvm", "vector"), "llvm-avx2": ("llvm", "avx2"),
            "llvm-libm": ("llvm", "libm"), "c": ("c", "libm")}


@pytest.fixture(autouse=True, params=list(BACKENDS))
def backend(request, tmp_path, monkeypatch):
    """Every test on every compiler path: LLVM IR through llvmlite (vector
    math, and libm), and generated C through cc."""
    from adcli.codegen import jit

    compiler, math = BACKENDS[request.param]
    if compiler == "llvm":
        pytest.importorskip("llvmlite", reason="llvmlite is in the test extra; not installed")
    elif shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler on PATH")
    monkeypatch.setenv("ADCLI_JIT", compiler)
    monkeypatch.setenv("ADCLI_JIT_MATH", math)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(jit, "_LOADED", {})  # as in a fresh process
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
    return request.param


def _batch(args, points=POINTS):
    res = CliRunner().invoke(cli, args + ["--points", "-"], input=points)
    return res.exit_code, res.stdout, res.stderr


def _exact():
    """Whether this path promises the engine's bits: libm one point at a
    time does; vector math (libmvec, <= 4 ulp per function) agrees to
    working precision."""
    return os.environ["ADCLI_JIT_MATH"] == "libm" or not _vector()


def _vector():
    if os.environ["ADCLI_JIT"] != "llvm" or os.environ["ADCLI_JIT_MATH"] == "libm":
        return False
    import llvmlite.binding as llvm

    from adcli.codegen.llvm import vector_width

    return vector_width(llvm) > 0


def _same_numbers(got, want):
    """Bit for bit on the exact paths; to working precision with vector
    math: a few ulps of each elementary function, grown by the formula's
    own cancellation (x*y + sin(x) at (0.5, -1): 1 ulp of sin is 3e-15 of f)."""
    if _exact():
        return got == want or got == pytest.approx(want, rel=0, abs=0, nan_ok=True)
    return _close(got, want)


def _close(got, want):
    return got == pytest.approx(want, rel=1e-13, abs=1e-15, nan_ok=True)


def _same_rows(a, b):
    """Two CSV outputs: the same header, the same error cells, the same
    numbers to working precision (the NumPy path's are not the engine's bits)."""
    la, lb = a.splitlines(), b.splitlines()
    assert la[0] == lb[0] and len(la) == len(lb)
    for ra, rb in zip(la[1:], lb[1:]):
        ca, cb = ra.split(","), rb.split(",")
        assert ca[-1] == cb[-1] and len(ca) == len(cb)
        if not ca[-1]:
            assert _close([float(c) for c in ca[:-1]], [float(c) for c in cb[:-1]]), (ra, rb)
    return True


@needs_cc
@pytest.mark.parametrize("command", ["eval", "grad"])
@pytest.mark.parametrize("formula", [
    "x*y + sin(x)",
    "log(x) + sqrt(y - x)",            # domain errors on some rows
    "abs(x) + hypot(x, y)^2 + exp(x*y)",  # a kink at x = 0, overflow at 1e300
    "r = x*y; r, atan2(y, x)",          # several outputs
    # an overflow the rest of the formula hides (tanh(inf) = 1, 1/inf = 0,
    # exp(-inf) = 0): the engine still warns, so the row is still flagged
    "tanh(x*y*1e300*1e10) + 1/(x*1e300*y*1e10) + exp(-exp(x*y*1000))",
])
def test_jit_rows_equal_the_engine(formula, command):
    """Same columns, same failed rows and warnings as without --jit, the
    same cells as the engine (bit for bit through libm: the same operations
    in the same order)."""
    plain = _batch([command, formula, "--format", "csv"])
    jit = _batch([command, formula, "--format", "csv", "--jit"])
    assert jit[0] == plain[0] and jit[2] == plain[2]
    assert _same_rows(jit[1], plain[1]) if not _exact() else jit[:2] == plain[:2]
    engine = adcli.Function(formula)
    for line in jit[1].splitlines()[1:]:
        cells = line.split(",")
        x, y = float(cells[0]), float(cells[1])
        if cells[-1]:
            continue  # a failed row: its message is the engine's (compared above)
        if command == "grad":
            res = engine.gradient({"x": x, "y": y})
            want = [c for v, row in zip(res.values, res.jacobian) for c in (v, *row.values())]
        else:
            want = engine.evaluate({"x": x, "y": y}).values
        got = [float(c) for c in cells[2:-1]]
        assert _same_numbers(got, want)


@needs_cc
def test_jit_matches_the_scalar_engine():
    f = "(x*y - y/3)^2*(y + 2)/(x*x + 1) + tanh(x - y)"
    _, out, _ = _batch(["grad", f, "--format", "csv", "--jit"])
    engine = adcli.Function(f)
    for line in out.splitlines()[1:3]:
        cells = [float(c) for c in line.split(",")[:-1]]
        res = engine.gradient({"x": cells[0], "y": cells[1]})
        assert _same_numbers(cells[2:], [res.value, res.gradient["x"], res.gradient["y"]])


@needs_cc
def test_many_rows_every_lane_and_the_tail():
    """1,003 points (not a whole number of vectors), a bad point in every
    lane position: each flagged row is the engine's error, every other row
    the engine's numbers."""
    import random

    rng = random.Random(3)
    rows = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(1003)]
    for k in range(0, 1003, 97):
        rows[k] = (0.0, rows[k][1])  # log(0): a domain error
        rows[k + 1] = (rows[k + 1][0], 0.0)  # abs at its kink: a warning
    points = "x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in rows)
    f = "log(x^2) + abs(y)*exp(x) + atan2(y, x) + erf(x*y) + x^3"
    plain = _batch(["grad", f, "--format", "csv"], points)
    jit = _batch(["grad", f, "--format", "csv", "--jit"], points)
    assert jit[0] == plain[0] == 1 and jit[2] == plain[2]
    assert "had warnings" in jit[2]
    assert _same_rows(jit[1], plain[1])
    engine = adcli.Function(f)
    for line, (x, y) in zip(jit[1].splitlines()[1:], rows):
        cells = line.split(",")
        if cells[-1]:
            continue
        res = engine.gradient({"x": x, "y": y})
        # not _same_numbers: even through libm, this sum's adjoints can
        # differ from the engine's in the last bit (accumulation order)
        assert _close([float(c) for c in cells[2:-1]],
                      [res.value, res.gradient["x"], res.gradient["y"]])


def test_without_a_compiler_the_numpy_path_with_one_note(monkeypatch):
    from adcli.codegen import jit

    monkeypatch.setenv("CC", "/nonexistent/cc")
    monkeypatch.setenv("ADCLI_JIT", "c")  # and no llvmlite
    monkeypatch.setattr(jit, "_LOADED", {})
    plain = _batch(["grad", "x*y + sin(x)", "--format", "csv"])
    code, out, err = _batch(["grad", "x*y + sin(x)", "--format", "csv", "--jit"])
    assert (code, out) == plain[:2]
    assert err.count("--jit unavailable") == 1


@needs_cc
def test_compiled_kernels_are_cached(tmp_path, monkeypatch):
    from adcli.batch.driver import GradKernel
    from adcli.codegen import jit

    fn = adcli.Function("x*y + sin(x)")
    jit.JitKernel(GradKernel(fn, ["x", "y"]))
    cached = list((tmp_path / "cache" / "adcli" / "jit").iterdir())
    assert len(cached) == 1
    jit._LOADED.clear()
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
    inode = cached[0].stat().st_ino  # a file written again is a new inode (written, then renamed)
    jit.JitKernel(GradKernel(fn, ["x", "y"]))  # a new process would find it on disk
    assert [p.stat().st_ino for p in cached] == [inode]


@needs_cc
def test_jit_in_a_real_process(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text(POINTS)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin",
           "ADCLI_JIT": os.environ["ADCLI_JIT"], "ADCLI_JIT_MATH": os.environ["ADCLI_JIT_MATH"]}
    run = [sys.executable, "-m", "adcli", "grad", "x*y + sin(x)", "--points", str(points)]
    a = subprocess.run(run + ["--jit"], capture_output=True, text=True, env=env, timeout=600)
    b = subprocess.run(run, capture_output=True, text=True, env=env, timeout=600)
    assert a.returncode == b.returncode == 0
    assert _same_rows(a.stdout, b.stdout)


@needs_cc
@pytest.mark.parametrize("formula,extra", [
    ("x*y + sin(x)", []),
    ("log(x) + sqrt(y - x)", []),                  # domain errors on some rows
    ("abs(x) + hypot(x, y)^2 + exp(x*y)", []),      # a kink, an overflow
    ("x^3*y - tanh(x/y)", ["--wrt", "y,x"]),        # the columns in --wrt's order
    ("r = x*y; r, atan2(y, x)", ["--output", "2"]),
])
def test_hessian_jit_rows_equal_the_engine(formula, extra):
    """hessian --points --jit: generated second-order code (forward over
    reverse), the same columns, failed rows and warnings as the engine;
    numbers to working precision (the symbolic sweep associates the
    second-order terms differently from the engine's), -0 written as 0."""
    plain = _batch(["hessian", formula, "--format", "csv", *extra])
    jit = _batch(["hessian", formula, "--format", "csv", "--jit", *extra])
    assert jit[0] == plain[0] and jit[2] == plain[2]
    assert "--jit" not in jit[2]
    assert _same_rows(jit[1], plain[1])
    assert ",-0," not in jit[1]


@needs_cc
def test_hessian_jit_json_rows_are_the_engines():
    plain = _batch(["hessian", "x*y + sin(x)", "--format", "jsonl"])
    jit = _batch(["hessian", "x*y + sin(x)", "--format", "jsonl", "--jit"])
    assert jit == plain


def test_hessian_dir_batches_say_they_run_on_the_engine():
    code, out, err = _batch(["hessian", "x*y + sin(x)", "--dir", "x=1,y=0", "--format", "csv",
                             "--jit"])
    assert code == 0 and "this one runs on the engine" in err


@needs_cc
def test_a_negative_zero_derivative_is_written_as_the_engine_writes_it():
    plain = _batch(["grad", "y - x*x", "--format", "csv"], "x,y\n0,1\n")
    jit = _batch(["grad", "y - x*x", "--format", "csv", "--jit"], "x,y\n0,1\n")
    assert jit == plain and jit[1].splitlines()[1] == "0,1,1,0,1,"


def test_llvm_needs_no_c_compiler(monkeypatch, backend):
    if BACKENDS[backend][0] != "llvm":
        pytest.skip("the LLVM path only")
    monkeypatch.setenv("CC", "/nonexistent/cc")
    monkeypatch.setenv("PATH", "/nonexistent")
    code, out, err = _batch(["grad", "x*y + sin(x)", "--format", "csv", "--jit"])
    assert code == 0 and "--jit" not in err
    cells = [float(c) for c in out.splitlines()[1].split(",")[:-1]]
    assert _same_numbers(cells, [2, 3, 6.909297426825682, 2.5838531634528574, 2])


WRT_POINTS = "x,y,z\n2,3,0.5\n0.5,-1,2\n0,1,1\n-1,2,-3\n"


@needs_cc
@pytest.mark.parametrize("command,formula,wrt", [
    ("grad", "x*y*z + sin(x) - exp(y/z)", "z"),        # one of three: forward, one sweep
    ("grad", "x*y*z + sin(x) - exp(y/z)", "z,x"),      # two, in --wrt's order
    ("grad", "x*y + z; sin(x*z) - y", "y"),            # several outputs (reverse sweeps)
    ("hessian", "x^3*y - tanh(x/z) + y*z", "z,y"),     # second order: two tangent sweeps
])
def test_a_wrt_subset_gives_the_engines_rows(command, formula, wrt):
    """--wrt's columns only: the rows of the run without --jit (the numbers
    to working precision, errors and warnings identical)."""
    args = [command, formula, "--wrt", wrt, "--format", "csv"]
    plain = _batch(args, WRT_POINTS)
    jit = _batch(args + ["--jit"], WRT_POINTS)
    assert jit[0] == plain[0] and jit[2] == plain[2] and "--jit" not in jit[2]
    assert _same_rows(jit[1], plain[1])


def test_a_wrt_subset_compiles_only_its_columns():
    """The compiled kernel holds --wrt's derivatives, not the whole
    Jacobian: with respect to z, nothing of x*y's derivative is computed."""
    from adcli.codegen.kernel import Kernel

    fn = adcli.Function("x*y*z + sin(x*y) + cos(x)")
    full = Kernel(fn, mode="forward", inputs=["x", "y", "z"], flag_kinks=True)
    only_z = Kernel(fn, mode="forward", inputs=["x", "y", "z"], flag_kinks=True, wrt=["z"])
    assert [len(nodes) for _, nodes, _ in only_z.groups] == [1, 1]
    assert len(only_z.schedule()[0]) < len(full.schedule()[0])
    hess = Kernel(fn, order=2, inputs=["x", "y", "z"], flag_kinks=True, wrt=["z", "y"])
    assert [g for g, _, _ in hess.groups] == ["f", "g", "H"]
    assert [len(nodes) for _, nodes, _ in hess.groups] == [1, 2, 4]
