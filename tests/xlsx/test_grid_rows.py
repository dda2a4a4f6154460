"""Rows added to and deleted from the grids of a tracker in Excel (reportgen.xlsx.gridreshape).

Before, a row typed into a table or series (a new 区分, another year) became a
text paragraph, and deleting a row from the middle of a table moved the next
row's figures into it (rows were paired in order) while saying the deletion
was not read back.  The report is built here: a table with a total row, a
monthly series of three years with an extra column (全国平均), and a quarterly
series.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reportgen import ReportError
from reportgen.model.report import Report
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_PROGRESS, COL_ROLE, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx

from sheetedits import delete_rows, insert_row

MONTHS = [[100 + k for k in range(12)], [200 + k for k in range(12)], [300 + k for k in range(6)]]


def _data() -> dict[str, Any]:
    table = {"table": {"caption": "相談の結果", "header": [["区分", "件数", "割合"]], "formats": ["text", "int", "pct:1"],
                       "rows": [["訪問", 120, 0.5], ["電話", 3400, 0.255], ["来所", 75, 0.1], ["合計", 3595, None]]}}
    monthly = {"series": {"caption": "受付件数", "format": "int", "total": "sum",
                          "extra": {"label": "全国平均", "values": [11, 22, 33]},
                          "rows": [{"label": "令和4年度", "values": MONTHS[0]}, {"label": "令和5年度", "values": MONTHS[1]},
                                   {"label": "令和6年度", "values": MONTHS[2]}]}}
    quarterly = {"series": {"caption": "四半期", "kind": "quarterly", "format": "int",
                            "rows": [{"label": "上期", "values": [1, 2, 3, 4]}, {"label": "下期", "values": [5, 6, 7, 8]}]}}
    return {"format": 1,
            "report": {"title": "令和6年度 事業報告", "organization": "試験支部", "fiscal_year": 2024,
                       "layout": "tracker", "marks": "gunma"},
            "sections": [{"number": "１", "title": "基盤", "items": [
                {"number": 1, "title": "表の施策", "entries": [
                    {"plan": "表の計画。", "status": [{"text": "表の前。"}, table], "mark": "○"}]},
                {"number": 2, "title": "系列の施策", "entries": [
                    {"plan": "月の計画。", "status": [monthly], "mark": "△"},
                    {"plan": "四半期の計画。", "status": [quarterly, {"text": "補足。"}], "mark": "◎"}]}]}]}


def _tracker(tmp_path: Path) -> Path:
    path = tmp_path / "grids.xlsx"
    render_xlsx(Report.from_dict(_data()), path)
    return path


def _find(ws: Any, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not in the sheet")


def _status(report: Report, item: int, entry: int, block: int) -> dict[str, Any]:
    return report.to_dict()["sections"][0]["items"][item]["entries"][entry]["status"][block]


def _year_row(ws: Any, label: str | None, *figures: Any) -> tuple[int, int, int]:
    """A row inserted under 令和6年度 of the monthly series, the way staff add a year:
    ``label`` in the label column, ``figures`` from 4月 on.  Returns (row, label column, 4月's column)."""
    last, label_col = _find(ws, "令和6年度")
    _r, april = _find(ws, "4月")
    row = last + 1
    insert_row(ws, row)
    if label is not None:
        ws.cell(row, label_col).value = label
    for k, figure in enumerate(figures):
        ws.cell(row, april + k).value = figure
    return row, label_col, april


def _edit(path: Path, edit: Any) -> tuple[Report, list[Any]]:
    wb = openpyxl.load_workbook(path)
    edit(wb[MAIN_SHEET])
    wb.save(path)
    return read_xlsx_checked(path)


def test_a_row_typed_into_a_table_is_a_new_table_row(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        total_row, label_col = _find(ws, "合計")
        _r, count_col = _find(ws, "件数")
        _r, share_col = _find(ws, "割合")
        insert_row(ws, total_row)
        ws.cell(total_row, label_col).value = "文書"
        ws.cell(total_row, count_col).value = "1,250"
        ws.cell(total_row, share_col).value = "12.5%"

    report, warnings = _edit(path, edit)
    rows = _status(report, 0, 0, 1)["table"]["rows"]
    assert rows == [["訪問", 120, 0.5], ["電話", 3400, 0.255], ["来所", 75, 0.1], ["文書", 1250, 0.125],
                    ["合計", 3595, None]]
    assert warnings == []


def test_a_row_deleted_from_the_middle_of_a_table_is_deleted(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, warnings = _edit(path, lambda ws: delete_rows(ws, _find(ws, "電話")[0], _find(ws, "電話")[0]))
    assert _status(report, 0, 0, 1)["table"]["rows"] == [["訪問", 120, 0.5], ["来所", 75, 0.1], ["合計", 3595, None]]
    assert warnings == []


def test_two_rows_deleted_and_a_figure_edited_at_once(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        visit, _c = _find(ws, "訪問")
        _r, count_col = _find(ws, "件数")
        ws.cell(_find(ws, "来所")[0], count_col).value = 80
        delete_rows(ws, visit, visit + 1)

    report, _warnings = _edit(path, edit)
    assert _status(report, 0, 0, 1)["table"]["rows"] == [["来所", 80, 0.1], ["合計", 3595, None]]


def test_a_year_typed_under_a_monthly_series_is_a_new_row(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    report, warnings = _edit(path, lambda ws: _year_row(ws, "令和7年度", 400, "４０１"))
    series = _status(report, 1, 0, 0)["series"]
    assert [r["label"] for r in series["rows"]] == ["令和4年度", "令和5年度", "令和6年度", "令和7年度"]
    assert series["rows"][3]["values"] == [400, 401]
    assert series["extra"]["values"] == [11, 22, 33]
    assert warnings == []


def test_a_year_deleted_from_a_monthly_series_takes_its_extra_value_along(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, warnings = _edit(path, lambda ws: delete_rows(ws, _find(ws, "令和5年度")[0], _find(ws, "令和5年度")[0]))
    series = _status(report, 1, 0, 0)["series"]
    assert [(r["label"], r["values"]) for r in series["rows"]] == [("令和4年度", MONTHS[0]), ("令和6年度", MONTHS[2])]
    assert series["extra"]["values"] == [11, 33]
    assert warnings == []


def test_a_row_typed_into_a_quarterly_series_reads_each_quarter(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        row, label_col = _find(ws, "下期")
        _r, q1 = _find(ws, "第1四半期")
        _r, q2 = _find(ws, "第2四半期")
        insert_row(ws, row)
        ws.cell(row, label_col).value = "中間"
        ws.cell(row, q1).value = 9
        ws.cell(row, q2).value = 10

    report, _warnings = _edit(path, edit)
    rows = _status(report, 1, 1, 0)["series"]["rows"]
    assert [(r["label"], r["values"]) for r in rows] == [("上期", [1, 2, 3, 4]), ("中間", [9, 10]), ("下期", [5, 6, 7, 8])]
    assert _status(report, 1, 1, 1) == {"text": "補足。"}


def test_a_new_row_that_is_not_a_figure_is_a_located_error(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    row, _label_col, april = _year_row(ws, "令和7年度", "未集計")
    wb.save(path)
    with pytest.raises(ReportError) as caught:
        read_xlsx_checked(path)
    assert f"{MAIN_SHEET}!{ws.cell(row, april).coordinate}" in str(caught.value)
    assert "未集計" in str(caught.value)


def test_figures_without_a_label_are_a_located_error(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    row, label_col, _april = _year_row(ws, None, 5)
    wb.save(path)
    with pytest.raises(ReportError) as caught:
        read_xlsx_checked(path)
    assert f"{MAIN_SHEET}!{ws.cell(row, label_col).coordinate}" in str(caught.value)
    assert "needs a label" in str(caught.value)


def test_a_figure_typed_beside_a_merged_cell_is_warned(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        total_row, label_col = _find(ws, "合計")
        insert_row(ws, total_row)
        ws.cell(total_row, label_col).value = "文書"
        ws.cell(total_row, label_col + 1).value = 7     # under 区分's merged cell, not under 件数

    report, warnings = _edit(path, edit)
    assert ["文書", None, None] in _status(report, 0, 0, 1)["table"]["rows"]
    assert len(warnings) == 1 and "'7'" in warnings[0].message


def test_a_copied_grid_row_with_its_hidden_tags_is_not_read_silently(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        row, _c = _find(ws, "来所")
        insert_row(ws, row + 1)
        for c in range(COL_PROGRESS, COL_ROLE + 1):     # the grid's cells and the hidden tags
            if type(ws.cell(row + 1, c)).__name__ != "MergedCell":
                ws.cell(row + 1, c).value = ws.cell(row, c).value

    report, warnings = _edit(path, edit)
    assert _status(report, 0, 0, 1)["table"]["rows"] == _data()["sections"][0]["items"][0]["entries"][0]["status"][1][
        "table"]["rows"]
    assert any("copied grid row" in w.message for w in warnings)


def test_a_deleted_header_row_is_warned_and_the_figures_kept(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, warnings = _edit(path, lambda ws: delete_rows(ws, _find(ws, "件数")[0], _find(ws, "件数")[0]))
    assert _status(report, 0, 0, 1) == _data()["sections"][0]["items"][0]["entries"][0]["status"][1]
    assert any("grid row(s) deleted" in w.message for w in warnings)


def test_the_new_rows_print(tmp_path: Path) -> None:
    from reportgen.api import render_html

    path = _tracker(tmp_path)

    report, _warnings = _edit(path, lambda ws: _year_row(ws, "令和7年度", 4321))
    html = render_html(report)
    assert "令和7年度" in html and "4,321" in html
