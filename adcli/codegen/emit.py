"""``adcli codegen``: the derivative program as C, Python, NumPy or
JavaScript source.  Every emitter prints the same :class:`Kernel` (the
tape and one symbolic sweep); only spelling differs.

Expressions keep the DAG's exact shape (a right operand of the same
precedence is parenthesised, since ``a + (b + c)`` rounds differently from
``a + b + c``), so the code performs the engine's operations in the
engine's order.
"""

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import ClassVar

from .._version import __version__
from ..graph.dag import CONST, VAR, Node
from ..graph.tape import Step, Tape
from ..language.printer import number
from ..primitives import PRIMITIVES
from .kernel import KINKS, POLES, Condition, Kernel, Role

LANGS = ("c", "python", "numpy", "js")
_ATOM = 9
# C statements per function before the code is split into parts
# (compilers are superlinear in the size of one function).
PART_SIZE = 200


class Lang:
    """Spelling of one target language."""

    name = ""
    comment = "#"
    neg_paren = True
    # an operator spelled as a function call: {"div": "_div_ieee"}
    INFIX_CALLS: ClassVar[dict[str, str]] = {}

    def for_derivatives(self) -> "Lang":
        """The spelling of derivative statements (the same but in Python)."""
        return self

    def any(self, *conds: str) -> str:
        return " || ".join(f"({c})" for c in conds)

    def all(self, *conds: str) -> str:
        return " && ".join(f"({c})" for c in conds)

    def not_(self, cond: str) -> str:
        return f"!({cond})"

    def abs(self, a: str) -> str:
        return f"fabs({a})"

    def floor(self, a: str) -> str:
        return f"floor({a})"

    def isnan(self, a: str) -> str:
        return f"isnan({a})"

    def literal(self, v: float) -> str:
        raise NotImplementedError

    def call(self, key: str, args: Sequence[str]) -> str:
        raise NotImplementedError


def _num(v: float) -> str:
    return repr(float(v))


class C(Lang):
    name = "c"
    comment = "//"
    FUNCS: ClassVar[dict[str, str]] = {"abs": "fabs"}

    def literal(self, v: float) -> str:
        if v != v:
            return "NAN"
        if math.isinf(v):
            return "HUGE_VAL" if v > 0 else "(-HUGE_VAL)"
        return _num(v) if v >= 0 and not (v == 0 and math.copysign(1, v) < 0) else f"({_num(v)})"

    def call(self, key: str, a: Sequence[str]) -> str:
        x = a[0]
        y = a[1] if len(a) > 1 else None
        special = {
            "sec": f"(1.0 / cos({x}))", "csc": f"(1.0 / sin({x}))",
            "cot": f"(cos({x}) / sin({x}))", "logb": f"(log({x}) / log({y}))",
            "sign": f"((double)(({x} > 0) - ({x} < 0)))",
            "min": f"({y} < {x} ? {y} : {x})", "max": f"({y} > {x} ? {y} : {x})",
        }
        if key in special:
            return special[key]
        name = self.FUNCS.get(key, PRIMITIVES[key].name)
        return f"{name}({', '.join(a)})"


class JS(C):
    name = "js"

    def literal(self, v: float) -> str:
        if v != v:
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "(-Infinity)"
        return super().literal(v)

    def abs(self, a: str) -> str:
        return f"Math.abs({a})"

    def floor(self, a: str) -> str:
        return f"Math.floor({a})"

    def isnan(self, a: str) -> str:
        return f"Number.isNaN({a})"

    def call(self, key: str, a: Sequence[str]) -> str:
        x = a[0]
        y = a[1] if len(a) > 1 else None
        special = {
            "sec": f"(1 / Math.cos({x}))", "csc": f"(1 / Math.sin({x}))",
            "cot": f"(Math.cos({x}) / Math.sin({x}))",
            "logb": f"(Math.log({x}) / Math.log({y}))",
            "sign": f"(({x} > 0) - ({x} < 0))",
            "min": f"({y} < {x} ? {y} : {x})", "max": f"({y} > {x} ? {y} : {x})",
            "erf": f"_erf({x})", "erfc": f"_erfc({x})",
        }
        if key in special:
            return special[key]
        return f"Math.{PRIMITIVES[key].name}({', '.join(a)})"


