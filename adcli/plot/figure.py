"""Figures with matplotlib (the optional extra ``adcli[plot]``).

One variable: f and its derivatives in stacked panels sharing the x-axis,
each with its own robust y-range.  Two variables: a heat map of f with
contour lines and the gradient field as arrows.  The same honesty rules as
the terminal plot (:mod:`adcli.plot.terminal`): gaps where f is undefined
(shaded), no line across a pole (the polyline is cut where both neighbours
are outside the panel), clipping said on the panel, kinks marked.

Only :class:`matplotlib.figure.Figure` is used, never pyplot, so nothing
depends on a display or a GUI backend.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..arguments import FunctionLike, whole_number
from ..arguments import output_index as _output_index
from ..errors import UsageError
from ..language.point import parse_point
from .sampling import Curves, Field, LineSampler, Span, bind, parse_over, sample_field
from .terminal import Panel, gap_runs, robust_range, segments_to_break

if TYPE_CHECKING:  # matplotlib is an optional extra, loaded on demand
    from matplotlib.figure import Figure

# the terminal's colours, as matplotlib sees them (tab10 order, readable on white)
CURVE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
DPI = 100


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("figures need matplotlib, which is not installed",
                         hint="pip install 'adcli[plot]' (or pip install matplotlib); "
                              "without `out` adcli plots in the terminal",
                         params=("out",)) from None


def _new_figure(size):
    from matplotlib.figure import Figure

    w, h = size
    return Figure(figsize=(w / DPI, h / DPI), dpi=DPI, layout="constrained")


def _cut(xs, ys, lo, hi, breaks):
    """xs, ys with a nan inserted after every segment not to draw, so that
    matplotlib's polyline stops there (across a pole, at a kink)."""
    cut = segments_to_break(ys, lo, hi, breaks)
    where = np.flatnonzero(cut) + 1
    return np.insert(xs, where, np.nan), np.insert(ys, where, np.nan)


def curves_figure(curves: Curves, size: tuple[int, int] = (900, 600),
                  title: str | None = None) -> Figure:
    """Stacked panels: f, f′, … (a :class:`~adcli.plot.sampling.Curves`)."""
    fig = _new_figure(size)
    n = len(curves.ys)
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    xs = curves.xs
    gaps = gap_runs(xs, curves.ys[0])
    jumps = curves.jumps or [None] * n
    for k, (ax, label, ys) in enumerate(zip(axes, curves.labels, curves.ys)):
        panel = Panel(label, ys, k, curves.kinks, jumps[k], xs)
        colour = CURVE_COLOURS[k % len(CURVE_COLOURS)]
        px, py = _cut(xs, ys, panel.lo, panel.hi, panel.breaks)
        ax.plot(px, py, color=colour, lw=1.6)
        ax.set_ylim(panel.lo, panel.hi)
        ax.set_xlim(xs[0], xs[-1])
        ax.axhline(0, color="0.55", lw=0.8, zorder=0)
        ax.set_ylabel(label, color=colour, rotation=0, ha="right", va="center", fontsize=12)
        ax.grid(True, color="0.92", lw=0.6)
        for a, b in gaps:
            ax.axvspan(a, b, color="0.85", alpha=0.5, lw=0, zorder=0)
        notes = []
        if k == 0 and gaps:
            notes.append("shaded: undefined")
        if panel.clipped:
            notes.append(panel.clipped)
        for i, kink in enumerate(panel.kinks):
            ax.axvline(kink.x, color="#e4572e", lw=1.0, ls=(0, (2, 2)),
                       label="kink: no derivative" if i == 0 else None)
        if panel.kinks and k >= 1:
            ax.legend(loc="upper left", fontsize=8, frameon=False)
        if notes:
            ax.set_title("; ".join(notes), loc="right", fontsize=8, color="0.35", pad=3)
    axes[-1].set_xlabel(curves.var)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def field_figure(field: Field, size: tuple[int, int] = (900, 700), title: str | None = None,
                 arrows: int = 21) -> Figure:
    """Heat map and contours of f, with ∇f as arrows (a :class:`Field`)."""
    from matplotlib.colors import Normalize

    fig = _new_figure(size)
    ax = fig.subplots()
    f = np.ma.masked_invalid(field.f)
    lo, hi, clipped = robust_range(field.f.ravel())
    extent = (field.xs[0], field.xs[-1], field.ys[0], field.ys[-1])
    cmap = _cmap()
    image = ax.imshow(f, origin="lower", extent=extent, aspect="auto", cmap=cmap,
                      norm=Normalize(lo, hi), interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, extend=_extend(field.f, lo, hi), shrink=0.9)
    bar.set_label("f" + (f" ({clipped})" if clipped else ""))
    finite = np.isfinite(field.f)
    if finite.sum() > 4 and hi > lo:
        levels = np.linspace(lo, hi, 12)[1:-1]
        ax.contour(field.xs, field.ys, np.ma.masked_invalid(np.clip(field.f, lo, hi)),
                   levels=levels, colors="white", linewidths=0.6, alpha=0.7)
    X, Y, U, V = _arrow_grid(field, arrows)
    if X.size:
        ax.quiver(X, Y, U, V, angles="xy", scale_units="xy", scale=1.0, color="black",
                  width=0.0025, headwidth=4, pivot="mid")
    ax.set_xlabel(field.names[0])
    ax.set_ylabel(field.names[1])
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    if not finite.all():
        ax.set_facecolor("0.85")
    if title:
        fig.suptitle(title, fontsize=11)
    ax.set_title("arrows: ∇f (uphill), length ∝ |∇f| up to its 95th percentile"
                 + ("; grey: undefined" if not finite.all() else ""),
                 loc="right", fontsize=8, color="0.35", pad=3)
    return fig


