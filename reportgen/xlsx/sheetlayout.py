"""The layout builder: a report as the rows, merged spans and written texts of the main sheet.

Every entry is one unit (a page may break before it): its status rows in the
progress area, the plan / mark / rank cells merged down beside them, and the
rows made tall enough for the tallest of those.  What was written into each
editable cell is recorded (:class:`Written`) so the reader can tell edits
from what the writer put there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..layouts.registry import layout_spec
from ..model.grids import entry_label, series_grid
from ..model.numbers import excel_number_format
from ..model.report import (
    Block,
    BulletsBlock,
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
    TextBlock,
    blocks_of,
)
from .celltext import block_text, plain_text, table_lines
from .fieldcols import field_columns, field_text
from .gridrows import fill_gaps, series_cols, series_rows, table_rows, text_cell, text_rows
from .measure import CELL_PAD_PT, column_points, line_pitch, span_points, text_height, vertical_height
from .rows import CHART_ROW_PT, CellSpec, ChartPlan, Layout, Row, VSpan, Written
from .sheet import (
    COL_AREA,
    COL_MARK,
    COL_NUMBER,
    COL_PLAN,
    COL_PROGRESS,
    COL_RANK,
    COL_TITLE,
    LAST_PRINTED_COL,
    ROLE_BANNER,
    ROLE_EMPTY_STATUS,
    ROLE_FILLER,
    ROLE_GRID,
    SIZE_AREA,
    SIZE_BANNER,
    SIZE_BODY,
    SIZE_GRID,
    SIZE_MARK,
    SPLIT_ROW_PT,
    banner_text,
    item_title,
    number_text,
    rank_text,
)


class LayoutBuilder:
    """Turns a report into a Layout (rows, merged spans, written texts)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.reached = report.months_reached
        self.out = Layout()
        self.entry_no = 0
        self.item: Item | None = None   # the item being laid out (chart titles)
        self.fields = field_columns(report)

    # -- status pieces ------------------------------------------------------
    def status_rows(self, entry: Entry, written: Written) -> list[Row]:
        rows: list[Row] = []
        for index, block in enumerate(blocks_of(entry.status)):
            rows.extend(self.block_rows(block, index, written))
        if entry.kpi is not None and entry.kpi.series is not None:
            grid = series_rows(entry.kpi.series, self.reached, f"{ROLE_GRID}k")
            rows.extend(grid + self.chart_rows(entry.kpi.series, grid, f"{ROLE_GRID}k", kpi=entry.kpi))
        if not rows:
            rows.append(Row(line_pitch(SIZE_BODY) + CELL_PAD_PT,
                            [text_cell(COL_PROGRESS, COL_MARK - 1, "")], role=ROLE_EMPTY_STATUS, growable=True))
        for r in rows:
            if r.role.startswith(ROLE_GRID):
                fill_gaps(r)
        return rows

    def text_piece(self, text: str, role: str, written: Written, style: str = "rg.text") -> list[Row]:
        rows, seps = text_rows(text, role, style, SIZE_BODY)
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
            grid = table_rows(block.table, f"{ROLE_GRID}{index}")
            if grid is None:  # wider than the sheet: print it as text lines
                lines = table_lines(Table(block.table.header, block.table.rows, None, block.table.formats))
                rows += [r for r in text_rows("\n".join(lines), f"{ROLE_GRID}{index}", "rg.text", SIZE_GRID)[0]]
            else:
                rows += grid
        elif isinstance(block, SeriesBlock):
            grid = series_rows(block.series, self.reached, f"{ROLE_GRID}{index}")
            rows += grid + self.chart_rows(block.series, grid, f"{ROLE_GRID}{index}", heading=block.heading)
        return rows

    def chart_rows(self, series: Series, grid: list[Row], role: str, *, heading: str | None = None,
                   kpi: Any = None) -> list[Row]:
        """The row a native chart of ``series`` is drawn over (none unless ``chart`` is set)."""
        if series.chart is None:
            return []
        from .charts import excel_chart_title, excel_kpi_target

        title = excel_chart_title(series, item_title=self.item.title if self.item else "", heading=heading, kpi=kpi)
        target = excel_kpi_target(kpi, series) if kpi is not None else None
        if target is None:
            anchor = Row(CHART_ROW_PT, [CellSpec(COL_PROGRESS, None, "rg.text", COL_MARK - 1)], role=role)
        else:
            # The target under every month, in cells the chart covers: LibreOffice
            # ignores literal chart values, and a person moving the chart sees
            # (and may edit) a labelled 目標 row.
            value_cols = [first for first, _last in series_cols(series_grid(series, 12))[1:]]
            fmt = excel_number_format(series.format)
            cells = [CellSpec(COL_PROGRESS, target[1], "rg.grid.label")]
            cells += [CellSpec(c, target[0], "rg.grid.num", None, fmt) for c in value_cols]
            anchor = Row(CHART_ROW_PT, cells, role=role)
            fill_gaps(anchor)
        self.out.charts.append(ChartPlan(series, grid, anchor, title, target))
        return [anchor]

    # -- entries, items, sections --------------------------------------------
    def entry(self, item: Item, index: int, entry: Entry) -> None:
        self.item = item
        entry_id = f"E{self.entry_no}"
        self.entry_no += 1
        written = plan_text(self.report, item, index, entry, self.reached)
        written.fields = {f.name: field_text(item, index, entry, f.name, self.reached) for f in self.fields}
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
            *(text_height(written.fields[f.name], column_points(f.width), SIZE_BODY) for f in self.fields),
        )
        ensure_height(self.out.rows, first, need)

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
                                [text_cell(COL_PROGRESS, COL_MARK - 1, "")], role=ROLE_FILLER, growable=True))
            ensure_height(self.out.rows, item_first, max(
                text_height(item_title(item, group), span_points(COL_TITLE, COL_TITLE), SIZE_BODY),
                text_height(number_text(item.number), span_points(COL_NUMBER, COL_NUMBER), SIZE_BODY),
            ))
            items.append((item_first, item, group))
        if len(rows) == first:
            self.out.unit_starts.append(first)
            rows.append(Row(line_pitch(SIZE_BODY) + CELL_PAD_PT, role=ROLE_FILLER, growable=True))
        ensure_height(self.out.rows, first, vertical_height(section.heading, SIZE_AREA))
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
            for f in self.fields:
                spans.append(VSpan(f.col, start, last, written.fields[f.name], "rg.text"))
        for k, (item_first, item, group) in enumerate(items):
            item_last = max(e for s, e in entry_ends.items() if s >= item_first and
                            (k + 1 == len(items) or s < items[k + 1][0]))
            spans.append(VSpan(COL_NUMBER, item_first, item_last, number_text(item.number), "rg.center"))
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
    return LayoutBuilder(report).build()


def plan_text(report: Report, item: Item, index: int, entry: Entry, reached: int) -> Written:
    """What the plan cell of an entry holds: its number, the plan, and the 【KPI】 line."""
    prefix = ""
    if entry.number is not None:
        prefix = str(entry.number)
    elif layout_spec(report.layout).numbered_entries and len(item.entries) > 1:
        prefix = entry_label(None, index)
    body = plain_text(entry.plan, reached)
    kpi_line = ""
    if entry.kpi is not None and not body.lstrip().startswith("【KPI】"):
        kpi_line = ("\n" if body else "") + "【KPI】" + entry.kpi.text
    return Written(prefix + body + kpi_line, prefix, kpi_line)


def ensure_height(rows: list[Row], first: int, need: float) -> None:
    """Make rows[first:] at least ``need`` points tall in total.

    The missing height is spread evenly over the block's text rows (they
    are top-aligned, so the room reads as white space under the text), or
    over all rows when the block is only grids; what the 409 pt row limit
    leaves over goes into empty filler rows.
    """
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
        rows.append(Row(h, [text_cell(COL_PROGRESS, COL_MARK - 1, "")], role=ROLE_FILLER, growable=True))
        deficit -= h
