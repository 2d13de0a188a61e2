"""An import of adcli's own modules inside a function needs a reason.

Imports go at the top of the module, unless deferring them buys something,
which is one of two things (each deferred import's category is read from the
code, not taken on trust; ``python -m tests.test_imports`` lists them):

- a heavy dependency: the imported module loads NumPy, Rich, pyarrow, mpmath,
  Lark, matplotlib, llvmlite or dask at its top (itself or through adcli
  modules it imports there), or needs an optional extra;
- the fast path: ``adcli grad EXPR --at ... --format json`` (every shell
  loop's command) does not load the imported module at all.

Deferring a module that the fast path loads anyway buys nothing, and dodging
an import cycle is not a reason (tests/test_layers.py keeps the imports
acyclic, function-level ones included).  Each entry below is (importing
module, imported module) -> why it is deferred, in words.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "adcli"

# the generated parser's own lazy imports are Lark's, not ours
GENERATED = {"adcli.language.lark_standalone"}

EXTRA = "optional extra"
# Start-up reasons carry their figure: the CPU time and the modules that
# importing the module adds where it is deferred (after the fast path and the
# importing module ran; `python -m tests.test_imports --cost` measures them,
# median of 9 processes, on the shared 2-core machine: +-0.2 ms or so).
FAST = "start-up of the fast path, which never runs it: "
ONLY = "start-up of the commands that never run it: "

DEFERRED = {
    # `import adcli` and Function() stay light: each feature loads on first use
    ("adcli.api", "adcli.codegen.diff"): FAST + "3.1 ms, 14 modules (Function.derivative)",
    ("adcli.api", "adcli.codegen.targets"): FAST + "3.2 ms, 13 modules (Function.codegen)",
    ("adcli.api", "adcli.modes.check"): FAST + "0.45 ms (Function.check)",
    ("adcli.api", "adcli.modes.cost"): FAST + "0.2 ms (Function.cost)",
    ("adcli.api", "adcli.modes.trace"): FAST + "0.5 ms, 2 modules (Function.trace)",
    ("adcli.api", "adcli.plot.figure"): EXTRA + ": matplotlib, and NumPy (Function.plot)",
    ("adcli.higher", "adcli.modes.hessian"): FAST + "0.65 ms (hessian)",
    ("adcli.higher", "adcli.modes.taylor"): FAST + "0.7 ms, 2 modules (taylor, partial)",
    ("adcli.numsys", "adcli.printed"): FAST + "1.4 ms, 5 modules: fractions and decimal "
        "(digits=/exact= results of the API)",
    ("adcli.modes.engine", "adcli.modes.generic"): FAST + "0.35 ms (digits=, exact=: float64 "
        "runs the sweeps of modes.sweeps)",
    ("adcli.sparse.drivers", "adcli.modes.hessian"): ONLY + "sparse Jacobians, adcli "
        "sparsity, codegen and --jit's stored kernels (through codegen.kernel): 0.8 ms, "
        "2 modules with sparse.second (hessian --sparse)",
    ("adcli.sparse.drivers", "adcli.sparse.second"): ONLY + "sparse Jacobians, adcli "
        "sparsity, codegen and --jit's stored kernels (through codegen.kernel): 0.8 ms, "
        "2 modules with modes.hessian (hessian --sparse)",
    # the parser: the fast path first; the LALR tables and Lark's stand-alone
    # parser only for formulas it declines and for syntax errors
    ("adcli.language.grammar", "adcli.language.lalr"): FAST + "0.15 ms (formulas the parser's "
        "fast path declines)",
    ("adcli.language.grammar", "adcli.language.lalr_tables"): FAST + "0.1 ms (formulas the "
        "parser's fast path declines)",
    ("adcli.language.grammar", "adcli.language.lark_standalone"): FAST + "8.7 ms, 17 modules "
        "(syntax errors)",
    ("adcli.language.parser", "adcli.language.lark_standalone"): FAST + "8.7 ms, 17 modules "
        "(syntax errors)",
    # batches: NumPy, Arrow and compiled kernels only when a batch needs them
    ("adcli.batch", "adcli.batch.driver"): ONLY + "the array API imports "
        "adcli.batch.numpy_backend, which would load the batch driver: 1.1 ms, 8 modules",
    ("adcli.batch.driver", "adcli.batch.arrow_io"): EXTRA + ": pyarrow",
    ("adcli.batch.driver", "adcli.batch.numpy_backend"): "heavy: NumPy (vectorised kernels)",
    ("adcli.higher", "adcli.batch.numpy_backend"): "heavy: NumPy, for arrays of points only",
    ("adcli.batch.driver", "adcli.codegen.jit"): ONLY + "a batch without --jit: 13 ms, "
        "40 modules (ctypes, hashlib, subprocess)",
    ("adcli.batch.output", "adcli.batch.arrow_io"): EXTRA + ": pyarrow",
    ("adcli.batch.driver", "adcli.batch.jit_stream"): ONLY + "a batch without --jit: 12 ms, "
        "42 modules (--jit on CSV/TSV)",
    ("adcli.batch.jit_stream", "adcli.batch.arrow_io"): EXTRA + ": pyarrow",
    ("adcli.batch.kernels", "adcli.codegen.jit"): ONLY + "a batch without --jit: 13 ms, "
        "40 modules (hessian --points: what --jit compiles)",
    ("adcli.batch.kernels", "adcli.sparse.drivers"): ONLY + "batches without --sparse, "
        "among them --jit's: 1.2 ms (with sparse.formats), 7 modules (--sparse --points)",
    ("adcli.batch.kernels", "adcli.sparse.formats"): ONLY + "batches without --sparse, "
        "among them --jit's: 1.2 ms (with sparse.drivers), 7 modules (--sparse --points)",
    ("adcli.codegen.jit", "adcli.codegen.llvm"): ONLY + "--jit with a stored kernel, loaded "
        "without llvmlite: 4 ms, 2 modules (llvmlite itself is imported by llvm.LLVMCompiled)",
    ("adcli.codegen.jit", "adcli.codegen.targets"): ONLY + "--jit with a stored kernel: "
        "4 ms, 2 modules (the C compiler path)",
    # views: Rich only for a terminal, each kind's helpers only for its formats
    ("adcli.render.results", "adcli.render.rich_view"): FAST + "0.2 ms, 2 modules "
        "(--format text; Rich itself is imported by rich_view's functions)",
    ("adcli.render.program_view", "adcli.plot.terminal"): "heavy: NumPy (plot, not codegen)",
    # the command line: a command module loads what its options ask for
    ("adcli.cli.main", "adcli.cli.usage_errors"): FAST + "0.35 ms, 2 modules (a usage error "
        "to report)",
    ("adcli.cli.options", "adcli.batch.driver"): FAST + "1.9 ms, 9 modules, and no adcli.batch "
        "there (tests/test_startup.py) (--points)",
    ("adcli.cli.options", "adcli.batch.dask_engine"): FAST + "2 ms, 10 modules, and no "
        "adcli.batch there (--engine dask; Dask itself is imported by dask_engine's functions)",
    ("adcli.cli.cmd_basic", "adcli.render.trace_view"): FAST + "0.7 ms, 4 modules (grad "
        "--stats)",
    ("adcli.render.program_view", "adcli.plot.figure"): EXTRA + ": matplotlib (plot --out)",
    ("adcli.cli.requests", "adcli.batch.kernels"): FAST + "2.7 ms, 13 modules, and no "
        "adcli.batch there (tests/test_startup.py) (--points)",
    ("adcli.cli.requests", "adcli.sparse.drivers"): FAST + "1.7 ms, 6 modules, and no "
        "adcli.sparse there (grad/hessian --sparse)",
    ("adcli.cli.requests", "adcli.batch.writer"): FAST + "1.1 ms, 5 modules, and no "
        "adcli.batch there (--points)",
    ("adcli.cli.requests", "adcli.sparse.summary"): FAST + "1.7 ms, 7 modules, and no "
        "adcli.sparse there (the pattern's density)",
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


# At most this many (importing, imported) pairs: the figure only goes down.
# (70 at the start of issue 10's pass over them; 11 deferred modules that the
# fast path loads anyway, now imported at the top; new ones since: 60; then 10
# imported at the top of the module that owns the need, or whose every user
# loads the imported module anyway: 50; cli.requests took the command
# modules' 5 as 2: 47; then 7 that add under 0.3 ms to the commands that load
# the importing module without running the imported one: rich_view imports
# Rich in its functions, so the 5 views import it at their top; modes.taylor
# -> modes.jets; batch.kernels -> render.check_view: 40.
# What stays and why, with figures: docs/one-engine.md.)
ALLOWED = 40

HEAVY = {"numpy", "rich", "pyarrow", "mpmath", "lark", "matplotlib", "llvmlite", "dask",
         "scipy", "sympy"}
FAST_PATH = ["grad", "x1*x2+sin(x1)", "--at", "x1=2,x2=3", "--format", "json"]


def top_level_imports(path):
    """Modules ``path`` imports at its top (not in a function, not for type checking)."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    else:
        package = package.rpartition(".__init__")[0]
    out = set()
    body = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while body:
        node = body.pop(0)
        if isinstance(node, ast.Try):
            body[:0] = node.body + node.finalbody
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
                out.add(target)
                out.update(f"{target}.{a.name}" for a in node.names)
            else:
                out.add(node.module or "")
    return out


