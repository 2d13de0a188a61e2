"""``adcli sparsity`` and the ``--sparse`` forms of ``grad`` and ``hessian``."""

import click

from ..collector import without_gc
from ..errors import UsageError
from ..higher import _output_index
from . import options as opt
from .options import parse_output as _output


def _input_order(fn, at):
    """The inputs: in the order --at names them (values are not needed for a
    pattern), else in order of first appearance."""
    if not at:
        return list(fn.inputs)
    from ..language.point import parse_point

    names = list(parse_point(at[0]))
    given = set(names)  # (a list's `in` per input: n² over n inputs)
    missing = [v for v in fn.inputs if v not in given]
    if missing:
        raise UsageError(f"no value for the variable `{missing[0]}`",
                         hint=f"give it with --at, e.g. --at {missing[0]}=1")
    return names


@click.command("sparsity")
@opt.formula_argument
@click.option("--hessian", "hessian", is_flag=True,
              help="The Hessian's pattern (pairs of inputs that meet in a nonlinear "
                   "operation) instead of the Jacobian's.")
@click.option("--output", "output", metavar="K",
              help="With --hessian, for a program with several outputs: which one.")
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE,…",
              help="Only fixes the order of the inputs (the pattern holds at every point).")
@click.option("--format", "fmt", type=click.Choice(opt.formats_of("pattern")),
              default=None,
              help="plain: one `row column` pair per line; json: coordinates; mtx: Matrix "
                   "Market; text: a spy plot (default on a terminal).")
def sparsity_command(expr, file, hessian, output, at, fmt):
    """The sparsity pattern of EXPR's Jacobian (or, with --hessian, its
    Hessian), read from the tape in one pass, and the colours a compressed
    computation needs."""
    from ..sparse.summary import hessian_summary, jacobian_summary

    fn = opt.compile_formula(expr, file)
    fmt = opt.choose_format(fmt)
    tape = fn.tape(_input_order(fn, at))
    if hessian:
        pat, counts = hessian_summary(tape, _output_index(fn, opt.parse_output(output)))
    else:
        if output is not None:
            raise UsageError("--output goes with --hessian",
                             hint="the Jacobian's pattern has a row per output")
        pat, counts = jacobian_summary(tape)
    opt.show("pattern", fmt, [pat], colours=counts)


# --- grad --sparse, hessian --sparse --------------------------------------------------

def sparse_option(f):
    return click.option(
        "--sparse/--dense", "sparse", default=None,
        help="Sparse output: coordinates of the nonzeros, computed with one compressed "
             "sweep per colour (default: sparse when the pattern's density is below "
             "5 % for at least 10,000 entries, said so in the output).")(f)


def auto_sparse(fn, at, kind, output=None):
    if kind == "jacobian" and len(fn.outputs) < 2:
        return False  # one gradient row is n numbers either way (and grad starts faster)
    from ..sparse.summary import prefers_sparse

    return prefers_sparse(fn, _input_order(fn, at), kind, _output(output))


def run_sparse(kind, fn, at, fmt, compute, auto, numbers=None):
    """Compute a sparse result per --at point and write it in ``fmt``."""
    # Writing 100,000s of nonzeros allocates as many containers: without
    # the cyclic collector, which would rescan the whole DAG each time.
    without_gc(_run_sparse)(kind, fn, at, fmt, compute, auto, numbers)


def _run_sparse(kind, fn, at, fmt, compute, auto, numbers):
    fmt = opt.choose_format(fmt)
    results = opt.each_point(fn, at, compute, opt.point_parser(numbers or {}))
    for res in results:
        res.auto = auto  # the views say it was chosen (by the pattern's density)
    opt.show("sparse", fmt, results)


def sparse_grad(fn, at, wrt, mode, fmt, auto=False, numbers=None):
    from ..sparse.drivers import sparse_jacobian

    numbers = numbers or {}
    return run_sparse("jacobian", fn, at, fmt,
                      lambda p: sparse_jacobian(fn, p, wrt=wrt, mode=mode, **numbers), auto,
                      numbers)


def sparse_hessian(fn, at, wrt, output, fmt, auto=False, numbers=None):
    from ..sparse.drivers import sparse_hessian as compute

    numbers = numbers or {}
    return run_sparse("hessian", fn, at, fmt,
                      lambda p: compute(fn, p, wrt=wrt, output=output, **numbers), auto,
                      numbers)


def check_sparse_options(direction, cotangent, points, digits, exact, fmt=None,
                         kind="jacobian"):
    """What --sparse (or --format mtx) does not combine with, as usage errors.

    ``--dir`` and ``--cotangent`` ask for one product, J·v, uᵀ·J or H·v: a
    dense vector that one sweep computes whatever the sparsity, so there is
    no sparse matrix to write; the error says which to drop."""
    if direction is not None or cotangent is not None:
        flag = "--dir" if direction is not None else "--cotangent"
        product = {"--dir": "H·v" if kind == "hessian" else "J·v", "--cotangent": "uᵀ·J"}[flag]
        sweep = {"H·v": "one Hessian-vector product", "J·v": "one tangent sweep",
                 "uᵀ·J": "one adjoint sweep"}[product]
        matrix = "Hessian" if kind == "hessian" else "Jacobian"
        if fmt == "mtx":
            raise UsageError(f"{flag} gives one vector ({product}); Matrix Market holds a matrix",
                             hint=f"use --format json, csv or plain with {flag}, or drop "
                                  f"{flag} for the sparse {matrix}")
        raise UsageError(f"{flag} gives one vector ({product}, {sweep} whatever the sparsity): "
                         "--sparse does not apply",
                         hint=f"drop --sparse for {product}, or drop {flag} for the sparse "
                              f"{matrix}")
    if points is not None and fmt == "mtx":
        raise UsageError("Matrix Market holds one matrix, not a batch",
                         hint="--points writes csv, tsv, jsonl or json")
