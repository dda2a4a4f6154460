"""Sections (分野), groups, items and entries (docs/FORMAT.md, "Sections").

A layer of the validator (:mod:`reportgen.inputs.validate`): the tree of a
report below its head.  An entry's mark is read on the report's scale and its
plan and status are content (:mod:`reportgen.inputs.validate_content`); a 分野
title must fit its vertical label on a page.
"""

from __future__ import annotations

from typing import Any

from ..core.locations import PathKey
from ..model.report import Column, Content, Entry, Group, Item, Section
from .validate_content import ContentRules
from .validate_values import clip, value_kind


class ItemRules(ContentRules):
    """Sections, groups, items, their fields and entries."""

    def section(self, value: Any, path: PathKey) -> Section | None:
        d = self.mapping(value, path, ("number", "title", "groups", "items"), ("title",))
        if d is None:
            return None
        title = self.title(d["title"], path + ("title",)) if "title" in d else None
        number = self.number_or_text(d["number"], path + ("number",)) if d.get("number") is not None else None
        groups = self.each(d["groups"], path + ("groups",), self.group) if "groups" in d else []
        items = self.each(d["items"], path + ("items",), self.item) if "items" in d else []
        if title is None:
            return None
        section = Section(title, number, groups, items)
        limit = self.label_limit
        if limit is not None:
            from ..layouts.labels import section_label  # not layouts.view, which imports every layout module

            n = len(section_label(section, self.layout))
            if n > limit[0]:
                self.err(path + ("title",),
                         f"the 分野 title prints {n} characters in its vertical label; a {limit[1]:.0f} mm label "
                         f"column holds at most {limit[0]} on a page (shorten it or widen the section column)")
        return section

    def title(self, value: Any, path: PathKey) -> str | None:
        """A 分野, group or item title: text with something visible in it. A title of
        spaces printed as nothing and could not be told apart from a deleted one in
        the tracker (an empty 事業 cell), so the round trip failed."""
        title = self.text(value, path)
        if title is not None and not title.strip():
            self.err(path, "the title is blank (only spaces)")
            return None
        return title

    def section_label_limit(self, columns: list[Column] | None, layout: str) -> tuple[int, float] | None:
        """(characters, column mm) a vertical 分野 label holds on one A4 page, or None
        without a label column. A longer 分野 title used to print a blank page or
        crash the renderer (issue #12.4); it is refused with this limit instead."""
        from ..layouts.columns import PAPERS, default_columns, resolve_columns
        from ..layouts.labels import label_capacity

        try:
            resolved = resolve_columns(columns or default_columns(layout), PAPERS["A4"])
        except (KeyError, ValueError):
            return None
        width = sum(c.width_mm for c in resolved if c.field == "section")
        return (label_capacity(width), width) if width else None

    def group(self, value: Any, path: PathKey) -> Group | None:
        d = self.mapping(value, path, ("title", "owner", "items"), ("title",))
        if d is None:
            return None
        title = self.title(d["title"], path + ("title",)) if "title" in d else None
        owner = self.text(d["owner"], path + ("owner",)) if d.get("owner") is not None else None
        items = self.each(d.get("items", []), path + ("items",), self.item)
        return Group(title, owner, items) if title is not None else None

    def item(self, value: Any, path: PathKey) -> Item | None:
        d = self.mapping(value, path, ("number", "title", "tags", "labels", "owner", "fields", "entries",
                                       "overview", "actions", "next_plan"), ("title",))
        if d is None:
            return None
        title = self.title(d["title"], path + ("title",)) if "title" in d else None
        number = self.number_or_text(d["number"], path + ("number",)) if d.get("number") is not None else None
        tags = self.texts(d["tags"], path + ("tags",)) if "tags" in d else []
        labels = self.texts(d["labels"], path + ("labels",)) if "labels" in d else []
        owner = self.text(d["owner"], path + ("owner",)) if d.get("owner") is not None else None
        fields = self.fields(d["fields"], path + ("fields",)) if "fields" in d else {}
        entries = self.each(d.get("entries", []), path + ("entries",), self.entry)
        # measure pages (docs/FORMAT.md): text or blocks, like plan/status
        extra = {k: self.content(d[k], path + (k,)) if d.get(k) is not None else None
                 for k in ("overview", "actions", "next_plan")}
        if title is None:
            return None
        return Item(title, number, tags, labels, owner, fields, entries, **extra)

    def fields(self, value: Any, path: PathKey) -> dict[str, Content]:
        if not isinstance(value, dict):
            self.err(path, f"expected a mapping of field names to text, got {value_kind(value)}")
            return {}
        out: dict[str, Content] = {}
        for k, v in value.items():
            c = self.content(v, path + (k,))
            if c is not None:
                out[k] = c
        return out

    def entry(self, value: Any, path: PathKey) -> Entry | None:
        d = self.mapping(value, path, ("number", "plan", "status", "mark", "kpi", "fields"))
        if d is None:
            return None
        self.entries += 1
        number = self.number_or_text(d["number"], path + ("number",)) if d.get("number") is not None else None
        plan = self.content(d["plan"], path + ("plan",)) if d.get("plan") is not None else None
        status = self.content(d["status"], path + ("status",)) if d.get("status") is not None else None
        mark = None
        if d.get("mark") is not None:
            raw = self.text(d["mark"], path + ("mark",))
            if raw is not None and self.marks is not None:
                mark = self.marks.normalise(raw)
                if mark is None:
                    self.err(path + ("mark",), f"'{clip(raw)}' is not a mark of the '{self.marks.name}' scale "
                                               f"({' '.join(self.marks.allowed)})")
        kpi = self.kpi(d["kpi"], path + ("kpi",)) if d.get("kpi") is not None else None
        fields = self.fields(d["fields"], path + ("fields",)) if "fields" in d else {}
        return Entry(plan, status, mark, number, kpi, fields)
