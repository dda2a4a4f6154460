"""Read a tracker workbook written by :mod:`reportgen.xlsx.writer` back into a Report.

Policy: every edit is read back, or refused / reported with its cell
--------------------------------------------------------------------
The printed sheet cannot hold everything the model has (series formats, KPI
targets, spans, tags), so the writer embeds the whole report as JSON in the
very hidden sheet ``_reportgen``, and tags rows in hidden columns (role and
entry tag) that move with the rows when people insert, delete or sort.  The
*visible* sheet decides which sections, groups, items and entries exist, in
which order, with which texts and figures; the JSON supplies the rest,
matched through the tags.  What is read from which cells is the table in
:func:`read_xlsx` (and in the README).  Marks, texts and structure are read
here; grids, headings, ranks and the checks of generated cells live in
:mod:`reportgen.xlsx.readback`.

A cell that cannot be read (a mark outside the scale, a figure that is not
one, a rank in another shape) is an error naming the cell and the field, e.g.
``x.xlsx: 進捗状況!T12: sections[0].groups[0].items[0].entries[1].mark: '★' is not a mark…``.
An edit that is not read back (generated cells, the ``データ`` sheet) is a
located warning: :func:`read_xlsx_checked` returns them, :func:`read_xlsx`
issues them as :class:`TrackerWarning`, the CLI prints them (``--strict``:
exit 2).

A workbook without the embedded data or with another header is not a tracker;
corrupt, encrypted or oversized (zip bomb) files are refused with a
ReportError — never a traceback.  The file is read into memory once and never
opened for writing.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from ..core.errors import Problem, ReportError
from ..core.gcpause import collector_paused
from ..core.reportwarnings import TrackerWarning
from ..model.report import Report
from .datasheet import data_sheet_values
from .columnsread import check_outside, read_field_headers
from .entryedits import EntryEdits
from .fieldcols import field_columns
from .mergeread import merged_across_entries
from .notread import comment_warnings, other_sheet_warnings
from .generated import check_summary, compare_generated, read_top
from .guard import check_container, fail, open_for_reading, open_workbook, read_bytes
from .payload import read_payload
from .readback import UNCOMPUTED_TEXT, cell_name
from .scan import find_header, scan
from .sheet import DATA_SHEET, HIDDEN_SHEET, MAIN_SHEET, banner_text, item_title, number_text
from .structure import Structure

__all__ = ["TrackerWarning", "open_for_reading", "open_workbook", "read_xlsx", "read_xlsx_bytes", "read_xlsx_bytes_checked",
           "read_xlsx_checked"]


class _CachedValues:
    """Values Excel or LibreOffice last computed for formula cells of 進捗状況
    (kept by the same pass that read the formulas)."""

    def __init__(self, cached: Any, title: str = MAIN_SHEET) -> None:
        self.ws = cached[title]

    def __call__(self, row: int, col: int) -> Any:
        return self.ws.cell(row, col).value


def _heads(report: Report) -> dict[str, dict[int, str]]:
    """The texts written for sections, groups and items, by object (before edits)."""
    heads: dict[str, dict[int, str]] = {"area": {}, "banner": {}, "title": {}, "number": {}}
    for section in report.sections:
        heads["area"][id(section)] = section.heading
        for group in section.groups:
            heads["banner"][id(group)] = banner_text(group)
        for group, item in section.iter_items():
            heads["title"][id(item)] = item_title(item, group)
            heads["number"][id(item)] = number_text(item.number)
    return heads


def _main_sheet(wb: Any, source: str) -> Any:
    """The 進捗状況 sheet, also when people renamed it (R5進捗): then the one visible sheet
    besides データ whose header row is the tracker's."""
    if MAIN_SHEET in wb.sheetnames:
        return wb[MAIN_SHEET]
    for ws in wb.worksheets:
        if ws.title in (DATA_SHEET, HIDDEN_SHEET) or getattr(ws, "sheet_state", "visible") != "visible":
            continue
        try:
            find_header(ws, ws.max_row, source)
        except ReportError:
            continue
        return ws
    raise fail(source, f"not a reportgen tracker: sheet {MAIN_SHEET} is missing")


