"""``--jit``'s streaming path: plain CSV (or TSV) in, the same format out,
read, computed and written by a small C++ driver around the compiled
kernel, in the CasADi style (the generated code streams the data itself).

Why: with the kernel compiled, a --jit batch spent most of its time in
text I/O (Arrow's CSV reader, casts, its float formatting and CSV writer,
and the Python between them: 0.75 s of 1.27 s for 10^6 points of a
1,000-op formula).  The driver parses each number (exactly: Clinger's fast
path, else Eisel-Lemire, the few others ``std::from_chars``) straight into
the kernel's arrays, a chunk of rows at a time, and writes the shortest
round-trip digits (Schubfach: the digits ``std::to_chars`` gives, about
three times faster), laid out
as the batch writer lays them out (:mod:`adcli.batch.float_text`'s, else
Arrow's), so the output bytes are the batch driver's (tests/test_jit_stream.py
compares them on a corpus).

It takes only what it can vouch for: a CSV/TSV input whose columns are
exactly the formula's inputs, written to the same format, without
``--digits`` or a progress bar.  Within such a file, a line it cannot read
as plain numbers (quotes, blanks, ``+1``, ``1e999``, a wrong cell count)
and a row the kernel flags (a domain error, a kink, a non-finite cell) go
back to Python one by one and are read, computed, written and reported
exactly as the batch driver does.  Anything else, or no C++17 compiler,
and the batch runs on the usual path.  ``ADCLI_JIT_STREAM=0`` turns it off.

The driver is formula-independent: built once (``c++ -std=c++17 -O2``,
about a second) and cached with the kernels.

A clean stream loads neither NumPy nor Arrow (a quarter of a 10^6-point
batch's CPU was their import): the batch driver reads the header with
:class:`adcli.batch.reader.DelimitedHead` and writes it with
:class:`adcli.batch.output.ArrowLater`, which load Arrow (and with it
NumPy) only when a row goes back to Python or the usual loop runs.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from ..codegen.compilers import NoCompiler
from ..codegen.jit import HessianJitKernel, JitKernel, build
from .jit_stream_driver import SOURCE
from .output import ArrowLater
from .reader import DelimitedHead

FLAGS = ["-std=c++17", "-O2", "-shared", "-fPIC"]
MAX_INPUTS = 64  # the driver parses a row's numbers into a stack array
_EMIT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_long)
_ROW = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_long, ctypes.c_void_p, ctypes.c_long)
_DRIVER: list[ctypes.CDLL | None] = []  # the stream driver, loaded once (None: cannot be built)


def _cxx() -> str | None:
    return os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") \
        or shutil.which("clang++")


def driver() -> ctypes.CDLL | None:
    """The loaded driver library, or None when it cannot be built here."""
    if _DRIVER:
        return _DRIVER[0]
    lib = None
    cxx = _cxx()
    if cxx:
        try:
            lib = build(SOURCE, "adcli_stream", cc=cxx, flags=FLAGS, suffix=".cpp")
        except NoCompiler:
            lib = None
    if lib is not None:
        _declare(lib)
    _DRIVER.append(lib)
    return lib


def _declare(lib: ctypes.CDLL) -> None:
    """The C signatures of the driver's functions, for ctypes."""
    lib.adcli_stream_new.restype = ctypes.c_void_p
    lib.adcli_stream_new.argtypes = [ctypes.c_void_p, ctypes.c_long, ctypes.c_int,
                                     ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                     ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    for name in ("adcli_stream_feed", "adcli_stream_finish"):
        getattr(lib, name).restype = ctypes.c_int
    lib.adcli_stream_feed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long]
    lib.adcli_stream_finish.argtypes = [ctypes.c_void_p]
    lib.adcli_stream_rows.restype = ctypes.c_long
    lib.adcli_stream_rows.argtypes = [ctypes.c_void_p]
    lib.adcli_stream_free.restype = None
    lib.adcli_stream_free.argtypes = [ctypes.c_void_p]


def applies(reader: Any, kernel: Any, writer: Any) -> bool:
    """Whether the driver can write this shard's rows byte for byte."""
    return (os.environ.get("ADCLI_JIT_STREAM", "1") != "0"
            and isinstance(kernel, (JitKernel, HessianJitKernel))
            and getattr(kernel.compiled, "address", None) is not None
            and isinstance(reader, DelimitedHead) and _arrow_text_writer(writer)
            and writer.fmt == reader.format and writer.digits is None
            and list(reader.columns) == list(reader.variables)
            and 0 < len(reader.variables) <= MAX_INPUTS)


