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
import math
import operator
import os
import struct
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..graph.dag import CONST, VAR
from ..primitives import PRIMITIVES
from .compilers import (
    ENTRY_SYMBOL,
    WIDTH_SYMBOL,
    NoCompiler,
    cache_dir,
    prune_cache,
    run_batch,
    store_shared,
    touch,
)
from .emit import Python, domain_check
from .kernel import KINKS, Column, Kernel

if TYPE_CHECKING:
    import numpy as np

    from ..graph.dag import Node
    from ..graph.tape import Step

# An operand in IR text (``%t12``, a constant), and a condition's handler:
# on_bad(i1 operand, code) with code ω (domain error) or -ω (kink).
Value = str
OnBad = Callable[[Value, int], None]

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


def const(v: float) -> str:
    bits = struct.unpack("<Q", struct.pack("<d", float(v)))[0]
    return f"0x{bits:016X}"


def _vector_symbol(fn: str, arity: int, width: int) -> str:
    """glibc's name of the ``width``-lane variant of ``fn`` (the x86-64 vector ABI)."""
    return f"_ZGV{_ISA[width][0]}N{width}{'v' * arity}_{fn}"


class _IR:
    """Instructions on one point (``width`` None) or ``width`` points."""

    def __init__(self, width: int | None = None,
                 vector_ok: Callable[[str], bool] = lambda symbol: False,
                 splat: bool = True) -> None:
        self.body: list[str] = []
        self.texts: dict[float, Value] = {}  # constant value -> its operand text
        self.constants: dict[Value, float] = {}  # operand text -> constant value
        self.declared: dict[str, tuple[str, int]] = {}
        self.n = 0
        self.width = width
        self.vector_ok = vector_ok
        self.T = f"<{width} x double>" if width else "double"
        self.B = f"<{width} x i1>" if width else "i1"
        self.splat = splat  # LLVM 19's `splat (double c)`, else every lane written out
        self.true = self._vector("i1 true") if width else "true"

    def _vector(self, element: str) -> str:
        if self.splat:
            return f"splat ({element})"
        return f"<{', '.join([element] * (self.width or 1))}>"

    def const(self, v: float) -> Value:
        """The constant ``v`` as an operand (remembered, so that conditions
        on constants fold: see :meth:`condition`)."""
        text = self.texts.get(v)
        if text is None or v == 0.0:  # 0.0 == -0.0 as a key: tell them apart
            c = const(v)
            text = self._vector(f"double {c}") if self.width else c
            self.texts[v] = text
            self.constants[text] = v
        return text

    def fresh(self, prefix: str = "t") -> str:
        self.n += 1
        return f"%{prefix}{self.n}"

    def emit(self, text: str) -> None:
        self.body.append("  " + text)

    def call(self, fn: str, *args: Value) -> Value:
        if not self.width:
            return self._call(fn, "double", args)
        if fn in _INTRINSICS:
            return self._call(f"llvm.{fn}.v{self.width}f64", self.T, args)
        symbol = _vector_symbol(fn, len(args), self.width)
        if self.vector_ok(symbol):
            return self._call(symbol, self.T, args)
        return self._lanes(fn, args)

    def _call(self, symbol: str, ty: str, args: Sequence[Value]) -> Value:
        self.declared[symbol] = (ty, len(args))
        t = self.fresh()
        self.emit(f"{t} = call {ty} @{symbol}({', '.join(f'{ty} {a}' for a in args)})")
        return t

    def _lanes(self, fn: str, args: Sequence[Value]) -> Value:
        """A function without a vector variant here: called lane by lane."""
        acc = "poison"
        for k in range(self.width or 1):
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

    def op(self, code: str, a: Value, b: Value) -> Value:
        t = self.fresh()
        self.emit(f"{t} = {code} {self.T} {a}, {b}")
        return t

    def neg(self, a: Value) -> Value:
        t = self.fresh()
        self.emit(f"{t} = fneg {self.T} {a}")
        return t

    def cmp(self, pred: str, a: Value, b: Value) -> Value:
        t = self.fresh("c")
        self.emit(f"{t} = fcmp {pred} {self.T} {a}, {b}")
        return t

    def logic(self, code: str, a: Value, b: Value) -> Value:
        t = self.fresh("c")
        self.emit(f"{t} = {code} {self.B} {a}, {b}")
        return t

    def select(self, c: Value, a: Value, b: Value) -> Value:
        t = self.fresh()
        self.emit(f"{t} = select {self.B} {c}, {self.T} {a}, {self.T} {b}")
        return t

    def declarations(self) -> list[str]:
        return [f"declare {ty} @{symbol}({', '.join([ty] * k)})"
                for symbol, (ty, k) in sorted(self.declared.items())]

    # --- a condition in Python spelling (the emitters' one definition) --------

    def condition(self, text: str, values: dict[str, Value | None]) -> Value | None:
        """The condition ``text`` on the operands ``values``, or None where
        it is false whatever the point (folded on constant operands: pow's
        kink test on a constant exponent, for one, is decided here)."""
        c = self._cond(_parsed(text), values)
        if c is False:
            return None
        return self.true if c is True else c

    def not_finite(self, v: Value) -> Value:
        """True where ``v`` is ±inf or nan (``v - v`` is nan there, 0 elsewhere)."""
        d = self.op("fsub", v, v)
        return self.cmp("uno", d, d)

    def _cond(self, node: ast.expr, values: dict[str, Value | None]) -> Value | bool:
        """An i1 operand, or a bool where the operands decide it."""
        if isinstance(node, ast.BoolOp):
            conjunction = isinstance(node.op, ast.And)
            acc: Value | bool = conjunction  # the neutral element
            for v in node.values:
                p = self._cond(v, values)
                if isinstance(p, bool):
                    if p != conjunction:
                        return p  # false in a conjunction, true in a disjunction
                else:
                    acc = p if isinstance(acc, bool) else \
                        self.logic("and" if conjunction else "or", acc, p)
            return acc
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            p = self._cond(node.operand, values)
            return (not p) if isinstance(p, bool) else self.logic("xor", p, self.true)
        if isinstance(node, ast.Compare):
            (op,), (right,) = node.ops, node.comparators
            a, b = self._val(node.left, values), self._val(right, values)
            if isinstance(a, float) and isinstance(b, float):
                return _FOLD[type(op)](a, b)
            return self.cmp(_CMP[type(op)], self._operand(a), self._operand(b))
        if isinstance(node, ast.Call) and _fname(node) == "isnan":
            a = self._val(node.args[0], values)
            if isinstance(a, float):
                return math.isnan(a)
            return self.cmp("uno", a, a)
        raise ValueError(f"condition not understood: {ast.dump(node)}")

    def _operand(self, v: Value | float) -> Value:
        return self.const(v) if isinstance(v, float) else v

    def _val(self, node: ast.expr, values: dict[str, Value | None]) -> Value | float:
        """An operand, or a float where it is a constant."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = self._val(node.operand, values)
            if isinstance(operand, float):
                return -operand
        if isinstance(node, ast.Name):
            v = values[node.id]
            assert v is not None, f"no argument {node.id}"
            return self.constants.get(v, v)
        if isinstance(node, ast.Call):
            fn = {"abs": "fabs", "floor": "floor"}[_fname(node)]
            a = self._val(node.args[0], values)
            if isinstance(a, float):
                return abs(a) if fn == "fabs" else _floor(a)
            return self.call(fn, a)
        raise ValueError(f"value not understood: {ast.dump(node)}")


def _floor(v: float) -> float:
    """C's floor on a double (inf and nan as they are)."""
    return float(math.floor(v)) if math.isfinite(v) else v


