"""One table of views: (result kind, format) → the function that renders it.

Every output adcli writes goes through :func:`render`::

    render("grad", "json", results, several=False)

A view takes the list of results (one per point) and keyword options it
knows (``source``, ``several``, ``limit``, …; it ignores the others) and
returns the text to write (or an iterator of its pieces, which the command
line writes as they are made: a trace of 300,000 steps), or ``None`` when
it printed to the terminal itself (Rich).  A view never writes to standard error: what it has to say
beside its output (a choice it made, why a check failed) it appends to the
``notes`` list it is given, as :class:`Note` objects, which the command
line writes after the output.

Views register with ``@view(kind, *formats)`` in the module named for their
kind in :data:`HOMES`, which is imported only when that kind is rendered:
``adcli grad`` loads the views of gradients and nothing else.

The formats a kind has (:func:`formats`) are declared in :data:`FORMATS`,
so that a command can offer them (and choose between its requests by them)
without loading the views; a view module registers exactly those (a
registration outside them fails, and tests/test_render_registry.py checks
that none is missing).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from ..collector import without_gc
from ..errors import UsageError
from ..numsys import FLOAT64

# a view's text, or its pieces in order (a view that streams a large output),
# or None when it printed to the terminal itself
View = Callable[..., "str | Iterable[str] | None"]


class Note(NamedTuple):  # (not a dataclass: `dataclasses` costs ~1 ms of every start)
    """A line for standard error beside the output: ``adcli: LABEL: TEXT``.
    ``label`` says what it is ("note": a choice made for the user; "check":
    why a check failed; "stats": ``--stats``; "": a report, ``adcli: TEXT``);
    ``wrap``: wrapped at spaces to a terminal's width (a table's lines are not)."""

    text: str
    label: str = "note"
    wrap: bool = True

# result kind -> the module (under adcli.render) whose @view functions render it
HOMES: dict[str, str] = {
    "eval": "results", "grad": "results",
    "hessian": "higher_view", "taylor": "higher_view", "partial": "higher_view",
    "jvp": "higher_view", "vjp": "higher_view",
    "trace": "trace_view", "check": "check_view", "graph": "graph_view",
    "functions": "functions_view",
    "sparse": "sparse_view", "pattern": "sparse_view", "derivative": "program_view",
    "source": "program_view", "curves": "program_view", "field": "program_view",
    "figure": "program_view",
}

# a per-point result's formats (adcli.render.results.point_views registers them)
_POINT_FORMATS = ("text", "plain", "json", "jsonl", "csv", "tsv")

# result kind -> its formats, in the order the command line offers them
FORMATS: dict[str, tuple[str, ...]] = {
    "eval": _POINT_FORMATS, "grad": _POINT_FORMATS,
    "hessian": _POINT_FORMATS, "taylor": _POINT_FORMATS, "partial": _POINT_FORMATS,
    "jvp": _POINT_FORMATS, "vjp": _POINT_FORMATS,
    "trace": ("text", "plain", "markdown", "latex", "json", "csv"),
    "check": _POINT_FORMATS, "graph": ("tree", "plain", "dot", "mermaid", "json", "text"),
    "functions": ("text", "plain", "json", "markdown"),
    "sparse": ("text", "plain", "json", "jsonl", "mtx", "csv", "tsv"),
    "pattern": ("text", "plain", "json", "mtx"), "derivative": ("plain", "json", "latex"),
    "source": ("c", "python", "numpy", "js"), "curves": ("text",), "field": ("text",),
    "figure": ("png", "svg"),  # a file, the format its name's suffix says (file_format)
}

_VIEWS: dict[tuple[str, str], View] = {}


def view(kind: str, *fmts: str) -> Callable[[View], View]:
    """Register the decorated function as the view of ``kind`` in ``fmts``
    (each declared in :data:`FORMATS`)."""
    undeclared = [fmt for fmt in fmts if fmt not in FORMATS[kind]]
    if undeclared:
        raise ValueError(f"declare {undeclared} in FORMATS[{kind!r}] (adcli/render/registry.py)")

    def register(fn: View) -> View:
        for fmt in fmts:
            _VIEWS[(kind, fmt)] = fn
        return fn
    return register


def _load(kind: str) -> None:
    home = HOMES.get(kind)
    if home is None:
        raise KeyError(f"no views for results of kind {kind!r}")
    importlib.import_module(f"{__package__}.{home}")


def formats(kind: str) -> tuple[str, ...]:
    """The formats ``kind`` can be written in (without loading its views)."""
    found = FORMATS.get(kind)
    if found is None:
        raise KeyError(f"no views for results of kind {kind!r}")
    return found


def registered(kind: str) -> tuple[str, ...]:
    """The formats ``kind``'s home module registers views for, in order."""
    _load(kind)
    return tuple(fmt for k, fmt in _VIEWS if k == kind)


def lookup(kind: str, fmt: str) -> View:
    """The view of ``kind`` in ``fmt``; a format it does not have is a
    usage error that lists the ones it has."""
    _load(kind)
    fn = _VIEWS.get((kind, fmt))
    if fn is None:
        raise UsageError(f"`format` {fmt} does not apply to {kind} results",
                         hint=f"use one of {', '.join(formats(kind))}", params=("format",))
    return fn


def file_format(kind: str, path: str) -> str:
    """The format of ``kind`` that a file named ``path`` is written in: its
    suffix's (``plot.PNG`` -> png); a suffix ``kind`` has no view for is a
    usage error naming the ones it has."""
    fmt = os.path.splitext(path)[1].lower().removeprefix(".")
    if fmt not in formats(kind):
        raise UsageError(f"`out` {path}: the name must end in "
                         + " or ".join(f".{f}" for f in formats(kind)),
                         hint=f"e.g. `out` plot.{formats(kind)[0]}", params=("out",))
    return fmt


# what a format can hold, where that is narrower than "any result": the
# command line's refusal of the format for another request says so
FORMAT_HOLDS: dict[str, str] = {"mtx": "Matrix Market holds a matrix"}


# kinds whose terminal view is a table that N-digit numbers (--digits,
# --exact) do not fit: their ``text`` is then the plain form
PLAIN_WHEN_PRECISE = frozenset({"eval", "grad", "hessian", "taylor", "partial", "trace"})


@without_gc  # a view's lines, cells and labels: many objects, no cycles (see without_gc)
def render(kind: str, fmt: str, results: Sequence[Any], notes: list[Note] | None = None,
           **options: Any) -> str | Iterable[str] | None:
    """The text of ``results`` (one per point) as ``fmt`` (or its pieces, in
    order, from a view that streams), or None when the view printed them to
    the terminal itself; the view's notes are appended to ``notes`` (dropped
    when it is None)."""
    if fmt == "text" and kind in PLAIN_WHEN_PRECISE and _precise(results):
        fmt = "plain"
    return lookup(kind, fmt)(results, notes=[] if notes is None else notes, **options)


def _precise(results: Sequence[Any]) -> bool:
    """Whether the results are in another number system than float64 (a
    failed point, which has none, says nothing)."""
    return any(getattr(r, "system", FLOAT64) is not FLOAT64 for r in results)

