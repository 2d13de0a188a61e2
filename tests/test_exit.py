"""How a real adcli process ends once Arrow is loaded (adcli/cli/main.py
`_leave`): the exit status, every row on standard output and in `--out`,
the error message on standard error, as without the early exit."""

import subprocess
import sys

import pytest

pytest.importorskip("pyarrow")

ADCLI = [sys.executable, "-c", "from adcli.cli.main import main; main()"]


def run(*args, cwd):
    return subprocess.run([*ADCLI, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.fixture
def points(tmp_path):
    rows = "\n".join(f"{i},{i / 7}" for i in range(3000))
    (tmp_path / "pts.csv").write_text("x,y\n" + rows + "\n-1,oops\n")
    return tmp_path


def test_a_bad_row_exits_1_with_every_other_row_written(points):
    res = run("grad", "x*y + sin(x)", "--points", "pts.csv", cwd=points)
    assert res.returncode == 1, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 1 + 3001 and lines[-1].endswith("`oops` is not a number (column `y`)")
    assert "1 of 3001 rows failed" in res.stderr and "Traceback" not in res.stderr


def test_the_out_file_is_complete_when_the_process_ends(points):
    res = run("grad", "x*y + sin(x)", "--points", "pts.csv", "--out", "out.csv", cwd=points)
    assert res.returncode == 1, res.stderr
    lines = (points / "out.csv").read_text().splitlines()
    assert len(lines) == 1 + 3001 and lines[1] == "0,0.0,0,1,0,"


def test_a_clean_batch_exits_0_and_a_usage_error_2(points):
    (points / "good.csv").write_text("x,y\n1,2\n3,4\n")
    res = run("grad", "x*y", "--points", "good.csv", "--format", "json", cwd=points)
    assert res.returncode == 0 and res.stdout.count("\n") >= 2, res.stderr
    res = run("grad", "x*y", "--points", "good.csv", "--format", "nope", cwd=points)
    assert res.returncode == 2 and "Traceback" not in res.stderr
