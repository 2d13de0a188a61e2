"""--jit's kernels stored as shared objects: a later run loads its kernel
without building it or importing llvmlite, gets the same numbers, and never
loads a file it did not write (another formula's, another machine's, one
others could have replaced)."""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

pytest.importorskip("llvmlite", reason="llvmlite is in the test extra; not installed")
needs_ld = pytest.mark.skipif(shutil.which("ld") is None, reason="no linker (ld) on PATH")

FORMULA = "x*y + sin(x) + tanh(x - y)"
POINTS = "x,y\n2,3\n0.5,-1\n0,1\n-1,2\n1e300,1e10\n"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ADCLI_JIT", "llvm")
    monkeypatch.delenv("ADCLI_JIT_MATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the fallback, isolated too
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
    return tmp_path / "cache" / "adcli" / "jit"


def _kernel(formula=FORMULA, variables=("x", "y")):
    from adcli.batch.driver import GradKernel
    from adcli.codegen.jit import JitKernel

    return JitKernel(GradKernel(adcli.Function(formula), list(variables)))


def _rows(kernel):
    import numpy as np

    X = np.array([[2.0, 3.0], [0.5, -1.0], [-1.0, 2.0], [0.25, 0.125]] * 5)
    V, bad = kernel.compiled.run(X)
    return V.tolist(), bad.tolist()


@needs_ld
def test_a_second_run_loads_the_kernel_without_building_it(cache, monkeypatch):
    first = _kernel()
    assert [p.name for p in cache.iterdir() if p.name.startswith("kernel-")] != []
    # as a new process: nothing compiled in memory, llvmlite and the Kernel unavailable
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
    monkeypatch.setitem(sys.modules, "llvmlite", None)
    monkeypatch.setitem(sys.modules, "llvmlite.binding", None)

    def no_build(*args, **kwargs):
        raise AssertionError("the kernel was built again")

    monkeypatch.setattr("adcli.codegen.jit.Kernel", no_build)
    second = _kernel()
    assert type(second.compiled).__name__ == "SharedKernel"
    assert second.compiled.width == first.compiled.width
    assert _rows(second) == _rows(first)


@needs_ld
def test_the_shared_object_computes_what_the_in_process_kernel_does(monkeypatch):
    """Linked by ld and loaded by ctypes, or loaded by llvmlite's MCJIT
    where there is no linker: the same machine code, the same bits."""
    shared = _rows(_kernel())
    monkeypatch.setenv("PATH", "/nonexistent")  # no ld: compiled and loaded in-process
    monkeypatch.setenv("XDG_CACHE_HOME", os.environ["XDG_CACHE_HOME"] + "-2")
    in_process = _kernel()
    assert type(in_process.compiled).__name__ == "LLVMCompiled"
    assert _rows(in_process) == shared


@needs_ld
def test_each_kernel_has_its_own_key():
    from adcli.codegen.compilers import shared_key

    base = shared_key("x*y", [("inputs", ["x", "y"])], [("f", 0)])
    assert base is not None
    others = [shared_key("x*y + 0", [("inputs", ["x", "y"])], [("f", 0)]),
              shared_key("x*y", [("inputs", ["y", "x"])], [("f", 0)]),
              shared_key("x*y", [("inputs", ["x", "y"])], [("f", 0), ("J", 0)])]
    os.environ["ADCLI_JIT_MATH"] = "libm"  # other machine code for the same kernel
    try:
        others.append(shared_key("x*y", [("inputs", ["x", "y"])], [("f", 0)]))
    finally:
        del os.environ["ADCLI_JIT_MATH"]
    assert len({base, *others}) == 5


@needs_ld
def test_a_kernel_others_could_have_written_is_not_loaded(cache, monkeypatch):
    """A cache directory writable by others (a shared temporary directory,
    say) is not trusted: the kernel is compiled again, not loaded."""
    _kernel()
    os.chmod(cache, 0o777)
    try:
        monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
        built = []
        from adcli.codegen import jit

        real = jit.Kernel
        monkeypatch.setattr(jit, "Kernel", lambda *a, **k: built.append(1) or real(*a, **k))
        again = _kernel()
        assert built == [1] and type(again.compiled).__name__ == "LLVMCompiled"
    finally:
        os.chmod(cache, 0o755)


@needs_ld
def test_a_damaged_shared_object_is_compiled_again(cache):
    """A file at the kernel's name that does not load (truncated by a full
    disk, say: another process wrote it) is replaced by a compiled kernel."""
    code = ("from tests.test_jit_cache import _kernel; _kernel()")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ),
                   cwd=os.path.dirname(os.path.dirname(__file__)), timeout=600)
    stored = [p for p in cache.iterdir() if p.name.startswith("kernel-")]
    assert len(stored) == 1
    stored[0].unlink()
    stored[0].write_bytes(b"not an ELF file")
    kernel = _kernel()
    assert type(kernel.compiled).__name__ == "LLVMCompiled"
    assert stored[0].read_bytes()[:4] == b"\x7fELF"
    assert _rows(kernel)[1] == [False] * 20


