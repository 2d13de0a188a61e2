"""``adcli check``: AD next to finite differences, verdicts and exit codes,
and the --sweep's V-shaped error curve."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("source,point", [
    ("x1*x2 + sin(x1)", {"x1": 2, "x2": 3}),
    ("exp(-x^2/2)*cos(x*y) + x*y", {"x": 0.7, "y": -2.1}),
    ("a = x*y; b = a^2 - 1/a; b*exp(-x)", {"x": 0.3, "y": 3}),
    ("1/x", {"x": 1e-5}),  # varies on the scale of x: the step shrinks
    ("log(x)", {"x": 1e-12}),  # x - h would leave the domain: the step shrinks
    ("sin(1000*x)", {"x": 0.3}),
    ("exp(x)", {"x": 10}),
    ("x^2", {"x": 1e8}),
])
def test_smooth_functions_agree(source, point):
    check = adcli.Function(source).check(point)
    assert check.verdict == "agree", check.reason
    for row in check.rows:
        assert row.agree and abs(row.diff) <= row.tolerance
        assert row.relerr < 1e-8 or row.ad == 0


def test_kink_at_the_point_is_flagged_with_its_step():
    check = adcli.Function("y*abs(x)").check({"y": 2, "x": 0})
    assert check.verdict == "kink" and check.step == 3  # y, x are ω1, ω2
    assert "abs(0) at ω3" in check.reason


def test_a_kink_near_the_point_is_not_blamed_on_ad():
    # 1e-9 from the kink of abs the derivative exists and is 2: the step
    # shrinks below the distance to the kink and FD agrees with AD.
    check = adcli.Function("abs(x - 1)*y").check({"x": 1 + 1e-9, "y": 2})
    assert check.verdict == "agree", check.reason


def test_a_kink_closer_than_any_step_cannot_be_judged_and_is_named():
    check = adcli.Function("abs(x - 1)*y").check({"x": 1 + 4.4e-16, "y": 2})
    assert check.verdict == "unchecked" and check.step == 4
    assert "cannot judge" in check.reason and "kink" in check.reason and "abs" in check.reason
    assert check.rows[1].agree  # ∂/∂y is checked as usual


@pytest.mark.parametrize("x", [1.5707963, 1.570796326, 1.57079632679])
def test_next_to_a_pole_the_step_respects_the_distance_and_agrees(x):
    check = adcli.Function("tan(x)").check({"x": x})
    assert check.verdict == "agree", check.reason
    assert check.rows[0].h < abs(x - 1.5707963267948966)


def test_on_the_pole_finite_differences_cannot_judge_and_ad_is_not_blamed():
    check = adcli.Function("tan(x)").check({"x": 1.5707963267948966})
    assert check.verdict == "unchecked"
    assert "cannot judge" in check.reason and "disagree" not in check.reason


def test_cli_tan_near_the_pole_exit_0():
    r = run("check", "tan(x)", "--at", "x=1.5707963", "--format", "plain")
    assert r.exit_code == 0, r.output
    assert "check:df/dx agree" in r.output


def test_sweep_shows_the_v_shaped_curve_and_ad_at_working_precision():
    fn = adcli.Function("x1*x2 + sin(x1)")
    check = fn.check({"x1": 2, "x2": 3}, sweep=True)
    rows = check.sweep[("f", "x1")]
    assert [r.h for r in rows] == [10.0 ** -k for k in range(1, 15)]
    central = [r.central for r in rows]
    best = central.index(min(central))
    assert 2 <= best <= 7  # around h = 1e-5: truncation left of it, rounding right
    assert central[0] > 100 * central[best] and central[-1] > 100 * central[best]
    forward = [r.forward for r in rows]
    assert min(forward) > min(central)  # first order is worse
    assert all(r.ad < 2.3e-16 for r in rows)
    assert check.reference[("f", "x1")].startswith("2.583853163452857613002431770")


def test_cli_agree_exit_0_plain():
    r = run("check", "x1*x2 + sin(x1)", "--at", "x1=2,x2=3", "--format", "plain")
    assert r.exit_code == 0, r.output
    lines = dict(line.split(" ", 1) for line in r.output.splitlines())
    assert lines["df/dx1"] == "2.5838531634528574"
    assert lines["check:df/dx1"] == "agree" and lines["verdict"] == "agree"
    assert abs(float(lines["fd:df/dx1"]) - 2.5838531634528574) < 1e-9


def test_cli_abs_at_zero_exit_1():
    r = run("check", "abs(x)", "--at", "x=0", "--format", "json")
    assert r.exit_code == 1
    obj = json.loads(r.stdout)
    assert obj["verdict"] == "kink" and obj["step"] == 2


def test_cli_several_points_one_row_each_and_any_failure_exits_1():
    r = run("check", "abs(x-1)*y", "--at", "x=1,y=2", "--at", "x=2,y=3", "--format", "csv")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith("x,y,f,df/dx,fd:df/dx,relerr:df/dx")
    assert len(lines) == 3
    assert lines[1].split(",")[9] == "kink" and lines[2].split(",")[9] == "agree"
    r = run("check", "x*y", "--at", "x=1,y=2", "--at", "x=2,y=3", "--format", "jsonl")
    assert r.exit_code == 0 and [json.loads(x)["verdict"] for x in r.stdout.splitlines()] == \
        ["agree", "agree"]


def test_cli_sweep_machine_formats():
    r = run("check", "sin(x)", "--at", "x=1", "--sweep", "--format", "json")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert len(obj["sweep"]) == 14 and obj["sweep"][0]["h"] == 0.1
    assert set(obj["sweep"][0]) == {"derivative", "h", "forward", "central", "ad"}
    r = run("check", "sin(x)", "--at", "x=1", "--sweep", "--format", "csv")
    # the point's columns first, as with several points (same shape everywhere)
    assert r.stdout.splitlines()[0] == "x,derivative,h,forward,central,ad"
    assert r.stdout.splitlines()[1].startswith("1,df/dx,1e-01,")
    assert len(r.stdout.splitlines()) == 15


def test_cli_sweep_chart_on_a_terminal():
    r = run("check", "sin(x)", "--at", "x=1", "--sweep", "--format", "text")
    assert r.exit_code == 0, r.output
    assert "log10 h" in r.output and "F forward, C central, A AD" in r.output


def test_cli_domain_error_at_the_point_exit_1_and_usage_exit_2():
    r = run("check", "log(x)", "--at", "x=-1")
    assert r.exit_code == 1 and "ω2" in r.output
    r = run("check", "x*y", "--at", "x=1")
    assert r.exit_code == 2


def test_subprocess_check_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "adcli", "check", "x1*x2 + sin(x1)",
                         "--at", "x1=2,x2=3"], capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0 and "verdict agree" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "adcli", "check", "abs(x)", "--at", "x=0"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1 and "verdict kink" in bad.stdout and "ω2" in bad.stderr


def test_cli_points_batch_one_row_each_failed_rows_named(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("x,y\n2,3\n0,1\n1.5,2\n")
    r = run("check", "abs(x)*y", "--points", str(path), "--format", "csv")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == ("x,y,f,df/dx,fd:df/dx,relerr:df/dx,df/dy,fd:df/dy,relerr:df/dy,error")
    assert len(lines) == 4 and lines[1].startswith("2,3,6,3,2.99999")
    assert lines[2].endswith("kink at ω3: on a kink: abs(0)")
    path.write_text("x,y\n2,3\n1.5,2\n")
    assert run("check", "abs(x)*y", "--points", str(path), "--format", "csv").exit_code == 0


@pytest.mark.parametrize("formula, point", [
    ("log(x)*y", {"x": 2, "y": 0}),  # ∂/∂x is 0 because y is: f is 0 along x
    ("cos(x)", {"x": 0}),  # a zero derivative of a smooth function
    ("x^3", {"x": 0}),  # every ω is 0 at the point: only convergence scales the error
    ("exp(x) - 1 - x", {"x": 0}),
])
def test_a_zero_derivative_is_judged_not_left_unchecked(formula, point):
    # Issue 11: "no error is small relative to 0" made every zero partial
    # "unchecked" (exit 1) although AD and finite differences both give 0.
    check = adcli.Function(formula).check(point)
    assert check.verdict == "agree", check.reason
    assert all(r.agree and r.fd == pytest.approx(r.ad, abs=1e-9) for r in check.rows)


def test_cli_zero_partial_agrees_and_exits_0():
    r = run("check", "log(x)*y", "--at", "x=2,y=0", "--format", "plain")
    assert r.exit_code == 0, r.output
    assert "check:df/dx agree" in r.stdout and "verdict agree" in r.stdout
