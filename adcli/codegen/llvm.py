"""The ``--jit`` kernel as LLVM IR, compiled in-process by llvmlite.

One instruction per DAG node of the same :class:`~adcli.codegen.kernel.Kernel`
that ``adcli codegen`` prints (so the same operations in the same order,
and no fast-math flags: LLVM neither reassociates nor contracts them), the
elementary functions called in the C library, and the C emitter's domain
and kink conditions (spelled for Python, then translated from Python's
``ast``, so there is one definition of each).  No C compiler is needed, and
a small formula compiles in milliseconds (numbers: docs/codegen.md).
"""

import ast
import ctypes
import struct

from ..graph.dag import CONST, VAR
from ..primitives import PRIMITIVES
from .emit import Python, _domain_check
from .kernel import KINKS

_CALL = {"abs": "fabs"}
_INFIX = {"add": "fadd", "sub": "fsub", "mul": "fmul", "div": "fdiv"}
_CMP = {ast.Eq: "oeq", ast.Lt: "olt", ast.Gt: "ogt", ast.LtE: "ole", ast.GtE: "oge",
        ast.NotEq: "une"}


def const(v):
    bits = struct.unpack("<Q", struct.pack("<d", float(v)))[0]
    return f"0x{bits:016X}"


class _IR:
    def __init__(self):
        self.body = []
        self.declared = set()
        self.n = 0

    def fresh(self, prefix="t"):
        self.n += 1
        return f"%{prefix}{self.n}"

    def emit(self, text):
        self.body.append("  " + text)

    def call(self, fn, *args):
        self.declared.add((fn, len(args)))
        t = self.fresh()
        self.emit(f"{t} = call double @{fn}({', '.join('double ' + a for a in args)})")
        return t

    def op(self, code, a, b):
        t = self.fresh()
        self.emit(f"{t} = {code} double {a}, {b}")
        return t

    def cmp(self, pred, a, b):
        t = self.fresh("c")
        self.emit(f"{t} = fcmp {pred} double {a}, {b}")
        return t

    def logic(self, code, a, b):
        t = self.fresh("c")
        self.emit(f"{t} = {code} i1 {a}, {b}")
        return t

    def select(self, c, a, b):
        t = self.fresh()
        self.emit(f"{t} = select i1 {c}, double {a}, double {b}")
        return t

    # --- a condition in Python spelling (the emitters' one definition) --------

    def condition(self, text, values):
        return self._cond(ast.parse(text, mode="eval").body, values)

    def _cond(self, node, values):
        if isinstance(node, ast.BoolOp):
            parts = [self._cond(v, values) for v in node.values]
            code = "and" if isinstance(node.op, ast.And) else "or"
            acc = parts[0]
            for p in parts[1:]:
                acc = self.logic(code, acc, p)
            return acc
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.logic("xor", self._cond(node.operand, values), "true")
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
            return const(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return const(-node.operand.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Call):
            fn = {"abs": "fabs", "floor": "floor"}[_fname(node)]
            return self.call(fn, self._val(node.args[0], values))
        raise ValueError(f"value not understood: {ast.dump(node)}")


def _fname(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id


def kernel_ir(kernel, columns, flag_kinks=True):
    """IR of ``i32 @kernel(ptr x, ptr out)`` writing the (group, index)
    cells ``columns`` (returns 0, ω of a domain error, -ω at a kink) and
    ``void @batch(i64 n, ptr X, ptr OUT, ptr status)``."""
    order, _ = kernel.schedule()
    index = {v.id: i for i, v in enumerate(kernel.var)}
    ir = _IR()
    name = {}
    lang = Python()

    def val(n):
        if n.op == CONST:
            return const(n.value)
        if n.op == VAR:
            return f"%x{index[n.id]}"
        return name[n.id]

    def check(cond_text, code, values):
        c = ir.condition(cond_text, values)
        bad, ok = ir.fresh("bad").lstrip("%"), ir.fresh("ok").lstrip("%")
        ir.emit(f"br i1 {c}, label %{bad}, label %{ok}")
        ir.body.append(f"{bad}:")
        ir.emit(f"ret i32 {code}")
        ir.body.append(f"{ok}:")

    for n in order:
        a = [val(x) for x in n.args]
        key = n.op
        if key in _INFIX:
            v = ir.op(_INFIX[key], *a)
        elif key == "neg":
            v = ir.fresh()
            ir.emit(f"{v} = fneg double {a[0]}")
        elif key in ("sec", "csc"):
            v = ir.op("fdiv", const(1.0), ir.call("cos" if key == "sec" else "sin", a[0]))
        elif key == "cot":
            v = ir.op("fdiv", ir.call("cos", a[0]), ir.call("sin", a[0]))
        elif key == "logb":
            v = ir.op("fdiv", ir.call("log", a[0]), ir.call("log", a[1]))
        elif key in ("min", "max"):
            c = ir.cmp("olt" if key == "min" else "ogt", a[1], a[0])
            v = ir.select(c, a[1], a[0])
        elif key == "sign":
            pos, neg = ir.cmp("ogt", a[0], const(0.0)), ir.cmp("olt", a[0], const(0.0))
            v = ir.select(pos, const(1.0), ir.select(neg, const(-1.0), const(0.0)))
        else:
            v = ir.call(_CALL.get(key, PRIMITIVES[key].name), *a)
        kink_node = kernel.kink_partials.get(n.id)
        if kink_node is not None:
            args = [val(x) for x in kink_node.args]
            values = {"a": args[0], "b": args[1] if len(args) > 1 else None}
            at_kink = ir.condition(KINKS[kink_node.op]("a", "b", lang), values)
            is_nan = ir.cmp("uno", v, v)
            v = ir.select(ir.logic("and", at_kink, is_nan), const(0.0), v)
        name[n.id] = v
        step = kernel.checks.get(n.id)
        if step is not None:
            values = {"w": v, "a": a[0], "b": a[1] if len(a) > 1 else None}
            omega = kernel.tape.omega(step.slot)
            cond = _domain_check(lang, step, "w", ["a", "b"][:len(a)])
            if cond is not None:
                check(cond, omega, values)
            if flag_kinks and key in KINKS:
                check(KINKS[key]("a", "b", lang), -omega, values)
    groups = {g: nodes for g, nodes, _ in kernel.groups}
    cells = [val(groups[g][i]) for g, i in columns]
    n_in = len(kernel.inputs)
    head = []
    for i in range(n_in):
        head += [f"  %px{i} = getelementptr double, ptr %x, i64 {i}",
                 f"  %x{i} = load double, ptr %px{i}"]
    tail = []
    for j, c in enumerate(cells):
        tail += [f"  %po{j} = getelementptr double, ptr %o, i64 {j}",
                 f"  store double {c}, ptr %po{j}"]
    decls = [f"declare double @{fn}({', '.join(['double'] * k)})"
             for fn, k in sorted(ir.declared)]
    return "\n".join(decls + [
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


_ENGINES = {}


def _engine(llvm, ir):
    """An execution engine holding the compiled IR: its object code from the
    disk cache (keyed by the IR, which is a function of the tape, the
    command and adcli's version), else compiled now and stored there."""
    import hashlib
    import os

    from .. import __version__
    from .compilers import NoCompiler, cache_dir

    try:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
    except Exception:  # noqa: BLE001 - llvmlite versions differ here
        pass
    tm = llvm.Target.from_default_triple().create_target_machine(opt=2)
    key = hashlib.sha256(f"{__version__}\0{llvm.llvm_version_info}\0{ir}".encode())
    try:
        path = os.path.join(cache_dir(), f"llvm-{key.hexdigest()[:24]}.o")
    except NoCompiler:
        path = None
    if path and os.path.exists(path):
        try:
            engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
            with open(path, "rb") as fh:
                engine.add_object_file(llvm.ObjectFileRef.from_data(fh.read()))
            engine.finalize_object()
            if engine.get_function_address("batch"):
                return engine
        except (OSError, RuntimeError):
            pass
    mod = llvm.parse_assembly(ir)
    mod.verify()
    pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=2))
    pb.getModulePassManager().run(mod, pb)
    if path:
        try:
            tmp = f"{path}.{os.getpid()}"
            with open(tmp, "wb") as fh:
                fh.write(tm.emit_object(mod))
            os.replace(tmp, path)
        except OSError:
            pass
    engine = llvm.create_mcjit_compiler(mod, tm)
    engine.finalize_object()
    return engine


class LLVMCompiled:
    """Same interface as :class:`adcli.codegen.jit.Compiled`."""

    def __init__(self, kernel, columns):
        import llvmlite.binding as llvm

        self.n_in = len(kernel.inputs)
        self.n_cols = len(columns)
        ir = kernel_ir(kernel, columns, kernel.flag_kinks)
        engine = _ENGINES.get(ir)
        if engine is None:
            engine = _ENGINES[ir] = _engine(llvm, ir)
        self.engine = engine
        addr = engine.get_function_address("batch")
        self.fn = ctypes.CFUNCTYPE(None, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p,
                                   ctypes.c_void_p)(addr)

    def run(self, X):
        import numpy as np

        n = X.shape[0]
        X = np.ascontiguousarray(X, dtype=np.float64) if self.n_in else np.zeros((n, 1))
        V = np.empty((n, max(self.n_cols, 1)))
        status = np.zeros(n, dtype=np.int32)
        self.fn(n, X.ctypes.data, V.ctypes.data, status.ctypes.data)
        V = V[:, :self.n_cols]
        return V, (status != 0) | ~np.isfinite(V).all(axis=1)
