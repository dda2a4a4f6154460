"""Charts of monthly/quarterly series: inline SVG for the PDF, and the plotting logic both charts share.

Why a hand-built SVG and not matplotlib
---------------------------------------
The PDF is laid out by WeasyPrint from HTML, and WeasyPrint draws inline
``<svg>`` as vectors with the document's own ``@font-face`` fonts.  A chart
built here therefore prints its 和 labels (4月 … 3月, 96.5％, 令和5年度) in the
bundled BIZ UD Gothic, subset and embedded once with the rest of the text,
sharp at any zoom, and with figures formatted by :func:`numbers.format_value`
exactly as in the tables (四捨五入, ％ full-width).  matplotlib would add a
large dependency (numpy, pillow, its own font manager and cache directory),
would need the Japanese font registered separately, and would emit either
raster images or SVG with glyphs converted to paths (text not selectable or
searchable in the PDF) — all for a chart that is a few lines and rectangles.
The builder is small, has no dependency beyond MarkupSafe (already required by
Jinja2), and is deterministic: the same series gives byte-identical markup.

Safety: every piece of text that comes from data (labels, captions, the font
name) is XML-escaped through :class:`markupsafe.Markup`; the result is a
``Markup`` that Jinja2 templates can embed with ``{{ chart }}`` unescaped.

The native Excel charts of the tracker are built in :mod:`reportgen.xlsx.charts`
from the same values, tones and targets (:func:`plotted_value`, :func:`row_tone`,
:func:`kpi_target`, :func:`same_units`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from markupsafe import Markup

from ..core.textwidth import char_units
from ..model.grids import series_grid
from ..model.report import KPI, Scalar, Series
from ..model.numbers import NumberFormat, format_value, parse_time

__all__ = [
    "STRONG", "PRIOR_TONES", "TARGET_COLOUR", "chart_values", "kpi_chart_svg", "kpi_target",
    "legend_layout", "plotted_value", "row_tone", "same_units", "series_chart_svg", "series_svg",
    "svg_size_mm", "wrap_label", "y_ticks",
]

#: This year's row (the last row of the series).
STRONG = "#1f4e79"
#: Earlier rows, from the year just before (darkest) to older ones (lighter).
PRIOR_TONES = ("#8eaacb", "#b4c6dc", "#d0dbe8", "#e1e8f0")
TARGET_COLOUR = "#c00000"
GRID_COLOUR = "#d9d9d9"
AXIS_COLOUR = "#404040"
TEXT_COLOUR = "#000000"

_PT_PER_MM = 72 / 25.4


# --------------------------------------------------------------------------
# Values and ticks
# --------------------------------------------------------------------------

def plotted_value(value: Scalar, fmt: NumberFormat) -> float | None:
    """A plotted number: minutes for time, the raw value otherwise; None for gaps/labels."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if fmt.kind == "time" and ":" in text:
            try:
                return float(parse_time(text))
            except ValueError:
                return None
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def chart_values(series: Series, reached: int = 12) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """Column labels and (row label, values) as plotted: months past ``reached`` are gaps."""
    grid = series_grid(series, reached)
    fmt = NumberFormat.parse(series.format)
    rows = [(row.label, [plotted_value(v, fmt) for v in row.values]) for row in grid.rows]
    return list(grid.columns), rows


def _display_factor(fmt: NumberFormat) -> Decimal:
    return Decimal(100) if fmt.kind == "pct" else Decimal(1)


def _min_step(fmt: NumberFormat) -> Decimal:
    """The smallest tick step the format can print distinctly (no "96％ 96％")."""
    if fmt.kind in ("pct", "dec"):
        return Decimal(1).scaleb(-fmt.decimals)
    if fmt.kind in ("int", "yen", "kyen", "time"):
        return Decimal(1)
    return Decimal(0)


def _nice(raw: Decimal) -> Decimal:
    exponent = math.floor(math.log10(raw)) if raw > 0 else 0
    base = Decimal(1).scaleb(exponent)
    for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if raw <= m * base:
            return m * base
    return 10 * base  # pragma: no cover - the loop always returns


