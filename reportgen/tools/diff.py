"""What changed between two reports of the same plan (Q1 → Q2, last year → this year).

The council reads a quarterly report against the previous one: which marks
moved, which KPI figures changed and whether that flipped 達成/未達成, which
status texts were rewritten, which monthly figures came in or were revised.
:func:`diff_reports` lists exactly that, matched structurally rather than by
line, so a reworded entry is one change and not a wall of text diff:

* sections by (number, title), then title alone, then number alone;
* items inside a matched section the same way (groups are ignored, so an item
  moved to another group still matches);
* entries by their written number, then by identical plan text, then by position.

Values are compared as data and shown as printed (96.5％, 2,974件), so a
figure changing from 0.9651 to 0.9652 — the same printed text — shows the raw
numbers instead of "96.5％ → 96.5％".
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TypeVar

from ..model.grids import entry_label, series_grid
from ..model.kpi import judgement, target_text
from ..model.report import (
    KPI,
    Block,
    BulletsBlock,
    Content,
    Entry,
    Item,
    NoteBlock,
    Report,
    Section,
    Series,
    SeriesBlock,
    TableBlock,
    TextBlock,
    blocks_of,
)
from ..model.numbers import cell_format, format_value

__all__ = ["Change", "ReportDiff", "diff_reports", "format_text", "render_diff_html", "write_diff"]

T = TypeVar("T")

#: Printed for a value that is absent on one side.
NONE_TEXT = "（なし）"
#: Longest quoted excerpt of a changed text.
EXCERPT_CHARS = 40

#: Change kinds, in the order the summary line counts them.
KIND_LABELS = {
    "mark": "評価",
    "kpi": "KPI",
    "series": "系列",
    "status": "実施状況",
    "plan": "計画",
    "heading": "見出し・順序",
    "added": "追加",
    "removed": "削除",
}


@dataclass(frozen=True)
class Change:
    """One difference, located in the report's own words.

    ``kind`` is one of mark, kpi, series, status, plan, added, removed;
    ``where`` names the entry ("１ 基盤的保険者関係 / （２）サービス水準の向上 ②"),
    ``what`` the field ("評価", "KPI 実績"); ``old``/``new`` are printed values
    (None when there is none); ``note`` adds context ("(未達成 → 達成)", an excerpt).
    """

    kind: str
    where: str
    what: str
    old: str | None = None
    new: str | None = None
    note: str = ""
    details: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def arrow(self) -> str:
        """"○ → △", or "" when the change has no before/after values."""
        if self.old is None and self.new is None:
            return ""
        return f"{self.old if self.old is not None else NONE_TEXT} → {self.new if self.new is not None else NONE_TEXT}"

    @property
    def detail_text(self) -> str:
        """Month-by-month changes of a series row: "6月 96.3％ → 96.4％、7月 （なし） → 96.6％"."""
        return "、".join(f"{label} {old or NONE_TEXT} → {new or NONE_TEXT}" for label, old, new in self.details)

    def text(self) -> str:
        """The change as one line of ``reportgen diff`` output."""
        parts = [self.what]
        if self.arrow:
            parts.append(self.arrow)
        if self.details:
            parts.append(self.detail_text)
        if self.note:
            parts.append(self.note)
        body = " ".join(p for p in parts if p)
        return f"{self.where}: {body}" if self.where else body


@dataclass
class ReportDiff:
    """Every change from ``old`` to ``new``, in the new report's order."""

    old: Report
    new: Report
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    @property
    def title(self) -> str:
        """"令和５年度 事業計画（埼玉支部） 第1四半期 → 第2四半期"."""
        return f"{_report_name(self.new)} {_period_text(self.old)} → {_period_text(self.new)}"

    def summary(self) -> str:
        """"変更 12 件（評価 3、KPI 4、…）" or "変更はありません"."""
        if not self.changes:
            return "変更はありません"
        counts = [(label, len(self.of_kind(kind))) for kind, label in KIND_LABELS.items()]
        shown = "、".join(f"{label} {n}" for label, n in counts if n)
        return f"変更 {len(self.changes)} 件（{shown}）"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def _norm(value: Any) -> str:
    """A matching key: NFKC (（２） = (2)), whitespace removed."""
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _report_name(report: Report) -> str:
    return f"{report.title}（{report.organization}）"


