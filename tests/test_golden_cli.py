"""Every command × format (× number system) on the worked example, against
checked-in golden files in tests/golden/cli/.

A change of output shows here as a diff.  If the change is intended,
regenerate the files and review them with ``git diff``::

    ADCLI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_cli.py

(CONTRIBUTING.md says so.)  Each file holds the command line, its standard
output, and its standard error and exit status when there are any.  The
outputs are deterministic: no timings, no paths; the version in generated
code is written ``VERSION``.
"""

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from adcli import __version__
from adcli.cli.main import cli

GOLDEN = Path(__file__).parent / "golden" / "cli"
WORKED = "x1*x2+sin(x1)"
AT = "x1=2,x2=3"
# --exact needs rational operations: the worked example with x1^3/3 for sin(x1)
RATIONAL = "x1*x2+x1^3/3"
SYSTEMS = {"float64": (WORKED, []), "digits20": (WORKED, ["--digits", "20"]),
           "exact": (RATIONAL, ["--exact"])}
TABLE = ("text", "plain", "json", "jsonl", "csv", "tsv")
# terminal output (Rich) at a fixed width, no colour
ENV = {"COLUMNS": "100", "LINES": "40", "TERM": "xterm", "NO_COLOR": "1"}


def _cases():
    """name -> argument list, for every command × format (× system)."""
    cases = {}

    def add(name, *args):
        cases[name] = list(args)

    for system, (expr, extra) in SYSTEMS.items():
        for fmt in TABLE:
            for cmd in ("eval", "grad", "hessian", "partial", "taylor"):
                more = {"partial": ["--wrt", "x1,x2"], "taylor": ["--wrt", "x1"]}.get(cmd, [])
                add(f"{cmd}/{system}.{fmt}", cmd, expr, "--at", AT, *more, *extra,
                    "--format", fmt)
        for fmt in ("text", "plain", "markdown", "latex", "json", "csv"):
            for mode in ("forward", "reverse"):
                add(f"trace/{mode}-{system}.{fmt}", "trace", expr, "--at", AT, "--mode", mode,
                    *extra, "--format", fmt)
        for fmt in ("text", "plain", "json", "jsonl", "csv", "tsv", "mtx"):
            add(f"grad-sparse/{system}.{fmt}", "grad", expr, "--at", AT, "--sparse", *extra,
                "--format", fmt)
            add(f"hessian-sparse/{system}.{fmt}", "hessian", expr, "--at", AT, "--sparse",
                *extra, "--format", fmt)
    for fmt in TABLE:
        for system, (expr, extra) in SYSTEMS.items():
            add(f"grad-dir/{system}.{fmt}", "grad", expr, "--at", AT, "--dir", "x1=1,x2=0",
                *extra, "--format", fmt)
            add(f"grad-cotangent/{system}.{fmt}", "grad", expr, "--at", AT, "--cotangent", "1",
                *extra, "--format", fmt)
            add(f"hessian-dir/{system}.{fmt}", "hessian", expr, "--at", AT, "--dir",
                "x1=1,x2=0", *extra, "--format", fmt)
        add(f"check/float64.{fmt}", "check", WORKED, "--at", AT, "--format", fmt)
        add(f"check-sweep/float64.{fmt}", "check", WORKED, "--at", AT, "--sweep",
            "--format", fmt)
    for fmt in ("tree", "plain", "dot", "mermaid", "json", "text"):
        add(f"graph/bare.{fmt}", "graph", WORKED, "--format", fmt)
        add(f"graph/values.{fmt}", "graph", WORKED, "--at", AT, "--format", fmt)
        for mode in ("forward", "reverse"):
            add(f"graph/{mode}.{fmt}", "graph", WORKED, "--at", AT, "--mode", mode,
                "--format", fmt)
    for fmt in ("text", "plain", "json", "markdown"):
        add(f"functions/all.{fmt}", "functions", "--format", fmt)
    for fmt in ("plain", "json", "latex"):
        add(f"diff/worked.{fmt}", "diff", WORKED, "--format", fmt)
        add(f"diff/wrt-x1.{fmt}", "diff", WORKED, "--wrt", "x1", "--format", fmt)
    for fmt in ("text", "plain", "json", "mtx"):
        add(f"sparsity/jacobian.{fmt}", "sparsity", WORKED, "--format", fmt)
        add(f"sparsity/hessian.{fmt}", "sparsity", WORKED, "--hessian", "--format", fmt)
    for lang in ("c", "python", "numpy", "js"):
        add(f"codegen/{lang}", "codegen", WORKED, "--lang", lang)
        add(f"codegen/{lang}-order2", "codegen", WORKED, "--lang", lang, "--order", "2")
    for name, args in ERRORS.items():
        add(f"errors/{name}", *args)
    for name, (args, _) in BATCHES.items():
        add(f"batch/{name}", *args)
    for name, args in STATS.items():
        add(f"stats/{name}", *args)
    for name, args in OPTIONS.items():
        add(f"options/{name}", *args)
    return cases


