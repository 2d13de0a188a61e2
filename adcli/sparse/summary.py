"""A tape's sparsity pattern and the colours a compressed computation of it
needs (``adcli sparsity``), read from the tape in one pass."""

from ..arguments import FunctionLike, output_index
from ..graph.tape import Tape
from . import colouring as C
from . import drivers as D
from .pattern import Pattern


def jacobian_summary(tape: Tape) -> tuple[Pattern, dict[str, int]]:
    """The Jacobian's pattern, and the colours (compressed sweeps) forward
    and reverse mode need, beside the inputs and outputs (the dense counts)."""
    idx = list(range(tape.n_inputs))
    counts = {"forward": C.n_colours(D.jacobian_plan(tape, idx, "forward")[1]),
              "reverse": C.n_colours(D.jacobian_plan(tape, idx, "reverse")[1]),
              "inputs": tape.n_inputs, "outputs": len(tape.outputs)}
    return D.tape_jacobian_pattern(tape), counts


def hessian_summary(tape: Tape, output: int) -> tuple[Pattern, dict[str, int]]:
    """The Hessian's pattern of output ``output`` (0-based): pairs of inputs
    that meet in a nonlinear operation; and its colours."""
    n = tape.n_inputs
    adj, colours = D.hessian_plan(tape, output, list(range(n)))
    rows = [i for i, a in enumerate(adj) for _ in a]
    cols = [j for a in adj for j in sorted(a)]
    pat = Pattern(rows, cols, (n, n), tape.inputs, tape.inputs, "hessian")
    return pat, {"hessian": C.n_colours(colours)}



def prefers_sparse(fn: FunctionLike, inputs: list[str], kind: str,
                   output: int | str | None = None) -> bool:
    """Whether a sparse result is the better default for ``fn``'s Jacobian
    (``kind`` "jacobian") or the Hessian of its output ``output``, with
    ``inputs`` as the variables: the pattern has at least AUTO_MIN_ENTRIES
    entries, fewer than AUTO_DENSITY of them nonzero."""
    n = len(inputs)
    m = n if kind == "hessian" else len(fn.outputs)
    if m * n < D.AUTO_MIN_ENTRIES:
        return False
    tape = fn.tape(inputs)
    if kind == "hessian":
        nnz = sum(len(a) for a in D.tape_hessian_adjacency(tape, output_index(fn, output)))
    else:
        nnz = D.tape_jacobian_pattern(tape).nnz
    return nnz < D.AUTO_DENSITY * m * n
