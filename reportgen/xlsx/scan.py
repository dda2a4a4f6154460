"""Scanning the visible 進捗状況 sheet of a reportgen tracker: entries and structure in sheet order.

The scan only collects what the sheet shows (the entry each row belongs to,
its mark, plan, text pieces, grid rows, and the 分野 / banner / item rows as
events); :mod:`reportgen.xlsx.entryedits` and :mod:`reportgen.xlsx.readback`
decide what that means for the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from ..model.report import Entry
from .datetext import DATE_TYPES, date_text, is_date_value
from .guard import fail
from .readback import cell_name
from .sheet import (
    COL_AREA,
    COL_ENTRY_ID,
    COL_KPI_FLAG,
    COL_MARK,
    COL_NUMBER,
    COL_PLAN,
    COL_PROGRESS,
    COL_RANK,
    COL_ROLE,
    COL_TITLE,
    HEADER,
    MAIN_SHEET,
    ROLE_BANNER,
    ROLE_EMPTY_STATUS,
    ROLE_FILLER,
    ROLE_GAP,
    ROLE_GRID,
    ROLE_HEADER,
    ROLE_SUMMARY,
)

__all__ = ["PIECE_RE", "Event", "Seen", "cell_text", "find_header", "same_text", "scan", "shown_values"]

PIECE_RE = re.compile(r"s(\d+)([hc]?)(?:~(\d+))?")


#: How far right a moved header label or row tag is looked for.
_SEARCH_COLS = 64


def find_header(ws: Any, max_row: int, source: str) -> int:
    """Row of the 項番 · 事業 · … header; checks every label and the row tags' column.

    The reader finds everything by column, so a column inserted or deleted
    in Excel (which moves every column right of it) is refused here with the
    cell that moved, rather than read as something else.
    """
    rows = range(1, min(max_row, 60) + 1)
    for r in rows:
        if all(cell_text(ws.cell(r, first).value) == label for first, _last, label in HEADER):
            _check_tags(ws, r, source)
            return r
    for r in rows:
        found = {cell_text(v): c for c, v in enumerate(next(ws.iter_rows(min_row=r, max_row=r, max_col=_SEARCH_COLS,
                                                                         values_only=True)), start=1)}
        if sum(label in found for _f, _l, label in HEADER) < 3:
            continue
        for first, _last, label in HEADER:
            col = found.get(label)
            if col is None:
                raise fail(source, f"the header label {label!r} was changed or its column "
                                   f"deleted; the tracker's columns cannot move: undo the change (notes go right of the "
                                   "tracker's columns)", cell_name(ws.title, r, first))
            if col != first:
                raise fail(source, f"a column was inserted or deleted: {label!r} is in column "
                                   f"{get_column_letter(col)}, the tracker has it in column {get_column_letter(first)}; the tracker's columns "
                                   "cannot move: undo the change (notes go right of the tracker's columns)", cell_name(ws.title, r, col))
    labels = " · ".join(label for _f, _l, label in HEADER)
    raise fail(source, f"not a reportgen tracker: sheet {MAIN_SHEET} has no header {labels}")


def _check_tags(ws: Any, header_row: int, source: str) -> None:
    """The hidden row tags (V:X) must be where they were written: the header row's tag says so."""
    if cell_text(ws.cell(header_row, COL_ROLE).value).strip() == ROLE_HEADER:
        return
    for c in range(COL_RANK + 1, _SEARCH_COLS + 1):
        if c != COL_ROLE and cell_text(ws.cell(header_row, c).value).strip() == ROLE_HEADER:
            raise fail(source, f"a column was inserted or deleted before the hidden "
                               f"columns {get_column_letter(COL_KPI_FLAG)}:{get_column_letter(COL_ROLE)} (the row tags are in column "
                               f"{get_column_letter(c)} now); the tracker's columns cannot move: undo the change (notes go right of "
                               "the tracker's columns)", cell_name(ws.title, header_row, c))
    raise fail(source, f"the hidden row tags (column {get_column_letter(COL_ROLE)}) were "
                       "cleared or deleted; the sheet cannot be matched with its data: undo the change", cell_name(ws.title, header_row, COL_ROLE))


