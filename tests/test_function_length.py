"""No function in adcli/ longer than MAX_LINES without a reason written here.

A function's length is ``end_lineno - lineno + 1`` of its ``def`` (a nested
function counts in its own right and inside the one that holds it).  The
generated parsers are not ours to shape.  EXCEPTIONS only shrinks: an entry
whose function is now short, or gone, fails too, so it must be removed.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "adcli"
MAX_LINES = 60
GENERATED = {"adcli/language/lark_standalone.py", "adcli/language/lalr_tables.py"}

# "module:qualified.name" -> why it may stay long (say it as you would in review)
EXCEPTIONS: dict[str, str] = {}


def function_lengths(source, module):
    """{"module:qualified.name": lines} for every function in ``source``."""
    out = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                out[f"{module}:{name}"] = child.end_lineno - child.lineno + 1
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return out


def all_lengths():
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        if rel in GENERATED:
            continue
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.update(function_lengths(path.read_text(encoding="utf-8"), module))
    return out


def test_the_measure_sees_methods_nested_functions_and_long_bodies():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    source = (f"class C:\n    def m(self):\n        def inner():\n            pass\n"
              f"\ndef long():\n{body}\n")
    assert function_lengths(source, "pkg.mod") == {
        "pkg.mod:C.m": 3, "pkg.mod:C.m.inner": 2, "pkg.mod:long": MAX_LINES + 1}


def test_no_function_is_longer_than_the_limit_without_a_reason():
    long = {name: n for name, n in all_lengths().items() if n > MAX_LINES}
    unexplained = sorted(f"{name} ({n} lines)" for name, n in long.items()
                         if name not in EXCEPTIONS)
    assert not unexplained, (
        f"functions over {MAX_LINES} lines: {', '.join(unexplained)}.  Split them into "
        "short, well-named functions, or add each to EXCEPTIONS in "
        "tests/test_function_length.py with the reason you would give in review.")


def stale_entries(exceptions, lengths):
    """The entries whose function is now short or gone."""
    return sorted(f"{name} ({lengths[name]} lines)" if name in lengths else f"{name} (gone)"
                  for name in exceptions if lengths.get(name, 0) <= MAX_LINES)


def test_an_exception_goes_stale_when_its_function_is_short_or_gone():
    lengths = {"m:long": MAX_LINES + 1, "m:short": MAX_LINES}
    exceptions = {"m:long": "why", "m:short": "why", "m:gone": "why"}
    assert stale_entries(exceptions, lengths) == ["m:gone (gone)", f"m:short ({MAX_LINES} lines)"]


def test_every_exception_is_still_needed():
    stale = stale_entries(EXCEPTIONS, all_lengths())
    assert not stale, (
        f"EXCEPTIONS entries no longer needed: {', '.join(stale)}.  Remove them from "
        "tests/test_function_length.py (the list only shrinks).")
