"""``adcli check``: AD derivatives next to finite differences."""

import click

from ..errors import DomainError
from ..modes.check import check_point
from ..modes.check import sweep as run_sweep
from ..render.check_view import check_json, failure_line
from ..render.results import derivative_label
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
        return opt.run_batch(fn, at, points, lambda v: _kernel(fn, v, wrt), fmt,
                             input_format, digits)
    fmt = opt.choose_format(fmt)

    def compute(point):
        check = check_point(fn, point, wrt=wrt)
        if sweep:
            run_sweep(fn, check)
        return check

    checks = opt.each_point(fn, at, compute)
    opt.show("check", fmt, checks, source=fn.source, sweep=sweep)
    bad = [c for c in checks if not c.ok]
    if bad and fmt != "text":
        click.echo(f"adcli: check: {failure_line(bad[0])}", err=True)
    if bad:
        click.get_current_context().exit(1)


def _kernel(fn, variables, wrt):
    """One summary row per point for ``--points`` (adcli.batch): the values,
    and per derivative AD, central FD and relative error.  A point where AD
    and FD disagree or that sits on a kink is a failed row whose error names
    the verdict and the ω step, so the batch exits 1."""
    from ..batch.driver import PointKernel

    names = list(wrt or variables)
    columns = list(fn.outputs)
    for out in fn.outputs:
        for var in names:
            d = derivative_label(out, var)
            columns += [d, f"fd:{d}", f"relerr:{d}"]

    def compute(point):
        check = check_point(fn, point, wrt=wrt)
        if not check.ok:
            where = f" at ω{check.step}" if check.step is not None else ""
            raise DomainError(f"{check.verdict}{where}: {check.summary or check.reason}",
                              step=check.step)
        return check

    def cells(check):
        out = list(check.values)
        for r in check.rows:
            out += [r.ad, r.fd, r.relerr]
        return out

    return PointKernel(columns, compute, cells, check_json)
