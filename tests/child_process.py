"""Talking to a child process (``subprocess.Popen``) without waiting for
ever: a test whose child hangs fails within a bound, and the child is
killed, instead of stalling CI until its limit (issue 10)."""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import IO, AnyStr

WAIT = 60.0  # seconds: far beyond what any of these children needs on a busy machine


def readline_within(stream: IO[AnyStr], seconds: float = WAIT) -> AnyStr:
    """The next line of a child's ``stream``; AssertionError after ``seconds``
    (the thread left blocked ends when :func:`stopping` kills the child)."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=seconds)
    except queue.Empty:
        raise AssertionError(f"no line from the child process within {seconds:g} s") from None


@contextlib.contextmanager
def stopping(proc: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """``proc``, killed and reaped on the way out if it is still running
    (a failed assertion, a timeout)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=WAIT)


def open_fifo_for_writing(path: str, proc: subprocess.Popen, seconds: float = WAIT) -> int:
    """A write descriptor of the FIFO at ``path`` once ``proc`` has opened it
    to read (a plain ``open`` would block for ever if ``proc`` never does)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
            assert proc.poll() is None, f"the child exited ({proc.returncode}) before reading"
            assert time.monotonic() < deadline, f"the child did not open {path} in {seconds:g} s"
            time.sleep(0.01)
