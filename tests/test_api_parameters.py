"""The Python API's errors speak of its parameters, never of the command
line's flags (issue 10, item 3: "flag names appear only under cli/"): each
bad argument below is refused with a message or hint naming the parameter,
and no `--flag` anywhere in it.  The command line says the same errors with
its flags (adcli/cli/flags.py), as the last test here shows."""

import ast
import re
from pathlib import Path

import pytest

from adcli import Function
from adcli.errors import AdcliError
from adcli.sparse.drivers import sparse_hessian, sparse_jacobian

F = Function("x*y + sin(x)")
TWO = Function("a = x*y; a + 1, a^2")
RATIONAL = Function("x*y")
P = {"x": 2, "y": 3}

# name -> (the call, a word its message or hint must hold: the parameter where it is named)
BAD_ARGUMENTS = {
    "hessian: direction longer than the inputs": (
        lambda: F.hessian(P, direction=[1, 2, 3]), "direction"),
    "hessian: direction names no input": (lambda: F.hessian(P, direction={"z": 1}), "direction"),
    "hessian: output out of range": (lambda: TWO.hessian(P, output=5), "output"),
    "hessian: negative output": (lambda: TWO.hessian(P, output=-1), "output"),
    "hessian: output not chosen": (lambda: TWO.hessian(P), "output"),
    "hessian: output named wrongly": (lambda: TWO.hessian(P, output="zz"), "output"),
    "sparse Hessian: output out of range": (lambda: sparse_hessian(TWO, P, output=9), "output"),
    "gradient: wrt names no input": (lambda: F.gradient(P, wrt=["z"]), "differentiate"),
    "sparse Jacobian: wrt names no input": (
        lambda: sparse_jacobian(F, P, wrt=["z"]), "differentiate"),
    "gradient: wrt is not names": (lambda: F.gradient(P, wrt=3), "wrt"),
    "gradient: unknown mode": (lambda: F.gradient(P, mode="sideways"), "mode"),
    "gradient: digits 0": (lambda: F.gradient(P, digits=0), "digits"),
    "gradient: digits not a number": (lambda: F.gradient(P, digits="ten"), "digits"),
    "gradient: digits too many": (lambda: F.gradient(P, digits=10**7), "digits"),
    "gradient: digits with exact": (lambda: F.gradient(P, digits=20, exact=True), "exact"),
    "gradient: exact on sin": (lambda: F.gradient(P, exact=True), "digits"),
    "gradient: exact at nan": (
        lambda: RATIONAL.gradient({"x": float("nan"), "y": 1}, exact=True), "rational"),
    "gradient: exact at inf": (
        lambda: RATIONAL.gradient({"x": float("inf"), "y": 1}, exact=True), "rational"),
    "gradient: a variable missing": (lambda: F.gradient({"x": 1}), "point"),
    "gradient: point not a mapping": (lambda: F.gradient("x=1,y=2"), "point"),
    "jvp: direction longer than the inputs": (lambda: F.jvp(P, [1, 2, 3]), "direction"),
    "jvp: no direction": (lambda: F.jvp(P), "direction"),
    "vjp: cotangent longer than the outputs": (lambda: TWO.vjp(P, [1, 2, 3]), "cotangent"),
    "vjp: cotangent names no output": (lambda: TWO.vjp(P, {"f9": 1}), "cotangent"),
    "taylor: negative order": (lambda: F.taylor(P, -1, wrt=["x"]), "order"),
    "taylor: fractional order": (lambda: F.taylor(P, 1.5, wrt=["x"]), "order"),
    "taylor: order too high": (lambda: F.taylor(P, 10**6, wrt=["x"]), "order"),
    "taylor: no variable or direction": (lambda: F.taylor(P, 3), "direction"),
    "taylor: variable and direction": (
        lambda: F.taylor(P, 3, wrt=["x"], direction=[1, 0]), "direction"),
    "taylor: two variables": (lambda: F.taylor(P, 3, wrt=["x", "y"]), "wrt"),
    "taylor: digits 0": (lambda: F.taylor(P, 3, wrt=["x"], digits=0), "digits"),
    "partial: no wrt": (lambda: F.partial(P), "wrt"),
    "partial: wrt names no input": (lambda: F.partial(P, ["z"]), "wrt"),
    "trace: seed with wrt": (lambda: F.trace(P, seed={"x": 1}, wrt=["x"]), "seed"),
    "trace: seed in reverse mode": (lambda: F.trace(P, mode="reverse", seed={"x": 1}), "seed"),
    "graph: mode without a point": (lambda: F.graph(mode="forward"), "mode"),
    "graph: seed without a point": (lambda: F.graph(seed={"x": 1}), "seed"),
    "graph: wrt without a point": (lambda: F.graph(wrt=["x"]), "wrt"),
    "graph: seed with wrt": (
        lambda: F.graph(P, mode="forward", seed={"x": 1}, wrt=["x"]), "wrt"),
    "codegen: order 3": (lambda: F.codegen("c", order=3), "order"),
    "codegen: direction and cotangent": (
        lambda: F.codegen("c", direction=[1, 0], cotangent=[1]), "cotangent"),
    "codegen: output out of range": (lambda: TWO.codegen("c", order=2, output=7), "output"),
    "codegen: inputs missing one": (lambda: F.codegen("c", inputs=["x"]), "inputs"),
    "codegen: sparse with a direction": (
        lambda: F.codegen("c", sparse=True, direction=[1, 0]), "sparse"),
}


