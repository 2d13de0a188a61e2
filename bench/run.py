"""The benchmark suite: adcli against the tools users would pick instead.

    python -m bench [--quick] [--json FILE] [--plots] [--only NAME ...]

Prints one table: workload, adcli's figure, each peer's figure and the ratio
peer/adcli (above 1: adcli is faster), every figure measured in this run.
Whole processes are timed from outside (``time.perf_counter`` around the
child, several runs interleaved so that a busy machine slows all alike,
median); kernels are timed in-process (median of several repeats).  Peak
memory is each child's own ``ru_maxrss``, read by a small launcher
process (``bench/spawn.py``: a child reaped by the big bench process would
count the bench's own memory).

Workloads: startup (the worked example, cold process), rosenbrock (the
chain written out for n = 10 … 10,000, value and gradient end to end),
kernel (cheap-gradient ratio; forward vs reverse as n grows), and the other
modules' ``run(quick)``: higher_order, batch, precision.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import peers  # noqa: E402
from bench.common import samples  # noqa: E402
from bench.spawn import measured  # noqa: E402

WORKED = "x1*x2+sin(x1)"
WORKED_AT = "x1=2,x2=3"
GOALS = {"startup": 7.0, "cheap": 3.0, "n10000_s": 2.0, "autograd_n1000": 2.0}
OTHER_MODULES = ["higher_order", "batch", "precision", "plot_sweep", "scaling", "codegen"]


# --- measuring -------------------------------------------------------------

def run_process(cmd, timeout, out_path=None):
    """Run ``cmd`` once: (wall seconds or None on timeout, peak RSS in MB,
    return code, stdout text).  Standard output goes to a file (no pipe to
    drain); time and memory are the child's own (see :mod:`bench.spawn`).
    A run stopped above the memory cap is an error saying so."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        r = measured(cmd, timeout, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        out.seek(0)
        text = out.read()
        if r["code"] and not r["timed_out"]:
            err.seek(0)
            text = err.read()
        if r.get("exceeded_mb"):
            text = f"exceeded memory (stopped above {r['exceeded_mb'] / 1024:g} GB)"
    return (None if r["timed_out"] else r["wall"]), r["peak_mb"], r["code"], text


def median_or_none(xs):
    return statistics.median(xs) if xs else None


def timed(fn, repeats, min_time=0.05):
    """Median wall time of ``fn()`` over at least ``repeats`` calls (more,
    up to ``min_time`` seconds in all, when a call is very short)."""
    return statistics.median(samples(fn, repeats, min_time, cap=200))


class Contest:
    """Several commands timed against each other: runs interleaved, medians.
    A command that times out is not run again (its figure is "> timeout")."""

    long = 10.0  # seconds: a run this long is not repeated

    def __init__(self, runs, timeout):
        self.runs, self.timeout = runs, timeout
        self.entries = {}  # name -> dict(cmd, times, rss, out, error, timed_out)

    def add(self, name, cmd, runs=None):
        """``runs`` caps this command's runs below the contest's."""
        self.entries[name] = {"cmd": cmd, "runs": runs or self.runs, "times": [], "rss": [],
                              "out": None,
                              "error": None, "timed_out": False, "once": False}

    def go(self):
        for k in range(self.runs):
            for e in self.entries.values():
                if e["timed_out"] or e["error"] or e["once"] or k >= e["runs"]:
                    continue
                wall, rss, rc, text = run_process(e["cmd"], self.timeout)
                if wall is None:
                    e["timed_out"] = True
                    e["rss"].append(rss)  # where it was when stopped
                elif rc != 0:
                    e["error"] = (text.strip().splitlines() or [f"exit {rc}"])[-1][:120]
                else:
                    e["times"].append(wall)
                    e["once"] = wall > self.long  # a long job: one run is enough
                    e["rss"].append(rss)
                    if e["out"] is None:
                        e["out"] = text
        return self

    def figure(self, name):
        """(median seconds or None, peak MB or None, note)"""
        e = self.entries[name]
        if e["timed_out"]:  # the MB it had reached when stopped
            return None, max(e["rss"], default=None), f"> {self.timeout:g} s (timeout)"
        if e["error"]:
            return None, None, f"failed: {e['error']}"
        k = len(e["times"])
        note = f"{k} run{'s' if k > 1 else ''}" if k < self.runs else ""
        return median_or_none(e["times"]), max(e["rss"]), note


