"""adcli trace: docs/design.md's worked example in every format, number for
number; shared subexpressions, several outputs, long traces; the cost report
and grad --stats."""

import csv
import io
import json
import re
import shutil
import subprocess

import pytest

import adcli
from adcli.language.printer import to_string
from adcli.render import trace_view as V

from .conftest import AT, WORKED, adcli_process

# docs/design.md's table, row by row: ω, definition, value, tangent rule, ω̇, adjoint rule, ω̄
TABLE = [
    ("ω₁", "x₁", "2", "1 (seed)", "1", "ω̄₃·ω₂ + ω̄₄·cos ω₁", "2.5838531634528574"),
    ("ω₂", "x₂", "3", "0 (seed)", "0", "ω̄₃·ω₁", "2"),
    ("ω₃", "ω₁·ω₂", "6", "ω̇₁·ω₂ + ω₁·ω̇₂", "3", "ω̄₅", "1"),
    ("ω₄", "sin ω₁", "0.9092974268256817", "cos ω₁·ω̇₁", "-0.4161468365471424", "ω̄₅", "1"),
    ("ω₅", "ω₃ + ω₄", "6.909297426825682", "ω̇₃ + ω̇₄", "2.5838531634528574", "1 (seed)", "1"),
]
ASCII = [
    ("w1", "x1", "2", "1 (seed)", "1", "w3_bar*w2 + w4_bar*cos(w1)", "2.5838531634528574"),
    ("w2", "x2", "3", "0 (seed)", "0", "w3_bar*w1", "2"),
    ("w3", "w1*w2", "6", "w1_dot*w2 + w1*w2_dot", "3", "w5_bar", "1"),
    ("w4", "sin(w1)", "0.9092974268256817", "cos(w1)*w1_dot", "-0.4161468365471424",
     "w5_bar", "1"),
    ("w5", "w3 + w4", "6.909297426825682", "w3_dot + w4_dot", "2.5838531634528574",
     "1 (seed)", "1"),
]
FWD = ["trace", WORKED, "--at", AT, "--mode", "forward", "--wrt", "x1"]
REV = ["trace", WORKED, "--at", AT, "--mode", "reverse"]


def _trace(mode, **kw):
    fn = adcli.compile(WORKED)
    wrt = ["x1"] if mode == "forward" else None
    return fn.trace({"x1": 2, "x2": 3}, mode=mode, wrt=wrt, **kw)


def test_forward_trace_data_is_design_tables_forward_half():
    t = _trace("forward")
    got = [tuple(V.cells(t, r, "text")) for r in t.rows]
    assert got == [(w, d, v, r, dv) for w, d, v, r, dv, _, _ in TABLE]
    assert t.derivatives == [("f", "x1", 2.5838531634528574)]


def test_reverse_trace_is_in_sweep_order_with_accumulated_adjoint_rules():
    t = _trace("reverse")
    got = [tuple(V.cells(t, r, "text")) for r in t.rows]
    assert got == [(w, d, v, r, b) for w, d, v, _, _, r, b in reversed(TABLE)]
    assert dict(((b, d) for _, b, d in t.derivatives)) == {"x1": 2.5838531634528574, "x2": 2.0}


def test_seed_direction_gives_the_same_column_as_wrt():
    fn = adcli.compile(WORKED)
    t = fn.trace({"x1": 2, "x2": 3}, mode="forward", seed={"x1": 1.0})
    assert [r.values[0] for r in t.rows] == [1.0, 0.0, 3.0, -0.4161468365471424,
                                             2.5838531634528574]


def _plain_rows(text):
    """Rows of the plain table: columns are separated by two or more spaces."""
    lines = [ln for ln in text.splitlines() if re.match(r"w\d+ ", ln)]
    return [tuple(re.split(r"\s{2,}", ln.strip())) for ln in lines]


def test_plain_forward(run):
    res = run(*FWD, "--format", "plain")
    assert res.exit_code == 0, res.output
    assert _plain_rows(res.output) == [(w, d, v, r, dv) for w, d, v, r, dv, _, _ in ASCII]
    assert "df/dx1 2.5838531634528574" in res.output.splitlines()
    assert res.output.isascii()
    assert "seed (1, 0)" in res.output


