"""The tracker workbook (seed 004): a report as an Excel sheet people keep editing.

Why it looks the way it does
----------------------------
Offices keep the progress tracker as a living workbook: marks are changed from
a dropdown, status text is typed in, and the sheet is printed for the council.
So the workbook must (a) print like the original — landscape, one page wide,
the header repeated, the area label vertical, nothing cut off — and (b) stay a
real spreadsheet: numbers stay numbers with number formats, the mark summary is
live ``COUNTIF`` formulas, and text from the data can never turn into a formula.

Neither Excel (for merged cells) nor LibreOffice grows rows for wrapped text,
so every row height is computed here from the text, the column widths and the
font (East Asian wide characters count double).  Calibrated once against a
LibreOffice 7.4 PDF with BIZ UDゴシック (the font's ascent + descent is exactly
1 em, line gap 0):

* a column of width *w* prints 5.55·w pt wide in LibreOffice, (7w+5)·0.75 pt in
  Excel; the narrower is used for wrapping, less 4 pt of cell margin;
* wrapped lines are pitched at exactly 1.0 × the font size in LibreOffice;
  lines are counted at ``LINE_FACTOR`` = 1.1 × the size plus 4 pt per cell —
  10 % headroom for Excel, whose line pitch could not be measured here;
* stacked vertical text (textRotation 255) measured 0.93 em per character,
  sized at ``VERTICAL_FACTOR`` = 1.0 em.

Rows taller than Excel's 409 pt limit are split: long status text continues in
the next row(s), and blocks are filled with empty rows.  Manual page breaks
fall between entries, and the area label and item title are repeated on each
printed page (a merged cell prints its text only once).

The workbook carries the whole report as JSON in a very hidden sheet, plus the
exact texts written to each editable cell and helper columns that tag each row
with its role.  :mod:`reportgen.xlsx.read` lets the visible sheet decide what
exists and in which order and uses the JSON for what the sheet does not show,
so model → xlsx → model is lossless and every edit is read back or reported.
Totals are live formulas; the ``データ`` sheet is generated and protected.

Sheets
------
``進捗状況``  the printed tracker; ``データ``  one row per entry for machines
(no merged cells, numbers as numbers; generated, protected, edits reported);
``_reportgen``  very hidden payload.
"""

from __future__ import annotations

import datetime as _dt
import json
from copy import copy
import os
from ..core.textwidth import char_units as east_asian_units
from dataclasses import dataclass, field, replace
from typing import IO, Any, Iterator, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..core.errors import Problem, RenderError, ReportError
from ..model.grids import Grid, entry_label, series_grid
from ..model.kpi import judgement, target_text
from ..model.kpi import rank_text as kpi_rank_text
from ..model.marks import MarkScale
from ..model.report import (
    Block,
    BulletsBlock,
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
from ..core.output import atomic_target
from ..layouts.registry import layout_spec
from ..model.numbers import cell_format, excel_number_format, excel_value, format_value
from ..model.spans import SpanWalk
from ..model.wording import report_heading

__all__ = ["render_xlsx", "build_workbook", "entry_paths", "plain_text", "text_height", "MAIN_SHEET", "DATA_SHEET", "HIDDEN_SHEET"]

Paper = Literal["A3", "A4"]

MAIN_SHEET = "進捗状況"
DATA_SHEET = "データ"
HIDDEN_SHEET = "_reportgen"
PAYLOAD_MAGIC = "reportgen-tracker"
PAYLOAD_VERSION = 1
#: JSON is stored in cells of this many characters (Excel's limit is 32,767).
PAYLOAD_CHUNK = 30_000

FONT_NAME = "BIZ UDゴシック"
#: Excel's largest cell text and row height.
MAX_CELL_CHARS = 32_767
MAX_ROW_PT = 409.0
#: Rows are split before this height so Excel's rounding never hits the limit.
SPLIT_ROW_PT = 400.0

# Font sizes (pt) as in the Gunma workbook: body 9, embedded grids 8, the
# header and banners 10, the title 14, marks large enough to read at a glance.
SIZE_TITLE = 14.0
SIZE_HEADER = 10.0
SIZE_BANNER = 10.0
SIZE_AREA = 12.0
SIZE_BODY = 9.0
SIZE_GRID = 8.0
SIZE_MARK = 14.0

# Calibration (LibreOffice 7.4 PDF, BIZ UDゴシック): see the module docstring.
LINE_FACTOR = 1.1
VERTICAL_FACTOR = 1.0  # stacked characters measured at 0.93 em in LibreOffice
CELL_PAD_PT = 4.0      # top + bottom inner margin of a cell
WRAP_PAD_PT = 4.0      # left + right inner margin, subtracted from the width
#: Extra room under the last line of wrapped text, so it never touches the
#: cell's bottom border (LibreOffice sets the lines flush at the pad).
ROW_HEADROOM_PT = 3.0
_WIDTH_PT_LO = 5.55    # LibreOffice: points per character of column width
_WIDTH_PT_XL = 5.25    # Excel: (7w + 5) px × 0.75 = 5.25w + 3.75 pt

# Columns of the main sheet (1-based).
COL_AREA = 1
COL_NUMBER = 2
COL_TITLE = 3
COL_PLAN = 4
COL_PROGRESS = 5        # first of the progress grid columns
PROGRESS_SLOTS = 15     # corner label, 12 months, total, extra
COL_MARK = COL_PROGRESS + PROGRESS_SLOTS   # 20 = T
COL_RANK = COL_MARK + 1                    # 21 = U
COL_KPI_FLAG = COL_RANK + 1                # 22 = V (hidden): 1 on a KPI entry's first row
COL_ENTRY_ID = COL_KPI_FLAG + 1            # 23 = W (hidden): E<n> on an entry's first row
COL_ROLE = COL_ENTRY_ID + 1                # 24 = X (hidden): what the row holds
LAST_PRINTED_COL = COL_RANK

WIDTHS: dict[int, float] = {
    COL_AREA: 4.5, COL_NUMBER: 7, COL_TITLE: 18, COL_PLAN: 42,
    COL_PROGRESS: 12, **{COL_PROGRESS + k: 7.5 for k in range(1, 13)},
    COL_PROGRESS + 13: 8.5, COL_PROGRESS + 14: 8.5,
    COL_MARK: 9, COL_RANK: 14, COL_KPI_FLAG: 4, COL_ENTRY_ID: 6, COL_ROLE: 6,
}

HEADER = (
    (COL_AREA, COL_NUMBER, "項番"),
    (COL_TITLE, COL_TITLE, "事業"),
    (COL_PLAN, COL_PLAN, "実施(手段スケジュール)概要"),
    (COL_PROGRESS, COL_MARK - 1, "進捗状況(計画を下回る場合は、今後改善すべき点等)"),
    (COL_MARK, COL_MARK, "実施状況"),
    (COL_RANK, COL_RANK, "全国順位"),
)

# Row roles in the hidden COL_ROLE column; xlsx_read relies on them.
ROLE_TITLE = "title"
ROLE_PREFACE = "preface"
ROLE_SUBTITLE = "subtitle"   # report.subtitle under the title; never read back
ROLE_HEADER = "header"
ROLE_BANNER = "banner"
ROLE_GRID = "grid"          # prefix; a grid row is never read back
ROLE_FILLER = "fill"
ROLE_EMPTY_STATUS = "s-"
ROLE_SUMMARY = "summary"
ROLE_GAP = "gap"
#: Status text rows are "s<block>" (body), "s<block>h" (heading), "s<block>c"
#: (table caption), with "~<k>" appended for the k-th continuation chunk.

DATA_HEADER = (
    "分野番号", "分野", "グループ", "担当", "項番", "事業", "枝番", "計画", "実施状況", "評価",
    "KPI", "KPI目標", "前年度実績", "実績", "達成状況", "全国順位", "前月順位",
)

_FORMULA_START = ("=", "+", "-", "@")
_NO_LINE_START = set("、。，．・：；？！゛゜ヽヾゝゞ々ー）］｝〕〉》」』】〙〗〟’”｠»ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.:;!?)]}%％")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


# --------------------------------------------------------------------------
# Measuring text
# --------------------------------------------------------------------------

def char_units(ch: str) -> int:
    """Width of one character in half-width units.

    Wide (W), full-width (F) and ambiguous (A) characters count 2: in a
    Japanese font ○ ◎ △ × ※ ① are full width, and guessing too wide only costs
    a little white space, while too narrow cuts printed text off.
    """
    return east_asian_units(ch)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "._/:-%,")


