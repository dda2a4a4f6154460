"""View model of the PDF layouts: everything the templates print, already formatted.

The Jinja templates are presentation only. This module decides *what* is
printed — numbers with 四捨五入 and units, 和暦 dates, entry numbers ①②…, the
mark legend, which column holds the item heading, column widths resolved for
the chosen paper — and hands the templates plain strings in small dataclasses.
The templates escape every string (autoescape) and run it through the
``rich`` filter (:mod:`reportgen.pdf.textfilters`) for line breaks and
keep-together spans; nothing here is markup.

Columns: a layout has default columns; ``report.columns`` replaces them with
any number of built-in or custom fields (see docs/FORMAT.md, Columns). The 分野
column (field ``section``) is always drawn first, as the vertical label of the
section table; all other columns are the columns of the per-item tables.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Sequence

from markupsafe import Markup

from ..core.textwidth import text_units
from ..model.calendar import fiscal_year_label, short_fy_label, wareki_date
from ..model.grids import Grid, entry_label, series_grid
from .heights import LINE_HEIGHT, PAGE_BODY_MM, estimate_rows_pt, text_lines
from .registry import layout_spec
from ..model.kpi import judgement, target_text
from ..model.kpi import rank_text as kpi_rank_text
from ..model.marks import count_marks
from ..model.report import (
    KPI,
    Block,
    BulletsBlock,
    Column,
    Content,
    Entry,
    Group,
    Item,
    NoteBlock,
    Report,
    Section,
    Series,
    SeriesBlock,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
    blocks_of,
)
from ..model.numbers import cell_format, format_value
from ..core.papers import PRINTABLE_MM
from ..model.spans import SpanWalk
from ..model.wording import banner_text, numbered, report_heading

if TYPE_CHECKING:  # pragma: no cover
    from .measures import MeasurePagesView
    from .tracker import TrackerView

__all__ = [
    "FONTS",
    "PAPERS",
    "DocView",
    "build_view",
    "default_columns",
    "label_capacity",
    "section_label",
    "resolve_columns",
    "template_for",
]

# ---------------------------------------------------------------------------
# Paper and columns
# ---------------------------------------------------------------------------

#: Width of the page area (landscape width minus left and right margins), in mm.
#: Must match the @page margins of templates/base.css (A4: 12 + 12 mm) and
#: templates/paper-a3.css (A3: 15 + 15 mm): the column lines painted as
#: backgrounds (see ``SectionView.stripes``) are positioned from it.
PAPERS: dict[str, float] = {"A4": 297.0 - 24.0, "A3": 420.0 - 30.0}
PAPERS.update({k: v for k, v in PRINTABLE_MM.items() if k not in PAPERS})  # B4, B5, portrait (reportgen.core.papers)
FONTS = ("gothic", "mincho")

PT_PER_MM = 72.0 / 25.4
#: Width of the table rules in base.css (0.6pt).
RULE_PT = 0.6
#: Left and right padding of the item cells in base.css (1.5mm).
CELL_PAD_MM = 1.5

def template_for(layout: str) -> str:
    """The template file that draws ``layout`` (:mod:`reportgen.layouts.registry`)."""
    return layout_spec(layout).template


def default_columns(layout: str) -> list[Column]:
    return list(layout_spec(layout).default_columns)


@dataclass(frozen=True)
class ColumnView:
    """One resolved column: its field, header label and widths."""

    field: str
    label: str
    width_mm: float
    #: Width in % of the whole table (level 0).
    pct: float
    #: Width in % of the item tables (level 2), i.e. of what the label leaves.
    item_pct: float

    @property
    def content_mm(self) -> float:
        """Width inside the cell padding and rule (base.css: 1.5mm each side, 0.6pt)."""
        return max(self.width_mm - 2 * CELL_PAD_MM - RULE_PT / PT_PER_MM, 1.0)

    @property
    def css(self) -> str:
        """A class for the cells of this column: c-plan, c-status, c-field (custom)."""
        if self.field in ("section", "number", "title", "plan", "status", "mark", "kpi", "owner", "rank"):
            return f"c-{self.field}"
        return "c-field"


_WIDTH_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(%|mm|cm|pt|fr)?\s*")


def _parse_width(width: str | None, total_mm: float) -> tuple[float | None, float]:
    """(fixed mm or None, fr share) for a width written like "38%", "40mm", "2fr"."""
    if width is None:
        return None, 1.0
    m = _WIDTH_RE.fullmatch(str(width))
    if not m:
        return None, 1.0
    value, unit = float(m.group(1)), m.group(2) or "mm"
    if unit == "fr":
        return None, value
    factor = {"%": total_mm / 100.0, "mm": 1.0, "cm": 10.0, "pt": 1.0 / PT_PER_MM}[unit]
    return value * factor, 0.0


def resolve_columns(columns: list[Column], total_mm: float) -> list[ColumnView]:
    """Columns with widths in mm that add up to ``total_mm``.

    Fixed widths (%, mm, cm, pt) are taken as given; columns without a width
    or in ``fr`` share what is left. When nothing is flexible and the widths do
    not add up to the page (e.g. 4% + 38% + 40% + 8%), they are scaled so the
    table still spans the page. The section column is moved first.
    """
    cols = sorted(columns, key=lambda c: c.field != "section")  # stable: others keep their order
    parsed = [_parse_width(c.width, total_mm) for c in cols]
    fixed = sum(mm for mm, _ in parsed if mm is not None)
    shares = sum(fr for mm, fr in parsed if mm is None)
    widths: list[float] = []
    if shares > 0 and fixed < total_mm * 0.98:
        rest = total_mm - fixed
        widths = [mm if mm is not None else rest * fr / shares for mm, fr in parsed]
    else:
        # No room left for flexible columns: give them 1/N each, then scale everything.
        guess = [mm if mm is not None else total_mm / max(len(cols), 1) for mm, _ in parsed]
        s = sum(guess) or 1.0
        widths = [w * total_mm / s for w in guess]
    s = sum(widths) or 1.0
    widths = [w * total_mm / s for w in widths]
    label_mm = sum(w for c, w in zip(cols, widths) if c.field == "section")
    body_mm = total_mm - label_mm
    out = []
    for c, w in zip(cols, widths):
        item_pct = 0.0 if c.field == "section" else 100.0 * w / body_mm
        out.append(ColumnView(c.field, c.label, w, 100.0 * w / total_mm, item_pct))
    return out


# ---------------------------------------------------------------------------
# Blocks: paragraphs, bullets, small tables
# ---------------------------------------------------------------------------


@dataclass
class Para:
    """A paragraph. ``prefix`` (①, （１）, KPI：) hangs in the left margin."""

    text: str
    prefix: str = ""
    cls: str = ""
    kind: Literal["para"] = "para"

    @property
    def indent_em(self) -> float:
        """Hanging indent that fits the prefix (full-width 1em, half-width 0.5em)."""
        return display_width(self.prefix)


@dataclass
class Bullets:
    items: list[str]
    bullet: str = "・"
    kind: Literal["bullets"] = "bullets"

    @property
    def indent_em(self) -> float:
        return max(display_width(self.bullet), 1.0)


@dataclass
class MiniCell:
    text: str
    cls: str = ""
    colspan: int = 1
    rowspan: int = 1


@dataclass
class MiniTable:
    """An embedded table (or a series grid) in a cell."""

    head: list[list[MiniCell]]
    body: list[list[MiniCell]]
    caption: str | None = None
    #: "" (7.5pt), "dense" (7pt) or "tiny" (6pt): the largest size that fits the column.
    size: str = ""
    kind: Literal["table"] = "table"
    #: Column widths (mm) shared with the tables stacked with it (share_column_widths).
    col_mm: list[float] = field(default_factory=list)

    @property
    def dense(self) -> bool:
        return self.size != ""


@dataclass
class ChartView:
    """An inline SVG chart (reportgen.layouts.charts) of a series that asks for one
    (``chart: line|bar``), drawn below its grid at its printed size."""

    svg: Markup
    width_mm: float
    height_mm: float
    kind: Literal["chart"] = "chart"


BlockView = Para | Bullets | MiniTable | ChartView

#: Sizes of embedded tables, largest first: (class, font size pt, cell padding mm
#: left + right) as in base.css (table.mini, .dense, .tiny).
_MINI_SIZES = (("", 7.5, 1.2), ("dense", 7.0, 0.8), ("tiny", 6.0, 0.6))
#: A text cell may wrap: it is counted at most this wide (em) when fitting.
_WRAP_EM = 8.0


def display_width(text: str) -> float:
    """Width in em: wide, full-width and ambiguous (①, ※, ○ in a Japanese font)
    characters count 1, others 0.5."""
    return text_units(text) / 2


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


# ---------------------------------------------------------------------------
# Main table: sections, items, entry rows
# ---------------------------------------------------------------------------


@dataclass
class CellView:
    """One cell of an entry row."""

    cls: str
    blocks: list[BlockView] = field(default_factory=list)
    #: For the mark column: the symbol, the column's content width and the mark's size.
    mark: str | None = None
    width_mm: float = 0.0
    font_pt: float = 18.0
    #: Set on the first cell of an item's first row: the anchor 掲載ページ points to.
    anchor: str | None = None
    bookmark: str | None = None


@dataclass
class ItemView:
    anchor: str
    heading: str
    #: Text of each item column's title cell (the title row, ``title_row``); the
    #: second element is kept for compatibility and is always "".
    heads: list[tuple[str, str]]
    rows: list[list[CellView]]
    #: Banner printed before the item: the first item of a group.
    banner: str | None = None
    #: The title is printed as a row of its own (``heads``) above the entries;
    #: otherwise it is the first paragraph of the heading column's first cell.
    title_row: bool = False
    #: Short title of the band "(6)健康保険委員と連携…（続き）" at the top of every
    #: page the item continues on (removed from the item's first page, reportgen.pdf.engine).
    cont_title: str = ""
    #: Estimated shorter than a third of a page: never split (base.css table.item.keep).
    keep: bool = False
    #: Per entry row: estimated short (a third of a page for the first row, a fifth
    #: for the others), never split (tr.keep).
    row_keep: list[bool] = field(default_factory=list)
    #: The title row is short: kept whole and with the first entry.
    title_keep: bool = False


@dataclass
class SectionView:
    heading: str
    #: Characters of the vertical label; ASCII digit runs stay together ("10").
    label: list[str]
    items: list[ItemView]
    #: Inline CSS for the column lines painted behind the items (see base.css).
    stripes: str
    #: The label set in columns (vertical writing, the first column rightmost):
    #: the characters of each column, left to right as printed.
    label_cols: list[list[str]] = field(default_factory=list)
    #: Font size of the label (base.css .vlabel: 10pt unless it needs columns).
    label_pt: float = 10.0
    #: Most height the section row may ask for (:func:`label_cap_pt`).
    label_cap_pt: float = float("inf")

    @property
    def label_height_pt(self) -> float:
        """Height the vertical label needs (base.css .vlabel: line-height 1.12,
        1.5mm padding): the section row is at least that tall, so a short section
        shows its whole label. Never more than ``label_cap_pt``: a row that asks
        for more than a page holds sends WeasyPrint 70 into an endless run of
        pages when the items hold unbreakable blocks such as charts (issue 12.11)."""
        rows = max((len(c) for c in self.label_cols), default=len(self.label))
        return min(label_height_pt(rows, self.label_pt), self.label_cap_pt)


def label_height_pt(rows: int, font_pt: float) -> float:
    """Height of a vertical label of ``rows`` characters per column."""
    return rows * font_pt * 1.12 + 1.5 * PT_PER_MM + 3.0


#: The vertical label is at most this share of a page tall: the label cell cannot
#: be split, so a taller one would push its whole 分野 past the cover of page 1.
LABEL_PAGE_SHARE = 0.5
#: Sizes of the vertical label, largest first (pt); below 6pt it is not legible.
LABEL_SIZES = (10.0, 9.0, 8.0, 7.0, 6.0)


def label_columns(chars: list[str], width_mm: float, height_pt: float) -> tuple[list[list[str]], float]:
    """The label ``chars`` in columns (left to right as printed) and its font size:
    the fewest columns at the largest size whose height fits ``height_pt``, or the
    lowest label the column's width allows when nothing fits.

    A label taller than the items beside it stretches the section into an empty
    band with column lines (issue #12.5), and one taller than a page prints
    nothing at all; vertical writing with more lines keeps it within both.
    """
    width_pt = max(width_mm * PT_PER_MM - 2 * RULE_PT - 1.0, 1.0)
    n = max(len(chars), 1)
    best: tuple[float, int, float] | None = None  # height, columns, size
    for size in LABEL_SIZES:
        most = max(int(width_pt // (size * 1.1)), 1)
        for ncols in range(1, min(most, n) + 1):
            rows = math.ceil(n / ncols)
            h = label_height_pt(rows, size)
            if h <= height_pt:
                return _columns(chars, rows), size
            if best is None or h < best[0] - 0.01:
                best = (h, ncols, size)
    assert best is not None
    _h, ncols, size = best
    return _columns(chars, math.ceil(n / ncols)), size


def label_capacity(width_mm: float, paper: str = "A4") -> int:
    """Most characters a vertical 分野 label of a ``width_mm`` column can hold in
    :data:`LABEL_PAGE_SHARE` of a page of ``paper`` (in as many columns as the
    width allows at 6pt): a longer
    分野 title is refused by validate (reportgen.inputs.validate), since a label taller
    than a page cannot be printed."""
    width_pt = max(width_mm * PT_PER_MM - 2 * RULE_PT - 1.0, 1.0)
    page_pt = PAGE_BODY_MM[paper] * PT_PER_MM * LABEL_PAGE_SHARE
    best = 0
    for size in LABEL_SIZES:
        most = max(int(width_pt // (size * 1.1)), 1)
        rows = int((page_pt - label_height_pt(0, size)) // (size * 1.12))
        best = max(best, most * max(rows, 0))
    return best


def section_label(section: Section, layout: str) -> list[str]:
    """The characters of a section's vertical label as printed (number and title)."""
    number = "" if section.number is None else str(section.number)
    joiner = "・" if layout_spec(layout).table_style == "quarterly" and number else ""
    return vertical_label(number + joiner + section.title)


def _columns(chars: list[str], rows: int) -> list[list[str]]:
    """Columns of ``rows`` characters; vertical text reads right to left, so the
    first column is printed rightmost."""
    cols = [chars[i:i + rows] for i in range(0, len(chars), rows)] or [[]]
    return cols[::-1]


@dataclass
class KpiRow:
    text: str
    prior: str
    actual: str
    judgement: str


@dataclass
class KpiItem:
    title: str
    owner: str
    anchor: str | None
    rows: list[KpiRow]


@dataclass
class KpiSection:
    heading: str
    items: list[KpiItem]


@dataclass
class KpiSummaryView:
    title: str
    headers: list[str]
    sections: list[KpiSection]
    with_pages: bool
    kind: Literal["kpi-summary"] = "kpi-summary"


@dataclass
class MarkSummaryView:
    title: str
    legend: str
    headers: list[str]
    rows: list[tuple[str, list[int], int, str]]  # label, counts, total, css class
    kind: Literal["mark-summary"] = "mark-summary"


Appendix = KpiSummaryView | MarkSummaryView


@dataclass
class DocView:
    """Everything a template prints."""

    template: str
    layout: str
    #: "plan-status" or "quarterly": the drawing style of the main table.
    style: str
    paper: str
    font: str
    #: PDF metadata.
    meta_title: str
    author: str
    #: Cover: title lines (centred), date and organisation (right-aligned).
    title_lines: list[str]
    date: str | None
    org_line: str | None
    preface: list[tuple[str | None, list[BlockView]]]
    legend: str
    columns: list[ColumnView]
    has_label: bool
    sections: list[SectionView]
    appendices: list[Appendix]
    #: The main table is drawn (False for layout: kpi-summary alone).
    main_table: bool = True
    #: layout: measure-pages: one page per measure (reportgen.layouts.measures), instead of sections.
    measures: MeasurePagesView | None = None
    #: layout: tracker: the 進捗状況 sheet (reportgen.layouts.tracker), instead of sections.
    tracker: TrackerView | None = None
    #: Where the legend prints: "head" (above the header, every page), "foot"
    #: (once, under the table) or "none"; and the heading printed before it.
    legend_position: str = "head"
    legend_heading: str | None = None
    #: Printed at the top of every page (report.running_header).
    running_header: str | None = None
    #: "n / N", "n" or "none" (report.page_numbers).
    page_numbers: str = "n / N"
    #: report.subtitle (under the title), report.footer (every page) and the
    #: labels of the seal box report.approval (first page, top right).
    subtitle: str | None = None
    footer: str | None = None
    approval_labels: list[str] | None = None

    @property
    def item_columns(self) -> list[ColumnView]:
        return [c for c in self.columns if c.field != "section"]

    @property
    def html_class(self) -> str:
        return " ".join(["with-cont"] + (["mincho"] if self.font == "mincho" else []))


#: Font size of the item titles (base.css: html 9.5pt).
TITLE_PT = 9.5
#: Characters of the title kept in the continuation band (the number comes on top).
CONT_CHARS = 20


def continuation_title(title: str, width_mm: float) -> str:
    """The band "（６）健康保険委員と連携した事業…（続き）" that opens every page an
    item continues on: the title, cut after :data:`CONT_CHARS` characters (and
    to one line of the band) when longer, so a long title does not fill the
    continuation page again."""
    text = " ".join(title.split())
    per_line = max(int(width_mm * PT_PER_MM / TITLE_PT) - 6, 4)
    limit = min(CONT_CHARS, per_line)
    if len(text) > limit + 4 or display_width(text) > per_line:
        cut = text[:limit]
        while display_width(cut) > per_line and len(cut) > 1:
            cut = cut[:-1]
        text = cut + "…"
    return text + "（続き）"


#: Room kept on every page for the repeated legend and header rows (and a margin),
#: beyond the 11 mm reportgen.layouts.heights.PAGE_BODY_MM already keeps.
_HEADER_ROOM_MM = 30.0 - 11.0


def label_cap_pt(paper: str) -> float:
    """The tallest section row a page of ``paper`` holds under its repeated header.

    A section row is made at least as tall as its vertical label; a label of
    ~45 characters (A4) would ask for more than a page, which WeasyPrint 70
    cannot place: with a chart in the section it lays out pages without end
    (minutes, gigabytes). Measured on A4: a 450pt row renders, 490pt loops.
    """
    return (PAGE_BODY_MM.get(paper, PAGE_BODY_MM["A4"]) - _HEADER_ROOM_MM) * PT_PER_MM


_DIGIT_RUN = re.compile(r"[0-9]+|\S")


def vertical_label(text: str) -> list[str]:
    """One entry per printed line of the vertical 分野 label; spaces are dropped."""
    return _DIGIT_RUN.findall(text)


def _stripes(item_cols: list[ColumnView], total_mm: float, label_mm: float, has_label: bool) -> str:
    """background-* declarations drawing the item columns' right rules in td.nest.

    td.nest is stretched to the page bottom when a section breaks (box-decoration-break:
    clone), below the last item that fitted; the painted rules keep the columns
    closed there. Positions are absolute (pt from the padding box's left edge), so
    they are exact for the paper the view is built for.
    """
    inner_pt = (total_mm - label_mm) * PT_PER_MM - (0 if has_label else RULE_PT)
    positions = []
    cum = 0.0
    for i, c in enumerate(item_cols):
        cum += c.item_pct / 100.0
        if i == len(item_cols) - 1:
            positions.append("100% 0")
        else:
            positions.append(f"{inner_pt * cum - RULE_PT:.2f}pt 0")
    n = len(positions)
    image = "linear-gradient(to right, #000 0.6pt, transparent 0.6pt)"
    return (f"background-image: {', '.join([image] * n)}; "
            f"background-position: {', '.join(positions)};")


class _Builder:
    def __init__(self, report: Report, paper: str, font: str) -> None:
        self.report = report
        self.paper = paper
        self.font = font
        self.spec = layout_spec(report.layout)
        self.style = self.spec.table_style
        self.ctx = ViewContext(report.months_reached, self.style == "quarterly")
        self.total_mm = PAPERS[paper]
        self.columns = resolve_columns(report.columns or default_columns(report.layout), self.total_mm)
        self.fields = [c.field for c in self.columns]
        self.item_cols = [c for c in self.columns if c.field != "section"]
        item_fields = [c.field for c in self.item_cols]
        if "title" in item_fields:
            self.heading_field = "title"
        elif "plan" in item_fields:
            self.heading_field = "plan"
        else:
            self.heading_field = item_fields[0] if item_fields else ""
        default_fields = [c.field for c in default_columns(report.layout)]
        #: The title is a row of its own only in the default plan-status table (see item()).
        self.title_band = self.style == "plan-status" and self.fields == default_fields
        self.label_mm = sum(c.width_mm for c in self.columns if c.field == "section")
        self.body_mm = self.total_mm - self.label_mm
        self.page_pt = PAGE_BODY_MM[paper] * PT_PER_MM
        self.anchors: dict[int, str] = {}  # id(item) → anchor
        self.prefixes: dict[int, str] = {}  # id(entry) → printed number

    # -- items ----------------------------------------------------------------
    def entry_prefix(self, item: Item, index: int, entry: Entry) -> str:
        if entry.number is not None:
            return str(entry.number)
        if len(item.entries) > 1:
            first = next((b for b in blocks_of(entry.plan) if isinstance(b, TextBlock) and not b.heading), None)
            plan = first.text if first is not None and blocks_of(entry.plan)[0] is first else ""
            if plan and split_leading_number(plan)[0]:
                return ""  # the author numbered the text itself: (1)…
            return entry_label(None, index)
        return ""

    def item_heading(self, item: Item, with_tags: bool = True) -> str:
        number = "" if "number" in self.fields else number_text(item.number)
        tags = "".join(f"【{t}】" for t in item.tags) if with_tags else ""
        return number + item.title + tags

    def kpi_lines(self, entry: Entry) -> list[BlockView]:
        kpi = entry.kpi
        if kpi is None or "kpi" in self.fields:
            return []
        plan = entry.plan if isinstance(entry.plan, str) else ""
        if plan.lstrip().startswith(("【KPI】", "KPI：", "KPI:")):
            return []
        return [Para(kpi.text, "KPI：", "kpi")]

    def kpi_column(self, entry: Entry) -> list[BlockView]:
        kpi = entry.kpi
        if kpi is None:
            return []
        out: list[BlockView] = [Para(kpi.text, "KPI：", "kpi")]
        figures = []
        target = target_text(kpi)
        if target:
            figures.append(f"目標：{target}")
        if kpi.prior is not None:
            figures.append(f"前年度実績：{format_cell(kpi.prior, kpi.format)[0]}")
        if kpi.actual is not None:
            figures.append(f"今年度実績：{format_cell(kpi.actual, kpi.format)[0]}")
        figures.append(f"達成状況：{judgement(kpi)}")
        out.append(Para("\n".join(figures), "", "kpi-figures"))
        return out

    def field_blocks(self, name: str, item: Item, entry: Entry, first: bool, avail: float) -> list[BlockView]:
        if name in entry.fields:
            return content_view(entry.fields[name], self.ctx, avail_mm=avail)
        if name in item.fields and first:
            return content_view(item.fields[name], self.ctx, avail_mm=avail)
        return []

    def cell(self, col: ColumnView, item: Item, index: int, entry: Entry | None) -> CellView:
        f = col.field
        first = index == 0
        cell = CellView(col.css)
        avail = col.content_mm
        labels: list[Para | Bullets | MiniTable | ChartView] = [Para("　".join(item.labels), "", "labels")] \
            if first and item.labels and f == self.heading_field else []
        if entry is None:
            cell.blocks = labels
            return cell
        prefix = self.prefixes.get(id(entry), "")
        if f == "plan":
            cell.blocks = labels + content_view(entry.plan, self.ctx, prefix, avail) + self.kpi_lines(entry)
            if not cell.blocks and prefix:
                cell.blocks = [Para("", prefix)]
        elif f == "status":
            blocks = content_view(entry.status, self.ctx, prefix, avail)
            if entry.kpi is not None and entry.kpi.series is not None:
                grid = series_grid(entry.kpi.series, self.ctx.reached, truncate=self.ctx.truncate)
                blocks.extend(grid_view(grid, avail, entry.kpi.series))
                chart = chart_view(entry.kpi.series, self.ctx, avail, entry.kpi)
                if chart is not None:
                    blocks.append(chart)
            cell.blocks = labels + blocks
        elif f == "mark":
            cell.mark = entry.mark or ""
            cell.width_mm = avail
            # 18pt for a symbol (10pt for words such as 未達成), smaller if the column is narrow
            wide = max(display_width(cell.mark), 1.0)
            cell.font_pt = round(min(18.0 if wide <= 1 else 10.0, avail * PT_PER_MM * 0.95 / wide), 1)
        elif f == "kpi":
            cell.blocks = labels + self.kpi_column(entry)
        elif f == "rank":
            cell.blocks = labels + ([Para(_rank_text(entry))] if _rank_text(entry) else [])
        elif f == "number":
            cell.blocks = labels  # the number is in the item's header row
        elif f == "owner":
            cell.blocks = labels + ([Para(item.owner)] if first and item.owner else [])
        elif f == "title":
            cell.blocks = labels
        else:
            cell.blocks = labels + self.field_blocks(f, item, entry, first, avail)
        share_column_widths(cell.blocks, avail)
        return cell

    def item(self, item: Item, anchor: str, banner: str | None) -> ItemView:
        heads: list[tuple[str, str]] = []
        for col in self.item_cols:
            if col.field == self.heading_field:
                text = self.item_heading(item)
            elif col.field == "status" and self.style == "plan-status":
                text = self.item_heading(item, with_tags=False)
            elif col.field == "number" and item.number is not None:
                heads.append((str(item.number), ""))
                continue
            else:
                heads.append(("", ""))
                continue
            heads.append((text, ""))
        for i, e in enumerate(item.entries):
            self.prefixes[id(e)] = self.entry_prefix(item, i, e)
        rows = []
        entries: list[Entry | None] = list(item.entries) or [None]
        for i, entry in enumerate(entries):
            rows.append([self.cell(col, item, i, entry) for col in self.item_cols])
        # The default plan-status table prints the title as a row of its own over
        # 計画内容 and 実施状況 (seed 000); every other column set starts all
        # columns at the row top, the title first in its own column (seed 002).
        title_row = self.title_band
        if not title_row and rows:
            k = next((i for i, c in enumerate(self.item_cols) if c.field == self.heading_field), 0)
            number = "" if "number" in self.fields else number_text(item.number)
            rest = item.title + "".join(f"【{t}】" for t in item.tags)
            rows[0][k].blocks.insert(0, Para(rest, number, "item-title"))
        if rows and rows[0]:
            rows[0][0].anchor = anchor
            rows[0][0].bookmark = number_text(item.number) + item.title
        cont = continuation_title(number_text(item.number) + item.title, self.body_mm)
        third = self.page_pt / 3
        keep = estimate_rows_pt(rows, self.item_cols, self.title_pt(heads) if title_row else 0.0) <= third
        # an entry row is split only when long: a third of a page for the first row
        # (it carries the title, which must not stay behind alone), a fifth for others
        row_keep = [estimate_rows_pt([row], self.item_cols) <= (third if i == 0 else self.page_pt / 5)
                    for i, row in enumerate(rows)]
        title_keep = title_row and self.title_pt(heads) <= third
        return ItemView(anchor, self.item_heading(item), heads, rows, banner, title_row, cont, keep, row_keep,
                        title_keep)

    def title_pt(self, heads: list[tuple[str, str]]) -> float:
        """Height of the title row (base.css: 9.5pt bold, 1.2mm + 0.3mm padding)."""
        lines = max((text_lines(text, TITLE_PT, c.content_mm) for (text, _), c in zip(heads, self.item_cols)),
                    default=1)
        return lines * TITLE_PT * LINE_HEIGHT + 1.5 * PT_PER_MM

    def section(self, s_index: int, section: Section) -> SectionView:
        items = []
        seen_groups: set[int] = set()
        for i_index, (group, item) in enumerate(section.iter_items(), 1):
            banner = None
            if group is not None and id(group) not in seen_groups:
                seen_groups.add(id(group))
                banner = _banner(group)
            anchor = f"item-{s_index}-{i_index}"
            self.anchors[id(item)] = anchor
            items.append(self.item(item, anchor, banner))
        label = section_label(section, self.report.layout)
        label_mm = self.label_mm
        stripes = _stripes(self.item_cols, self.total_mm, label_mm, "section" in self.fields)
        # the label no taller than the section's items (nor than a page)
        content_pt = sum(self.item_pt(it) for it in items)
        cols, size = label_columns(label, label_mm, min(max(content_pt, 0.0), self.page_pt * LABEL_PAGE_SHARE))
        return SectionView(section.heading, label, items, stripes, cols, size, label_cap_pt(self.paper))

    def item_pt(self, it: ItemView) -> float:
        """Estimated printed height of an item with its banner."""
        extra = self.title_pt(it.heads) if it.title_row else 0.0
        extra += (TITLE_PT * LINE_HEIGHT + 1.6 * PT_PER_MM) if it.banner else 0.0
        return estimate_rows_pt(it.rows, self.item_cols, extra)

    # -- front matter -----------------------------------------------------------
    def cover(self) -> tuple[list[str], str | None, str | None]:
        r = self.report
        period = r.period_info
        if self.spec.cover == "kpi-summary":
            return [kpi_summary_title(r)], _date(r), r.organization
        if self.spec.cover == "quarterly":
            lines = [r.title]
            if period.kind != "annual":
                lines.append(f"({period.label(kanji=True)})")
            return lines, _date(r), r.organization if r.organization not in r.title else None
        return [report_heading(r)], _date(r), None

    def preface(self) -> list[tuple[str | None, list[BlockView]]]:
        out = []
        for block in self.report.preface:
            heading = block.heading
            body = content_view([_without_heading(block)], self.ctx)
            out.append((heading, body))
        return out

    def build(self) -> DocView:
        r = self.report
        body = self.spec.body_for(r.columns is not None)
        measures = None
        tracker = None
        sections = []
        if body == "measures":
            from .measures import build_measures

            measures = build_measures(self)  # sets the anchors 掲載ページ points at
        elif body == "tracker":
            from .tracker import build_tracker

            tracker = build_tracker(r, self.paper, self.ctx)
        else:  # the 分野 table (the KPI list's 掲載ページ point into it when it prints)
            sections = [self.section(i, s) for i, s in enumerate(r.sections, 1)]
        main = self.spec.main_table
        appendices: list[Appendix] = []
        names = list(r.appendix)
        if not main:
            names = ["kpi-summary"] + [n for n in names if n != "kpi-summary"]
        for name in names:
            if name == "kpi-summary":
                appendices.append(self.kpi_summary(with_pages=main))
            elif name == "mark-summary":
                appendices.append(self.mark_summary())
        title_lines, date, org_line = self.cover()
        return DocView(
            template=self.spec.template_for(r.columns is not None),
            layout=r.layout,
            style=self.style,
            paper=self.paper,
            font=self.font,
            meta_title=" ".join(title_lines),
            author=r.organization,
            title_lines=title_lines,
            date=date,
            org_line=org_line,
            preface=self.preface(),
            legend=legend_text(r),
            columns=self.columns,
            has_label="section" in self.fields,
            sections=sections,
            appendices=appendices,
            main_table=main,
            measures=measures,
            tracker=tracker,
            legend_position=legend_position(r),
            legend_heading=r.legend.heading if r.legend is not None else None,
            running_header=r.running_header,
            page_numbers=r.page_numbers or "n / N",
            subtitle=r.subtitle,
            footer=r.footer,
            approval_labels=list(r.approval.labels) if r.approval is not None else None,
        )

    # -- appendices -------------------------------------------------------------
    def kpi_summary(self, with_pages: bool) -> KpiSummaryView:
        r = self.report
        fy = r.fiscal_year
        this = f"{fy}（{short_fy_label(fy)}）"
        prev = f"{fy - 1}（{short_fy_label(fy - 1)}）" if fy - 1 >= 1873 else f"{fy - 1}"
        headers = ["施策", f"{this}年度 KPI", f"【参考】\n{prev}\n年度実績", f"{this}\n年度実績",
                   "達成状況", "担当\nグループ"]
        if with_pages:
            headers.append("掲載\nページ")
        sections = []
        for s in r.sections:
            items = []
            for group, item in s.iter_items():
                kpi_entries = [(i, e) for i, e in enumerate(item.entries) if e.kpi is not None]
                if not kpi_entries:
                    continue
                rows = []
                for k, (_i, e) in enumerate(kpi_entries):
                    assert e.kpi is not None
                    prefix = ""
                    if len(kpi_entries) > 1:
                        prefix = self.prefixes.get(id(e)) or entry_label(None, k)
                    rows.append(KpiRow(numbered(prefix, e.kpi.text), format_cell(e.kpi.prior, e.kpi.format)[0],
                                       format_cell(e.kpi.actual, e.kpi.format)[0], judgement(e.kpi)))
                title = number_text(item.number) + item.title
                owner = item.owner or (group.owner if group is not None else None) or ""  # the group's 担当
                items.append(KpiItem(title, owner, self.anchors.get(id(item)) if with_pages else None, rows))
            if items:
                number = "" if s.number is None else str(s.number)
                sections.append(KpiSection(f"{number}.{s.title}" if number else s.title, items))
        return KpiSummaryView(kpi_summary_title(r), headers, sections, with_pages)

    def mark_summary(self) -> MarkSummaryView:
        summary = count_marks(self.report)
        scale = summary.scale
        symbols = [s.symbol for s in scale.symbols]
        parts = [*summary.sections, summary.whole, summary.kpi]
        if scale.not_assessed and any(p.counts.get(scale.not_assessed) for p in parts):
            symbols.append(scale.not_assessed)
        show_unmarked = any(p.unmarked for p in parts)
        headers = ["区分", *symbols] + (["未記入"] if show_unmarked else []) + ["計"]
        rows = []
        for k, p in enumerate(parts):
            counts = [p.counts.get(sym, 0) for sym in symbols] + ([p.unmarked] if show_unmarked else [])
            cls = "section" if k < len(summary.sections) else ("whole" if p is summary.whole else "kpi")
            rows.append((p.label, counts, p.total, cls))
        return MarkSummaryView("実施状況の集計", scale.legend(), headers, rows)


_ENDS_ALNUM = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]$")