class Python(Lang):
    name = "python"
    HELPERS: ClassVar[dict[str, str]] = {
        "exp": "_exp", "expm1": "_expm1", "sinh": "_sinh", "cosh": "_cosh",
        "pow": "_pow", "cbrt": "_cbrt", "sign": "_sign"}

    def any(self, *conds: str) -> str:
        return " or ".join(f"({c})" for c in conds)

    def all(self, *conds: str) -> str:
        return " and ".join(f"({c})" for c in conds)

    def not_(self, cond: str) -> str:
        return f"not ({cond})"

    def abs(self, a: str) -> str:
        return f"abs({a})"

    def floor(self, a: str) -> str:
        return f"math.floor({a})"

    def isnan(self, a: str) -> str:
        return f"math.isnan({a})"

    def for_derivatives(self) -> Lang:
        return PythonDerivative()

    def literal(self, v: float) -> str:
        if v != v:
            return "math.nan"
        if math.isinf(v):
            return "math.inf" if v > 0 else "(-math.inf)"
        return _num(v) if v >= 0 and not (v == 0 and math.copysign(1, v) < 0) else f"({_num(v)})"

    def call(self, key: str, a: Sequence[str]) -> str:
        x = a[0]
        y = a[1] if len(a) > 1 else None
        special = {
            "sec": f"(1.0 / math.cos({x}))", "csc": f"(1.0 / math.sin({x}))",
            "cot": f"(math.cos({x}) / math.sin({x}))",
            "logb": f"(math.log({x}) / math.log({y}))",
            "min": f"min({x}, {y})", "max": f"max({x}, {y})", "abs": f"abs({x})",
        }
        if key in special:
            return special[key]
        if key in self.HELPERS:
            return f"{self.HELPERS[key]}({', '.join(a)})"
        return f"math.{PRIMITIVES[key].name}({', '.join(a)})"


class PythonDerivative(Python):
    """Python for the derivative statements: IEEE results where ``math``
    raises (1/0 is inf, log(0) is -inf, pow(0, -0.5) is inf), as the engine
    computes a partial at a kink before its convention applies.  The primal
    statements keep raising: there the engine reports a domain error."""

    INFIX_CALLS: ClassVar[dict[str, str]] = {"div": "_div_ieee"}
    HELPERS: ClassVar[dict[str, str]] = {**Python.HELPERS, "pow": "_pow_ieee"}

    def for_derivatives(self) -> Lang:
        return self

    # the math functions that raise ValueError at a finite argument (at a pole or
    # off the domain) where C returns ±inf or nan
    RAISING: ClassVar[set[str]] = {"sqrt", "log", "log2", "log10", "log1p", "atanh", "acosh",
                                   "asin", "acos"}

    def call(self, key: str, a: Sequence[str]) -> str:
        text = super().call(key, a)
        plain = f"math.{PRIMITIVES[key].name}"
        if key in self.RAISING and text == f"{plain}({a[0]})":
            return f"_call_ieee({plain}, {a[0]})"
        return text


class NumPy(Python):
    name = "numpy"

    def for_derivatives(self) -> Lang:
        return self

    def any(self, *conds: str) -> str:
        return " | ".join(f"({c})" for c in conds)

    def all(self, *conds: str) -> str:
        return " & ".join(f"({c})" for c in conds)

    def not_(self, cond: str) -> str:
        return f"~({cond})"

    def abs(self, a: str) -> str:
        return f"np.abs({a})"

    def floor(self, a: str) -> str:
        return f"np.floor({a})"

    def isnan(self, a: str) -> str:
        return f"np.isnan({a})"

    def literal(self, v: float) -> str:
        return super().literal(v).replace("math.", "np.")

    def call(self, key: str, a: Sequence[str]) -> str:
        x = a[0]
        y = a[1] if len(a) > 1 else None
        special = {
            "sec": f"(1.0 / np.cos({x}))", "csc": f"(1.0 / np.sin({x}))",
            "cot": f"(np.cos({x}) / np.sin({x}))",
            "logb": f"(np.log({x}) / np.log({y}))",
            "min": f"np.where({y} < {x}, {y}, {x})", "max": f"np.where({y} > {x}, {y}, {x})",
            "erf": f"_erf({x})", "erfc": f"_erfc({x})",
        }
        if key in special:
            return special[key]
        return f"np.{PRIMITIVES[key].np}({', '.join(a)})"


class Adcli(Lang):
    """adcli's own language (``adcli diff``): the same exact shape."""

    name = "adcli"

    def literal(self, v: float) -> str:
        text = number(v, "ascii")
        return f"({text})" if text.startswith("-") else text

    def call(self, key: str, args: Sequence[str]) -> str:
        return f"{PRIMITIVES[key].name}({', '.join(args)})"


