"""An import of adcli's own modules inside a function needs a reason.

Imports go at the top of the module, unless deferring them buys something:
a command (or ``import adcli``) that does not need the module never loads it
(start-up: tests/test_startup.py), or the module needs an optional extra
(pyarrow, matplotlib, llvmlite, dask).  Dodging an import cycle is not a
reason: tests/test_layers.py keeps the imports acyclic.  Each entry below is
(importing module, imported module) -> why it is deferred.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "adcli"

# the generated parser's own lazy imports are Lark's, not ours
GENERATED = {"adcli.language.lark_standalone"}

EXTRA = "optional extra"
COMMAND = "start-up: loaded only by the commands that need it"
DECLINED = " (formulas the fast path declines)"

DEFERRED = {
    # `import adcli` and Function() stay light: each feature loads on first use
    ("adcli.api", "adcli.language.parser"): "start-up: `import adcli` parses nothing",
    ("adcli.api", "adcli.codegen.diff"): COMMAND + " (Function.derivative)",
    ("adcli.api", "adcli.codegen.targets"): COMMAND + " (Function.codegen)",
    ("adcli.api", "adcli.modes.check"): COMMAND + " (Function.check)",
    ("adcli.api", "adcli.modes.cost"): COMMAND + " (Function.cost)",
    ("adcli.api", "adcli.modes.trace"): COMMAND + " (Function.trace)",
    ("adcli.api", "adcli.plot.figure"): EXTRA + ": matplotlib (Function.plot)",
    ("adcli.higher", "adcli.modes.hessian"): COMMAND + " (hessian)",
    ("adcli.higher", "adcli.modes.taylor"): COMMAND + " (taylor, partial)",
    ("adcli.results", "adcli.modes.taylor"): COMMAND + " (Taylor.derivatives)",
    ("adcli.numsys", "adcli.printed"): COMMAND + " (digits=/exact= results of the API)",
    ("adcli.modes.engine", "adcli.language.parser"): "start-up: `import adcli` parses nothing",
    ("adcli.modes.engine", "adcli.modes.generic"): COMMAND + " (digits=, exact=: float64 runs "
        "the sweeps of modes.sweeps)",
    ("adcli.modes.rules", "adcli.language.parser"): "start-up: `import adcli` parses nothing",
    ("adcli.modes.taylor", "adcli.modes.jets"): COMMAND + " (mixed partials, kinks)",
    ("adcli.modes.trace", "adcli.modes.cost"): COMMAND + " (the trace's cost column)",
    ("adcli.sparse.drivers", "adcli.modes.hessian"): COMMAND + " (hessian --sparse)",
    ("adcli.sparse.drivers", "adcli.sparse.second"): COMMAND + " (hessian --sparse)",
    # the parser: the fast path first; the LALR tables and Lark's stand-alone
    # parser only for formulas it declines and for syntax errors
    ("adcli.language.grammar", "adcli.language.lalr"): COMMAND + DECLINED,
    ("adcli.language.grammar", "adcli.language.lalr_tables"): COMMAND + DECLINED,
    ("adcli.language.grammar", "adcli.language.lark_standalone"): COMMAND + " (syntax errors)",
    ("adcli.language.parser", "adcli.language.lark_standalone"): COMMAND + " (syntax errors)",
    # batches: NumPy, Arrow and compiled kernels only when a batch needs them
    ("adcli.batch", "adcli.batch.driver"): "start-up: `import adcli.batch` loads no NumPy",
    ("adcli.batch.driver", "adcli.batch.arrow_io"): EXTRA + ": pyarrow",
    ("adcli.batch.driver", "adcli.batch.numpy_backend"): COMMAND + " (vectorised kernels)",
    ("adcli.higher", "adcli.batch.numpy_backend"): "start-up: NumPy, for arrays of points only",
    ("adcli.batch.driver", "adcli.codegen.jit"): COMMAND + " (--jit)",
    ("adcli.batch.output", "adcli.batch.arrow_io"): EXTRA + ": pyarrow",
    ("adcli.batch.driver", "adcli.batch.jit_stream"): COMMAND + " (--jit on CSV/TSV)",
    ("adcli.batch.jit_stream", "adcli.batch.arrow_io"): EXTRA + ": pyarrow",
    ("adcli.batch.kernels", "adcli.codegen.jit"): COMMAND + " (hessian --points: what --jit "
        "compiles)",
    ("adcli.batch.kernels", "adcli.render.check_view"): COMMAND + " (check --points)",
    ("adcli.batch.kernels", "adcli.sparse.drivers"): COMMAND + " (--sparse --points)",
    ("adcli.batch.kernels", "adcli.sparse.formats"): COMMAND + " (--sparse --points)",
    ("adcli.batch.jit_stream", "adcli.codegen.compilers"): COMMAND + " (--jit: the compiler)",
    ("adcli.batch.jit_stream", "adcli.codegen.jit"): COMMAND + " (--jit: the compiler)",
    ("adcli.codegen.jit", "adcli.codegen.llvm"): EXTRA + ": llvmlite",
    ("adcli.codegen.jit", "adcli.codegen.targets"): COMMAND + " (the C compiler path)",
    ("adcli.codegen.kernel", "adcli.codegen.sparse"): COMMAND + " (codegen --sparse)",
    ("adcli.codegen.symbolic", "adcli.modes.rules"): COMMAND + " (second partials, order 2)",
    ("adcli.codegen.symbolic", "adcli.modes.taylor"): COMMAND + " (second partials, order 2)",
    ("adcli.codegen.text", "adcli.codegen.emit"): COMMAND + " (diff as adcli text, not LaTeX)",
    # views: Rich only for a terminal, each kind's helpers only for its formats
    ("adcli.render.results", "adcli.render.rich_view"): COMMAND + " (--format text: Rich)",
    ("adcli.render.higher_view", "adcli.render.rich_view"): COMMAND + " (--format text: Rich)",
    ("adcli.render.check_view", "adcli.render.rich_view"): COMMAND + " (--format text: Rich)",
    ("adcli.render.functions_view", "adcli.render.rich_view"): COMMAND
        + " (--format text: Rich)",
    ("adcli.render.trace_view", "adcli.render.rich_view"): COMMAND + " (--format text: Rich)",
    ("adcli.render.functions_view", "adcli.render.results"): COMMAND + " (--format json)",
    ("adcli.render.trace_view", "adcli.render.results"): COMMAND + " (--format json)",
    ("adcli.render.graph_view", "adcli.render.results"): COMMAND + " (--format json)",
    ("adcli.render.graph_view", "adcli.render.rich_view"): COMMAND + " (--format text: Rich)",
    ("adcli.render.sparse_view", "adcli.sparse.formats"): COMMAND + " (sparse results)",
    ("adcli.render.program_view", "adcli.plot.terminal"): COMMAND + " (plot, not codegen)",
    # the command line: a command module loads what its options ask for
    ("adcli.cli.main", "adcli.render.errors"): COMMAND + " (an error to report)",
    ("adcli.cli.main", "adcli.cli.usage_errors"): COMMAND + " (a usage error to report)",
    ("adcli.cli.options", "adcli.render.errors"): COMMAND + " (an error or warning)",
    ("adcli.cli.options", "adcli.language.point"): COMMAND + " (--at)",
    ("adcli.cli.options", "adcli.batch.driver"): COMMAND + " (--points)",
    ("adcli.cli.options", "adcli.batch.dask_engine"): EXTRA + ": dask (--engine dask)",
    ("adcli.cli.cmd_basic", "adcli.batch.kernels"): COMMAND + " (--points)",
    ("adcli.cli.cmd_basic", "adcli.render.trace_view"): COMMAND + " (grad --stats)",
    ("adcli.cli.cmd_basic", "adcli.sparse.drivers"): COMMAND + " (grad --sparse)",
    ("adcli.cli.cmd_check", "adcli.batch.kernels"): COMMAND + " (--points)",
    ("adcli.cli.cmd_higher", "adcli.batch.kernels"): COMMAND + " (--points)",
    ("adcli.cli.cmd_higher", "adcli.sparse.drivers"): COMMAND + " (hessian --sparse)",
    ("adcli.cli.cmd_codegen", "adcli.codegen.diff"): COMMAND + " (diff)",
    ("adcli.cli.cmd_plot", "adcli.plot.figure"): EXTRA + ": matplotlib (plot --out)",
    ("adcli.cli.cmd_sparse", "adcli.sparse.summary"): COMMAND + " (sparsity)",
    ("adcli.cli.requests", "adcli.batch.writer"): COMMAND + " (--points)",
    ("adcli.cli.requests", "adcli.language.point"): COMMAND + " (--at)",
    ("adcli.cli.requests", "adcli.sparse.summary"): COMMAND + " (the pattern's density)",
}


def modules():
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def deferred_imports():
    """(module, imported adcli module, line) for each import inside a function."""
    known = modules()
    for name, path in sorted(known.items()):
        if name in GENERATED:
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for fn in functions:
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.level:
                    parts = package.split(".")
                    base = parts[:len(parts) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                    subs = [f"{target}.{a.name}" for a in node.names
                            if f"{target}.{a.name}" in known]
                    for imported in subs or [target]:
                        yield name, imported, node.lineno
                elif isinstance(node, ast.ImportFrom | ast.Import):
                    mods = [node.module] if isinstance(node, ast.ImportFrom) \
                        else [a.name for a in node.names]
                    for mod in mods:
                        if mod and mod.split(".")[0] == "adcli":
                            yield name, mod, node.lineno


def test_every_function_level_import_of_adcli_has_a_reason():
    unexplained = sorted({f"{a} imports {b} inside a function (line {line})"
                          for a, b, line in deferred_imports() if (a, b) not in DEFERRED})
    assert not unexplained, (
        "move these imports to the top of their module, or add the pair to DEFERRED "
        "with the reason (start-up or an optional extra):\n" + "\n".join(unexplained))


def test_the_reasons_are_current():
    used = {(a, b) for a, b, _ in deferred_imports()}
    stale = sorted(set(DEFERRED) - used)
    assert not stale, f"no longer deferred, drop from DEFERRED: {stale}"
