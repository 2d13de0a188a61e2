"""What a user sees when something outside the formula goes wrong: a full
disk, a file in another encoding, Ctrl-C, numbers longer than Python's
default int-to-text limit, names that cannot be assigned, an expression
taken for an option, and hints that point at the real mistake."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.child_process import open_fifo_for_writing, readline_within, stopping
from tests.conftest import adcli_process


def _exe():
    exe = os.path.join(os.path.dirname(sys.executable), "adcli")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "adcli"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("fmt", ["plain", "json", "csv"])
def test_a_full_disk_is_one_line_and_exit_1(fmt):
    with open("/dev/full", "w") as full:
        res = subprocess.run(_exe() + ["grad", "x*y", "--at", "x=1,y=2", "--format", fmt],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert res.returncode == 1
    assert res.stderr.strip() == "adcli: error: cannot write the output: No space left on device"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["grad", "--help"]])
def test_help_and_version_to_a_full_disk_are_one_line_and_exit_1(args):
    # `adcli --help` and `--version` run before any command: they were a traceback
    with open("/dev/full", "w") as full:
        res = subprocess.run(_exe() + args, stdout=full, stderr=subprocess.PIPE, text=True,
                             timeout=60)
    assert res.returncode == 1
    assert res.stderr.strip() == "adcli: error: cannot write the output: No space left on device"


def _ctrl_c_as_at_a_terminal():
    """In the child, before adcli starts: Ctrl-C's default action.  A test
    run in a shell's background job (``pytest … &``, CI scripts) inherits
    SIGINT ignored, and Python then rightly leaves it ignored: adcli would
    never see the signal these tests send."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until_blocked_in_a_read(pid):
    """Until adcli's main thread sleeps in a read (Linux's /proc shows where).
    A signal that lands just before a blocking read() is only noted, and
    Python acts on it when the read returns, which here is never: signalled
    then, adcli (like any Python program) would wait for its input first."""
    wchan = f"/proc/{pid}/wchan"
    deadline = time.monotonic() + 60
    while os.path.exists(wchan) and time.monotonic() < deadline:
        with open(wchan) as f:
            if "read" in f.read():
                return
        time.sleep(0.01)


