"""``--points`` as one file, standard input, a directory of shards or a glob."""

import glob
import os

from ..errors import UsageError

SHARD_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq")


def expand_points(points: str) -> list:
    """The input shards, in name order (one entry for a file or ``-``)."""
    if points == "-" or os.path.isfile(points):
        return [points]
    if os.path.isdir(points):
        names = sorted(n for n in os.listdir(points)
                       if n.lower().endswith(SHARD_SUFFIXES) and not n.startswith((".", "_")))
        if not names:
            raise UsageError(f"the `points` directory {points} has no shards",
                             hint=f"shards are files ending in {', '.join(SHARD_SUFFIXES)}",
                             params=("points",))
        return [os.path.join(points, n) for n in names]
    if glob.has_magic(points):
        files = sorted(f for f in glob.glob(points) if os.path.isfile(f))
        if not files:
            raise UsageError(f"no file matches `points` {points}",
                             hint="quote the pattern so that adcli, not the shell, expands it",
                             params=("points",))
        return files
    return [points]  # does not exist: reading it says so


def shard_stem(shard: str) -> str:
    """The output shard's name without its suffix (``-`` is ``points``)."""
    if shard == "-":
        return "points"
    base = os.path.basename(shard)
    stem, _suffix = os.path.splitext(base)
    return stem or base
