"""``adcli diff`` (the derivative as a formula) and ``adcli codegen`` (as source code)."""

from typing import Any

import click

from ..codegen.diff import DiffResult
from . import options as opt
from .requests import Request, Table, run

# Once, with no point: the derivative as a formula, and as a program in --lang
DIFF = Table("", (Request("derivative", "derivative", lambda fn, _, **how: DiffResult(fn, **how),
                          ("wrt", "mode"), pointwise=False),))
CODEGEN = Table("", (Request(
    "source", "source", lambda fn, _, fmt, **how: fn.codegen(fmt, **how),
    ("fmt", "mode", "order", "direction", "cotangent", "name", "main", "inputs", "output",
     "sparse"), pointwise=False),))


@click.command("diff")
@opt.formula_argument
@opt.option("wrt")
@opt.option("mode", "Build the derivative with the tangent (forward) or adjoint (reverse) sweep.")
@opt.format_option("derivative", default="plain", show_default=True,
                   help="plain: adcli input; json; latex.")
def diff_command(**options: Any) -> None:
    """The derivative of EXPR as a formula (itself valid adcli input)."""
    run(DIFF, options)


@click.command("codegen")
@opt.formula_argument
@click.option("--lang", "fmt", type=click.Choice(opt.formats_of("source")), required=True,
              help="The target language.")
@opt.option("mode", "Tangent (forward) or adjoint (reverse) sweep (order 1).")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="1: values and gradient/Jacobian; 2: value, gradient and Hessian.")
@opt.option("dir", "Emit J·v for this direction.")
@opt.option("cotangent", "Emit uᵀ·J for these weights.")
@click.option("--name", default="adcli_f", show_default=True,
              help="The function's name (and the prefix of every symbol).")
@click.option("--main", "main", is_flag=True,
              help="A program: points on stdin, one line of %.17g results per point.")
@click.option("--inputs", metavar="X,Y,…",
              help="The order of the inputs (default: order of first appearance).")
@opt.option("output", "--order 2 of a program with several outputs: which one (1-based or name).")
@click.option("--sparse", is_flag=True,
              help="Only the Jacobian's or Hessian's nonzeros (coordinates as constant "
                   "arrays), by one sweep per colour.")
def codegen_command(**options: Any) -> None:
    """EXPR's derivative program as one self-contained source file on stdout."""
    run(CODEGEN, options)
