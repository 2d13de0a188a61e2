"""The errors adcli reports, each with the exit status the CLI uses for it.

Every error can point into the user's text: ``source`` and a character
``span``.  :func:`adcli.render.errors.format_error` turns that into the
one-screen message with a caret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class AdcliError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None,
                 span: tuple[int, int] | None = None, hint: str | None = None,
                 label: str | None = None, params: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.span = span
        self.hint = hint
        # What the source text is, for messages: "formula", "--at", "line".
        self.label = label
        # The parameters the message and hint name, each written `name` (in
        # backquotes): the command line says its flag instead (`direction`
        # is --dir there).
        self.params = tuple(params)

    def __str__(self):
        return self.message


class ParseError(AdcliError):
    """The text does not parse, or names an unknown function or variable."""


class UsageError(AdcliError):
    """A bad option or option value (`--at`, `--wrt`, …)."""


class DomainError(AdcliError):
    """The formula cannot be evaluated or differentiated at this point."""

    exit_code = 1

    def __init__(self, message: str, *, step: int | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.step = step  # the ω index, 1-based


class EvalWarning:
    """Something the user should know about a result that is still returned:
    overflow to ±inf, a kink, an infinite slope."""

    __slots__ = ("kind", "step", "message", "params")

    def __init__(self, kind: str, step: int | None, message: str,
                 params: Iterable[str] = ()) -> None:
        self.kind = kind
        self.step = step
        self.message = message
        self.params = tuple(params)  # as AdcliError's: the parameters it names, `name`

    def __repr__(self):
        return f"EvalWarning({self.kind!r}, {self.step!r}, {self.message!r})"

    def __eq__(self, other):
        return isinstance(other, EvalWarning) and (
            (self.kind, self.step, self.message) == (other.kind, other.step, other.message)
        )

    def __hash__(self):
        return hash((self.kind, self.step, self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "step": self.step, "message": self.message}


# Text written outside an error (a view's "5 more rows (`limit`)", a note on
# stderr) names an option as the API's parameter, in backquotes; the command
# line installs its flags here (adcli.cli.flags: `limit` is --limit there).
_option_name: Callable[[str], str] = "`{}`".format


def option(param: str) -> str:
    """How text that is not an error names the option ``param``."""
    return _option_name(param)


def name_options(namer: Callable[[str], str]) -> None:
    """Name options with ``namer`` from now on (the command line's flags)."""
    global _option_name
    _option_name = namer


# Messages and hints stay one screen however many variables a formula has
# (a 100,000-term sum once printed a 1 MB hint).
LISTED = 8  # names shown before the rest is counted


def listed(names: Iterable[str], limit: int = LISTED) -> str:
    """``x, y, z``; past ``limit`` names the first few, `…`, the last and the count."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit - 2]) + f", …, {names[-1]} — {len(names):,} in all"


def example_point(names: Iterable[str], value: str = "1", limit: int = LISTED) -> str:
    """``x=1,y=1`` for a hint; past ``limit`` names, the first few and a
    pointer to ``@FILE``, which reads any number of NAME=VALUE pairs."""
    names = list(dict.fromkeys(names))
    pairs = [f"{n}={value}" for n in names[:limit]]
    if len(names) <= limit:
        return ",".join(pairs)
    return ",".join(pairs[:3]) + f",… ({len(names):,} variables: @FILE reads NAME=VALUE pairs)"
