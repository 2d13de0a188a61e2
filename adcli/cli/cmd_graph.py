"""``adcli graph``: the expression DAG as a tree, Graphviz DOT or Mermaid."""

import click

from ..errors import UsageError, example_point
from ..language.point import parse_point
from ..render import graph_view as V
from ..render.numbers import plain_number
from . import options as opt

GRAPH_FORMATS = ("tree", "plain", "dot", "mermaid", "json", "text")


@click.command("graph")
@opt.formula_argument
@click.option("--at", "at", metavar="NAME=VALUE,…", multiple=True,
              help="Annotate the nodes with their values at this point; repeat for "
                   "several points (one label per point on every node).")
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
    fn = opt.compile_formula(expr, file)
    if fmt is None:
        fmt = "tree" if opt.choose_format(None) == "text" else "plain"
    elif fmt == "text":
        fmt = "tree"
    traces, numbers = _traces(fn, at, mode, wrt, seed)
    trace = traces[0] if traces else None
    tape = fn.tape(list(trace.point)) if trace is not None else fn.tape()
    with_values = trace is not None
    style = "ascii" if fmt == "plain" else "text"
    sweeps = traces if mode is not None else [_values_only(t) for t in traces]
    nodes = V.build(tape, sweeps, style, numbers)
    title = " ".join(fn.source.split())
    if traces:
        shown = [", ".join(f"{k} = {plain_number(v)}" for k, v in t.point.items())
                 for t in traces]
        if len(at) > 1:  # one label per point on every node, numbered as the --at
            shown = [f"({k}) {text}" for k, text in zip(numbers, shown)]
        title += " at " + "; ".join(shown)
    if fmt == "json":  # as every command: an object per point, an array for several
        from ..render.results import dumps

        if not traces:
            opt.write(dumps(V.to_json(nodes, tape)))
            return
        objs = opt.each_json(traces, lambda t: V.to_json(V.build(tape, [t], style), tape, t))
        opt.write(dumps(opt.one_or_many(objs)))
        return
    if fmt == "tree":
        tree = V.rich_tree(nodes, tape, title, with_values)
        if tree is None:
            click.echo(f"adcli: note: the graph is more than {V.RICH_TREE_MAX_DEPTH} levels "
                       "deep; printing it as a plain tree (--format dot or mermaid draws it)",
                       err=True)
            fmt, nodes = "plain", V.build(tape, sweeps, "ascii", numbers)
        else:
            from ..render import rich_view

            rich_view.show([tree])
            return
    if fmt == "plain":
        opt.write(f"graph of {title}\n" + V.plain_tree(nodes, tape, with_values))
    elif fmt == "dot":
        opt.write(V.dot(nodes, tape, title, with_values))
    else:
        opt.write(V.mermaid(nodes, tape, with_values))


def _traces(fn, at, mode, wrt, seed):
    """The trace of every --at point (the graph's numbers) and each one's
    1-based place among the --at points; a point that fails is reported as
    for any command (the others are drawn, exit 1)."""
    if not at:
        if mode is not None or seed is not None:
            raise UsageError("--mode needs a point for its tangents or adjoints",
                             hint="add --at, e.g. --at " + example_point(fn.inputs))
        return [], []

    direction = parse_point(seed, "seed") if seed is not None else None
    names = opt.parse_wrt(wrt)
    traces = opt.each_point(fn, at, lambda point: fn.trace(
        point, mode=mode or "auto", wrt=names, seed=direction, cost=False))
    variables = {tuple(t.point) for t in traces}
    if len(variables) > 1:
        raise UsageError("the points name different variables: a graph draws one DAG, "
                         "so every --at must give the same ones",
                         hint="give each point every variable: --at "
                              + example_point(traces[0].point, "…"))
    numbers = [k for k, e in enumerate(opt.in_order(traces), 1)
               if not isinstance(e, opt.FailedPoint)]
    return traces, numbers


def _values_only(trace):
    """Values without tangent/adjoint columns (no --mode)."""
    if trace is None:
        return None
    for row in trace.rows:
        row.values = []
    trace.columns = []
    return trace
