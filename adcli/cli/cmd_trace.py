"""``adcli trace``: the ω table of a forward or reverse sweep, with the
cost of each mode, as a table of requests (:mod:`adcli.cli.requests`)."""

from typing import Any

import click

from ..render.trace_view import DEFAULT_TEXT_LIMIT
from . import options as opt
from .requests import SEED_OR_WRT, Refusal, Request, Table, run

TRACE = Table("", (Request(
    "trace", "trace", lambda fn, point, stats, **rest: fn.trace(point, cost=stats, **rest),
    ("mode", "wrt", "seed", "output", "stats"), shows=("limit", "stats", "ascii"),
    refuses=(SEED_OR_WRT,
             Refusal("output", "--output picks the seeded output of a reverse sweep",
                     "use --mode reverse (forward mode shows every output)",
                     when="mode=forward"))),))


@click.command("trace")
@opt.precision_options
@opt.formula_argument
@opt.option("at")
@opt.option("mode")
@opt.option("wrt", "forward: one tangent sweep (column) per variable named; "
                  "reverse: the derivatives shown in the footer.")
@opt.option("seed", "forward: one tangent sweep along this seed direction ẋ.")
@opt.option("output", "reverse: seed only this output (1-based, or its name); "
                      "default one adjoint column per output.")
@click.option("--limit", type=click.IntRange(2, None), default=None, metavar="N",
              help=f"Show at most N rows (the first and last, which hold the inputs "
                   f"and outputs); a terminal shows {DEFAULT_TEXT_LIMIT} by default.")
@click.option("--ascii", "ascii", is_flag=True,
              help="w1, w1_dot, w1_bar instead of ω₁, ω̇₁, ω̄₁ (plain is always ASCII).")
@click.option("--stats/--no-stats", default=True, show_default=True,
              help="Report what each mode costs (operations counted from the sweeps).")
@opt.format_option("trace")
def trace_command(**options: Any) -> None:
    """The ω evaluation trace of EXPR: one row per ω step with its
    definition, value, and the tangent rule and tangent (forward) or the
    accumulated adjoint rule and adjoint (reverse, rows in sweep order),
    seeds marked; then the derivatives and what each mode costs."""
    run(TRACE, options)