def wrap_lines(text: str, width_units: int) -> list[str]:
    """Lines of ``text`` wrapped at ``width_units`` half-width units.

    Mimics the spreadsheet's line breaking closely enough for sizing: runs of
    ASCII letters/digits (URLs, 2,974件) move to the next line as a whole, and
    a line never starts with closing punctuation or small kana (kinsoku).
    """
    width_units = max(width_units, 2)
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        used = 0
        i = 0
        while i < len(paragraph):
            j = i + 1
            if _is_word_char(paragraph[i]):
                while j < len(paragraph) and _is_word_char(paragraph[j]):
                    j += 1
            token = paragraph[i:j]
            i = j
            w = sum(char_units(c) for c in token)
            if used + w > width_units and line:
                if token[0] in _NO_LINE_START and len(line) > 1:
                    token = line[-1] + token
                    line = line[:-1]
                    w = sum(char_units(c) for c in token)
                out.append(line)
                line, used = "", 0
            for ch in token:  # a word longer than a line breaks anywhere
                cw = char_units(ch)
                if used + cw > width_units and line:
                    out.append(line)
                    line, used = "", 0
                line += ch
                used += cw
        out.append(line)
    return out


def column_points(width_chars: float) -> float:
    """Printed width of a column, the narrower of Excel's and LibreOffice's."""
    return min(_WIDTH_PT_LO * width_chars, _WIDTH_PT_XL * width_chars + 3.75)


def span_points(first: int, last: int) -> float:
    return sum(column_points(WIDTHS[c]) for c in range(first, last + 1))


def line_pitch(size: float) -> float:
    return size * LINE_FACTOR


def text_lines(text: str, width_pt: float, size: float) -> int:
    units = int((width_pt - WRAP_PAD_PT) / (size / 2))
    return len(wrap_lines(text, units))


def text_height(text: str, width_pt: float, size: float) -> float:
    """Row height (pt) that shows ``text`` wrapped in a cell ``width_pt`` wide."""
    return text_lines(text, width_pt, size) * line_pitch(size) + CELL_PAD_PT + ROW_HEADROOM_PT


def vertical_height(text: str, size: float) -> float:
    """Height of stacked vertical text (textRotation 255): one character a line."""
    return len(text) * size * VERTICAL_FACTOR + CELL_PAD_PT * 2


def _split_for_rows(text: str, width_pt: float, size: float) -> tuple[list[str], list[str]]:
    """Split text so that no piece needs more than one row's height.

    Returns the chunks and the separators between them ("\\n" when the split
    fell on a line break, "" inside a paragraph), which xlsx_read uses to glue
    the chunks back together.
    """
    if text_height(text, width_pt, size) <= SPLIT_ROW_PT:
        return [text], []
    units = int((width_pt - WRAP_PAD_PT) / (size / 2))
    per_row = max(1, int((SPLIT_ROW_PT - CELL_PAD_PT) / line_pitch(size)))
    chunks: list[str] = []
    seps: list[str] = []
    current: list[str] = []   # (wrapped) lines of the current chunk
    joins: list[str] = []     # joiner before each line of current (first unused)
    for p_index, paragraph in enumerate(text.split("\n")):
        for l_index, line in enumerate(wrap_lines(paragraph, units)):
            joiner = "" if l_index else "\n"
            if len(current) == per_row:
                chunks.append(_join(current, joins))
                seps.append(joiner if (p_index or l_index) else "\n")
                current, joins = [], []
            current.append(line)
            joins.append(joiner)
    chunks.append(_join(current, joins))
    return chunks, seps


def _join(lines: list[str], joins: list[str]) -> str:
    out = lines[0] if lines else ""
    for line, joiner in zip(lines[1:], joins[1:]):
        out += joiner + line
    return out


# --------------------------------------------------------------------------
# Plain text of content (for the plan cell, データ and text rows)
# --------------------------------------------------------------------------

def _cell_value(cell: Any) -> tuple[Any, str | None]:
    if isinstance(cell, TableCell):
        return cell.value, cell.format
    return cell, None


def table_lines(table: Table) -> list[str]:
    """A table as text lines, cells joined by "｜" and formatted as printed."""
    lines = [table.caption] if table.caption else []
    for r, row in enumerate([*table.header, *table.rows]):
        header = r < len(table.header)
        texts = []
        for c, raw in enumerate(row):
            value, fmt = _cell_value(raw)
            fmt = fmt or (None if header or not table.formats or c >= len(table.formats) else table.formats[c])
            texts.append(format_value(value, cell_format(value, fmt or "text")).replace("\n", ""))
        lines.append("｜".join(texts))
    return lines


def series_lines(grid: Grid) -> list[str]:
    """A series grid as text: one line per row, "4月 100％、5月 …、計 100％"."""
    lines = [grid.corner]
    for row in grid.rows:
        parts = [f"{label} {format_value(v, grid.format)}" for label, v in zip(grid.columns, row.values)
                 if v is not None]
        if grid.total_label and row.total is not None:
            parts.append(f"{grid.total_label} {format_value(row.total, grid.format)}")
        if grid.extra_label and row.extra is not None:
            parts.append(f"{grid.extra_label} {format_value(row.extra, grid.format)}")
        lines.append(f"{row.label}：" + "、".join(parts))
    return lines


def block_text(block: Block, reached: int = 12) -> str:
    """One block as plain text (headings on their own line)."""
    lines = [block.heading] if block.heading else []
    if isinstance(block, TextBlock):
        if block.text:
            lines.append(block.text)
    elif isinstance(block, NoteBlock):
        lines.append("※" + block.text)
    elif isinstance(block, BulletsBlock):
        lines.extend(block.bullet + item for item in block.items)
    elif isinstance(block, TableBlock):
        lines.extend(table_lines(block.table))
    elif isinstance(block, SeriesBlock):
        lines.extend(series_lines(series_grid(block.series, reached)))
    return "\n".join(lines)