def y_ticks(low: float, high: float, fmt: NumberFormat | str, *, include_zero: bool = False,
            count: int = 5) -> list[float]:
    """About ``count`` round tick values covering low..high, in data units.

    Steps are 1, 2, 2.5 or 5 × 10ⁿ in the units the reader sees (percent points
    for pct), never finer than the format prints, so no two labels read the same.
    """
    f = NumberFormat.parse(fmt) if isinstance(fmt, str) else fmt
    factor = _display_factor(f)
    lo = Decimal(repr(low)) * factor
    hi = Decimal(repr(high)) * factor
    if include_zero:
        lo, hi = min(lo, Decimal(0)), max(hi, Decimal(0))
    if hi == lo:
        pad = abs(hi) / 10 if hi else Decimal(1)
        lo, hi = lo - pad, hi + pad
        if include_zero and low >= 0:
            lo = max(lo, Decimal(0))
    step = max(_nice((hi - lo) / max(count - 1, 1)), _min_step(f))
    first = (lo / step).to_integral_value(rounding="ROUND_FLOOR")
    last = (hi / step).to_integral_value(rounding="ROUND_CEILING")
    return [float(k * step / factor) for k in range(int(first), int(last) + 1)]


# --------------------------------------------------------------------------
# SVG helpers
# --------------------------------------------------------------------------

def _n(x: float) -> str:
    """A coordinate, rounded so output is stable and short."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float) -> float:
    """Estimated advance of ``text`` in points: wide characters 1 em, others 0.55 em."""
    em = sum(1.0 if units == 2 else 0.55 * units for units in map(char_units, text))
    return em * size


def _text(x: float, y: float, text: str, *, size: float, anchor: str = "start",
          fill: str = TEXT_COLOUR, bold: bool = False) -> Markup:
    weight = Markup(' font-weight="bold"') if bold else Markup("")
    return Markup('<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{}"{}>{}</text>').format(
        _n(x), _n(y), _n(size), anchor, fill, weight, text)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float,
          dash: str | None = None) -> Markup:
    extra = Markup(' stroke-dasharray="{}"').format(dash) if dash else Markup("")
    return Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>').format(
        _n(x1), _n(y1), _n(x2), _n(y2), colour, _n(width), extra)


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str | None = None) -> Markup:
    outline = Markup(' stroke="{}" stroke-width="0.3"').format(stroke) if stroke else Markup("")
    return Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>').format(
        _n(x), _n(y), _n(w), _n(h), fill, outline)


def row_tone(index: int, count: int) -> str:
    """Colour of row ``index`` of ``count``: the last row strong, earlier ones lighter."""
    distance = count - 1 - index
    if distance == 0:
        return STRONG
    return PRIOR_TONES[min(distance - 1, len(PRIOR_TONES) - 1)]


@dataclass(frozen=True)
class _Legend:
    label: str
    colour: str
    style: str          # "line" | "bar" | "target"


@dataclass(frozen=True)
class LegendSlot:
    """One legend entry placed: x of its swatch, top of its first line, its label lines."""

    item: _Legend
    x: float
    top: float
    lines: tuple[str, ...]


def wrap_label(text: str, width: float, size: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` (character by character:
    legend labels are short Japanese phrases)."""
    out: list[str] = []
    line = ""
    for ch in text:
        if line and text_width(line + ch, size) > width:
            out.append(line)
            line = ""
        line += ch
    return out + [line] if line or not out else out


#: Line pitch of legend labels, in font sizes.
LEGEND_PITCH = 1.25


def _grid_height(items: Sequence[_Legend], columns: int, width: float, size: float) -> float:
    """Height of the legend set in ``columns`` equal columns (labels wrapped to fit)."""
    gap, inset = size * 1.2, size * 2.2
    column = (width - gap * (columns - 1)) / columns
    if column - inset < size * 2:
        return math.inf
    height = 0.0
    for start in range(0, len(items), columns):
        row = items[start:start + columns]
        height += max(len(wrap_label(i.label, column - inset, size)) for i in row) * size * LEGEND_PITCH + size * 0.25
    return height


