"""Several ``--at`` points where one could not be computed: the failed
point keeps its place in every output format, as a failed row of a
``--points`` batch does.  The command line puts :class:`FailedPoint`
entries among the results (``adcli.cli.options.each_point``); the views
here and in :mod:`adcli.render.results` write them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ..errors import option
from ..numtext import plain_ascii, plain_number

if TYPE_CHECKING:
    from rich.text import Text

R = TypeVar("R")  # a result of one point (Derivatives, Hessian, PointCheck, Trace, …)
T = TypeVar("T")  # what a view makes of one point (a line, a JSON object, a Rich table)


class FailedPoint:
    """One of several ``--at`` points that could not be computed: which one
    and why.  Every output format shows it where the point's result would
    be (a row of the header's width, an ``error`` field), as a ``--points``
    batch shows a failed row."""

    def __init__(self, number: int, count: int, text: str, point: dict[str, Any] | None,
                 message: str) -> None:
        self.number, self.count, self.text = number, count, text
        self.point = point  # None when the --at text itself is bad
        self.message = message

    @property
    def where(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"point {self.number} of {self.count} ({option('point')} {shown})"

    def json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {"error": self.message, "at": self.text}
        if self.point is not None:
            obj["point"] = {k: v if isinstance(v, (int, float)) else str(v)
                            for k, v in self.point.items()}
        return obj

    def plain(self) -> str:
        """``error point 2 of 3 (--at x=-1): …``, in the plain format's ASCII
        notation (w2 for ω₂)."""
        text = f"error {self.where}: {self.message}"
        return plain_ascii(text)

    def cells(self, header: Sequence[str]) -> list[str]:
        """A table row under ``header``: the point's values, an empty cell
        for every result, the reason in the last (``error``) column."""
        point = self.point or {}
        cells = [plain_number(point[c]) if isinstance(point.get(c), float)
                 else str(point.get(c, "")) for c in header[:-1]]
        return cells + [self.message]


def each_json(results: Iterable[R | FailedPoint], to_json: Callable[[R], Any]) -> list[Any]:
    """The JSON object of every point, a failed one's ``{"error", "at", "point"}`` in its place."""
    return [e.json() if isinstance(e, FailedPoint) else to_json(e) for e in results]


@overload
def each_block(results: Iterable[R | FailedPoint], render: Callable[[R], str],
               failed: None = None) -> list[str]: ...
@overload
def each_block(results: Iterable[R | FailedPoint], render: Callable[[R], T],
               failed: Callable[[FailedPoint], T]) -> list[T]: ...
def each_block(results: Iterable[Any], render: Callable[[Any], Any],
               failed: Callable[[FailedPoint], Any] | None = None) -> list[Any]:
    """``render(result)`` for every point, a failed one's ``failed(entry)``
    (default: its plain ``error …`` line) in its place."""
    shown = failed or FailedPoint.plain
    return [shown(e) if isinstance(e, FailedPoint) else render(e) for e in results]


def rich_failed(entry: FailedPoint) -> Text:
    from rich.text import Text

    return Text(f"{entry.where}: error: {entry.message}", style="bold red")
