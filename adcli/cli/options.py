"""Options and plumbing shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from ..api import Function
from ..errors import AdcliError, EvalWarning, UsageError, example_point, listed
from ..language.point import constant, decode_utf8, parse_point, parse_point_texts, split_pairs
from ..numsys import system
from ..render.errors import for_stderr, format_error, format_warning
from ..render.failed import FailedPoint
from ..render.registry import Note, formats, render
from .flags import as_flags

if TYPE_CHECKING:
    from ..batch.driver import Kernel

F = TypeVar("F", bound=Callable[..., Any])  # a click command's function, decorated


class PointParser(Protocol):
    """Reads one --at point: float64 values, or the values' text."""

    def __call__(self, text: str, param: str = ...) -> dict[str, Any]: ...


class Computed(Protocol):
    """A result of one point: what each_point reads of it."""

    @property
    def warnings(self) -> Sequence[EvalWarning]: ...


R = TypeVar("R", bound=Computed)


def formula_argument(f: F) -> F:
    f = click.option("-f", "--file", "file", type=click.Path(dir_okay=False, allow_dash=True),
                     help="Read the formula or program from FILE (- for stdin).")(f)
    return click.argument("expr", required=False, metavar="EXPR")(f)


# The options several commands share: (declarations, settings), the help the
# usual one; a command may give its own help, metavar or default (option()).
OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "at": (("--at", "at"), {"multiple": True, "metavar": "NAME=VALUE,…",
                            "help": "The point, e.g. x1=2,x2=pi/4; repeat for several points; "
                                    "@FILE reads the pairs from a file."}),
    "mode": (("--mode",), {"type": click.Choice(("auto", "forward", "reverse")),
                           "default": "auto", "show_default": True,
                           "help": "Forward (tangent) or reverse (adjoint) accumulation; auto "
                                   "picks reverse when there are fewer outputs than inputs."}),
    "wrt": (("--wrt",), {"metavar": "X,Y,…",
                         "help": "Differentiate with respect to these variables only."}),
    "dir": (("--dir", "direction"), {"metavar": "X=1,Y=0,…"}),
    "cotangent": (("--cotangent",), {"metavar": "F1=1,F2=0|1,0"}),
    "seed": (("--seed",), {"metavar": "X1=1,X2=0"}),
    "output": (("--output", "output"), {"metavar": "K"}),
    "sparse": (("--sparse/--dense", "sparse"), {
        "default": None,
        "help": "Sparse output: coordinates of the nonzeros, computed with one compressed "
                "sweep per colour (default: sparse when the pattern's density is below "
                "5 % for at least 10,000 entries, said so in the output)."}),
}


def option(name: str, help: str | None = None, **changes: Any) -> Callable[[F], F]:
    """The shared option ``name`` (:data:`OPTIONS`), with this command's
    ``help`` and other ``changes`` where its own differ."""
    decls, settings = OPTIONS[name]
    return click.option(*decls, **{**settings, **({"help": help} if help else {}), **changes})


def format_option(*kinds: str, **changes: Any) -> Callable[[F], F]:
    """--format: every format the view registry has for results of ``kinds``."""
    return click.option("--format", "fmt", **{
        "type": click.Choice(formats_of(*kinds)), "default": None,
        "help": "Output format (default: text on a terminal, plain in a pipe).", **changes})


def read_formula(expr: str | None, file: str | None) -> str:
    """The formula text: EXPR, `-` for standard input, or -f FILE."""
    if file is not None and expr is not None:
        raise UsageError("give the formula either as EXPR or with -f, not both")
    if "-" in (expr, file):
        return decode_utf8(sys.stdin.buffer.read(), "standard input")
    if file is not None:
        try:
            with open(file, "rb") as fh:
                return decode_utf8(fh.read(), file)
        except OSError as exc:
            raise UsageError(f"cannot read {file}: {exc.strerror}") from None
    if expr is None:
        raise UsageError("no formula given",
                         hint='write it as an argument: adcli grad "x*y" --at x=1,y=2')
    return expr.removeprefix("\ufeff")


def compile_formula(expr: str | None, file: str | None) -> Function:
    return Function(read_formula(expr, file))


def point_parser(precise: bool) -> PointParser:
    """How to read --at: float64 values, or (``precise``) the values' text,
    read later at the working precision (``x=1/3`` is one third)."""
    return parse_point_texts if precise else parse_point


def parse_cotangent(text: str, precise: bool = False) -> dict[str, Any] | list[Any]:
    """``f1=1,f2=0`` (by output name) or ``1,0`` (one weight per output);
    ``precise``: the weights' text, read later at the working precision."""
    if "=" in text:
        return point_parser(precise)(text, "cotangent")
    pieces = split_pairs(text)
    weights = [constant(piece, text, offset, "cotangent") for piece, offset in pieces]
    return [piece for piece, _ in pieces] if precise else weights