@pytest.mark.parametrize("case", list(BAD_ARGUMENTS))
def test_api_errors_name_parameters_not_flags(case):
    call, parameter = BAD_ARGUMENTS[case]
    with pytest.raises(AdcliError) as raised:
        call()
    exc = raised.value
    words = " ".join(filter(None, (exc.message, exc.hint, exc.label)))
    assert not re.search(r"--\w", words), f"{case}: a flag in the API's words: {words!r}"
    assert parameter in words, f"{case}: `{parameter}` not named in {words!r}"


def test_an_output_index_is_counted_as_the_api_counts():
    """output=5 of two outputs is `output=5` (0-based) in Python, and --output 6
    (1-based) only on the command line."""
    with pytest.raises(AdcliError) as raised:
        TWO.hessian(P, output=5)
    assert "output=5" in raised.value.message and "6" not in raised.value.message


def _error_texts(tree):
    """(line, text) of every string written into an error or a warning."""
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "id", getattr(call.func, "attr", ""))
        if not (name.endswith("Error") or name.endswith("Warning")):
            continue
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            for node in ast.walk(arg):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    yield node.lineno, node.value


def test_no_error_outside_the_command_line_is_written_with_a_flag():
    root = Path(__file__).resolve().parent.parent / "adcli"
    found = [f"{path.relative_to(root.parent)}:{line}: {text!r}"
             for path in sorted(root.rglob("*.py")) if "cli" not in path.parts
             for line, text in _error_texts(ast.parse(path.read_text(encoding="utf-8")))
             if re.search(r"(^|[\s(`])--[a-z]", text)]
    assert not found, "write the parameter (`name`), not the flag:\n" + "\n".join(found)


@pytest.mark.parametrize("args, said", [
    (["hessian", "a = x*y; a + 1, a^2", "--at", "x=2,y=3", "--output", "6"],
     "there is no --output 6: the program has 2 outputs\n  e.g. --output 1 for the first"),
    (["trace", "x*y", "--at", "x=2,y=3", "--seed", "x=1", "--wrt", "x"],
     "--seed and --wrt do not combine\n  --wrt x1 is the seed x1=1"),
])
def test_the_command_line_says_the_same_errors_with_its_flags(args, said):
    from click.testing import CliRunner

    from adcli.cli.main import cli

    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and said in res.stderr