def agree(reference, text, rtol=1e-9):
    """Does a peer's JSON answer carry adcli's value and gradient?"""
    try:
        got = json.loads(text.strip().splitlines()[-1])
    except Exception:
        return "unreadable output"

    def close(a, b):
        return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))

    if not close(reference["value"], got["value"]):
        return f"value {got['value']!r} != adcli's {reference['value']!r}"
    for k, d in reference["gradient"].items():
        if k not in got["gradient"] or not close(d, got["gradient"][k]):
            return f"d/d{k} {got['gradient'].get(k)!r} != adcli's {d!r}"
    return None


def row(workload, adcli_s, peer, peer_s, adcli_mb=None, peer_mb=None, note="", kind="process"):
    ratio = peer_s / adcli_s if (adcli_s and peer_s) else None
    return {"workload": workload, "adcli_s": adcli_s, "peer": peer, "peer_s": peer_s,
            "ratio": ratio, "adcli_mb": adcli_mb, "peer_mb": peer_mb, "note": note,
            "kind": kind}


def adcli_cmd():
    return [sys.executable, "-m", "adcli"] if not _adcli_script() else [_adcli_script()]


def _adcli_script():
    """The installed console script next to this Python (what a user runs)."""
    p = Path(sys.executable).with_name("adcli")
    return str(p) if p.exists() else None


# --- workload 1: the worked example, cold process --------------------------

def bench_startup(quick, tmp, available):
    runs = 3 if quick else 11
    formula = Path(tmp, "worked.txt")
    formula.write_text(WORKED)
    point = Path(tmp, "worked_at.txt")
    point.write_text(WORKED_AT)
    c = Contest(runs, timeout=70)
    c.add("python -c pass", [sys.executable, "-c", "pass"])
    c.add("adcli", adcli_cmd() + ["grad", WORKED, "--at", WORKED_AT, "--format", "json"])
    for name, source in available.items():
        script = Path(tmp, f"peer_{name}.py")
        script.write_text(source)
        # --quick: the peers once each (their cold starts take seconds)
        c.add(name, [sys.executable, str(script), str(formula), str(point)],
              runs=1 if quick else None)
    c.go()
    a_s, a_mb, a_note = c.figure("adcli")
    reference = json.loads(c.entries["adcli"]["out"]) if a_s else None
    workload = f'worked example, cold process ({runs} runs)'
    rows = []
    for name in c.entries:
        if name == "adcli":
            continue
        p_s, p_mb, note = c.figure(name)
        if name == "python -c pass":
            if a_s and p_s:
                x = a_s / p_s
                verdict = "meets" if x <= GOALS["startup"] else "MISSES"
                note = (f"start-up floor; adcli = {x:.1f}x this "
                        f"({verdict} goal <= {GOALS['startup']:g}x)")
        elif reference and p_s:
            bad = agree(reference, c.entries[name]["out"])
            note = ("WRONG: " + bad) if bad else "; ".join(filter(None, [note, "same numbers"]))
        rows.append(row(workload, a_s, name, p_s, a_mb, p_mb, note or a_note))
    return rows


# --- workload 2: the Rosenbrock chain, end to end --------------------------

def rosenbrock(n):
    """(formula, point text) of sum_{i<n} 100*(x_{i+1}-x_i^2)^2 + (1-x_i)^2."""
    formula = "+".join(f"100*(x{i + 1}-x{i}^2)^2+(1-x{i})^2" for i in range(1, n))
    point = ",".join(f"x{i}={-1.2 if i % 2 else 1.0}" for i in range(1, n + 1))
    return formula, point