TARGETS: dict[str, type[Lang]] = {"c": C, "python": Python, "numpy": NumPy, "js": JS}
# primitives whose spelling writes an argument twice (it must be a name)
TWICE = {"min", "max", "sign", "sec", "csc", "cot", "logb"}
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3}


class Text:
    """Program text built from pieces without copying them (a rope):
    ``str()`` joins it once.  Printing a node by concatenating its
    arguments' strings would copy a chain of n inline terms n times."""

    __slots__ = ("parts",)
    parts: tuple["str | Text", ...]

    def __init__(self, *parts: "str | Text") -> None:
        self.parts = parts  # strings and Texts

    def __str__(self) -> str:
        out: list[str] = []
        stack: list[str | Text] = [self]  # iterative: inline chains nest thousands deep
        while stack:
            piece = stack.pop()
            if isinstance(piece, str):
                out.append(piece)
            else:
                stack.extend(reversed(piece.parts))
        return "".join(out)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


# A node's code and its precedence: (text, precedence), _ATOM for a name
Code = tuple[str | Text, int]
# (condition, ω) per test of a statement: where the step returns ω
Check = tuple[tuple[str, int], ...]

_MARKS = ("\x00A\x00", "\x00B\x00")
# (language class, primitive, arity) -> pieces: a string or an argument index
_TEMPLATES: dict[tuple[type[Lang], str, int], tuple[str | int, ...]] = {}


def _call(lang: Lang, key: str, args: Sequence[str | Text]) -> Text:
    """``lang.call`` spelled once per primitive with markers for the
    arguments, then filled with the argument Texts (no copy of them)."""
    k = (type(lang), key, len(args))
    pieces = _TEMPLATES.get(k)
    if pieces is None:
        spelled = lang.call(key, list(_MARKS[:len(args)]))
        found: list[str | int] = []
        for i, piece in enumerate(re.split("\x00([AB])\x00", spelled)):
            if i % 2:
                found.append("AB".index(piece))
            elif piece:
                found.append(piece)
        pieces = _TEMPLATES[k] = tuple(found)
    return Text(*[args[p] if isinstance(p, int) else p for p in pieces])


def _paren(text: str | Text) -> Text:
    return Text("(", text, ")")


def expression(lang: Lang, node: Node, code: Mapping[int, Code]) -> tuple[Text, int]:
    """(text, precedence) of ``node`` from its arguments' (text, precedence);
    the text is a :class:`Text` (``str()`` it once)."""
    key = node.op
    args = [code[a.id] for a in node.args]
    prec = _PREC.get(key)
    if key == "pow" and lang.name == "adcli":  # right-associative, above unary minus
        (lt, lp), (rt, rp) = args
        lt = lt if lp == _ATOM else _paren(lt)
        rt = rt if rp >= 4 else _paren(rt)
        return Text(lt, "^", rt), 4
    if key in lang.INFIX_CALLS:
        return Text(lang.INFIX_CALLS[key], "(", args[0][0], ", ", args[1][0], ")"), _ATOM
    if prec is None:
        return _call(lang, key, [a[0] for a in args]), _ATOM
    if key == "neg":
        text, p = args[0]
        return Text("-", text if p == _ATOM else _paren(text)), 3
    (lt, lp), (rt, rp) = args
    if lp < prec:
        lt = _paren(lt)
    if rp <= prec:
        rt = _paren(rt)
    infix = PRIMITIVES[key].infix
    assert infix is not None, "every key of _PREC is an operator"
    if prec == 2 and lang.name == "adcli":  # as adcli's printer: x*y + z
        return Text(lt, infix, rt), prec
    return Text(lt, f" {infix} ", rt), prec


# --- the common walk ---------------------------------------------------------

# Spells input i of the kernel: ``lambda i: f"x[{i}]"``
Leaf = Callable[[int], str]
# (group name, the code of each of its nodes, their labels): ("J", [...], ["df/dx", ...])
Result = tuple[str, list[str], list[str]]


class Statement:
    __slots__ = ("var", "text", "comment", "check", "kink", "node", "deps")

    def __init__(self, var: str, text: str, comment: str, check: Check, kink: str | None,
                 node: Node, deps: Collection[str] = ()) -> None:
        self.deps = deps  # the named variables the statement reads
        self.var = var
        self.text = text
        self.comment = comment
        # (condition, ω) pairs: a primal step that can leave its domain returns ω
        # (and with Kernel.flag_kinks, one on its kink returns -ω); () for none
        self.check = check
        self.kink = kink  # condition: at the step's kink a nan partial is 0
        self.node = node