def _cmap():
    from matplotlib import colormaps

    return colormaps["viridis"]


def _extend(values, lo, hi):
    v = values[np.isfinite(values)]
    below, above = bool((v < lo).any()), bool((v > hi).any())
    return {(True, True): "both", (True, False): "min", (False, True): "max"}.get(
        (below, above), "neither")


def _arrow_grid(field, count):
    """Arrows on a coarse subgrid: ∇f scaled so the 95th-percentile length
    spans 0.9 of a cell (longer ones are capped there, not hidden)."""
    ny, nx = field.f.shape
    def centres(n):  # inside the frame, so no arrow is cut in half by it
        k = min(count, n)
        return np.unique(((np.arange(k) + 0.5) / k * (n - 1)).round().astype(int))

    iy, ix = centres(ny), centres(nx)
    X, Y = np.meshgrid(field.xs[ix], field.ys[iy])
    U, V = field.fx[np.ix_(iy, ix)], field.fy[np.ix_(iy, ix)]
    ok = np.isfinite(U) & np.isfinite(V) & np.isfinite(field.f[np.ix_(iy, ix)])
    X, Y, U, V = X[ok], Y[ok], U[ok], V[ok]
    if not X.size:
        return X, Y, U, V
    length = np.hypot(U, V)
    cap = np.percentile(length, 95) if length.size > 1 else length.max()
    if cap <= 0:
        return X[:0], Y[:0], U[:0], V[:0]
    cell = min((field.xs[-1] - field.xs[0]) / max(len(ix) - 1, 1),
               (field.ys[-1] - field.ys[0]) / max(len(iy) - 1, 1))
    factor = 0.9 * cell / cap
    shrink = np.minimum(1.0, cap / np.where(length > 0, length, 1.0))
    return X, Y, U * factor * shrink, V * factor * shrink


def save(fig: Figure, path: str, size: tuple[int, int], fmt: str) -> None:
    """Write the figure as ``fmt`` (png or svg: the view registry's figure
    views), of exactly ``size`` pixels; the file appears only when complete."""
    suffix = f".{fmt}"
    tmp = f"{path}.part{os.getpid()}{suffix}"
    try:
        # no date in the file: the same plot gives the same bytes
        metadata = {"Date": None} if suffix == ".svg" else {}
        fig.savefig(tmp, dpi=DPI, format=suffix[1:], metadata=metadata)
        if suffix == ".svg":
            _svg_size_in_pixels(tmp, size)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OSError(exc.errno, f"{path}: {exc.strerror or exc}") from None