@needs_ld
def test_cold_and_warm_processes_write_the_same_bytes(tmp_path):
    """Two real processes on one cache: the first compiles and stores the
    kernel, the second loads it; both write the batch as the engine does."""
    points = tmp_path / "p.csv"
    points.write_text(POINTS)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "shared-cache"), ADCLI_JIT="llvm")
    args = [sys.executable, "-m", "adcli", "grad", FORMULA, "--points", str(points), "--jit"]
    cold = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    warm = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert cold.returncode == warm.returncode == 0
    assert cold.stdout == warm.stdout and cold.stderr == warm.stderr
    assert "overflowed to inf" in warm.stderr  # the 1e300 row: the engine's warning
    plain = CliRunner().invoke(cli, ["grad", FORMULA, "--points", str(points)])
    assert plain.stdout.splitlines()[0] == warm.stdout.splitlines()[0]
    assert len(plain.stdout.splitlines()) == len(warm.stdout.splitlines())
    imports = subprocess.run([sys.executable, "-X", "importtime", *args[1:]],
                             capture_output=True, text=True, env=env, timeout=600)
    assert imports.stdout == warm.stdout and "llvmlite" not in imports.stderr


def test_a_cache_directory_another_user_could_write_is_never_used(tmp_path):
    """Kernels in the cache are loaded and run: when the user's cache and
    the temporary-directory fallback are both writable by others (a planted
    /tmp/adcli-jit-<uid>), nothing is cached or loaded there; --jit falls
    back to NumPy (NoCompiler) instead."""
    from adcli.codegen.compilers import NoCompiler, cache_dir

    user = tmp_path / "cache" / "adcli" / "jit"
    planted = tmp_path / "tmp" / f"adcli-jit-{os.getuid()}"
    for d in (user, planted):
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o777)
    try:
        with pytest.raises(NoCompiler):
            cache_dir()
        os.chmod(planted, 0o700)
        assert cache_dir() == str(planted)
    finally:
        os.chmod(user, 0o755)


# --- the cache stays bounded -------------------------------------------------------

def _fill(cache, names_sizes_ages):
    """Files in the cache with the given sizes, each ``age`` seconds old."""
    import time

    cache.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for name, size, age in names_sizes_ages:
        path = cache / name
        path.write_bytes(b"\0" * size)
        os.utime(path, (now - age, now - age))


def test_pruning_removes_the_least_recently_used_kernels_first(cache):
    from adcli.codegen.compilers import prune_cache

    old, middle, new = ("kernel-" + c * 32 + ".so" for c in "abc")
    _fill(cache, [(old, 1000, 300), (middle, 1000, 200), (new, 1000, 100)])
    removed = prune_cache(limit=2000)
    assert [os.path.basename(p) for p in removed] == [old]
    assert sorted(p.name for p in cache.iterdir()) == [middle, new]


def test_pruning_never_removes_the_file_just_stored_nor_a_young_temporary(cache):
    from adcli.codegen.compilers import prune_cache

    stored = "llvm-" + "d" * 24 + ".o"
    _fill(cache, [(stored, 5000, 10_000), ("tmpab12cd.so", 100, 60),
                  ("llvm-" + "e" * 24 + ".o.4242", 100, 7200), ("tmpzz.c", 100, 7200)])
    removed = prune_cache(keep=str(cache / stored), limit=0)
    # the over-limit kernel is the one just stored: kept; temporaries older than an hour go
    assert sorted(os.path.basename(p) for p in removed) == ["llvm-" + "e" * 24 + ".o.4242",
                                                              "tmpzz.c"]
    assert sorted(p.name for p in cache.iterdir()) == [stored, "tmpab12cd.so"]


@needs_ld
def test_a_warm_run_marks_its_kernel_used_so_a_cold_one_prunes_others_first(cache, monkeypatch):
    import time

    _kernel("x*y + 1")
    used = [p for p in cache.iterdir() if p.name.startswith("kernel-")]
    assert len(used) == 1
    long_ago = time.time() - 10_000
    for p in cache.iterdir():
        os.utime(p, (long_ago, long_ago))
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
    _kernel("x*y + 1")  # warm: loaded, and touched
    assert used[0].stat().st_mtime > long_ago + 5_000
    # a cold kernel under a limit that holds about two shared objects: the
    # touched one stays, the untouched LLVM object code of the first run goes
    monkeypatch.setenv("ADCLI_JIT_CACHE_MB", str(2.5 * used[0].stat().st_size / 2**20))
    _kernel("x - y*y")
    names = [p.name for p in cache.iterdir()]
    assert used[0].name in names
    assert not [n for n in names if n.startswith("llvm-")]
    assert len([n for n in names if n.startswith("kernel-")]) == 2


def test_the_cache_limit_comes_from_the_environment(monkeypatch):
    from adcli.codegen.compilers import CACHE_LIMIT_MB, cache_limit

    monkeypatch.setenv("ADCLI_JIT_CACHE_MB", "1.5")
    assert cache_limit() == int(1.5 * 2**20)
    monkeypatch.setenv("ADCLI_JIT_CACHE_MB", "lots")
    assert cache_limit() == CACHE_LIMIT_MB * 2**20
