"""``adcli eval`` and ``adcli grad``: their requests as tables
(:mod:`adcli.cli.requests`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..api import Function
from . import options as opt
from .options import precision_options
from .requests import NOT_SPARSE, Options, Refusal, Request, Table, run, sparse_driver

if TYPE_CHECKING:
    from ..results import Cotangent, Derivatives, Directional

    FirstOrder = Derivatives | Directional | Cotangent  # what --stats reads: .point, .mode


EVAL = Table("", (Request("values", "eval", "evaluate", kernel="values"),))


@click.command("eval")
@precision_options
@opt.formula_argument
@opt.option("at")
@opt.format_option("eval")
@opt.points_options
def eval_command(**options: Any) -> None:
    """The value(s) of EXPR at a point."""
    run(EVAL, options)


# --- grad: J·v, uᵀ·J, the sparse Jacobian, the Jacobian ------------------------------

def _mode_stats(fn: Function, result: FirstOrder, requested: str, wrt: list[str] | None,
                kind: str) -> None:
    """``grad --stats``: on stderr, the mode used and why, the sweeps, the tape."""
    from ..render.trace_view import mode_stats

    tape = fn.tape(list(result.point))
    n_in = len(wrt) if wrt else tape.n_inputs
    opt.tell_stats(mode_stats(tape, len(fn.outputs), n_in, result.mode, requested, kind))


def _jacobian_stats(fn: Function, result: Derivatives, o: Options) -> None:
    """The mode and why, then the cost report (counted from the sweeps)."""
    from ..render.trace_view import cost_plain

    wrt = opt.parse_wrt(o["wrt"])
    _mode_stats(fn, result, o["mode"], wrt, "jacobian")
    opt.tell_stats(cost_plain(fn.cost(result.point, wrt=wrt)).splitlines())


FIRST_ORDER = ("wrt", "mode")
GRAD = Table("Jacobian", (
    Request("J·v", "jvp", "jvp", ("direction",), "jvp", option="direction", flag="--dir",
            product="J·v", sweep="one tangent sweep",
            refuses=(NOT_SPARSE,
                     Refusal("cotangent", "give --dir (J·v) or --cotangent (uᵀ·J), not both"),
                     Refusal("wrt", "--dir and --wrt do not combine",
                             "the direction already says which variables move")),
            stats=lambda fn, res, o: _mode_stats(fn, res, "forward", None, "jvp")),
    Request("uᵀ·J", "vjp", "vjp", ("cotangent", "wrt"), "vjp", option="cotangent",
            flag="--cotangent", product="uᵀ·J", sweep="one adjoint sweep", refuses=(NOT_SPARSE,),
            stats=lambda fn, res, o: _mode_stats(fn, res, "reverse", None, "vjp")),
    Request("sparse Jacobian", "sparse", sparse_driver("sparse_jacobian"), FIRST_ORDER,
            "sparse_grad", option="sparse", density="jacobian"),
    Request("Jacobian", "grad", "gradient", FIRST_ORDER, "gradient", stats=_jacobian_stats),
))


@click.command("grad")
@precision_options
@opt.formula_argument
@opt.option("at")
@opt.option("mode")
@opt.option("wrt")
@opt.option("dir", "Directional derivative J·v along this direction (one tangent sweep).")
@opt.option("cotangent", "uᵀ·J for these output weights (one adjoint sweep).")
@click.option("--stats", is_flag=True,
              help="On stderr: the mode used and why, the sweeps it took, the tape's size.")
@opt.option("sparse")
@opt.format_option("grad", "sparse")
@opt.points_options
def grad_command(**options: Any) -> None:
    """Value and gradient of EXPR (the Jacobian for several outputs)."""
    run(GRAD, options)
