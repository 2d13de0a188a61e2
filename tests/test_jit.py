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


@pytest.fixture(autouse=True, params=["llvm", "c"])
def backend(request, tmp_path, monkeypatch):
    """Every test on both compiler paths: LLVM IR through llvmlite, and
    generated C through cc."""
    from adcli.codegen import jit

    if request.param == "llvm":
        pytest.importorskip("llvmlite", reason="llvmlite is in the test extra; not installed")
    elif shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler on PATH")
    monkeypatch.setenv("ADCLI_JIT", request.param)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(jit, "_LOADED", {})  # as in a fresh process
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})


def _batch(args, points=POINTS):
    res = CliRunner().invoke(cli, args + ["--points", "-"], input=points)
    return res.exit_code, res.stdout, res.stderr


@needs_cc
@pytest.mark.parametrize("command", ["eval", "grad"])
@pytest.mark.parametrize("formula", [
    "x*y + sin(x)",
    "log(x) + sqrt(y - x)",            # domain errors on some rows
    "abs(x) + hypot(x, y)^2 + exp(x*y)",  # a kink at x = 0, overflow at 1e300
    "r = x*y; r, atan2(y, x)",          # several outputs
])
def test_jit_rows_equal_the_engine(formula, command):
    """Same columns, same cells (bit for bit: the same operations in the
    same order), same failed rows and warnings as without --jit."""
    plain = _batch([command, formula, "--format", "csv"])
    jit = _batch([command, formula, "--format", "csv", "--jit"])
    assert jit == plain or jit[:2] == plain[:2]
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
        assert got == pytest.approx(want, rel=0, abs=0, nan_ok=True) or got == want


@needs_cc
def test_jit_matches_the_scalar_engine_bit_for_bit():
    f = "(x*y - y/3)^2*(y + 2)/(x*x + 1) + tanh(x - y)"
    _, out, _ = _batch(["grad", f, "--format", "csv", "--jit"])
    engine = adcli.Function(f)
    for line in out.splitlines()[1:3]:
        cells = [float(c) for c in line.split(",")[:-1]]
        res = engine.gradient({"x": cells[0], "y": cells[1]})
        assert cells[2:] == [res.value, res.gradient["x"], res.gradient["y"]]


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
    stamp = cached[0].stat().st_mtime_ns
    jit.JitKernel(GradKernel(fn, ["x", "y"]))  # a new process would find it on disk
    assert [p.stat().st_mtime_ns for p in cached] == [stamp]


@needs_cc
def test_jit_in_a_real_process(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text(POINTS)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin",
           "ADCLI_JIT": os.environ["ADCLI_JIT"]}
    run = [sys.executable, "-m", "adcli", "grad", "x*y + sin(x)", "--points", str(points)]
    a = subprocess.run(run + ["--jit"], capture_output=True, text=True, env=env)
    b = subprocess.run(run, capture_output=True, text=True, env=env)
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_hessian_batches_say_they_run_on_the_engine():
    code, out, err = _batch(["hessian", "x*y + sin(x)", "--format", "csv", "--jit"])
    assert code == 0 and "--jit compiles eval and grad" in err


def test_llvm_needs_no_c_compiler(monkeypatch, backend):
    if backend != "llvm":
        pytest.skip("the LLVM path only")
    monkeypatch.setenv("CC", "/nonexistent/cc")
    monkeypatch.setenv("PATH", "/nonexistent")
    code, out, err = _batch(["grad", "x*y + sin(x)", "--format", "csv", "--jit"])
    assert code == 0 and "--jit" not in err
    assert out.splitlines()[1] == "2,3,6.909297426825682,2.5838531634528574,2,"
