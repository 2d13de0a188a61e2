"""Run a command and read its wall time and its own peak memory.

A child's ``ru_maxrss`` counts the memory it had between fork and exec,
which is its parent's: reaped straight from a bench process that holds a
million rows, ``true`` "peaks" at 600 MB.  So the command is started by a
small launcher process (a bare interpreter, ~10 MB, less than any command
measured here) that times it, reaps it and reports both figures.
"""

import json
import os
import subprocess
import sys
import tempfile

_LAUNCHER = """
import json, resource, subprocess, sys, threading, time
report, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
timed_out = []
t = time.perf_counter()
p = subprocess.Popen(cmd)
# A blocking wait, stopped by a timer: wait(timeout) polls, adding up to 50 ms.
timer = threading.Timer(timeout, lambda: (timed_out.append(True), p.kill()))
timer.start()
code = p.wait()
wall = time.perf_counter() - t
timer.cancel()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = usage.ru_maxrss / 1024.0
with open(report, "w") as f:
    json.dump({"wall": wall, "peak_mb": peak, "code": code, "timed_out": bool(timed_out),
               "cpu": usage.ru_utime + usage.ru_stime}, f)
"""


def measured(cmd, timeout=3600.0, stdin=None, stdout=None, stderr=None):
    """Run ``cmd`` (streams as for :class:`subprocess.Popen`); returns
    ``{"wall", "peak_mb", "code", "timed_out", "cpu"}``: the command's own wall
    seconds, peak resident memory in MB (Linux reports kB) and CPU seconds
    (user + system: what load on a shared machine inflates least)."""
    fd, report = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, report, str(timeout), *cmd],
                       stdin=stdin, stdout=stdout, stderr=stderr, check=False)
        with open(report) as f:
            return json.load(f)
    finally:
        os.remove(report)
