"""Generated source code (``adcli codegen``), derivative formulas (``adcli
diff``) and terminal plots (``adcli plot``) in the view registry.  The
source is the API's (:meth:`adcli.Function.codegen`), written as it is; a
formula is written by :mod:`adcli.codegen.diff`'s result; a plot is drawn by
:mod:`adcli.plot.terminal` from the samples the API took, a figure
(``plot --out``) written as the file its name's suffix says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import option
from .registry import Note, view
from .results import dumps

if TYPE_CHECKING:  # matplotlib is an optional extra
    from matplotlib.figure import Figure


@view("source", "c", "python", "numpy", "js")
def _source(results: list[str], **_: Any) -> str:
    return results[0]


@view("curves", "text")
def _curves(results: list[Any], cols: int, lines: int, colour: bool, title: str,
            order: int, notes: list[Note], **_: Any) -> str:
    """f and its derivatives, a panel each; a note when the panels need
    more lines than the terminal has."""
    from ..plot.terminal import render_curves

    n = order + 1
    height = max(min(lines - 1, 3 + 11 * n), 4 + 3 * n)
    text = render_curves(results[0], cols, height, colour, title)
    needed = text.count("\n") + 1
    if needed > lines:  # two rows per panel at least: a high --order outgrows the screen
        notes.append(Note(f"{n} panels take {needed} lines; the terminal has {lines} (a taller "
                          f"one, {option('size')} COLSxLINES or a lower {option('order')} fit "
                          "one screen)"))
    return text


@view("field", "text")
def _field(results: list[Any], cols: int, lines: int, colour: bool, title: str,
           **_: Any) -> str:
    """f over two variables, with its gradient."""
    from ..plot.terminal import render_field

    return render_field(results[0], cols, lines, colour, title)


# --- derivative formulas (adcli diff) ------------------------------------------------------

@view("derivative", "plain")
def _derivative_plain(results, **_):
    return "\n".join(r.plain() for r in results)


@view("derivative", "json")
def _derivative_json(results, **_):
    return "\n".join(dumps(r.as_json()) for r in results)


@view("derivative", "latex")
def _derivative_latex(results, **_):
    return "\n".join(r.latex() for r in results)


def _write_figure(results: list[Figure], out: str, fmt: str, notes: list[Note]) -> str:
    """The figure as the file ``out`` (nothing for standard output), and a
    note of what was written."""
    from ..plot.figure import save

    figure = results[0]
    w, h = (round(v) for v in figure.get_size_inches() * figure.dpi)
    save(figure, out, (w, h), fmt)
    notes.append(Note(f"wrote {out} ({w}×{h} pixels)", "", wrap=False))
    return ""


@view("figure", "png")
def _png(results: list[Figure], out: str, notes: list[Note], **_: Any) -> str:
    return _write_figure(results, out, "png", notes)


@view("figure", "svg")
def _svg(results: list[Figure], out: str, notes: list[Note], **_: Any) -> str:
    return _write_figure(results, out, "svg", notes)