def plain_text(content: Content | None, reached: int = 12) -> str:
    """Content as the plain text a cell shows: blocks separated by line breaks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(block_text(b, reached) for b in content)


# --------------------------------------------------------------------------
# Layout: the sheet as rows before anything is written
# --------------------------------------------------------------------------

@dataclass
class CellSpec:
    """A cell (or horizontal run of merged cells) of one row."""

    col: int
    value: Any
    style: str
    last_col: int | None = None
    number_format: str | None = None
    #: Where the value comes from in the entry's content, for xlsx_read:
    #: ("label", row), ("value", row, k), ("total", row), ("extra", row),
    #: ("corner",), ("total_label",) of a series; ("th"|"td", row, cell) of a table.
    source: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class RowFormula:
    """A formula over cells of its own row, written once the row number is known.

    Only code creates these (never data), so text from a report can never
    become a formula; ``template`` holds ``{r}`` for the row number.
    """

    template: str

    def formula(self, r: int) -> str:
        return self.template.replace("{r}", str(r))


@dataclass
class Row:
    height: float
    cells: list[CellSpec] = field(default_factory=list)
    role: str = ""
    entry_id: str = ""
    kpi_flag: int | None = None
    growable: bool = False      # a wrapped-text row may grow to make room


@dataclass
class VSpan:
    """A cell merged down over rows ``first``..``last`` (indices into rows)."""

    col: int
    first: int
    last: int
    value: Any
    style: str
    last_col: int | None = None


@dataclass
class Written:
    """What was written into the editable cells of one entry (for xlsx_read)."""

    plan: str
    prefix: str
    kpi_line: str
    pieces: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Layout:
    rows: list[Row] = field(default_factory=list)
    spans: list[VSpan] = field(default_factory=list)
    written: dict[str, Written] = field(default_factory=dict)
    unit_starts: list[int] = field(default_factory=list)  # where a page may break (entry/banner starts)
    charts: list[ChartPlan] = field(default_factory=list)


#: Height of the empty row a native chart is drawn over, under its grid.
CHART_ROW_PT = 170.0
#: Inset of a chart inside its row, in points.
CHART_INSET_PT = 3.0


@dataclass
class ChartPlan:
    """A native chart drawn over ``anchor`` (an empty row under the grid it plots).

    ``grid`` holds the grid's rows (header first); the chart's series refer to
    their cells, so the chart follows edits made in the workbook.
    """

    series: Series
    grid: list[Row]
    anchor: Row
    title: str
    target: tuple[float, str] | None = None


def _text_cell(col: int, last: int, text: str, style: str = "rg.text") -> CellSpec:
    return CellSpec(col, text, style, last)


def _text_rows(text: str, role: str, style: str, size: float) -> tuple[list[Row], list[str]]:
    """Rows of a wrapped text in the progress area, split under the row limit."""
    width = span_points(COL_PROGRESS, COL_MARK - 1)
    chunks, seps = _split_for_rows(text, width, size)
    rows = []
    for k, chunk in enumerate(chunks):
        r = Row(text_height(chunk, width, size), [_text_cell(COL_PROGRESS, COL_MARK - 1, chunk, style)],
                role=role + (f"~{k}" if k else ""), growable=True)
        rows.append(r)
    return rows, seps


def _slot_cols(n: int) -> list[tuple[int, int]] | None:
    """Sheet columns for an n-column table spread over the progress slots.

    The first (label) column takes the remainder so labels get the room.
    """
    if n < 1 or n > PROGRESS_SLOTS:
        return None
    base, rem = divmod(PROGRESS_SLOTS, n)
    out = []
    col = COL_PROGRESS
    for i in range(n):
        w = base + (rem if i == 0 else 0)
        out.append((col, col + w - 1))
        col += w
    return out


def _series_cols(grid: Grid) -> list[tuple[int, int]]:
    """Columns of corner, values, total and extra for a series grid."""
    cols = [(COL_PROGRESS, COL_PROGRESS)]
    n = len(grid.columns)
    step = 12 // n if n and 12 % n == 0 else 1
    for k in range(n):
        first = COL_PROGRESS + 1 + k * step
        cols.append((first, first + step - 1))
    return cols


def _grid_cell(col: int, last: int, value: Any, fmt: str | None, header: bool) -> CellSpec:
    if header:
        return CellSpec(col, "" if value is None else (value if isinstance(value, str) else value),
                        "rg.grid.head", last)
    if fmt is None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return CellSpec(col, value, "rg.grid.num", last, "General")
        return CellSpec(col, value, "rg.grid.label", last)
    fmt = str(cell_format(value, fmt))
    stored = excel_value(value, fmt)
    if isinstance(stored, str) or stored is None:
        return CellSpec(col, stored, "rg.grid.label" if col == COL_PROGRESS else "rg.grid.center", last)
    return CellSpec(col, stored, "rg.grid.num", last, excel_number_format(fmt))


def _row_height(cells: list[CellSpec], size: float) -> float:
    best = line_pitch(size) + CELL_PAD_PT
    for c in cells:
        if isinstance(c.value, str) and c.value:
            best = max(best, text_height(c.value, span_points(c.col, c.last_col or c.col), size))
    return min(best, MAX_ROW_PT)


def total_formula(how: str, first_col: int, last_col: int) -> RowFormula | None:
    """The live 計/平均/累計 formula over a row's month cells (blank while no month has a value)."""
    rng = f"{get_column_letter(first_col)}{{r}}:{get_column_letter(last_col)}{{r}}"
    body = {"sum": f"SUM({rng})", "mean": f"AVERAGE({rng})",
            "last": f"LOOKUP(9.99999999999999E+307,{rng})"}.get(how)
    return None if body is None else RowFormula(f'=IF(COUNT({rng})=0,"",{body})')


def _series_rows(series: Series, reached: int, role: str) -> list[Row]:
    grid = series_grid(series, reached)
    cols = _series_cols(grid)
    # Without an extra column the total takes both last slots: no empty
    # bordered column after 計.
    total_col = (COL_MARK - 2, COL_MARK - 2) if grid.extra_label else (COL_MARK - 2, COL_MARK - 1)
    extra_col = (COL_MARK - 1, COL_MARK - 1)
    head = [replace(_grid_cell(*cols[0], grid.corner, None, True), source=("corner",))]
    head += [_grid_cell(*cols[k + 1], label, None, True) for k, label in enumerate(grid.columns)]
    head += [replace(_grid_cell(*total_col, grid.total_label or "", None, True), source=("total_label",))]
    if grid.extra_label:
        head += [_grid_cell(*extra_col, grid.extra_label, None, True)]
    rows = [Row(_row_height(head, SIZE_GRID), head, role=role)]
    month_first, month_last = cols[1][0], cols[-1][1]
    for i, r in enumerate(grid.rows):
        cells = [replace(_grid_cell(*cols[0], r.label, None, False), source=("label", i))]
        cells += [replace(_grid_cell(*cols[k + 1], v, grid.format, False), source=("value", i, k))
                  for k, v in enumerate(r.values)]
        total = replace(_grid_cell(*total_col, r.total, grid.format, False), source=("total", i))
        formula = total_formula(r.how, month_first, month_last) if len(cols) > 1 else None
        if formula is not None:
            total = CellSpec(total_col[0], formula, "rg.grid.num", total_col[1],
                             excel_number_format(grid.format), ("total", i))
        cells.append(total)
        if grid.extra_label:
            cells.append(replace(_grid_cell(*extra_col, r.extra, grid.format, False), source=("extra", i)))
        rows.append(Row(_row_height(cells, SIZE_GRID), cells, role=role))
    return rows


def _table_width(table: Table) -> int:
    width = 0
    for row in [*table.header, *table.rows][:1]:
        width = sum((c.span[1] if isinstance(c, TableCell) else 1) for c in row)
    return width


def _table_rows(table: Table, role: str) -> list[Row] | None:
    """A table as grid rows, or None when it has more columns than slots."""
    slots = _slot_cols(_table_width(table))
    if slots is None:
        return None
    rows: list[Row] = []
    walks = {True: SpanWalk(), False: SpanWalk()}  # header and body: separate row groups, as in the PDF
    for r, raw_row in enumerate([*table.header, *table.rows]):
        header = r < len(table.header)
        spans = [raw.span if isinstance(raw, TableCell) else (1, 1) for raw in raw_row]
        starts, _width = walks[header].row(spans)
        cells: list[CellSpec] = []
        for raw, col, (_rs, cs) in zip(raw_row, starts, spans):
            value, fmt = _cell_value(raw)
            if not header and fmt is None and table.formats and col < len(table.formats):
                fmt = table.formats[col]
            last = min(col + cs - 1, len(slots) - 1)
            if col < len(slots):
                cells.append(replace(_grid_cell(slots[col][0], slots[last][1], value, fmt, header),
                                     source=("th" if header else "td", r if header else r - len(table.header),
                                             len(cells))))
        rows.append(Row(_row_height(cells, SIZE_GRID), cells, role=role))
    return rows