# Python's comparisons of floats are IEEE's, as LLVM's fcmp predicates of _CMP.
_FOLD: dict[type, Callable[[float, float], bool]] = {
    ast.Eq: operator.eq, ast.Lt: operator.lt, ast.Gt: operator.gt,
    ast.LtE: operator.le, ast.GtE: operator.ge, ast.NotEq: operator.ne}


@functools.cache
def _parsed(text: str) -> ast.expr:
    """A condition's syntax tree (a kernel has hundreds, of a dozen texts)."""
    return ast.parse(text, mode="eval").body


def _fname(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Attribute):
        return f.attr
    assert isinstance(f, ast.Name), ast.dump(call)
    return f.id


def _instruction(ir: _IR, n: "Node", a: list[Value]) -> Value:
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


def _kink_convention(ir: _IR, kink_node: "Node", v: Value, args: list[Value]) -> Value:
    """``v`` (a partial of ``kink_node``), or 0 where it is nan on the kink."""
    values = {"a": args[0], "b": args[1] if len(args) > 1 else None}
    at_kink = ir.condition(KINKS[kink_node.op]("a", "b", _LANG), values)
    if at_kink is None:
        return v
    return ir.select(ir.logic("and", at_kink, ir.cmp("uno", v, v)), ir.const(0.0), v)


