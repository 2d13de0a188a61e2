"""The goals the issues set, read from the rows of one ``python -m bench`` run:
the "against the goals" table of docs/performance.md.

    python -m bench --only startup rosenbrock kernel higher_order batch --goals

runs the five workloads the goals are about (~6 minutes of CPU here, not the
~20 of a full run) and writes the table between the page's ``goals:begin``
and ``goals:end`` markers, with the commit, date and load of that run;
``python -m bench --docs`` writes it too, from its full run.  A goal whose
rows the run did not produce is left out, not guessed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Row = dict[str, Any]

# the limits, as bench/run.py's GOALS states the first four
STARTUP_X, CHEAP_X, N10000_S, AUTOGRAD_X = 7.0, 3.0, 2.0, 2.0
TAYLOR30_S, TAYLOR_GROWTH = 1.0, 16.0
STREAM_MB, FLOOR_X = 300.0, 2.0

BEGIN = "<!-- goals:begin"
END = "<!-- goals:end -->"


def _rows(rows: Iterable[Row], workload: str) -> list[Row]:
    """The rows whose workload starts with ``workload`` (the bench's names
    carry the run count or the formula's length after it)."""
    return [r for r in rows if r["workload"].startswith(workload)]


def _peer(rows: list[Row], name: str) -> Row | None:
    return next((r for r in rows if r["peer"].startswith(name)), None)


def _s(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _peer_times(rows: list[Row], skip: Callable[[str], bool] = lambda name: False) -> str:
    """'autograd 3.88 s, PyTorch 2.63 s, sympy > 30 s' for the peers of one workload."""
    out = []
    for r in rows:
        if skip(r["peer"]):
            continue
        shown = _s(r["peer_s"]) if r["peer_s"] else (r["note"].split(" (")[0] or "failed")
        out.append(f"{r['peer'].split(' (')[0]} {shown}")
    return ", ".join(out)


def startup(rows: list[Row]) -> list[tuple[str, str, str]]:
    got = _rows(rows, "worked example, cold process")
    floor = _peer(got, "python -c pass")
    if not got or not floor or not floor["adcli_s"] or not floor["peer_s"]:
        return []
    a, p = floor["adcli_s"], floor["peer_s"]
    out = [(f"cold `adcli grad … --format json` ≤ {STARTUP_X:g} × `python -c pass`",
            f"{_s(a)} / {_s(p)} = {a / p:.1f}×", _verdict(a / p <= STARTUP_X))]
    peers = [r for r in got if r is not floor and r["ratio"]]
    if peers:
        slowest_first = sorted(peers, key=lambda r: r["ratio"])
        ratios = "; ".join(f"{r['peer']} {_s(r['peer_s'])} = {r['ratio']:.1f}× adcli"
                           for r in slowest_first)
        several = slowest_first[0]["ratio"] >= 3
        out.append(("cold worked example several times faster than any peer", ratios,
                    "met" if several else
                    f"**partly**: {slowest_first[0]['peer']} starts "
                    f"{slowest_first[0]['ratio']:.1f}× slower only"))
    return out


def kernel(rows: list[Row]) -> list[tuple[str, str, str]]:
    got = _rows(rows, "cheap gradient n=10,000")
    if not got or not got[0]["ratio"]:
        return []
    r = got[0]
    x = r["adcli_s"] / r["peer_s"]
    smaller = [q["adcli_s"] / q["peer_s"] for q in _rows(rows, "cheap gradient n=")
               if q is not r and q["peer_s"]]
    also = (f" (n = 10 … 1,000: {min(smaller):.2f}–{max(smaller):.2f})" if smaller else "")
    return [(f"reverse gradient ≤ {CHEAP_X:g} × one evaluation (n = 10,000, in-process)",
             f"{_s(r['adcli_s'])} / {_s(r['peer_s'])} = {x:.2f}{also}",
             _verdict(x <= CHEAP_X))]


def rosenbrock(rows: list[Row]) -> list[tuple[str, str, str]]:
    out = []
    big = _rows(rows, "Rosenbrock n=10,000 ")
    if big and big[0]["adcli_s"]:
        a = big[0]["adcli_s"]
        peers = _peer_times(big)
        out.append((f"Rosenbrock n = 10,000, text to gradient, ≤ {N10000_S:g} s",
                    _s(a) + (f" ({peers})" if peers else ""), _verdict(a <= N10000_S)))
    autograd = _peer(_rows(rows, "Rosenbrock n=1,000 "), "autograd")
    if autograd and autograd["ratio"]:
        x = autograd["ratio"]
        out.append((f"Rosenbrock n = 1,000 ≥ {AUTOGRAD_X:g} × faster than autograd",
                    f"{_s(autograd['adcli_s'])} vs {_s(autograd['peer_s'])} = {x:.1f}×",
                    _verdict(x >= AUTOGRAD_X)))
    return out


def batch(rows: list[Row]) -> list[tuple[str, str, str]]:
    out = []
    got = _rows(rows, "[batch] grad CSV->CSV, 1,000,000 points")
    peers = [r for r in got if r["peer_s"] and not r["peer"].startswith("I/O floor")]
    floors = [r for r in got if r["peer_s"] and r["peer"].startswith("I/O floor")]
    if peers and floors:
        a = got[0]["adcli_s"]
        best = min(peers, key=lambda r: r["peer_s"])
        floor = min(r["peer_s"] for r in floors)
        ok = a < best["peer_s"] and a <= FLOOR_X * floor
        out.append((f"10⁶ points CSV → CSV faster than every peer, within {FLOOR_X:g}× "
                    "of the I/O floor",
                    f"{_s(a)}; best peer {best['peer'].split(' (')[0]} {_s(best['peer_s'])} "
                    f"({best['peer_s'] / a:.1f}×); floors "
                    + "–".join(_s(r["peer_s"]) for r in sorted(floors, key=lambda r: r["peer_s"])),
                    _verdict(ok) + (" (faster than the floors)" if ok and a < floor else "")))
    stream = _rows(rows, "[batch] grad CSV stream, 10,000,000 points")
    if stream and stream[0]["adcli_mb"]:
        mb = stream[0]["adcli_mb"]
        out.append((f"10⁷ points streamed, peak memory < {STREAM_MB:g} MB",
                    f"{mb:.0f} MB ({_s(stream[0]['adcli_s'])})", _verdict(mb < STREAM_MB)))
    return out


def taylor(rows: list[Row]) -> list[tuple[str, str, str]]:
    k30 = _rows(rows, "[higher_order] taylor exp(sin(x)) order 30 (in-process)")
    growth = _rows(rows, "[higher_order] taylor exp(sin(x)) growth order 10 → 40")
    if not k30 or not growth or not growth[0]["peer_s"]:
        return []
    t30 = k30[0]["adcli_s"]
    g = growth[0]["adcli_s"] / growth[0]["peer_s"]
    return [(f"30th derivative of exp(sin x) well under {TAYLOR30_S:g} s; "
             f"order 10 → 40 ≤ {TAYLOR_GROWTH:g}×", f"{_s(t30)}; {g:.1f}×",
             _verdict(t30 < TAYLOR30_S / 10 and g <= TAYLOR_GROWTH))]


GOALS = [startup, kernel, rosenbrock, batch, taylor]


def commit() -> str:
    """The commit the run measured, with '+changes' when the tree differs."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, check=True,
                              capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "adcli"], cwd=root,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "an unknown commit"
    return head + (" with uncommitted changes to adcli/" if dirty else "")


def table(rows: list[Row], meta: dict[str, Any], at: str) -> str:
    """The Markdown table, under a line saying which run it reads."""
    lines = [f"Against the goals of the issues, from one run of `python -m bench` at {at} "
             f"({meta['date']}, load {meta['load']:.1f}):" if meta.get("load") is not None
             else f"Against the goals of the issues, from one run at {at} ({meta['date']}):",
             "", "| goal | measured | |", "|---|---|---|"]
    for goal in GOALS:
        lines += [f"| {g} | {m} | {v} |" for g, m, v in goal(rows)]
    return "\n".join(lines)


def with_goals(page: str, text: str) -> str:
    """``page`` with ``text`` between its goals markers."""
    begin = page.index("\n", page.index(BEGIN)) + 1
    end = page.index(END)
    return page[:begin] + text.rstrip("\n") + "\n" + page[end:]
