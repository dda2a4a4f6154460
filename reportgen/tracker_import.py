"""Import a 進捗状況 tracker made by hand in Excel (the seed 004 layout) as a report.

Offices kept these workbooks for years before reportgen; they share a layout,
not a template.  So nothing is found by position: the header row is found by
its labels (項番 · 事業 · 実施（手段スケジュール）概要 · 進捗状況… · 実施状況 ·
全国順位) on whichever sheet has it, and the columns are where those labels
are.  Below the header, rows are read as the office reads them:

* the first column (under 項番) holds the area (分野) label, merged and often
  vertical, repeated on each printed page → one section per distinct label;
* a row starting with ○/〇 is a banner → group "title(owner)";
* a value under 項番 starts an item (the same number again is a page repeat);
  texts under 事業 give its title, 【…】 its tags, further texts its labels;
* each 実施概要 cell (or merged block) starts an entry with that plan text;
* under 進捗状況, a row 4月…3月 starts a month grid (:mod:`reportgen.tracker_grids`),
  other rows are status text;
* 実施状況 holds the mark, 全国順位 "46位 (前月46位)" the KPI's national rank;
* the legend / mark-count block at the bottom (◎：目標を上回る, 全体, 合計) is a
  summary computed from the marks and is not read as items.

Every non-empty cell is used or reported: what could not be placed is a
warning ``file.xlsx: Sheet1!F12: could not place …``.  Workbooks written by
reportgen (with the hidden ``_reportgen`` sheet) are read by
:mod:`reportgen.xlsx_read` instead; :func:`read_workbook` picks the reader.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any

from .calendar import fiscal_year_in_text
from .errors import Problem, ReportError
from .marks import BUILTIN_SCALES, MarkScale
from .model import Report
from .tracker_cells import BLANKS, cell_text, normal, parse_rank
from .tracker_grids import month_header, read_grid
from .tracker_sheet import Sheet

__all__ = ["TrackerImport", "TrackerImportWarning", "import_tracker", "read_workbook", "to_yaml"]

_CIRCLES = ("○", "〇", "◯", "⭕")
_BANNER = re.compile(r"^[○〇◯⭕]\s*(.*?)\s*(?:[(（]([^()（）]*)[)）])?\s*$", re.S)
_LEGEND = re.compile(r"^[◎○〇◯⊚△×✕□]\s*[:：]")
_COUNT = re.compile(r"^[◎○〇◯⊚△×✕□]\s*\d+\s*(件)?$")
_SUMMARY_WORDS = frozenset({"全体", "合計", "(再掲)", "再掲", "KPI", "計"})
_TAG = re.compile(r"【([^】]+)】")
_ORG = re.compile(r"(\S+?(?:支部|本部|事務所|事務局|センター))")
_LEADING_NUMBER = re.compile(r"^([0-9]+)[.．、\s]*")
_KPI = "【KPI】"
#: Scales tried in this order; the legend's □ or 目標 wording puts gunma first.
_SCALE_ORDER = ("standard", "gunma", "quarterly", "evaluation", "achievement")


class TrackerImportWarning(UserWarning):
    """A cell of a hand-made tracker that could not be placed (see ``Problem``)."""


@dataclass
class TrackerImport:
    """The result of an import: format-1 data, the report built from it, the warnings."""

    data: dict[str, Any]
    report: Report
    warnings: list[Problem]
    sheet: str


@dataclass
class _Header:
    row: int
    data_start: int
    area: int | None
    number: int
    title: int
    plan: int
    progress: int
    mark: int
    rank: int | None


@dataclass
class _Entry:
    plan: str | None = None
    plan_row: int | None = None
    plan_last: int = 0
    blocks: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    marks: list[tuple[int, int, str]] = field(default_factory=list)
    ranks: list[tuple[int, int, str]] = field(default_factory=list)

    def flush(self) -> None:
        if self.lines:
            self.blocks.append({"text": "\n".join(self.lines)})
            self.lines = []


@dataclass
class _Item:
    row: int
    number: Any = None
    number_last: int = 0
    titles: list[tuple[int, int, str]] = field(default_factory=list)
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _Group:
    title: str
    owner: str | None
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Section:
    title: str
    number: str | None = None
    items: list[_Item] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)


def _header_kind(text: str) -> str | None:
    t = normal(text)
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
    for c in sheet.filled(r, 1, sheet.max_col):
        kind = _header_kind(sheet.text(r, c))
        if kind and kind not in found:
            found[kind] = c
    return found


_REQUIRED = ("number", "title", "plan", "progress", "mark")


def _find_header(sheet: Sheet) -> _Header | None:
    for r in range(1, min(sheet.max_row, 60) + 1):
        cols = _header_cols(sheet, r)
        if not all(k in cols for k in _REQUIRED) or not cols["progress"] < cols["mark"]:
            continue
        number_first, number_last = cols["number"], sheet.last_col_of(r, cols["number"])
        if number_last > number_first:
            area, number = number_first, number_last
        else:
            area, number = (number_first - 1 if number_first > 1 else None), number_first
        data_start = max(sheet.last_row_of(r, c) for c in cols.values()) + 1
        for c in cols.values():
            sheet.take(r, c)
        return _Header(r, data_start, area, number, cols["title"], cols["plan"], cols["progress"],
                       cols["mark"], cols.get("rank"))
    return None


class _Reader:
    """Walks the rows under the header and builds sections, groups, items, entries."""

    def __init__(self, sheet: Sheet, header: _Header) -> None:
        self.sheet = sheet
        self.h = header
        self.sections: list[_Section] = []
        self.section: _Section | None = None
        self.group: _Group | None = None
        self.item: _Item | None = None
        self.entry: _Entry | None = None
        self.pending_number: str | None = None
        self.legend: list[str] = []
        self.grid_until = 0
        self.year_labels: list[tuple[int, str, int, int]] = []

    # -- structure -----------------------------------------------------------
    def ensure_section(self) -> _Section:
        if self.section is None:
            self.section = _Section("")
            self.sections.append(self.section)
        return self.section

    def ensure_item(self, r: int) -> _Item:
        if self.item is None:
            self.item = _Item(r)
            target = self.group.items if self.group is not None else self.ensure_section().items
            target.append(self.item)
            self.entry = None
        return self.item

    def ensure_entry(self, r: int) -> _Entry:
        item = self.ensure_item(r)
        if self.entry is None:
            self.entry = _Entry()
            item.entries.append(self.entry)
        return self.entry

    def close_item(self) -> None:
        if self.entry is not None:
            self.entry.flush()
        self.item = None
        self.entry = None
        self.grid_until = 0

    # -- row kinds -------------------------------------------------------------
    def is_repeated_header(self, r: int) -> bool:
        cols = _header_cols(self.sheet, r)
        if all(k in cols for k in _REQUIRED):
            for c in cols.values():
                self.sheet.take(r, c)
            return True
        return False

    def is_summary(self, r: int) -> bool:
        s = self.sheet
        for c in s.filled(r, 1, s.max_col):
            t = normal(s.text(r, c))
            if _LEGEND.match(t) or (_COUNT.match(t) and c not in (self.h.mark,)):
                return True
            if t in _SUMMARY_WORDS and c < self.h.plan and (self.h.area is None or c != self.h.area):
                return True
        return False

    def read_summary(self, r: int) -> None:
        s = self.sheet
        for c in s.filled(r, 1, s.max_col):
            s.take(r, c)
            self.legend.append(normal(s.text(r, c)))

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
        if not label or (self.section is not None and self.section.title == label):
            return
        found = next((sec for sec in self.sections if sec.title == label), None)
        if found is None:
            if self.section is not None and not self.section.title:
                found = self.section  # rows read before the first label belong to it
                found.title = label
            else:
                found = _Section(label)
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

    def banner(self, r: int) -> bool:
        s, h = self.sheet, self.h
        left = h.area if h.area is not None else h.number
        filled = [c for c in s.filled(r, left, s.max_col) if (r, c) not in s.covered]
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
            found = _Group(title or text, owner)
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
                e.plan, e.plan_row, e.plan_last = text, r, s.last_row_of(r, c)
                return
        self.entry = _Entry(text, r, s.last_row_of(r, c))
        item.entries.append(self.entry)
        self.grid_until = 0

    def progress(self, r: int) -> None:
        s, h = self.sheet, self.h
        if r < self.grid_until:
            return
        first, last = h.progress, h.mark - 1
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
        cells = [c for c in s.filled(r, first, last) if (r, c) not in s.covered]
        if not cells:
            return
        entry = self.ensure_entry(r)
        for c in cells:
            s.take(r, c)
        entry.lines.append(" ".join(s.text(r, c) for c in cells if s.text(r, c)))

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
            if self.is_summary(r):
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
        self.close_item()


# --------------------------------------------------------------------------
# From what was read to format-1 data
# --------------------------------------------------------------------------

def _choose_scale(marks: list[str], legend: list[str]) -> MarkScale:
    text = " ".join(legend)
    order = list(_SCALE_ORDER)
    if "□" in text or "目標" in text or "□" in marks:
        order.remove("gunma")
        order.insert(0, "gunma")
    best = max(order, key=lambda name: (sum(BUILTIN_SCALES[name].normalise(m) is not None for m in marks),
                                        -order.index(name)))
    return BUILTIN_SCALES[best]


def _kpi_text(plan: str | None) -> str:
    if plan and _KPI in plan:
        return plan.split(_KPI, 1)[1].strip() or plan
    return plan or "全国順位"


def _entry_data(sheet: Sheet, entry: _Entry, scale: MarkScale) -> dict[str, Any]:
    entry.flush()
    out: dict[str, Any] = {}
    if entry.plan:
        out["plan"] = entry.plan
    if entry.blocks:
        texts = [b["text"] for b in entry.blocks if "text" in b]
        out["status"] = texts[0] if len(texts) == len(entry.blocks) == 1 else entry.blocks
    mark = None
    for r, c, text in entry.marks:
        folded = scale.normalise(text)
        if folded is None:
            sheet.warn(r, c, f"could not place {text!r}: not a mark of the '{scale.name}' scale "
                             f"({' '.join(scale.allowed)})")
        elif mark is None or folded == mark:
            mark = folded
            sheet.take(r, c)
        else:
            sheet.warn(r, c, f"could not place the mark {text!r}: this entry already has {mark}")
    if mark is not None:
        out["mark"] = mark
    national = None
    for r, c, text in entry.ranks:
        if normal(text) in BLANKS:
            sheet.take(r, c)
            continue
        rank = parse_rank(text)
        if rank is None:
            sheet.warn(r, c, f"could not place {text[:30]!r}: 全国順位 is read as '46位 (前月46位)'")
        elif national is not None:
            sheet.warn(r, c, f"could not place {text!r}: this entry already has the rank {national['rank']}位")
        elif not 1 <= rank[0] <= 47 or (rank[1] is not None and not 1 <= rank[1] <= 47):
            sheet.warn(r, c, f"could not place {text!r}: a rank is 1–47")
        else:
            sheet.take(r, c)
            national = {"rank": rank[0]}
            if rank[1] is not None:
                national["rank_prev"] = rank[1]
    if national is not None:
        out["kpi"] = {"text": _kpi_text(entry.plan), "national": national}
    return out


def _item_data(sheet: Sheet, item: _Item, scale: MarkScale, group: _Group | None) -> dict[str, Any]:
    tags: list[str] = []
    names: list[str] = []
    for _r, _c, text in item.titles:
        tags.extend(t.strip() for t in _TAG.findall(text))
        rest = _TAG.sub("", text).strip()
        if rest:
            names.append(rest)
    title = names[0] if names else None
    if title is None:
        title = group.title if group is not None else f"項番{item.number}" if item.number is not None else "事業"
        at = item.titles[0][:2] if item.titles else (item.row, 1)
        sheet.warnings.append(Problem(sheet.source, None, sheet.where(*at),
                                      f"the item has no 事業 name; titled {title!r}"))
    data: dict[str, Any] = {}
    if item.number is not None:
        data["number"] = item.number
    data["title"] = title
    if tags:
        data["tags"] = tags
    if names[1:]:
        data["labels"] = names[1:]
    data["entries"] = [_entry_data(sheet, e, scale) for e in item.entries] or [{}]
    return data


def _report_meta(sheet: Sheet, header: _Header, reader: _Reader, fiscal_year: int | None,
                 organization: str | None, title: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """Title, fiscal year and organization: options first, then the rows above the header."""
    problems: list[Problem] = []
    found_title: tuple[int, int, str] | None = None
    issued = None
    import datetime as _dt

    for r in range(1, header.row):
        for c in sheet.filled(r, 1, sheet.max_col):
            if (r, c) in sheet.taken:
                continue
            raw = sheet.raw(r, c)
            if isinstance(raw, (_dt.datetime, _dt.date)) and issued is None:
                issued = raw.date() if isinstance(raw, _dt.datetime) else raw
                sheet.take(r, c)
            elif found_title is None and isinstance(raw, str) and raw.strip():
                found_title = (r, c, raw.strip())
                sheet.take(r, c)
    where = sheet.where(*found_title[:2]) if found_title else sheet.where(header.row, header.number)
    meta: dict[str, Any] = {"title": title or (found_title[2] if found_title else None)}
    fy = fiscal_year
    if fy is None and meta["title"]:
        hit = fiscal_year_in_text(meta["title"])
        fy = hit[0] if hit else None
    if fy is None and reader.year_labels:
        fy, label, r, c = max(reader.year_labels)
        sheet.warnings.append(Problem(sheet.source, None, sheet.where(r, c),
                                      f"fiscal year {fy} taken from the grid label {label!r} "
                                      "(the title names none); give --fiscal-year to set it"))
    if fy is None:
        problems.append(Problem(sheet.source, None, where, "fiscal year unknown: no 令和N年度 in the title "
                                "or the grids; give it with --fiscal-year"))
    org = organization
    if org is None and meta["title"]:
        plain = unicodedata.normalize("NFKC", meta["title"])
        if hit := fiscal_year_in_text(plain):
            plain = plain.replace(hit[1], " ")
        if m := _ORG.search(plain):
            org = m.group(1)
    if org is None:
        problems.append(Problem(sheet.source, None, where, "organization unknown: the title names no 支部; "
                                "give it with --organization"))
    if meta["title"] is None and fy is not None and org is not None:
        from .calendar import fiscal_year_label

        meta["title"] = f"{fiscal_year_label(fy)} {org}事業計画 進捗状況"
    meta.update({"organization": org, "fiscal_year": fy})
    if issued is not None:
        meta["issued"] = issued.isoformat()
    return meta, problems


def _sheets(raw: bytes, source: str) -> tuple[Sheet, _Header]:
    from .xlsx_guard import open_workbooks

    formulas, values = open_workbooks(raw, source)
    for ws in formulas.worksheets:
        if getattr(ws, "sheet_state", "visible") == "veryHidden":
            continue
        sheet = Sheet(ws, values[ws.title], source)
        header = _find_header(sheet)
        if header is not None:
            return sheet, header
    raise ReportError([Problem(source, None, "", "not a 進捗状況 tracker: no sheet has a header row "
                               "項番 · 事業 · 実施（手段スケジュール）概要 · 進捗状況 · 実施状況 (· 全国順位)")])


def import_tracker(path: str | os.PathLike[str], *, fiscal_year: int | None = None,
                   organization: str | None = None, title: str | None = None) -> TrackerImport:
    """Read a hand-made tracker workbook; raises ReportError when it cannot become a report."""
    from .xlsx_guard import read_checked

    source = str(path)
    raw = read_checked(path)
    sheet, header = _sheets(raw, source)
    reader = _Reader(sheet, header)
    reader.read()
    meta, problems = _report_meta(sheet, header, reader, fiscal_year, organization, title)
    if problems:
        raise ReportError(problems)
    all_marks = [t for sec in reader.sections for items in [sec.items, *[g.items for g in sec.groups]]
                 for item in items for e in item.entries for _r, _c, t in e.marks]
    scale = _choose_scale(all_marks, reader.legend)
    sections = []
    for sec in reader.sections:
        if not sec.items and not sec.groups:
            continue
        d: dict[str, Any] = {}
        if sec.number is not None:
            d["number"] = sec.number
        d["title"] = sec.title or "事業計画"
        if sec.items:
            d["items"] = [_item_data(sheet, i, scale, None) for i in sec.items]
        if sec.groups:
            d["groups"] = [{"title": g.title, **({"owner": g.owner} if g.owner else {}),
                            "items": [_item_data(sheet, i, scale, g) for i in g.items]}
                           for g in sec.groups if g.items]
            if not d["groups"]:
                del d["groups"]
        sections.append(d)
    for r, c in list(sheet.untaken()):
        sheet.warn(r, c, f"could not place {sheet.text(r, c)[:40]!r}: outside the columns and rows of "
                         "the tracker")
    data = {"format": 1, "report": {**meta, "period": "annual", "layout": "tracker",
                                     "marks": scale.to_data()}, "sections": sections}
    if not sections:
        raise ReportError([Problem(source, None, sheet.where(header.row, header.number),
                                   "the tracker has a header but no items under it")])
    report = Report.from_dict(data, source=f"{source} (imported)")
    return TrackerImport(data, report, list(sheet.warnings), sheet.title)


def to_yaml(data: dict[str, Any], source: str) -> str:
    """The imported data as a format-1 YAML file, with a comment naming its origin."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """Lists of figures on one line ([2481, 2411, …]), as people write them."""

    def represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> Any:
        flow = all(v is None or isinstance(v, (int, float, str)) and not (isinstance(v, str) and len(v) > 20)
                   for v in value) and bool(value)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    Dumper.add_representer(list, represent_list)
    body = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=120)
    return f"# Imported from {os.path.basename(source)} by `reportgen import`.\n{body}"


def read_workbook(path: str | os.PathLike[str]) -> tuple[Report, list[Problem]]:
    """Any .xlsx: a reportgen tracker through xlsx_read, a hand-made one through the importer."""
    from .xlsx_guard import is_reportgen_workbook

    if is_reportgen_workbook(path):
        from .xlsx_read import read_xlsx

        return read_xlsx(path), []
    result = import_tracker(path)
    return result.report, result.warnings


def load_workbook_report(path: str | os.PathLike[str]) -> Report:
    """:func:`read_workbook` for ``reportgen.load``: warnings go through :mod:`warnings`."""
    report, problems = read_workbook(path)
    for problem in problems:
        warnings.warn(str(problem), TrackerImportWarning, stacklevel=3)
    return report