def _period_text(report: Report) -> str:
    try:
        period = report.period_info
    except ValueError:
        return report.period
    label = period.label()
    if period.kind == "quarter":
        return f"{label}（{period.months_label()}）"
    return label


def match(old: Sequence[T], new: Sequence[T], keys: Sequence[Callable[[int, T], Any]]
          ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair elements of ``old`` and ``new``: by each key in turn, unique keys only.

    Returns (pairs of indices in new order, unmatched old indices, unmatched new indices).
    """
    left = set(range(len(old)))
    right = set(range(len(new)))
    pairs: list[tuple[int, int]] = []
    def index(key: Callable[[int, T], Any], side: Sequence[T], free: set[int]) -> dict[Any, int]:
        """Key → index, for keys that occur once among the free elements."""
        seen: dict[Any, list[int]] = {}
        for i in sorted(free):
            k = key(i, side[i])
            if k not in (None, "", ()):
                seen.setdefault(k, []).append(i)
        return {k: v[0] for k, v in seen.items() if len(v) == 1}

    for key in keys:
        by_new = index(key, new, right)
        by_old = index(key, old, left)
        for k, i in by_old.items():
            j = by_new.get(k)
            if j is not None:
                pairs.append((i, j))
                left.discard(i)
                right.discard(j)
    pairs.sort(key=lambda p: p[1])
    return pairs, sorted(left), sorted(right)


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _sentences(text: str) -> list[str]:
    """Lines split after 。 so that an edit is reported by the sentence it touches."""
    out: list[str] = []
    for line in text.splitlines():
        current = ""
        for ch in line:
            current += ch
            if ch in "。．！？":
                out.append(current)
                current = ""
        if current.strip():
            out.append(current)
    return [s.strip() for s in out if s.strip()]


def _around(old: str, new: str, limit: int = EXCERPT_CHARS) -> str:
    """An excerpt of ``new`` starting a little before where it departs from ``old``."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    begin = max(0, start - 8)
    text = ("…" if begin else "") + new[begin:]
    return _excerpt(text, limit)


def text_change(old: str, new: str) -> str:
    """A brief description of how ``old`` became ``new``: the first edited sentence, quoted."""
    a, b = _sentences(old), _sentences(new)
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return "（空白・改行のみ）" if old != new else ""
    tag, i1, i2, j1, j2 = ops[0]
    if tag == "insert":
        brief = f"追加「{_excerpt(''.join(b[j1:j2]))}」"
    elif tag == "delete":
        brief = f"削除「{_excerpt(''.join(a[i1:i2]))}」"
    else:
        brief = f"変更「{_around(''.join(a[i1:i2]), ''.join(b[j1:j2]))}」"
    if len(ops) > 1:
        brief += f" ほか {len(ops) - 1} か所"
    return brief


def _block_text(block: Block) -> str:
    head = f"{block.heading}\n" if block.heading else ""
    if isinstance(block, TextBlock):
        return head + block.text
    if isinstance(block, NoteBlock):
        return head + "※" + block.text
    if isinstance(block, BulletsBlock):
        return head + "\n".join(block.bullet + item for item in block.items)
    return head


def _prose(content: Content | None) -> str:
    """The running text of content (text, bullets, notes; tables and series apart)."""
    return "\n".join(_block_text(b) for b in blocks_of(content)
                     if isinstance(b, (TextBlock, NoteBlock, BulletsBlock)) or b.heading)


def _value_text(value: Any, fmt: str) -> str | None:
    if value is None:
        return None
    try:
        return format_value(value, cell_format(value, fmt))
    except (TypeError, ValueError):
        return str(value)


def _figure_pair(old: Any, new: Any, old_fmt: str, new_fmt: str) -> tuple[str | None, str | None]:
    """Printed old/new values; the raw numbers when both print the same."""
    a, b = _value_text(old, old_fmt), _value_text(new, new_fmt)
    if a == b and old != new:
        return str(old), str(new)
    return a, b


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------

class _Differ:
    def __init__(self, old: Report, new: Report) -> None:
        self.old = old
        self.new = new
        self.old_reached = old.months_reached
        self.new_reached = new.months_reached
        self.changes: list[Change] = []

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.changes.append(Change(*args, **kwargs))

    # -- structure ----------------------------------------------------------
    def run(self) -> list[Change]:
        keys: list[Callable[[int, Section], Any]] = [
            lambda i, s: (_norm(s.number), _norm(s.title)),
            lambda i, s: _norm(s.title),
            lambda i, s: _norm(s.number),
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
        if (_norm(old.number), _norm(old.title)) != (_norm(new.number), _norm(new.title)):
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
            lambda i, it: (_norm(it.number), _norm(it.title)),
            lambda i, it: _norm(it.title),
            lambda i, it: _norm(it.number),
        ]
        pairs, removed, added = match(old_items, new_items, keys)
        if _reordered(pairs):
            self.add("heading", new.heading, "施策の順序 変更")
        events: list[tuple[int, int, Any]] = [(j, 0, (i, j)) for i, j in pairs] + [(j, 1, j) for j in added]
        for _pos, kind, ref in sorted(events, key=lambda t: (t[0], t[1])):
            if kind == 0:
                self.item(new, old_items[ref[0]], new_items[ref[1]])
            else:
                item = new_items[ref]
                self.add("added", _item_where(new, item), "施策 追加", note=_excerpt(item.heading))
        for i in removed:
            self.add("removed", _item_where(old, old_items[i]), "施策 削除", note=_excerpt(old_items[i].heading))

    def item(self, section: Section, old: Item, new: Item) -> None:
        where_item = _item_where(section, new)
        keys: list[Callable[[int, Entry], Any]] = [
            lambda i, e: _norm(e.number),
            lambda i, e: _norm(_prose(e.plan)) + "|" + str(len(blocks_of(e.plan))),
            lambda i, e: i,
        ]
        for what, a, b in (("項番", old.number, new.number), ("事業名", old.title, new.title),
                           ("区分", "".join(old.tags), "".join(new.tags)), ("担当", old.owner, new.owner),
                           ("ラベル", " ".join(old.labels), " ".join(new.labels))):
            if _norm(a) != _norm(b):
                self.add("heading", where_item, what, None if a in (None, "") else str(a),
                         None if b in (None, "") else str(b))
        pairs, removed, added = match(old.entries, new.entries, keys)
        if _reordered(pairs):
            self.add("heading", where_item, "項目の順序 変更")
        events: list[tuple[int, int, Any]] = [(j, 0, (i, j)) for i, j in pairs] + [(j, 1, j) for j in added]
        events.sort(key=lambda t: (t[0], t[1]))
        for _pos, kind, ref in events:
            if kind == 0:
                i, j = ref
                where = f"{where_item} {entry_label(new.entries[j].number, j)}"
                self.entry(where, old.entries[i], new.entries[j])
            else:
                entry = new.entries[ref]
                self.add("added", f"{where_item} {entry_label(entry.number, ref)}", "項目 追加",
                         note=_entry_note(entry))
        for i in removed:
            # labelled with its number in the old report, which the new one may reuse
            entry = old.entries[i]
            self.add("removed", f"{where_item} 前回{entry_label(entry.number, i)}", "項目 削除",
                     note=_entry_note(entry))

    # -- one entry ----------------------------------------------------------
    def entry(self, where: str, old: Entry, new: Entry) -> None:
        if old.mark != new.mark:
            self.add("mark", where, "評価", old.mark, new.mark)
        self.kpi(where, old.kpi, new.kpi)
        if _prose(old.plan) != _prose(new.plan):
            self.add("plan", where, "計画", note=text_change(_prose(old.plan), _prose(new.plan)))
        self.content(where, "実施状況", old.status, new.status)
        for name in list(new.fields) + [n for n in old.fields if n not in new.fields]:
            a, b = old.fields.get(name), new.fields.get(name)
            if a is None or b is None:
                self.add("status", where, f"欄「{name}」 {'追加' if a is None else '削除'}")
            else:
                self.content(where, f"欄「{name}」", a, b)

    def content(self, where: str, label: str, old: Content | None, new: Content | None) -> None:
        a, b = _prose(old), _prose(new)
        if a != b:
            if not a or not b:
                note = f"{'追加' if not a else '削除'}「{_excerpt(b or a)}」"
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
            lambda i, t: _norm(t.table.caption), lambda i, t: i]
        pairs, removed, added = match(old, new, keys)
        for i, j in pairs:
            a, b = table_to_dict(old[i].table), table_to_dict(new[j].table)
            if a != b:
                cells = _changed_cells(a, b)
                what = f"{label} 表{_quoted(new[j].table.caption)} 変更" + (f"（{cells} セル）" if cells else "")
                self.add("status", where, what)
        for j in added:
            self.add("status", where, f"{label} 表{_quoted(new[j].table.caption)} 追加")
        for i in removed:
            self.add("status", where, f"{label} 表{_quoted(old[i].table.caption)} 削除")

    def series_list(self, where: str, label: str, old: list[Series], new: list[Series]) -> None:
        keys: list[Callable[[int, Series], Any]] = [lambda i, s: _norm(s.caption), lambda i, s: i]
        pairs, removed, added = match(old, new, keys)
        for i, j in pairs:
            self.series(where, label, old[i], new[j])
        for j in added:
            self.add("series", where, f"{label}{_quoted(new[j].caption)} 追加")
        for i in removed:
            self.add("series", where, f"{label}{_quoted(old[i].caption)} 削除")

    def series(self, where: str, label: str, old: Series, new: Series) -> None:
        """Month by month, over the months either report prints.

        The data are compared, not the printed grids: a prior-year value that a
        Q1 report hid (beyond its period) and a Q2 report shows is no change.
        """
        a, b = series_grid(old, 12), series_grid(new, 12)
        shown = max(series_grid(old, self.old_reached).reached, series_grid(new, self.new_reached).reached)
        name = f"{label}{_quoted(new.caption)}"
        if _norm(old.caption) != _norm(new.caption):
            self.add("series", where, f"{label} 見出し", old.caption, new.caption)
        if (a.total_label or "") != (b.total_label or ""):
            self.add("series", where, f"{name} 合計欄の見出し", a.total_label, b.total_label)
        rows_a = {_norm(r.label): r for r in a.rows}
        rows_b = {_norm(r.label): r for r in b.rows}
        for row in b.rows:
            before = rows_a.get(_norm(row.label))
            if before is None:
                self.add("series", where, f"{name} {row.label}", note="行 追加")
                continue
            details = []
            for k, column in enumerate(b.columns[:shown]):
                x = before.values[k] if k < len(before.values) else None
                y = row.values[k]
                if x != y:
                    details.append((column, *_figure_pair(x, y, old.format, new.format)))
            if (before.how == "literal" or row.how == "literal") and before.total != row.total:
                details.append((b.total_label or a.total_label or "計",
                                *_figure_pair(before.total, row.total, old.format, new.format)))
            if before.extra != row.extra:
                details.append((b.extra_label or "", *_figure_pair(before.extra, row.extra, old.format, new.format)))
            if details:
                self.add("series", where, f"{name} {row.label}", details=tuple(details))
        for row in a.rows:
            if _norm(row.label) not in rows_b:
                self.add("series", where, f"{name} {row.label}", note="行 削除")

    def kpi(self, where: str, old: KPI | None, new: KPI | None) -> None:
        if old is None and new is None:
            return
        if old is None or new is None:
            kpi = new or old
            assert kpi is not None
            self.add("kpi", where, "KPI 追加" if old is None else "KPI 削除", note=_excerpt(kpi.text))
            return
        if _norm(old.text) != _norm(new.text):
            self.add("kpi", where, "KPI 目標文", note=text_change(old.text, new.text))
        verdict_old, verdict_new = judgement(old), judgement(new)
        verdict = f"({verdict_old} → {verdict_new})" if verdict_old != verdict_new else ""
        if (old.target, old.direction) != (new.target, new.direction):
            a, b = target_text(old) or None, target_text(new) or None
            if a == b:
                a, b = _figure_pair(old.target, new.target, old.format, new.format)
            self.add("kpi", where, "KPI 目標", a, b, note=verdict if old.actual == new.actual else "")
            if old.actual == new.actual:
                verdict = ""
        if old.prior != new.prior:
            a, b = _figure_pair(old.prior, new.prior, old.format, new.format)
            note = verdict if (old.actual == new.actual and new.target == "prior") else ""
            self.add("kpi", where, "KPI 前年度実績", a, b, note=note)
            if note:
                verdict = ""
        if old.actual != new.actual:
            a, b = _figure_pair(old.actual, new.actual, old.format, new.format)
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