def _step_checks(ir: _IR, kernel: Kernel, step: "Step", v: Value, a: list[Value],
                 flag_kinks: bool, on_bad: OnBad, finite: bool = True) -> None:
    """The engine's conditions on one tape step: its domain (code ω) and,
    for --jit (``flag_kinks``), its kink (code -ω) and (``finite``: unless
    a cell shows it, :func:`_covered`) any non-finite value."""
    key = step.prim.key
    values = {"w": v, "a": a[0], "b": a[1] if len(a) > 1 else None}

    def flag(condition: Value | None, code: int) -> None:
        if condition is not None:  # None: never, whatever the point
            on_bad(condition, code)

    omega = kernel.tape.omega(step.slot)
    assert omega is not None, "a step's slot is not a constant's"
    # With flag_kinks every non-finite step is flagged, which covers a nan
    # from non-nan arguments and every pole but logb's base 0 (log(a)/-inf
    # is a finite -0): only that one is checked besides.
    if not flag_kinks or key == "logb":
        cond = domain_check(_LANG, step, "w", ["a", "b"][:len(a)])
        if cond is not None:
            flag(ir.condition(cond, values), omega)
    if flag_kinks and finite:  # an overflow or nan anywhere: the engine warns, so redoes the row
        on_bad(ir.not_finite(v), omega)
    if flag_kinks and key in KINKS:
        flag(ir.condition(KINKS[key]("a", "b", _LANG), values), -omega)


# Operations whose result is ±inf or nan whenever the argument in these
# positions is (IEEE 754, any other argument: inf*0 and inf-inf are nan).
_PROPAGATES: dict[str, tuple[int, ...]] = {
    "add": (0, 1), "sub": (0, 1), "mul": (0, 1), "neg": (0,), "div": (0,),
    "sqrt": (0,), "abs": (0,)}


def _propagates(node: "Node") -> tuple[int, ...]:
    """The argument positions whose ±inf or nan ``node``'s value keeps."""
    if node.op == "pow":  # x^c for a constant c > 0: pow(±inf, c) is ±inf, pow(nan, c) nan
        c = node.args[1]
        return (0,) if c.op == CONST and c.value > 0 else ()
    return _PROPAGATES.get(node.op, ())


def _covered(kernel: Kernel, cells: list["Node"]) -> set[int]:
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
        for i in _propagates(node):
            detected.add(node.args[i].id)
    return covered


def _pressure_order(order: list["Node"]) -> list["Node"]:
    """``order`` (a topological order) rearranged so that few values are
    live at once: of the nodes whose arguments are computed, the one that
    ends the most live ranges comes first (ties: ``order``'s own).

    A --jit kernel is one basic block of thousands of instructions, every
    vector register is clobbered by each libmvec call, and LLVM does not
    move instructions across calls; in the tape's order a reverse sweep's
    adjoints stayed live from one gradient cell's sum to the next, so its
    register allocator spent 40 % of code generation spilling them.
    Interleaving the sums term by term leaves a handful live.  Only the
    order changes: the same instructions, so the same bits."""
    import heapq

    pos = {n.id: i for i, n in enumerate(order)}
    users: dict[int, list[Node]] = {n.id: [] for n in order}
    waiting: dict[int, int] = {}
    for n in order:
        args = {a.id for a in n.args if a.id in pos}
        waiting[n.id] = len(args)
        for a in args:
            users[a].append(n)
    left = {i: len(u) for i, u in users.items()}  # users not yet scheduled

    def key(n: "Node") -> tuple[int, int]:
        kills = sum(1 for a in {a.id for a in n.args if a.id in pos} if left[a] == 1)
        lives = 1 if users[n.id] else 0
        return (lives - kills, pos[n.id])

    heap = [(key(n), n.id) for n in order if waiting[n.id] == 0]
    heapq.heapify(heap)
    current = {i: k for k, i in heap}
    by_id = {n.id: n for n in order}
    out = []
    while heap:
        k, i = heapq.heappop(heap)
        if current.get(i) != k:
            continue  # a stale entry: the node was pushed again with a better key
        del current[i]
        n = by_id[i]
        out.append(n)
        for a in {a.id for a in n.args if a.id in pos}:
            left[a] -= 1
            if left[a] == 1:  # its last user now ends its range: try it earlier
                for u in users[a]:
                    if u.id in current:
                        current[u.id] = key(u)
                        heapq.heappush(heap, (current[u.id], u.id))
        for u in users[i]:
            waiting[u.id] -= 1
            if waiting[u.id] == 0:
                current[u.id] = key(u)
                heapq.heappush(heap, (current[u.id], u.id))
    return out


