"""Hessians, Taylor coefficients, mixed partials, J·v and uᵀ·J as plain
lines, JSON objects, table rows and (imported only for a terminal) Rich.

Plain labels are ASCII: ``d2f/dx1dx2`` for a Hessian entry, ``c3`` / ``d3``
for the Taylor coefficient / derivative of order 3, ``d3f/dxdxdy`` for a
mixed partial, ``df/dv`` for a directional derivative, ``d(u.f)/dx`` for a
vector-Jacobian product.  Several outputs prefix Taylor labels with the
output's name (``f1.c3``).
"""

from .numbers import json_number, plain_number
from .results import meta, point_views


def _p(x):
    return plain_number(x)


def numbers(r):
    """(plain, json) writers of a result's numbers, from its number system
    (float64 at full round-trip precision, N significant digits, fractions)."""
    return r.system.format, r.system.json


def _jmap(d, j=json_number):
    return {k: j(v) for k, v in d.items()}


def _meta(obj, result):
    return meta(obj, result)


# --- Hessian -----------------------------------------------------------------

def hessian_label(output, a, b):
    return f"d2{output}/d{a}d{b}"


def hessian_plain(r):
    _p = numbers(r)[0]
    f = r.output
    lines = [f"{f} {_p(r.value)}"]
    lines += [f"d{f}/d{v} {_p(g)}" for v, g in r.gradient.items()]
    if r.hessian is not None:
        for a, row in r.hessian.items():
            lines += [f"{hessian_label(f, a, b)} {_p(h)}" for b, h in row.items()]
    else:
        lines += [f"{hessian_label(f, a, 'v')} {_p(h)}" for a, h in r.hvp.items()]
    return "\n".join(lines)


def hessian_json(r):
    json_number = numbers(r)[1]
    obj = {"value": json_number(r.value), "gradient": _jmap(r.gradient, json_number)}
    if r.hessian is not None:
        obj["hessian"] = {a: _jmap(row, json_number) for a, row in r.hessian.items()}
    else:
        obj["direction"] = _jmap(r.direction, json_number)
        obj["hvp"] = _jmap(r.hvp, json_number)
    obj["output"] = r.output
    obj["mode"] = r.mode
    return _meta(obj, r)


def hessian_columns(r):
    f = r.output
    cols = list(r.point) + [f] + [f"d{f}/d{v}" for v in r.gradient]
    if r.hessian is not None:
        cols += [hessian_label(f, a, b) for a, row in r.hessian.items() for b in row]
    else:
        cols += [hessian_label(f, a, "v") for a in r.hvp]
    return cols


def hessian_row(r):
    _p = numbers(r)[0]
    cells = list(r.point.values()) + [r.value] + list(r.gradient.values())
    if r.hessian is not None:
        cells += [h for row in r.hessian.values() for h in row.values()]
    else:
        cells += list(r.hvp.values())
    return [_p(c) for c in cells]


# --- Taylor ------------------------------------------------------------------

def _prefix(r, name):
    return f"{name}." if len(r.outputs) > 1 else ""


def taylor_plain(r):
    _p = numbers(r)[0]
    lines = []
    for name, cs, ds in zip(r.outputs, r.coefficients_of, r.derivatives_of, strict=True):
        pre = _prefix(r, name)
        lines += [f"{pre}c{k} {_p(c)}" for k, c in enumerate(cs)]
        lines += [f"{pre}d{k} {_p(d)}" for k, d in enumerate(ds)]
    return "\n".join(lines)


def taylor_json(r):
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


def taylor_columns(r):
    cols = list(r.point)
    for name in r.outputs:
        pre = _prefix(r, name)
        cols += [f"{pre}c{k}" for k in range(r.order + 1)]
        cols += [f"{pre}d{k}" for k in range(r.order + 1)]
    return cols


def taylor_row(r):
    _p = numbers(r)[0]
    cells = list(r.point.values())
    for cs, ds in zip(r.coefficients_of, r.derivatives_of, strict=True):
        cells += cs + ds
    return [_p(c) for c in cells]


# --- mixed partial -----------------------------------------------------------

def partial_label(output, wrt):
    """``df/dx`` as grad writes it for one variable; ``d2f/dxdy`` beyond."""
    order = str(len(wrt)) if len(wrt) > 1 else ""
    return f"d{order}{output}/" + "".join(f"d{w}" for w in wrt)


def partial_plain(r):
    _p = numbers(r)[0]
    lines = [f"{name} {_p(v)}" for name, v in zip(r.outputs, r.values, strict=True)]
    lines += [f"{partial_label(name, r.wrt)} {_p(d)}"
              for name, d in zip(r.outputs, r.partials, strict=True)]
    return "\n".join(lines)


def partial_json(r):
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


def partial_columns(r):
    return list(r.point) + list(r.outputs) + [partial_label(n, r.wrt) for n in r.outputs]


def partial_row(r):
    _p = numbers(r)[0]
    return [_p(c) for c in list(r.point.values()) + list(r.values) + list(r.partials)]


# --- J·v and uᵀ·J --------------------------------------------------------------

def jvp_plain(r):
    lines = [f"{name} {_p(v)}" for name, v in zip(r.outputs, r.values, strict=True)]
    lines += [f"d{name}/dv {_p(d)}" for name, d in zip(r.outputs, r.derivatives, strict=True)]
    return "\n".join(lines)