# Bad options: the API's errors name parameters, the CLI says its flags.
ERRORS = {
    "dir-not-an-input": ["grad", WORKED, "--at", AT, "--dir", "x3=1"],
    "hessian-dir-not-an-input": ["hessian", WORKED, "--at", AT, "--dir", "x3=1"],
    "taylor-wrt-not-an-input": ["taylor", WORKED, "--at", AT, "--wrt", "x3"],
    "taylor-wrt-two": ["taylor", WORKED, "--at", AT, "--wrt", "x1,x2"],
    "taylor-along-what": ["taylor", WORKED, "--at", AT],
    "taylor-wrt-and-dir": ["taylor", WORKED, "--at", AT, "--wrt", "x1", "--dir", "x1=1"],
    "partial-wrt-not-an-input": ["partial", WORKED, "--at", AT, "--wrt", "x3"],
    "cotangent-length": ["grad", WORKED, "--at", AT, "--cotangent", "1,2"],
    "cotangent-not-an-output": ["grad", WORKED, "--at", AT, "--cotangent", "g=1"],
    "seed-not-an-input": ["trace", WORKED, "--at", AT, "--seed", "x3=1"],
    "seed-in-reverse": ["trace", WORKED, "--at", AT, "--seed", "x1=1", "--mode", "reverse"],
    "output-out-of-range": ["trace", "x1, x2", "--at", AT, "--output", "3", "--mode", "reverse"],
    "output-needed": ["hessian", "x1, x2", "--at", AT],
    "missing-variable": ["grad", WORKED, "--at", "x1=2"],
    "missing-variable-of-two-points": ["grad", WORKED, "--at", AT, "--at", "x1=2",
                                       "--format", "csv"],
    "codegen-inputs": ["codegen", WORKED, "--lang", "c", "--inputs", "x2"],
    "codegen-name": ["codegen", WORKED, "--lang", "c", "--name", "1a"],
    "codegen-dir-and-cotangent": ["codegen", WORKED, "--lang", "c", "--dir", "x1=1",
                                  "--cotangent", "1"],
    "codegen-output-needed": ["codegen", "x1, x2", "--lang", "c", "--order", "2"],
    "sparse-mtx-two-points": ["grad", "x1, x2", "--at", AT, "--at", "x1=1,x2=1",
                              "--sparse", "--format", "mtx"],
}

# Requests that do not combine (options, formats, number systems): usage errors.
ERRORS.update({
    "grad-sparse-dir": ["grad", WORKED, "--at", AT, "--sparse", "--dir", "x1=1,x2=0"],
    "grad-sparse-cotangent": ["grad", WORKED, "--at", AT, "--sparse", "--cotangent", "1"],
    "grad-mtx-dir": ["grad", WORKED, "--at", AT, "--format", "mtx", "--dir", "x1=1,x2=0"],
    "grad-mtx-cotangent": ["grad", WORKED, "--at", AT, "--format", "mtx", "--cotangent", "1"],
    "grad-mtx-points": ["grad", WORKED, "--points", "-", "--format", "mtx"],
    "grad-sparse-points-dir": ["grad", WORKED, "--points", "-", "--sparse", "--dir", "x1=1"],
    "grad-dir-and-cotangent": ["grad", WORKED, "--at", AT, "--dir", "x1=1", "--cotangent", "1"],
    "grad-dir-and-wrt": ["grad", WORKED, "--at", AT, "--dir", "x1=1,x2=0", "--wrt", "x1"],
    "grad-digits-and-exact": ["grad", WORKED, "--at", AT, "--digits", "20", "--exact"],
    "grad-exact-points": ["grad", WORKED, "--points", "-", "--exact"],
    "hessian-sparse-dir": ["hessian", WORKED, "--at", AT, "--sparse", "--dir", "x1=1,x2=0"],
    "hessian-mtx-dir": ["hessian", WORKED, "--at", AT, "--format", "mtx", "--dir", "x1=1"],
    "hessian-mtx-points": ["hessian", WORKED, "--points", "-", "--format", "mtx"],
    "hessian-sparse-mtx-points": ["hessian", WORKED, "--points", "-", "--sparse",
                                  "--format", "mtx"],
    "hessian-points-and-at": ["hessian", WORKED, "--points", "-", "--at", AT],
    "grad-dir-points-not-an-input": ["grad", WORKED, "--points", "-", "--dir", "x3=1"],
    "grad-cotangent-points-length": ["grad", WORKED, "--points", "-", "--cotangent", "1,2"],
    "hessian-dir-points-not-an-input": ["hessian", WORKED, "--points", "-", "--dir", "x3=1"],
    "eval-mtx": ["eval", WORKED, "--at", AT, "--format", "mtx"],
    "hessian-missing-variable-of-two-points": ["hessian", WORKED, "--at", "x1=2", "--at", AT,
                                               "--format", "csv"],
})

