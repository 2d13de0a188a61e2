"""``adcli graph``: the expression DAG as a tree, Graphviz DOT or Mermaid,
as a table of requests (:mod:`adcli.cli.requests`)."""

from typing import Any

import click

from . import options as opt
from .requests import SEED_OR_WRT, Refusal, Request, Table, run


def _tangents_only(option: str, what: str, at_points: bool) -> Refusal:
    """--wrt and --seed choose the tangents that --mode forward draws at the
    --at points: refused where there are none (as trace refuses --seed with
    --wrt), never silently ignored."""
    if at_points:
        return Refusal(option, f"--{option} {what} that --mode forward draws",
                       f"add --mode forward, or drop --{option}", when="!mode|mode=reverse")
    return Refusal(option, f"--{option} {what} that --mode forward draws at a point",
                   f"add --at and --mode forward, or drop --{option}")


def _refusals(at_points: bool) -> tuple[Refusal, ...]:
    return (SEED_OR_WRT, _tangents_only("wrt", "chooses the tangents", at_points),
            _tangents_only("seed", "is the direction of the tangents", at_points))


GRAPH = Table("", (  # without --at, once with no point (the API refuses --mode)
    Request("DAG at points", "graph", "graph", ("mode", "wrt", "seed"), option="at",
            refuses=_refusals(True)),
    Request("DAG", "graph", "graph", ("mode", "wrt", "seed"), pointwise=False,
            refuses=_refusals(False))))


@click.command("graph")
@opt.formula_argument
@opt.option("at", "Annotate the nodes with their values at this point; repeat for "
                  "several points (one label per point on every node).")
@click.option("--mode", type=click.Choice(("forward", "reverse", "auto")), default=None,
              help="Also annotate tangents (forward) or adjoints (reverse); needs --at.")
@opt.option("wrt", "forward: tangents for these variables only.")
@opt.option("seed", "forward: tangents along this direction.")
@opt.format_option("graph", help="tree (Rich, the default on a terminal), plain (an ASCII "
                                 "tree, the default in a pipe), dot (Graphviz), mermaid, json.")
def graph_command(**options: Any) -> None:
    """The DAG of EXPR: ω steps, operations, inputs and outputs; a shared
    subexpression is one node with several edges.  With --at the nodes
    carry values, with --mode also tangents or adjoints."""
    run(GRAPH, options)
