"""What the commands can be asked for, as data.

A command's options select one :class:`Request` from its table (the first
row whose option is given, else one its format or the pattern's density
calls for, else the last), the row says what it does not combine with, and
:func:`run` makes its one API call at every ``--at`` point (or builds its
kernel for a ``--points`` batch) and writes the results through the view
registry.  A new kind of request is one row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import click

from ..api import Function
from ..errors import AdcliError, UsageError
from ..language.point import parse_point_texts
from ..render.registry import FORMAT_HOLDS, formats
from . import options as opt

Options = dict[str, Any]  # a command's parameters, as click passes them
Numbers = dict[str, Any]  # the API's number system: {}, {"digits": N} or {"exact": True}
Compute = Callable[[Any], Any]  # one --at point -> a result


class Refusal(NamedTuple):
    """An option the request does not combine with: the usage error when it
    is given (and ``when`` too).  ``message`` and ``hint`` are filled in with
    the request's fields (``{flag}``, ``{product}``, ``{sweep}``, ``{matrix}``)."""

    option: str  # a parameter, "numbers" (--digits N / --exact) or "mode=forward" (a value)
    message: str
    hint: str | None = None
    when: str | None = None  # refused only together with this one (see _given)


class Request(NamedTuple):
    """One kind of request: ``option`` selects it (None: the format or the
    density does, or it is the default); ``view`` is its results' kind in
    the view registry, ``shows`` the options its views read.  ``call`` is
    its one API call, a :class:`Function` method's name or
    ``call(fn, point, **arguments)``, made at every point (or once, with no
    point, unless ``pointwise``) with the options ``args`` as the API's
    parameters of the same names; ``kernel`` names its batch in
    :mod:`adcli.batch.kernels` (None: not with --points), given
    ``kernel_args`` (default ``args``); ``status(results)`` the exit status
    they call for (0: none)."""

    name: str
    view: str
    call: str | Callable[..., Any]
    args: tuple[str, ...] = ()
    kernel: str | None = None
    kernel_args: tuple[str, ...] | None = None
    option: str | None = None
    flag: str | None = None
    product: str = ""  # a product's name (J·v) and its cost, for messages
    sweep: str = ""
    refuses: tuple[Refusal, ...] = ()
    density: str | None = None  # "jacobian"/"hessian": also chosen when the pattern is sparse
    stats: Callable[[Function, Any, Options], None] | None = None
    shows: tuple[str, ...] = ()
    pointwise: bool = True
    status: Callable[[Sequence[Any]], int] | None = None

    def compute(self, fn: Function, options: Options, numbers: Numbers) -> Compute:
        """The API call at one point, its options read once."""
        arguments = opt.arguments(self.args, options, bool(numbers))
        call = self.call
        if isinstance(call, str):
            return lambda point: getattr(fn, call)(point, **arguments, **numbers)
        return lambda point: call(fn, point, **arguments, **numbers)

    def batch(self, fn: Function, options: Options) -> Any:
        """The --points kernel (float64: its options read as numbers)."""
        from ..batch import kernels

        assert self.kernel is not None  # every request but graph's and trace's has its batch
        names = self.args if self.kernel_args is None else self.kernel_args
        return getattr(kernels, self.kernel)(fn, **opt.arguments(names, options, False))

    def refusal(self, refused: Refusal, matrix: str) -> UsageError:
        fields = {"flag": self.flag, "product": self.product, "sweep": self.sweep,
                  "matrix": matrix}
        return UsageError(refused.message.format(**fields),
                          hint=refused.hint and refused.hint.format(**fields))


def sparse_driver(name: str) -> Callable[..., Any]:
    """The call of :mod:`adcli.sparse.drivers`' ``name``, imported when made."""
    def call(fn: Function, point: Any, **arguments: Any) -> Any:
        from ..sparse import drivers

        return getattr(drivers, name)(fn, point, **arguments)

    return call


class Table(NamedTuple):
    """A command's requests, the last its default, and the matrix it
    computes (for messages)."""

    matrix: str
    rows: tuple[Request, ...]


# --- refusals shared by the rows ----------------------------------------------------

NOT_SPARSE = Refusal(
    "sparse", "{flag} gives one vector ({product}, {sweep} whatever the sparsity): "
    "--sparse does not apply", "drop --sparse for {product}, or drop {flag} for the sparse "
    "{matrix}")


# --out, --jobs, --engine dask and --scheduler go with --points (every command's)
BATCH_ONLY = tuple(Refusal(name, f"--{name.partition('=')[0]} works with --points only",
                           "give the points with --points FILE|DIR|GLOB|-", when="!points")
                   for name in ("out", "jobs", "engine=dask", "scheduler")) + (
    Refusal("scheduler", "--scheduler needs --engine dask", when="!engine=dask"),)

SEED_OR_WRT = Refusal("wrt", "--seed and --wrt do not combine",
                      "--wrt x1 is the seed x1=1 with every other input 0", when="seed")


