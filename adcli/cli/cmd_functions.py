"""``adcli functions``: the primitives table."""

import click

from . import options as opt


@click.command("functions")
@opt.format_option("functions")
def functions_command(fmt: str | None) -> None:
    """Every primitive: name, arity, domain and derivative rules, straight
    from the primitives table (the same rules the engine runs)."""
    opt.show("functions", fmt, [])
