"""``adcli hessian``, ``adcli taylor``, ``adcli partial``: their requests as
tables (:mod:`adcli.cli.requests`)."""

from typing import Any

import click

from . import options as opt
from .options import precision_options
from .requests import NOT_SPARSE, Request, Table, run, sparse_driver

# --- hessian: H·v, the sparse Hessian, the Hessian ------------------------------------

SECOND_ORDER = ("wrt", "output", "direction")
HESSIAN = Table("Hessian", (
    Request("H·v", "hessian", "hessian", SECOND_ORDER, "hessian", option="direction",
            flag="--dir", product="H·v", sweep="one Hessian-vector product",
            refuses=(NOT_SPARSE,)),
    Request("sparse Hessian", "sparse", sparse_driver("sparse_hessian"), ("wrt", "output"),
            "sparse_hessian", option="sparse", density="hessian"),
    Request("Hessian", "hessian", "hessian", SECOND_ORDER, "hessian"),
))


@click.command("hessian")
@precision_options
@opt.formula_argument
@opt.option("at")
@opt.option("wrt")
@opt.option("dir", "Only the Hessian-vector product H·v along this direction.")
@opt.option("output", "For a program with several outputs: which one (1-based, or its name).")
@opt.option("sparse")
@opt.format_option("hessian", "sparse")
@opt.points_options
def hessian_command(**options: Any) -> None:
    """Value, gradient and dense Hessian of EXPR (forward-over-reverse:
    one Hessian-vector product per input; --sparse: one per colour)."""
    run(HESSIAN, options)


# --- taylor, partial ------------------------------------------------------------------

TAYLOR = Table("", (Request("Taylor coefficients", "taylor", "taylor",
                            ("order", "direction", "wrt"), "taylor"),))


@click.command("taylor")
@precision_options
@opt.formula_argument
@opt.option("at")
@click.option("--order", "-k", "order", type=click.IntRange(0, 10000), default=4,
              show_default=True, help="Highest order K of the coefficients.")
@opt.option("wrt", "Expand along this variable.", metavar="X")
@opt.option("dir", "Expand along the line x + t·v for this direction v.", metavar="X=1,Y=2,…")
@opt.format_option("taylor")
@opt.points_options
def taylor_command(**options: Any) -> None:
    """Taylor coefficients c_k and derivatives dᵏ/dtᵏ f(x + t·v) at t = 0,
    k = 0…K, by Taylor-mode arithmetic (O(K²) per step)."""
    run(TAYLOR, options)


PARTIAL = Table("", (Request("mixed partial", "partial", "partial", ("wrt",), "partial"),))


@click.command("partial")
@precision_options
@opt.formula_argument
@opt.option("at")
@opt.option("wrt", "The variables, repeated for higher order: x,x,y is ∂³f/∂x²∂y.",
            metavar="X,X,Y,…", required=True)
@opt.format_option("partial")
@opt.points_options
def partial_command(**options: Any) -> None:
    """One mixed partial derivative of any order, exact to working
    precision (Taylor coefficients along several directions)."""
    run(PARTIAL, options)
