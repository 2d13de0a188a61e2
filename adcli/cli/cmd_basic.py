"""``adcli eval`` and ``adcli grad``."""

import click

from . import cmd_sparse
from . import options as opt
from .cmd_sparse import check_sparse_options, sparse_option
from .options import precision_options


@click.command("eval")
@precision_options
@opt.formula_argument
@opt.at_option
@opt.format_option(opt.formats_of("eval"))
@opt.points_options
def eval_command(expr, file, at, fmt, points=None, input_format=None, digits=None,
                 exact=False):
    """The value(s) of EXPR at a point."""
    numbers = opt.number_system(digits, exact, points)
    fn = opt.compile_formula(expr, file)
    if points is not None:
        from ..batch import kernels

        return opt.run_batch(fn, at, points, kernels.values(fn), fmt, input_format,
                             digits, "-" in (expr, file))
    fmt = opt.choose_format(fmt)
    results = opt.each_point(fn, at, lambda point: fn.evaluate(point, **numbers),
                             opt.point_parser(numbers))
    opt.show("eval", fmt, results, source=fn.source)


@click.command("grad")
@precision_options
@opt.formula_argument
@opt.at_option
@opt.mode_option
@opt.wrt_option
@click.option("--dir", "direction", metavar="X=1,Y=0,…",
              help="Directional derivative J·v along this direction (one tangent sweep).")
@click.option("--cotangent", metavar="F1=1,F2=0|1,0",
              help="uᵀ·J for these output weights (one adjoint sweep).")
@click.option("--stats", is_flag=True,
              help="On stderr: the mode used and why, the sweeps it took, the tape's size.")
@sparse_option
@opt.format_option(opt.formats_of("grad", "sparse"))
@opt.points_options
def grad_command(expr, file, at, mode, wrt, direction, cotangent, stats, sparse, fmt,
                 points=None, input_format=None, digits=None, exact=False):
    """Value and gradient of EXPR (the Jacobian for several outputs)."""
    if sparse or fmt == "mtx":
        check_sparse_options(direction, cotangent, points, digits, exact, fmt)

    numbers = opt.number_system(digits, exact, points)
    if numbers and (direction is not None or cotangent is not None):
        raise opt.UsageError("--dir and --cotangent do not combine with --digits or --exact "
                             "yet", hint="--wrt picks the derivatives to compute")

    if points is not None:
        from ..batch import kernels

        if direction is not None or cotangent is not None:
            raise opt.UsageError("--dir and --cotangent do not work with --points yet")

        fn = opt.compile_formula(expr, file)
        wrt_names = opt.parse_wrt(wrt)
        if sparse:
            return opt.run_batch(fn, at, points, kernels.sparse_grad(fn, wrt_names, mode), fmt,
                                 input_format, digits)
        return opt.run_batch(fn, at, points, kernels.gradient(fn, wrt_names, mode),
                             fmt, input_format, digits, "-" in (expr, file))
    if direction is not None or cotangent is not None:
        from .cmd_higher import grad_directional

        return grad_directional(expr, file, at, wrt, direction, cotangent, fmt, stats)
    fn = opt.compile_formula(expr, file)
    if sparse is not False:
        if sparse or fmt == "mtx" or cmd_sparse.auto_sparse(fn, at, "jacobian"):
            auto = not sparse and fmt != "mtx"
            return cmd_sparse.sparse_grad(fn, at, opt.parse_wrt(wrt), mode, fmt, auto,
                                          numbers)
    fmt = opt.choose_format(fmt)
    wrt = opt.parse_wrt(wrt)
    results = opt.each_point(fn, at, lambda point: fn.gradient(point, wrt=wrt, mode=mode,
                                                               **numbers),
                             opt.point_parser(numbers))
    opt.show("grad", fmt, results, source=fn.source)
    if stats:
        from .cmd_higher import grad_stats

        grad_stats(fn, results[0], mode, wrt)
        from .cmd_trace import echo_cost

        echo_cost(fn, results[0].point, wrt)

