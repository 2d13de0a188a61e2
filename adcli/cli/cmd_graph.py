"""``adcli graph``: the expression DAG as a tree, Graphviz DOT or Mermaid,
as a table of requests (:mod:`adcli.cli.requests`)."""

from typing import Any

import click

from ..api import Function
from ..language.point import parse_point
from . import options as opt
from .requests import Compute, Numbers, Options, Request, Table, run


def _annotated(fn: Function, o: Options, numbers: Numbers) -> Compute:
    seed = parse_point(o["seed"], "seed") if o["seed"] is not None else None
    names, mode = opt.parse_wrt(o["wrt"]), o["mode"]
    return lambda point: fn.graph(point, mode=mode, wrt=names, seed=seed)


GRAPH = Table("", (  # without --at, once with no point (the API refuses --mode, --seed)
    Request("DAG at points", "graph", _annotated, option="at"),
    Request("DAG", "graph", lambda fn, o, _: lambda _: fn.graph(mode=o["mode"], seed=o["seed"]),
            pointwise=False)))


@click.command("graph")
@opt.formula_argument
@click.option("--at", "at", metavar="NAME=VALUE,…", multiple=True,
              help="Annotate the nodes with their values at this point; repeat for "
                   "several points (one label per point on every node).")
@click.option("--mode", type=click.Choice(("forward", "reverse", "auto")), default=None,
              help="Also annotate tangents (forward) or adjoints (reverse); needs --at.")
@click.option("--wrt", metavar="X,Y,…", help="forward: tangents for these variables only.")
@click.option("--seed", metavar="X1=1,X2=0", help="forward: tangents along this direction.")
@click.option("--format", "fmt", type=click.Choice(opt.formats_of("graph")), default=None,
              help="tree (Rich, the default on a terminal), plain (an ASCII tree, "
                   "the default in a pipe), dot (Graphviz), mermaid, json.")
def graph_command(**options: Any) -> None:
    """The DAG of EXPR: ω steps, operations, inputs and outputs; a shared
    subexpression is one node with several edges.  With --at the nodes
    carry values, with --mode also tangents or adjoints."""
    run(GRAPH, options)