# option -> how the API's parameter of that name is read from it (``precise``:
# a vector's text, read later at the working precision); other options pass as given
ARGUMENTS: dict[str, Callable[[str, bool], Any]] = {
    "direction": lambda text, precise: point_parser(precise)(text, "direction"),  # x=1,y=0
    "cotangent": parse_cotangent, "seed": lambda text, _: parse_point(text, "seed"),
    "wrt": lambda text, _: parse_wrt(text), "inputs": lambda text, _: parse_wrt(text),
    "output": lambda text, _: parse_output(text)}


def arguments(names: Iterable[str], options: dict[str, Any], precise: bool) -> dict[str, Any]:
    """The API's arguments ``names`` from the command's options of those names."""
    return {name: options[name] if options[name] is None or name not in ARGUMENTS
            else ARGUMENTS[name](options[name], precise) for name in names}


def input_order(fn: Function, at: Sequence[str],
                read: PointParser = parse_point) -> list[str]:
    """The inputs in the order the --at points name them (first seen
    first), else in the formula's order; a variable no point gives is a
    usage error."""
    if not at:
        return list(fn.inputs)
    names = list(points(at, read)[0])
    given = set(names)  # (a list's `in` per input: n² over n inputs)
    missing = [v for v in fn.inputs if v not in given]
    if missing:
        raise UsageError(f"no value for the variable `{missing[0]}`",
                         hint=f"give it with --at, e.g. --at {missing[0]}=1")
    return names


def points(at: Iterable[str], read: PointParser = parse_point,
           ) -> list[dict[str, Any]]:
    return same_order([read(text) for text in at])


def same_order(pts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every point's variables in one order (first seen first): several
    ``--at`` points written in different orders still give table rows that
    line up under one header."""
    if len(pts) < 2:
        return pts
    rank: dict[str, int] = {}
    for point in pts:
        for name in point:
            rank.setdefault(name, len(rank))
    return [dict(sorted(p.items(), key=lambda kv: rank[kv[0]])) for p in pts]


FAILED_POINTS = "adcli.failed_points"
SEVERAL_POINTS = "adcli.several_points"  # the views' `several`: JSON is an array
# several --at: the results with each failed point in its place, as a FailedPoint
POINT_ENTRIES = "adcli.point_entries"


def each_point(fn: Function, at: Sequence[str], compute: Callable[[dict[str, Any]], R],
               read: PointParser = parse_point) -> list[R]:
    """``compute(point)`` for every ``--at`` point, its warnings on stderr.

    With several points, one that cannot be parsed or computed is reported on
    stderr and the others are still computed and written, as a ``--points``
    batch does; the command then exits with that point's status (see
    ``LazyGroup.invoke``).  With one point its error is the command's error."""
    if len(at) < 2:
        computed = [compute(point) for point in require_points(fn, at, read)]
        for one in computed:
            emit_warnings(one.warnings)
        return computed
    click.get_current_context().meta[SEVERAL_POINTS] = True
    parsed: list[tuple[int, str, dict[str, Any]]] = []
    failures: list[tuple[int, str, AdcliError]] = []
    for i, text in enumerate(at, 1):
        try:
            parsed.append((i, text, read(text)))
        except AdcliError as exc:
            failures.append((i, text, as_flags(exc)))
    ordered = same_order([p for _, _, p in parsed])
    results: list[R] = []
    entries: dict[int, R | FailedPoint] = {}
    for (i, text, _), point in zip(parsed, ordered):
        try:
            res = compute(point)
        except AdcliError as exc:
            failures.append((i, text, as_flags(exc)))  # the message a table row keeps
            entries[i] = FailedPoint(i, len(at), text, point, exc.message)
            continue
        emit_warnings(res.warnings)
        results.append(res)
        entries[i] = res
    for i, text, error in failures:
        entries.setdefault(i, FailedPoint(i, len(at), text, None, error.message))
    _hint_one_point(failures, [p for _, _, p in parsed], at)
    _report_failed_points(sorted(failures, key=lambda f: f[0]), len(at), not results)
    click.get_current_context().meta[POINT_ENTRIES] = [entries[i] for i in sorted(entries)]
    return results


def _hint_one_point(failures, parsed, at):
    """``--at x=2 --at y=3`` is two points, each missing a variable: say so."""
    names = [n for p in parsed for n in p]
    # points that repeat variables are not one point split up; @FILE: not shown as typed
    if len(names) != len(set(names)) or any(text.startswith("@") for text in at):
        example = example_point(names, "…")
    else:
        example = ",".join(at)
    for _, _, exc in failures:
        if exc.message.startswith("no value for the variable"):
            exc.hint = (f"each --at is a separate point ({len(at)} given); give every "
                        f"variable of a point in one --at, e.g. --at {example}")


