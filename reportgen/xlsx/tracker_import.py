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
* under 進捗状況, a row 4月…3月 starts a month grid (:mod:`reportgen.xlsx.tracker_grids`),
  other rows are status text;
* 実施状況 holds the mark, 全国順位 "46位 (前月46位)" the KPI's national rank;
* the legend / mark-count block at the bottom (◎：目標を上回る, 全体, 合計) is a
  summary computed from the marks and is not read as items.

Every non-empty cell is used or reported: what could not be placed is a
warning ``file.xlsx: Sheet1!F12: could not place …``.  Workbooks written by
reportgen (with the hidden ``_reportgen`` sheet) are read by
:mod:`reportgen.xlsx.read` instead; :func:`read_workbook` picks the reader.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model.calendar import date_in_text, fiscal_year_in_text
from ..core.errors import Problem, ReportError
from ..core.gcpause import collector_paused
from ..model.marks import BUILTIN_SCALES, MarkScale
from ..model.report import Report
from ..core.reportwarnings import ReportWarning

if TYPE_CHECKING:
    from .tracker_reader import Header, ReadEntry, ReadGroup, ReadItem, TrackerReader
    from .tracker_sheet import Sheet
# the importer's own modules are imported where they are used: a workbook written by reportgen
# (read_workbook, workbook_data) never needs them, and a cold process compiles or loads each

__all__ = ["TrackerImport", "TrackerImportWarning", "import_tracker", "import_tracker_bytes", "read_workbook",
           "to_yaml"]

_TAG = re.compile(r"【([^】]+)】")
_ORG = re.compile(r"(\S+?(?:支部|本部|事務所|事務局|センター))")
_KPI = "【KPI】"
#: Scales tried in this order; the legend's □ or 目標 wording puts gunma first.
_SCALE_ORDER = ("standard", "gunma", "quarterly", "evaluation", "achievement")


class TrackerImportWarning(ReportWarning):
    """A cell of a hand-made tracker that could not be placed (see ``Problem``)."""


class NotATrackerError(ReportError):
    """No sheet of the workbook has a 進捗状況 header: ``reportgen import`` reads it as a plain table."""


@dataclass
class TrackerImport:
    """The result of an import: format-1 data, the report built from it, the warnings."""

    data: dict[str, Any]
    report: Report
    warnings: list[Problem]
    sheet: str


# --------------------------------------------------------------------------
# From what was read to format-1 data
# --------------------------------------------------------------------------

def _choose_scale(marks: list[str], legend: list[str]) -> MarkScale:
    """The built-in scale most marks fit; the legend's □ or 目標 wording (Gunma's) is tried first.

    Hand-made trackers name no scale, but their legend and marks show it:
    standard and gunma share ◎○△×, only gunma has □ and words its legend 目標….
    """
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


def _entry_data(sheet: Sheet, entry: ReadEntry, scale: MarkScale) -> dict[str, Any]:
    from .tracker_cells import BLANKS, normal, parse_rank

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
    if entry.fields:
        out["fields"] = {name: "\n".join(lines) for name, lines in entry.fields.items()}
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


def _item_data(sheet: Sheet, item: ReadItem, scale: MarkScale, group: ReadGroup | None) -> dict[str, Any]:
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


