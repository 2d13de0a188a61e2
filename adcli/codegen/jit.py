"""``--jit``: run a batch through compiled derivative code.

The kernel is the C that ``adcli codegen --lang c`` prints (the tape and one
symbolic sweep), plus a loop over the points; the system C compiler builds
it into a shared library once, ctypes loads it, and the batch driver hands
it whole chunks.  Compiled libraries are cached in
``$XDG_CACHE_HOME/adcli/jit`` (else ``~/.cache/adcli/jit``, else a
temporary directory) under a hash of the C source, which is a function of
the tape, the command and adcli's version; a shell loop pays compilation
once.

A row the compiled code cannot finish exactly as the engine would (a
domain error, a step on its kink, an overflow or nan: anything that makes
the engine warn or fail) is flagged and recomputed by the scalar engine,
so messages, warnings and conventions are the engine's own.

When llvmlite is installed the same kernel is compiled as LLVM IR
in-process instead (adcli/codegen/llvm.py: faster to compile, and vector
math), chosen by measurement (``bench/codegen.py``, docs/codegen.md).
Where the system linker (``ld``) is there, that kernel is linked into a
shared object named by a key computed before anything is built (the
formula's text, the command's columns, adcli's version and code, the CPU:
:func:`adcli.codegen.compilers.shared_key`), so a later run loads it with
ctypes without building the derivative program or importing llvmlite.
Without either compiler the batch runs on the NumPy path with one note on
stderr.
"""

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TextIO

from .. import __version__
from ..errors import option
from .kernel import Column, Kernel

if TYPE_CHECKING:
    import numpy as np


class BatchFunction(Protocol):
    """A compiled batch kernel: :class:`Compiled` (C) or
    :class:`adcli.codegen.llvm.LLVMCompiled`."""

    address: int

    def run(self, X: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]": ...

CFLAGS = ["-std=c99", "-O2", "-shared", "-fPIC"]
_LOADED: dict[str, ctypes.CDLL] = {}  # source hash -> the loaded library


from .compilers import NoCompiler, _trusted, cache_dir, load_shared, prune_cache, shared_key, touch  # noqa: E402,F401


def compiler() -> str:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") \
        or shutil.which("clang")
    if not cc:
        raise NoCompiler("no C compiler (cc) on PATH")
    return cc


def build(source: str, symbol: str, cc: str | None = None, flags: Sequence[str] = CFLAGS,
          suffix: str = ".c") -> ctypes.CDLL:
    """The loaded library for ``source`` (compiled once, then cached): C by
    the system compiler, or another language with ``cc`` and its ``flags``."""
    key = hashlib.sha256(f"{__version__}\0{' '.join(flags)}\0{source}".encode()).hexdigest()[:24]
    lib = _LOADED.get(key)
    if lib is not None:
        return lib
    path = os.path.join(cache_dir(), f"{symbol}-{key}.so")
    if not os.path.exists(path) or not _trusted(path):  # not ours: built again over it
        cc = cc or compiler()
        fd, tmp_src = tempfile.mkstemp(suffix=suffix, dir=os.path.dirname(path))
        tmp_lib = tmp_src[:-len(suffix)] + ".so"
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(source)
            res = subprocess.run([cc, *flags, tmp_src, "-o", tmp_lib, "-lm"],
                                 capture_output=True, text=True)
            if res.returncode != 0:
                raise NoCompiler(f"{os.path.basename(cc)} failed: "
                                 f"{res.stderr.strip().splitlines()[-1:]}")
            os.chmod(tmp_lib, 0o755)  # whatever the umask: a group-writable file is not trusted
            os.replace(tmp_lib, path)  # atomic: a concurrent run sees all or nothing
            prune_cache(keep=path)
        except OSError as exc:
            raise NoCompiler(str(exc)) from None
        finally:
            for p in (tmp_src, tmp_lib):
                if os.path.exists(p):
                    os.unlink(p)
    else:
        touch(path)
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise NoCompiler(f"cannot load the compiled kernel: {exc}") from None
    _LOADED[key] = lib
    return lib


