"""One worksheet of a hand-made tracker, as the importer sees it.

The importer must account for every non-empty cell: each one is either used
(``take``) or reported with its address (``warn``), and at the end every cell
nobody took is reported as "could not place".  Formulas are read through the
values Excel cached for them, since that is what the office saw; a formula
without a cached value (a file written by a program and never opened) is a
located warning, not a silent zero.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from typing import Any, Iterator

from openpyxl.utils import get_column_letter

from ..core.errors import Problem, ReportError
from .datetext import date_text, is_date_value
from .tracker_cells import cell_text, normal

__all__ = ["MAX_CELLS", "Sheet"]

#: Largest used area of a sheet (rows × columns) the importer reads.
MAX_CELLS = 2_000_000


class Sheet:
    """Cell access with merged ranges, cached formula values and bookkeeping."""

    def __init__(self, ws_formulas: Any, ws_values: Any, source: str) -> None:
        self.ws = ws_formulas
        self.cached = ws_values
        self.source = source
        self.title: str = ws_formulas.title
        # The extent of the cells holding something, not openpyxl's max_row/max_column:
        # one formatted cell at XFD1048576 would make those a sheet of 17 billion cells.
        # (``_cells`` holds only the cells present in the file.)
        used = [key for key, cell in ws_formulas._cells.items() if cell.value is not None]
        self.max_row: int = max((r for r, _c in used), default=0)
        self.max_col: int = max((c for _r, c in used), default=0)
        if self.max_row * self.max_col > MAX_CELLS:
            raise ReportError([Problem(source, None, self.title, f"the sheet spans {self.max_row:,} rows × "
                                       f"{self.max_col:,} columns; a tracker is read up to {MAX_CELLS:,} cells")])
        self.taken: set[tuple[int, int]] = set()
        self.warnings: list[Problem] = []
        self._warned: set[tuple[int, int]] = set()
        #: top-left (row, col) → (last row, last col) of each merged range
        self.merges: dict[tuple[int, int], tuple[int, int]] = {}
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws_formulas.merged_cells.ranges:
            top = (rng.min_row, rng.min_col)
            if top[0] > self.max_row or top[1] > self.max_col:
                continue  # nothing to read there
            self.merges[top] = (rng.max_row, rng.max_col)
            for r in range(rng.min_row, min(rng.max_row, self.max_row) + 1):
                for c in range(rng.min_col, min(rng.max_col, self.max_col) + 1):
                    if (r, c) != top:
                        self.covered[(r, c)] = top
        self._rows: list[tuple[Any, ...]] = [tuple(row) for row in ws_formulas.iter_rows(
            min_row=1, max_row=self.max_row, max_col=self.max_col, values_only=True)]
        # Each row's columns holding something, and each cell's text, worked out once: the
        # reader looks at every row several times (header, summary, grid header…), and
        # asking cell by cell was most of the time a large hand-made tracker took (issue #13).
        self._filled: list[list[int]] = [
            [c for c, value in enumerate(row, start=1)
             if value is not None and not (isinstance(value, str) and not value.strip())]
            for row in self._rows]
        self._quiet: dict[tuple[int, int], str] = {}
        self._labels: dict[tuple[int, int], str] = {}
        self._row_labels: dict[int, list[tuple[int, str]]] = {}

    # -- addresses and messages -------------------------------------------
    def where(self, r: int, c: int) -> str:
        return f"{self.title}!{get_column_letter(c)}{r}"

    def warn(self, r: int, c: int, message: str) -> None:
        """A located warning; the cell counts as dealt with."""
        self.taken.add((r, c))
        if (r, c) in self._warned:
            return
        self._warned.add((r, c))
        self.warnings.append(Problem(self.source, None, self.where(r, c), message))

    def take(self, r: int, c: int) -> None:
        self.taken.add((r, c))

    # -- values --------------------------------------------------------------
    def raw(self, r: int, c: int) -> Any:
        """The value typed, or for a formula the value Excel cached for it."""
        if not (1 <= r <= self.max_row and 1 <= c <= self.max_col):
            return None
        value = self._rows[r - 1][c - 1]
        if isinstance(value, str) and value.startswith("="):
            cached = self.cached.cell(r, c).value
            if cached is None:
                self.warn(r, c, f"formula {value[:40]} has no value saved with it (open and save the "
                                "workbook in Excel or LibreOffice so the value is computed)")
            return cached
        if value is not None and not isinstance(value, (str, int, float)) and type(value).__name__ in (
                "ArrayFormula", "DataTableFormula"):
            return self.cached.cell(r, c).value
        return value

    def typed(self, r: int, c: int) -> Any:
        """What was typed into the cell (a formula stays its text)."""
        if not (1 <= r <= self.max_row and 1 <= c <= self.max_col):
            return None
        return self._rows[r - 1][c - 1]

    def quiet_text(self, r: int, c: int) -> str:
        """The cell as text, a formula through its saved value (or its text), never warning.

        For looking at a row before deciding what it is: the summary block's
        COUNTIF formulas are recognised, not read.
        """
        known = self._quiet.get((r, c))
        if known is not None:
            return known
        if not (1 <= r <= self.max_row and 1 <= c <= self.max_col):
            return ""
        value = self._rows[r - 1][c - 1]
        if isinstance(value, str) and value.startswith("="):
            value = self.cached.cell(r, c).value or value
        if is_date_value(value):
            value = date_text(value, self.number_format(r, c))   # as the sheet shows it: 10月1日
        text = self._quiet[(r, c)] = cell_text(value).strip()
        return text

    def label(self, r: int, c: int) -> str:
        """:meth:`quiet_text` normalised for comparing with labels (``tracker_cells.normal``)."""
        known = self._labels.get((r, c))
        if known is None:
            text = self.quiet_text(r, c)
            # NFKC leaves ASCII and text already in NFKC as they are: only the whitespace goes
            plain = text.isascii() or unicodedata.is_normalized("NFKC", text)
            known = self._labels[(r, c)] = "".join(text.split()) if plain else normal(text)
        return known

    def row_labels(self, r: int) -> list[tuple[int, str]]:
        """(column, :meth:`label`) of every cell of row r holding text (or a formula), in column order."""
        known = self._row_labels.get(r)
        if known is None:
            row = self._rows[r - 1] if 1 <= r <= self.max_row else ()
            # a figure is never a label (header, summary, legend): not worked out as one
            known = self._row_labels[r] = [(c, self.label(r, c)) for c in self.filled(r, 1, self.max_col)
                                           if not isinstance(row[c - 1], (int, float))]
        return known

    def text(self, r: int, c: int) -> str:
        if 1 <= r <= self.max_row and 1 <= c <= self.max_col:
            value = self._rows[r - 1][c - 1]
            if value.__class__ is int:
                return str(value)   # quiet_text's text of a figure, without its cache (most cells of a table)
            if not (isinstance(value, str) and value.startswith("=")) and type(value).__name__ not in (
                    "ArrayFormula", "DataTableFormula"):
                return self.quiet_text(r, c)  # no formula: the same text, worked out once
        value = self.raw(r, c)
        if is_date_value(value):
            value = date_text(value, self.number_format(r, c))
        return cell_text(value).strip()

    def number_format(self, r: int, c: int) -> str:
        return str(self.ws.cell(r, c).number_format or "General")

    def is_empty(self, r: int, c: int) -> bool:
        if not (1 <= r <= self.max_row and 1 <= c <= self.max_col):
            return True
        value = self._rows[r - 1][c - 1]
        return value is None or (isinstance(value, str) and not value.strip())

    def last_row_of(self, r: int, c: int) -> int:
        """Last row of the merged range starting at (r, c), or r."""
        return self.merges.get((r, c), (r, c))[0]

    def last_col_of(self, r: int, c: int) -> int:
        return self.merges.get((r, c), (r, c))[1]

    def filled(self, r: int, first: int, last: int) -> Iterator[int]:
        """Columns first..last of row r holding something."""
        if not 1 <= r <= self.max_row:
            return iter(())
        columns = self._filled[r - 1]
        return iter(columns[bisect_left(columns, first):bisect_right(columns, last)])

    def untaken(self) -> Iterator[tuple[int, int]]:
        taken = self.taken
        for r, columns in enumerate(self._filled, start=1):
            for c in columns:
                if (r, c) not in taken:
                    yield r, c
