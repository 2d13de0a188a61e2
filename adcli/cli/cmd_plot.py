"""``adcli plot EXPR --over x=A:B[,y=C:D]``: f and its derivatives in the
terminal, or as a PNG/SVG figure with ``--out``."""

import shutil
import sys

import click

from ..api import Function
from ..errors import UsageError
from ..higher import _output_index
from ..language.point import parse_point
from ..plot.figure import MAX_GRID_SAMPLES, MAX_ORDER, MAX_SAMPLES, ONE_VAR_SAMPLES
from ..plot.sampling import LineSampler, Span, bind, parse_over, sample_field
from ..plot.terminal import field_shape, short_number, use_colour
from ..render.registry import file_format
from . import options as opt


def parse_size(text: str | None) -> tuple[int, int] | None:
    """``WxH`` → (W, H), both positive integers."""
    if text is None:
        return None
    w, sep, h = text.lower().partition("x")
    try:
        size = (int(w), int(h)) if sep else (0, 0)
    except ValueError:
        size = (0, 0)
    if min(size) < 1:
        raise UsageError(f"--size expects WIDTHxHEIGHT, not `{text}`",
                         hint="e.g. --size 100x30 (terminal columns × lines) or "
                              "--size 900x600 (pixels, with --out)")
    return size


@click.command("plot")
@opt.formula_argument
@click.option("--over", "over", required=True, metavar="X=FROM:TO[,Y=FROM:TO]",
              help="The variable(s) to sweep and their ranges, e.g. x=-6:6 or x=-2:2,y=-2:2.")
@click.option("--order", type=click.IntRange(0, MAX_ORDER), default=None,
              help="Plot f and its derivatives up to this order (one variable; default 1).")
@opt.option("at", "Values of the other variables of the formula, e.g. y=0.5.")
@click.option("--wrt", default=None, metavar="NAME",
              help="Differentiate along this variable (default: the swept one).")
@click.option("--samples", type=click.IntRange(2, MAX_SAMPLES), default=None, metavar="N",
              help=f"Points along the swept variable (default {ONE_VAR_SAMPLES}; a grid of "
                   "N×N for two variables, default to suit the size).")
@click.option("--out", "out", default=None, metavar="FILE.png|FILE.svg",
              help="Write a figure instead of drawing in the terminal (needs adcli[plot]).")
@click.option("--size", default=None, metavar="WxH",
              help="Terminal: columns×lines (default: the terminal's).  --out: pixels "
                   "(default 900x600).")
@click.option("--color", "color", type=click.Choice(("auto", "always", "never")),
              default="auto", show_default=True,
              help="Colours on a terminal (auto honours NO_COLOR and pipes).")
@opt.option("output", "Which output of a several-output program (1-based index or name).")
def plot_command(expr: str | None, file: str | None, over: str, order: int | None,
                 at: tuple[str, ...], wrt: str | None, samples: int | None, out: str | None,
                 size: str | None, color: str, output: str | None) -> None:
    """Draw f and its derivatives over a range.

    \b
      adcli plot "x^2*sin(x)" --over x=-6:6 --order 2
      adcli plot "exp(-x^2-y^2)" --over x=-2:2 --at y=0.5
      adcli plot "x^2 - y^2" --over x=-2:2,y=-2:2 --out saddle.png

    Undefined points are gaps, values beyond a robust range are clipped (the
    plot says so), and kinks are marked on the derivatives.
    """
    fn = opt.compile_formula(expr, file)
    spans = parse_over(over)
    if len(at) > 1:  # one picture: the other variables take one value each
        raise UsageError("plot takes one --at (the values of the variables not swept)",
                         hint="join them: --at y=0.5,z=1")
    fixed = parse_point(at[0]) if at else {}
    bind(fn, spans, fixed, wrt)
    which = _output_index(fn, opt.parse_output(output))
    if len(spans) == 2:
        if order not in (None, 1):
            raise UsageError("--order applies to one-variable plots; a two-variable plot "
                             "shows f and its gradient")
        if samples is not None and samples > MAX_GRID_SAMPLES:
            raise UsageError(f"--samples {samples} makes a grid of {samples}×{samples}",
                             hint=f"two-variable plots take at most --samples {MAX_GRID_SAMPLES} "
                                  "(per side)")
    order, dims, title = 1 if order is None else order, parse_size(size), _title(fn, spans, fixed)
    if out is not None:  # the registry's views of a figure write it, by the file's suffix
        fmt = file_format("figure", out)
        figure = fn.plot(over, order=order, at=fixed, wrt=wrt, samples=samples, size=dims,
                         output=which, title=title)
        return opt.show("figure", fmt, [figure], out=out)
    cols, lines = dims or shutil.get_terminal_size((80, 24))  # COLUMNS/LINES override it
    if cols < 20 or lines < 6:
        raise UsageError(f"a terminal of {cols}×{lines} is too small for a plot",
                         hint="make it at least 20 columns × 6 lines, or use --size")
    colour = use_colour(sys.stdout, color)
    drawn = {"cols": cols, "lines": lines, "colour": colour, "order": order, "title": title}
    if len(spans) == 1:
        sampler = LineSampler(fn, spans[0], fixed, order, wrt, which)
        opt.show("curves", "text", [sampler.sample(samples or ONE_VAR_SAMPLES)], **drawn)
    else:  # on the grid the terminal's field fits
        sx, sy = spans
        plot_w, plot_h, _ = field_shape(cols, lines, sx.hi - sx.lo, sy.hi - sy.lo, colour)
        field = sample_field(fn, spans, fixed, plot_w, 2 * plot_h if colour else plot_h, which)
        opt.show("field", "text", [field], **drawn)


def _title(fn: Function, spans: list[Span], fixed: dict[str, float]) -> str:
    ranges = ", ".join(f"{s.name} = {short_number(s.lo)}…{short_number(s.hi)}" for s in spans)
    fixed_text = "".join(f", {k} = {short_number(v)}" for k, v in fixed.items())
    return f"{' '.join(fn.source.split())}   ({ranges}{fixed_text})"