def read_xlsx_checked(path: str | os.PathLike[str]) -> tuple[Report, list[Problem]]:
    """Read a tracker workbook; returns the report and the located warnings.

    Errors (a cell that cannot be read, such as an unknown mark or a figure
    that is not a number) raise ReportError; warnings name edits that are not
    read back (generated cells, the データ sheet) — see :func:`read_xlsx`.
    """
    source = str(path)
    return read_xlsx_bytes_checked(read_bytes(Path(path), source), source=source)


def read_xlsx_bytes(raw: bytes, *, source: str = "<workbook>") -> Report:
    """:func:`read_xlsx` for a workbook already in memory (an upload, a BytesIO)."""
    report, problems = read_xlsx_bytes_checked(raw, source=source)
    for problem in problems:
        warnings.warn(TrackerWarning(problem), stacklevel=2)
    return report


@collector_paused()
def read_xlsx_bytes_checked(raw: bytes, *, source: str = "<workbook>",
                            checked: bool = False) -> tuple[Report, list[Problem]]:
    """:func:`read_xlsx_checked` for a workbook already in memory (``checked``: the bytes
    passed :func:`reportgen.xlsx.limits.check_workbook` already; it is not run twice)."""
    if not checked:
        check_container(raw, source)
    wb, cached = open_for_reading(raw, source)
    payload = read_payload(wb, source)
    try:
        report = Report.from_dict(payload["report"], source=f"{source} ({HIDDEN_SHEET})")
    except ReportError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged JSON of an unexpected shape
        raise fail(source, f"the embedded report data is damaged ({type(exc).__name__})") from None
    ws = _main_sheet(wb, source)
    max_row = ws.max_row
    header_row = find_header(ws, max_row, source)
    written_data = data_sheet_values(report)
    heads = _heads(report)
    applier = EntryEdits(report, payload["written"], source)
    applier.sheet = ws.title
    applier.cached = _CachedValues(cached, ws.title)
    read_top(ws, report, header_row, source, applier.warnings)
    fields = field_columns(report)
    read_field_headers(ws, header_row, report, fields, source, applier.warnings)
    uncomputed: list[tuple[int, int]] = []
    seen_list, events, end = scan(ws, header_row, max_row, tuple(f.col for f in fields),
                                  cached.by_sheet.get(ws.title, {}), uncomputed)
    for r, c in uncomputed:
        applier.problems.append(Problem(source, None, cell_name(ws.title, r, c), UNCOMPUTED_TEXT))
    check_outside(ws, header_row, {seen.row for seen in seen_list}, fields, source, applier.warnings, end)
    applier.warnings.extend(merged_across_entries(ws, (seen.row for seen in seen_list), source))
    for seen in seen_list:
        applier.apply(seen)
    structure = Structure(report, source, ws.title)
    for kind, row, value in events:
        if kind == "area":
            structure.area(row, value)
        elif kind == "banner":
            structure.banner(row, value)
        elif kind == "item":
            structure.item_start(row, *value)
        elif kind == "entry" and value.entry is not None:
            structure.entry(row, value.entry)
    structure.rebuild(heads)
    applier.problems.extend(structure.problems)
    check_summary(ws, end, max_row, report, source, applier.warnings)
    if DATA_SHEET in wb.sheetnames:
        applier.warnings.extend(compare_generated(wb[DATA_SHEET], written_data, DATA_SHEET, source))
    applier.warnings.extend(other_sheet_warnings(wb, (ws.title, DATA_SHEET, HIDDEN_SHEET), source))
    applier.warnings.extend(comment_warnings(cached, source))
    if applier.problems:
        raise ReportError(applier.problems)
    try:
        checked = Report.from_dict(report.to_dict(), source=source)
    except ReportError as exc:
        raise ReportError([Problem(source, None, p.path, p.message) for p in exc.problems]) from None
    return checked, applier.warnings + structure.warnings