# --------------------------------------------------------------------------
# Scanning the visible sheet
# --------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    """A cell's content as text; line breaks normalised the way they were written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def same_text(a: str, b: str) -> bool:
    return a.rstrip() == b.rstrip()


@dataclass
class Seen:
    """What the sheet shows for one entry (existing, or added by the user)."""

    row: int                                   # first row (the mark row)
    entry_id: str | None                       # None: a new entry typed in by the user
    mark: Any = None
    plan: str = ""
    pieces: dict[str, dict[int, str]] = field(default_factory=dict)
    extra: list[tuple[int | None, str]] = field(default_factory=list)   # (after block, text)
    empty_status: str | None = None
    last_block: int | None = None
    after: str | None = None                   # new entries: the entry they follow
    rank: Any = None
    grids: dict[str, list[tuple[int, tuple[Any, ...]]]] = field(default_factory=dict)
    entry: Entry | None = None                 # the model entry, once applied
    fields: dict[int, str] = field(default_factory=dict)   # custom column → text (reportgen.xlsx.fieldcols)
    orphans: list[int] = field(default_factory=list)   # rows of another entry (its first row deleted)
    piece_rows: dict[str, int] = field(default_factory=dict)   # piece tag → its first row
    #: grid rows typed into rows of no tag (inserted in Excel inside or under a grid): row numbers
    typed_grid_rows: set[int] = field(default_factory=set)
    last_grid: str | None = None               # the grid the entry's previous row belonged to


def covered_plan_rows(ws: Any) -> dict[int, int]:
    """Row → first row of the merged 実施概要 cell covering it (not the top row)."""
    out: dict[int, int] = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col <= COL_PLAN <= rng.max_col:
            for r in range(rng.min_row + 1, rng.max_row + 1):
                out[r] = rng.min_row
    return out


def row_text(values: tuple[Any, ...]) -> str:
    parts = [cell_text(v) for v in values[COL_PROGRESS - 1:COL_MARK - 1]]
    return " ".join(p for p in parts if p.strip())


#: Structure events in sheet order: ("area"|"banner"|"item"|"entry", row, payload).
Event = tuple[str, int, Any]


def shown_values(values: tuple[Any, ...], r: int, formulas: dict[tuple[int, int], Any],
                 uncomputed: list[tuple[int, int]]) -> tuple[Any, ...]:
    """A text row's cells as the sheet shows them: a formula someone typed (``=A1&"件"``)
    counts by the value last computed for it, never as its ``=…`` text; one never
    computed is listed in ``uncomputed`` (read as empty)."""
    out = list(values)
    for c in range(1, len(values) + 1):
        if (r, c) in formulas:
            shown = formulas[(r, c)]
            if shown is None:
                uncomputed.append((r, c))
            out[c - 1] = shown
    return tuple(out)


