"""The ``--jit`` kernel as LLVM IR, compiled in-process by llvmlite.

One instruction per DAG node of the same :class:`~adcli.codegen.kernel.Kernel`
that ``adcli codegen`` prints (so the same operations in the same order,
and no fast-math flags: LLVM neither reassociates nor contracts them), and
the C emitter's domain and kink conditions (spelled for Python, then
translated from Python's ``ast``, so there is one definition of each).  No
C compiler is needed, and a small formula compiles in milliseconds
(numbers: docs/codegen.md).

Two kinds of kernel, chosen by :func:`math_mode`:

* ``vector`` (the default where it works: an x86-64 CPU with AVX2 and
  glibc's vector math library, libmvec): four points per instruction.
  Arithmetic is the same IEEE operations in the same order; the
  elementary functions are libmvec's (``_ZGVdN4v_sin`` …: at most 4 ulp
  each, glibc's documented bound, against libm's 1), ``sqrt``, ``fabs`` and
  ``floor`` exact.  A row may therefore differ from the engine in its last
  bits, as the NumPy path's rows do (NumPy's own SIMD ``tanh``, ``exp`` …).
  Domain and kink checks set a flag per point instead of returning.
* ``libm`` (``ADCLI_JIT_MATH=libm``, or no AVX2/libmvec): one point at a
  time through the C library, an early return at the first step off its
  domain: the engine's numbers bit for bit.
"""

import ast
import ctypes
import functools
import os
import struct

from .. import __version__
from ..graph.dag import CONST, VAR
from ..primitives import PRIMITIVES
from .compilers import NoCompiler, cache_dir
from .emit import Python, domain_check
from .kernel import KINKS

_CALL = {"abs": "fabs"}
_INFIX = {"add": "fadd", "sub": "fsub", "mul": "fmul", "div": "fdiv"}
_LANG = Python()  # the spelling of the conditions (translated by _IR.condition)
_CMP = {ast.Eq: "oeq", ast.Lt: "olt", ast.Gt: "ogt", ast.LtE: "ole", ast.GtE: "oge",
        ast.NotEq: "une"}

# Points per vector: glibc's x86-64 vector ABI letter for each width
# (``d``: AVX2, four doubles; ``e``: AVX-512, eight), and the CPU feature.
_ISA = {4: ("d", "avx2"), 8: ("e", "avx512f")}
# Correctly rounded as LLVM intrinsics on vectors (the same bits as libm's).
_INTRINSICS = {"fabs", "floor", "sqrt"}


def const(v):
    bits = struct.unpack("<Q", struct.pack("<d", float(v)))[0]
    return f"0x{bits:016X}"


def _vector_symbol(fn, arity, width):
    """glibc's name of the ``width``-lane variant of ``fn`` (the x86-64 vector ABI)."""
    return f"_ZGV{_ISA[width][0]}N{width}{'v' * arity}_{fn}"


