"""The データ sheet: one row per entry for machines (no merges, numbers as numbers; generated, protected)."""

from __future__ import annotations

from typing import Any, Iterator

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..model.grids import entry_label
from ..model.kpi import judgement, target_text
from ..model.numbers import excel_number_format, excel_value
from ..model.report import Report
from .cellwrite import put
from .celltext import plain_text
from .fieldcols import field_columns, field_text
from .measure import CELL_PAD_PT, column_points, line_pitch, text_height
from .sheet import DATA_HEADER, DATA_SHEET, MAX_ROW_PT, SIZE_BODY, number_text


def _data_rows(report: Report) -> Iterator[list[tuple[Any, str | None]]]:
    reached = report.months_reached
    fields = field_columns(report)
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
                    (number_text(section.number), None), (section.title, None),
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
                ] + [(field_text(item, index, entry, f.name, reached) or None, None) for f in fields]


def data_sheet_values(report: Report) -> list[list[Any]]:
    """The cell values the データ sheet is written with (header row first), for edit detection."""
    return [_header(report)] + [[value for value, format_cell in row] for row in _data_rows(report)]


def _header(report: Report) -> list[str]:
    """DATA_HEADER, then the labels of the report's custom columns (reportgen.xlsx.fieldcols)."""
    return list(DATA_HEADER) + [f.label for f in field_columns(report)]


#: Column widths of the データ sheet: long texts get wide wrapped columns so
#: the printed page is readable (A3 landscape, one page wide).
DATA_WIDTHS = (6, 14, 14, 10, 5, 18, 5, 40, 48, 5, 30, 9, 9, 9, 8, 6, 6)
DATA_WRAPPED = {2, 3, 4, 6, 8, 9, 11}
#: Width of a custom column (report.columns) after the fixed ones.
FIELD_WIDTH = 30


def write_data(wb: Workbook, report: Report) -> None:
    """データ: the machine-readable table (no merges, one header row, numbers as numbers).

    It is generated: the sheet is protected (Excel refuses edits unless the
    protection is removed on purpose), its tab says so, and xlsx_read warns
    about any cell that differs from what was written.
    """
    ws = wb.create_sheet(DATA_SHEET)
    header = _header(report)
    widths = DATA_WIDTHS + (FIELD_WIDTH,) * (len(header) - len(DATA_HEADER))
    wrapped = DATA_WRAPPED | set(range(len(DATA_HEADER) + 1, len(header) + 1))
    for c, label in enumerate(header, start=1):
        cell = ws.cell(1, c)
        cell.style = "rg.data.head"
        put(cell, label)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.row_dimensions[1].height = max(text_height(label, column_points(w), SIZE_BODY)
                                      for label, w in zip(header, widths))
    r = 1
    for r, values in enumerate(_data_rows(report), start=2):
        height = line_pitch(SIZE_BODY) + CELL_PAD_PT
        for c, (value, number_format) in enumerate(values, start=1):
            cell = ws.cell(r, c)
            cell.style = "rg.data.wrap" if c in wrapped else "rg.data"
            put(cell, value, number_format)
            if c in wrapped and isinstance(value, str):
                height = max(height, text_height(value, column_points(widths[c - 1]), SIZE_BODY))
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
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(r, 1)}"
