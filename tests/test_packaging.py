"""The README's promises: its quick start is what CI runs, the Python API
page's first example works, and a wheel installed in a fresh environment finds the
grammar and runs the worked example."""

import os
import re
import subprocess
import sys
import venv

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def quick_start():
    section = read("README.md").split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_quick_start_is_two_commands_and_ci_runs_them():
    install, test = quick_start()
    assert 'adcli grad "x1*x2+sin(x1)" --at x1=2,x2=3' in install
    ci = read(".ci/run")
    assert install in ci and test in ci


def test_documented_python_example_runs():
    from .docs_pages import run_doctests

    namespace = run_doctests("docs/api.md", "## One call")
    r = namespace["r"]
    assert r.gradient == {"x1": 2.5838531634528574, "x2": 2.0}


def test_grammar_lives_at_the_top_level():
    from adcli.language.grammar import grammar_path

    assert os.path.exists(os.path.join(ROOT, "grammar", "adcli.lark"))
    assert grammar_path().endswith(os.path.join("grammar", "adcli.lark"))


@pytest.mark.skipif(os.environ.get("ADCLI_SKIP_WHEEL") == "1", reason="ADCLI_SKIP_WHEEL=1")
def test_wheel_in_a_fresh_environment(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    ROOT], check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("adcli-*.whl")
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=600)
    # Run from a directory without the checkout, so only the wheel's files count.
    proc = subprocess.run([str(env_dir / "bin" / "adcli"), "grad", "x1*x2+sin(x1)",
                           "--at", "x1=2,x2=3"], capture_output=True, text=True, cwd=tmp_path,
                           timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "f 6.909297426825682\ndf/dx1 2.5838531634528574\ndf/dx2 2\n"
    where = subprocess.run([str(python), "-c", "from adcli.language.grammar import grammar_path;"
                            "print(grammar_path())"], capture_output=True, text=True,
                           cwd=tmp_path, timeout=600).stdout
    assert str(env_dir) in where
    # The parser is generated into the package: no Lark installed, and a
    # syntax error is still explained with the tokens expected.
    assert subprocess.run([str(python), "-c", "import lark"], capture_output=True,
                          cwd=tmp_path, timeout=600).returncode != 0
    bad = subprocess.run([str(env_dir / "bin" / "adcli"), "eval", "2*(x+1", "--at", "x=1"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert bad.returncode == 2 and "expected `)`" in bad.stderr, bad.stderr
