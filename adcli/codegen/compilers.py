"""What every compiler path shares: its failure and its cache directory
(below :mod:`adcli.codegen.jit` and :mod:`adcli.codegen.llvm`, which both use them)."""

import ctypes
import os
import re
import tempfile
from typing import Any

from .. import __version__


class NoCompiler(Exception):
    """No compiler path works here: the caller falls back to NumPy."""


def cache_dir() -> str:
    """Where compiled kernels are kept: a directory this user owns and
    nobody else may write.  Everything in it (shared objects, LLVM object
    code) is loaded and run, so a directory another user created or can
    write, such as a planted ``/tmp/adcli-jit-<uid>``, is never used."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for root in (os.path.join(base, "adcli", "jit"),
                 os.path.join(tempfile.gettempdir(), f"adcli-jit-{os.getuid()}")):
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)
            if os.access(root, os.W_OK) and _owned_by_us(root):
                return root
        except OSError:
            continue
    raise NoCompiler("no cache directory that only this user can write")


def _owned_by_us(path: str) -> bool:
    st = os.stat(path)
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


# --- keeping the cache bounded ---------------------------------------------------
#
# Every formula, and every edit of adcli's code, adds files (~55 KB per
# kernel) that nothing else would ever remove.  So after each file is
# stored, the least recently used ones go until the directory is under its
# limit; a file that is used is touched, so "least recently used" is its
# modification time.  A file another run is about to load may go too: that
# run then fails to load it and compiles again, as on a cold cache.

CACHE_LIMIT_MB = 256  # ADCLI_JIT_CACHE_MB overrides
_STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed run
_FINAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*-[0-9a-f]{24,32}\.(so|o)$")


def cache_limit() -> int:
    """The cache's size limit in bytes (ADCLI_JIT_CACHE_MB, else CACHE_LIMIT_MB)."""
    try:
        mb = float(os.environ.get("ADCLI_JIT_CACHE_MB", CACHE_LIMIT_MB))
    except ValueError:
        mb = CACHE_LIMIT_MB
    return max(0, int(mb * 1024 * 1024))


def touch(path: str) -> None:
    """Mark a cached file as just used (it is then the last to be pruned)."""
    try:
        os.utime(path)
    except OSError:
        pass


