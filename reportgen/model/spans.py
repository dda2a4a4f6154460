"""Where the cells of a table with row and column spans sit: one walk for every reader.

A format-1 table cell may span rows and columns (``span: [rows, cols]``), as
in HTML: a cell starts in the first column not covered by a rowspan from a row
above.  The validator (row widths), the PDF view (column formats, widths) and
the workbook (slots) must place every cell in the same column, so they share
this walk.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SpanWalk"]


class SpanWalk:
    """Column positions of the cells of successive rows, rowspans carried down.

    Feed the rows top to bottom (header rows first) to one walk: each call of
    :meth:`row` returns the starting column of each cell and the row's width
    (spans counted, columns covered from above included).
    """

    def __init__(self) -> None:
        #: column → rows (this one included) still covered by a rowspan from above
        self.carry: dict[int, int] = {}

    def row(self, spans: Iterable[tuple[int, int]]) -> tuple[list[int], int]:
        """(starting column of each cell, width of the row) for cells of ``spans`` (rows, cols)."""
        taken = {c for c, n in self.carry.items() if n > 0}
        starts: list[int] = []
        col = 0
        for rows, cols in spans:
            rows, cols = max(rows, 1), max(cols, 1)
            while col in taken:
                col += 1
            starts.append(col)
            if rows > 1:
                for k in range(col, col + cols):
                    self.carry[k] = max(self.carry.get(k, 0), rows)
            col += cols
        while col in taken:
            col += 1
        width = max([col] + [c + 1 for c in taken])
        self.carry = {c: n - 1 for c, n in self.carry.items() if n - 1 > 0}
        return starts, width
