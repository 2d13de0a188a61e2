"""``adcli diff`` (the derivative as a formula) and ``adcli codegen`` (as source code)."""

import click

from . import options as opt


@click.command("diff")
@opt.formula_argument
@opt.wrt_option
@click.option("--mode", type=click.Choice(("auto", "forward", "reverse")), default="auto",
              show_default=True,
              help="Build the derivative with the tangent (forward) or adjoint (reverse) sweep.")
@click.option("--format", "fmt", type=click.Choice(("plain", "json", "latex")), default="plain",
              show_default=True, help="plain: adcli input; json; latex.")
def diff_command(expr, file, wrt, mode, fmt):
    """The derivative of EXPR as a formula (itself valid adcli input)."""
    from ..codegen.diff import DiffResult
    from ..render.results import dumps

    fn = opt.compile_formula(expr, file)
    res = DiffResult(fn, opt.parse_wrt(wrt), mode)
    if fmt == "json":
        opt.write(dumps(res.as_json()))
    elif fmt == "latex":
        opt.write(res.latex())
    else:
        opt.write(res.plain())
