"""The rows of a hand-made tracker, read into sections, groups, items and entries.

See :mod:`reportgen.xlsx.tracker_import` for the layout this follows.  This module
only walks the sheet (header, area labels, banners, 項番, 事業, 実施概要,
進捗状況 text and grids, marks, ranks, the summary block at the bottom) and
keeps what it found with the cells it came from, so that the data assembly can
warn about a cell by its address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model.calendar import fiscal_year_in_text
from .tracker_extras import extra_columns, repeated_labels, take_extras
from .tracker_cells import cell_text, normal
from .tracker_grids import GridHeader, month_header, read_grid, read_row_grid
from .tracker_sheet import Sheet

__all__ = ["Header", "ReadEntry", "ReadGroup", "ReadItem", "ReadSection", "TrackerReader", "find_header"]

_CIRCLES = ("○", "〇", "◯", "⭕")
_BANNER = re.compile(r"^[○〇◯⭕]\s*(.*?)\s*(?:[(（]([^()（）]*)[)）])?\s*$", re.S)
_LEGEND = re.compile(r"^[◎○〇◯⊚△×✕□]\s*[:：]")
_COUNT = re.compile(r"^[◎○〇◯⊚△×✕□]\s*\d+\s*(件)?$")
_SUMMARY_WORDS = frozenset({"全体", "合計", "(再掲)", "再掲", "KPI", "計"})
_LEADING_NUMBER = re.compile(r"^([0-9]+)[.．、\s]*")


@dataclass
class Header:
    """Where the header row is and the column of each label (area: the column under 項番's left part)."""

    row: int
    data_start: int
    area: int | None
    number: int
    title: int
    plan: int
    progress: int
    mark: int
    rank: int | None
    #: A month row under the header (4月…3月 under 進捗状況) heading every item's figures.
    months: GridHeader | None = None
    #: The last column of 進捗状況's span (text and month grids): the column before the next
    #: labelled header cell (実施状況 in the seed; any column where 実施状況 comes first).
    progress_end: int = 0
    #: Columns of the tracker's own (担当グループ, 備考 …): (column, field name); see tracker_extras.
    extras: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ReadEntry:
    """One 実施概要 block: its plan, status blocks, and the mark / rank cells (checked later)."""

    plan: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    marks: list[tuple[int, int, str]] = field(default_factory=list)
    ranks: list[tuple[int, int, str]] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)   # columns of the tracker's own

    def flush(self) -> None:
        if self.lines:
            self.blocks.append({"text": "\n".join(self.lines)})
            self.lines = []


@dataclass
class ReadItem:
    """One 事業: its 項番 (and the last row of a merged 項番 cell), 事業 cells, entries."""

    row: int
    number: Any = None
    number_last: int = 0
    titles: list[tuple[int, int, str]] = field(default_factory=list)
    entries: list[ReadEntry] = field(default_factory=list)


@dataclass
class ReadGroup:
    """A ○ banner."""

    title: str
    owner: str | None
    items: list[ReadItem] = field(default_factory=list)


@dataclass
class ReadSection:
    """An area (分野) label; "" until the first label is read."""

    title: str
    number: str | None = None
    items: list[ReadItem] = field(default_factory=list)
    groups: list[ReadGroup] = field(default_factory=list)


def _label_kind(t: str) -> str | None:
    """The header column a label (already ``normal``) names, if any."""
    if t == "項番":
        return "number"
    if t == "事業":
        return "title"
    if t.startswith("実施(") and t.endswith("概要") or t == "実施概要":
        return "plan"
    if t.startswith("進捗状況"):
        return "progress"
    if t == "実施状況":
        return "mark"
    if t == "全国順位":
        return "rank"
    return None


