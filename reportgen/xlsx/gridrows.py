"""Rows of the progress area: wrapped text, series grids (with live totals), tables.

Grids spread over the 15 progress slots (corner label, 12 months, total,
extra); a table wider than that returns None and is printed as text lines.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from ..model.grids import Grid, series_grid
from ..model.numbers import cell_format, excel_number_format, excel_value
from ..model.report import Series, Table, TableCell
from ..model.spans import SpanWalk
from .celltext import cell_value
from .measure import CELL_PAD_PT, line_pitch, span_points, split_for_rows, text_height
from .rows import CellSpec, Row, RowFormula
from .sheet import COL_MARK, COL_PROGRESS, MAX_ROW_PT, PROGRESS_SLOTS, SIZE_GRID


def text_cell(col: int, last: int, text: str, style: str = "rg.text") -> CellSpec:
    """A wrapped text cell merged across ``col``..``last`` (the progress area, mostly)."""
    return CellSpec(col, text, style, last)


def text_rows(text: str, role: str, style: str, size: float) -> tuple[list[Row], list[str]]:
    """Rows of a wrapped text in the progress area, split under the row limit."""
    width = span_points(COL_PROGRESS, COL_MARK - 1)
    chunks, seps = split_for_rows(text, width, size)
    rows = []
    for k, chunk in enumerate(chunks):
        r = Row(text_height(chunk, width, size), [text_cell(COL_PROGRESS, COL_MARK - 1, chunk, style)],
                role=role + (f"~{k}" if k else ""), growable=True)
        rows.append(r)
    return rows, seps


def slot_cols(n: int) -> list[tuple[int, int]] | None:
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


def series_cols(grid: Grid) -> list[tuple[int, int]]:
    """Columns of corner, values, total and extra for a series grid."""
    cols = [(COL_PROGRESS, COL_PROGRESS)]
    n = len(grid.columns)
    step = 12 // n if n and 12 % n == 0 else 1
    for k in range(n):
        first = COL_PROGRESS + 1 + k * step
        cols.append((first, first + step - 1))
    return cols


def grid_cell(col: int, last: int, value: Any, fmt: str | None, header: bool) -> CellSpec:
    """A cell of an embedded grid: numbers stay numbers with the format's Excel number format."""
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


def sourced(cell: CellSpec, source: tuple[Any, ...]) -> CellSpec:
    """``cell`` (just made) with where its value comes from; ``dataclasses.replace`` made a
    copy of every grid cell for it (a fifth of the time the reader spends on grids)."""
    cell.source = source
    return cell


def row_height(cells: list[CellSpec], size: float) -> float:
    """Height of a grid row: its tallest wrapped text, within Excel's row limit."""
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


def series_rows(series: Series, reached: int, role: str) -> list[Row]:
    grid = series_grid(series, reached)
    cols = series_cols(grid)
    # Without an extra column the total takes both last slots: no empty
    # bordered column after 計.
    total_col = (COL_MARK - 2, COL_MARK - 2) if grid.extra_label else (COL_MARK - 2, COL_MARK - 1)
    extra_col = (COL_MARK - 1, COL_MARK - 1)
    head = [sourced(grid_cell(*cols[0], grid.corner, None, True), ("corner",))]
    head += [grid_cell(*cols[k + 1], label, None, True) for k, label in enumerate(grid.columns)]
    head += [sourced(grid_cell(*total_col, grid.total_label or "", None, True), ("total_label",))]
    if grid.extra_label:
        head += [grid_cell(*extra_col, grid.extra_label, None, True)]
    rows = [Row(row_height(head, SIZE_GRID), head, role=role)]
    month_first, month_last = cols[1][0], cols[-1][1]
    for i, r in enumerate(grid.rows):
        cells = [sourced(grid_cell(*cols[0], r.label, None, False), ("label", i))]
        cells += [sourced(grid_cell(*cols[k + 1], v, grid.format, False), ("value", i, k))
                  for k, v in enumerate(r.values)]
        total = sourced(grid_cell(*total_col, r.total, grid.format, False), ("total", i))
        formula = total_formula(r.how, month_first, month_last) if len(cols) > 1 else None
        if formula is not None:
            total = CellSpec(total_col[0], formula, "rg.grid.num", total_col[1],
                             excel_number_format(grid.format), ("total", i))
        cells.append(total)
        if grid.extra_label:
            cells.append(sourced(grid_cell(*extra_col, r.extra, grid.format, False), ("extra", i)))
        rows.append(Row(row_height(cells, SIZE_GRID), cells, role=role))
    return rows


def table_width(table: Table) -> int:
    """Columns of a table, counted on its first row with column spans."""
    width = 0
    for row in [*table.header, *table.rows][:1]:
        width = sum((c.span[1] if isinstance(c, TableCell) else 1) for c in row)
    return width


def table_rows(table: Table, role: str) -> list[Row] | None:
    """A table as grid rows, or None when it has more columns than slots."""
    slots = slot_cols(table_width(table))
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
            value, fmt = cell_value(raw)
            if not header and fmt is None and table.formats and col < len(table.formats):
                fmt = table.formats[col]
            last = min(col + cs - 1, len(slots) - 1)
            if col < len(slots):
                cells.append(sourced(grid_cell(slots[col][0], slots[last][1], value, fmt, header),
                                     source=("th" if header else "td", r if header else r - len(table.header),
                                             len(cells))))
        rows.append(Row(row_height(cells, SIZE_GRID), cells, role=role))
    return rows


def fill_gaps(row: Row) -> None:
    """Give a grid row bordered empty cells where it has none, so the grid
    reads as one box across the whole progress area."""
    used: set[int] = set()
    for c in row.cells:
        used.update(range(c.col, (c.last_col or c.col) + 1))
    for col in range(COL_PROGRESS, COL_MARK):
        if col not in used:
            row.cells.append(CellSpec(col, None, "rg.grid.label"))
