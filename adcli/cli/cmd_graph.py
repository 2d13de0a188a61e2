"""``adcli graph``: the expression DAG as a tree, Graphviz DOT or Mermaid."""

import click

from ..errors import UsageError
from . import options as opt

GRAPH_FORMATS = ("tree", "plain", "dot", "mermaid", "json", "text")


@click.command("graph")
@opt.formula_argument
@click.option("--at", "at", metavar="NAME=VALUE,…", multiple=True,
              help="Annotate the nodes with their values at this point (a graph shows "
                   "one point: given several, the first).")
@click.option("--mode", type=click.Choice(("forward", "reverse", "auto")), default=None,
              help="Also annotate tangents (forward) or adjoints (reverse); needs --at.")
@click.option("--wrt", metavar="X,Y,…", help="forward: tangents for these variables only.")
@click.option("--seed", metavar="X1=1,X2=0", help="forward: tangents along this direction.")
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default=None,
              help="tree (Rich, the default on a terminal), plain (an ASCII tree, "
                   "the default in a pipe), dot (Graphviz), mermaid, json.")
def graph_command(expr, file, at, mode, wrt, seed, fmt):
    """The DAG of EXPR: ω steps, operations, inputs and outputs; a shared
    subexpression is one node with several edges.  With --at the nodes
    carry values, with --mode also tangents or adjoints."""
    from ..render import graph_view as V

    fn = opt.compile_formula(expr, file)
    if fmt is None:
        fmt = "tree" if opt.choose_format(None) == "text" else "plain"
    elif fmt == "text":
        fmt = "tree"
    trace = None
    if len(at) > 1:
        click.echo(f"adcli: note: a graph shows one point; drawing the first of {len(at)} "
                   f"(--at {at[0]})", err=True)
    at = at[0] if at else None
    if at is not None:
        from ..language.point import parse_point
        point = parse_point(at)
        direction = parse_point(seed, label="--seed") if seed is not None else None
        trace = fn.trace(point, mode=mode or "auto", wrt=opt.parse_wrt(wrt),
                         seed=direction, cost=False)
        opt.emit_warnings(trace.warnings)
        tape = fn.tape(list(point))
    else:
        if mode is not None or seed is not None:
            raise UsageError("--mode needs a point for its tangents or adjoints",
                             hint="add --at, e.g. --at " + ",".join(f"{n}=1" for n in fn.inputs))
        tape = fn.tape()
    with_values = trace is not None
    style = "ascii" if fmt == "plain" else "text"
    sweep = trace if mode is not None else _values_only(trace)
    nodes = V.build(tape, sweep, style)
    title = " ".join(fn.source.split())
    if trace is not None:
        from ..render.numbers import plain_number

        title += " at " + ", ".join(f"{k} = {plain_number(v)}" for k, v in trace.point.items())
    if fmt == "tree":
        tree = V.rich_tree(nodes, tape, title, with_values)
        if tree is None:
            click.echo(f"adcli: note: the graph is more than {V.RICH_TREE_MAX_DEPTH} levels "
                       "deep; printing it as a plain tree (--format dot or mermaid draws it)",
                       err=True)
            fmt, nodes = "plain", V.build(tape, sweep, "ascii")
        else:
            from ..render import rich_view

            rich_view.show([tree])
            return
    if fmt == "plain":
        opt.write(f"graph of {title}\n" + V.plain_tree(nodes, tape, with_values))
    elif fmt == "dot":
        opt.write(V.dot(nodes, tape, title, with_values))
    elif fmt == "mermaid":
        opt.write(V.mermaid(nodes, tape, with_values))
    else:
        from ..render.results import dumps

        opt.write(dumps(V.to_json(nodes, tape, trace)))


def _values_only(trace):
    """Values without tangent/adjoint columns (no --mode)."""
    if trace is None:
        return None
    for row in trace.rows:
        row.values = []
    trace.columns = []
    return trace
