"""``adcli trace``: the ω table of a forward or reverse sweep, with the
cost of each mode."""

import click

from ..errors import UsageError
from . import options as opt
from .options import precision_options

TRACE_FORMATS = ("text", "plain", "markdown", "latex", "json", "csv")
DEFAULT_TEXT_LIMIT = 200


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
@opt.format_option(TRACE_FORMATS)
def trace_command(expr, file, at, mode, wrt, seed, output, limit, ascii_, stats, fmt,
                  digits=None, exact=False):
    """The ω evaluation trace of EXPR: one row per ω step with its
    definition, value, and the tangent rule and tangent (forward) or the
    accumulated adjoint rule and adjoint (reverse, rows in sweep order),
    seeds marked; then the derivatives and what each mode costs."""
    from ..render import trace_view as V

    numbers = opt.number_system(digits, exact)
    fn = opt.compile_formula(expr, file)
    fmt = opt.text_format(fmt, numbers)
    names = opt.parse_wrt(wrt)
    direction = None
    if seed is not None:
        from ..language.point import parse_point

        if names is not None:
            raise UsageError("--seed and --wrt do not combine",
                             hint="--wrt x1 is the seed x1=1 with every other input 0")
        direction = parse_point(seed, label="--seed")
    k = _output(output)
    if k is not None and mode == "forward":
        raise UsageError("--output picks the seeded output of a reverse sweep",
                         hint="use --mode reverse (forward mode shows every output)")
    traces = opt.each_point(
        fn, at, lambda point: fn.trace(point, mode=mode, wrt=names, seed=direction,
                                       output=k, cost=stats, **numbers),
        opt.point_parser(numbers))
    if fmt == "text":
        from ..render import rich_view

        lim = limit if limit is not None else DEFAULT_TEXT_LIMIT
        rich_view.show(opt.each_block(traces, lambda t: V.rich_trace(t, lim, stats, ascii_),
                                      opt.rich_failed))
    elif fmt == "plain":
        opt.write("\n\n".join(opt.each_block(traces, lambda t: V.plain(t, limit, stats))))
    elif fmt == "markdown":
        opt.write("\n\n".join(opt.each_block(
            traces, lambda t: V.markdown(t, limit, stats, ascii_),
            lambda e: f"**{e.where}: error:** {e.message}")))
    elif fmt == "latex":
        opt.write("\n\n".join(opt.each_block(
            traces, lambda t: V.latex(t, limit),
            lambda e: rf"\noindent\textbf{{error}} {_latex_text(e.where)}: "
                      rf"{_latex_text(e.message)}")))
    elif fmt == "json":
        from ..render.results import dumps

        objs = opt.each_json(traces, lambda t: V.to_json(t, stats, ascii_))
        opt.write(dumps(opt.one_or_many(objs)))
    else:
        _write_csv(traces, ascii_)


def _write_csv(traces, ascii_):
    """One row per ω step; with several --at points a ``point`` column
    (1-based) says whose step a row is, and if one of them failed an
    ``error`` column says why it has one row and no steps."""
    import csv
    import io

    from ..render import trace_view as V

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if not opt.several_points():
        for i, t in enumerate(traces):
            part = V.csv_rows(t, ascii_)
            writer.writerows(part if i == 0 else part[1:])
        opt.write(buf.getvalue())
        return
    error = [""] if opt.any_failed() else []
    header = ["point"] + V.csv_rows(traces[0], ascii_)[0] + ["error"] * len(error)
    writer.writerow(header)
    for number, entry in enumerate(opt.in_order(traces), 1):
        if isinstance(entry, opt.FailedPoint):
            writer.writerow([number] + [""] * (len(header) - 2) + [entry.message])
            continue
        for row in V.csv_rows(entry, ascii_)[1:]:
            writer.writerow([number] + row + error)
    opt.write(buf.getvalue())


def _latex_text(text):
    """Text set in LaTeX as it reads (its special characters escaped)."""
    special = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
               "#": r"\#", "^": r"\^{}", "_": r"\_", "~": r"\~{}", "%": r"\%"}
    return "".join(special.get(c, c) for c in text)


def _output(text):
    if text is None:
        return None
    text = text.strip()
    if text.isdigit():
        if int(text) < 1:
            raise UsageError("--output counts from 1", hint="--output 1 is the first output")
        return int(text) - 1
    return text


def echo_cost(fn, point, wrt=None):
    """``adcli grad --stats``: the cost report (counted from the sweeps) on stderr."""
    from ..render.trace_view import cost_plain

    for line in cost_plain(fn.cost(point, wrt=wrt)).splitlines():
        click.echo(f"adcli: stats: {line}", err=True)