def _fill_gaps(row: Row) -> None:
    """Give a grid row bordered empty cells where it has none, so the grid
    reads as one box across the whole progress area."""
    used: set[int] = set()
    for c in row.cells:
        used.update(range(c.col, (c.last_col or c.col) + 1))
    for col in range(COL_PROGRESS, COL_MARK):
        if col not in used:
            row.cells.append(CellSpec(col, None, "rg.grid.label"))


class _Builder:
    """Turns a report into a Layout (rows, merged spans, written texts)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.reached = report.months_reached
        self.out = Layout()
        self.entry_no = 0
        self.item: Item | None = None   # the item being laid out (chart titles)

    # -- status pieces ------------------------------------------------------
    def status_rows(self, entry: Entry, written: Written) -> list[Row]:
        rows: list[Row] = []
        for index, block in enumerate(blocks_of(entry.status)):
            rows.extend(self.block_rows(block, index, written))
        if entry.kpi is not None and entry.kpi.series is not None:
            grid = _series_rows(entry.kpi.series, self.reached, f"{ROLE_GRID}k")
            rows.extend(grid + self.chart_rows(entry.kpi.series, grid, f"{ROLE_GRID}k", kpi=entry.kpi))
        if not rows:
            rows.append(Row(line_pitch(SIZE_BODY) + CELL_PAD_PT,
                            [_text_cell(COL_PROGRESS, COL_MARK - 1, "")], role=ROLE_EMPTY_STATUS, growable=True))
        for r in rows:
            if r.role.startswith(ROLE_GRID):
                _fill_gaps(r)
        return rows

    def text_piece(self, text: str, role: str, written: Written, style: str = "rg.text") -> list[Row]:
        rows, seps = _text_rows(text, role, style, SIZE_BODY)
        written.pieces[role] = {"text": text, "seps": seps}
        return rows

    def block_rows(self, block: Block, index: int, written: Written) -> list[Row]:
        role = f"s{index}"
        rows: list[Row] = []
        if block.heading:
            rows += self.text_piece(block.heading, role + "h", written, "rg.text.bold")
        if isinstance(block, (TextBlock, NoteBlock, BulletsBlock)):
            text = block_text(replace(block, heading=None), self.reached)
            if text or not block.heading:
                rows += self.text_piece(text, role, written)
        elif isinstance(block, TableBlock):
            if block.table.caption:
                rows += self.text_piece(block.table.caption, role + "c", written)
            grid = _table_rows(block.table, f"{ROLE_GRID}{index}")
            if grid is None:  # wider than the sheet: print it as text lines
                lines = table_lines(Table(block.table.header, block.table.rows, None, block.table.formats))
                rows += [r for r in _text_rows("\n".join(lines), f"{ROLE_GRID}{index}", "rg.text", SIZE_GRID)[0]]
            else:
                rows += grid
        elif isinstance(block, SeriesBlock):
            grid = _series_rows(block.series, self.reached, f"{ROLE_GRID}{index}")
            rows += grid + self.chart_rows(block.series, grid, f"{ROLE_GRID}{index}", heading=block.heading)
        return rows

    def chart_rows(self, series: Series, grid: list[Row], role: str, *, heading: str | None = None,
                   kpi: Any = None) -> list[Row]:
        """The row a native chart of ``series`` is drawn over (none unless ``chart`` is set)."""
        if series.chart is None:
            return []
        from ..layouts.charts import excel_chart_title, excel_kpi_target

        title = excel_chart_title(series, item_title=self.item.title if self.item else "", heading=heading, kpi=kpi)
        target = excel_kpi_target(kpi, series) if kpi is not None else None
        if target is None:
            anchor = Row(CHART_ROW_PT, [CellSpec(COL_PROGRESS, None, "rg.text", COL_MARK - 1)], role=role)
        else:
            # The target under every month, in cells the chart covers: LibreOffice
            # ignores literal chart values, and a person moving the chart sees
            # (and may edit) a labelled 目標 row.
            value_cols = [first for first, _last in _series_cols(series_grid(series, 12))[1:]]
            fmt = excel_number_format(series.format)
            cells = [CellSpec(COL_PROGRESS, target[1], "rg.grid.label")]
            cells += [CellSpec(c, target[0], "rg.grid.num", None, fmt) for c in value_cols]
            anchor = Row(CHART_ROW_PT, cells, role=role)
            _fill_gaps(anchor)
        self.out.charts.append(ChartPlan(series, grid, anchor, title, target))
        return [anchor]

    # -- entries, items, sections --------------------------------------------
    def plan_text(self, item: Item, index: int, entry: Entry) -> Written:
        prefix = ""
        if entry.number is not None:
            prefix = str(entry.number)
        elif layout_spec(self.report.layout).numbered_entries and len(item.entries) > 1:
            prefix = entry_label(None, index)
        body = plain_text(entry.plan, self.reached)
        kpi_line = ""
        if entry.kpi is not None and not body.lstrip().startswith("【KPI】"):
            kpi_line = ("\n" if body else "") + "【KPI】" + entry.kpi.text
        return Written(prefix + body + kpi_line, prefix, kpi_line)

    def entry(self, item: Item, index: int, entry: Entry) -> None:
        self.item = item
        entry_id = f"E{self.entry_no}"
        self.entry_no += 1
        written = self.plan_text(item, index, entry)
        self.out.written[entry_id] = written
        first = len(self.out.rows)
        rows = self.status_rows(entry, written)
        rows[0].entry_id = entry_id
        rows[0].kpi_flag = 1 if entry.kpi is not None else 0
        self.out.rows.extend(rows)
        need = max(
            text_height(written.plan, span_points(COL_PLAN, COL_PLAN), SIZE_BODY),
            line_pitch(SIZE_MARK) + CELL_PAD_PT,
            text_height(rank_text(entry), span_points(COL_RANK, COL_RANK), SIZE_BODY),
        )
        self.ensure(first, need)

    def ensure(self, first: int, need: float) -> None:
        """Make rows[first:] at least ``need`` points tall in total.

        The missing height is spread evenly over the block's text rows (they
        are top-aligned, so the room reads as white space under the text), or
        over all rows when the block is only grids; what the 409 pt row limit
        leaves over goes into empty filler rows.
        """
        rows = self.out.rows
        block = rows[first:]
        deficit = need - sum(r.height for r in block)
        if deficit <= 0.01:
            return
        prefer = any(r.growable for r in block)
        room = [SPLIT_ROW_PT - r.height if (r.growable or not prefer) else 0.0 for r in block]
        while deficit > 0.01 and any(x > 0.01 for x in room):
            open_rows = [k for k, x in enumerate(room) if x > 0.01]
            share = deficit / len(open_rows)
            for k in open_rows:
                grow = min(share, room[k])
                block[k].height += grow
                room[k] -= grow
                deficit -= grow
        while deficit > 0.01:
            h = min(max(deficit, line_pitch(SIZE_BODY) + CELL_PAD_PT), SPLIT_ROW_PT)
            rows.append(Row(h, [_text_cell(COL_PROGRESS, COL_MARK - 1, "")], role=ROLE_FILLER, growable=True))
            deficit -= h

    def section(self, s_index: int, section: Section) -> None:
        rows = self.out.rows
        first = len(rows)
        items: list[tuple[int, Item, Group | None]] = []
        boundaries: list[tuple[int, str, Any]] = []
        current_group: Group | None = None
        for group, item in section.iter_items():
            if group is not None and group is not current_group:
                boundaries.append((len(rows), "banner", group))
                rows.append(self.banner(group))
            current_group = group
            item_first = len(rows)
            for e_index, entry in enumerate(item.entries):
                boundaries.append((len(rows), "entry", entry))
                self.entry(item, e_index, entry)
            if not item.entries:   # an item without entries still prints its title
                boundaries.append((len(rows), "entry", None))
                rows.append(Row(line_pitch(SIZE_BODY) + CELL_PAD_PT,
                                [_text_cell(COL_PROGRESS, COL_MARK - 1, "")], role=ROLE_FILLER, growable=True))
            self.ensure(item_first, max(
                text_height(item_title(item, group), span_points(COL_TITLE, COL_TITLE), SIZE_BODY),
                text_height(_number_text(item.number), span_points(COL_NUMBER, COL_NUMBER), SIZE_BODY),
            ))
            items.append((item_first, item, group))
        if len(rows) == first:
            self.out.unit_starts.append(first)
            rows.append(Row(line_pitch(SIZE_BODY) + CELL_PAD_PT, role=ROLE_FILLER, growable=True))
        self.ensure(first, vertical_height(section.heading, SIZE_AREA))
        self.register_spans(first, section, items, boundaries)

    def register_spans(self, first: int, section: Section, items: list[tuple[int, Item, Group | None]],
                       boundaries: list[tuple[int, str, Any]]) -> None:
        end = len(self.out.rows)
        starts = [b[0] for b in boundaries] + [end]
        for k, (start, kind, _obj) in enumerate(boundaries):
            if k == 0 or boundaries[k - 1][1] != "banner" or boundaries[k - 1][0] != start - 1:
                self.out.unit_starts.append(start)
        spans = self.out.spans
        spans.append(VSpan(COL_AREA, first, end - 1, section.heading, "rg.area"))
        entry_ends: dict[int, int] = {}
        for k, (start, kind, entry) in enumerate(boundaries):
            if kind != "entry":
                continue
            last = starts[k + 1] - 1
            entry_ends[start] = last
            if entry is None:
                continue
            written = self.out.written[self.out.rows[start].entry_id]
            spans.append(VSpan(COL_PLAN, start, last, written.plan, "rg.text"))
            spans.append(VSpan(COL_MARK, start, last, entry.mark or "", "rg.mark"))
            spans.append(VSpan(COL_RANK, start, last, rank_text(entry), "rg.center"))
        for k, (item_first, item, group) in enumerate(items):
            item_last = max(e for s, e in entry_ends.items() if s >= item_first and
                            (k + 1 == len(items) or s < items[k + 1][0]))
            spans.append(VSpan(COL_NUMBER, item_first, item_last, _number_text(item.number), "rg.center"))
            spans.append(VSpan(COL_TITLE, item_first, item_last, item_title(item, group), "rg.text"))

    def banner(self, group: Group) -> Row:
        text = banner_text(group)
        cell = CellSpec(COL_NUMBER, text, "rg.banner", LAST_PRINTED_COL)
        return Row(text_height(text, span_points(COL_NUMBER, LAST_PRINTED_COL), SIZE_BANNER), [cell],
                   role=ROLE_BANNER)

    def build(self) -> Layout:
        for s_index, section in enumerate(self.report.sections):
            self.section(s_index, section)
        return self.out


def build_layout(report: Report) -> Layout:
    """The rows the workbook gets for ``report`` (xlsx_read compares the sheet with them)."""
    return _Builder(report).build()


def banner_text(group: Group) -> str:
    return "〇" + group.title + (f"({group.owner})" if group.owner else "")


def _number_text(number: str | int | None) -> str:
    return "" if number is None else str(number)


def item_title(item: Item, group: Group | None) -> str:
    """事業 cell: title, then 【tags】, labels and the owner when no banner names it."""
    lines = [item.title]
    if item.tags:
        lines.append("".join(f"【{t}】" for t in item.tags))
    lines.extend(item.labels)
    if item.owner and (group is None or group.owner != item.owner):
        lines.append(f"（{item.owner}）")
    return "\n".join(lines)


def number_text(number: str | int | None) -> str:
    """項番 cell text as written."""
    return _number_text(number)


def rank_text(entry: Entry) -> str:
    return kpi_rank_text(entry.kpi)


# --------------------------------------------------------------------------
# Checks before writing
# --------------------------------------------------------------------------

def _walk_strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk_strings(v, f"{path}[{i}]")


def entry_paths(report: Report) -> Iterator[tuple[str, Item, int, Entry]]:
    for s, section in enumerate(report.sections):
        for i, item in enumerate(section.items):
            for e, entry in enumerate(item.entries):
                yield f"sections[{s}].items[{i}].entries[{e}]", item, e, entry
        for g, group in enumerate(section.groups):
            for i, item in enumerate(group.items):
                for e, entry in enumerate(item.entries):
                    yield f"sections[{s}].groups[{g}].items[{i}].entries[{e}]", item, e, entry


def check_cell_lengths(report: Report, source: str) -> None:
    """Refuse text Excel would cut off silently (over 32,767 characters).

    Checked on the data and on the combined texts the workbook writes (the
    plan with its KPI line, the whole status in データ), before any file is
    touched, naming the field so the user knows what to shorten.
    """
    problems: list[Problem] = []
    reached = report.months_reached

    def too_long(path: str, text: str) -> None:
        if len(text) > MAX_CELL_CHARS:
            problems.append(Problem(source, None, path,
                                    f"text of {len(text):,} characters; an Excel cell holds at most "
                                    f"{MAX_CELL_CHARS:,}"))

    for path, text in _walk_strings(report.to_dict(), ""):
        too_long(path, text)
    flagged = [p.path for p in problems]
    builder = _Builder(report)
    for path, item, index, entry in entry_paths(report):
        for name, text in (("plan", builder.plan_text(item, index, entry).plan),
                           ("status", plain_text(entry.status, reached))):
            where = f"{path}.{name}"
            if not any(p == where or p.startswith((where + ".", where + "[")) for p in flagged):
                too_long(where, text)
    if problems:
        raise ReportError(problems)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def _font(size: float, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def _named_styles() -> list[NamedStyle]:
    """Every look the sheets use, registered once (fast, and tidy for users)."""
    wrap_top = Alignment(wrap_text=True, vertical="top", horizontal="left")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    banner_fill = PatternFill("solid", fgColor="EDEDED")
    grid_fill = PatternFill("solid", fgColor="F2F2F2")
    specs = {
        "rg.title": (_font(SIZE_TITLE, True), Alignment(vertical="center"), None, None),
        "rg.issued": (_font(SIZE_BODY), Alignment(vertical="center", horizontal="right"), None, None),
        "rg.preface": (_font(SIZE_BODY), wrap_top, None, None),
        "rg.preface.bold": (_font(SIZE_BODY, True), wrap_top, None, None),
        "rg.header": (_font(SIZE_HEADER, True), center, _BORDER, header_fill),
        "rg.banner": (_font(SIZE_BANNER, True), Alignment(vertical="center", wrap_text=True), _BORDER, banner_fill),
        "rg.area": (_font(SIZE_AREA, True),
                    Alignment(textRotation=255, vertical="top", horizontal="center", shrink_to_fit=True),
                    _BORDER, None),
        "rg.text": (_font(SIZE_BODY), wrap_top, _BORDER, None),
        "rg.text.bold": (_font(SIZE_BODY, True), wrap_top, _BORDER, None),
        "rg.center": (_font(SIZE_BODY), Alignment(wrap_text=True, vertical="top", horizontal="center"), _BORDER, None),
        "rg.mark": (_font(SIZE_MARK), Alignment(vertical="center", horizontal="center"), _BORDER, None),
        "rg.grid.head": (_font(SIZE_GRID), center, _BORDER, grid_fill),
        "rg.grid.label": (_font(SIZE_GRID), Alignment(wrap_text=True, vertical="center"), _BORDER, None),
        "rg.grid.center": (_font(SIZE_GRID), Alignment(vertical="center", horizontal="center", shrink_to_fit=True),
                           _BORDER, None),
        "rg.grid.num": (_font(SIZE_GRID), Alignment(vertical="center", horizontal="right", shrink_to_fit=True),
                        _BORDER, None),
        "rg.sum.label": (_font(SIZE_BODY, True), center, _BORDER, header_fill),
        "rg.sum.mark": (_font(SIZE_BODY), center, _BORDER, None),
        "rg.sum.count": (_font(SIZE_BODY), Alignment(vertical="center", horizontal="center"), _BORDER, None),
        "rg.sum.legend": (_font(SIZE_BODY), Alignment(vertical="center", wrap_text=True), _BORDER, None),
        "rg.data.head": (_font(SIZE_BODY, True), Alignment(vertical="top", wrap_text=True), None, header_fill),
        "rg.data": (_font(SIZE_BODY), Alignment(vertical="top"), None, None),
        "rg.data.wrap": (_font(SIZE_BODY), Alignment(vertical="top", wrap_text=True), None, None),
        "rg.hidden": (Font(size=8), Alignment(), None, None),
    }
    out = []
    for name, (font, align, border, fill) in specs.items():
        ns = NamedStyle(name=name, font=font, alignment=align)
        if border is not None:
            ns.border = border
        if fill is not None:
            ns.fill = fill
        out.append(ns)
    return out


def put(cell: XlCell, value: Any, number_format: str | None = None) -> None:
    """Store a value; text always stays text.

    openpyxl turns "=…" into a formula and "#N/A" into an error cell; forcing
    the string type (and quotePrefix, so Excel keeps it text when the cell is
    edited) means data can never inject a formula such as =HYPERLINK(…).
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    elif number_format is not None:
        cell.number_format = number_format


def merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge a range whose top-left cell is already styled.

    openpyxl's merge_cells checks every existing range (quadratic) and
    re-derives edge borders cell by cell; the cells here all carry the same
    named style, so each covered cell just gets a copy of the top-left's style.
    """
    top = ws.cell(first_row, first_col)
    rng = MergedCellRange(ws, f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}")
    ws.merged_cells.ranges.add(rng)
    for r in range(first_row, last_row + 1):
        for c in range(first_col, last_col + 1):
            if (r, c) != (first_row, first_col):
                cell = MergedCell(ws, r, c)
                cell._style = copy(top._style)
                ws._cells[(r, c)] = cell


def _write_spec(ws: Worksheet, r: int, spec: CellSpec) -> None:
    cell = ws.cell(r, spec.col)
    cell.style = spec.style
    if isinstance(spec.value, RowFormula):
        cell.value = spec.value.formula(r)
        if spec.number_format is not None:
            cell.number_format = spec.number_format
    else:
        put(cell, spec.value, spec.number_format)
    last = spec.last_col or spec.col
    if last > spec.col:
        merge(ws, r, spec.col, r, last)


def _write_vspan(ws: Worksheet, first: int, last: int, span: VSpan) -> None:
    cell = ws.cell(first, span.col)
    cell.style = span.style
    put(cell, span.value)
    end_col = span.last_col or span.col
    if last > first or end_col > span.col:
        merge(ws, first, span.col, last, end_col)


def _setup_page(ws: Worksheet, paper: Paper, header_row: int, last_row: int, footer: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.25, footer=0.25)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(LAST_PRINTED_COL)}{last_row}"
    ws.oddFooter.center.text = "&P / &N"
    if footer:  # report.footer; '&' starts an Excel header code, '&&' prints one
        ws.oddFooter.left.text = footer.replace("&", "&&")
    ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate


def _write_top(ws: Worksheet, report: Report) -> int:
    """Title, issue date and preface; returns the header row number."""
    ws.cell(1, COL_AREA).style = "rg.title"
    put(ws.cell(1, COL_AREA), report_heading(report))
    merge(ws, 1, COL_AREA, 1, COL_MARK - 1)
    if report.issued is not None:
        from ..model.calendar import wareki_date

        cell = ws.cell(1, COL_MARK)
        cell.style = "rg.issued"
        put(cell, wareki_date(report.issued))
        merge(ws, 1, COL_MARK, 1, COL_RANK)
    ws.row_dimensions[1].height = line_pitch(SIZE_TITLE) + CELL_PAD_PT * 2
    ws.cell(1, COL_ROLE).value = ROLE_TITLE
    r = 2
    if report.subtitle:
        cell = ws.cell(r, COL_AREA)
        cell.style = "rg.preface"
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)  # under the title, as in the tracker PDF
        put(cell, report.subtitle)
        merge(ws, r, COL_AREA, r, LAST_PRINTED_COL)
        ws.row_dimensions[r].height = min(text_height(report.subtitle, span_points(COL_AREA, LAST_PRINTED_COL), SIZE_BODY),
                                          MAX_ROW_PT)
        ws.cell(r, COL_ROLE).value = ROLE_SUBTITLE
        r += 1
    width = span_points(COL_AREA, LAST_PRINTED_COL)
    for block in report.preface:
        for text, style in ((block.heading, "rg.preface.bold"),
                            (block_text(replace(block, heading=None)), "rg.preface")):
            if not text:
                continue
            cell = ws.cell(r, COL_AREA)
            cell.style = style
            put(cell, text)
            merge(ws, r, COL_AREA, r, LAST_PRINTED_COL)
            ws.row_dimensions[r].height = min(text_height(text, width, SIZE_BODY), MAX_ROW_PT)
            ws.cell(r, COL_ROLE).value = ROLE_PREFACE
            r += 1
    return r


def _write_header(ws: Worksheet, r: int) -> None:
    height = 0.0
    for first, last, label in HEADER:
        _write_spec(ws, r, CellSpec(first, label, "rg.header", last))
        height = max(height, text_height(label, span_points(first, last), SIZE_HEADER))
    ws.row_dimensions[r].height = height
    ws.cell(r, COL_ROLE).value = ROLE_HEADER


def _write_body(ws: Worksheet, layout: Layout, first_row: int) -> None:
    for i, row in enumerate(layout.rows):
        r = first_row + i
        for spec in row.cells:
            _write_spec(ws, r, spec)
        ws.row_dimensions[r].height = round(min(row.height, MAX_ROW_PT), 1)
        if row.kpi_flag is not None:
            ws.cell(r, COL_KPI_FLAG).value = row.kpi_flag
        if row.entry_id:
            ws.cell(r, COL_ENTRY_ID).value = row.entry_id
        ws.cell(r, COL_ROLE).value = row.role
    for span in layout.spans:
        _write_vspan(ws, first_row + span.first, first_row + span.last, span)


def _criteria(symbol: str) -> str:
    """A COUNTIF criterion matching exactly ``symbol`` (no wildcards/operators)."""
    escaped = symbol.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    if escaped[:1] in ("=", "<", ">"):
        escaped = "=" + escaped
    return '"' + escaped.replace('"', '""') + '"'


def _write_summary(ws: Worksheet, scale: MarkScale, r: int, first: int, last: int) -> int:
    """全体 and （再掲）KPI counts as live formulas; returns the last row used."""
    marks = f"${get_column_letter(COL_MARK)}${first}:${get_column_letter(COL_MARK)}${last}"
    flags = f"${get_column_letter(COL_KPI_FLAG)}${first}:${get_column_letter(COL_KPI_FLAG)}${last}"
    symbols = [(s.symbol, s.label) for s in scale.symbols]
    if scale.not_assessed:
        symbols.append((scale.not_assessed, "評価なし"))
    c_label, c_sym, c_count, c_legend = COL_PLAN, COL_PROGRESS, COL_PROGRESS + 1, COL_PROGRESS + 3
    ws.row_dimensions[r].height = 8
    ws.cell(r, COL_ROLE).value = ROLE_GAP
    r += 1
    for label, kpi_only in (("全体", False), ("（再掲）KPI", True)):
        top = r
        for symbol, legend in symbols:
            _write_spec(ws, r, CellSpec(c_sym, symbol, "rg.sum.mark", c_count - 1))
            crit = _criteria(symbol)
            formula = (f"=COUNTIFS({marks},{crit},{flags},1)" if kpi_only else f"=COUNTIF({marks},{crit})")
            _write_spec(ws, r, CellSpec(c_count, None, "rg.sum.count", c_legend - 1))
            ws.cell(r, c_count).value = formula
            _write_spec(ws, r, CellSpec(c_legend, f"{symbol}：{legend}", "rg.sum.legend", c_legend + 5))
            ws.row_dimensions[r].height = line_pitch(SIZE_BODY) + CELL_PAD_PT + 2
            ws.cell(r, COL_ROLE).value = ROLE_SUMMARY
            r += 1
        _write_spec(ws, r, CellSpec(c_sym, "合計", "rg.sum.mark", c_count - 1))
        _write_spec(ws, r, CellSpec(c_count, None, "rg.sum.count", c_legend - 1))
        ws.cell(r, c_count).value = f"=SUM({get_column_letter(c_count)}{top}:{get_column_letter(c_count)}{r - 1})"
        ws.row_dimensions[r].height = line_pitch(SIZE_BODY) + CELL_PAD_PT + 2
        ws.cell(r, COL_ROLE).value = ROLE_SUMMARY
        _write_vspan(ws, top, r, VSpan(c_label, 0, 0, label, "rg.sum.label"))
        r += 1
    return r - 1


def summary_texts(scale: MarkScale) -> list[dict[int, str]]:
    """The texts _write_summary puts in each row (gap row first), column → text.

    xlsx_read compares the sheet with them: the summary is generated, so a
    changed cell there is reported instead of silently ignored.
    """
    symbols = [(s.symbol, s.label) for s in scale.symbols]
    if scale.not_assessed:
        symbols.append((scale.not_assessed, "評価なし"))
    c_label, c_sym, c_legend = COL_PLAN, COL_PROGRESS, COL_PROGRESS + 3
    rows: list[dict[int, str]] = [{}]
    for label in ("全体", "（再掲）KPI"):
        for k, (symbol, legend) in enumerate(symbols):
            rows.append({c_sym: symbol, c_legend: f"{symbol}：{legend}", **({c_label: label} if k == 0 else {})})
        rows.append({c_sym: "合計", **({c_label: label} if not symbols else {})})
    return rows


#: Column of the hidden sheet listing the scale's symbols, for dropdowns that
#: cannot be written inline (a symbol with a comma or quote, or a long list).
SYMBOL_LIST_COL = 3


def _mark_validation(scale: MarkScale, ref: str) -> DataValidation:
    """The dropdown of the report's scale on the mark column.

    An inline list ("◎,○,△") is what Excel itself writes and every client
    reads; symbols that would break it are listed on the hidden sheet instead.
    """
    allowed = scale.allowed
    inline = ",".join(allowed)
    if any(ch in symbol for symbol in allowed for ch in '",') or len(inline) > 250:
        col = get_column_letter(SYMBOL_LIST_COL)
        source = f"'{HIDDEN_SHEET}'!${col}$1:${col}${len(allowed)}"
    else:
        source = f'"{inline}"'
    dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="stop", errorTitle="実施状況",
                        error="一覧の記号から選んでください: " + " ".join(allowed)[:200],
                        promptTitle="実施状況", prompt=scale.legend()[:250], showInputMessage=True)
    dv.add(ref)
    return dv


#: Landscape paper (width, height) in points, and the margins set in _setup_page.
PAPER_PT = {"A3": (1190.55, 841.89), "A4": (841.89, 595.28)}
MARGIN_SIDE_PT = 0.4 * 72
MARGIN_TOP_BOTTOM_PT = 0.5 * 72
#: Share of the page filled, leaving room for the two applications' rounding.
PAGE_FILL = 0.94


def page_capacity(paper: Paper, repeated: float) -> float:
    """Sheet points of rows that fit on one printed page under the repeated header.

    Fit-to-width scales the sheet by printable width / sheet width; the wider
    of Excel's and LibreOffice's column widths gives the smaller page, so pages
    are filled for the application that fits less.
    """
    width, height = PAPER_PT[paper]
    sheet_width = span_points(COL_AREA, LAST_PRINTED_COL)
    scale = min(1.0, (width - 2 * MARGIN_SIDE_PT) / sheet_width)
    return (height - 2 * MARGIN_TOP_BOTTOM_PT) / scale * PAGE_FILL - repeated


def page_breaks(layout: Layout, first_page: float, page: float) -> list[int]:
    """Row indices that start a new page.

    Pages break between entries (a banner stays with the entry after it), so
    a plan, its status and its mark print together; only a block taller than
    a page is broken between its own rows.
    """
    heights = [min(r.height, MAX_ROW_PT) for r in layout.rows]
    starts = sorted(set(layout.unit_starts) | {0}) if heights else []
    breaks: list[int] = []
    used, capacity = 0.0, first_page
    for a, b in zip(starts, starts[1:] + [len(heights)]):
        block = sum(heights[a:b])
        if used + block > capacity and used > 0:
            breaks.append(a)
            used, capacity = 0.0, page
        if block <= capacity:
            used += block
            continue
        for i in range(a, b):
            if used + heights[i] > capacity and used > 0:
                breaks.append(i)
                used, capacity = 0.0, page
            used += heights[i]
    return breaks


def split_at_breaks(spans: list[VSpan], breaks: list[int]) -> list[VSpan]:
    """Repeat the area label, item number and title on every page they span.

    A merged cell prints its text once, on the page where it starts, so a
    label crossing a page break would be cut; each page gets its own merged
    cell instead, the title marked （続き）.
    """
    out: list[VSpan] = []
    for span in spans:
        cuts = [b for b in breaks if span.first < b <= span.last]
        if not cuts or span.col not in (COL_AREA, COL_NUMBER, COL_TITLE):
            out.append(span)
            continue
        bounds = [span.first, *cuts, span.last + 1]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            value = span.value
            if k and span.col == COL_TITLE and isinstance(value, str):
                value = value.split("\n", 1)[0] + "（続き）"
            out.append(replace(span, first=a, last=b - 1, value=value))
    return out


def _write_main(wb: Workbook, report: Report, layout: Layout, paper: Paper) -> dict[str, Any]:
    ws = wb.active
    ws.title = MAIN_SHEET
    for col, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in (COL_KPI_FLAG, COL_ENTRY_ID, COL_ROLE):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    header_row = _write_top(ws, report)
    _write_header(ws, header_row)
    first = header_row + 1
    header_height = ws.row_dimensions[header_row].height or 0.0
    top = sum(ws.row_dimensions[r].height or 0.0 for r in range(1, header_row))
    page = page_capacity(paper, header_height)
    breaks = page_breaks(layout, page - top, page)
    layout.spans = split_at_breaks(layout.spans, breaks)
    _write_body(ws, layout, first)
    _write_charts(ws, layout, first)
    for b in breaks:
        ws.row_breaks.append(Break(id=first + b - 1))
    last_body = first + max(len(layout.rows), 1) - 1
    mark_col = get_column_letter(COL_MARK)
    ws.add_data_validation(_mark_validation(report.marks, f"{mark_col}{first}:{mark_col}{last_body}"))
    last = _write_summary(ws, report.marks, last_body + 1, first, last_body)
    _setup_page(ws, paper, header_row, last, report.footer)
    return {"header_row": header_row, "first_row": first}


def _write_charts(ws: Worksheet, layout: Layout, first_row: int) -> None:
    """Native charts over their anchor rows, referring to the grids' cells."""
    if not layout.charts:
        return
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

    from ..layouts.charts import excel_chart

    where = {id(row): first_row + i for i, row in enumerate(layout.rows)}
    inset = int(CHART_INSET_PT * 12700)
    for plan in layout.charts:
        grid = series_grid(plan.series, 12)
        value_cols = [first for first, _last in _series_cols(grid)[1:]]
        chart = excel_chart(
            plan.series, sheet=ws.title, header_row=where[id(plan.grid[0])],
            rows=[where[id(r)] for r in plan.grid[1:]], label_col=COL_PROGRESS, value_cols=value_cols,
            title=plan.title, number_format=excel_number_format(plan.series.format),
            target_row=where[id(plan.anchor)] if plan.target is not None else None,
        )
        r = where[id(plan.anchor)] - 1          # 0-based for the drawing anchor
        height = int(min(plan.anchor.height, MAX_ROW_PT) * 12700)
        chart.anchor = TwoCellAnchor(
            editAs="twoCell",
            # Flush left: the 目標 label of a KPI chart's row must not peek out.
            _from=AnchorMarker(col=COL_PROGRESS - 1, colOff=0, row=r, rowOff=inset),
            to=AnchorMarker(col=COL_MARK - 1, colOff=0, row=r, rowOff=height - inset),
        )
        ws.add_chart(chart)


