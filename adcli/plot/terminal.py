"""Plots drawn with text: braille dots (2×4 per character cell) for curves,
half blocks for heat maps.  No dependency beyond NumPy.

Honesty rules, applied before anything is drawn:

* a sample where f is undefined (nan) is a gap: no dot, and no line to it;
* the y-range of each panel comes from percentiles, so a pole (``tan``,
  ``1/x``) does not flatten the rest; values beyond it are clipped, and the
  panel says so;
* two neighbouring samples are joined only if at least one of them is inside
  the panel: across a pole both are far outside, so no false vertical
  connector is drawn;
* the derivative curves are not joined across a kink the engine reports
  (``abs`` at 0), and the kink is marked with ``┆``.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, TextIO

import numpy as np

if TYPE_CHECKING:  # sampling loads the engine; the types only
    from .sampling import Curves, Field, Kink

# bright ANSI colours, one per curve; they read on dark and light backgrounds
CURVE_COLOURS = ("96", "95", "93", "92", "94", "91")
KINK_COLOUR = "91"
AXIS_COLOUR = "2"
BRAILLE_BASE = 0x2800
# bit of each dot in a braille cell, by (row from the top, column)
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])


def use_colour(stream: TextIO, choice: str = "auto") -> bool:
    """Colour only on a terminal, never with NO_COLOR set (no-color.org) or
    TERM=dumb, unless asked with --color always."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, code: str | None, colour: bool) -> str:
    if not colour or not code or not text:
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


# --- numbers on axes -----------------------------------------------------------

def nice_ticks(lo: float, hi: float, count: int) -> tuple[list[float], float]:
    """About ``count`` round values (1, 2, 2.5, 5 × 10ᵏ apart) inside [lo, hi],
    at least two of them."""
    for n in range(max(count, 1), max(count, 1) + 4):
        ticks, step = _ticks(lo, hi, n)
        if len(ticks) >= 2:
            break
    return ticks, step


def _ticks(lo, hi, count):
    raw = (hi - lo) / count
    mag = 10.0 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(math.log(s / raw)))
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9:
        ticks.append(k * step)
        k += 1
    return ticks, step


def tick_label(value: float, step: float) -> str:
    if value == 0 or abs(value) < step * 1e-9:
        return "0"
    big = max(abs(value), step)
    if big >= 1e5 or step < 1e-4:
        text = f"{value:.3g}"
    else:
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        if decimals and round(step * 10 ** decimals) % 10 == 5 and step * 10 ** decimals < 1:
            decimals += 1
        text = f"{value:.{decimals}f}"
        if step * 10 ** decimals % 1:  # 2.5 × 10ᵏ needs one more digit
            text = f"{value:.{decimals + 1}f}"
    return text


def short_number(x: float) -> str:
    """A number for notes: 4 significant digits, no trailing zeros."""
    if x == 0:
        return "0"
    text = f"{x:.4g}"
    return text.replace("e+0", "e").replace("e-0", "e-")


# --- y-range -------------------------------------------------------------------