def legend_layout(items: Sequence[_Legend], width: float, size: float) -> tuple[list[LegendSlot], float]:
    """Legend entries placed inside ``width``, and the height they take.

    Entries that fit on one line side by side stay on one line. Otherwise they
    go into a grid of equal columns, row by row, the number of columns that
    gives the shortest legend; a label wider than its column wraps onto more
    lines. Every entry thus has a box of its own: no label runs into the next
    entry (issue 12.11).
    """
    if not items:
        return [], 0.0
    gap, inset = size * 1.2, size * 2.2
    widths = [inset + text_width(item.label, size) for item in items]
    pitch = size * LEGEND_PITCH
    if sum(widths) + gap * (len(items) - 1) <= width:
        slots, x = [], 0.0
        for item, w in zip(items, widths):
            slots.append(LegendSlot(item, x, 0.0, (item.label,)))
            x += w + gap
        return slots, pitch
    best: tuple[float, int] | None = None
    for columns in range(1, len(items) + 1):
        height = _grid_height(items, columns, width, size)
        if best is None or height < best[0] - 0.01:
            best = (height, columns)
    assert best is not None
    columns = best[1]
    column = (width - gap * (columns - 1)) / columns
    text_room = max(column - inset, size)
    slots = []
    top = 0.0
    for start in range(0, len(items), columns):
        row = items[start:start + columns]
        wrapped = [wrap_label(item.label, text_room, size) for item in row]
        for k, (item, lines) in enumerate(zip(row, wrapped)):
            slots.append(LegendSlot(item, k * (column + gap), top, tuple(lines)))
        top += max(len(lines) for lines in wrapped) * pitch + size * 0.25
    return slots, top


# --------------------------------------------------------------------------
# The chart
# --------------------------------------------------------------------------