def _body(ir: _IR, kernel: Kernel, columns: Sequence[Column], flag_kinks: bool,
          inputs: list[Value], on_bad: OnBad,
          on_cell: Callable[[int, Value], None] | None = None) -> list[Value]:
    """The kernel's instructions into ``ir``; the values of the ``columns``
    cells, and nothing the cells do not need (a --wrt subset computes its
    columns only).  ``inputs``: the input values; ``on_bad(condition,
    code)`` is called for each domain (code ω) and kink (code -ω) condition.
    With ``on_cell(j, value)`` (vector kernels) each cell is handed over as
    soon as it is computed, in an order that keeps few values live."""
    groups = {g: nodes for g, nodes, _ in kernel.groups}
    cells = [groups[g][i] for g, i in columns]
    order, _ = kernel.schedule(roots=cells)
    if on_cell is not None and flag_kinks:
        order = _pressure_order(order)
    covered = _covered(kernel, cells) if flag_kinks else set()
    index = {v.id: i for i, v in enumerate(kernel.var)}
    name: dict[int, Value] = {}
    def val(n: "Node") -> Value:
        if n.op == CONST:
            return ir.const(n.value)
        if n.op == VAR:
            return inputs[index[n.id]]
        return name[n.id]

    # a derivative is written with +0.0 added, as the engine does (-0 → 0)
    def cell(j: int) -> Value:
        v = val(cells[j])
        return v if columns[j][0] == "f" else ir.op("fadd", v, ir.const(0.0))

    columns_of: dict[int, list[int]] = {}
    for j, c in enumerate(cells):
        columns_of.setdefault(c.id, []).append(j)
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
        if on_cell is not None:
            for j in columns_of.pop(n.id, ()):
                on_cell(j, cell(j))
    if on_cell is not None:  # constants and inputs
        for j in sorted(j for js in columns_of.values() for j in js):
            on_cell(j, cell(j))
        return []
    return [cell(j) for j in range(len(cells))]


def kernel_ir(kernel: Kernel, columns: Sequence[Column], flag_kinks: bool = True) -> str:
    """IR of ``i32 @kernel(ptr x, ptr out)`` writing the (group, index)
    cells ``columns`` (returns 0, ω of a domain error, -ω at a kink) and
    ``void @batch(i64 n, ptr X, ptr OUT, ptr status)`` over row-major X, OUT."""
    ir = _IR()
    n_in = len(kernel.inputs)

    def on_bad(c: Value, code: int) -> None:
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


