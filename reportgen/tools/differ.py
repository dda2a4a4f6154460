"""Walking two reports side by side: what changed, matched structurally rather than by line.

* sections by (number, title), then title alone, then number alone;
* items inside a matched section the same way (groups are ignored, so an item
  moved to another group still matches);
* entries by their written number, then by identical plan text, then by position.

:class:`StructureDiffer` matches sections, items and entries;
:class:`EntryDiffer` compares one matched entry (mark, KPI, texts, tables,
series).  Both append to one list, in the new report's order.
"""

from __future__ import annotations

from typing import Any, Callable

from ..model.grids import entry_label, series_grid
from ..model.kpi import judgement, target_text
from ..model.report import KPI, Content, Entry, Item, Report, Section, Series, SeriesBlock, TableBlock, blocks_of
from .diff_changes import Change
from .diff_text import (
    changed_cells,
    excerpt,
    figure_pair,
    match,
    norm,
    prose,
    quoted,
    reordered,
    table_rows_matched,
    text_change,
)

__all__ = ["EntryDiffer", "StructureDiffer"]


class EntryDiffer:
    """The changes within one matched entry: mark, KPI, plan, status texts, tables, series."""

    def __init__(self, changes: list[Change], old_reached: int, new_reached: int) -> None:
        self.old_reached = old_reached
        self.new_reached = new_reached
        self.changes = changes

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.changes.append(Change(*args, **kwargs))

    def entry(self, where: str, old: Entry, new: Entry) -> None:
        if old.mark != new.mark:
            self.add("mark", where, "評価", old.mark, new.mark)
        self.kpi(where, old.kpi, new.kpi)
        if prose(old.plan) != prose(new.plan):
            self.add("plan", where, "計画", note=text_change(prose(old.plan), prose(new.plan)))
        self.content(where, "実施状況", old.status, new.status)
        for name in list(new.fields) + [n for n in old.fields if n not in new.fields]:
            a, b = old.fields.get(name), new.fields.get(name)
            if a is None or b is None:
                self.add("status", where, f"欄「{name}」 {'追加' if a is None else '削除'}")
            else:
                self.content(where, f"欄「{name}」", a, b)

    def content(self, where: str, label: str, old: Content | None, new: Content | None) -> None:
        a, b = prose(old), prose(new)
        if a != b:
            if not a or not b:
                note = f"{'追加' if not a else '削除'}「{excerpt(b or a)}」"
            else:
                note = text_change(a, b)
            self.add("status", where, label, note=note)
        old_blocks, new_blocks = blocks_of(old), blocks_of(new)
        self.tables(where, label, [b for b in old_blocks if isinstance(b, TableBlock)],
                    [b for b in new_blocks if isinstance(b, TableBlock)])
        old_series = [b.series for b in old_blocks if isinstance(b, SeriesBlock)]
        new_series = [b.series for b in new_blocks if isinstance(b, SeriesBlock)]
        self.series_list(where, "系列", old_series, new_series)

    def tables(self, where: str, label: str, old: list[TableBlock], new: list[TableBlock]) -> None:
        from ..model.serialize import table_to_dict

        keys: list[Callable[[int, TableBlock], Any]] = [
            lambda i, t: norm(t.table.caption), lambda i, t: i]
        pairs, removed, added = match(old, new, keys)
        for i, j in pairs:
            a, b = table_to_dict(old[i].table), table_to_dict(new[j].table)
            if a != b:
                name = f"{label} 表{quoted(new[j].table.caption)}"
                a, b, added_rows, removed_rows = table_rows_matched(a, b)
                cells = changed_cells(a, b)
                if cells or not (added_rows or removed_rows):
                    self.add("status", where, f"{name} 変更" + (f"（{cells} セル）" if cells else ""))
                for row_label in added_rows:
                    self.add("status", where, f"{name} {row_label}", note="行 追加")
                for row_label in removed_rows:
                    self.add("status", where, f"{name} {row_label}", note="行 削除")
        for j in added:
            self.add("status", where, f"{label} 表{quoted(new[j].table.caption)} 追加")
        for i in removed:
            self.add("status", where, f"{label} 表{quoted(old[i].table.caption)} 削除")

    def series_list(self, where: str, label: str, old: list[Series], new: list[Series]) -> None:
        keys: list[Callable[[int, Series], Any]] = [lambda i, s: norm(s.caption), lambda i, s: i]
        pairs, removed, added = match(old, new, keys)
        for i, j in pairs:
            self.series(where, label, old[i], new[j])
        for j in added:
            self.add("series", where, f"{label}{quoted(new[j].caption)} 追加")
        for i in removed:
            self.add("series", where, f"{label}{quoted(old[i].caption)} 削除")

    def series(self, where: str, label: str, old: Series, new: Series) -> None:
        """Month by month, over the months either report prints.

        The data are compared, not the printed grids: a prior-year value that a
        Q1 report hid (beyond its period) and a Q2 report shows is no change.
        """
        a, b = series_grid(old, 12), series_grid(new, 12)
        shown = max(series_grid(old, self.old_reached).reached, series_grid(new, self.new_reached).reached)
        name = f"{label}{quoted(new.caption)}"
        if norm(old.caption) != norm(new.caption):
            self.add("series", where, f"{label} 見出し", old.caption, new.caption)
        if (a.total_label or "") != (b.total_label or ""):
            self.add("series", where, f"{name} 合計欄の見出し", a.total_label, b.total_label)
        rows_a = {norm(r.label): r for r in a.rows}
        rows_b = {norm(r.label): r for r in b.rows}
        for row in b.rows:
            before = rows_a.get(norm(row.label))
            if before is None:
                self.add("series", where, f"{name} {row.label}", note="行 追加")
                continue
            details = []
            for k, column in enumerate(b.columns[:shown]):
                x = before.values[k] if k < len(before.values) else None
                y = row.values[k]
                if x != y:
                    details.append((column, *figure_pair(x, y, old.format, new.format)))
            if (before.how == "literal" or row.how == "literal") and before.total != row.total:
                details.append((b.total_label or a.total_label or "計",
                                *figure_pair(before.total, row.total, old.format, new.format)))
            if before.extra != row.extra:
                details.append((b.extra_label or "", *figure_pair(before.extra, row.extra, old.format, new.format)))
            if details:
                self.add("series", where, f"{name} {row.label}", details=tuple(details))
        for row in a.rows:
            if norm(row.label) not in rows_b:
                self.add("series", where, f"{name} {row.label}", note="行 削除")

    def kpi(self, where: str, old: KPI | None, new: KPI | None) -> None:
        if old is None and new is None:
            return
        if old is None or new is None:
            kpi = new or old
            assert kpi is not None
            self.add("kpi", where, "KPI 追加" if old is None else "KPI 削除", note=excerpt(kpi.text))
            return
        if norm(old.text) != norm(new.text):
            self.add("kpi", where, "KPI 目標文", note=text_change(old.text, new.text))
        verdict_old, verdict_new = judgement(old), judgement(new)
        verdict = f"({verdict_old} → {verdict_new})" if verdict_old != verdict_new else ""
        if (old.target, old.direction) != (new.target, new.direction):
            a, b = target_text(old) or None, target_text(new) or None
            if a == b:
                a, b = figure_pair(old.target, new.target, old.format, new.format)
            self.add("kpi", where, "KPI 目標", a, b, note=verdict if old.actual == new.actual else "")
            if old.actual == new.actual:
                verdict = ""
        if old.prior != new.prior:
            a, b = figure_pair(old.prior, new.prior, old.format, new.format)
            note = verdict if (old.actual == new.actual and new.target == "prior") else ""
            self.add("kpi", where, "KPI 前年度実績", a, b, note=note)
            if note:
                verdict = ""
        if old.actual != new.actual:
            a, b = figure_pair(old.actual, new.actual, old.format, new.format)
            self.add("kpi", where, "KPI 実績", a, b, note=verdict)
            verdict = ""
        if verdict:
            self.add("kpi", where, "KPI 達成状況", verdict_old, verdict_new)
        rank_a = old.national.rank if old.national else None
        rank_b = new.national.rank if new.national else None
        if rank_a != rank_b:
            self.add("kpi", where, "全国順位", f"{rank_a}位" if rank_a else None, f"{rank_b}位" if rank_b else None)
        prev_a = old.national.rank_prev if old.national else None
        prev_b = new.national.rank_prev if new.national else None
        if prev_a != prev_b:
            self.add("kpi", where, "全国順位（前月）", f"{prev_a}位" if prev_a else None,
                     f"{prev_b}位" if prev_b else None)
        if old.series is not None or new.series is not None:
            self.series_list(where, "KPI 系列", [s for s in (old.series,) if s is not None],
                             [s for s in (new.series,) if s is not None])



