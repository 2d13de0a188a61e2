"""``adcli hessian``, ``adcli taylor``, ``adcli partial``, and the
``--dir`` / ``--cotangent`` forms of ``adcli grad``."""

import click

from ..errors import UsageError
from . import cmd_sparse
from . import options as opt
from .cmd_sparse import check_sparse_options, sparse_option
from .options import precision_options


def _run(fn, at, compute, precise=False):
    return opt.each_point(fn, at, compute, opt.point_parser(precise))


def _show(fn, at, fmt, compute, kind, numbers=None):
    results = _run(fn, at, compute, bool(numbers))
    opt.show(kind, opt.choose_format(fmt), results, source=fn.source)


def parse_dir(text, precise=False):
    return opt.point_parser(precise)(text, "direction")


def parse_cotangent(text):
    """``f1=1,f2=0`` (by output name) or ``1,0`` (one weight per output)."""
    from ..language.point import constant, parse_point, split_pairs

    if "=" in text:
        return parse_point(text, "cotangent")
    return [constant(piece, text, offset, "cotangent")
            for piece, offset in split_pairs(text)]


_output = opt.parse_output  # kept for the commands that import it from here


def grad_stats(fn, result, requested, wrt, kind="jacobian"):
    """``grad --stats``: on stderr, the mode used and why, the sweeps, the tape."""
    from ..render.trace_view import mode_stats

    tape = fn.tape(list(result.point))
    n_in = len(wrt) if wrt else tape.n_inputs
    opt.tell_stats(mode_stats(tape, len(fn.outputs), n_in, result.mode, requested, kind))


def grad_directional(expr, file, at, wrt, direction, cotangent, fmt, stats=False):
    """``adcli grad --dir …`` (J·v) or ``--cotangent …`` (uᵀ·J)."""
    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    if direction is not None and cotangent is not None:
        raise UsageError("give --dir (J·v) or --cotangent (uᵀ·J), not both")
    if direction is not None:
        if wrt is not None:
            raise UsageError("--dir and --wrt do not combine",
                             hint="the direction already says which variables move")
        v = parse_dir(direction)
        results = _run(fn, at, lambda p: fn.jvp(p, v))
        opt.show("jvp", fmt, results, source=fn.source)
        if stats:
            grad_stats(fn, results[0], "forward", None, "jvp")
    else:
        u = parse_cotangent(cotangent)
        results = _run(fn, at, lambda p: fn.vjp(p, u, wrt=opt.parse_wrt(wrt)))
        opt.show("vjp", fmt, results, source=fn.source)
        if stats:
            grad_stats(fn, results[0], "reverse", None, "vjp")


@click.command("hessian")
@precision_options
@opt.formula_argument
@opt.at_option
@opt.wrt_option
@click.option("--dir", "direction", metavar="X=1,Y=0,…",
              help="Only the Hessian-vector product H·v along this direction.")
@click.option("--output", "output", metavar="K",
              help="For a program with several outputs: which one (1-based, or its name).")
@sparse_option
@opt.format_option(opt.formats_of("hessian", "sparse"))
@opt.points_options
def hessian_command(expr, file, at, wrt, direction, output, sparse, fmt, points=None,
                    input_format=None, digits=None, exact=False):
    """Value, gradient and dense Hessian of EXPR (forward-over-reverse:
    one Hessian-vector product per input; --sparse: one per colour)."""
    if sparse or fmt == "mtx":
        check_sparse_options(direction, None, points, digits, exact, fmt, kind="hessian")

    numbers = opt.number_system(digits, exact, points)
    fn = opt.compile_formula(expr, file)
    wrt = opt.parse_wrt(wrt)
    v = parse_dir(direction, bool(numbers)) if direction is not None else None
    k = _output(output)
    if sparse and points is not None:
        from ..batch import kernels

        return opt.run_batch(fn, at, points, kernels.sparse_hessian(fn, wrt, k), fmt,
                             input_format, digits)
    if sparse is not False and v is None and points is None:
        if sparse or fmt == "mtx" or cmd_sparse.auto_sparse(fn, at, "hessian", output):
            auto = not sparse and fmt != "mtx"
            return cmd_sparse.sparse_hessian(fn, at, wrt, k, fmt, auto, numbers)

    def compute(p):
        return fn.hessian(p, wrt=wrt, output=k, direction=v, **numbers)

    if points is not None:
        from ..batch import kernels

        return opt.run_batch(fn, at, points, kernels.hessian(fn, wrt, k, v), fmt,
                             input_format, digits)
    _show(fn, at, fmt, compute, "hessian", numbers)


@click.command("taylor")
@precision_options
@opt.formula_argument
@opt.at_option
@click.option("--order", "-k", "order", type=click.IntRange(0, 10000), default=4,
              show_default=True, help="Highest order K of the coefficients.")
@click.option("--wrt", metavar="X", help="Expand along this variable.")
@click.option("--dir", "direction", metavar="X=1,Y=2,…",
              help="Expand along the line x + t·v for this direction v.")
@opt.format_option(opt.formats_of("taylor"))
@opt.points_options
def taylor_command(expr, file, at, order, wrt, direction, fmt, points=None,
                   input_format=None, digits=None, exact=False):
    """Taylor coefficients c_k and derivatives dᵏ/dtᵏ f(x + t·v) at t = 0,
    k = 0…K, by Taylor-mode arithmetic (O(K²) per step)."""
    numbers = opt.number_system(digits, exact, points)
    fn = opt.compile_formula(expr, file)
    names = opt.parse_wrt(wrt)
    v = parse_dir(direction, bool(numbers)) if direction is not None else None

    def compute(p):
        return fn.taylor(p, order, direction=v, wrt=names, **numbers)

    if points is not None:
        from ..batch import kernels

        return opt.run_batch(fn, at, points, kernels.taylor(fn, order, v, names), fmt,
                             input_format, digits)
    _show(fn, at, fmt, compute, "taylor", numbers)


@click.command("partial")
@precision_options
@opt.formula_argument
@opt.at_option
@click.option("--wrt", metavar="X,X,Y,…", required=True,
              help="The variables, repeated for higher order: x,x,y is ∂³f/∂x²∂y.")
@opt.format_option(opt.formats_of("partial"))
@opt.points_options
def partial_command(expr, file, at, wrt, fmt, points=None, input_format=None, digits=None,
                    exact=False):
    """One mixed partial derivative of any order, exact to working
    precision (Taylor coefficients along several directions)."""
    numbers = opt.number_system(digits, exact, points)
    fn = opt.compile_formula(expr, file)
    names = opt.parse_wrt(wrt)

    def compute(p):
        return fn.partial(p, names, **numbers)

    if points is not None:
        from ..batch import kernels

        return opt.run_batch(fn, at, points, kernels.partial(fn, names), fmt, input_format,
                             digits)
    _show(fn, at, fmt, compute, "partial", numbers)