def vector_kernel_ir(kernel: Kernel, columns: Sequence[Column], flag_kinks: bool = True,
                     width: int = 4, vector_ok: Callable[[str], bool] = lambda symbol: True,
                     splat: bool = True) -> str:
    """IR of ``void @batch(i64 n, ptr X, ptr OUT, ptr status)``, ``width``
    points per step, n a multiple of ``width``; X (inputs × n) and OUT (cells × n) are
    column-major, so each input and cell is one vector load or store.
    status[i] is nonzero where a point met a domain or kink condition."""
    ir = _IR(width, vector_ok, splat)
    n_in = len(kernel.inputs)
    bad = "zeroinitializer"

    def on_bad(c: Value, code: int) -> None:  # or-ed at once: a mask live to the end is spilled
        nonlocal bad
        bad = ir.logic("or", bad, c)

    def on_cell(j: int, c: Value) -> None:  # stored at once, so that it is not live to the end
        ir.emit(f"%io{j} = add i64 %i, %obase{j}")
        ir.emit(f"%po{j} = getelementptr double, ptr %OUT, i64 %io{j}")
        ir.emit(f"store {ir.T} {c}, ptr %po{j}, align 8")

    head = []
    for i in range(n_in):
        head += [f"  %ix{i} = add i64 %i, %base{i}",
                 f"  %px{i} = getelementptr double, ptr %X, i64 %ix{i}",
                 f"  %x{i} = load {ir.T}, ptr %px{i}, align 8"]
    _body(ir, kernel, columns, flag_kinks, [f"%x{i}" for i in range(n_in)], on_bad, on_cell)
    tail = [f"  %st = zext {ir.B} {bad} to <{width} x i32>",
             "  %sp = getelementptr i32, ptr %status, i64 %i",
             f"  store <{width} x i32> %st, ptr %sp, align 4"]
    bases = [f"  %base{i} = mul i64 %n, {i}" for i in range(n_in)]
    bases += [f"  %obase{j} = mul i64 %n, {j}" for j in range(len(columns))]
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


def vector_width(llvm: ModuleType) -> int:
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


def _load_libmvec(llvm: ModuleType) -> bool:
    """Make glibc's vector math library visible to compiled code (once): by
    its soname (the dynamic loader's search), else wherever
    ``ctypes.util.find_library`` finds it (which runs ``ldconfig -p``)."""
    if not _MVEC:
        ok = False
        for name in ("libmvec.so.1", None):
            if name is None:
                import ctypes.util

                name = ctypes.util.find_library("mvec")
            try:
                ok = bool(name) and llvm.load_library_permanently(name) is None
            except RuntimeError:
                ok = False
            if ok:
                break
        _MVEC.append(ok)
    return _MVEC[0]


_ENGINES: dict[str, Any] = {}  # LLVM IR -> its execution engine


def _target_machine(llvm: ModuleType, vector: bool, shared: bool = False) -> Any:
    """The host's CPU and features for vector kernels (AVX2 registers carry
    the libmvec arguments); the generic target otherwise.  No fast-math in
    either: LLVM's default contracts nothing that the IR does not say.
    ``shared``: position-independent code, to be linked into a shared object."""
    target = llvm.Target.from_default_triple()
    where = {"reloc": "pic", "codemodel": "small"} if shared else {}
    if vector:
        return target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                            features=llvm.get_host_cpu_features().flatten(),
                                            opt=2, **where)
    return target.create_target_machine(opt=2, **where)


_OPTIONS: list[bool] = []  # [set?] once per process

# Code generation options, chosen by measurement (docs/codegen.md): a --jit
# kernel is one basic block of thousands of instructions in a loop.  The
# machine scheduler reorders it for latency, which the out-of-order CPU does
# anyway (30-40 ms of a 1,000-op kernel's ~110 ms for no measurable run
# time), and machine LICM hoists every broadcast constant out of the loop,
# where with 32 vector registers they are all spilled to the stack and
# reloaded (the register allocator's work doubled; the kernel no faster).
# The post-RA scheduler (latency again) and x86's machine combiner (which
# without fast-math flags finds nothing to reassociate in these kernels)
# took ~7-15 ms more of the 1,000-op kernels' ~75 ms, for a run time within
# noise (0.21-0.22 s per 10^6 points transcendental, 0.10 arithmetic).
# They change no result: which instructions, not which operations (the
# bench batches' output is the same bytes).
_CODEGEN_OPTIONS = ("-enable-misched=false", "-disable-machine-licm", "-disable-post-ra")
_X86_OPTIONS = ("-x86-machine-combiner=false",)  # an unknown option would end the process


def _set_codegen_options(llvm: ModuleType) -> None:
    """LLVM's code generation options for the kernels (process-wide, once)."""
    if not _OPTIONS:
        x86 = llvm.get_default_triple().startswith(("x86_64", "i386", "i686"))
        for option in _CODEGEN_OPTIONS + (_X86_OPTIONS if x86 else ()):
            llvm.set_option("adcli", option)
        _OPTIONS.append(True)


def _initialize(llvm: ModuleType) -> None:
    try:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
    except Exception:  # noqa: BLE001 - llvmlite versions differ here
        pass


