"""The API's errors speak of parameters; the command line of its flags."""

import ast
import re
from pathlib import Path

import pytest

import adcli
from adcli.errors import UsageError


def test_api_errors_name_parameters_not_flags():
    f = adcli.compile("x1*x2 + sin(x1)")
    with pytest.raises(UsageError) as info:
        f.hessian({"x1": 2, "x2": 3}, direction=[1, 2, 3])
    assert info.value.message == "`direction` has 3 entries for 2 inputs"
    assert "--" not in info.value.message and info.value.params == ("direction",)
    with pytest.raises(UsageError) as info:
        f.taylor({"x1": 2, "x2": 3}, 3, wrt="q")
    assert info.value.message == "`wrt` names `q`, which is not an input"


def test_the_cli_says_the_flag(run):
    res = run("hessian", "x1*x2", "--at", "x1=2,x2=3", "--dir", "x3=1")
    assert res.exit_code == 2
    assert "adcli: error: --dir names `x3`, which is not an input" in res.stderr
    res = run("taylor", "x1*x2", "--at", "x1=2,x2=3")
    assert "--wrt x1, or a direction such as --dir x1=1,x2=1" in res.stderr
    assert "`" not in res.stderr.splitlines()[1]


# Strings outside adcli/cli/ that spell a flag on purpose: (module, flag) -> why.
# Docstrings and comments are not scanned (they may describe the command line).
SPEAKS_OF_FLAGS = {
    # the command line itself, not a parameter
    ("codegen/emit.py", "--lang"): "the generated file's header names the command that made it",
    ("language/regenerate.py", "--lexer"): "the arguments of Lark's own generator",
    ("language/regenerate.py", "--maybe_placeholders"): "the arguments of Lark's own generator",
    ("language/regenerate.py", "--check"): "the regenerate script's own option (argparse)",
}

FLAG_SPELLING = re.compile(r"(?<![\w-])--[a-z][a-z_-]*")


def _docstrings(tree):
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def flag_spellings():
    """(module, flag, line) for every string outside adcli/cli/ (docstrings
    aside) that spells a flag."""
    root = Path(adcli.__file__).parent
    generated = {"language/lark_standalone.py", "language/lalr_tables.py"}
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name.startswith("cli/") or name in generated:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip):
                for spelled in FLAG_SPELLING.findall(node.value):
                    yield name, spelled, node.lineno


def test_no_flag_names_outside_the_cli():
    """The library speaks of parameters (`point`, `over`, `limit`); only
    adcli/cli/ knows their flags (adcli.cli.flags)."""
    leaks = [f"adcli/{name}:{line}: {spelled}" for name, spelled, line in flag_spellings()
             if (name, spelled) not in SPEAKS_OF_FLAGS]
    assert not leaks, "flag names outside adcli/cli/ (say `param`, see adcli.cli.flags):\n" \
        + "\n".join(leaks)


def test_the_allow_list_is_current():
    used = {(name, spelled) for name, spelled, _ in flag_spellings()}
    assert set(SPEAKS_OF_FLAGS) <= used, set(SPEAKS_OF_FLAGS) - used


def test_the_library_names_parameters_where_the_cli_names_flags(run, tmp_path):
    from adcli.language.point import parse_point
    from adcli.plot.sampling import parse_over

    with pytest.raises(UsageError) as info:
        parse_point(" , ")
    assert info.value.message == "`point` is empty"
    with pytest.raises(UsageError) as info:
        parse_over("x=2:1")
    assert info.value.message.startswith("`over` x=2:1 is empty") and info.value.label == "`over`"
    res = run("plot", "x^2", "--over", "x=2:1")
    assert res.exit_code == 2
    assert "adcli: error: --over x=2:1 is empty" in res.stderr and "in --over:" in res.stderr
    assert "write --over x=1:2" in res.stderr
    res = run("eval", "x", "--points", str(tmp_path / "missing.csv"))
    assert res.exit_code == 2 and "cannot read --points file" in res.stderr


def test_hints_with_values_name_parameters_in_python_and_flags_on_the_command_line(run):
    """`output=0` in the API is --output 1 on the command line (which counts
    outputs from 1), `mode="reverse"` is --mode reverse, `digits=N` is
    --digits N: each side sees only its own spelling."""
    f = adcli.compile("x1, x2")
    with pytest.raises(UsageError) as info:
        f.hessian({"x1": 2, "x2": 3})
    assert info.value.hint == "e.g. `output=0` for the first"
    res = run("hessian", "x1, x2", "--at", "x1=2,x2=3")
    assert res.exit_code == 2 and "  e.g. --output 1 for the first" in res.stderr

    with pytest.raises(UsageError) as info:
        adcli.compile("pi*x").evaluate({"x": 1}, exact=True)
    assert info.value.hint.endswith("use `digits=N` instead")
    res = run("eval", "pi*x", "--at", "x=1", "--exact")
    assert res.exit_code == 2 and "use --digits N instead" in res.stderr
    res = run("eval", "sin(x)", "--at", "x=1", "--exact")
    assert res.exit_code == 2 and "--digits N works for any formula" in res.stderr


def test_the_trace_size_hint_names_flags_on_the_command_line(run):
    n = 1500  # n outputs × n inputs: past a trace's 2,000,000 numbers
    names = [f"x{i}" for i in range(1, n + 1)]
    expr, at = ", ".join(names), ",".join(f"{v}=1" for v in names)
    with pytest.raises(UsageError) as info:
        adcli.compile(expr).trace(dict.fromkeys(names, 1.0), mode="reverse")
    assert "pick one output with `output=K`, or use `mode=\"forward\"`" in info.value.hint
    res = run("trace", expr, "--at", at, "--mode", "reverse", "--format", "plain")
    assert res.exit_code == 2
    assert "pick one output with --output K, or use --mode forward" in res.stderr
    res = run("trace", expr, "--at", at, "--mode", "forward", "--format", "plain")
    assert res.exit_code == 2
    assert ("name a few variables with --wrt, give one direction with --seed, or use "
            "--mode reverse") in res.stderr
    assert "`" not in res.stderr