def _header_cols(sheet: Sheet, r: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, label in sheet.row_labels(r):
        kind = _label_kind(label)
        if kind and kind not in found:
            found[kind] = c
    return found


_REQUIRED = ("number", "title", "plan", "progress", "mark")


#: Labels of a grid's own columns, when they stand in the header row itself (4月 … 3月, 計, 全国平均)
_GRID_HEAD = re.compile(r"[0-9０-９]{1,2}月|第?[1-4１-４]四半期|[計累計平均合全国年間通期]+")


def _progress_end(sheet: Sheet, r: int, progress: int) -> int:
    """The last column under 進捗状況 (its merged header, then the unlabelled columns of its
    grids): the column before the next labelled cell of the header row, else the sheet's last."""
    after = [c for c, label in sheet.row_labels(r)
             if c > sheet.last_col_of(r, progress) and not _GRID_HEAD.fullmatch(label)]
    return (min(after) - 1) if after else max(sheet.max_col, sheet.last_col_of(r, progress))


def find_header(sheet: Sheet) -> Header | None:
    """The first row (of the first 60) holding every required label; None when there is none."""
    for r in range(1, min(sheet.max_row, 60) + 1):
        cols = _header_cols(sheet, r)
        if not all(k in cols for k in _REQUIRED):
            continue
        progress_end = _progress_end(sheet, r, cols["progress"])
        if cols["progress"] < cols["mark"] <= progress_end:
            continue
        number_first, number_last = cols["number"], sheet.last_col_of(r, cols["number"])
        if number_last > number_first:
            area, number = number_first, number_last
        else:
            area, number = (number_first - 1 if number_first > 1 else None), number_first
        data_start = max(sheet.last_row_of(r, c) for c in cols.values()) + 1
        for c in cols.values():
            sheet.take(r, c)
        header = Header(r, data_start, area, number, cols["title"], cols["plan"], cols["progress"],
                        cols["mark"], cols.get("rank"), progress_end=progress_end)
        header.extras = extra_columns(sheet, r, cols, area if area is not None else number, progress_end + 1)
        for rr in range(r + 1, data_start + 1):
            if any(not sheet.is_empty(rr, c) for c in (number, cols["title"], cols["plan"])):
                break
            months = month_header(sheet, rr, cols["progress"], progress_end)
            if months is not None:
                header.months, header.data_start = months, max(data_start, rr + 1)
                break
        return header
    return None


def is_summary_row(s: Sheet, h: Header, r: int) -> bool:
    """Row r starts the mark summary block (counts, legend, 全体/再掲 labels)."""
    for c, t in s.row_labels(r):
        if _LEGEND.match(t) or (_COUNT.match(t) and c not in (h.mark,)):
            return True
        if t in _SUMMARY_WORDS and c < h.plan and (h.area is None or c != h.area):
            return True
    return False


class ReadTree:
    """What has been read so far: the sections, and the section, group, item and entry
    rows are being added to (kept apart from the row kinds of :class:`TrackerReader`)."""

    def __init__(self) -> None:
        self.sections: list[ReadSection] = []
        self.section: ReadSection | None = None
        self.group: ReadGroup | None = None
        self.item: ReadItem | None = None
        self.entry: ReadEntry | None = None
        self.grid_until = 0

    # -- structure -----------------------------------------------------------
    def ensure_section(self) -> ReadSection:
        if self.section is None:
            self.section = ReadSection("")
            self.sections.append(self.section)
        return self.section

    def ensure_item(self, r: int) -> ReadItem:
        if self.item is None:
            self.item = ReadItem(r)
            target = self.group.items if self.group is not None else self.ensure_section().items
            target.append(self.item)
            self.entry = None
        return self.item

    def ensure_entry(self, r: int) -> ReadEntry:
        item = self.ensure_item(r)
        if self.entry is None:
            self.entry = ReadEntry()
            item.entries.append(self.entry)
        return self.entry

    def close_item(self) -> None:
        if self.entry is not None:
            self.entry.flush()
        self.item = None
        self.entry = None
        self.grid_until = 0

    def open_area(self, label: str, number: str | None) -> None:
        """The section labelled ``label`` becomes the current one (a new one, or the current
        one repeated on a new printed page)."""
        if not label or (self.section is not None and self.section.title == label):
            return
        found = next((sec for sec in self.sections if sec.title == label), None)
        if found is None:
            if self.section is not None and not self.section.title:
                found = self.section  # rows read before the first label belong to it
                found.title = label
            else:
                found = ReadSection(label)
                self.sections.append(found)
        if number is not None and found.number is None:
            found.number = number
        if found is not self.section:
            # a banner typed just above the label (no item under it yet) opens the new area
            moved = self.group if self.group is not None and not self.group.items and self.item is None else None
            if moved is not None and self.section is not None and moved in self.section.groups:
                self.section.groups.remove(moved)
                found.groups.append(moved)
            self.section, self.group = found, moved
            self.close_item()


class TrackerReader(ReadTree):
    """Walks the rows under the header and builds sections, groups, items, entries."""

    def __init__(self, sheet: Sheet, header: Header) -> None:
        super().__init__()
        self.sheet = sheet
        self.h = header
        self.pending_number: str | None = None
        self.legend: list[str] = []
        self.year_labels: list[tuple[int, str, int, int]] = []

    # -- row kinds -------------------------------------------------------------
    def is_repeated_header(self, r: int) -> bool:
        cols = _header_cols(self.sheet, r)
        if all(k in cols for k in _REQUIRED):
            for c in [*cols.values(), *repeated_labels(self, r)]:
                self.sheet.take(r, c)
            return True
        return False

    def read_summary(self, r: int) -> None:
        s = self.sheet
        for c in s.filled(r, 1, s.max_col):
            s.take(r, c)   # counts are recomputed from the marks: a formula's value is not needed
            self.legend.append(normal(s.quiet_text(r, c)))

    def area(self, r: int) -> None:
        """An area (分野) label in the first column: a new section, or the current one repeated."""
        c = self.h.area
        if c is None or self.sheet.is_empty(r, c) or (r, c) in self.sheet.covered:
            return
        text = self.sheet.text(r, c)
        if text.startswith(_CIRCLES):
            return  # a banner typed from the first column
        self.sheet.take(r, c)
        label = normal(text)
        if label.isdigit():
            self.pending_number = label
            return
        number = self.pending_number
        if m := _LEADING_NUMBER.match(label):
            number, label = m.group(1), label[m.end():]
        self.pending_number = None
        self.open_area(label, number)

    def banner(self, r: int) -> bool:
        s, h = self.sheet, self.h
        left = h.area if h.area is not None else h.number
        right = max(c for c in (h.rank, h.mark, h.progress_end) if c is not None)
        filled = [c for c in s.filled(r, left, right) if (r, c) not in s.covered]
        if h.area is not None and filled and filled[0] == h.area and not s.text(r, h.area).startswith(_CIRCLES):
            filled = filled[1:]
        if not filled or filled[0] >= h.progress or len(filled) > 1:
            return False
        text = s.text(r, filled[0])
        m = _BANNER.match(text)
        if not text.startswith(_CIRCLES) or not m:
            return False
        s.take(r, filled[0])
        title, owner = m.group(1).strip(), (m.group(2) or "").strip() or None
        section = self.ensure_section()
        found = next((g for g in section.groups if g.title == title and g.owner == owner), None)
        if found is None:
            found = ReadGroup(title or text, owner)
            section.groups.append(found)
        if found is not self.group or self.item is not None:
            self.group = found
            self.close_item()
        return True

    def number(self, r: int) -> None:
        s, c = self.sheet, self.h.number
        if s.is_empty(r, c) or (r, c) in s.covered:
            return
        raw = s.raw(r, c)
        s.take(r, c)
        value: Any = raw if isinstance(raw, int) else cell_text(raw).strip()
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        if self.item is not None and self.item.number == value:
            return  # the number repeated on a new printed page
        if self.item is None or self.item.number is not None or self.item.entries or self.item.titles:
            if self.item is not None and self.item.number is None:
                self.item.number = value  # rows typed above the number belong to it
                self.item.number_last = s.last_row_of(r, c)
                return
            self.close_item()
        item = self.ensure_item(r)
        item.number, item.number_last = value, s.last_row_of(r, c)

    def title(self, r: int) -> None:
        s, c = self.sheet, self.h.title
        if s.is_empty(r, c) or (r, c) in s.covered:
            return
        s.take(r, c)
        text = s.text(r, c)
        if self.item is not None and self.item.row < self.item.number_last < r:
            self.close_item()  # below the item's merged 項番 cell: the next item's 【tags】 or name
        item = self.ensure_item(r)
        if any(normal(t) == normal(text) for _r, _c, t in item.titles):
            return  # repeated on a new printed page
        item.titles.append((r, c, text))

    def plan(self, r: int) -> None:
        s, c = self.sheet, self.h.plan
        if (r, c) in s.covered:
            return
        if s.is_empty(r, c):
            return
        s.take(r, c)
        text = cell_text(s.raw(r, c)).strip()
        item = self.ensure_item(r)
        if self.entry is not None:
            self.entry.flush()
            e = self.entry
            if e.plan is None and not (e.blocks or e.marks or e.ranks):
                e.plan = text
                return
        self.entry = ReadEntry(text)
        item.entries.append(self.entry)
        self.grid_until = 0

    def progress(self, r: int) -> None:
        s, h = self.sheet, self.h
        if r < self.grid_until:
            return
        first, last = h.progress, h.progress_end
        header = month_header(s, r, first, last)
        if header is not None:
            entry = self.ensure_entry(r)
            entry.flush()
            series, next_row = read_grid(s, header, self._grid_bound(r), first, last)
            for data in series:
                entry.blocks.append({"series": data})
                for row in data["rows"]:
                    if fy := fiscal_year_in_text(row["label"]):
                        self.year_labels.append((fy[0], row["label"], r, h.progress))
            self.grid_until = next_row
            return
        if h.months is not None and (series := read_row_grid(s, h.months, r, first, last)):
            entry = self.ensure_entry(r)
            entry.flush()
            entry.blocks.extend({"series": data} for data in series)
            return
        cells = [c for c in s.filled(r, first, last) if (r, c) not in s.covered]
        if not cells:
            return
        entry = self.ensure_entry(r)
        for c in cells:
            s.take(r, c)
        texts = [s.text(r, c) for c in cells]
        entry.lines.append(" ".join(t for t in texts if t))

    def _grid_bound(self, r: int) -> int:
        s, h = self.sheet, self.h
        for rr in range(r + 1, s.max_row + 1):
            for c in (h.number, h.plan):
                if not s.is_empty(rr, c) and (rr, c) not in s.covered:
                    return rr - 1
        return s.max_row

    def marks_and_ranks(self, r: int) -> None:
        s, h = self.sheet, self.h
        for c, bucket in ((h.mark, "marks"), (h.rank, "ranks")):
            if c is None or s.is_empty(r, c) or (r, c) in s.covered:
                continue
            entry = self.ensure_entry(r)
            getattr(entry, bucket).append((r, c, s.text(r, c)))

    def read(self) -> None:
        s, h = self.sheet, self.h
        summary = False
        for r in range(h.data_start, s.max_row + 1):
            if summary:
                if not s.is_empty(r, h.number) and not s.is_empty(r, h.plan):
                    summary = False  # items go on after a summary block
                else:
                    self.read_summary(r)
                    continue
            if self.is_repeated_header(r):
                continue
            if is_summary_row(s, h, r):
                summary = True
                self.close_item()
                self.read_summary(r)
                continue
            self.area(r)
            if self.banner(r):
                continue
            self.number(r)
            self.title(r)
            self.plan(r)
            self.progress(r)
            self.marks_and_ranks(r)
            take_extras(self, r)
        self.close_item()
