"""The tape: the DAG flattened into ω steps in evaluation order.

Slots hold every value a sweep needs: the inputs first (ω₁…ωₙ, in the
order the user gave them), then the constants (which are not ω steps), then
one slot per operation (ωₙ₊₁…ω_N), arguments before users.
"""

from ..errors import UsageError
from .dag import postorder


class Step:
    __slots__ = ("prim", "args", "node", "slot")

    def __init__(self, prim, args, node, slot):
        self.prim = prim  # the Primitive
        self.args = args  # argument slots
        self.node = node  # the DAG node, for its source span
        self.slot = slot


class Tape:
    def __init__(self, program, inputs):
        from ..primitives import PRIMITIVES

        self.program = program
        self.inputs = tuple(inputs)
        self.n_inputs = len(self.inputs)
        slot_of = {}
        input_slot = {name: i for i, name in enumerate(self.inputs)}
        nodes = postorder(program.outputs)
        consts = [n for n in nodes if n.is_const]
        self.consts = [n.value for n in consts]
        for node in nodes:
            if node.is_var:
                if node.name not in input_slot:
                    raise _missing(program, node.name)
                slot_of[node.id] = input_slot[node.name]
        base = self.n_inputs
        for i, node in enumerate(consts):
            slot_of[node.id] = base + i
        self.first_step = base + len(consts)
        self.steps = []
        for node in nodes:
            if node.is_const or node.is_var:
                continue
            slot = self.first_step + len(self.steps)
            slot_of[node.id] = slot
            args = tuple(slot_of[a.id] for a in node.args)
            self.steps.append(Step(PRIMITIVES[node.op], args, node, slot))
        self.size = self.first_step + len(self.steps)
        self.outputs = [slot_of[n.id] for n in program.outputs]
        self.output_names = list(program.output_names)
        self.const_slots = set(range(base, self.first_step))

    def omega(self, slot):
        """The ω index (1-based) of a slot, or None for a constant."""
        if slot < self.n_inputs:
            return slot + 1
        if slot < self.first_step:
            return None
        return slot - self.first_step + self.n_inputs + 1

    def step_at(self, omega):
        return self.steps[omega - self.n_inputs - 1]

    def is_active(self, slot):
        return slot not in self.const_slots

    def __len__(self):
        return len(self.steps)


def _missing(program, name):
    span = program.free_spans.get(name)
    return UsageError(
        f"no value for the variable `{name}`",
        source=program.source, span=span,
        hint=f"give it with --at, e.g. --at {name}=1",
    )
