"""Hand-made trackers with columns of their own (担当グループ, 備考) and a date typed as text.

Each column reportgen's tracker does not have becomes a named field of the
entries (reportgen.xlsx.tracker_extras), with one warning per column; before,
every one of its cells was a "could not place" warning and the column was
lost.  A 和暦 date typed as text above the header (令和6年10月15日) is the
report's issue date.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook

import reportgen
from reportgen.model.calendar import date_in_text
from reportgen.xlsx.tracker_import import import_tracker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tracker_fixtures import HEADER_LABELS, Shape, build_tracker  # noqa: E402

sys.path.pop(0)


def _small(path: Path) -> Path:
    """Header in row 4 under a title and a date typed as text; 担当グループ between 実施概要 and
    進捗状況; no 全国順位 and no grids; 項番 and 事業 merged over an item's two entries."""
    wb = Workbook()
    ws = wb.active
    ws.title = "R6進捗"
    ws["A1"] = "令和6年度 試験支部事業計画 進捗状況（9月末）"
    ws["F2"] = "令和6年10月15日"
    for i, label in enumerate(["項番", "事業", "実施概要", "担当\nグループ", "進捗状況", "実施状況"], start=1):
        ws.cell(4, i, label)
    rows = [(1, "健診の推進", "(1) 受診率を上げる。", "保健グループ", "受診率45.2%。", "○"),
            (None, None, "(2) データを取得する。", "保健グループ", "取得率12.1%。", "△"),
            (2, "広報の強化", "(1) 広報誌を発行する。", "企画総務グループ", "2回発行。", "◎"),
            (3, "人材育成", "(1) 研修を実施する。", None, "未実施。", "×")]
    for r, row in enumerate(rows, start=5):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws.merge_cells("A5:A6")
    ws.merge_cells("B5:B6")
    wb.save(path)
    return path


def _entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for section in data["sections"]:
        for items in [section.get("items", []), *[g["items"] for g in section.get("groups", [])]]:
            for item in items:
                out.extend(item["entries"])
    return out


def test_a_column_of_their_own_becomes_a_field_of_each_entry(tmp_path: Path) -> None:
    result = import_tracker(_small(tmp_path / "small.xlsx"))
    entries = _entries(result.data)
    assert [e.get("fields") for e in entries] == [{"担当グループ": "保健グループ"}, {"担当グループ": "保健グループ"},
                                                  {"担当グループ": "企画総務グループ"}, None]
    assert [e["status"] for e in entries] == ["受診率45.2%。", "取得率12.1%。", "2回発行。", "未実施。"]
    assert [w.path for w in result.warnings] == ["R6進捗!D4"]          # one line for the column, none per cell
    assert "'担当グループ'" in result.warnings[0].message


def test_a_date_typed_as_text_above_the_header_is_the_issue_date(tmp_path: Path) -> None:
    result = import_tracker(_small(tmp_path / "small.xlsx"))
    assert result.data["report"]["issued"] == "2024-10-15"
    assert result.data["report"]["organization"] == "試験支部"


def test_the_field_prints_where_report_columns_names_it(tmp_path: Path) -> None:
    result = import_tracker(_small(tmp_path / "small.xlsx"))
    data = result.data
    data["report"]["layout"] = "plan-status"
    data["report"]["columns"] = [{"field": "section"}, {"field": "plan", "label": "計画"},
                                 {"field": "担当グループ", "label": "担当"}, {"field": "status", "label": "実施状況"}]
    html = reportgen.render_html(reportgen.Report.from_dict(data))
    assert "企画総務グループ" in html and "保健グループ" in html


def test_a_remarks_column_right_of_the_rank_in_the_seed_layout(tmp_path: Path) -> None:
    path = tmp_path / "seed.xlsx"
    built = build_tracker(path, Shape(page_repeat=True))
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = built.cols["rank"] + 1
    headers = [r for r in range(1, ws.max_row + 1) if ws.cell(r, built.cols["mark"]).value == HEADER_LABELS[4]]
    assert len(headers) > 1                                    # the header repeated on a printed page
    for r in headers:
        ws.cell(r, col, "備考")
    plans = [r for r in range(built.header_row + 1, ws.max_row + 1)
             if isinstance(ws.cell(r, built.cols["plan"]).value, str)]
    ws.cell(plans[0], col, "本部と調整中。")
    ws.cell(plans[0] + 1, col, "10月に再確認。")               # a second line, on the entry's next row
    wb.save(path)
    before = import_tracker(build_tracker(tmp_path / "plain.xlsx", Shape(page_repeat=True)).path)
    result = import_tracker(path)
    entries = _entries(result.data)
    assert entries[0]["fields"] == {"備考": "本部と調整中。\n10月に再確認。"}
    assert all("fields" not in e for e in entries[1:])
    # the rest of the import is unchanged, and the repeated labels are no field values
    for e in entries:
        e.pop("fields", None)
    assert result.data["sections"] == before.data["sections"]
    assert len(result.warnings) == len(before.warnings) + 1


def test_date_in_text_reads_the_ways_offices_write_a_date() -> None:
    import datetime as dt

    assert date_in_text("令和6年10月15日") == dt.date(2024, 10, 15)
    assert date_in_text("R6.10.15") == dt.date(2024, 10, 15)
    assert date_in_text("２０２４年１０月１５日現在") == dt.date(2024, 10, 15)
    assert date_in_text("令和元年5月1日") == dt.date(2019, 5, 1)
    assert date_in_text("平成31年4月30日") == dt.date(2019, 4, 30)
    for not_one in ("令和6年2月30日", "令和6年度 事業計画", "10月15日", "明治5年1月1日", "令和6年10月15日 作成者 山田"):
        assert date_in_text(not_one) is None


def test_a_tracker_whose_mark_column_comes_before_the_progress(tmp_path: Path) -> None:
    """項番 · 事業 · 実施概要 · 実施状況 · 進捗状況 · 備考: the columns are where the labels are, in any order
    (before, a 実施状況 left of 進捗状況 made the workbook "not a tracker")."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "令和6年度 試験支部事業計画 進捗状況"
    for i, label in enumerate(["項番", "事業", "実施概要", "実施状況", "進捗状況", "", "", "備考"], start=1):
        if label:
            ws.cell(3, i, label)
    ws.merge_cells("E3:G3")                               # 進捗状況 over three columns
    rows = [(1, "健診の推進", "(1) 受診率を上げる。", "○", "受診率45.2%。", None, "補記", "要確認"),
            (2, "広報", "(1) 発行する。", "◎", "2回発行。", None, None, None)]
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    path = tmp_path / "order.xlsx"
    wb.save(path)
    result = import_tracker(path)
    entries = _entries(result.data)
    assert [(e["plan"], e["mark"]) for e in entries] == [("(1) 受診率を上げる。", "○"), ("(1) 発行する。", "◎")]
    assert entries[0]["status"] == "受診率45.2%。 補記"            # the cells of 進捗状況's span, one line
    assert entries[0]["fields"] == {"備考": "要確認"}
    assert [w.path for w in result.warnings] == ["Sheet!H3"]
