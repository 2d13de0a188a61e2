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
import json, os, resource, subprocess, sys, threading, time
report, timeout, cap_mb, cmd = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
timed_out, exceeded, done = [], [], threading.Event()
t = time.perf_counter()
p = subprocess.Popen(cmd)
# A blocking wait, stopped by a timer: wait(timeout) polls, adding up to 50 ms.
timer = threading.Timer(timeout, lambda: (timed_out.append(True), p.kill()))
timer.start()

def watch(page=os.sysconf("SC_PAGE_SIZE")):  # resident memory, ten times a second
    while not done.wait(0.1):
        try:
            with open(f"/proc/{p.pid}/statm") as f:
                rss_mb = int(f.read().split()[1]) * page / 2**20
        except (OSError, ValueError, IndexError):
            return
        if rss_mb > cap_mb:
            exceeded.append(True)
            p.kill()
            return

if cap_mb > 0:
    threading.Thread(target=watch, daemon=True).start()
code = p.wait()
done.set()
wall = time.perf_counter() - t
timer.cancel()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = usage.ru_maxrss / 1024.0
with open(report, "w") as f:
    json.dump({"wall": wall, "peak_mb": peak, "code": code, "timed_out": bool(timed_out),
               "exceeded_mb": cap_mb if exceeded else None,
               "cpu": usage.ru_utime + usage.ru_stime}, f)
"""

# A command whose resident memory passes this many MB is stopped and reported
# as having exceeded it (ADCLI_BENCH_MAX_MB; 0: no cap): on the shared
# 23 GB machine one run at 20 GB starves every other process.
MEMORY_CAP_MB = float(os.environ.get("ADCLI_BENCH_MAX_MB", 8192))


def measured(cmd, timeout=3600.0, stdin=None, stdout=None, stderr=None, cap_mb=None):
    """Run ``cmd`` (streams as for :class:`subprocess.Popen`); returns
    ``{"wall", "peak_mb", "code", "timed_out", "exceeded_mb", "cpu"}``: the
    command's own wall seconds, peak resident memory in MB (Linux reports
    kB; for a run stopped, where it was then), CPU seconds (user + system:
    what load on a shared machine inflates least), and the cap in MB when it
    was stopped above ``cap_mb`` (default :data:`MEMORY_CAP_MB`), else None."""
    cap = MEMORY_CAP_MB if cap_mb is None else cap_mb
    fd, report = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, report, str(timeout), str(cap),
                        *cmd],
                       stdin=stdin, stdout=stdout, stderr=stderr, check=False)
        with open(report) as f:
            return json.load(f)
    finally:
        os.remove(report)