class _IR:
    """Instructions on one point (``width`` None) or ``width`` points."""

    def __init__(self, width=None, vector_ok=lambda symbol: False):
        self.body = []
        self.declared = {}
        self.n = 0
        self.width = width
        self.vector_ok = vector_ok
        self.T = f"<{width} x double>" if width else "double"
        self.B = f"<{width} x i1>" if width else "i1"
        self.true = f"<{', '.join(['i1 true'] * width)}>" if width else "true"

    def const(self, v):
        c = const(v)
        return f"<{', '.join([f'double {c}'] * self.width)}>" if self.width else c

    def fresh(self, prefix="t"):
        self.n += 1
        return f"%{prefix}{self.n}"

    def emit(self, text):
        self.body.append("  " + text)

    def call(self, fn, *args):
        if not self.width:
            return self._call(fn, "double", args)
        if fn in _INTRINSICS:
            return self._call(f"llvm.{fn}.v{self.width}f64", self.T, args)
        symbol = _vector_symbol(fn, len(args), self.width)
        if self.vector_ok(symbol):
            return self._call(symbol, self.T, args)
        return self._lanes(fn, args)

    def _call(self, symbol, ty, args):
        self.declared[symbol] = (ty, len(args))
        t = self.fresh()
        self.emit(f"{t} = call {ty} @{symbol}({', '.join(f'{ty} {a}' for a in args)})")
        return t

    def _lanes(self, fn, args):
        """A function without a vector variant here: called lane by lane."""
        acc = "poison"
        for k in range(self.width):
            lane = []
            for a in args:
                e = self.fresh("e")
                self.emit(f"{e} = extractelement {self.T} {a}, i32 {k}")
                lane.append(e)
            r = self._call(fn, "double", lane)
            nxt = self.fresh()
            self.emit(f"{nxt} = insertelement {self.T} {acc}, double {r}, i32 {k}")
            acc = nxt
        return acc

    def op(self, code, a, b):
        t = self.fresh()
        self.emit(f"{t} = {code} {self.T} {a}, {b}")
        return t

    def neg(self, a):
        t = self.fresh()
        self.emit(f"{t} = fneg {self.T} {a}")
        return t

    def cmp(self, pred, a, b):
        t = self.fresh("c")
        self.emit(f"{t} = fcmp {pred} {self.T} {a}, {b}")
        return t

    def logic(self, code, a, b):
        t = self.fresh("c")
        self.emit(f"{t} = {code} {self.B} {a}, {b}")
        return t

    def select(self, c, a, b):
        t = self.fresh()
        self.emit(f"{t} = select {self.B} {c}, {self.T} {a}, {self.T} {b}")
        return t

    def declarations(self):
        return [f"declare {ty} @{symbol}({', '.join([ty] * k)})"
                for symbol, (ty, k) in sorted(self.declared.items())]

    # --- a condition in Python spelling (the emitters' one definition) --------

    def condition(self, text, values):
        return self._cond(_parsed(text), values)

    def not_finite(self, v):
        """True where ``v`` is ±inf or nan."""
        return self.cmp("uge", self.call("fabs", v), self.const(float("inf")))

    def _cond(self, node, values):
        if isinstance(node, ast.BoolOp):
            parts = [self._cond(v, values) for v in node.values]
            code = "and" if isinstance(node.op, ast.And) else "or"
            acc = parts[0]
            for p in parts[1:]:
                acc = self.logic(code, acc, p)
            return acc
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.logic("xor", self._cond(node.operand, values), self.true)
        if isinstance(node, ast.Compare):
            (op,), (right,) = node.ops, node.comparators
            return self.cmp(_CMP[type(op)], self._val(node.left, values),
                            self._val(right, values))
        if isinstance(node, ast.Call) and _fname(node) == "isnan":
            a = self._val(node.args[0], values)
            return self.cmp("uno", a, a)
        raise ValueError(f"condition not understood: {ast.dump(node)}")

    def _val(self, node, values):
        if isinstance(node, ast.Constant):
            return self.const(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self.const(-node.operand.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Call):
            fn = {"abs": "fabs", "floor": "floor"}[_fname(node)]
            return self.call(fn, self._val(node.args[0], values))
        raise ValueError(f"value not understood: {ast.dump(node)}")


@functools.cache
def _parsed(text):
    """A condition's syntax tree (a kernel has hundreds, of a dozen texts)."""
    return ast.parse(text, mode="eval").body


def _fname(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id


def _instruction(ir, n, a):
    """The value of DAG node ``n`` from its argument values ``a``."""
    key = n.op
    if key in _INFIX:
        return ir.op(_INFIX[key], *a)
    if key == "neg":
        return ir.neg(a[0])
    if key in ("sec", "csc"):
        return ir.op("fdiv", ir.const(1.0), ir.call("cos" if key == "sec" else "sin", a[0]))
    if key == "cot":
        return ir.op("fdiv", ir.call("cos", a[0]), ir.call("sin", a[0]))
    if key == "logb":
        return ir.op("fdiv", ir.call("log", a[0]), ir.call("log", a[1]))
    if key in ("min", "max"):
        c = ir.cmp("olt" if key == "min" else "ogt", a[1], a[0])
        return ir.select(c, a[1], a[0])
    if key == "pow" and ir.width and n.args[1].op == CONST and n.args[1].value == 2.0:
        return ir.op("fmul", a[0], a[0])  # correctly rounded, as libm's pow(x, 2) is meant to be
    if key == "sign":
        pos, neg = ir.cmp("ogt", a[0], ir.const(0.0)), ir.cmp("olt", a[0], ir.const(0.0))
        return ir.select(pos, ir.const(1.0), ir.select(neg, ir.const(-1.0), ir.const(0.0)))
    return ir.call(_CALL.get(key, PRIMITIVES[key].name), *a)


def _kink_convention(ir, kink_node, v, args):
    """``v`` (a partial of ``kink_node``), or 0 where it is nan on the kink."""
    values = {"a": args[0], "b": args[1] if len(args) > 1 else None}
    at_kink = ir.condition(KINKS[kink_node.op]("a", "b", _LANG), values)
    return ir.select(ir.logic("and", at_kink, ir.cmp("uno", v, v)), ir.const(0.0), v)


def _step_checks(ir, kernel, step, v, a, flag_kinks, on_bad, finite=True):
    """The engine's conditions on one tape step: its domain (code ω) and,
    for --jit (``flag_kinks``), its kink (code -ω) and (``finite``: unless
    a cell shows it, :func:`_covered`) any non-finite value."""
    key = step.prim.key
    values = {"w": v, "a": a[0], "b": a[1] if len(a) > 1 else None}
    omega = kernel.tape.omega(step.slot)
    # With flag_kinks every non-finite step is flagged, which covers a nan
    # from non-nan arguments and every pole but logb's base 0 (log(a)/-inf
    # is a finite -0): only that one is checked besides.
    if not flag_kinks or key == "logb":
        cond = domain_check(_LANG, step, "w", ["a", "b"][:len(a)])
        if cond is not None:
            on_bad(ir.condition(cond, values), omega)
    if flag_kinks and finite:  # an overflow or nan anywhere: the engine warns, so redoes the row
        on_bad(ir.not_finite(v), omega)
    if flag_kinks and key in KINKS:
        on_bad(ir.condition(KINKS[key]("a", "b", _LANG), values), -omega)


# Operations whose result is ±inf or nan whenever the argument in these
# positions is (IEEE 754, any other argument: inf*0 and inf-inf are nan).
_PROPAGATES = {"add": (0, 1), "sub": (0, 1), "mul": (0, 1), "neg": (0,), "div": (0,),
               "sqrt": (0,), "abs": (0,)}


def _covered(kernel, cells):
    """The tape steps that need no non-finite check of their own: those from
    which a chain of :data:`_PROPAGATES` steps reaches a cell (the callers
    flag a row with a non-finite cell) or a checked step.  On a sum of terms
    only each term's argument of exp, tanh, a denominator ... is checked:
    a quarter of the checks, whose instructions were most of a kernel's."""
    detected = {n.id for n in cells}  # a non-finite value here flags the row
    covered = set()
    for step in reversed(kernel.tape.steps):  # users before their arguments
        node = step.node
        if node.id in detected:
            covered.add(node.id)
        detected.add(node.id)  # covered, or it gets a check of its own
        for i in _PROPAGATES.get(node.op, ()):
            detected.add(node.args[i].id)
    return covered


def _body(ir, kernel, columns, flag_kinks, inputs, on_bad):
    """The kernel's instructions into ``ir``; the values of the ``columns``
    cells, and nothing the cells do not need (a --wrt subset computes its
    columns only).  ``inputs``: the input values; ``on_bad(condition,
    code)`` is called for each domain (code ω) and kink (code -ω) condition."""
    groups = {g: nodes for g, nodes, _ in kernel.groups}
    cells = [groups[g][i] for g, i in columns]
    order, _ = kernel.schedule(roots=cells)
    covered = _covered(kernel, cells) if flag_kinks else set()
    index = {v.id: i for i, v in enumerate(kernel.var)}
    name = {}

    def val(n):
        if n.op == CONST:
            return ir.const(n.value)
        if n.op == VAR:
            return inputs[index[n.id]]
        return name[n.id]

    for n in order:
        a = [val(x) for x in n.args]
        v = _instruction(ir, n, a)
        kink_node = kernel.kink_partials.get(n.id)
        # with flag_kinks a row on the kink is flagged (and redone by the engine) anyway
        if kink_node is not None and not flag_kinks:
            v = _kink_convention(ir, kink_node, v, [val(x) for x in kink_node.args])
        name[n.id] = v
        step = kernel.checks.get(n.id)
        if step is not None:
            _step_checks(ir, kernel, step, v, a, flag_kinks, on_bad, n.id not in covered)
    # a derivative is written with +0.0 added, as the engine does (-0 → 0)
    return [val(c) if g == "f" else ir.op("fadd", val(c), ir.const(0.0))
            for (g, _), c in zip(columns, cells)]


def kernel_ir(kernel, columns, flag_kinks=True):
    """IR of ``i32 @kernel(ptr x, ptr out)`` writing the (group, index)
    cells ``columns`` (returns 0, ω of a domain error, -ω at a kink) and
    ``void @batch(i64 n, ptr X, ptr OUT, ptr status)`` over row-major X, OUT."""
    ir = _IR()
    n_in = len(kernel.inputs)

    def on_bad(c, code):
        bad, ok = ir.fresh("bad").lstrip("%"), ir.fresh("ok").lstrip("%")
        ir.emit(f"br i1 {c}, label %{bad}, label %{ok}")
        ir.body.append(f"{bad}:")
        ir.emit(f"ret i32 {code}")
        ir.body.append(f"{ok}:")

    cells = _body(ir, kernel, columns, flag_kinks, [f"%x{i}" for i in range(n_in)], on_bad)
    head = []
    for i in range(n_in):
        head += [f"  %px{i} = getelementptr double, ptr %x, i64 {i}",
                 f"  %x{i} = load double, ptr %px{i}"]
    tail = []
    for j, c in enumerate(cells):
        tail += [f"  %po{j} = getelementptr double, ptr %o, i64 {j}",
                 f"  store double {c}, ptr %po{j}"]
    return "\n".join(ir.declarations() + [
        "define i32 @kernel(ptr %x, ptr %o) {", "entry:"] + head + ir.body + tail + [
        "  ret i32 0", "}", "",
        "define void @batch(i64 %n, ptr %X, ptr %OUT, ptr %status) {",
        "entry:", "  %empty = icmp eq i64 %n, 0", "  br i1 %empty, label %done, label %loop",
        "loop:", "  %i = phi i64 [0, %entry], [%next, %loop]",
        f"  %xo = mul i64 %i, {max(n_in, 1)}", f"  %oo = mul i64 %i, {max(len(cells), 1)}",
        "  %xp = getelementptr double, ptr %X, i64 %xo",
        "  %op = getelementptr double, ptr %OUT, i64 %oo",
        "  %rc = call i32 @kernel(ptr %xp, ptr %op)",
        "  %sp = getelementptr i32, ptr %status, i64 %i",
        "  store i32 %rc, ptr %sp",
        "  %next = add i64 %i, 1", "  %more = icmp ult i64 %next, %n",
        "  br i1 %more, label %loop, label %done",
        "done:", "  ret void", "}", ""])


def vector_kernel_ir(kernel, columns, flag_kinks=True, width=4,
                     vector_ok=lambda symbol: True):
    """IR of ``void @batch(i64 n, ptr X, ptr OUT, ptr status)``, ``width``
    points per step, n a multiple of ``width``; X (inputs × n) and OUT (cells × n) are
    column-major, so each input and cell is one vector load or store.
    status[i] is nonzero where a point met a domain or kink condition."""
    ir = _IR(width, vector_ok)
    n_in = len(kernel.inputs)
    flags = []

    def on_bad(c, code):
        flags.append(c)

    head = []
    for i in range(n_in):
        head += [f"  %ix{i} = add i64 %i, %base{i}",
                 f"  %px{i} = getelementptr double, ptr %X, i64 %ix{i}",
                 f"  %x{i} = load {ir.T}, ptr %px{i}, align 8"]
    cells = _body(ir, kernel, columns, flag_kinks, [f"%x{i}" for i in range(n_in)], on_bad)
    bad = "zeroinitializer"
    for c in flags:
        bad = ir.logic("or", bad, c)
    tail = []
    for j, c in enumerate(cells):
        tail += [f"  %io{j} = add i64 %i, %obase{j}",
                 f"  %po{j} = getelementptr double, ptr %OUT, i64 %io{j}",
                 f"  store {ir.T} {c}, ptr %po{j}, align 8"]
    tail += [f"  %st = zext {ir.B} {bad} to <{width} x i32>",
             "  %sp = getelementptr i32, ptr %status, i64 %i",
             f"  store <{width} x i32> %st, ptr %sp, align 4"]
    bases = [f"  %base{i} = mul i64 %n, {i}" for i in range(n_in)]
    bases += [f"  %obase{j} = mul i64 %n, {j}" for j in range(len(cells))]
    return "\n".join(ir.declarations() + [
        "define void @batch(i64 %n, ptr %X, ptr %OUT, ptr %status) {",
        "entry:"] + bases + [
        "  %empty = icmp eq i64 %n, 0", "  br i1 %empty, label %done, label %loop",
        "loop:", "  %i = phi i64 [0, %entry], [%next, %loop]"] + head + ir.body + tail + [
        f"  %next = add i64 %i, {width}", "  %more = icmp ult i64 %next, %n",
        "  br i1 %more, label %loop, label %done",
        "done:", "  ret void", "}", ""])


# --- which kernel, and the machine code ----------------------------------------------

_MVEC: list[bool] = []  # [loaded?] once per process


def vector_width(llvm):
    """Points per vector instruction for this machine: 8 with AVX-512, 4
    with AVX2, when glibc's libmvec is there; 0 (one point at a time
    through libm) otherwise, or when ``ADCLI_JIT_MATH=libm`` asks for the
    engine's bits.  ``ADCLI_JIT_MATH=avx2`` stops at 4."""
    choice = os.environ.get("ADCLI_JIT_MATH", "vector")
    if choice == "libm":
        return 0
    try:
        features = llvm.get_host_cpu_features()
    except RuntimeError:
        return 0
    for width in (8, 4):
        if width == 8 and choice == "avx2":
            continue
        if features.get(_ISA[width][1]) and _load_libmvec(llvm):
            return width
    return 0


def _load_libmvec(llvm):
    """Make glibc's vector math library visible to compiled code (once)."""
    if not _MVEC:
        import ctypes.util

        name = ctypes.util.find_library("mvec")
        try:
            ok = bool(name) and llvm.load_library_permanently(name) is None
        except RuntimeError:
            ok = False
        _MVEC.append(ok)
    return _MVEC[0]


_ENGINES: dict[str, object] = {}  # LLVM IR -> its execution engine


def _target_machine(llvm, vector):
    """The host's CPU and features for vector kernels (AVX2 registers carry
    the libmvec arguments); the generic target otherwise.  No fast-math in
    either: LLVM's default contracts nothing that the IR does not say."""
    target = llvm.Target.from_default_triple()
    if vector:
        return target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                            features=llvm.get_host_cpu_features().flatten(),
                                            opt=2)
    return target.create_target_machine(opt=2)


def _engine(llvm, ir, vector=False):
    """An execution engine holding the compiled IR: its object code from the
    disk cache (keyed by the IR, which is a function of the tape, the
    command and adcli's version, and by the target), else compiled now and
    stored there."""
    import hashlib


    try:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
    except Exception:  # noqa: BLE001 - llvmlite versions differ here
        pass
    tm = _target_machine(llvm, vector)
    target = f"{llvm.get_host_cpu_name()}\0{llvm.get_host_cpu_features().flatten()}" \
        if vector else ""
    key = hashlib.sha256(f"{__version__}\0{llvm.llvm_version_info}\0{target}\0{ir}".encode())
    try:
        path = os.path.join(cache_dir(), f"llvm-{key.hexdigest()[:24]}.o")
    except NoCompiler:
        path = None
    if path and os.path.exists(path):
        try:
            with open(path, "rb") as fh:
                engine = _load_object(llvm, tm, fh.read())
            if engine is not None:
                return engine
        except (OSError, RuntimeError):
            pass
    mod = llvm.parse_assembly(ir)
    mod.verify()
    if not vector or os.environ.get("ADCLI_JIT_OPT"):
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=2))
        pb.getModulePassManager().run(mod, pb)
    # compiled once, to an object file that is both cached and loaded (MCJIT
    # compiling the module again took as long: 0.28 s of a 2,233-op kernel)
    obj = tm.emit_object(mod)
    if path:
        try:
            tmp = f"{path}.{os.getpid()}"
            with open(tmp, "wb") as fh:
                fh.write(obj)
            os.replace(tmp, path)
        except OSError:
            pass
    engine = _load_object(llvm, tm, obj)
    if engine is None:
        raise NoCompiler("LLVM compiled the kernel but could not load it")
    return engine


