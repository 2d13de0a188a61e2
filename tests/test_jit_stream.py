"""--jit's stream driver (adcli.batch.jit_stream): plain CSV/TSV read, computed
and written in compiled code gives the bytes the batch driver writes, on a
corpus of awkward rows; the rows it leaves to Python are the engine's."""

import os
import random
import shutil
import struct
import subprocess
import sys

import pytest
from click.testing import CliRunner

from adcli.cli.main import cli

pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
needs_cxx = pytest.mark.skipif(
    not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")),
    reason="no C++17 compiler on PATH: --jit runs without the stream driver")

# every kind of line the driver must hand back, among plain ones
AWKWARD = ("x,y\n2,3\n0.5,-1\n-0,1\n.5,5.\n1E5,1e+5\n+1,2\n 2,3\n2,3 \n\n   \n"
           "\"2\",3\n1,2,3\n4\nnan,1\ninf,1\n1e999,1\n1e-400,2\nabc,1\n0,1\n1,0\n"
           "1e300,1e10\n-1,2\r\n3,4\r\n5e-324,1\n2.5,2.5\n7,8")


@pytest.fixture(params=["llvm", "c"])
def backend(request, tmp_path, monkeypatch):
    from adcli.codegen import jit

    if request.param == "llvm":
        pytest.importorskip("llvmlite", reason="llvmlite is in the test extra")
    elif not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler on PATH")
    monkeypatch.setenv("ADCLI_JIT", request.param)
    monkeypatch.setenv("ADCLI_JIT_MATH", "libm")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(jit, "_LOADED", {})
    monkeypatch.setattr("adcli.codegen.llvm._ENGINES", {})
    monkeypatch.setattr("adcli.batch.jit_stream._DRIVER", [])
    return request.param


def _run(args, points, stream=True, jit=True):
    env = {"ADCLI_JIT_STREAM": "1" if stream else "0"}
    res = CliRunner(env=env).invoke(cli, args + ["--points", "-"] + (["--jit"] if jit else []),
                                    input=points)
    return res.exit_code, res.stdout_bytes, res.stderr


def _streamed(monkeypatch):
    """Record whether each shard went through the driver."""
    from adcli.batch import jit_stream as stream

    used = []
    real = stream.stream_shard

    def spy(*args, **kwargs):
        used.append(real(*args, **kwargs))
        return used[-1]

    monkeypatch.setattr(stream, "stream_shard", spy)
    return used


@needs_cxx
@pytest.mark.parametrize(("command", "formula"), [
    ("grad", "x*y - y/x + x*x*y"),           # arithmetic: the NumPy path's bits too
    ("grad", "log(x) + sqrt(y - x) + abs(y)"),  # domain errors, kinks
    ("eval", "r = x*y; r, x - y"),             # several outputs
    ("grad", "exp(x*y)"),                      # overflow: the engine's warning
    ("hessian", "x^3*y - log(x) + abs(y)"),     # second order: domain errors, kinks
])
def test_stream_writes_the_batch_drivers_bytes(backend, monkeypatch, command, formula):
    used = _streamed(monkeypatch)
    streamed = _run([command, formula, "--format", "csv"], AWKWARD)
    assert used == [True]
    assert streamed == _run([command, formula, "--format", "csv"], AWKWARD, stream=False)
    if "log" not in formula and "exp" not in formula:  # same operations, same bits
        assert streamed == _run([command, formula, "--format", "csv"], AWKWARD, jit=False)


@needs_cxx
@pytest.mark.parametrize("layout", ["orjson", "arrow"])
def test_shortest_digits_laid_out_as_the_writer_lays_them_out(backend, monkeypatch, layout):
    """Random doubles of every magnitude, subnormals, whole numbers and the
    powers of ten where a layout switches (1e-6, 1e-5, 1e10, 1e16): the
    driver's text is the writer's (orjson's layout, or Arrow's without
    orjson), and reads back to the same double."""
    if layout == "arrow":
        monkeypatch.setattr("adcli.batch.float_text.available", False)
    else:
        pytest.importorskip("orjson", reason="orjson comes with the arrow extra")
    rng = random.Random(5)
    values = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
              for _ in range(3000)]
    values += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 22) for _ in range(3000)]
    values += [float(k) for k in range(-20, 20)] + [10.0 ** k for k in range(-9, 18)]
    values += [1e10 - 1, 123456789.5, 5e-324, -2.2250738585072014e-308, 9.5e-7, 0.1 + 0.2,
               9.5e-6, 1.5e-5, 9999999999999998.0, 1.2345e16, -0.0]
    values = [v for v in values if v == v and abs(v) != float("inf")]
    points = "x\n" + "".join(f"{v!r}\n" for v in values)
    used = _streamed(monkeypatch)
    streamed = _run(["eval", "x", "--format", "csv"], points)
    assert used == [True] and streamed[0] == 0
    assert streamed == _run(["eval", "x", "--format", "csv"], points, stream=False)
    for line, v in zip(streamed[1].decode().splitlines()[1:], values):
        assert float(line.split(",")[1]) == v