# check, trace and graph: the refusals of their request tables (adcli/cli/requests.py)
ERRORS.update({
    "check-sweep-points": ["check", WORKED, "--points", "-", "--sweep"],
    "check-digits-at": ["check", WORKED, "--at", AT, "--digits", "5"],
    "check-formula-and-points-from-stdin": ["check", "-", "--points", "-"],
    "trace-seed-and-wrt": ["trace", WORKED, "--at", AT, "--seed", "x1=1", "--wrt", "x1"],
    "trace-output-forward": ["trace", WORKED, "--at", AT, "--output", "1", "--mode", "forward"],
    "graph-mode-without-point": ["graph", WORKED, "--mode", "forward"],
})

# the options check, trace and graph pass on to the API call or to the views
OPTIONS = {
    "check-wrt": ["check", WORKED, "--at", AT, "--wrt", "x1", "--format", "csv"],
    "trace-seed": ["trace", WORKED, "--at", AT, "--seed", "x1=1,x2=2", "--format", "plain"],
    "trace-limit-ascii": ["trace", WORKED, "--at", AT, "--limit", "3", "--ascii", "--format",
                          "markdown"],
    "trace-no-stats-output": ["trace", "x1*x2, x1+x2", "--at", AT, "--mode", "reverse",
                              "--output", "2", "--no-stats", "--format", "json"],
    "graph-seed": ["graph", WORKED, "--at", AT, "--mode", "forward", "--seed", "x1=1,x2=1",
                   "--format", "plain"],
    "graph-wrt-two-points": ["graph", WORKED, "--at", AT, "--at", "x1=1,x2=0.5", "--mode",
                             "forward", "--wrt", "x2", "--format", "dot"],
}

# --points batches, one per request kind, from standard input: name -> (args, input)
POINTS = "x1,x2\n2,3\n1,0.5\n"
BATCHES = {
    f"{name}.{fmt}": ([*args, "--points", "-", "--format", fmt], POINTS)
    for name, args in {
        "eval": ["eval", WORKED],
        "grad": ["grad", WORKED],
        "grad-wrt": ["grad", WORKED, "--wrt", "x2"],
        "grad-sparse": ["grad", "x1*x2, sin(x1)", "--sparse"],
        "grad-dir": ["grad", "x1*x2, sin(x1)", "--dir", "x1=1,x2=2"],
        "grad-cotangent": ["grad", "x1*x2, sin(x1)", "--cotangent", "1,2"],
        "grad-cotangent-wrt": ["grad", "x1*x2, sin(x1)", "--cotangent", "f2=1", "--wrt", "x1"],
        "hessian": ["hessian", WORKED],
        "hessian-dir": ["hessian", WORKED, "--dir", "x1=1,x2=0"],
        "hessian-sparse": ["hessian", WORKED, "--sparse"],
        "taylor": ["taylor", WORKED, "--wrt", "x1"],
        "partial": ["partial", WORKED, "--wrt", "x1,x2"],
        "check": ["check", WORKED],
    }.items()
    for fmt in ("csv", "tsv", "jsonl", "json")
}

# --stats: what grad says on stderr about each kind of request
STATS = {
    "grad": ["grad", WORKED, "--at", AT, "--stats", "--format", "json"],
    "grad-dir": ["grad", WORKED, "--at", AT, "--dir", "x1=1,x2=0", "--stats", "--format", "json"],
    "grad-cotangent": ["grad", WORKED, "--at", AT, "--cotangent", "1", "--stats",
                       "--format", "json"],
}

CASES = _cases()
STDIN = {f"batch/{name}": text for name, (_, text) in BATCHES.items()}
STDIN["errors/check-formula-and-points-from-stdin"] = f"{WORKED}\n{POINTS}"


def _quote(arg):
    return arg if re.fullmatch(r"[\w.,=:/@+-]+", arg) else f'"{arg}"'


def transcript(args, stdin=None):
    """The golden text of ``adcli ARGS`` (``stdin`` on its standard input):
    the command, its output, its standard error and exit status when there
    are any."""
    result = CliRunner().invoke(cli, args, env=ENV, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    given = "" if stdin is None else f" <<< {stdin!r}"
    parts = ["$ adcli " + " ".join(_quote(a) for a in args) + given + "\n",
             result.stdout.replace(__version__, "VERSION")]
    if result.stderr:
        parts.append("--- stderr\n" + result.stderr)
    if result.exit_code:
        parts.append(f"--- exit {result.exit_code}\n")
    return "".join(parts)


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_golden_file(name):
    text = transcript(CASES[name], STDIN.get(name))
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("ADCLI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: ADCLI_UPDATE_GOLDEN=1 writes it"
    assert text == path.read_text(encoding="utf-8")


def test_no_stale_golden_files():
    """Every file under tests/golden/cli/ belongs to a case (a removed case
    takes its file with it)."""
    names = {str(p.relative_to(GOLDEN).with_suffix("")) for p in GOLDEN.rglob("*.txt")}
    assert names <= set(CASES), sorted(names - set(CASES))