def jvp_json(r):
    vs = [json_number(v) for v in r.values]
    ds = [json_number(d) for d in r.derivatives]
    single = len(vs) == 1
    obj = {"value": vs[0] if single else vs, "direction": r.direction,
           "jvp": ds[0] if single else ds}
    if not single:
        obj["outputs"] = list(r.outputs)
    obj["mode"] = r.mode
    return _meta(obj, r)


def jvp_columns(r):
    return list(r.point) + list(r.outputs) + [f"d{n}/dv" for n in r.outputs]


def jvp_row(r):
    return [_p(c) for c in list(r.point.values()) + list(r.values) + list(r.derivatives)]


def vjp_plain(r):
    lines = [f"{name} {_p(v)}" for name, v in zip(r.outputs, r.values, strict=True)]
    lines += [f"d(u.f)/d{v} {_p(g)}" for v, g in r.gradient.items()]
    return "\n".join(lines)


def vjp_json(r):
    vs = [json_number(v) for v in r.values]
    obj = {"value": vs[0] if len(vs) == 1 else vs, "outputs": list(r.outputs),
           "cotangent": r.cotangent, "vjp": _jmap(r.gradient), "mode": r.mode}
    return _meta(obj, r)


def vjp_columns(r):
    return list(r.point) + list(r.outputs) + [f"d(u.f)/d{v}" for v in r.gradient]


def vjp_row(r):
    return [_p(c) for c in list(r.point.values()) + list(r.values) + list(r.gradient.values())]


# --- Rich (terminal) ----------------------------------------------------------

def _title(source, point, extra=""):
    text = " ".join(source.split())
    if len(text) > 60:
        text = text[:57] + "…"
    at = ", ".join(f"{k} = {_p(v)}" for k, v in point.items())
    return f"[bold]{text}[/] at {at}" + (f"  [dim]({extra})[/]" if extra else "")


def hessian_rich(source, r):
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
        hv = Table(title=f"H·v, v = ({', '.join(_p(x) for x in r.direction.values())})",
                   title_justify="left")
        hv.add_column("", style="bold cyan")
        hv.add_column("(H·v)", justify="right")
        for v in names:
            hv.add_row(v, _p(r.hvp[v]))
        return Group(head, hv)
    mat = Table(title=f"Hessian ∂²{f}/∂row∂column", title_justify="left")
    mat.add_column("", style="bold cyan")
    for v in names:
        mat.add_column(v, justify="right", header_style="bold cyan")
    for a in names:
        mat.add_row(a, *[_p(r.hessian[a][b]) for b in names])
    return Group(head, mat)


def taylor_rich(source, r):
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


def _simple_rich(source, r, labels, values, extra):
    from rich.table import Table

    table = Table(title=_title(source, r.point, extra), title_justify="left")
    table.add_column("", style="bold cyan")
    table.add_column("value", justify="right")
    for label, v in zip(labels, values, strict=True):
        table.add_row(label, _p(v))
    return table


def partial_rich(source, r):
    m = len(r.wrt)
    labels = list(r.outputs) + [f"∂{'' if m == 1 else _sup(m)}{n}/" + "".join(
        f"∂{w}" for w in r.wrt) for n in r.outputs]
    return _simple_rich(source, r, labels, list(r.values) + list(r.partials),
                        f"{r.sweeps} Taylor sweep{'s' if r.sweeps != 1 else ''}")


def jvp_rich(source, r):
    v = ", ".join(f"{k}={_p(x)}" for k, x in r.direction.items() if x)
    labels = list(r.outputs) + [f"∂{n}/∂v" for n in r.outputs]
    return _simple_rich(source, r, labels, list(r.values) + list(r.derivatives),
                        f"J·v, v: {v or '0'}; forward mode")


def vjp_rich(source, r):
    u = ", ".join(f"{k}={_p(x)}" for k, x in r.cotangent.items())
    labels = list(r.outputs) + [f"∂(u·f)/∂{v}" for v in r.gradient]
    return _simple_rich(source, r, labels, list(r.values) + list(r.gradient.values()),
                        f"uᵀ·J, u: {u}; reverse mode")


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(n):
    return str(n).translate(_SUP)


def show(renderables):
    from rich.console import Console

    from .rich_view import print_fitting

    out = Console(highlight=False)
    for r in renderables:
        for part in getattr(r, "renderables", [r]):  # a Group: each table fits on its own
            print_fitting(out, part)


# --- the registered views (adcli.render.registry) ----------------------------------

for _kind, (_plain, _json, _columns, _row, _rich) in {
    "hessian": (hessian_plain, hessian_json, hessian_columns, hessian_row, hessian_rich),
    "taylor": (taylor_plain, taylor_json, taylor_columns, taylor_row, taylor_rich),
    "partial": (partial_plain, partial_json, partial_columns, partial_row, partial_rich),
    "jvp": (jvp_plain, jvp_json, jvp_columns, jvp_row, jvp_rich),
    "vjp": (vjp_plain, vjp_json, vjp_columns, vjp_row, vjp_rich),
}.items():
    point_views(_kind, plain=_plain, to_json=_json, columns=_columns, row=_row, table=_rich,
                show=show)