def test_ctrl_c_exits_130():
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "formula")
        os.mkfifo(fifo)
        proc = subprocess.Popen(_exe() + ["eval", "-f", fifo, "--at", "x=1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=_ctrl_c_as_at_a_terminal)
        with stopping(proc):
            # Opening the FIFO for writing succeeds once adcli has opened it to
            # read the formula: it is then inside the command, blocked on the read.
            writer = open_fifo_for_writing(fifo, proc)
            try:
                _wait_until_blocked_in_a_read(proc.pid)
                proc.send_signal(signal.SIGINT)
                out, err = proc.communicate(timeout=60)
            finally:
                os.close(writer)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "adcli: interrupted" in err


def test_ctrl_c_in_a_batch_with_worker_processes_exits_130_and_leaves_none():
    """A terminal's Ctrl-C signals the whole process group: adcli and its
    --jobs workers, in the middle of a batch whose input is still open."""
    import threading
    import time

    proc = subprocess.Popen(_exe() + ["hessian", "sin(x*y)", "--points", "-", "--jobs", "2"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_ctrl_c_as_at_a_terminal)

    def feed():
        try:
            proc.stdin.write(b"x,y\n" + b"".join(b"%d,0.5\n" % i for i in range(200)))
            proc.stdin.flush()  # and the input stays open: the batch waits for more
        except OSError:
            pass  # adcli is gone (the test fails below)

    threading.Thread(target=feed, daemon=True).start()
    try:
        assert readline_within(proc.stdout).startswith(b"x,y,f,")  # the batch is under way
        _wait_until_blocked_in_a_read(proc.pid)  # for more input: the batch waits for it
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
    assert proc.returncode == 130, err
    assert err.decode().strip().endswith("adcli: interrupted")
    assert b"Traceback" not in err
    try:  # no worker outlived adcli
        for _ in range(50):
            os.killpg(proc.pid, 0)
            time.sleep(0.1)
        pytest.fail("a worker process is still running after adcli exited")
    except ProcessLookupError:
        pass


@pytest.mark.parametrize("data, expected", [
    ("x*é".encode("latin-1"), "is not UTF-8 text (byte 0xe9 at offset 2)"),
    ("x*y".encode("utf-16"), "is UTF-16 text; adcli reads UTF-8"),
])
def test_a_formula_file_in_another_encoding_is_a_usage_error(run, tmp_path, data, expected):
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    res = run("eval", "-f", str(path), "--at", "x=1,y=2")
    assert res.exit_code == 2
    assert expected in res.stderr and "iconv" in res.stderr
    assert "internal error" not in res.stderr


@pytest.mark.parametrize("data, expected", [
    ("x,y\n1,2\n".encode("utf-16"), "the --points input is UTF-16 text; adcli reads UTF-8"),
    ("x,caf\u00e9\n1,2\n".encode("latin-1"), "the --points header is not UTF-8 text"),
], ids=["utf-16", "latin-1"])
@pytest.mark.parametrize("jit", [[], ["--jit"]], ids=["numpy", "jit"])
def test_a_points_file_in_another_encoding_is_a_usage_error(run, tmp_path, data, expected, jit):
    # UTF-16 said "no column for `x`, `y`" showing `\ufffd\ufffdx`; a Latin-1
    # column name was written back as `caf\ufffd`, exit 0
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    res = run("eval", "x*2", "--points", str(path), *jit)
    assert res.exit_code == 2, res.output
    assert expected in res.stderr and "iconv" in res.stderr
    assert "\ufffd" not in res.output


LATIN1_ROWS = "x,name\n1,caf\u00e9\n2,tea\n3,na\u00efve\n".encode("latin-1")
NOT_UTF8 = "the row is not UTF-8 text (byte 0x{:02x} at offset {}); convert the file"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("jit", [[], ["--jit"]], ids=["numpy", "jit"])
def test_a_points_row_in_another_encoding_is_a_bad_row(run, tmp_path, fmt, jit):
    # a Latin-1 byte in a data row's extra column was written back as U+FFFD,
    # exit 0 (only the header was checked): the row is a bad row now, the
    # others are written, in the header's width
    path = tmp_path / "p.csv"
    path.write_bytes(LATIN1_ROWS)
    res = run("grad", "x^2", "--points", str(path), "--format", fmt, *jit)
    assert res.exit_code == 1, res.output
    assert "line 2: " + NOT_UTF8.format(0xe9, 5) in res.stderr and "iconv" in res.stderr
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(res.stdout)))
        assert [len(r) for r in rows] == [5] * 4
        assert rows[2] == ["2", "tea", "4", "4", ""]
        assert rows[1][4].startswith(NOT_UTF8.format(0xe9, 5)) and "iconv -f LATIN1" in rows[1][4]
        assert rows[3][4].startswith(NOT_UTF8.format(0xef, 4))
    else:
        objs = [json.loads(line) for line in res.stdout.splitlines()]
        assert [o.get("line") for o in objs] == [2, None, 4]
        assert objs[1]["extra"] == {"name": "tea"}
        assert objs[0]["error"].startswith(NOT_UTF8.format(0xe9, 5))


def test_every_reader_finds_a_row_that_is_not_utf8():
    """adcli's own reader (no Arrow, or a wide header; JSON Lines) as Arrow's:
    in a chunk, or as the last line without a newline."""
    from adcli.batch.reader import PointReader

    for data, errors in [(LATIN1_ROWS, {2: 0xe9, 4: 0xef}),
                         (LATIN1_ROWS.rstrip(b"\n"), {2: 0xe9, 4: 0xef}),
                         (b'{"x": 2}\n{"x": 1, "name": "caf\xe9"}\n', {2: 0xe9})]:
        for rows in (1, 100):
            reader = PointReader(io.BytesIO(data), None, max_rows=rows)
            reader.bind(["x"])
            found = {chunk.line_numbers[i]: why for chunk in reader
                     for i, why in chunk.errors.items()}
            assert sorted(found) == sorted(errors)
            assert all(f"byte 0x{errors[n]:02x}" in why and "iconv" in why
                       for n, why in found.items())


def test_a_byte_order_mark_is_accepted_in_formula_and_point_files(run, tmp_path):
    formula, point = tmp_path / "f.txt", tmp_path / "p.txt"
    formula.write_bytes("\ufeffx*y\n".encode())
    point.write_bytes("\ufeffx=2\ny=3\n".encode())
    res = run("eval", "-f", str(formula), "--at", f"@{point}")
    assert res.exit_code == 0, res.output
    assert res.stdout == "f 6\n"
    res = run("eval", "-", "--at", "x=2,y=3", input="\ufeffx*y".encode())
    assert res.stdout == "f 6\n"


@pytest.mark.parametrize("fmt", ["plain", "json", "jsonl", "csv", "tsv", "text"])
def test_exact_numbers_of_ten_thousand_digits_in_every_format(run, fmt):
    res = run("eval", "7*10^9999 + 1", "--exact", "--format", fmt)
    assert res.exit_code == 0, res.output
    assert ("7" + "0" * 9998 + "1") in res.stdout.replace("\n", "")


def test_exact_gradient_at_a_point_beyond_float_range(run):
    res = run("grad", "x^2", "--at", "x=10^5000", "--exact", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout, parse_int=str)["gradient"]["x"] == "2" + "0" * 5000


def test_pi_to_100000_digits(run):
    import mpmath

    res = run("eval", "pi", "--digits", "100000", "--format", "json")
    assert res.exit_code == 0, res.output
    value = json.loads(res.stdout, parse_float=str)["value"]
    with mpmath.workdps(100010):
        assert value == mpmath.nstr(+mpmath.pi, 100000, strip_zeros=False)


@pytest.mark.parametrize("fmt", ["plain", "json", "jsonl", "csv", "tsv", "text"])
def test_pi_beyond_python_int_text_limit_in_every_format(run, fmt):
    res = run("eval", "pi", "--digits", "5000", "--format", fmt)
    assert res.exit_code == 0, res.output
    assert "3.14159265358979323846" in res.stdout
    assert res.stdout.count("9") > 400  # all 5,000 digits are there


@pytest.mark.parametrize("source, name, what", [
    ("pi = 3; pi*2", "pi", "a constant"), ("sin = 3; sin*2", "sin", "a function"),
    ("a = x; e = a; e*x", "e", "a constant"),
])
def test_assigning_to_a_constant_or_function_name_is_exit_2(run, source, name, what):
    res = run("eval", source, "--at", "x=1")
    assert res.exit_code == 2
    assert f"`{name}` is {what} and cannot be assigned" in res.stderr
    assert "^" in res.stderr  # the caret under the name


def test_an_expression_taken_for_an_option_says_to_put_it_after_dashes():
    res = adcli_process("grad", "-x^2", "--at", "x=3")
    assert res.returncode == 2
    assert 'put it after `--`: adcli grad -- "-x^2"' in res.stderr
    res = adcli_process("grad", "--", "-x^2", "--at", "x=3")
    assert res.returncode == 0 and "df/dx -6" in res.stdout


@pytest.mark.parametrize("source, hint", [
    ("1e", "an exponent needs digits"),
    ("2*1.2.3", "at most one decimal point"),
    ("(-8)^(1/3)", "cbrt(x)"),
])
def test_hints_name_the_real_mistake(run, source, hint):
    res = run("eval", source)
    assert hint in res.stderr
    assert "write `*` for a product" not in res.stderr


# A number cut short: `1e` listed `)` (that nothing opened) among the
# expected tokens, with the caret under the `e` alone; `.e3` was only an
# "unexpected character".  The message names the number, the caret spans it.
@pytest.mark.parametrize("source, message, caret, hint", [
    ("1e", "the number `1e` has an exponent without digits", "^^",
     "e.g. `1e3` or `1e-3`; for a product with the constant e write `1*e`"),
    ("1e+", "the number `1e+` has an exponent without digits", "^^^", "e.g. `1e3` or `1e-3`"),
    ("2*1.5E-", "the number `1.5E-` has an exponent without digits", "  ^^^^^",
     "e.g. `1.5E3` or `1.5E-3`"),
    ("sin(1e)", "the number `1e` has an exponent without digits", "    ^^", "`1e3`"),
    (".e3", "`.e3` is not a number: a number needs a digit before or after its point", "^^^",
     "`.5`"),
    ("x + .", "`.` is not a number: a number needs a digit before or after its point", "    ^",
     "`0.5`"),
])
def test_a_truncated_number_is_named_with_its_caret(run, source, message, caret, hint):
    res = run("eval", source, "--at", "x=1")
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert lines[0] == f"adcli: error: {message}"
    assert lines[1:3] == [f"  {source}", f"  {caret}"]
    assert hint in lines[3] and "expected" not in res.stderr


def test_a_close_parenthesis_is_expected_only_inside_one(run):
    assert "`)`" not in run("eval", "1ex").stderr
    assert "`)`" not in run("eval", "2 3").stderr
    assert "expected `)` or `,`" in run("eval", "sin(x", "--at", "x=1").stderr


def test_numbers_that_are_whole_still_parse(run):
    assert run("eval", "1.").stdout == "f 1\n"
    assert run("eval", "1.e2 + .5E-1").stdout == "f 100.05\n"


@pytest.mark.parametrize("data, given, detected", [
    ("x,y\n1,2\n", "tsv", "csv"), ("x\ty\n1\t2\n", "csv", "tsv"),
])
def test_a_wrong_input_format_says_the_file_looks_like_the_other(run, data, given, detected):
    res = run("grad", "x*y", "--points", "-", "--input-format", given, input=data)
    assert res.exit_code == 2
    assert f"the file looks like {detected.upper()}" in res.stderr
    assert f"--input-format {detected}" in res.stderr
