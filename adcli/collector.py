"""The cyclic garbage collector around adcli's large, acyclic builds.

Parsing a long formula, building its tape and sweeping it allocate millions
of small objects and no reference cycles, so those run with the collector
off.  Turning it back on is not enough: the objects built are all still in
the youngest generation, and the next allocations make the collector scan
them all (about 1 s of the 100,000-variable Rosenbrock chain's sparse
Hessian, a fifth of the command: 0.3 s after the parse, 0.7 s after the
Hessian).  In the command-line process, which ends after its one command,
:func:`enable_after_build` therefore first freezes everything alive
(``gc.freeze``: never scanned again, still freed by reference counting).
Elsewhere (the Python API, a long-lived process) it only turns the collector
back on: a frozen object in a reference cycle (a tape and its cached
structure) would never be collected once dropped."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

# Fewer new objects than this are left to the collector as usual.
LARGE_BUILD = 100_000

_one_command = False


def one_command_process() -> None:
    """Say that this process runs one command and ends (the CLI's main)."""
    global _one_command
    _one_command = True


def pause() -> bool:
    """Turn the collector off while modules load (they allocate tens of
    thousands of objects and no garbage: its passes over them were ~7 ms of
    a 45 ms command's start); says whether it was on, for :func:`resume`."""
    was_on = gc.isenabled()
    gc.disable()
    return was_on


def resume(was_on: bool) -> None:
    """After :func:`pause`: in the one-command process everything loaded is
    frozen first (modules live until the process ends: no pass need scan
    them again); elsewhere the collector is only turned back on."""
    if was_on:
        if _one_command:
            gc.freeze()
        gc.enable()


def enable_after_build() -> None:
    """Turn the collector back on after a large acyclic build (see above)."""
    if _one_command and gc.get_count()[0] > LARGE_BUILD:
        gc.freeze()  # every tracked object into the permanent generation, counts reset
    gc.enable()


def without_gc(fn: F) -> F:
    """``fn`` with the cyclic collector off while it runs (turned back on by
    :func:`enable_after_build`), for builds and sweeps that allocate an
    object per step and no cycles: the collector would rescan the whole DAG
    again and again on a long tape.  Inside another such call it changes
    nothing."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            enable_after_build()
    return cast(F, wrapper)