def bench_rosenbrock(quick, tmp, available, sizes=None, timeout=70.0):
    sizes = sizes or ([10] if quick else [10, 100, 1000, 10000])
    rows = []
    for n in sizes:
        formula, point = rosenbrock(n)
        ffile, pfile = Path(tmp, f"rb{n}.txt"), Path(tmp, f"rb{n}_at.txt")
        ffile.write_text(formula)
        pfile.write_text(point)
        runs = 1 if quick else (3 if n >= 10000 else 5)
        c = Contest(runs, timeout=timeout)
        c.add("adcli", adcli_cmd() + ["grad", "-f", str(ffile), "--at", f"@{pfile}",
                                      "--format", "json"])
        for name, source in available.items():
            script = Path(tmp, f"peer_{name}.py")
            script.write_text(source)
            c.add(name, [sys.executable, str(script), str(ffile), str(pfile)])
        c.go()
        a_s, a_mb, a_note = c.figure("adcli")
        reference = json.loads(c.entries["adcli"]["out"]) if a_s else None
        workload = (f"Rosenbrock n={n:,} ({len(formula):,} chars), value+gradient "
                    f"({runs} run{'s' if runs > 1 else ''})")
        notes = []
        if n == 10000 and a_s:
            verdict = "meets" if a_s <= GOALS["n10000_s"] else "MISSES"
            notes.append(f"adcli {verdict} goal <= {GOALS['n10000_s']:g} s")
        for name in c.entries:
            if name == "adcli":
                continue
            p_s, p_mb, note = c.figure(name)
            if reference and p_s:
                bad = agree(reference, c.entries[name]["out"])
                note = ("WRONG: " + bad) if bad else "; ".join(filter(None, [note, "same numbers"]))
            if name == "autograd" and n == 1000 and a_s and p_s:
                verdict = "meets" if p_s / a_s >= GOALS["autograd_n1000"] else "MISSES"
                note += f"; adcli {verdict} goal >= {GOALS['autograd_n1000']:g}x faster"
            if notes and name == next(iter(available), None):
                note = "; ".join(notes + [note])
            rows.append(row(workload, a_s, name, p_s, a_mb, p_mb, note or a_note))
        if not available:
            rows.append(row(workload, a_s, "-", None, a_mb, None,
                            "; ".join(notes + [a_note or "no peer installed"])))
    return rows


# --- workload 3: in-process kernels ----------------------------------------

