"""Hessians, Taylor coefficients, mixed partials, J·v and uᵀ·J as plain
lines, JSON objects, table rows and (imported only for a terminal) Rich.

Plain labels are ASCII: ``d2f/dx1dx2`` for a Hessian entry, ``c3`` / ``d3``
for the Taylor coefficient / derivative of order 3, ``d3f/dxdxdy`` for a
mixed partial, ``df/dv`` for a directional derivative, ``d(u.f)/dx`` for a
vector-Jacobian product.  Several outputs prefix Taylor labels with the
output's name (``f1.c3``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .numbers import json_number, plain_number
from .results import meta, point_views
from .rich_view import print_fitting

if TYPE_CHECKING:
    from rich.console import Group, RenderableType
    from rich.table import Table

    from ..results import Cotangent, Directional, Hessian, Partial, Taylor
    from .results import Result


def _p(x: Any) -> str:
    return plain_number(x)


def numbers(r: Result) -> tuple[Callable[[Any], str], Callable[[Any], Any]]:
    """(plain, json) writers of a result's numbers, from its number system
    (float64 at full round-trip precision, N significant digits, fractions)."""
    return r.system.format, r.system.json


def _jmap(d: Mapping[str, Any], j: Callable[[Any], Any] = json_number) -> dict[str, Any]:
    return {k: j(v) for k, v in d.items()}


def _meta(obj: dict[str, Any], result: Result) -> dict[str, Any]:
    return meta(obj, result)


# --- Hessian -----------------------------------------------------------------

def _product(r: Hessian) -> tuple[dict[str, Any], dict[str, Any]]:
    """(v, H·v) of a Hessian asked for along a direction (it has no matrix)."""
    assert r.direction is not None and r.hvp is not None, "a Hessian has a matrix or H·v"
    return r.direction, r.hvp


def hessian_label(output: str, a: str, b: str) -> str:
    return f"d2{output}/d{a}d{b}"


def hessian_plain(r: Hessian) -> str:
    _p = numbers(r)[0]
    f = r.output
    lines = [f"{f} {_p(r.value)}"]
    lines += [f"d{f}/d{v} {_p(g)}" for v, g in r.gradient.items()]
    if r.hessian is not None:
        for a, row in r.hessian.items():
            lines += [f"{hessian_label(f, a, b)} {_p(h)}" for b, h in row.items()]
    else:
        lines += [f"{hessian_label(f, a, 'v')} {_p(h)}" for a, h in _product(r)[1].items()]
    return "\n".join(lines)


def hessian_json(r: Hessian) -> dict[str, Any]:
    json_number = numbers(r)[1]
    obj = {"value": json_number(r.value), "gradient": _jmap(r.gradient, json_number)}
    if r.hessian is not None:
        obj["hessian"] = {a: _jmap(row, json_number) for a, row in r.hessian.items()}
    else:
        direction, hvp = _product(r)
        obj["direction"] = _jmap(direction, json_number)
        obj["hvp"] = _jmap(hvp, json_number)
    obj["output"] = r.output
    obj["mode"] = r.mode
    return _meta(obj, r)


def hessian_columns(r: Hessian) -> list[str]:
    f = r.output
    cols = list(r.point) + [f] + [f"d{f}/d{v}" for v in r.gradient]
    if r.hessian is not None:
        cols += [hessian_label(f, a, b) for a, row in r.hessian.items() for b in row]
    else:
        cols += [hessian_label(f, a, "v") for a in _product(r)[1]]
    return cols


def hessian_row(r: Hessian) -> list[str]:
    _p = numbers(r)[0]
    cells = list(r.point.values()) + [r.value] + list(r.gradient.values())
    if r.hessian is not None:
        cells += [h for row in r.hessian.values() for h in row.values()]
    else:
        cells += list(_product(r)[1].values())
    return [_p(c) for c in cells]


# --- Taylor ------------------------------------------------------------------

def _prefix(r: Taylor, name: str) -> str:
    return f"{name}." if len(r.outputs) > 1 else ""


def taylor_plain(r: Taylor) -> str:
    _p = numbers(r)[0]
    lines = []
    for name, cs, ds in zip(r.outputs, r.coefficients_of, r.derivatives_of, strict=True):
        pre = _prefix(r, name)
        lines += [f"{pre}c{k} {_p(c)}" for k, c in enumerate(cs)]
        lines += [f"{pre}d{k} {_p(d)}" for k, d in enumerate(ds)]
    return "\n".join(lines)


def taylor_json(r: Taylor) -> dict[str, Any]:
    json_number = numbers(r)[1]
    cs = [[json_number(c) for c in row] for row in r.coefficients_of]
    ds = [[json_number(d) for d in row] for row in r.derivatives_of]
    vs = [json_number(v) for v in r.values]
    if len(cs) == 1:
        obj = {"value": vs[0], "coefficients": cs[0], "derivatives": ds[0]}
    else:
        obj = {"value": vs, "outputs": list(r.outputs), "coefficients": cs, "derivatives": ds}
    obj["order"] = r.order
    obj["direction"] = _jmap(r.direction, json_number)
    return _meta(obj, r)


def taylor_columns(r: Taylor) -> list[str]:
    cols = list(r.point)
    for name in r.outputs:
        pre = _prefix(r, name)
        cols += [f"{pre}c{k}" for k in range(r.order + 1)]
        cols += [f"{pre}d{k}" for k in range(r.order + 1)]
    return cols


def taylor_row(r: Taylor) -> list[str]:
    _p = numbers(r)[0]
    cells = list(r.point.values())
    for cs, ds in zip(r.coefficients_of, r.derivatives_of, strict=True):
        cells += cs + ds
    return [_p(c) for c in cells]


# --- mixed partial -----------------------------------------------------------

def partial_label(output: str, wrt: Sequence[str]) -> str:
    """``df/dx`` as grad writes it for one variable; ``d2f/dxdy`` beyond."""
    order = str(len(wrt)) if len(wrt) > 1 else ""
    return f"d{order}{output}/" + "".join(f"d{w}" for w in wrt)


def partial_plain(r: Partial) -> str:
    _p = numbers(r)[0]
    lines = [f"{name} {_p(v)}" for name, v in zip(r.outputs, r.values, strict=True)]
    lines += [f"{partial_label(name, r.wrt)} {_p(d)}"
              for name, d in zip(r.outputs, r.partials, strict=True)]
    return "\n".join(lines)


def partial_json(r: Partial) -> dict[str, Any]:
    json_number = numbers(r)[1]
    vs = [json_number(v) for v in r.values]
    ps = [json_number(p) for p in r.partials]
    single = len(vs) == 1
    obj = {"value": vs[0] if single else vs, "wrt": list(r.wrt),
           "partial": ps[0] if single else ps}
    if not single:
        obj["outputs"] = list(r.outputs)
    obj["sweeps"] = r.sweeps
    return _meta(obj, r)


def partial_columns(r: Partial) -> list[str]:
    return list(r.point) + list(r.outputs) + [partial_label(n, r.wrt) for n in r.outputs]


def partial_row(r: Partial) -> list[str]:
    _p = numbers(r)[0]
    return [_p(c) for c in list(r.point.values()) + list(r.values) + list(r.partials)]


# --- J·v and uᵀ·J --------------------------------------------------------------

def jvp_plain(r: Directional) -> str:
    _p = numbers(r)[0]
    lines = [f"{name} {_p(v)}" for name, v in zip(r.outputs, r.values, strict=True)]
    lines += [f"d{name}/dv {_p(d)}" for name, d in zip(r.outputs, r.derivatives, strict=True)]
    return "\n".join(lines)


def jvp_json(r: Directional) -> dict[str, Any]:
    json_number = numbers(r)[1]
    vs = [json_number(v) for v in r.values]
    ds = [json_number(d) for d in r.derivatives]
    single = len(vs) == 1
    obj = {"value": vs[0] if single else vs, "direction": _jmap(r.direction, json_number),
           "jvp": ds[0] if single else ds}
    if not single:
        obj["outputs"] = list(r.outputs)
    obj["mode"] = r.mode
    return _meta(obj, r)


def jvp_columns(r: Directional) -> list[str]:
    return list(r.point) + list(r.outputs) + [f"d{n}/dv" for n in r.outputs]


def jvp_row(r: Directional) -> list[str]:
    _p = numbers(r)[0]
    return [_p(c) for c in list(r.point.values()) + list(r.values) + list(r.derivatives)]


def vjp_plain(r: Cotangent) -> str:
    _p = numbers(r)[0]
    lines = [f"{name} {_p(v)}" for name, v in zip(r.outputs, r.values, strict=True)]
    lines += [f"d(u.f)/d{v} {_p(g)}" for v, g in r.gradient.items()]
    return "\n".join(lines)


def vjp_json(r: Cotangent) -> dict[str, Any]:
    json_number = numbers(r)[1]
    vs = [json_number(v) for v in r.values]
    obj = {"value": vs[0] if len(vs) == 1 else vs, "outputs": list(r.outputs),
           "cotangent": _jmap(r.cotangent, json_number), "vjp": _jmap(r.gradient, json_number),
           "mode": r.mode}
    return _meta(obj, r)


def vjp_columns(r: Cotangent) -> list[str]:
    return list(r.point) + list(r.outputs) + [f"d(u.f)/d{v}" for v in r.gradient]


def vjp_row(r: Cotangent) -> list[str]:
    _p = numbers(r)[0]
    return [_p(c) for c in list(r.point.values()) + list(r.values) + list(r.gradient.values())]


# --- Rich (terminal) ----------------------------------------------------------

def _title(source: str, point: Mapping[str, Any], extra: str = "") -> str:
    text = " ".join(source.split())
    if len(text) > 60:
        text = text[:57] + "…"
    at = ", ".join(f"{k} = {_p(v)}" for k, v in point.items())
    return f"[bold]{text}[/] at {at}" + (f"  [dim]({extra})[/]" if extra else "")


def hessian_rich(source: str, r: Hessian) -> Group:
    from rich.console import Group
    from rich.table import Table

    f = r.output
    names = list(r.gradient)
    head = Table(title=_title(source, r.point, r.mode), title_justify="left")
    head.add_column("", style="bold cyan")
    head.add_column("value", justify="right")
    for v in names:
        head.add_column(f"∂{f}/∂{v}", justify="right")
    head.add_row(f, _p(r.value), *[_p(r.gradient[v]) for v in names])
    if r.hessian is None:
        direction, hvp = _product(r)
        hv = Table(title=f"H·v, v = ({', '.join(_p(x) for x in direction.values())})",
                   title_justify="left")
        hv.add_column("", style="bold cyan")
        hv.add_column("(H·v)", justify="right")
        for v in names:
            hv.add_row(v, _p(hvp[v]))
        return Group(head, hv)
    mat = Table(title=f"Hessian ∂²{f}/∂row∂column", title_justify="left")
    mat.add_column("", style="bold cyan")
    for v in names:
        mat.add_column(v, justify="right", header_style="bold cyan")
    for a in names:
        mat.add_row(a, *[_p(r.hessian[a][b]) for b in names])
    return Group(head, mat)


def taylor_rich(source: str, r: Taylor) -> Table:
    from rich.table import Table

    direction = ", ".join(f"{k}={_p(v)}" for k, v in r.direction.items() if v)
    table = Table(title=_title(source, r.point, f"along {direction or 'no direction'}"),
                  title_justify="left")
    table.add_column("k", justify="right", style="bold cyan")
    multi = len(r.outputs) > 1
    for name in r.outputs:
        pre = f"{name}: " if multi else ""
        table.add_column(f"{pre}c_k", justify="right")
        table.add_column(f"{pre}dᵏ{name}/dtᵏ", justify="right")
    for k in range(r.order + 1):
        cells = []
        for cs, ds in zip(r.coefficients_of, r.derivatives_of, strict=True):
            cells += [_p(cs[k]), _p(ds[k])]
        table.add_row(str(k), *cells)
    return table


def _simple_rich(source: str, r: Partial | Directional | Cotangent, labels: list[str],
                 values: list[Any], extra: str) -> Table:
    from rich.table import Table

    table = Table(title=_title(source, r.point, extra), title_justify="left")
    table.add_column("", style="bold cyan")
    table.add_column("value", justify="right")
    for label, v in zip(labels, values, strict=True):
        table.add_row(label, _p(v))
    return table


def partial_rich(source: str, r: Partial) -> Table:
    m = len(r.wrt)
    labels = list(r.outputs) + [f"∂{'' if m == 1 else _sup(m)}{n}/" + "".join(
        f"∂{w}" for w in r.wrt) for n in r.outputs]
    return _simple_rich(source, r, labels, list(r.values) + list(r.partials),
                        f"{r.sweeps} Taylor sweep{'s' if r.sweeps != 1 else ''}")


def jvp_rich(source: str, r: Directional) -> Table:
    _p = numbers(r)[0]
    v = ", ".join(f"{k}={_p(x)}" for k, x in r.direction.items() if x)
    labels = list(r.outputs) + [f"∂{n}/∂v" for n in r.outputs]
    return _simple_rich(source, r, labels, list(r.values) + list(r.derivatives),
                        f"J·v, v: {v or '0'}; forward mode")


def vjp_rich(source: str, r: Cotangent) -> Table:
    _p = numbers(r)[0]
    u = ", ".join(f"{k}={_p(x)}" for k, x in r.cotangent.items())
    labels = list(r.outputs) + [f"∂(u·f)/∂{v}" for v in r.gradient]
    return _simple_rich(source, r, labels, list(r.values) + list(r.gradient.values()),
                        f"uᵀ·J, u: {u}; reverse mode")


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(n: int) -> str:
    return str(n).translate(_SUP)


def show(renderables: Iterable[RenderableType]) -> None:
    from rich.console import Console

    out = Console(highlight=False)
    for r in renderables:
        for part in getattr(r, "renderables", [r]):  # a Group: each table fits on its own
            print_fitting(out, part)


# --- the registered views (adcli.render.registry) ----------------------------------

point_views("hessian", plain=hessian_plain, to_json=hessian_json, columns=hessian_columns,
            row=hessian_row, table=hessian_rich, show=show)
point_views("taylor", plain=taylor_plain, to_json=taylor_json, columns=taylor_columns,
            row=taylor_row, table=taylor_rich, show=show)
point_views("partial", plain=partial_plain, to_json=partial_json, columns=partial_columns,
            row=partial_row, table=partial_rich, show=show)
point_views("jvp", plain=jvp_plain, to_json=jvp_json, columns=jvp_columns, row=jvp_row,
            table=jvp_rich, show=show)
point_views("vjp", plain=vjp_plain, to_json=vjp_json, columns=vjp_columns, row=vjp_row,
            table=vjp_rich, show=show)
