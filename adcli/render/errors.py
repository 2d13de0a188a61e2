"""One-screen error and warning messages for standard error.

On a terminal a message is wrapped at spaces to its width (COLUMNS, when
set, says how wide), so that no word is split where the terminal would cut
it; the source line and its caret are never wrapped: a formula wider than
the terminal is shown as a window around the caret.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..errors import AdcliError, EvalWarning

# a message line is never narrower than this, whatever COLUMNS says
MIN_COLUMNS = 20
# without a terminal (a pipe, a file), a long formula's window around the caret
PIPE_WINDOW = 100


def stderr_columns(stream: TextIO | None = None) -> int | None:
    """The width to wrap messages at when ``stream`` (stderr) is a terminal:
    COLUMNS when set (as Rich and shutil read it), else the terminal's.
    None in a pipe or a file: there nothing splits a word, and every
    message stays one line per line, for grep and logs."""
    stream = stream if stream is not None else sys.stderr
    try:
        if not stream.isatty():
            return None
        env = os.environ.get("COLUMNS", "").strip()
        columns = int(env) if env.isdigit() and int(env) > 0 else \
            os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return None
    return max(MIN_COLUMNS, columns)


def wrap_lines(text: str, columns: int | None) -> str:
    """``text`` with each line wider than ``columns`` broken at spaces (never
    inside a word; a word wider than the screen gets a line of its own);
    the continuation keeps the line's indent, so that a message's lines
    start at the margin and the source, caret and hint stay indented."""
    if not columns:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= columns:
            out.append(line)
            continue
        import textwrap  # only a message too wide for the terminal (0.6 ms at start-up)

        indent = line[:len(line) - len(line.lstrip(" "))]
        out.extend(textwrap.wrap(line.strip(" "), columns, initial_indent=indent,
                                 subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False))
    return "\n".join(out)


def locate(source: str, offset: int) -> tuple[int, int, str]:
    """(line number, column, the line's text), 1-based, for an offset."""
    offset = max(0, min(offset, len(source)))
    line_start = source.rfind("\n", 0, offset) + 1
    line_end = source.find("\n", offset)
    if line_end < 0:
        line_end = len(source)
    line_no = source.count("\n", 0, offset) + 1
    return line_no, offset - line_start, source[line_start:line_end]


def for_stderr(text: str, stream: TextIO | None = None) -> str:
    """``text`` wrapped for stderr (:func:`wrap_lines` at :func:`stderr_columns`)."""
    return wrap_lines(text, stderr_columns(stream))


def excerpt(source: str, span: tuple[int, int], columns: int | None = None) -> str:
    """The line of ``source`` holding ``span`` with a caret line under it,
    both within ``columns``: a line too wide is shown as a window around
    the caret, cut with an ellipsis at either end."""
    start, end = span
    line_no, col, line = locate(source, start)
    prefix = f"line {line_no}: " if "\n" in source.strip("\n") else ""
    length = max(1, min(end, start + len(line) - col) - start)
    room = PIPE_WINDOW if columns is None else columns - 2 - len(prefix)
    extent = max(len(line), col + 1)  # a caret past the end (a missing `)`) takes a cell
    if extent > room:
        width = max(10, room - 2)  # an ellipsis at each end
        left = max(0, min(col - width // 3, extent - width))
        right = left + width  # col < right: the caret is always in the window
        line = ("…" if left else "") + line[left:right] + ("…" if right < len(line) else "")
        length = max(1, min(length, right - col))
        col = col - left + (1 if left else 0)
    return f"  {prefix}{line}\n  {' ' * (len(prefix) + col)}{'^' * length}"


def format_error(exc: AdcliError, columns: int | None = None) -> str:
    """The message, the source with a caret under the culprit, and the hint,
    wrapped to ``columns`` (default: stderr's, :func:`stderr_columns`)."""
    columns = columns or stderr_columns()
    lines = [wrap_lines(f"adcli: error: {exc.message}", columns)]
    source = getattr(exc, "source", None)
    if source is not None and exc.span is not None:
        label = getattr(exc, "label", None)
        if label and label != "formula":
            lines.append(wrap_lines(f"  in {label}:", columns))
        lines.append(excerpt(source, exc.span, columns))  # fits: never wrapped
    if getattr(exc, "hint", None):
        lines.append(wrap_lines(f"  {exc.hint}", columns))
    return "\n".join(lines)


def format_warning(warning: EvalWarning, columns: int | None = None) -> str:
    return wrap_lines(f"adcli: warning: {warning.message}", columns or stderr_columns())


def format_note(text: str, hint: str | None = None, stream: TextIO | None = None) -> str:
    """A note (adcli went on another way than asked: ``--jit`` with no
    compiler) in the style of errors and warnings: what, then how to get
    what was asked, wrapped to the terminal of ``stream`` (default stderr)."""
    columns = stderr_columns(stream)
    lines = [wrap_lines(f"adcli: note: {text}", columns)]
    if hint:
        lines.append(wrap_lines(f"  {hint}", columns))
    return "\n".join(lines)
