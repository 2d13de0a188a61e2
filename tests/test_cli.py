"""The command line, through click's CliRunner and as a real process."""

import json

import pytest

from .conftest import AT, WORKED, adcli_process


def test_eval_prints_values(run):
    result = run("eval", "a = x*y; a + 1, a^2", "--at", "x=2,y=3")
    assert result.exit_code == 0
    assert result.stdout == "f1 7\nf2 36\n"


def test_eval_json_for_one_and_several_points(run):
    one = json.loads(run("eval", "x^2", "--at", "x=3", "--format", "json").stdout)
    assert one["value"] == 9.0
    many = json.loads(run("eval", "x^2", "--at", "x=1", "--at", "x=2", "--format", "json").stdout)
    assert [o["value"] for o in many] == [1.0, 4.0]


def test_jacobian_of_several_outputs(run):
    result = run("grad", "a = x*y; a + z, a*z, sin(a)", "--at", "x=1,y=2,z=3",
                 "--format", "json")
    obj = json.loads(result.stdout)
    assert obj["value"][:2] == [5.0, 6.0]
    assert obj["jacobian"][0] == {"x": 2.0, "y": 1.0, "z": 1.0}
    assert obj["jacobian"][1] == {"x": 6.0, "y": 3.0, "z": 2.0}
    assert obj["mode"] == "forward"  # 3 outputs, 3 inputs: reverse is not cheaper


def test_auto_mode_picks_reverse_only_for_fewer_outputs(run):
    wide = json.loads(run("grad", "x + y + z", "--at", "x=1,y=2,z=3", "--format", "json").stdout)
    tall = json.loads(run("grad", "x, 2*x, 3*x", "--at", "x=1", "--format", "json").stdout)
    assert wide["mode"] == "reverse"
    assert tall["mode"] == "forward"


def test_wrt_limits_the_gradient(run):
    obj = json.loads(run("grad", WORKED, "--at", AT, "--wrt", "x2", "--format", "json").stdout)
    assert obj["gradient"] == {"x2": 2.0}


def test_wrt_naming_a_non_input_is_a_usage_error(run):
    result = run("grad", WORKED, "--at", AT, "--wrt", "x3")
    assert result.exit_code == 2
    assert "x3" in result.stderr and "not an input" in result.stderr


def test_unused_variable_gets_derivative_zero(run):
    result = run("grad", "x^2", "--at", "x=3,y=1")
    assert result.stdout == "f 9\ndf/dx 6\ndf/dy 0\n"


def test_inputs_follow_the_order_given(run):
    result = run("grad", "x*y", "--at", "y=2,x=3")
    assert result.stdout.splitlines()[1:] == ["df/dy 3", "df/dx 2"]


def test_formula_from_stdin_and_file(run, tmp_path):
    assert run("grad", "-", "--at", AT, input=WORKED).stdout.startswith("f 6.909297426825682")
    f = tmp_path / "f.txt"
    f.write_text("a = x1*x2\na + sin(x1)  # the worked example\n")
    result = run("grad", "-f", str(f), "--at", AT)
    assert result.stdout.splitlines()[1] == "df/dx1 2.5838531634528574"


def test_expression_starting_with_minus_after_double_dash(run):
    from adcli.cli.main import _expr_after_dashes

    args = _expr_after_dashes(["eval", "--", "-x^2", "--at", "x=3"])
    assert run(*args).stdout == "f -9\n"


def test_csv_output_has_one_header_row(run):
    result = run("grad", WORKED, "--at", "x1=2,x2=3", "--at", "x1=0,x2=1", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "x1,x2,f,df/dx1,df/dx2"
    assert lines[1] == "2,3,6.909297426825682,2.5838531634528574,2"
    assert len(lines) == 3


def test_missing_point_and_formula_are_usage_errors(run):
    assert run("grad", "x*y").exit_code == 2
    assert run("grad").exit_code == 2
    assert "no point given" in run("grad", "x*y").stderr


def test_parse_error_shows_caret_and_exit_2(run):
    result = run("grad", "x1*x2 + sni(x1)", "--at", AT)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "adcli: error: unknown function `sni`"
    assert lines[1] == "  x1*x2 + sni(x1)"
    assert lines[2] == "          ^^^"
    assert "did you mean `sin`?" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_at_points_at_the_value(run):
    result = run("grad", "x", "--at", "x=abc")
    assert result.exit_code == 2
    assert "in --at" in result.stderr and "x=abc" in result.stderr


def test_unknown_command_suggests(run):
    result = run("gard", "x")
    assert result.exit_code == 2
    assert "grad" in result.stderr


# --- a real process --------------------------------------------------------

def test_worked_example_as_a_process():
    proc = adcli_process("grad", WORKED, "--at", AT)
    assert proc.returncode == 0
    assert proc.stdout == "f 6.909297426825682\ndf/dx1 2.5838531634528574\ndf/dx2 2\n"
    assert proc.stderr == ""


def test_python_dash_m_and_double_dash_as_a_process():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "adcli", "eval", "--", "-x^2", "--at", "x=3"],
                          capture_output=True, text=True, timeout=600)
    assert (proc.returncode, proc.stdout) == (0, "f -9\n")


@pytest.mark.parametrize("args, code", [
    (["grad", "log(x)", "--at", "x=-1"], 1),
    (["grad", "sni(x)", "--at", "x=1"], 2),
    (["grad", "x", "--at", "x=nan"], 2),
    (["grad", "x y", "--at", "x=1"], 2),
])
def test_exit_codes_and_no_traceback_as_a_process(args, code):
    proc = adcli_process(*args)
    assert proc.returncode == code
    assert proc.stderr.startswith("adcli: error:")
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_no_colour_and_no_box_drawing_in_a_pipe():
    proc = adcli_process("grad", WORKED, "--at", AT)
    assert proc.stdout.isascii() and "\x1b[" not in proc.stdout
