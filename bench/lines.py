"""Lines of Python per package of adcli at two revisions, read from git (no
checkout needed), as the Markdown table of docs/one-engine.md:

    python -m bench.lines de72aa2 main

A line is a physical line (what ``wc -l`` counts).  The parser that Lark's
stand-alone generator writes (``adcli/language/lark_standalone.py``,
``lalr_tables.py``) is counted apart: nobody edits it, and before it was
generated the parser read Lark's internals instead.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

GENERATED = {"adcli/language/lark_standalone.py", "adcli/language/lalr_tables.py"}
OTHERS = {"tests/": "tests/ (Python)", "bench/": "bench/ (Python)"}


def files(rev: str) -> list[str]:
    out = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev], check=True,
                         capture_output=True, text=True).stdout
    return [path for path in out.splitlines() if path.endswith(".py")
            and (path.startswith("adcli/") or path.startswith(tuple(OTHERS)))]


def line_counts(rev: str, only_new_since: str | None = None) -> Counter:
    """Lines per package (``adcli/modes/``), per group of the other rows;
    ``only_new_since``: only the files that revision did not have."""
    old = set(files(only_new_since)) if only_new_since else set()
    counts: Counter = Counter()
    for path in files(rev):
        if path in old:
            continue
        text = subprocess.run(["git", "show", f"{rev}:{path}"], check=True,
                              capture_output=True).stdout
        counts[package(path)] += text.count(b"\n")
    return counts


def package(path: str) -> str:
    if path in GENERATED:
        return "adcli/language/ (generated parser)"
    for prefix, row in OTHERS.items():
        if path.startswith(prefix):
            return row
    parts = path.split("/")
    return "adcli/ (top-level modules)" if len(parts) == 2 else f"adcli/{parts[1]}/"


def table(before: str, after: str) -> str:
    old, new = line_counts(before), line_counts(after)
    added = line_counts(after, only_new_since=before)
    rows = sorted(set(old) | set(new), key=lambda r: (r in OTHERS.values(), r))
    lines = [f"| package | {before} | {after} | change | of {after}'s, in files "
             f"{before} did not have |", "|---|--:|--:|--:|--:|"]
    for row in rows:
        lines.append(f"| {row} | {old[row]:,} | {new[row]:,} | {new[row] - old[row]:+,} "
                     f"| {added[row]:,} |")
    for label, keep in (("adcli, hand-written", lambda r: r.startswith("adcli")
                         and "generated" not in r),
                        ("adcli, all", lambda r: r.startswith("adcli"))):
        a = sum(v for r, v in old.items() if keep(r))
        b = sum(v for r, v in new.items() if keep(r))
        c = sum(v for r, v in added.items() if keep(r))
        lines.append(f"| **{label}** | {a:,} | {b:,} | {b - a:+,} | {c:,} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    revs = sys.argv[1:] or ["de72aa2", "HEAD"]
    if len(revs) != 2:
        sys.exit("usage: python -m bench.lines BEFORE AFTER  (two git revisions)")
    print(table(*revs), end="")
