"""``adcli codegen``: every language compiled or run on the corpus, fed
points through the ``--main`` contract, and compared with the engine."""

import math
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

from .codegen_corpus import CORPUS, close

CC = shutil.which("cc") or shutil.which("gcc")
NODE = shutil.which("node")
C_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
IDS = [c[0] for c in CORPUS]


def _points(fn, point):
    """The corpus point and a second one nearby, in the input order."""
    p1 = [point[v] for v in fn.inputs]
    return [p1, [v * 1.07 + 0.01 for v in p1]]


def _expected(fn, pt, order=1, mode="auto"):
    point = dict(zip(fn.inputs, pt))
    if order == 2:
        h = fn.hessian(point)
        return ([h.value] + [h.gradient[v] for v in fn.inputs]
                + [h.hessian[a][b] for a in fn.inputs for b in fn.inputs])
    g = fn.gradient(point, mode=mode)
    return list(g.values) + [row[v] for row in g.jacobian for v in fn.inputs]


def _run(cmd, points, **kw):
    text = "".join(" ".join(repr(v) for v in p) + "\n" for p in points)
    res = subprocess.run(cmd, input=text, capture_output=True, text=True, timeout=120, **kw)
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


def _compare(lines, fn, points, order=1, rel=1e-15, mode="auto"):
    assert len(lines) == len(points)
    for line, pt in zip(lines, points):
        got = [float(t) for t in line.split()]
        want = _expected(fn, pt, order, mode)
        assert len(got) == len(want), line
        scale = max(abs(w) for w in want) if order == 2 else 0.0
        for g, w in zip(got, want):
            assert close(g, w, rel, scale * 1e-1), (fn.source, line, want)


