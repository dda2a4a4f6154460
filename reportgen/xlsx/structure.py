"""Structure and order read back: the visible sheet decides which sections, groups,
items and entries exist and in which order.

The hidden tag columns move with rows, so entries are found wherever they
went; 分野 labels, banners and 項番/事業 cells are read when they differ from
what was written, and the embedded report supplies what the sheet does not
show (tags, owners, spans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import Problem
from ..model.report import (
    Entry,
    Group,
    Item,
    Report,
    Section,
)

from .readback import cell_name

__all__ = ["GroupSlot", "ItemSlot", "SectionSlot", "Structure"]

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
        from .sheet import item_title

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

        previous: tuple[str, Any] = ("", None)     # the last slot's label and its last entry's 分野
        for sslot in self.sections:
            all_entries = [e for i in sslot.items for e in i.entries] + \
                [e for g in sslot.groups for i in g.items for e in i.entries]
            origins = [self.where[id(e)][0] for e in all_entries if id(e) in self.where]
            if origins and previous[1] is origins[0] and sslot.text.strip() != previous[0]:
                self.warnings.append(Problem(
                    self.source, None, f"{cell_name(self.sheet, sslot.row, 1)}: 分野",
                    f"the 分野 label {sslot.text.strip()!r} differs from {previous[0]!r} above, but its entries "
                    "continue that 分野 (a label repeated on a new printed page?): read as a new 分野 from here; "
                    "to rename the 分野, change every repeated label"))
            previous = (sslot.text.strip(), origins[-1] if origins else None)
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
