"""click's own usage errors (an unknown option, a missing or bad value, an
unknown command) in adcli's one-screen style of adcli/render/errors.py:
what, where (the command line with a caret), how to fix it."""

from __future__ import annotations

import shlex
from typing import Any

import click

from ..render.errors import excerpt, stderr_columns, wrap_lines


def format_usage_error(exc: Any, args: list[str], command: str | None = None,
                       columns: int | None = None) -> str:
    """click's own usage error (an unknown option, a missing or bad value,
    an unknown command) in adcli's one-screen style: what (click's words),
    where (the command line with a caret under the argument at fault, when
    one is), and how to fix it (click's suggestion, and where the options
    are listed).  ``args`` are the words after ``adcli``."""
    columns = columns or stderr_columns()
    close = getattr(exc, "possibilities", None)  # an unknown option's near misses
    what = exc.message if close else exc.format_message()
    suggestion = ""
    if close:
        shown = [f"`{name}`" for name in close]
        either = ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else shown[0]
        suggestion = f"did you mean {either}?"
    lines = [wrap_lines(f"adcli: error: {what}", columns)]
    where = _culprit(exc, args)
    if where is not None:
        source, span = where
        lines.append(excerpt(source, span, columns))
    help_of = f"adcli {command} --help" if command else "adcli --help"
    hint = f"{suggestion} " if suggestion else ""
    lines.append(wrap_lines(f"  {hint}`{help_of}` lists the options", columns)
                 if command or "command" not in what else
                 wrap_lines(f"  {hint}`adcli --help` lists the commands", columns))
    return "\n".join(lines)


def _culprit(exc: Any, args: list[str]) -> tuple[str, tuple[int, int]] | None:
    """(the command line as text, the span of the argument at fault), or
    None when no one argument is (a missing EXPR is at the line's end)."""
    words = ["adcli"] + [shlex.quote(a) for a in args]
    source = " ".join(words)
    index = _culprit_index(exc, args)
    if index is None:
        return None
    if index == AT_END:
        return source, (len(source), len(source) + 1)
    word = index + 1  # after "adcli"
    start = sum(len(w) + 1 for w in words[:word])
    return source, (start, start + len(words[word]))


AT_END = -1  # the culprit is what is missing at the end of the command line


def _culprit_index(exc: Any, args: list[str]) -> int | None:
    name = getattr(exc, "option_name", None)
    if isinstance(exc, click.MissingParameter):
        return AT_END
    if name:  # an unknown option, or one without its value
        hits = [i for i, a in enumerate(args) if a == name or a.startswith(name)]
        return hits[-1] if hits else None
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None) or []
    if isinstance(exc, click.BadParameter) and isinstance(param, click.Option):
        for i in range(len(args) - 1, -1, -1):
            a = args[i]
            if a in opts:
                return i + 1 if i + 1 < len(args) else i
            if any(a.startswith(o + "=") for o in opts):
                return i
    message = exc.format_message()
    if "No such command" in message and args:
        return 0
    if "unexpected extra argument" in message:  # (a b): the first of them
        first = message.partition("(")[2].rstrip(")").split(" ")[0]
        hits = [i for i, a in enumerate(args) if a == first]
        return hits[-1] if hits else None
    return None
