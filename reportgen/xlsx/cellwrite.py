"""Writing cells: values that stay text, fast merges, laid-out cells and spans."""

from __future__ import annotations

from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from .rows import CellSpec, RowFormula, VSpan

_FORMULA_START = ("=", "+", "-", "@")


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


def write_spec(ws: Worksheet, r: int, spec: CellSpec) -> None:
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


def write_vspan(ws: Worksheet, first: int, last: int, span: VSpan) -> None:
    cell = ws.cell(first, span.col)
    cell.style = span.style
    put(cell, span.value)
    end_col = span.last_col or span.col
    if last > first or end_col > span.col:
        merge(ws, first, span.col, last, end_col)
