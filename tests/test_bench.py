"""The benchmark suite's own machinery (the suite itself runs in .ci/run:
``python -m bench --quick``).  Fast: no peer is timed here."""

import json
import sys

import pytest

import adcli
from bench import run


def test_rosenbrock_workload_is_the_chain_it_claims():
    formula, point_text = run.rosenbrock(5)
    point = {k: float(v) for k, v in (p.split("=") for p in point_text.split(","))}
    x = [point[f"x{i}"] for i in range(1, 6)]
    value = sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(4))
    grad = [0.0] * 5
    for i in range(4):
        grad[i] += -400 * x[i] * (x[i + 1] - x[i] ** 2) - 2 * (1 - x[i])
        grad[i + 1] += 200 * (x[i + 1] - x[i] ** 2)
    r = adcli.compile(formula).gradient(point)
    assert r.value == pytest.approx(value, rel=1e-14)
    assert list(r.gradient.values()) == pytest.approx(grad, rel=1e-14)


def test_a_peer_that_runs_too_long_is_stopped_and_reported_as_a_timeout():
    c = run.Contest(runs=3, timeout=0.5)
    c.add("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"])
    c.add("quick", [sys.executable, "-c", "print('{}')"])
    c.go()
    seconds, _, note = c.figure("sleeper")
    assert seconds is None and note.startswith("> 0.5 s")
    assert len(c.entries["sleeper"]["times"]) == 0  # not run again after the timeout
    seconds, peak_mb, _ = c.figure("quick")
    assert seconds > 0 and peak_mb > 1  # the child's own peak RSS, in MB
    rows = [run.row("w", 0.1, "sleeper", None, note=note), run.row("w", 0.1, "quick", 0.3)]
    text = run.table(rows)
    assert "> 0.5 s" in text and "3.00" in text


def test_a_peer_with_other_numbers_is_flagged():
    ref = {"value": 1.0, "gradient": {"x": 2.0}}
    assert run.agree(ref, json.dumps({"value": 1.0, "gradient": {"x": 2.0}})) is None
    assert "d/dx" in run.agree(ref, json.dumps({"value": 1.0, "gradient": {"x": 2.1}}))


def test_the_accuracy_report_measures_and_meets_its_bounds():
    from bench import accuracy

    assert 0 < accuracy.gradients() <= 1e-14
    assert accuracy.hessians() <= 1e-12
    assert accuracy.partials() <= 1e-10


def test_scaling_fits_the_exponent_and_flags_a_steeper_growth():
    from bench import scaling

    assert scaling.slope([100, 200, 400], [1.0, 4.0, 16.0]) == pytest.approx(2.0)
    assert scaling.slope([100, 200, 400], [0.3, 0.6, 1.2]) == pytest.approx(1.0)
    # a fixed cost under the growth: the floor taken off, the exponent is the growth's
    sizes = [100, 200, 400]
    assert scaling.growth(sizes, [5.0 + 1e-4 * n * n for n in sizes], 5.0)[0] == \
        pytest.approx(2.0)
    assert scaling.growth(sizes, [5.0 + 1e-9 * n for n in sizes], 5.0)[1] == "raw"
    names = {(name, dim) for name, dim, *_ in scaling._cases()}
    for dim in ("formula length", "inputs", "outputs", "rows", "columns", "order", "samples"):
        assert any(d == dim for _, d in names), dim
    # every command with a size, along every dimension it has
    for label, dims in [("eval", "formula length,inputs,outputs"),
                        ("grad", "formula length,inputs,outputs"),
                        ("grad --dir (J·v)", "formula length,inputs,outputs"),
                        ("grad --cotangent (uᵀ·J)", "formula length,inputs,outputs"),
                        ("hessian", "formula length,inputs,outputs"),
                        ("taylor --order 3", "formula length,inputs,outputs"),
                        ("partial", "formula length,inputs,outputs"),
                        ("check", "formula length,inputs,outputs"),
                        ("trace --mode reverse", "formula length,inputs,outputs"),
                        ("graph --format plain", "formula length,inputs,outputs"),
                        ("diff", "formula length,inputs,outputs"),
                        ("codegen --lang c", "formula length,inputs,outputs"),
                        ("sparsity", "formula length,inputs,outputs"),
                        ("plot (sampling)", "formula length,samples"),
                        ("taylor", "order"), ("partial --wrt x,x,…", "order"),
                        ("grad --points --format csv", "rows,columns"),
                        ("hessian --points --format jsonl", "rows,columns"),
                        ("taylor --points --format csv", "rows"),
                        ("partial --points --format csv", "rows"),
                        ("check --points --format csv", "rows,columns")]:
        for dim in dims.split(","):
            assert (label, dim) in names, (label, dim)


def test_the_sparse_stages_add_up_to_a_hessian():
    from bench.sparse_stages import stages

    rows = stages(50)
    assert [r[0] for r in rows] == ["parse", "--at @FILE", "tape", "Hessian pattern",
                                    "star colouring", "sweeps", "JSON"]
    assert all(wall >= 0 and cpu >= 0 for _, wall, cpu in rows)


def test_versus_times_a_workload_in_a_tree():
    # the child half of python -m bench.versus, on this tree, one tiny workload
    from pathlib import Path

    from bench import versus

    name = "taylor exp(sin(x)) K=2"
    got = versus.child(str(Path(versus.__file__).parent.parent), {name}, batch=0.001, repeats=1)
    assert list(got) == [name] and 0 < got[name] < 1


def test_the_shared_round_trip_check_catches_a_wrong_or_long_number():
    from bench.common import round_trip

    assert round_trip(["0.1", "3"], [0.1, 3.0]) == (True, True)
    assert round_trip(["0.10000000000000001"], [0.1]) == (True, False)  # right, not shortest
    assert round_trip(["0.1000001"], [0.1])[0] is False
    assert round_trip(["0.1"], [0.1, 0.2]) == (False, False)  # a number missing


def test_large_inputs_run_as_processes_at_a_tiny_scale(capsys):
    from bench import large

    assert large.main(["--scale", "0.0005"]) == 0  # every case exits 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == list(large.BEFORE)
    for line in lines[1:]:
        cpu, peak_mb = map(float, line.split()[1:3])
        assert cpu >= 0 and peak_mb > 1  # a tiny case may take < 0.05 s: printed 0.0


def test_the_arrays_crossover_is_read_off_from_the_smallest_size_that_stays_faster():
    from bench.higher_order import crossover

    def r(kind, n, ratio):
        return {"workload": f"{kind} over arrays, {n} points", "ratio": ratio}

    rows = [r("evaluate", 8, 1.5), r("evaluate", 16, 0.9), r("evaluate", 24, 1.1),
            r("evaluate", 32, 0.8), r("hessian", 8, 0.9), r("hessian", 16, 0.5),
            r("vjp", 8, 0.9), r("vjp", 16, 1.2)]
    assert crossover(rows) == {"evaluate": 32, "hessian": 8, "vjp": None}