def batch_source(kernel: Kernel, columns: Sequence[Column], name: str = "adcli_jit") -> str:
    """C: the kernel, then ``NAME_batch(n, X, OUT, status)`` filling one
    row of OUT per row of X with the cells ``columns`` lists as (group,
    index) pairs; status[i] is 0, or nonzero for a row the engine must redo."""
    from .targets import emit_c

    source = emit_c(kernel, name, main=False)
    groups = [(g, len(nodes)) for g, nodes, _ in kernel.groups]
    n_in = len(kernel.inputs)
    decl = " ".join(f"double {g}[{max(k, 1)}];" for g, k in groups)
    args = ", ".join(g for g, _ in groups)
    # a derivative is written with +0.0 added, as the engine does (-0 → 0)
    copy = [f"        o[{j}] = {g}[{i}]{'' if g == 'f' else ' + 0.0'};"
            for j, (g, i) in enumerate(columns)]
    return source + "\n".join([
        "",
        f"void {name}_batch(long n, const double *X, double *OUT, int *status);",
        f"void {name}_batch(long n, const double *X, double *OUT, int *status)",
        "{",
        "    long i;",
        "    int j;",
        "    for (i = 0; i < n; i++) {",
        f"        const double *x = X + i * {max(n_in, 1)};",
        f"        double *o = OUT + i * {max(len(columns), 1)};",
        f"        {decl}",
        f"        int rc = {name}(x, {args});",
        "        (void)x;",
        "        status[i] = rc;",
        "        if (rc != 0) continue;",
    ] + copy + [
        f"        for (j = 0; j < {len(columns)}; j++)",
        "            if (!isfinite(o[j])) status[i] = 1;",
        "    }",
        "}",
        ""])