def test_plain_reverse(run):
    res = run(*REV, "--format", "plain")
    assert res.exit_code == 0, res.output
    assert _plain_rows(res.output) == [(w, d, v, r, b) for w, d, v, _, _, r, b in reversed(ASCII)]
    lines = res.output.splitlines()
    assert "df/dx1 2.5838531634528574" in lines and "df/dx2 2" in lines
    assert res.output.isascii()


def test_text_format_has_the_unicode_rules_and_fits_80_columns():
    from click.testing import CliRunner

    from adcli.cli.main import cli

    runner = CliRunner(env={"COLUMNS": "80"})
    res = runner.invoke(cli, REV + ["--format", "text"])
    assert res.exit_code == 0, res.output
    for row in TABLE:
        assert row[5] in res.output
    assert max(len(line) for line in res.output.splitlines()) <= 80
    assert "2.5838531634528574" in res.output  # no number is wrapped
    fwd = runner.invoke(cli, FWD + ["--format", "text"]).output
    for row in TABLE:
        assert row[1] in fwd and row[3] in fwd


def test_ascii_flag_in_text_and_markdown(run):
    res = run(*REV, "--format", "markdown", "--ascii")
    assert "w3\\_bar\\*w2 + w4\\_bar\\*cos(w1)" in res.output
    assert "ω" not in res.output


def test_markdown_is_a_pipe_table_with_the_design_rows(run):
    res = run(*FWD, "--format", "markdown", "--no-stats")
    assert res.exit_code == 0
    rows = [ln for ln in res.output.splitlines() if ln.startswith("| ω")]
    cells = [tuple(c.strip() for c in ln.strip("|").split(" | ")) for ln in rows]
    assert cells[0][0] == "ω" and cells[0][1] == "definition"
    assert cells[1:] == [(w, d, v, r.replace("*", "\\*"), dv) for w, d, v, r, dv, _, _ in TABLE]
    seps = [ln for ln in res.output.splitlines() if ln.startswith("|---")]
    assert seps == ["|---|---|---|---|---|"]


def test_json_carries_every_column_at_full_precision(run):
    res = run(*REV, "--format", "json")
    obj = json.loads(res.output)
    assert obj["mode"] == "reverse" and obj["order"] == "sweep"
    steps = obj["steps"]
    assert [s["index"] for s in steps] == [5, 4, 3, 2, 1]
    by = {s["index"]: s for s in steps}
    for i, (_, d, v, _, _, rule, bar) in enumerate(TABLE, start=1):
        assert by[i]["definition"] == d
        assert by[i]["value"] == float(v)
        assert by[i]["adjoint_rule"] == rule
        assert by[i]["adjoint"] == {"f": float(bar)}
    assert by[5]["seed"] == {"f": 1.0}
    assert obj["derivatives"] == {"df/dx1": 2.5838531634528574, "df/dx2": 2.0}
    assert obj["cost"]["auto"] == "reverse"
    fwd = json.loads(run(*FWD, "--format", "json").output)
    assert [s["tangent"]["x1"] for s in fwd["steps"]] == [float(r[4]) for r in TABLE]
    assert [s["tangent_rule"] for s in fwd["steps"]] == [r[3] for r in TABLE]


def test_csv_parses_and_has_every_column(run):
    res = run(*FWD, "--format", "csv")
    rows = list(csv.reader(io.StringIO(res.output)))
    # the point column is there with one point as with several (issue 11: same shape)
    assert rows[0] == ["point", "index", "omega", "input", "output", "op", "definition",
                       "value", "tangent_rule", "w_dot[x1]"]
    assert [(r[2], r[6], r[7], r[8], r[9]) for r in rows[1:]] == \
        [(w, d, v, r, dv) for w, d, v, r, dv, _, _ in TABLE]
    assert {r[0] for r in rows[1:]} == {"1"}
    rev = list(csv.reader(io.StringIO(run(*REV, "--format", "csv", "--ascii").output)))
    assert rev[-1][8] == "w3_bar*w2 + w4_bar*cos(w1)"


def test_csv_has_the_same_columns_for_one_point_and_for_several(run):
    one = list(csv.reader(io.StringIO(run(*REV, "--format", "csv").stdout)))
    two = list(csv.reader(io.StringIO(run(*REV, "--at", "x1=1,x2=1", "--format", "csv",
                                          "--no-stats").stdout)))
    assert one[0] == two[0] and one[0][0] == "point"
    assert one[1:] == two[1:len(one)]  # the first point's rows are the same rows