def kernel_timings(n, repeats, with_forward=True):
    """In-process seconds for one Rosenbrock chain of n variables on one tape:
    primal evaluation, reverse gradient (linearize + one adjoint sweep) and,
    if asked, forward gradient (linearize + n tangent sweeps)."""
    import adcli
    from adcli.modes.sweeps import forward, linearize, primal, reverse

    formula, point_text = rosenbrock(n)
    f = adcli.compile(formula)
    point = dict((k, float(v)) for k, v in (p.split("=") for p in point_text.split(",")))
    tape = f.tape(list(point))
    values = list(point.values())
    primal(tape, values)  # warm the tape's compiled code
    reverse(linearize(tape, values), [[1.0]])
    out = {"n": n, "steps": len(tape)}
    # Interleaved (eval, gradient, linearize, API) repeats, so that a burst of
    # load from elsewhere hits both sides of the ratio alike.
    jobs = {"eval": lambda: primal(tape, values),
            "reverse": lambda: reverse(linearize(tape, values), [[1.0]]),
            "linearize": lambda: linearize(tape, values),
            "api_gradient": lambda: f.gradient(point, mode="reverse")}
    times = {k: [] for k in jobs}
    inner = max(1, int(2e4 // max(1, len(tape))))  # several calls per sample when tiny
    for _ in range(repeats):
        for k, job in jobs.items():
            t = time.perf_counter()
            for _ in range(inner):
                job()
            times[k].append((time.perf_counter() - t) / inner)
    out.update({k: statistics.median(v) for k, v in times.items()})
    if with_forward:
        seeds = [[1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
        reps = max(1, repeats // 3) if n >= 300 else repeats
        out["forward"] = timed(lambda: forward(linearize(tape, values), seeds), reps,
                               min_time=0.0)
    return out


def bench_kernel(quick):
    sizes = [10, 100] if quick else [10, 100, 1000, 10000]
    repeats = 3 if quick else 11
    rows = []
    for n in sizes:
        k = kernel_timings(n, repeats if n < 10000 else 9, with_forward=n <= 1000)
        ratio = k["reverse"] / k["eval"]
        verdict = "meets" if ratio <= GOALS["cheap"] else "MISSES"
        goal = (f" ({verdict} goal <= {GOALS['cheap']:g} at n=10,000)" if n == 10000 else "")
        rows.append(row(f"cheap gradient n={n:,} ({k['steps']:,} steps), in-process",
                        k["reverse"], "one evaluation, same tape", k["eval"],
                        note=f"gradient/evaluation = {ratio:.2f}{goal}", kind="kernel"))
        if "forward" in k:
            rows.append(row(f"full gradient n={n:,}: reverse vs forward, in-process",
                            k["reverse"], "adcli forward mode (n sweeps)", k["forward"],
                            note=f"forward/reverse = {k['forward'] / k['reverse']:.1f}",
                            kind="kernel"))
    return rows


# --- workloads 4-6: the other modules ---------------------------------------

OTHER_MODULES.append("sparse")  # bench/sparse.py: sparse Hessians against dense and peers
OTHER_MODULES += ["audit", "peer_accuracy"]  # derivatives across the float range; peers' errors


def bench_others(quick, names=OTHER_MODULES):
    import importlib

    rows, notes = [], []
    for name in names:
        try:
            mod = importlib.import_module(f"bench.{name}")
        except Exception as e:  # a module not written yet is a note, not a crash
            notes.append(f"bench/{name}.py not available ({type(e).__name__}: {e})")
            continue
        t0 = time.perf_counter()
        try:
            got = mod.run(quick=quick)
        except Exception as e:
            notes.append(f"bench/{name}.py run() failed: {type(e).__name__}: {e}")
            continue
        for r in got:
            a_s, p_s = r.get("adcli_s"), r.get("peer_s")
            if "(MB)" in str(r.get("peer")):  # a memory figure, not a time: the MB column
                rows.append(row(f"[{name}] {r.get('workload', '?')}", a_s, "-", None,
                                p_s, None, r.get("note") or "peak RSS in the MB column",
                                kind=name))
                continue
            # The modules disagree on the ratio's direction: recompute it as
            # peer/adcli here so the whole table reads one way.
            rows.append(row(f"[{name}] {r.get('workload', '?')}", a_s, r.get("peer") or "-",
                            p_s, r.get("adcli_mb"), r.get("peer_mb"), r.get("note") or "",
                            kind=name))
            if "ok" in r:  # a check (bench/scaling.py) that fails the suite when False
                rows[-1]["ok"] = r["ok"]
        notes.append(f"bench/{name}.py: {len(got)} rows in {time.perf_counter() - t0:.1f} s")
    return rows, notes


# --- the table ---------------------------------------------------------------

def fmt_s(s):
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


def fmt_mb(mb):
    return "-" if mb is None else f"{mb:.0f}"


def table(rows):
    head = ["workload", "adcli", "MB", "peer", "peer time", "MB", "peer/adcli", "note"]
    body = []
    for r in rows:
        peer_s = r["peer_s"]
        shown = fmt_s(peer_s)
        if peer_s is None and r["note"].startswith(">"):
            shown = r["note"].split(" (")[0]
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        if r["ratio"] is None and r["note"].startswith(">") and r["adcli_s"]:
            timeout = float(r["note"][2:].split()[0])
            ratio = f"> {timeout / r['adcli_s']:.1f}"
        body.append([r["workload"], fmt_s(r["adcli_s"]), fmt_mb(r["adcli_mb"]), r["peer"],
                     shown, fmt_mb(r["peer_mb"]), ratio, r["note"]])
    widths = [max(len(str(x[i])) for x in [head] + body) for i in range(len(head))]
    right = {1, 2, 4, 5, 6}

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(head), line(["-" * w for w in widths])]
    last = None
    for cells in body:
        if cells[0] == last:
            cells = [""] * 3 + cells[3:]  # one workload, several peers
        else:
            last = cells[0]
        out.append(line(cells))
    return "\n".join(out)


def machine():
    model = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                model = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for m in ["adcli", "lark", "click", "numpy", "sympy", "mpmath", "autograd", "jax", "torch"]:
        v = peers.version(m)
        if v:
            versions[m] = v
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": model, "nproc": os.cpu_count(), "versions": versions,
            "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def header(meta, quick):
    v = ", ".join(f"{k} {x}" for k, x in meta["versions"].items())
    load = f", load {meta['load']:.1f}" if meta["load"] is not None else ""
    return (f"adcli benchmarks{' (--quick)' if quick else ''}: {meta['date']}, "
            f"{meta['nproc']} x {meta['cpu']}{load}\n{v}\n"
            "times are medians of the runs stated; peer/adcli > 1 means adcli is faster;"
            " MB = peak RSS of the process")


PAGE_BEGIN = "<!-- bench:begin"
PAGE_END = "<!-- bench:end -->"


def with_results(page, report):
    """docs/performance.md with ``report`` as the table between its markers."""
    begin = page.index("\n", page.index(PAGE_BEGIN)) + 1
    end = page.index(PAGE_END)
    return page[:begin] + "```text\n" + report.rstrip("\n") + "\n```\n" + page[end:]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="every workload at a tiny size")
    ap.add_argument("--json", metavar="FILE", help="write the rows and the machine to FILE")
    ap.add_argument("--plots", action="store_true",
                    help="also draw docs/gradient_cost.png and docs/fd_error.png")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    choices=["startup", "rosenbrock", "kernel"] + OTHER_MODULES,
                    help="run only these workloads")
    ap.add_argument("--timeout", type=float, default=70.0, help="seconds per peer run")
    ap.add_argument("--docs", action="store_true",
                    help="also write the table into docs/performance.md")
    ap.add_argument("--goals", action="store_true",
                    help="also write the goals table into docs/performance.md (bench/goals.py)")
    args = ap.parse_args(argv)
    if args.docs and (args.quick or args.only):
        ap.error("--docs writes docs/performance.md from a full run: drop --quick and --only")
    want = set(args.only or ["startup", "rosenbrock", "kernel"] + OTHER_MODULES)

    meta = machine()
    available, notes = peers.available()
    rows = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if "startup" in want:
            rows += bench_startup(args.quick, tmp, available)
        if "rosenbrock" in want:
            rows += bench_rosenbrock(args.quick, tmp, available, timeout=args.timeout)
    if "kernel" in want:
        rows += bench_kernel(args.quick)
    others = [m for m in OTHER_MODULES if m in want]
    if others:
        more, more_notes = bench_others(args.quick, others)
        rows += more
        notes += more_notes
    notes.append(f"whole suite: {time.perf_counter() - t0:.1f} s")
    report = "\n".join([header(meta, args.quick), table(rows)] + [f"note: {n}" for n in notes])
    print(report)
    if args.docs:
        page = ROOT / "docs" / "performance.md"
        page.write_text(with_results(page.read_text(encoding="utf-8"), report),
                        encoding="utf-8")
        print(f"wrote {page}")
    if args.docs or args.goals:
        from bench import goals

        page = ROOT / "docs" / "performance.md"
        text = goals.table(rows, meta, goals.commit())
        page.write_text(goals.with_goals(page.read_text(encoding="utf-8"), text),
                        encoding="utf-8")
        print(text)
    if args.plots:
        from bench import plots

        for path in plots.draw(ROOT / "docs", quick=args.quick):
            print(f"wrote {path}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": meta, "quick": args.quick, "rows": rows, "notes": notes},
                      fh, indent=1)
    too_steep = [r for r in rows if r.get("ok") is False]
    for r in too_steep:  # bench/scaling.py: time grows faster than the algorithm needs
        print(f"FAIL: {r['workload']}: {r['note']}", file=sys.stderr)
    return 1 if too_steep else 0


if __name__ == "__main__":
    sys.exit(main())
