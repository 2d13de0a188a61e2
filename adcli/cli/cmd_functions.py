"""``adcli functions``: the primitives table."""

import click

from . import options as opt


@click.command("functions")
@click.option("--format", "fmt", type=click.Choice(opt.formats_of("functions")),
              default=None, help="Output format (default: text on a terminal, plain in a pipe).")
def functions_command(fmt: str | None) -> None:
    """Every primitive: name, arity, domain and derivative rules, straight
    from the primitives table (the same rules the engine runs)."""
    opt.show("functions", opt.choose_format(fmt), [])
