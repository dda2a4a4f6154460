"""Issue #14, point 4: ``report.columns`` reaches the workbook.

A report whose columns name fields of its own gets them as columns of the
tracker (after the hidden tag columns, in the order of ``report.columns``),
in the データ sheet, and back: every edit of such a cell is read back into the
field it showed, or reported with its cell.  The reports are built here in
shapes of their own: entry and item fields, blocks, groups, a field only
some entries have, widths given and not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

import reportgen
from reportgen import ReportError
from reportgen.xlsx.fieldcols import FIRST_FIELD_COL
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_ENTRY_ID, COL_ROLE, DATA_HEADER, DATA_SHEET, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx

from sheetedits import insert_row

Y, Z, AA = FIRST_FIELD_COL, FIRST_FIELD_COL + 1, FIRST_FIELD_COL + 2


def _data(**report: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "report": {
            "title": "令和6年度 事業計画 自己評価", "organization": "静岡支部", "fiscal_year": 2024,
            "layout": "quarterly", "marks": "quarterly",
            "columns": [
                {"field": "section", "label": "分野", "width": "4%"},
                {"field": "title", "label": "項目", "width": "14%"},
                {"field": "課題", "label": "課題と対応", "width": "15%"},
                {"field": "plan", "label": "計画", "width": "25%"},
                {"field": "status", "label": "実施状況", "width": "25%"},
                {"field": "mark", "label": "評価", "width": "5%"},
                {"field": "次年度", "width": "12%"},
                {"field": "担当者"},
            ],
            **report,
        },
        "sections": [
            {"number": "1", "title": "保険運営の企画", "items": [
                {"number": "(1)", "title": "地域との連携", "fields": {"課題": "市町村との情報共有", "次年度": "継続"},
                 "entries": [
                     {"plan": "協議会に参加する。", "status": [{"text": "３回参加した。"}, {"text": "意見を発信した。"}],
                      "mark": "○",
                      "fields": {"担当者": "企画総務G 佐藤"}},
                     {"plan": "共同事業を行う。", "status": "セミナーを共催。", "mark": "○",
                      "fields": {"課題": [{"text": "分析の人手"}, {"bullets": ["外部委託", "研修"]}]}},
                 ]},
                {"number": "(2)", "title": "広報", "entries": [
                    {"plan": "広報誌を毎月発行する。", "status": "毎月発行。", "mark": "○"},
                ]},
            ]},
            {"number": "2", "title": "健康づくり", "groups": [
                {"title": "健診", "owner": "保健G", "items": [
                    {"number": "(1)", "title": "特定健診", "entries": [
                        {"plan": "受診率を上げる。", "status": "前年比+2pt。", "mark": "△",
                         "fields": {"次年度": "勧奨を強化", "担当者": "保健G 鈴木"}},
                    ]},
                ]},
            ]},
        ],
    }


def _report(**kw: Any) -> reportgen.Report:
    return reportgen.Report.from_dict(_data(**kw))


def _write(tmp_path: Path, report: reportgen.Report | None = None) -> Path:
    target = tmp_path / "fields.xlsx"
    render_xlsx(report or _report(), target)
    return target


def _entry_rows(ws: Any) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ENTRY_ID).value]


def _header_row(ws: Any) -> int:
    return next(r for r in range(1, 40) if ws.cell(r, COL_ROLE).value == "header")


def _edit(path: Path, edits: dict[tuple[int, int], Any]) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    for (r, c), value in edits.items():
        ws.cell(r, c).value = value
    out = path.with_name("edited.xlsx")
    wb.save(out)
    return out


def test_custom_columns_are_columns_of_the_tracker_with_their_labels_and_texts(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    h = _header_row(ws)
    assert [ws.cell(h, c).value for c in (Y, Z, AA)] == ["課題と対応", "次年度", "担当者"]
    assert ws.cell(h, AA + 1).value is None
    rows = _entry_rows(ws)
    assert len(rows) == 4
    # the item's field beside its first entry; the entry's own field wins; blocks as lines
    assert [ws.cell(r, Y).value for r in rows] == ["市町村との情報共有", "分析の人手\n・外部委託\n・研修", None, None]
    assert [ws.cell(r, Z).value for r in rows] == ["継続", None, None, "勧奨を強化"]
    assert [ws.cell(r, AA).value for r in rows] == ["企画総務G 佐藤", None, None, "保健G 鈴木"]
    # printed: the print area reaches the last custom column; widths from the given shares
    assert ws.print_area.endswith(f"$AA${ws.max_row}") or "$AA$" in ws.print_area
    assert ws.column_dimensions["Y"].width > ws.column_dimensions["Z"].width
    # the データ sheet carries them too
    data = wb[DATA_SHEET]
    header = [c.value for c in data[1]]
    assert header == list(DATA_HEADER) + ["課題と対応", "次年度", "担当者"]
    assert [data.cell(r, len(DATA_HEADER) + 3).value for r in range(2, 6)] == \
        ["企画総務G 佐藤", None, None, "保健G 鈴木"]


def test_a_report_without_custom_columns_writes_nothing_right_of_the_tags(tmp_path: Path) -> None:
    data = _data()
    del data["report"]["columns"]
    path = _write(tmp_path, reportgen.Report.from_dict(data))
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    assert ws.max_column == COL_ROLE


def test_unedited_round_trip_keeps_every_field(tmp_path: Path) -> None:
    report = _report()
    back, warnings = read_xlsx_checked(_write(tmp_path, report))
    assert warnings == []
    assert back.to_dict() == report.to_dict()


def test_edited_custom_cells_go_back_to_the_field_they_showed(tmp_path: Path) -> None:
    path = _write(tmp_path)
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    r1, r2, r3, r4 = _entry_rows(ws)
    h = _header_row(ws)
    edited = _edit(path, {
        (r1, Y): "市町村・県との情報共有",      # the item's field, shown beside its first entry
        (r1, AA): None,                        # cleared: the entry's field is removed
        (r2, Z): "拡大して継続",                 # an entry without 次年度 gets its own
        (r3, AA): "企画総務G 田中",              # a new field on an entry that had none
        (r4, Y): "受診勧奨の外部委託",            # replaces nothing: a new entry field
        (h, Z): "次年度の方針",                   # a header label edited
    })
    back, warnings = read_xlsx_checked(edited)
    assert warnings == []
    s1, s2 = back.sections
    item1 = s1.items[0]
    assert item1.fields["課題"] == "市町村・県との情報共有"
    assert item1.fields["次年度"] == "継続"
    e1, e2 = item1.entries
    assert "担当者" not in e1.fields
    assert e2.fields["次年度"] == "拡大して継続"
    assert e2.fields["課題"] == _report().sections[0].items[0].entries[1].fields["課題"]   # blocks untouched
    assert s1.items[1].entries[0].fields == {"担当者": "企画総務G 田中"}
    e4 = s2.groups[0].items[0].entries[0]
    assert e4.fields == {"次年度": "勧奨を強化", "担当者": "保健G 鈴木", "課題": "受診勧奨の外部委託"}
    assert {c.field: c.label for c in back.columns}["次年度"] == "次年度の方針"


def test_an_edited_block_field_becomes_the_text_typed(tmp_path: Path) -> None:
    path = _write(tmp_path)
    r2 = _entry_rows(openpyxl.load_workbook(path)[MAIN_SHEET])[1]
    back, _ = read_xlsx_checked(_edit(path, {(r2, Y): "分析の人手\n・外部委託"}))
    assert back.sections[0].items[0].entries[1].fields["課題"] == "分析の人手\n・外部委託"


def test_a_new_entry_typed_with_custom_cells_keeps_them(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    r3 = _entry_rows(ws)[2]
    last = r3
    while ws.cell(last + 1, COL_ROLE).value not in ("gap", "summary", "banner") and not ws.cell(last + 1, COL_ENTRY_ID).value:
        last += 1
    insert_row(ws, last + 1)
    ws.cell(last + 1, 4).value = "SNSで発信する。"
    ws.cell(last + 1, AA).value = "広報担当 山田"
    out = tmp_path / "added.xlsx"
    wb.save(out)
    back, _ = read_xlsx_checked(out)
    entries = back.sections[0].items[1].entries
    assert [e.plan for e in entries] == ["広報誌を毎月発行する。", "SNSで発信する。"]
    assert entries[1].fields == {"担当者": "広報担当 山田"}


def test_cells_nothing_reads_are_located_warnings(tmp_path: Path) -> None:
    path = _write(tmp_path)
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    r1 = _entry_rows(ws)[0]
    h = _header_row(ws)
    edited = _edit(path, {
        (r1, AA + 2): "欄外のメモ",       # right of every column
        (h, Y): None,                     # a label cleared
    })
    wb = openpyxl.load_workbook(edited)
    ws = wb[MAIN_SHEET]
    for rng in list(ws.merged_cells.ranges):
        if rng.min_col == Y and rng.min_row == r1:
            ws.unmerge_cells(str(rng))
    ws.cell(r1 + 1, Y).value = "二行目に入力"   # a custom column off the entry's first row
    wb.save(edited)
    _back, warnings = read_xlsx_checked(edited)
    text = [str(w) for w in warnings]
    assert any(f"進捗状況!Y{r1 + 1}: not read back: '二行目に入力'" in t for t in text), text
    assert any(f"進捗状況!AC{r1}: not read back: '欄外のメモ' is outside the tracker's columns" in t for t in text), text
    assert any(f"進捗状況!Y{h}: report.columns" in t and "cleared" in t for t in text), text


def test_cells_typed_right_of_the_tracker_without_custom_columns_are_reported(tmp_path: Path) -> None:
    path = reportgen.Report.from_dict({k: v for k, v in _data().items()})
    path.columns = None
    target = _write(tmp_path, path)
    edited = _edit(target, {(12, 26): "メモ", (3, 30): "上のメモ"})
    _back, warnings = read_xlsx_checked(edited)
    where = sorted(w.path for w in warnings)
    assert "進捗状況!Z12" in where and "進捗状況!AD3" in where


def test_a_field_longer_than_a_cell_is_refused_by_validation(tmp_path: Path) -> None:
    data = _data()
    data["sections"][0]["items"][1]["entries"][0]["fields"] = {"担当者": [{"text": "あ" * 20_000}, {"text": "い" * 20_000}]}
    data["sections"][0]["items"][0]["fields"]["課題"] = [{"text": "う" * 20_000}, {"text": "え" * 20_000}]
    with pytest.raises(ReportError) as info:
        reportgen.Report.from_dict(data)
    assert [p.path for p in info.value.problems] == ["sections[0].items[0].fields.課題",
                                                     "sections[0].items[1].entries[0].fields.担当者"]
    assert all("an Excel cell holds at most 32,767" in p.message for p in info.value.problems)
