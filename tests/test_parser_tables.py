"""The parser is generated from grammar/adcli.lark by Lark's stand-alone
generator (python -m adcli.language.regenerate) and checked in: these tests
fail when the grammar changed and the generated modules did not."""

import hashlib
import subprocess
import sys

import pytest

from adcli.errors import ParseError
from adcli.language import lalr_tables
from adcli.language.grammar import explaining_parser, grammar_text
from adcli.language.parser import parse

REGENERATE = "python -m adcli.language.regenerate"


def test_generated_modules_carry_the_grammars_checksum():
    checksum = hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()
    assert lalr_tables.GRAMMAR_SHA256 == checksum, f"grammar changed: run {REGENERATE}"
    from adcli.language import regenerate

    with open(regenerate.STANDALONE, encoding="utf-8") as f:
        head = f.read(1000)
    assert f"sha256: {checksum}" in head, f"grammar changed: run {REGENERATE}"
    assert "stand-alone generator" in head


def test_regenerating_with_the_pinned_lark_gives_the_checked_in_tables():
    pytest.importorskip("lark", reason="Lark (the test extra) regenerates the parser")
    proc = subprocess.run([sys.executable, "-m", "adcli.language.regenerate", "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("text", ["x1*x2+sin(x1)", "-x^2", "2^3^2", "a = x*y; a + 1, a*2",
                                  "log(x, 2) # comment\n", "f(x,)", "2*(x+1", "x y", "x = ",
                                  "max(1, 2, 3)", "1e-3*.5", "x \\\n + 1", ")", "pi = 3"])
def test_fast_driver_and_lark_agree_on_what_parses(text):
    from adcli.language.lark_standalone import UnexpectedInput

    try:
        explaining_parser().parse(text)
        lark_accepts = True
    except UnexpectedInput:
        lark_accepts = False
    try:
        parse(text)
        syntax_ok = True
    except ParseError as error:
        # Semantic errors (unknown function, arity) come after a good parse.
        syntax_ok = not error.message.startswith("unexpected")
    assert syntax_ok == lark_accepts, text
