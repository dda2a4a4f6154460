"""Applying what the sheet shows for one entry to the embedded report: mark, plan, status, grids, rank.

Each entry of the sheet is matched to the report's entry by its hidden tag;
a cell is compared with the text written there (kept in the payload), so only
real edits change the report.  Text typed into new rows becomes a new entry or
joins the status of the entry it follows.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Problem
from ..model.report import Entry, Item, Report
from .fieldcols import field_columns, field_content
from .gridedits import GridEdits
from .precheck import entry_paths
from .readback import apply_rank
from .scan import Seen, cell_text, same_text
from .statusedits import status_edits
from .sheet import COL_ENTRY_ID, COL_MARK, COL_PROGRESS, COL_RANK, MAIN_SHEET, rank_text
from .writtengrids import written_grid_rows

__all__ = ["EntryEdits", "col_letter"]


class EntryEdits:
    def __init__(self, report: Report, written: dict[str, Any], source: str) -> None:
        self.report = report
        self.written = written
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.entries: dict[str, tuple[str, Item, Entry]] = {
            f"E{n}": (path, item, entry) for n, (path, item, _i, entry) in enumerate(entry_paths(report))
        }
        self.taken: set[str] = set()
        self.sheet = MAIN_SHEET      # the sheet's name in messages (set by the reader: it may be renamed)
        self.fields = field_columns(report)
        self.index: dict[str, int] = {f"E{n}": i for n, (_p, _item, i, _e) in enumerate(entry_paths(report))}
        self.cached: Any = None      # (row, col) → a formula's last computed value; set by the reader
        # What was written for each entry, before any edit is applied: grid
        # rows by role (cells carry their source) and the 全国順位 text.
        self.grid_rows: dict[str, dict[str, list[Any]]] = written_grid_rows(report)
        self.ranks: dict[str, str] = {eid: rank_text(e) for eid, (_p, _i, e) in self.entries.items()}

    def mark(self, raw: Any, row: int, path: str) -> str | None:
        text = cell_text(raw).strip()
        if not text:
            return None
        scale = self.report.marks
        mark = scale.normalise(text)
        if mark is None:
            cell = f"{self.sheet}!{col_letter(COL_MARK)}{row}"
            self.problems.append(Problem(self.source, None, f"{cell}: {path}.mark",
                                         f"'{text}' is not a mark of the '{scale.name}' scale "
                                         f"({' '.join(scale.allowed)})"))
        return mark

    def apply(self, seen: Seen) -> None:
        if seen.entry_id is None:
            self.add_entry(seen)
            return
        found = self.entries.get(seen.entry_id)
        written = self.written.get(seen.entry_id)
        if found is None or not isinstance(written, dict):
            self.problems.append(Problem(self.source, None, f"{self.sheet}!{col_letter(COL_ENTRY_ID)}{seen.row}",
                                         f"unknown entry tag {seen.entry_id!r} (hidden column edited?)"))
            return
        if seen.entry_id in self.taken:
            self.problems.append(Problem(self.source, None, f"{self.sheet}!{col_letter(COL_ENTRY_ID)}{seen.row}",
                                         f"entry tag {seen.entry_id!r} appears twice (rows copied with their "
                                         "hidden columns?); copy only the visible cells"))
            return
        self.taken.add(seen.entry_id)
        path, _item, entry = found
        seen.entry = entry
        for r in seen.orphans:
            self.warnings.append(Problem(self.source, None, f"{self.sheet}!{col_letter(COL_PROGRESS)}{r}: {path}",
                                         "not read back: a text row left over from an entry whose first row "
                                         "was deleted (delete all of its rows, or none)"))
        entry.mark = self.mark(seen.mark, seen.row, path)
        edits = GridEdits(self.source, self.sheet, path, entry, self.problems, self.warnings,
                          self.report.period_info.months_reached(self.report.fiscal_year), self.cached)
        written_grids = self.grid_rows.get(seen.entry_id, {})
        for tail, rows in seen.grids.items():
            edits.apply(tail, written_grids.get(tail, []), rows, seen.typed_grid_rows)
        for tail, rows in written_grids.items():
            if tail not in seen.grids and rows:
                edits.warn(seen.row, COL_PROGRESS, path, "a grid's rows were deleted; deleting a grid is not read "
                                                         "back (its figures are kept)")
        apply_rank(entry, cell_text(seen.rank), self.ranks.get(seen.entry_id, ""),
                   f"{self.sheet}!{col_letter(COL_RANK)}{seen.row}: {path}.kpi.national", self.source, self.problems)
        if not same_text(seen.plan, str(written.get("plan", ""))):
            entry.plan = plan_from(seen.plan, written) or None
        self.status(entry, seen, written.get("pieces") or {}, path)
        self.custom_fields(seen, _item, self.index.get(seen.entry_id, 0), entry, written.get("fields") or {})

    def custom_fields(self, seen: Seen, item: Item, index: int, entry: Entry, written: dict[str, Any]) -> None:
        """Custom columns: an edited cell goes back to the field it showed (the entry's, or
        beside an item's first entry the item's); a cleared cell removes that field."""
        for f in self.fields:
            text = seen.fields.get(f.col, "")
            if same_text(text, str(written.get(f.name) or "")):
                continue
            _content, owner = field_content(item, index, entry, f.name)
            target = item.fields if owner == "item" else entry.fields
            if text.strip():
                target[f.name] = text
            else:
                target.pop(f.name, None)

    def status(self, entry: Entry, seen: Seen, pieces: dict[str, Any], path: str) -> None:
        edits = status_edits(entry, seen, pieces)
        entry.status = edits.status
        for row, _base in edits.leftovers:
            self.warnings.append(Problem(self.source, None, f"{self.sheet}!{col_letter(COL_PROGRESS)}{row}: {path}",
                                         "not read back: a text row left over from an entry whose first row "
                                         "was deleted (delete all of its rows, or none)"))

    def add_entry(self, seen: Seen) -> None:
        """An entry typed into new rows; the structure pass puts it where the sheet shows it."""
        entry = Entry(plan=seen.plan.strip() or None, status=seen.empty_status or None,
                      mark=self.mark(seen.mark, seen.row, f"(new entry at row {seen.row})"))
        entry.status = status_edits(entry, seen, {}).status
        entry.fields = {f.name: text for f in self.fields if (text := seen.fields.get(f.col, "")).strip()}
        rank = cell_text(seen.rank).strip()
        if rank:
            self.warnings.append(Problem(self.source, None, f"{self.sheet}!{col_letter(COL_RANK)}{seen.row}",
                                         "全国順位 of a new entry is not read back (it has no KPI)"))
        seen.entry = entry


def col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def plan_from(text: str, written: dict[str, Any]) -> str:
    prefix = str(written.get("prefix") or "")
    kpi_line = str(written.get("kpi_line") or "")
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if kpi_line and text.rstrip().endswith(kpi_line.strip()):
        text = text.rstrip()[: -len(kpi_line.strip())].rstrip("\n")
    return text
