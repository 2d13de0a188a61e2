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
heavy = ["lark", "rich", "numpy", "mpmath", "sympy"]
print(json.dumps({"loaded": [m for m in heavy if m in sys.modules], "out": out.getvalue()}))
"""


def probe(cache_dir):
    # TMPDIR too: Lark keeps its own cache there, and a machine that has
    # neither cache (a fresh install) takes a different path through Lark.
    tmp = cache_dir / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {"XDG_CACHE_HOME": str(cache_dir), "TMPDIR": str(tmp), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", "import json\n" + PROBE],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_gradient_imports_no_heavy_module_once_tables_are_cached(tmp_path):
    first = probe(tmp_path)  # builds the LALR tables with Lark and caches them
    assert json.loads(first["out"])["gradient"] == {"x1": 2.5838531634528574, "x2": 2.0}
    assert list(tmp_path.glob("adcli/lalr-*.marshal"))
    second = probe(tmp_path)
    assert second["loaded"] == []
    assert second["out"] == first["out"]


def test_a_changed_or_corrupt_cache_is_rebuilt(tmp_path):
    probe(tmp_path)
    (cached,) = tmp_path.glob("adcli/lalr-*.marshal")
    cached.write_bytes(b"not marshal data")
    again = probe(tmp_path)
    assert json.loads(again["out"])["value"] == 6.909297426825682
