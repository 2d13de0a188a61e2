"""Messages on a narrow terminal (issue 11): wrapped at spaces, never inside
a word, while the source line and its caret are never wrapped (a formula
wider than the terminal shows a window around the caret, still under the
right character).  Checked at 40, 60 and 80 columns on a real terminal (a
pseudo-terminal of that size) and through format_error itself."""

import fcntl
import functools
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

import adcli
from adcli.render.errors import format_error, wrap_lines

WIDTHS = [40, 60, 80]
LONG = "sin(x) + cos(y)*tan(z) + exp(w) + sni(x1)*2 + exp(x1)*exp(x1) + exp(x1)*exp(x1)"

# (arguments, stdin, the text the caret must point at: None for the end)
CASES = {
    "parse error": (["grad", "x1*", "--at", "x1=1"], None, None),
    "unknown function": (["grad", "sni(x1)", "--at", "x1=1"], None, "sni"),
    "domain error": (["grad", "log(x)", "--at", "x=-1"], None, "log(x)"),
    "bad --points rows": (["grad", "x1*x2+sin(x1)", "--points", "-"],
                          "x1,x2\n1,2,3\n5\n", None),
    "wide formula": (["grad", LONG, "--at", "x=1"], None, "sni"),
    "wide formula, caret at its end": (["grad", LONG.replace("sni", "sin") + " + x1*", "--at",
                                        "x=1"], None, None),
    "bad --at value": (["grad", "x", "--at", "x=1+"], None, None),
}


def on_a_terminal(args, stdin, columns):
    """adcli's stderr as a terminal ``columns`` wide shows it (COLUMNS unset:
    the width is the terminal's own)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    try:
        subprocess.run([sys.executable, "-m", "adcli", *args], input=stdin, text=True,
                       stdout=subprocess.DEVNULL, stderr=slave, env=env, timeout=60)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the terminal's other end is closed, all is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    return text.rpartition("\x1b[2K")[2]  # after a batch's progress bar, erased


@functools.cache
def in_a_pipe(args, stdin):
    return subprocess.run([sys.executable, "-m", "adcli", *args], input=stdin, text=True,
                          capture_output=True, timeout=60).stderr


def source_and_caret(lines):
    """(shown source line, caret line): the caret line is the one of ^s."""
    i = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"^"})
    return lines[i - 1], lines[i]


def assert_wrapped_well(shown, whole, columns, target):
    lines = shown.rstrip("\n").split("\n")
    # no line wider than the terminal: the terminal cuts nothing
    assert all(len(line) <= columns for line in lines), shown
    # the words are those of the one-line message, in order: none split or lost
    source, caret = source_and_caret(lines)
    others = [line for line in lines if line not in (source, caret)]
    whole_lines = whole.rstrip("\n").split("\n")
    whole_source, whole_caret = source_and_caret(whole_lines)
    whole_others = [line for line in whole_lines if line not in (whole_source, whole_caret)]
    assert " ".join(others).split() == " ".join(whole_others).split(), shown
    # the caret points at the culprit, in the window if the formula is cut
    col = caret.index("^")
    if target is None:  # the end of the text
        assert col == len(source.rstrip("…")), shown
    else:
        assert source[col:col + len(target)] == target, shown
        assert len(caret.strip()) <= len(target)


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("case", list(CASES))
def test_a_narrow_terminal_splits_no_word_and_keeps_the_caret_aligned(case, columns):
    args, stdin, target = CASES[case]
    shown = on_a_terminal(args, stdin, columns)
    whole = in_a_pipe(tuple(args), stdin)
    assert shown.startswith("adcli: error: "), shown
    if case == "bad --points rows":  # no source line: only the words
        assert all(len(line) <= columns for line in shown.splitlines()), shown
        assert shown.split() == whole.split()
        assert max(map(len, whole.splitlines())) > columns  # it did need wrapping
        return
    assert_wrapped_well(shown, whole, columns, target)


def test_in_a_pipe_a_message_is_one_line_for_grep():
    err = in_a_pipe(("grad", "x1*", "--at", "x1=1"), None)
    assert err.splitlines()[0] == ("adcli: error: unexpected end of the formula; expected a "
                                   "number, a name, `(`, `+` or `-`")


def test_format_error_wraps_at_the_columns_it_is_given():
    with pytest.raises(adcli.ParseError) as info:
        adcli.grad(LONG, x=1)
    for columns in WIDTHS:
        text = format_error(info.value, columns)
        lines = text.split("\n")
        assert all(len(line) <= columns for line in lines), text
        source, caret = source_and_caret(lines)
        assert source[caret.index("^"):].startswith("sni(") and source.startswith("  …")


def test_a_word_wider_than_the_screen_gets_its_own_line_whole():
    word = "x" * 50
    assert wrap_lines(f"adcli: error: the name {word} is long", 40).split("\n") == [
        "adcli: error: the name", word, "is long"]
    assert wrap_lines("  a hint with a-hyphenated word", 20) == "  a hint with\n  a-hyphenated word"
