"""``adcli sparsity`` and the ``--sparse`` forms of ``grad`` and ``hessian``."""

import click

from ..errors import UsageError
from . import options as opt

PATTERN_FORMATS = ("text", "plain", "json", "mtx")
SPARSE_FORMATS = ("text", "plain", "json", "mtx", "csv", "tsv")


def _input_order(fn, at):
    """The inputs: in the order --at names them (values are not needed for a
    pattern), else in order of first appearance."""
    if not at:
        return list(fn.inputs)
    from ..language.point import parse_point

    names = list(parse_point(at[0]))
    missing = [v for v in fn.inputs if v not in names]
    if missing:
        raise UsageError(f"no value for the variable `{missing[0]}`",
                         hint=f"give it with --at, e.g. --at {missing[0]}=1")
    return names


@click.command("sparsity")
@opt.formula_argument
@click.option("--hessian", "hessian", is_flag=True,
              help="The Hessian's pattern (pairs of inputs that meet in a nonlinear "
                   "operation) instead of the Jacobian's.")
@click.option("--output", "output", metavar="K",
              help="With --hessian, for a program with several outputs: which one.")
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE,…",
              help="Only fixes the order of the inputs (the pattern holds at every point).")
@click.option("--format", "fmt", type=click.Choice(PATTERN_FORMATS), default=None,
              help="plain: one `row column` pair per line; json: coordinates; mtx: Matrix "
                   "Market; text: a spy plot (default on a terminal).")
def sparsity_command(expr, file, hessian, output, at, fmt):
    """The sparsity pattern of EXPR's Jacobian (or, with --hessian, its
    Hessian), read from the tape in one pass, and the colours a compressed
    computation needs."""
    from ..sparse import colouring as C
    from ..sparse import drivers as D
    from ..sparse import formats as F
    from ..sparse.pattern import Pattern
    from .cmd_higher import _output

    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    tape = fn.tape(_input_order(fn, at))
    n = tape.n_inputs
    if hessian:
        from ..higher import _output_index

        k = _output_index(fn, _output(output))
        adj, colours = D.hessian_plan(tape, k, list(range(n)))
        rows = [i for i, a in enumerate(adj) for _ in a]
        cols = [j for a in adj for j in sorted(a)]
        pat = Pattern(rows, cols, (n, n), tape.inputs, tape.inputs, "hessian")
        counts = {"hessian": C.n_colours(colours)}
    else:
        if output is not None:
            raise UsageError("--output goes with --hessian",
                             hint="the Jacobian's pattern has a row per output")
        pat = D.tape_jacobian_pattern(tape)
        idx = list(range(n))
        counts = {"forward": C.n_colours(D.jacobian_plan(tape, idx, "forward")[1]),
                  "reverse": C.n_colours(D.jacobian_plan(tape, idx, "reverse")[1]),
                  "inputs": n, "outputs": len(tape.outputs)}
    if fmt == "plain":
        if pat.nnz:  # an empty pattern is empty output
            opt.write(F.pattern_plain(pat))
    elif fmt == "json":
        from ..render.results import dumps

        opt.write(dumps(F.pattern_json(pat, counts)))
    elif fmt == "mtx":
        opt.write(F.matrix_market(pat, pat.kind, values=False))
    else:
        opt.write(F.pattern_text(pat, counts))
