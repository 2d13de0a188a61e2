"""``adcli check``: AD derivatives next to finite differences."""

import click

from . import options as opt


@click.command("check")
@opt.formula_argument
@opt.at_option
@opt.wrt_option
@click.option("--sweep", is_flag=True,
              help="Show the finite-difference error (forward and central) for "
                   "h = 1e-1 … 1e-14 against AD's, as a table and a chart.")
@opt.format_option(opt.formats_of("check"))
@opt.points_options
def check_command(expr, file, at, wrt, sweep, fmt, points=None, input_format=None, digits=None):
    """Compare the AD derivatives of EXPR with finite differences.

    Per variable: the AD derivative, a central difference at a chosen step,
    their difference, relative error and the tolerance finite differences
    can explain.  Exit 1 when they disagree beyond it or the point is on a
    kink (where the derivative does not exist); 0 when all agree.
    """
    fn = opt.compile_formula(expr, file)
    wrt = opt.parse_wrt(wrt)
    if points is not None:
        if sweep:
            raise opt.UsageError("--sweep works with --at points, not with --points")
        from ..batch import kernels

        return opt.run_batch(fn, at, points, kernels.check(fn, wrt), fmt, input_format,
                             digits)
    fmt = opt.choose_format(fmt)

    def compute(point):
        return fn.check(point, wrt=wrt, sweep=sweep)

    checks = opt.each_point(fn, at, compute)
    opt.show("check", fmt, checks, source=fn.source, sweep=sweep)  # and why one failed
    if not all(c.ok for c in checks):
        click.get_current_context().exit(1)
