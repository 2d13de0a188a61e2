"""adcli's layers, read from the imports themselves (ast): no import cycle
among adcli's modules, and no module imports one from a higher layer
(function-level imports count too: they only defer loading).

``LAYERS`` is the one table of the layers; the diagram in docs/internals.md
and CONTRIBUTING.md is written from it and from the imports as they are
(``python -m tests.test_layers`` rewrites it; a test fails when it is stale).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "adcli"

# lowest first; a module takes the layer of its longest matching prefix
LAYERS = [
    ["adcli._version", "adcli.collector", "adcli.errors", "adcli.frozen", "adcli.numtext",
     "adcli.primitives"],
    ["adcli.language", "adcli.graph"],
    ["adcli.numsys", "adcli.printed"],
    ["adcli.modes", "adcli.modes.rules", "adcli.modes.messages", "adcli.modes.sweeps",
     "adcli.modes.generic", "adcli.modes.engine", "adcli.modes.hessian", "adcli.modes.taylor",
     "adcli.batch.numpy_backend", "adcli.sparse.pattern", "adcli.sparse.colouring"],
    # reading --at points evaluates constant expressions with the engine
    ["adcli.modes.trace", "adcli.modes.cost", "adcli.modes.check", "adcli.language.point"],
    ["adcli.arguments", "adcli.results"],
    ["adcli", "adcli.api", "adcli.higher", "adcli.precise", "adcli.codegen", "adcli.plot",
     "adcli.sparse"],
    # batches stream rendered rows (the NumPy sweeps above are engine)
    ["adcli.render", "adcli.batch"],
    ["adcli.cli", "adcli.__main__"],
]
# what each layer is, in the diagram the docs show (one name per entry of LAYERS)
LAYER_NAMES = [
    "foundation: the primitives table, errors, numbers as text",
    "language and graph: parser, DAG, tape",
    "number systems",
    "engine: rules, sweeps, Hessian, Taylor",
    "analysis: trace, cost, check; --at points",
    "API arguments and results",
    "API: Function, and the features on it",
    "render, and batches",
    "CLI",
]


def modules():
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name, path, known):
    """The adcli modules ``name`` imports, anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            out.update(subs if len(subs) == len(node.names) else [target, *subs])
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in known and m != name}


def layer(name):
    best, level = -1, None
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), i
    assert level is not None, f"{name} is in no layer: add it to LAYERS"
    return level


def graph():
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_no_module_imports_from_a_higher_layer():
    upward = [f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
              for a, targets in sorted(graph().items()) for b in sorted(targets)
              if layer(b) > layer(a)]
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    edges = graph()
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path, monkeypatch):
    pkg = tmp_path / "adcli"
    (pkg / "modes").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "modes" / "__init__.py").write_text("")
    (pkg / "errors.py").write_text("def f():\n    from .api import g\n")
    (pkg / "api.py").write_text("from .errors import f\n")
    import sys

    monkeypatch.setattr(sys.modules[__name__], "ROOT", pkg)
    edges = graph()
    assert edges["adcli.errors"] == {"adcli.api"} and edges["adcli.api"] == {"adcli.errors"}
    assert layer("adcli.api") > layer("adcli.errors")


# -- below the API, no module takes the API's Function --------------------------
# An import is not the only way up: a parameter typed Any on which
# ``fn.gradient(...)`` is called depends on adcli.api as much as an import
# does (modes/check.py did).  The engine and the analyses take a tape and a
# vector; so, below the API's layers, no call of a method that Function
# defines and no annotation naming Function.

def function_methods():
    """The methods adcli.api.Function defines (dunders aside), read from its text."""
    tree = ast.parse((ROOT / "api.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Function")
    return {n.name for n in cls.body
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("__")}


def uses_of_the_function(path, methods):
    """'line: what' for each call of a Function method and each annotation naming it."""
    return uses_in(ast.parse(path.read_text(encoding="utf-8")), methods)


def uses_in(tree, methods):
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in methods):
            found.append(f"{node.lineno}: calls {ast.unparse(node.func)}()")
        elif isinstance(node, ast.arg | ast.FunctionDef | ast.AnnAssign):
            note = node.returns if isinstance(node, ast.FunctionDef) else node.annotation
            text = ast.unparse(note) if note is not None else ""
            if "Function" in text.replace("FunctionType", ""):
                found.append(f"{node.lineno}: annotated {text}")
    return found


