"""Reading the custom columns' headers back, and reporting cells outside every column the reader reads.

The tracker's own columns end at U (V:X are hidden tags); custom columns
(reportgen.xlsx.fieldcols) follow from Y on.  A header label edited there
becomes the column's label; any other cell typed right of the tracker's
columns — in no custom column, or in a custom column off an entry's first
row — is a located warning, never dropped in silence.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from ..core.errors import Problem
from ..model.report import Report
from .fastload import filled_cells
from .fieldcols import FieldColumn
from .guard import fail
from .readback import cell_name
from .scan import cell_text
from .sheet import COL_KPI_FLAG, COL_MARK, COL_RANK, COL_ROLE

__all__ = ["MAX_OUTSIDE_WARNINGS", "check_outside", "read_field_headers"]

#: Warnings about cells outside the columns, at most (then one line says how many more).
MAX_OUTSIDE_WARNINGS = 50


def read_field_headers(ws: Any, header_row: int, report: Report, fields: list[FieldColumn], source: str,
                       warnings: list[Problem]) -> None:
    """An edited label of a custom column becomes its label in ``report.columns``.

    A label found in another custom column's place means columns were inserted
    or deleted among them: refused, since every value would land in the wrong field.
    """
    columns = {c.field: c for c in report.columns or []}
    labels = {f.label: f for f in fields}
    if fields:
        # a label moved by columns inserted in front of it is looked for a little further right
        row = next(ws.iter_rows(min_row=header_row, max_row=header_row, min_col=COL_ROLE + 1,
                                max_col=fields[-1].col + len(fields) + 8,
                                values_only=True))
        for col, value in enumerate(row, start=COL_ROLE + 1):
            moved = labels.get(cell_text(value).strip())
            if moved is not None and moved.col != col:
                raise fail(source, f"a column was inserted or deleted "
                                   f"among the custom columns: {moved.label!r} is in column {get_column_letter(col)}, "
                                   f"written in column {get_column_letter(moved.col)}; the tracker's columns cannot "
                                   "move: undo the change (notes go right of the tracker's columns)", cell_name(ws.title, header_row, col))
    for f in fields:
        text = cell_text(ws.cell(header_row, f.col).value).strip()
        if text == f.label:
            continue
        if not text:
            warnings.append(Problem(source, None, f"{cell_name(ws.title, header_row, f.col)}: report.columns",
                                    f"the label of column {f.name!r} was cleared; it is kept ({f.label!r})"))
            continue
        if f.name in columns:
            columns[f.name].label = text


def check_outside(ws: Any, header_row: int, entry_rows: set[int], fields: list[FieldColumn], source: str,
                  warnings: list[Problem], body_end: int = 0) -> None:
    """Located warnings for cells right of the hidden tag columns that nothing reads, for
    the hidden KPI flags (V) holding anything but the 0 or 1 written on an entry's row, and
    for a mark or 全国順位 typed below an entry's first row (``body_end``: the row after the
    entries; people unmerge T or U and type into a lower row)."""
    by_col = {f.col: f for f in fields}
    found: list[tuple[int, int, Any]] = []
    # the tracker's own columns are read elsewhere, except T and U below an entry's first row
    # (people unmerge them and type into a lower row): the rest is passed over unread
    for row, col, value in filled_cells(ws, lambda col: col > COL_ROLE or col in (COL_KPI_FLAG, COL_MARK,
                                                                                   COL_RANK)):
        if col == COL_KPI_FLAG and row in entry_rows and value in (0, 1):
            continue        # the hidden KPI flags the mark summary counts by
        if col in (COL_MARK, COL_RANK):
            if header_row < row < body_end and row not in entry_rows and cell_text(value).strip():
                found.append((row, col, value))
            continue
        if col in by_col and (row == header_row or row in entry_rows):
            continue
        if not cell_text(value).strip():
            continue
        found.append((row, col, value))
    found.sort()
    for row, col, value in found[:MAX_OUTSIDE_WARNINGS]:
        f = by_col.get(col)
        if col == COL_KPI_FLAG:
            message = (f"not read back: {value!r} in the hidden column of KPI flags "
                       "(it holds 0 or 1, written by reportgen)")
        elif col in (COL_MARK, COL_RANK):
            message = (f"not read back: {value!r}: an entry's 実施状況 and 全国順位 are read on its first row "
                       "(type it there, or merge the column's cells back)")
        elif f is None:
            message = f"not read back: {value!r} is outside the tracker's columns"
        else:
            message = (f"not read back: {value!r} in column {f.label!r} is read only on an entry's first row "
                       "(the row of its mark)")
        warnings.append(Problem(source, None, cell_name(ws.title, row, col), message))
    if len(found) > MAX_OUTSIDE_WARNINGS:
        warnings.append(Problem(source, None, f"{ws.title}",
                                f"not read back: {len(found) - MAX_OUTSIDE_WARNINGS} more cells outside the "
                                "tracker's columns"))