def _data_rows(report: Report) -> Iterator[list[tuple[Any, str | None]]]:
    reached = report.months_reached
    for section in report.sections:
        for group, item in section.iter_items():
            for index, entry in enumerate(item.entries):
                kpi = entry.kpi
                fmt = kpi.format if kpi else "text"

                def fig(value: Any) -> tuple[Any, str | None]:
                    if value is None:
                        return None, None
                    return excel_value(value, fmt), excel_number_format(fmt)

                target: tuple[Any, str | None] = (None, None)
                if kpi is not None and kpi.target is not None:
                    target = (target_text(kpi), None) if kpi.target == "prior" else fig(kpi.target)
                national = kpi.national if kpi else None
                yield [
                    (_number_text(section.number), None), (section.title, None),
                    (group.title if group else None, None),
                    (item.owner or (group.owner if group else None), None),
                    (item.number, None), (item.title, None),
                    (str(entry.number) if entry.number is not None else entry_label(None, index), None),
                    (plain_text(entry.plan, reached), None), (plain_text(entry.status, reached), None),
                    (entry.mark, None), (kpi.text if kpi else None, None), target,
                    fig(kpi.prior) if kpi else (None, None), fig(kpi.actual) if kpi else (None, None),
                    (judgement(kpi) if kpi else None, None),
                    (national.rank if national else None, None),
                    (national.rank_prev if national else None, None),
                ]