@needs_cxx
@pytest.mark.parametrize("extra", [["--wrt", "y,x"], ["--wrt", "y"]])
def test_a_wrt_subset_streams_the_batch_drivers_bytes(backend, monkeypatch, extra):
    """grad and hessian with --wrt through the driver: the columns of --wrt
    only, in its order, as the batch driver writes them."""
    used = _streamed(monkeypatch)
    for command, formula in (("grad", "x*x*y - sqrt(y)"), ("hessian", "x^3*y - log(x*y)")):
        args = [command, formula, "--format", "csv", *extra]
        streamed = _run(args, AWKWARD)
        assert streamed[0] == 1 and streamed == _run(args, AWKWARD, stream=False)
    assert used == [True, False, True, False]  # streamed, then the usual path


@needs_cxx
def test_tsv_and_what_the_driver_leaves_alone(backend, monkeypatch):
    used = _streamed(monkeypatch)
    tsv = "x\ty\n2\t3\n0\t1\n"
    assert _run(["grad", "log(x)*y", "--format", "tsv"], tsv) == \
        _run(["grad", "log(x)*y", "--format", "tsv"], tsv, stream=False)
    # an extra column, another output format: the usual path
    extra = "id,x,y\na,2,3\n"
    assert _run(["grad", "x*y", "--format", "csv"], extra)[0] == 0
    assert _run(["grad", "x*y", "--format", "jsonl"], "x,y\n2,3\n")[0] == 0
    assert _run(["grad", "x*y", "--format", "csv"], tsv)[0] == 0
    assert used == [True, False, False, False, False]


@needs_cxx
def test_stream_in_a_real_process_to_a_file(tmp_path):
    """A file in, --out FILE.csv: the file the usual --jit path writes."""
    rng = random.Random(2)
    rows = [f"{rng.uniform(-3, 3)!r},{rng.uniform(-3, 3)!r}" for _ in range(20000)]
    rows[100] = "0,1"  # abs at its kink: a warning
    rows[777] = "0,0"  # log(0): an error
    points = tmp_path / "p.csv"
    points.write_text("x,y\n" + "\n".join(rows) + "\n")
    outputs = []
    for stream in ("1", "0"):
        out = tmp_path / f"out{stream}.csv"
        env = dict(os.environ, ADCLI_JIT_STREAM=stream, XDG_CACHE_HOME=str(tmp_path / "c"))
        res = subprocess.run([sys.executable, "-m", "adcli", "grad", "abs(x)*y + log(x*x + y*y)",
                              "--points", str(points), "--jit", "--out", str(out)],
                             capture_output=True, text=True, env=env, timeout=120)
        outputs.append((res.returncode, res.stderr, out.read_bytes()))
    assert outputs[0] == outputs[1]
    code, err, _ = outputs[0]
    assert code == 1 and "line 102: abs(0)" in err and "1 of 20000 rows failed" in err


LOADED = """
import sys
import adcli.cli.main as cli_main

def report():
    print(sorted(m for m in ("numpy", "pyarrow") if m in sys.modules), file=sys.stderr)

leave = cli_main._leave  # with Arrow loaded: os._exit, after which nothing runs
cli_main._leave = lambda code: (report(), leave(code))
try:
    cli_main.main(sys.argv[1:])
except SystemExit:
    report()
"""


