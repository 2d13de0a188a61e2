"""``adcli check``: AD derivatives next to finite differences."""

import click

from . import options as opt

FORMATS = ("text", "plain", "json", "jsonl", "csv", "tsv")


@click.command("check")
@opt.formula_argument
@opt.at_option
@opt.wrt_option
@click.option("--sweep", is_flag=True,
              help="Show the finite-difference error (forward and central) for "
                   "h = 1e-1 … 1e-14 against AD's, as a table and a chart.")
@opt.format_option(FORMATS)
def check_command(expr, file, at, wrt, sweep, fmt):
    """Compare the AD derivatives of EXPR with finite differences.

    Per variable: the AD derivative, a central difference at a chosen step,
    their difference, relative error and the tolerance finite differences
    can explain.  Exit 1 when they disagree beyond it or the point is on a
    kink (where the derivative does not exist); 0 when all agree.
    """
    from ..modes.check import check_point
    from ..modes.check import sweep as run_sweep

    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    wrt = opt.parse_wrt(wrt)
    checks = []
    for point in opt.require_points(fn, at):
        check = check_point(fn, point, wrt=wrt)
        if sweep:
            run_sweep(fn, check)
        opt.emit_warnings(check.warnings)
        checks.append(check)
    if fmt == "text":
        from ..render.check_view import show

        show(checks, fn.source, sweep)
    else:
        from ..render.check_view import render

        opt.write(render(fmt, checks, sweep))
    bad = [c for c in checks if not c.ok]
    if bad and fmt != "text":
        c = bad[0]
        where = f" at ω{c.step}" if c.step is not None else ""
        point = ",".join(f"{k}={v!r}" for k, v in c.point.items())
        click.echo(f"adcli: check: {c.verdict}{where} (point {point}): {c.reason}", err=True)
    if bad:
        click.get_current_context().exit(1)
