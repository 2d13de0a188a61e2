"""``adcli graph``: the expression DAG as a tree, Graphviz DOT or Mermaid."""

import click

from ..language.point import parse_point
from . import options as opt


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
def graph_command(expr, file, at, mode, wrt, seed, fmt):
    """The DAG of EXPR: ω steps, operations, inputs and outputs; a shared
    subexpression is one node with several edges.  With --at the nodes
    carry values, with --mode also tangents or adjoints."""
    fn = opt.compile_formula(expr, file)
    if at:
        direction = parse_point(seed, "seed") if seed is not None else None
        names = opt.parse_wrt(wrt)
        dags = opt.each_point(fn, at, lambda point: fn.graph(
            point, mode=mode, wrt=names, seed=direction))
    else:  # the DAG alone (the API refuses --mode or --seed without a point)
        dags = [fn.graph(mode=mode, seed=seed)]
    opt.show("graph", opt.choose_format(fmt), dags)