def statements(kernel: Kernel, lang: Lang, leaf: Leaf,
               named_ref: Callable[[str], str] | None = None,
               schedule: tuple[list[Node], set[int]] | None = None,
               ) -> tuple[list[Statement], list[Result], list[list[set[str]]]]:
    """The straight-line program: a :class:`Statement` per named node, and
    per result group the code of its nodes and the named variables each
    reads.  ``leaf(i)`` spells input i; ``named_ref(var)`` how a named node
    is read (default: its variable); ``schedule`` is ``kernel.schedule``'s
    (order, named) when the caller has it already."""
    order, named = schedule or kernel.schedule(TWICE if lang.name != "numpy" else ())
    walk = _Walk(kernel, lang, leaf, named_ref or (lambda var: var))
    derivative = lang.for_derivatives()
    out: list[Statement] = []
    for node in order:
        spelling = lang if node.id in kernel.checks else derivative  # primal steps may raise
        text, prec = expression(spelling, node, walk.code_of(node.args))
        if node.id in named:
            out.append(walk.statement(node, text))
        else:
            walk.code[node.id] = (text, prec)
    results = [(name, [walk.text(n) for n in nodes], labels)
               for name, nodes, labels in kernel.groups]
    results_deps = [[walk.reads([n]) for n in nodes] for _, nodes, _ in kernel.groups]
    return out, results, results_deps


class _Walk:
    """The state of one walk: each node's code (a named node's variable),
    and the named variables behind it."""

    def __init__(self, kernel: Kernel, lang: Lang, leaf: Leaf,
                 ref: Callable[[str], str]) -> None:
        self.kernel, self.lang, self.leaf, self.ref = kernel, lang, leaf, ref
        self.code: dict[int, Code] = {}  # node id -> (Text or str, precedence)
        self.var_of: dict[int, str] = {}  # named node id -> its variable
        self.temps: dict[int, Role] = {}
        self.index = {v.id: i for i, v in enumerate(kernel.var)}
        self.names = {v.id: kernel.roles[v.id].display for v in kernel.var}

    def atom(self, n: Node) -> Code:
        if n.op == CONST:
            return self.lang.literal(n.value), _ATOM
        if n.op == VAR:
            return self.leaf(self.index[n.id]), _ATOM
        return self.code[n.id]

    def code_of(self, args: Sequence[Node]) -> dict[int, Code]:
        for a in args:
            if a.id not in self.code and a.op in (CONST, VAR):
                self.code[a.id] = self.atom(a)
        return self.code

    def text(self, n: Node) -> str:
        return str(self.atom(n)[0])

    def reads(self, nodes: Sequence[Node]) -> set[str]:
        """The named variables the code of ``nodes`` reads: a walk down the
        inline nodes (each is read by one node, so every walk is short and
        all of them together linear)."""
        found: set[str] = set()
        stack = list(nodes)
        while stack:
            n = stack.pop()
            var = self.var_of.get(n.id)
            if var is not None:
                found.add(var)
            elif n.op not in (CONST, VAR):
                stack.extend(n.args)
        return found

    def statement(self, node: Node, text: Text) -> Statement:
        kernel = self.kernel
        role = kernel.role(node, self.temps)
        comment = _comment(kernel, node, role, self.names)
        self.names[node.id] = role.display
        var = self.ref(role.var)
        kink_node = kernel.kink_partials.get(node.id)
        kink = None
        used = self.reads(node.args)
        if kink_node is not None:
            kink = self.condition(KINKS[kink_node.op], kink_node)
            used |= self.reads(kink_node.args)
        check = self.check(node, var)
        self.code[node.id] = (var, _ATOM)
        self.var_of[node.id] = role.var
        return Statement(role.var, str(text), comment, check, kink, node, used)

    def condition(self, predicate: Condition, node: Node) -> str:
        """A KINKS or POLES predicate over ``node``'s argument texts."""
        args = [self.text(a) for a in node.args]
        return predicate(args[0], args[1] if len(args) > 1 else "", self.lang)

    def check(self, node: Node, var: str) -> Check:
        """(condition, ω) pairs of a primal step: ω off its domain; for --jit
        (Kernel.flag_kinks) also -ω on its kink and, in C, ω at an overflow."""
        kernel, lang = self.kernel, self.lang
        step = kernel.checks.get(node.id)
        if step is None:
            return ()
        omega = step_omega(kernel.tape, step)
        cond = domain_check(lang, step, var, [self.text(a) for a in node.args])
        check: Check = ((cond, omega),) if cond is not None else ()
        if kernel.flag_kinks and step.prim.key in KINKS:
            check += ((self.condition(KINKS[step.prim.key], node), -omega),)
        if kernel.flag_kinks and lang.name == "c":
            check += ((f"!isfinite({var})", omega),)
        return check