ONE_VAR_SAMPLES = 4001  # odd: a symmetric range has its middle on the grid
GRID_SAMPLES = 241
# The command line's bounds (plot --order, --samples), kept by Function.plot too
MAX_ORDER, MAX_SAMPLES, MAX_GRID_SAMPLES = 12, 20_000_000, 2000
# A figure's side in pixels: 10,000 x 10,000 is a 400 MB raster.  Beyond it
# Agg ran out of memory (an internal error, after swapping a shared machine)
MAX_PIXELS = 10_000


def checked_size(size: object) -> tuple[int, int] | None:
    """``size`` as (width, height) pixels, each from 1 to MAX_PIXELS."""
    if size is None:
        return None
    if (isinstance(size, str) or not isinstance(size, Sequence) or len(size) != 2
            or any(isinstance(n, bool) or not isinstance(n, numbers.Integral) for n in size)):
        raise UsageError(f"`size` is (width, height) in pixels, not {size!r}", params=("size",))
    width, height = (int(n) for n in size)
    if not (1 <= width <= MAX_PIXELS and 1 <= height <= MAX_PIXELS):
        raise UsageError(f"a figure of {width}×{height} pixels is too large to draw",
                         hint=f"`size` takes at most {MAX_PIXELS} pixels a side",
                         params=("size",))
    return width, height


def build_figure(fn: FunctionLike, spans: Sequence[Span], fixed: dict[str, float], *,
                 order: int = 1, wrt: str | None = None, samples: int | None = None,
                 size: tuple[int, int] | None = None, output: int = 0,
                 title: str | None = None) -> Figure:
    """The figure of ``fn`` over ``spans`` (one or two :class:`Span`)."""
    size = checked_size(size)
    require_matplotlib()
    if len(spans) == 1:
        curves = LineSampler(fn, spans[0], fixed, order, wrt, output).sample(
            samples or ONE_VAR_SAMPLES)
        return curves_figure(curves, size or (900, 300 + 150 * order), title)
    n = samples or GRID_SAMPLES
    field = sample_field(fn, spans, fixed, n, n, output)
    return field_figure(field, size or (900, 700), title)


def figure(fn: FunctionLike, over: str | Mapping[str, tuple[float, float]], *, order: int = 1,
           at: str | Mapping[str, float] | None = None, wrt: str | None = None,
           samples: int | None = None, size: tuple[int, int] | None = None,
           output: int | str | None = None, title: str | None = None) -> Figure:
    """:meth:`adcli.Function.plot`: ``over`` as text or {name: (from, to)},
    ``at`` as text or {name: value}; the title is the formula's by default."""
    if isinstance(over, str):
        spans = parse_over(over)
    else:
        spans = [Span(name, float(a), float(b)) for name, (a, b) in dict(over).items()]
        for s in spans:
            if not s.lo < s.hi:
                raise UsageError(f"the range of {s.name} is empty: {s.lo} is not below {s.hi}")
        if not 1 <= len(spans) <= 2:
            raise UsageError("a plot sweeps one or two variables")
    if isinstance(at, str):
        fixed = parse_point(at, "at")
    else:
        fixed = {k: float(v) for k, v in (at or {}).items()}
    bind(fn, spans, fixed, wrt)
    order = whole_number(order, "order", 0, MAX_ORDER)
    if len(spans) == 2 and order != 1:
        raise UsageError("order applies to one-variable plots")
    if samples is not None:
        top = MAX_SAMPLES if len(spans) == 1 else MAX_GRID_SAMPLES  # a grid is N×N
        samples = whole_number(samples, "samples", 2, top)
    return build_figure(fn, spans, fixed, order=order, wrt=wrt, samples=samples, size=size,
                        output=_output_index(fn, output),
                        title=title or " ".join(fn.source.split()))


def _svg_size_in_pixels(path, size):
    """matplotlib sizes an SVG in points (72 per inch); say the pixels asked
    for instead (the viewBox keeps the drawing's own coordinates)."""
    import re

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    head_end = text.index(">", text.index("<svg"))
    head = re.sub(r'\bwidth="[^"]*"', f'width="{size[0]}px"', text[:head_end], count=1)
    head = re.sub(r'\bheight="[^"]*"', f'height="{size[1]}px"', head, count=1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head + text[head_end:])
