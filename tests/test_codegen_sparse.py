"""``adcli codegen --sparse``: the Jacobian's or Hessian's nonzeros only, as
C (compiled with -Wall -Wextra -Werror), Python and NumPy, against the
interpreter's sparse drivers: the same coordinates, the same numbers."""

import math
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli
from adcli.sparse.drivers import sparse_hessian, sparse_jacobian

CC = shutil.which("cc") or shutil.which("gcc")
C_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
needs_cc = pytest.mark.skipif(CC is None, reason="no C compiler (cc) on PATH")


def chain(n):
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))


HESSIANS = {  # formula -> a point (in input order)
    "chain": (chain(12), [(-1.2 if i % 2 else 1.0) + 0.01 * i for i in range(12)]),
    "arrow": ("h*(a + b + c + d) + a*b/c - exp(d)*sin(h) + log(c)", [0.7, 1.1, 1.3, 2.0, 0.4]),
    "blocks": ("x*y + sin(x)*y^2 + z/w + w*z^3 + hypot(u, v)", [0.3, 1.5, 2.0, 0.5, 3.0, 4.0]),
}
JACOBIANS = {
    "banded": ("; ".join(f"x{i - 1}*x{i} + sin(x{i + 1})" for i in range(2, 11)),
               [0.1 * i + 0.3 for i in range(11)]),
    "dense row": ("sqrt(a*a + b*b + c*c + d*d), a*b, b*c, c*d, d*a", [1.0, 2.0, 3.0, 4.0]),
}


def _interpreted(formula, point, order):
    fn = adcli.compile(formula)
    at = dict(zip(fn.inputs, point))
    if order == 2:
        r = sparse_hessian(fn, at)
        return r.matrix, list(r.values) + [r.gradient[v] for v in fn.inputs] + r.matrix.values
    r = sparse_jacobian(fn, at)
    return r.matrix, list(r.values) + r.matrix.values


def _same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g == w or math.isclose(g, w, rel_tol=1e-15, abs_tol=1e-300), (got, want)


CASES = [(k, 2, *v) for k, v in HESSIANS.items()] + [(k, 1, *v) for k, v in JACOBIANS.items()]
IDS = [f"{c[0]}-order{c[1]}" for c in CASES]


@needs_cc
@pytest.mark.parametrize(("label", "order", "formula", "point"), CASES, ids=IDS)
def test_c_nonzeros_compile_cleanly_and_match_the_interpreter(tmp_path, label, order,
                                                              formula, point):
    fn = adcli.compile(formula)
    source = fn.codegen("c", order=order, main=True, sparse=True)
    matrix, want = _interpreted(formula, point, order)
    group = "Hnz" if order == 2 else "Jnz"
    assert f"const int adcli_f_{group}_rows[{matrix.nnz}] = " \
           f"{{{', '.join(map(str, matrix.rows))}}};" in source
    assert f"adcli_f_{group}_cols[{matrix.nnz}] = {{{', '.join(map(str, matrix.cols))}}};" \
        in source
    (tmp_path / "k.c").write_text(source)
    res = subprocess.run([CC, *C_FLAGS, str(tmp_path / "k.c"), "-o", str(tmp_path / "k"), "-lm"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    out = subprocess.run([str(tmp_path / "k")], input=" ".join(map(repr, point)) + "\n",
                         capture_output=True, text=True, timeout=60, check=True).stdout
    _same([float(t) for t in out.split()], want)


@pytest.mark.parametrize(("label", "order", "formula", "point"), CASES, ids=IDS)
def test_python_and_numpy_nonzeros_match_the_interpreter(label, order, formula, point):
    import numpy as np

    fn = adcli.compile(formula)
    matrix, want = _interpreted(formula, point, order)
    group = "Hnz" if order == 2 else "Jnz"
    for lang in ("python", "numpy"):
        ns = {}
        exec(fn.codegen(lang, order=order, sparse=True, name="k"), ns)  # noqa: S102
        assert list(ns[f"k_{group}_rows"]) == matrix.rows
        assert list(ns[f"k_{group}_cols"]) == matrix.cols
        assert tuple(ns[f"k_{group}_shape"]) == matrix.shape
        groups = ns["k"](point if lang == "python" else np.array([point]))
        flat = [float(v) for g in groups for v in np.ravel(g)]
        _same(flat, want)


def test_the_chain_code_holds_the_nonzeros_only():
    fn = adcli.compile(chain(200))
    sparse = fn.codegen("python", order=2, sparse=True)
    assert "Hnz (598)" in sparse and "adcli_f_Hnz_shape = (200, 200)" in sparse
    assert "H (40000)" in fn.codegen("python", order=2)


def test_the_command_line_flag_and_its_usage_error():
    runner = CliRunner()
    res = runner.invoke(cli, ["codegen", "x*y, y*z", "--lang", "python", "--sparse"])
    assert res.exit_code == 0, res.output
    assert "adcli_f_Jnz_rows = (0, 0, 1, 1)" in res.output
    res = runner.invoke(cli, ["codegen", "x*y + y^2", "--lang", "c", "--order", "2", "--sparse",
                              "--dir", "x=1,y=0"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    proc = subprocess.run([sys.executable, "-m", "adcli", "codegen", "x*y + y^2", "--lang",
                           "numpy", "--order", "2", "--sparse"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "adcli_f_Hnz_rows = (0, 1, 1)" in proc.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(("label", "order", "formula", "point"), CASES[:1] + CASES[-1:],
                         ids=IDS[:1] + IDS[-1:])
def test_js_nonzeros_match_the_interpreter(tmp_path, label, order, formula, point):
    fn = adcli.compile(formula)
    (tmp_path / "k.mjs").write_text(fn.codegen("js", order=order, main=True, sparse=True))
    out = subprocess.run([shutil.which("node"), str(tmp_path / "k.mjs")],
                         input=" ".join(map(repr, point)) + "\n", capture_output=True,
                         text=True, timeout=60, check=True).stdout
    _same([float(t) for t in out.split()], _interpreted(formula, point, order)[1])