def _report_failed_points(failures, count, none_left):
    if not failures:
        return
    for i, text, exc in failures:  # (each already in the command line's words)
        shown = text if len(text) <= 60 else text[:57] + "…"
        exc.message = f"point {i} of {count} (--at {shown}): {exc.message}"
        click.echo(format_error(exc), err=True)
    ctx = click.get_current_context()
    if none_left:
        ctx.exit(max(exc.exit_code for _, _, exc in failures))
    good = count - len(failures)
    click.echo(for_stderr(f"adcli: {len(failures)} of {count} points failed; the other "
                          f"{good} {'is' if good == 1 else 'are'} written"), err=True)
    ctx.meta[FAILED_POINTS] = 1  # as a --points batch with failed rows


def require_points(fn: Function, at: Iterable[str], read: PointParser = parse_point,
                   ) -> list[dict[str, Any]]:
    """One point per --at (parsed by ``read``, float64 by default);
    a formula with inputs and no --at is a usage error."""
    pts = points(at, read)
    if not pts:
        if fn.inputs:
            raise UsageError(f"no point given: the formula needs {listed(fn.inputs)}",
                             hint=f"add --at {example_point(fn.inputs)}")
        pts = [{}]
    return pts


def parse_wrt(wrt: str | None) -> list[str] | None:
    if wrt is None:
        return None
    names = [w.strip() for w in wrt.split(",") if w.strip()]
    if not names:
        raise UsageError("--wrt is empty", hint="name variables, e.g. --wrt x1,x2")
    return names


def choose_format(fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    return "text" if sys.stdout.isatty() and os.environ.get("TERM") != "dumb" else "plain"


def emit_warnings(warnings: Iterable[EvalWarning]) -> None:
    """The warnings on stderr, with the command line's flags for the
    parameters they name (in place: the views show the same words)."""
    seen = set()
    for w in map(as_flags, warnings):
        if w.message not in seen:
            seen.add(w.message)
            click.echo(format_warning(w), err=True)


def show(kind: str, fmt: str | None, results: Sequence[Any], **options: Any) -> None:
    """Write ``results`` (one per point) of ``kind`` as ``fmt`` (None: the
    default, :func:`choose_format`), through the one table of views
    (:mod:`adcli.render.registry`), then the view's notes."""
    meta = click.get_current_context().meta
    notes: list[Note] = []
    entries = meta.get(POINT_ENTRIES, results)  # (failed points in their places)
    text = render(kind, choose_format(fmt), entries, notes=notes,
                  several=bool(meta.get(SEVERAL_POINTS)), **options)
    if text is not None:  # None: the view printed to the terminal ("": nothing to write)
        write_pieces([text] if isinstance(text, str) else text)
    for note in notes:
        tell(note)


def tell(note: Note) -> None:
    """The one way a command writes beside its output: ``adcli: LABEL: TEXT``
    on standard error (a :class:`~adcli.render.registry.Note`; errors and
    warnings have their own formats, :mod:`adcli.render.errors`)."""
    line = f"adcli: {note.label}: {note.text}" if note.label else f"adcli: {note.text}"
    click.echo(for_stderr(line) if note.wrap else line, err=True)


def tell_stats(lines: Iterable[str]) -> None:
    """``--stats``: each line on standard error as it is (a table's columns
    stay aligned)."""
    for line in lines:
        tell(Note(line, "stats", wrap=False))


def formats_of(*kinds: str) -> tuple[str, ...]:
    """The --format choices of a command whose results are of ``kinds``:
    every format the registry has for them, in its order."""
    return tuple(dict.fromkeys(fmt for kind in kinds for fmt in formats(kind)))


def write_pieces(pieces: Iterable[str]) -> None:
    """``"".join(pieces)`` on standard output, ending in a newline, each
    piece written as it is made (a view that streams a large output: memory
    holds one piece)."""
    last = ""
    for piece in pieces:
        if piece:
            sys.stdout.write(piece)
            last = piece
    if last and not last.endswith("\n"):
        sys.stdout.write("\n")


# --- number systems: --digits N, --exact --------------------------------------

MAX_DIGITS = 100_000


def precision_options(f: F) -> F:
    """Add ``--digits N`` and ``--exact`` to a command (its function gets
    ``digits`` and ``exact``).  If the command already has a ``--digits``
    option (the batch options), that one is shared."""
    help_text = ("N correct significant digits: with --at, computed in arbitrary precision "
                 "(mpmath; --at values and constants taken at that precision, x=1/3 is one "
                 "third); with --points, float64 written to N ≤ 17 digits.")
    existing = [p for p in getattr(f, "__click_params__", []) if p.name == "digits"]
    if existing:  # the batch options' --digits: one option, widened to any precision
        existing[0].type = click.IntRange(1, MAX_DIGITS)
        existing[0].help = help_text
    else:  # no --points on this command: do not mention it
        f = click.option("--digits", type=click.IntRange(1, MAX_DIGITS), default=None,
                         metavar="N", help=help_text.split("; with --points")[0] + ".")(f)
    return click.option("--exact", is_flag=True, default=False,
                        help="Exact rational arithmetic (+ - * / and integer powers): "
                             "prints fractions such as 7/3.")(f)


def number_system(digits: int | None, exact: bool, points: str | None = None,
                  ) -> dict[str, Any]:
    """The API's ``{"digits": N}`` / ``{"exact": True}`` for these options
    ({} for float64).  With --points, --digits N ≤ 17 only rounds the output
    of the float64 batch."""
    if exact and digits is not None:
        raise UsageError("--digits and --exact do not combine",
                         hint="--exact prints exact fractions; --digits N decimal digits")
    if not exact and (digits is None or points is not None and digits <= 17):
        return {}
    if points is not None:
        raise UsageError("--exact, and --digits above 17, work with --at points, not yet "
                         "with --points (a batch runs in float64)",
                         hint="give the points with --at (repeatable)")

    system(digits, exact)  # mpmath is there (else a usage error now)
    return {"exact": True} if exact else {"digits": digits}


# --- batches: --points FILE|- (adcli.batch) ----------------------------------

def points_options(f: F) -> F:
    """--points, --input-format, --digits, --out, --jobs, --engine,
    --scheduler and --jit, for a command that can run a batch through
    :func:`run_batch`."""
    f = click.option("--jit", is_flag=True,
                     help="Compile the derivative kernel (C, cached) and run the batch "
                          "through it; falls back to NumPy without a compiler.")(f)
    f = click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="With --engine dask: the Dask scheduler (tcp://host:8786); "
                          "default: a local cluster.")(f)
    f = click.option("--engine", type=click.Choice(("local", "dask")), default="local",
                     show_default=True,
                     help="Run the batch here, or over the shards on a Dask cluster "
                          "(pip install 'adcli[dask]').")(f)
    f = click.option("--jobs", "-j", type=click.IntRange(1, 1024), default=None, metavar="N",
                     help="Chunks computed in parallel (default: the cores available); "
                          "output order is kept.")(f)
    f = click.option("--out", "out", metavar="FILE|DIR/", default=None,
                     help="Write the results to FILE (.csv, .tsv, .jsonl, .json, .parquet: "
                          "the suffix chooses; it appears only when complete) or to DIR/, "
                          "one output shard per input shard.")(f)
    f = click.option("--digits", type=click.IntRange(1, 17), default=None, metavar="N",
                     help="Write N significant digits instead of full round-trip "
                          "precision.")(f)
    f = click.option("--input-format", "input_format",
                     type=click.Choice(("csv", "tsv", "jsonl", "parquet")),
                     default=None,
                     help="Format of --points (default: detected from the first line).")(f)
    return click.option("--points", "points", metavar="FILE|DIR|GLOB|-", default=None,
                        help="Many points: CSV/TSV with a header row of variable names, "
                             "JSON Lines or Parquet; a directory or glob of shards; - reads "
                             "standard input.  One result row per point, streamed (output "
                             "format: --format csv|tsv|jsonl|json or the suffix of --out, "
                             "default the input's).")(f)