def heavy_at_top(module, known, seen=None):
    """The heavy third-party packages importing ``module`` loads."""
    seen = set() if seen is None else seen
    if module in seen or module not in known:
        return set()
    seen.add(module)
    found = set()
    for imported in top_level_imports(known[module]):
        if imported.split(".")[0] in HEAVY:
            found.add(imported.split(".")[0])
        elif imported.startswith("adcli"):
            parts = imported.split(".")
            for i in range(2, len(parts) + 1):  # a package's __init__ runs too
                found |= heavy_at_top(".".join(parts[:i]), known, seen)
    return found


def fast_path_modules():
    """The adcli modules ``adcli grad ... --format json`` loads (one process)."""
    code = ("import io, json, sys, contextlib\nimport adcli.__main__ as m\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        m.main({FAST_PATH!r})\n    except SystemExit:\n        pass\n"
            "print(json.dumps(sorted(n for n in sys.modules if n.startswith('adcli'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT.parent)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


def categories():
    """{(importing, imported): its category}: "heavy: numpy", "not on the fast
    path", or None (deferring it buys nothing)."""
    known = modules()
    on_fast_path = fast_path_modules()
    assert "adcli.modes.sweeps" in on_fast_path  # the probe ran the command
    found = {}
    for a, b, _ in deferred_imports():
        heavy = sorted(heavy_at_top(b, known))
        if heavy:
            found[(a, b)] = "heavy: " + ", ".join(heavy)
        elif b not in on_fast_path:
            found[(a, b)] = "not on the fast path"
        else:
            found[(a, b)] = None
    return found


def test_every_deferred_import_buys_something():
    found = categories()
    for (a, b), category in sorted(found.items()):
        print(f"{a} -> {b}: {category or 'NOTHING'}  ({DEFERRED.get((a, b), '')})")
    useless = sorted(f"{a} -> {b}" for (a, b), category in found.items() if category is None)
    assert not useless, ("the fast path (adcli " + " ".join(FAST_PATH) + ") loads these "
                         "anyway and they load nothing heavy: import them at the top\n"
                         + "\n".join(useless))
    assert len(found) <= ALLOWED, (f"{len(found)} deferred imports of adcli modules, "
                                   f"{ALLOWED} allowed: import the new ones at the top")


def test_the_fast_path_loads_the_views_of_gradients_only():
    """Offering --format's choices and choosing a request by the format read
    registry.FORMATS: no other view module loads, nor the sparse package."""
    loaded = fast_path_modules()
    views = sorted(m for m in loaded if m.startswith("adcli.render.")
                   and m.rpartition(".")[2] not in ("registry", "errors", "failed"))
    assert views == ["adcli.render.results"]
    assert not any(m.startswith("adcli.sparse") for m in loaded)


def test_the_category_reader_sees_heavy_imports_through_adcli_modules():
    known = modules()
    assert heavy_at_top("adcli.batch.numpy_backend", known) == {"numpy"}
    assert heavy_at_top("adcli.cli.cmd_plot", known) == {"numpy"}  # through adcli.plot
    assert heavy_at_top("adcli.modes.sweeps", known) == set()
    # Rich is imported by rich_view's functions, so the views import rich_view
    # at their top (a function-level import defers a heavy third-party module)
    assert heavy_at_top("adcli.render.rich_view", known) == set()


def test_the_reasons_are_current():
    used = {(a, b) for a, b, _ in deferred_imports()}
    stale = sorted(set(DEFERRED) - used)
    assert not stale, f"no longer deferred, drop from DEFERRED: {stale}"


COST_PROBE = """
import contextlib, gc, importlib, io, json, sys, time
import adcli.__main__ as m
with contextlib.redirect_stdout(io.StringIO()):
    try:
        m.main(json.loads(sys.argv[1]))
    except SystemExit:
        pass
importlib.import_module(sys.argv[2])
gc.disable()
before, start = set(sys.modules), time.process_time()
importlib.import_module(sys.argv[3])
print(json.dumps([1000 * (time.process_time() - start), len(set(sys.modules) - before)]))
"""


def import_cost(importing, imported, runs=9):
    """(CPU ms, modules) that importing ``imported`` adds once the fast path
    and ``importing`` ran: the median of ``runs`` fresh processes.  The
    bytecode is compiled first (with PYTHONDONTWRITEBYTECODE set, a changed
    module would otherwise be compiled, and timed, on every run)."""
    import statistics

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT)], check=True,
                   capture_output=True, timeout=300)
    found = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COST_PROBE, json.dumps(FAST_PATH),
                              importing, imported], capture_output=True, text=True,
                             timeout=120, cwd=ROOT.parent, check=True)
        found.append(json.loads(out.stdout))
    return statistics.median(ms for ms, _ in found), found[-1][1]


if __name__ == "__main__" and sys.argv[1:] == ["--cost"]:
    # what each deferral that is not for a heavy module keeps off its path
    for (importing, imported), category in sorted(categories().items()):
        if category and not category.startswith("heavy"):
            ms, count = import_cost(importing, imported)
            print(f"{ms:6.2f} ms {count:3} modules  {importing} -> {imported}")
elif __name__ == "__main__":
    listed = categories()
    for (importing, imported), category in sorted(listed.items(), key=lambda kv: (str(kv[1]),
                                                                                   kv[0])):
        print(f"{category or 'NOTHING':24} {importing} -> {imported}")
    print(f"{len(listed)} deferred imports of adcli modules ({ALLOWED} allowed)")