def robust_range(values: np.ndarray) -> tuple[float, float, str]:
    """(lo, hi, clipped): the span of the finite values, but no further than
    1.5 interquantile ranges beyond the 5 % and 95 % quantiles, so a pole's
    huge values do not squash the rest of the curve; ``clipped`` says in
    words what was cut ("" when nothing was)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return -1.0, 1.0, ""
    lo, hi = float(v.min()), float(v.max())
    probe = v if v.size <= 200_000 else v[:: v.size // 100_000]
    q_lo, q_hi = (float(q) for q in np.percentile(probe, [5, 95]))
    spread = q_hi - q_lo
    if spread > 0:
        lo, hi = max(lo, q_lo - 1.5 * spread), min(hi, q_hi + 1.5 * spread)
    below, above = bool((v < lo).any()), bool((v > hi).any())
    if below and above:
        clipped = f"clipped beyond {short_number(lo)}…{short_number(hi)}"
    elif below or above:
        clipped = f"clipped {'below' if below else 'above'} {short_number(lo if below else hi)}"
    else:
        clipped = ""
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300):
        half = max(abs(lo) * 0.1, 1.0)
        lo, hi = lo - half, hi + half
    # show the x-axis when it is close to the curve
    if 0 < lo < 0.3 * (hi - lo):
        lo = 0.0
    elif -0.3 * (hi - lo) < hi < 0:
        hi = 0.0
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad, clipped


def segments_to_break(ys: np.ndarray, lo: float, hi: float,
                      breaks: np.ndarray | None = None) -> np.ndarray:
    """Per segment (samples i, i+1): True where the polyline must not be
    drawn: an end is undefined, both ends are outside [lo, hi] (across a
    pole they are far outside, on opposite sides), or ``breaks`` says so."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(ys)
        inside = finite & (ys >= lo) & (ys <= hi)
    cut = ~(finite[:-1] & finite[1:] & (inside[:-1] | inside[1:]))
    if breaks is not None:
        cut |= breaks
    return cut


# --- dots ----------------------------------------------------------------------

def rasterise(xs: np.ndarray, ys: np.ndarray, xlim: tuple[float, float],
              ylim: tuple[float, float], cols: int, rows: int,
              breaks: np.ndarray | None = None) -> np.ndarray:
    """Boolean dot grid (rows × cols, row 0 at the bottom) of the polyline
    through (xs, ys), where segment i joins samples i and i+1 unless
    ``breaks[i]``; a segment is drawn only if one end is inside ``ylim``."""
    x0, x1 = xlim
    y0, y1 = ylim
    with np.errstate(all="ignore"):
        u = (xs - x0) / (x1 - x0) * cols
        v = (ys - y0) / (y1 - y0) * rows
    finite = np.isfinite(v)
    inside = finite & (v >= 0) & (v <= rows)
    seg = ~segments_to_break(ys, y0, y1, breaks)
    col = np.clip(np.floor(u), 0, cols - 1).astype(np.int64)
    starts = np.zeros((rows + 1, cols), dtype=np.int64)

    def add(c, lo, hi):
        """Mark dot rows lo … hi (floats, clipped to the panel) in columns c."""
        keep = (hi >= 0) & (lo <= rows)
        c, lo, hi = c[keep], lo[keep], hi[keep]
        r0 = np.clip(np.floor(lo), 0, rows - 1).astype(np.int64)
        r1 = np.clip(np.floor(hi), 0, rows - 1).astype(np.int64)
        size = (rows + 1) * cols  # np.bincount: ten times np.add.at's speed
        starts[:] += np.bincount(r0 * cols + c, minlength=size).reshape(rows + 1, cols)
        starts[:] -= np.bincount((r1 + 1) * cols + c, minlength=size).reshape(rows + 1, cols)

    # lone samples inside the panel
    add(col[inside], v[inside], v[inside])
    idx = np.flatnonzero(seg)
    same = col[idx] == col[idx + 1]
    a, b = idx[same], idx[same] + 1
    add(col[a], np.minimum(v[a], v[b]), np.maximum(v[a], v[b]))
    # segments that cross column boundaries (at most one per boundary when
    # samples are dense): split them per column
    pieces_c, pieces_lo, pieces_hi = [], [], []
    for i in idx[~same]:
        ua, ub, va, vb = u[i], u[i + 1], v[i], v[i + 1]
        for c in range(col[i], col[i + 1] + 1):
            s0, s1 = max(ua, c), min(ub, c + 1)
            t0, t1 = (s0 - ua) / (ub - ua), (s1 - ua) / (ub - ua)
            w0, w1 = va + t0 * (vb - va), va + t1 * (vb - va)
            pieces_c.append(c)
            pieces_lo.append(min(w0, w1))
            pieces_hi.append(max(w0, w1))
    if pieces_c:
        add(np.array(pieces_c), np.array(pieces_lo), np.array(pieces_hi))
    return np.cumsum(starts, axis=0)[:rows] > 0