def scan(ws: Any, header_row: int, max_row: int, field_cols: tuple[int, ...] = (),
         formulas: dict[tuple[int, int], Any] | None = None,
         uncomputed: list[tuple[int, int]] | None = None) -> tuple[list[Seen], list[Event], int]:
    """Entries and structure events of the body; also the first row after it.

    ``field_cols``: the report's custom columns (reportgen.xlsx.fieldcols),
    read on each entry's first row.  ``formulas``: (row, column) → the value
    computed for each formula cell; outside grid rows (whose cells the grid
    reader judges itself) a formula counts by that value, and the cells of
    formulas never computed go to ``uncomputed``.
    """
    formulas = formulas or {}
    formula_rows = {r for r, _c in formulas}
    uncomputed = [] if uncomputed is None else uncomputed
    covered = covered_plan_rows(ws)
    seen: list[Seen] = []
    events: list[Event] = []
    by_row: dict[int, Seen] = {}
    current: Seen | None = None
    anchor: Seen | None = None      # the last entry, for new ones
    last_number = ""
    end = max_row + 1
    for r, values in enumerate(ws.iter_rows(min_row=header_row + 1, max_row=max_row,
                                            max_col=max((COL_ROLE, *field_cols)), values_only=True),
                             start=header_row + 1):
        role = cell_text(values[COL_ROLE - 1]).strip()
        entry_id = cell_text(values[COL_ENTRY_ID - 1]).strip()
        if role in (ROLE_SUMMARY, ROLE_GAP):
            end = r
            break
        if r in formula_rows and not role.startswith(ROLE_GRID):
            values = shown_values(values, r, formulas, uncomputed)
        if not role.startswith(ROLE_GRID) and not DATE_TYPES.isdisjoint(map(type, values)):
            # a date typed into a text cell reads as the sheet shows it (10月1日), not as 2023-10-01 00:00:00
            values = tuple(date_text(v, ws.cell(r, c).number_format) if is_date_value(v) else v
                           for c, v in enumerate(values, start=1))
        area = cell_text(values[COL_AREA - 1])
        if area.strip():
            events.append(("area", r, area))
        if role == ROLE_BANNER:
            events.append(("banner", r, cell_text(values[COL_NUMBER - 1])))
            current = None
            continue
        number, title = cell_text(values[COL_NUMBER - 1]), cell_text(values[COL_TITLE - 1])
        if number.strip() or title.strip():
            events.append(("item", r, (number, title)))
            if not (title.split("\n", 1)[0].endswith("（続き）") and number == last_number):
                current = None       # a new item's rows never belong to the previous item's entry
            last_number = number
        if entry_id:
            current = anchor = Seen(r, entry_id, values[COL_MARK - 1], cell_text(values[COL_PLAN - 1]),
                                    rank=values[COL_RANK - 1], fields={c: cell_text(values[c - 1]) for c in field_cols})
            seen.append(current)
            by_row[r] = current
            events.append(("entry", r, current))
        elif not role or role == ROLE_FILLER:
            top = covered.get(r)
            typed = any(cell_text(v).strip() for v in values[COL_PLAN - 1:COL_RANK]) \
                or any(cell_text(values[c - 1]).strip() for c in field_cols)
            if top is None and (cell_text(values[COL_PLAN - 1]).strip() or (current is None and typed)):
                current = Seen(r, None, values[COL_MARK - 1], cell_text(values[COL_PLAN - 1]),
                               after=anchor.entry_id if anchor else None, rank=values[COL_RANK - 1],
                               fields={c: cell_text(values[c - 1]) for c in field_cols})
                seen.append(current)
                by_row[r] = current
                events.append(("entry", r, current))
            elif top is not None and top in by_row:
                current = by_row[top]
        if current is None:
            continue
        take_row(current, role, values, r)
    return seen, events, end


def _in_grid_columns(values: tuple[Any, ...]) -> bool:
    """Something typed right of the label column, where a grid has its figures."""
    return any(cell_text(v).strip() for v in values[COL_PROGRESS:COL_MARK - 1])


def take_row(current: Seen, role: str, values: tuple[Any, ...], r: int) -> None:
    if role in ("", ROLE_FILLER) and current.last_grid is not None and _in_grid_columns(values):
        # a row inserted inside or right under a grid, with figures typed: a new grid row
        # (a label alone stays a text row: a note under a grid is as likely)
        current.grids[current.last_grid].append((r, values))
        current.typed_grid_rows.add(r)
        return
    current.last_grid = role[len(ROLE_GRID):] if role.startswith(ROLE_GRID) else None
    text = cell_text(values[COL_PROGRESS - 1])
    m = PIECE_RE.fullmatch(role)
    if m:
        base = f"s{m.group(1)}{m.group(2)}"
        chunk = int(m.group(3) or 0)
        if chunk in current.pieces.get(base, {}):
            # the same text row twice: rows of an entry whose first row was deleted
            current.orphans.append(r)
            return
        current.pieces.setdefault(base, {})[chunk] = text
        current.piece_rows.setdefault(base, r)
        current.last_block = int(m.group(1))
    elif role == ROLE_EMPTY_STATUS:
        current.empty_status = text
    elif role.startswith(ROLE_GRID):
        tail = role[len(ROLE_GRID):]
        current.last_block = int(tail) if tail.isdigit() else None
        current.grids.setdefault(tail, []).append((r, values))
    elif role in ("", ROLE_FILLER):
        extra = row_text(values)
        if extra.strip():
            current.extra.append((current.last_block, extra))


# --------------------------------------------------------------------------
# Applying the edits to the embedded report
# --------------------------------------------------------------------------