@needs_cxx
def test_a_clean_stream_loads_neither_numpy_nor_arrow(tmp_path):
    """Start-up is a third of a 10^6-point --jit batch: plain rows need no
    NumPy and no Arrow, which load (and write the same rows) when a row goes
    back to Python."""
    pytest.importorskip("llvmlite", reason="llvmlite is in the test extra")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "c"))
    for rows, loaded in (("2,3\n0.5,1\n", "[]"), ("2,3\n0,1\n", "['numpy', 'pyarrow']")):
        points = tmp_path / "p.csv"
        points.write_text("x,y\n" + rows)
        args = ["grad", "abs(x)*y", "--points", str(points)]
        res = subprocess.run([sys.executable, "-c", LOADED, *args, "--jit"],
                             capture_output=True, text=True, env=env, timeout=120)
        assert res.stderr.splitlines()[-1] == loaded, res.stderr
        plain = subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                               text=True, env=env, timeout=120)
        assert res.stdout == plain.stdout and res.stdout.count("\n") == 3


@needs_cxx
def test_the_driver_compiles_cleanly(tmp_path):
    from adcli.batch.jit_stream import _cxx
    from adcli.batch.jit_stream_driver import SOURCE

    src = tmp_path / "driver.cpp"
    src.write_text(SOURCE)
    res = subprocess.run([_cxx(), "-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic",
                          "-fsyntax-only", str(src)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


def _number_text(rng: random.Random) -> str:
    """A number as people write them: short decimals (the driver's exact
    fast path), 17 significant digits, exponents at the fast path's edge
    (1e22 is exact, 1e23 is not), leading zeros, a bare point."""
    v = rng.uniform(-9, 9)
    return rng.choice([f"{v:.3f}", repr(v), f"{v:.15e}", f"{v:.17g}", f"{v:.5g}e22",
                       f"{v:.5g}e23", f"{v:.5g}e-22", f"{v:.14f}e-9", f"000{abs(v):.4f}",
                       f"{abs(v):.0f}.", f".{rng.randint(1, 99999)}", "-0", "1e22", "1e-22"])


@needs_cxx
@pytest.mark.parametrize("math", ["libm", "vector"])
def test_many_rows_split_across_small_blocks(backend, monkeypatch, math):
    """Rows that cross the driver's chunks of 1,024 kernel rows and lines
    split between the reader's blocks (61 bytes here), with awkward rows
    (quotes, CRLF, blank lines, a wrong width, domain errors) among them:
    the bytes the usual path writes, bad rows reported with their line.
    With vector math (LLVM, where the CPU has it) the kernel reads and
    writes column-major arrays padded to whole vectors."""
    monkeypatch.setenv("ADCLI_JIT_MATH", math)
    monkeypatch.setattr("adcli.batch.reader.DelimitedHead.block", 61)
    rng = random.Random(11)
    awkward = AWKWARD.split("\n")[1:]
    rows = [f"{_number_text(rng)},{_number_text(rng)}" for _ in range(2600)]
    for slot, k in enumerate(range(0, len(rows), 89)):
        rows[k] = awkward[slot % len(awkward)]
    points = "x,y\n" + "\n".join(rows) + "\n"
    used = _streamed(monkeypatch)
    args = ["grad", "log(x*x)*y + x*y", "--format", "csv"]
    streamed = _run(args, points)
    assert used == [True]
    assert streamed == _run(args, points, stream=False)
    out = streamed[1].decode()
    assert out.count("\n") == 1 + sum(1 for row in rows if row.strip())
    assert '1,2,,,,"expected 2 cells (x, y), found 3"' in out


SHORTEST_CHECK = r"""
#include <cstdio>
#include <random>
int main() {
    std::mt19937_64 rng(3);
    long bad = 0;
    auto check = [&](double v) {
        if (!(v > 0) || std::isinf(v)) return;
        char text[64];
        auto res = std::to_chars(text, text + sizeof text, v, std::chars_format::scientific);
        std::string want(text, res.ptr);  // d[.ddd]e[+-]xx
        uint64_t digits;
        int exponent;
        shortest(v, &digits, &exponent);
        std::string mantissa = std::to_string(digits);
        std::string got = mantissa.substr(0, 1) + (mantissa.size() > 1 ? "." : "")
            + mantissa.substr(1) + "e";
        int e = exponent + int(mantissa.size()) - 1;
        char ex[8];
        std::snprintf(ex, sizeof ex, "%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        got += ex;
        if (got != want && bad++ < 5) std::printf("%a: %s, not %s\n", v, got.c_str(), want.c_str());
    };
    for (int i = 0; i < 400000; i++) {
        uint64_t bits = rng() >> 1;
        double v;
        std::memcpy(&v, &bits, sizeof v);
        check(v);
    }
    for (int e = -1074; e <= 1023; e++) {  // the powers of two: the closer lower boundary
        double v = std::ldexp(1.0, e);
        check(v); check(std::nextafter(v, 0.0)); check(std::nextafter(v, 2 * v));
    }
    for (uint64_t bits = 1; bits < 20000; bits++) {  // the smallest subnormals
        double v;
        std::memcpy(&v, &bits, sizeof v);
        check(v);
    }
    for (int k = 1; k < 200000; k++) { check(k); check(k / 1000.0); check(k * 1e-9); }
    std::printf("%ld\n", bad);
    return bad != 0;
}
"""


PARSE_CHECK = r"""
#include <cstdio>
#include <random>
int main() {
    std::mt19937_64 rng(4);
    long bad = 0;
    auto check = [&](const std::string &text) {
        const char *end = text.data() + text.size();
        double mine = 0, theirs = 0;
        bool ok = scan_number(text.data(), end, &mine) == end;
        auto res = std::from_chars(text.data(), end, theirs);
        bool their_ok = res.ec == std::errc() && res.ptr == end && std::isfinite(theirs);
        if ((ok != their_ok || (ok && std::memcmp(&mine, &theirs, sizeof mine) != 0))
            && bad++ < 5)
            std::printf("%s: %d %.17g, not %d %.17g\n", text.c_str(), ok, mine, their_ok, theirs);
    };
    char text[64];
    for (int i = 0; i < 150000; i++) {
        uint64_t bits = rng() >> 1;
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (!std::isfinite(v)) continue;
        for (const char *format : {"%.17g", "%.16g", "-%.15e", "%.19e", "%.21e"}) {
            std::snprintf(text, sizeof text, format, v);
            check(text);
        }
        std::string digits;  // up to 19 digits, a point, any exponent: ties and edges
        for (int k = 0, n = 1 + int(rng() % 19); k < n; k++) digits += char('0' + rng() % 10);
        if (rng() & 1) digits.insert(rng() % digits.size(), ".");
        check(digits + "e" + std::to_string(int(rng() % 700) - 350));
    }
    for (int e = -60; e <= 80; e++)  // half way between neighbouring doubles: ties to even
        for (int k = 0; k < 200; k++) {
            double v = std::ldexp(1.0 + k / 4096.0, e);
            long double mid = ((long double)v + (long double)std::nextafter(v, 2 * v)) / 2;
            std::snprintf(text, sizeof text, "%.25Lg", mid);
            check(text);
        }
    for (const char *text : {"9007199254740993", "2.2250738585072011e-308", "1e23", "-0",
                             "1.7976931348623158e308", "1.7976931348623159e308", "4.9e-324",
                             "00000000000000000000001", ".5", "5.", "1E5", "1e+5", "0.1"})
        check(text);
    std::printf("%ld\n", bad);
    return bad != 0;
}
"""


@needs_cxx
@pytest.mark.parametrize("check", ["shortest", "parse"])
def test_the_drivers_number_conversions_are_the_standard_librarys(tmp_path, check):
    """The driver's Schubfach gives std::to_chars's shortest round-trip digits
    (what it wrote before, and what the writers' Ryu gives) on random doubles
    of every magnitude, the powers of two and their neighbours, subnormals
    and short decimals; its parser (Clinger's fast path, Eisel-Lemire) reads
    every number as std::from_chars reads it, and refuses what it refuses:
    random doubles as %.17g and friends, random digit strings with any
    exponent, the exact midpoints between doubles."""
    from adcli.batch.jit_stream import _cxx
    from adcli.batch.jit_stream_driver import SOURCE

    helpers = SOURCE[:SOURCE.index("// --- the stream")] + "}\n"
    src = tmp_path / f"{check}.cpp"
    src.write_text(helpers + (SHORTEST_CHECK if check == "shortest" else PARSE_CHECK))
    exe = tmp_path / check
    build = subprocess.run([_cxx(), "-std=c++17", "-O1", str(src), "-o", str(exe)],
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    res = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "0", res.stdout