def data_sheet_values(report: Report) -> list[list[Any]]:
    """The cell values the データ sheet is written with (header row first), for edit detection."""
    return [list(DATA_HEADER)] + [[value for value, format_cell in row] for row in _data_rows(report)]


def block_text_plain(block: Block) -> list[str]:
    """The texts of a preface block as written in the sheet: heading, then body."""
    return [t for t in (block.heading, block_text(replace(block, heading=None))) if t]


#: Column widths of the データ sheet: long texts get wide wrapped columns so
#: the printed page is readable (A3 landscape, one page wide).
DATA_WIDTHS = (6, 14, 14, 10, 5, 18, 5, 40, 48, 5, 30, 9, 9, 9, 8, 6, 6)
DATA_WRAPPED = {2, 3, 4, 6, 8, 9, 11}


def _write_data(wb: Workbook, report: Report) -> None:
    """データ: the machine-readable table (no merges, one header row, numbers as numbers).

    It is generated: the sheet is protected (Excel refuses edits unless the
    protection is removed on purpose), its tab says so, and xlsx_read warns
    about any cell that differs from what was written.
    """
    ws = wb.create_sheet(DATA_SHEET)
    for c, label in enumerate(DATA_HEADER, start=1):
        cell = ws.cell(1, c)
        cell.style = "rg.data.head"
        put(cell, label)
    for c, w in enumerate(DATA_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.row_dimensions[1].height = max(text_height(label, column_points(w), SIZE_BODY)
                                      for label, w in zip(DATA_HEADER, DATA_WIDTHS))
    r = 1
    for r, values in enumerate(_data_rows(report), start=2):
        height = line_pitch(SIZE_BODY) + CELL_PAD_PT
        for c, (value, number_format) in enumerate(values, start=1):
            cell = ws.cell(r, c)
            cell.style = "rg.data.wrap" if c in DATA_WRAPPED else "rg.data"
            put(cell, value, number_format)
            if c in DATA_WRAPPED and isinstance(value, str):
                height = max(height, text_height(value, column_points(DATA_WIDTHS[c - 1]), SIZE_BODY))
        ws.row_dimensions[r].height = round(min(height, MAX_ROW_PT), 1)
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.5, header=0.25, footer=0.25)
    ws.print_title_rows = "1:1"
    ws.oddHeader.left.text = "データ（自動生成・編集は進捗状況シートで）"
    ws.oddFooter.center.text = "&P / &N"
    ws.sheet_properties.tabColor = "BFBFBF"
    ws.protection.sheet = True
    ws.protection.autoFilter = False     # filtering and sorting stay allowed
    ws.protection.sort = False
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DATA_HEADER))}{max(r, 1)}"


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the workbook")