def _arrow_text_writer(writer: Any) -> bool:
    """Arrow's CSV/TSV writer (or the one that loads it on first need), whose
    layout of numbers the driver reproduces; found without importing Arrow."""
    if isinstance(writer, ArrowLater):
        return True
    arrow_io = sys.modules.get("adcli.batch.arrow_io")  # not loaded: not its writer
    return arrow_io is not None and isinstance(writer, arrow_io.ArrowWriter)


def _orjson_layout() -> bool:
    """Whether the batch writer formats numbers with orjson
    (:mod:`adcli.batch.float_text`), else with Arrow; asked without loading
    float_text, which loads NumPy and Arrow."""
    import importlib.util

    loaded = sys.modules.get("adcli.batch.float_text")
    if loaded is not None:
        return bool(loaded.available)
    return importlib.util.find_spec("orjson") is not None


def stream_shard(reader: Any, kernel: Any, writer: Any, stats: Any,
                 shard: str | None = None) -> bool:
    """Run the shard through the driver; False (nothing read) when it does
    not apply here, and the caller runs the usual loop."""
    if not applies(reader, kernel, writer):
        return False
    lib = driver()
    if lib is None:
        return False
    failure: list[BaseException] = []
    # Straight from the driver's buffer to a binary stream: a copy of every
    # output byte into a fresh bytes object (and its pages) was ~5% of a batch
    borrow = getattr(getattr(writer, "out", None), "buffer", None) is not None

    def emit(ptr: int, size: int) -> int:
        try:
            if borrow:
                writer.emit(memoryview((ctypes.c_char * size).from_address(ptr)).cast("B"))
            else:
                writer.emit(ctypes.string_at(ptr, size))
        except BaseException as exc:  # noqa: BLE001 - re-raised below, not in C
            failure.append(exc)
            return 1
        return 0

    def row(line: int, ptr: int, size: int) -> int:
        try:
            _python_row(reader, kernel, writer, stats, shard, line, ctypes.string_at(ptr, size))
        except BaseException as exc:  # noqa: BLE001 - re-raised below, not in C
            failure.append(exc)
            return 1
        return 0

    emit_cb, row_cb = _EMIT(emit), _ROW(row)
    compiled = kernel.compiled
    handle = lib.adcli_stream_new(
        compiled.address, getattr(compiled, "width", 0) or 0, len(reader.variables),
        len(kernel.columns), ord(",") if reader.format == "csv" else ord("\t"),
        int(not _orjson_layout()), reader._line, ctypes.cast(emit_cb, ctypes.c_void_p),
        ctypes.cast(row_cb, ctypes.c_void_p))
    try:
        pending, reader._pending = reader._pending, b""
        blocks = [pending] if pending else []
        for block in _chain(blocks, reader._source):
            if lib.adcli_stream_feed(handle, block, len(block)):
                break
        else:
            lib.adcli_stream_finish(handle)
        if failure:
            raise failure[0]
        stats.rows += lib.adcli_stream_rows(handle)
    finally:
        lib.adcli_stream_free(handle)
    return True


def _chain(first: Iterable[bytes], rest: Iterable[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _python_row(reader: Any, kernel: Any, writer: Any, stats: Any, shard: str | None,
                line: int, text: bytes) -> None:
    """One line the driver leaves to Python: read as the batch reader reads
    it (alone in its block), computed by the --jit kernel (the engine for a
    flagged row), encoded by the writer, counted by the statistics."""
    from .arrow_io import DelimitedReader

    head = reader.header_line.encode("utf-8") + b"\n"
    single = DelimitedReader(io.BytesIO(head + text + b"\n"), reader.format)
    single.bind(reader.variables)
    for chunk in single:
        chunk.line_numbers = [line] * len(chunk)
        V, errors, warnings = kernel.compute(chunk.X, chunk.errors)
        if chunk.errors:
            errors = {**errors, **chunk.errors}
        writer.emit(writer.encode(chunk, V, errors, warnings))
        stats.add(chunk, errors, warnings, shard)