def read_xlsx(path: str | os.PathLike[str]) -> Report:
    """Read a tracker workbook (as written by render_xlsx, possibly edited).

    What is read back from which cells of 進捗状況:

    | edited in 進捗状況 | cells | read back as |
    |---|---|---|
    | title | A1 | `report.title` (the appended "（organization）" is taken off again) |
    | 分野 label | column A (vertical; repeated on each printed page) | section number and title ("1 基盤…": the number is the part before the first space) |
    | banner 〇… | B:U of a banner row | group title and owner: 〇title(owner) |
    | 項番 | column B | item number (digits stay a number when it was one) |
    | 事業 | column C | item title (1st line), 【tags】, other lines as labels, （owner） |
    | 実施概要 | column D | entry plan (the number prefix and the 【KPI】 line are taken off again) |
    | status text rows | E:S | the status block the row came from (text, bullets, note, heading, table caption); all of a block's rows deleted, or its text cleared, deletes the block (a heading or caption row deleted takes it off); text typed into a new row joins the status after the block above it; a formula typed into any text cell counts by its last computed value (never computed: an error); a date or time typed into a text cell reads as the sheet shows it (10月1日, 令和5年10月1日) |
    | grid figures | F:Q (months; quarters span 3 columns) | series values and table cells: numbers, "3,700", "３，７００", "95.5%", "4:56" or an Excel time, dates, △/▲-negatives, the unit ("3,788円"); a formula of your own by its last computed value; blank = no value; anything else in a series is an error |
    | grid labels | E of each grid row; E of the grid's header row; R of the header row | row label; series caption; `total_label` (計, 累計, 平均, 通期 …) |
    | totals 計/累計/平均 | R (R:S without an extra column) | a live formula = computed from the months; a typed figure = that row's `total` (warning when it differs from the months) |
    | extra column (e.g. 全国平均) | S | `extra` values |
    | table cells | E:S of a table row | the cell's value (text stays text, figures parsed with the cell's format) |
    | 実施状況 | T | mark; look-alikes folded (〇 → ○); anything else is an error |
    | 全国順位 | U | KPI `national.rank` and `rank_prev` from "46位 (前月46位)"; other text is an error |
    | custom columns (`report.columns` fields of your own) | Y onwards, an entry's first row; the header row | the entry's field, or beside an item's first entry the item's field when it showed that; a cleared cell removes the field; an edited header = the column's `label` |
    | rows | — | a new row with 実施概要 text = a new entry; with 項番/事業 = a new item; deleted rows = deleted entries, items, sections; a row inserted inside or under a grid with figures typed = a new series or table row there (a label alone = a text row); a grid's data row deleted = that row deleted (rows paired by their labels); the sheet's order is the report's order |
    | not read back (warning) | month headers (4月…), the KPI chart's 目標 row, the issue date (T1), preface rows, the mark summary, deleted grid header rows, months after the report's period (kept, not printed), any cell right of the tracker's columns (V:X are hidden tags) that no custom column reads, comments (notes) on cells, sheets of your own, cells merged across two entries (Excel keeps only the top-left cell: the lower entry reads as empty there), a mark or 全国順位 typed below an entry's first row | — |
    | データ sheet | all | generated and protected; every cell that differs from what was written is a warning |

    Errors (a cell that cannot be read) raise ReportError naming
    ``file: 進捗状況!CELL: field path``.  Located warnings (edits not read back)
    are issued as :class:`TrackerWarning` through :mod:`warnings`; use
    :func:`read_xlsx_checked` to get them as a list.
    """
    report, problems = read_xlsx_checked(path)
    for problem in problems:
        warnings.warn(TrackerWarning(problem), stacklevel=2)
    return report
