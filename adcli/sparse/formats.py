"""Patterns and sparse matrices as text: plain pairs, JSON coordinates,
Matrix Market, CSV triplets and a terminal spy plot."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import option
from ..numtext import json_number, plain_number
from .drivers import AUTO_DENSITY, SparseMatrix, SparseResult
from .pattern import Pattern


def _kind_label(kind: str) -> str:
    return "Hessian" if kind == "hessian" else "Jacobian"


def pattern_plain(pat: Pattern) -> str:
    """One ``row column`` pair of names per nonzero, row-major."""
    rn, cn = pat.row_names, pat.names
    return "\n".join(f"{rn[r]} {cn[c]}" for r, c in zip(pat.rows, pat.cols))


def coordinates(matrix: SparseMatrix | Pattern, values: bool = True,
                number: Callable[[Any], Any] = json_number) -> dict[str, Any]:
    """The design's coordinate object: rows, cols, values?, shape, names."""
    obj: dict[str, Any] = {"rows": list(matrix.rows), "cols": list(matrix.cols)}
    if values:
        assert isinstance(matrix, SparseMatrix)  # a pattern has no values
        obj["values"] = [number(v) for v in matrix.values]
    obj["shape"] = list(matrix.shape)
    obj["names"] = list(matrix.names)
    return obj


def pattern_json(pat: Pattern, colours: dict[str, int] | None = None) -> dict[str, Any]:
    obj = coordinates(pat, values=False)
    obj["kind"] = pat.kind
    if pat.kind == "jacobian":
        obj["outputs"] = list(pat.row_names)
    obj["nnz"] = pat.nnz
    obj["density"] = pat.density
    if colours is not None:
        obj["colours"] = colours
    return obj


def matrix_market(matrix: SparseMatrix, kind: str, values: bool = True,
                  number: Callable[[Any], str] | None = None) -> str:
    """Matrix Market coordinate format (1-based).  A Hessian is written
    ``symmetric`` (lower triangle only), as the format asks."""
    symmetric = kind == "hessian"
    field = "real" if values else "pattern"
    entries = []
    vals: list[Any] = matrix.values if values else [None] * len(matrix.rows)
    for r, c, v in zip(matrix.rows, matrix.cols, vals):
        if symmetric and c > r:
            continue
        shown = None if v is None else (number or _mtx_number)(v)
        entries.append(f"{r + 1} {c + 1}" + ("" if shown is None else f" {shown}"))
    m, n = matrix.shape
    head = [f"%%MatrixMarket matrix coordinate {field} "
            f"{'symmetric' if symmetric else 'general'}",
            f"% adcli {kind}: columns {' '.join(matrix.names)}"]
    if kind == "jacobian":
        head.append(f"% rows {' '.join(matrix.row_names)}")
    head.append(f"{m} {n} {len(entries)}")
    return "\n".join(head + entries)


def _mtx_number(v: float) -> str:
    return repr(v) if v == v and v not in (float("inf"), float("-inf")) else plain_number(v)


def triplets_csv(matrix: SparseMatrix, sep: str = ",",
                 number: Callable[[Any], str] = plain_number) -> str:
    """``row,col,row_name,col_name,value``: 0-based indices and names."""
    lines = [sep.join(("row", "col", "row_name", "col_name", "value"))]
    rn, cn = matrix.row_names, matrix.names
    for r, c, v in zip(matrix.rows, matrix.cols, matrix.values):
        lines.append(sep.join((str(r), str(c), rn[r], cn[c], number(v))))
    return "\n".join(lines)


