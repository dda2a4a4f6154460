"""The 進捗状況 sheet: title and preface, the header, the laid-out body, native charts, the summary."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..model.grids import series_grid
from ..model.numbers import excel_number_format
from ..model.report import Report
from ..model.wording import report_heading
from .cellwrite import merge, put, write_spec, write_vspan
from .celltext import block_text
from .gridrows import series_cols
from .fieldcols import FieldColumn, field_columns, last_printed_col, printed_points
from .measure import CELL_PAD_PT, column_points, line_pitch, span_points, text_height
from .pages import page_breaks, page_capacity, setup_page, split_at_breaks
from .rows import CHART_INSET_PT, CellSpec, Layout
from .sheet import (
    COL_AREA,
    COL_ENTRY_ID,
    COL_KPI_FLAG,
    COL_MARK,
    COL_PROGRESS,
    COL_RANK,
    COL_ROLE,
    HEADER,
    LAST_PRINTED_COL,
    MAIN_SHEET,
    MAX_ROW_PT,
    ROLE_HEADER,
    ROLE_PREFACE,
    ROLE_SUBTITLE,
    ROLE_TITLE,
    SIZE_BODY,
    SIZE_HEADER,
    SIZE_TITLE,
    WIDTHS,
    Paper,
)
from .summary import mark_validation, write_summary


def write_main(wb: Workbook, report: Report, layout: Layout, paper: Paper) -> dict[str, Any]:
    """The 進捗状況 sheet; returns where the header and the body start (kept in the payload)."""
    ws = wb.active
    ws.title = MAIN_SHEET
    for col, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in (COL_KPI_FLAG, COL_ENTRY_ID, COL_ROLE):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    fields = field_columns(report)
    for f in fields:
        ws.column_dimensions[get_column_letter(f.col)].width = f.width
    header_row = write_top(ws, report)
    write_header(ws, header_row, fields)
    first = header_row + 1
    header_height = ws.row_dimensions[header_row].height or 0.0
    top = sum(ws.row_dimensions[r].height or 0.0 for r in range(1, header_row))
    page = page_capacity(paper, header_height, printed_points(fields))
    breaks = page_breaks(layout, page - top, page)
    layout.spans = split_at_breaks(layout.spans, breaks)
    write_body(ws, layout, first)
    write_charts(ws, layout, first)
    for b in breaks:
        ws.row_breaks.append(Break(id=first + b - 1))
    last_body = first + max(len(layout.rows), 1) - 1
    mark_col = get_column_letter(COL_MARK)
    ws.add_data_validation(mark_validation(report.marks, f"{mark_col}{first}:{mark_col}{last_body}"))
    last = write_summary(ws, report.marks, last_body + 1, first, last_body)
    setup_page(ws, paper, header_row, last, report.footer, last_printed_col(fields))
    return {"header_row": header_row, "first_row": first}


def write_charts(ws: Worksheet, layout: Layout, first_row: int) -> None:
    """Native charts over their anchor rows, referring to the grids' cells."""
    if not layout.charts:
        return
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

    from .charts import excel_chart

    where = {id(row): first_row + i for i, row in enumerate(layout.rows)}
    inset = int(CHART_INSET_PT * 12700)
    for plan in layout.charts:
        grid = series_grid(plan.series, 12)
        value_cols = [first for first, _last in series_cols(grid)[1:]]
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


def write_top(ws: Worksheet, report: Report) -> int:
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


def write_header(ws: Worksheet, r: int, fields: list[FieldColumn] | None = None) -> None:
    """The column header row (repeated on every printed page), custom columns last."""
    height = 0.0
    for first, last, label in HEADER:
        write_spec(ws, r, CellSpec(first, label, "rg.header", last))
        height = max(height, text_height(label, span_points(first, last), SIZE_HEADER))
    for f in fields or []:
        write_spec(ws, r, CellSpec(f.col, f.label, "rg.header"))
        height = max(height, text_height(f.label, column_points(f.width), SIZE_HEADER))
    ws.row_dimensions[r].height = height
    ws.cell(r, COL_ROLE).value = ROLE_HEADER


def write_body(ws: Worksheet, layout: Layout, first_row: int) -> None:
    """The laid-out rows from ``first_row`` on, with their helper columns, then the merged spans."""
    for i, row in enumerate(layout.rows):
        r = first_row + i
        for spec in row.cells:
            write_spec(ws, r, spec)
        ws.row_dimensions[r].height = round(min(row.height, MAX_ROW_PT), 1)
        if row.kpi_flag is not None:
            ws.cell(r, COL_KPI_FLAG).value = row.kpi_flag
        if row.entry_id:
            ws.cell(r, COL_ENTRY_ID).value = row.entry_id
        ws.cell(r, COL_ROLE).value = row.role
    for span in layout.spans:
        write_vspan(ws, first_row + span.first, first_row + span.last, span)