def prune_cache(keep: str | None = None, limit: int | None = None) -> list[str]:
    """Remove the least recently used files of the cache until it holds at
    most ``limit`` bytes (:func:`cache_limit` by default), and temporary
    files left by killed runs; never ``keep`` (the file just stored) nor a
    temporary file another run may still be writing.  The removed paths."""
    import time

    try:
        folder = cache_dir()
        entries = [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except (OSError, NoCompiler):
        return []
    limit = cache_limit() if limit is None else limit
    now = time.time()
    removed, cached = [], []
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if _FINAL_NAME.match(entry.name):
            cached.append((st.st_mtime, st.st_size, entry.path))
        elif now - st.st_mtime > _STALE_TEMP_SECONDS and _unlink(entry.path):
            removed.append(entry.path)
    total = sum(size for _, size, _ in cached)
    for _, size, path in sorted(cached):  # oldest first
        if total <= limit:
            break
        if path != keep and _unlink(path):
            removed.append(path)
            total -= size
    return removed


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


# --- compiled kernels as shared objects, found again without compiling ------------
#
# A warm --jit run should cost no more than loading its kernel: not building
# the derivative program, generating IR, or importing llvmlite (~60-80 ms of
# a 1,000-op kernel).  So the kernel is linked (by the system's ``ld``) into
# a shared object named by a key computed from what determines it, before
# any of that work, and loaded by ctypes.

_KEY_VERSION = "adcli-jit-shared-1"
WIDTH_SYMBOL = "adcli_kernel_width"  # an i32 in the shared object: points per vector
ENTRY_SYMBOL = "batch"  # void batch(long n, double *X, double *OUT, int *status)


def _package_stamp() -> str:
    """Size and modification time of every module of adcli: the code that
    wrote a kernel (its version alone does not change in a development
    tree, where a cached kernel from older code would be wrong)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stamp = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                stamp.append(f"{os.path.relpath(os.path.join(folder, name), root)}"
                             f":{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(stamp)


def _machine() -> str | None:
    """This CPU, as precisely as machine code depends on it (its model and
    feature flags, from /proc/cpuinfo's first processor); None where that
    cannot be read, and then nothing is looked up by key."""
    try:
        with open("/proc/cpuinfo", "rb") as fh:
            text = fh.read(16384).decode("ascii", "replace")
    except OSError:
        return None
    first = text.split("\n\n", 1)[0]
    lines = [ln for ln in first.splitlines()
             if ln.split(":", 1)[0].strip() in ("vendor_id", "model name", "flags")]
    return "\n".join(lines) if lines else None


def shared_key(*parts: object) -> str | None:
    """The name of a kernel's shared object, from ``parts`` (the formula's
    text, inputs, columns, mode ...: everything the kernel is a function
    of), adcli's version and code, the machine and the options that choose
    the machine code (ADCLI_JIT_MATH); None where the machine is unknown."""
    import hashlib

    machine = _machine()
    if machine is None:
        return None
    text = "\0".join([_KEY_VERSION, __version__, _package_stamp(), machine,
                      os.environ.get("ADCLI_JIT_MATH", "vector"), repr(parts)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _trusted(path: str) -> bool:
    """Whether ``path`` and its directory belong to this user and nobody
    else may write them: a shared object found there is loaded and run, so
    one planted in a shared temporary directory must not be."""
    return all(_owned_by_us(p) for p in (os.path.dirname(path), path))


def shared_path(key: str) -> str:
    return os.path.join(cache_dir(), f"kernel-{key}.so")


class SharedKernel:
    """A kernel loaded from its shared object: the interface of
    :class:`adcli.codegen.llvm.LLVMCompiled` (``address``, ``width``, ``run``)."""

    def __init__(self, lib: ctypes.CDLL, n_in: int, n_cols: int) -> None:
        self.lib = lib  # kept: the code lives as long as the library is loaded
        self.n_in = n_in
        self.n_cols = n_cols
        self.width = ctypes.c_int.in_dll(lib, WIDTH_SYMBOL).value
        fn = getattr(lib, ENTRY_SYMBOL)
        self.address = ctypes.cast(fn, ctypes.c_void_p).value or 0
        self.fn = ctypes.CFUNCTYPE(None, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p,
                                   ctypes.c_void_p)(self.address)

    def run(self, X: Any) -> Any:
        """(V, bad rows) for the points X (n × inputs); V is n × cells."""
        return run_batch(self, X)


def load_shared(key: str, n_in: int, n_cols: int) -> SharedKernel | None:
    """The kernel stored under ``key``, or None (not there, not ours, or
    not loadable: then it is compiled again)."""
    try:
        path = shared_path(key)
        if not os.path.exists(path) or not _trusted(path):
            return None
        kernel = SharedKernel(ctypes.CDLL(path), n_in, n_cols)
        touch(path)
        return kernel
    except (OSError, ValueError, AttributeError, NoCompiler):
        return None


def store_shared(key: str, obj: bytes, libraries: tuple[str, ...]) -> str | None:
    """Link the object code ``obj`` into the shared object for ``key``
    (written under a temporary name, then renamed: a concurrent run sees
    all of it or nothing); its path, or None where there is no linker or
    it fails (the caller loads ``obj`` in-process instead)."""
    import shutil
    import subprocess

    ld = shutil.which("ld")
    if ld is None:
        return None
    try:
        path = shared_path(key)
        fd, tmp_obj = tempfile.mkstemp(suffix=".o", dir=os.path.dirname(path))
    except (OSError, NoCompiler):
        return None
    tmp_lib = tmp_obj[:-2] + ".so"
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(obj)
        res = subprocess.run([ld, "-shared", "-z", "now", "-o", tmp_lib, tmp_obj,
                              *(f"-l:{lib}" for lib in libraries)],
                             capture_output=True)
        if res.returncode != 0:
            return None
        os.chmod(tmp_lib, 0o755)
        os.replace(tmp_lib, path)
        prune_cache(keep=path)
        return path
    except OSError:
        return None
    finally:
        for p in (tmp_obj, tmp_lib):
            if os.path.exists(p):
                os.unlink(p)


def run_batch(kernel: Any, X: Any) -> Any:
    """Run a compiled batch function (``kernel.fn``; ``width`` points per
    vector, 0 for one at a time over row-major arrays) on the points X:
    (V, bad rows), V n × cells."""
    import numpy as np

    n = X.shape[0]
    if kernel.width:
        return _run_columns(kernel, np, X, n)
    X = np.ascontiguousarray(X, dtype=np.float64) if kernel.n_in else np.zeros((n, 1))
    V = np.empty((n, max(kernel.n_cols, 1)))
    status = np.zeros(n, dtype=np.int32)
    kernel.fn(n, X.ctypes.data, V.ctypes.data, status.ctypes.data)
    V = V[:, :kernel.n_cols]
    return V, (status != 0) | ~np.isfinite(V).all(axis=1)


def _run_columns(kernel: Any, np: Any, X: Any, n: int) -> Any:
    """Column-major in and out, padded to whole vectors; V comes back as
    a column-major view (each result column contiguous for the writer)."""
    width = kernel.width
    padded = -(-n // width) * width
    Xc = np.zeros((max(kernel.n_in, 1), padded))
    if kernel.n_in:
        Xc[:, :n] = X.T
    out = np.empty((max(kernel.n_cols, 1), padded))
    status = np.zeros(padded, dtype=np.int32)
    if padded:
        kernel.fn(padded, Xc.ctypes.data, out.ctypes.data, status.ctypes.data)
    V = out[:kernel.n_cols, :n].T
    return V, (status[:n] != 0) | ~np.isfinite(V).all(axis=1)
