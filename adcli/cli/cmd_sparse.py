"""``adcli sparsity``: the pattern of a Jacobian or Hessian."""

import click

from ..errors import UsageError
from ..higher import _output_index
from ..sparse.summary import hessian_summary, jacobian_summary
from . import options as opt


@click.command("sparsity")
@opt.formula_argument
@click.option("--hessian", "hessian", is_flag=True,
              help="The Hessian's pattern (pairs of inputs that meet in a nonlinear "
                   "operation) instead of the Jacobian's.")
@opt.option("output", "With --hessian, for a program with several outputs: which one.")
@opt.option("at", "Only fixes the order of the inputs (the pattern holds at every point).")
@opt.format_option("pattern", help="plain: one `row column` pair per line; json: coordinates; "
                                   "mtx: Matrix Market; text: a spy plot (default on a terminal).")
def sparsity_command(expr: str | None, file: str | None, hessian: bool, output: str | None,
                     at: tuple[str, ...], fmt: str | None) -> None:
    """The sparsity pattern of EXPR's Jacobian (or, with --hessian, its
    Hessian), read from the tape in one pass, and the colours a compressed
    computation needs."""
    if output is not None and not hessian:
        raise UsageError("--output goes with --hessian",
                         hint="the Jacobian's pattern has a row per output")
    fn = opt.compile_formula(expr, file)
    tape = fn.tape(opt.input_order(fn, at))
    pat, counts = hessian_summary(tape, _output_index(fn, opt.parse_output(output))) if hessian \
        else jacobian_summary(tape)
    opt.show("pattern", fmt, [pat], colours=counts)
