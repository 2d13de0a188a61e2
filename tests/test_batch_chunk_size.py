"""Rows per --points chunk shrink as the formula's tape grows.

A NumPy kernel holds a column of every step's value and partials for each
row of a chunk, so memory is rows × steps: 250,000 rows of a 1,199-step
formula in chunks of 16,384 rows peaked at 627 MB.  The chunk's rows are
chosen so that rows × steps stays within ``driver.TAPE_CELLS``."""

import io

import pytest

import adcli
from adcli.batch import driver


def test_chunk_rows_shrink_as_the_tape_grows():
    sizes = [driver.chunk_rows(1 << 16, 8, steps) for steps in (3, 100, 1_000, 3_000)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0]
    for steps, rows in zip((3, 100, 1_000, 3_000), sizes, strict=True):
        assert rows * steps <= max(driver.TAPE_CELLS, driver.MIN_SWEEP_ROWS * steps)


def test_a_short_formula_keeps_the_readers_chunk():
    """x1*x2 + sin(x1) (3 steps): the chunk is the reader's, as before."""
    assert driver.chunk_rows(1 << 14, 6, 3) == 1 << 14
    assert driver.chunk_rows(1 << 14, 6, 0) == 1 << 14  # a compiled or point kernel


def test_rows_times_steps_stay_within_the_budget():
    for steps in (1_200, 2_000, driver.TAPE_CELLS // driver.MIN_SWEEP_ROWS):
        rows = driver.chunk_rows(1 << 16, 8, steps)
        assert rows * steps <= driver.TAPE_CELLS
        assert rows >= driver.MIN_SWEEP_ROWS


def test_a_very_long_tape_keeps_enough_rows_to_stay_linear():
    """Fewer rows than MIN_SWEEP_ROWS would make the calls per chunk (one
    per step) cost as steps²: memory then grows with the formula alone."""
    assert driver.chunk_rows(1 << 16, 8, 10 ** 6) == driver.MIN_SWEEP_ROWS
    # a row too wide for that many rows in CHUNK_CELLS still wins
    assert driver.chunk_rows(1 << 16, driver.CHUNK_CELLS // 10, 10 ** 6) == 10


def _long_formula(terms):
    return " + ".join(f"sin({k}*x1 + x2)*x3" for k in range(1, terms + 1))


def test_the_batch_chunks_a_long_formula_by_its_tape(monkeypatch):
    """Wiring: a grad batch of a long formula reaches the kernel in chunks
    of at most TAPE_CELLS // steps rows, with the numbers of --at."""
    source = _long_formula(40)
    steps = len(adcli.compile(source).tape(["x1", "x2", "x3"]).steps)
    monkeypatch.setattr(driver, "MIN_SWEEP_ROWS", 4)
    monkeypatch.setattr(driver, "TAPE_CELLS", steps * 7)  # 7 rows a chunk
    sizes = []
    compute = driver.GradKernel.compute

    def recording(self, X, skip):
        sizes.append(X.shape[0])
        return compute(self, X, skip)

    monkeypatch.setattr(driver.GradKernel, "compute", recording)
    fn = adcli.compile(source)
    points = [(0.1 * i, 1.0 + 0.01 * i, 0.5 - 0.02 * i) for i in range(30)]
    text = "x1,x2,x3\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in points)
    out, err = io.StringIO(), io.StringIO()
    status = driver.run_points("-", lambda v: driver.GradKernel(fn, v), needed=fn.inputs,
                               fmt="csv", stdin=io.BytesIO(text.encode()), stdout=out,
                               stderr=err, jobs=1)
    assert status == 0, err.getvalue()
    assert sizes == [7, 7, 7, 7, 2]
    rows = out.getvalue().splitlines()[1:]
    for (a, b, c), row in zip(points, rows, strict=True):
        res = fn.gradient({"x1": a, "x2": b, "x3": c})
        cells = [float(v) for v in row.split(",")[3:7]]
        assert cells == pytest.approx([res.values[0], *res.jacobian[0].values()], rel=1e-12)


def test_a_compiled_or_point_kernel_is_not_chunked_by_the_tape():
    """Only a NumPy kernel holds every step's column per row."""
    fn = adcli.compile(_long_formula(40))
    grad = driver.GradKernel(fn, ["x1", "x2", "x3"])
    assert driver._sweep_steps(grad) == len(grad.tape.steps) > 100
    point = driver.PointKernel(["f"], compute=lambda p: p, cells=lambda p: [0.0], to_json=dict)
    assert driver._sweep_steps(point) == 0

    class Wrapper:  # as codegen.jit.JitKernel: the NumPy kernel's attributes, compiled compute
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

    assert driver._sweep_steps(Wrapper(grad)) == 0
