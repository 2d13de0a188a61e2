"""Values and derivatives computed with ``--digits N`` or ``--exact``.

Numbers are text made by the result's context (``Context.format``): N
significant digits, or fractions like ``7/3``.  In JSON a decimal is a JSON
number written with all its digits (valid JSON; a reader that wants them all
must not parse it into a float), a fraction is a string ``"7/3"``, and inf,
-inf, nan are strings as everywhere in adcli.  On a terminal (``text``) the
numbers are far too long for a table, so ``text`` is the plain form.
"""

import json

from .results import aligned_rows, delimited, derivative_label


def number(ctx, x):
    return ctx.format(x)


def _json_text(ctx, x):
    text = ctx.format(x)
    if ctx.is_exact and "/" in text:
        return json.dumps(text)
    if text in ("inf", "-inf", "nan"):
        return json.dumps(text)
    return text


def dumps(obj, ctx):
    """``json.dumps`` where the values wrapped by :class:`Raw` are written
    as their own JSON text (numbers with every digit)."""
    raws = []

    def default(o):
        if isinstance(o, Raw):
            raws.append(_json_text(ctx, o.value))
            return f"\x00{len(raws) - 1}\x00"
        raise TypeError(type(o).__name__)

    text = json.dumps(obj, ensure_ascii=False, default=default)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00{i}\x00"), raw, 1)
    return text


class Raw:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _meta(result):
    ctx = result.context
    meta = {"exact": True} if ctx.is_exact else {"digits": ctx.digits}
    meta["point"] = {k: Raw(v) for k, v in result.point.items()}
    meta["warnings"] = [w.message for w in result.warnings]
    return meta


def eval_plain(result):
    ctx = result.context
    return "\n".join(f"{name} {number(ctx, v)}" for name, v in zip(result.outputs, result.values,
                                                                   strict=False))


def eval_json(result):
    values = [Raw(v) for v in result.values]
    obj = {"value": values[0] if len(values) == 1 else values}
    if len(values) > 1:
        obj["outputs"] = list(result.outputs)
    obj.update(_meta(result))
    return obj


def eval_columns(result):
    return list(result.point) + list(result.outputs)


def eval_row(result):
    ctx = result.context
    return [number(ctx, v) for v in list(result.point.values()) + list(result.values)]


def grad_plain(result):
    ctx = result.context
    lines = [f"{name} {number(ctx, v)}" for name, v in zip(result.outputs, result.values,
                                                           strict=False)]
    for name, row in zip(result.outputs, result.jacobian, strict=False):
        lines.extend(f"{derivative_label(name, var)} {number(ctx, d)}" for var, d in row.items())
    return "\n".join(lines)


def grad_json(result):
    values = [Raw(v) for v in result.values]
    rows = [{var: Raw(d) for var, d in row.items()} for row in result.jacobian]
    if len(values) == 1:
        obj = {"value": values[0], "gradient": rows[0]}
    else:
        obj = {"value": values, "outputs": list(result.outputs), "jacobian": rows}
    obj["mode"] = result.mode
    obj.update(_meta(result))
    return obj


def grad_columns(result):
    cols = list(result.point) + list(result.outputs)
    for name, row in zip(result.outputs, result.jacobian, strict=False):
        cols.extend(derivative_label(name, var) for var in row)
    return cols


def grad_row(result):
    ctx = result.context
    cells = list(result.point.values()) + list(result.values)
    for row in result.jacobian:
        cells.extend(row.values())
    return [number(ctx, c) for c in cells]


def render(fmt, results, kind):
    """The whole output for a list of results (one per point)."""
    plain, to_json, columns, row = (
        (eval_plain, eval_json, eval_columns, eval_row) if kind == "eval"
        else (grad_plain, grad_json, grad_columns, grad_row))
    ctx = results[0].context
    if fmt in ("json",):
        objs = [to_json(r) for r in results]
        return dumps(objs[0] if len(objs) == 1 else objs, ctx)
    if fmt == "jsonl":
        return "\n".join(dumps(to_json(r), ctx) for r in results)
    if fmt in ("csv", "tsv"):
        return delimited(aligned_rows(results, columns, row),
                         "," if fmt == "csv" else "\t")
    return "\n\n".join(plain(r) for r in results)