def step_omega(tape: Tape, step: Step) -> int:
    """The ω index of a step (an operation's slot always has one)."""
    omega = tape.omega(step.slot)
    assert omega is not None, "only a constant's slot has no ω"
    return omega


def _comment(kernel: Kernel, node: Node, role: Role, names: Mapping[int, str]) -> str:
    body = kernel.describe(node, names)
    if role.kind == "adjoint":
        prefix = role.display + " + "
        if body.startswith(prefix):
            return f"{role.display} += {body[len(prefix):]}"
    return f"{role.display} = {body}"


def domain_check(lang: Lang, step: Step, var: str, args: Sequence[str]) -> str | None:
    """Where the engine reports a domain error for this step: a nan from
    non-nan arguments (math functions and pow), or a pole."""
    key = step.prim.key
    conds: list[str] = []
    exponent = step.node.args[1] if key == "pow" else None
    if exponent is not None and exponent.op == CONST and exponent.value >= 0 \
            and exponent.value == int(exponent.value):
        return None  # x^k for a whole k ≥ 0 is defined everywhere
    if step.prim.infix is None or key == "pow":
        conds.append(lang.all(lang.isnan(var), *[lang.not_(lang.isnan(a)) for a in args]))
    if key in POLES:
        conds.append(POLES[key](args[0], args[1] if len(args) > 1 else "", lang))
    if not conds:
        return None
    return lang.any(*conds) if len(conds) > 1 else conds[0]


def header_lines(kernel: Kernel, lang_name: str, name: str) -> list[str]:
    """The comment every file starts with: formula, version, input and output order."""
    fn = kernel.fn
    src = [line.rstrip() for line in fn.source.strip().splitlines()]
    lines = [f"Generated by adcli {__version__} (adcli codegen --lang {lang_name}); do not edit.",
             "Formula:"] + [f"    {line}" for line in src]
    lines.append("Inputs, in order: " + ", ".join(
        f"{i}: {v}" for i, v in enumerate(kernel.inputs)))
    for gname, nodes, labels in kernel.groups:
        lines.append(f"{gname} ({len(nodes)}): " + ", ".join(
            f"[{i}] {lab}" for i, lab in enumerate(labels)))
    lines.append(f"Derivatives by {kernel.mode} accumulation; each statement carries its "
                 "ω index as in `adcli trace`.")
    kinks = kink_steps(kernel)
    if kinks:
        lines.append("Kinks: " + ", ".join(f"ω{w} ({key})" for w, key in kinks) + ".  At a "
                     "kink adcli warns and applies its convention; this code applies it "
                     f"without a word ({name}_on_kink says which step a point is on).")
    return lines


def kink_steps(kernel: Kernel) -> list[tuple[int, str]]:
    """(ω, primitive) of every step with a kink (abs, sqrt, max, …), in order."""
    return [(step_omega(kernel.tape, s), s.prim.key) for s in kernel.tape.steps
            if s.prim.key in KINKS and not _whole_power(s)]


def _whole_power(step: Step) -> bool:
    """x^k for a constant whole k ≥ 1: pow's kink (at 0) needs k < 1 or a fraction."""
    if step.prim.key != "pow":
        return False
    k = step.node.args[1]
    return k.op == CONST and k.value >= 1 and k.value == int(k.value)


def kink_tests(kernel: Kernel, lang: Lang, leaf: Leaf,
               ) -> list[tuple[Statement, bool, list[tuple[str, int]]]]:
    """What a kink query computes: [(statement, assign, [(condition, ω)])]
    in order, keeping only the primal statements the kink conditions read."""
    omegas = {omega for omega, _ in kink_steps(kernel)}
    if not omegas:
        return []
    primal = Kernel(kernel.fn, order=0, inputs=kernel.inputs, flag_kinks=True)
    stmts, _, _ = statements(primal, lang, leaf)
    needed: set[str] = set()
    kept: list[tuple[Statement, bool, list[tuple[str, int]]]] = []
    for s in reversed(stmts):
        tests = [(cond, -omega) for cond, omega in s.check
                 if -omega in omegas]  # flag_kinks marks a kink with -ω
        if tests or s.var in needed:
            kept.append((s, s.var in needed, tests))
            needed.update(s.deps)
    return kept[::-1]