def _given(options: Options, name: str, numbers: Numbers) -> bool:
    """Whether option ``name`` is given; "!name": it is not; "a|b": either is."""
    if "|" in name:
        return any(_given(options, one, numbers) for one in name.split("|"))
    if name.startswith("!"):
        return not _given(options, name[1:], numbers)
    if name == "numbers":
        return bool(numbers)
    name, is_, value = name.partition("=")  # "mode=forward": given with that value
    return bool(options.get(name) == value) if is_ else options.get(name) not in (None, False, ())


# --- choosing and checking a request --------------------------------------------------

def select(table: Table, options: Options, numbers: Numbers) -> Request:
    """The request ``options`` make: the first row whose option is given;
    else (unless --dense) the row whose view alone has the asked format
    (``mtx``: the sparse one); else the last row."""
    rows = table.rows
    chosen = next((r for r in rows if r.option and _given(options, r.option, numbers)), None)
    fmt = options.get("fmt")
    if chosen is None and fmt and options.get("sparse") is not False:
        chosen = next((r for r in rows if r.density and fmt in formats(r.view)
                       and fmt not in formats(rows[-1].view)), None)
    return chosen or rows[-1]


def check(table: Table, request: Request, options: Options, numbers: Numbers) -> None:
    """The request's refusals, then whether its output has the asked format."""
    for refused in BATCH_ONLY + request.refuses:
        if _given(options, refused.option, numbers) and (
                refused.when is None or _given(options, refused.when, numbers)):
            raise request.refusal(refused, table.matrix)
    check_format(options.get("fmt"), request, options.get("points") is not None, table.matrix)


def check_format(fmt: str | None, request: Request, batch: bool, matrix: str) -> None:
    """The one refusal of a format: what the request gives and what the
    format holds (:data:`~adcli.render.registry.FORMAT_HOLDS`), and the
    formats that hold it.  A format without such a note is refused where it
    is written (the view registry, the batch writer), in their words."""
    holds = FORMAT_HOLDS.get(fmt or "")
    if holds is None:
        return
    offered: Sequence[str]
    flag: str | None
    if batch:
        from ..batch.writer import OUTPUT_FORMATS

        offered, flag, gives = OUTPUT_FORMATS, "--points", "a batch (a row per point)"
    else:
        offered, flag = formats(request.view), request.flag
        gives = f"one vector ({request.product})"
    if fmt in offered or flag is None:
        return
    suggested = [f for f in ("json", "csv", "plain") if f in offered]
    listing = ", ".join(suggested[:-1]) + " or " + suggested[-1] if len(suggested) > 1 \
        else suggested[0]
    raise UsageError(f"{flag} gives {gives}; {holds}",
                     hint=f"use --format {listing} with {flag}, or drop {flag} for the "
                          f"sparse {matrix}")


def prefers_sparse(fn: Function, request: Request, options: Options) -> bool:
    """Whether the pattern of ``fn``'s matrix is sparse enough for the
    sparse form, with the inputs in the order the --at points give them.  A
    point that cannot be read, or lacks a variable, says nothing here: it is
    reported with the others when they are computed."""
    if request.density is None or request.density == "jacobian" and len(fn.outputs) < 2:
        return False  # one gradient row is n numbers either way (and grad starts faster)
    try:
        names = opt.input_order(fn, options.get("at") or (), parse_point_texts)
    except AdcliError:
        return False
    from ..sparse.summary import prefers_sparse as sparse_enough

    return sparse_enough(fn, names, request.density,
                         opt.parse_output(options.get("output")))


# --- running one ----------------------------------------------------------------------

def run(table: Table, options: Options) -> None:
    """Select, check and run the request ``options`` make."""
    points = options.get("points")
    numbers = opt.number_system(options.get("digits"), options.get("exact", False), points)
    request = select(table, options, numbers)
    check(table, request, options, numbers)
    expr, file = options["expr"], options["file"]
    fn = opt.compile_formula(expr, file)
    if points is not None:
        return opt.run_batch(fn, options, request.batch(fn, options), "-" in (expr, file))
    compute = request.compute(fn, options, numbers)
    auto = False
    if request is table.rows[-1] and options.get("sparse") is None:
        sparse = next((r for r in table.rows if r.density), None)
        if sparse is not None and prefers_sparse(fn, sparse, options):
            request, auto = sparse, True
            compute = request.compute(fn, options, numbers)
    results = opt.each_point(fn, options["at"], compute, opt.point_parser(bool(numbers))) \
        if request.pointwise else [compute(None)]
    opt.show(request.view, options["fmt"], results, source=fn.source,
             auto=auto, **{name: options[name] for name in request.shows})
    if options.get("stats") and request.stats is not None:
        request.stats(fn, results[0], options)
    if request.status is not None and (status := request.status(results)):
        click.get_current_context().exit(status)