def braille(grid: np.ndarray) -> list[list[int]]:
    """Code points of the braille cells of a dot grid (row 0 at the bottom)
    whose size is a multiple of 4 × 2."""
    rows, cols = grid.shape
    top_down = grid[::-1].reshape(rows // 4, 4, cols // 2, 2)
    bits = (top_down * BRAILLE_BITS[None, :, None, :]).sum(axis=(1, 3))
    return bits.astype(np.int64)


# --- one-variable plots ----------------------------------------------------------

class Panel:
    """One curve (f or a derivative) with its y-range and notes."""

    def __init__(self, label: str, ys: np.ndarray, order: int, kinks: list[Kink],
                 jumps: np.ndarray | None, xs: np.ndarray) -> None:
        self.label = label
        self.ys = ys
        self.order = order
        self.lo, self.hi, self.clipped = robust_range(ys)
        self.kinks = kinks if order >= 1 else [k for k in kinks if k.jump]
        self.breaks = _kink_breaks(xs, self.kinks)
        if jumps is not None:  # poles and jumps between samples
            self.breaks = jumps if self.breaks is None else self.breaks | jumps
        self.xs = xs


def _kink_breaks(xs, kinks):
    if not kinks:
        return None
    breaks = np.zeros(len(xs) - 1, dtype=bool)
    for k in kinks:
        i = np.searchsorted(xs, k.x)
        # the segment that contains the kink, and both neighbours of a sample on it
        for j in (i - 1, i):
            if 0 <= j < len(breaks) and xs[j] <= k.x <= xs[j + 1]:
                breaks[j] = True
    return breaks


def _undefined_runs(ys):
    """(first, last) sample indices of each run where ys is not finite."""
    bad = ~np.isfinite(ys)
    if not bad.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], bad.view(np.int8), [0]))))
    return list(zip(edges[::2], edges[1::2] - 1))


def _edge(xs, i, j):
    """Halfway between undefined sample i and its defined neighbour j."""
    return float(xs[i]) if j < 0 or j >= len(xs) else float(xs[i] + xs[j]) / 2


def gap_runs(xs: np.ndarray, ys: np.ndarray) -> list[tuple[float, float]]:
    """The x-intervals where f is undefined (for shading)."""
    return [(_edge(xs, a, a - 1), _edge(xs, b, b + 1)) for a, b in _undefined_runs(ys)]


def gap_intervals(xs: np.ndarray, ys: np.ndarray, limit: int = 2) -> list[str]:
    """Up to ``limit`` x-intervals where f is undefined, as text."""
    runs = _undefined_runs(ys)
    span = float(xs[-1] - xs[0])
    decimals = max(0, 2 - math.floor(math.log10(span)))

    def edge(i, j):
        return short_number(round(_edge(xs, i, j), decimals) + 0.0)

    out = []
    for a, b in runs[:limit]:
        if a == b:
            out.append(f"{short_number(xs[a])}")
        else:
            out.append(f"{edge(a, a - 1)}…{edge(b, b + 1)}")
    if len(runs) > limit:
        out.append(f"+{len(runs) - limit} more")
    return out


