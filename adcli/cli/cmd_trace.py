"""``adcli trace``: the ω table of a forward or reverse sweep, with the
cost of each mode."""

import click

from ..errors import UsageError
from ..language.point import parse_point
from ..render.trace_view import DEFAULT_TEXT_LIMIT
from . import options as opt
from .options import precision_options


@click.command("trace")
@precision_options
@opt.formula_argument
@opt.at_option
@opt.mode_option
@click.option("--wrt", metavar="X,Y,…",
              help="forward: one tangent sweep (column) per variable named; "
                   "reverse: the derivatives shown in the footer.")
@click.option("--seed", metavar="X1=1,X2=0",
              help="forward: one tangent sweep along this seed direction ẋ.")
@click.option("--output", "output", metavar="K",
              help="reverse: seed only this output (1-based, or its name); "
                   "default one adjoint column per output.")
@click.option("--limit", type=click.IntRange(2, None), default=None, metavar="N",
              help=f"Show at most N rows (the first and last, which hold the inputs "
                   f"and outputs); a terminal shows {DEFAULT_TEXT_LIMIT} by default.")
@click.option("--ascii", "ascii_", is_flag=True,
              help="w1, w1_dot, w1_bar instead of ω₁, ω̇₁, ω̄₁ (plain is always ASCII).")
@click.option("--stats/--no-stats", default=True, show_default=True,
              help="Report what each mode costs (operations counted from the sweeps).")
@opt.format_option(opt.formats_of("trace"))
def trace_command(expr, file, at, mode, wrt, seed, output, limit, ascii_, stats, fmt,
                  digits=None, exact=False):
    """The ω evaluation trace of EXPR: one row per ω step with its
    definition, value, and the tangent rule and tangent (forward) or the
    accumulated adjoint rule and adjoint (reverse, rows in sweep order),
    seeds marked; then the derivatives and what each mode costs."""
    numbers = opt.number_system(digits, exact)
    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    names = opt.parse_wrt(wrt)
    direction = None
    if seed is not None:
        if names is not None:
            raise UsageError("--seed and --wrt do not combine",
                             hint="--wrt x1 is the seed x1=1 with every other input 0")
        direction = parse_point(seed, "seed")
    k = opt.parse_output(output)
    if k is not None and mode == "forward":
        raise UsageError("--output picks the seeded output of a reverse sweep",
                         hint="use --mode reverse (forward mode shows every output)")
    traces = opt.each_point(
        fn, at, lambda point: fn.trace(point, mode=mode, wrt=names, seed=direction,
                                       output=k, cost=stats, **numbers),
        opt.point_parser(numbers))
    opt.show("trace", fmt, traces, limit=limit, stats=stats, ascii=ascii_)

