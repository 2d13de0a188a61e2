"""click's own usage errors (an unknown option, a missing or bad value, an
unknown command) and --jit's notes speak as adcli's errors do (issue 11):
what, where (the command line with a caret under the argument at fault),
how to fix it; exit 2; never click's bare "Error:" block."""

from click.testing import CliRunner

from adcli.cli.main import cli
from tests.conftest import adcli_process


def _stderr(*args, env=None):
    res = CliRunner().invoke(cli, list(args), env=env)
    return res.exit_code, res.stderr


def test_an_unknown_option_is_shown_with_a_caret_and_the_near_misses():
    code, err = _stderr("grad", "x*y", "--at", "x=1,y=2", "--frmat", "json")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "adcli: error: No such option '--frmat'."
    assert lines[1] == "  adcli grad 'x*y' --at x=1,y=2 --frmat json"
    assert lines[2] == " " * lines[1].index("--frmat") + "^" * len("--frmat")
    assert "did you mean `--format`" in lines[3] and "`adcli grad --help`" in lines[3]
    assert "Usage:" not in err and "Error:" not in err


def test_bad_and_missing_values_point_at_them():
    code, err = _stderr("grad", "x", "--at", "x=1", "--format", "nope")
    assert code == 2 and err.startswith("adcli: error: Invalid value for '--format'")
    source, caret = err.splitlines()[1:3]
    assert caret[source.index("nope"):].startswith("^^^^")
    code, err = _stderr("grad", "x", "--at")
    assert code == 2 and "requires an argument" in err and "^^^^" in err
    code, err = _stderr("plot", "x")
    assert code == 2 and err.startswith("adcli: error: Missing option '--over'")


def test_an_unknown_command_and_an_unknown_adcli_option():
    code, err = _stderr("gard", "x")
    assert code == 2 and "Did you mean 'grad'?" in err and "`adcli --help`" in err
    code, err = _stderr("--bogus", "grad", "x")
    assert code == 2 and err.startswith("adcli: error: No such option '--bogus'")


def test_a_formula_taken_for_an_option_still_says_to_use_dashes():
    code, err = _stderr("grad", "-x^2", "--at", "x=3")
    assert code == 2 and 'put it after `--`: adcli grad -- "-x^2"' in err


def test_bare_adcli_still_shows_click_s_help():
    res = CliRunner().invoke(cli, [])
    assert "Commands:" in res.output


def test_a_real_process_exits_2_with_the_one_screen_message():
    res = adcli_process("eval", "x", "--at", "x=1", "--bogus")
    assert res.returncode == 2
    assert res.stderr.startswith("adcli: error: No such option '--bogus'.\n")
    assert "Traceback" not in res.stderr


def test_jit_notes_say_what_and_how_to_fix(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x,y\n1,2\n3,4\n")
    res = adcli_process("grad", "x*y", "--points", str(points), "--jit",
                        env={"ADCLI_JIT": "c", "PATH": str(tmp_path)})
    assert res.returncode == 0 and res.stdout.splitlines()[1] == "1,2,2,2,1,"
    assert res.stderr.splitlines() == [
        "adcli: note: --jit unavailable (no C compiler (cc) on PATH); using the NumPy path",
        "  install a C compiler (cc) or llvmlite (pip install 'adcli[jit]') to compile the "
        "batch"]


def test_an_extra_argument_is_pointed_at():
    code, err = _stderr("grad", "x^2", "--at", "x=3", ">", "/dev/full")
    assert code == 2 and "unexpected extra arguments" in err
    source, caret = err.splitlines()[1:3]
    assert source == "  adcli grad 'x^2' --at x=3 '>' /dev/full"
    assert caret == " " * source.index("'>'") + "^^^"