def _load_object(llvm, tm, obj):
    """An execution engine holding the object code ``obj``, or None."""
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    return engine if engine.get_function_address("batch") else None


class LLVMCompiled:
    """Same interface as :class:`adcli.codegen.jit.Compiled`."""

    def __init__(self, kernel, columns, width=None):
        import llvmlite.binding as llvm

        self.n_in = len(kernel.inputs)
        self.n_cols = len(columns)
        self.width = vector_width(llvm) if width is None else width
        if self.width:
            _load_libmvec(llvm)
            ir = vector_kernel_ir(kernel, columns, kernel.flag_kinks, self.width,
                                  lambda symbol: bool(llvm.address_of_symbol(symbol)))
        else:
            ir = kernel_ir(kernel, columns, kernel.flag_kinks)
        engine = _ENGINES.get(ir)
        if engine is None:
            engine = _ENGINES[ir] = _engine(llvm, ir, bool(self.width))
        self.engine = engine
        addr = self.address = engine.get_function_address("batch")
        self.fn = ctypes.CFUNCTYPE(None, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p,
                                   ctypes.c_void_p)(addr)

    def run(self, X):
        """(V, bad rows) for the points X (n × inputs); V is n × cells."""
        import numpy as np

        n = X.shape[0]
        if self.width:
            return self._run_columns(np, X, n)
        X = np.ascontiguousarray(X, dtype=np.float64) if self.n_in else np.zeros((n, 1))
        V = np.empty((n, max(self.n_cols, 1)))
        status = np.zeros(n, dtype=np.int32)
        self.fn(n, X.ctypes.data, V.ctypes.data, status.ctypes.data)
        V = V[:, :self.n_cols]
        return V, (status != 0) | ~np.isfinite(V).all(axis=1)

    def _run_columns(self, np, X, n):
        """Column-major in and out, padded to whole vectors; V comes back as
        a column-major view (each result column contiguous for the writer)."""
        padded = -(-n // self.width) * self.width
        Xc = np.zeros((max(self.n_in, 1), padded))
        if self.n_in:
            Xc[:, :n] = X.T
        out = np.empty((max(self.n_cols, 1), padded))
        status = np.zeros(padded, dtype=np.int32)
        if padded:
            self.fn(padded, Xc.ctypes.data, out.ctypes.data, status.ctypes.data)
        V = out[:self.n_cols, :n].T
        return V, (status[:n] != 0) | ~np.isfinite(V).all(axis=1)
