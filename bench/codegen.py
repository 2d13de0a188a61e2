"""Benchmarks for ``adcli diff``, ``adcli codegen`` and ``--jit`` (issue 13).

    python -m bench.codegen [--quick]

Every figure is measured in this run.  Workloads:

* diff size: operations in adcli's gradient formula (reverse sweep, shared
  subexpressions once) against SymPy's ``diff`` (a tree) and ``diff`` +
  ``cse``, as products of n factors, nested compositions and the Rosenbrock
  chain grow (``sympy.count_ops``; adcli counts DAG operations);
* --jit against the NumPy path: in-process batch kernels on ~1,000-operation
  formulas (transcendental-heavy and arithmetic-heavy), and whole
  ``adcli grad --points`` processes with a cold kernel cache (compilation
  included);
* compile time against formula size, for the two compiler paths the issue
  names: generated C + the system ``cc``, and LLVM IR from the same kernel
  compiled in-process by ``llvmlite`` (what --jit uses when installed).
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import adcli  # noqa: E402


def product(n):
    return "*".join(f"x{i}" for i in range(1, n + 1))


def nested(n):
    return "sin(" * n + "x*y" + ")" * n


def rosenbrock(n):
    return " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, n))


def transcendental_1000():
    rng = random.Random(1)
    terms = []
    for k in range(1, 230):
        x, y = rng.sample("abcd", 2)
        f = rng.choice(["sin", "cos", "exp", "log1p", "atan", "tanh", "sqrt"])
        arg = f"{x}*{x}+{y}*{y}" if f in ("log1p", "sqrt") else f"{x}*{y}"
        terms.append(f"{round(rng.uniform(-2, 2), 3)}*{f}({arg}/{k})")
    return " + ".join(terms)


def arithmetic_1000():
    rng = random.Random(2)
    terms = []
    for k in range(1, 150):
        x, y, z = rng.sample("abcd", 3)
        terms.append(f"({x}*{y} - {z}/{k})^2*({z} + {k})/({x}*{x} + {k})")
    return " + ".join(terms)


# --- diff size ------------------------------------------------------------------

def diff_sizes(quick):
    import sympy

    from adcli.codegen.diff import DiffResult

    families = [("product", product, [5, 10, 20, 40] if quick else [5, 10, 20, 40, 80]),
                ("nested sin", nested, [2, 4, 8] if quick else [2, 4, 8, 16, 32]),
                ("rosenbrock", rosenbrock, [3, 10, 30] if quick else [3, 10, 30, 100])]
    table = []
    for family, make, sizes in families:
        for n in sizes:
            source = make(n)
            res = DiffResult(adcli.Function(source), None, "reverse")
            expr = sympy.sympify(source.replace("^", "**"))
            variables = sorted(expr.free_symbols, key=lambda s: s.name)
            t = time.perf_counter()
            grads = [sympy.diff(expr, v) for v in variables]
            t_diff = time.perf_counter() - t
            tree = sum(sympy.count_ops(g) for g in grads)
            t = time.perf_counter()
            reps, reduced = sympy.cse(grads)
            t_cse = time.perf_counter() - t
            cse_ops = sum(sympy.count_ops(r) for _, r in reps) + sum(
                sympy.count_ops(e) for e in reduced)
            table.append({"family": family, "n": n, "formula": res.formula_size,
                          "adcli": res.size, "sympy_diff": int(tree), "sympy_cse": int(cse_ops),
                          "sympy_s": t_diff + t_cse})
    return table


def diff_table(rows):
    head = f"{'family':<12}{'n':>5}{'formula':>9}{'adcli diff':>12}{'sympy diff':>12}" \
           f"{'diff+cse':>10}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['family']:<12}{r['n']:>5}{r['formula']:>9}{r['adcli']:>12}"
                     f"{r['sympy_diff']:>12}{r['sympy_cse']:>10}")
    return "\n".join(lines)


def _cold():
    """Forget every compiled kernel: a fresh process with an empty cache."""
    from adcli.codegen import jit, llvm

    jit._LOADED.clear()
    llvm._ENGINES.clear()


def _build(backend, fn, columns_of, tmp, **kw):
    """Seconds to build a batch function on ``backend`` (cold), and it."""
    from adcli.codegen import jit
    from adcli.codegen.kernel import Kernel

    os.environ["XDG_CACHE_HOME"] = tmp
    _cold()
    t = time.perf_counter()
    k = Kernel(fn, flag_kinks=True, **kw)
    if backend == "c":
        out = jit.Compiled(k, columns_of(k))
    else:
        from adcli.codegen.llvm import LLVMCompiled

        out = LLVMCompiled(k, columns_of(k))
    return time.perf_counter() - t, out


# --- jit and compile times ----------------------------------------------------------

def _columns(kernel):
    return [(g, i) for g, nodes, _ in kernel.groups for i in range(len(nodes))]


def compile_times(quick):
    """Seconds to build a batch kernel from a Function, cold (empty cache):
    generated C + cc (generate, compile, load) and LLVM IR + llvmlite; and
    the C one again from the disk cache."""
    cases = [("worked example", "x1*x2 + sin(x1)"), ("rosenbrock n=10", rosenbrock(10)),
             ("rosenbrock n=100", rosenbrock(100)), ("1,000 ops", transcendental_1000())]
    if not quick:
        cases.append(("rosenbrock n=1000", rosenbrock(1000)))
    rows = []
    for label, source in cases:
        fn = adcli.Function(source)
        with tempfile.TemporaryDirectory() as tmp:
            c_s, compiled = _build("c", fn, _columns, tmp)
            _cold()
            t = time.perf_counter()
            _build("c", fn, _columns, tmp)  # from the disk cache
            cached_s = time.perf_counter() - t
        llvm_s = None
        with tempfile.TemporaryDirectory() as tmp:
            try:
                llvm_s, _ = _build("llvm", fn, _columns, tmp)
            except ImportError:
                pass
        from adcli.codegen.kernel import Kernel

        ops = len(Kernel(fn).schedule()[0])
        rows.append({"case": label, "ops": ops, "c_s": c_s, "cached_s": cached_s,
                     "llvm_s": llvm_s})
    os.environ.pop("XDG_CACHE_HOME", None)
    return rows


def jit_kernels(quick):
    """In-process batch kernels: NumPy path vs compiled C vs llvmlite (vector
    math where available, as --jit runs it).  The NumPy path runs over the
    points in the chunks ``--points`` reads (``MAX_ROWS`` rows): it keeps
    every operation's column for the rows it is given, ~20 KB a point for
    the arithmetic formula, and all 1,000,000 points at once made this
    bench process peak at 20.4 GB."""
    import numpy as np

    from adcli.batch.driver import GradKernel
    from adcli.batch.reader import MAX_ROWS

    n = 100_000 if quick else 1_000_000
    rows = []
    for label, source in [("transcendental ~1,000 ops", transcendental_1000()),
                          ("arithmetic ~1,000 ops", arithmetic_1000())]:
        fn = adcli.Function(source)
        names = list(fn.inputs)
        X = np.random.default_rng(0).uniform(0.1, 1.0, size=(n, len(names)))
        k = GradKernel(fn, names)
        t = time.perf_counter()
        for start in range(0, n, MAX_ROWS):  # in the command line's chunks (see below)
            k.compute(X[start:start + MAX_ROWS], set())
        numpy_s = time.perf_counter() - t
        result = {"case": label, "points": n, "numpy_s": numpy_s}
        for backend in ("c", "llvm"):
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    build_s, compiled = _build(backend, fn, _columns, tmp, mode=k.mode)
                except ImportError:
                    result[f"{backend}_build_s"] = result[f"{backend}_s"] = None
                    continue
                t = time.perf_counter()
                compiled.run(X)
                result[f"{backend}_s"] = time.perf_counter() - t
                result[f"{backend}_build_s"] = build_s
        rows.append(result)
    os.environ.pop("XDG_CACHE_HOME", None)
    return rows


def jit_end_to_end(quick):
    """Whole ``adcli grad --points`` processes, cold kernel cache: the NumPy
    path, --jit (vector math where the CPU and glibc allow, CSV through the
    stream driver), the same again with the kernel cached (warm), --jit
    with the Arrow reader and writer instead (ADCLI_JIT_STREAM=0) and --jit
    through libm (ADCLI_JIT_MATH=libm: the engine's bits).  Wall seconds,
    and CPU seconds (user + system, every thread), which a shared machine
    disturbs less.  The stream driver is formula-independent and built once
    per installation, so each cold cache gets it first (from a one-point run
    of another formula); the formula's own kernel is compiled in the timed
    run (cold) or read from the cache the cold run filled (warm)."""
    import resource

    import numpy as np

    n = 100_000 if quick else 1_000_000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, source in [("transcendental ~1,000 ops", transcendental_1000()),
                              ("arithmetic ~1,000 ops", arithmetic_1000())]:
            f = Path(tmp) / "f.txt"
            f.write_text(source)
            pts = Path(tmp) / "p.csv"
            X = np.random.default_rng(0).uniform(0.1, 1.0, size=(n, 4))
            np.savetxt(pts, X, delimiter=",", header="a,b,c,d", comments="", fmt="%.17g")
            base = [sys.executable, "-m", "adcli", "grad", "-f", str(f), "--points", str(pts)]
            times = {}
            tiny = Path(tmp) / "tiny.csv"
            tiny.write_text("a,b\n1,2\n")
            for key, extra, math, stream in (
                    ("numpy", [], "vector", "1"), ("jit", ["--jit"], "vector", "1"),
                    ("jit_warm", ["--jit"], "vector", "1"),  # the same cache: compiled
                    ("jit_arrow", ["--jit"], "vector", "0"), ("jit_libm", ["--jit"], "libm", "1")):
                cache = f"cache-{key.replace('_warm', '')}-{label[:5]}"
                env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / cache),
                           ADCLI_JIT_MATH=math, ADCLI_JIT_STREAM=stream)
                subprocess.run([sys.executable, "-m", "adcli", "eval", "a*b", "--points",
                                str(tiny), "--jit"], stdout=subprocess.DEVNULL, env=env)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(base + extra, stdout=subprocess.DEVNULL, check=True, env=env)
                times[key] = time.perf_counter() - t
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                times[f"{key}_cpu"] = (after.ru_utime - before.ru_utime
                                       + after.ru_stime - before.ru_stime)
            rows.append({"case": label, "points": n, **times})
    return rows


def run(quick=False):
    """Rows for ``python -m bench`` (bench/run.py)."""
    rows = []

    def row(workload, adcli_s, peer, peer_s, note):
        rows.append({"workload": workload, "adcli_s": adcli_s, "adcli_mb": None, "peer": peer,
                     "peer_s": peer_s, "peer_mb": None,
                     "ratio": (peer_s / adcli_s) if adcli_s and peer_s else None, "note": note})

    for r in diff_sizes(quick):
        row(f"diff size: {r['family']} n={r['n']}", None, "sympy diff / +cse", r["sympy_s"],
            f"operations: formula {r['formula']}, adcli {r['adcli']}, "
            f"sympy {r['sympy_diff']}, sympy+cse {r['sympy_cse']}")
    if shutil.which("cc"):
        for r in jit_kernels(quick):
            best = "llvm" if r["llvm_s"] is not None else "c"
            row(f"--jit kernel: {r['case']}, {r['points']:,} points",
                r[f"{best}_build_s"] + r[f"{best}_s"], "NumPy path", r["numpy_s"],
                f"llvmlite run {_s(r['llvm_s'])} + build {_s(r['llvm_build_s'])}; "
                f"C run {r['c_s']:.3f} s + build {r['c_build_s']:.3f} s")
        for r in compile_times(quick):
            row(f"compile: {r['case']} ({r['ops']} ops)", r["llvm_s"], "C + cc", r["c_s"],
                f"llvmlite cold vs C + cc cold; C from the disk cache {r['cached_s']:.3f} s")
        for r in jit_end_to_end(quick):
            row(f"grad --points --jit: {r['case']}, {r['points']:,} points, cold cache",
                r["jit"], "NumPy path", r["numpy"],
                f"whole processes, compile included; CPU s: --jit {r['jit_cpu']:.2f}, "
                f"NumPy path {r['numpy_cpu']:.2f}; --jit with a warm cache {r['jit_warm']:.2f} s "
                f"wall, {r['jit_warm_cpu']:.2f} s CPU; --jit without the stream driver "
                f"{r['jit_arrow']:.2f} s wall, {r['jit_arrow_cpu']:.2f} s CPU; --jit through "
                f"libm {r['jit_libm']:.2f} s wall, {r['jit_libm_cpu']:.2f} s CPU")
    return rows


def _s(v):
    return "-" if v is None else f"{v:.3f} s"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.codegen",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["diff", "jit", "compile", "e2e"], nargs="+")
    args = ap.parse_args(argv)
    want = set(args.only or ["diff", "jit", "compile", "e2e"])
    if "diff" in want:
        print(diff_table(diff_sizes(args.quick)))
    if "jit" in want:
        for r in jit_kernels(args.quick):
            print(f"kernel {r['case']}, {r['points']:,} points: NumPy {r['numpy_s']:.3f} s; "
                  f"C {r['c_s']:.3f} s (+ build {r['c_build_s']:.3f} s); llvmlite "
                  f"{_s(r['llvm_s'])} (+ build {_s(r['llvm_build_s'])})")
    if "compile" in want:
        for r in compile_times(args.quick):
            print(f"compile {r['case']} ({r['ops']} ops): C+cc {r['c_s']:.3f} s "
                  f"(cached {r['cached_s']:.3f} s), llvmlite {_s(r['llvm_s'])}")
    if "e2e" in want:
        for r in jit_end_to_end(args.quick):
            print(f"adcli grad --points, {r['case']}, {r['points']:,} points (cold cache), "
                  f"wall / CPU s: NumPy path {r['numpy']:.2f} / {r['numpy_cpu']:.2f}, "
                  f"--jit {r['jit']:.2f} / {r['jit_cpu']:.2f} "
                  f"(ratio {r['numpy'] / r['jit']:.2f} / {r['numpy_cpu'] / r['jit_cpu']:.2f}), "
                  f"--jit warm cache {r['jit_warm']:.2f} / {r['jit_warm_cpu']:.2f} (ratio "
                  f"{r['numpy'] / r['jit_warm']:.2f} / {r['numpy_cpu'] / r['jit_warm_cpu']:.2f}), "
                  f"--jit without the stream driver {r['jit_arrow']:.2f} / "
                  f"{r['jit_arrow_cpu']:.2f} (ratio {r['numpy'] / r['jit_arrow']:.2f} / "
                  f"{r['numpy_cpu'] / r['jit_arrow_cpu']:.2f}), "
                  f"--jit through libm {r['jit_libm']:.2f} / {r['jit_libm_cpu']:.2f} "
                  f"(ratio {r['numpy'] / r['jit_libm']:.2f} / "
                  f"{r['numpy_cpu'] / r['jit_libm_cpu']:.2f})")


if __name__ == "__main__":
    main()