def _compile(llvm: ModuleType, tm: Any, ir: str, vector: bool) -> bytes:
    """The object code of ``ir``."""
    _set_codegen_options(llvm)
    mod = llvm.parse_assembly(ir)
    mod.verify()
    if not vector or os.environ.get("ADCLI_JIT_OPT"):
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=2))
        pb.getModulePassManager().run(mod, pb)
    return bytes(tm.emit_object(mod))


def _engine(llvm: ModuleType, ir: str, vector: bool = False) -> Any:
    """An execution engine holding the compiled IR: its object code from the
    disk cache (keyed by the IR, which is a function of the tape, the
    command and adcli's version, and by the target), else compiled now and
    stored there."""
    import hashlib

    _initialize(llvm)
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
                touch(path)
                return engine
        except (OSError, RuntimeError):
            pass
    # compiled once, to an object file that is both cached and loaded (MCJIT
    # compiling the module again took as long: 0.28 s of a 2,233-op kernel)
    obj = _compile(llvm, tm, ir, vector)
    if path:
        try:
            tmp = f"{path}.{os.getpid()}"
            with open(tmp, "wb") as fh:
                fh.write(obj)
            os.replace(tmp, path)
            prune_cache(keep=path)
        except OSError:
            pass
    engine = _load_object(llvm, tm, obj)
    if engine is None:
        raise NoCompiler("LLVM compiled the kernel but could not load it")
    return engine


def _load_object(llvm: ModuleType, tm: Any, obj: bytes) -> Any:
    """An execution engine holding the object code ``obj``, or None."""
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    return engine if engine.get_function_address("batch") else None


class LLVMCompiled:
    """Same interface as :class:`adcli.codegen.jit.Compiled`.  With
    ``shared_key`` (see :func:`adcli.codegen.compilers.shared_key`) the
    object code is linked into a shared object stored under that key, which
    a later run loads without llvmlite (:func:`~adcli.codegen.compilers.load_shared`)."""

    def __init__(self, kernel: Kernel, columns: Sequence[Column],
                 width: int | None = None, shared_key: str | None = None) -> None:
        import llvmlite.binding as llvm

        self.n_in = len(kernel.inputs)
        self.n_cols = len(columns)
        self.width = vector_width(llvm) if width is None else width
        if self.width:
            _load_libmvec(llvm)
            ir = vector_kernel_ir(kernel, columns, kernel.flag_kinks, self.width,
                                  lambda symbol: bool(llvm.address_of_symbol(symbol)),
                                  splat=llvm.llvm_version_info >= (19,))
        else:
            ir = kernel_ir(kernel, columns, kernel.flag_kinks)
        lib = self._shared(llvm, ir, shared_key) if shared_key else None
        if lib is not None:
            self.lib = lib
            fn = getattr(lib, ENTRY_SYMBOL)
            addr = self.address = ctypes.cast(fn, ctypes.c_void_p).value or 0
        else:
            engine = _ENGINES.get(ir)
            if engine is None:
                engine = _ENGINES[ir] = _engine(llvm, ir, bool(self.width))
            self.engine = engine
            addr = self.address = int(engine.get_function_address(ENTRY_SYMBOL))
        self.fn = ctypes.CFUNCTYPE(None, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p,
                                   ctypes.c_void_p)(addr)

    def _shared(self, llvm: ModuleType, ir: str, key: str) -> ctypes.CDLL | None:
        """The kernel compiled to position-independent code, linked into its
        shared object and loaded; None where there is no linker (the caller
        loads the code in-process)."""
        import shutil

        if shutil.which("ld") is None:
            return None
        _initialize(llvm)
        tm = _target_machine(llvm, bool(self.width), shared=True)
        ir += f"\n@{WIDTH_SYMBOL} = constant i32 {self.width}\n"
        libraries = ("libmvec.so.1", "libm.so.6") if self.width else ("libm.so.6",)
        path = store_shared(key, _compile(llvm, tm, ir, bool(self.width)), libraries)
        try:
            return ctypes.CDLL(path) if path else None
        except OSError:
            return None

    def run(self, X: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
        """(V, bad rows) for the points X (n × inputs); V is n × cells."""
        result: tuple[np.ndarray, np.ndarray] = run_batch(self, X)
        return result
