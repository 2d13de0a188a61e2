"""What the bench modules share: timing a call, a module's row for the
runner, its table on the terminal, and the round-trip check of numbers
written as text.

Module rows are ``{"workload", "adcli_s", "peer", "peer_s", "ratio",
"note"}`` with ratio = adcli_s / peer_s (below 1: adcli is faster);
``bench/run.py`` turns them into its own table (ratio peer/adcli there).
"""

import json
import time


def samples(fn, repeats, min_time=0.0, cap=1000):
    """Wall times of at least ``repeats`` calls of ``fn()`` (more, up to
    ``cap``, until ``min_time`` seconds have passed, when a call is short)."""
    times = []
    start = time.perf_counter()
    while len(times) < repeats or (time.perf_counter() - start < min_time and len(times) < cap):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def best(fn, repeats, min_time=0.0):
    """Best wall time of ``repeats`` calls of ``fn()`` (more, up to 1,000,
    until ``min_time`` seconds have passed, when a call is very short)."""
    return min(samples(fn, repeats, min_time))


def best_and_result(fn, repeats):
    """(best wall time of ``repeats`` calls, what the last call returned)."""
    best_s, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best_s = min(best_s, time.perf_counter() - t)
    return best_s, out


def row(workload, adcli_s, peer, peer_s, note=""):
    """A module's row (ratio adcli/peer; None without a peer figure)."""
    return {"workload": workload, "adcli_s": adcli_s, "peer": peer, "peer_s": peer_s,
            "ratio": adcli_s / peer_s if peer_s else None, "note": note}


def print_rows(rows, as_json=False):
    """A module's rows on the terminal (or as JSON)."""
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'workload':46} {'adcli s':>10} {'peer':>27} {'peer s':>10} {'ratio':>8}  note")
    for r in rows:
        ps = "-" if r["peer_s"] is None else f"{r['peer_s']:.3e}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3g}"
        adc = "-" if r["adcli_s"] != r["adcli_s"] else f"{r['adcli_s']:.3e}"
        print(f"{r['workload']:46} {adc:>10} {r['peer']:>27} {ps:>10} {ratio:>8}  {r['note']}")


def round_trip(cells, values):
    """(every text cell reads back to its value bit for bit, every cell is
    at most as long as the value's shortest round-trip text, repr)."""
    cells, values = list(cells), list(values)
    if len(cells) != len(values):
        return False, False
    back = all(float(c) == v for c, v in zip(cells, values, strict=True))
    shortest = all(len(c) <= len(repr(v)) for c, v in zip(cells, values, strict=True))
    return back, shortest