def _reordered(pairs: Sequence[tuple[int, int]]) -> bool:
    """Whether matched things appear in another order (a move, not an addition)."""
    olds = [i for i, _j in sorted(pairs, key=lambda p: p[1])]
    return olds != sorted(olds)


def _entry_note(entry: Entry) -> str:
    note = f"「{_excerpt(_prose(entry.plan))}」"
    return note + (f" 評価 {entry.mark}" if entry.mark else "")


def _quoted(caption: str | None) -> str:
    return f"「{caption}」" if caption else ""


def _changed_cells(a: dict[str, Any], b: dict[str, Any]) -> int:
    rows_a = a.get("header", []) + a.get("rows", [])
    rows_b = b.get("header", []) + b.get("rows", [])
    n = 0
    for k in range(max(len(rows_a), len(rows_b))):
        ra = rows_a[k] if k < len(rows_a) else []
        rb = rows_b[k] if k < len(rows_b) else []
        n += sum(1 for c in range(max(len(ra), len(rb)))
                 if (ra[c] if c < len(ra) else None) != (rb[c] if c < len(rb) else None))
    return n


def _item_where(section: Section, item: Item) -> str:
    number = "" if item.number is None else str(item.number)
    return f"{section.heading} / {number}{item.title}"


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Everything that changed from ``old`` to ``new`` (see the module docstring)."""
    result = ReportDiff(old, new)
    for what, a, b in (("組織", old.organization, new.organization),
                       ("年度", str(old.fiscal_year), str(new.fiscal_year)),
                       ("表題", old.title, new.title)):
        if _norm(a) != _norm(b):
            result.warnings.append(f"{what}が異なります（{a} → {b}）: 同じ計画の報告か確認してください")
    if old.marks.allowed != new.marks.allowed:
        result.warnings.append(f"評価の尺度が異なります（{' '.join(old.marks.allowed)} → {' '.join(new.marks.allowed)}）")
    result.changes = _Differ(old, new).run()
    return result


def format_text(diff: ReportDiff) -> str:
    """The diff as lines for the terminal, ending with a count."""
    lines = [f"比較: {diff.title}"]
    lines += [f"注意: {w}" for w in diff.warnings]
    lines += [c.text() for c in diff.changes]
    lines.append(diff.summary())
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# HTML / PDF
# --------------------------------------------------------------------------

def render_diff_html(diff: ReportDiff, *, old_name: str = "", new_name: str = "") -> str:
    """The diff as an HTML page (Jinja2 with autoescape: data is never markup)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from ..core.assets import templates_dir

    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("diff.html")
    return template.render(diff=diff, old_name=old_name, new_name=new_name, kinds=KIND_LABELS,
                           old_period=_period_text(diff.old), new_period=_period_text(diff.new))


def write_diff(diff: ReportDiff, target: str, *, old_name: str = "", new_name: str = "") -> None:
    """Write the diff to ``target`` (.html or .pdf), atomically."""
    from pathlib import Path

    from ..core.output import atomic_target, write_bytes_atomic

    html = render_diff_html(diff, old_name=old_name, new_name=new_name)
    suffix = Path(target).suffix.lower()
    if suffix == ".html":
        write_bytes_atomic(target, html.encode("utf-8"))
    elif suffix == ".pdf":
        from ..pdf.fetch import build_html

        with atomic_target(target) as tmp:
            build_html(html).write_pdf(tmp)
    else:
        raise ValueError(f"{target}: the diff is written as .html or .pdf")

