"""adcli runs in shell loops: a plain `grad` imports only what it needs."""

import json
import subprocess
import sys

PROBE = """
import sys, io, contextlib
from adcli.cli.main import main
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        main(["grad", "x1*x2+sin(x1)", "--at", "x1=2,x2=3", "--format", "json"])
except SystemExit:
    pass
heavy = ["lark", "rich", "numpy", "mpmath", "sympy", "pyarrow", "matplotlib", "pandas", "polars",
         "dask", "scipy", "psutil", "adcli.batch", "adcli.plot", "adcli.codegen"]
print(json.dumps({"loaded": [m for m in heavy if m in sys.modules], "out": out.getvalue()}))
"""


def probe(cache_dir):
    # TMPDIR too: Lark keeps its own cache there, and a machine that has
    # neither cache (a fresh install) takes a different path through Lark.
    tmp = cache_dir / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {"XDG_CACHE_HOME": str(cache_dir), "TMPDIR": str(tmp), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", "import json\n" + PROBE],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_gradient_imports_no_heavy_module_even_on_a_first_run(tmp_path):
    """The parser's tables are generated and checked in: a first run (empty
    caches) imports no Lark, builds nothing and writes no cache."""
    first = probe(tmp_path)
    assert first["loaded"] == []
    assert json.loads(first["out"])["gradient"] == {"x1": 2.5838531634528574, "x2": 2.0}
    assert [p.name for p in tmp_path.iterdir()] == ["tmp"]
    assert not list((tmp_path / "tmp").iterdir())


def test_a_syntax_error_is_explained_without_lark(tmp_path):
    """Lark's stand-alone parser, generated into adcli, explains errors:
    the lark package is not needed to run adcli."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    code = ("import sys\nfrom adcli.cli.main import main\n"
            "try:\n    main(['eval', '2*(x+1', '--at', 'x=1'])\nexcept SystemExit as e:\n"
            "    print(e.code, 'lark' in sys.modules, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"XDG_CACHE_HOME": str(tmp_path), "TMPDIR": str(tmp),
                               "PATH": "/usr/bin:/bin"}, timeout=60)
    assert "expected `)`" in proc.stderr and "a `(` is never closed" in proc.stderr
    assert proc.stderr.rstrip().endswith("2 False")