def series_svg(
    series: Series,
    *,
    reached: int = 12,
    width_mm: float = 120.0,
    height_mm: float = 55.0,
    target: float | str | None = None,
    target_label: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    font_family: str = "BIZ UDGothic",
    font_size: float = 7.0,
) -> Markup:
    """An inline ``<svg>`` line or bar chart of ``series``.

    * x axis: the grid's columns (4月 … 3月, or 第1四半期 … for quarterly);
      months after ``reached`` (the report's period) are left empty, as in the grid;
    * y axis: round ticks printed with the series format (96.5％, 2,974件, 4:56);
    * the last row (this year) in a strong tone, earlier rows lighter;
    * ``target`` (same units as the values, e.g. 0.965): a dashed line labelled
      ``target_label`` (default "目標 96.5％");
    * a legend with the row labels; ``title`` printed above when given.

    ``kind`` overrides ``series.chart`` ("line" when neither is set).  Sizes are
    the printed size; text is in points.  Returns ``Markup`` (safe to embed).
    """
    kind = kind or series.chart or "line"
    if kind not in ("line", "bar"):
        raise ValueError(f"chart kind must be 'line' or 'bar', not {kind!r}")
    if not (width_mm > 0 and height_mm > 0):
        raise ValueError("chart width and height must be positive")
    fmt = NumberFormat.parse(series.format)
    columns, rows = chart_values(series, reached)
    target_value = plotted_value(target, fmt) if target is not None else None  # type: ignore[arg-type]

    W, H = width_mm * _PT_PER_MM, height_mm * _PT_PER_MM
    size = font_size
    small = size * 0.92
    pad = size * 0.6
    parts: list[Markup] = []

    plotted = [v for _label, vs in rows for v in vs if v is not None]
    everything = plotted + ([target_value] if target_value is not None else [])

    top = pad
    label = title or series.caption or (rows[-1][0] if rows else "")
    if title:
        parts.append(_text(pad, top + size, title, size=size, bold=True))
        top += size * 1.5

    legend_items = [_Legend(lab, row_tone(i, len(rows)), kind) for i, (lab, _v) in enumerate(rows)]
    if target_value is not None:
        target_label = target_label or "目標 " + format_value(target, fmt)
        legend_items.append(_Legend(target_label, TARGET_COLOUR, "target"))
    slots, legend_h = legend_layout(legend_items, W - 2 * pad, small)
    for slot in slots:
        y = top + slot.top + small * 0.85
        sx = pad + slot.x
        item = slot.item
        if item.style == "bar":
            parts.append(_rect(sx, y - small * 0.75, small * 1.8, small * 0.8, item.colour))
        elif item.style == "target":
            parts.append(_line(sx, y - small * 0.35, sx + small * 1.8, y - small * 0.35, item.colour, 1.0, "3 1.5"))
        else:
            width = 1.8 if item.colour == STRONG else 1.1
            parts.append(_line(sx, y - small * 0.35, sx + small * 1.8, y - small * 0.35, item.colour, width))
        for k, text in enumerate(slot.lines):
            parts.append(_text(sx + small * 2.2, y + k * small * LEGEND_PITCH, text, size=small))
    top += legend_h + size * 0.15
    top += size * 0.4

    # A legend of many rows makes the chart taller instead of squeezing the plot
    # under it: the plot keeps at least half the height asked for.
    min_plot = max(H * 0.5, size * 4)
    if H - pad - size * 1.3 - top < min_plot:
        H = top + min_plot + pad + size * 1.3
        height_mm = H / _PT_PER_MM

    bottom = H - pad - size * 1.3       # baseline room for the x labels
    if not everything:
        parts.append(_text(W / 2, (top + bottom) / 2, "データなし", size=size, anchor="middle"))
        return _svg(W, H, width_mm, height_mm, label, font_family, size, parts)

    include_zero = kind == "bar"
    ticks = y_ticks(min(everything), max(everything), fmt, include_zero=include_zero)
    lo, hi = ticks[0], ticks[-1]
    tick_labels = [format_value(t, fmt) for t in ticks]
    left = pad + max(text_width(t, small) for t in tick_labels) + size * 0.5
    right = W - pad
    plot_h = max(bottom - top, 1.0)

    def y_of(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * plot_h

    # Grid lines and y labels.
    for t, text in zip(ticks, tick_labels, strict=True):
        y = y_of(t)
        parts.append(_line(left, y, right, y, GRID_COLOUR, 0.4))
        parts.append(_text(left - size * 0.35, y + small * 0.35, text, size=small, anchor="end"))
    # x labels; shrink them when a slot is too narrow.
    n = max(len(columns), 1)
    slot = (right - left) / n
    x_size = min(small, min(slot * 0.95 / max(text_width(c, 1.0), 0.1) for c in columns) if columns else small)
    for k, col in enumerate(columns):
        parts.append(_text(left + slot * (k + 0.5), H - pad - size * 0.2, col, size=x_size, anchor="middle"))

    # Data: earlier rows first, so this year is drawn on top.
    if kind == "bar":
        base = y_of(min(max(0.0, lo), hi))
        group = slot * 0.76
        bar = group / max(len(rows), 1)
        for i, (_lab, values) in enumerate(rows):
            colour = row_tone(i, len(rows))
            for k, v in enumerate(values):
                if v is None:
                    continue
                x = left + slot * k + (slot - group) / 2 + bar * i
                y = y_of(v)
                parts.append(_rect(x, min(y, base), bar * 0.92, abs(base - y), colour))
    else:
        for i, (_lab, values) in enumerate(rows):
            colour = row_tone(i, len(rows))
            strong = colour == STRONG
            width = 1.8 if strong else 1.1
            path: list[str] = []
            pen_up = True
            for k, v in enumerate(values):
                if v is None:
                    pen_up = True
                    continue
                path.append(("M" if pen_up else "L") + f"{_n(left + slot * (k + 0.5))} {_n(y_of(v))}")
                pen_up = False
            if path:
                parts.append(Markup('<path d="{}" fill="none" stroke="{}" stroke-width="{}" '
                                    'stroke-linejoin="round"/>').format(" ".join(path), colour, _n(width)))
            radius = 1.5 if strong else 1.1
            for k, v in enumerate(values):
                if v is not None:
                    parts.append(Markup('<circle cx="{}" cy="{}" r="{}" fill="{}"/>').format(
                        _n(left + slot * (k + 0.5)), _n(y_of(v)), _n(radius), colour))

    # Axes on top of the bars.
    parts.append(_line(left, top, left, bottom, AXIS_COLOUR, 0.6))
    parts.append(_line(left, bottom, right, bottom, AXIS_COLOUR, 0.6))

    if target_value is not None:
        y = y_of(target_value)
        parts.append(_line(left, y, right, y, TARGET_COLOUR, 1.0, "4 2"))
        label_w = text_width(target_label or "", small)
        parts.append(Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" fill-opacity="0.8"/>').format(
            _n(right - size * 0.2 - label_w - 1), _n(y - size * 0.35 - small * 0.95), _n(label_w + 2), _n(small * 1.15)))
        parts.append(_text(right - size * 0.2, y - size * 0.35, target_label or "", size=small,
                           anchor="end", fill=TARGET_COLOUR))
    return _svg(W, H, width_mm, height_mm, label, font_family, size, parts)