def _latex_ok(text):
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("%"))
    depth = 0
    for ch in body.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert body.count("\\begin{tabular}") == body.count("\\end{tabular}") == 1
    rows = [ln for ln in body.splitlines() if ln.endswith("\\\\")]
    widths = {ln.count(" & ") for ln in rows if "multicolumn" not in ln}
    assert len(widths) == 1
    for ln in rows:
        assert ln.replace("\\$", "").count("$") % 2 == 0
    return rows


def test_latex_structure_and_omega_notation(run):
    res = run(*FWD, "--format", "latex")
    rows = _latex_ok(res.output)
    assert len(rows) == 1 + 5
    assert "\\dot{\\omega}_{1} \\cdot \\omega_{2} + \\omega_{1} \\cdot \\dot{\\omega}_{2}" \
        in res.output
    rev = run(*REV, "--format", "latex").output
    _latex_ok(rev)
    assert "\\bar{\\omega}_{3} \\cdot \\omega_{2} + \\bar{\\omega}_{4} \\cdot \\cos \\omega_{1}" \
        in rev


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no LaTeX engine installed")
def test_latex_compiles(run, tmp_path):
    table = run(*REV, "--format", "latex").output
    doc = tmp_path / "t.tex"
    doc.write_text("\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n"
                   + table + "\n\\end{document}\n")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "t.tex"], cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0


def test_shared_subexpression_shows_both_contributions(run):
    res = run("trace", "x*x + sin(x)*x", "--at", "x=2", "--mode", "reverse", "--format",
              "plain", "--no-stats")
    assert res.exit_code == 0, res.output
    rows = {r[0]: r for r in _plain_rows(res.output)}
    # x feeds ω₂ = ω₁·ω₁ twice, sin and the product ω₄
    assert rows["w1"][3] == "w2_bar*w1 + w2_bar*w1 + w3_bar*cos(w1) + w4_bar*w3"
    exact = 2 * 2 + __import__("math").sin(2) + 2 * __import__("math").cos(2)
    assert float(rows["w1"][4]) == pytest.approx(exact, rel=1e-15)
    # a shared node in a program: a is used by both outputs
    t = adcli.compile("a = sin(x); a*y, a + y").trace({"x": 1, "y": 2},
                    mode="reverse")
    a_row = next(r for r in t.rows if r.op == "sin")
    assert to_string(a_row.rule, "ascii", V.leaf_printer("ascii")) == "w4_bar*w2 + w5_bar"


def test_several_outputs_forward_shows_every_output(run):
    res = run("trace", "a = x*y; a + 1, a^2", "--at", "x=2,y=3", "--mode", "forward",
              "--format", "plain")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    for want in ("df1/dx 3", "df1/dy 2", "df2/dx 36", "df2/dy 24"):
        assert want in lines
    rows = {r[0]: r for r in _plain_rows(res.output)}
    assert rows["w5 (f2)"][3] == "2*w3*w3_dot"


def test_several_outputs_reverse_one_column_per_output_or_output_k(run):
    src = "a = x*y; a + 1, a^2"
    res = run("trace", src, "--at", "x=2,y=3", "--mode", "reverse", "--format", "json")
    obj = json.loads(res.output)
    assert obj["columns"] == ["f1", "f2"]
    x = next(s for s in obj["steps"] if s["input"] == "x")
    assert x["adjoint"] == {"f1": 3.0, "f2": 36.0}
    res = run("trace", src, "--at", "x=2,y=3", "--mode", "reverse", "--output", "2",
              "--format", "plain", "--no-stats")
    rows = {r[0]: r for r in _plain_rows(res.output)}
    assert rows["w5 (f2)"][3] == "1 (seed)"
    assert rows["w4 (f1)"][3] == "0 (seed)"  # the other output is seeded with 0
    assert "df2/dx 36" in res.output.splitlines()
    bad = run("trace", src, "--at", "x=2,y=3", "--mode", "reverse", "--output", "3")
    assert bad.exit_code == 2


def test_limit_keeps_first_and_last_rows(run):
    src = "+".join(f"sin(x*{k})" for k in range(1, 101))
    res = run("trace", src, "--at", "x=0.5", "--mode", "reverse", "--limit", "10",
              "--format", "plain")
    assert res.exit_code == 0
    rows = _plain_rows(res.output)
    assert len(rows) == 10
    assert rows[0][0] == "w300" and rows[-1][0] == "w1"
    assert re.search(r"^\.\.\. 290 more rows", res.output, re.M)
    assert "df/dx " in res.output


