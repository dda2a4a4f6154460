"""Row edits made the way Excel makes them, for tests that edit trackers with openpyxl.

openpyxl's ``insert_rows`` / ``delete_rows`` leave merged ranges where they
were; Excel moves and stretches them.  Tests that insert or delete rows use
these so the workbook looks like one a person edited in Excel.
"""

from __future__ import annotations

from typing import Any

__all__ = ["delete_rows", "insert_row"]


def insert_row(ws: Any, idx: int) -> None:
    """Insert a sheet row the way Excel does: merges that span it grow, those below move."""
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.insert_rows(idx)
    for a, c1, b, c2 in merges:
        if a >= idx:
            a, b = a + 1, b + 1
        elif b >= idx:
            b += 1
        ws.merge_cells(start_row=a, start_column=c1, end_row=b, end_column=c2)


def delete_rows(ws: Any, first: int, last: int) -> None:
    """Delete rows the way Excel does: merges inside go, merges below move up, spanning ones shrink."""
    n = last - first + 1
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.delete_rows(first, n)
    for a, c1, b, c2 in merges:
        if a >= first and b <= last:
            continue
        if a > last:
            a, b = a - n, b - n
        elif b >= first:
            b = max(a, b - min(n, b - first + 1))
        if (a, c1) != (b, c2):
            ws.merge_cells(start_row=a, start_column=c1, end_row=b, end_column=c2)
