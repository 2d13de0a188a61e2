"""The derivative program that every emitter prints: the function's tape
and one symbolic sweep (:mod:`adcli.codegen.symbolic`) as DAG nodes, with
the ω role of each node (ω₄, ω̇₄, ω̄₄) for names and comments, and the
engine's domain and kink behaviour per step.

Which nodes become statements: every ω role (so the code reads like the
trace table), every node read more than once (shared subexpressions once),
and every partial of a primitive with a kink (so the engine's kink
convention can be applied to it); everything else is written inline.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from ..arguments import FunctionLike, Vector
from ..arguments import cotangent_vector as _cotangent
from ..arguments import direction_vector as _direction
from ..arguments import output_index as _output_index
from ..errors import UsageError
from ..graph.dag import CONST, VAR, Node, postorder
from ..graph.tape import Step, Tape
from ..language.printer import ATOM as _ATOM
from ..language.printer import Printed, number
from ..language.printer import print_node as _print
from ..numtext import derivative_label
from ..primitives import PRIMITIVES, Primitive
from .sparse import SparseGroup, Triplets, sparse_hessian, sparse_jacobian
from .symbolic import Builder, Sweeps, choose, operation_nodes


class Spelling(Protocol):
    """What a condition needs of a target language (emit.Lang has it)."""

    def any(self, *conds: str) -> str: ...
    def all(self, *conds: str) -> str: ...
    def not_(self, cond: str) -> str: ...
    def abs(self, a: str) -> str: ...
    def floor(self, a: str) -> str: ...


# A condition's text from its arguments' texts (b is "" for a one-argument
# primitive) and the target's spelling.
Condition = Callable[[str, str, Spelling], str]
# (name, nodes, labels) of one output group: ("f", values, names), ("J", ...)
Group = tuple[str, list[Node], list[str]]
# A cell of a batch kernel's output: (group, index in the group), e.g. ("J", 3).
Column = tuple[str, int]

# Where the engine reports a domain error besides a nan from non-nan
# arguments (which every math-library primitive and pow report): the poles,
# where Python raises and C returns ±inf.  Over argument texts a, b.
POLES: dict[str, Condition] = {
    "div": lambda a, b, L: f"{b} == 0.0",
    "log": lambda a, b, L: f"{a} == 0.0",
    "log2": lambda a, b, L: f"{a} == 0.0",
    "log10": lambda a, b, L: f"{a} == 0.0",
    "logb": lambda a, b, L: L.any(f"{a} == 0.0", f"{b} == 0.0", f"{b} == 1.0"),
    "log1p": lambda a, b, L: f"{a} == -1.0",
    "atanh": lambda a, b, L: f"{L.abs(a)} == 1.0",
    "pow": lambda a, b, L: L.all(f"{a} == 0.0", f"{b} < 0.0"),
    "csc": lambda a, b, L: f"{a} == 0.0",
    "cot": lambda a, b, L: f"{a} == 0.0",
}

# The table's kink predicates, as conditions in the target language.
KINKS: dict[str, Condition] = {
    "abs": lambda a, b, L: f"{a} == 0.0",
    "sign": lambda a, b, L: f"{a} == 0.0",
    "sqrt": lambda a, b, L: f"{a} == 0.0",
    "cbrt": lambda a, b, L: f"{a} == 0.0",
    "asin": lambda a, b, L: f"{L.abs(a)} == 1.0",
    "acos": lambda a, b, L: f"{L.abs(a)} == 1.0",
    "acosh": lambda a, b, L: f"{a} == 1.0",
    "atan2": lambda a, b, L: L.all(f"{a} == 0.0", f"{b} == 0.0"),
    "hypot": lambda a, b, L: L.all(f"{a} == 0.0", f"{b} == 0.0"),
    "min": lambda a, b, L: f"{a} == {b}",
    "max": lambda a, b, L: f"{a} == {b}",
    "pow": lambda a, b, L: L.all(f"{a} == 0.0",
                                 L.not_(L.all(f"{b} == {L.floor(b)}", f"{b} >= 1.0"))),
}


class Role:
    __slots__ = ("var", "display", "kind")

    def __init__(self, var: str, display: str, kind: str) -> None:
        self.var = var  # the variable name in generated code: w4, d4, b4, t12
        self.display = display  # in comments: ω4, ω̇4, ω̄4
        self.kind = kind  # "input", "primal", "tangent", "adjoint", "temp"


DOT = "\u0307"
BAR = "\u0304"


class Kernel:
    """What to compute and how each node is named.

    ``groups``: [(name, [nodes], [labels])], e.g. ("f", values, names),
    ("J", row-major Jacobian, labels).  ``inputs``: the names, in order."""

    def __init__(self, fn: FunctionLike, *, mode: str = "auto", order: int = 1,
                 direction: Vector | None = None, cotangent: Vector | None = None,
                 inputs: Iterable[str] | None = None, output: int | str | None = None,
                 flag_kinks: bool = False, sparse: bool = False,
                 wrt: Iterable[str] | None = None) -> None:
        self.fn = fn
        self.flag_kinks = flag_kinks  # C: return -ω at a step on its kink (for --jit)
        program = fn.program
        self.inputs = tuple(inputs) if inputs is not None else tuple(fn.inputs)
        self.tape = Tape(program, self.inputs)
        self.builder = Builder(program.graph)
        self.sweeps = Sweeps(self.builder, [s.node for s in self.tape.steps])
        self.var = [program.graph.var(name) for name in self.inputs]
        # the inputs the derivatives are taken with respect to (a subset: --wrt)
        self.wrt = tuple(wrt) if wrt is not None else self.inputs
        self.wrt_var = [self.var[self.inputs.index(w)] for w in self.wrt]
        self.outputs = list(program.output_names)
        self.roles: dict[int, Role] = {}
        self.kink_partials: dict[int, Node] = {}  # partial node id -> the step's node
        self.checks: dict[int, Step] = {}  # primal node id -> step
        # sparse group -> (rows, cols, shape) of its nonzeros
        self.triplets: dict[str, Triplets] = {}
        self._primal_roles()
        values = list(program.outputs)
        if order == 2:
            k = self._output(output)
            self.outputs = [self.outputs[k]]
            values = [values[k]]
        self.groups: list[Group] = [("f", values, list(self.outputs))]
        if direction is not None and cotangent is not None:
            raise UsageError("give `direction` (J·v) or `cotangent` (uᵀ·J), not both",
                             params=("direction", "cotangent"))
        if order == 0:
            self.mode = "none"
        elif order == 2:
            self._second_order(values[0], k if sparse else None)
        elif direction is not None:
            self._directional(values, direction)
        elif cotangent is not None:
            self._cotangent_row(values, cotangent)
        else:
            self._first_order(values, mode, sparse)

    def _first_order(self, values: list[Node], mode: str, sparse: bool) -> None:
        """The Jacobian group (by tangent or adjoint sweeps as ``mode``
        chooses), or with ``sparse`` its nonzeros only, by compressed sweeps
        (adcli/codegen/sparse.py)."""
        zero = self.builder.const(0.0)
        if sparse:
            self.mode = mode
            nodes, labels, self.triplets["Jnz"] = sparse_jacobian(self, values, zero)
            self.groups.append(("Jnz", nodes, labels))
            return
        self.mode = choose(mode, len(values), len(self.wrt))
        rows = self._jacobian(values, zero)
        self.groups.append(("J", [x for row in rows for x in row],
                            [derivative_label(o, w) for o in self.outputs for w in self.wrt]))

    def _primal_roles(self) -> None:
        """ω names for the inputs and the tape's steps (the trace's)."""
        tape = self.tape
        for i, v in enumerate(self.var):
            self.roles[v.id] = Role(f"w{i + 1}", f"ω{i + 1}", "input")
        for step in tape.steps:
            omega = tape.omega(step.slot)
            self.roles.setdefault(step.node.id, Role(f"w{omega}", f"ω{omega}", "primal"))
            self.checks[step.node.id] = step

    def _second_order(self, value: Node, sparse_output: int | None) -> None:
        """Gradient and Hessian groups (forward over reverse); the nonzeros
        only with ``sparse_output`` (adcli/codegen/sparse.py)."""
        self.mode = "forward-over-reverse"
        name = self.outputs[0]
        if sparse_output is not None:
            grad, (nodes, labels, triplets) = self._sparse_hessian(value, sparse_output)
            self.groups.append(("g", grad, [derivative_label(name, w) for w in self.inputs]))
            self.groups.append(("Hnz", nodes, labels))
            self.triplets = {"Hnz": triplets}
        else:
            grad, hess = self._hessian(value)
            self.groups.append(("g", grad, [derivative_label(name, w) for w in self.wrt]))
            self.groups.append(("H", hess, [f"d2{name}/d{a}d{c}" for a in self.wrt
                                            for c in self.wrt]))

    def _directional(self, values: list[Node], direction: Vector) -> None:
        """J·v: one tangent sweep seeded with the direction."""
        b = self.builder
        self.mode = "forward"
        vec = _direction(self.tape, direction)
        seeds = {v.id: b.const(float(s)) for v, s in zip(self.var, vec) if s}
        tan = self._tangent(seeds, 1, 1)
        self.groups.append(("Jv", [tan.get(o.id, b.const(0.0)) for o in values],
                            [f"J·v[{o}]" for o in self.outputs]))

    def _cotangent_row(self, values: list[Node], cotangent: Vector) -> None:
        """uᵀ·J: one adjoint sweep seeded with the cotangent."""
        b = self.builder
        self.mode = "reverse"
        seeds: dict[int, Node] = {}
        for o, w in zip(values, _cotangent(self.fn, cotangent)):
            if w:
                seeds[o.id] = b.const(w) if o.id not in seeds else b.add(seeds[o.id], b.const(w))
        adj = self._adjoint(seeds, 1, 1)
        self.groups.append(("uJ", [adj.get(v.id, b.const(0.0)) for v in self.var],
                            [f"uᵀJ[{w}]" for w in self.inputs]))

    def _output(self, output: int | str | None) -> int:
        if output is None and len(self.outputs) > 1:
            raise UsageError("a Hessian needs one output: this program has "
                             f"{len(self.outputs)}", hint="choose one with `output` K",
                             params=("output",))
        return 0 if output is None else _output_index(self.fn, output)

    def _jacobian(self, values: list[Node], zero: Node) -> list[list[Node]]:
        b = self.builder
        n_sweeps = len(self.wrt_var) if self.mode == "forward" else len(values)
        if self.mode == "forward":  # one tangent sweep per input in wrt
            cols = []
            for s, v in enumerate(self.wrt_var):
                tan = self._tangent({v.id: b.const(1.0)}, s + 1, n_sweeps)
                cols.append([tan.get(o.id, zero) for o in values])
            return [[col[k] for col in cols] for k in range(len(values))]
        rows = []
        for s, o in enumerate(values):
            adj = self._adjoint({o.id: b.const(1.0)}, s + 1, n_sweeps)
            rows.append([adj.get(v.id, zero) for v in self.wrt_var])
        return rows

    def _suffix(self, s: int, n_sweeps: int) -> tuple[str, str]:
        return ("", "") if n_sweeps == 1 else (f"_{s}", f"[{s}]")

    def _tangent(self, seeds: Mapping[int, Node], s: int, n_sweeps: int) -> dict[int, Node]:
        tan = self.sweeps.tangent(seeds)
        var_s, disp_s = self._suffix(s, n_sweeps)
        for step in self.tape.steps:
            t = tan.get(step.node.id)
            if t is not None and t.op not in (CONST, VAR):
                omega = self.tape.omega(step.slot)
                self.roles.setdefault(t.id, Role(f"d{omega}{var_s}", f"ω{DOT}{omega}{disp_s}",
                                                 "tangent"))
        self._note_kinks()
        return tan

    def _adjoint(self, seeds: Mapping[int, Node], s: int, n_sweeps: int) -> dict[int, Node]:
        var_s, disp_s = self._suffix(s, n_sweeps)
        count: dict[int | None, int] = {}
        tape = self.tape
        slot_of = {step.node.id: step.slot for step in tape.steps}
        slot_of.update({v.id: i for i, v in enumerate(self.var)})

        def on_term(arg: Node, user: Node, partial_sum: Node) -> None:
            if partial_sum.op in (CONST, VAR) or arg.id not in slot_of:
                return
            omega = tape.omega(slot_of[arg.id])
            k = count[omega] = count.get(omega, 0) + 1
            self.roles.setdefault(partial_sum.id, Role(
                f"b{omega}{var_s}_{k}", f"ω{BAR}{omega}{disp_s}", "adjoint"))

        adj = self.sweeps.adjoint(seeds, on_term)
        self._note_kinks()
        return adj

    def _note_kinks(self) -> None:
        for node_id, parts in self.sweeps._partials.items():
            if node_id in self.checks:
                step = self.checks[node_id]
                if step.prim.key in KINKS:
                    for p in parts:
                        if p is not None and p.op not in (CONST, VAR):
                            self.kink_partials.setdefault(p.id, step.node)

    def _gradient_dag(self, value: Node, wrt: list[Node]) -> tuple[list[Node], Sweeps]:
        """The gradient (entries in ``wrt``) by the adjoint sweep, and the
        sweeps over the gradient's own DAG that differentiate it again."""
        b = self.builder
        zero = b.const(0.0)
        adj = self._adjoint({value.id: b.const(1.0)}, 1, 1)
        grad = [adj.get(v.id, zero) for v in wrt]
        second = Sweeps(b, operation_nodes(grad + [value]))
        second._partials = self.sweeps._partials  # the tape's partials, instantiated once
        second.partial_of = self.sweeps.partial_of
        return grad, second

    def _sparse_hessian(self, value: Node, output: int) -> tuple[list[Node], SparseGroup]:
        """The gradient in every input, and the Hessian's nonzeros (nodes,
        labels, triplets) of output ``output`` by one tangent sweep per colour."""
        grad, second = self._gradient_dag(value, self.var)
        return grad, sparse_hessian(self, output, grad, second, self.builder.const(0.0))

    def _hessian(self, value: Node) -> tuple[list[Node], list[Node]]:
        """Gradient by the adjoint sweep, then one tangent sweep per input in
        wrt over the gradient's own DAG (forward over reverse): the dense
        Hessian, row-major."""
        b = self.builder
        zero = b.const(0.0)
        grad, second = self._gradient_dag(value, self.wrt_var)
        hess: list[Node] = []
        cols = []
        for v in self.wrt_var:  # one tangent sweep per input in wrt
            tan = second.tangent({v.id: b.const(1.0)})
            cols.append([tan.get(g.id, zero) for g in grad])
        for i in range(len(grad)):
            hess.extend(cols[j][i] for j in range(len(grad)))
        return grad, hess

    # --- scheduling -------------------------------------------------------

    def schedule(self, must_name: Iterable[str] = (),
                 roots: Iterable[Node] | None = None) -> tuple[list[Node], set[int]]:
        """(order, named): the nodes to compute (arguments first) and the ids
        that get a statement of their own.  ``roots``: the cells wanted
        (default: every group's), so that a subset computes only what it reads."""
        roots = [n for _, nodes, _ in self.groups for n in nodes] if roots is None \
            else list(roots)
        if self.flag_kinks:  # --jit: every step, as the engine evaluates (and checks) them all
            roots += [s.node for s in self.tape.steps]
        order = [n for n in postorder(roots) if n.op not in (CONST, VAR)]
        uses: dict[int, int] = {}
        for node in order:
            for a in node.args:
                uses[a.id] = uses.get(a.id, 0) + 1
        named = set()
        for node in order:
            if (node.id in self.roles or uses.get(node.id, 0) > 1
                    or node.id in self.kink_partials or node.op in must_name):
                named.add(node.id)
        for node in order:  # arguments a template writes twice must be atoms
            if node.op in must_name:
                named.update(a.id for a in node.args if a.op not in (CONST, VAR))
        return order, named

    def role(self, node: Node, temps: dict[int, Role]) -> Role:
        r = self.roles.get(node.id)
        if r is None:
            r = temps.get(node.id)
            if r is None:
                k = len(temps) + 1
                r = temps[node.id] = Role(f"t{k}", f"t{k}", "temp")
        return r

    def describe(self, node: Node, names: Mapping[int, str]) -> str:
        """The node's definition as a comment: ``ω̇3 = ω̇1·ω2 + ω1·ω̇2``;
        named nodes show as their ω names, the rest inline."""
        done: dict[int, Printed] = {}
        stack = [(node, False)]
        while stack:
            cur, expanded = stack.pop()
            if cur.id in done:
                continue
            if cur is not node and cur.id in names:
                done[cur.id] = (names[cur.id], _ATOM, True)
                continue
            if cur.op in (CONST, VAR):
                done[cur.id] = _print(cur, "text", _name, done)
                continue
            if expanded:
                done[cur.id] = _print(cur, "text", _name, done)  # not a leaf: unused
                continue
            stack.append((cur, True))
            stack.extend((a, False) for a in cur.args if a.id not in done)
        return str(done[node.id][0])


def _name(node: Node) -> str:
    return str(node.name)


def text_number(value: float) -> str:
    return str(number(value, "text"))


def primitive(key: str) -> Primitive:
    return PRIMITIVES[key]