def test_below_the_api_nothing_takes_the_api_function():
    api_layer = layer("adcli.arguments")
    methods = function_methods()
    assert {"gradient", "tape", "_bind"} <= methods
    found = [f"{name} (layer {layer(name)}) line {use}"
             for name, path in sorted(modules().items())
             if layer(name) < api_layer and name != "adcli.language.lark_standalone"  # Lark's
             for use in uses_of_the_function(path, methods)]
    assert not found, ("the engine and the analyses take a tape and a vector, not the API's "
                       "Function:\n" + "\n".join(found))


def test_the_sparse_sweeps_take_a_tape():
    """adcli.sparse.drivers holds the Python API's sparse_jacobian and
    sparse_hessian (docs/sparse.md), which read the point, ``wrt`` and
    ``output`` as the API does; below them the compressed sweeps take a tape,
    input values and input indices."""
    entry_points = {"sparse_jacobian", "sparse_hessian"}
    tree = ast.parse((ROOT / "sparse" / "drivers.py").read_text(encoding="utf-8"))
    methods = function_methods()
    defined = {node.name: node for node in tree.body
               if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    assert entry_points | {"tape_sparse_jacobian", "tape_sparse_hessian"} <= set(defined)
    found = [f"{name} line {use}" for name, node in sorted(defined.items())
             if name not in entry_points for use in uses_in(node, methods)]
    assert not found, "\n".join(found)
    for name in entry_points:  # each binds, then hands the tape to its sweep
        called = {n.func.id for n in ast.walk(defined[name])
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert f"tape_{name}" in called, name


def test_the_checker_sees_a_duck_typed_function(tmp_path):
    module = tmp_path / "check.py"
    module.write_text("def check(fn: 'Function', point):\n"
                      "    return fn.gradient(point)\n")
    found = uses_of_the_function(module, {"gradient"})
    assert [f.split(":")[0] for f in found] == ["1", "2"] and "fn.gradient" in found[1]


# -- the diagram in the docs ------------------------------------------------

DIAGRAM_PAGES = ["docs/internals.md", "CONTRIBUTING.md"]
BEGIN = "<!-- layers:begin (written by python -m tests.test_layers from its LAYERS) -->"
END = "<!-- layers:end -->"


def _members(modules_here):
    """A layer's modules, a line per folder: ``adcli/cli/: __init__, main, options``."""
    folders = {}
    for name, path in modules().items():
        if name in modules_here:
            where = path.parent.relative_to(ROOT.parent).as_posix()
            folders.setdefault(where, []).append(path.stem)
    return [f"{where}/: {', '.join(sorted(stems))}" for where, stems in sorted(folders.items())]


def diagram():
    """The layers, highest first, each with its modules and the lower
    layers it really imports from (read from the code, not remembered)."""
    edges = graph()
    everything = set(edges)
    levels = {name: layer(name) for name in everything}
    assert len(LAYER_NAMES) == len(LAYERS), "give the new layer its name in LAYER_NAMES"
    out = ["layer  (a module imports only from its own layer and the layers below)"]
    for i in reversed(range(len(LAYERS))):
        here = {m for m in everything if levels[m] == i}
        below = sorted({levels[t] for m in here for t in edges[m] if levels[t] < i}, reverse=True)
        uses = ", ".join(map(str, below)) if below else "nothing of adcli"
        out.append(f"{i}  {LAYER_NAMES[i]}  (imports from {uses})")
        out += [f"     {line}" for line in _wrapped(_members(here))]
    return "\n".join(out) + "\n"


def _wrapped(lines, width=92):
    for line in lines:
        while len(line) > width:
            cut = line.rindex(", ", 0, width) + 1
            yield line[:cut]
            line = "    " + line[cut + 1:]
        yield line


def _block():
    return f"{BEGIN}\n```text\n{diagram()}```\n{END}"


def _with_diagram(text):
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + _block() + text[stop:]


def test_the_docs_show_the_layers_as_they_are():
    root = ROOT.parent
    for page in DIAGRAM_PAGES:
        text = (root / page).read_text(encoding="utf-8")
        assert BEGIN in text and END in text, f"{page} lost its layer diagram's markers"
        assert _with_diagram(text) == text, (
            f"{page}'s layer diagram is stale: run `python -m tests.test_layers` "
            f"and commit the result\n{diagram()}")


if __name__ == "__main__":
    for page in DIAGRAM_PAGES:
        path = ROOT.parent / page
        path.write_text(_with_diagram(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote the layer diagram into {page}")
