"""Sparse results (``grad``/``hessian --sparse``) and sparsity patterns
(``adcli sparsity``) in the view registry.  The text itself is written by
:mod:`adcli.sparse.formats`."""

import functools

from ..errors import UsageError, option
from ..sparse.formats import (
    AUTO_DENSITY,
    matrix_market,
    pattern_json,
    pattern_plain,
    pattern_text,
    result_json,
    result_plain,
    result_text,
    triplets_csv,
)
from .failed import FailedPoint, each_block
from .registry import Note, view
from .results import dumps, json_document, jsonl_document

# --- sparse Jacobians and Hessians: one result per point --------------------------------

# A FailedPoint (one of several --at points that could not be computed) keeps
# its place (adcli.render.failed).  Every format notes a sparse form that was
# chosen for the user (``auto``: by the pattern's density) rather than asked for.

def _says_when_chosen(fmt_view):
    @functools.wraps(fmt_view)
    def written(results, notes=None, auto=False, **options):
        text = fmt_view(results, auto=auto, **options)
        chosen = next((r for r in results if not isinstance(r, FailedPoint)), None)
        if auto and chosen is not None and notes is not None:
            notes.append(Note(f"sparse output (the {chosen.kind}'s density is below "
                              f"{AUTO_DENSITY:.0%}; {option('dense')} for the dense one)"))
        return text
    return written


def _fit_terminal(text):
    """The sentences of a terminal view wrapped at the terminal's width, at
    spaces (a terminal would cut a word in two); the spy plot as it is."""
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    return "\n".join(textwrap.fill(line, width, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False)
                     if len(line) > width and " " in line else line
                     for line in text.splitlines())


@view("sparse", "text")
@_says_when_chosen
def _sparse_text(results, auto=False, **_):
    return _fit_terminal("\n\n".join(each_block(results, lambda r: result_text(r, auto))))


@view("sparse", "plain")
@_says_when_chosen
def _sparse_plain(results, **_):
    return "\n\n".join(each_block(results, result_plain))


@view("sparse", "json")
@_says_when_chosen
def _sparse_json(results, several=False, auto=False, **_):
    return json_document(results, lambda r: result_json(r, auto), several)


@view("sparse", "jsonl")
@_says_when_chosen
def _sparse_jsonl(results, auto=False, **_):
    return jsonl_document(results, lambda r: result_json(r, auto))


@view("sparse", "mtx")
@_says_when_chosen
def _sparse_mtx(results, **_):
    results = [r for r in results if not isinstance(r, FailedPoint)]
    if len(results) > 1:
        raise UsageError("Matrix Market holds one matrix: give one `point`",
                         hint="or use `format` json / csv for several points",
                         params=("point", "format"))
    res = results[0]
    number = None if res.system.name == "float64" else res.system.format
    return matrix_market(res.matrix, res.kind, number=number)


@view("sparse", "csv")
@_says_when_chosen
def _sparse_csv(results, several=False, **_):
    return _triplets(results, ",", several)


@view("sparse", "tsv")
@_says_when_chosen
def _sparse_tsv(results, several=False, **_):
    return _triplets(results, "\t", several)


def _triplets(results, sep, several):
    """row, column, value per nonzero; several points add a ``point`` column
    (and, when one failed, an ``error`` column with its reason)."""
    good = [r for r in results if not isinstance(r, FailedPoint)]
    tables = [triplets_csv(r.matrix, sep, r.system.format).splitlines() for r in good]
    if not several:
        return "\n".join(tables[0])
    width = tables[0][0].count(sep) + 1
    error = f"{sep}error" if len(good) < len(results) else ""
    lines, computed = [f"point{sep}{tables[0][0]}{error}"], iter(tables)
    for k, entry in enumerate(results, 1):
        if isinstance(entry, FailedPoint):
            lines.append(sep.join([str(k)] + [""] * width + [_cell(entry.message, sep)]))
        else:
            lines += [f"{k}{sep}{line}{sep if error else ''}" for line in next(computed)[1:]]
    return "\n".join(lines)


def _cell(text, sep):
    """A CSV/TSV cell holding ``text`` (quoted where it must be)."""
    if sep == "\t":
        return text.replace("\t", " ").replace("\n", " ")
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') \
        else text


# --- patterns: one per formula, with the colour counts ---------------------------------

@view("pattern", "text")
def _pattern_text(patterns, colours=None, **_):
    return _fit_terminal("\n\n".join(pattern_text(p, colours) for p in patterns))


@view("pattern", "plain")
def _pattern_plain(patterns, **_):
    return "\n\n".join(pattern_plain(p) for p in patterns if p.nnz)  # empty: no output


@view("pattern", "json")
def _pattern_json(patterns, colours=None, **_):
    return "\n".join(dumps(pattern_json(p, colours)) for p in patterns)


@view("pattern", "mtx")
def _pattern_mtx(patterns, **_):
    return "\n".join(matrix_market(p, p.kind, values=False) for p in patterns)
