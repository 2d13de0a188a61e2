"""Field reads and construction of a tape step, per way of writing the class.

    python -m bench.frozen_classes [--rounds 7]

Issue #10 item 4 asks for frozen dataclasses / NamedTuples.  The sweeps read
``step.args`` and ``step.prim`` once per step and the parser and the tape
build one node and one step per operation, so both costs matter: this times
them for a plain ``__slots__`` class (what Step was), a frozen slotted
dataclass, adcli's :class:`~adcli.graph.tape.Step` (:mod:`adcli.frozen`)
built by its own ``__init__`` and by ``new_step`` (what the tape uses), and a
NamedTuple.  CPU time (``time.process_time``), best of ``--rounds``; 10,000
objects.  (Defining the dataclass imports ``dataclasses``: that cost, and
each dataclass's own, count at start-up, not here; see adcli/frozen.py.)
"""

import argparse
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adcli.graph.tape import Step, new_step  # noqa: E402

N = 10_000


class PlainStep:
    """Step as it was before it was frozen."""

    __slots__ = ("prim", "args", "node", "slot")

    def __init__(self, prim, args, node, slot):
        self.prim = prim
        self.args = args
        self.node = node
        self.slot = slot


@dataclass(frozen=True, slots=True, eq=False)
class DataclassStep:
    prim: object
    args: tuple
    node: object
    slot: int


class TupleStep(NamedTuple):
    prim: object
    args: tuple
    node: object
    slot: int


WAYS = [("plain __slots__ class (Step before)", PlainStep),
        ("@dataclass(frozen=True, slots=True)", DataclassStep),
        ("Step (adcli.frozen), its __init__", Step),
        ("Step (adcli.frozen), new_step (the tape's)", new_step),
        ("NamedTuple", TupleStep)]


def measure(make, rounds):
    """(ns per object to read .args and .prim, ns per object to build one)."""
    objects = [make("p", (1, 2), None, i) for i in range(N)]

    def read(objects=objects):
        for s in objects:
            args = s.args  # noqa: F841 - the read is what is timed
            prim = s.prim  # noqa: F841

    def build(make=make):
        for i in range(N):
            make("p", (1, 2), None, i)

    timer = time.process_time
    r = min(timeit.repeat(read, number=20, repeat=rounds, timer=timer)) / 20
    b = min(timeit.repeat(build, number=5, repeat=rounds, timer=timer)) / 5
    return r / N * 1e9, b / N * 1e9


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.frozen_classes",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    print(f"CPython {sys.version.split()[0]}, {N:,} objects, CPU ns per object, "
          f"best of {args.rounds}")
    print("| class | read .args + .prim | construct |\n|---|---:|---:|")
    base = None
    for label, make in WAYS:
        r, b = measure(make, args.rounds)
        base = base or (r, b)
        print(f"| {label} | {r:.1f} ns ({r / base[0]:.2f}x) | {b:.0f} ns ({b / base[1]:.2f}x) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
