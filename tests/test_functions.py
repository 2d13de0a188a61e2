"""adcli functions lists the primitives table, and the function reference
in docs/language.md is that listing."""

import json
import os

from adcli.language.parser import parse
from adcli.primitives import TABLE
from adcli.render.functions_view import markdown

from .conftest import adcli_process

LANGUAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "docs",
                        "language.md")


def test_json_lists_every_primitive_with_its_rules(run):
    res = run("functions", "--format", "json")
    assert res.exit_code == 0
    listed = json.loads(res.output)["functions"]
    assert [f["key"] for f in listed] == [p.key for p in TABLE]
    for f, p in zip(listed, TABLE):
        assert f["arity"] == p.arity and f["domain"] == p.domain
        assert list(f["partials"]) == list(p.params)


def test_listed_rules_are_the_tables_rules(run):
    """Each rule printed in ASCII parses back to the same expression as the
    table's displayed rule string (``shown``: the engine's rule itself, or
    where that is arranged for accuracy the math it computes, which
    test_hessian checks numerically against it)."""
    res = run("functions", "--format", "plain")
    lines = res.output.splitlines()
    assert len(lines) == len(TABLE)
    for line, p in zip(lines, TABLE):
        rules = {}
        for part in line.split("\t")[3].split("; "):
            lhs, rhs = part.split(" = ", 1)
            rules[lhs[len("d/d"):]] = rhs
        for param, rule in zip(p.params, p.shown):
            printed = parse(rules[param], allow_free=True)
            written = parse(rule, allow_free=True)
            assert _shape(printed.outputs[0]) == _shape(written.outputs[0]), (p.key, param)


def _shape(node):
    from adcli.graph.dag import postorder

    return [(n.op, n.value, n.name, len(n.args)) for n in postorder([node])]


def test_text_format_renders(run):
    res = run("functions", "--format", "text")
    assert res.exit_code == 0
    assert "atan2(y, x)" in res.output and "∂/∂" in res.output


def test_documented_function_reference_is_generated_from_the_table():
    text = open(LANGUAGE, encoding="utf-8").read()
    begin = text.index("<!-- functions:begin")
    start = text.index("\n", begin) + 1
    end = text.index("<!-- functions:end -->")
    assert text[start:end].strip() == markdown().strip(), \
        "regenerate the table in docs/language.md with: adcli functions --format markdown"


def test_functions_as_a_process():
    proc = adcli_process("functions", "--format", "plain")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[2] == "x * y\tarity 2\tdomain: all real numbers\t" \
                                          "d/dx = y; d/dy = x"
