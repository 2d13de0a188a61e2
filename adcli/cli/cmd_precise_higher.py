"""``--digits N`` and ``--exact`` for ``hessian``, ``taylor``, ``partial``
and ``trace`` (the engine: :mod:`adcli.modes.precise_higher`).

The commands call these when ``--exact`` is given, or ``--digits N`` with
``--at`` (or N > 17): exactly the rule ``eval`` and ``grad`` follow, so with
``--points`` and N ≤ 17 ``--digits`` still means float64 written to N
digits.  Output formats are the float ones with the numbers written by the
result's context (N significant digits, or fractions), JSON numbers with
every digit; ``text`` is the plain form, as for ``eval``/``grad --digits``.
mpmath is imported only here, when asked for.
"""

from . import options as opt
from .cmd_precise import _no_batch, _point_parser, precision_context


def wants_precision(digits, exact, points):
    """True when the command should run in arbitrary precision or exactly."""
    return exact or digits is not None and (points is None or digits > 17)


def _prepare(expr, file, digits, exact, points, fmt):
    precision_context(digits, exact)  # validates the combination
    _no_batch(points)
    return opt.compile_formula(expr, file), opt.choose_format(fmt)


def _precise_pairs(text, label):
    """``--dir x=1/3,y=2`` as {name: value text}, validated like float mode
    and kept as text to be read at working precision."""
    from ..language.point import parse_point, split_pairs

    names = list(parse_point(text, label=label))
    texts = [piece.partition("=")[2] for piece, _ in split_pairs(text)]
    return dict(zip(names, texts, strict=False))


def render(fmt, results, kind):
    """The whole output for ``results`` (one per point) with the ``kind``
    renderers of :mod:`adcli.render.higher_view`."""
    from ..render import higher_view as V
    from ..render.precise_view import dumps
    from ..render.results import aligned_rows, delimited

    ctx = results[0].context
    to_json = getattr(V, f"{kind}_json")
    if fmt == "json":
        objs = [to_json(r) for r in results]
        return dumps(objs[0] if len(objs) == 1 else objs, ctx)
    if fmt == "jsonl":
        return "\n".join(dumps(to_json(r), ctx) for r in results)
    if fmt in ("csv", "tsv"):
        columns, row = getattr(V, f"{kind}_columns"), getattr(V, f"{kind}_row")
        return delimited(aligned_rows(results, columns, row),
                         "," if fmt == "csv" else "\t")
    plain = getattr(V, f"{kind}_plain")  # text too: N-digit numbers do not fit a table
    return "\n\n".join(plain(r) for r in results)


def _run(fn, at, compute):
    return opt.each_point(fn, at, compute, _point_parser())


def precise_hessian(expr, file, at, wrt, direction, output, fmt, digits, exact, points):
    from ..modes import precise_higher as P

    fn, fmt = _prepare(expr, file, digits, exact, points, fmt)
    wrt = opt.parse_wrt(wrt)
    v = _precise_pairs(direction, "--dir") if direction is not None else None
    results = _run(fn, at, lambda p: P.hessian(fn, p, digits=digits, exact=exact, wrt=wrt,
                                               output=output, direction=v))
    opt.write(render(fmt, results, "hessian"))


def precise_taylor(expr, file, at, order, wrt, direction, fmt, digits, exact, points):
    from ..modes import precise_higher as P

    fn, fmt = _prepare(expr, file, digits, exact, points, fmt)
    names = opt.parse_wrt(wrt)
    v = _precise_pairs(direction, "--dir") if direction is not None else None
    results = _run(fn, at, lambda p: P.taylor(fn, p, order, digits=digits, exact=exact,
                                              direction=v, wrt=names))
    opt.write(render(fmt, results, "taylor"))


def precise_partial(expr, file, at, wrt, fmt, digits, exact, points):
    from ..modes import precise_higher as P

    fn, fmt = _prepare(expr, file, digits, exact, points, fmt)
    names = opt.parse_wrt(wrt)
    results = _run(fn, at, lambda p: P.partial(fn, p, names, digits=digits, exact=exact))
    opt.write(render(fmt, results, "partial"))


def precise_traces(fn, at, digits, exact, **kwargs):
    """One trace per ``--at`` point, its numbers in arbitrary precision or
    exact (the caller renders them)."""
    from ..modes import precise_higher as P

    precision_context(digits, exact)
    return opt.each_point(
        fn, at, lambda point: P.trace(fn, point, digits=digits, exact=exact, **kwargs),
        _point_parser())