def _svg(W: float, H: float, width_mm: float, height_mm: float, label: str, font_family: str,
         size: float, parts: list[Markup]) -> Markup:
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="rg-chart" width="{}mm" height="{}mm" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}" font-family="{}" font-size="{}">'
    ).format(_n(width_mm), _n(height_mm), _n(W), _n(H), label, font_family, _n(size))
    title = Markup("<title>{}</title>").format(label) if label else Markup("")
    return head + title + Markup("").join(parts) + Markup("</svg>")


_SIZE_RE = re.compile(r'^<svg [^>]*?width="([0-9.]+)mm" height="([0-9.]+)mm"')


def svg_size_mm(svg: Markup | str) -> tuple[float, float]:
    """(width, height) in mm of a chart built here: a legend of many rows may
    have made it taller than asked, and the page must give it that room."""
    m = _SIZE_RE.match(str(svg))
    if m is None:
        raise ValueError("not a chart built by reportgen.layouts.charts")
    return float(m.group(1)), float(m.group(2))


def series_chart_svg(series: Series, **kwargs: Any) -> Markup | None:
    """The chart a series asks for (``chart: line|bar``), or None when it asks for none.

    For templates: ``{% set c = series_chart_svg(block.series, reached=reached) %}{{ c or "" }}``.
    """
    if series.chart is None:
        return None
    return series_svg(series, **kwargs)


def kpi_target(kpi: KPI) -> tuple[Scalar, str] | None:
    """The KPI's target value and its label, for a target line; None without a target.

    ``target: prior`` draws the prior year's actual (対前年度以上).
    """
    suffix = "以上" if kpi.direction == ">=" else "以下"
    if kpi.target == "prior":
        if kpi.prior is None:
            return None
        return kpi.prior, f"目標 対前年度{suffix}（{format_value(kpi.prior, kpi.format)}）"
    if kpi.target is None:
        return None
    return kpi.target, f"目標 {format_value(kpi.target, kpi.format)}{suffix}"


def same_units(kpi: KPI, series: Series) -> bool:
    try:
        return NumberFormat.parse(kpi.format).kind == NumberFormat.parse(series.format).kind
    except ValueError:
        return False


def kpi_chart_svg(kpi: KPI, **kwargs: Any) -> Markup | None:
    """The chart of a KPI's series with its target as a dashed line; None without a series.

    The target line is drawn only when the KPI and its series share a unit
    (both pct, both int …): a 96.5％ line on a chart of counts would mislead.
    Keyword arguments are those of :func:`series_svg`.
    """
    series = kpi.series
    if series is None:
        return None
    target = kpi_target(kpi) if same_units(kpi, series) else None
    if target is not None:
        kwargs.setdefault("target", target[0])
        kwargs.setdefault("target_label", target[1])
    return series_svg(series, **kwargs)
