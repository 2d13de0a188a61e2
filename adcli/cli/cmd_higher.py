"""``adcli hessian``, ``adcli taylor``, ``adcli partial``: their requests as
tables (:mod:`adcli.cli.requests`)."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from ..api import Function
from . import options as opt
from .cmd_basic import sparse_option
from .options import precision_options
from .requests import NOT_SPARSE, Compute, Options, Request, Table, run

if TYPE_CHECKING:
    from ..batch.kernels import KernelFactory


def _kernels() -> ModuleType:
    from ..batch import kernels

    return kernels


# --- hessian: H·v, the sparse Hessian, the Hessian ------------------------------------

def _hessian(fn: Function, o: Options, numbers: dict[str, Any]) -> Compute:
    wrt, k = opt.parse_wrt(o["wrt"]), opt.parse_output(o["output"])
    v = opt.parse_direction(o["direction"], bool(numbers)) if o["direction"] is not None \
        else None
    return lambda point: fn.hessian(point, wrt=wrt, output=k, direction=v, **numbers)


def _hessian_kernel(fn: Function, o: Options) -> KernelFactory:
    v = opt.parse_direction(o["direction"]) if o["direction"] is not None else None
    return _kernels().hessian(fn, opt.parse_wrt(o["wrt"]), opt.parse_output(o["output"]), v)


def _sparse_hessian(fn: Function, o: Options, numbers: dict[str, Any]) -> Compute:
    from ..sparse.drivers import sparse_hessian

    wrt, k = opt.parse_wrt(o["wrt"]), opt.parse_output(o["output"])
    return lambda point: sparse_hessian(fn, point, wrt=wrt, output=k, **numbers)


def _sparse_hessian_kernel(fn: Function, o: Options) -> KernelFactory:
    return _kernels().sparse_hessian(fn, opt.parse_wrt(o["wrt"]), opt.parse_output(o["output"]))


HESSIAN = Table("Hessian", (
    Request("H·v", "hessian", _hessian, _hessian_kernel, option="direction", flag="--dir",
            product="H·v", sweep="one Hessian-vector product", refuses=(NOT_SPARSE,)),
    Request("sparse Hessian", "sparse", _sparse_hessian, _sparse_hessian_kernel,
            option="sparse", density="hessian"),
    Request("Hessian", "hessian", _hessian, _hessian_kernel),
))


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
def hessian_command(**options: Any) -> None:
    """Value, gradient and dense Hessian of EXPR (forward-over-reverse:
    one Hessian-vector product per input; --sparse: one per colour)."""
    run(HESSIAN, options)


# --- taylor, partial ------------------------------------------------------------------

def _taylor(fn: Function, o: Options, numbers: dict[str, Any]) -> Compute:
    names, order = opt.parse_wrt(o["wrt"]), o["order"]
    v = opt.parse_direction(o["direction"], bool(numbers)) if o["direction"] is not None \
        else None
    return lambda point: fn.taylor(point, order, direction=v, wrt=names, **numbers)


def _taylor_kernel(fn: Function, o: Options) -> KernelFactory:
    v = opt.parse_direction(o["direction"]) if o["direction"] is not None else None
    return _kernels().taylor(fn, o["order"], v, opt.parse_wrt(o["wrt"]))


TAYLOR = Table("", (Request("Taylor coefficients", "taylor", _taylor, _taylor_kernel),))


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
def taylor_command(**options: Any) -> None:
    """Taylor coefficients c_k and derivatives dᵏ/dtᵏ f(x + t·v) at t = 0,
    k = 0…K, by Taylor-mode arithmetic (O(K²) per step)."""
    run(TAYLOR, options)


def _partial(fn: Function, o: Options, numbers: dict[str, Any]) -> Compute:
    names = opt.parse_wrt(o["wrt"])
    return lambda point: fn.partial(point, names, **numbers)


def _partial_kernel(fn: Function, o: Options) -> KernelFactory:
    return _kernels().partial(fn, opt.parse_wrt(o["wrt"]))


PARTIAL = Table("", (Request("mixed partial", "partial", _partial, _partial_kernel),))


@click.command("partial")
@precision_options
@opt.formula_argument
@opt.at_option
@click.option("--wrt", metavar="X,X,Y,…", required=True,
              help="The variables, repeated for higher order: x,x,y is ∂³f/∂x²∂y.")
@opt.format_option(opt.formats_of("partial"))
@opt.points_options
def partial_command(**options: Any) -> None:
    """One mixed partial derivative of any order, exact to working
    precision (Taylor coefficients along several directions)."""
    run(PARTIAL, options)