def test_usage_errors_exit_2(run):
    assert run("trace", WORKED, "--at", AT, "--seed", "z=1").exit_code == 2
    assert run("trace", WORKED, "--at", AT, "--seed", "x1=1", "--wrt", "x1").exit_code == 2
    assert run("trace", WORKED, "--at", AT, "--mode", "forward", "--output", "1").exit_code == 2
    assert run("trace", "log(x)", "--at", "x=-1").exit_code == 1


# --- cost -------------------------------------------------------------------

def test_cost_is_counted_from_the_sweeps():
    c = adcli.compile(WORKED).cost({"x1": 2, "x2": 3})
    # tangent sweep: ω̇₃ = ω̇₁·ω₂ + ω₁·ω̇₂ takes 2 mul + 1 add, sin 1 mul,
    # ω̇₅ = ω̇₃ + ω̇₄ 1 add (its partials are 1: copies, not counted)
    assert c.forward.per_sweep == {"mul": 5 - 2, "add": 2}
    assert c.forward.sweeps == 2 and c.forward.total == 10
    # adjoint sweep: ω̄₁ = ω̄₃·ω₂ + ω̄₄·cos ω₁ (2 mul + 1 add), ω̄₂ = ω̄₃·ω₁
    # (1 mul); ω̄₃ = ω̄₄ = ω̄₅ and placing the seed are copies
    assert c.reverse.sweeps == 1 and c.reverse.per_sweep == {"mul": 3, "add": 1}
    assert c.function_ops == 3 and c.auto == "reverse"


def test_reverse_wins_for_many_inputs_forward_for_many_outputs():
    wide = adcli.compile("+".join(f"x{i}^2" for i in range(1, 1001)))
    c = wide.cost({f"x{i}": 1.0 for i in range(1, 1001)})
    assert c.auto == "reverse" and c.forward.sweeps == 1000 and c.reverse.sweeps == 1
    assert c.forward.total > 100 * c.reverse.total
    tall = adcli.compile(", ".join(f"sin({i}*x)" for i in range(1, 1001)))
    c = tall.cost({"x": 0.5})
    assert c.auto == "forward" and c.reverse.sweeps == 1000 and c.forward.sweeps == 1
    # Each adjoint sweep only multiplies where its adjoint is nonzero: the
    # 1000 sweeps do the operations of forward mode's one, transposed.
    assert c.reverse.total == c.forward.total
    assert c.reverse.exact


def test_grad_stats_prints_the_counted_costs(run):
    res = run("grad", WORKED, "--at", AT, "--stats")
    assert res.exit_code == 0
    assert "cost forward: 2 sweeps (one per input) x 5 ops (3 mul + 2 add) = 10 ops" in \
        res.output
    assert "cost auto: picks reverse" in res.output


def test_trace_as_a_real_process_in_a_pipe():
    proc = adcli_process("trace", WORKED, "--at", AT, "--mode", "reverse")
    assert proc.returncode == 0, proc.stderr
    assert _plain_rows(proc.stdout)[-1] == ASCII[0][:3] + ASCII[0][5:]
    assert proc.stdout.isascii()


def test_documented_python_trace_example_runs():
    from .docs_pages import run_doctests

    namespace = run_doctests("docs/api.md", "## The trace and the cost of each mode")
    assert namespace["adjoints"] == [(5, 1.0), (4, 1.0), (3, 1.0), (2, 2.0),
                                     (1, 2.5838531634528574)]
    assert namespace["costs"]["auto"] == "reverse"


@pytest.mark.parametrize("source", [
    "a = sin(x*2); a*a + a/x", "exp(x)*log(x+1)", "x^3 - 2*x", "sqrt(x) + abs(x-3)*x",
    "hypot(x, 2*x)", "x1*x2 + sin(x1)",
])
def test_both_modes_count_the_same_way(source):
    """With one input and one output a tangent sweep and an adjoint sweep
    do the same products and sums (transposed): the counts must agree."""
    fn = adcli.compile(source.replace("x1", "x").replace("x2", "3"))
    c = fn.cost({"x": 1.5})
    assert c.forward.per_sweep == c.reverse.per_sweep