class StructureDiffer:
    """Sections, items and entries of ``old`` and ``new`` matched; each matched entry to :class:`EntryDiffer`."""

    def __init__(self, old: Report, new: Report) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self.entries = EntryDiffer(self.changes, old.months_reached, new.months_reached)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.changes.append(Change(*args, **kwargs))

    # -- structure ----------------------------------------------------------
    def run(self) -> list[Change]:
        keys: list[Callable[[int, Section], Any]] = [
            lambda i, s: (norm(s.number), norm(s.title)),
            lambda i, s: norm(s.title),
            lambda i, s: norm(s.number),
        ]
        pairs, removed, added = match(self.old.sections, self.new.sections, keys)
        events: list[tuple[int, int, Any]] = [(j, 0, (i, j)) for i, j in pairs] + [(j, 1, j) for j in added]
        for _pos, kind, ref in sorted(events, key=lambda t: (t[0], t[1])):
            if kind == 0:
                self.section(self.old.sections[ref[0]], self.new.sections[ref[1]])
            else:
                self.add("added", self.new.sections[ref].heading, "分野 追加")
        for i in removed:
            self.add("removed", self.old.sections[i].heading, "分野 削除")
        return self.changes

    def section(self, old: Section, new: Section) -> None:
        if (norm(old.number), norm(old.title)) != (norm(new.number), norm(new.title)):
            self.add("heading", new.heading, "分野名", old.heading, new.heading)
        banners_old = [(g.title, g.owner) for g in old.groups]
        banners_new = [(g.title, g.owner) for g in new.groups]
        if banners_old != banners_new:
            def shown(b: list[tuple[str, str | None]]) -> str:
                return "、".join(t + (f"({o})" if o else "") for t, o in b) or None  # type: ignore[return-value]
            self.add("heading", new.heading, "グループ", shown(banners_old), shown(banners_new))
        old_items = [item for _g, item in old.iter_items()]
        new_items = [item for _g, item in new.iter_items()]
        keys: list[Callable[[int, Item], Any]] = [
            lambda i, it: (norm(it.number), norm(it.title)),
            lambda i, it: norm(it.title),
            lambda i, it: norm(it.number),
        ]
        pairs, removed, added = match(old_items, new_items, keys)
        if reordered(pairs):
            self.add("heading", new.heading, "施策の順序 変更")
        events: list[tuple[int, int, Any]] = [(j, 0, (i, j)) for i, j in pairs] + [(j, 1, j) for j in added]
        for _pos, kind, ref in sorted(events, key=lambda t: (t[0], t[1])):
            if kind == 0:
                self.item(new, old_items[ref[0]], new_items[ref[1]])
            else:
                item = new_items[ref]
                self.add("added", _item_where(new, item), "施策 追加", note=excerpt(item.heading))
        for i in removed:
            self.add("removed", _item_where(old, old_items[i]), "施策 削除", note=excerpt(old_items[i].heading))

    def item(self, section: Section, old: Item, new: Item) -> None:
        where_item = _item_where(section, new)
        keys: list[Callable[[int, Entry], Any]] = [
            lambda i, e: norm(e.number),
            lambda i, e: norm(prose(e.plan)) + "|" + str(len(blocks_of(e.plan))),
            lambda i, e: i,
        ]
        for what, a, b in (("項番", old.number, new.number), ("事業名", old.title, new.title),
                           ("区分", "".join(old.tags), "".join(new.tags)), ("担当", old.owner, new.owner),
                           ("ラベル", " ".join(old.labels), " ".join(new.labels))):
            if norm(a) != norm(b):
                self.add("heading", where_item, what, None if a in (None, "") else str(a),
                         None if b in (None, "") else str(b))
        for name in list(new.fields) + [n for n in old.fields if n not in new.fields]:
            a, b = old.fields.get(name), new.fields.get(name)
            if a is None or b is None:
                self.add("status", where_item, f"欄「{name}」 {'追加' if a is None else '削除'}")
            else:
                self.entries.content(where_item, f"欄「{name}」", a, b)
        pairs, removed, added = match(old.entries, new.entries, keys)
        if reordered(pairs):
            self.add("heading", where_item, "項目の順序 変更")
        events: list[tuple[int, int, Any]] = [(j, 0, (i, j)) for i, j in pairs] + [(j, 1, j) for j in added]
        events.sort(key=lambda t: (t[0], t[1]))
        for _pos, kind, ref in events:
            if kind == 0:
                i, j = ref
                where = f"{where_item} {entry_label(new.entries[j].number, j)}"
                self.entries.entry(where, old.entries[i], new.entries[j])
            else:
                entry = new.entries[ref]
                self.add("added", f"{where_item} {entry_label(entry.number, ref)}", "項目 追加",
                         note=_entry_note(entry))
        for i in removed:
            # labelled with its number in the old report, which the new one may reuse
            entry = old.entries[i]
            self.add("removed", f"{where_item} 前回{entry_label(entry.number, i)}", "項目 削除",
                     note=_entry_note(entry))



def _entry_note(entry: Entry) -> str:
    note = f"「{excerpt(prose(entry.plan))}」"
    return note + (f" 評価 {entry.mark}" if entry.mark else "")



def _item_where(section: Section, item: Item) -> str:
    number = "" if item.number is None else str(item.number)
    return f"{section.heading} / {number}{item.title}"
