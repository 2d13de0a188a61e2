"""``adcli diff`` (the derivative as a formula) and ``adcli codegen`` (as source code)."""

import click

from ..codegen.diff import DiffResult
from . import options as opt


@click.command("diff")
@opt.formula_argument
@opt.wrt_option
@click.option("--mode", type=click.Choice(("auto", "forward", "reverse")), default="auto",
              show_default=True,
              help="Build the derivative with the tangent (forward) or adjoint (reverse) sweep.")
@click.option("--format", "fmt", type=click.Choice(opt.formats_of("derivative")),
              default="plain",
              show_default=True, help="plain: adcli input; json; latex.")
def diff_command(expr: str | None, file: str | None, wrt: str | None, mode: str,
                 fmt: str) -> None:
    """The derivative of EXPR as a formula (itself valid adcli input)."""
    fn = opt.compile_formula(expr, file)
    opt.show("derivative", fmt, [DiffResult(fn, opt.parse_wrt(wrt), mode)])


@click.command("codegen")
@opt.formula_argument
@click.option("--lang", type=click.Choice(opt.formats_of("source")), required=True,
              help="The target language.")
@click.option("--mode", type=click.Choice(("auto", "forward", "reverse")), default="auto",
              show_default=True, help="Tangent (forward) or adjoint (reverse) sweep (order 1).")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="1: values and gradient/Jacobian; 2: value, gradient and Hessian.")
@click.option("--dir", "direction", metavar="X=1,Y=0,…", help="Emit J·v for this direction.")
@click.option("--cotangent", metavar="F1=1,F2=0|1,0", help="Emit uᵀ·J for these weights.")
@click.option("--name", default="adcli_f", show_default=True,
              help="The function's name (and the prefix of every symbol).")
@click.option("--main", "main", is_flag=True,
              help="A program: points on stdin, one line of %.17g results per point.")
@click.option("--inputs", metavar="X,Y,…",
              help="The order of the inputs (default: order of first appearance).")
@click.option("--output", "output", metavar="K",
              help="--order 2 of a program with several outputs: which one (1-based or name).")
@click.option("--sparse", is_flag=True,
              help="Only the Jacobian's or Hessian's nonzeros (coordinates as constant "
                   "arrays), by one sweep per colour.")
def codegen_command(expr: str | None, file: str | None, lang: str, mode: str, order: int,
                    direction: str | None, cotangent: str | None, name: str, main: bool,
                    inputs: str | None, output: str | None, sparse: bool) -> None:
    """EXPR's derivative program as one self-contained source file on stdout."""
    fn = opt.compile_formula(expr, file)
    source = fn.codegen(
        lang, mode=mode, order=order, name=name, main=main,
        direction=opt.parse_direction(direction) if direction is not None else None,
        cotangent=opt.parse_cotangent(cotangent) if cotangent is not None else None,
        inputs=opt.parse_wrt(inputs), output=opt.parse_output(output), sparse=sparse)
    opt.show("source", lang, [source])
