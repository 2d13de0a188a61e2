"""``--digits N`` and ``--exact`` for eval and grad, and the helpers other
commands (hessian, taylor, trace) can call to offer the same options.

    from .cmd_precise import precision_options, precision_context

    @precision_options
    def my_command(..., digits, exact):
        ctx = precision_context(digits, exact)   # None: ordinary float64
        if ctx is not None:
            point = parse_precise_points(at)[0]   # {name: value text}
            lin = precise.linearize(ctx, tape, point)  # adcli.modes.precise
            ...ctx.format(number)...

mpmath is imported only when ``--digits`` is given.
"""

import click

from ..errors import UsageError
from . import options as opt

MAX_DIGITS = 100_000


def precision_options(f):
    """Add ``--digits N`` and ``--exact`` to a command (its function gets
    ``digits`` and ``exact``).  If the command already has a ``--digits``
    option (the batch options), that one is shared."""
    help_text = ("N correct significant digits: with --at, computed in arbitrary precision "
                 "(mpmath; --at values and constants taken at that precision, x=1/3 is one "
                 "third); with --points, float64 written to N ≤ 17 digits.")
    existing = [p for p in getattr(f, "__click_params__", []) if p.name == "digits"]
    if existing:  # the batch options' --digits: one option, widened to any precision
        existing[0].type = click.IntRange(1, MAX_DIGITS)
        existing[0].help = help_text
    else:
        f = click.option("--digits", type=click.IntRange(1, MAX_DIGITS), default=None,
                         metavar="N", help=help_text)(f)
    return click.option("--exact", is_flag=True, default=False,
                        help="Exact rational arithmetic (+ - * / and integer powers): "
                             "prints fractions such as 7/3.")(f)


def precision_context(digits, exact):
    """A :class:`adcli.modes.precise.Context`, or None for float64."""
    if digits is None and not exact:
        return None
    from ..modes.precise import Context, _context

    if exact and digits is not None:
        return _context(digits, exact)  # raises the usage error
    return Context.exact() if exact else Context.mp(digits)


def parse_precise_points(at):
    """``--at`` values as {name: value text}, one dict per ``--at``."""
    from ..modes.precise import parse_point

    return [parse_point(text) for text in at]


def _points(fn, at):
    return opt.require_points(fn, at, _point_parser())


def _point_parser():
    from ..modes.precise import parse_point

    return parse_point


def _no_batch(points):
    if points:
        raise UsageError("--exact, and --digits above 17, work with --at points, not yet "
                         "with --points (a batch runs in float64)",
                         hint="give the points with --at (repeatable)")


def precise_eval(expr, file, at, fmt, digits, exact, points=None):
    from ..modes import precise
    from ..render import precise_view

    precision_context(digits, exact)  # validates the combination
    _no_batch(points)
    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    results = opt.each_point(
        fn, at, lambda point: precise.evaluate(fn, point, digits=digits, exact=exact),
        _point_parser())
    opt.write(precise_view.render(fmt, results, "eval"))


def precise_grad(expr, file, at, fmt, digits, exact, mode="auto", wrt=None, points=None):
    from ..modes import precise
    from ..render import precise_view

    precision_context(digits, exact)
    _no_batch(points)
    params = click.get_current_context().params
    if params.get("direction") is not None or params.get("cotangent") is not None:
        raise UsageError("--dir and --cotangent do not combine with --digits or --exact yet",
                         hint="--wrt picks the derivatives to compute")
    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    wrt = opt.parse_wrt(wrt)
    results = opt.each_point(
        fn, at, lambda point: precise.gradient(fn, point, digits=digits, exact=exact, wrt=wrt,
                                               mode=mode),
        _point_parser())
    opt.write(precise_view.render(fmt, results, "grad"))