def run_batch(fn: Function, options: dict[str, Any], make_kernel: Callable[[list[str]], Kernel],
              formula_from_stdin: bool = False) -> None:
    """Run the --points batch ``options`` ask for and exit with its status
    (1 if any row failed).  ``make_kernel(variables)`` builds the command's
    kernel (adcli.batch)."""
    points = options["points"]
    if options["at"]:
        raise UsageError("--points and --at do not combine",
                         hint="give the points either with --at or in the --points file")
    if points == "-" and formula_from_stdin:
        raise UsageError("the formula and --points cannot both come from standard input",
                         hint="give the formula as EXPR or with -f FILE")
    from ..batch.driver import run_points, tune_malloc

    tune_malloc()  # this process is the batch's: keep freed chunk memory for reuse
    batch = {name: options[name] for name in ("fmt", "input_format", "digits", "out", "jit")}
    if options["engine"] == "dask":
        from ..batch.dask_engine import run_dask

        status = run_dask(points, fn, make_kernel, scheduler=options["scheduler"], **batch)
    else:
        status = run_points(points, make_kernel, needed=fn.inputs, source=fn.source,
                            jobs=options["jobs"], **batch)
    if status:
        click.get_current_context().exit(status)


def parse_output(text: str | None) -> int | str | None:
    """--output K: 1-based index or an output's name."""
    if text is None:
        return None
    text = text.strip()
    if text.isdigit():
        k = int(text)
        if k < 1:
            raise UsageError("--output counts from 1", hint="--output 1 is the first output")
        return k - 1
    return text
