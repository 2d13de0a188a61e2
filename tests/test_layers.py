"""adcli's layers, read from the imports themselves (ast): no import cycle
among adcli's modules, and no module imports one from a higher layer
(function-level imports count too: they only defer loading).

    primitives → language, graph → number systems → engine → analysis
      → API (arguments and results, then Function and the features built on
        it: codegen, plot, sparse, batch) → render → CLI
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "adcli"

# lowest first; a module takes the layer of its longest matching prefix
LAYERS = [
    ["adcli._version", "adcli.collector", "adcli.errors", "adcli.numtext", "adcli.primitives"],
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
