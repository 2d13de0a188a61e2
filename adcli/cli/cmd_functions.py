"""``adcli functions``: the primitives table."""

import click

from . import options as opt


@click.command("functions")
@click.option("--format", "fmt", type=click.Choice(("text", "plain", "json", "markdown")),
              default=None, help="Output format (default: text on a terminal, plain in a pipe).")
def functions_command(fmt):
    """Every primitive: name, arity, domain and derivative rules, straight
    from the primitives table (the same rules the engine runs)."""
    from ..render import functions_view as V

    fmt = opt.choose_format(fmt)
    if fmt == "plain":
        opt.write(V.plain())
    elif fmt == "json":
        from ..render.results import dumps

        opt.write(dumps(V.json_obj()))
    elif fmt == "markdown":
        opt.write(V.markdown())
    else:
        from ..render import rich_view

        rich_view.show([V.rich_table()], numbers=False)  # rules and domains wrap