def payload_json(report: Report, layout: Layout, positions: dict[str, Any]) -> str:
    written = {k: {"plan": w.plan, "prefix": w.prefix, "kpi_line": w.kpi_line, "pieces": w.pieces}
               for k, w in layout.written.items()}
    payload = {"magic": PAYLOAD_MAGIC, "version": PAYLOAD_VERSION, "report": report.to_dict(),
               "written": written, **positions}
    return json.dumps(payload, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def _write_hidden(wb: Workbook, text: str, scale: MarkScale) -> None:
    ws = wb.create_sheet(HIDDEN_SHEET)
    ws.sheet_state = "veryHidden"
    for r, symbol in enumerate(scale.allowed, start=1):
        put(ws.cell(r, SYMBOL_LIST_COL), symbol)
    chunks = [text[i:i + PAYLOAD_CHUNK] for i in range(0, len(text), PAYLOAD_CHUNK)] or [""]
    put(ws.cell(1, 1), PAYLOAD_MAGIC)
    ws.cell(1, 2).value = len(chunks)
    for i, chunk in enumerate(chunks, start=2):
        put(ws.cell(i, 1), chunk)


def build_workbook(report: Report, *, paper: Paper = "A3", source: str = "<report>") -> Workbook:
    """The whole workbook in memory; raises ReportError before anything is written."""
    if paper not in ("A3", "A4"):
        raise ValueError(f"paper must be 'A3' or 'A4', not {paper!r}")
    check_cell_lengths(report, source)
    layout = _Builder(report).build()
    wb = Workbook()
    for style in _named_styles():
        wb.add_named_style(style)
    positions = _write_main(wb, report, layout, paper)
    _write_data(wb, report)
    _write_hidden(wb, payload_json(report, layout, positions), report.marks)
    wb.active = 0
    return wb


def render_xlsx(report: Report, target: str | os.PathLike[str] | IO[bytes], *, paper: Paper = "A3") -> None:
    """Write the tracker workbook for ``report`` to ``target``.

    Problems in the data (text too long for a cell) raise ReportError before
    the file is touched; the file is written to a temporary name and renamed,
    so a failure never leaves half a workbook behind.
    """
    wb = build_workbook(report, paper=paper, source=str(getattr(target, "name", target)))
    if hasattr(target, "write"):  # an open binary file: written as is (no rename possible)
        wb.save(target)
        return
    try:
        with atomic_target(target) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise RenderError(f"{target}: cannot write: {exc.strerror or exc}") from None