def _report_meta(sheet: Sheet, header: Header, reader: TrackerReader, fiscal_year: int | None,
                 organization: str | None, title: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """Title, fiscal year and organization: options first, then the rows above the header."""
    problems: list[Problem] = []
    issued = None
    texts: list[tuple[int, int, str]] = []
    for r in range(1, header.row):
        for c in sheet.filled(r, 1, sheet.max_col):
            if (r, c) in sheet.taken:
                continue
            raw = sheet.raw(r, c)
            if isinstance(raw, (_dt.datetime, _dt.date)) and issued is None:
                issued = raw.date() if isinstance(raw, _dt.datetime) else raw
                sheet.take(r, c)
            elif isinstance(raw, str) and issued is None and (stated := date_in_text(raw)) is not None:
                issued = stated          # a date typed as text: 令和6年10月15日
                sheet.take(r, c)
            elif isinstance(raw, str) and raw.strip():
                texts.append((r, c, raw.strip()))
    # the title is the text nearest the header that names a 年度 (a heading such as
    # "…について (参考資料)" may stand above it), else the first text
    dated = [t for t in texts if fiscal_year_in_text(t[2])]
    found_title = dated[-1] if dated else texts[0] if texts else None
    for r, c, text in texts:
        if (r, c, text) == found_title:
            sheet.take(r, c)
        else:
            sheet.warn(r, c, f"could not place {text[:40]!r}: a text above the header that is not taken "
                             "for the title")
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
        from ..model.calendar import fiscal_year_label

        meta["title"] = f"{fiscal_year_label(fy)} {org}事業計画 進捗状況"
    meta.update({"organization": org, "fiscal_year": fy})
    if issued is not None:
        meta["issued"] = issued.isoformat()
    return meta, problems


def _sheets(raw: bytes, source: str) -> tuple[Sheet, Header]:
    from .guard import open_workbooks
    from .notread import comment_warnings, other_sheet_warnings
    from .tracker_reader import find_header
    from .tracker_sheet import Sheet

    formulas, values = open_workbooks(raw, source)
    for ws in formulas.worksheets:
        if getattr(ws, "sheet_state", "visible") == "veryHidden":
            continue
        sheet = Sheet(ws, values[ws.title], source)
        header = find_header(sheet)
        if header is not None:
            sheet.warnings.extend(other_sheet_warnings(formulas, (ws.title,), source))
            sheet.warnings.extend(comment_warnings(values, source))
            return sheet, header
    raise NotATrackerError([Problem(source, None, "", "not a 進捗状況 tracker: no sheet has a header row "
                               "項番 · 事業 · 実施（手段スケジュール）概要 · 進捗状況 · 実施状況 (· 全国順位)")])


def import_tracker(path: str | os.PathLike[str], *, fiscal_year: int | None = None,
                   organization: str | None = None, title: str | None = None) -> TrackerImport:
    """Read a hand-made tracker workbook; raises ReportError when it cannot become a report."""
    from .guard import read_checked

    return import_tracker_bytes(read_checked(path), str(path), fiscal_year=fiscal_year,
                                organization=organization, title=title)


@collector_paused()
def import_tracker_bytes(raw: bytes, source: str, *, fiscal_year: int | None = None,
                         organization: str | None = None, title: str | None = None) -> TrackerImport:
    """:func:`import_tracker` of a workbook's bytes that passed :func:`reportgen.xlsx.guard.read_checked`
    (the checks are not repeated: they cost a pass over every part)."""
    from .tracker_reader import TrackerReader

    sheet, header = _sheets(raw, source)
    reader = TrackerReader(sheet, header)
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
    for c, name in header.extras:
        sheet.warn(header.row, c, f"the column {name!r} is kept as a field of each entry; it prints where "
                                  f"report.columns names it (field: {name})")
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

    def represent_str(dumper: yaml.SafeDumper, value: str) -> Any:
        """Multi-line texts as literal blocks (|), as people write them."""
        style = "|" if "\n" in value and value == value.strip() else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(list, represent_list)
    Dumper.add_representer(str, represent_str)
    body = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=120)
    return f"# Imported from {os.path.basename(source)} by `reportgen import`.\n{body}"


@collector_paused()
def read_workbook(path: str | os.PathLike[str]) -> tuple[Report, list[Problem]]:
    """Any .xlsx: a reportgen tracker through xlsx_read, a hand-made one through the importer."""
    from .guard import is_reportgen_workbook, read_checked

    raw = read_checked(path)  # the guards first: a FIFO or a bomb is refused before anything opens it
    if is_reportgen_workbook(raw):
        from .read import read_xlsx_bytes_checked

        return read_xlsx_bytes_checked(raw, source=str(path), checked=True)
    result = import_tracker_bytes(raw, str(path))
    return result.report, result.warnings


@collector_paused()
def workbook_data(path: str | os.PathLike[str], *, fiscal_year: int | None = None,
                  organization: str | None = None, title: str | None = None
                  ) -> tuple[dict[str, Any], list[Problem]]:
    """Format-1 data of any tracker workbook, for ``reportgen import``.

    A workbook written by reportgen gives back its embedded report (with the
    edits xlsx_read takes in); a hand-made one is imported cell by cell.
    """
    from .guard import is_reportgen_workbook, read_checked

    raw = read_checked(path)  # the guards first: a FIFO or a bomb is refused before anything opens it
    if is_reportgen_workbook(raw):
        from .read import read_xlsx_bytes_checked

        report, warned = read_xlsx_bytes_checked(raw, source=str(path), checked=True)
        return report.to_dict(), warned
    result = import_tracker_bytes(raw, str(path), fiscal_year=fiscal_year, organization=organization, title=title)
    return result.data, result.warnings
