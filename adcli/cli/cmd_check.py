"""``adcli check``: AD derivatives next to finite differences, as a table
of requests (:mod:`adcli.cli.requests`)."""

from typing import Any

import click

from . import options as opt
from .requests import Refusal, Request, Table, run

CHECK = Table("", (Request(
    "check", "check", "check", ("wrt", "sweep"), "check", ("wrt",), shows=("sweep",),
    status=lambda checks: 0 if all(c.ok for c in checks) else 1,  # 1: one disagrees
    refuses=(Refusal("sweep", "--sweep works with --at points, not with --points", when="points"),
             Refusal("numbers", "--digits N rounds the output of a --points batch; check "
                     "compares float64 derivatives at --at points",
                     "drop --digits, or give the points with --points"))),))


@click.command("check")
@opt.formula_argument
@opt.option("at")
@opt.option("wrt")
@click.option("--sweep", is_flag=True,
              help="Show the finite-difference error (forward and central) for "
                   "h = 1e-1 … 1e-14 against AD's, as a table and a chart.")
@opt.format_option("check")
@opt.points_options
def check_command(**options: Any) -> None:
    """Compare the AD derivatives of EXPR with finite differences.

    Per variable: the AD derivative, a central difference at a chosen step,
    their difference, relative error and the tolerance finite differences
    can explain.  Exit 1 when they disagree beyond it or the point is on a
    kink (where the derivative does not exist); 0 when all agree.
    """
    run(CHECK, options)
