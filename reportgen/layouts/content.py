"""The blocks of one cell, as printed: paragraphs with their hanging numbers,
bullets, embedded tables at the largest size that fits the column, series
grids (split in two halves when too wide) and their charts.

``avail_mm`` everywhere is the content width of the cell the blocks go in: it
is what decides the size of an embedded table, so the table never overflows
its column. Widths are estimated from the characters (BIZ UD: full-width 1em,
half-width 0.5em), not measured by WeasyPrint.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Sequence

from ..model.grids import Grid, series_grid
from ..model.numbers import cell_format, format_value
from ..model.report import (
    KPI,
    BulletsBlock,
    Content,
    NoteBlock,
    Series,
    SeriesBlock,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
    blocks_of,
)
from ..model.spans import SpanWalk
from .units import PT_PER_MM, display_width
from .views import BlockView, Bullets, ChartView, MiniCell, MiniTable, Para

__all__ = [
    "ViewContext", "chart_view", "column_em", "content_view", "fit", "format_cell", "grid_view", "list_lines",
    "share_column_widths", "split_leading_number", "table_view", "table_width_mm",
]

#: Sizes of embedded tables, largest first: (class, font size pt, cell padding mm
#: left + right) as in base.css (table.mini, .dense, .tiny).
_MINI_SIZES = (("", 7.5, 1.2), ("dense", 7.0, 0.8), ("tiny", 6.0, 0.6))
#: A text cell may wrap: it is counted at most this wide (em) when fitting.
_WRAP_EM = 8.0


#: An enumerator the author typed at the start of a paragraph: (1) （１） ① ア ⅰ） 【KPI】.
_LEADING_NUMBER = re.compile(
    r"^(?:[(（][0-9０-９]{1,3}[)）]|[①-⑳㉑-㉟]|[ⅰ-ⅻⅠ-Ⅻ][)）]|[ア-ン](?=[ 　])|[0-9０-９]{1,2}[.．)）](?![0-9０-９])|【KPI】)[ 　]?"
)


def split_leading_number(text: str) -> tuple[str, str]:
    """("（１）", "text") when ``text`` starts with its own enumerator, else ("", text)."""
    m = _LEADING_NUMBER.match(text)
    if m and m.end() < len(text):
        return m.group(0), text[m.end():]
    return "", text


def list_lines(text: str) -> list[str]:
    """``text`` cut before every line (but the first) that starts with an
    enumerator of its own; other lines ("2024年度は…") stay with the line above."""
    parts: list[str] = []
    for line in text.split("\n"):
        if parts and not split_leading_number(line)[0]:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return parts


def _cell_value(raw: object) -> tuple[object, str | None, tuple[int, int]]:
    if isinstance(raw, TableCell):
        return raw.value, raw.format, raw.span
    return raw, None, (1, 1)


def format_cell(value: object, spec: str) -> tuple[str, bool]:
    """(printed text, is a figure) of one table value."""
    if value is None:
        return "", False
    try:
        fmt = cell_format(value, spec)
        text = format_value(value, fmt)
    except (ValueError, TypeError):
        return str(value), False
    figure = fmt.kind != "text" and (
        isinstance(value, (int, float)) and not isinstance(value, bool)
        or isinstance(value, (_dt.date, _dt.time))  # a date aligns like the other figures
        or (isinstance(value, str) and text != value)
    )
    return text, figure


def _layout_rows(rows: Sequence[Sequence[object]], formats: list[str] | None, header: bool,
                 walk: SpanWalk) -> list[list[MiniCell]]:
    """Cells of ``rows`` with the format of the column each one starts in (``walk``
    places them exactly as the validator does, rowspans from rows above counted)."""
    out: list[list[MiniCell]] = []
    for row in rows:
        values = [_cell_value(raw) for raw in row]
        starts, _width = walk.row(span for _v, _f, span in values)
        cells: list[MiniCell] = []
        for col, (value, own_fmt, (rs, cs)) in zip(starts, values):
            spec = own_fmt or (None if header or not formats or col >= len(formats) else formats[col]) or "text"
            text, figure = format_cell(value, spec)
            cls = "th" if header else ("num" if figure else "txt")
            cells.append(MiniCell(text, cls, max(cs, 1), max(rs, 1)))
        out.append(cells)
    return out


def _natural_em(table: MiniTable) -> tuple[float, int]:
    """(sum of column widths in em, number of columns) of a table set on one line per cell."""
    widths = column_em(table)
    return sum(widths.values()), max(len(widths), 1)


def column_em(table: MiniTable) -> dict[int, float]:
    """Width in em of each column of ``table`` set on one line per cell (text cells
    counted at most :data:`_WRAP_EM`)."""
    widths: dict[int, float] = {}
    walk = SpanWalk()
    for row in [*table.head, *table.body]:
        starts, _width = walk.row((cell.rowspan, cell.colspan) for cell in row)
        for col, cell in zip(starts, row):
            em = max((display_width(line) for line in cell.text.split("\n")), default=0.0)
            if cell.cls == "txt":
                em = min(em, _WRAP_EM)
            if cell.colspan == 1:
                widths[col] = max(widths.get(col, 0.0), em)
    return widths


def share_column_widths(blocks: Sequence[object], avail_mm: float | None) -> None:
    """Give stacked embedded tables of one cell the same column widths (issue #12.10).

    Tables that follow each other in a cell with the same number of columns
    (e.g. 受付/照会 this year and 【参考】28年度 below it) are set at one size,
    each column as wide as its widest cell in any of them, so their columns line
    up as in the originals. Skipped when the shared table would not fit the cell.
    """
    run: list[MiniTable] = []
    for b in [*blocks, None]:
        if isinstance(b, MiniTable) and (not run or len(column_em(b)) == len(column_em(run[0]))):
            run.append(b)
            continue
        if len(run) > 1:
            _share(run, avail_mm)
        run = [b] if isinstance(b, MiniTable) else []


def _share(tables: list[MiniTable], avail_mm: float | None) -> None:
    widths: dict[int, float] = {}
    for t in tables:
        for k, em in column_em(t).items():
            widths[k] = max(widths.get(k, 0.0), em)
    order = [size for size, _pt, _pad in _MINI_SIZES]
    size = max((t.size for t in tables), key=order.index)
    _cls, pt, pad = next(x for x in _MINI_SIZES if x[0] == size)
    col_mm = [widths[k] * pt / PT_PER_MM + pad + 0.6 for k in sorted(widths)]
    if avail_mm is not None and sum(col_mm) > avail_mm:
        return
    for t in tables:
        t.size = size
        t.col_mm = col_mm


def table_width_mm(table: MiniTable, size: str) -> float:
    """Estimated width of ``table`` at ``size`` (BIZ UD: full-width 1em, half-width 0.5em)."""
    em, columns = _natural_em(table)
    _cls, pt, pad = next(t for t in _MINI_SIZES if t[0] == size)
    return em * pt / PT_PER_MM + columns * (pad + 0.15)


def fit(table: MiniTable, avail_mm: float | None) -> MiniTable:
    """Choose the largest size at which ``table`` fits ``avail_mm`` (the smallest otherwise)."""
    if avail_mm is None:
        return table
    for size, _pt, _pad in _MINI_SIZES:
        if table_width_mm(table, size) <= avail_mm:
            table.size = size
            return table
    table.size = _MINI_SIZES[-1][0]
    return table


def table_view(table: Table, avail_mm: float | None = None) -> MiniTable:
    # header and body are separate row groups: a rowspan never crosses from one to the other
    head = _layout_rows(table.header, None, True, SpanWalk())
    body = _layout_rows(table.rows, table.formats, False, SpanWalk())
    return fit(MiniTable(head, body, table.caption), avail_mm)


def _grid_table(grid: Grid, columns: list[int], tail: bool, corner: str | None = None) -> MiniTable:
    """The grid's label column, the given month columns and (``tail``) total and extra.
    ``corner`` replaces the grid's corner label (blank when the caption is printed above)."""
    head = [MiniCell(grid.corner if corner is None else corner, "th")] + \
        [MiniCell(grid.columns[k], "th") for k in columns]
    if tail and grid.total_label:
        head.append(MiniCell(grid.total_label, "th"))
    if tail and grid.extra_label:
        head.append(MiniCell(grid.extra_label, "th"))
    body = []
    for row in grid.rows:
        values = [row.values[k] for k in columns]
        if tail and grid.total_label:
            values.append(row.total)
        if tail and grid.extra_label:
            values.append(row.extra)
        body.append([MiniCell(row.label, "txt")] + [MiniCell(format_cell(v, grid.format)[0], "num") for v in values])
    return MiniTable([head], body)


def grid_view(grid: Grid, avail_mm: float | None = None, series: Series | None = None) -> list[MiniTable]:
    """A series grid as one table, or two stacked halves (4月–9月, 10月–3月 + 計) when
    even the smallest size of the whole grid is wider than the column.

    With its ``series``, the grid is drawn as in the originals (seeds 000, 002):
    the caption above the table and the corner cell blank (a cumulative series
    without caption keeps 累計 there)."""
    corner = None
    caption = None
    if series is not None:
        caption = series.caption
        corner = "" if caption or not series.cumulative else "累計"
    whole = _grid_table(grid, list(range(len(grid.columns))), True, corner)
    whole.caption = caption
    if avail_mm is None:
        return [whole]
    smallest = _MINI_SIZES[-1][0]
    if table_width_mm(whole, smallest) <= avail_mm or len(grid.columns) < 4:
        return [fit(whole, avail_mm)]
    half = (len(grid.columns) + 1) // 2
    first = _grid_table(grid, list(range(half)), False, corner)
    first.caption = caption
    second = _grid_table(grid, list(range(half, len(grid.columns))), True, corner)
    # both halves at one size, so their columns look alike
    for size, _pt, _pad in _MINI_SIZES:
        if max(table_width_mm(first, size), table_width_mm(second, size)) <= avail_mm:
            break
    first.size = second.size = size
    return [first, second]


@dataclass(frozen=True)
class ViewContext:
    """What block conversion needs to know about the report."""

    reached: int
    truncate: bool
    #: Largest printed width and height of a chart (mm); a narrower cell makes it narrower.
    chart_mm: tuple[float, float] = (120.0, 50.0)
    #: A series grid prints its caption above a blank corner (the main table, as in
    #: seeds 000/002); measure pages keep it in the corner, where the page is full.
    caption_above: bool = True


def chart_view(series: Series, ctx: ViewContext, avail_mm: float | None, kpi: KPI | None = None) -> ChartView | None:
    """The chart ``series`` asks for (``chart: line|bar``), sized to the cell; None when none.

    With ``kpi`` (a KPI's own series) the KPI target is drawn as a dashed line.
    Months after the report's period are left empty, as in the grid.
    """
    from .charts import kpi_chart_svg, series_chart_svg, svg_size_mm

    if series.chart is None:
        return None
    max_w, max_h = ctx.chart_mm
    width = max(min(avail_mm if avail_mm is not None else max_w, max_w), 10.0)
    height = max(min(width * 0.42, max_h), min(28.0, max_h))
    options = {"reached": ctx.reached, "width_mm": round(width, 2), "height_mm": round(height, 2)}
    svg = kpi_chart_svg(kpi, **options) if kpi is not None else series_chart_svg(series, **options)
    if svg is None:
        return None
    return ChartView(svg, width, svg_size_mm(svg)[1])  # a long legend makes it taller


def content_view(content: Content | None, ctx: ViewContext, prefix: str = "",
                 avail_mm: float | None = None) -> list[BlockView]:
    """Blocks of one cell; ``prefix`` (the entry's ①) starts the first paragraph.

    ``avail_mm`` is the content width of the cell: embedded tables take the
    largest size that fits it, and a 12-month grid too wide even at the smallest
    size is printed as two stacked halves.
    """
    out: list[BlockView] = []
    pending = prefix

    def para(text: str, cls: str = "") -> None:
        nonlocal pending
        if cls == "" and "\n" in text:
            # a line that starts with its own enumerator ((2) ② ア …) is a list item of
            # its own: it must not hang under the previous item's indent (#12.10)
            parts = list_lines(text)
            if len(parts) > 1:
                for part in parts:
                    para(part)
                return
        if pending:
            out.append(Para(text, pending, cls))
            pending = ""
        else:
            lead, rest = split_leading_number(text) if cls == "" else ("", text)
            out.append(Para(rest, lead, cls))

    for block in blocks_of(content):
        if block.heading:
            para(block.heading, "block-heading")
        if isinstance(block, TextBlock):
            if block.text.strip():
                para(block.text)
        elif isinstance(block, NoteBlock):
            text = block.text if block.text.startswith("※") else "※" + block.text
            if pending:
                para("")
            out.append(Para(text, "", "note"))
        elif isinstance(block, BulletsBlock):
            if pending:
                para("")
            out.append(Bullets(list(block.items), block.bullet or "・"))
        elif isinstance(block, TableBlock):
            if pending:
                para("")
            out.append(table_view(block.table, avail_mm))
        elif isinstance(block, SeriesBlock):
            if pending:
                para("")
            out.extend(grid_view(series_grid(block.series, ctx.reached, truncate=ctx.truncate), avail_mm,
                                 block.series if ctx.caption_above else None))
            chart = chart_view(block.series, ctx, avail_mm)
            if chart is not None:
                out.append(chart)
    return out