def render_curves(curves: Curves, width: int = 80, height: int = 24, colour: bool = False,
                  title: str | None = None) -> str:
    """f and its derivatives as stacked braille panels sharing the x-axis,
    at most ``width`` columns and ``height`` lines."""
    xs = curves.xs
    jumps = curves.jumps or [None] * len(curves.ys)
    panels = [Panel(lab, y, k, curves.kinks, j, xs)
              for k, (lab, y, j) in enumerate(zip(curves.labels, curves.ys, jumps))]
    n = len(panels)
    # title, per panel a header, then the x-axis and its numbers
    body = max(height - 1 - n - 2, 2 * n)
    rows_each = max(body // n, 2)
    ticks = []
    for p in panels:
        t, step = nice_ticks(p.lo, p.hi, max(rows_each // 2, 1))
        ticks.append([(v, tick_label(v, step)) for v in t])
    label_w = max([len(s) for t in ticks for _, s in t] + [1])
    plot_w = max(width - label_w - 2, 4)
    cols, xlim = plot_w * 2, (float(xs[0]), float(xs[-1]))
    lines = []
    if title:
        lines.append(_fit(title, width))
    for k, p in enumerate(panels):
        lines.append(_header(p, k, curves, width, colour))
        lines.extend(_panel_rows(p, k, ticks[k], xlim, cols, rows_each, label_w, colour))
    lines.extend(_x_axis(xlim, plot_w, label_w, curves.var, colour))
    return "\n".join(lines)


def _fit(text, width):
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _header(p, k, curves, width, colour):
    notes = []
    if k == 0:
        gaps = gap_intervals(curves.xs, p.ys)
        if gaps:
            notes.append("undefined (gap) on " + ", ".join(gaps))
    if p.clipped:
        notes.append(p.clipped)
    if p.kinks and k >= 1:
        where = ", ".join(short_number(x.x) for x in p.kinks[:3])
        more = f" +{len(p.kinks) - 3}" if len(p.kinks) > 3 else ""
        notes.append(f"┆ kink at {curves.var}={where}{more}: no derivative")
    name = f"━━ {p.label}"
    text = name + ("   " + "; ".join(notes) if notes else "")
    text = _fit(text, width)
    head, tail = text[: len(name)], text[len(name):]
    return paint(head, CURVE_COLOURS[k % len(CURVE_COLOURS)], colour) + paint(
        tail, AXIS_COLOUR, colour)


def _panel_rows(p, k, ticks, xlim, cols, rows, label_w, colour):
    dots_rows = rows * 4
    ylim = (p.lo, p.hi)
    grid = rasterise(p.xs, p.ys, xlim, ylim, cols, dots_rows, p.breaks)
    cells = braille(grid)
    axis = np.zeros_like(grid)
    if p.lo < 0 < p.hi:  # the x-axis, dotted, under the curve
        r = min(int((0 - p.lo) / (p.hi - p.lo) * dots_rows), dots_rows - 1)
        axis[r, ::4] = True
    axis_cells = braille(axis)
    kink_cols = set()
    for kink in p.kinks:
        c = int((kink.x - xlim[0]) / (xlim[1] - xlim[0]) * cols) // 2
        kink_cols.add(min(max(c, 0), cols // 2 - 1))
    tick_rows = {}
    for value, text in ticks:
        r = int((value - p.lo) / (p.hi - p.lo) * dots_rows)
        if 0 <= r < dots_rows:
            tick_rows.setdefault(rows - 1 - r // 4, text)
    code = CURVE_COLOURS[k % len(CURVE_COLOURS)]
    out = []
    for row in range(rows):
        label = tick_rows.get(row)
        prefix = (label.rjust(label_w) + " ┤") if label is not None else " " * label_w + " │"
        parts = []
        for c in range(cols // 2):
            curve, ax = int(cells[row, c]), int(axis_cells[row, c])
            if curve:
                parts.append(paint(chr(BRAILLE_BASE + curve), code, colour))
            elif c in kink_cols:
                parts.append(paint("┆", KINK_COLOUR, colour))
            elif ax:
                parts.append(paint(chr(BRAILLE_BASE + ax), AXIS_COLOUR, colour))
            else:
                parts.append(" ")
        out.append(paint(prefix, AXIS_COLOUR, colour) + "".join(parts).rstrip())
    return out


def _x_axis(xlim, plot_w, label_w, var, colour):
    ticks, step = nice_ticks(xlim[0], xlim[1], max(plot_w // 12, 2))
    rule = ["─"] * plot_w
    labels = [" "] * (plot_w + label_w + 2)
    placed_until = -1
    for value in ticks:
        # the cell whose dots cover the value (as the curves and kink marks map it)
        c = min(int(math.floor((value - xlim[0]) / (xlim[1] - xlim[0]) * plot_w + 1e-9)),
                plot_w - 1)
        if not 0 <= c < plot_w:
            continue
        rule[c] = "┬"
        text = tick_label(value, step)
        start = label_w + 2 + c - len(text) // 2
        start = min(max(start, 0), len(labels) - len(text))
        if start <= placed_until + 1:
            continue
        labels[start:start + len(text)] = list(text)
        placed_until = start + len(text) - 1
    axis = " " * label_w + " └" + "".join(rule)
    name = f" {var}"
    number_line = "".join(labels).rstrip()
    if len(number_line) + len(name) <= plot_w + label_w + 2:
        number_line = number_line.ljust(plot_w + label_w + 2 - len(name)) + name
    return [paint(axis, AXIS_COLOUR, colour), number_line]


# --- two variables: a heat map with the gradient as arrows ----------------------

# viridis at ten stops (dark to bright), the map of the PNG heat map too
VIRIDIS = ((68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
           (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37))
SHADES = "·░▒▓█"  # no colour: five levels, a blank is a gap
ARROWS = "→↗↑↖←↙↓↘"


def _rgb(t):
    """Viridis at t in [0, 1]."""
    t = min(max(t, 0.0), 1.0) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    a, b, w = VIRIDIS[i], VIRIDIS[i + 1], t - i
    return tuple(round(a[k] + (b[k] - a[k]) * w) for k in range(3))


def _xterm256(rgb):
    """The nearest colour of the xterm 6×6×6 cube (works in any 256-colour terminal)."""
    r, g, b = (round(c / 255 * 5) for c in rgb)
    return 16 + 36 * r + 6 * g + b


def field_shape(width: int, height: int, xspan: float, yspan: float,
                colour: bool) -> tuple[int, int, int]:
    """(plot columns, plot rows, label width) of a heat map that fits."""
    label_w = 7
    plot_w = max(width - label_w - 2, 10)
    plot_h = max(min(height - 5, round(plot_w * yspan / xspan / 2)), 4)
    return plot_w, plot_h, label_w


def render_field(field: Field, width: int = 80, height: int = 24, colour: bool = False,
                 title: str | None = None) -> str:
    """A heat map of f (half blocks in colour, shades without) with ∇f as
    arrows on a coarse grid; ``field`` sampled at plot_w × (2·plot_h in
    colour, plot_h without) points (see :func:`field_shape`)."""
    f = field.f
    ny, nx = f.shape
    plot_w, plot_h = nx, ny // 2 if colour else ny
    lo, hi, clipped = robust_range(f.ravel())
    t = np.clip((f - lo) / (hi - lo), 0.0, 1.0)
    finite = np.isfinite(f)
    # one cell per (row, column), top row = largest y
    ticks, step = nice_ticks(float(field.ys[0]), float(field.ys[-1]), max(plot_h // 4, 2))
    labels: dict[int, str] = {}
    for v in ticks:
        r = plot_h - 1 - int((v - field.ys[0]) / (field.ys[-1] - field.ys[0]) * (plot_h - 1)
                             + 0.5)
        labels.setdefault(r, tick_label(v, step))
    # the labels get what the plot leaves (field_shape keeps 7 columns)
    label_w = min(max([len(s) for s in labels.values()] + [1]), max(width - plot_w - 2, 1))
    labels = {r: s[-label_w:] for r, s in labels.items()}
    arrows = _arrow_cells(field, plot_w, plot_h, colour)
    lines = [_fit(title, width)] if title else []
    for row in range(plot_h):
        cells = []
        for c in range(plot_w):
            if colour:
                top, bottom = ny - 1 - 2 * row, ny - 2 - 2 * row
                cells.append(_half_block(t, finite, top, bottom, c, arrows.get((row, c))))
            else:
                y = ny - 1 - row
                arrow = arrows.get((row, c))
                if arrow:
                    cells.append(arrow)
                elif finite[y, c]:
                    cells.append(SHADES[min(int(t[y, c] * len(SHADES)), len(SHADES) - 1)])
                else:
                    cells.append(" ")
        label = labels.get(row)
        prefix = (label.rjust(label_w) + " ┤") if label else " " * label_w + " │"
        lines.append(paint(prefix, AXIS_COLOUR, colour) + "".join(cells).rstrip())
    lines.extend(_x_axis((float(field.xs[0]), float(field.xs[-1])), plot_w, label_w,
                         field.names[0], colour))
    lines.append(_field_legend(lo, hi, clipped, field, colour, width))
    return "\n".join(lines)


def _half_block(t, finite, top, bottom, c, arrow):
    def code(y):
        return _xterm256(_rgb(float(t[y, c]))) if finite[y, c] else None

    up, down = code(top), code(bottom)
    if arrow:
        pair = [v for v in (up, down) if v is not None]
        if not pair:
            return arrow
        mean = np.nanmean([t[top, c], t[bottom, c]])
        bg = _xterm256(_rgb(float(mean)))
        fg = "30" if mean > 0.55 else "97"
        return f"\x1b[{fg};48;5;{bg}m{arrow}\x1b[0m"
    if up is None and down is None:
        return " "
    if up is None:
        return f"\x1b[38;5;{down}m▄\x1b[0m"
    if down is None:
        return f"\x1b[38;5;{up}m▀\x1b[0m"
    return f"\x1b[38;5;{up};48;5;{down}m▀\x1b[0m"


def _arrow_cells(field, plot_w, plot_h, colour):
    """{(row, column): arrow} every few cells, pointing uphill along ∇f;
    none where ∇f is tiny (a flat spot) or undefined."""
    ny = field.f.shape[0]
    every_c, every_r = 6, 3
    out = {}
    mags = np.hypot(field.fx, field.fy)
    fin = mags[np.isfinite(mags)]
    if not fin.size:
        return out
    small = 0.03 * float(np.percentile(fin, 95))
    xscale = plot_w / float(field.xs[-1] - field.xs[0])
    yscale = 2 * plot_h / float(field.ys[-1] - field.ys[0])
    for row in range(every_r // 2 + 1, plot_h, every_r):
        y = ny - 1 - (2 * row if colour else row)
        for c in range(every_c // 2, plot_w, every_c):
            gx, gy = field.fx[y, c], field.fy[y, c]
            if not (np.isfinite(gx) and np.isfinite(gy)) or math.hypot(gx, gy) <= small:
                continue
            # the arrow drawn in screen units, as matplotlib's quiver draws it
            # in data units: a cell is about twice as tall as it is wide
            angle = math.atan2(gy * yscale, gx * xscale)
            out[(row, c)] = ARROWS[round(angle / (math.pi / 4)) % 8]
    return out


def _field_legend(lo, hi, clipped, field, colour, width):
    """``f lo ▒▒▒ hi  → ∇f …``, cut to ``width`` visible columns."""
    steps = 12 if colour else len(SHADES)
    ramp = ("".join(f"\x1b[38;5;{_xterm256(_rgb(i / 11))}m█" for i in range(12)) + "\x1b[0m"
            if colour else SHADES)
    head = f"f {short_number(lo)} "
    notes = [f"{short_number(hi)}" + (f" ({clipped})" if clipped else ""),
             "→ ∇f uphill"]
    if not np.isfinite(field.f).all():
        notes.append("blank: undefined")
    tail = _fit(" " + "   ".join(notes), max(width - len(head) - steps, 0))
    return head + ramp + tail
