"""Reading back what the tracker sheet shows: grids, structure, order, top cells.

:mod:`reportgen.xlsx.read` opens the workbook and reads marks and texts; this
module reads the rest of what a person can edit in ``進捗状況`` so that no
edit is silently dropped:

* **Grid cells** (series and tables): each written cell carries, in the
  re-built layout of the embedded report, the place its value came from
  (``CellSpec.source``); a cell whose value differs from what was written is
  parsed back with :func:`reportgen.model.numbers.parse_typed` into that place.
  Totals written as formulas are computed (left alone while the formula is
  ours); a typed total becomes the row's own total, with a warning when it
  disagrees with the months.
* **Structure and order**: the visible sheet decides which sections, groups,
  items and entries exist and in which order (the hidden tag columns move
  with rows); the embedded report supplies what the sheet does not show.
* **Title, banners, 項番/事業, area labels, 全国順位**: read when they differ
  from what was written.
* Anything else that changed (month headers, the summary, the chart target
  row, the ``データ`` sheet) is reported as a located warning.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..core.errors import Problem
from ..model.grids import total_warnings
from ..model.report import (
    Entry,
    Group,
    Item,
    National,
    Report,
    Section,
    Series,
    SeriesBlock,
    SeriesExtra,
    TableBlock,
    TableCell,
)
from ..model.numbers import cell_format, parse_typed

__all__ = ["GridEdits", "Structure", "cell_name", "parse_rank", "same_value"]


def cell_name(sheet: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col)}{row}"


def same_value(written: Any, seen: Any) -> bool:
    """Whether a cell still holds what was written (numbers compared as numbers)."""
    if isinstance(written, str) and isinstance(seen, str):
        return written.replace("\r\n", "\n").rstrip() == seen.replace("\r\n", "\n").rstrip()
    if written in (None, "") and seen in (None, ""):
        return True
    if isinstance(written, _dt.timedelta) and isinstance(seen, (_dt.timedelta, _dt.time)):
        if isinstance(seen, _dt.time):
            seen = _dt.timedelta(hours=seen.hour, minutes=seen.minute, seconds=seen.second)
        return abs((written - seen).total_seconds()) < 30
    if isinstance(written, _dt.date) and isinstance(seen, _dt.datetime):
        return written == seen.date()
    if isinstance(written, (int, float)) and isinstance(seen, (int, float)) \
            and not isinstance(written, bool) and not isinstance(seen, bool):
        return abs(written - seen) <= 1e-9 * max(1.0, abs(written))
    if isinstance(written, (int, float)) and isinstance(seen, str):
        return seen.strip() == str(written)
    return bool(written == seen)


_RANK_RE = re.compile(r"^\s*(?:(\d+)\s*位)?\s*(?:[（(]\s*前月\s*(\d+)\s*位\s*[）)])?\s*$")


def parse_rank(text: str) -> tuple[int | None, int | None] | None:
    """"46位 (前月46位)" → (46, 46); None when the text is not in that shape."""
    import unicodedata

    m = _RANK_RE.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return (int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)


# --------------------------------------------------------------------------
# Grid cells
# --------------------------------------------------------------------------

_OUR_TOTAL = re.compile(r'^=IF\(COUNT\(([A-Z]+)\d+:([A-Z]+)\d+\)=0,"",(SUM|AVERAGE|LOOKUP)\(')


class GridEdits:
    """Applies the edits of one entry's grid rows; collects problems and warnings."""

    def __init__(self, source: str, sheet: str, path: str, entry: Entry,
                 problems: list[Problem], warnings: list[Problem], reached: int = 12,
                 cached: Callable[[int, int], Any] | None = None) -> None:
        self.source, self.sheet, self.path, self.entry = source, sheet, path, entry
        self.problems, self.warnings = problems, warnings
        self.reached = reached
        #: The value Excel/LibreOffice last computed for a formula cell (None: never computed).
        self.cached = cached or (lambda r, c: None)

    def _where(self, r: int, c: int, field_path: str) -> str:
        return f"{cell_name(self.sheet, r, c)}: {field_path}"

    def warn(self, r: int, c: int, field_path: str, message: str) -> None:
        self.warnings.append(Problem(self.source, None, self._where(r, c, field_path), message))

    def error(self, r: int, c: int, field_path: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, self._where(r, c, field_path), message))

    def target(self, role_tail: str) -> tuple[str, Series | None, TableBlock | None]:
        """The series or table a grid role ("grid3", "gridk") was written from."""
        if role_tail == "k":
            kpi = self.entry.kpi
            return f"{self.path}.kpi.series", (kpi.series if kpi else None), None
        if not role_tail.isdigit() or not isinstance(self.entry.status, list):
            return self.path, None, None
        index = int(role_tail)
        if index >= len(self.entry.status):
            return self.path, None, None
        block = self.entry.status[index]
        if isinstance(block, SeriesBlock):
            return f"{self.path}.status[{index}].series", block.series, None
        if isinstance(block, TableBlock):
            return f"{self.path}.status[{index}].table", None, block
        return f"{self.path}.status[{index}]", None, None

    def apply(self, role_tail: str, written_rows: list[Any], seen_rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        """Compare the rows written for one grid with the rows the sheet shows now."""
        base, series, table = self.target(role_tail)
        typed_totals: set[int] = set()
        for written, (r, values) in zip(written_rows, seen_rows):
            for spec in written.cells:
                seen = values[spec.col - 1] if spec.col - 1 < len(values) else None
                value = spec.value
                ours = hasattr(value, "formula")       # our live total formula
                if ours and isinstance(seen, str) and _OUR_TOTAL.match(seen):
                    continue
                if isinstance(seen, str) and seen.startswith("="):
                    # someone's own formula: its last computed value is what the sheet shows
                    seen = self.cached(r, spec.col)
                    if seen is None:
                        field_path = base if spec.source is None else base + _source_path(spec.source)
                        self.error(r, spec.col, field_path, "a formula whose value was never computed: type the "
                                                            "figure, or save the workbook in Excel or LibreOffice "
                                                            "first")
                        continue
                if ours:
                    if seen is None:
                        value = "<formula>"
                elif same_value(value, seen):
                    continue
                if spec.source is None:
                    self.warn(r, spec.col, base, f"edit not read back: this cell is generated "
                                                 f"(written {value!r}, now {seen!r})")
                    continue
                if series is not None:
                    if self.series_cell(series, base, spec.source, seen, r, spec.col) == "total":
                        typed_totals.add(spec.source[1])
                elif table is not None:
                    self.table_cell(table, base, spec.source, seen, r, spec.col, spec.number_format)
                else:
                    self.warn(r, spec.col, base, "edit not read back (the block is no longer a grid)")
        for r, _values in seen_rows[len(written_rows):]:
            self.warn(r, 5, base, "not read back: a grid row left over from an entry whose first row was "
                                  "deleted, or a copied grid row (delete all of an entry's rows, or none)")
        if len(seen_rows) < len(written_rows):
            r = seen_rows[-1][0] if seen_rows else 0
            self.warn(r, 5, base, f"{len(written_rows) - len(seen_rows)} grid row(s) deleted; deleting rows of "
                                  "a grid is not read back (the figures are kept; clear the cells instead)")
        if series is not None:
            fmt_rows = {i: r for i, (r, _v) in enumerate(seen_rows[1:])}
            for where, message in total_warnings(series):
                if len(where) == 3 and where[1] in typed_totals:
                    row = fmt_rows.get(int(where[1]), 0)
                    self.warn(row, 18, f"{base}.rows[{where[1]}].total", "typed total: " + message)

    def parse(self, raw: Any, fmt: str, r: int, c: int, path: str) -> tuple[bool, Any]:
        try:
            return True, parse_typed(raw, fmt)
        except (ValueError, TypeError) as exc:
            self.error(r, c, path, str(exc))
            return False, None

    def series_cell(self, series: Series, base: str, source: tuple[Any, ...], seen: Any, r: int, c: int) -> str:
        kind = source[0]
        text = "" if seen is None else str(seen).strip()
        if kind == "corner":
            series.caption = text or None
            return kind
        if kind == "total_label":
            series.total_label = text
            return kind
        i = source[1]
        if i >= len(series.rows):
            return kind
        row = series.rows[i]
        if kind == "label":
            if not text:
                self.error(r, c, f"{base}.rows[{i}].label", "a grid row needs a label")
            else:
                row.label = text
            return kind
        path = f"{base}.rows[{i}]"
        if kind == "value":
            k = source[2]
            ok, value = self.parse(seen, series.format, r, c, f"{path}.values[{k}]")
            shown = self.reached if series.kind == "monthly" else -(-self.reached // 3)
            if ok and value is not None and k >= shown:
                self.warn(r, c, f"{path}.values[{k}]", "kept, but not printed: the report's period has not "
                                                        "reached this month (change period in the data)")
            if ok:
                while len(row.values) <= k:
                    row.values.append(None)
                row.values[k] = value
                while row.values and row.values[-1] is None:
                    row.values.pop()
        elif kind == "total":
            ok, value = self.parse(seen, series.format, r, c, f"{path}.total")
            if ok:
                row.total = "none" if value is None else value
        elif kind == "extra":
            ok, value = self.parse(seen, series.format, r, c, f"{series and base}.extra.values[{i}]")
            if ok:
                if series.extra is None:
                    series.extra = SeriesExtra("", [])
                while len(series.extra.values) <= i:
                    series.extra.values.append(None)
                series.extra.values[i] = value
        return kind

    def table_cell(self, block: TableBlock, base: str, source: tuple[Any, ...], seen: Any, r: int, c: int,
                   number_format: str | None) -> None:
        part, ti, ci = source
        rows = block.table.header if part == "th" else block.table.rows
        if ti >= len(rows) or ci >= len(rows[ti]):
            return
        old = rows[ti][ci]
        old_value = old.value if isinstance(old, TableCell) else old
        fmt = old.format if isinstance(old, TableCell) and old.format else None
        if fmt is None and part == "td" and block.table.formats and ci < len(block.table.formats):
            fmt = block.table.formats[ci]
        new: Any
        if isinstance(seen, str) and fmt not in (None, "text"):
            try:
                new = parse_typed(seen, str(cell_format(old_value, fmt)))
            except ValueError:
                new = seen            # tables mix labels (―, 未実施) with figures
        elif isinstance(seen, (_dt.date, _dt.time, _dt.timedelta)) and fmt is not None:
            ok, new = self.parse(seen, fmt, r, c, f"{base}.{'header' if part == 'th' else 'rows'}[{ti}][{ci}]")
            if not ok:
                return
        elif isinstance(seen, float) and seen.is_integer() and isinstance(old_value, int):
            new = int(seen)
        else:
            new = seen
        if isinstance(new, _dt.date):
            new = new.isoformat()
        if isinstance(old, TableCell):
            old.value = new
        else:
            rows[ti][ci] = new


def _source_path(source: tuple[Any, ...]) -> str:
    kind = source[0]
    if kind in ("label", "total"):
        return f".rows[{source[1]}].{kind}"
    if kind == "value":
        return f".rows[{source[1]}].values[{source[2]}]"
    if kind == "extra":
        return f".extra.values[{source[1]}]"
    if kind in ("th", "td"):
        return f".{'header' if kind == 'th' else 'rows'}[{source[1]}][{source[2]}]"
    return "." + {"corner": "caption"}.get(kind, kind)


# --------------------------------------------------------------------------
# Structure: sections, groups, items, entries in the order the sheet shows
# --------------------------------------------------------------------------

@dataclass
class ItemSlot:
    row: int
    number: str
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class GroupSlot:
    row: int
    text: str
    items: list[ItemSlot] = field(default_factory=list)


@dataclass
class SectionSlot:
    row: int
    text: str
    items: list[ItemSlot] = field(default_factory=list)
    groups: list[GroupSlot] = field(default_factory=list)


class Structure:
    """Collects the sheet's structure row by row, then rebuilds the report's tree."""

    def __init__(self, report: Report, source: str, sheet: str) -> None:
        self.report = report
        self.source, self.sheet = source, sheet
        self.sections: list[SectionSlot] = []
        self.group: GroupSlot | None = None
        self.item: ItemSlot | None = None
        self.warnings: list[Problem] = []
        self.problems: list[Problem] = []
        # origin of each entry: (section, group, item)
        self.where: dict[int, tuple[Section, Group | None, Item]] = {}
        for section in report.sections:
            for group, item, entry in section.iter_entries():
                self.where[id(entry)] = (section, group, item)

    # -- events, in sheet order ------------------------------------------------
    def area(self, row: int, text: str) -> None:
        if self.sections and text.strip() == self.sections[-1].text.strip():
            return                      # the label repeated on a new printed page
        self.sections.append(SectionSlot(row, text))
        self.group = None
        self.item = None

    def _section(self, row: int) -> SectionSlot:
        if not self.sections:
            self.sections.append(SectionSlot(row, ""))
        return self.sections[-1]

    def banner(self, row: int, text: str) -> None:
        slot = GroupSlot(row, text)
        self._section(row).groups.append(slot)
        self.group = slot
        self.item = None

    def item_start(self, row: int, number: str, title: str) -> None:
        first_line = title.split("\n", 1)[0]
        if self.item is not None and first_line.endswith("（続き）") and number == self.item.number:
            return                      # the title repeated on a new printed page
        slot = ItemSlot(row, number, title)
        (self.group.items if self.group is not None else self._section(row).items).append(slot)
        self.item = slot

    def entry(self, row: int, entry: Entry) -> None:
        if self.item is None:
            self.item_start(row, "", "")
        assert self.item is not None
        self.item.entries.append(entry)

    # -- rebuilding -------------------------------------------------------------
    def rebuild(self, heads: dict[str, dict[int, str]]) -> None:
        """Give the report the sections, groups, items and entries the sheet shows.

        Each slot keeps the model object its first known entry came from (so
        KPI, tags, owners and everything the sheet does not show stay); a slot
        whose object is already taken, or without known entries, becomes a new
        object built from its visible texts.
        """
        from .writer import item_title

        used: set[int] = set()
        out: list[Section] = []

        def origin_of(entries: list[Entry], pick: int) -> Any:
            for e in entries:
                found = self.where.get(id(e))
                if found is not None and found[pick] is not None and id(found[pick]) not in used:
                    return found[pick]
            return None

        by_text_items = {}
        for section in self.report.sections:
            for group, item in section.iter_items():
                by_text_items.setdefault((_num(item.number), item_title(item, group)), item)

        for sslot in self.sections:
            all_entries = [e for i in sslot.items for e in i.entries] + \
                [e for g in sslot.groups for i in g.items for e in i.entries]
            section = origin_of(all_entries, 0)
            joined = []
            for e in all_entries:
                found = self.where.get(id(e))
                if found is not None and found[0] is not section and all(found[0] is not j for j in joined):
                    joined.append(found[0])
            if joined and section is not None:
                self.warnings.append(Problem(
                    self.source, None, f"{cell_name(self.sheet, sslot.row, 1)}: 分野",
                    "entries of " + "、".join(j.heading for j in joined) + " now belong to this 分野 (their "
                    "分野 label is empty); type the label to keep them apart"))
            if section is None:
                section = next((s for s in self.report.sections if id(s) not in used
                                and s.heading.strip() == sslot.text.strip()), None)
            if section is None:
                number, title = _split_heading(sslot.text)
                section = Section(title=title or "（無題）", number=number)
            used.add(id(section))
            written_heading = heads["area"].get(id(section))
            if sslot.text.strip() and written_heading is not None and sslot.text.strip() != written_heading.strip():
                number, title = _split_heading(sslot.text, section.number)
                section.number, section.title = number, title
            section.items = [self._item(i, None, used, by_text_items, heads) for i in sslot.items]
            groups = []
            for gslot in sslot.groups:
                gentries = [e for i in gslot.items for e in i.entries]
                group = origin_of(gentries, 1)
                if group is None:
                    title, owner = _split_banner(gslot.text)
                    group = Group(title=title, owner=owner)
                used.add(id(group))
                if gslot.text.strip() != heads["banner"].get(id(group), "").strip():
                    group.title, group.owner = _split_banner(gslot.text)
                group.items = [self._item(i, group, used, by_text_items, heads) for i in gslot.items]
                groups.append(group)
            section.groups = groups
            out.append(section)
        self.report.sections = out

    def _item(self, slot: ItemSlot, group: Group | None, used: set[int], by_text: dict, heads: dict) -> Item:
        origins = []
        for e in slot.entries:
            found = self.where.get(id(e))
            if found is not None and all(found[2] is not o for o in origins):
                origins.append(found[2])
        if len(origins) > 1:
            names = "、".join(f"{_num(o.number)}{o.title}" for o in origins[1:])
            self.warnings.append(Problem(self.source, None, f"{cell_name(self.sheet, slot.row, 3)}: 事業",
                                         f"entries of {names} now belong to this item (their 項番/事業 "
                                         "cells are empty); type a 項番 and 事業 to keep them apart"))
        item = None
        for e in slot.entries:
            found = self.where.get(id(e))
            if found is not None and id(found[2]) not in used:
                item = found[2]
                break
        if item is None and not slot.entries:
            candidate = by_text.get((slot.number, slot.title))
            if candidate is not None and id(candidate) not in used:
                item = candidate
        if item is None:
            item = Item(title="")
            _set_title(item, slot.title, group)
            item.number = _number(slot.number, None)
        else:
            if slot.title.strip() != heads["title"].get(id(item), "").strip():
                _set_title(item, slot.title, group)
            if slot.number.strip() != heads["number"].get(id(item), "").strip():
                item.number = _number(slot.number, item.number)
        used.add(id(item))
        item.entries = list(slot.entries)
        if not item.title.strip():
            self.problems.append(Problem(self.source, None, f"{cell_name(self.sheet, slot.row, 3)}: 事業",
                                         "a new item (項番 row) needs its 事業 name"))
        return item


def _num(number: Any) -> str:
    return "" if number is None else str(number)


def _number(text: str, old: Any) -> str | int | None:
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+", text) and (old is None or isinstance(old, int)):
        return int(text)
    return text


def _split_heading(text: str, old_number: Any = None) -> tuple[Any, str]:
    """Area label "1 基盤的保険者機能関係" → number, title (the number as written)."""
    text = text.strip()
    parts = re.split(r"[ 　]", text, maxsplit=1)
    if len(parts) == 2 and len(parts[0]) <= 6:
        return _number(parts[0], old_number if old_number is not None else 0) if parts[0] else None, parts[1].strip()
    return None, text


def _split_banner(text: str) -> tuple[str, str | None]:
    """Banner "〇サービス水準の向上(業務グループ)" → title, owner."""
    text = text.strip().lstrip("〇○")
    m = re.fullmatch(r"(.*?)[(（]([^()（）]*)[)）]", text, re.S)
    if m and m.group(1).strip():
        return m.group(1).strip(), m.group(2).strip() or None
    return text, None


def _set_title(item: Item, text: str, group: Group | None) -> None:
    """事業 cell → title, 【tags】, labels and （owner） (the inverse of xlsx.item_title)."""
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n")]
    item.title = lines[0].strip() if lines else ""
    tags: list[str] = []
    labels: list[str] = []
    owner = None
    for line in lines[1:]:
        s = line.strip()
        if not s:
            continue
        if re.fullmatch(r"(【[^【】]+】)+", s):
            tags.extend(re.findall(r"【([^【】]+)】", s))
        elif re.fullmatch(r"（[^（）]+）", s):
            owner = s[1:-1]
        else:
            labels.append(s)
    item.tags, item.labels = tags, labels
    if owner is not None or item.owner is None or (group is not None and group.owner == item.owner):
        item.owner = owner if owner is not None else item.owner


def apply_rank(entry: Entry, text: str, written: str, where: str, source: str,
               problems: list[Problem]) -> None:
    """全国順位 cell edited: rank and previous month's rank of the entry's KPI."""
    if text.strip() == written.strip():
        return
    parsed = parse_rank(text)
    if parsed is None:
        problems.append(Problem(source, None, where, f"{text!r} is not a rank such as '46位 (前月46位)'"))
        return
    if entry.kpi is None:
        if parsed != (None, None):
            problems.append(Problem(source, None, where, "全国順位 of an entry without a KPI cannot be kept "
                                                        "(give the entry a kpi in the data)"))
        return
    national = entry.kpi.national or National()
    national.rank, national.rank_prev = parsed
    entry.kpi.national = None if parsed == (None, None) and national.average is None else national


def compare_generated(ws: Any, expected: list[list[Any]], sheet: str, source: str) -> list[Problem]:
    """Located warnings for every cell of a generated sheet that differs from what was written."""
    out: list[Problem] = []
    rows = list(ws.iter_rows(values_only=True))
    height = max(len(rows), len(expected))
    for r in range(height):
        seen = rows[r] if r < len(rows) else ()
        want = expected[r] if r < len(expected) else []
        for c in range(max(len(seen), len(want))):
            a = want[c] if c < len(want) else None
            b = seen[c] if c < len(seen) else None
            if not same_value(a, b):
                out.append(Problem(source, None, cell_name(sheet, r + 1, c + 1),
                                   f"the {sheet} sheet is generated and not read back: edit 進捗状況 instead "
                                   f"(written {a!r}, now {b!r})"))
                if len(out) >= 50:
                    return out
    return out


__all__ += ["ItemSlot", "GroupSlot", "SectionSlot", "apply_rank", "compare_generated"]