def number_text(number: str | int | None) -> str:
    """An item number as printed before its title: "（１）" as written, 1 → "1 "."""
    if number is None:
        return ""
    text = str(number)
    return text + " " if _ENDS_ALNUM.search(text) else text


def _without_heading(block: Block) -> Block:
    from dataclasses import replace

    return replace(block, heading=None)


def _banner(group: Group) -> str:
    return banner_text(group.title, group.owner)


def legend_position(report: Report) -> str:
    """Where the legend prints: as ``report.legend`` asks; else above the header
    in plan-status (seed 000) and nowhere in the other layouts (seed 002 has
    none; the tracker's legend is in its mark summary)."""
    if report.legend is not None:
        return report.legend.position
    return layout_spec(report.layout).legend


def legend_text(report: Report) -> str:
    """The legend as written in ``report.legend.text``, else built from the scale:
    "◎（計画を大幅に上回る）、…" above the header, "Ｓ：…　Ａ：…" at the foot."""
    legend = report.legend
    if legend is not None and legend.text is not None:
        return legend.text
    if legend is not None and legend.position == "foot":
        return "　".join(f"{s.symbol}：{s.label}" for s in report.marks.symbols)
    return report.marks.legend()


def _rank_text(entry: Entry) -> str:
    return kpi_rank_text(entry.kpi)


def _date(report: Report) -> str | None:
    return wareki_date(report.issued) if report.issued else None


def kpi_summary_title(report: Report) -> str:
    """"2023年度（令和5年度）ＫＰＩ達成状況について（一覧）"."""
    return f"{report.fiscal_year}年度（{fiscal_year_label(report.fiscal_year)}）ＫＰＩ達成状況について（一覧）"


def build_view(report: Report, *, paper: str = "A4", font: str = "gothic") -> DocView:
    """The view model of ``report`` for ``paper`` (A4 / A3) and ``font`` (gothic / mincho)."""
    paper_key = str(paper).upper()
    if paper_key not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    if font not in FONTS:
        raise ValueError(f"font must be one of {', '.join(FONTS)}, not {font!r}")
    return _Builder(report, paper_key, font).build()

