"""Where the time of ``adcli hessian -f F --at @P --sparse --format json``
goes, stage by stage, in one process (the calls the command makes).

    python -m bench.sparse_stages [N]        # N = 100000 by default

Prints wall and CPU seconds per stage for the Rosenbrock chain of N
variables: parse, reading --at @FILE, tape, Hessian pattern, star
colouring, the compressed sweeps and the JSON, run as the command runs them
(reading the point and writing the JSON without the cyclic collector, and a
large build frozen out of its scans: adcli.collector).
"""

import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def stages(n):
    from bench.run import rosenbrock

    formula, point = rosenbrock(n)
    with tempfile.TemporaryDirectory() as tmp:
        pfile = Path(tmp, "at.txt")
        pfile.write_text(point)
        return _timed(formula, f"@{pfile}")


def _timed(formula, at):
    import adcli
    from adcli.collector import one_command_process
    from adcli.language.point import parse_point
    from adcli.render.results import dumps
    from adcli.sparse import drivers as D
    from adcli.sparse.formats import result_json

    out = []
    clock = [time.perf_counter(), time.process_time()]

    def lap(label):
        now = [time.perf_counter(), time.process_time()]
        out.append((label, now[0] - clock[0], now[1] - clock[1]))
        clock[:] = now

    one_command_process()  # as the command line does (adcli.cli.main)
    fn = adcli.compile(formula)
    lap("parse")
    point = parse_point(at)
    lap("--at @FILE")
    tape = fn.tape(list(point))
    lap("tape")
    D.tape_hessian_adjacency(tape, 0)
    lap("Hessian pattern")
    D.hessian_plan(tape, 0, list(range(tape.n_inputs)))
    lap("star colouring")
    res = D.sparse_hessian(fn, point)
    lap("sweeps")
    gc.disable()
    try:
        dumps(result_json(res))
    finally:
        gc.enable()
    lap("JSON")
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 100_000
    rows = stages(n)
    for label, wall, cpu in rows:
        print(f"{label:18s} wall {wall:7.3f} s   cpu {cpu:7.3f} s")
    print(f"{'total':18s} wall {sum(r[1] for r in rows):7.3f} s   "
          f"cpu {sum(r[2] for r in rows):7.3f} s")


if __name__ == "__main__":
    main()