class Compiled:
    """A compiled batch function: ``run(X) -> (V, bad rows)``."""

    def __init__(self, kernel: Kernel, columns: Sequence[Column]) -> None:
        import numpy as np

        self.np = np
        self.n_in = len(kernel.inputs)
        self.n_cols = len(columns)
        source = batch_source(kernel, columns)
        lib = build(source, "adcli_jit")
        fn = lib.adcli_jit_batch
        self.address: int = ctypes.cast(fn, ctypes.c_void_p).value or 0  # for the stream driver
        fn.restype = None
        fn.argtypes = [ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        self.fn = fn

    def run(self, X: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
        np = self.np
        X = np.ascontiguousarray(X, dtype=np.float64).reshape(-1, max(self.n_in, 1)) \
            if self.n_in else np.zeros((X.shape[0], 1))
        n = X.shape[0]
        V = np.empty((n, self.n_cols))
        status = np.zeros(n, dtype=np.intc)
        self.fn(n, X.ctypes.data, V.ctypes.data, status.ctypes.data)
        return V, status != 0


def jit_kernel(batch_kernel: Any, stderr: TextIO | None = None,
               note: Callable[[str, str], None] | None = None) -> Any:
    """The compiled version of an eval or grad batch kernel, or the kernel
    itself (with one note on stderr) when nothing can be compiled here.
    ``note(text, hint)`` writes the note (the batch driver's wraps it as
    errors are: adcli/render/errors.py); by default one line per part."""
    stderr = stderr or sys.stderr
    if note is None:
        def note(text: str, hint: str) -> None:
            stderr.write(f"adcli: note: {text}\n  {hint}\n")
    kind = type(batch_kernel).__name__
    spec = getattr(batch_kernel, "jit_spec", None)
    if kind not in ("EvalKernel", "GradKernel") and spec is None:
        note(f"{option('jit')} compiles eval, grad and hessian batches (not "
             f"{option('direction')}, {option('cotangent')} or {option('digits')}); this one "
             "runs on the engine",
             f"drop {option('jit')} to silence this note")
        return batch_kernel
    try:
        return JitKernel(batch_kernel) if spec is None else HessianJitKernel(batch_kernel, spec)
    except NoCompiler as exc:
        note(f"{option('jit')} unavailable ({exc}); using the NumPy path",
             "install a C compiler (cc) or llvmlite (pip install 'adcli[jit]') to compile "
             "the batch")
        return batch_kernel


def compiled(kernel: Kernel, columns: Sequence[Column],
             shared_key: str | None = None) -> BatchFunction:
    """The batch function, by the faster-compiling path available: LLVM IR
    through llvmlite (in-process, milliseconds), else generated C through
    the system compiler.  ``ADCLI_JIT=llvm|c`` forces one.  ``shared_key``:
    where LLVM's kernel is stored for :func:`kernel_for` to find."""
    backend = os.environ.get("ADCLI_JIT", "auto")
    if backend in ("auto", "llvm"):
        try:
            from .llvm import LLVMCompiled

            return LLVMCompiled(kernel, columns, shared_key=shared_key)
        except ImportError:
            if backend == "llvm":
                raise NoCompiler("llvmlite is not installed (pip install adcli[jit])") from None
    return Compiled(kernel, columns)


def kernel_for(fn: Any, columns: Sequence[Column], **spec: Any) -> BatchFunction:
    """The compiled batch function of ``Kernel(fn, flag_kinks=True, **spec)``
    writing ``columns``: loaded from its shared object where an earlier run
    stored one (nothing built, llvmlite not imported), else compiled."""
    key = None
    if os.environ.get("ADCLI_JIT", "auto") in ("auto", "llvm"):
        key = shared_key(fn.source, sorted(spec.items()), list(columns))
        n_in = len(spec.get("inputs") or fn.inputs)
        found = load_shared(key, n_in, len(columns)) if key else None
        if found is not None:
            return found
    return compiled(Kernel(fn, flag_kinks=True, **spec), columns, key)


class JitKernel:
    """Wraps an EvalKernel or GradKernel: same columns and JSON, compiled
    compute.  Flagged rows go through the wrapped kernel's scalar path."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.columns = inner.columns
        self.templated = getattr(inner, "templated", True)
        layout = inner.layout()  # the batch driver's columns, cell by cell
        order = 1 if any(j is not None for _, j in layout) else 0
        inputs = list(inner.variables)
        # only the columns written: forward seeds (or reverse cells) of --wrt's inputs
        wrt = [inputs[j] for j in dict.fromkeys(j for _, j in layout if j is not None)]
        m = len(wrt)
        columns = [("f", k) if j is None else ("J", k * m + wrt.index(inputs[j]))
                   for k, j in layout]
        self.compiled = kernel_for(inner.fn, columns, order=order,
                                   mode=getattr(inner, "mode", "auto"), inputs=inputs, wrt=wrt)

    def compute(self, X: "np.ndarray", skip: Any) -> tuple[Any, dict, dict]:
        V, bad = self.compiled.run(X)
        errors: dict = {}
        warnings: dict = {}
        inner = self.inner
        inner._recompute(bad if bad.any() else None, skip, V, errors, warnings, X, inner._one)
        return V, errors, warnings

    def json_obj(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.json_obj(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class HessianSpec(NamedTuple):
    """What ``hessian --points --jit`` compiles: value, gradient and Hessian
    of one output (``output``: its index or name, None for the only one)
    with respect to ``wrt`` (None: every input)."""

    fn: Any
    wrt: list[str] | None
    output: int | str | None


class HessianJitKernel:
    """Wraps the hessian command's PointKernel: the same columns and rows,
    computed by the generated second-order code (forward over reverse, as
    ``adcli codegen --order 2``).  A flagged row (domain error, kink,
    non-finite cell) is computed by the engine, so its message and warnings
    are the engine's; JSON rows are rendered by the engine too."""

    thread_safe = True  # compute keeps no state; json_obj recomputes by point

    def __init__(self, inner: Any, spec: HessianSpec) -> None:
        self.inner = inner
        self.columns = inner.columns
        variables = list(inner.variables)
        wrt = list(spec.wrt or variables)  # only these gradient and Hessian cells are computed
        m = len(wrt)
        columns = [("f", 0)] + [("g", i) for i in range(m)] + [
            ("H", i * m + j) for i in range(m) for j in range(m)]
        if len(columns) != len(self.columns):
            raise NoCompiler("the Hessian's columns do not match the kernel's")
        self.compiled = kernel_for(spec.fn, columns, order=2, inputs=variables,
                                   output=spec.output, wrt=wrt)

    def compute(self, X: "np.ndarray", skip: Any) -> tuple[Any, dict, dict]:
        V, bad = self.compiled.run(X)
        errors: dict = {}
        warnings: dict = {}
        self.inner.recompute(bad, skip, V, errors, warnings, X)
        return V, errors, warnings

    def json_obj(self, cells: Any, point: Any, warnings: Any, row: Any = None) -> Any:
        return self.inner.json_obj(cells, point, warnings)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