def spy(rows: Sequence[int], cols: Sequence[int], shape: tuple[int, ...],
        width: int = 64, height: int = 32) -> str:
    """A small picture of the nonzeros: one character per cell (a block of
    entries when the matrix is larger than the picture): '█' full of
    nonzeros, '▒' partly, '·' none."""
    m, n = shape
    if not m or not n:
        return "(empty)"
    w, h = min(n, width), min(m, height)
    counts = [[0] * w for _ in range(h)]
    for r, c in zip(rows, cols):
        counts[r * h // m][c * w // n] += 1
    lines = []
    for y in range(h):
        cells_y = ((y + 1) * m + h - 1) // h - (y * m + h - 1) // h
        line = []
        for x in range(w):
            cells = cells_y * (((x + 1) * n + w - 1) // w - (x * n + w - 1) // w)
            k = counts[y][x]
            line.append("·" if k == 0 else "█" if k >= cells else "▒")
        lines.append("".join(line))
    return "\n".join(lines)


def pattern_text(pat: Pattern, colours: dict[str, int] | None = None) -> str:
    m, n = pat.shape
    what = f"{_kind_label(pat.kind)} pattern"
    lines = [f"{what}: {m}×{n}, {pat.nnz} nonzero{'s' if pat.nnz != 1 else ''} "
             f"({100 * pat.density:.3g} % dense)"]
    if colours is not None:
        lines.append(colours_line(pat.kind, colours, n if pat.kind == "hessian" else None))
    if m * n > 64 * 32:
        lines.append(f"(one character per block of about {max(1, m // 32)}×{max(1, n // 64)} "
                     "entries: █ all nonzero, ▒ some, · none)")
    lines.append(spy(pat.rows, pat.cols, pat.shape))
    return "\n".join(lines)


def colours_line(kind: str, colours: dict[str, int], dense: int | None = None) -> str:
    """``star colouring: 3 colours → 3 Hessian-vector products instead of 100``."""
    if kind == "hessian":
        return (f"star colouring: {colours['hessian']} colour"
                f"{'s' if colours['hessian'] != 1 else ''} → {colours['hessian']} "
                f"Hessian-vector products instead of {dense}")
    return (f"column colouring: {_sweeps(colours['forward'], 'forward')} instead of "
            f"{colours['inputs']}; row colouring: {_sweeps(colours['reverse'], 'reverse')} "
            f"instead of {colours['outputs']}")


def _sweeps(count: int, kind: str) -> str:
    return f"{count} {kind} sweep{'s' if count != 1 else ''}"


# --- sparse results (grad/hessian --sparse) -----------------------------------------

def sweeps_line(res: SparseResult, auto: bool = False) -> str:
    """How it was computed; ``auto``: the sparse form was chosen by the
    density threshold rather than asked for."""
    m = res.matrix
    what = "Hessian-vector products" if res.kind == "hessian" else (
        "tangent sweeps" if res.mode == "forward" else "adjoint sweeps")
    chosen = (" (sparse output chosen automatically: density below "
              f"{_threshold()})" if auto else "")
    if res.sweeps == 1:
        what = what.replace("products", "product").replace("sweeps", "sweep")
    return (f"{res.method}: {res.sweeps} {what} instead of {res.dense_sweeps}; "
            f"{m.nnz} nonzeros of {m.shape[0]}×{m.shape[1]}{chosen}")


def _threshold() -> str:
    return f"{AUTO_DENSITY:g}"


def _sparse_meta(res: SparseResult, auto: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {"method": res.method, "sweeps": res.sweeps,
                           "dense_sweeps": res.dense_sweeps, "nnz": res.matrix.nnz}
    if auto:
        obj["auto"] = True
        obj["threshold"] = AUTO_DENSITY
    return obj


def result_json(res: SparseResult, auto: bool = False) -> dict[str, Any]:
    j = res.system.json
    if res.kind == "hessian":
        obj = {"value": j(res.values[0]),
               "gradient": {k: j(v) for k, v in (res.gradient or {}).items()},
               "hessian": coordinates(res.matrix, number=j), "output": res.outputs[0]}
    else:
        values = [j(v) for v in res.values]
        obj = {"value": values[0] if len(values) == 1 else values,
               "outputs": list(res.outputs), "jacobian": coordinates(res.matrix, number=j)}
    obj["mode"] = res.mode
    obj["sparse"] = _sparse_meta(res, auto)
    obj.update(res.system.meta())
    obj["point"] = {k: j(v) for k, v in res.point.items()}
    obj["warnings"] = [w.message for w in res.warnings]
    return obj


def result_plain(res: SparseResult) -> str:
    """Values, gradient (Hessian), then one ``label value`` line per nonzero."""
    p = res.system.format
    lines = [f"{name} {p(v)}" for name, v in zip(res.outputs, res.values)]
    m = res.matrix
    if res.kind == "hessian":
        f = res.outputs[0]
        lines += [f"d{f}/d{k} {p(v)}" for k, v in (res.gradient or {}).items()]
        lines += [f"d2{f}/d{m.names[r]}d{m.names[c]} {p(v)}"
                  for r, c, v in zip(m.rows, m.cols, m.values)]
    else:
        lines += [f"d{m.row_names[r]}/d{m.names[c]} {p(v)}"
                  for r, c, v in zip(m.rows, m.cols, m.values)]
    return "\n".join(lines)


def result_text(res: SparseResult, auto: bool = False) -> str:
    """A terminal view: values, the sweeps used against the dense count,
    the spy plot with each column's colour when it is small, the nonzeros."""
    m = res.matrix
    lines = [sweeps_line(res, auto)]
    if m.shape[1] <= 64 and not (res.kind == "jacobian" and res.mode == "reverse"):
        # which compressed sweep each column went into
        lines.append("colour " + "".join(_colour_char(c) for c in res.colours))
    lines.append(spy(m.rows, m.cols, m.shape))
    lines.append(result_plain(res) if m.nnz <= 200 else
                 "\n".join(result_plain(res).splitlines()[:200]) +
                 f"\n… {m.nnz} nonzeros in all ({option('format')} json|mtx|csv for every one)")
    return "\n".join(lines)


def _colour_char(c: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return digits[c] if c < len(digits) else "+"