def _c_program(tmp_path, source, flags=()):
    src = tmp_path / "k.c"
    src.write_text(source)
    exe = tmp_path / "k"
    res = subprocess.run([CC, *C_FLAGS, *flags, str(src), "-o", str(exe), "-lm"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return [str(exe)]


needs_cc = pytest.mark.skipif(CC is None, reason="no C compiler (cc) on PATH")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@needs_cc
@pytest.mark.parametrize(("name", "source", "point"), CORPUS, ids=IDS)
def test_c(tmp_path, name, source, point):
    fn = adcli.Function(source)
    pts = _points(fn, point)
    _compare(_run(_c_program(tmp_path, fn.codegen("c", main=True)), pts), fn, pts)
    if len(fn.outputs) == 1:
        exe = _c_program(tmp_path, fn.codegen("c", order=2, main=True))
        _compare(_run(exe, pts), fn, pts, order=2)


@needs_node
@pytest.mark.parametrize(("name", "source", "point"), CORPUS, ids=IDS)
def test_js(tmp_path, name, source, point):
    fn = adcli.Function(source)
    pts = _points(fn, point)
    path = tmp_path / "k.mjs"
    path.write_text(fn.codegen("js", main=True))
    # V8's Math functions are not glibc's: a last-bit difference in sin or
    # pow can grow by a few ulps through the sweep.
    _compare(_run([NODE, str(path)], pts), fn, pts, rel=4e-15)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize(("name", "source", "point"), CORPUS, ids=IDS)
def test_python_and_numpy(name, source, point, mode):
    import numpy as np

    fn = adcli.Function(source)
    pts = _points(fn, point)
    ns = {}
    exec(compile(fn.codegen("python", mode=mode), "<k>", "exec"), ns)
    lines = [" ".join(repr(v) for g in ns["adcli_f"](p) for v in g) for p in pts]
    _compare(lines, fn, pts, mode=mode)
    ns = {}
    exec(compile(fn.codegen("numpy", mode=mode), "<knp>", "exec"), ns)
    out = np.hstack(ns["adcli_f"](np.array(pts)))
    # NumPy's elementary functions may differ from the C library in the last bit
    _compare([" ".join(repr(v) for v in row) for row in out.tolist()], fn, pts, rel=4e-15,
             mode=mode)


def test_python_and_numpy_main_programs(tmp_path):
    fn = adcli.Function("x1*x2 + sin(x1)")
    pts = [[2.0, 3.0], [0.5, -1.0]]
    for lang in ("python", "numpy"):
        path = tmp_path / f"k_{lang}.py"
        path.write_text(fn.codegen(lang, main=True))
        lines = _run([sys.executable, str(path)], pts)
        assert lines[0] == "6.9092974268256819 2.5838531634528574 2"
        _compare(lines, fn, pts)


@needs_cc
def test_numpy_reports_the_bad_rows_the_c_program_reports(tmp_path):
    """The NumPy target: a point off the domain is an `error:` line naming
    the same ω step as the C program (the first step off its domain), and
    the engine fails there too; every other point is computed."""
    from adcli.errors import AdcliError

    fn = adcli.Function("log(x) + sqrt(y - x) + 1/y + atanh(x/4)")
    pts = [[1.0, 2.0], [0.0, 1.0], [-1.0, 4.0], [2.0, 1.0], [1.0, 0.0], [4.0, 9.0],
           [0.5, 3.0]]
    c_lines = _run(_c_program(tmp_path, fn.codegen("c", main=True)), pts)
    path = tmp_path / "k_numpy.py"
    path.write_text(fn.codegen("numpy", main=True))
    np_lines = _run([sys.executable, str(path)], pts)
    good = []
    for c, n, pt in zip(c_lines, np_lines, pts):
        if c.startswith("error:"):
            assert n == c.replace("omega ", "ω"), (pt, c, n)
            with pytest.raises(AdcliError):
                fn.gradient(dict(zip(fn.inputs, pt)))
        else:
            good.append((n, pt))
    assert len(good) == 2 and sum(line.startswith("error") for line in np_lines) == 5
    _compare([n for n, _ in good], fn, [pt for _, pt in good], rel=4e-15)


@needs_cc
def test_worked_example_c_reads_like_the_trace():
    out = CliRunner().invoke(cli, ["codegen", "x1*x2 + sin(x1)", "--lang", "c"]).output
    assert "int adcli_f(const double *x, double *f, double *J)" in out
    assert "const double w4 = sin(w1); /* ω4 = sin ω1 */" in out
    assert "/* ω̄1 += ω2 */" in out


@needs_cc
def test_directional_cotangent_and_forward(tmp_path):
    fn = adcli.Function("r = hypot(x, y); r*z, atan2(y, x) + z^2")
    pt = {"x": 1.5, "y": -0.5, "z": 2.0}
    want_jv = fn.jvp(pt, {"x": 1.0, "z": -2.0}).derivatives
    want_uj = fn.vjp(pt, [2.0, -1.0]).gradient
    src = fn.codegen("c", direction={"x": 1.0, "z": -2.0}, main=True)
    line = _run(_c_program(tmp_path, src), [[1.5, -0.5, 2.0]])[0].split()
    assert [float(t) for t in line[2:]] == pytest.approx(want_jv, rel=1e-15)
    src = fn.codegen("c", cotangent=[2.0, -1.0], main=True)
    line = _run(_c_program(tmp_path, src), [[1.5, -0.5, 2.0]])[0].split()
    assert [float(t) for t in line[2:]] == pytest.approx(list(want_uj.values()), rel=1e-15)
    fwd = _c_program(tmp_path, fn.codegen("c", mode="forward", main=True))
    _compare(_run(fwd, [[1.5, -0.5, 2.0]]), fn, [[1.5, -0.5, 2.0]], mode="forward")


DOMAIN = [("log(x) + y", [[0.0, 1.0], [-1.0, 1.0], [2.0, 1.0]]),
          ("x/y", [[1.0, 0.0], [1.0, 2.0]]),
          ("sqrt(x - y)", [[0.0, 1.0], [2.0, 1.0]])]


@needs_cc
@needs_node
@pytest.mark.parametrize(("source", "points"), DOMAIN)
def test_domain_errors_as_the_engine(tmp_path, source, points):
    """Where adcli exits 1 the program prints an error line; elsewhere values."""
    fn = adcli.Function(source)
    c_lines = _run(_c_program(tmp_path, fn.codegen("c", main=True)), points)
    js = tmp_path / "k.mjs"
    js.write_text(fn.codegen("js", main=True))
    js_lines = _run([NODE, str(js)], points)
    py = tmp_path / "k.py"
    py.write_text(fn.codegen("python", main=True))
    py_lines = _run([sys.executable, str(py)], points)
    for pt, c, j, p in zip(points, c_lines, js_lines, py_lines):
        try:
            want = _expected(fn, pt)
        except adcli.errors.DomainError:
            assert c.startswith("error") and j.startswith("error") and p.startswith("error")
            continue
        for line in (c, j, p):
            assert [float(t) for t in line.split()] == pytest.approx(want, rel=1e-15)


KINKS = [("abs(x) + sqrt(y)", [0.0, 0.0]), ("hypot(x, y)", [0.0, 0.0]),
         ("max(x, y)", [1.0, 1.0]), ("x^0.5 + atan2(y, x)", [0.0, 0.0])]


@needs_cc
@pytest.mark.parametrize(("source", "point"), KINKS)
def test_kinks_follow_the_engine_convention(tmp_path, source, point):
    fn = adcli.Function(source)
    line = _run(_c_program(tmp_path, fn.codegen("c", main=True)), [point])[0]
    want = _expected(fn, point)
    got = [float(t) for t in line.split()]
    assert [g if not math.isinf(g) else str(g) for g in got] == \
        [w if not math.isinf(w) else str(w) for w in want]


@needs_cc
@pytest.mark.parametrize(("source", "point"), KINKS)
def test_kinks_are_flagged_where_the_engine_warns(tmp_path, source, point):
    """The C program warns on stderr naming the first step the engine warns
    about; every file's header lists the kinks."""
    fn = adcli.Function(source)
    res = subprocess.run(_c_program(tmp_path, fn.codegen("c", main=True)), capture_output=True,
                         text=True, input=" ".join(map(repr, point)) + "\n1.5 0.5\n", timeout=600)
    warned = fn.gradient(dict(zip(fn.inputs, point))).warnings
    step = min(int(w.message.split(" at ω")[1].split()[0]) for w in warned)
    assert res.stderr.splitlines() == [
        f"warning: line 1: step omega {step} is on its kink (adcli's convention applied)"]
    for lang in ("c", "python", "numpy", "js"):
        assert f"ω{step} (" in fn.codegen(lang).split("Kinks: ")[1].splitlines()[0]
    assert "_on_kink" not in adcli.Function("x*y").codegen("c")


@needs_cc
def test_c_under_sanitizers(tmp_path):
    flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
    probe = subprocess.run([CC, *flags, "-x", "c", "-", "-o", str(tmp_path / "probe")],
                           input="int main(void){return 0;}", capture_output=True, text=True,
                           timeout=600)
    if probe.returncode != 0 or subprocess.run([str(tmp_path / "probe")],
    timeout=600).returncode != 0:
        pytest.skip("this compiler cannot build or run sanitized programs here")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    for _name, source, point in CORPUS:
        fn = adcli.Function(source)
        pts = _points(fn, point)
        exe = _c_program(tmp_path, fn.codegen("c", main=True), flags)
        _compare(_run(exe, pts, env=env), fn, pts)


@needs_cc
def test_large_formulas_are_split_into_parts(tmp_path):
    n = 400
    src = " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, n))
    fn = adcli.Function(src)
    code = fn.codegen("c", main=True)
    assert "adcli_f_part2(" in code
    pt = [0.5 + 0.001 * i for i in range(n)]
    _compare(_run(_c_program(tmp_path, code), [pt]), fn, [pt])


def test_bad_options_are_usage_errors():
    runner = CliRunner()
    res = runner.invoke(cli, ["codegen", "x*y", "--lang", "c", "--name", "1bad"])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["codegen", "x*y, x+y", "--lang", "c", "--order", "2"])
    assert res.exit_code == 2 and "--output" in res.output
    res = runner.invoke(cli, ["codegen", "x*y", "--lang", "c", "--inputs", "x"])
    assert res.exit_code == 2


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_provably_zero_derivative_terms_are_not_emitted(mode):
    """sign's partial is the constant 0, and so is a product's by a zero
    constant: no term through them is built, so neither ``ω̄·0`` nor
    ``ω̇·0`` is emitted; the gradient costs the operations that remain."""
    from adcli.codegen.kernel import Kernel
    from adcli.codegen.symbolic import count_operations

    fn = adcli.Function("sign(x)*y + 0*y + x")
    kernel = Kernel(fn, mode=mode)
    values, jacobian = (nodes for _, nodes, _ in kernel.groups)
    # the primal: sign, mul, mul, add, add; the gradient (1, sign(x)) adds nothing
    assert count_operations(values) == 5
    assert count_operations(values + jacobian) == 5
    code = fn.codegen("c", mode=mode)
    statements = [line for line in code.splitlines() if line.startswith("    const double")]
    assert len(statements) == 2 + 5  # the inputs and the primal steps only
    res = fn.gradient({"x": -1.5, "y": 2.0}, mode=mode)
    ns = {}
    exec(fn.codegen("python", mode=mode), ns)
    assert ns["adcli_f"]([-1.5, 2.0]) == ([res.value], [res.gradient["x"], res.gradient["y"]])


# --- kinks and domain errors in every language ---------------------------------------

# (formula, a point on a kink, a point off the domain, a point inside): the
# engine warns at the first and exits 1 at the second
KINK_AND_DOMAIN = [
    ("abs(x) + sqrt(y)*log(y + 1)", [0.0, 0.5], [1.0, -1.0], [0.3, 0.7]),
    ("hypot(x, y) + log(x + 2)", [0.0, 0.0], [-2.0, 1.0], [0.3, 0.7]),
    ("max(x, y)/y", [1.0, 1.0], [1.0, 0.0], [0.3, 0.7]),
    ("x^0.5 + atan2(y, x) + acosh(y + 1)", [0.0, 0.0], [1.0, -3.0], [0.3, 0.7]),
    ("asin(x)*y + atanh(y/2)", [1.0, 0.5], [1.0, 2.0], [0.3, 0.7]),
]
LANGS = ["c", "python", "numpy", "js"]


def _main_program(tmp_path, fn, lang):
    """The command running ``fn``'s --main program in ``lang`` (skips without cc/node)."""
    source = fn.codegen(lang, main=True)
    if lang == "c":
        if CC is None:
            pytest.skip("no C compiler (cc) on PATH")
        return _c_program(tmp_path, source)
    if lang == "js":
        if NODE is None:
            pytest.skip("node is not installed")
        path = tmp_path / "k.mjs"
        path.write_text(source)
        return [NODE, str(path)]
    path = tmp_path / f"k_{lang}.py"
    path.write_text(source)
    return [sys.executable, str(path)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("source", "kink", "off", "fine"), KINK_AND_DOMAIN,
                         ids=[c[0] for c in KINK_AND_DOMAIN])
def test_every_language_reports_kinks_and_domain_errors(tmp_path, lang, source, kink, off,
                                                        fine):
    """One contract for every target's --main program: a point on a kink gives
    the engine's numbers and a warning on stderr naming the step the engine's
    first warning names; a point off the domain an `error:` line; and every
    other point its numbers, with nothing on stderr."""
    fn = adcli.Function(source)
    warned = fn.gradient(dict(zip(fn.inputs, kink))).warnings
    step = min(int(w.message.split(" at ω")[1].split()[0]) for w in warned)
    with pytest.raises(adcli.errors.DomainError):
        fn.gradient(dict(zip(fn.inputs, off)))
    text = "".join(" ".join(map(repr, p)) + "\n" for p in (kink, off, fine))
    res = subprocess.run(_main_program(tmp_path, fn, lang), input=text, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines() == [
        f"warning: line 1: step omega {step} is on its kink (adcli's convention applied)"]
    at_kink, at_off, at_fine = res.stdout.splitlines()
    want = _expected(fn, kink)
    got = [float(t) for t in at_kink.split()]
    assert len(got) == len(want)
    for g, w in zip(got, want):  # the engine's convention: ±inf stays, a nan partial is 0
        assert (math.isinf(g) and g == w) or close(g, w, 4e-15), (at_kink, want)
    assert at_off.startswith("error:")
    _compare([at_fine], fn, [fine], rel=4e-15)


def test_kink_queries_answer_per_point(tmp_path):
    """NAME_on_kink in Python, NumPy (an array, one ω per point) and JS: the
    ω of the first step on its kink, else 0; the same answer as C's."""
    import numpy as np

    fn = adcli.Function("abs(x) + sqrt(y)*log(y + 1)")
    points = [[0.0, 0.5], [1.0, 0.0], [0.0, 0.0], [1.0, 2.0]]
    want = [3, 4, 3, 0]
    ns = {}
    exec(compile(fn.codegen("python"), "<k>", "exec"), ns)
    assert [ns["adcli_f_on_kink"](p) for p in points] == want
    ns = {}
    exec(compile(fn.codegen("numpy"), "<knp>", "exec"), ns)
    assert ns["adcli_f_on_kink"](np.array(points)).tolist() == want
    if NODE is not None:
        module = tmp_path / "k.mjs"
        module.write_text(fn.codegen("js"))
        script = (f"import {{ adcli_f_on_kink }} from {str(module)!r};\n"
                  f"console.log(JSON.stringify({points!r}.map(adcli_f_on_kink)));\n")
        res = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == str(want).replace(" ", "")
    # x^2 has no kink (pow's is at 0 for exponents below 1 or fractional): no query
    for lang in LANGS:
        assert "_on_kink" not in adcli.Function("x^2 + y").codegen(lang)


def test_python_computes_partials_at_a_kink_as_the_engine():
    """Python's math raises where C gives ±inf (1/0, atanh(1), sqrt(-0.0)...):
    the derivative statements of the Python target must not, as the engine
    does not, and its primal statements still raise on a domain error."""
    fn = adcli.Function("sqrt(y) + asin(x)")
    ns = {}
    exec(compile(fn.codegen("python"), "<k>", "exec"), ns)
    point = {"x": 1.0, "y": 0.0}
    f, J = ns["adcli_f"]([point[v] for v in fn.inputs])
    g = fn.gradient(point)
    assert J == [g.jacobian[0][v] for v in fn.inputs] == [math.inf, math.inf]
    with pytest.raises(ValueError):
        ns["adcli_f"]([-1.0 if v == "y" else 0.5 for v in fn.inputs])


@pytest.mark.parametrize("lang", LANGS)
def test_every_main_program_reads_lines_as_c_does(tmp_path, lang):
    """A line with too few numbers, or a word, is `error: expected N numbers`
    in every language (no traceback, the other lines computed); extra
    fields after the inputs are ignored; blank lines are skipped."""
    fn = adcli.Function("x*y + sin(x)")
    text = "2 3\n1\nabc 2\n\n0.5 -1 7\n"
    res = subprocess.run(_main_program(tmp_path, fn, lang), input=text, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0 and res.stderr == "", res.stderr
    lines = res.stdout.splitlines()
    assert lines[1:3] == ["error: expected 2 numbers"] * 2
    _compare([lines[0], lines[3]], fn, [[2.0, 3.0], [0.5, -1.0]], rel=4e-15)
